//! The rollout pane for service deployments, drawn with TestBackend and the `mono` theme at
//! 80x24 and 160x48: the demo's canary while it shifts and once its alarm rolls it back, a
//! blue/green deployment paused at a hook, and a CodeDeploy service's task sets.

mod common;

use chrono::{DateTime, TimeZone, Utc};
use ecswatch::app::state::{Pane, UiState, View};
use ecswatch::commands::cycle;
use ecswatch::demo::{ALARM_AT_S, DemoApi, START_AT_S};
use ecswatch::diagnosis::Playbook;
use ecswatch::model::*;
use ecswatch::poll::Scope;
use ecswatch::store::Store;
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

fn draw(store: &Store, ui: &UiState, now: DateTime<Utc>, w: u16, h: u16) -> String {
    format!("{}", common::render(store, ui, now, w, h, "mono").backend())
}

fn service_ui(name: &str) -> UiState {
    let mut ui = UiState::default();
    ui.stack.push(View::Service(ServiceKey::new("prod", name)));
    ui.pane = Pane::Findings;
    ui
}

fn sizes(name: &str, store: &Store, ui: &UiState, now: DateTime<Utc>) {
    for (w, h) in [(80, 24), (160, 48)] {
        insta::assert_snapshot!(format!("{name}_{w}x{h}"), draw(store, ui, now, w, h));
    }
}

fn one_service(svc: Service, now: DateTime<Utc>) -> Store {
    let mut store = common::with_service(svc);
    store.refresh_findings(now);
    store
}

#[tokio::test]
async fn canary_shifting_traffic() {
    let (store, now) = demo_at(START_AT_S).await;
    let ui = service_ui("search-api");
    let small = draw(&store, &ui, now, 80, 24);
    for want in [
        "SHIFTING TRAFFIC",
        "CANARY",
        "search-api:8 -> search-api:9",
        "PRODUCTION_TRAFFIC_SHIFT",
        "prod 5%",
        "canary 5%, bake 5m:",
    ] {
        assert!(small.contains(want), "{want:?} not at 80x24:\n{small}");
    }
    sizes("canary_service", &store, &ui, now);
    let board = draw(&store, &UiState::default(), now, 160, 48);
    assert!(board.contains("SHIFTING TRAFFIC"), "{board}");
    assert!(board.contains("prod shift"), "{board}");
}

#[tokio::test]
async fn canary_rolled_back_by_its_alarm() {
    let (store, now) = demo_at(ALARM_AT_S + 20).await;
    let ui = service_ui("search-api");
    let small = draw(&store, &ui, now, 80, 24);
    for want in [
        "ROLLING BACK",
        "ROLLBACK_IN_PROGRESS",
        "rollback: ",
        "search-api-5xx-high",
    ] {
        assert!(small.contains(want), "{want:?} not at 80x24:\n{small}");
    }
    sizes("canary_rollback_service", &store, &ui, now);
}

#[test]
fn blue_green_waiting_at_a_hook() {
    let now = common::t0();
    let store = one_service(common::blue_green_at_hook(now), now);
    let ui = service_ui("web");
    let small = draw(&store, &ui, now, 80, 24);
    for want in [
        "WAITING FOR APPROVAL",
        "paused: hook web-approve (POST_TEST) times out in 20m00s, then ROLLBACK",
        "to web:8 prod 0% test 100%",
        "stage 6/10 POST_TEST_TRAFFIC_SHIFT",
    ] {
        assert!(small.contains(want), "{want:?} not at 80x24:\n{small}");
    }
    sizes("hook_waiting_service", &store, &ui, now);
    let board = draw(&store, &UiState::default(), now, 80, 24);
    assert!(board.contains("WAITING FOR APPROVAL"), "{board}");
    assert!(board.contains("1 need attention"), "{board}");
    insta::assert_snapshot!("hook_waiting_board_80x24", board);
}

#[test]
fn a_code_deploy_service_shows_its_task_sets() {
    let now = common::t0();
    let store = one_service(common::code_deploy(), now);
    let ui = service_ui("web");
    let small = draw(&store, &ui, now, 80, 24);
    for want in [
        "DEPLOYING",
        "deployments managed by CodeDeploy: deployment d-7QX2ABCDE",
        "PRIMARY web:7",
        "ACTIVE  web:8",
    ] {
        assert!(small.contains(want), "{want:?} not at 80x24:\n{small}");
    }
    sizes("code_deploy_service", &store, &ui, now);
}

#[test]
fn bake_time_and_linear_steps_count_down_at_80x24() {
    let now = common::t0();
    let mut svc = common::blue_green_at_hook(now);
    {
        let sd = svc.service_deployment.as_mut().unwrap();
        sd.hooks.clear();
        sd.lifecycle_stage = Some("BAKE_TIME".into());
        // first seen 4 minutes into the bake: ECS's updatedAt is when the stage began
        sd.updated_at = Some(now - chrono::Duration::minutes(4));
        let t = sd.target_revision.as_mut().unwrap();
        t.production_weight = Some(100.0);
    }
    let store = one_service(svc.clone(), now);
    let small = draw(&store, &service_ui("web"), now, 80, 24);
    assert!(small.contains("BAKING"), "{small}");
    assert!(
        small.contains("bake 10m: 6m00s left, then the old revision is removed"),
        "{small}"
    );
    let later = draw(
        &store,
        &service_ui("web"),
        now + chrono::Duration::minutes(7),
        80,
        24,
    );
    assert!(later.contains("over by 1m00s, waiting for ECS"), "{later}");

    let sd = svc.service_deployment.as_mut().unwrap();
    sd.strategy = Some("LINEAR".into());
    sd.lifecycle_stage = Some("PRODUCTION_TRAFFIC_SHIFT".into());
    sd.step_percent = Some(25.0);
    sd.step_bake_minutes = Some(3);
    sd.updated_at = Some(now - chrono::Duration::minutes(1));
    sd.target_revision.as_mut().unwrap().production_weight = Some(50.0);
    let store = one_service(svc, now);
    let small = draw(&store, &service_ui("web"), now, 80, 24);
    assert!(small.contains("SHIFTING TRAFFIC"), "{small}");
    assert!(
        small.contains("linear 25% a step every 3m, at 50%: 2m00s left, then 75%"),
        "{small}"
    );
}
