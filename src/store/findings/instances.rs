//! Findings from the container instances the service's tasks run on (EC2 and Managed
//! Instances): an agent that is disconnected, a failing health check, a drain in progress. From
//! structure, as DescribeContainerInstances reports it, like the traffic findings: the running
//! tasks of the open service (the only service whose running tasks are read) and the service's
//! stopped tasks of the evidence window.

use crate::diagnosis::{ConfirmContext, EVIDENCE_WINDOW_H, Finding};
use crate::model::{ContainerInstance, Time, task_id};
use crate::store::{ServiceState, Store};

pub fn lint_instances(
    store: &Store,
    state: &ServiceState,
    ctx: &ConfirmContext,
    now: Time,
) -> Vec<Finding> {
    let since = now - chrono::Duration::hours(EVIDENCE_WINDOW_H);
    // each instance once, with the tasks of this service on it: (instance, running, stopped)
    let mut hosts: Vec<(&ContainerInstance, Vec<String>, Vec<String>)> = Vec::new();
    let mut note = |arn: Option<&String>, task: String, running: bool| {
        let Some((i, _)) = arn.and_then(|a| store.container_instances.get(a)) else {
            return;
        };
        let at = match hosts.iter().position(|(h, _, _)| h.arn == i.arn) {
            Some(at) => at,
            None => {
                hosts.push((i, Vec::new(), Vec::new()));
                hosts.len() - 1
            }
        };
        if running {
            hosts[at].1.push(task);
        } else {
            hosts[at].2.push(task);
        }
    };
    for t in &state.running {
        note(
            t.container_instance_arn.as_ref(),
            task_id(&t.arn).to_string(),
            true,
        );
    }
    for t in state
        .stopped
        .iter()
        .filter_map(|a| store.stopped_tasks.get(a))
        .filter(|t| t.stopped_at.or(t.stopping_at).is_none_or(|at| at >= since))
    {
        note(
            t.container_instance_arn.as_ref(),
            task_id(&t.arn).to_string(),
            false,
        );
    }
    let tasks_on = |running: &[String], stopped: &[String]| {
        let mut parts = Vec::new();
        if !running.is_empty() {
            parts.push(format!("runs {}", list(running)));
        }
        if !stopped.is_empty() {
            parts.push(format!("ran stopped {}", list(stopped)));
        }
        parts.join(", ")
    };
    let pb = store.playbook();
    let mut by_id: Vec<(&str, ConfirmContext, Vec<String>)> = Vec::new();
    let mut add = |id: &'static str, i: &ContainerInstance, line: String| match by_id
        .iter_mut()
        .find(|(x, _, _)| *x == id)
    {
        Some((_, _, ev)) => ev.push(line),
        None => {
            let mut c = ctx.clone();
            c.container_instance = Some(i.arn.clone());
            by_id.push((id, c, vec![line]));
        }
    };
    for (i, running, stopped) in &hosts {
        let on = tasks_on(running, stopped);
        let cp = i
            .capacity_provider
            .as_deref()
            .map(|c| format!(" [{c}]"))
            .unwrap_or_default();
        let live = matches!(i.status.as_str(), "ACTIVE" | "DRAINING");
        if live && !i.agent_connected {
            add(
                "instance_agent_disconnected",
                i,
                format!("instance {}{cp}: {} ({on})", i.name(), i.state_line()),
            );
        } else if i.is_impaired() {
            add(
                "instance_impaired",
                i,
                format!("instance {}{cp}: {} ({on})", i.name(), i.state_line()),
            );
        }
        if i.status == "DRAINING" && !running.is_empty() {
            let why = i
                .status_reason
                .as_deref()
                .filter(|r| !r.is_empty())
                .map(|r| format!(": {r}"))
                .unwrap_or_default();
            add(
                "instance_is_draining",
                i,
                format!("instance {}{cp} is DRAINING{why} ({on})", i.name()),
            );
        }
    }
    by_id
        .into_iter()
        .filter_map(|(id, c, evidence)| {
            let entry = pb.entry(id)?;
            let mut f = Finding::from_entry(entry, &c);
            f.count = evidence.len();
            f.evidence = evidence;
            Some(f)
        })
        .collect()
}

/// "task a, b and 3 more".
fn list(ids: &[String]) -> String {
    let word = if ids.len() == 1 { "task" } else { "tasks" };
    let shown: Vec<&str> = ids.iter().take(3).map(String::as_str).collect();
    let more = ids.len().saturating_sub(3);
    if more > 0 {
        format!("{word} {} and {more} more", shown.join(", "))
    } else {
        format!("{word} {}", shown.join(", "))
    }
}
