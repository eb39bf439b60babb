//! The demo's Service Connect service: `inventory-api` publishes `inventory` in the
//! `prod.local` namespace over TLS and sits behind `inventory-api-tg`. A zonal shift moved the
//! load balancer's traffic away from us-east-1b (its two targets there report healthy and serve
//! nothing), and forty minutes ago one task was stopped because its Service Connect proxy failed
//! its health check while the app was fine.

use super::world::{ACCOUNT, DEMO_CLUSTER, REGION, ecr, service_arn, td_arn, tg_arn};
use crate::model::{
    ConnectService, ContainerDef, ContainerState, Deployment, DeploymentConfig, LatticeConfig,
    LatticeTarget, LoadBalancerRef, Service, ServiceConnect, ServiceEvent, TargetGroup,
    TargetHealth, Task, TaskDefinition, Time,
};
use chrono::Duration;

pub const INVENTORY: &str = "inventory-api";
/// The VPC Lattice target group its tasks also register in (the Lattice service other VPCs
/// call it through).
pub const LATTICE_GROUP: &str =
    "arn:aws:vpc-lattice:us-east-1:123456789012:targetgroup/tg-0c4f2a9e7b1d3f5a6";
const DEPLOYMENT: &str = "ecs-svc/6630918274455102387";

pub fn target_group() -> TargetGroup {
    TargetGroup {
        arn: tg_arn("inventory-api-tg", "91b7d3e5c2a4f608"),
        name: "inventory-api-tg".into(),
        target_type: Some("ip".into()),
        protocol: Some("HTTP".into()),
        port: Some(8080),
        health_check_path: Some("/healthz".into()),
        load_balancer_dimensions: vec!["app/prod-public/50dc6c495c0c9188".into()],
        deregistration_delay_s: Some(30),
    }
}

pub fn task_definitions() -> Vec<TaskDefinition> {
    vec![TaskDefinition {
        arn: td_arn(INVENTORY, 5),
        family: INVENTORY.into(),
        revision: 5,
        network_mode: Some("awsvpc".into()),
        execution_role_arn: Some(format!(
            "arn:aws:iam::{ACCOUNT}:role/inventory-api-execution"
        )),
        task_role_arn: None,
        containers: vec![ContainerDef {
            name: "app".into(),
            image: format!("{}:v4.0.3", ecr(INVENTORY)),
            essential: true,
            ..Default::default()
        }],
    }]
}

fn connect() -> ServiceConnect {
    ServiceConnect {
        enabled: true,
        namespace: Some(format!(
            "arn:aws:servicediscovery:{REGION}:{ACCOUNT}:namespace/ns-4kq2xw7v3lmb5pzr"
        )),
        services: vec![ConnectService {
            port_name: "http".into(),
            discovery_name: Some("inventory".into()),
            aliases: vec![(8080, Some("inventory.prod.local".into()))],
            tls_ca: Some(format!(
                "arn:aws:acm-pca:{REGION}:{ACCOUNT}:certificate-authority/5e8d1c2a-7b3f-4e9a-a1d6-2c4b8f0e9d37"
            )),
            tls_role: Some(format!(
                "arn:aws:iam::{ACCOUNT}:role/ecs-service-connect-tls"
            )),
        }],
        proxy_logs: true,
        access_logs: false,
        resources: vec![(
            "inventory".into(),
            format!("arn:aws:servicediscovery:{REGION}:{ACCOUNT}:service/srv-inventory5k2m"),
        )],
    }
}

