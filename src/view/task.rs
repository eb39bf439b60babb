//! Task detail: containers, exit codes, reasons, the finding, the task's own log stream.

use super::Line;
use super::board::severity_meaning;
use super::{Block, Body, Size, ago, freshness, freshness_about, s, wrap};
use crate::console::state::{UiState, Visible};
use crate::diagnosis::{EvidenceKind, task_category};
use crate::model::Source;
use crate::model::{ServiceKey, Task, Time, task_definition_label, task_id};
use crate::store::Store;
use crate::store::findings::restarts::RESTART_WINDOW_MIN;
use crate::theme::Meaning;

pub fn build(
    store: &Store,
    ui: &UiState,
    key: &ServiceKey,
    arn: &str,
    now: Time,
    size: Size,
    vis: &mut Visible,
) -> Body {
    let w = usize::from(size.width).saturating_sub(2);
    vis.copy = Some(arn.to_string());
    let running = store
        .services
        .get(key)
        .and_then(|st| st.running.iter().find(|t| t.arn == arn));
    let Some(t) = running.or_else(|| store.stopped_tasks.get(arn)) else {
        return Body::Task {
            detail: Block {
                title: "Task".into(),
                lines: vec![vec![s(
                    format!("task {arn} is not in the store"),
                    Meaning::Dim,
                )]],
                ..Default::default()
            },
            logs: Block::default(),
        };
    };
    let pb = store.playbook();
    let mut lines = wrap("task        ", &t.arn, Meaning::Text, w);
    lines.extend([
        vec![
            s("definition  ", Meaning::Key),
            s(
                task_definition_label(&t.task_definition).to_string(),
                Meaning::Text,
            ),
        ],
        vec![
            s("status      ", Meaning::Key),
            s(
                format!("{} (desired {})", t.last_status, t.desired_status),
                Meaning::Text,
            ),
            s(
                t.stopped_at
                    .map(|x| format!("  stopped {} ({})", x.format("%H:%M:%SZ"), ago(now, x)))
                    .unwrap_or_default(),
                Meaning::Dim,
            ),
        ],
    ]);
    if running.is_none() {
        lines.push(vec![
            s("stop code   ", Meaning::Key),
            s(
                t.stop_code.clone().unwrap_or_else(|| "-".into()),
                Meaning::Text,
            ),
        ]);
    }
    if running.is_some() {
        lines.extend(running_lines(store, key, t, now));
    } else {
        lines.extend(wrap(
            "reason      ",
            t.stopped_reason.as_deref().unwrap_or("-"),
            Meaning::Text,
            w,
        ));
    }
    // the EC2 or Managed Instance it runs (ran) on, as last read
    if let Some(arn) = t.container_instance_arn.as_deref() {
        let text = match store.instance_of(t) {
            Some(i) => {
                let cp = i
                    .capacity_provider
                    .as_deref()
                    .map(|c| format!(" [{c}]"))
                    .unwrap_or_default();
                format!("{}{cp}: {}", i.name(), i.state_line())
            }
            None => format!("{} (not read yet)", crate::model::short_name(arn)),
        };
        let bad = store
            .instance_of(t)
            .is_some_and(|i| !i.agent_connected || i.is_impaired() || i.status == "DRAINING");
        lines.extend(wrap(
            "instance    ",
            &text,
            if bad {
                Meaning::HealthUnhealthy
            } else {
                Meaning::Text
            },
            w,
        ));
    }
    // where ECS put the cause instead: an attachment it could not set up or release
    for a in &t.attachment_reasons {
        let status = a.status.as_deref().unwrap_or("-");
        lines.extend(wrap(
            "attachment  ",
            &format!("{} {status}: {}", a.label(), a.reason),
            Meaning::Text,
            w,
        ));
    }
    if let Some((entry, matched)) = task_category(pb, t) {
        lines.push(vec![]);
        lines.push(vec![
            s(
                format!("{} ", entry.severity.as_str().to_uppercase()),
                severity_meaning(entry.severity),
            ),
            s(format!("{} ({})", entry.title, entry.id), Meaning::Title),
        ]);
        lines.extend(wrap("evidence: ", &matched, Meaning::Text, w));
        lines.extend(wrap("fix: ", &entry.fix, Meaning::Text, w));
        if let Some(f) = store
            .services
            .get(key)
            .and_then(|st| st.findings.iter().find(|f| f.id == entry.id))
        {
            lines.extend(wrap("confirm: ", &f.confirm, Meaning::Text, w));
        }
    }
    // Container Insights with enhanced observability: the task's usage and its containers'
    // restarts in place in the last 15 minutes (a running task of the open service)
    let usage = running.and_then(|_| {
        let st = store.services.get(key)?;
        st.task_metrics.read_at?;
        let since = now - chrono::Duration::minutes(RESTART_WINDOW_MIN);
        Some(st.task_metrics.usage(task_id(&t.arn), since, t.started_at))
    });
    if let Some(u) = usage
        .as_ref()
        .filter(|u| u.cpu.is_some() || u.memory.is_some())
    {
        let pct = |v: Option<f64>| v.map_or("-".to_string(), |v| format!("{v:.0}%"));
        lines.push(vec![
            s("usage       ", Meaning::Key),
            s(
                format!(
                    "cpu {} memory {} (Container Insights, last minute read)",
                    pct(u.cpu),
                    pct(u.memory)
                ),
                Meaning::Text,
            ),
        ]);
    }
    lines.push(vec![]);
    lines.push(vec![s("Containers", Meaning::Title)]);
    // containers ECS restarts in place: a crash loop there stops no task
    let restarts = |name: &str| {
        let policy = store.restart_policy_of(t, name)?;
        let counted = usage
            .as_ref()
            .and_then(|u| u.restarts.iter().find(|(c, _, _)| c == name));
        Some(match counted {
            Some((_, n, total)) => vec![s(
                format!(
                    "  {:<14}{}: restarted {n} time{} in {RESTART_WINDOW_MIN} min ({total} in all)",
                    "",
                    policy.describe(),
                    if *n == 1 { "" } else { "s" }
                ),
                if *n > 0 {
                    Meaning::HealthUnhealthy
                } else {
                    Meaning::Dim
                },
            )],
            None => vec![s(
                format!(
                    "  {:<14}{}: a crash loop stops no task (read its logs)",
                    "",
                    policy.describe()
                ),
                Meaning::Dim,
            )],
        })
    };
    for c in &t.containers {
        let cat = c
            .reason
            .as_deref()
            .and_then(|r| pb.classify(Some(EvidenceKind::ContainerReason), r))
            .or_else(|| c.exit_code.and_then(|x| pb.classify_exit_code(x)));
        if running.is_some() {
            lines.push(vec![
                s(format!("  {:<14}", c.name), Meaning::Text),
                s(
                    format!("{:<9} ", c.last_status.as_deref().unwrap_or("-")),
                    Meaning::Text,
                ),
                s(
                    format!("health {:<9} ", c.health_status.as_deref().unwrap_or("-")),
                    super::tasks::health_meaning(c.health_status.as_deref()),
                ),
                s(
                    format!("exec agent {}", c.exec_agent.as_deref().unwrap_or("-")),
                    Meaning::Dim,
                ),
            ]);
            if let Some(img) = &c.image {
                lines.push(vec![s(format!("  {:<14}image {img}", ""), Meaning::Dim)]);
            }
            lines.extend(restarts(&c.name));
            continue;
        }
        lines.push(vec![
            s(format!("  {:<14}", c.name), Meaning::Text),
            s(
                format!(
                    "exit {:<5}",
                    c.exit_code
                        .map(|x| x.to_string())
                        .unwrap_or_else(|| "-".into())
                ),
                Meaning::Text,
            ),
            s(
                cat.map(|e| format!("[{}] ", e.id)).unwrap_or_default(),
                cat.map(|e| severity_meaning(e.severity))
                    .unwrap_or(Meaning::Dim),
            ),
            s(c.reason.clone().unwrap_or_default(), Meaning::Text),
        ]);
        if let Some(img) = &c.image {
            lines.push(vec![s(format!("  {:<14}image {img}", ""), Meaning::Dim)]);
        }
        lines.extend(restarts(&c.name));
    }
    let id = task_id(arn);
    let line = |l: &crate::model::LogLine| {
        vec![
            s(format!("{} ", l.t.format("%H:%M:%S")), Meaning::Dim),
            s(l.message.clone(), Meaning::Text),
        ]
    };
    // the task's own stream once read; until then its lines in the service's tail
    let own = store.task_logs.get(arn);
    let log_lines: Vec<_> = match own {
        Some(lines) => lines.iter().map(line).collect(),
        None => store
            .services
            .get(key)
            .map(|st| {
                st.logs
                    .iter()
                    .filter(|l| l.stream.ends_with(id))
                    .map(line)
                    .collect()
            })
            .unwrap_or_default(),
    };
    let logs = Block {
        title: format!("Log stream .../{}", super::head(id, 12)),
        status: {
            // the errors about this task's own log groups only
            let groups: Vec<String> = store
                .task_definitions
                .get(&t.task_definition)
                .map(|td| {
                    td.containers
                        .iter()
                        .filter_map(|c| c.log.as_ref()?.group.clone())
                        .collect()
                })
                .unwrap_or_default();
            freshness_about(store, key.place, Source::Logs, now, Some(&groups), None)
        },
        follow: true,
        lines: if log_lines.is_empty() {
            vec![vec![s(
                if own.is_some() {
                    "its log stream has no lines"
                } else {
                    "no lines from this task in the service's recent tail"
                },
                Meaning::Dim,
            )]]
        } else {
            log_lines
        },
        ..Default::default()
    };
    let n = lines.len();
    Body::Task {
        detail: Block {
            title: "Task".into(),
            focused: true,
            status: freshness(
                store,
                key.place,
                if running.is_some() {
                    Source::RunningTasks
                } else {
                    Source::StoppedTasks
                },
                now,
            ),
            selected: Some(ui.task_selected.min(n.saturating_sub(1))),
            lines,
            follow: false,
        },
        logs,
    }
}

