//! Write actions (only with `--allow-writes`): roll back (a service deployment with
//! StopServiceDeployment ROLLBACK, else to the previous task definition), stop a service
//! deployment where it is (ABORT), continue or roll back a deployment paused at a lifecycle
//! hook, force a new deployment, change the desired count, stop a task. Each is planned from the store into a
//! [`WriteOp`] that states the exact change, shown to the user, confirmed by typing the service
//! name, then executed as exactly one API call.

mod lookup;
mod plan;

pub use lookup::{rollback_lookup, running_tasks, stop_task_check};
pub use plan::{Planned, plan, read_only};

use crate::aws::{ApiError, AwsApi, HookAction, ServiceChange, StopType};
use crate::model::{Service, ServiceKey, short_name, task_definition_label, task_id};
use crate::store::Store;

/// Which write the user asked for (the key pressed).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Request {
    Rollback,
    Redeploy,
    Scale,
    StopTask,
    AbortDeployment,
    ContinueHook,
    RollbackHook,
}

impl Request {
    pub fn verb(self) -> &'static str {
        match self {
            Request::Rollback => "roll back",
            Request::Redeploy => "force a new deployment",
            Request::Scale => "change the desired count",
            Request::StopTask => "stop a task",
            Request::AbortDeployment => "stop the deployment where it is",
            Request::ContinueHook => "continue the deployment past its hook",
            Request::RollbackHook => "roll the deployment back at its hook",
        }
    }
}

/// One planned write: the exact change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WriteOp {
    Rollback {
        key: ServiceKey,
        from: String,
        to: String,
        /// How the target was chosen, shown with the change.
        why: String,
    },
    Redeploy {
        key: ServiceKey,
        task_definition: String,
    },
    Scale {
        key: ServiceKey,
        from: i32,
        to: i32,
    },
    StopTask {
        key: ServiceKey,
        task: String,
    },
    /// StopServiceDeployment: ROLLBACK (to the source revision) or ABORT (stay as it is).
    StopDeployment {
        key: ServiceKey,
        arn: String,
        stop: StopType,
        /// The revision it deploys and the ones it comes from, as people know them.
        target: String,
        source: String,
    },
    /// ContinueServiceDeployment: answer the hook that holds the deployment.
    Hook {
        key: ServiceKey,
        arn: String,
        hook_id: String,
        hook: String,
        stage: String,
        action: HookAction,
        target: String,
    },
}

impl WriteOp {
    pub fn key(&self) -> &ServiceKey {
        match self {
            WriteOp::Rollback { key, .. }
            | WriteOp::Redeploy { key, .. }
            | WriteOp::Scale { key, .. }
            | WriteOp::StopTask { key, .. }
            | WriteOp::StopDeployment { key, .. }
            | WriteOp::Hook { key, .. } => key,
        }
    }

    /// The exact change, e.g. `checkout-api: task definition checkout-api:7 → checkout-api:6`.
    pub fn describe(&self) -> String {
        match self {
            WriteOp::Rollback { key, from, to, .. } => format!(
                "{}: task definition {} → {}",
                key.service,
                task_definition_label(from),
                task_definition_label(to)
            ),
            WriteOp::Redeploy {
                key,
                task_definition,
            } => format!(
                "{}: force a new deployment of {} (replaces every task)",
                key.service,
                task_definition_label(task_definition)
            ),
            WriteOp::Scale { key, from, to } => {
                format!("{}: desired count {from} → {to}", key.service)
            }
            WriteOp::StopTask { key, task } => {
                format!("{}: stop task {}", key.service, task_id(task))
            }
            WriteOp::StopDeployment {
                key,
                arn,
                stop: StopType::Rollback,
                target,
                source,
            } => format!(
                "{}: roll back service deployment {} (to {target}): ECS returns traffic and tasks to {source}",
                key.service,
                short_name(arn)
            ),
            WriteOp::StopDeployment {
                key,
                arn,
                stop: StopType::Abort,
                target,
                ..
            } => format!(
                "{}: stop service deployment {} (to {target}) where it is (ABORT): no rollback, traffic and tasks stay as they are now",
                key.service,
                short_name(arn)
            ),
            WriteOp::Hook {
                key,
                arn,
                hook,
                stage,
                action,
                target,
                ..
            } => match action {
                HookAction::Continue => format!(
                    "{}: continue service deployment {} (to {target}) past hook {hook} at {stage}",
                    key.service,
                    short_name(arn)
                ),
                HookAction::Rollback => format!(
                    "{}: roll back service deployment {} (to {target}) at hook {hook} ({stage})",
                    key.service,
                    short_name(arn)
                ),
            },
        }
    }

