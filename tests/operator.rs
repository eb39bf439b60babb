//! The operator's view: running tasks in the store, the auto scaling lints, ECS Exec's
//! preflight, and task detail of a running task joined to its target.

mod common;

use common::*;
use ecswatch::app::state::{Pane, UiState, View};
use ecswatch::exec::{LocalTools, preflight};
use ecswatch::model::*;
use ecswatch::poll::{Payload, Source};
use ecswatch::store::Store;

fn key() -> ServiceKey {
    ServiceKey::new("prod", "web")
}

fn running(id: &str, ip: &str, exec: bool, agent: Option<&str>) -> Task {
    Task {
        arn: format!("arn:aws:ecs:us-east-1:1:task/prod/{id}"),
        cluster: "prod".into(),
        task_definition: TD.into(),
        group: Some("service:web".into()),
        last_status: "RUNNING".into(),
        desired_status: "RUNNING".into(),
        started_at: Some(t0() - chrono::Duration::hours(2)),
        health_status: Some("HEALTHY".into()),
        capacity_provider: Some("FARGATE".into()),
        availability_zone: Some("us-east-1a".into()),
        private_ip: Some(ip.into()),
        exec_enabled: exec,
        containers: vec![ContainerState {
            name: "app".into(),
            last_status: Some("RUNNING".into()),
            exec_agent: agent.map(str::to_owned),
            ..Default::default()
        }],
        ..Default::default()
    }
}

fn with_scaling(store: &mut Store, scaling: Scaling) {
    apply(
        store,
        Source::Scaling,
        Payload::Scaling(vec![(key(), scaling)]),
    );
    store.refresh_findings(t0());
}

fn target(min: i32, max: i32) -> ScalableTarget {
    ScalableTarget {
        resource_id: "service/prod/web".into(),
        min,
        max,
        ..Default::default()
    }
}

fn requests_policy(label: &str) -> ScalingPolicy {
    ScalingPolicy {
        name: "web-requests".into(),
        policy_type: "TargetTrackingScaling".into(),
        metric: Some("ALBRequestCountPerTarget".into()),
        resource_label: Some(label.into()),
        target_value: Some(1000.0),
        ..Default::default()
    }
}

fn scaling_ids(store: &Store) -> Vec<String> {
    finding_ids(store)
        .into_iter()
        .filter(|id| id.starts_with("scaling_"))
        .collect()
}

#[test]
fn a_resource_label_of_another_target_group_is_flagged_and_the_right_one_is_not() {
    let own = scaling::resource_label(LB, TG).unwrap();
    let mut s = loaded(service(), task_definition(), group_with_lb());
    with_scaling(
        &mut s,
        Scaling {
            target: Some(target(2, 6)),
            policies: vec![requests_policy(&own)],
            activities: vec![],
            unread: vec![],
        },
    );
    assert!(scaling_ids(&s).is_empty(), "{:?}", finding_ids(&s));

    let other = format!("{LB}/targetgroup/payments-tg/0123456789abcdef");
    with_scaling(
        &mut s,
        Scaling {
            target: Some(target(2, 6)),
            policies: vec![requests_policy(&other)],
            activities: vec![],
            unread: vec![],
        },
    );
    assert_eq!(scaling_ids(&s), ["scaling_resource_label_mismatch"]);
    let f = &s.services[&key()].findings[0];
    assert!(f.evidence[0].contains("payments-tg"), "{:?}", f.evidence);
    assert!(f.evidence[1].contains(&own), "{:?}", f.evidence);
    assert_eq!(
        f.confirm,
        "aws application-autoscaling describe-scaling-policies --service-namespace ecs --resource-id service/prod/web --query 'ScalingPolicies[].TargetTrackingScalingPolicyConfiguration.PredefinedMetricSpecification' --region us-east-1"
    );
    // a CPU policy has no label to check
    with_scaling(
        &mut s,
        Scaling {
            target: Some(target(2, 6)),
            policies: vec![ScalingPolicy {
                metric: Some("ECSServiceAverageCPUUtilization".into()),
                resource_label: None,
                ..requests_policy("")
            }],
            activities: vec![],
            unread: vec![],
        },
    );
    assert!(scaling_ids(&s).is_empty());
}

#[test]
fn suspended_and_min_equals_max() {
    let mut s = loaded(service(), task_definition(), group_with_lb());
    with_scaling(
        &mut s,
        Scaling {
            target: Some(ScalableTarget {
                dynamic_out_suspended: true,
                ..target(2, 2)
            }),
            ..Default::default()
        },
    );
    let mut ids = scaling_ids(&s);
    ids.sort();
    assert_eq!(ids, ["scaling_min_equals_max", "scaling_suspended"]);
    let suspended = s.services[&key()]
        .findings
        .iter()
        .find(|f| f.id == "scaling_suspended")
        .unwrap();
    assert!(suspended.evidence[0].contains("scale-out scaling suspended"));
    // not registered: no scaling finding at all
    with_scaling(&mut s, Scaling::default());
    assert!(scaling_ids(&s).is_empty());
}

