//! `snapshot --format json`: the `ecswatch.snapshot.v1` schema of DESIGN.md, exactly.

use crate::diagnosis::task_category;
use crate::model::{MetricKind, Time};
use crate::store::Store;
use serde::Serialize;
use std::collections::BTreeMap;

pub const SCHEMA: &str = "ecswatch.snapshot.v1";

#[derive(Serialize)]
struct Snapshot<'a> {
    schema: &'static str,
    generated_at: String,
    /// The first target's Region (the only one unless several are watched).
    region: &'a str,
    /// Every account × Region watched.
    watched: Vec<WatchedOut<'a>>,
    services: Vec<ServiceOut<'a>>,
    /// Causes that services of several targets have at once (empty with one target).
    shared_causes: Vec<SharedOut>,
    errors: Vec<ErrorOut<'a>>,
}

#[derive(Serialize)]
struct SharedOut {
    id: String,
    title: String,
    severity: &'static str,
    summary: String,
    accounts: usize,
    regions: usize,
    since: Option<String>,
    /// `account/region/cluster/service` of each service that has it.
    services: Vec<String>,
}

#[derive(Serialize)]
struct WatchedOut<'a> {
    account: Option<&'a str>,
    region: &'a str,
    profile: Option<&'a str>,
    alias: Option<&'a str>,
    services: usize,
    /// Why the target could not be read (credentials, denial), if it could not.
    error: Option<String>,
}

#[derive(Serialize)]
struct ServiceOut<'a> {
    account: Option<&'a str>,
    region: &'a str,
    cluster: &'a str,
    name: &'a str,
    arn: &'a str,
    status: &'a str,
    desired: i32,
    running: i32,
    pending: i32,
    task_definition: &'a str,
    rollout: Rollout<'a>,
    deployments: Vec<DeploymentOut<'a>>,
    events: Vec<EventOut<'a>>,
    stopped_tasks: Vec<TaskOut<'a>>,
    /// Production first; blue/green's idle group too, labelled.
    target_groups: Vec<GroupOut<'a>>,
    /// Blue/green: when production moved between the two groups (seen, or `approx` from the
    /// deployment that moved it).
    production_swaps: Vec<SwapOut<'a>>,
    service_connect: Option<&'a crate::model::ServiceConnect>,
    vpc_lattice: Vec<LatticeOut<'a>>,
    metrics: BTreeMap<&'static str, Vec<Point>>,
    logs: Vec<LogOut<'a>>,
    findings: Vec<FindingOut<'a>>,
    /// The current service deployment (null when the service has none).
    service_deployment: Option<SdOut<'a>>,
    /// ECS | CODE_DEPLOY | EXTERNAL
    deployment_controller: &'a str,
    /// Task sets of a CODE_DEPLOY or EXTERNAL service (empty otherwise).
    task_sets: Vec<TaskSetOut<'a>>,
    enable_execute_command: bool,
    /// The running tasks as last listed (null: not read; the console reads the open service's).
    running_tasks: Option<Vec<RunningOut<'a>>>,
    /// Application Auto Scaling (null: not read; `target` null: not registered).
    scaling: Option<&'a crate::model::Scaling>,
}

#[derive(Serialize)]
struct RunningOut<'a> {
    arn: &'a str,
    task_definition: &'a str,
    last_status: &'a str,
    desired_status: &'a str,
    health_status: Option<&'a str>,
    capacity_provider: Option<&'a str>,
    availability_zone: Option<&'a str>,
    private_ip: Option<&'a str>,
    started_at: Option<String>,
    exec_enabled: bool,
    containers: Vec<RunningContainerOut<'a>>,
}

#[derive(Serialize)]
struct RunningContainerOut<'a> {
    name: &'a str,
    last_status: Option<&'a str>,
    health_status: Option<&'a str>,
    exec_agent: Option<&'a str>,
}

#[derive(Serialize)]
struct SdOut<'a> {
    arn: &'a str,
    status: &'a str,
    status_reason: Option<&'a str>,
    strategy: Option<&'a str>,
    lifecycle_stage: Option<&'a str>,
    started_at: Option<String>,
    finished_at: Option<String>,
    bake_time_minutes: Option<i32>,
    /// LINEAR: the step; CANARY: the canary's share (percent), and its bake
    step_percent: Option<f64>,
    step_bake_minutes: Option<i32>,
    target_revision: Option<RevisionOut<'a>>,
    source_revisions: Vec<RevisionOut<'a>>,
    alarms: Option<AlarmsOut<'a>>,
    circuit_breaker: Option<BreakerOut<'a>>,
    rollback: Option<RollbackOut<'a>>,
    hooks: Vec<HookOut<'a>>,
}

