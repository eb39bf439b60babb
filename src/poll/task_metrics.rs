//! Task- and container-level metrics (Container Insights with enhanced observability), for the
//! open service only (and in `snapshot` for every service that restarts containers in place or
//! is not calm), on clusters whose setting is `enhanced`: each running task's CPU and memory,
//! each restart-policy container's restart count per task, each health-checked container's
//! health across the service. Dimensions and statistics: `crate::model::TaskMetricKind`.
//!
//! The bill: GetMetricData charges per metric requested, so a read asks for
//! `2 × tasks + tasks × restart containers + health containers` metrics, at most
//! [`MAX_TASKS`] tasks, once a minute: a 10-task service with one restart-policy container
//! and one health check asks 31 a minute, 1,860 an hour ($0.019 an hour at $0.01 per 1,000).
//! Each read asks for the last [`WINDOW_MIN`] whole minutes again (the price is per metric,
//! not per datapoint), so nothing is kept between reads.

use super::budget::{Priority, with_priority};
use super::metrics::minute_floor;
use super::{Payload, PlannedService, PollPlan, Source, Update, all_pages};
use crate::aws::{AwsApi, METRIC_QUERIES_BATCH};
use crate::model::{MetricQuery, ServiceKey, TaskMetricKind, TaskSeries, Time};
use std::collections::HashMap;

/// Most tasks of one service read (by task ID order): the bill grows with each.
pub const MAX_TASKS: usize = 20;
/// Minutes read: the restart window (15, `store::findings::restarts`) and 5 before it, so the
/// count the window starts from is known even when a minute or two went unpublished.
pub const WINDOW_MIN: i64 = 20;

#[derive(Debug, Default)]
pub struct TaskMetricsPoller;

/// Whether a service's task-level series are read under `plan`, and how urgently.
pub fn wanted(plan: &PollPlan, s: &PlannedService) -> Option<Priority> {
    if !s.enhanced {
        return None;
    }
    if plan.is_open(&s.key) {
        Some(Priority::Open)
    } else if plan.exhaustive
        && !s.running_tasks.is_empty()
        && (!s.calm || !s.restart_containers.is_empty())
    {
        Some(Priority::Background)
    } else {
        None
    }
}

/// The queries of one service: (query, the series it answers with no points yet).
pub fn queries(i: usize, s: &PlannedService) -> Vec<(MetricQuery, TaskSeries)> {
    let mut tasks: Vec<&String> = s.running_tasks.iter().collect();
    tasks.sort();
    tasks.dedup();
    tasks.truncate(MAX_TASKS);
    let mut out = Vec::new();
    let mut push = |kind: TaskMetricKind, task: &str, container: Option<&str>| {
        let (metric, stat) = kind.metric();
        let mut dimensions = vec![
            ("ClusterName", s.key.cluster.clone()),
            ("ServiceName", s.key.service.clone()),
        ];
        if !task.is_empty() {
            dimensions.push(("TaskId", task.to_string()));
        }
        if let Some(c) = container {
            dimensions.push(("ContainerName", c.to_string()));
        }
        let q = MetricQuery {
            id: format!("s{i}k{}", out.len()),
            namespace: "ECS/ContainerInsights",
            metric,
            dimensions,
            stat,
            period_s: 60,
        };
        let series = TaskSeries {
            kind,
            task: task.to_string(),
            container: container.map(str::to_owned),
            points: Vec::new(),
        };
        out.push((q, series));
    };
    for t in &tasks {
        push(TaskMetricKind::TaskCpu, t, None);
        push(TaskMetricKind::TaskMemory, t, None);
        for c in &s.restart_containers {
            push(TaskMetricKind::Restarts, t, Some(c));
        }
    }
    if !tasks.is_empty() {
        for c in &s.health_containers {
            push(TaskMetricKind::Unhealthy, "", Some(c));
        }
    }
    out
}

impl TaskMetricsPoller {
    pub fn new() -> Self {
        Self
    }

