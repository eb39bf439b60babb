//! Every screen rendered with ratatui's TestBackend and the colourless `mono` theme, at 80x24
//! and 160x48, for the scenarios on-call engineers meet: healthy, rolling, failed rollout, all
//! targets unhealthy, a source failing, an empty account. Time is frozen so ages are stable.

mod common;

use chrono::{DateTime, TimeZone, Utc};
use ecswatch::app::state::{Pane, UiState, View};
use ecswatch::aws::{ApiError, ErrorKind};
use ecswatch::commands::cycle;
use ecswatch::demo::{DemoApi, ROLLBACK_DONE_S, START_AT_S, TRIP_AT_S};
use ecswatch::diagnosis::{Confidence, Playbook};
use ecswatch::model::*;
use ecswatch::poll::{Payload, Scope, Source, Update};
use ecswatch::store::Store;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use std::sync::Arc;

fn origin() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 22, 12, 0, 0).unwrap()
}

async fn demo_at(s: i64) -> (Store, DateTime<Utc>) {
    let api = DemoApi::frozen(origin(), s);
    let now = origin() + chrono::Duration::seconds(s);
    let mut store = Store::new(
        Scope::default(),
        "us-east-1".into(),
        Arc::new(Playbook::builtin()),
    );
    cycle::run_once(&api, &mut store, 0, now, &mut |_| {}).await;
    (store, now)
}

fn render(
    store: &Store,
    ui: &UiState,
    now: DateTime<Utc>,
    w: u16,
    h: u16,
    theme: &str,
) -> Terminal<TestBackend> {
    common::render(store, ui, now, w, h, theme)
}

/// The screen as text, drawn with the colourless theme.
fn draw(store: &Store, ui: &UiState, now: DateTime<Utc>, w: u16, h: u16) -> String {
    format!("{}", render(store, ui, now, w, h, "mono").backend())
}

/// The first service's top finding: its id and confidence.
fn top_finding(store: &Store) -> Option<(&str, Confidence)> {
    store
        .services
        .values()
        .next()
        .and_then(|st| st.findings.first())
        .map(|f| (f.id.as_str(), f.confidence))
}

fn service_ui(cluster: &str, name: &str, pane: Pane) -> UiState {
    let mut ui = UiState::default();
    ui.stack.push(View::Service(ServiceKey::new(cluster, name)));
    ui.pane = pane;
    ui
}

fn sizes(name: &str, store: &Store, ui: &UiState, now: DateTime<Utc>) {
    for (w, h) in [(80, 24), (120, 40), (160, 48)] {
        insta::assert_snapshot!(format!("{name}_{w}x{h}"), draw(store, ui, now, w, h));
    }
}

#[tokio::test]
async fn healthy() {
    let (store, now) = demo_at(ROLLBACK_DONE_S + 60).await;
    sizes("healthy_board", &store, &UiState::default(), now);
    sizes(
        "healthy_service",
        &store,
        &service_ui("prod", "payments-api", Pane::Metrics),
        now,
    );
}

#[tokio::test]
async fn rolling() {
    let (store, now) = demo_at(START_AT_S).await;
    let text = draw(&store, &UiState::default(), now, 80, 24);
    assert!(text.contains("DEPLOYING"), "{text}");
    sizes("rolling_board", &store, &UiState::default(), now);
    sizes(
        "rolling_service",
        &store,
        &service_ui("prod", "checkout-api", Pane::Findings),
        now,
    );
}

#[tokio::test]
async fn rolled_back_after_the_breaker() {
    let (store, now) = demo_at(TRIP_AT_S + 10).await;
    sizes("rollback_board", &store, &UiState::default(), now);
    sizes(
        "rollback_service_tasks",
        &store,
        &service_ui("prod", "checkout-api", Pane::Tasks),
        now,
    );
    sizes(
        "rollback_service_events",
        &store,
        &service_ui("prod", "checkout-api", Pane::Events),
        now,
    );
    // task detail and help
    let arn = store
        .services
        .values()
        .find(|s| s.service.name == "checkout-api")
        .unwrap()
        .stopped[0]
        .clone();
    let mut ui = service_ui("prod", "checkout-api", Pane::Tasks);
    ui.stack
        .push(View::Task(ServiceKey::new("prod", "checkout-api"), arn));
    sizes("task_detail", &store, &ui, now);
    let ui = UiState {
        help: true,
        ..Default::default()
    };
    sizes("help", &store, &ui, now);
}