    /// The same change as an AWS CLI command, for the record and for copying.
    pub fn cli(&self) -> String {
        let svc = |k: &ServiceKey| format!("--cluster {} --service {}", k.cluster, k.service);
        match self {
            WriteOp::Rollback { key, to, .. } => format!(
                "aws ecs update-service {} --task-definition {}",
                svc(key),
                task_definition_label(to)
            ),
            WriteOp::Redeploy { key, .. } => {
                format!("aws ecs update-service {} --force-new-deployment", svc(key))
            }
            WriteOp::Scale { key, to, .. } => {
                format!("aws ecs update-service {} --desired-count {to}", svc(key))
            }
            WriteOp::StopTask { key, task } => format!(
                "aws ecs stop-task --cluster {} --task {}",
                key.cluster,
                task_id(task)
            ),
            WriteOp::StopDeployment { arn, stop, .. } => format!(
                "aws ecs stop-service-deployment --service-deployment-arn {arn} --stop-type {}",
                stop.as_str()
            ),
            WriteOp::Hook {
                arn,
                hook_id,
                action,
                ..
            } => format!(
                "aws ecs continue-service-deployment --service-deployment-arn {arn} --hook-id {hook_id} --action {}",
                action.as_str()
            ),
        }
    }

    /// Make the one API call.
    pub async fn execute<A: AwsApi>(&self, api: &A, who: &str) -> Result<(), ApiError> {
        let k = self.key();
        match self {
            WriteOp::Rollback { to, .. } => {
                let change = ServiceChange {
                    task_definition: Some(to.clone()),
                    ..Default::default()
                };
                api.update_service(&k.cluster, &k.service, &change).await
            }
            WriteOp::Redeploy { .. } => {
                let change = ServiceChange {
                    force_new_deployment: true,
                    ..Default::default()
                };
                api.update_service(&k.cluster, &k.service, &change).await
            }
            WriteOp::Scale { to, .. } => {
                let change = ServiceChange {
                    desired_count: Some(*to),
                    ..Default::default()
                };
                api.update_service(&k.cluster, &k.service, &change).await
            }
            WriteOp::StopTask { task, .. } => {
                api.stop_task(&k.cluster, task, &stop_reason(who)).await
            }
            WriteOp::StopDeployment { arn, stop, .. } => {
                api.stop_service_deployment(arn, *stop).await
            }
            WriteOp::Hook {
                arn,
                hook_id,
                action,
                ..
            } => api.continue_service_deployment(arn, hook_id, *action).await,
        }
    }
}

