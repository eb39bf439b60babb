//! Evidence from a service's current service deployment: an alarm that fired, the breaker
//! that tripped, a hook that failed, timed out or waits, a failure on test traffic, the cause
//! ECS names for a rollback of its own ("Service deployment rolled back because …"), a stop or
//! rollback someone asked for, a rollback that failed. Each names the deployment, so its
//! confirm command is `aws ecs describe-service-deployments --service-deployment-arns …`.

use super::ConfirmContext;
use super::playbook::{Confidence, EvidenceKind, Playbook};
use crate::model::{Service, ServiceDeployment, Time, task_definition_label};

/// One piece of evidence: the finding id, its confirm context, when, and what it says.
pub struct DeployEvidence {
    pub id: String,
    pub ctx: ConfirmContext,
    pub at: Option<Time>,
    pub text: String,
    /// Family when only a family rule knew the deployment's reason.
    pub confidence: Confidence,
}

/// Causes a rollback reason can name that are the set-up around the revision, not the
/// revision: ECS could not run the hook or move traffic, or nobody continued a pause hook. With
/// one of them the revision was never judged, so "failed on test traffic" would send the
/// engineer to fix a revision that may be fine.
pub const SET_UP_CAUSES: [&str; 4] = [
    "deployment_hook_permission",
    "deployment_infra_role",
    "deployment_network_config",
    "deployment_pause_timed_out",
];

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
    // The rollback's reason, then the deployment's statusReason ("Service deployment rolled
    // back because …"): the first a rule knows as a cause of its own (not the generic "rolling
    // back", which says nothing about why) names it; else the first there is is shown.
    let reasons: Vec<String> = [
        sd.rollback.as_ref().and_then(|r| r.reason.clone()),
        sd.status_reason.clone(),
    ]
    .into_iter()
    .flatten()
    .filter(|r| !r.trim().is_empty())
    .collect();
    let found = reasons.iter().find_map(|r| {
        pb.classify_match(Some(EvidenceKind::RolloutReason), r)
            .filter(|m| m.entry.finding && m.entry.id != "deployment_rollback")
            .map(|m| (r, m))
    });
    let reason = found.as_ref().map(|(r, _)| *r).or(reasons.first()).cloned();
    let named = found.map(|(_, m)| m);
    let with_reason = |text: String| match reason.as_deref() {
        Some(r) => format!("{text}: {r}"),
        None => text,
    };
    // Exact unless only a family rule knew the reason (set where that is pushed).
    let confidence = std::cell::Cell::new(Confidence::Exact);
    let mut push = |id: &str, ctx: &ConfirmContext, at: Option<Time>, text: String| {
        out.push(DeployEvidence {
            id: id.to_string(),
            ctx: ctx.clone(),
            at,
            text,
            confidence: confidence.replace(Confidence::Exact),
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
    // The reason may say why better than the hook's status: ECS could not assume the hook's
    // role or invoke it, the infrastructure role lacked a permission at that stage, or a
    // pause hook was not continued in time (which its type says too).
    let set_up = named
        .as_ref()
        .map(|m| m.entry.id.as_str())
        .filter(|id| SET_UP_CAUSES.contains(id))
        .or(failed_hook
            .filter(|h| h.pause_timed_out())
            .map(|_| "deployment_pause_timed_out"));
    if let Some(h) = failed_hook {
        push(
            set_up.unwrap_or("deployment_hook_failed"),
            &ctx,
            at,
            with_reason(format!(
                "hook {} {} at {} in the deployment to {to} ({})",
                h.target_name(),
                h.status,
                h.stage.as_deref().unwrap_or("its stage"),
                sd.status
            )),
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
    if rolled_back && on_test && set_up.is_none() {
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
        s if s.starts_with("ROLLBACK_") && !explained => match &named {
            // a reason the rules know (the breaker, an alarm, a hook, the load balancer set-up)
            // names the cause; "rolled back because" what no rule knows is a failure (family)
            Some(m) if m.entry.family == "deploy" => {
                confidence.set(m.confidence);
                push(
                    &m.entry.id,
                    &ctx,
                    at,
                    with_reason(format!("the deployment to {to} was rolled back")),
                )
            }
            // a task's or a target's failure: its own finding names it, with its own confirm
            Some(_) => {}
            // nothing triggered and no reason a rule knows: someone asked for the rollback
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
        },
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
