//! What one failed call must not take away: the answers of the other calls of the same source
//! stay, and the failed call is named (operation and resource) in its pane. And the lifecycle
//! words of a service being deleted.

mod common;

use common::*;
use ecswatch::app::state::{Pane, UiState, View};
use ecswatch::aws::{ApiError, ErrorKind};
use ecswatch::model::scaling::ScalingPart;
use ecswatch::model::*;
use ecswatch::poll::{Payload, Source, Update};
use ecswatch::report::{StatusBadge, snapshot_json, snapshot_text, status_badge};
use ecswatch::store::Store;

const RESOURCE: &str = "service/prod/web";

fn key() -> ServiceKey {
    ServiceKey::new("prod", "web")
}

fn denied(operation: &'static str, about: &str) -> ApiError {
    ApiError::new(
        ErrorKind::AccessDenied,
        operation,
        "User is not authorized to perform this action",
    )
    .about(about)
}

fn update(source: Source, payload: Payload, errors: Vec<ApiError>) -> Update {
    Update::new(source, t0(), Some(payload), errors)
}

/// min = max, and a policy whose ResourceLabel is another target group's: two lints that need
/// the scalable target and the policies, not the activities.
fn scaling_read(unread: Vec<ScalingPart>, activities: Vec<ScalingActivity>) -> Scaling {
    Scaling {
        target: Some(ScalableTarget {
            resource_id: RESOURCE.into(),
            min: 2,
            max: 2,
            ..Default::default()
        }),
        policies: vec![ScalingPolicy {
            name: "web-requests".into(),
            policy_type: "TargetTrackingScaling".into(),
            metric: Some("ALBRequestCountPerTarget".into()),
            resource_label: Some(format!("{LB}/targetgroup/other-tg/0123456789abcdef")),
            target_value: Some(1000.0),
            ..Default::default()
        }],
        activities,
        unread,
    }
}

fn scaling_ids(store: &Store) -> Vec<String> {
    finding_ids(store)
        .into_iter()
        .filter(|id| id.starts_with("scaling_"))
        .collect()
}

fn scaling_pane(store: &Store) -> String {
    let mut ui = UiState::default();
    ui.stack.push(View::Service(key()));
    ui.pane = Pane::Scaling;
    draw(store, &ui, t0(), 250, 40)
}

#[test]
fn activities_that_cannot_be_read_leave_the_target_the_policies_and_their_lints() {
    let mut s = loaded(service(), task_definition(), group_with_lb());
    s.apply(update(
        Source::Scaling,
        Payload::Scaling(vec![(
            key(),
            scaling_read(vec![ScalingPart::Activities], vec![]),
        )]),
        vec![denied(
            "application-autoscaling:DescribeScalingActivities",
            RESOURCE,
        )],
    ));
    s.refresh_findings(t0());
    assert_eq!(
        scaling_ids(&s),
        ["scaling_resource_label_mismatch", "scaling_min_equals_max"]
    );
    let json: serde_json::Value = serde_json::from_str(&snapshot_json(&s, t0())).unwrap();
    let scaling = &json["services"][0]["scaling"];
    assert_eq!(scaling["target"]["max"], 2);
    assert_eq!(scaling["policies"][0]["name"], "web-requests");
    assert_eq!(scaling["unread"], serde_json::json!(["activities"]));
    let pane = scaling_pane(&s);
    assert!(pane.contains("min 2  max 2"), "{pane}");
    assert!(pane.contains("policy web-requests"), "{pane}");
    assert!(
        pane.contains("not read: application-autoscaling:DescribeScalingActivities: access denied"),
        "{pane}"
    );
    assert!(pane.contains("[service/prod/web]"), "{pane}");
}

