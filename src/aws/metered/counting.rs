//! A wrapper that counts calls per operation (the `--stats` figures and the batching tests) and
//! holds every read to the account's budget (`budget.rs`).

use super::budget::{Budget, Quota};
use crate::aws::{
    ApiResult, AwsApi, Described, HookAction, LogQuery, Page, ServiceChange, StopType,
};
use crate::model::{
    CallerIdentity, ContainerInstance, DeploymentBrief, LatticeTarget, ListenerRule, LogLine,
    MetricQuery, MetricResult, RevisionDetail, ScalableTarget, ScalingActivity, ScalingPolicy,
    Service, ServiceDeployment, TargetGroup, TargetHealth, Task, TaskDefinition, Time,
};
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

/// Calls made, by operation name.
#[derive(Debug, Clone, Default)]
pub struct CallCounts(Arc<Mutex<BTreeMap<&'static str, u64>>>);

impl CallCounts {
    fn add(&self, op: &'static str) {
        if let Ok(mut m) = self.0.lock() {
            *m.entry(op).or_default() += 1;
        }
    }

    pub fn get(&self, op: &str) -> u64 {
        self.0
            .lock()
            .map(|m| m.get(op).copied().unwrap_or(0))
            .unwrap_or(0)
    }

    pub fn snapshot(&self) -> BTreeMap<&'static str, u64> {
        self.0.lock().map(|m| m.clone()).unwrap_or_default()
    }

    pub fn total(&self) -> u64 {
        self.snapshot().values().sum()
    }

    /// A table of calls by operation over `elapsed`, for `--stats`.
    pub fn report(&self, elapsed: std::time::Duration) -> String {
        let minutes = elapsed.as_secs_f64() / 60.0;
        let mut out = format!("AWS calls in {:.1} s:\n", elapsed.as_secs_f64());
        for (op, n) in self.snapshot() {
            // a rate over less than a minute says nothing
            let rate = if minutes >= 1.0 {
                format!("  {:>8.1}/min", n as f64 / minutes)
            } else {
                String::new()
            };
            out.push_str(&format!("  {op:<32} {n:>7}{rate}\n"));
        }
        out.push_str(&format!("  {:<32} {:>7}\n", "total", self.total()));
        out
    }
}

/// Any [`AwsApi`], counting each call and drawing it from the account's [`Budget`]: the one
/// place where ecswatch's share of the shared quotas is enforced.
pub struct Counted<A> {
    inner: A,
    counts: CallCounts,
    budget: Arc<Budget>,
}

impl<A> Counted<A> {
    /// Counted, never held back (request-shape tests, one-off commands).
    pub fn new(inner: A) -> Self {
        Self::budgeted(inner, Arc::new(Budget::unlimited()))
    }

    /// Counted, and every read held to the budget.
    pub fn budgeted(inner: A, budget: Arc<Budget>) -> Self {
        Self {
            inner,
            counts: CallCounts::default(),
            budget,
        }
    }

    pub fn counts(&self) -> CallCounts {
        self.counts.clone()
    }

    pub fn budget(&self) -> Arc<Budget> {
        self.budget.clone()
    }

