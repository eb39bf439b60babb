//! The one-word status of a service, shown on the board and in reports.

use crate::diagnosis::Severity;
use crate::store::{ServiceState, Store};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum StatusBadge {
    Failed,
    RollingBack,
    Deploying,
    Degraded,
    Ok,
}

impl StatusBadge {
    pub fn label(self) -> &'static str {
        match self {
            StatusBadge::Failed => "FAILED",
            StatusBadge::RollingBack => "ROLLING BACK",
            StatusBadge::Deploying => "DEPLOYING",
            StatusBadge::Degraded => "DEGRADED",
            StatusBadge::Ok => "OK",
        }
    }
}

pub fn status_badge(store: &Store, state: &ServiceState) -> StatusBadge {
    let s = &state.service;
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
        .target_groups_of(s)
        .iter()
        .any(|tg| tg.targets.iter().any(|t| t.state == "unhealthy"));
    let critical = state
        .findings
        .iter()
        .any(|f| f.severity == Severity::Critical);
    if s.running < s.desired || unhealthy || critical {
        StatusBadge::Degraded
    } else {
        StatusBadge::Ok
    }
}
