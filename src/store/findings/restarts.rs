//! Findings from containers that restart in place (a restart policy): no task stops, so no
//! stopped reason says anything; Container Insights' `RestartCount` (enhanced observability)
//! is the only witness. Three restarts or more in [`RESTART_WINDOW_MIN`] minutes are a crash
//! loop (critical), one or two a restart (warning). Each names the task, the container, the
//! count, the exit code ECS last reported for it and its last log lines.

use crate::diagnosis::{ConfirmContext, Finding};
use crate::model::{Time, task_id};
use crate::store::{ServiceState, Store};

/// The window restarts are counted in.
pub const RESTART_WINDOW_MIN: i64 = 15;
/// Restarts in the window that make a crash loop.
pub const CRASH_LOOP: u32 = 3;
/// Log lines quoted per container.
const LOG_LINES: usize = 3;

/// Restarts of the service's containers in the window: (task ARN, container, restarts, all).
pub fn restarts(state: &ServiceState, now: Time) -> Vec<(String, String, u32, u32)> {
    let since = now - chrono::Duration::minutes(RESTART_WINDOW_MIN);
    let mut out = Vec::new();
    for t in &state.running {
        let usage = state
            .task_metrics
            .usage(task_id(&t.arn), since, t.started_at);
        for (c, n, total) in usage.restarts {
            if n > 0 {
                out.push((t.arn.clone(), c, n, total));
            }
        }
    }
    out
}

pub fn lint_restarts(
    store: &Store,
    state: &ServiceState,
    ctx: &ConfirmContext,
    now: Time,
) -> Vec<Finding> {
    let pb = store.playbook();
    let mut out: Vec<Finding> = Vec::new();
    for (arn, container, n, total) in restarts(state, now) {
        let id = if n >= CRASH_LOOP {
            "container_crash_loop"
        } else {
            "container_restarted"
        };
        let Some(entry) = pb.entry(id) else {
            continue;
        };
        let task = state.running.iter().find(|t| t.arn == arn);
        let exit = task
            .and_then(|t| t.containers.iter().find(|c| c.name == container))
            .and_then(|c| c.exit_code)
            // a running container's 0 is no exit (and a policy that restarts on 0 is rare)
            .filter(|x| *x != 0)
            .map(|x| format!("last exit code {x}"))
            .unwrap_or_else(|| "no exit code reported by ECS".to_string());
        let short = task_id(&arn).to_string();
        let line = format!(
            "task {short} container {container}: {n} restart{} in {RESTART_WINDOW_MIN} min ({total} since it started), {exit}",
            if n == 1 { "" } else { "s" }
        );
        let logs: Vec<String> = last_lines(state, &short, &container);
        match out.iter_mut().find(|f| f.id == id) {
            Some(f) => {
                f.count += 1;
                f.evidence.push(line);
                f.evidence.extend(logs);
            }
            None => {
                let mut c = ctx.clone();
                c.task = Some(arn.clone());
                c.container = Some(container.clone());
                let mut f = Finding::from_entry(entry, &c);
                f.count = 1;
                f.last_seen = state.task_metrics.read_at;
                f.evidence.push(line);
                f.evidence.extend(logs);
                out.push(f);
            }
        }
    }
    out
}

/// The container's last log lines in the task's awslogs stream (`prefix/container/task-id`),
/// as read for the log pane.
fn last_lines(state: &ServiceState, task: &str, container: &str) -> Vec<String> {
    let tail = format!("{container}/{task}");
    let mut lines: Vec<String> = state
        .logs
        .iter()
        .rev()
        .filter(|l| l.stream.ends_with(&tail))
        .take(LOG_LINES)
        .map(|l| format!("  log {}: {}", l.t.format("%H:%M:%S"), l.message.trim_end()))
        .collect();
    lines.reverse();
    lines
}
