//! The one-word status of a service, shown on the board and in reports.

use crate::diagnosis::{Severity, task_category};
use crate::model::Time;
use crate::store::{ServiceState, Store};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum StatusBadge {
    Failed,
    RollingBack,
    /// A lifecycle hook holds the deployment until someone continues it.
    WaitingForApproval,
    /// Someone asked ECS to stop the deployment.
    Stopping,
    /// Production or test traffic is moving to the new revision.
    ShiftingTraffic,
    /// Traffic has moved; ECS waits out the bake time before it removes the old revision.
    Baking,
    Deploying,
    Degraded,
    /// The service is being deleted: ECS stops its tasks (status DRAINING, desired 0).
    Draining,
    /// The service was deleted (status INACTIVE): kept in view until it is listed no more.
    Inactive,
    Ok,
}

impl StatusBadge {
    pub fn label(self) -> &'static str {
        match self {
            StatusBadge::Failed => "FAILED",
            StatusBadge::RollingBack => "ROLLING BACK",
            StatusBadge::WaitingForApproval => "WAITING FOR APPROVAL",
            StatusBadge::Stopping => "STOPPING",
            StatusBadge::ShiftingTraffic => "SHIFTING TRAFFIC",
            StatusBadge::Baking => "BAKING",
            StatusBadge::Deploying => "DEPLOYING",
            StatusBadge::Degraded => "DEGRADED",
            StatusBadge::Draining => "DRAINING",
            StatusBadge::Inactive => "INACTIVE",
            StatusBadge::Ok => "OK",
        }
    }
}

pub fn status_badge(store: &Store, state: &ServiceState, now: Time) -> StatusBadge {
    let s = &state.service;
    // the service's own lifecycle comes first: a service being deleted is neither failing
    // (its tasks stop because it was deleted) nor OK
    match s.status.as_str() {
        "DRAINING" => return StatusBadge::Draining,
        "INACTIVE" => return StatusBadge::Inactive,
        _ => {}
    }
    if let Some(b) = service_deployment_badge(s) {
        return b;
    }
    let primary_state = s.primary().and_then(|d| d.rollout_state.as_deref());
    let some_failed = s
        .deployments
        .iter()
        .any(|d| d.status != "PRIMARY" && d.rollout_state.as_deref() == Some("FAILED"));
    match primary_state {
        Some("FAILED") => return StatusBadge::Failed,
        Some("IN_PROGRESS") if some_failed => return StatusBadge::RollingBack,
        Some("IN_PROGRESS") => return StatusBadge::Deploying,
        _ => {}
    }
    let unhealthy = store
        .serving_groups_of(s)
        .iter()
        .any(|tg| tg.targets.iter().any(|t| t.state == "unhealthy"));
    // a container crash-looping in place stops no task: only its restart count tells
    let crash_loop = crate::store::findings::restarts::restarts(state, now)
        .iter()
        .any(|r| r.2 >= crate::store::findings::restarts::CRASH_LOOP);
    if s.running < s.desired || unhealthy || crash_loop || current_tasks_failing(store, state, now)
    {
        StatusBadge::Degraded
    } else {
        StatusBadge::Ok
    }
}

/// The badge a service deployment (or a CodeDeploy/external task set rollout) gives, when it
/// says more than the deployments list does.
fn service_deployment_badge(s: &crate::model::Service) -> Option<StatusBadge> {
    if !s.ecs_controlled() {
        // CodeDeploy or an external deployer: a second task set is a deployment under way
        return (s.task_sets.len() > 1).then_some(StatusBadge::Deploying);
    }
    let sd = s.service_deployment.as_ref()?;
    if sd.status == "ROLLBACK_FAILED" {
        return Some(StatusBadge::Failed);
    }
    Some(match sd.phase()? {
        "ROLLING BACK" => StatusBadge::RollingBack,
        "STOPPING" => StatusBadge::Stopping,
        "WAITING FOR APPROVAL" => StatusBadge::WaitingForApproval,
        "BAKING" => StatusBadge::Baking,
        "SHIFTING TRAFFIC" => StatusBadge::ShiftingTraffic,
        _ => return None,
    })
}

/// How recent a stopped task of the current task definition must be to count as "failing now".
const RECENT_FAILURE_MIN: i64 = 15;

/// Tasks of the current deployment keep failing: the primary counts failed tasks, or a task of
/// its task definition stopped recently for a critical reason. Failures of a deployment that was
/// rolled back stay in the findings but do not make the service degraded now.
fn current_tasks_failing(store: &Store, state: &ServiceState, now: Time) -> bool {
    let s = &state.service;
    let Some(primary) = s.primary() else {
        return false;
    };
    if primary.failed > 0 {
        return true;
    }
    state
        .stopped
        .iter()
        .filter_map(|a| store.stopped_tasks.get(a))
        .filter(|t| t.task_definition == primary.task_definition)
        .filter(|t| {
            t.stopped_at
                .is_some_and(|at| (now - at).num_minutes() < RECENT_FAILURE_MIN)
        })
        .any(|t| {
            task_category(store.playbook(), t)
                .is_some_and(|(e, _)| e.finding && e.severity == Severity::Critical)
        })
}
