//! The source seam. Everything ecswatch reads from AWS goes through [`AwsApi`], which returns
//! domain types from `crate::model`. SDK types never leave this module.
//!
//! Implementations: [`sdk::SdkApi`] (the real AWS SDK), `crate::demo::DemoApi` (the embedded
//! simulated incident). Methods are page-level: pollers own pagination and batching.

mod config;
pub mod credentials;
mod error;
pub mod metered;
pub mod sdk;

pub use config::{AwsOptions, load_sdk_config};
pub use error::{ApiError, ErrorKind};

use crate::model::{
    CallerIdentity, ContainerInstance, DeploymentBrief, LatticeTarget, ListenerRule, LogLine,
    MetricQuery, MetricResult, RevisionDetail, ScalableTarget, ScalingActivity, ScalingPolicy,
    Service, ServiceDeployment, TargetGroup, TargetHealth, Task, TaskDefinition, Time,
};
use std::future::Future;

/// One page of a paginated listing.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next: Option<String>,
}

/// DescribeServices answers with services and failures (e.g. MISSING).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Described<T> {
    pub found: Vec<T>,
    /// (arn or name, reason) for each item AWS could not describe.
    pub failures: Vec<(String, String)>,
}

/// What a FilterLogEvents page asks for.
#[derive(Debug, Clone, PartialEq)]
pub struct LogQuery {
    pub group: String,
    pub stream_prefix: Option<String>,
    pub start: Time,
    /// Exclusive end (a stopped task's stream ends with it); None: up to now.
    pub end: Option<Time>,
    /// The container's `awslogs-region`, when it differs from ecswatch's.
    pub region: Option<String>,
    pub next: Option<String>,
    pub limit: i32,
}

pub type ApiResult<T> = Result<T, ApiError>;

/// What an UpdateService call changes (unset fields are left alone).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ServiceChange {
    pub task_definition: Option<String>,
    pub desired_count: Option<i32>,
    pub force_new_deployment: bool,
}

/// How StopServiceDeployment stops a deployment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StopType {
    /// Roll back to the source revision.
    Rollback,
    /// Stop where it is, leaving both revisions as they are.
    Abort,
}

impl StopType {
    pub fn as_str(self) -> &'static str {
        match self {
            StopType::Rollback => "ROLLBACK",
            StopType::Abort => "ABORT",
        }
    }
}

/// What ContinueServiceDeployment tells a paused lifecycle hook.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HookAction {
    Continue,
    Rollback,
}

impl HookAction {
    pub fn as_str(self) -> &'static str {
        match self {
            HookAction::Continue => "CONTINUE",
            HookAction::Rollback => "ROLLBACK",
        }
    }
}

/// Most services DescribeServices takes in one call.
pub const DESCRIBE_SERVICES_BATCH: usize = 10;
/// Most clusters DescribeClusters takes in one call.
pub const DESCRIBE_CLUSTERS_BATCH: usize = 100;
/// Most tasks DescribeTasks takes in one call.
pub const DESCRIBE_TASKS_BATCH: usize = 100;
/// DescribeContainerInstances takes at most 100 instances.
pub const DESCRIBE_CONTAINER_INSTANCES_BATCH: usize = 100;
/// Most ARNs DescribeServiceDeployments and DescribeServiceRevisions take in one call.
pub const DESCRIBE_SERVICE_DEPLOYMENTS_BATCH: usize = 20;
/// Most target groups one DescribeTargetGroups call is given by ecswatch.
pub const DESCRIBE_TARGET_GROUPS_BATCH: usize = 20;
/// Most resource ids one DescribeScalableTargets call takes.
pub const DESCRIBE_SCALABLE_TARGETS_BATCH: usize = 50;
/// Most rule or listener ARNs one DescribeRules or DescribeListeners call is given.
pub const DESCRIBE_RULES_BATCH: usize = 20;
/// Most queries one GetMetricData call takes.
pub const METRIC_QUERIES_BATCH: usize = 500;

