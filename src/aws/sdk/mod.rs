//! The real implementation of [`AwsApi`] over the official AWS SDK crates.

mod cloudwatch;
mod deploy;
mod ecs;
mod elb;
mod express;
mod instances;
mod lattice;
mod logs;
mod scaling;
mod sts;

use super::{
    ApiError, ApiResult, AwsApi, AwsOptions, Described, ErrorKind, HookAction, LogQuery, Page,
    ServiceChange, StopType, load_sdk_config,
};
use crate::model::{
    CallerIdentity, ContainerInstance, DeploymentBrief, LatticeTarget, ListenerRule, LogLine,
    MetricQuery, MetricResult, RevisionDetail, ScalableTarget, ScalingActivity, ScalingPolicy,
    Service, ServiceDeployment, TargetGroup, TargetHealth, Task, TaskDefinition, Time,
};
use aws_sdk_ecs::error::{ProvideErrorMetadata, SdkError};
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_types::error::display::DisplayErrorContext;

/// Clients for the five services ecswatch reads.
#[derive(Clone, Debug)]
struct Clients {
    ecs: aws_sdk_ecs::Client,
    elb: aws_sdk_elasticloadbalancingv2::Client,
    cw: aws_sdk_cloudwatch::Client,
    logs: aws_sdk_cloudwatchlogs::Client,
    scaling: aws_sdk_applicationautoscaling::Client,
    lattice: aws_sdk_vpclattice::Client,
    sts: aws_sdk_sts::Client,
    /// The chain's credentials, for their expiry (None over mocked clients).
    credentials: Option<aws_credential_types::provider::SharedCredentialsProvider>,
}

impl Clients {
    fn from_config(config: &aws_config::SdkConfig) -> Self {
        Self {
            ecs: aws_sdk_ecs::Client::new(config),
            elb: aws_sdk_elasticloadbalancingv2::Client::new(config),
            cw: aws_sdk_cloudwatch::Client::new(config),
            logs: aws_sdk_cloudwatchlogs::Client::new(config),
            scaling: aws_sdk_applicationautoscaling::Client::new(config),
            lattice: aws_sdk_vpclattice::Client::new(config),
            sts: aws_sdk_sts::Client::new(config),
            credentials: config.credentials_provider(),
        }
    }
}

/// Credentials are reloaded from the chain at most this often while they keep failing.
const RELOAD_EVERY: std::time::Duration = std::time::Duration::from_secs(5);

/// The real AWS. When a call fails because of the credentials (expired, missing, rejected), the
/// whole configuration is loaded again from the standard chain — at most every
/// [`RELOAD_EVERY`] — so credentials renewed outside ecswatch (`aws sso login`, a rewritten
/// credentials file, a new role session) are picked up without a restart.
#[derive(Debug)]
pub struct SdkApi {
    clients: std::sync::RwLock<Clients>,
    region: String,
    /// How to load the configuration again (None: built over given clients, in tests).
    opts: Option<AwsOptions>,
    last_reload: std::sync::Mutex<Option<std::time::Instant>>,
}

impl SdkApi {
    pub async fn connect(opts: &AwsOptions) -> Self {
        let config = load_sdk_config(opts).await;
        Self {
            clients: std::sync::RwLock::new(Clients::from_config(&config)),
            region: config.region().map(|r| r.to_string()).unwrap_or_default(),
            opts: Some(opts.clone()),
            last_reload: std::sync::Mutex::new(None),
        }
    }