#[derive(Serialize)]
struct RevisionOut<'a> {
    arn: &'a str,
    task_definition: Option<&'a str>,
    requested: i32,
    running: i32,
    pending: i32,
    production_weight: Option<f64>,
    test_weight: Option<f64>,
}

#[derive(Serialize)]
struct AlarmsOut<'a> {
    status: &'a str,
    names: &'a [String],
    triggered: &'a [String],
}

#[derive(Serialize)]
struct BreakerOut<'a> {
    status: &'a str,
    failures: i32,
    threshold: i32,
}

#[derive(Serialize)]
struct RollbackOut<'a> {
    reason: Option<&'a str>,
    started_at: Option<String>,
    revision: Option<&'a str>,
}

#[derive(Serialize)]
struct HookOut<'a> {
    id: &'a str,
    stage: Option<&'a str>,
    status: &'a str,
    expires_at: Option<String>,
    timeout_action: Option<&'a str>,
}

#[derive(Serialize)]
struct TaskSetOut<'a> {
    id: &'a str,
    status: &'a str,
    external_id: Option<&'a str>,
    task_definition: &'a str,
    desired: i32,
    running: i32,
    pending: i32,
    scale_percent: Option<f64>,
    stability: Option<&'a str>,
}

fn revision_out(r: &crate::model::Revision) -> RevisionOut<'_> {
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

fn sd_out(d: &crate::model::ServiceDeployment) -> SdOut<'_> {
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
struct Rollout<'a> {
    state: Option<&'a str>,
    reason: Option<&'a str>,
}

#[derive(Serialize)]
struct DeploymentOut<'a> {
    id: &'a str,
    status: &'a str,
    task_definition: &'a str,
    desired: i32,
    running: i32,
    pending: i32,
    failed: i32,
    rollout_state: Option<&'a str>,
    rollout_state_reason: Option<&'a str>,
    created_at: Option<String>,
    updated_at: Option<String>,
}

#[derive(Serialize)]
struct EventOut<'a> {
    id: &'a str,
    created_at: Option<String>,
    message: &'a str,
    category: Option<&'a str>,
}

#[derive(Serialize)]
struct TaskOut<'a> {
    arn: &'a str,
    task_definition: &'a str,
    stopped_at: Option<String>,
    stopped_reason: Option<&'a str>,
    stop_code: Option<&'a str>,
    /// FARGATE | EC2 | EXTERNAL (null: not known): it decides `category` where the same words
    /// name another cause on another launch type (a full disk).
    launch_type: Option<&'a str>,
    category: Option<&'a str>,
    containers: Vec<ContainerOut<'a>>,
    /// Attachments ECS gave a reason for (an EBS volume it could not attach): the cause, where
    /// the stopped reason does not say it. Left out when there are none.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    attachments: Vec<AttachmentOut<'a>>,
}

#[derive(Serialize)]
struct AttachmentOut<'a> {
    #[serde(rename = "type")]
    kind: &'a str,
    status: Option<&'a str>,
    reason: &'a str,
}

#[derive(Serialize)]
struct ContainerOut<'a> {
    name: &'a str,
    exit_code: Option<i32>,
    reason: Option<&'a str>,
}

#[derive(Serialize)]
struct GroupOut<'a> {
    arn: &'a str,
    name: &'a str,
    /// prod | test | idle | unknown (the only group of a service that is not blue/green: prod).
    role: crate::model::GroupRole,
    /// How the role is known (blue/green): `current revision`, `deployment weights`, ...
    role_from: String,
    blue_green: bool,
    target_type: Option<&'a str>,
    deregistration_delay_s: Option<i64>,
    targets: Vec<TargetOut<'a>>,
}

#[derive(Serialize)]
struct TargetOut<'a> {
    id: &'a str,
    port: Option<i32>,
    state: &'a str,
    reason: Option<&'a str>,
    description: Option<&'a str>,
    category: Option<&'a str>,
    /// AdministrativeOverride (null: none engaged), AnomalyDetection (null: not reported).
    override_state: Option<&'a str>,
    override_reason: Option<&'a str>,
    anomaly: Option<&'a str>,
    mitigation: Option<&'a str>,
}

#[derive(Serialize)]
struct LatticeOut<'a> {
    target_group_arn: &'a str,
    port_name: &'a str,
    role_arn: &'a str,
    /// null: not read (ListTargets)
    targets: Option<&'a [crate::model::LatticeTarget]>,
}

#[derive(Serialize)]
struct SwapOut<'a> {
    at: String,
    approx: bool,
    to: &'a str,
    from: Option<&'a str>,
}

#[derive(Serialize)]
struct Point {
    t: String,
    v: f64,
}

#[derive(Serialize)]
struct LogOut<'a> {
    t: String,
    stream: &'a str,
    message: &'a str,
}

