//! The state of the simulated account at one instant.

use super::{bluegreen, canary, gpu, inventory};
use crate::model::{
    ContainerDef, ContainerState, Deployment, DeploymentConfig, ListenerRule, LoadBalancerRef,
    LogConfig, LogLine, MetricPoint, MetricQuery, MetricResult, RevisionDetail, Service,
    ServiceDeployment, ServiceEvent, TargetGroup, TargetHealth, Task, TaskDefinition, Time,
    short_name,
};
use chrono::Duration;

pub const REGION: &str = "us-east-1";
pub const ACCOUNT: &str = "123456789012";
pub const DEMO_CLUSTER: &str = "prod";
/// Where the live demo starts: two failed tasks in, the third (which trips the breaker) 20 s away.
pub const START_AT_S: i64 = 50;
/// A failed task every this many seconds, the first at `FIRST_FAIL_S`.
const FAIL_EVERY_S: i64 = 30;
const FIRST_FAIL_S: i64 = 10;
/// The circuit breaker's threshold for desired 4: max(3, ceil(4 / 2)).
const THRESHOLD: i64 = 3;
pub const TRIP_AT_S: i64 = FIRST_FAIL_S + (THRESHOLD - 1) * FAIL_EVERY_S;
pub const ROLLBACK_DONE_S: i64 = TRIP_AT_S + 60;

const CHECKOUT: &str = "checkout-api";
const PAYMENTS: &str = "payments-api";
const NEW_DEPLOY: &str = "ecs-svc/4521893307564219876";
const OLD_DEPLOY: &str = "ecs-svc/8806427715330419482";
const ROLLBACK_DEPLOY: &str = "ecs-svc/1193052248760034411";
/// Ids of the tasks of the failing deployment, one per attempt.
const FAILED_TASK_IDS: [&str; 3] = [
    "3f9c2a7d41b84e0f9a6d5c8e2b1f7a90",
    "8e41d0c2b7a94f3e8d1c6b5a4f3e2d1c",
    "c17b9e5a02d64f8b9c3e1a7d5f0b2e48",
];

pub fn cluster_arn() -> String {
    format!("arn:aws:ecs:{REGION}:{ACCOUNT}:cluster/{DEMO_CLUSTER}")
}

pub(super) fn service_arn(name: &str) -> String {
    format!("arn:aws:ecs:{REGION}:{ACCOUNT}:service/{DEMO_CLUSTER}/{name}")
}

pub(super) fn td_arn(family: &str, rev: i32) -> String {
    format!("arn:aws:ecs:{REGION}:{ACCOUNT}:task-definition/{family}:{rev}")
}

pub(super) fn tg_arn(name: &str, id: &str) -> String {
    format!("arn:aws:elasticloadbalancing:{REGION}:{ACCOUNT}:targetgroup/{name}/{id}")
}

pub(super) fn task_arn(id: &str) -> String {
    format!("arn:aws:ecs:{REGION}:{ACCOUNT}:task/{DEMO_CLUSTER}/{id}")
}

pub(super) fn ecr(repo: &str) -> String {
    format!("{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/{repo}")
}