    /// Build over ready clients (tests give mocked ones).
    pub fn from_clients(
        ecs: aws_sdk_ecs::Client,
        elb: aws_sdk_elasticloadbalancingv2::Client,
        cw: aws_sdk_cloudwatch::Client,
        logs: aws_sdk_cloudwatchlogs::Client,
        scaling: aws_sdk_applicationautoscaling::Client,
        region: String,
    ) -> Self {
        Self {
            clients: std::sync::RwLock::new(Clients {
                ecs,
                elb,
                cw,
                logs,
                scaling,
                // tests that mock clients do not call VPC Lattice: a client with no credentials
                lattice: aws_sdk_vpclattice::Client::from_conf(
                    aws_sdk_vpclattice::Config::builder()
                        .behavior_version(aws_sdk_vpclattice::config::BehaviorVersion::latest())
                        .region(aws_sdk_vpclattice::config::Region::new(region.clone()))
                        .build(),
                ),
                sts: aws_sdk_sts::Client::from_conf(
                    aws_sdk_sts::Config::builder()
                        .behavior_version(aws_sdk_sts::config::BehaviorVersion::latest())
                        .region(aws_sdk_sts::config::Region::new(region.clone()))
                        .build(),
                ),
                credentials: None,
            }),
            region,
            opts: None,
            last_reload: std::sync::Mutex::new(None),
        }
    }

    fn clients(&self) -> Clients {
        self.clients
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone()
    }

    pub(crate) fn ecs(&self) -> aws_sdk_ecs::Client {
        self.clients().ecs
    }

    pub(crate) fn elb(&self) -> aws_sdk_elasticloadbalancingv2::Client {
        self.clients().elb
    }

    pub(crate) fn cw(&self) -> aws_sdk_cloudwatch::Client {
        self.clients().cw
    }

    pub(crate) fn logs(&self) -> aws_sdk_cloudwatchlogs::Client {
        self.clients().logs
    }

    pub(crate) fn scaling(&self) -> aws_sdk_applicationautoscaling::Client {
        self.clients().scaling
    }

    pub(crate) fn lattice(&self) -> aws_sdk_vpclattice::Client {
        self.clients().lattice
    }

    pub(crate) fn sts(&self) -> aws_sdk_sts::Client {
        self.clients().sts
    }

    /// Pass a result through; on a credentials failure, load the configuration again (rate
    /// limited) so the next call uses whatever the chain now provides.
    async fn checked<T>(&self, r: ApiResult<T>) -> ApiResult<T> {
        if let (Err(e), Some(opts)) = (&r, &self.opts)
            && e.kind.is_credentials()
        {
            let due = {
                let mut last = self
                    .last_reload
                    .lock()
                    .unwrap_or_else(|poisoned| poisoned.into_inner());
                let due = last.is_none_or(|t| t.elapsed() >= RELOAD_EVERY);
                if due {
                    *last = Some(std::time::Instant::now());
                }
                due
            };
            if due {
                let config = load_sdk_config(opts).await;
                *self
                    .clients
                    .write()
                    .unwrap_or_else(|poisoned| poisoned.into_inner()) =
                    Clients::from_config(&config);
            }
        }
        r
    }
}

/// Map any SDK error to an [`ApiError`], keeping the code, status and a sanitized message.
pub(crate) fn map_err<E>(operation: &'static str, err: SdkError<E, HttpResponse>) -> ApiError
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    match &err {
        SdkError::ServiceError(se) => {
            let e = se.err();
            let status = se.raw().status().as_u16();
            // Modeled errors name their type in Display ("ClusterNotFoundException: ...") even
            // when the metadata carries no code.
            let shown = e.to_string();
            let code = e.code().or_else(|| {
                let head = shown.split(':').next().unwrap_or_default();
                (!head.is_empty() && head.chars().all(|c| c.is_ascii_alphanumeric()))
                    .then_some(head)
            });
            ApiError::from_code(
                operation,
                code,
                Some(status),
                e.message().unwrap_or_default(),
            )
        }
        SdkError::TimeoutError(_) => ApiError::new(
            ErrorKind::Unreachable,
            operation,
            "timed out waiting for the endpoint",
        ),
        SdkError::ResponseError(_) => ApiError::new(
            ErrorKind::Server,
            operation,
            crate::sanitize::clean(&DisplayErrorContext(&err).to_string()),
        ),
        SdkError::DispatchFailure(_) => {
            // connect, DNS, TLS or I/O failure, or the credential chain failing before sending
            let text = crate::sanitize::clean(&DisplayErrorContext(&err).to_string());
            let kind = credential_kind(&text).unwrap_or(ErrorKind::Unreachable);
            ApiError::new(kind, operation, text)
        }
        _ => {
            let text = crate::sanitize::clean(&DisplayErrorContext(&err).to_string());
            let kind = credential_kind(&text).unwrap_or(ErrorKind::Other);
            ApiError::new(kind, operation, text)
        }
    }
}

