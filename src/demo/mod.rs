//! The embedded simulated incident behind `--demo`: no AWS account needed.
//!
//! Cluster `prod`. `checkout-api` is deploying revision 42, whose image tag does not exist:
//! every 30 s a task fails with CannotPullContainerError, the circuit breaker trips at the third
//! failure, and ECS rolls back to revision 41. Beside it `payments-api` is healthy. The world is
//! a pure function of time since the deploy started, so it evolves while you watch and tests can
//! look at any instant.

mod bluegreen;
mod canary;
mod gpu;
mod inventory;
mod scaling;
mod world;

use crate::aws::{
    ApiError, ApiResult, AwsApi, Described, ErrorKind, HookAction, LogQuery, Page, ServiceChange,
    StopType,
};
use crate::model::{
    CallerIdentity, DeploymentBrief, LatticeTarget, ListenerRule, LogLine, MetricQuery,
    MetricResult, RevisionDetail, ScalableTarget, ScalingActivity, ScalingPolicy, Service,
    ServiceDeployment, TargetGroup, TargetHealth, Task, TaskDefinition, Time,
};
pub use canary::{ALARM_AT_S, CANARY_AT_S, ROLLED_BACK_S};
use std::sync::Arc;
pub use world::{DEMO_CLUSTER, ROLLBACK_DONE_S, START_AT_S, TRIP_AT_S, World};

type Clock = Arc<dyn Fn() -> Time + Send + Sync>;

/// The simulated incident as an [`AwsApi`].
#[derive(Clone)]
pub struct DemoApi {
    /// When the failing deployment started.
    origin: Time,
    clock: Clock,
}

impl DemoApi {
    /// Live: the deploy started [`START_AT_S`] seconds ago and time runs with the wall clock.
    pub fn live() -> Self {
        let now = chrono::Utc::now();
        Self {
            origin: now - chrono::Duration::seconds(START_AT_S),
            clock: Arc::new(chrono::Utc::now),
        }
    }

    /// At a fixed instant: `at_s` seconds after the deploy started (tests).
    pub fn frozen(origin: Time, at_s: i64) -> Self {
        let now = origin + chrono::Duration::seconds(at_s);
        Self {
            origin,
            clock: Arc::new(move || now),
        }
    }

    pub fn with_clock(origin: Time, clock: impl Fn() -> Time + Send + Sync + 'static) -> Self {
        Self {
            origin,
            clock: Arc::new(clock),
        }
    }

    pub fn world(&self) -> World {
        World::at(self.origin, (self.clock)())
    }
}

fn page<T: Clone>(items: &[T], next: Option<String>, size: usize) -> Page<T> {
    let start: usize = next.and_then(|n| n.parse().ok()).unwrap_or(0);
    let end = (start + size).min(items.len());
    Page {
        items: items.get(start..end).unwrap_or_default().to_vec(),
        next: (end < items.len()).then(|| end.to_string()),
    }
}

fn not_found(op: &'static str, what: &str) -> ApiError {
    ApiError::new(
        ErrorKind::NotFound,
        op,
        format!("{what} not found in the demo"),
    )
}

impl AwsApi for DemoApi {
    fn region(&self) -> String {
        world::REGION.to_string()
    }

    async fn caller_identity(&self) -> ApiResult<CallerIdentity> {
        // the demo's on-call engineer, on an SSO session with an hour left
        Ok(CallerIdentity {
            account: world::ACCOUNT.into(),
            arn: format!(
                "arn:aws:sts::{}:assumed-role/AWSReservedSSO_OnCall/demo",
                world::ACCOUNT
            ),
            expires: Some((self.clock)() + chrono::Duration::hours(1)),
        })
    }

    async fn list_clusters(&self, next: Option<String>) -> ApiResult<Page<String>> {
        Ok(page(&[world::cluster_arn()], next, 100))
    }

    async fn list_services(&self, cluster: &str, next: Option<String>) -> ApiResult<Page<String>> {
        let w = self.world();
        if !w.has_cluster(cluster) {
            return Err(ApiError::new(
                ErrorKind::NotFound,
                "ecs:ListServices",
                "ClusterNotFoundException",
            ));
        }
        let arns: Vec<String> = w.services.iter().map(|s| s.arn.clone()).collect();
        Ok(page(&arns, next, 100))
    }

    async fn describe_services(
        &self,
        cluster: &str,
        services: &[String],
    ) -> ApiResult<Described<Service>> {
        let w = self.world();
        let mut out = Described::default();
        for name in services {
            match w
                .services
                .iter()
                .find(|s| w.has_cluster(cluster) && (&s.arn == name || &s.name == name))
            {
                Some(s) => out.found.push(s.clone()),
                None => out.failures.push((name.clone(), "MISSING".into())),
            }
        }
        Ok(out)
    }

