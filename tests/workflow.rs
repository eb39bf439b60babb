//! The incident workflow without AWS: recording the demo incident, replaying it (forward, back,
//! to the end) into the same picture, the timeline it produces, `wait`'s verdicts and the
//! write prompts.

use chrono::{TimeZone, Utc};
use ecswatch::actions::WriteOp;
use ecswatch::app::state::{Effect, Prompt, PromptKind, UiState};
use ecswatch::commands::cycle;
use ecswatch::commands::wait::{Verdict, judge};
use ecswatch::demo::{DemoApi, ROLLBACK_DONE_S, START_AT_S, TRIP_AT_S};
use ecswatch::diagnosis::Playbook;
use ecswatch::model::{Deployment, Service, ServiceDeployment, ServiceKey, Time};
use ecswatch::poll::Scope;
use ecswatch::record::{self, Record, Recorder, player::Player};
use ecswatch::report::{build_timeline, snapshot_json, timeline_markdown};
use ecswatch::store::{EntryKind, Note, Store};
use std::sync::Arc;

fn origin() -> Time {
    Utc.with_ymd_and_hms(2026, 11, 22, 12, 0, 0).unwrap()
}

fn at(s: i64) -> Time {
    origin() + chrono::Duration::seconds(s)
}

fn new_store() -> Store {
    Store::new(
        Scope::default(),
        "us-east-1".into(),
        Arc::new(Playbook::builtin()),
    )
}

fn temp(name: &str) -> std::path::PathBuf {
    let p = std::env::temp_dir().join(format!("ecswatch-{}-{name}", std::process::id()));
    let _ = std::fs::remove_file(&p);
    p
}

/// Poll the demo at each second in `times` into one store, recording every update.
async fn record_demo(path: &std::path::Path, times: &[i64]) -> Store {
    let mut rec = Recorder::open(path, "us-east-1", &Scope::default(), "demo").unwrap();
    let mut store = new_store();
    for &s in times {
        let api = DemoApi::frozen(origin(), s);
        cycle::run_once(&api, &mut store, 0, at(s), &mut |u| rec.update(u).unwrap()).await;
    }
    store
}

const TIMES: [i64; 4] = [
    START_AT_S + 5,
    TRIP_AT_S - 5,
    TRIP_AT_S + 5,
    ROLLBACK_DONE_S + 5,
];

#[tokio::test]
async fn replay_reproduces_the_recorded_picture_forward_and_back() {
    let path = temp("replay.jsonl");
    let live = record_demo(&path, &TIMES).await;
    let rec = record::read(&path).unwrap();
    assert!(rec.skipped.is_empty(), "{:?}", rec.skipped);
    assert_eq!(rec.origin, "demo");
    let mut player = Player::new(rec, Arc::new(Playbook::builtin()), Scope::default());
    player.finish();
    let end = at(*TIMES.last().unwrap());
    assert_eq!(snapshot_json(&player.store, end), snapshot_json(&live, end));

    // back to the second poll: the same as a store that only saw the first two
    let mid = at(TIMES[1]);
    player.seek(mid);
    let path2 = temp("replay-mid.jsonl");
    let partial = record_demo(&path2, &TIMES[..2]).await;
    assert_eq!(
        snapshot_json(&player.store, mid),
        snapshot_json(&partial, mid)
    );
    // and forward again
    player.seek(end);
    assert_eq!(snapshot_json(&player.store, end), snapshot_json(&live, end));
    let _ = std::fs::remove_file(path);
    let _ = std::fs::remove_file(path2);
}

