/// A target group with its attributes and the health of its targets.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
pub struct TargetGroup {
    pub arn: String,
    pub name: String,
    /// `instance`, `ip`, `lambda` or `alb`.
    pub target_type: Option<String>,
    pub protocol: Option<String>,
    pub port: Option<i32>,
    pub health_check_path: Option<String>,
    /// `app/NAME/ID` dimensions of the load balancers in front of it, for CloudWatch.
    pub load_balancer_dimensions: Vec<String>,
    pub deregistration_delay_s: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
pub struct TargetHealth {
    pub id: String,
    pub port: Option<i32>,
    /// initial / healthy / unhealthy / unused / draining / unavailable
    pub state: String,
    pub reason: Option<String>,
    pub description: Option<String>,
    /// `AdministrativeOverride`: e.g. state `zonal_shift_active`, reason
    /// `AdministrativeOverride.ZonalShiftActive` (the target's AZ gets no traffic). None when
    /// no override is engaged.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub override_state: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub override_reason: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub override_description: Option<String>,
    /// `AnomalyDetection` (with `Include=[All]`): result `anomalous` or `normal`, and whether
    /// the load balancer routes around the target (`mitigation_in_effect` `yes`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub anomaly: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mitigation: Option<String>,
}

impl TargetHealth {
    /// A zonal shift (or another override) keeps traffic from this target.
    pub fn overridden(&self) -> bool {
        self.override_state
            .as_deref()
            .is_some_and(|s| !s.is_empty() && s != "no_override")
    }

    /// The load balancer found the target anomalous.
    pub fn anomalous(&self) -> bool {
        self.anomaly.as_deref() == Some("anomalous")
    }

    /// The load balancer routes traffic around it (anomaly mitigation in effect).
    pub fn mitigated(&self) -> bool {
        self.mitigation.as_deref() == Some("yes")
    }
}

/// A target group's name from its ARN (`…:targetgroup/NAME/ID`), or the ARN when it has none.
pub fn target_group_name(arn: &str) -> &str {
    arn.split_once(":targetgroup/")
        .and_then(|(_, rest)| rest.split('/').next())
        .filter(|n| !n.is_empty())
        .unwrap_or(arn)
}

#[cfg(test)]
mod name_tests {
    #[test]
    fn a_group_is_named_by_its_arn() {
        assert_eq!(
            super::target_group_name(
                "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/checkout-tg/943f017f100becff"
            ),
            "checkout-tg"
        );
        assert_eq!(super::target_group_name("not-an-arn"), "not-an-arn");
    }
}