/// A service whose primary deployment failed (no rollback configured) and whose targets are all unhealthy.
fn failed_store() -> (Store, DateTime<Utc>) {
    let now = common::t0();
    let mut svc = common::service();
    svc.deployment_config.circuit_breaker_rollback = Some(false);
    svc.running = 0;
    svc.deployments[0].rollout_state = Some("FAILED".into());
    svc.deployments[0].running = 0;
    svc.deployments[0].failed = 3;
    svc.deployments[0].rollout_state_reason =
        Some("ECS deployment circuit breaker: tasks failed to start.".into());
    svc.deployments[0].created_at = Some(now - chrono::Duration::minutes(14));
    svc.events = vec![ServiceEvent {
        id: "e1".into(),
        created_at: Some(now - chrono::Duration::minutes(2)),
        message: "(service web) (deployment ecs-svc/1) deployment failed: tasks failed to start."
            .into(),
    }];
    let mut store = common::with_service(svc);
    let unhealthy = |ip: &str, reason: &str, desc: &str| TargetHealth {
        id: ip.into(),
        port: Some(8080),
        state: "unhealthy".into(),
        reason: Some(reason.into()),
        description: Some(desc.into()),
        ..Default::default()
    };
    common::apply(
        &mut store,
        Source::Targets,
        Payload::TargetsRead {
            described: vec![(
                common::target_group(),
                vec![
                    unhealthy(
                        "10.0.1.5",
                        "Target.ResponseCodeMismatch",
                        "Health checks failed with these codes: [502]",
                    ),
                    unhealthy("10.0.2.6", "Target.Timeout", "Request timed out"),
                ],
            )],
            health: vec![],
            rules: vec![],
            lattice: vec![],
        },
    );
    let task = Task {
        containers: vec![ContainerState {
            name: "app".into(),
            exit_code: Some(137),
            reason: Some("OutOfMemoryError: Container killed due to memory usage".into()),
            ..Default::default()
        }],
        ..common::stopped_task(
            now,
            chrono::Duration::minutes(3),
            "EssentialContainerExited",
            "Essential container in task exited",
        )
    };
    common::apply(
        &mut store,
        Source::StoppedTasks,
        Payload::StoppedTasks(vec![task]),
    );
    store.refresh_findings(now);
    (store, now)
}

#[test]
fn failed_rollout_all_targets_unhealthy() {
    let (store, now) = failed_store();
    let text = draw(&store, &UiState::default(), now, 80, 24);
    assert!(text.contains("FAILED"), "{text}");
    sizes("failed_board", &store, &UiState::default(), now);
    sizes(
        "failed_service_targets",
        &store,
        &service_ui("prod", "web", Pane::Targets),
        now,
    );
    sizes(
        "failed_service_findings",
        &store,
        &service_ui("prod", "web", Pane::Findings),
        now,
    );
}

#[tokio::test]
async fn a_source_failing_shows_a_dated_reason_and_keeps_data() {
    let (mut store, now) = demo_at(START_AT_S).await;
    let later = now + chrono::Duration::seconds(30);
    store.apply(Update::new(
        Source::Metrics,
        later,
        None,
        vec![ApiError::new(
            ErrorKind::AccessDenied,
            "cloudwatch:GetMetricData",
            "not authorized",
        )],
    ));
    let mut throttled = Update::new(
        Source::Targets,
        later,
        None,
        vec![ApiError::new(
            ErrorKind::Throttled,
            "elasticloadbalancing:DescribeTargetHealth",
            "Rate exceeded",
        )],
    );
    throttled.retry_at = Some(later + chrono::Duration::seconds(8));
    store.apply(throttled);
    let ui = service_ui("prod", "checkout-api", Pane::Metrics);
    let text = draw(&store, &ui, later, 160, 48);
    assert!(
        text.contains("access denied 12:01:20Z cloudwatch:GetMetricData; data 30s old"),
        "{text}"
    );
    assert!(text.contains("cpu"), "last metrics still shown: {text}");
    // the tab bar marks the other failing pane; beside the findings it says why
    assert!(text.contains("Targets!"), "{text}");
    let targets = service_ui("prod", "checkout-api", Pane::Targets);
    let text = draw(&store, &targets, later, 160, 48);
    assert!(
        text.contains("throttled 12:01:20Z DescribeTargetHealth, retry in 8s; data 30s old"),
        "{text}"
    );
    sizes("source_failing_service", &store, &ui, later);
}