/// Why a write does not apply to this service, if it does not: a CodeDeploy or external
/// service is not deployed by ECS (rollback and redeploy belong to its deployer); ECS already
/// rolling back; no service deployment to stop; no hook waiting. Checked before the read-only
/// refusal, so the answer is the real one.
pub fn not_applicable(svc: &Service, req: Request) -> Option<String> {
    let deploys = matches!(
        req,
        Request::Rollback
            | Request::Redeploy
            | Request::AbortDeployment
            | Request::ContinueHook
            | Request::RollbackHook
    );
    if deploys && !svc.ecs_controlled() {
        let ids: Vec<&str> = svc
            .task_sets
            .iter()
            .filter_map(|t| t.external_id.as_deref())
            .collect();
        return Some(match svc.controller() {
            "CODE_DEPLOY" => format!(
                "{} is deployed by CodeDeploy{}: {} it there (aws deploy stop-deployment --deployment-id {} --auto-rollback-enabled rolls back); ECS cannot",
                svc.name,
                ids.first()
                    .map(|i| format!(" (deployment {i})"))
                    .unwrap_or_default(),
                req.verb(),
                ids.first().copied().unwrap_or("d-XXXX"),
            ),
            other => format!(
                "{} is deployed by its {other} deployment controller: {} with that deployer (task sets), not with ECS",
                svc.name,
                req.verb()
            ),
        });
    }
    let live = svc.live_service_deployment();
    let target = |sd: &crate::model::ServiceDeployment| {
        sd.target_task_definition()
            .map(|t| task_definition_label(t).to_string())
            .unwrap_or_else(|| "its target revision".into())
    };
    match req {
        Request::Rollback | Request::AbortDeployment => {
            if let Some(sd) = live {
                if sd.is_rolling_back() {
                    return Some(format!(
                        "ECS is already rolling back the deployment to {} ({}): nothing to do",
                        target(sd),
                        sd.status
                    ));
                }
                if sd.status == "STOP_REQUESTED" {
                    return Some(format!(
                        "the deployment to {} is already being stopped",
                        target(sd)
                    ));
                }
                return None;
            }
            if req == Request::AbortDeployment {
                return Some(format!(
                    "{} has no service deployment in progress to stop",
                    svc.name
                ));
            }
            // without a service deployment: the circuit breaker's rollback shows as a
            // primary in progress beside a failed deployment
            let primary_in_progress = svc
                .primary()
                .is_some_and(|d| d.rollout_state.as_deref() == Some("IN_PROGRESS"));
            let failed = svc
                .deployments
                .iter()
                .find(|d| d.status != "PRIMARY" && d.rollout_state.as_deref() == Some("FAILED"));
            match (primary_in_progress, failed, svc.primary()) {
                (true, Some(f), Some(p)) => Some(format!(
                    "ECS is already rolling back from {} to {}: nothing to do",
                    task_definition_label(&f.task_definition),
                    task_definition_label(&p.task_definition)
                )),
                _ => None,
            }
        }
        Request::ContinueHook | Request::RollbackHook => match live {
            Some(sd) if sd.awaiting_hook().is_some() => None,
            Some(sd) => Some(format!(
                "no lifecycle hook is waiting: the deployment to {} is {}{}",
                target(sd),
                sd.status,
                sd.lifecycle_stage
                    .as_deref()
                    .map(|s| format!(" at {s}"))
                    .unwrap_or_default()
            )),
            None => Some(format!(
                "{} has no service deployment in progress",
                svc.name
            )),
        },
        _ => None,
    }
}

/// The write on the service's live service deployment that `req` means, if it has one: `R`
/// and the abort key stop it, the hook keys answer its waiting hook. `None`: not a
/// service-deployment write (plan it the classic way).
pub fn plan_deployment(svc: &Service, key: &ServiceKey, req: Request) -> Option<WriteOp> {
    let sd = svc.live_service_deployment()?;
    let target = sd
        .target_revision
        .as_ref()
        .map(crate::model::Revision::label)
        .unwrap_or_else(|| "its target revision".into());
    let source = if sd.source_revisions.is_empty() {
        "the source revision".to_string()
    } else {
        sd.source_revisions
            .iter()
            .map(crate::model::Revision::label)
            .collect::<Vec<_>>()
            .join(", ")
    };
    match req {
        Request::Rollback | Request::AbortDeployment => Some(WriteOp::StopDeployment {
            key: key.clone(),
            arn: sd.arn.clone(),
            stop: if req == Request::Rollback {
                StopType::Rollback
            } else {
                StopType::Abort
            },
            target,
            source,
        }),
        Request::ContinueHook | Request::RollbackHook => {
            let h = sd.awaiting_hook()?;
            Some(WriteOp::Hook {
                key: key.clone(),
                arn: sd.arn.clone(),
                hook_id: h.id.clone(),
                hook: h.target_name().to_string(),
                stage: h
                    .stage
                    .clone()
                    .or_else(|| sd.lifecycle_stage.clone())
                    .unwrap_or_else(|| "its stage".into()),
                action: if req == Request::ContinueHook {
                    HookAction::Continue
                } else {
                    HookAction::Rollback
                },
                target,
            })
        }
        _ => None,
    }
}