#[test]
fn at_max_only_while_targets_fail_or_cpu_is_pinned() {
    // desired 2 = max 2 (min 1), every target healthy, no CPU: room is not the problem
    let mut s = loaded(service(), task_definition(), group_with_lb());
    let at_max = Scaling {
        target: Some(target(1, 2)),
        activities: vec![ScalingActivity {
            id: "a1".into(),
            status: "Failed".into(),
            description: "Attempting to scale out to 3.".into(),
            start: Some(t0()),
            not_scaled: vec![NotScaledReason {
                code: "AlreadyAtMaxCapacity".into(),
                max: Some(2),
                current: Some(2),
                ..Default::default()
            }],
            ..Default::default()
        }],
        ..Default::default()
    };
    with_scaling(&mut s, at_max.clone());
    assert!(scaling_ids(&s).is_empty());
    // a target fails its health checks: at max is now a finding, naming the not-scaled activity
    let unhealthy = TargetHealth {
        id: "10.0.0.1".into(),
        port: Some(80),
        state: "unhealthy".into(),
        reason: Some("Target.Timeout".into()),
        ..Default::default()
    };
    apply(
        &mut s,
        Source::Targets,
        Payload::TargetsRead {
            described: vec![(group_with_lb(), vec![unhealthy])],
            health: vec![],
            rules: vec![],
            lattice: vec![],
        },
    );
    s.refresh_findings(t0());
    assert!(scaling_ids(&s).contains(&"scaling_at_max".to_string()));
    let f = s.services[&key()]
        .findings
        .iter()
        .find(|f| f.id == "scaling_at_max")
        .unwrap();
    assert!(f.evidence.iter().any(|e| e.contains("1 targets unhealthy")));
    assert!(
        f.evidence
            .iter()
            .any(|e| e.contains("AlreadyAtMaxCapacity"))
    );

    // healthy again, but CPU pinned for the last three minutes
    let mut s = loaded(service(), task_definition(), group_with_lb());
    let cpu: Vec<MetricPoint> = (0..5)
        .map(|m| MetricPoint {
            t: t0() - chrono::Duration::minutes(5 - m),
            v: if m < 2 { 40.0 } else { 97.0 },
        })
        .collect();
    apply(
        &mut s,
        Source::Metrics,
        Payload::Metrics(vec![(key(), MetricKind::CpuUtilization, cpu)]),
    );
    with_scaling(&mut s, at_max);
    assert_eq!(scaling_ids(&s), ["scaling_at_max"]);
}

#[test]
fn running_tasks_replace_the_last_read_and_keep_only_the_services_own() {
    let mut s = loaded(service(), task_definition(), target_group());
    let mut other = running("0000000000000000000000000000ffff", "10.0.9.9", false, None);
    other.group = Some("service:api".into());
    apply(
        &mut s,
        Source::RunningTasks,
        Payload::RunningTasks(vec![(
            key(),
            vec![
                running("bbbb0000000000000000000000000002", "10.0.0.2", false, None),
                running("aaaa0000000000000000000000000001", "10.0.0.1", false, None),
                other,
            ],
        )]),
    );
    let st = &s.services[&key()];
    assert_eq!(st.running.len(), 2, "another service's task is dropped");
    assert_eq!(st.running_read_at, Some(t0()));
    // a task gone from the listing is gone from the store
    apply(
        &mut s,
        Source::RunningTasks,
        Payload::RunningTasks(vec![(
            key(),
            vec![running(
                "aaaa0000000000000000000000000001",
                "10.0.0.1",
                false,
                None,
            )],
        )]),
    );
    assert_eq!(s.services[&key()].running.len(), 1);
}

fn exec_store(service_exec: bool, task: Task) -> Store {
    let svc = Service {
        enable_execute_command: service_exec,
        ..service()
    };
    let mut s = loaded(svc, task_definition(), target_group());
    apply(
        &mut s,
        Source::RunningTasks,
        Payload::RunningTasks(vec![(key(), vec![task])]),
    );
    s
}

const ID: &str = "aaaa0000000000000000000000000001";
const ALL_THERE: LocalTools = LocalTools {
    aws: true,
    session_manager_plugin: true,
};