#[test]
fn a_later_failed_read_keeps_the_activities_read_before() {
    let mut s = loaded(service(), task_definition(), group_with_lb());
    let scaled = ScalingActivity {
        id: "a1".into(),
        status: "Successful".into(),
        description: "Setting desired count to 2.".into(),
        start: Some(t0() - chrono::Duration::minutes(5)),
        ..Default::default()
    };
    s.apply(update(
        Source::Scaling,
        Payload::Scaling(vec![(key(), scaling_read(vec![], vec![scaled.clone()]))]),
        vec![],
    ));
    s.apply(update(
        Source::Scaling,
        Payload::Scaling(vec![(
            key(),
            scaling_read(vec![ScalingPart::Activities], vec![]),
        )]),
        vec![denied(
            "application-autoscaling:DescribeScalingActivities",
            RESOURCE,
        )],
    ));
    let st = s.services.values().next().unwrap();
    let scaling = st.scaling.as_deref().unwrap();
    assert_eq!(scaling.activities, vec![scaled]);
    assert_eq!(scaling.unread, vec![ScalingPart::Activities]);
    let pane = scaling_pane(&s);
    assert!(pane.contains("Setting desired count to 2."), "{pane}");
    assert!(pane.contains("not read:"), "{pane}");
}

#[test]
fn attributes_that_cannot_be_read_keep_the_delay_read_before() {
    let mut s = loaded(service(), task_definition(), group_with_lb());
    let before = s.target_groups[TG].group.deregistration_delay_s;
    assert!(before.is_some());
    let described = TargetGroup {
        deregistration_delay_s: None,
        ..group_with_lb()
    };
    s.apply(update(
        Source::Targets,
        Payload::TargetsRead {
            rules: Vec::new(),
            lattice: Vec::new(),
            described: vec![(described, vec![])],
            health: vec![],
        },
        vec![denied(
            "elasticloadbalancing:DescribeTargetGroupAttributes",
            TG,
        )],
    ));
    assert_eq!(s.target_groups[TG].group.deregistration_delay_s, before);
}

#[test]
fn health_of_a_group_that_could_not_be_described_shows_under_its_name() {
    let mut s = with_service_td(service(), task_definition());
    let unhealthy = TargetHealth {
        id: "10.0.0.9".into(),
        port: Some(80),
        state: "unhealthy".into(),
        reason: Some("Target.ResponseCodeMismatch".into()),
        description: Some("Health checks failed with these codes: [503]".into()),
        ..Default::default()
    };
    s.apply(update(
        Source::Targets,
        Payload::TargetsRead {
            rules: Vec::new(),
            lattice: Vec::new(),
            described: vec![],
            health: vec![(TG.into(), vec![unhealthy])],
        },
        vec![denied("elasticloadbalancing:DescribeTargetGroups", TG)],
    ));
    s.refresh_findings(t0());
    let group = &s.target_groups[TG];
    assert_eq!(group.group.name, "web-tg");
    assert_eq!(group.targets.len(), 1);
    // the health is evidence: the service is not OK and the target's finding is there
    let st = s.services.values().next().unwrap();
    assert_eq!(status_badge(&s, st, t0()), StatusBadge::Degraded);
    assert_eq!(finding_ids(&s), ["elb_health_check_bad_status"]);
}

fn draining() -> Service {
    let mut svc = service();
    svc.status = "DRAINING".into();
    svc.desired = 0;
    svc.running = 2;
    svc
}

#[test]
fn a_service_being_deleted_says_draining_in_the_report_the_board_and_its_view() {
    let s = loaded(draining(), task_definition(), group_with_lb());
    let st = s.services.values().next().unwrap();
    assert_eq!(status_badge(&s, st, t0()), StatusBadge::Draining);
    let text = snapshot_text(&s, t0());
    assert!(text.contains("DRAINING"), "{text}");
    assert!(!text.contains(" OK "), "{text}");
    let board = draw(&s, &UiState::default(), t0(), 80, 24);
    assert!(board.contains("DRAINING"), "{board}");
    let mut ui = UiState::default();
    ui.stack.push(View::Service(key()));
    let view = draw(&s, &ui, t0(), 80, 24);
    assert!(view.contains("DRAINING"), "{view}");
}

#[test]
fn lifecycle_words_sort_between_the_failures_and_ok() {
    assert!(StatusBadge::Degraded < StatusBadge::Draining);
    assert!(StatusBadge::Draining < StatusBadge::Ok);
    assert!(StatusBadge::Inactive < StatusBadge::Ok);
    let mut svc = service();
    svc.status = "INACTIVE".into();
    let s = loaded(svc, task_definition(), group_with_lb());
    let st = s.services.values().next().unwrap();
    assert_eq!(status_badge(&s, st, t0()).label(), "INACTIVE");
}