pub fn task_definitions() -> Vec<TaskDefinition> {
    let checkout = |rev: i32, tag: &str| TaskDefinition {
        arn: td_arn(CHECKOUT, rev),
        family: CHECKOUT.into(),
        revision: rev,
        network_mode: Some("awsvpc".into()),
        execution_role_arn: Some(format!(
            "arn:aws:iam::{ACCOUNT}:role/checkout-api-execution"
        )),
        task_role_arn: Some(format!("arn:aws:iam::{ACCOUNT}:role/checkout-api-task")),
        containers: vec![ContainerDef {
            name: "app".into(),
            image: format!("{}:{tag}", ecr(CHECKOUT)),
            essential: true,
            command: vec![],
            entry_point: vec![],
            environment: vec![
                ("PORT".into(), "8080".into()),
                ("DB_PASSWORD".into(), crate::model::MASK.into()),
            ],
            stop_timeout_s: Some(30),
            restart_policy: None,
            log: Some(LogConfig {
                driver: "awslogs".into(),
                group: Some("/ecs/checkout-api".into()),
                region: Some(REGION.into()),
                stream_prefix: Some("ecs".into()),
            }),
        }],
    };
    let mut out = vec![
        checkout(41, "v1.42.0"),
        checkout(42, "v1.43.0"),
        TaskDefinition {
            arn: td_arn(PAYMENTS, 17),
            family: PAYMENTS.into(),
            revision: 17,
            network_mode: Some("awsvpc".into()),
            execution_role_arn: Some(format!(
                "arn:aws:iam::{ACCOUNT}:role/payments-api-execution"
            )),
            task_role_arn: None,
            containers: vec![ContainerDef {
                name: "app".into(),
                image: format!(
                    "{}@sha256:5de487da52320ad9978f3a7a4f6700910342956c7dcb3b6f955222b4cccbd600",
                    ecr(PAYMENTS)
                ),
                essential: true,
                stop_timeout_s: Some(30),
                restart_policy: None,
                log: Some(LogConfig {
                    driver: "awslogs".into(),
                    group: Some("/ecs/payments-api".into()),
                    region: Some(REGION.into()),
                    stream_prefix: Some("ecs".into()),
                }),
                ..Default::default()
            }],
        },
    ];
    out.extend(canary::task_definitions());
    out.extend(bluegreen::task_definitions());
    out.extend(inventory::task_definitions());
    out.extend(gpu::task_definitions());
    out
}

pub fn target_groups() -> Vec<TargetGroup> {
    let tg = |name: &str, id: &str, delay: i64| TargetGroup {
        arn: tg_arn(name, id),
        name: name.into(),
        target_type: Some("ip".into()),
        protocol: Some("HTTP".into()),
        port: Some(8080),
        health_check_path: Some("/healthz".into()),
        load_balancer_dimensions: vec!["app/prod-public/50dc6c495c0c9188".into()],
        deregistration_delay_s: Some(delay),
    };
    vec![
        tg("checkout-api-tg", "6d0ecf831eec9f09", 300),
        tg("payments-api-tg", "73e2d6bc24d8a067", 30),
        canary::target_group(),
    ]
    .into_iter()
    .chain(bluegreen::target_groups())
    .chain([inventory::target_group()])
    .collect()
}

/// The simulated account at `now`.
pub struct World {
    pub origin: Time,
    pub now: Time,
    /// Seconds since the failing deploy started.
    pub t: i64,
    pub services: Vec<Service>,
    pub stopped: Vec<Task>,
    /// Running tasks, one per load-balancer target (their IPs are the targets' ids).
    pub running: Vec<Task>,
    pub targets: Vec<(String, Vec<TargetHealth>)>,
    /// Service deployments (the canary's), as DescribeServiceDeployments answers them.
    pub service_deployments: Vec<ServiceDeployment>,
    /// Listener rules, as DescribeRules answers them.
    pub rules: Vec<ListenerRule>,
    /// Container instances, as DescribeContainerInstances answers them.
    pub instances: Vec<crate::model::ContainerInstance>,
}

/// Every service revision, as DescribeServiceRevisions answers them.
pub fn revisions() -> Vec<RevisionDetail> {
    let mut out = canary::revisions();
    out.extend(bluegreen::revisions());
    out
}

/// A deterministic wobble in [-1, 1] for metric and log generation.
fn wave(x: i64, period: f64) -> f64 {
    ((x as f64) * std::f64::consts::TAU / period).sin()
}

impl World {
    pub fn has_cluster(&self, cluster: &str) -> bool {
        short_name(cluster) == DEMO_CLUSTER
    }

    /// The demo cluster has Container Insights with enhanced observability.
    pub fn insights(&self, _cluster: &str) -> crate::model::Insights {
        crate::model::Insights::Enhanced
    }