    /// Wait for the call's quota, count it, make it; note a throttled answer (the budget backs
    /// off). A read is tried again, up to [`ATTEMPTS`] in all, when it was throttled (after the
    /// budget's wait at its lowered rate) or the endpoint failed (after a short pause): each
    /// attempt is drawn from the budget and counted, as AWS counts it. The SDK makes one attempt
    /// per call (`aws::config`), so every throttled answer reaches the budget. A write is tried
    /// again only when it was throttled (AWS refused it, nothing changed).
    async fn call<T, F, Fut>(&self, op: &'static str, metrics: u32, f: F) -> ApiResult<T>
    where
        F: Fn() -> Fut,
        Fut: std::future::Future<Output = ApiResult<T>>,
    {
        let quota = Quota::of(op);
        let mut attempt = 1;
        loop {
            if let Some(q) = quota {
                self.budget.acquire(q, metrics).await;
            }
            self.counts.add(op);
            let r = f().await;
            let Err(e) = &r else {
                return r;
            };
            let again = match e.kind {
                crate::aws::ErrorKind::Throttled => {
                    if let Some(q) = quota {
                        self.budget.throttled(q);
                    }
                    true
                }
                crate::aws::ErrorKind::Unreachable | crate::aws::ErrorKind::Server => {
                    quota.is_some()
                }
                _ => false,
            };
            if !again || attempt >= ATTEMPTS {
                return r;
            }
            // a throttled read waits in the budget (its rate just fell); the rest pause here
            if e.kind != crate::aws::ErrorKind::Throttled || quota.is_none() {
                tokio::time::sleep(retry_pause(attempt)).await;
            }
            attempt += 1;
        }
    }
}

/// Attempts per call (as many as the SDK's standard retry made).
pub const ATTEMPTS: u32 = 3;

/// The pause before attempt `n + 1` after an endpoint failure: 200 ms, 400 ms, with jitter.
fn retry_pause(n: u32) -> std::time::Duration {
    let base = 200u64 << (n - 1).min(4);
    let jitter = u64::from(std::process::id().wrapping_mul(2654435761) % 100);
    std::time::Duration::from_millis(base + jitter)
}

impl<A: AwsApi> AwsApi for Counted<A> {
    fn region(&self) -> String {
        self.inner.region()
    }
    fn profile(&self) -> Option<String> {
        self.inner.profile()
    }
    async fn caller_identity(&self) -> ApiResult<CallerIdentity> {
        self.call("GetCallerIdentity", 0, || self.inner.caller_identity())
            .await
    }
    async fn list_clusters(&self, next: Option<String>) -> ApiResult<Page<String>> {
        self.call("ListClusters", 0, || self.inner.list_clusters(next.clone()))
            .await
    }
    async fn container_insights(
        &self,
        clusters: &[String],
    ) -> ApiResult<Vec<(String, crate::model::Insights)>> {
        self.call("DescribeClusters", 0, || {
            self.inner.container_insights(clusters)
        })
        .await
    }
    async fn list_services(&self, cluster: &str, next: Option<String>) -> ApiResult<Page<String>> {
        self.call("ListServices", 0, || {
            self.inner.list_services(cluster, next.clone())
        })
        .await
    }
    async fn describe_services(
        &self,
        cluster: &str,
        services: &[String],
    ) -> ApiResult<Described<Service>> {
        self.call("DescribeServices", 0, || {
            self.inner.describe_services(cluster, services)
        })
        .await
    }
    async fn list_stopped_tasks(
        &self,
        cluster: &str,
        service: Option<&str>,
        next: Option<String>,
    ) -> ApiResult<Page<String>> {
        self.call("ListTasks", 0, || {
            self.inner
                .list_stopped_tasks(cluster, service, next.clone())
        })
        .await
    }
    async fn list_running_tasks(
        &self,
        cluster: &str,
        service: Option<&str>,
        next: Option<String>,
    ) -> ApiResult<Page<String>> {
        self.call("ListTasks", 0, || {
            self.inner
                .list_running_tasks(cluster, service, next.clone())
        })
        .await
    }
    async fn describe_container_instances(
        &self,
        cluster: &str,
        arns: &[String],
    ) -> ApiResult<Described<ContainerInstance>> {
        self.call("DescribeContainerInstances", 0, || {
            self.inner.describe_container_instances(cluster, arns)
        })
        .await
    }
    async fn describe_tasks(&self, cluster: &str, tasks: &[String]) -> ApiResult<Described<Task>> {
        self.call("DescribeTasks", 0, || {
            self.inner.describe_tasks(cluster, tasks)
        })
        .await
    }
    async fn describe_scalable_targets(
        &self,
        resource_ids: &[String],
        next: Option<String>,
    ) -> ApiResult<Page<ScalableTarget>> {
        self.call("DescribeScalableTargets", 0, || {
            self.inner
                .describe_scalable_targets(resource_ids, next.clone())
        })
        .await
    }
    async fn describe_scaling_policies(
        &self,
        resource_id: &str,
        next: Option<String>,
    ) -> ApiResult<Page<ScalingPolicy>> {
        self.call("DescribeScalingPolicies", 0, || {
            self.inner
                .describe_scaling_policies(resource_id, next.clone())
        })
        .await
    }
    async fn describe_scaling_activities(
        &self,
        resource_id: &str,
    ) -> ApiResult<Vec<ScalingActivity>> {
        self.call("DescribeScalingActivities", 0, || {
            self.inner.describe_scaling_activities(resource_id)
        })
        .await
    }
    async fn describe_task_definition(&self, arn: &str) -> ApiResult<TaskDefinition> {
        self.call("DescribeTaskDefinition", 0, || {
            self.inner.describe_task_definition(arn)
        })
        .await
    }
    async fn describe_target_groups(&self, arns: &[String]) -> ApiResult<Vec<TargetGroup>> {
        self.call("DescribeTargetGroups", 0, || {
            self.inner.describe_target_groups(arns)
        })
        .await
    }
    async fn deregistration_delay(&self, arn: &str) -> ApiResult<Option<i64>> {
        self.call("DescribeTargetGroupAttributes", 0, || {
            self.inner.deregistration_delay(arn)
        })
        .await
    }
    async fn describe_target_health(&self, arn: &str) -> ApiResult<Vec<TargetHealth>> {
        self.call("DescribeTargetHealth", 0, || {
            self.inner.describe_target_health(arn)
        })
        .await
    }
    async fn list_lattice_targets(
        &self,
        group: &str,
        next: Option<String>,
    ) -> ApiResult<Page<LatticeTarget>> {
        self.call("ListTargets", 0, || {
            self.inner.list_lattice_targets(group, next.clone())
        })
        .await
    }
    async fn describe_rules(&self, arns: &[String]) -> ApiResult<Vec<ListenerRule>> {
        self.call("DescribeRules", 0, || self.inner.describe_rules(arns))
            .await
    }
    async fn describe_listeners(&self, arns: &[String]) -> ApiResult<Vec<ListenerRule>> {
        self.call("DescribeListeners", 0, || {
            self.inner.describe_listeners(arns)
        })
        .await
    }
    async fn get_metric_data(
        &self,
        queries: &[MetricQuery],
        start: Time,
        end: Time,
        next: Option<String>,
    ) -> ApiResult<Page<MetricResult>> {
        let n = u32::try_from(queries.len()).unwrap_or(u32::MAX);
        self.call("GetMetricData", n, || {
            self.inner
                .get_metric_data(queries, start, end, next.clone())
        })
        .await
    }
    async fn filter_log_events(&self, query: &LogQuery) -> ApiResult<Page<LogLine>> {
        self.call("FilterLogEvents", 0, || self.inner.filter_log_events(query))
            .await
    }
    async fn list_task_definitions(
        &self,
        family: &str,
        next: Option<String>,
    ) -> ApiResult<Page<String>> {
        self.call("ListTaskDefinitions", 0, || {
            self.inner.list_task_definitions(family, next.clone())
        })
        .await
    }
    async fn update_service(
        &self,
        cluster: &str,
        service: &str,
        change: &ServiceChange,
    ) -> ApiResult<()> {
        self.call("UpdateService", 0, || {
            self.inner.update_service(cluster, service, change)
        })
        .await
    }
    async fn stop_task(&self, cluster: &str, task: &str, reason: &str) -> ApiResult<()> {
        self.call("StopTask", 0, || {
            self.inner.stop_task(cluster, task, reason)
        })
        .await
    }
    async fn describe_service_deployments(
        &self,
        arns: &[String],
    ) -> ApiResult<Described<ServiceDeployment>> {
        self.call("DescribeServiceDeployments", 0, || {
            self.inner.describe_service_deployments(arns)
        })
        .await
    }
    async fn describe_service_revisions(&self, arns: &[String]) -> ApiResult<Vec<RevisionDetail>> {
        self.call("DescribeServiceRevisions", 0, || {
            self.inner.describe_service_revisions(arns)
        })
        .await
    }
    async fn list_service_deployments(
        &self,
        cluster: &str,
        service: &str,
        next: Option<String>,
    ) -> ApiResult<Page<DeploymentBrief>> {
        self.call("ListServiceDeployments", 0, || {
            self.inner
                .list_service_deployments(cluster, service, next.clone())
        })
        .await
    }
    async fn stop_service_deployment(&self, arn: &str, stop: StopType) -> ApiResult<()> {
        self.call("StopServiceDeployment", 0, || {
            self.inner.stop_service_deployment(arn, stop)
        })
        .await
    }
    async fn continue_service_deployment(
        &self,
        arn: &str,
        hook: &str,
        action: HookAction,
    ) -> ApiResult<()> {
        self.call("ContinueServiceDeployment", 0, || {
            self.inner.continue_service_deployment(arn, hook, action)
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn report_rates_only_over_a_minute() {
        let c = CallCounts::default();
        c.add("DescribeServices");
        c.add("DescribeServices");
        let short = c.report(std::time::Duration::from_secs(5));
        assert!(
            short.contains("DescribeServices                       2\n"),
            "{short}"
        );
        assert!(!short.contains("/min"));
        let long = c.report(std::time::Duration::from_secs(120));
        assert!(long.contains("1.0/min"), "{long}");
    }
}