    async fn container_insights(
        &self,
        clusters: &[String],
    ) -> ApiResult<Vec<(String, crate::model::Insights)>> {
        let w = self.world();
        Ok(clusters
            .iter()
            .filter(|c| w.has_cluster(c))
            .map(|c| (crate::model::short_name(c).to_string(), w.insights(c)))
            .collect())
    }

    async fn list_running_tasks(
        &self,
        cluster: &str,
        service: Option<&str>,
        _next: Option<String>,
    ) -> ApiResult<Page<String>> {
        let w = self.world();
        let service = service.map(crate::model::short_name);
        Ok(Page {
            items: w
                .running
                .iter()
                .filter(|t| {
                    w.has_cluster(cluster) && service.is_none_or(|s| t.service_name() == Some(s))
                })
                .map(|t| t.arn.clone())
                .collect(),
            next: None,
        })
    }

    async fn list_stopped_tasks(
        &self,
        cluster: &str,
        service: Option<&str>,
        next: Option<String>,
    ) -> ApiResult<Page<String>> {
        let w = self.world();
        let arns: Vec<String> = w
            .stopped
            .iter()
            .filter(|t| {
                w.has_cluster(cluster) && service.is_none_or(|s| t.service_name() == Some(s))
            })
            .map(|t| t.arn.clone())
            .collect();
        Ok(page(&arns, next, 100))
    }

    async fn describe_container_instances(
        &self,
        _cluster: &str,
        arns: &[String],
    ) -> ApiResult<Described<crate::model::ContainerInstance>> {
        let w = self.world();
        let mut out = Described::default();
        for arn in arns {
            match w.instances.iter().find(|i| &i.arn == arn) {
                Some(i) => out.found.push(i.clone()),
                None => out.failures.push((arn.clone(), "MISSING".into())),
            }
        }
        Ok(out)
    }

    async fn describe_tasks(&self, _cluster: &str, tasks: &[String]) -> ApiResult<Described<Task>> {
        let w = self.world();
        let mut out = Described::default();
        for arn in tasks {
            // DescribeTasks takes ids as well as ARNs
            match w
                .stopped
                .iter()
                .chain(&w.running)
                .find(|t| &t.arn == arn || crate::model::task_id(&t.arn) == arn)
            {
                Some(t) => out.found.push(t.clone()),
                None => out.failures.push((arn.clone(), "MISSING".into())),
            }
        }
        Ok(out)
    }

    async fn describe_task_definition(&self, arn: &str) -> ApiResult<TaskDefinition> {
        world::task_definitions()
            .into_iter()
            .find(|td| td.arn == arn || td.arn.ends_with(&format!("/{arn}")))
            .ok_or_else(|| not_found("ecs:DescribeTaskDefinition", arn))
    }

    async fn describe_target_groups(&self, arns: &[String]) -> ApiResult<Vec<TargetGroup>> {
        Ok(world::target_groups()
            .into_iter()
            .filter(|g| arns.contains(&g.arn))
            .collect())
    }

    async fn deregistration_delay(&self, arn: &str) -> ApiResult<Option<i64>> {
        world::target_groups()
            .into_iter()
            .find(|g| g.arn == arn)
            .map(|g| g.deregistration_delay_s)
            .ok_or_else(|| not_found("elasticloadbalancing:DescribeTargetGroupAttributes", arn))
    }

    async fn describe_target_health(&self, arn: &str) -> ApiResult<Vec<TargetHealth>> {
        let w = self.world();
        w.targets
            .iter()
            .find(|(a, _)| a == arn)
            .map(|(_, t)| t.clone())
            .ok_or_else(|| not_found("elasticloadbalancing:DescribeTargetHealth", arn))
    }

    async fn list_lattice_targets(
        &self,
        group: &str,
        _next: Option<String>,
    ) -> ApiResult<Page<LatticeTarget>> {
        if group == inventory::LATTICE_GROUP {
            Ok(Page {
                items: inventory::lattice_targets(),
                next: None,
            })
        } else {
            Err(not_found("vpc-lattice:ListTargets", group))
        }
    }

    async fn describe_rules(&self, arns: &[String]) -> ApiResult<Vec<ListenerRule>> {
        Ok(self
            .world()
            .rules
            .into_iter()
            .filter(|r| arns.contains(&r.arn))
            .collect())
    }

    async fn describe_listeners(&self, arns: &[String]) -> ApiResult<Vec<ListenerRule>> {
        self.describe_rules(arns).await
    }

    async fn get_metric_data(
        &self,
        queries: &[MetricQuery],
        start: Time,
        end: Time,
        _next: Option<String>,
    ) -> ApiResult<Page<MetricResult>> {
        let w = self.world();
        Ok(Page {
            items: queries.iter().map(|q| w.metric(q, start, end)).collect(),
            next: None,
        })
    }