    pub fn at(origin: Time, now: Time) -> Self {
        let t = (now - origin).num_seconds();
        let at = |s: i64| origin + Duration::seconds(s);
        let failures = if t < FIRST_FAIL_S {
            0
        } else {
            ((t - FIRST_FAIL_S) / FAIL_EVERY_S + 1).min(THRESHOLD)
        };
        let tripped = t >= TRIP_AT_S;
        let rolled_back = t >= ROLLBACK_DONE_S;

        // --- stopped tasks of the failing deployment
        let mut stopped = Vec::new();
        for k in 0..failures {
            let fail_at = FIRST_FAIL_S + k * FAIL_EVERY_S;
            let id = FAILED_TASK_IDS[k as usize];
            stopped.push(Task {
                place: 0,
                arn: task_arn(id),
                cluster: DEMO_CLUSTER.into(),
                task_definition: td_arn(CHECKOUT, 42),
                group: Some(format!("service:{CHECKOUT}")),
                started_by: Some(NEW_DEPLOY.into()),
                last_status: "STOPPED".into(),
                desired_status: "STOPPED".into(),
                started_at: None,
                stopping_at: Some(at(fail_at - 2)),
                stopped_at: Some(at(fail_at)),
                stopped_reason: Some(format!(
                    "CannotPullContainerError: pull image manifest has been retried 1 time(s): failed to resolve ref {img}:v1.43.0: {img}:v1.43.0: not found",
                    img = ecr(CHECKOUT)
                )),
                stop_code: Some("TaskFailedToStart".into()),
                containers: vec![ContainerState {
                    name: "app".into(),
                    image: Some(format!("{}:v1.43.0", ecr(CHECKOUT))),
                    last_status: Some("STOPPED".into()),
                    exit_code: None,
                    reason: Some("CannotPullContainerError: failed to resolve ref: not found".into()),
                    ..Default::default()
                }],
                ..Default::default()
            });
        }
        stopped.push(inventory::proxy_stop(origin));
        stopped.push(gpu::drained_task(origin));
        // an old, routine stop of payments-api (scale-in an hour ago)
        stopped.push(Task {
            place: 0,
            arn: task_arn("b5067ed30cc5431d89fe74c47fd9981f"),
            cluster: DEMO_CLUSTER.into(),
            task_definition: td_arn(PAYMENTS, 17),
            group: Some(format!("service:{PAYMENTS}")),
            started_by: Some("ecs-svc/2474979950726421586".into()),
            last_status: "STOPPED".into(),
            desired_status: "STOPPED".into(),
            started_at: Some(at(-7200)),
            stopping_at: Some(at(-3630)),
            stopped_at: Some(at(-3600)),
            stopped_reason: Some(
                "Scaling activity initiated by (deployment ecs-svc/2474979950726421586)".into(),
            ),
            stop_code: Some("ServiceSchedulerInitiated".into()),
            containers: vec![ContainerState {
                name: "app".into(),
                image: None,
                last_status: Some("STOPPED".into()),
                exit_code: Some(143),
                reason: None,
                ..Default::default()
            }],
            ..Default::default()
        });

        // --- checkout-api deployments and events
        let old = |status: &str, running: i32| Deployment {
            id: OLD_DEPLOY.into(),
            status: status.into(),
            task_definition: td_arn(CHECKOUT, 41),
            desired: 4,
            running,
            pending: 0,
            failed: 0,
            rollout_state: Some("COMPLETED".into()),
            rollout_state_reason: Some(format!("ECS deployment {OLD_DEPLOY} completed.")),
            created_at: Some(at(-86_400)),
            updated_at: Some(at(-86_000)),
            ..Default::default()
        };
        let new = Deployment {
            id: NEW_DEPLOY.into(),
            status: if tripped { "ACTIVE" } else { "PRIMARY" }.into(),
            task_definition: td_arn(CHECKOUT, 42),
            desired: if tripped { 0 } else { 4 },
            running: 0,
            pending: if tripped || t < 0 { 0 } else { 1 },
            failed: failures as i32,
            rollout_state: Some(if tripped { "FAILED" } else { "IN_PROGRESS" }.into()),
            rollout_state_reason: Some(if tripped {
                "ECS deployment circuit breaker: tasks failed to start.".to_string()
            } else {
                format!("ECS deployment {NEW_DEPLOY} in progress.")
            }),
            created_at: Some(at(0)),
            updated_at: Some(at(if tripped { TRIP_AT_S } else { t.max(0) })),
            ..Default::default()
        };
        let rollback = Deployment {
            id: ROLLBACK_DEPLOY.into(),
            status: "PRIMARY".into(),
            task_definition: td_arn(CHECKOUT, 41),
            desired: 4,
            running: 4,
            pending: 0,
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
                format!("ECS deployment {ROLLBACK_DEPLOY} completed.")
            } else {
                format!("ECS deployment {ROLLBACK_DEPLOY} in progress.")
            }),
            created_at: Some(at(TRIP_AT_S)),
            updated_at: Some(at(if rolled_back { ROLLBACK_DONE_S } else { t })),
            ..Default::default()
        };
        let deployments = if rolled_back {
            vec![rollback]
        } else if tripped {
            vec![rollback, new]
        } else if t >= 0 {
            vec![new, old("ACTIVE", 4)]
        } else {
            vec![old("PRIMARY", 4)]
        };

        let mut events = vec![ServiceEvent {
            id: "e-0000".into(),
            created_at: Some(at(-6 * 3600)),
            message: format!("(service {CHECKOUT}) has reached a steady state."),
        }];
        let mut ev = |id: String, s: i64, message: String| {
            if s <= t {
                events.push(ServiceEvent {
                    id,
                    created_at: Some(at(s)),
                    message,
                });
            }
        };
        for k in 0..failures.max(if t >= 2 { 1 } else { 0 }) {
            let id = FAILED_TASK_IDS[k as usize];
            ev(
                format!("e-start-{k}"),
                FIRST_FAIL_S + k * FAIL_EVERY_S - 8,
                format!("(service {CHECKOUT}) has started 1 tasks: (task {id})."),
            );
        }
        if tripped {
            ev(
                "e-fail".into(),
                TRIP_AT_S,
                format!(
                    "(service {CHECKOUT}) (deployment {NEW_DEPLOY}) deployment failed: tasks failed to start."
                ),
            );
            ev(
                "e-rollback".into(),
                TRIP_AT_S + 1,
                format!("(service {CHECKOUT}) rolling back to deployment {OLD_DEPLOY}."),
            );
        }
        if rolled_back {
            ev(
                "e-done".into(),
                ROLLBACK_DONE_S,
                format!(
                    "(service {CHECKOUT}) (deployment {ROLLBACK_DEPLOY}) deployment completed."
                ),
            );
            ev(
                "e-steady".into(),
                ROLLBACK_DONE_S + 5,
                format!("(service {CHECKOUT}) has reached a steady state."),
            );
        }
        events.sort_by_key(|e| std::cmp::Reverse(e.created_at));

        let lb = |tg: &str, id: &str| LoadBalancerRef {
            target_group_arn: Some(tg_arn(tg, id)),
            load_balancer_name: None,
            container_name: Some("app".into()),
            container_port: Some(8080),
            ..Default::default()
        };
        let checkout = Service {
            place: 0,
            arn: service_arn(CHECKOUT),
            name: CHECKOUT.into(),
            cluster: DEMO_CLUSTER.into(),
            status: "ACTIVE".into(),
            desired: 4,
            running: 4,
            pending: if tripped || t < 0 { 0 } else { 1 },
            task_definition: td_arn(CHECKOUT, if tripped || t < 0 { 41 } else { 42 }),
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
            deployments,
            events,
            load_balancers: vec![lb("checkout-api-tg", "6d0ecf831eec9f09")],
            created_at: Some(at(-90 * 86_400)),
            enable_execute_command: true,
            ..Default::default()
        };
        let payments = Service {
            place: 0,
            arn: service_arn(PAYMENTS),
            name: PAYMENTS.into(),
            cluster: DEMO_CLUSTER.into(),
            status: "ACTIVE".into(),
            desired: 3,
            running: 3,
            pending: 0,
            task_definition: td_arn(PAYMENTS, 17),
            launch_type: Some("FARGATE".into()),
            awsvpc: true,
            subnets: vec!["subnet-0a1b2c3d".into(), "subnet-4e5f6a7b".into()],
            health_check_grace_s: Some(60),
            deployment_config: DeploymentConfig {
                circuit_breaker_enable: Some(true),
                circuit_breaker_rollback: Some(true),
                minimum_healthy_percent: Some(100),
                maximum_percent: Some(200),
                ..Default::default()
            },
            deployments: vec![Deployment {
                id: "ecs-svc/2474979950726421586".into(),
                status: "PRIMARY".into(),
                task_definition: td_arn(PAYMENTS, 17),
                desired: 3,
                running: 3,
                rollout_state: Some("COMPLETED".into()),
                rollout_state_reason: Some(
                    "ECS deployment ecs-svc/2474979950726421586 completed.".into(),
                ),
                created_at: Some(at(-3 * 86_400)),
                updated_at: Some(at(-3 * 86_400 + 240)),
                ..Default::default()
            }],
            events: vec![ServiceEvent {
                id: "p-0001".into(),
                created_at: Some(at(-3 * 3600)),
                message: format!("(service {PAYMENTS}) has reached a steady state."),
            }],
            load_balancers: vec![lb("payments-api-tg", "73e2d6bc24d8a067")],
            created_at: Some(at(-200 * 86_400)),
            ..Default::default()
        };

        let healthy = |ip: &str| TargetHealth {
            id: ip.into(),
            port: Some(8080),
            state: "healthy".into(),
            reason: None,
            description: None,
            ..Default::default()
        };
        let mut targets = vec![
            (
                tg_arn("checkout-api-tg", "6d0ecf831eec9f09"),
                ["10.0.1.21", "10.0.1.37", "10.0.2.14", "10.0.2.52"]
                    .map(healthy)
                    .to_vec(),
            ),
            (
                tg_arn("payments-api-tg", "73e2d6bc24d8a067"),
                ["10.0.1.80", "10.0.2.81", "10.0.2.90"]
                    .map(healthy)
                    .to_vec(),
            ),
        ];
        targets.push(canary::targets(t));
        targets.extend(bluegreen::targets());
        targets.push(inventory::targets());
        let services = vec![
            checkout,
            payments,
            canary::service(origin, t),
            bluegreen::service(origin),
            inventory::service(origin),
            gpu::service(origin),
        ];
        let mut running = running_tasks(&services, &targets, at(-86_400));
        running.extend(gpu::running(origin));

        Self {
            origin,
            now,
            t,
            services,
            stopped,
            running,
            targets,
            service_deployments: vec![canary::deployment(origin, t), bluegreen::deployment(origin)],
            rules: bluegreen::rules(),
            instances: gpu::instances(origin),
        }
    }

    /// The scaling of a service, as Application Auto Scaling answers: checkout-api tracks
    /// CPU between 2 and 8 tasks; search-api tracks requests per target with the right
    /// `ResourceLabel`; payments-api is not registered.
    pub fn scaling(&self, service: &str) -> crate::model::Scaling {
        super::scaling::of(self, service)
    }

    /// A metric series: one point a minute between `start` and `end`.
    pub fn metric(&self, q: &MetricQuery, start: Time, end: Time) -> MetricResult {
        let service = q
            .dimensions
            .iter()
            .find(|(n, _)| *n == "ServiceName")
            .map(|(_, v)| v.as_str())
            .unwrap_or_else(|| {
                if q.dimensions.iter().any(|(_, v)| v.contains("checkout")) {
                    CHECKOUT
                } else {
                    PAYMENTS
                }
            });
        let checkout = service == CHECKOUT;
        let group = q
            .dimensions
            .iter()
            .find(|(n, _)| *n == "TargetGroup")
            .map(|(_, v)| v.as_str())
            .unwrap_or("");
        let orders = service == bluegreen::ORDERS || group.contains(bluegreen::ORDERS);
        let connect = q
            .dimensions
            .iter()
            .any(|(n, _)| *n == "TargetDiscoveryName" || *n == "DiscoveryName");
        let period = i64::from(q.period_s.max(60));
        let mut points = Vec::new();
        let mut ts = start.timestamp() - start.timestamp().rem_euclid(period) + period;
        while ts <= end.timestamp().min(self.now.timestamp()) {
            let m = ts / 60;
            let since_deploy = ts - self.origin.timestamp();
            let v = match q.metric {
                "CPUUtilization" => (if checkout { 38.0 } else { 24.0 }) + 6.0 * wave(m, 17.0),
                "MemoryUtilization" => (if checkout { 61.0 } else { 44.0 }) + 2.0 * wave(m, 29.0),
                "RunningTaskCount" => {
                    if checkout {
                        4.0
                    } else {
                        3.0
                    }
                }
                "HTTPCode_Target_5XX_Count" if orders => {
                    match bluegreen::http_5xx(group, since_deploy, wave(m, 5.0)) {
                        Some(v) => v,
                        None => {
                            ts += period;
                            continue;
                        }
                    }
                }
                "HTTPCode_Target_5XX_Count" => {
                    if checkout && (0..ROLLBACK_DONE_S).contains(&since_deploy) {
                        // the old tasks carry the load alone and shed a little
                        7.0 + 3.0 * wave(m, 3.0).abs()
                    } else {
                        (wave(m, 7.0) + 1.0).floor()
                    }
                }
                // Service Connect's (by TargetDiscoveryName) is in milliseconds
                "TargetResponseTime" if connect => 14.0 + 3.0 * wave(m, 9.0),
                "TargetResponseTime" => {
                    (if checkout { 0.180 } else { 0.090 }) + 0.03 * wave(m, 11.0)
                }
                "RequestCount" => 2_400.0 + 200.0 * wave(m, 13.0),
                "ClientTLSNegotiationErrorCount" => 0.0,
                "RequestCountPerTarget" => {
                    (if checkout { 1450.0 } else { 620.0 }) + 90.0 * wave(m, 23.0)
                }
                "UnHealthyHostCount" => 0.0,
                // Container Insights with enhanced observability, by task
                "TaskCpuUtilization" | "TaskMemoryUtilization" => {
                    let task = dim(q, "TaskId");
                    let skew = task.bytes().map(f64::from).sum::<f64>() % 17.0;
                    if q.metric == "TaskCpuUtilization" {
                        (if checkout { 34.0 } else { 21.0 }) + skew + 6.0 * wave(m, 17.0)
                    } else {
                        (if checkout { 58.0 } else { 40.0 }) + skew / 2.0 + 2.0 * wave(m, 29.0)
                    }
                }
                "RestartCount" => match super::gpu::restart_count(dim(q, "TaskId"), since_deploy) {
                    Some(v) => v,
                    None => {
                        ts += period;
                        continue;
                    }
                },
                "UnHealthyContainerHealthStatus" => 0.0,
                _ => {
                    ts += period;
                    continue;
                }
            };
            if let Some(t) = chrono::DateTime::from_timestamp(ts, 0) {
                points.push(MetricPoint {
                    t,
                    v: (v * 1000.0).round() / 1000.0,
                });
            }
            ts += period;
        }
        MetricResult {
            id: q.id.clone(),
            points,
        }
    }

    /// Log lines of a group from `start` (inclusive) to now: one every 2 seconds, capped to the
    /// last 10 minutes.
    pub fn logs(&self, group: &str, start: Time) -> Vec<LogLine> {
        let (service, ids) = match group {
            "/ecs/checkout-api" => (CHECKOUT, ["7e1c0b9f", "a2d44e10", "c93f5b21", "f0187d6e"]),
            "/ecs/payments-api" => (PAYMENTS, ["18ab77c0", "5d2e9a41", "9be03f12", "9be03f12"]),
            "/ecs/search-api" => (
                canary::SEARCH,
                ["0d1e2f3a", "1e2f3a4b", "2f3a4b5c", "3a4b5c6d"],
            ),
            _ => return Vec::new(),
        };
        let from = start.max(self.now - Duration::minutes(10)).timestamp();
        let mut out = Vec::new();
        let mut s = from + (from.rem_euclid(2));
        while s <= self.now.timestamp() {
            let n = s / 2;
            let task = ids[(n.rem_euclid(4)) as usize];
            let (path, status, ms) = match n.rem_euclid(7) {
                0 => ("/api/cart", 200, 23),
                1 => ("/api/checkout", 200, 141),
                2 => ("/healthz", 200, 2),
                3 => ("/api/cart/items", 201, 37),
                4 if service == CHECKOUT && n.rem_euclid(3) == 0 => ("/api/checkout", 503, 2012),
                4 => ("/api/orders", 200, 64),
                5 => ("/api/payment-methods", 200, 18),
                _ => ("/api/cart", 304, 5),
            };
            let level = if status >= 500 { "ERROR" } else { "INFO" };
            let message = if status >= 500 {
                format!(
                    "{level} {service} POST {path} {status} {ms}ms upstream=inventory error=\"context deadline exceeded\""
                )
            } else {
                format!("{level} {service} GET {path} {status} {ms}ms")
            };
            if let Some(t) = chrono::DateTime::from_timestamp(s, 0) {
                out.push(LogLine {
                    event_id: format!("{service}-{s}"),
                    t,
                    stream: format!("ecs/app/{task}"),
                    message,
                });
            }
            s += 2;
        }
        out
    }
}