/// One async method per AWS call ecswatch makes. Everything is read-only except the
/// methods under "Writes", which only `crate::actions` calls: after `--allow-writes`, after the
/// exact change was shown and the service name typed to confirm.
pub trait AwsApi: Send + Sync + 'static {
    /// The region requests go to, for confirm commands and reports.
    fn region(&self) -> String;

    /// The AWS profile whose credentials are used, if one is named (for the renew command).
    fn profile(&self) -> Option<String> {
        None
    }

    /// Who the credentials belong to (STS GetCallerIdentity: needs no IAM permission) and when
    /// they expire. Only `doctor` asks.
    fn caller_identity(&self) -> impl Future<Output = ApiResult<CallerIdentity>> + Send;

    fn list_clusters(
        &self,
        next: Option<String>,
    ) -> impl Future<Output = ApiResult<Page<String>>> + Send;

    fn list_services(
        &self,
        cluster: &str,
        next: Option<String>,
    ) -> impl Future<Output = ApiResult<Page<String>>> + Send;

    /// At most [`DESCRIBE_SERVICES_BATCH`] services.
    fn describe_services(
        &self,
        cluster: &str,
        services: &[String],
    ) -> impl Future<Output = ApiResult<Described<Service>>> + Send;

    /// Each cluster's Container Insights setting (DescribeClusters `settings`; at most
    /// [`DESCRIBE_CLUSTERS_BATCH`] clusters).
    fn container_insights(
        &self,
        clusters: &[String],
    ) -> impl Future<Output = ApiResult<Vec<(String, crate::model::Insights)>>> + Send;

    /// Stopped tasks (ARNs) of a whole cluster, or of one service.
    fn list_stopped_tasks(
        &self,
        cluster: &str,
        service: Option<&str>,
        next: Option<String>,
    ) -> impl Future<Output = ApiResult<Page<String>>> + Send;

    /// Running tasks (ARNs) of a whole cluster, or of one service: one page of at most 100.
    fn list_running_tasks(
        &self,
        cluster: &str,
        service: Option<&str>,
        next: Option<String>,
    ) -> impl Future<Output = ApiResult<Page<String>>> + Send;

    /// At most [`DESCRIBE_TASKS_BATCH`] tasks.
    fn describe_tasks(
        &self,
        cluster: &str,
        tasks: &[String],
    ) -> impl Future<Output = ApiResult<Described<Task>>> + Send;

    /// At most [`DESCRIBE_CONTAINER_INSTANCES_BATCH`] container instances of one cluster, with
    /// their health (`include=CONTAINER_INSTANCE_HEALTH`).
    fn describe_container_instances(
        &self,
        cluster: &str,
        arns: &[String],
    ) -> impl Future<Output = ApiResult<Described<ContainerInstance>>> + Send;

    fn describe_task_definition(
        &self,
        arn: &str,
    ) -> impl Future<Output = ApiResult<TaskDefinition>> + Send;

    /// At most [`DESCRIBE_TARGET_GROUPS_BATCH`] target groups (without attributes).
    fn describe_target_groups(
        &self,
        arns: &[String],
    ) -> impl Future<Output = ApiResult<Vec<TargetGroup>>> + Send;

    /// The deregistration delay of a target group, in seconds.
    fn deregistration_delay(
        &self,
        arn: &str,
    ) -> impl Future<Output = ApiResult<Option<i64>>> + Send;

    fn describe_target_health(
        &self,
        arn: &str,
    ) -> impl Future<Output = ApiResult<Vec<TargetHealth>>> + Send;

    /// One page (at most 100) of a VPC Lattice target group's targets with their health.
    fn list_lattice_targets(
        &self,
        group: &str,
        next: Option<String>,
    ) -> impl Future<Output = ApiResult<Page<LatticeTarget>>> + Send;

    /// Listener rules (DescribeRules, at most [`DESCRIBE_RULES_BATCH`]): the groups each
    /// forwards to, with weights.
    fn describe_rules(
        &self,
        arns: &[String],
    ) -> impl Future<Output = ApiResult<Vec<ListenerRule>>> + Send;

    /// Listeners' default actions (DescribeListeners, at most [`DESCRIBE_RULES_BATCH`]), as
    /// rules named by the listener's ARN (an NLB's blue/green names a listener, not a rule).
    fn describe_listeners(
        &self,
        arns: &[String],
    ) -> impl Future<Output = ApiResult<Vec<ListenerRule>>> + Send;

    /// At most [`METRIC_QUERIES_BATCH`] queries; one page of answers.
    fn get_metric_data(
        &self,
        queries: &[MetricQuery],
        start: Time,
        end: Time,
        next: Option<String>,
    ) -> impl Future<Output = ApiResult<Page<MetricResult>>> + Send;

    fn filter_log_events(
        &self,
        query: &LogQuery,
    ) -> impl Future<Output = ApiResult<Page<LogLine>>> + Send;

    /// ACTIVE task definition ARNs of exactly this family, newest first (read-only; used to
    /// find a rollback target).
    fn list_task_definitions(
        &self,
        family: &str,
        next: Option<String>,
    ) -> impl Future<Output = ApiResult<Page<String>>> + Send;

    /// At most [`DESCRIBE_SERVICE_DEPLOYMENTS_BATCH`] service deployments.
    fn describe_service_deployments(
        &self,
        arns: &[String],
    ) -> impl Future<Output = ApiResult<Described<ServiceDeployment>>> + Send;

    /// Service revisions (at most [`DESCRIBE_SERVICE_DEPLOYMENTS_BATCH`]): each one's task
    /// definition and the target groups its resolved configuration runs behind.
    fn describe_service_revisions(
        &self,
        arns: &[String],
    ) -> impl Future<Output = ApiResult<Vec<RevisionDetail>>> + Send;

    /// One page of a service's deployment history (90 days), newest first.
    fn list_service_deployments(
        &self,
        cluster: &str,
        service: &str,
        next: Option<String>,
    ) -> impl Future<Output = ApiResult<Page<DeploymentBrief>>> + Send;

    /// One page of scalable targets (`ecs:service:DesiredCount`): of at most
    /// [`DESCRIBE_SCALABLE_TARGETS_BATCH`] services (`service/CLUSTER/SERVICE`; services
    /// without one are absent), or, with no ids, of the whole `ecs` namespace (50 a page).
    fn describe_scalable_targets(
        &self,
        resource_ids: &[String],
        next: Option<String>,
    ) -> impl Future<Output = ApiResult<Page<ScalableTarget>>> + Send;

    /// One page of one service's scaling policies.
    fn describe_scaling_policies(
        &self,
        resource_id: &str,
        next: Option<String>,
    ) -> impl Future<Output = ApiResult<Page<ScalingPolicy>>> + Send;

    /// One service's most recent scaling activities (one page of 50, newest first), with the
    /// activities that did not scale and why.
    fn describe_scaling_activities(
        &self,
        resource_id: &str,
    ) -> impl Future<Output = ApiResult<Vec<ScalingActivity>>> + Send;

    // Writes.

    /// StopServiceDeployment: roll the deployment back, or stop it where it is.
    fn stop_service_deployment(
        &self,
        arn: &str,
        stop: StopType,
    ) -> impl Future<Output = ApiResult<()>> + Send;

    /// ContinueServiceDeployment: answer a lifecycle hook that waits for an action.
    fn continue_service_deployment(
        &self,
        arn: &str,
        hook: &str,
        action: HookAction,
    ) -> impl Future<Output = ApiResult<()>> + Send;

    /// UpdateService: change the task definition, the desired count, or force a new deployment.
    fn update_service(
        &self,
        cluster: &str,
        service: &str,
        change: &ServiceChange,
    ) -> impl Future<Output = ApiResult<()>> + Send;

    /// StopTask with a reason ECS shows as the task's stopped reason.
    fn stop_task(
        &self,
        cluster: &str,
        task: &str,
        reason: &str,
    ) -> impl Future<Output = ApiResult<()>> + Send;
}
