//! Service auto scaling (Application Auto Scaling, namespace `ecs`): the scalable target, its
//! policies and its recent activities, as read for one service.

use super::Time;

/// What Application Auto Scaling holds for one service (`service/CLUSTER/SERVICE`,
/// `ecs:service:DesiredCount`). `target` is None when the service is not registered.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
pub struct Scaling {
    pub target: Option<ScalableTarget>,
    pub policies: Vec<ScalingPolicy>,
    /// Newest first, with the "not scaled" ones (IncludeNotScaledActivities).
    pub activities: Vec<ScalingActivity>,
    /// The parts this read could not get (their calls failed: the source's errors say why);
    /// the store keeps what an earlier read of them had.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unread: Vec<ScalingPart>,
}

/// A part of a service's auto scaling read by a call of its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ScalingPart {
    /// DescribeScalingPolicies
    Policies,
    /// DescribeScalingActivities
    Activities,
}

impl ScalingPart {
    /// The operation that reads it.
    pub fn operation(self) -> &'static str {
        match self {
            ScalingPart::Policies => "DescribeScalingPolicies",
            ScalingPart::Activities => "DescribeScalingActivities",
        }
    }
}

impl Scaling {
    /// This read, with the parts it could not get taken from an earlier read of the same
    /// service (marked unread still: they are as old as that read).
    pub fn keeping(mut self, earlier: Option<&Scaling>) -> Scaling {
        if let Some(old) = earlier {
            for part in &self.unread {
                match part {
                    ScalingPart::Policies => self.policies = old.policies.clone(),
                    ScalingPart::Activities => self.activities = old.activities.clone(),
                }
            }
        }
        self
    }
}

#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
pub struct ScalableTarget {
    pub resource_id: String,
    pub min: i32,
    pub max: i32,
    pub dynamic_in_suspended: bool,
    pub dynamic_out_suspended: bool,
    pub scheduled_suspended: bool,
}

impl ScalableTarget {
    /// Which kinds of scaling are suspended, in words (empty: none).
    pub fn suspended(&self) -> Vec<&'static str> {
        let mut out = Vec::new();
        if self.dynamic_out_suspended {
            out.push("scale-out");
        }
        if self.dynamic_in_suspended {
            out.push("scale-in");
        }
        if self.scheduled_suspended {
            out.push("scheduled");
        }
        out
    }
}

#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
pub struct ScalingPolicy {
    pub name: String,
    /// TargetTrackingScaling | StepScaling | PredictiveScaling
    pub policy_type: String,
    /// A target tracking policy's predefined metric (`ALBRequestCountPerTarget`,
    /// `ECSServiceAverageCPUUtilization`, ...), or `custom` for a customized metric.
    pub metric: Option<String>,
    /// `app/LB/ID/targetgroup/TG/ID` for ALBRequestCountPerTarget.
    pub resource_label: Option<String>,
    pub target_value: Option<f64>,
    pub disable_scale_in: bool,
    /// The CloudWatch alarms the policy created or uses.
    pub alarms: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
pub struct ScalingActivity {
    pub id: String,
    /// Pending | InProgress | Successful | Overridden | Unfulfilled | Failed
    pub status: String,
    pub status_message: Option<String>,
    pub description: String,
    pub cause: String,
    pub start: Option<Time>,
    pub end: Option<Time>,
    /// Why a scaling activity did nothing (`AlreadyAtMaxCapacity`, ...): code and capacities.
    pub not_scaled: Vec<NotScaledReason>,
}

#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
pub struct NotScaledReason {
    pub code: String,
    pub max: Option<i32>,
    pub min: Option<i32>,
    pub current: Option<i32>,
}

/// The scalable target's resource id of a service.
pub fn resource_id(cluster: &str, service: &str) -> String {
    format!("service/{cluster}/{service}")
}

/// The `ResourceLabel` an ALBRequestCountPerTarget policy must carry for a target group behind
/// a load balancer: `app/LB/ID/targetgroup/TG/ID`, from the load balancer's CloudWatch
/// dimension (`app/LB/ID`) and the target group's ARN.
pub fn resource_label(lb_dimension: &str, target_group_arn: &str) -> Option<String> {
    let tg = target_group_arn.split_once(":targetgroup/")?.1;
    Some(format!("{lb_dimension}/targetgroup/{tg}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn label_from_dimension_and_arn() {
        assert_eq!(
            resource_label(
                "app/prod-public/50dc6c495c0c9188",
                "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/checkout-tg/943f017f100becff"
            )
            .as_deref(),
            Some("app/prod-public/50dc6c495c0c9188/targetgroup/checkout-tg/943f017f100becff")
        );
        assert_eq!(resource_label("app/x/1", "not-an-arn"), None);
    }

    #[test]
    fn suspended_in_words() {
        let t = ScalableTarget {
            dynamic_in_suspended: true,
            scheduled_suspended: true,
            ..Default::default()
        };
        assert_eq!(t.suspended(), vec!["scale-in", "scheduled"]);
    }
}
