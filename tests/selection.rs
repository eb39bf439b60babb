//! Selection by identity in every list, through the real view: the selected row stays selected
//! when its list re-sorts or grows above it, and when it disappears its neighbour is selected
//! and the footer says so.

mod common;

use common::*;
use ecswatch::app::state::{Pane, UiState, View, Visible};
use ecswatch::keymap::{Action, Keymap};
use ecswatch::model::*;
use ecswatch::poll::{Payload, Source};
use ecswatch::store::Store;

fn key() -> ServiceKey {
    ServiceKey::new("prod", "web")
}

/// Draw a frame (the view finds the selections) and let the selections settle, as the app
/// loop does after every draw.
fn frame(store: &Store, ui: &mut UiState) -> Visible {
    let keymap = Keymap::shipped("default").unwrap();
    let (_, vis) = ecswatch::view::build(
        store,
        ui,
        &keymap,
        t0(),
        ecswatch::view::Size {
            width: 120,
            height: 40,
        },
    );
    ui.settle(&vis);
    vis
}

fn press(store: &Store, ui: &mut UiState, action: Action) {
    let vis = frame(store, ui);
    ui.apply(action, &vis);
    frame(store, ui);
}

fn open(pane: Pane) -> UiState {
    let mut ui = UiState::default();
    ui.stack.push(View::Service(key()));
    ui.pane = pane;
    ui
}

fn event(id: &str, minutes_ago: i64, message: &str) -> ServiceEvent {
    ServiceEvent {
        id: id.into(),
        created_at: Some(t0() - chrono::Duration::minutes(minutes_ago)),
        message: message.into(),
    }
}

fn with_events(store: &mut Store, events: Vec<ServiceEvent>) {
    let mut svc = service();
    svc.events = events;
    answer_services(store, svc);
}

fn task(id: &str) -> Task {
    Task {
        arn: format!("arn:aws:ecs:us-east-1:1:task/prod/{id}"),
        cluster: "prod".into(),
        task_definition: TD.into(),
        group: Some("service:web".into()),
        last_status: "RUNNING".into(),
        desired_status: "RUNNING".into(),
        started_at: Some(t0() - chrono::Duration::hours(1)),
        ..Default::default()
    }
}

fn with_running(store: &mut Store, ids: &[&str]) {
    apply(
        store,
        Source::RunningTasks,
        Payload::RunningTasks(vec![(key(), ids.iter().map(|i| task(i)).collect())]),
    );
}

fn target(ip: &str, state: &str) -> TargetHealth {
    TargetHealth {
        id: ip.into(),
        port: Some(80),
        state: state.into(),
        ..Default::default()
    }
}

fn with_targets(store: &mut Store, targets: Vec<TargetHealth>) {
    apply(
        store,
        Source::Targets,
        Payload::TargetsRead {
            rules: Vec::new(),
            lattice: Vec::new(),
            described: vec![],
            health: vec![(TG.into(), targets)],
        },
    );
}

#[test]
fn an_event_stays_selected_when_newer_events_arrive_above_it() {
    let mut s = loaded(service(), task_definition(), target_group());
    with_events(
        &mut s,
        vec![
            event("e2", 2, "(service web) has started 1 tasks: (task a)."),
            event("e1", 5, "(service web) has reached a steady state."),
        ],
    );
    let mut ui = open(Pane::Events);
    frame(&s, &mut ui);
    press(&s, &mut ui, Action::Down);
    assert_eq!(ui.panes[Pane::Events.index()].id.as_deref(), Some("e1"));
    with_events(
        &mut s,
        vec![event(
            "e3",
            1,
            "(service web) was unable to place a task because no container instance met all of its requirements.",
        )],
    );
    let vis = frame(&s, &mut ui);
    let events = &vis.panes[Pane::Events.index()];
    assert_eq!(events.index, Some(2), "e1 is third now");
    assert_eq!(events.id().map(String::as_str), Some("e1"));
    assert!(ui.message.is_none());
}

#[test]
fn a_running_task_that_is_replaced_gives_way_to_its_neighbour() {
    let mut s = loaded(service(), task_definition(), target_group());
    with_running(&mut s, &["aaaa1", "bbbb2", "cccc3"]);
    let mut ui = open(Pane::Tasks);
    let vis = frame(&s, &mut ui);
    // the header, then the three tasks (newest first, then by ARN)
    let rows: Vec<Option<String>> = vis.task_rows.clone();
    let second = rows.iter().flatten().nth(1).cloned().unwrap();
    while ui.panes[Pane::Tasks.index()].id.as_deref() != Some(second.as_str()) {
        press(&s, &mut ui, Action::Down);
    }
    let at = ui.panes[Pane::Tasks.index()].at;
    let remaining: Vec<&str> = ["aaaa1", "bbbb2", "cccc3"]
        .into_iter()
        .filter(|id| !second.ends_with(id))
        .collect();
    with_running(&mut s, &remaining);
    let vis = frame(&s, &mut ui);
    let tasks = &ui.panes[Pane::Tasks.index()];
    assert_eq!(tasks.at, at, "the neighbour at the same place");
    assert_ne!(tasks.id.as_deref(), Some(second.as_str()));
    assert_eq!(
        vis.task_rows.get(at).cloned().flatten(),
        tasks.id.clone(),
        "Enter opens the task now selected"
    );
    let (msg, _) = ui.message.clone().expect("the footer says so");
    assert!(
        msg.starts_with(&format!("Tasks: {} is gone", task_id(&second))),
        "{msg}"
    );
}

