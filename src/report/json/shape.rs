//! The shapes of `ecswatch.snapshot.v1`: what each object of the JSON holds, field by field
//! (DESIGN.md's schema, exactly), and the conversions of the model's deployments into them.

use super::*;

#[derive(Serialize)]
pub(super) struct Snapshot<'a> {
    pub(super) schema: &'static str,
    pub(super) generated_at: String,
    /// The first target's Region (the only one unless several are watched).
    pub(super) region: &'a str,
    /// Every account × Region watched.
    pub(super) watched: Vec<WatchedOut<'a>>,
    pub(super) services: Vec<ServiceOut<'a>>,
    /// Causes that services of several targets have at once (empty with one target).
    pub(super) shared_causes: Vec<SharedOut>,
    pub(super) errors: Vec<ErrorOut<'a>>,
}

#[derive(Serialize)]
pub(super) struct SharedOut {
    pub(super) id: String,
    pub(super) title: String,
    pub(super) severity: &'static str,
    pub(super) summary: String,
    pub(super) accounts: usize,
    pub(super) regions: usize,
    pub(super) since: Option<String>,
    /// `account/region/cluster/service` of each service that has it.
    pub(super) services: Vec<String>,
}

#[derive(Serialize)]
pub(super) struct WatchedOut<'a> {
    pub(super) account: Option<&'a str>,
    pub(super) region: &'a str,
    pub(super) profile: Option<&'a str>,
    pub(super) alias: Option<&'a str>,
    pub(super) services: usize,
    /// Why the target could not be read (credentials, denial), if it could not.
    pub(super) error: Option<String>,
}

#[derive(Serialize)]
pub(super) struct ServiceOut<'a> {
    pub(super) account: Option<&'a str>,
    pub(super) region: &'a str,
    pub(super) cluster: &'a str,
    pub(super) name: &'a str,
    pub(super) arn: &'a str,
    pub(super) status: &'a str,
    pub(super) desired: i32,
    pub(super) running: i32,
    pub(super) pending: i32,
    pub(super) task_definition: &'a str,
    /// Express Mode services only: the URLs and the resources ECS manages, with their status.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) express: Option<ExpressOut<'a>>,
    /// `availabilityZoneRebalancing`: ENABLED | DISABLED (left out when not reported).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) az_rebalancing: Option<&'a str>,
    pub(super) rollout: Rollout<'a>,
    pub(super) deployments: Vec<DeploymentOut<'a>>,
    pub(super) events: Vec<EventOut<'a>>,
    pub(super) stopped_tasks: Vec<TaskOut<'a>>,
    /// Production first; blue/green's idle group too, labelled.
    pub(super) target_groups: Vec<GroupOut<'a>>,
    /// Blue/green: when production moved between the two groups (seen, or `approx` from the
    /// deployment that moved it).
    pub(super) production_swaps: Vec<SwapOut<'a>>,
    pub(super) service_connect: Option<&'a crate::model::ServiceConnect>,
    pub(super) vpc_lattice: Vec<LatticeOut<'a>>,
    pub(super) metrics: BTreeMap<&'static str, Vec<Point>>,
    pub(super) logs: Vec<LogOut<'a>>,
    pub(super) findings: Vec<FindingOut<'a>>,
    /// The current service deployment (null when the service has none).
    pub(super) service_deployment: Option<SdOut<'a>>,
    /// ECS | CODE_DEPLOY | EXTERNAL
    pub(super) deployment_controller: &'a str,
    /// Task sets of a CODE_DEPLOY or EXTERNAL service (empty otherwise).
    pub(super) task_sets: Vec<TaskSetOut<'a>>,
    pub(super) enable_execute_command: bool,
    /// The running tasks as last listed (null: not read; the console reads the open service's).
    pub(super) running_tasks: Option<Vec<RunningOut<'a>>>,
    /// Application Auto Scaling (null: not read; `target` null: not registered).
    pub(super) scaling: Option<&'a crate::model::Scaling>,
}