/// Credential-chain failures surface as dispatch or construction failures; tell them apart by text.
fn credential_kind(text: &str) -> Option<ErrorKind> {
    let t = text.to_ascii_lowercase();
    if t.contains("expired")
        && (t.contains("token") || t.contains("sso") || t.contains("credential"))
    {
        Some(ErrorKind::ExpiredCredentials)
    } else if t.contains("no credentials")
        || t.contains("credentials provider")
        || t.contains("no providers in chain")
        || t.contains("failed to load credentials")
        || t.contains("identity")
    {
        Some(ErrorKind::NoCredentials)
    } else {
        None
    }
}

pub(crate) fn to_time(dt: &aws_smithy_types::DateTime) -> Option<Time> {
    chrono::DateTime::from_timestamp(dt.secs(), dt.subsec_nanos())
}

pub(crate) fn to_time_opt(dt: Option<&aws_smithy_types::DateTime>) -> Option<Time> {
    dt.and_then(to_time)
}

pub(crate) fn clean(s: Option<&str>) -> String {
    s.map(crate::sanitize::clean).unwrap_or_default()
}

impl AwsApi for SdkApi {
    fn region(&self) -> String {
        self.region.clone()
    }

    fn profile(&self) -> Option<String> {
        self.opts
            .as_ref()
            .and_then(|o| o.profile.clone())
            .or_else(|| std::env::var("AWS_PROFILE").ok())
            .filter(|p| !p.is_empty())
    }

    async fn caller_identity(&self) -> ApiResult<CallerIdentity> {
        self.checked(self.sts_caller_identity().await).await
    }

    async fn list_clusters(&self, next: Option<String>) -> ApiResult<Page<String>> {
        self.checked(self.ecs_list_clusters(next).await).await
    }

    async fn list_services(&self, cluster: &str, next: Option<String>) -> ApiResult<Page<String>> {
        self.checked(self.ecs_list_services(cluster, next).await)
            .await
    }

    async fn describe_services(
        &self,
        cluster: &str,
        services: &[String],
    ) -> ApiResult<Described<Service>> {
        self.checked(self.ecs_describe_services(cluster, services).await)
            .await
    }

    async fn container_insights(
        &self,
        clusters: &[String],
    ) -> ApiResult<Vec<(String, crate::model::Insights)>> {
        self.checked(self.ecs_container_insights(clusters).await)
            .await
    }

    async fn list_stopped_tasks(
        &self,
        cluster: &str,
        service: Option<&str>,
        next: Option<String>,
    ) -> ApiResult<Page<String>> {
        self.checked(self.ecs_list_stopped_tasks(cluster, service, next).await)
            .await
    }

    async fn list_running_tasks(
        &self,
        cluster: &str,
        service: Option<&str>,
        next: Option<String>,
    ) -> ApiResult<Page<String>> {
        self.checked(self.ecs_list_running_tasks(cluster, service, next).await)
            .await
    }

    async fn describe_tasks(&self, cluster: &str, tasks: &[String]) -> ApiResult<Described<Task>> {
        self.checked(self.ecs_describe_tasks(cluster, tasks).await)
            .await
    }

    async fn describe_container_instances(
        &self,
        cluster: &str,
        arns: &[String],
    ) -> ApiResult<Described<ContainerInstance>> {
        self.checked(self.ecs_describe_container_instances(cluster, arns).await)
            .await
    }

    async fn describe_task_definition(&self, arn: &str) -> ApiResult<TaskDefinition> {
        self.checked(self.ecs_describe_task_definition(arn).await)
            .await
    }

    async fn describe_target_groups(&self, arns: &[String]) -> ApiResult<Vec<TargetGroup>> {
        self.checked(self.elb_describe_target_groups(arns).await)
            .await
    }

