//! Service deployments (since 2025): the deployment controller's own view of a rollout —
//! strategy, lifecycle stage, source and target revisions with traffic weights, alarms,
//! circuit breaker, rollback and lifecycle hooks — and CodeDeploy/EXTERNAL task sets.
//!
//! Enum-like fields are kept as the strings AWS sent (sanitized), so a value added after this
//! code was written is shown as itself.

use super::Time;

/// One service deployment, as DescribeServiceDeployments reports it.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
pub struct ServiceDeployment {
    pub arn: String,
    /// PENDING | IN_PROGRESS | SUCCESSFUL | STOP_REQUESTED | STOPPED | ROLLBACK_REQUESTED |
    /// ROLLBACK_IN_PROGRESS | ROLLBACK_SUCCESSFUL | ROLLBACK_FAILED
    pub status: String,
    pub status_reason: Option<String>,
    /// ROLLING | BLUE_GREEN | LINEAR | CANARY (from the deployment's configuration).
    pub strategy: Option<String>,
    pub lifecycle_stage: Option<String>,
    pub created_at: Option<Time>,
    pub started_at: Option<Time>,
    pub updated_at: Option<Time>,
    pub finished_at: Option<Time>,
    pub stopped_at: Option<Time>,
    pub bake_time_minutes: Option<i32>,
    /// LINEAR: step percent and bake per step; CANARY: canary percent and its bake.
    pub step_percent: Option<f64>,
    pub step_bake_minutes: Option<i32>,
    pub target_revision: Option<Revision>,
    pub source_revisions: Vec<Revision>,
    pub alarms: Option<MonitorState>,
    pub circuit_breaker: Option<BreakerState>,
    pub rollback: Option<RollbackInfo>,
    pub hooks: Vec<HookState>,
}

/// Statuses after which a service deployment never changes again.
pub const FINAL_DEPLOYMENT_STATUSES: [&str; 4] = [
    "SUCCESSFUL",
    "STOPPED",
    "ROLLBACK_SUCCESSFUL",
    "ROLLBACK_FAILED",
];

/// The lifecycle stages in the order ECS walks them.
pub const LIFECYCLE_STAGES: [&str; 10] = [
    "RECONCILE_SERVICE",
    "PRE_SCALE_UP",
    "SCALE_UP",
    "POST_SCALE_UP",
    "TEST_TRAFFIC_SHIFT",
    "POST_TEST_TRAFFIC_SHIFT",
    "PRODUCTION_TRAFFIC_SHIFT",
    "POST_PRODUCTION_TRAFFIC_SHIFT",
    "BAKE_TIME",
    "CLEAN_UP",
];

impl ServiceDeployment {
    /// True once the deployment can no longer change.
    pub fn is_final(&self) -> bool {
        FINAL_DEPLOYMENT_STATUSES.contains(&self.status.as_str())
    }

    /// ECS is rolling it back, or was asked to.
    pub fn is_rolling_back(&self) -> bool {
        matches!(
            self.status.as_str(),
            "ROLLBACK_REQUESTED" | "ROLLBACK_IN_PROGRESS"
        )
    }

    /// The hook that pauses the deployment until someone continues it, if any.
    pub fn awaiting_hook(&self) -> Option<&HookState> {
        self.hooks.iter().find(|h| h.status == "AWAITING_ACTION")
    }

    /// A hook that ended badly (FAILED or TIMED_OUT), if any.
    pub fn failed_hook(&self) -> Option<&HookState> {
        self.hooks
            .iter()
            .find(|h| matches!(h.status.as_str(), "FAILED" | "TIMED_OUT"))
    }

    /// The names of the alarms that fired.
    pub fn triggered_alarms(&self) -> &[String] {
        self.alarms
            .as_ref()
            .map(|a| a.triggered.as_slice())
            .unwrap_or(&[])
    }

    /// What the console's badge should say while this deployment runs, if anything special.
    pub fn phase(&self) -> Option<&'static str> {
        if self.is_final() {
            return None;
        }
        if self.is_rolling_back() {
            return Some("ROLLING BACK");
        }
        if self.status == "STOP_REQUESTED" {
            return Some("STOPPING");
        }
        if self.awaiting_hook().is_some() {
            return Some("WAITING FOR APPROVAL");
        }
        match self.lifecycle_stage.as_deref() {
            Some("BAKE_TIME") => Some("BAKING"),
            Some("TEST_TRAFFIC_SHIFT" | "PRODUCTION_TRAFFIC_SHIFT") => Some("SHIFTING TRAFFIC"),
            _ => None,
        }
    }

    /// The index of the current stage in [`LIFECYCLE_STAGES`].
    pub fn stage_index(&self) -> Option<usize> {
        let s = self.lifecycle_stage.as_deref()?;
        LIFECYCLE_STAGES.iter().position(|x| *x == s)
    }

    /// The task definition of the revision this deployment rolls to.
    pub fn target_task_definition(&self) -> Option<&str> {
        self.target_revision
            .as_ref()
            .and_then(|r| r.task_definition.as_deref())
    }
}

