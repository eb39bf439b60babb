//! Domain types: what the rest of ecswatch knows about ECS, ELB, CloudWatch and Logs.
//!
//! Nothing here depends on an AWS SDK crate; `src/aws/` converts SDK types into these.
//! Every string that came from AWS is sanitized by the adapter before it lands here.

pub mod deploy;
mod express;
mod instance;
mod logs;
mod metrics;
pub mod scaling;
mod scope;
mod service;
mod target;
mod task;
mod task_metrics;
pub mod taskdef;
pub mod traffic;

pub use deploy::{
    BreakerState, DeploymentBrief, FINAL_DEPLOYMENT_STATUSES, HookConfig, HookState,
    LIFECYCLE_STAGES, MonitorState, Revision, RollbackInfo, ServiceDeployment, TaskSet,
};
pub use express::{ManagedResource, ManagedResources};
pub use instance::{ContainerInstance, InstanceHealth, InstanceHealthCheck};
pub use logs::LogLine;
pub use metrics::{MetricKind, MetricPoint, MetricQuery, MetricResult, SeriesShape};
pub use scaling::{NotScaledReason, ScalableTarget, Scaling, ScalingActivity, ScalingPolicy};
pub use scope::{Scope, Source};
pub use service::{
    Deployment, DeploymentConfig, EarlySuccess, LoadBalancerRef, PlaceIx, Service, ServiceEvent,
    ServiceKey,
};
pub use target::{TargetGroup, TargetHealth, target_group_name};
pub use task::{AttachmentReason, ContainerState, Task, TaskChoice};
pub use task_metrics::{
    Insights, TaskMetricKind, TaskMetrics, TaskSeries, TaskUsage, restarts_since,
};
pub use taskdef::{
    AwslogsSource, ContainerDef, LogConfig, MASK, RestartPolicy, TaskDefinition, awslogs_sources,
    is_secret_name,
};
pub use traffic::{
    ConnectService, CurrentRevision, GroupRole, LatticeConfig, LatticeTarget, ListenerRule,
    RevisionDetail, ServiceConnect, TrafficGroup, roles_from_rules, traffic_groups,
};

/// Who the credentials are (STS GetCallerIdentity), and until when they hold.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CallerIdentity {
    pub account: String,
    pub arn: String,
    /// When the credentials expire (None: long-term keys, or the provider does not say).
    pub expires: Option<Time>,
}

/// Timestamps are UTC instants.
pub type Time = chrono::DateTime<chrono::Utc>;

/// The last path segment of an ARN (`arn:...:cluster/prod` -> `prod`), or the input when it is a name.
pub fn short_name(arn_or_name: &str) -> &str {
    arn_or_name.rsplit('/').next().unwrap_or(arn_or_name)
}

/// The id of a task from its ARN (`arn:...:task/prod/abc123` -> `abc123`).
pub fn task_id(arn: &str) -> &str {
    short_name(arn)
}

/// `family:revision` from a task definition ARN.
pub fn task_definition_label(arn: &str) -> &str {
    short_name(arn)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_names() {
        assert_eq!(short_name("arn:aws:ecs:us-east-1:1:cluster/prod"), "prod");
        assert_eq!(short_name("prod"), "prod");
        assert_eq!(task_id("arn:aws:ecs:us-east-1:1:task/prod/abc"), "abc");
        assert_eq!(
            task_definition_label("arn:aws:ecs:us-east-1:1:task-definition/web:7"),
            "web:7"
        );
    }
}
