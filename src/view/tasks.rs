//! The tasks pane: the open service's running tasks (as last listed), then its stopped tasks
//! grouped by cause. Each task row can be opened (task detail) and is what `X` and `e` act on.

use super::board::severity_meaning;
use super::{Line, ago, head, s};
use crate::diagnosis::task_category;
use crate::model::{Task, Time, task_definition_label, task_id};
use crate::store::findings::restarts::RESTART_WINDOW_MIN;
use crate::store::{ServiceState, Store};
use crate::theme::Meaning;

/// `:41` from a task definition ARN (the family is the service's, usually).
fn revision(td: &str) -> String {
    let label = task_definition_label(td);
    match label.rsplit_once(':') {
        Some((_, rev)) => format!(":{rev}"),
        None => label.to_string(),
    }
}

pub fn health_meaning(h: Option<&str>) -> Meaning {
    match h {
        Some("HEALTHY") => Meaning::HealthHealthy,
        Some("UNHEALTHY") => Meaning::HealthUnhealthy,
        _ => Meaning::HealthOther,
    }
}

/// One running task: id, revision, status, health, capacity provider, AZ, IP, age, exec agent.
/// `width`: from 100 columns whole names and the status; from 75 short names (SPOT, 1a) and
/// the status only when it is not RUNNING; below, no placement either (task detail has it).
/// A task on an EC2 or Managed Instance that is not well says so after its health: `host
/// DRAINING`, `host agent off`, `host IMPAIRED`; one whose containers restarted in place in
/// the last 15 minutes says how often (`3 restarts`). From 100 columns, its CPU and memory
/// (Container Insights with enhanced observability) close the row.
fn running_row(
    t: &Task,
    host: Option<&crate::model::ContainerInstance>,
    usage: &crate::model::TaskUsage,
    now: Time,
    width: usize,
) -> Line {
    let wide = width >= 100;
    let narrow = width < 75;
    let status = if t.desired_status != t.last_status && !t.desired_status.is_empty() {
        format!("{}>{}", t.last_status, t.desired_status)
    } else {
        t.last_status.clone()
    };
    let health = t.health_status.as_deref().unwrap_or("-");
    let cp = t.placement().unwrap_or("-");
    let az = t.availability_zone.as_deref().unwrap_or("-");
    let (cp, az) = if wide {
        (cp.to_string(), az.to_string())
    } else {
        // FARGATE_SPOT -> SPOT; us-east-1a -> 1a
        let cp = cp.strip_prefix("FARGATE_").unwrap_or(cp).to_string();
        let az = az
            .rsplit_once('-')
            .map(|(_, tail)| tail.to_string())
            .unwrap_or_else(|| az.to_string());
        (cp, az)
    };
    let exec = t.exec_container().and_then(|c| c.exec_agent.as_deref());
    let mut line = vec![
        s(format!("  {} ", head(task_id(&t.arn), 12)), Meaning::Text),
        s(format!("{:<5}", revision(&t.task_definition)), Meaning::Dim),
    ];
    // a task that is RUNNING says its health; one that is not, where it is in its life
    if wide {
        line.push(s(format!("{status:<8} "), Meaning::Text));
    }
    if wide || t.last_status == "RUNNING" {
        line.push(s(
            format!("{health:<9} "),
            health_meaning(t.health_status.as_deref()),
        ));
    } else {
        line.push(s(format!("{:<9} ", head(&status, 9)), Meaning::HealthOther));
    }
    // a host that is not well comes before the placement: it is why this task is in trouble
    let host_word = host.and_then(|i| {
        if !i.agent_connected {
            Some("agent off")
        } else if i.is_impaired() {
            Some("IMPAIRED")
        } else if i.status != "ACTIVE" {
            Some(i.status.as_str())
        } else {
            None
        }
    });
    if let Some(word) = host_word {
        line.push(s(format!("host {word} "), Meaning::HealthUnhealthy));
    }
    let restarted = usage.restarted();
    if restarted > 0 {
        line.push(s(
            format!(
                "{restarted} restart{} ",
                if restarted == 1 { "" } else { "s" }
            ),
            Meaning::HealthUnhealthy,
        ));
    }
    if !narrow {
        line.push(s(
            format!("{cp:<w$} ", w = if wide { 12 } else { 7 }),
            Meaning::Dim,
        ));
        line.push(s(
            format!("{az:<w$} ", w = if wide { 11 } else { 3 }),
            Meaning::Dim,
        ));
    }
    line.push(s(
        format!("{:<15} ", t.private_ip.as_deref().unwrap_or("-")),
        Meaning::Text,
    ));
    line.push(s(
        format!(
            "{:<7}",
            t.started_at
                .map(|x| ago(now, x).replace(" ago", ""))
                .unwrap_or_else(|| "-".into())
        ),
        Meaning::Dim,
    ));
    line.push(s(
        match (exec, wide) {
            (Some("RUNNING"), false) => "exec".to_string(),
            (Some(st), _) => format!(" exec {}", st.to_lowercase()),
            (None, _) if t.exec_enabled => " exec -".into(),
            (None, _) => String::new(),
        },
        if exec == Some("RUNNING") {
            Meaning::HealthHealthy
        } else {
            Meaning::Dim
        },
    ));
    if wide && (usage.cpu.is_some() || usage.memory.is_some()) {
        let pct = |v: Option<f64>| v.map_or("-".to_string(), |v| format!("{v:.0}%"));
        line.push(s(
            format!(" cpu {} mem {}", pct(usage.cpu), pct(usage.memory)),
            Meaning::Dim,
        ));
    }
    line
}

