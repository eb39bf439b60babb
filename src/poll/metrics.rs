//! Metrics: one GetMetricData call for every series of every planned service (500 queries a call).

use super::{Payload, PlannedService, PollPlan, Source, Update, all_pages};
use crate::aws::{AwsApi, METRIC_QUERIES_BATCH};
use crate::model::{MetricKind, MetricQuery, ServiceKey, Time};
use std::collections::HashMap;

/// How far back each poll reads, and the resolution.
pub const WINDOW_MIN: i64 = 60;
pub const PERIOD_S: i32 = 60;

#[derive(Debug, Default)]
pub struct MetricsPoller;

impl MetricsPoller {
    pub fn new() -> Self {
        Self
    }

    pub async fn poll<A: AwsApi>(&mut self, api: &A, plan: &PollPlan, now: Time) -> Update {
        let (queries, index) = metric_queries(&plan.services);
        let start = now - chrono::Duration::minutes(WINDOW_MIN);
        let mut errors = Vec::new();
        let mut out = Vec::new();
        let mut any_ok = queries.is_empty();
        for batch in queries.chunks(METRIC_QUERIES_BATCH) {
            match all_pages(|next| api.get_metric_data(batch, start, now, next)).await {
                Ok(results) => {
                    any_ok = true;
                    // pages may split one series: merge by id
                    let mut merged: HashMap<String, Vec<_>> = HashMap::new();
                    for r in results {
                        merged.entry(r.id).or_default().extend(r.points);
                    }
                    for (id, mut points) in merged {
                        if let Some((key, kind)) = index.get(&id) {
                            points.sort_by_key(|p| p.t);
                            out.push((key.clone(), *kind, points));
                        }
                    }
                }
                Err(e) => errors.push(e),
            }
        }
        out.sort_by(|a, b| (&a.0, a.1).cmp(&(&b.0, b.1)));
        let payload = any_ok.then_some(Payload::Metrics(out));
        Update::new(Source::Metrics, now, payload, errors)
    }
}

/// The queries for these services, and which (service, series) each query id answers.
pub fn metric_queries(
    services: &[PlannedService],
) -> (Vec<MetricQuery>, HashMap<String, (ServiceKey, MetricKind)>) {
    let mut queries = Vec::new();
    let mut index = HashMap::new();
    for (i, s) in services.iter().enumerate() {
        let ecs_dims = vec![
            ("ClusterName", s.key.cluster.clone()),
            ("ServiceName", s.key.service.clone()),
        ];
        let mut push =
            |kind: MetricKind, namespace, metric, dims: Vec<(&'static str, String)>, stat| {
                let id = format!("s{i}_{}", kind.index());
                index.insert(id.clone(), (s.key.clone(), kind));
                queries.push(MetricQuery {
                    id,
                    namespace,
                    metric,
                    dimensions: dims,
                    stat,
                    period_s: PERIOD_S,
                });
            };
        push(
            MetricKind::CpuUtilization,
            "AWS/ECS",
            "CPUUtilization",
            ecs_dims.clone(),
            "Average",
        );
        push(
            MetricKind::MemoryUtilization,
            "AWS/ECS",
            "MemoryUtilization",
            ecs_dims.clone(),
            "Average",
        );
        push(
            MetricKind::RunningTasks,
            "ECS/ContainerInsights",
            "RunningTaskCount",
            ecs_dims,
            "Average",
        );
        if let Some((tg, lb)) = s.alb_dimensions.first() {
            let alb = vec![("TargetGroup", tg.clone()), ("LoadBalancer", lb.clone())];
            push(
                MetricKind::Http5xx,
                "AWS/ApplicationELB",
                "HTTPCode_Target_5XX_Count",
                alb.clone(),
                "Sum",
            );
            push(
                MetricKind::TargetResponseTimeP95,
                "AWS/ApplicationELB",
                "TargetResponseTime",
                alb.clone(),
                "p95",
            );
            push(
                MetricKind::RequestCountPerTarget,
                "AWS/ApplicationELB",
                "RequestCountPerTarget",
                alb.clone(),
                "Sum",
            );
            push(
                MetricKind::UnhealthyHosts,
                "AWS/ApplicationELB",
                "UnHealthyHostCount",
                alb,
                "Maximum",
            );
        }
    }
    (queries, index)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries_have_unique_valid_ids() {
        let services: Vec<PlannedService> = (0..100)
            .map(|i| PlannedService {
                key: ServiceKey::new("prod", format!("svc{i}")),
                alb_dimensions: vec![("targetgroup/t/1".into(), "app/lb/2".into())],
                ..Default::default()
            })
            .collect();
        let (q, index) = metric_queries(&services);
        assert_eq!(q.len(), 700);
        assert_eq!(index.len(), 700);
        for query in &q {
            assert!(query.id.starts_with(|c: char| c.is_ascii_lowercase()));
            assert!(
                query
                    .id
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_')
            );
        }
    }
}