#[test]
fn exec_preflight_names_each_missing_piece() {
    let s = exec_store(false, running(ID, "10.0.0.1", false, None));
    let plan = preflight(
        &s,
        &key(),
        ID,
        LocalTools {
            aws: true,
            session_manager_plugin: false,
        },
    )
    .unwrap();
    let ids: Vec<&str> = plan.missing.iter().map(|f| f.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "exec_not_enabled",
            "exec_agent_not_running",
            "exec_plugin_missing"
        ]
    );
    assert_eq!(
        plan.missing[0].confirm,
        "aws ecs describe-services --cluster prod --services web --query 'services[0].enableExecuteCommand' --region us-east-1"
    );
    assert!(plan.missing[1].evidence[0].contains("started without exec"));
    assert_eq!(
        plan.command(),
        format!(
            "aws ecs execute-command --cluster prod --task {ID} --container app --interactive --command /bin/sh --region us-east-1"
        )
    );
    assert!(!plan.ready());

    // exec enabled, but the agent still PENDING
    let s = exec_store(true, running(ID, "10.0.0.1", true, Some("PENDING")));
    let plan = preflight(&s, &key(), ID, ALL_THERE).unwrap();
    assert_eq!(plan.missing.len(), 1);
    assert!(plan.missing[0].evidence[0].contains("ExecuteCommandAgent PENDING"));

    // everything there: ready, nothing missing
    let s = exec_store(true, running(ID, "10.0.0.1", true, Some("RUNNING")));
    let plan = preflight(
        &s,
        &key(),
        &format!("arn:aws:ecs:us-east-1:1:task/prod/{ID}"),
        ALL_THERE,
    )
    .unwrap();
    assert!(plan.ready(), "{:?}", plan.missing);

    // a task that is not running (or not this service's) is refused outright
    let err = preflight(&s, &key(), "ffff", ALL_THERE).unwrap_err();
    assert!(err.contains("not a running task of web"), "{err}");
}

/// The task detail of task ID, opened from the service's Tasks pane, at 100x30.
fn task_detail(s: &Store) -> String {
    let mut ui = UiState::default();
    ui.stack.push(View::Service(key()));
    ui.pane = Pane::Tasks;
    ui.stack.push(View::Task(
        key(),
        format!("arn:aws:ecs:us-east-1:1:task/prod/{ID}"),
    ));
    draw(s, &ui, t0(), 100, 30)
}

#[test]
fn a_task_launched_by_launch_type_shows_it_as_its_placement() {
    // no capacity provider strategy: DescribeTasks gives only launchType
    let mut task = running(ID, "10.0.0.7", false, None);
    task.capacity_provider = None;
    task.launch_type = Some("EC2".into());
    let s = exec_store(false, task);
    let text = task_detail(&s);
    assert!(
        text.contains("placement   EC2  us-east-1a  10.0.0.7"),
        "{text}"
    );
}

#[test]
fn task_detail_of_a_running_task_shows_its_own_target() {
    let mut s = exec_store(true, running(ID, "10.0.0.7", true, Some("RUNNING")));
    let health = vec![
        TargetHealth {
            id: "10.0.0.7".into(),
            port: Some(80),
            state: "unhealthy".into(),
            reason: Some("Target.ResponseCodeMismatch".into()),
            description: Some("Health checks failed with these codes: [502]".into()),
            ..Default::default()
        },
        TargetHealth {
            id: "10.0.0.8".into(),
            port: Some(80),
            state: "healthy".into(),
            ..Default::default()
        },
    ];
    apply(
        &mut s,
        Source::Targets,
        Payload::TargetsRead {
            described: vec![(target_group(), health)],
            health: vec![],
            rules: vec![],
            lattice: vec![],
        },
    );
    let text = task_detail(&s);
    assert!(
        text.contains("placement   FARGATE  us-east-1a  10.0.0.7"),
        "{text}"
    );
    assert!(
        text.contains("web-tg UNHEALTHY Target.ResponseCodeMismatch - Health checks failed"),
        "{text}"
    );
    assert!(!text.contains("10.0.0.8"), "another task's target: {text}");
    assert!(text.contains("exec agent RUNNING"), "{text}");
}

#[test]
fn at_120_columns_the_longest_finding_title_is_whole_on_the_board() {
    // the longest title in the playbook: a 300 s deregistration delay
    let tg = TargetGroup {
        deregistration_delay_s: Some(300),
        ..target_group()
    };
    let s = loaded(service(), task_definition(), tg);
    let title = "Deregistration delay longer than the container's stop timeout";
    assert_eq!(
        s.services[&key()].findings[0].title,
        title,
        "{:?}",
        finding_ids(&s)
    );
    let board = draw(&s, &UiState::default(), t0(), 120, 40);
    assert!(board.contains(&format!("INFO {title}")), "{board}");
    // at 80 the row is cut, but the name column is only as wide as its content
    let narrow = draw(&s, &UiState::default(), t0(), 80, 24);
    assert!(narrow.contains("SERVICE (prod)"), "{narrow}");
}
