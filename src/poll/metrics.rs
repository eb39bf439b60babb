//! Metrics: GetMetricData (500 queries a call) for what is shown: every series of the open
//! service each minute, the board's sparkline series for the rows on screen, everything for a
//! one-shot `snapshot`. GetMetricData bills per metric requested, so nothing else is asked for.
//!
//! After a series' first read (the last [`WINDOW_MIN`] minutes) only the minutes not yet read
//! are asked for, plus the last [`REVISED_MIN`] that CloudWatch still revises. The minute in
//! progress is never read: its partial sum would draw as a drop.

use super::budget::{Priority, with_priority};
use super::{Payload, PlannedService, PollPlan, Source, Update, all_pages};
use crate::aws::{AwsApi, METRIC_QUERIES_BATCH};
use crate::model::{MetricKind, MetricQuery, ServiceKey, Time};
use std::collections::HashMap;

/// How far back a series' first read goes, and the resolution.
pub const WINDOW_MIN: i64 = 60;
pub const PERIOD_S: i32 = 60;
/// Minutes re-read after the newest one read: CloudWatch still revises them.
pub const REVISED_MIN: i64 = 2;
/// A series is read again when its last read is this old.
pub const EVERY_S: i64 = 60;

/// Which series of a service to read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Series {
    /// Everything the service has (the open service, a snapshot).
    All,
    /// The board's sparkline: 5xx (target and ELB) for a load-balanced service, else CPU.
    Board,
}

#[derive(Debug, Default)]
pub struct MetricsPoller {
    /// (service, series) -> the end of the last successful read (a whole minute).
    read_until: HashMap<(ServiceKey, MetricKind), Time>,
}

/// The start of the minute `t` is in.
pub fn minute_floor(t: Time) -> Time {
    let secs = t.timestamp();
    chrono::DateTime::from_timestamp(secs - secs.rem_euclid(60), 0).unwrap_or(t)
}

impl MetricsPoller {
    pub fn new() -> Self {
        Self::default()
    }

    pub async fn poll<A: AwsApi>(&mut self, api: &A, plan: &PollPlan, now: Time) -> Update {
        let end = minute_floor(now);
        let mut wanted: Vec<(&PlannedService, Series, Priority)> = Vec::new();
        for s in &plan.services {
            let (series, p) = if plan.exhaustive || plan.is_open(&s.key) {
                (Series::All, Priority::Open)
            } else if plan.on_screen.contains(&s.key) {
                (Series::Board, Priority::Shown)
            } else {
                continue;
            };
            wanted.push((s, series, p));
        }
        // Queries that are due, grouped by their start (a call has one time range): series
        // never read get the whole window, the others only what is new.
        let mut groups: HashMap<Time, (Priority, Vec<MetricQuery>)> = HashMap::new();
        let mut index: HashMap<String, Answer> = HashMap::new();
        for (i, (s, series, p)) in wanted.iter().enumerate() {
            for q in service_queries(i, s, *series) {
                let kind = q.1;
                let start = match self.read_until.get(&(s.key.clone(), kind)) {
                    Some(until) if (end - *until).num_seconds() < EVERY_S && !plan.exhaustive => {
                        continue;
                    }
                    Some(until) if (end - *until).num_minutes() < WINDOW_MIN => {
                        *until - chrono::Duration::minutes(REVISED_MIN)
                    }
                    _ => end - chrono::Duration::minutes(WINDOW_MIN),
                };
                let g = groups.entry(start).or_insert((*p, Vec::new()));
                g.0 = g.0.min(*p);
                for (query, window) in by_production(q.0, kind, s, start, end) {
                    index.insert(query.id.clone(), (s.key.clone(), kind, window));
                    g.1.push(query);
                }
            }
        }
        let mut errors = Vec::new();
        let mut out = Vec::new();
        let mut any_ok = groups.is_empty();
        let mut groups: Vec<(Time, (Priority, Vec<MetricQuery>))> = groups.into_iter().collect();
        groups.sort_by_key(|(start, (p, _))| (*p, *start));
        for (start, (p, queries)) in groups {
            for batch in queries.chunks(METRIC_QUERIES_BATCH) {
                let read = with_priority(
                    p,
                    all_pages(|next| api.get_metric_data(batch, start, end, next)),
                )
                .await;
                match read {
                    Ok(results) => {
                        any_ok = true;
                        // pages may split one series: merge by id
                        let mut merged: HashMap<String, Vec<_>> = HashMap::new();
                        for q in batch {
                            merged.insert(q.id.clone(), Vec::new());
                        }
                        for r in results {
                            merged.entry(r.id).or_default().extend(r.points);
                        }
                        for (id, mut points) in merged {
                            if let Some((key, kind, window)) = index.get(&id) {
                                self.read_until.insert((key.clone(), *kind), end);
                                points.retain(|p| p.t < end);
                                // a blue/green group's minutes while it served production
                                if let Some((from, until)) = window {
                                    points.retain(|p| p.t >= *from && p.t < *until);
                                }
                                points.sort_by_key(|p| p.t);
                                out.push((key.clone(), *kind, points));
                            }
                        }
                    }
                    Err(e) => errors.push(e),
                }
            }
        }
        // forget services no longer planned
        self.read_until
            .retain(|(k, _), _| plan.services.iter().any(|s| &s.key == k));
        out.sort_by(|a, b| (&a.0, a.1).cmp(&(&b.0, b.1)));
        let payload = any_ok.then_some(Payload::Metrics(out));
        Update::new(Source::Metrics, now, payload, errors)
    }
}

