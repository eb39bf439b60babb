//! The service view's rollout lines: each deployment with its progress, the circuit breaker's
//! count, a stall; the service deployment's stage when ECS runs it.

use super::*;

/// A primary deployment that has not changed for this long is marked stalled.
pub const STALL_MIN: i64 = 10;

/// The circuit breaker's failed-task threshold for a desired count: half, at least 3, at most 200.
pub fn breaker_threshold(desired: i32) -> i32 {
    ((desired + 1) / 2).clamp(3, 200)
}

pub(in crate::view) fn progress_bar(running: i32, desired: i32, width: usize) -> String {
    // a deployment scaled to 0 (failed, or drained) has no progress to show
    let filled = if desired <= 0 {
        0
    } else {
        ((running.max(0) as usize * width) / desired as usize).min(width)
    };
    format!("[{}{}]", "#".repeat(filled), "-".repeat(width - filled))
}

fn deployment_lines(d: &Deployment, breaker: bool, now: Time, wide: bool) -> Vec<Line> {
    let state = d.rollout_state.as_deref().unwrap_or("-");
    let meaning = match state {
        "FAILED" => Meaning::StatusFailed,
        "IN_PROGRESS" => Meaning::StatusDeploying,
        "COMPLETED" => Meaning::StatusOk,
        _ => Meaning::Text,
    };
    let mut first = vec![
        s(format!("{:<8}", d.status), Meaning::Title),
        s(
            format!("{} ", task_definition_label(&d.task_definition)),
            Meaning::Text,
        ),
        s(format!("{state} "), meaning),
        s(
            progress_bar(d.running, d.desired, if wide { 20 } else { 8 }),
            Meaning::ProgressDone,
        ),
        s(format!(" {}/{}", d.running, d.desired), Meaning::Text),
    ];
    if d.failed > 0 || (breaker && state == "IN_PROGRESS") {
        let label = if breaker {
            format!(
                " failed {}/{} breaker",
                d.failed,
                breaker_threshold(d.desired.max(1))
            )
        } else {
            format!(" failed {}", d.failed)
        };
        first.push(s(
            label,
            if d.failed > 0 {
                Meaning::ProgressFailed
            } else {
                Meaning::Dim
            },
        ));
    }
    if d.pending > 0 {
        first.push(s(format!(" +{} pending", d.pending), Meaning::Dim));
    }
    if let Some(c) = d.created_at {
        first.push(s(
            format!("  {}", ago(now, c).replace(" ago", "")),
            Meaning::Dim,
        ));
    }
    if state == "IN_PROGRESS"
        && d.status == "PRIMARY"
        && let Some(u) = d.updated_at
    {
        let idle = (now - u).num_minutes();
        if idle >= STALL_MIN {
            first.push(s(format!("  STALLED {idle}m"), Meaning::StatusFailed));
        }
    }
    let mut out = vec![first];
    if let Some(r) = d
        .rollout_state_reason
        .as_deref()
        .filter(|_| state == "FAILED")
    {
        out.push(vec![s(format!("         {r}"), Meaning::ProgressFailed)]);
    }
    out
}

/// The rollout pane: the service deployment (stage, weights, hooks, alarms) or the CodeDeploy
/// task sets first, then the deployments with their progress, then recent history.
pub(super) fn rollout_lines(
    st: &ServiceState,
    deployments: &[&Deployment],
    breaker: bool,
    now: Time,
    wide: bool,
) -> Vec<Line> {
    let svc = &st.service;
    let mut lines = if svc.ecs_controlled() {
        rollout::service_deployment_lines(st, now, wide)
    } else {
        rollout::task_set_lines(svc, wide)
    };
    // the ECS breaker counts for an ECS-deployed service only
    let breaker = breaker && svc.ecs_controlled();
    lines.extend(
        deployments
            .iter()
            .flat_map(|d| deployment_lines(d, breaker, now, wide)),
    );
    if let Some(line) = early_success_line(svc) {
        lines.push(line);
    }
    let current = svc.service_deployment.as_ref().map(|d| d.arn.as_str());
    let past: Vec<_> = svc
        .deployment_history
        .iter()
        .filter(|b| Some(b.arn.as_str()) != current)
        .cloned()
        .collect();
    if !past.is_empty() {
        lines.push(vec![s("history", Meaning::Title)]);
        lines.extend(rollout::history_lines(&past, now, 5));
    }
    lines
}

/// A deployment that succeeded early (its `earlySuccessCriteria`, cleanup DEFERRED) while the
/// previous revision's tasks still run: they are being removed after success, as configured, not
/// churning. None otherwise.
fn early_success_line(svc: &crate::model::Service) -> Option<Line> {
    let dc = &svc.deployment_config;
    if !dc.drains_after_success() {
        return None;
    }
    let completed = svc
        .primary()
        .is_some_and(|p| p.rollout_state.as_deref() == Some("COMPLETED"))
        || svc
            .service_deployment
            .as_ref()
            .is_some_and(|d| d.status == "SUCCESSFUL");
    let old: i32 = svc
        .deployments
        .iter()
        .filter(|d| d.status != "PRIMARY")
        .fold(0i32, |n, d| n.saturating_add(d.running.max(0)));
    if !completed || old == 0 {
        return None;
    }
    let at = dc
        .early_success
        .as_ref()
        .and_then(|e| e.healthy_percent)
        .map(|p| format!(" at {p}% healthy"))
        .unwrap_or_default();
    Some(vec![s(
        format!(
            "early success{at}: {old} previous task(s) removed in the background (cleanup DEFERRED), not churn"
        ),
        Meaning::Dim,
    )])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Deployment, EarlySuccess, Service};

    #[test]
    fn an_early_success_says_the_old_tasks_drain_on_purpose() {
        let mut svc = Service {
            deployments: vec![
                Deployment {
                    status: "PRIMARY".into(),
                    running: 4,
                    rollout_state: Some("COMPLETED".into()),
                    ..Default::default()
                },
                Deployment {
                    status: "ACTIVE".into(),
                    running: 2,
                    ..Default::default()
                },
            ],
            ..Default::default()
        };
        assert!(
            early_success_line(&svc).is_none(),
            "no criteria: nothing said"
        );
        svc.deployment_config.early_success = Some(EarlySuccess {
            healthy_percent: Some(75),
            cleanup: Some("DEFERRED".into()),
        });
        let line = early_success_line(&svc).expect("a line");
        assert_eq!(
            line[0].text,
            "early success at 75% healthy: 2 previous task(s) removed in the background (cleanup DEFERRED), not churn"
        );
        // BLOCKING removes the old tasks before success: nothing to explain
        svc.deployment_config
            .early_success
            .as_mut()
            .unwrap()
            .cleanup = Some("BLOCKING".into());
        assert!(early_success_line(&svc).is_none());
        // still deploying: not yet
        svc.deployment_config
            .early_success
            .as_mut()
            .unwrap()
            .cleanup = Some("DEFERRED".into());
        svc.deployments[0].rollout_state = Some("IN_PROGRESS".into());
        assert!(early_success_line(&svc).is_none());
    }
}
