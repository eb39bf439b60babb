//! The service view: rollout, findings, events, stopped tasks, targets, metrics, logs.

use super::board::{badge_meaning, severity_meaning};
use super::rollout;
use super::{Block, Body, Line, Size, ago, freshness, freshness_about, s, wrap};
use crate::console::selection::{Resolved, Selection, resolve_ids};
use crate::console::state::{PANES, Pane, UiState, Visible};
use crate::model::Source;
use crate::model::{Deployment, MetricKind, ServiceKey, Time, task_definition_label};
use crate::present::status_badge;
use crate::store::{ServiceState, Store};
use crate::theme::Meaning;

mod events;
mod rollout_lines;

use events::event_rows;
pub(super) use rollout_lines::progress_bar;
use rollout_lines::rollout_lines;

/// Ids for rows that are places, not things (headers, metric and scaling lines).
fn place_ids(n: usize) -> Vec<String> {
    (0..n).map(|i| format!("#{i}")).collect()
}

pub fn build(
    store: &Store,
    ui: &UiState,
    key: &ServiceKey,
    now: Time,
    size: Size,
    vis: &mut Visible,
) -> Body {
    let Some(st) = store.services.get(key) else {
        return Body::Service {
            summary: vec![vec![s(
                format!("{key} is not in the store (gone, or not loaded yet)"),
                Meaning::Dim,
            )]],
            rollout: Block::default(),
            panes: vec![],
            focused: 0,
            tabs: true,
            side: 0,
        };
    };
    let svc = &st.service;
    let wide = size.width >= 120;
    // from 120x36 up: the findings beside the pane chosen with Tab; smaller, one pane with tabs
    let tabs = size.width < 120 || size.height < 36;
    // inner width of a pane: the whole width in tab mode, the right side's share when split
    let text_w = usize::from(if tabs {
        size.width
    } else {
        size.width - split_left(size.width)
    })
    .saturating_sub(2);
    // the findings' own width: the left side when split
    let find_w = usize::from(if tabs {
        size.width
    } else {
        split_left(size.width)
    })
    .saturating_sub(2);
    let badge = status_badge(store, st, now);
    // running x/y and the targets' health first: what the on-call needs before the pending
    // count and the revision
    let mut first = vec![
        s(format!("{} ", badge.label()), badge_meaning(badge)),
        s(format!("{}  ", super::crumb(store, key)), Meaning::Title),
        s(
            format!("running {}/{}", svc.running, svc.desired),
            if svc.running < svc.desired {
                Meaning::HealthOther
            } else {
                Meaning::Text
            },
        ),
    ];
    first.extend(targets_summary(store, svc));
    first.extend([
        s(
            if svc.pending > 0 {
                format!(" pending {}", svc.pending)
            } else {
                String::new()
            },
            Meaning::Dim,
        ),
        s(
            format!("  {}", task_definition_label(&svc.task_definition)),
            Meaning::Dim,
        ),
    ]);
    // Express Mode: the URL it answers at, and whether what ECS manages for it is in place
    if svc.is_express() {
        let url = svc.endpoints().first().map(|e| e.to_string());
        let failed = svc.managed_resources().filter(|r| r.failed()).count();
        let settling = svc.managed_resources().filter(|r| r.settling()).count();
        // what is wrong first: at 80 columns the URL is what gets cut
        if failed > 0 {
            first.push(s(format!("  {failed} managed FAILED"), Meaning::Error));
        } else if settling > 0 {
            first.push(s(
                format!("  {settling} provisioning"),
                Meaning::HealthOther,
            ));
        }
        first.push(s(
            format!("  {}", url.unwrap_or_else(|| "express (no URL yet)".into())),
            Meaning::Text,
        ));
    }
    let mut summary = vec![first];
    summary.push(top_finding_line(st));
    let breaker = svc.deployment_config.circuit_breaker_enable == Some(true);
    let mut deployments: Vec<&Deployment> = svc.deployments.iter().collect();
    deployments.sort_by_key(|d| (d.status != "PRIMARY", std::cmp::Reverse(d.created_at)));
    let rollout = Block {
        title: "Rollout".into(),
        status: freshness(store, key.place, Source::Services, now),
        lines: rollout_lines(st, &deployments, breaker, now, wide),
        ..Default::default()
    };

    // Findings: one row each; the selected one's details follow the list.
    let page = vis.page;
    let mut finding_ids: Vec<String> = Vec::with_capacity(st.findings.len());
    for f in &st.findings {
        let n = finding_ids
            .iter()
            .filter(|i| i.split('#').next() == Some(f.id.as_str()))
            .count();
        finding_ids.push(if n == 0 {
            f.id.to_string()
        } else {
            format!("{}#{}", f.id, n + 1)
        });
    }
    let findings_sel = resolve_ids(&ui.panes[Pane::Findings.index()], &finding_ids, page);
    let mut findings: Vec<Line> = st
        .findings
        .iter()
        .map(|f| {
            vec![
                s(
                    format!("{:<9}", f.severity.as_str().to_uppercase()),
                    severity_meaning(f.severity),
                ),
                s(f.row_title(), Meaning::Text),
                s(
                    format!("  ({})", f.evidence.first().cloned().unwrap_or_default()),
                    Meaning::Dim,
                ),
            ]
        })
        .collect();
    let n_findings = findings.len();
    let f_sel = findings_sel.index;
    if let Some(f) = f_sel.and_then(|i| st.findings.get(i)) {
        findings.push(vec![]);
        findings.push(vec![s(format!("{} ({})", f.title, f.id), Meaning::Title)]);
        if f.confidence == crate::diagnosis::Confidence::Family {
            findings.extend(wrap(
                "match: ",
                "family only: the kind of failure is known, its exact cause is not; read the raw message below",
                Meaning::Dim,
                find_w,
            ));
        }
        // what to do first: on a 24-row screen the evidence samples may fall off the bottom
        findings.extend(wrap("fix: ", &f.fix, Meaning::Text, find_w));
        findings.extend(wrap("confirm: ", &f.confirm, Meaning::Text, find_w));
        findings.extend(wrap("meaning: ", &f.meaning, Meaning::Text, find_w));
        for e in f.evidence.iter().skip(1) {
            findings.extend(wrap("  ", e, Meaning::Dim, find_w));
        }
    } else {
        findings.push(vec![s(
            "no findings: nothing in the last 3 hours points at a problem",
            Meaning::Dim,
        )]);
    }

    let (events, event_ids) = event_rows(store, st);

    // Running tasks, then stopped tasks grouped by category, each task selectable.
    let (task_lines, task_rows) = super::tasks::task_pane(store, st, now, text_w);
    let scaling_errors = store
        .source_status(key.place, Source::Scaling)
        .map(|s| s.errors.as_slice())
        .unwrap_or_default();
    let scaling_lines = super::scaling::scaling_lines(st, scaling_errors, now, text_w);

    let (mut target_lines, mut target_ids) = super::targets::target_pane(store, svc);
    if target_lines.is_empty() {
        target_ids.push("#0".into());
        target_lines.push(vec![s(
            if svc.load_balancers.is_empty() {
                "no load balancer"
            } else {
                "loading..."
            },
            Meaning::Dim,
        )]);
    }

    // one cell a minute, ending with the last complete minute
    let spark_w = if wide { 40 } else { 20 };
    let mut metric_lines = Vec::new();
    for kind in [
        MetricKind::CpuUtilization,
        MetricKind::MemoryUtilization,
        MetricKind::Http5xx,
        MetricKind::ElbHttp5xx,
        MetricKind::TargetResponseTimeP95,
        MetricKind::RequestCountPerTarget,
        MetricKind::UnhealthyHosts,
        MetricKind::RunningTasks,
        MetricKind::ConnectRequests,
        MetricKind::ConnectHttp5xx,
        MetricKind::ConnectResponseTimeP95,
        MetricKind::ConnectTlsErrors,
    ] {
        let Some(values) = super::spark::series_minutes(st, kind, now, spark_w) else {
            continue;
        };
        let (last, max) = super::spark::last_and_max(&values);
        let fmt = |v: Option<f64>| match (kind, v) {
            (_, None) => "-".to_string(),
            (MetricKind::CpuUtilization | MetricKind::MemoryUtilization, Some(v)) => {
                format!("{v:.1}%")
            }
            (MetricKind::TargetResponseTimeP95, Some(v)) => format!("{:.0}ms", v * 1000.0),
            // Service Connect reports its response time in milliseconds, the ALB in seconds
            (MetricKind::ConnectResponseTimeP95, Some(v)) => format!("{v:.0}ms"),
            (_, Some(v)) => format!("{v:.0}"),
        };
        let mut line = vec![
            s(format!("{:<11}", kind.label()), Meaning::Key),
            s(format!("{:>8} ", fmt(last)), Meaning::Text),
            s(super::spark::draw(&values, kind.shape()), Meaning::Spark),
            s(format!(" max {}", fmt(max)), Meaning::Dim),
        ];
        if kind == MetricKind::RunningTasks {
            line.push(s(format!(" desired {}", svc.desired), Meaning::Dim));
        }
        metric_lines.push(line);
    }
    if metric_lines.is_empty() {
        metric_lines.push(vec![s("no datapoints yet", Meaning::Dim)]);
    } else if let Some(mark) = super::spark::swap_mark(&st.swaps, now, spark_w) {
        // blue/green: the target group series come from production's group minute by minute;
        // the swap's minute is marked under the sparklines
        metric_lines.push(vec![
            s(format!("{:<11}{:>8} ", "prod moved", ""), Meaning::Key),
            s(mark.0, Meaning::Spark),
            s(format!(" to {}", mark.1), Meaning::Dim),
        ]);
    }

    let filter = ui.log_filter.to_lowercase();
    let matches = |l: &&crate::model::LogLine| {
        filter.is_empty() || l.message.to_lowercase().contains(&filter)
    };
    let n_matching = st.logs.iter().filter(matches).count();
    // Following the tail (nothing selected): only the lines that can be on screen are built.
    let logs_pane = Pane::Logs.index();
    let following = ui.panes[logs_pane] == Selection::default();
    let skip = if following {
        n_matching.saturating_sub(usize::from(size.height))
    } else {
        0
    };
    let log_lines: Vec<Line> = st
        .logs
        .iter()
        .filter(matches)
        .skip(skip)
        .map(|l| {
            let m = if l.message.contains("ERROR")
                || l.message.contains("FATAL")
                || l.message.contains("panic")
            {
                Meaning::EventFailure
            } else {
                Meaning::Text
            };
            let stream = l.stream.rsplit('/').next().unwrap_or(&l.stream);
            vec![
                s(format!("{} ", l.t.format("%H:%M:%S")), Meaning::Dim),
                s(format!("{} ", super::head(stream, 8)), Meaning::Dim),
                s(l.message.clone(), m),
            ]
        })
        .collect();
    let log_title = if filter.is_empty() {
        "Logs".to_string()
    } else {
        format!("Logs /{filter}")
    };

    // a pane shows the errors about its own service's resources only
    let own_log_groups = store.log_groups_of(&st.service);
    let own_target_groups: Vec<String> = st
        .service
        .group_arns()
        .into_iter()
        .map(str::to_owned)
        .chain(st.service.listener_rules().into_iter().map(str::to_owned))
        .collect();
    // and the age of its own data: when its log groups / its target groups were last read
    let own_targets_at = store
        .target_groups_of(&st.service)
        .iter()
        .map(|g| g.fetched_at)
        .min();
    // every pane's selection, found again by identity
    // Only what a key can act on is resolved: the findings (their details follow the selected
    // one) and the focused pane. Another pane's selection keeps its identity until it is
    // focused (settling an unresolved list changes nothing). The log pane is resolved over the
    // lines themselves: only the ids a page either side are cloned, not 2,000 a frame.
    let resolved: [Resolved<String>; PANES] = std::array::from_fn(|i| {
        let p = Pane::ALL[i];
        let sel = &ui.panes[i];
        match p {
            Pane::Findings => findings_sel.clone(),
            _ if p != ui.pane => Resolved::default(),
            Pane::Events => resolve_ids(sel, &event_ids, page),
            Pane::Tasks => {
                let ids: Vec<String> = task_rows
                    .iter()
                    .enumerate()
                    .map(|(i, arn)| arn.clone().unwrap_or_else(|| format!("#{i}")))
                    .collect();
                resolve_ids(sel, &ids, page)
            }
            Pane::Targets => resolve_ids(sel, &target_ids, page),
            Pane::Scaling => resolve_ids(sel, &place_ids(scaling_lines.len()), page),
            Pane::Metrics => resolve_ids(sel, &place_ids(metric_lines.len()), page),
            Pane::Logs => {
                let lines: Vec<&crate::model::LogLine> = st.logs.iter().filter(matches).collect();
                crate::console::selection::resolve(
                    sel,
                    &lines,
                    |l, k| l.event_id == *k,
                    |l| l.event_id.clone(),
                    page,
                )
            }
        }
    });
    // a rebalance in the events: its (dimmed) events are routine, and the setting says why
    let events_title = if st
        .events
        .iter()
        .any(|e| st.event_category(&e.id) == Some("az_rebalancing"))
    {
        format!(
            "Events · AZ rebalancing {}",
            svc.az_rebalancing.as_deref().unwrap_or("")
        )
        .trim_end()
        .to_string()
    } else {
        Pane::Events.title().to_string()
    };
    let pane_of = |p: Pane, lines: Vec<Line>, source: Source, selectable: usize| {
        let (about, own) = match p {
            Pane::Logs => (Some(own_log_groups.as_slice()), st.logs_read_at),
            Pane::Targets => (Some(own_target_groups.as_slice()), own_targets_at),
            _ => (None, None),
        };
        let focused = ui.pane == p;
        let selected = (focused && selectable > 0)
            .then_some(resolved[p.index()].index)
            .flatten();
        Block {
            title: if p == Pane::Logs {
                log_title.clone()
            } else if p == Pane::Events {
                events_title.clone()
            } else {
                p.title().to_string()
            },
            focused,
            status: freshness_about(store, key.place, source, now, about, own),
            follow: p == Pane::Logs && following,
            selected: if p == Pane::Logs && following {
                None
            } else {
                selected
            },
            lines,
        }
    };
    vis.copy = match ui.pane {
        Pane::Findings => f_sel
            .and_then(|i| st.findings.get(i))
            .map(|f| f.confirm.clone()),
        Pane::Tasks => resolved[Pane::Tasks.index()]
            .index
            .and_then(|i| task_rows.get(i).cloned().flatten()),
        _ => Some(svc.arn.clone()),
    };
    vis.task_rows = task_rows;
    let n_events = events.len();
    let n_targets = target_lines.len();
    let n_metrics = metric_lines.len();
    let n_logs = log_lines.len();
    let n_tasks = vis.task_rows.len();
    let n_scaling = scaling_lines.len();
    let panes = vec![
        pane_of(Pane::Findings, findings, Source::Services, n_findings),
        pane_of(Pane::Events, events, Source::Services, n_events),
        pane_of(Pane::Tasks, task_lines, tasks_source(store, key), n_tasks),
        pane_of(Pane::Targets, target_lines, Source::Targets, n_targets),
        pane_of(Pane::Scaling, scaling_lines, Source::Scaling, n_scaling),
        pane_of(Pane::Metrics, metric_lines, Source::Metrics, n_metrics),
        pane_of(Pane::Logs, log_lines, Source::Logs, n_logs),
    ];
    vis.panes = resolved;
    Body::Service {
        summary,
        rollout,
        focused: ui.pane.index(),
        side: if ui.pane == Pane::Findings {
            ui.side.index()
        } else {
            ui.pane.index()
        },
        panes,
        tabs,
    }
}

