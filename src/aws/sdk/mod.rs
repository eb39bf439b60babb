//! The real implementation of [`AwsApi`] over the official AWS SDK crates.

mod cloudwatch;
mod ecs;
mod elb;
mod logs;

use super::{
    ApiError, ApiResult, AwsApi, AwsOptions, Described, ErrorKind, LogQuery, Page, ServiceChange,
    load_sdk_config,
};
use crate::model::{
    LogLine, MetricQuery, MetricResult, Service, StoppedTask, TargetGroup, TargetHealth,
    TaskDefinition, Time,
};
use aws_sdk_ecs::error::{ProvideErrorMetadata, SdkError};
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_types::error::display::DisplayErrorContext;

/// Clients for the four services ecswatch reads.
#[derive(Clone, Debug)]
pub struct SdkApi {
    ecs: aws_sdk_ecs::Client,
    elb: aws_sdk_elasticloadbalancingv2::Client,
    cw: aws_sdk_cloudwatch::Client,
    logs: aws_sdk_cloudwatchlogs::Client,
    region: String,
}

impl SdkApi {
    pub async fn connect(opts: &AwsOptions) -> Self {
        let config = load_sdk_config(opts).await;
        Self::from_clients(
            aws_sdk_ecs::Client::new(&config),
            aws_sdk_elasticloadbalancingv2::Client::new(&config),
            aws_sdk_cloudwatch::Client::new(&config),
            aws_sdk_cloudwatchlogs::Client::new(&config),
            config.region().map(|r| r.to_string()).unwrap_or_default(),
        )
    }

    /// Build over ready clients (tests give mocked ones).
    pub fn from_clients(
        ecs: aws_sdk_ecs::Client,
        elb: aws_sdk_elasticloadbalancingv2::Client,
        cw: aws_sdk_cloudwatch::Client,
        logs: aws_sdk_cloudwatchlogs::Client,
        region: String,
    ) -> Self {
        Self {
            ecs,
            elb,
            cw,
            logs,
            region,
        }
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

    async fn list_clusters(&self, next: Option<String>) -> ApiResult<Page<String>> {
        self.ecs_list_clusters(next).await
    }

    async fn list_services(&self, cluster: &str, next: Option<String>) -> ApiResult<Page<String>> {
        self.ecs_list_services(cluster, next).await
    }

    async fn describe_services(
        &self,
        cluster: &str,
        services: &[String],
    ) -> ApiResult<Described<Service>> {
        self.ecs_describe_services(cluster, services).await
    }

    async fn list_stopped_tasks(
        &self,
        cluster: &str,
        service: &str,
        next: Option<String>,
    ) -> ApiResult<Page<String>> {
        self.ecs_list_stopped_tasks(cluster, service, next).await
    }

    async fn describe_tasks(
        &self,
        cluster: &str,
        tasks: &[String],
    ) -> ApiResult<Described<StoppedTask>> {
        self.ecs_describe_tasks(cluster, tasks).await
    }

    async fn describe_task_definition(&self, arn: &str) -> ApiResult<TaskDefinition> {
        self.ecs_describe_task_definition(arn).await
    }

    async fn describe_target_groups(&self, arns: &[String]) -> ApiResult<Vec<TargetGroup>> {
        self.elb_describe_target_groups(arns).await
    }

    async fn deregistration_delay(&self, arn: &str) -> ApiResult<Option<i64>> {
        self.elb_deregistration_delay(arn).await
    }

    async fn describe_target_health(&self, arn: &str) -> ApiResult<Vec<TargetHealth>> {
        self.elb_describe_target_health(arn).await
    }

    async fn get_metric_data(
        &self,
        queries: &[MetricQuery],
        start: Time,
        end: Time,
        next: Option<String>,
    ) -> ApiResult<Page<MetricResult>> {
        self.cw_get_metric_data(queries, start, end, next).await
    }

    async fn filter_log_events(&self, query: &LogQuery) -> ApiResult<Page<LogLine>> {
        self.logs_filter_log_events(query).await
    }

    async fn list_task_definitions(
        &self,
        family: &str,
        next: Option<String>,
    ) -> ApiResult<Page<String>> {
        self.ecs_list_task_definitions(family, next).await
    }

    async fn update_service(
        &self,
        cluster: &str,
        service: &str,
        change: &ServiceChange,
    ) -> ApiResult<()> {
        self.ecs_update_service(cluster, service, change).await
    }

    async fn stop_task(&self, cluster: &str, task: &str, reason: &str) -> ApiResult<()> {
        self.ecs_stop_task(cluster, task, reason).await
    }
}