/// A running task's placement and its load-balancer targets: the task's IP is the target id
/// of an `ip` target group (awsvpc), so each group says how it sees this very task.
fn running_lines(store: &Store, key: &ServiceKey, t: &Task, now: Time) -> Vec<Line> {
    let mut lines = vec![
        vec![
            s("health      ", Meaning::Key),
            s(
                t.health_status.clone().unwrap_or_else(|| "-".into()),
                super::tasks::health_meaning(t.health_status.as_deref()),
            ),
            s(
                t.started_at
                    .map(|x| format!("  started {} ({})", x.format("%H:%M:%SZ"), ago(now, x)))
                    .unwrap_or_default(),
                Meaning::Dim,
            ),
        ],
        vec![
            s("placement   ", Meaning::Key),
            s(
                format!(
                    "{}  {}  {}",
                    t.placement().unwrap_or("-"),
                    t.availability_zone.as_deref().unwrap_or("-"),
                    t.private_ip.as_deref().unwrap_or("-")
                ),
                Meaning::Text,
            ),
        ],
        vec![
            s("exec        ", Meaning::Key),
            s(
                if t.exec_enabled {
                    "enabled (e opens a shell)"
                } else {
                    "not enabled for this task"
                },
                Meaning::Text,
            ),
        ],
    ];
    let Some(st) = store.services.get(key) else {
        return lines;
    };
    let groups = store.target_groups_of(&st.service);
    if groups.is_empty() {
        return lines;
    }
    lines.push(vec![]);
    lines.push(vec![s("Targets", Meaning::Title)]);
    for g in groups {
        let me: Vec<_> = g
            .targets
            .iter()
            .filter(|x| t.private_ip.as_deref() == Some(x.id.as_str()))
            .collect();
        if me.is_empty() {
            lines.push(vec![
                s(format!("  {} ", g.group.name), Meaning::Text),
                s(
                    match (g.group.target_type.as_deref(), &t.private_ip) {
                        (Some("ip"), Some(ip)) => format!("{ip} is not registered"),
                        (Some("ip"), None) => "the task has no private IP to match".into(),
                        (kind, _) => format!(
                            "{} targets are not matched to tasks",
                            kind.unwrap_or("unknown")
                        ),
                    },
                    Meaning::HealthOther,
                ),
            ]);
        }
        for x in me {
            let m = match x.state.as_str() {
                "healthy" => Meaning::HealthHealthy,
                "unhealthy" => Meaning::HealthUnhealthy,
                _ => Meaning::HealthOther,
            };
            lines.push(vec![
                s(format!("  {} ", g.group.name), Meaning::Text),
                s(x.state.to_uppercase(), m),
                s(
                    format!(" {}", x.reason.clone().unwrap_or_default()),
                    Meaning::Text,
                ),
                s(
                    x.description
                        .as_deref()
                        .map(|d| format!(" - {d}"))
                        .unwrap_or_default(),
                    Meaning::Dim,
                ),
            ]);
        }
    }
    lines
}
