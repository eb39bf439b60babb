//! Pollers: one per source. Each owns its batching, pagination and caching, and reports what it
//! read as an [`Update`]. Failure is data: an error becomes part of the update, never a crash.
//!
//! Pollers read what to poll from a [`PollPlan`] that the store derives (which services, which
//! task definitions, target groups and log groups they use). `commands::cycle::run_once` runs every
//! source once in dependency order (for `snapshot`); [`runner::spawn`] runs them as loops.

mod backoff;
mod deployments;
mod instances;
mod logs;
mod metrics;
pub mod runner;
mod running;
mod scaling;
mod services;
mod targets;
mod task_metrics;
mod taskdefs;
mod tasks;

pub use backoff::Backoff;
// the metering moved below the pollers (`aws::metered`); these paths stay for callers
pub use crate::aws::metered::{CallCounts, Counted, budget};
// what is watched and what is read: contract types every layer shares (`model::scope`)
pub use crate::model::{Scope, Source};
pub use instances::InstancesPoller;
pub use logs::LogsPoller;
pub use metrics::{MetricsPoller, by_production, metric_queries, minute_floor};
pub use running::RunningTasksPoller;
pub use scaling::ScalingPoller;
pub use services::ServicesPoller;
pub use targets::TargetsPoller;
pub use task_metrics::TaskMetricsPoller;
pub use taskdefs::TaskDefsPoller;
pub use tasks::StoppedTasksPoller;

use crate::aws::{ApiError, ApiResult, Page};
use crate::model::{
    LatticeTarget, ListenerRule, LogLine, MetricKind, MetricPoint, Service, ServiceKey,
    TargetGroup, TargetHealth, Task, TaskDefinition, Time,
};
pub use budget::{Budget, Pace, Priority, with_priority};
use std::future::Future;

/// What one poll of one source read.
#[derive(Debug, Clone)]
pub enum Payload {
    /// Every service in scope that could be described, and the clusters that were fully listed
    /// (services of those clusters missing from `services` are gone).
    Services {
        services: Vec<Service>,
        listed_clusters: Vec<String>,
        /// Every service of `listed_clusters`, from a listing (fleet rounds describe the fleet
        /// a part per poll, so `services` alone does not say which are gone).
        roster: Option<Vec<ServiceKey>>,
        /// Clusters whose Container Insights setting was read.
        insights: Vec<(String, crate::model::Insights)>,
    },
    /// Container instances as read now, and those ECS no longer knows (`MISSING`: deregistered
    /// more than an hour ago).
    ContainerInstances {
        found: Vec<crate::model::ContainerInstance>,
        gone: Vec<String>,
    },
    /// Task- and container-level series of services as read now, each service's whole
    /// window (they replace the last read).
    TaskMetrics(Vec<(ServiceKey, Vec<crate::model::TaskSeries>)>),
    /// Newly described stopped tasks (each ARN once).
    StoppedTasks(Vec<Task>),
    /// The open service's running tasks, all of them as listed now (they replace the last
    /// read: a task missing here is no longer running).
    RunningTasks(Vec<(ServiceKey, Vec<Task>)>),
    /// Services' auto scaling as read now (a default `Scaling`: not registered).
    Scaling(Vec<(ServiceKey, crate::model::Scaling)>),
    TaskDefinitions(Vec<TaskDefinition>),
    /// One poll of targets: groups described again (with attributes) and their health, and
    /// the health of groups whose descriptions the store holds and were still fresh.
    TargetsRead {
        described: Vec<(TargetGroup, Vec<TargetHealth>)>,
        health: Vec<(String, Vec<TargetHealth>)>,
        /// Blue/green listener rules read this poll.
        rules: Vec<ListenerRule>,
        /// VPC Lattice target groups' targets (the open service's, and `snapshot`'s).
        lattice: Vec<(String, Vec<LatticeTarget>)>,
    },
    Metrics(Vec<(ServiceKey, MetricKind, Vec<MetricPoint>)>),
    /// One poll of logs: the open service's new lines, and the whole stream of a stopped task
    /// open in task detail (read once).
    LogsRead {
        services: Vec<(ServiceKey, Vec<LogLine>)>,
        tasks: Vec<(String, Vec<LogLine>)>,
    },
}