/// A service revision taking part in a deployment (ServiceRevisionSummary), with its task
/// definition (from DescribeServiceRevisions, immutable).
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
pub struct Revision {
    pub arn: String,
    pub task_definition: Option<String>,
    pub requested: i32,
    pub running: i32,
    pub pending: i32,
    pub production_weight: Option<f64>,
    pub test_weight: Option<f64>,
    /// The target groups it runs behind (DescribeServiceRevisions' resolved configuration).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub target_groups: Vec<String>,
}

impl Revision {
    /// As a person knows it: its task definition when known, else the revision id.
    pub fn label(&self) -> String {
        match self.task_definition.as_deref() {
            Some(td) => super::task_definition_label(td).to_string(),
            None => format!("revision {}", super::short_name(&self.arn)),
        }
    }
}

/// Alarms or circuit breaker as a rollback monitor: DISABLED | MONITORING |
/// MONITORING_COMPLETE | TRIGGERED.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
pub struct MonitorState {
    pub status: String,
    pub names: Vec<String>,
    pub triggered: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
pub struct BreakerState {
    pub status: String,
    pub failures: i32,
    pub threshold: i32,
}

#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
pub struct RollbackInfo {
    pub reason: Option<String>,
    pub started_at: Option<Time>,
    /// The service revision rolled back to.
    pub revision: Option<String>,
}

/// A lifecycle hook's run in this deployment.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
pub struct HookState {
    pub id: String,
    /// The stage it runs in (the deployment's stage while it runs; otherwise the stages the
    /// service's configuration attaches it to).
    pub stage: Option<String>,
    /// IN_PROGRESS | AWAITING_ACTION | SUCCEEDED | FAILED | TIMED_OUT
    pub status: String,
    pub target: Option<String>,
    pub expires_at: Option<Time>,
    /// CONTINUE | ROLLBACK: what ECS does when it expires.
    pub timeout_action: Option<String>,
    /// AWS_LAMBDA | PAUSE: a Lambda ECS invokes, or a pause that waits for
    /// ContinueServiceDeployment.
    #[serde(default)]
    pub target_type: Option<String>,
}

impl HookState {
    /// What the hook runs as a person knows it: the Lambda function's name, not its ARN; the
    /// hook id when no target is reported.
    pub fn target_name(&self) -> &str {
        match self.target.as_deref() {
            Some(t) => t.rsplit([':', '/']).next().unwrap_or(t),
            None => &self.id,
        }
    }

    /// A pause hook that timed out: nobody continued the deployment in time.
    pub fn pause_timed_out(&self) -> bool {
        self.status == "TIMED_OUT" && self.target_type.as_deref() == Some("PAUSE")
    }
}

/// One line of a service's deployment history (ListServiceDeployments).
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
pub struct DeploymentBrief {
    pub arn: String,
    pub status: String,
    pub status_reason: Option<String>,
    pub created_at: Option<Time>,
    pub started_at: Option<Time>,
    pub finished_at: Option<Time>,
    pub target_revision: Option<String>,
}

/// A task set of a CODE_DEPLOY or EXTERNAL service.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
pub struct TaskSet {
    pub id: String,
    /// PRIMARY | ACTIVE | DRAINING
    pub status: String,
    /// The CodeDeploy deployment id (`d-XXXX`) or the external deployer's id.
    pub external_id: Option<String>,
    pub task_definition: String,
    pub desired: i32,
    pub running: i32,
    pub pending: i32,
    pub scale_percent: Option<f64>,
    pub stability: Option<String>,
}

/// A lifecycle hook as the service's deployment configuration declares it.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
pub struct HookConfig {
    pub target: String,
    pub stages: Vec<String>,
    pub timeout_minutes: Option<i32>,
    pub timeout_action: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sd(status: &str, stage: Option<&str>) -> ServiceDeployment {
        ServiceDeployment {
            status: status.into(),
            lifecycle_stage: stage.map(str::to_owned),
            ..Default::default()
        }
    }

    #[test]
    fn phases() {
        assert_eq!(sd("IN_PROGRESS", Some("BAKE_TIME")).phase(), Some("BAKING"));
        assert_eq!(
            sd("IN_PROGRESS", Some("PRODUCTION_TRAFFIC_SHIFT")).phase(),
            Some("SHIFTING TRAFFIC")
        );
        assert_eq!(
            sd("ROLLBACK_IN_PROGRESS", Some("BAKE_TIME")).phase(),
            Some("ROLLING BACK")
        );
        assert_eq!(sd("SUCCESSFUL", Some("CLEAN_UP")).phase(), None);
        let mut waiting = sd("IN_PROGRESS", Some("POST_TEST_TRAFFIC_SHIFT"));
        waiting.hooks.push(HookState {
            id: "h".into(),
            status: "AWAITING_ACTION".into(),
            ..Default::default()
        });
        assert_eq!(waiting.phase(), Some("WAITING FOR APPROVAL"));
        assert_eq!(waiting.stage_index(), Some(5));
        assert_eq!(sd("IN_PROGRESS", Some("FUTURE_STAGE")).stage_index(), None);
    }
}
