//! Classifying one task's evidence (its stop reason, exit codes, the Service Connect proxy).
//! Gathering a service's evidence from the store into findings is the store's
//! (`store::findings`): diagnosis needs no store.

use super::{Entry, EvidenceKind, Match, Playbook};
use crate::model::Task;

/// Evidence older than this is history, not a finding.
pub const EVIDENCE_WINDOW_H: i64 = 3;

/// The one category of a stopped task: the most specific (lowest rank) of what its container
/// reasons, stopped reason, exit codes and stop code say. Returns the entry and the text that
/// matched.
pub fn task_category<'p>(pb: &'p Playbook, task: &Task) -> Option<(&'p Entry, String)> {
    task_match(pb, task).map(|(m, text)| (m.entry, text))
}

/// [`task_category`] with the confidence of the match.
///
/// Precedence: a task whose stop code, stopped reason or container reason says it never ran
/// (an image, initialization or placement failure, TaskFailedToStart) is never explained by an
/// exit code: a container that never started reports 0 or nothing, and "normal exit" would be
/// the one certainly wrong answer. Among the rest the lowest rank wins, an exact match before
/// a family one of the same rank. Where the task's launch type is known, each match is the
/// finding its words name there (a full disk is ephemeral storage on Fargate); where its stop
/// code is, the finding its evidence means after such a stop (exit code 137 after a
/// deployment, a scale-in or a person stopped the task is the SIGKILL at the end of the stop
/// timeout, not a memory kill).
pub fn task_match<'p>(pb: &'p Playbook, task: &Task) -> Option<(Match<'p>, String)> {
    // (match, text, from an exit code)
    let mut found: Vec<(Match<'p>, String, bool)> = Vec::new();
    for c in &task.containers {
        if let Some(r) = c.reason.as_deref().filter(|r| !r.is_empty())
            && let Some(m) = pb.classify_match(Some(EvidenceKind::ContainerReason), r)
        {
            found.push((m, format!("{}: {r}", c.name), false));
        }
        if let Some(code) = c.exit_code
            && let Some(m) = pb.classify_match(Some(EvidenceKind::ExitCode), &code.to_string())
        {
            found.push((m, format!("{} exit code {code}", c.name), true));
        }
    }
    if let Some(r) = task.stopped_reason.as_deref().filter(|r| !r.is_empty())
        && let Some(m) = pb.classify_match(Some(EvidenceKind::StoppedReason), r)
    {
        found.push((m, r.to_string(), false));
    }
    // an attachment ECS could not set up (an EBS volume) says why the task stopped in its own
    // words, which the stopped reason does not repeat: read as the task's reason
    for a in &task.attachment_reasons {
        if let Some(m) = pb.classify_match(Some(EvidenceKind::StoppedReason), &a.reason) {
            found.push((m, a.to_string(), false));
        }
    }
    if let Some(c) = task.stop_code.as_deref().filter(|c| !c.is_empty())
        && let Some(m) = pb.classify_match(Some(EvidenceKind::StopCode), c)
    {
        found.push((m, format!("stop code {c}"), false));
    }
    let launch_type = task.launch_type.as_deref();
    // a reason that says the stop was deliberate counts as the stop code that says so, when
    // the task has none
    let deliberate_reason = found.iter().any(|(m, _, exit)| !exit && m.entry.deliberate);
    let stop_code = match task.stop_code.as_deref() {
        None | Some("") if deliberate_reason => Some("ServiceSchedulerInitiated"),
        code => code,
    };
    for (m, _, _) in &mut found {
        *m = pb.on_stop_code(pb.on_launch_type(*m, launch_type), stop_code);
    }
    let never_ran = found
        .iter()
        .any(|(m, _, exit)| !exit && m.entry.never_ran());
    found
        .into_iter()
        .filter(|(m, _, exit)| !never_ran || (!exit && m.entry.never_ran()))
        .min_by_key(|(m, _, _)| (m.entry.rank, m.confidence))
        .map(|(m, text, _)| service_connect_proxy(pb, task, m, text))
}

/// The Service Connect proxy (the `ecs-service-connect-…` container ECS adds to the task, image
/// `ecs-service-connect-agent`) failing its health check or exiting is what stopped the task
/// when the task's own words only say a container was unhealthy or an essential one exited:
/// the fix is the proxy's (its resources, its namespace, the instance's agent), not the app's
/// health check.
fn service_connect_proxy<'p>(
    pb: &'p Playbook,
    task: &Task,
    m: Match<'p>,
    text: String,
) -> (Match<'p>, String) {
    if !matches!(
        m.entry.id.as_str(),
        "container_health_check_failed" | "essential_container_exited" | "unhealthy_task_replaced"
    ) {
        return (m, text);
    }
    let failed = task.containers.iter().find(|c| {
        c.is_service_connect_proxy()
            && (c.health_status.as_deref() == Some("UNHEALTHY")
                || c.exit_code.is_some_and(|e| e != 0))
    });
    match (failed, pb.entry("service_connect_proxy_unhealthy")) {
        (Some(c), Some(entry)) => (
            Match {
                entry,
                confidence: m.confidence,
            },
            format!(
                "{} (the Service Connect proxy) {}: {text}",
                c.name,
                match (c.health_status.as_deref(), c.exit_code) {
                    (Some("UNHEALTHY"), _) => "UNHEALTHY".to_string(),
                    (_, Some(e)) => format!("exit code {e}"),
                    _ => "failed".to_string(),
                }
            ),
        ),
        _ => (m, text),
    }
}