    pub async fn poll<A: AwsApi>(&mut self, api: &A, plan: &PollPlan, now: Time) -> Update {
        let end = minute_floor(now);
        let start = end - chrono::Duration::minutes(WINDOW_MIN);
        let mut index: HashMap<String, (ServiceKey, TaskSeries)> = HashMap::new();
        let mut all: Vec<(Priority, MetricQuery)> = Vec::new();
        let mut keys: Vec<ServiceKey> = Vec::new();
        for (i, s) in plan.services.iter().enumerate() {
            let Some(p) = wanted(plan, s) else {
                continue;
            };
            keys.push(s.key.clone());
            for (q, series) in queries(i, s) {
                index.insert(q.id.clone(), (s.key.clone(), series));
                all.push((p, q));
            }
        }
        all.sort_by_key(|(p, q)| (*p, q.id.clone()));
        let mut errors = Vec::new();
        let mut read: HashMap<ServiceKey, Vec<TaskSeries>> = HashMap::new();
        let mut failed: Vec<ServiceKey> = Vec::new();
        for batch in all.chunks(METRIC_QUERIES_BATCH) {
            let p = batch
                .iter()
                .map(|(p, _)| *p)
                .min()
                .unwrap_or(Priority::Open);
            let queries: Vec<MetricQuery> = batch.iter().map(|(_, q)| q.clone()).collect();
            match with_priority(
                p,
                all_pages(|next| api.get_metric_data(&queries, start, end, next)),
            )
            .await
            {
                Ok(results) => {
                    let mut points: HashMap<String, Vec<_>> = HashMap::new();
                    for r in results {
                        points.entry(r.id).or_default().extend(r.points);
                    }
                    for q in &queries {
                        let Some((key, series)) = index.get(&q.id) else {
                            continue;
                        };
                        let mut series = series.clone();
                        let mut ps = points.remove(&q.id).unwrap_or_default();
                        ps.retain(|p| p.t >= start && p.t < end && p.v.is_finite());
                        ps.sort_by_key(|p| p.t);
                        ps.dedup_by_key(|p| p.t);
                        series.points = ps;
                        read.entry(key.clone()).or_default().push(series);
                    }
                }
                Err(e) => {
                    for q in &queries {
                        if let Some((key, _)) = index.get(&q.id)
                            && !failed.contains(key)
                        {
                            failed.push(key.clone());
                        }
                    }
                    errors.push(e);
                }
            }
        }
        // a service whose read failed in part keeps what it had: only whole reads replace it
        let out: Vec<(ServiceKey, Vec<TaskSeries>)> = keys
            .into_iter()
            .filter(|k| !failed.contains(k))
            .map(|k| {
                let series = read.remove(&k).unwrap_or_default();
                (k, series)
            })
            .collect();
        let payload = (!out.is_empty() || errors.is_empty()).then_some(Payload::TaskMetrics(out));
        Update::new(Source::TaskMetrics, now, payload, errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn svc(name: &str, tasks: usize) -> PlannedService {
        PlannedService {
            key: ServiceKey::new("prod", name),
            enhanced: true,
            calm: true,
            running_tasks: (0..tasks).map(|i| format!("task{i:02}")).collect(),
            restart_containers: vec!["app".into()],
            health_containers: vec!["app".into(), "proxy".into()],
            ..Default::default()
        }
    }

    #[test]
    fn the_open_service_is_read_within_the_task_cap() {
        let plan = PollPlan {
            services: vec![svc("web", 30), svc("api", 2)],
            focus: Some(ServiceKey::new("prod", "web")),
            ..Default::default()
        };
        assert_eq!(wanted(&plan, &plan.services[0]), Some(Priority::Open));
        assert_eq!(wanted(&plan, &plan.services[1]), None);
        let q = queries(0, &plan.services[0]);
        // 20 tasks × (cpu, memory, restarts of app) + health of app and proxy
        assert_eq!(q.len(), MAX_TASKS * 3 + 2);
        let restart = q
            .iter()
            .find(|(_, s)| s.kind == TaskMetricKind::Restarts)
            .unwrap();
        assert_eq!(restart.0.metric, "RestartCount");
        assert_eq!(restart.0.stat, "Maximum");
        let dims: Vec<&str> = restart.0.dimensions.iter().map(|(n, _)| *n).collect();
        assert_eq!(
            dims,
            ["ClusterName", "ServiceName", "TaskId", "ContainerName"]
        );
        let health = q.last().unwrap();
        let dims: Vec<&str> = health.0.dimensions.iter().map(|(n, _)| *n).collect();
        assert_eq!(dims, ["ClusterName", "ServiceName", "ContainerName"]);
        let mut ids: Vec<&str> = q.iter().map(|(q, _)| q.id.as_str()).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), q.len(), "query ids are unique");
    }

    #[test]
    fn nothing_without_enhanced_observability_and_snapshot_reads_restless_ones() {
        let mut s = svc("web", 3);
        s.enhanced = false;
        let mut plan = PollPlan {
            services: vec![s, svc("api", 2)],
            focus: Some(ServiceKey::new("prod", "web")),
            ..Default::default()
        };
        assert_eq!(wanted(&plan, &plan.services[0]), None);
        plan.focus = None;
        plan.exhaustive = true;
        assert_eq!(wanted(&plan, &plan.services[1]), Some(Priority::Background));
        plan.services[1].restart_containers.clear();
        assert_eq!(wanted(&plan, &plan.services[1]), None);
        plan.services[1].calm = false;
        assert_eq!(wanted(&plan, &plan.services[1]), Some(Priority::Background));
    }
}