#[derive(Serialize)]
struct FindingOut<'a> {
    id: &'a str,
    severity: &'static str,
    /// "exact" (the cause is known) or "family" (only the kind of failure is)
    confidence: &'static str,
    title: &'a str,
    evidence: &'a [String],
    fix: &'a str,
    confirm: &'a str,
}

#[derive(Serialize)]
struct ErrorOut<'a> {
    account: Option<&'a str>,
    region: &'a str,
    source: &'static str,
    /// the log group or target group the failed call was about (null when about no one thing)
    resource: Option<&'a str>,
    message: String,
}

pub(crate) fn ts(t: Time) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

pub fn snapshot_json(store: &Store, now: Time) -> String {
    let pb = store.playbook();
    let services = store
        .services
        .values()
        .map(|state| {
            let s = &state.service;
            let (state_, reason) = s.rollout();
            let target = store.target(s.target);
            ServiceOut {
                account: crate::room::arn_account(&s.arn).or(target.account.as_deref()),
                region: crate::room::arn_region(&s.arn).unwrap_or(&target.region),
                cluster: &s.cluster,
                name: &s.name,
                arn: &s.arn,
                status: &s.status,
                desired: s.desired,
                running: s.running,
                pending: s.pending,
                task_definition: &s.task_definition,
                rollout: Rollout {
                    state: state_,
                    reason,
                },
                deployments: s
                    .deployments
                    .iter()
                    .map(|d| DeploymentOut {
                        id: &d.id,
                        status: &d.status,
                        task_definition: &d.task_definition,
                        desired: d.desired,
                        running: d.running,
                        pending: d.pending,
                        failed: d.failed,
                        rollout_state: d.rollout_state.as_deref(),
                        rollout_state_reason: d.rollout_state_reason.as_deref(),
                        created_at: d.created_at.map(ts),
                        updated_at: d.updated_at.map(ts),
                    })
                    .collect(),
                events: state
                    .events
                    .iter()
                    .map(|e| EventOut {
                        id: &e.id,
                        created_at: e.created_at.map(ts),
                        message: &e.message,
                        category: state.event_category(&e.id),
                    })
                    .collect(),
                stopped_tasks: state
                    .stopped
                    .iter()
                    .filter_map(|arn| store.stopped_tasks.get(arn))
                    .map(|t| TaskOut {
                        arn: &t.arn,
                        task_definition: &t.task_definition,
                        stopped_at: t.stopped_at.map(ts),
                        stopped_reason: t.stopped_reason.as_deref(),
                        stop_code: t.stop_code.as_deref(),
                        launch_type: t.launch_type.as_deref(),
                        category: task_category(pb, t).map(|(e, _)| e.id.as_str()),
                        containers: t
                            .containers
                            .iter()
                            .map(|c| ContainerOut {
                                name: &c.name,
                                exit_code: c.exit_code,
                                reason: c.reason.as_deref(),
                            })
                            .collect(),
                        attachments: t
                            .attachment_reasons
                            .iter()
                            .map(|a| AttachmentOut {
                                kind: &a.kind,
                                status: a.status.as_deref(),
                                reason: &a.reason,
                            })
                            .collect(),
                    })
                    .collect(),
                target_groups: store
                    .traffic_of(s)
                    .into_iter()
                    .filter_map(|gv| {
                        let g = gv.state?;
                        Some(GroupOut {
                            arn: &g.group.arn,
                            name: &g.group.name,
                            role: gv.role,
                            role_from: gv.why,
                            blue_green: gv.blue_green,
                            target_type: g.group.target_type.as_deref(),
                            deregistration_delay_s: g.group.deregistration_delay_s,
                            targets: g
                                .targets
                                .iter()
                                .map(|t| TargetOut {
                                    id: &t.id,
                                    port: t.port,
                                    state: &t.state,
                                    reason: t.reason.as_deref(),
                                    description: t.description.as_deref(),
                                    category: if t.state == "healthy" {
                                        None
                                    } else {
                                        pb.classify_target_health(
                                            t.reason.as_deref(),
                                            t.description.as_deref(),
                                        )
                                        .map(|m| m.entry.id.as_str())
                                    },
                                    override_state: t.override_state.as_deref(),
                                    override_reason: t.override_reason.as_deref(),
                                    anomaly: t.anomaly.as_deref(),
                                    mitigation: t.mitigation.as_deref(),
                                })
                                .collect(),
                        })
                    })
                    .collect(),
                production_swaps: state
                    .swaps
                    .iter()
                    .filter(|w| w.at > chrono::DateTime::UNIX_EPOCH)
                    .map(|w| SwapOut {
                        at: w.at.to_rfc3339(),
                        approx: w.approx,
                        to: &w.to,
                        from: w.from.as_deref(),
                    })
                    .collect(),
                service_connect: s.service_connect(),
                vpc_lattice: s
                    .lattice_groups()
                    .into_iter()
                    .map(|l| LatticeOut {
                        target_group_arn: &l.target_group_arn,
                        port_name: &l.port_name,
                        role_arn: &l.role_arn,
                        targets: store
                            .lattice
                            .get(&l.target_group_arn)
                            .map(|(t, _)| t.as_slice()),
                    })
                    .collect(),
                metrics: MetricKind::ALL
                    .iter()
                    .filter_map(|k| {
                        let ring = state.metrics.get(k)?;
                        Some((
                            k.json_key(),
                            ring.iter().map(|p| Point { t: ts(p.t), v: p.v }).collect(),
                        ))
                    })
                    .collect(),
                logs: state
                    .logs
                    .iter()
                    .map(|l| LogOut {
                        t: ts(l.t),
                        stream: &l.stream,
                        message: &l.message,
                    })
                    .collect(),
                findings: state
                    .findings
                    .iter()
                    .map(|f| FindingOut {
                        id: &f.id,
                        severity: f.severity.as_str(),
                        confidence: f.confidence.as_str(),
                        title: &f.title,
                        evidence: &f.evidence,
                        fix: &f.fix,
                        confirm: &f.confirm,
                    })
                    .collect(),
                service_deployment: s.service_deployment.as_ref().map(sd_out),
                deployment_controller: s.controller(),
                task_sets: s
                    .task_sets
                    .iter()
                    .map(|t| TaskSetOut {
                        id: &t.id,
                        status: &t.status,
                        external_id: t.external_id.as_deref(),
                        task_definition: &t.task_definition,
                        desired: t.desired,
                        running: t.running,
                        pending: t.pending,
                        scale_percent: t.scale_percent,
                        stability: t.stability.as_deref(),
                    })
                    .collect(),
                enable_execute_command: s.enable_execute_command,
                running_tasks: state.running_read_at.map(|_| {
                    state
                        .running
                        .iter()
                        .map(|t| RunningOut {
                            arn: &t.arn,
                            task_definition: &t.task_definition,
                            last_status: &t.last_status,
                            desired_status: &t.desired_status,
                            health_status: t.health_status.as_deref(),
                            capacity_provider: t.capacity_provider.as_deref(),
                            availability_zone: t.availability_zone.as_deref(),
                            private_ip: t.private_ip.as_deref(),
                            started_at: t.started_at.map(ts),
                            exec_enabled: t.exec_enabled,
                            containers: t
                                .containers
                                .iter()
                                .map(|c| RunningContainerOut {
                                    name: &c.name,
                                    last_status: c.last_status.as_deref(),
                                    health_status: c.health_status.as_deref(),
                                    exec_agent: c.exec_agent.as_deref(),
                                })
                                .collect(),
                        })
                        .collect()
                }),
                scaling: state.scaling.as_deref(),
            }
        })
        .collect();
    let errors = store
        .targets
        .iter()
        .flat_map(|t| {
            t.status.iter().flat_map(move |(source, st)| {
                st.errors.iter().map(move |(_, e)| ErrorOut {
                    account: t.account.as_deref(),
                    region: &t.region,
                    source: source.name(),
                    resource: e.resource.as_deref(),
                    message: e.to_string(),
                })
            })
        })
        .collect();
    let watched = store
        .targets
        .iter()
        .enumerate()
        .map(|(i, t)| WatchedOut {
            account: t.account.as_deref(),
            region: &t.region,
            profile: t.spec.profile.as_deref(),
            alias: t.spec.alias.as_deref(),
            services: store
                .services
                .keys()
                .filter(|k| usize::from(k.target) == i)
                .count(),
            error: t.credentials_error().map(|e| e.to_string()),
        })
        .collect();
    let snap = Snapshot {
        schema: SCHEMA,
        generated_at: ts(now),
        region: store.region(),
        watched,
        shared_causes: crate::store::findings::together::shared_causes(store, now)
            .into_iter()
            .map(|c| SharedOut {
                summary: c.summary(),
                severity: c.severity.as_str(),
                since: c.since.map(ts),
                services: c
                    .services
                    .iter()
                    .map(|k| {
                        let t = store.target(k.target);
                        format!(
                            "{}/{}/{}/{}",
                            t.account.as_deref().unwrap_or("?"),
                            t.region,
                            k.cluster,
                            k.service
                        )
                    })
                    .collect(),
                accounts: c.accounts,
                regions: c.regions,
                id: c.id,
                title: c.title,
            })
            .collect(),
        services,
        errors,
    };
    serde_json::to_string_pretty(&snap).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
}