#[tokio::test]
async fn the_timeline_tells_the_demo_incident() {
    let path = temp("timeline.jsonl");
    let store = record_demo(&path, &TIMES).await;
    let key = ServiceKey::new("prod", "checkout-api");
    let entries = store.timeline(Some(&key));
    let texts: Vec<String> = entries
        .iter()
        .map(|e| format!("{} {}", e.kind.label(), e.text))
        .collect();
    let find = |needle: &str| {
        texts
            .iter()
            .position(|t| t.contains(needle))
            .unwrap_or_else(|| panic!("{needle:?} not in {texts:#?}"))
    };
    let started = find("deployment ecs-svc/4521893307564219876 started: checkout-api:42");
    let failed = find("rollout of checkout-api:42: IN_PROGRESS → FAILED");
    let raised = find("finding Image not found in the registry");
    let done = find("rollout of checkout-api:41: IN_PROGRESS → COMPLETED");
    assert!(started < failed && failed < done, "{texts:#?}");
    assert!(raised < done);
    assert!(entries.windows(2).all(|w| w[0].t <= w[1].t), "time order");
    assert!(
        entries
            .iter()
            .any(|e| e.kind == EntryKind::Task && e.failure)
    );

    let t = build_timeline(&store, at(TIMES[0]), at(*TIMES.last().unwrap()));
    // search-api's canary was rolled back by its alarm in the same window
    // and orders-api's green targets fail (its blue/green production group), and an
    // inventory-api task was stopped by its Service Connect proxy, and render-gpu's GPU
    // instance went impaired and is being drained
    assert_eq!(
        t.title,
        "Incident: prod/checkout-api, prod/inventory-api and 3 more"
    );
    let canary: Vec<String> = store
        .timeline(Some(&ServiceKey::new("prod", "search-api")))
        .iter()
        .map(|e| e.text.clone())
        .collect();
    let pos = |needle: &str| {
        canary
            .iter()
            .position(|t| t.contains(needle))
            .unwrap_or_else(|| panic!("{needle:?} not in {canary:#?}"))
    };
    let canary_started = pos("CANARY deployment to search-api:9 started");
    let fired = pos("alarm search-api-5xx-high fired during the deployment to search-api:9");
    let rolling_back = pos("IN_PROGRESS → ROLLBACK_IN_PROGRESS");
    assert!(canary_started < rolling_back && canary_started < fired);
    assert!(canary.iter().any(|t| t.contains("production 5% → 0%")));
    assert!(
        t.summary
            .what_failed
            .iter()
            .any(|l| l.contains("Image not found in the registry"))
    );
    let fix = t.summary.what_fixed_it.clone().unwrap();
    assert!(fix.contains("COMPLETED"), "{fix}");
    let md = timeline_markdown(&t);
    assert!(
        md.contains("- **What fixed it:** prod/checkout-api: rollout of checkout-api:41"),
        "{md}"
    );
    let _ = std::fs::remove_file(path);
}

#[tokio::test]
async fn notes_and_actions_are_recorded_and_replayed_in_order() {
    let path = temp("notes.jsonl");
    record_demo(&path, &TIMES[..1]).await;
    let mut rec = Recorder::open(&path, "us-east-1", &Scope::default(), "demo").unwrap();
    let note = Note {
        t: at(TIMES[0] + 1),
        service: Some(ServiceKey::new("prod", "checkout-api")),
        text: "paged | payments".into(),
        by: None,
    };
    rec.append(&Record::Note {
        t: note.t,
        note: note.clone(),
    })
    .unwrap();
    drop(rec);
    let read = record::read(&path).unwrap();
    let mut player = Player::new(read, Arc::new(Playbook::builtin()), Scope::default());
    player.finish();
    assert_eq!(player.store.notes.iter().next(), Some(&note));
    let t = build_timeline(&player.store, player.start(), player.end());
    let md = timeline_markdown(&t);
    assert!(md.contains("| note | paged \\| payments |"), "{md}");
    let _ = std::fs::remove_file(path);
}

fn service(deployments: Vec<Deployment>, running: i32, desired: i32) -> Service {
    Service {
        name: "web".into(),
        cluster: "prod".into(),
        running,
        desired,
        deployments,
        ..Default::default()
    }
}

fn dep(id: &str, status: &str, state: &str, running: i32, desired: i32) -> Deployment {
    Deployment {
        id: id.into(),
        status: status.into(),
        task_definition: format!("arn:aws:ecs:us-east-1:1:task-definition/web:{}", id.len()),
        running,
        desired,
        rollout_state: Some(state.into()),
        rollout_state_reason: Some(format!("{state} reason")),
        ..Default::default()
    }
}

#[test]
fn wait_verdicts() {
    let progressing = service(
        vec![
            dep("new", "PRIMARY", "IN_PROGRESS", 1, 3),
            dep("old", "ACTIVE", "COMPLETED", 3, 3),
        ],
        4,
        3,
    );
    assert_eq!(judge(&progressing, "new"), Verdict::InProgress);
    let done = service(vec![dep("new", "PRIMARY", "COMPLETED", 3, 3)], 3, 3);
    assert_eq!(judge(&done, "new"), Verdict::Completed);
    // completed but not yet all running
    let short = service(vec![dep("new", "PRIMARY", "COMPLETED", 2, 3)], 2, 3);
    assert_eq!(judge(&short, "new"), Verdict::InProgress);
    let failed = service(vec![dep("new", "PRIMARY", "FAILED", 0, 3)], 0, 3);
    assert_eq!(
        judge(&failed, "new"),
        Verdict::Failed("FAILED reason".into())
    );
    // the breaker rolled back: the old revision is primary again, ours FAILED
    let rolled = service(
        vec![
            dep("back", "PRIMARY", "IN_PROGRESS", 3, 3),
            dep("new", "ACTIVE", "FAILED", 0, 0),
        ],
        3,
        3,
    );
    assert_eq!(
        judge(&rolled, "new"),
        Verdict::RolledBack("FAILED reason".into())
    );
    // someone replaced it with another deployment and ours is gone
    let replaced = service(vec![dep("other", "PRIMARY", "IN_PROGRESS", 0, 3)], 0, 3);
    assert!(matches!(judge(&replaced, "new"), Verdict::RolledBack(_)));
}

