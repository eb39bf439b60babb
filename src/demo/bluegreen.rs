//! The demo's native blue/green service: `orders-api` swapped production from
//! `orders-api-blue` to `orders-api-green` half an hour before the demo opens (deployment
//! SUCCESSFUL after a 5-minute bake), and two of the three green targets now fail their health
//! checks with 503. The blue group is idle (its tasks were cleaned up). What a tool that read
//! only `loadBalancers[].targetGroupArn` would show is the idle blue group: no targets, no
//! problem.
//!
//! All of it is a pure function of `origin` (the demo's fixed times are relative to it).

use super::world::{ACCOUNT, DEMO_CLUSTER, REGION, ecr, service_arn, td_arn, tg_arn};
use crate::model::{
    ContainerDef, Deployment, DeploymentConfig, ListenerRule, LoadBalancerRef, LogConfig, Revision,
    RevisionDetail, Service, ServiceDeployment, ServiceEvent, TargetGroup, TargetHealth,
    TaskDefinition, Time, traffic::CurrentRevision,
};
use chrono::Duration;

pub const ORDERS: &str = "orders-api";
const BAKE_MIN: i32 = 5;
/// The blue/green deployment started, swapped production, and finished (seconds from origin).
const STARTED_S: i64 = -2_400;
pub const SWAPPED_S: i64 = -1_800;
const FINISHED_S: i64 = SWAPPED_S + 60 * BAKE_MIN as i64;
const DESIRED: i32 = 3;

const BLUE_REVISION: &str = "6120794331980231000";
const GREEN_REVISION: &str = "7731098842210945000";
const DEPLOYMENT_ID: &str = "Qd3Lm8Vt2Xw9Hn4Rb7Kc1";

fn revision_arn(id: &str) -> String {
    format!("arn:aws:ecs:{REGION}:{ACCOUNT}:service-revision/{DEMO_CLUSTER}/{ORDERS}/{id}")
}

fn rule_arn(kind: &str) -> String {
    let id = if kind == "prod" {
        "a1b2c3d4e5f60718"
    } else {
        "18f7e6d5c4b3a291"
    };
    format!(
        "arn:aws:elasticloadbalancing:{REGION}:{ACCOUNT}:listener-rule/app/prod-public/50dc6c495c0c9188/f2f7dc8efc522ab2/{id}"
    )
}

pub fn blue() -> String {
    tg_arn("orders-api-blue", "3b9e0c6a1d5f7e24")
}

pub fn green() -> String {
    tg_arn("orders-api-green", "8c4d2a7f9e1b3c65")
}

pub fn target_groups() -> Vec<TargetGroup> {
    [("orders-api-blue", blue()), ("orders-api-green", green())]
        .into_iter()
        .map(|(name, arn)| TargetGroup {
            arn,
            name: name.into(),
            target_type: Some("ip".into()),
            protocol: Some("HTTP".into()),
            port: Some(8080),
            health_check_path: Some("/healthz".into()),
            load_balancer_dimensions: vec!["app/prod-public/50dc6c495c0c9188".into()],
            deregistration_delay_s: Some(60),
        })
        .collect()
}

pub fn task_definitions() -> Vec<TaskDefinition> {
    [(12, "v2.7.4"), (13, "v2.8.0")]
        .into_iter()
        .map(|(rev, tag)| TaskDefinition {
            arn: td_arn(ORDERS, rev),
            family: ORDERS.into(),
            revision: rev,
            network_mode: Some("awsvpc".into()),
            execution_role_arn: Some(format!("arn:aws:iam::{ACCOUNT}:role/orders-api-execution")),
            task_role_arn: None,
            containers: vec![ContainerDef {
                name: "app".into(),
                image: format!("{}:{tag}", ecr(ORDERS)),
                essential: true,
                log: Some(LogConfig {
                    driver: "awslogs".into(),
                    group: Some("/ecs/orders-api".into()),
                    stream_prefix: Some("ecs".into()),
                    region: None,
                }),
                ..Default::default()
            }],
        })
        .collect()
}

pub fn revisions() -> Vec<RevisionDetail> {
    vec![
        RevisionDetail {
            arn: revision_arn(BLUE_REVISION),
            task_definition: td_arn(ORDERS, 12),
            target_groups: vec![blue()],
            lattice_groups: Vec::new(),
            managed: Default::default(),
        },
        RevisionDetail {
            arn: revision_arn(GREEN_REVISION),
            task_definition: td_arn(ORDERS, 13),
            target_groups: vec![green()],
            lattice_groups: Vec::new(),
            managed: Default::default(),
        },
    ]
}

/// The deployment that moved production to green: finished, so read once.
pub fn deployment(origin: Time) -> ServiceDeployment {
    let at = |s: i64| origin + Duration::seconds(s);
    let rev = |id: &str, requested: i32, prod: f64| Revision {
        arn: revision_arn(id),
        requested,
        running: requested,
        production_weight: Some(prod),
        test_weight: Some(0.0),
        ..Default::default()
    };
    ServiceDeployment {
        arn: format!(
            "arn:aws:ecs:{REGION}:{ACCOUNT}:service-deployment/{DEMO_CLUSTER}/{ORDERS}/{DEPLOYMENT_ID}"
        ),
        status: "SUCCESSFUL".into(),
        status_reason: None,
        strategy: Some("BLUE_GREEN".into()),
        lifecycle_stage: Some("CLEAN_UP".into()),
        created_at: Some(at(STARTED_S)),
        started_at: Some(at(STARTED_S + 2)),
        updated_at: Some(at(FINISHED_S)),
        finished_at: Some(at(FINISHED_S)),
        bake_time_minutes: Some(BAKE_MIN),
        target_revision: Some(rev(GREEN_REVISION, DESIRED, 100.0)),
        source_revisions: vec![rev(BLUE_REVISION, 0, 0.0)],
        ..Default::default()
    }
}

