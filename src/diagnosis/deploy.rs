//! Evidence from a service's current service deployment: an alarm that fired, the breaker
//! that tripped, a hook that failed, timed out or waits, a failure on test traffic, a stop or
//! rollback someone asked for, a rollback that failed. Each names the deployment, so its
//! confirm command is `aws ecs describe-service-deployments --service-deployment-arns …`.

use super::ConfirmContext;
use super::playbook::{EvidenceKind, Playbook};
use crate::model::{Service, ServiceDeployment, Time, task_definition_label};

/// One piece of evidence: the finding id, its confirm context, when, and what it says.
pub struct DeployEvidence {
    pub id: &'static str,
    pub ctx: ConfirmContext,
    pub at: Option<Time>,
    pub text: String,
}

const TEST_STAGES: [&str; 2] = ["TEST_TRAFFIC_SHIFT", "POST_TEST_TRAFFIC_SHIFT"];

fn target_label(sd: &ServiceDeployment) -> String {
    sd.target_task_definition()
        .map(|t| task_definition_label(t).to_string())
        .unwrap_or_else(|| "the target revision".into())
}

/// The evidence the service's current service deployment gives (none for a deployment that
/// ended before `since`, or for a service ECS does not deploy).
pub fn evidence(
    pb: &Playbook,
    svc: &Service,
    base: &ConfirmContext,
    since: Time,
) -> Vec<DeployEvidence> {
    let mut out = Vec::new();
    if !svc.ecs_controlled() {
        return out;
    }
    let Some(sd) = svc.service_deployment.as_ref() else {
        return out;
    };
    let ended = sd.finished_at.or(sd.stopped_at).or(sd.updated_at);
    if sd.is_final() && ended.is_some_and(|t| t < since) {
        return out;
    }
    let mut ctx = base.clone();
    ctx.service_deployment = Some(sd.arn.clone());
    if let Some(td) = sd.target_task_definition() {
        ctx.task_definition = Some(td.to_string());
    }
    let to = target_label(sd);
    let at = sd
        .rollback
        .as_ref()
        .and_then(|r| r.started_at)
        .or(sd.updated_at);
    let reason = sd
        .rollback
        .as_ref()
        .and_then(|r| r.reason.clone())
        .or_else(|| sd.status_reason.clone());
    let with_reason = |text: String| match reason.as_deref() {
        Some(r) => format!("{text}: {r}"),
        None => text,
    };
    let mut push = |id: &'static str, ctx: &ConfirmContext, at: Option<Time>, text: String| {
        out.push(DeployEvidence {
            id,
            ctx: ctx.clone(),
            at,
            text,
        })
    };

    let fired = sd.triggered_alarms();
    if !fired.is_empty() {
        let mut c = ctx.clone();
        c.alarm = fired.first().cloned();
        push(
            "deployment_failed_alarm",
            &c,
            at,
            with_reason(format!(
                "alarm {} fired during the deployment to {to} ({})",
                fired.join(", "),
                sd.status
            )),
        );
    }
    let tripped = sd
        .circuit_breaker
        .as_ref()
        .filter(|b| b.status == "TRIGGERED");
    if let Some(b) = tripped {
        push(
            "deployment_failed_circuit_breaker",
            &ctx,
            at,
            format!(
                "circuit breaker tripped: {} of {} tasks failed in the deployment to {to} ({})",
                b.failures, b.threshold, sd.status
            ),
        );
    }
    let failed_hook = sd.failed_hook();
    if let Some(h) = failed_hook {
        push(
            "deployment_hook_failed",
            &ctx,
            at,
            format!(
                "hook {} {} at {} in the deployment to {to} ({})",
                h.target_name(),
                h.status,
                h.stage.as_deref().unwrap_or("its stage"),
                sd.status
            ),
        );
    }
    if !sd.is_final()
        && let Some(h) = sd.awaiting_hook()
    {
        let expiry = match h.expires_at {
            Some(e) => format!(
                "; times out at {} then {}",
                e.format("%H:%M:%SZ"),
                h.timeout_action.as_deref().unwrap_or("ROLLBACK")
            ),
            None => String::new(),
        };
        push(
            "deployment_hook_waiting",
            &ctx,
            sd.updated_at,
            format!(
                "hook {} (id {}) waits for action at {} in the deployment to {to}{expiry}",
                h.target_name(),
                h.id,
                h.stage
                    .as_deref()
                    .or(sd.lifecycle_stage.as_deref())
                    .unwrap_or("its stage"),
            ),
        );
    }
    let rolled_back = sd.is_rolling_back() || sd.status.starts_with("ROLLBACK_");
    let on_test = sd
        .lifecycle_stage
        .as_deref()
        .is_some_and(|s| TEST_STAGES.contains(&s))
        || failed_hook
            .and_then(|h| h.stage.as_deref())
            .is_some_and(|s| TEST_STAGES.contains(&s));
    if rolled_back && on_test {
        push(
            "deployment_test_traffic_failed",
            &ctx,
            at,
            with_reason(format!(
                "the deployment to {to} failed at {} with only test traffic on it ({})",
                sd.lifecycle_stage
                    .as_deref()
                    .unwrap_or("a test traffic stage"),
                sd.status
            )),
        );
    }
    if sd.status == "ROLLBACK_FAILED" {
        push(
            "deployment_rollback_failed",
            &ctx,
            sd.finished_at.or(at),
            with_reason(format!("the rollback of the deployment to {to} failed")),
        );
    }
    let explained = !fired.is_empty() || tripped.is_some() || failed_hook.is_some();
    match sd.status.as_str() {
        "STOP_REQUESTED" | "STOPPED" => push(
            "deployment_stopped",
            &ctx,
            sd.stopped_at.or(sd.updated_at),
            with_reason(format!(
                "the deployment to {to} was stopped ({})",
                sd.status
            )),
        ),
        s if s.starts_with("ROLLBACK_") && !explained => {
            // a reason the rules know (a breaker or alarm message) names its cause; with
            // nothing triggered and no known reason, someone asked for the rollback
            let known = reason
                .as_deref()
                .and_then(|r| pb.classify_match(Some(EvidenceKind::RolloutReason), r))
                .filter(|m| m.entry.finding && m.entry.id != "deployment_rollback");
            match known {
                Some(m) if m.entry.id == "deployment_failed_alarm" => push(
                    "deployment_failed_alarm",
                    &ctx,
                    at,
                    with_reason(format!("the deployment to {to} was rolled back")),
                ),
                Some(m) if m.entry.id == "deployment_failed_circuit_breaker" => push(
                    "deployment_failed_circuit_breaker",
                    &ctx,
                    at,
                    with_reason(format!("the deployment to {to} was rolled back")),
                ),
                Some(_) => {}
                None => push(
                    "deployment_stopped",
                    &ctx,
                    at,
                    with_reason(format!(
                        "the deployment to {to} was rolled back ({}) with no alarm, breaker \
                         or hook failing",
                        sd.status
                    )),
                ),
            }
        }
        _ => {}
    }
    if sd.is_rolling_back() {
        push(
            "deployment_rollback",
            &ctx,
            at,
            with_reason(format!("ECS is rolling back the deployment to {to}")),
        );
    }
    out
}
