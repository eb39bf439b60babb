//! Fixtures shared by the integration tests.
#![allow(dead_code)]

pub mod corpus;

use chrono::{DateTime, TimeZone, Utc};
use ecswatch::diagnosis::Playbook;
use ecswatch::model::*;
use ecswatch::poll::{Payload, Scope, Source, Update};
use ecswatch::store::Store;
use std::sync::Arc;

pub fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 22, 12, 0, 0).unwrap()
}

pub fn store() -> Store {
    Store::new(
        Scope::default(),
        "us-east-1".into(),
        Arc::new(Playbook::builtin()),
    )
}

pub const TG: &str = "arn:aws:elasticloadbalancing:us-east-1:1:targetgroup/web-tg/abc";
pub const TD: &str = "arn:aws:ecs:us-east-1:1:task-definition/web:7";

/// A load-balanced awsvpc service with a safe configuration.
pub fn service() -> Service {
    Service {
        arn: "arn:aws:ecs:us-east-1:1:service/prod/web".into(),
        name: "web".into(),
        cluster: "prod".into(),
        status: "ACTIVE".into(),
        desired: 2,
        running: 2,
        task_definition: TD.into(),
        awsvpc: true,
        health_check_grace_s: Some(60),
        deployment_config: DeploymentConfig {
            circuit_breaker_enable: Some(true),
            circuit_breaker_rollback: Some(true),
            ..Default::default()
        },
        deployments: vec![Deployment {
            id: "ecs-svc/1".into(),
            status: "PRIMARY".into(),
            task_definition: TD.into(),
            desired: 2,
            running: 2,
            rollout_state: Some("COMPLETED".into()),
            ..Default::default()
        }],
        load_balancers: vec![LoadBalancerRef {
            target_group_arn: Some(TG.into()),
            ..Default::default()
        }],
        ..Default::default()
    }
}

pub fn task_definition() -> TaskDefinition {
    TaskDefinition {
        arn: TD.into(),
        family: "web".into(),
        revision: 7,
        network_mode: Some("awsvpc".into()),
        containers: vec![ContainerDef {
            name: "app".into(),
            image: "1.dkr.ecr.us-east-1.amazonaws.com/web@sha256:abcd".into(),
            essential: true,
            command: vec!["/app/server".into()],
            stop_timeout_s: Some(30),
            ..Default::default()
        }],
        ..Default::default()
    }
}

pub fn target_group() -> TargetGroup {
    TargetGroup {
        arn: TG.into(),
        name: "web-tg".into(),
        target_type: Some("ip".into()),
        deregistration_delay_s: Some(20),
        ..Default::default()
    }
}

pub fn apply(store: &mut Store, source: Source, payload: Payload) {
    store.apply(Update::new(source, t0(), Some(payload), vec![]));
}

/// A store holding `svc` and the default task definition, nothing else polled yet.
pub fn with_service(svc: Service) -> Store {
    with_service_td(svc, task_definition())
}

/// A DescribeServices answer for `svc` (cluster `prod` listed whole).
pub fn answer_services(store: &mut Store, svc: Service) {
    apply(
        store,
        Source::Services,
        Payload::Services {
            services: vec![svc],
            listed_clusters: vec!["prod".into()],
            roster: None,
            insights: vec![],
        },
    );
}

/// The load balancer in front of [`target_group`], as a CloudWatch dimension.
pub const LB: &str = "app/prod-public/50dc6c495c0c9188";

/// [`target_group`] with its load balancer.
pub fn group_with_lb() -> TargetGroup {
    TargetGroup {
        load_balancer_dimensions: vec![LB.into()],
        ..target_group()
    }
}

/// A store holding `svc` and `td`, nothing else polled yet.
pub fn with_service_td(svc: Service, td: TaskDefinition) -> Store {
    let mut s = store();
    answer_services(&mut s, svc);
    apply(
        &mut s,
        Source::TaskDefinitions,
        Payload::TaskDefinitions(vec![td]),
    );
    s
}

/// A task of service `web` that stopped `ago` before `now`, with its stop code and reason.
pub fn stopped_task(
    now: DateTime<Utc>,
    ago: chrono::Duration,
    stop_code: &str,
    reason: &str,
) -> Task {
    Task {
        arn: "arn:aws:ecs:us-east-1:1:task/prod/0f1e2d3c4b5a69788796a5b4c3d2e1f0".into(),
        cluster: "prod".into(),
        task_definition: TD.into(),
        group: Some("service:web".into()),
        last_status: "STOPPED".into(),
        stopped_at: Some(now - ago),
        stopped_reason: Some(reason.into()),
        stop_code: Some(stop_code.into()),
        ..Default::default()
    }
}

/// A store holding `svc`, `td` and `tg` (healthy targets), findings computed.
pub fn loaded(svc: Service, td: TaskDefinition, tg: TargetGroup) -> Store {
    let mut s = with_service_td(svc, td);
    let healthy = TargetHealth {
        id: "10.0.0.1".into(),
        port: Some(80),
        state: "healthy".into(),
        ..Default::default()
    };
    apply(
        &mut s,
        Source::Targets,
        Payload::TargetsRead {
            described: vec![(tg, vec![healthy])],
            health: vec![],
            rules: vec![],
            lattice: vec![],
        },
    );
    s.refresh_findings(t0());
    s
}

pub fn finding_ids(store: &Store) -> Vec<String> {
    let st = store.services.values().next().expect("one service");
    st.findings.iter().map(|f| f.id.clone()).collect()
}