/// The task definition the service runs now: the primary deployment's.
pub fn current_task_definition(store: &Store, key: &ServiceKey) -> Option<String> {
    let s = &store.services.get(key)?.service;
    Some(
        s.primary()
            .map(|d| d.task_definition.clone())
            .unwrap_or_else(|| s.task_definition.clone()),
    )
    .filter(|t| !t.is_empty())
}

/// The rollback target when the store knows it: the task definition the last completed
/// deployment ran (a COMPLETED deployment still listed, or the last one seen completing).
/// `Ok(None)`: look up the highest earlier ACTIVE revision with [`rollback_lookup`].
pub fn rollback_from_store(store: &Store, key: &ServiceKey) -> Result<Option<WriteOp>, String> {
    let st = store
        .services
        .get(key)
        .ok_or_else(|| format!("{key} is not known yet"))?;
    let current = current_task_definition(store, key)
        .ok_or_else(|| format!("{key} has no task definition"))?;
    let listed = st
        .service
        .deployments
        .iter()
        .filter(|d| d.status != "PRIMARY" && d.task_definition != current)
        .find(|d| d.rollout_state.as_deref() == Some("COMPLETED"))
        .map(|d| {
            (
                d.task_definition.clone(),
                format!("deployment {} completed with it", d.id),
            )
        });
    let seen = st.completed.iter().rev().find(|t| **t != current).map(|t| {
        (
            t.clone(),
            "the last deployment seen completing ran it".to_string(),
        )
    });
    Ok(listed.or(seen).map(|(to, why)| WriteOp::Rollback {
        key: key.clone(),
        from: current,
        to,
        why,
    }))
}

/// `family` and `revision` of a task definition ARN or `family:revision`.
pub fn family_revision(arn: &str) -> Option<(&str, i32)> {
    let (family, rev) = short_name(arn).rsplit_once(':')?;
    Some((family, rev.parse().ok()?))
}

/// StopTask's `reason` (shown as the task's stopped reason): who stopped it, within the 255
/// characters the API allows (a shared session's `who` names the principal's ARN too).
pub fn stop_reason(who: &str) -> String {
    const MAX: usize = 255;
    let reason = format!("stopped from ecswatch by {who}");
    if reason.chars().count() <= MAX {
        return reason;
    }
    let mut cut: String = reason.chars().take(MAX - 3).collect();
    cut.push_str("...");
    cut
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stop_reason_names_who_within_the_apis_255_characters() {
        assert_eq!(
            stop_reason("alice (profile prod)"),
            "stopped from ecswatch by alice (profile prod)"
        );
        let arn = format!(
            "arn:aws:sts::123456789012:assumed-role/{}/alice",
            "R".repeat(300)
        );
        let r = stop_reason(&format!("alice (profile prod) as {arn}"));
        assert_eq!(r.chars().count(), 255);
        assert!(r.starts_with("stopped from ecswatch by alice (profile prod) as arn:aws:sts::"));
        assert!(r.ends_with("..."));
    }

    #[test]
    fn describes_the_exact_change() {
        let key = ServiceKey::new("prod", "checkout-api");
        let op = WriteOp::Rollback {
            key: key.clone(),
            from: "arn:aws:ecs:us-east-1:1:task-definition/checkout-api:7".into(),
            to: "arn:aws:ecs:us-east-1:1:task-definition/checkout-api:6".into(),
            why: String::new(),
        };
        assert_eq!(
            op.describe(),
            "checkout-api: task definition checkout-api:7 → checkout-api:6"
        );
        assert_eq!(
            op.cli(),
            "aws ecs update-service --cluster prod --service checkout-api --task-definition checkout-api:6"
        );
        let op = WriteOp::Scale {
            key,
            from: 3,
            to: 6,
        };
        assert_eq!(op.describe(), "checkout-api: desired count 3 → 6");
        assert_eq!(family_revision("web:12"), Some(("web", 12)));
        assert_eq!(family_revision("web"), None);
    }
}