#[test]
fn empty_account() {
    let mut store = common::store();
    common::apply(
        &mut store,
        Source::Services,
        Payload::Services {
            services: vec![],
            listed_clusters: vec![],
            roster: None,
            insights: vec![],
        },
    );
    let text = draw(&store, &UiState::default(), common::t0(), 80, 24);
    assert!(text.contains("no services in scope"), "{text}");
    sizes("empty_board", &store, &UiState::default(), common::t0());
}

#[tokio::test]
async fn tiny_and_huge_terminals_do_not_panic() {
    let (store, now) = demo_at(START_AT_S).await;
    for ui in [
        UiState::default(),
        service_ui("prod", "checkout-api", Pane::Logs),
    ] {
        for (w, h) in [(1, 1), (20, 5), (10, 3), (0, 0), (400, 120)] {
            // TestBackend cannot print a 0-wide buffer: render only
            render(&store, &ui, now, w, h, "default");
        }
    }
}

#[tokio::test]
async fn expired_credentials_show_a_banner_with_the_renew_command_and_keep_data() {
    let (mut store, now) = demo_at(START_AT_S).await;
    store.places[0].spec.profile = Some("prod-oncall".into());
    let later = now + chrono::Duration::seconds(90);
    for source in [Source::Services, Source::Targets] {
        store.apply(Update::new(
            source,
            later,
            None,
            vec![ApiError::new(
                ErrorKind::ExpiredCredentials,
                "ecs:DescribeServices",
                "The security token included in the request is expired",
            )],
        ));
    }
    let text = draw(&store, &UiState::default(), later, 160, 48);
    assert!(
        text.contains(
            "CREDENTIALS EXPIRED (profile prod-oncall): run `aws sso login --profile prod-oncall`"
        ),
        "{text}"
    );
    assert!(text.contains("data from 12:00:50Z (1m"), "{text}");
    assert!(text.contains("checkout-api"), "last data kept: {text}");
    // 80 columns: the banner wraps instead of being cut
    let small = draw(&store, &UiState::default(), later, 80, 24);
    assert!(small.contains("aws sso login --profile"), "{small}");
}

#[tokio::test]
async fn a_log_stream_name_with_any_characters_renders() {
    // a log group without awslogs-stream-prefix has arbitrary stream names: bytes are not
    // characters, and the view must never cut one in half
    let (mut store, now) = demo_at(START_AT_S).await;
    let key = ServiceKey::new("prod", "checkout-api");
    store.apply(Update::new(
        Source::Logs,
        now,
        Some(ecswatch::poll::Payload::LogsRead {
            services: vec![(
                key.clone(),
                vec![ecswatch::model::LogLine {
                    event_id: "u1".into(),
                    t: now,
                    // byte 8 falls inside "ø": a byte slice there panics
                    stream: "ecs/app/aünïcødé-task".into(),
                    message: "hello from a stream with non-ASCII name".into(),
                }],
            )],
            tasks: vec![],
        }),
        vec![],
    ));
    for (w, h) in [(80, 24), (200, 60)] {
        let screen = draw(
            &store,
            &service_ui("prod", "checkout-api", Pane::Logs),
            now,
            w,
            h,
        );
        assert!(screen.contains("aünïcødé "), "{w}x{h}\n{screen}");
    }
}

#[tokio::test]
async fn a_deleted_log_group_marks_only_the_panes_of_services_that_use_it() {
    let (mut store, now) = demo_at(START_AT_S).await;
    let later = now + chrono::Duration::seconds(30);
    // payments-api's log group was deleted; checkout-api's reads fine in the same poll
    store.apply(Update::new(
        Source::Logs,
        later,
        Some(Payload::LogsRead {
            services: vec![],
            tasks: vec![],
        }),
        vec![
            ApiError::new(
                ErrorKind::NotFound,
                "logs:FilterLogEvents",
                "The specified log group does not exist.",
            )
            .about("/ecs/payments-api"),
        ],
    ));
    let payments = draw(
        &store,
        &service_ui("prod", "payments-api", Pane::Logs),
        later,
        160,
        48,
    );
    assert!(
        payments.contains("not found 12:01:20Z FilterLogEvents"),
        "{payments}"
    );
    let checkout = draw(
        &store,
        &service_ui("prod", "checkout-api", Pane::Logs),
        later,
        160,
        48,
    );
    assert!(!checkout.contains("FilterLogEvents"), "{checkout}");
    // and the age is its own logs' (read 30 s ago), not the source's latest poll
    assert!(checkout.contains("Logs 30s ago"), "{checkout}");
}

