//! `snapshot --format text`: a readable report for a terminal or a chat message.

use super::json::ts;
use super::status_badge;
use crate::diagnosis::task_category;
use crate::model::{MetricKind, Time, short_name, task_definition_label, task_id};
use crate::present::ago;
use crate::store::{ServiceState, Store};
use std::fmt::Write;

/// Events and log lines shown per service.
const EVENTS_SHOWN: usize = 8;
const LOGS_SHOWN: usize = 8;

fn hhmmss(t: Time) -> String {
    t.format("%H:%M:%SZ").to_string()
}

pub fn snapshot_text(store: &Store, now: Time) -> String {
    let mut o = String::new();
    if store.multi_target() {
        let _ = writeln!(
            o,
            "ecswatch snapshot  {}  {} targets",
            ts(now),
            store.places.len()
        );
        for (i, t) in store.places.iter().enumerate() {
            let n = store
                .services
                .keys()
                .filter(|k| usize::from(k.place) == i)
                .count();
            let _ = writeln!(
                o,
                "  {:<28} {n} services{}",
                t.label(),
                t.credentials_error()
                    .map(|e| format!("  CREDENTIALS: {e}"))
                    .unwrap_or_default()
            );
        }
    } else {
        let _ = writeln!(
            o,
            "ecswatch snapshot  {}  region {}",
            ts(now),
            display_region(store.region())
        );
    }
    if store.services.is_empty() {
        let _ = writeln!(o, "\nno services in scope");
    }
    for c in crate::store::findings::together::shared_causes(store, now) {
        let _ = writeln!(o, "\nfailing together: {}  {}", c.summary(), c.title);
    }
    let mut states: Vec<&ServiceState> = store.services.values().collect();
    states.sort_by_key(|s| (status_badge(store, s, now), s.service.key()));
    for state in states {
        service_text(&mut o, store, state, now);
    }
    let multi = store.multi_target();
    let errors: Vec<String> = store
        .places
        .iter()
        .flat_map(|t| {
            let label = if multi {
                format!("{} ", t.label())
            } else {
                String::new()
            };
            t.status.iter().flat_map(move |(src, st)| {
                let label = label.clone();
                st.errors
                    .iter()
                    .map(move |(at, e)| format!("  {label}{} ({}): {e}", src.name(), hhmmss(*at)))
            })
        })
        .collect();
    if !errors.is_empty() {
        let _ = writeln!(o, "\nerrors:");
        for e in errors {
            let _ = writeln!(o, "{e}");
        }
    }
    o
}

fn display_region(r: &str) -> &str {
    if r.is_empty() { "(none)" } else { r }
}