/// One running task per target of each service's first target group, of its current task
/// definition; checkout-api runs ECS Exec, its last task is on FARGATE_SPOT.
fn running_tasks(
    services: &[Service],
    targets: &[(String, Vec<TargetHealth>)],
    started: Time,
) -> Vec<Task> {
    let mut out = Vec::new();
    for svc in services {
        // production's group holds the running tasks (blue/green's idle one none)
        let Some(tg) = crate::model::traffic_groups(svc).into_iter().next() else {
            continue;
        };
        let Some((_, health)) = targets.iter().find(|(arn, _)| *arn == tg.arn) else {
            continue;
        };
        // each deployment's running tasks, of its task definition
        let mut defs: Vec<&str> = Vec::new();
        for d in &svc.deployments {
            defs.extend(std::iter::repeat_n(
                d.task_definition.as_str(),
                d.running.max(0) as usize,
            ));
        }
        for (i, target) in health.iter().enumerate() {
            let exec = svc.enable_execute_command;
            let td = defs.get(i).copied().unwrap_or(&svc.task_definition);
            // a task id of 32 hex digits, a hash of the service and the target's IP
            let hash = |seed: u64| {
                format!("{}/{}", svc.name, target.id)
                    .bytes()
                    .fold(seed, |h, b| {
                        (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
                    })
            };
            out.push(Task {
                place: 0,
                arn: task_arn(&format!(
                    "{:016x}{:016x}",
                    hash(0xcbf2_9ce4_8422_2325),
                    hash(0x8422_2325_cbf2_9ce4)
                )),
                cluster: DEMO_CLUSTER.into(),
                task_definition: td.to_string(),
                group: Some(format!("service:{}", svc.name)),
                started_by: svc
                    .deployments
                    .iter()
                    .find(|d| d.task_definition == td)
                    .map(|d| d.id.clone()),
                last_status: "RUNNING".into(),
                desired_status: "RUNNING".into(),
                started_at: Some(started + Duration::seconds(37 * i as i64)),
                health_status: Some(
                    if target.state == "unhealthy" {
                        "UNHEALTHY"
                    } else {
                        "HEALTHY"
                    }
                    .into(),
                ),
                capacity_provider: Some(
                    if i + 1 == health.len() && svc.name == CHECKOUT {
                        "FARGATE_SPOT"
                    } else {
                        "FARGATE"
                    }
                    .into(),
                ),
                availability_zone: Some(
                    if target.id.starts_with("10.0.1.") {
                        "us-east-1a"
                    } else {
                        "us-east-1b"
                    }
                    .into(),
                ),
                private_ip: Some(target.id.clone()),
                exec_enabled: exec,
                containers: vec![ContainerState {
                    name: "app".into(),
                    last_status: Some("RUNNING".into()),
                    health_status: Some("HEALTHY".into()),
                    exec_agent: exec.then(|| "RUNNING".into()),
                    ..Default::default()
                }],
                ..Default::default()
            });
        }
    }
    out
}

/// A query's dimension value ("" when it has none).
fn dim<'a>(q: &'a MetricQuery, name: &str) -> &'a str {
    q.dimensions
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, v)| v.as_str())
        .unwrap_or("")
}
