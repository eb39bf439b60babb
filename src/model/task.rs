use super::Time;

/// A stopped task: immutable once ECS reports it STOPPED, so it is described once and kept.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
pub struct StoppedTask {
    /// The target it was read from (set by the store from the update).
    #[serde(default, skip_serializing_if = "super::service::is_first_target")]
    pub target: super::TargetIx,
    pub arn: String,
    /// Short cluster name.
    pub cluster: String,
    pub task_definition: String,
    /// `service:NAME` for tasks a service started.
    pub group: Option<String>,
    pub started_by: Option<String>,
    pub last_status: String,
    pub desired_status: String,
    pub started_at: Option<Time>,
    pub stopping_at: Option<Time>,
    pub stopped_at: Option<Time>,
    pub stopped_reason: Option<String>,
    pub stop_code: Option<String>,
    pub containers: Vec<ContainerState>,
}

impl StoppedTask {
    /// The service this task belongs to, from its group (`service:NAME`).
    pub fn service_name(&self) -> Option<&str> {
        self.group
            .as_deref()
            .and_then(|g| g.strip_prefix("service:"))
    }
}

#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
pub struct ContainerState {
    pub name: String,
    pub image: Option<String>,
    pub last_status: Option<String>,
    pub exit_code: Option<i32>,
    pub reason: Option<String>,
}