    async fn deregistration_delay(&self, arn: &str) -> ApiResult<Option<i64>> {
        self.checked(self.elb_deregistration_delay(arn).await).await
    }

    async fn describe_target_health(&self, arn: &str) -> ApiResult<Vec<TargetHealth>> {
        self.checked(self.elb_describe_target_health(arn).await)
            .await
    }

    async fn list_lattice_targets(
        &self,
        group: &str,
        next: Option<String>,
    ) -> ApiResult<Page<LatticeTarget>> {
        self.checked(self.lattice_list_targets(group, next).await)
            .await
    }

    async fn describe_rules(&self, arns: &[String]) -> ApiResult<Vec<ListenerRule>> {
        self.checked(self.elb_describe_rules(arns).await).await
    }

    async fn describe_listeners(&self, arns: &[String]) -> ApiResult<Vec<ListenerRule>> {
        self.checked(self.elb_describe_listeners(arns).await).await
    }

    async fn get_metric_data(
        &self,
        queries: &[MetricQuery],
        start: Time,
        end: Time,
        next: Option<String>,
    ) -> ApiResult<Page<MetricResult>> {
        self.checked(self.cw_get_metric_data(queries, start, end, next).await)
            .await
    }

    async fn filter_log_events(&self, query: &LogQuery) -> ApiResult<Page<LogLine>> {
        self.checked(self.logs_filter_log_events(query).await).await
    }

    async fn list_task_definitions(
        &self,
        family: &str,
        next: Option<String>,
    ) -> ApiResult<Page<String>> {
        self.checked(self.ecs_list_task_definitions(family, next).await)
            .await
    }

    async fn update_service(
        &self,
        cluster: &str,
        service: &str,
        change: &ServiceChange,
    ) -> ApiResult<()> {
        self.checked(self.ecs_update_service(cluster, service, change).await)
            .await
    }

    async fn stop_task(&self, cluster: &str, task: &str, reason: &str) -> ApiResult<()> {
        self.checked(self.ecs_stop_task(cluster, task, reason).await)
            .await
    }

    async fn describe_service_deployments(
        &self,
        arns: &[String],
    ) -> ApiResult<Described<ServiceDeployment>> {
        self.checked(self.ecs_describe_service_deployments(arns).await)
            .await
    }

    async fn describe_service_revisions(&self, arns: &[String]) -> ApiResult<Vec<RevisionDetail>> {
        self.checked(self.ecs_describe_service_revisions(arns).await)
            .await
    }

    async fn list_service_deployments(
        &self,
        cluster: &str,
        service: &str,
        next: Option<String>,
    ) -> ApiResult<Page<DeploymentBrief>> {
        self.checked(
            self.ecs_list_service_deployments(cluster, service, next)
                .await,
        )
        .await
    }

    async fn describe_scalable_targets(
        &self,
        resource_ids: &[String],
        next: Option<String>,
    ) -> ApiResult<Page<ScalableTarget>> {
        self.checked(self.scaling_describe_targets(resource_ids, next).await)
            .await
    }

    async fn describe_scaling_policies(
        &self,
        resource_id: &str,
        next: Option<String>,
    ) -> ApiResult<Page<ScalingPolicy>> {
        self.checked(self.scaling_describe_policies(resource_id, next).await)
            .await
    }

    async fn describe_scaling_activities(
        &self,
        resource_id: &str,
    ) -> ApiResult<Vec<ScalingActivity>> {
        self.checked(self.scaling_describe_activities(resource_id).await)
            .await
    }

    async fn stop_service_deployment(&self, arn: &str, stop: StopType) -> ApiResult<()> {
        self.checked(self.ecs_stop_service_deployment(arn, stop).await)
            .await
    }

    async fn continue_service_deployment(
        &self,
        arn: &str,
        hook: &str,
        action: HookAction,
    ) -> ApiResult<()> {
        self.checked(
            self.ecs_continue_service_deployment(arn, hook, action)
                .await,
        )
        .await
    }
}
