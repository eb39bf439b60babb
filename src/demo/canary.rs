//! The demo's second deploying service: `search-api` deploys revision 9 by CANARY — 5% of
//! production traffic to the new revision, baked for 5 minutes with the alarm
//! `search-api-5xx-high` watched. The alarm fires during the bake and ECS rolls back.
//!
//! All of it is a pure function of `t`, the seconds since the checkout deploy started.

use super::world::{ACCOUNT, DEMO_CLUSTER, REGION, ecr, service_arn, td_arn, tg_arn};
use crate::model::{
    BreakerState, ContainerDef, Deployment, DeploymentBrief, DeploymentConfig, LoadBalancerRef,
    LogConfig, MonitorState, Revision, RevisionDetail, RollbackInfo, Service, ServiceDeployment,
    ServiceEvent, TargetGroup, TargetHealth, TaskDefinition, Time,
};
use chrono::Duration;

pub const SEARCH: &str = "search-api";
pub const ALARM: &str = "search-api-5xx-high";
/// When the canary deploy started (before the demo opens).
const CREATED_S: i64 = -130;
/// The stages before the canary step, with the second each begins at.
const STAGES: [(&str, i64); 6] = [
    ("RECONCILE_SERVICE", -130),
    ("PRE_SCALE_UP", -120),
    ("SCALE_UP", -110),
    ("POST_SCALE_UP", -70),
    ("TEST_TRAFFIC_SHIFT", -60),
    ("POST_TEST_TRAFFIC_SHIFT", -45),
];
/// The canary step (5% of production) begins.
pub const CANARY_AT_S: i64 = -30;
/// The alarm fires and ECS starts rolling back.
pub const ALARM_AT_S: i64 = 110;
/// The rollback is done.
pub const ROLLED_BACK_S: i64 = 170;
const CANARY_PERCENT: f64 = 5.0;
const CANARY_BAKE_MIN: i32 = 5;
const BAKE_MIN: i32 = 10;
const DESIRED: i32 = 4;

const DEPLOYMENT_ID: &str = "8KXh2Nq4Rw7Tb1ZpLm3Vc";
const OLD_DEPLOYMENT_ID: &str = "2bQ9sYdF6gHjK0LzXc5Vn";

fn revision_arn(id: &str) -> String {
    format!("arn:aws:ecs:{REGION}:{ACCOUNT}:service-revision/{DEMO_CLUSTER}/{SEARCH}/{id}")
}

pub fn deployment_arn(id: &str) -> String {
    format!("arn:aws:ecs:{REGION}:{ACCOUNT}:service-deployment/{DEMO_CLUSTER}/{SEARCH}/{id}")
}

const NEW_REVISION: &str = "4419520190322167000";
const OLD_REVISION: &str = "2958800113457812000";

pub fn target_group() -> TargetGroup {
    TargetGroup {
        arn: tg_arn("search-api-tg", "0c5a9d7e21f4b836"),
        name: "search-api-tg".into(),
        target_type: Some("ip".into()),
        protocol: Some("HTTP".into()),
        port: Some(8080),
        health_check_path: Some("/healthz".into()),
        load_balancer_dimensions: vec!["app/prod-public/50dc6c495c0c9188".into()],
        deregistration_delay_s: Some(30),
    }
}

pub fn task_definitions() -> Vec<TaskDefinition> {
    [(8, "v3.11.2"), (9, "v3.12.0")]
        .into_iter()
        .map(|(rev, tag)| TaskDefinition {
            arn: td_arn(SEARCH, rev),
            family: SEARCH.into(),
            revision: rev,
            network_mode: Some("awsvpc".into()),
            execution_role_arn: Some(format!("arn:aws:iam::{ACCOUNT}:role/search-api-execution")),
            task_role_arn: None,
            containers: vec![ContainerDef {
                name: "app".into(),
                image: format!("{}:{tag}", ecr(SEARCH)),
                essential: true,
                stop_timeout_s: Some(30),
                restart_policy: None,
                log: Some(LogConfig {
                    driver: "awslogs".into(),
                    group: Some("/ecs/search-api".into()),
                    region: Some(REGION.into()),
                    stream_prefix: Some("ecs".into()),
                }),
                ..Default::default()
            }],
        })
        .collect()
}