#[derive(Serialize)]
pub(super) struct RunningOut<'a> {
    pub(super) arn: &'a str,
    pub(super) task_definition: &'a str,
    pub(super) last_status: &'a str,
    pub(super) desired_status: &'a str,
    pub(super) health_status: Option<&'a str>,
    pub(super) capacity_provider: Option<&'a str>,
    pub(super) availability_zone: Option<&'a str>,
    pub(super) private_ip: Option<&'a str>,
    /// The EC2 or Managed Instance it runs on, as last read (left out on Fargate, or when the
    /// instance was not read).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) container_instance: Option<&'a crate::model::ContainerInstance>,
    pub(super) started_at: Option<String>,
    pub(super) exec_enabled: bool,
    pub(super) containers: Vec<RunningContainerOut<'a>>,
    /// Its CPU and memory in the last minute read (Container Insights with enhanced
    /// observability; left out when not read).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) usage: Option<UsageOut>,
}

#[derive(Serialize)]
pub(super) struct UsageOut {
    pub(super) cpu_percent: Option<f64>,
    pub(super) memory_percent: Option<f64>,
}

#[derive(Serialize)]
pub(super) struct RestartsOut {
    /// Restarts in place in the last 15 minutes, and since the task started, from Container
    /// Insights' RestartCount.
    pub(super) last_15_min: u32,
    pub(super) total: u32,
}

#[derive(Serialize)]
pub(super) struct RunningContainerOut<'a> {
    pub(super) name: &'a str,
    pub(super) last_status: Option<&'a str>,
    pub(super) health_status: Option<&'a str>,
    pub(super) exec_agent: Option<&'a str>,
    /// The exit code ECS last reported for it (a container restarted in place).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) exit_code: Option<i32>,
    /// Its task definition's enabled `restartPolicy`: ECS restarts it in place, so a crash
    /// loop stops no task (left out when it has none).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) restart_policy: Option<&'a crate::model::RestartPolicy>,
    /// How often it restarted in place (left out when not read).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) restarts: Option<RestartsOut>,
}

#[derive(Serialize)]
pub(super) struct SdOut<'a> {
    pub(super) arn: &'a str,
    pub(super) status: &'a str,
    pub(super) status_reason: Option<&'a str>,
    pub(super) strategy: Option<&'a str>,
    pub(super) lifecycle_stage: Option<&'a str>,
    pub(super) started_at: Option<String>,
    pub(super) finished_at: Option<String>,
    pub(super) bake_time_minutes: Option<i32>,
    /// LINEAR: the step; CANARY: the canary's share (percent), and its bake
    pub(super) step_percent: Option<f64>,
    pub(super) step_bake_minutes: Option<i32>,
    pub(super) target_revision: Option<RevisionOut<'a>>,
    pub(super) source_revisions: Vec<RevisionOut<'a>>,
    pub(super) alarms: Option<AlarmsOut<'a>>,
    pub(super) circuit_breaker: Option<BreakerOut<'a>>,
    pub(super) rollback: Option<RollbackOut<'a>>,
    pub(super) hooks: Vec<HookOut<'a>>,
}

#[derive(Serialize)]
pub(super) struct RevisionOut<'a> {
    pub(super) arn: &'a str,
    pub(super) task_definition: Option<&'a str>,
    pub(super) requested: i32,
    pub(super) running: i32,
    pub(super) pending: i32,
    pub(super) production_weight: Option<f64>,
    pub(super) test_weight: Option<f64>,
}

#[derive(Serialize)]
pub(super) struct AlarmsOut<'a> {
    pub(super) status: &'a str,
    pub(super) names: &'a [String],
    pub(super) triggered: &'a [String],
}

#[derive(Serialize)]
pub(super) struct BreakerOut<'a> {
    pub(super) status: &'a str,
    pub(super) failures: i32,
    pub(super) threshold: i32,
}

#[derive(Serialize)]
pub(super) struct RollbackOut<'a> {
    pub(super) reason: Option<&'a str>,
    pub(super) started_at: Option<String>,
    pub(super) revision: Option<&'a str>,
}

#[derive(Serialize)]
pub(super) struct HookOut<'a> {
    pub(super) id: &'a str,
    pub(super) stage: Option<&'a str>,
    pub(super) status: &'a str,
    pub(super) expires_at: Option<String>,
    pub(super) timeout_action: Option<&'a str>,
}

