//! The demo's ECS Managed Instances service: `render-gpu` runs two tasks on GPU instances of the
//! `gpu-mi` capacity provider. One instance reported a GPU Xid error (`XID_79`, "GPU has fallen
//! off the bus"); ECS marked it IMPAIRED and is draining it to replace it (auto repair), so one
//! of the service's tasks was stopped by the drain ten minutes ago and its replacement runs on
//! the healthy instance, and the other still runs on the impaired one until the drain ends.

use super::world::{ACCOUNT, DEMO_CLUSTER, REGION, ecr, service_arn, task_arn, td_arn};
use crate::model::{
    ContainerDef, ContainerInstance, ContainerState, Deployment, DeploymentConfig, InstanceHealth,
    InstanceHealthCheck, Service, ServiceEvent, Task, TaskDefinition, Time,
};
use chrono::Duration;

pub const GPU: &str = "render-gpu";
const PROVIDER: &str = "gpu-mi";
const DEPLOYMENT: &str = "ecs-svc/7781203349950116624";
const HEALTHY_ID: &str = "0f5b1c2d3e4a5b6c7";
const IMPAIRED_ID: &str = "0a9e8d7c6b5a4f3e2";
/// (task id, on the impaired instance)
const RUNNING: [(&str, bool); 2] = [
    ("4c1d8e2f9a3b4c5d6e7f8a9b0c1d2e3f", true),
    ("7a2b3c4d5e6f40718293a4b5c6d7e8f9", false),
];
/// The renderer on the impaired instance crash-loops in place since the Xid error (its restart
/// policy restarts it; CUDA calls fail): one restart every 3 minutes from this many seconds
/// after the demo starts.
const LOOP_FROM_S: i64 = -1_800;
const LOOP_EVERY_S: i64 = 180;

/// The `RestartCount` of a task's renderer at `since_deploy` seconds (None: not running).
pub fn restart_count(task: &str, since_deploy: i64) -> Option<f64> {
    let (_, impaired) = RUNNING.iter().find(|(id, _)| *id == task)?;
    if !impaired {
        return Some(0.0);
    }
    Some(((since_deploy - LOOP_FROM_S).max(0) / LOOP_EVERY_S) as f64)
}

const DRAINED: &str = "91e0f7d6c5b44a3921807f6e5d4c3b2a";

fn instance_arn(id: &str) -> String {
    format!("arn:aws:ecs:{REGION}:{ACCOUNT}:container-instance/{DEMO_CLUSTER}/{id}")
}

pub fn task_definitions() -> Vec<TaskDefinition> {
    vec![TaskDefinition {
        arn: td_arn(GPU, 3),
        family: GPU.into(),
        revision: 3,
        network_mode: Some("awsvpc".into()),
        execution_role_arn: Some(format!("arn:aws:iam::{ACCOUNT}:role/render-gpu-execution")),
        task_role_arn: None,
        containers: vec![ContainerDef {
            name: "renderer".into(),
            image: format!("{}:2.7.1", ecr(GPU)),
            essential: true,
            restart_policy: Some(crate::model::RestartPolicy {
                ignored_exit_codes: vec![0],
                attempt_period_s: Some(60),
            }),
            ..Default::default()
        }],
    }]
}

pub fn service(origin: Time) -> Service {
    let at = |s: i64| origin + Duration::seconds(s);
    Service {
        place: 0,
        arn: service_arn(GPU),
        name: GPU.into(),
        cluster: DEMO_CLUSTER.into(),
        status: "ACTIVE".into(),
        desired: 2,
        running: 2,
        pending: 0,
        task_definition: td_arn(GPU, 3),
        launch_type: None,
        az_rebalancing: Some("ENABLED".into()),
        awsvpc: true,
        subnets: vec!["subnet-0a1b2c3d".into(), "subnet-4e5f6a7b".into()],
        deployment_config: DeploymentConfig {
            circuit_breaker_enable: Some(true),
            circuit_breaker_rollback: Some(true),
            minimum_healthy_percent: Some(100),
            maximum_percent: Some(200),
            ..Default::default()
        },
        deployments: vec![Deployment {
            id: DEPLOYMENT.into(),
            status: "PRIMARY".into(),
            task_definition: td_arn(GPU, 3),
            desired: 2,
            running: 2,
            rollout_state: Some("COMPLETED".into()),
            rollout_state_reason: Some(format!("ECS deployment {DEPLOYMENT} completed.")),
            created_at: Some(at(-9 * 86_400)),
            updated_at: Some(at(-9 * 86_400 + 240)),
            ..Default::default()
        }],
        events: vec![
            ServiceEvent {
                id: "g-0002".into(),
                created_at: Some(at(-540)),
                message: format!("(service {GPU}) has reached a steady state."),
            },
            ServiceEvent {
                id: "g-0001".into(),
                created_at: Some(at(-600)),
                message: format!(
                    "(service {GPU}) has started 1 tasks: (task {}).",
                    RUNNING[1].0
                ),
            },
        ],
        created_at: Some(at(-60 * 86_400)),
        ..Default::default()
    }
}

