use super::Time;

/// A task as DescribeTasks reports it. A stopped one is immutable once ECS reports it STOPPED,
/// so it is described once and kept; a running one (the open service's, `ServiceState::running`)
/// is read again every poll.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
pub struct Task {
    /// The place it was read from (set by the store from the update). Files name it `target`.
    #[serde(
        rename = "target",
        default,
        skip_serializing_if = "super::service::is_first_place"
    )]
    pub place: super::PlaceIx,
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
    /// The task's health (HEALTHY / UNHEALTHY / UNKNOWN), from its containers' health checks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub health_status: Option<String>,
    /// FARGATE, FARGATE_SPOT or an Auto Scaling group capacity provider.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub capacity_provider: Option<String>,
    /// FARGATE, EC2, EXTERNAL or MANAGED_INSTANCES: where the task ran. The same words can name another cause
    /// on Fargate than on an instance (the playbook's `on_launch_type`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub launch_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub availability_zone: Option<String>,
    /// The container instance it runs (ran) on: EC2 and Managed Instances tasks; none on Fargate.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub container_instance_arn: Option<String>,
    /// The awsvpc ENI's private IPv4 address (the target id of an `ip` target group).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub private_ip: Option<String>,
    /// Whether ECS Exec was enabled when the task started (`enableExecuteCommand`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub exec_enabled: bool,
    /// The attachments ECS gave a reason for: one it could not create, attach or release (an
    /// EBS volume, a Service Connect registration). ECS puts that cause in the attachment,
    /// not in the stopped reason.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attachment_reasons: Vec<AttachmentReason>,
}

/// A task attachment's `statusReason` detail, which DescribeTasks carries only when ECS could
/// not create, attach or release it.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
pub struct AttachmentReason {
    /// The attachment's type: `AmazonElasticBlockStorage`, `ElasticNetworkInterface`,
    /// `Service Connect`, ….
    pub kind: String,
    /// PRECREATED, CREATED, ATTACHING, ATTACHED, DETACHING, DETACHED, DELETED or FAILED.
    pub status: Option<String>,
    pub reason: String,
}

impl AttachmentReason {
    /// The attachment as an engineer names it: "EBS volume", "network interface".
    pub fn label(&self) -> &str {
        match self.kind.as_str() {
            "AmazonElasticBlockStorage" => "EBS volume",
            "ElasticNetworkInterface" => "network interface",
            other => other,
        }
    }
}

/// "EBS volume: <reason>", as the reports, the task list and the evidence name it.
impl std::fmt::Display for AttachmentReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.label(), self.reason)
    }
}

impl Task {
    /// What it was placed on: its capacity provider, or, for a task launched without a
    /// capacity provider strategy, its launch type.
    pub fn placement(&self) -> Option<&str> {
        self.capacity_provider
            .as_deref()
            .or(self.launch_type.as_deref())
    }

    /// The service this task belongs to, from its group (`service:NAME`).
    pub fn service_name(&self) -> Option<&str> {
        self.group
            .as_deref()
            .and_then(|g| g.strip_prefix("service:"))
    }

    /// The container ECS Exec opens a shell in: the first whose ExecuteCommandAgent runs, else
    /// the first essential-looking one (the first listed).
    pub fn exec_container(&self) -> Option<&ContainerState> {
        self.containers
            .iter()
            .find(|c| c.exec_agent.as_deref() == Some("RUNNING"))
            .or_else(|| self.containers.first())
    }
}

#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
pub struct ContainerState {
    pub name: String,
    pub image: Option<String>,
    pub last_status: Option<String>,
    pub exit_code: Option<i32>,
    pub reason: Option<String>,
    /// The container's health check status (HEALTHY / UNHEALTHY / UNKNOWN).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub health_status: Option<String>,
    /// The ExecuteCommandAgent's `lastStatus` (PENDING / RUNNING / STOPPED), when the task
    /// runs one (ECS Exec enabled).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exec_agent: Option<String>,
}

impl ContainerState {
    /// The Service Connect proxy ECS adds to a task: a container named `ecs-service-connect-…`
    /// running the `ecs-service-connect-agent` image.
    pub fn is_service_connect_proxy(&self) -> bool {
        self.name.starts_with("ecs-service-connect-")
            || self
                .image
                .as_deref()
                .is_some_and(|i| i.contains("ecs-service-connect-agent"))
    }
}

/// One running task offered by `X` (stop a task): what identifies it and what is shown beside
/// it. The view writes its age when it draws, so "started 12m ago" stays true while the prompt
/// is open.
#[derive(Debug, Clone, PartialEq)]
pub struct TaskChoice {
    /// The task id (the last part of its ARN).
    pub id: String,
    /// `family:revision`.
    pub task_definition: String,
    pub last_status: String,
    pub started_at: Option<super::Time>,
}