#[derive(Serialize)]
pub(super) struct TaskSetOut<'a> {
    pub(super) id: &'a str,
    pub(super) status: &'a str,
    pub(super) external_id: Option<&'a str>,
    pub(super) task_definition: &'a str,
    pub(super) desired: i32,
    pub(super) running: i32,
    pub(super) pending: i32,
    pub(super) scale_percent: Option<f64>,
    pub(super) stability: Option<&'a str>,
}

pub(super) fn revision_out(r: &crate::model::Revision) -> RevisionOut<'_> {
    RevisionOut {
        arn: &r.arn,
        task_definition: r.task_definition.as_deref(),
        requested: r.requested,
        running: r.running,
        pending: r.pending,
        production_weight: r.production_weight,
        test_weight: r.test_weight,
    }
}

pub(super) fn sd_out(d: &crate::model::ServiceDeployment) -> SdOut<'_> {
    SdOut {
        arn: &d.arn,
        status: &d.status,
        status_reason: d.status_reason.as_deref(),
        strategy: d.strategy.as_deref(),
        lifecycle_stage: d.lifecycle_stage.as_deref(),
        started_at: d.started_at.or(d.created_at).map(ts),
        finished_at: d.finished_at.map(ts),
        bake_time_minutes: d.bake_time_minutes,
        step_percent: d.step_percent,
        step_bake_minutes: d.step_bake_minutes,
        target_revision: d.target_revision.as_ref().map(revision_out),
        source_revisions: d.source_revisions.iter().map(revision_out).collect(),
        alarms: d.alarms.as_ref().map(|a| AlarmsOut {
            status: &a.status,
            names: &a.names,
            triggered: &a.triggered,
        }),
        circuit_breaker: d.circuit_breaker.as_ref().map(|c| BreakerOut {
            status: &c.status,
            failures: c.failures,
            threshold: c.threshold,
        }),
        rollback: d.rollback.as_ref().map(|r| RollbackOut {
            reason: r.reason.as_deref(),
            started_at: r.started_at.map(ts),
            revision: r.revision.as_deref(),
        }),
        hooks: d
            .hooks
            .iter()
            .map(|h| HookOut {
                id: &h.id,
                stage: h.stage.as_deref(),
                status: &h.status,
                expires_at: h.expires_at.map(ts),
                timeout_action: h.timeout_action.as_deref(),
            })
            .collect(),
    }
}

#[derive(Serialize)]
pub(super) struct Rollout<'a> {
    pub(super) state: Option<&'a str>,
    pub(super) reason: Option<&'a str>,
}

#[derive(Serialize)]
pub(super) struct DeploymentOut<'a> {
    pub(super) id: &'a str,
    pub(super) status: &'a str,
    pub(super) task_definition: &'a str,
    pub(super) desired: i32,
    pub(super) running: i32,
    pub(super) pending: i32,
    pub(super) failed: i32,
    pub(super) rollout_state: Option<&'a str>,
    pub(super) rollout_state_reason: Option<&'a str>,
    pub(super) created_at: Option<String>,
    pub(super) updated_at: Option<String>,
}

#[derive(Serialize)]
pub(super) struct EventOut<'a> {
    pub(super) id: &'a str,
    pub(super) created_at: Option<String>,
    pub(super) message: &'a str,
    pub(super) category: Option<&'a str>,
}

#[derive(Serialize)]
pub(super) struct TaskOut<'a> {
    pub(super) arn: &'a str,
    pub(super) task_definition: &'a str,
    pub(super) stopped_at: Option<String>,
    pub(super) stopped_reason: Option<&'a str>,
    pub(super) stop_code: Option<&'a str>,
    /// FARGATE | EC2 | EXTERNAL | MANAGED_INSTANCES (null: not known): it decides `category` where the same words
    /// name another cause on another launch type (a full disk).
    pub(super) launch_type: Option<&'a str>,
    /// The EC2 or Managed Instance it ran on, as last read (left out on Fargate, or when the
    /// instance was not read).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) container_instance: Option<&'a crate::model::ContainerInstance>,
    pub(super) category: Option<&'a str>,
    pub(super) containers: Vec<ContainerOut<'a>>,
    /// Attachments ECS gave a reason for (an EBS volume it could not attach): the cause, where
    /// the stopped reason does not say it. Left out when there are none.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub(super) attachments: Vec<AttachmentOut<'a>>,
}