/// One poll's result. `payload` holds what could be read; `errors` what could not. A poll that
/// read nothing at all has no payload. (Recordings hold `record::RecordedUpdate`, converted
/// from this: the pollers' messages are not the file format.)
#[derive(Debug, Clone)]
pub struct Update {
    pub source: Source,
    pub fetched_at: Time,
    pub payload: Option<Payload>,
    pub errors: Vec<ApiError>,
    /// When the poller will try again after a transient failure (it backs off), if it will.
    pub retry_at: Option<Time>,
    /// The place (account × Region) it was read from.
    pub place: crate::model::PlaceIx,
}

impl Update {
    pub fn new(
        source: Source,
        fetched_at: Time,
        payload: Option<Payload>,
        errors: Vec<ApiError>,
    ) -> Self {
        Self {
            source,
            fetched_at,
            payload,
            errors,
            retry_at: None,
            place: 0,
        }
    }
}

/// What the pollers should read next, derived from the store.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PollPlan {
    pub scope: Scope,
    pub services: Vec<PlannedService>,
    /// The service on screen, polled fast; the rest are polled at fleet cadence.
    pub focus: Option<ServiceKey>,
    /// Services other viewers of a shared session have open (`crate::share`): polled as the
    /// open service is, each at open-service priority.
    pub also_open: Vec<ServiceKey>,
    /// Bumped by "refresh now": a changed plan wakes every poller.
    pub refresh: u64,
    /// Read everything in scope now, whatever the cadences would skip (one-shot `snapshot`).
    pub exhaustive: bool,
    /// The board rows on screen (empty when a service is open): their sparklines are read.
    pub on_screen: Vec<ServiceKey>,
    /// ecswatch's share of the account's quotas: what fleet rounds are sized by.
    pub pace: budget::Pace,
    /// Target groups the store holds, and when each was described (descriptions and
    /// attributes are read again only when older than the targets poller's TTL).
    pub groups_described: std::collections::HashMap<String, Time>,
    /// The stopped task open in task detail: its own log stream is read once.
    pub task: Option<OpenTask>,
    /// Stopped tasks the store holds in their final state: never described again.
    pub final_tasks: std::sync::Arc<std::collections::HashSet<String>>,
}

/// A stopped task open in task detail, and where its containers' streams are.
#[derive(Debug, Clone, PartialEq)]
pub struct OpenTask {
    pub key: ServiceKey,
    pub arn: String,
    /// Each awslogs container's source, with `prefix` set to its exact stream
    /// (`prefix/container/task-id`).
    pub streams: Vec<LogSource>,
    pub started_at: Option<Time>,
    pub stopped_at: Option<Time>,
}

/// Where an awslogs container writes: the group, the stream prefix (or exact stream), and the
/// `awslogs-region` when it differs from ecswatch's.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct LogSource {
    pub group: String,
    pub prefix: Option<String>,
    pub region: Option<String>,
}

impl PollPlan {
    /// The part of the plan one place's pollers read: its services, its scope, the open
    /// service and task only when they are its own.
    pub fn for_place(&self, t: crate::model::PlaceIx, scope: &Scope) -> PollPlan {
        let mine = |k: &ServiceKey| k.place == t;
        PollPlan {
            scope: scope.clone(),
            services: self
                .services
                .iter()
                .filter(|s| mine(&s.key))
                .cloned()
                .collect(),
            focus: self.focus.clone().filter(mine),
            also_open: self.also_open.iter().filter(|k| mine(k)).cloned().collect(),
            refresh: self.refresh,
            exhaustive: self.exhaustive,
            on_screen: self.on_screen.iter().filter(|k| mine(k)).cloned().collect(),
            pace: self.pace,
            groups_described: self.groups_described.clone(),
            task: self.task.clone().filter(|o| mine(&o.key)),
            final_tasks: self.final_tasks.clone(),
        }
    }