/// (service revision ARN, task definition ARN): what DescribeServiceRevisions answers.
pub fn revisions() -> Vec<RevisionDetail> {
    let rev = |id: &str, td: i32| RevisionDetail {
        arn: revision_arn(id),
        task_definition: td_arn(SEARCH, td),
        target_groups: vec![target_group().arn],
        lattice_groups: Vec::new(),
        managed: Default::default(),
    };
    vec![rev(NEW_REVISION, 9), rev(OLD_REVISION, 8)]
}

/// The deployment history: the canary, and the deploy of revision 8 two days ago.
pub fn history(origin: Time, t: i64) -> Vec<DeploymentBrief> {
    let at = |s: i64| origin + Duration::seconds(s);
    let current = deployment(origin, t);
    vec![
        DeploymentBrief {
            arn: current.arn.clone(),
            status: current.status.clone(),
            status_reason: current.status_reason.clone(),
            created_at: current.created_at,
            started_at: current.started_at,
            finished_at: current.finished_at,
            target_revision: Some(revision_arn(NEW_REVISION)),
        },
        DeploymentBrief {
            arn: deployment_arn(OLD_DEPLOYMENT_ID),
            status: "SUCCESSFUL".into(),
            status_reason: None,
            created_at: Some(at(-2 * 86_400)),
            started_at: Some(at(-2 * 86_400 + 5)),
            finished_at: Some(at(-2 * 86_400 + 1_260)),
            target_revision: Some(revision_arn(OLD_REVISION)),
        },
    ]
}

/// The canary service deployment at `t`.
pub fn deployment(origin: Time, t: i64) -> ServiceDeployment {
    let at = |s: i64| origin + Duration::seconds(s);
    let t = t.max(CREATED_S);
    let stage = if t >= CANARY_AT_S {
        "PRODUCTION_TRAFFIC_SHIFT"
    } else {
        STAGES
            .iter()
            .rev()
            .find(|(_, s)| t >= *s)
            .map(|(n, _)| *n)
            .unwrap_or("RECONCILE_SERVICE")
    };
    let scaled = ((t - STAGES[2].1).clamp(0, 40) * i64::from(DESIRED) / 40) as i32;
    let (status, reason) = if t >= ROLLED_BACK_S {
        (
            "ROLLBACK_SUCCESSFUL",
            Some(format!(
                "Rolled back: CloudWatch alarm {ALARM} is in ALARM state."
            )),
        )
    } else if t >= ALARM_AT_S {
        (
            "ROLLBACK_IN_PROGRESS",
            Some(format!(
                "Rolling back: CloudWatch alarm {ALARM} is in ALARM state."
            )),
        )
    } else {
        ("IN_PROGRESS", None)
    };
    let canary = (CANARY_AT_S..ALARM_AT_S).contains(&t);
    let test_on = t >= STAGES[4].1 && t < ALARM_AT_S;
    let green_running = if t >= ROLLED_BACK_S {
        0
    } else if t >= ALARM_AT_S {
        (i64::from(DESIRED) * (ROLLED_BACK_S - t) / (ROLLED_BACK_S - ALARM_AT_S)) as i32
    } else {
        scaled
    };
    let updated = match t {
        x if x >= ROLLED_BACK_S => ROLLED_BACK_S,
        x if x >= ALARM_AT_S => ALARM_AT_S,
        x if x >= CANARY_AT_S => CANARY_AT_S,
        x => STAGES
            .iter()
            .rev()
            .find(|(_, s)| x >= *s)
            .map(|(_, s)| *s)
            .unwrap_or(CREATED_S),
    };
    ServiceDeployment {
        arn: deployment_arn(DEPLOYMENT_ID),
        status: status.into(),
        status_reason: reason,
        strategy: Some("CANARY".into()),
        lifecycle_stage: Some(stage.into()),
        created_at: Some(at(CREATED_S)),
        started_at: Some(at(CREATED_S + 2)),
        updated_at: Some(at(updated)),
        finished_at: (t >= ROLLED_BACK_S).then(|| at(ROLLED_BACK_S)),
        stopped_at: None,
        bake_time_minutes: Some(BAKE_MIN),
        step_percent: Some(CANARY_PERCENT),
        step_bake_minutes: Some(CANARY_BAKE_MIN),
        target_revision: Some(Revision {
            arn: revision_arn(NEW_REVISION),
            task_definition: None,
            requested: if t >= ALARM_AT_S { 0 } else { DESIRED },
            running: green_running,
            pending: if t < ALARM_AT_S { DESIRED - scaled } else { 0 },
            production_weight: Some(if canary { CANARY_PERCENT } else { 0.0 }),
            test_weight: Some(if test_on { 100.0 } else { 0.0 }),
            ..Default::default()
        }),
        source_revisions: vec![Revision {
            arn: revision_arn(OLD_REVISION),
            task_definition: None,
            requested: DESIRED,
            running: DESIRED,
            pending: 0,
            production_weight: Some(if canary {
                100.0 - CANARY_PERCENT
            } else {
                100.0
            }),
            test_weight: Some(if test_on { 0.0 } else { 100.0 }),
            ..Default::default()
        }],
        alarms: Some(MonitorState {
            status: if t >= ALARM_AT_S {
                "TRIGGERED"
            } else {
                "MONITORING"
            }
            .into(),
            names: vec![ALARM.into(), "search-api-p99-latency".into()],
            triggered: if t >= ALARM_AT_S {
                vec![ALARM.into()]
            } else {
                vec![]
            },
        }),
        circuit_breaker: Some(BreakerState {
            status: if t >= ALARM_AT_S {
                "MONITORING_COMPLETE"
            } else {
                "MONITORING"
            }
            .into(),
            failures: 0,
            threshold: 3,
        }),
        rollback: (t >= ALARM_AT_S).then(|| RollbackInfo {
            reason: Some(format!("CloudWatch alarm {ALARM} is in ALARM state.")),
            started_at: Some(at(ALARM_AT_S)),
            revision: Some(revision_arn(OLD_REVISION)),
        }),
        hooks: vec![],
    }
}