/// Listener rules as DescribeRules answers them: production forwards all to green.
pub fn rules() -> Vec<ListenerRule> {
    vec![
        ListenerRule {
            arn: rule_arn("prod"),
            forwards: vec![(blue(), 0), (green(), 1)],
        },
        ListenerRule {
            arn: rule_arn("test"),
            forwards: vec![(blue(), 0), (green(), 1)],
        },
    ]
}

pub fn service(origin: Time) -> Service {
    let at = |s: i64| origin + Duration::seconds(s);
    let sd = deployment(origin);
    Service {
        place: 0,
        arn: service_arn(ORDERS),
        name: ORDERS.into(),
        cluster: DEMO_CLUSTER.into(),
        status: "ACTIVE".into(),
        desired: DESIRED,
        running: DESIRED,
        pending: 0,
        task_definition: td_arn(ORDERS, 13),
        launch_type: Some("FARGATE".into()),
        awsvpc: true,
        subnets: vec!["subnet-0a1b2c3d".into(), "subnet-4e5f6a7b".into()],
        health_check_grace_s: Some(30),
        deployment_config: DeploymentConfig {
            circuit_breaker_enable: Some(true),
            circuit_breaker_rollback: Some(true),
            minimum_healthy_percent: Some(100),
            maximum_percent: Some(200),
            strategy: Some("BLUE_GREEN".into()),
            bake_time_minutes: Some(BAKE_MIN),
            ..Default::default()
        },
        deployments: vec![Deployment {
            id: "ecs-svc/5517203968843120771".into(),
            status: "PRIMARY".into(),
            task_definition: td_arn(ORDERS, 13),
            desired: DESIRED,
            running: DESIRED,
            rollout_state: Some("COMPLETED".into()),
            rollout_state_reason: Some(
                "ECS deployment ecs-svc/5517203968843120771 completed.".into(),
            ),
            created_at: Some(at(STARTED_S)),
            updated_at: Some(at(FINISHED_S)),
            ..Default::default()
        }],
        events: vec![
            ServiceEvent {
                id: "o-0002".into(),
                created_at: Some(at(FINISHED_S + 10)),
                message: format!("(service {ORDERS}) has reached a steady state."),
            },
            ServiceEvent {
                id: "o-0001".into(),
                created_at: Some(at(STARTED_S + 5)),
                message: format!(
                    "(service {ORDERS}) has started 3 tasks: (task 1f0e) (task 2a1b) (task 3c2d)."
                ),
            },
        ],
        load_balancers: vec![LoadBalancerRef {
            target_group_arn: Some(blue()),
            load_balancer_name: None,
            container_name: Some("app".into()),
            container_port: Some(8080),
            alternate_target_group_arn: Some(green()),
            production_listener_rule: Some(rule_arn("prod")),
            test_listener_rule: Some(rule_arn("test")),
            role_arn: Some(format!(
                "arn:aws:iam::{ACCOUNT}:role/ecs-infrastructure-elb"
            )),
        }],
        created_at: Some(at(-60 * 86_400)),
        controller: Some("ECS".into()),
        current_service_deployment: Some(sd.arn),
        current_revisions: vec![CurrentRevision {
            arn: revision_arn(GREEN_REVISION),
            requested: DESIRED,
            running: DESIRED,
            ..Default::default()
        }],
        ..Default::default()
    }
}

/// Green's targets: two fail with 503 since a little after the swap, the third is anomalous;
/// blue has none.
pub fn targets() -> Vec<(String, Vec<TargetHealth>)> {
    let target = |ip: &str, ok: bool| TargetHealth {
        id: ip.into(),
        port: Some(8080),
        state: if ok { "healthy" } else { "unhealthy" }.into(),
        reason: (!ok).then(|| "Target.ResponseCodeMismatch".into()),
        description: (!ok).then(|| "Health checks failed with these codes: [503]".into()),
        ..Default::default()
    };
    vec![
        (blue(), Vec::new()),
        (
            green(),
            vec![
                // passes its health checks, but answers worse than its peers: the load
                // balancer routes around it
                TargetHealth {
                    anomaly: Some("anomalous".into()),
                    mitigation: Some("yes".into()),
                    ..target("10.0.1.61", true)
                },
                target("10.0.2.62", false),
                target("10.0.2.63", false),
            ],
        ),
    ]
}

/// Target 5xx a minute: the green group's since the swap (failing), the blue group's before
/// it (quiet); an idle group answers nothing, so CloudWatch has no datapoint for it.
pub fn http_5xx(group_dim: &str, since_origin_s: i64, wobble: f64) -> Option<f64> {
    let serving = if group_dim.contains("orders-api-green") {
        since_origin_s >= SWAPPED_S
    } else {
        since_origin_s < SWAPPED_S
    };
    if !serving {
        return None;
    }
    Some(if group_dim.contains("orders-api-green") {
        if since_origin_s >= SWAPPED_S + 300 {
            48.0 + 6.0 * wobble
        } else {
            2.0
        }
    } else {
        (wobble + 1.0).floor()
    })
}