    async fn filter_log_events(&self, q: &LogQuery) -> ApiResult<Page<LogLine>> {
        let w = self.world();
        let lines: Vec<LogLine> = w
            .logs(&q.group, q.start)
            .into_iter()
            .filter(|l| {
                q.stream_prefix
                    .as_deref()
                    .is_none_or(|p| l.stream.starts_with(p))
                    && q.end.is_none_or(|e| l.t < e)
            })
            .collect();
        Ok(page(&lines, q.next.clone(), q.limit.max(1) as usize))
    }

    async fn list_task_definitions(
        &self,
        family: &str,
        next: Option<String>,
    ) -> ApiResult<Page<String>> {
        let mut arns: Vec<(i32, String)> = world::task_definitions()
            .into_iter()
            .filter(|td| td.family == family)
            .map(|td| (td.revision, td.arn))
            .collect();
        arns.sort_by_key(|a| std::cmp::Reverse(a.0));
        let arns: Vec<String> = arns.into_iter().map(|(_, a)| a).collect();
        Ok(page(&arns, next, 100))
    }

    /// The demo accepts writes and changes nothing: its incident is a function of time.
    async fn update_service(
        &self,
        cluster: &str,
        service: &str,
        _change: &ServiceChange,
    ) -> ApiResult<()> {
        let w = self.world();
        if !w.has_cluster(cluster) || !w.services.iter().any(|s| s.name == service) {
            return Err(not_found("ecs:UpdateService", service));
        }
        Ok(())
    }

    async fn stop_task(&self, cluster: &str, task: &str, _reason: &str) -> ApiResult<()> {
        if !self.world().has_cluster(cluster) {
            return Err(not_found("ecs:StopTask", task));
        }
        Ok(())
    }

    async fn describe_service_deployments(
        &self,
        arns: &[String],
    ) -> ApiResult<Described<ServiceDeployment>> {
        let w = self.world();
        let mut out = Described::default();
        for arn in arns {
            match w.service_deployments.iter().find(|d| &d.arn == arn) {
                Some(d) => out.found.push(d.clone()),
                None => out.failures.push((arn.clone(), "MISSING".into())),
            }
        }
        Ok(out)
    }

    async fn describe_service_revisions(&self, arns: &[String]) -> ApiResult<Vec<RevisionDetail>> {
        Ok(world::revisions()
            .into_iter()
            .filter(|r| arns.contains(&r.arn))
            .collect())
    }

    async fn describe_scalable_targets(
        &self,
        resource_ids: &[String],
        _next: Option<String>,
    ) -> ApiResult<Page<ScalableTarget>> {
        let w = self.world();
        let items = if resource_ids.is_empty() {
            w.services
                .iter()
                .filter_map(|s| w.scaling(&s.name).target)
                .collect()
        } else {
            resource_ids
                .iter()
                .filter_map(|id| w.scaling(crate::model::short_name(id)).target)
                .filter(|t| resource_ids.contains(&t.resource_id))
                .collect()
        };
        Ok(Page { items, next: None })
    }

    async fn describe_scaling_policies(
        &self,
        resource_id: &str,
        _next: Option<String>,
    ) -> ApiResult<Page<ScalingPolicy>> {
        Ok(Page {
            items: self
                .world()
                .scaling(crate::model::short_name(resource_id))
                .policies,
            next: None,
        })
    }

    async fn describe_scaling_activities(
        &self,
        resource_id: &str,
    ) -> ApiResult<Vec<ScalingActivity>> {
        Ok(self
            .world()
            .scaling(crate::model::short_name(resource_id))
            .activities)
    }

    async fn list_service_deployments(
        &self,
        cluster: &str,
        service: &str,
        next: Option<String>,
    ) -> ApiResult<Page<DeploymentBrief>> {
        let w = self.world();
        let items = if w.has_cluster(cluster) && crate::model::short_name(service) == canary::SEARCH
        {
            canary::history(w.origin, w.t)
        } else {
            Vec::new()
        };
        Ok(page(&items, next, 100))
    }

    /// Accepted and changes nothing, as the other writes.
    async fn stop_service_deployment(&self, arn: &str, _stop: StopType) -> ApiResult<()> {
        if !self
            .world()
            .service_deployments
            .iter()
            .any(|d| d.arn == arn)
        {
            return Err(not_found("ecs:StopServiceDeployment", arn));
        }
        Ok(())
    }

    async fn continue_service_deployment(
        &self,
        arn: &str,
        _hook: &str,
        _action: HookAction,
    ) -> ApiResult<()> {
        if !self
            .world()
            .service_deployments
            .iter()
            .any(|d| d.arn == arn)
        {
            return Err(not_found("ecs:ContinueServiceDeployment", arn));
        }
        Ok(())
    }
}