/// `search-api` as DescribeServices reports it at `t`.
pub fn service(origin: Time, t: i64) -> Service {
    let at = |s: i64| origin + Duration::seconds(s);
    let sd = deployment(origin, t);
    let rolled_back = t >= ROLLED_BACK_S;
    let green = sd.target_revision.clone().unwrap_or_default();
    let mut deployments = vec![Deployment {
        id: format!("ecs-svc/{DEPLOYMENT_ID}"),
        status: "PRIMARY".into(),
        task_definition: td_arn(SEARCH, if rolled_back { 8 } else { 9 }),
        desired: DESIRED,
        running: if rolled_back { DESIRED } else { green.running },
        pending: green.pending,
        failed: 0,
        rollout_state: Some(
            if rolled_back {
                "COMPLETED"
            } else {
                "IN_PROGRESS"
            }
            .into(),
        ),
        rollout_state_reason: Some(if rolled_back {
            format!("ECS deployment ecs-svc/{DEPLOYMENT_ID} completed.")
        } else {
            format!("ECS deployment ecs-svc/{DEPLOYMENT_ID} in progress.")
        }),
        created_at: Some(at(CREATED_S)),
        updated_at: sd.updated_at,
        ..Default::default()
    }];
    if !rolled_back {
        deployments.push(Deployment {
            id: format!("ecs-svc/{OLD_DEPLOYMENT_ID}"),
            status: "ACTIVE".into(),
            task_definition: td_arn(SEARCH, 8),
            desired: DESIRED,
            running: DESIRED,
            rollout_state: Some("COMPLETED".into()),
            created_at: Some(at(-2 * 86_400)),
            updated_at: Some(at(-2 * 86_400 + 1_260)),
            ..Default::default()
        });
    }
    let mut events = vec![ServiceEvent {
        id: "s-0001".into(),
        created_at: Some(at(-2 * 86_400 + 1_260)),
        message: format!("(service {SEARCH}) has reached a steady state."),
    }];
    events.push(ServiceEvent {
        id: "s-0002".into(),
        created_at: Some(at(STAGES[2].1 + 2)),
        message: format!(
            "(service {SEARCH}) has started 4 tasks: (task 0d1e2f3a4b5c6d7e8f9a0b1c2d3e4f5a) \
             (task 1e2f3a4b5c6d7e8f9a0b1c2d3e4f5a6b) (task 2f3a4b5c6d7e8f9a0b1c2d3e4f5a6b7c) \
             (task 3a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d)."
        ),
    });
    if rolled_back {
        events.push(ServiceEvent {
            id: "s-0003".into(),
            created_at: Some(at(ROLLED_BACK_S)),
            message: format!("(service {SEARCH}) has reached a steady state."),
        });
    }
    events.retain(|e| e.created_at.is_none_or(|c| c <= at(t)));
    events.sort_by_key(|e| std::cmp::Reverse(e.created_at));
    Service {
        place: 0,
        arn: service_arn(SEARCH),
        name: SEARCH.into(),
        cluster: DEMO_CLUSTER.into(),
        status: "ACTIVE".into(),
        desired: DESIRED,
        running: DESIRED + if rolled_back { 0 } else { green.running },
        pending: green.pending,
        task_definition: td_arn(SEARCH, if rolled_back { 8 } else { 9 }),
        launch_type: Some("FARGATE".into()),
        resource_management_type: None,
        az_rebalancing: Some("ENABLED".into()),
        awsvpc: true,
        subnets: vec!["subnet-0a1b2c3d".into(), "subnet-4e5f6a7b".into()],
        health_check_grace_s: Some(30),
        deployment_config: DeploymentConfig {
            circuit_breaker_enable: Some(true),
            circuit_breaker_rollback: Some(true),
            minimum_healthy_percent: Some(100),
            maximum_percent: Some(200),
            strategy: Some("CANARY".into()),
            bake_time_minutes: Some(BAKE_MIN),
            alarm_names: vec![ALARM.into(), "search-api-p99-latency".into()],
            alarms_enable: Some(true),
            hooks: vec![],
            early_success: None,
        },
        deployments,
        events,
        load_balancers: vec![LoadBalancerRef {
            target_group_arn: Some(target_group().arn),
            load_balancer_name: None,
            container_name: Some("app".into()),
            container_port: Some(8080),
            ..Default::default()
        }],
        created_at: Some(at(-120 * 86_400)),
        controller: Some("ECS".into()),
        current_service_deployment: Some(sd.arn),
        service_deployment: None,
        deployment_history: Vec::new(),
        task_sets: Vec::new(),
        current_revisions: Vec::new(),
        enable_execute_command: false,
    }
}

/// The target group's health at `t`: the blue tasks healthy, the green ones registering,
/// then healthy, then draining during the rollback.
pub fn targets(t: i64) -> (String, Vec<TargetHealth>) {
    let blue = ["10.0.1.110", "10.0.1.131", "10.0.2.118", "10.0.2.140"];
    let green = ["10.0.1.164", "10.0.1.173", "10.0.2.160", "10.0.2.177"];
    let mut out: Vec<TargetHealth> = blue
        .iter()
        .map(|ip| TargetHealth {
            id: (*ip).into(),
            port: Some(8080),
            state: "healthy".into(),
            reason: None,
            description: None,
            ..Default::default()
        })
        .collect();
    if (CANARY_AT_S..ROLLED_BACK_S).contains(&t) {
        let draining = t >= ALARM_AT_S;
        out.extend(green.iter().map(|ip| TargetHealth {
            id: (*ip).into(),
            port: Some(8080),
            state: if draining { "draining" } else { "healthy" }.into(),
            reason: draining.then(|| "Target.DeregistrationInProgress".into()),
            description: draining.then(|| "Target deregistration is in progress".into()),
            ..Default::default()
        }));
    }
    (target_group().arn, out)
}