/// A screen drawn with ratatui's TestBackend in a shipped theme (`mono`: colourless).
pub fn render(
    store: &Store,
    ui: &ecswatch::app::state::UiState,
    now: DateTime<Utc>,
    w: u16,
    h: u16,
    theme: &str,
) -> ratatui::Terminal<ratatui::backend::TestBackend> {
    let theme = ecswatch::theme::Theme::shipped(theme).unwrap();
    let keymap = ecswatch::keymap::Keymap::shipped("default").unwrap();
    let mut term = ratatui::Terminal::new(ratatui::backend::TestBackend::new(w, h)).unwrap();
    let (screen, _) = ecswatch::view::build(
        store,
        ui,
        &keymap,
        now,
        ecswatch::view::Size {
            width: w,
            height: h,
        },
    );
    term.draw(|f| ecswatch::ui::render(f, &screen, &theme))
        .unwrap();
    term
}

/// The screen as text, drawn with the colourless theme.
pub fn draw(
    store: &Store,
    ui: &ecswatch::app::state::UiState,
    now: DateTime<Utc>,
    w: u16,
    h: u16,
) -> String {
    format!("{}", render(store, ui, now, w, h, "mono").backend())
}

pub const TD8: &str = "arn:aws:ecs:us-east-1:1:task-definition/web:8";
pub const SD_ARN: &str =
    "arn:aws:ecs:us-east-1:1:service-deployment/prod/web/Qm3Vc8KXh2Nq4Rw7Tb1Zp";

/// `web` deploying web:8 by BLUE_GREEN, paused at a POST_TEST_TRAFFIC_SHIFT hook that times
/// out (and rolls back) in 20 minutes; test traffic on green, production still on blue.
pub fn blue_green_at_hook(now: DateTime<Utc>) -> Service {
    let mut svc = service();
    svc.controller = Some("ECS".into());
    svc.deployment_config.strategy = Some("BLUE_GREEN".into());
    svc.deployment_config.bake_time_minutes = Some(10);
    svc.deployment_config.alarm_names = vec!["web-5xx".into()];
    svc.deployment_config.alarms_enable = Some(true);
    svc.running = 4;
    svc.deployments[0].rollout_state = Some("IN_PROGRESS".into());
    svc.deployments[0].task_definition = TD8.into();
    svc.deployments[0].desired = 2;
    svc.deployments[0].running = 2;
    svc.deployments.push(Deployment {
        id: "ecs-svc/0".into(),
        status: "ACTIVE".into(),
        task_definition: TD.into(),
        desired: 2,
        running: 2,
        rollout_state: Some("COMPLETED".into()),
        ..Default::default()
    });
    svc.task_definition = TD8.into();
    let rev = |id: &str, td: &str, prod: f64, test: f64| Revision {
        arn: format!("arn:aws:ecs:us-east-1:1:service-revision/prod/web/{id}"),
        task_definition: Some(td.into()),
        requested: 2,
        running: 2,
        pending: 0,
        production_weight: Some(prod),
        test_weight: Some(test),
        ..Default::default()
    };
    let sd = ServiceDeployment {
        arn: SD_ARN.into(),
        status: "IN_PROGRESS".into(),
        strategy: Some("BLUE_GREEN".into()),
        lifecycle_stage: Some("POST_TEST_TRAFFIC_SHIFT".into()),
        created_at: Some(now - chrono::Duration::minutes(6)),
        started_at: Some(now - chrono::Duration::minutes(6)),
        updated_at: Some(now - chrono::Duration::minutes(2)),
        bake_time_minutes: Some(10),
        target_revision: Some(rev("222", TD8, 0.0, 100.0)),
        source_revisions: vec![rev("111", TD, 100.0, 0.0)],
        alarms: Some(MonitorState {
            status: "MONITORING".into(),
            names: vec!["web-5xx".into()],
            triggered: vec![],
        }),
        circuit_breaker: Some(BreakerState {
            status: "MONITORING".into(),
            failures: 0,
            threshold: 3,
        }),
        hooks: vec![HookState {
            id: "approve-test-traffic".into(),
            stage: Some("POST_TEST_TRAFFIC_SHIFT".into()),
            status: "AWAITING_ACTION".into(),
            target: Some("arn:aws:lambda:us-east-1:1:function:web-approve".into()),
            expires_at: Some(now + chrono::Duration::minutes(20)),
            timeout_action: Some("ROLLBACK".into()),
            target_type: Some("AWS_LAMBDA".into()),
        }],
        ..Default::default()
    };
    svc.current_service_deployment = Some(SD_ARN.into());
    svc.service_deployment = Some(sd);
    svc
}

/// `web` deployed by CodeDeploy: a blue/green deployment d-7QX2ABCDE under way with two task
/// sets, no ECS deployment circuit breaker (CodeDeploy does not use it).
pub fn code_deploy() -> Service {
    let mut svc = service();
    svc.controller = Some("CODE_DEPLOY".into());
    svc.deployment_config.circuit_breaker_enable = None;
    svc.deployment_config.circuit_breaker_rollback = None;
    svc.deployments.clear();
    svc.task_sets = vec![
        TaskSet {
            id: "ecs-svc/1111111111111111111".into(),
            status: "PRIMARY".into(),
            external_id: Some("d-7QX2ABCDE".into()),
            task_definition: TD.into(),
            desired: 2,
            running: 2,
            pending: 0,
            scale_percent: Some(100.0),
            stability: Some("STEADY_STATE".into()),
        },
        TaskSet {
            id: "ecs-svc/2222222222222222222".into(),
            status: "ACTIVE".into(),
            external_id: Some("d-7QX2ABCDE".into()),
            task_definition: TD8.into(),
            desired: 2,
            running: 1,
            pending: 1,
            scale_percent: Some(100.0),
            stability: Some("STABILIZING".into()),
        },
    ];
    svc
}