/// Which (service, series) a query id answers, and for a blue/green group's part of a series
/// the minutes it served production (from, until).
type Answer = (ServiceKey, MetricKind, Option<(Time, Time)>);

/// The series read by target group (the others are by service or load balancer).
fn by_group(kind: MetricKind) -> bool {
    matches!(
        kind,
        MetricKind::Http5xx
            | MetricKind::TargetResponseTimeP95
            | MetricKind::RequestCountPerTarget
            | MetricKind::UnhealthyHosts
    )
}

/// A target group's query as read for a blue/green service whose production moved within
/// `start..end`: one query per group that served production in that time, each answering
/// for its own minutes; a window production did not leave reads its group only.
pub fn by_production(
    q: MetricQuery,
    kind: MetricKind,
    s: &PlannedService,
    start: Time,
    end: Time,
) -> Vec<(MetricQuery, Option<(Time, Time)>)> {
    if !by_group(kind) || s.prod_dimensions.is_empty() {
        return vec![(q, None)];
    }
    // the segments overlapping the window: (from, until, dimensions)
    let path = &s.prod_dimensions;
    let mut parts: Vec<(Time, Time, &(String, String))> = Vec::new();
    for (i, (from, dims)) in path.iter().enumerate() {
        let until = path.get(i + 1).map(|(t, _)| *t).unwrap_or(end);
        // CloudWatch's minutes: the swap's minute belongs to the group production went to
        let (from, until) = (minute_floor(*from), minute_floor(until));
        if until <= start || from >= end || from >= until {
            continue;
        }
        parts.push((from.max(start), until.min(end), dims));
    }
    let with = |q: &MetricQuery, id: String, dims: &(String, String)| {
        let mut q = q.clone();
        q.id = id;
        for (name, value) in q.dimensions.iter_mut() {
            match *name {
                "TargetGroup" => *value = dims.0.clone(),
                "LoadBalancer" => *value = dims.1.clone(),
                _ => {}
            }
        }
        q
    };
    match parts.as_slice() {
        [] => vec![(q, None)],
        [(_, _, dims)] => vec![(with(&q, q.id.clone(), dims), None)],
        _ => parts
            .iter()
            .enumerate()
            .map(|(j, (from, until, dims))| {
                (
                    with(&q, format!("{}_g{j}", q.id), dims),
                    Some((*from, *until)),
                )
            })
            .collect(),
    }
}

/// The queries for these services (every series), and which (service, series) each query id
/// answers.
pub fn metric_queries(
    services: &[PlannedService],
) -> (Vec<MetricQuery>, HashMap<String, (ServiceKey, MetricKind)>) {
    let mut queries = Vec::new();
    let mut index = HashMap::new();
    for (i, s) in services.iter().enumerate() {
        for (q, kind) in service_queries(i, s, Series::All) {
            index.insert(q.id.clone(), (s.key.clone(), kind));
            queries.push(q);
        }
    }
    (queries, index)
}