/// The pane's lines and, per line, the task ARN it selects (None for headings).
pub fn task_pane(
    store: &Store,
    st: &ServiceState,
    now: Time,
    width: usize,
) -> (Vec<Line>, Vec<Option<String>>) {
    let mut lines = Vec::new();
    let mut rows = Vec::new();
    let mut push = |line: Line, arn: Option<String>| {
        lines.push(line);
        rows.push(arn);
    };
    match st.running_read_at {
        None => push(
            vec![s(
                "running: listed while the service is open ...",
                Meaning::Dim,
            )],
            None,
        ),
        Some(at) => {
            let mut heading = vec![
                s(format!("RUNNING {}", st.running.len()), Meaning::Title),
                s(
                    format!(" (desired {}, listed {})", st.service.desired, ago(now, at)),
                    Meaning::Dim,
                ),
            ];
            // the busiest task (Container Insights with enhanced observability)
            if let Some((task, cpu, mem)) = st.task_metrics.top_tasks().into_iter().next() {
                let pct = |v: Option<f64>| v.map_or("-".to_string(), |v| format!("{v:.0}%"));
                heading.push(s(
                    format!(" top {} cpu {} mem {}", head(&task, 8), pct(cpu), pct(mem)),
                    Meaning::Dim,
                ));
            }
            push(heading, None);
            let since = now - chrono::Duration::minutes(RESTART_WINDOW_MIN);
            for t in &st.running {
                let usage = st.task_metrics.usage(task_id(&t.arn), since, t.started_at);
                push(
                    running_row(t, store.instance_of(t), &usage, now, width),
                    Some(t.arn.clone()),
                );
            }
        }
    }

    // stopped tasks grouped by category, each task selectable
    let pb = store.playbook();
    let mut groups: Vec<(String, Vec<&Task>)> = Vec::new();
    for t in st.stopped.iter().filter_map(|a| store.stopped_tasks.get(a)) {
        let cat = task_category(pb, t)
            .map(|(e, _)| e.id.clone())
            .unwrap_or_else(|| "unclassified".into());
        match groups.iter_mut().find(|(c, _)| *c == cat) {
            Some((_, v)) => v.push(t),
            None => groups.push((cat, vec![t])),
        }
    }
    if groups.is_empty() {
        push(vec![s("no stopped tasks", Meaning::Dim)], None);
    } else {
        push(
            vec![s(format!("STOPPED {}", st.stopped.len()), Meaning::Title)],
            None,
        );
    }
    for (cat, tasks) in &groups {
        let entry = pb.entry(cat);
        push(
            vec![
                s(format!("{}x ", tasks.len()), Meaning::Key),
                s(
                    cat.clone(),
                    entry
                        .map(|e| severity_meaning(e.severity))
                        .unwrap_or(Meaning::Text),
                ),
                s(
                    entry.map(|e| format!("  {}", e.title)).unwrap_or_default(),
                    Meaning::Dim,
                ),
            ],
            None,
        );
        for t in tasks {
            let exit: Vec<String> = t
                .containers
                .iter()
                .filter_map(|c| c.exit_code.map(|x| format!("{}={x}", c.name)))
                .collect();
            push(
                vec![
                    s(format!("  {} ", head(task_id(&t.arn), 12)), Meaning::Text),
                    s(
                        format!("{} ", task_definition_label(&t.task_definition)),
                        Meaning::Dim,
                    ),
                    s(
                        t.stopped_at.map(|x| ago(now, x)).unwrap_or_default(),
                        Meaning::Dim,
                    ),
                    s(
                        if exit.is_empty() {
                            String::new()
                        } else {
                            format!(" exit {}", exit.join(","))
                        },
                        Meaning::Text,
                    ),
                    s(format!(" {}", row_reason(t)), Meaning::Text),
                ],
                Some(t.arn.clone()),
            );
        }
    }
    (lines, rows)
}

/// A stopped task's reason for its row: the stopped reason, or, when ECS left it empty, the
/// first attachment it gave a reason for (an EBS volume it could not attach).
fn row_reason(t: &Task) -> String {
    match t.stopped_reason.as_deref().filter(|r| !r.trim().is_empty()) {
        Some(r) => r.to_string(),
        None => t
            .attachment_reasons
            .first()
            .map(ToString::to_string)
            .unwrap_or_default(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_row_without_a_stopped_reason_shows_the_attachment_s() {
        let mut t = Task {
            attachment_reasons: vec![crate::model::AttachmentReason {
                kind: "AmazonElasticBlockStorage".into(),
                status: Some("FAILED".into()),
                reason: "ECS timed out while configuring the EBS volume attachment to your Task"
                    .into(),
            }],
            ..Default::default()
        };
        assert_eq!(
            row_reason(&t),
            "EBS volume: ECS timed out while configuring the EBS volume attachment to your Task"
        );
        // a stopped reason ECS did give comes first; the task detail shows the attachment too
        t.stopped_reason = Some("Task failed to start".into());
        assert_eq!(row_reason(&t), "Task failed to start");
    }

    #[test]
    fn revision_of_an_arn() {
        assert_eq!(
            revision("arn:aws:ecs:us-east-1:1:task-definition/checkout-api:41"),
            ":41"
        );
    }
}