    /// The ListTasks calls that cover every planned service at the batching minimum: one
    /// listing per cluster (ListTasks takes one cluster and at most one service; the store
    /// files tasks by `group`), or, with named services in scope (`--service`), one per
    /// service, so a large cluster is not listed for a few of its services.
    pub fn task_listings(&self) -> Vec<(&str, Option<&str>)> {
        if !self.scope.services.is_empty() {
            return self
                .services
                .iter()
                .map(|s| (s.key.cluster.as_str(), Some(s.key.service.as_str())))
                .collect();
        }
        let mut clusters: Vec<(&str, Option<&str>)> = Vec::new();
        for s in &self.services {
            if !clusters.iter().any(|(c, _)| *c == s.key.cluster) {
                clusters.push((&s.key.cluster, None));
            }
        }
        clusters
    }

    /// The planned service that is open, if any.
    pub fn focused(&self) -> Option<&PlannedService> {
        let f = self.focus.as_ref()?;
        self.services.iter().find(|s| &s.key == f)
    }

    /// Every open service: this console's, then other viewers' (a shared session).
    pub fn open(&self) -> impl Iterator<Item = &ServiceKey> {
        self.focus.iter().chain(
            self.also_open
                .iter()
                .filter(|k| self.focus.as_ref() != Some(*k)),
        )
    }

    pub fn is_open(&self, key: &ServiceKey) -> bool {
        self.focus.as_ref() == Some(key) || self.also_open.contains(key)
    }

    pub fn any_open(&self) -> bool {
        self.focus.is_some() || !self.also_open.is_empty()
    }

    /// The planned services that are open.
    pub fn opened(&self) -> Vec<&PlannedService> {
        self.open()
            .filter_map(|k| self.services.iter().find(|s| &s.key == k))
            .collect()
    }
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct PlannedService {
    pub key: ServiceKey,
    pub task_definitions: Vec<String>,
    pub target_groups: Vec<String>,
    /// (TargetGroup dimension, LoadBalancer dimension) pairs for ALB metrics, production's
    /// group first.
    pub alb_dimensions: Vec<(String, String)>,
    /// Blue/green: from each time on, the (TargetGroup, LoadBalancer) dimensions of the group
    /// that served production, oldest first (empty when production never moved); the target
    /// groups' series are read from it minute by minute.
    pub prod_dimensions: Vec<(Time, (String, String))>,
    /// Blue/green listener rules (production, test) to read beside the groups' health.
    pub listener_rules: Vec<String>,
    /// VPC Lattice target groups its tasks register in.
    pub lattice_groups: Vec<String>,
    /// Service Connect: the discovery name of the endpoint the service publishes (its series
    /// in AWS/ECS), and whether it serves TLS.
    pub connect: Option<(String, bool)>,
    /// Where the containers of the primary deployment's task definition log.
    pub log_sources: Vec<LogSource>,
    /// Nothing is happening: the primary rollout completed, running = desired, no failed tasks.
    /// Calm services are re-listed for stopped tasks less often.
    pub calm: bool,
    /// Container Insights is enabled on the service's cluster (its series exist).
    pub insights: bool,
    /// The container instances its running tasks and its stopped tasks of the last hour run
    /// (ran) on: EC2 and Managed Instances tasks (Fargate's have none).
    pub container_instances: Vec<String>,
    /// The cluster has Container Insights with enhanced observability (task- and
    /// container-level series exist).
    pub enhanced: bool,
    /// Its running tasks' IDs, as last read (the open service's; every service's in
    /// `snapshot`), and which of their containers restart in place (a restart policy) and
    /// which have a health check.
    pub running_tasks: Vec<String>,
    pub restart_containers: Vec<String>,
    pub health_containers: Vec<String>,
}

/// Most pages read from one listing in one poll: a runaway paginator must not eat the rate limit.
pub const MAX_PAGES: usize = 50;

/// Read every page of a listing.
pub async fn all_pages<T, F, Fut>(mut page: F) -> ApiResult<Vec<T>>
where
    F: FnMut(Option<String>) -> Fut,
    Fut: Future<Output = ApiResult<Page<T>>>,
{
    let mut out = Vec::new();
    let mut next = None;
    for _ in 0..MAX_PAGES {
        let p = page(next).await?;
        out.extend(p.items);
        match p.next {
            Some(n) if !n.is_empty() => next = Some(n),
            _ => break,
        }
    }
    Ok(out)
}