/// The queries of one service (`i` makes the ids unique within a call).
fn service_queries(i: usize, s: &PlannedService, series: Series) -> Vec<(MetricQuery, MetricKind)> {
    let mut out = Vec::new();
    let mut push =
        |kind: MetricKind, namespace, metric, dims: Vec<(&'static str, String)>, stat| {
            out.push((
                MetricQuery {
                    id: format!("s{i}_{}", kind.index()),
                    namespace,
                    metric,
                    dimensions: dims,
                    stat,
                    period_s: PERIOD_S,
                },
                kind,
            ));
        };
    let ecs_dims = vec![
        ("ClusterName", s.key.cluster.clone()),
        ("ServiceName", s.key.service.clone()),
    ];
    let lb = s.alb_dimensions.first();
    // NLB target groups report in AWS/NetworkELB, with no HTTP codes or response times
    let nlb = lb.is_some_and(|(_, lb)| lb.starts_with("net/"));
    let all = series == Series::All;
    if all || lb.is_none() || nlb {
        push(
            MetricKind::CpuUtilization,
            "AWS/ECS",
            "CPUUtilization",
            ecs_dims.clone(),
            "Average",
        );
    }
    if all {
        push(
            MetricKind::MemoryUtilization,
            "AWS/ECS",
            "MemoryUtilization",
            ecs_dims.clone(),
            "Average",
        );
        if s.insights {
            push(
                MetricKind::RunningTasks,
                "ECS/ContainerInsights",
                "RunningTaskCount",
                ecs_dims,
                "Average",
            );
        }
    }
    // Service Connect, the open service and `snapshot` only: the published dimension sets
    // (ECS's Service Connect metrics): what the endpoint received by (cluster, service,
    // DiscoveryName); what its tasks answered the services that call it by TargetDiscoveryName
    if all && let Some((name, tls)) = &s.connect {
        let own = vec![
            ("ClusterName", s.key.cluster.clone()),
            ("ServiceName", s.key.service.clone()),
            ("DiscoveryName", name.clone()),
        ];
        let target = vec![("TargetDiscoveryName", name.clone())];
        push(
            MetricKind::ConnectRequests,
            "AWS/ECS",
            "RequestCount",
            own.clone(),
            "Sum",
        );
        push(
            MetricKind::ConnectHttp5xx,
            "AWS/ECS",
            "HTTPCode_Target_5XX_Count",
            target.clone(),
            "Sum",
        );
        push(
            MetricKind::ConnectResponseTimeP95,
            "AWS/ECS",
            "TargetResponseTime",
            target,
            "p95",
        );
        if *tls {
            push(
                MetricKind::ConnectTlsErrors,
                "AWS/ECS",
                "ClientTLSNegotiationErrorCount",
                own,
                "Sum",
            );
        }
    }
    let Some((tg, lb)) = lb else {
        return out;
    };
    let both = vec![("TargetGroup", tg.clone()), ("LoadBalancer", lb.clone())];
    if nlb {
        if all {
            push(
                MetricKind::UnhealthyHosts,
                "AWS/NetworkELB",
                "UnHealthyHostCount",
                both,
                "Maximum",
            );
        }
        return out;
    }
    push(
        MetricKind::Http5xx,
        "AWS/ApplicationELB",
        "HTTPCode_Target_5XX_Count",
        both.clone(),
        "Sum",
    );
    push(
        MetricKind::ElbHttp5xx,
        "AWS/ApplicationELB",
        "HTTPCode_ELB_5XX_Count",
        vec![("LoadBalancer", lb.clone())],
        "Sum",
    );
    if all {
        push(
            MetricKind::TargetResponseTimeP95,
            "AWS/ApplicationELB",
            "TargetResponseTime",
            both.clone(),
            "p95",
        );
        push(
            MetricKind::RequestCountPerTarget,
            "AWS/ApplicationELB",
            "RequestCountPerTarget",
            both.clone(),
            "Sum",
        );
        push(
            MetricKind::UnhealthyHosts,
            "AWS/ApplicationELB",
            "UnHealthyHostCount",
            both,
            "Maximum",
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn svc(i: usize, lb: &str, insights: bool) -> PlannedService {
        PlannedService {
            key: ServiceKey::new("prod", format!("svc{i}")),
            alb_dimensions: vec![("targetgroup/t/1".into(), lb.into())],
            insights,
            ..Default::default()
        }
    }

    #[test]
    fn queries_have_unique_valid_ids() {
        let services: Vec<PlannedService> = (0..100).map(|i| svc(i, "app/lb/2", true)).collect();
        let (q, index) = metric_queries(&services);
        assert_eq!(q.len(), 800);
        assert_eq!(index.len(), 800);
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

    #[test]
    fn only_what_exists_is_asked_for() {
        // no Container Insights: no RunningTaskCount
        let q = service_queries(0, &svc(0, "app/lb/2", false), Series::All);
        assert!(
            q.iter()
                .all(|(q, _)| q.namespace != "ECS/ContainerInsights")
        );
        assert_eq!(q.len(), 7);
        // NLB: its own namespace, no HTTP codes
        let q = service_queries(0, &svc(0, "net/lb/2", true), Series::All);
        assert!(q.iter().any(|(q, _)| q.namespace == "AWS/NetworkELB"));
        assert!(q.iter().all(|(q, _)| q.namespace != "AWS/ApplicationELB"));
        // the board's column: target and ELB 5xx for an ALB service
        let q = service_queries(0, &svc(0, "app/lb/2", true), Series::Board);
        let kinds: Vec<MetricKind> = q.iter().map(|(_, k)| *k).collect();
        assert_eq!(kinds, [MetricKind::Http5xx, MetricKind::ElbHttp5xx]);
        let elb = &q[1].0;
        assert_eq!(elb.metric, "HTTPCode_ELB_5XX_Count");
        assert_eq!(elb.dimensions, [("LoadBalancer", "app/lb/2".to_string())]);
    }

    #[test]
    fn minutes_floor() {
        let t = chrono::DateTime::parse_from_rfc3339("2026-12-01T12:03:59.900Z")
            .unwrap()
            .with_timezone(&chrono::Utc);
        assert_eq!(minute_floor(t).to_rfc3339(), "2026-12-01T12:03:00+00:00");
    }
}