fn task(id: &str, on_impaired: bool, origin: Time) -> Task {
    let at = |s: i64| origin + Duration::seconds(s);
    Task {
        place: 0,
        arn: task_arn(id),
        cluster: DEMO_CLUSTER.into(),
        task_definition: td_arn(GPU, 3),
        group: Some(format!("service:{GPU}")),
        started_by: Some(DEPLOYMENT.into()),
        last_status: "RUNNING".into(),
        desired_status: "RUNNING".into(),
        started_at: Some(if on_impaired {
            at(-3 * 86_400)
        } else {
            at(-590)
        }),
        containers: vec![ContainerState {
            name: "renderer".into(),
            image: Some(format!("{}:2.7.1", ecr(GPU))),
            last_status: Some("RUNNING".into()),
            ..Default::default()
        }],
        health_status: Some("UNKNOWN".into()),
        capacity_provider: Some(PROVIDER.into()),
        launch_type: Some("MANAGED_INSTANCES".into()),
        availability_zone: Some(
            if on_impaired {
                "us-east-1b"
            } else {
                "us-east-1a"
            }
            .into(),
        ),
        container_instance_arn: Some(instance_arn(if on_impaired {
            IMPAIRED_ID
        } else {
            HEALTHY_ID
        })),
        private_ip: Some(
            if on_impaired {
                "10.0.2.61"
            } else {
                "10.0.1.62"
            }
            .into(),
        ),
        ..Default::default()
    }
}

pub fn running(origin: Time) -> Vec<Task> {
    RUNNING
        .iter()
        .map(|(id, impaired)| task(id, *impaired, origin))
        .collect()
}

/// The task the drain stopped ten minutes ago: the renderer shut down on SIGTERM and exited 0.
pub fn drained_task(origin: Time) -> Task {
    let at = |s: i64| origin + Duration::seconds(s);
    let mut t = task(DRAINED, true, origin);
    t.last_status = "STOPPED".into();
    t.desired_status = "STOPPED".into();
    t.started_at = Some(at(-3 * 86_400));
    t.stopping_at = Some(at(-610));
    t.stopped_at = Some(at(-600));
    t.stopped_reason = Some("Task stopped during instance draining".into());
    t.stop_code = Some("ServiceSchedulerInitiated".into());
    t.containers[0].last_status = Some("STOPPED".into());
    t.containers[0].exit_code = Some(0);
    t.health_status = None;
    t
}

pub fn instances(origin: Time) -> Vec<ContainerInstance> {
    let at = |s: i64| origin + Duration::seconds(s);
    let instance = |id: &str, impaired: bool| ContainerInstance {
        place: 0,
        arn: instance_arn(id),
        cluster: DEMO_CLUSTER.into(),
        ec2_instance_id: Some(format!("i-{id}")),
        status: if impaired { "DRAINING" } else { "ACTIVE" }.into(),
        status_reason: None,
        agent_connected: true,
        capacity_provider: Some(PROVIDER.into()),
        agent_version: Some("1.101.2".into()),
        running_tasks: 1,
        pending_tasks: 0,
        remaining_cpu: Some(if impaired { 2048 } else { 0 }),
        remaining_memory: Some(if impaired { 30_720 } else { 1024 }),
        health: Some(InstanceHealth {
            overall: if impaired { "IMPAIRED" } else { "OK" }.into(),
            checks: vec![
                InstanceHealthCheck {
                    kind: "CONTAINER_RUNTIME".into(),
                    status: "OK".into(),
                    reason: None,
                    last_status_change: Some(at(-3 * 86_400)),
                },
                InstanceHealthCheck {
                    kind: "ACCELERATED_COMPUTE".into(),
                    status: if impaired { "IMPAIRED" } else { "OK" }.into(),
                    reason: impaired.then(|| "XID_79".into()),
                    last_status_change: Some(if impaired { at(-660) } else { at(-3 * 86_400) }),
                },
            ],
        }),
    };
    vec![instance(HEALTHY_ID, false), instance(IMPAIRED_ID, true)]
}