/// Columns the findings take on the left of a split service view (half: at 120 columns a
/// finding's title of 49 characters fits, and so does a running task's row).
pub fn split_left(width: u16) -> u16 {
    width / 2
}

/// The tasks pane's freshness: the stopped-task source's, unless the running-task read fails.
fn tasks_source(store: &Store, key: &ServiceKey) -> Source {
    let running = store
        .place(key.place)
        .status
        .get(&Source::RunningTasks)
        .is_some_and(|st| !st.errors.is_empty());
    if running {
        Source::RunningTasks
    } else {
        Source::StoppedTasks
    }
}

/// `targets 1/3 healthy` for the header (nothing without a load balancer): the groups that
/// carry traffic (blue/green: `prod targets`), with targets under a zonal shift or found
/// anomalous counted.
fn targets_summary(store: &Store, svc: &crate::model::Service) -> Vec<super::Styled> {
    let groups = store.serving_groups_of(svc);
    if groups.is_empty() {
        return Vec::new();
    }
    let total: usize = groups.iter().map(|g| g.targets.len()).sum();
    let healthy: usize = groups
        .iter()
        .map(|g| g.targets.iter().filter(|t| t.state == "healthy").count())
        .sum();
    let shifted: usize = groups
        .iter()
        .map(|g| g.targets.iter().filter(|t| t.overridden()).count())
        .sum();
    let anomalous: usize = groups
        .iter()
        .map(|g| g.targets.iter().filter(|t| t.anomalous()).count())
        .sum();
    let mut out = vec![s(
        format!(
            "  {}targets {healthy}/{total} healthy",
            if svc.is_blue_green_lb() { "prod " } else { "" }
        ),
        if healthy < total {
            Meaning::HealthUnhealthy
        } else {
            Meaning::HealthHealthy
        },
    )];
    if shifted > 0 {
        out.push(s(
            format!(", {shifted} zonal shift"),
            Meaning::SeverityWarning,
        ));
    }
    if anomalous > 0 {
        out.push(s(
            format!(", {anomalous} anomalous"),
            Meaning::SeverityWarning,
        ));
    }
    out
}

/// The header's second line: the top finding, whole.
fn top_finding_line(st: &ServiceState) -> Line {
    match st.findings.first() {
        Some(f) => vec![
            s(
                format!("{} ", f.severity.as_str().to_uppercase()),
                severity_meaning(f.severity),
            ),
            s(f.title.clone(), Meaning::Text),
            s(
                if f.confidence == crate::diagnosis::Confidence::Family {
                    "  (family match)".to_string()
                } else {
                    String::new()
                },
                Meaning::Dim,
            ),
        ],
        None => vec![s("no findings", Meaning::Dim)],
    }
}

#[cfg(test)]
mod tests {
    use super::rollout_lines::breaker_threshold;
    use super::*;

    #[test]
    fn breaker_threshold_bounds() {
        assert_eq!(breaker_threshold(1), 3);
        assert_eq!(breaker_threshold(4), 3);
        assert_eq!(breaker_threshold(10), 5);
        assert_eq!(breaker_threshold(1000), 200);
    }

    #[test]
    fn progress() {
        assert_eq!(progress_bar(2, 4, 8), "[####----]");
        assert_eq!(progress_bar(0, 0, 4), "[----]");
        assert_eq!(progress_bar(9, 4, 4), "[####]");
    }
}