pub fn service(origin: Time) -> Service {
    let at = |s: i64| origin + Duration::seconds(s);
    Service {
        place: 0,
        arn: service_arn(INVENTORY),
        name: INVENTORY.into(),
        cluster: DEMO_CLUSTER.into(),
        status: "ACTIVE".into(),
        desired: 4,
        running: 4,
        pending: 0,
        task_definition: td_arn(INVENTORY, 5),
        launch_type: Some("FARGATE".into()),
        awsvpc: true,
        subnets: vec!["subnet-0a1b2c3d".into(), "subnet-4e5f6a7b".into()],
        health_check_grace_s: Some(30),
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
            task_definition: td_arn(INVENTORY, 5),
            desired: 4,
            running: 4,
            rollout_state: Some("COMPLETED".into()),
            rollout_state_reason: Some(format!("ECS deployment {DEPLOYMENT} completed.")),
            created_at: Some(at(-5 * 86_400)),
            updated_at: Some(at(-5 * 86_400 + 300)),
            service_connect: Some(connect()),
            vpc_lattice: vec![LatticeConfig {
                target_group_arn: LATTICE_GROUP.into(),
                port_name: "http".into(),
                role_arn: format!("arn:aws:iam::{ACCOUNT}:role/ecsInfrastructureRoleForLattice"),
            }],
            ..Default::default()
        }],
        events: vec![ServiceEvent {
            id: "i-0001".into(),
            created_at: Some(at(-2_300)),
            message: format!("(service {INVENTORY}) has reached a steady state."),
        }],
        load_balancers: vec![LoadBalancerRef {
            target_group_arn: Some(target_group().arn),
            container_name: Some("app".into()),
            container_port: Some(8080),
            ..Default::default()
        }],
        created_at: Some(at(-150 * 86_400)),
        ..Default::default()
    }
}

/// Two targets in each AZ; a zonal shift keeps traffic away from us-east-1b's.
pub fn targets() -> (String, Vec<TargetHealth>) {
    let target = |ip: &str| {
        let shifted = ip.starts_with("10.0.2.");
        TargetHealth {
            id: ip.into(),
            port: Some(8080),
            state: "healthy".into(),
            override_state: shifted.then(|| "zonal_shift_active".into()),
            override_reason: shifted.then(|| "AdministrativeOverride.ZonalShiftActive".into()),
            override_description: shifted
                .then(|| "Zonal shift is active in the target's Availability Zone".into()),
            ..Default::default()
        }
    };
    (
        target_group().arn,
        ["10.0.1.140", "10.0.1.151", "10.0.2.143", "10.0.2.158"]
            .map(target)
            .to_vec(),
    )
}

/// Its Lattice targets: the same four tasks; Lattice's health checks fail on one in
/// us-east-1a (Lattice keeps checking targets a zonal shift of the ALB does not concern).
pub fn lattice_targets() -> Vec<LatticeTarget> {
    ["10.0.1.140", "10.0.1.151", "10.0.2.143", "10.0.2.158"]
        .into_iter()
        .map(|ip| LatticeTarget {
            id: ip.into(),
            port: Some(8080),
            status: if ip == "10.0.1.151" {
                "UNHEALTHY"
            } else {
                "HEALTHY"
            }
            .into(),
            reason: None,
        })
        .collect()
}

/// The task its Service Connect proxy stopped forty minutes ago (the app was healthy).
pub fn proxy_stop(origin: Time) -> Task {
    let at = |s: i64| origin + Duration::seconds(s);
    Task {
        place: 0,
        arn: format!(
            "arn:aws:ecs:{REGION}:{ACCOUNT}:task/{DEMO_CLUSTER}/e41f0c9a7d2b4c58b3a6f1e0d9c8b7a6"
        ),
        cluster: DEMO_CLUSTER.into(),
        task_definition: td_arn(INVENTORY, 5),
        group: Some(format!("service:{INVENTORY}")),
        started_by: Some(DEPLOYMENT.into()),
        last_status: "STOPPED".into(),
        desired_status: "STOPPED".into(),
        started_at: Some(at(-3 * 3600)),
        stopping_at: Some(at(-2_430)),
        stopped_at: Some(at(-2_400)),
        stopped_reason: Some("Task failed container health checks".into()),
        containers: vec![
            ContainerState {
                name: "app".into(),
                image: Some(format!("{}:v4.0.3", ecr(INVENTORY))),
                last_status: Some("STOPPED".into()),
                exit_code: Some(143),
                health_status: Some("HEALTHY".into()),
                ..Default::default()
            },
            ContainerState {
                name: "ecs-service-connect-4mXq".into(),
                image: Some("ecs-service-connect-agent:interface-v1".into()),
                last_status: Some("STOPPED".into()),
                exit_code: Some(137),
                health_status: Some("UNHEALTHY".into()),
                ..Default::default()
            },
        ],
        ..Default::default()
    }
}
