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
}