#[test]
fn wait_follows_a_service_deployment_to_bake_time_or_completion() {
    use ecswatch::cli::WaitUntil;
    use ecswatch::commands::wait::judge_service_deployment as judge_sd;
    let sd = |status: &str, stage: &str| ServiceDeployment {
        status: status.into(),
        lifecycle_stage: Some(stage.into()),
        ..Default::default()
    };
    let shifting = sd("IN_PROGRESS", "PRODUCTION_TRAFFIC_SHIFT");
    assert_eq!(judge_sd(&shifting, WaitUntil::BakeTime), None);
    assert_eq!(judge_sd(&shifting, WaitUntil::Complete), None);
    let baking = sd("IN_PROGRESS", "BAKE_TIME");
    assert_eq!(
        judge_sd(&baking, WaitUntil::BakeTime),
        Some(Verdict::Completed)
    );
    assert_eq!(judge_sd(&baking, WaitUntil::Complete), None);
    let done = sd("SUCCESSFUL", "CLEAN_UP");
    assert_eq!(
        judge_sd(&done, WaitUntil::Complete),
        Some(Verdict::Completed)
    );
    let mut back = sd("ROLLBACK_IN_PROGRESS", "BAKE_TIME");
    back.status_reason = Some("alarm web-5xx".into());
    assert_eq!(
        judge_sd(&back, WaitUntil::BakeTime),
        Some(Verdict::RolledBack(
            "alarm web-5xx (ROLLBACK_IN_PROGRESS)".into()
        )),
        "a rollback during bake is not 'bake time reached'"
    );
    assert!(matches!(
        judge_sd(&sd("STOPPED", "SCALE_UP"), WaitUntil::Complete),
        Some(Verdict::Failed(_))
    ));
}

#[test]
fn a_write_runs_only_after_the_service_name_is_typed() {
    let key = ServiceKey::new("prod", "web");
    let mut ui = UiState {
        prompt: Some(Prompt::new(PromptKind::ScaleTo {
            key: key.clone(),
            from: 3,
        })),
        ..Default::default()
    };
    let typed = |ui: &mut UiState, text: &str| {
        for c in text.chars() {
            assert_eq!(ui.prompt_key(Some(c), false, false, false), Effect::None);
        }
        ui.prompt_key(None, false, true, false)
    };
    assert_eq!(typed(&mut ui, "lots"), Effect::None);
    assert!(ui.prompt.as_ref().unwrap().error.is_some());
    ui.prompt.as_mut().unwrap().input.clear();
    assert_eq!(typed(&mut ui, "6"), Effect::None);
    let op = WriteOp::Scale {
        key: key.clone(),
        from: 3,
        to: 6,
    };
    assert_eq!(
        ui.prompt.as_ref().unwrap().kind,
        PromptKind::Confirm(op.clone())
    );
    // the wrong name changes nothing and keeps asking
    assert_eq!(typed(&mut ui, "prod"), Effect::None);
    assert!(ui.prompt.is_some());
    assert_eq!(typed(&mut ui, "web"), Effect::Execute(op));
    assert!(ui.prompt.is_none());
    // X: the running tasks as listed, picked by number, or any id typed
    let choice = |id: &str, mins: i64| ecswatch::model::TaskChoice {
        id: id.into(),
        task_definition: "web:7".into(),
        last_status: "RUNNING".into(),
        started_at: Some(chrono::Utc::now() - chrono::Duration::minutes(mins)),
    };
    let listed = vec![
        choice("0a1b2c3d4e5f40718293a4b5c6d7e8f9", 3),
        choice("1b2c3d4e5f6a40718293a4b5c6d7e8f9", 9),
    ];
    let stop_which = || {
        Some(Prompt::new(PromptKind::StopWhich {
            key: key.clone(),
            tasks: listed.clone(),
            unlisted: None,
        }))
    };
    ui.prompt = stop_which();
    assert_eq!(
        typed(&mut ui, "2"),
        Effect::CheckTask(key.clone(), "1b2c3d4e5f6a40718293a4b5c6d7e8f9".into())
    );
    ui.prompt = stop_which();
    assert_eq!(
        typed(&mut ui, "arn:aws:ecs:us-east-1:1:task/c/ffff0000"),
        Effect::CheckTask(key.clone(), "ffff0000".into()),
        "an id not in the list is still checked against the service"
    );
    ui.prompt = stop_which();
    assert_eq!(
        typed(&mut ui, "9; rm"),
        Effect::None,
        "neither a listed number nor an id"
    );
    // esc cancels
    ui.prompt = stop_which();
    assert_eq!(ui.prompt_key(None, false, false, true), Effect::None);
    assert!(ui.prompt.is_none());
    assert!(ui.message.as_ref().unwrap().0.contains("nothing changed"));
}