#[test]
fn a_deregistered_target_gives_way_and_a_re_sorted_one_is_followed() {
    let mut s = loaded(service(), task_definition(), target_group());
    with_targets(
        &mut s,
        vec![
            target("10.0.0.1", "healthy"),
            target("10.0.0.2", "unhealthy"),
            target("10.0.0.3", "healthy"),
        ],
    );
    let mut ui = open(Pane::Targets);
    frame(&s, &mut ui);
    press(&s, &mut ui, Action::Down);
    press(&s, &mut ui, Action::Down);
    let id = format!("{TG}|10.0.0.2:80");
    assert_eq!(
        ui.panes[Pane::Targets.index()].id.as_deref(),
        Some(id.as_str())
    );
    // the same targets in another order: still 10.0.0.2
    with_targets(
        &mut s,
        vec![
            target("10.0.0.2", "unhealthy"),
            target("10.0.0.3", "healthy"),
            target("10.0.0.1", "healthy"),
        ],
    );
    let vis = frame(&s, &mut ui);
    assert_eq!(vis.panes[Pane::Targets.index()].index, Some(1));
    assert_eq!(
        ui.panes[Pane::Targets.index()].id.as_deref(),
        Some(id.as_str())
    );
    // deregistered
    with_targets(
        &mut s,
        vec![target("10.0.0.3", "healthy"), target("10.0.0.1", "healthy")],
    );
    frame(&s, &mut ui);
    let (msg, _) = ui.message.clone().expect("the footer says so");
    assert_eq!(msg, "Targets: 10.0.0.2:80 is gone: selected 10.0.0.3:80");
}

#[test]
fn a_finding_stays_selected_when_a_worse_one_ranks_above_it() {
    let mut td = task_definition();
    td.containers[0].image = "1.dkr.ecr.us-east-1.amazonaws.com/web:latest".into();
    let mut s = loaded(service(), td, target_group());
    // the mutable image tag's lint is the only finding: it is selected
    let mut ui = open(Pane::Findings);
    let vis = frame(&s, &mut ui);
    let findings = &vis.panes[Pane::Findings.index()];
    assert_eq!(findings.len, 1);
    let first = findings.id().cloned().unwrap();
    assert_eq!(first, "mutable_image_tag");
    // a critical stopped task ranks first now
    let stopped = Task {
        arn: "arn:aws:ecs:us-east-1:1:task/prod/dead".into(),
        cluster: "prod".into(),
        task_definition: TD.into(),
        group: Some("service:web".into()),
        last_status: "STOPPED".into(),
        desired_status: "STOPPED".into(),
        stopped_at: Some(t0() - chrono::Duration::minutes(1)),
        stopped_reason: Some(
            "CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref docker.io/library/web:v2: not found".into(),
        ),
        ..Default::default()
    };
    apply(
        &mut s,
        Source::StoppedTasks,
        Payload::StoppedTasks(vec![stopped]),
    );
    s.refresh_findings(t0());
    let vis = frame(&s, &mut ui);
    let findings = &vis.panes[Pane::Findings.index()];
    assert_eq!(findings.id(), Some(&first));
    assert!(findings.index.unwrap() >= 1, "{findings:?}");
}

#[test]
fn the_timeline_follows_new_entries_until_one_is_selected_then_keeps_it() {
    let mut s = loaded(service(), task_definition(), target_group());
    with_events(
        &mut s,
        vec![
            event("e2", 2, "(service web) has started 1 tasks: (task a)."),
            event("e1", 5, "(service web) has reached a steady state."),
        ],
    );
    let mut ui = UiState::default();
    let vis = frame(&s, &mut ui);
    ui.apply(Action::Timeline, &vis);
    let vis = frame(&s, &mut ui);
    assert!(ui.timeline.follows_last());
    let last = vis.timeline.len - 1;
    assert_eq!(vis.timeline.index, Some(last));
    press(&s, &mut ui, Action::Up);
    let chosen = ui.timeline.id.expect("an entry is selected");
    with_events(
        &mut s,
        vec![event("e3", 1, "(service web) has stopped 1 running tasks.")],
    );
    let vis = frame(&s, &mut ui);
    assert_eq!(ui.timeline.id, Some(chosen));
    assert_eq!(vis.timeline.id(), Some(&chosen));
}