fn service_text(o: &mut String, store: &Store, state: &ServiceState, now: Time) {
    let s = &state.service;
    let pb = store.playbook();
    let _ = writeln!(
        o,
        "\n{}{}/{}  {}  running {}/{}{}  {}",
        if store.multi_target() {
            format!("[{}] ", store.place(s.place).label())
        } else {
            String::new()
        },
        s.cluster,
        s.name,
        status_badge(store, state, now).label(),
        s.running,
        s.desired,
        if s.pending > 0 {
            format!(" (pending {})", s.pending)
        } else {
            String::new()
        },
        task_definition_label(&s.task_definition)
    );
    if let (Some(st), reason) = s.rollout() {
        let _ = writeln!(
            o,
            "  rollout: {st}{}",
            reason.map(|r| format!(" - {r}")).unwrap_or_default()
        );
    }
    let sd = crate::view::rollout_plain(state, now);
    if !sd.is_empty() {
        let _ = writeln!(
            o,
            "  {}:",
            if s.ecs_controlled() {
                "service deployment"
            } else {
                "deployment controller"
            }
        );
        for l in sd {
            let _ = writeln!(o, "    {l}");
        }
    }
    if !s.deployments.is_empty() {
        let _ = writeln!(o, "  deployments:");
        for d in &s.deployments {
            let _ = writeln!(
                o,
                "    {:<8} {:<22} {}/{} running, {} pending, {} failed  {}{}",
                d.status,
                task_definition_label(&d.task_definition),
                d.running,
                d.desired,
                d.pending,
                d.failed,
                d.rollout_state.as_deref().unwrap_or("-"),
                d.created_at
                    .map(|t| format!("  started {}", ago(now, t)))
                    .unwrap_or_default()
            );
        }
    }
    let findings: Vec<_> = state.findings.iter().collect();
    if !findings.is_empty() {
        let _ = writeln!(o, "  findings:");
        for f in findings {
            let _ = writeln!(
                o,
                "    [{}] {} ({}{})",
                f.severity.as_str().to_uppercase(),
                f.title,
                f.id,
                f.confidence.note()
            );
            for e in f.evidence.iter().take(3) {
                let _ = writeln!(o, "        {e}");
            }
            let _ = writeln!(o, "      fix: {}", f.fix);
            let _ = writeln!(o, "      confirm: {}", f.confirm);
        }
    }
    let tasks: Vec<_> = state
        .stopped
        .iter()
        .filter_map(|a| store.stopped_tasks.get(a))
        .collect();
    if !tasks.is_empty() {
        let _ = writeln!(o, "  stopped tasks ({}), by reason:", tasks.len());
        let mut groups: Vec<(String, usize, Option<Time>, String)> = Vec::new();
        for t in &tasks {
            let cat = task_category(pb, t)
                .map(|(e, _)| e.id.clone())
                .unwrap_or_else(|| "unclassified".into());
            // the stopped reason, then the cause of any attachment ECS could not set up
            let sample = t
                .stopped_reason
                .iter()
                .filter(|r| !r.is_empty())
                .cloned()
                .chain(t.attachment_reasons.iter().map(|a| format!("[{a}]")))
                .collect::<Vec<_>>()
                .join(" ");
            match groups.iter_mut().find(|g| g.0 == cat) {
                Some(g) => {
                    g.1 += 1;
                    g.2 = g.2.max(t.stopped_at);
                }
                None => groups.push((cat, 1, t.stopped_at, sample)),
            }
        }
        for (cat, n, last, sample) in groups {
            let codes: Vec<String> = tasks
                .iter()
                .filter(|t| {
                    task_category(pb, t)
                        .map(|(e, _)| e.id.as_str())
                        .unwrap_or("unclassified")
                        == cat
                })
                .flat_map(|t| {
                    t.containers
                        .iter()
                        .filter_map(|c| c.exit_code.map(|x| format!("{}={x}", c.name)))
                })
                .take(3)
                .collect();
            let _ = writeln!(
                o,
                "    {n}x {cat}{}{}  {}",
                last.map(|t| format!("  last {}", ago(now, t)))
                    .unwrap_or_default(),
                if codes.is_empty() {
                    String::new()
                } else {
                    format!("  exit {}", codes.join(","))
                },
                truncate(&sample, 140)
            );
        }
        if let Some(t) = tasks.first() {
            let _ = writeln!(
                o,
                "    newest: task {} ({})",
                task_id(&t.arn),
                task_definition_label(&t.task_definition)
            );
        }
    }
    if let Some(sc) = s.service_connect() {
        let endpoints: Vec<String> = sc
            .services
            .iter()
            .map(|e| {
                let aliases: Vec<String> = e
                    .aliases
                    .iter()
                    .map(|(p, d)| format!("{}:{p}", d.as_deref().unwrap_or("")))
                    .collect();
                format!(
                    "{} (port {}{}{})",
                    e.discovery_name.as_deref().unwrap_or(&e.port_name),
                    e.port_name,
                    if aliases.is_empty() {
                        String::new()
                    } else {
                        format!(", {}", aliases.join(" "))
                    },
                    if e.tls_ca.is_some() { ", tls" } else { "" }
                )
            })
            .collect();
        let _ = writeln!(
            o,
            "  service connect: namespace {}{}",
            sc.namespace.as_deref().map(short_name).unwrap_or("?"),
            if endpoints.is_empty() {
                " (client only)".to_string()
            } else {
                format!(", endpoints {}", endpoints.join(", "))
            }
        );
    }
    for l in s.lattice_groups() {
        match store.lattice.get(&l.target_group_arn) {
            None => {
                let _ = writeln!(
                    o,
                    "  vpc lattice {} (port {}): not read",
                    short_name(&l.target_group_arn),
                    l.port_name
                );
            }
            Some((targets, _)) => {
                let healthy = targets.iter().filter(|t| t.status == "HEALTHY").count();
                let _ = writeln!(
                    o,
                    "  vpc lattice {} (port {}): {healthy}/{} healthy",
                    short_name(&l.target_group_arn),
                    l.port_name,
                    targets.len()
                );
                for t in targets.iter().filter(|t| t.status != "HEALTHY") {
                    let _ = writeln!(
                        o,
                        "    {}{} {} {}",
                        t.id,
                        t.port.map(|p| format!(":{p}")).unwrap_or_default(),
                        t.status,
                        t.reason.as_deref().unwrap_or("")
                    );
                }
            }
        }
    }
    for gv in store.traffic_of(s) {
        let role = if gv.blue_green {
            format!(" [{}]", gv.role.label())
        } else {
            String::new()
        };
        let Some(g) = gv.state else {
            let _ = writeln!(o, "  targets {}{role}: not read", gv.name());
            continue;
        };
        let healthy = g.targets.iter().filter(|t| t.state == "healthy").count();
        let shifted = g.targets.iter().filter(|t| t.overridden()).count();
        let anomalous = g.targets.iter().filter(|t| t.anomalous()).count();
        let mut extra = String::new();
        if shifted > 0 {
            let _ = write!(extra, ", {shifted} zonal shift");
        }
        if anomalous > 0 {
            let _ = write!(extra, ", {anomalous} anomalous");
        }
        let _ = writeln!(
            o,
            "  targets {}{role} ({}, deregistration {}): {healthy}/{} healthy{extra}",
            g.group.name,
            g.group.target_type.as_deref().unwrap_or("?"),
            g.group
                .deregistration_delay_s
                .map(|d| format!("{d}s"))
                .unwrap_or_else(|| "?".into()),
            g.targets.len()
        );
        if gv.blue_green && !gv.why.is_empty() {
            let _ = writeln!(o, "    role from: {}", gv.why);
        }
        for t in g
            .targets
            .iter()
            .filter(|t| t.state != "healthy" || t.overridden() || t.anomalous())
        {
            let mut notes = String::new();
            if t.overridden() {
                let _ = write!(
                    notes,
                    " [{} {}]",
                    t.override_state.as_deref().unwrap_or(""),
                    t.override_reason.as_deref().unwrap_or("")
                );
            }
            if t.anomalous() {
                let _ = write!(
                    notes,
                    " [anomalous, mitigation {}]",
                    t.mitigation.as_deref().unwrap_or("?")
                );
            }
            let _ = writeln!(
                o,
                "    {}{} {} {}{}{notes}",
                t.id,
                t.port.map(|p| format!(":{p}")).unwrap_or_default(),
                t.state,
                t.reason.as_deref().unwrap_or(""),
                t.description
                    .as_deref()
                    .map(|d| format!(" - {d}"))
                    .unwrap_or_default()
            );
        }
    }
    let metrics: Vec<String> = MetricKind::ALL
        .iter()
        .filter_map(|k| {
            let ring = state.metrics.get(k)?;
            let last = ring.last()?;
            Some(format!("{} {}", k.json_key(), fmt_value(*k, last.v)))
        })
        .collect();
    if !metrics.is_empty() {
        let _ = writeln!(o, "  metrics (latest): {}", metrics.join(", "));
    }
    if !state.events.is_empty() {
        let _ = writeln!(
            o,
            "  events (newest first, {} of {}):",
            EVENTS_SHOWN.min(state.events.len()),
            state.events.len()
        );
        for e in state.events.iter().take(EVENTS_SHOWN) {
            let cat = state.event_category(&e.id).unwrap_or("-");
            let _ = writeln!(
                o,
                "    {}  {}  [{cat}]",
                e.created_at
                    .map(hhmmss)
                    .unwrap_or_else(|| "--:--:--Z".into()),
                truncate(&e.message, 160)
            );
        }
    }
    if !state.logs.is_empty() {
        let n = state.logs.len();
        let _ = writeln!(o, "  logs (last {} of {n}):", LOGS_SHOWN.min(n));
        for l in state.logs.iter().skip(n.saturating_sub(LOGS_SHOWN)) {
            let _ = writeln!(
                o,
                "    {}  {}  {}",
                hhmmss(l.t),
                l.stream,
                truncate(&l.message, 160)
            );
        }
    }
}

fn fmt_value(kind: MetricKind, v: f64) -> String {
    match kind {
        MetricKind::CpuUtilization | MetricKind::MemoryUtilization => format!("{v:.1}%"),
        MetricKind::TargetResponseTimeP95 => format!("{:.0}ms", v * 1000.0),
        MetricKind::ConnectResponseTimeP95 => format!("{v:.0}ms"),
        _ => format!("{v:.0}"),
    }
}

fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(max.saturating_sub(3)).collect();
        t.push_str("...");
        t
    }
}