/// A finding that matched only a family rule is marked `~` wherever a row names it (the
/// board's top finding, the service's findings list), so that, read at 80x24 without colour,
/// it is never taken for an exact cause; the header says "(family match)" in words.
#[test]
fn a_family_finding_is_marked_in_every_row_that_names_it() {
    let now = common::t0();
    let mut store = common::with_service(common::service());
    let stopped = |reason: &str| {
        common::stopped_task(
            now,
            chrono::Duration::minutes(3),
            "TaskFailedToStart",
            reason,
        )
    };
    common::apply(
        &mut store,
        Source::StoppedTasks,
        Payload::StoppedTasks(vec![stopped(
            "CannotPullContainerError: a registry answer no rule has seen",
        )]),
    );
    store.refresh_findings(now);
    assert_eq!(
        top_finding(&store),
        Some(("image_pull_failed", Confidence::Family))
    );
    let board = draw(&store, &UiState::default(), now, 80, 24);
    assert!(board.contains("CRIT ~"), "{board}");
    let ui = service_ui("prod", "web", Pane::Findings);
    let service = draw(&store, &ui, now, 80, 24);
    assert!(service.contains("(family match)"), "{service}");
    assert!(
        service.lines().any(|l| l.contains("CRITICAL ~")),
        "the findings list marks the row: {service}"
    );
    // an exact cause for the same task: no mark anywhere
    common::apply(
        &mut store,
        Source::StoppedTasks,
        Payload::StoppedTasks(vec![stopped(
            "CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref 111122223333.dkr.ecr.us-east-1.amazonaws.com/web:v2: not found",
        )]),
    );
    store.refresh_findings(now);
    let board = draw(&store, &UiState::default(), now, 80, 24);
    assert!(board.contains("CRIT ") && !board.contains('~'), "{board}");
    let service = draw(&store, &ui, now, 80, 24);
    assert!(
        !service.contains('~') && !service.contains("family match"),
        "{service}"
    );
}

/// A task that never started because ECS could not attach its EBS volume: the cause is in the
/// attachment (its statusReason), the stopped reason says only that the task failed to start.
/// The board's top finding names the volume's role, and the task detail shows the attachment's
/// words at 80x24.
#[test]
fn a_failed_ebs_attachment_is_the_task_s_cause_on_the_board_and_in_the_task() {
    let now = common::t0();
    let mut store = common::with_service(common::service());
    let task = Task {
        attachment_reasons: vec![AttachmentReason {
            kind: "AmazonElasticBlockStorage".into(),
            status: Some("FAILED".into()),
            reason: "ECS was unable to assume the configured ECS Infrastructure Role \
                     'arn:aws:iam::111122223333:role/ecsInfrastructureRole'. Please verify that \
                     the role being passed has the proper trust relationship with Amazon ECS"
                .into(),
        }],
        ..common::stopped_task(
            now,
            chrono::Duration::minutes(2),
            "TaskFailedToStart",
            "Task failed to start",
        )
    };
    let arn = task.arn.clone();
    common::apply(
        &mut store,
        Source::StoppedTasks,
        Payload::StoppedTasks(vec![task]),
    );
    store.refresh_findings(now);
    assert_eq!(
        top_finding(&store),
        Some(("ebs_volume_role", Confidence::Exact))
    );
    let board = draw(&store, &UiState::default(), now, 80, 24);
    assert!(board.contains("CRIT EBS volume's role"), "{board}");
    let mut ui = service_ui("prod", "web", Pane::Tasks);
    ui.stack
        .push(View::Task(ServiceKey::new("prod", "web"), arn));
    let detail = draw(&store, &ui, now, 80, 24);
    assert!(
        detail.contains("attachment  EBS volume FAILED: ECS was unable to assume"),
        "{detail}"
    );
    assert!(detail.contains("ebs_volume_role"), "{detail}");
    // and the postmortem's timeline keeps the attachment's words beside the task
    let timeline = store.timeline(Some(&ServiceKey::new("prod", "web")));
    assert!(
        timeline.iter().any(|e| e.text.contains(
            "stopped: Task failed to start [EBS volume: ECS was unable to assume the configured"
        )),
        "{:#?}",
        timeline.iter().map(|e| &e.text).collect::<Vec<_>>()
    );
}