#[derive(Serialize)]
pub(super) struct AttachmentOut<'a> {
    #[serde(rename = "type")]
    pub(super) kind: &'a str,
    pub(super) status: Option<&'a str>,
    pub(super) reason: &'a str,
}

#[derive(Serialize)]
pub(super) struct ContainerOut<'a> {
    pub(super) name: &'a str,
    pub(super) exit_code: Option<i32>,
    pub(super) reason: Option<&'a str>,
    /// Its task definition's enabled `restartPolicy` (left out when it has none).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) restart_policy: Option<&'a crate::model::RestartPolicy>,
}

#[derive(Serialize)]
pub(super) struct GroupOut<'a> {
    pub(super) arn: &'a str,
    pub(super) name: &'a str,
    /// prod | test | idle | unknown (the only group of a service that is not blue/green: prod).
    pub(super) role: crate::model::GroupRole,
    /// How the role is known (blue/green): `current revision`, `deployment weights`, ...
    pub(super) role_from: String,
    pub(super) blue_green: bool,
    pub(super) target_type: Option<&'a str>,
    pub(super) deregistration_delay_s: Option<i64>,
    pub(super) targets: Vec<TargetOut<'a>>,
}

#[derive(Serialize)]
pub(super) struct TargetOut<'a> {
    pub(super) id: &'a str,
    pub(super) port: Option<i32>,
    pub(super) state: &'a str,
    pub(super) reason: Option<&'a str>,
    pub(super) description: Option<&'a str>,
    pub(super) category: Option<&'a str>,
    /// AdministrativeOverride (null: none engaged), AnomalyDetection (null: not reported).
    pub(super) override_state: Option<&'a str>,
    pub(super) override_reason: Option<&'a str>,
    pub(super) anomaly: Option<&'a str>,
    pub(super) mitigation: Option<&'a str>,
}

#[derive(Serialize)]
pub(super) struct LatticeOut<'a> {
    pub(super) target_group_arn: &'a str,
    pub(super) port_name: &'a str,
    pub(super) role_arn: &'a str,
    /// null: not read (ListTargets)
    pub(super) targets: Option<&'a [crate::model::LatticeTarget]>,
}

#[derive(Serialize)]
pub(super) struct SwapOut<'a> {
    pub(super) at: String,
    pub(super) approx: bool,
    pub(super) to: &'a str,
    pub(super) from: Option<&'a str>,
}

#[derive(Serialize)]
pub(super) struct Point {
    pub(super) t: String,
    pub(super) v: f64,
}

#[derive(Serialize)]
pub(super) struct LogOut<'a> {
    pub(super) t: String,
    pub(super) stream: &'a str,
    pub(super) message: &'a str,
}

#[derive(Serialize)]
pub(super) struct FindingOut<'a> {
    pub(super) id: &'a str,
    pub(super) severity: &'static str,
    /// "exact" (the cause is known) or "family" (only the kind of failure is)
    pub(super) confidence: &'static str,
    pub(super) title: &'a str,
    pub(super) evidence: &'a [String],
    pub(super) fix: &'a str,
    pub(super) confirm: &'a str,
}

#[derive(Serialize)]
pub(super) struct ErrorOut<'a> {
    pub(super) account: Option<&'a str>,
    pub(super) region: &'a str,
    pub(super) source: &'static str,
    /// the log group or target group the failed call was about (null when about no one thing)
    pub(super) resource: Option<&'a str>,
    pub(super) message: String,
}

#[derive(Serialize)]
pub(super) struct ExpressOut<'a> {
    pub(super) endpoints: Vec<&'a str>,
    pub(super) managed_resources: Vec<&'a crate::model::ManagedResource>,
}
