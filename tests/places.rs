//! Several targets (accounts × Regions) in one store: keys that do not collide, pruning and
//! stopped tasks that stay in their own target, the board's tags and shared causes, one
//! target's expired credentials marking only its rows, recordings that hold several targets.

mod common;
use chrono::{DateTime, TimeZone, Utc};
use common::*;
use ecswatch::aws::{ApiError, ErrorKind};
use ecswatch::commands::cycle;
use ecswatch::demo::DemoApi;
use ecswatch::diagnosis::Playbook;
use ecswatch::model::*;
use ecswatch::poll::{Payload, Scope, Source, Update};
use ecswatch::record::RecordedUpdate;
use ecswatch::room::PlaceSpec;
use ecswatch::store::{PlaceState, Store};
use std::sync::Arc;

fn two_targets() -> Store {
    let t = |alias: &str, region: &str| {
        PlaceState::new(
            PlaceSpec {
                profile: Some(format!("{alias}-profile")),
                alias: Some(alias.into()),
                ..Default::default()
            },
            region.into(),
        )
    };
    Store::with_places(
        vec![t("shop-a", "us-east-1"), t("shop-b", "eu-west-1")],
        Arc::new(Playbook::builtin()),
    )
}

fn services_of(target: PlaceIx, svcs: Vec<Service>, roster: Option<Vec<ServiceKey>>) -> Update {
    let mut u = Update::new(
        Source::Services,
        t0(),
        Some(Payload::Services {
            services: svcs,
            listed_clusters: vec!["prod".into()],
            roster,
            insights: vec![],
        }),
        vec![],
    );
    u.place = target;
    u
}

fn named(name: &str, account: &str, region: &str) -> Service {
    Service {
        arn: format!("arn:aws:ecs:{region}:{account}:service/prod/{name}"),
        name: name.into(),
        ..service()
    }
}

#[test]
fn the_same_service_in_two_targets_is_two_services_pruned_apart() {
    let mut s = two_targets();
    s.apply(services_of(
        0,
        vec![
            named("web", "111111111111", "us-east-1"),
            named("api", "111111111111", "us-east-1"),
        ],
        None,
    ));
    s.apply(services_of(
        1,
        vec![named("web", "222222222222", "eu-west-1")],
        None,
    ));
    assert_eq!(s.services.len(), 3);
    let web_a = ServiceKey::in_place(0, "prod", "web");
    let web_b = ServiceKey::in_place(1, "prod", "web");
    assert!(s.services.contains_key(&web_a) && s.services.contains_key(&web_b));
    // the account is learned from the ARNs each target returned
    assert_eq!(s.places[0].account.as_deref(), Some("111111111111"));
    assert_eq!(s.places[1].account.as_deref(), Some("222222222222"));

    // target 1's listing of `prod` without `web` removes its web only: target 0's cluster
    // `prod` is another cluster in another account
    s.apply(services_of(1, vec![], Some(vec![])));
    assert!(s.services.contains_key(&web_a));
    assert!(!s.services.contains_key(&web_b));
    assert_eq!(s.services.len(), 2);

    // a stopped task read by target 0 is filed under target 0's service only
    s.apply(services_of(
        1,
        vec![named("web", "222222222222", "eu-west-1")],
        None,
    ));
    let mut u = Update::new(
        Source::StoppedTasks,
        t0(),
        Some(Payload::StoppedTasks(vec![Task {
            arn: "arn:aws:ecs:us-east-1:111111111111:task/prod/t1".into(),
            cluster: "prod".into(),
            group: Some("service:web".into()),
            last_status: "STOPPED".into(),
            stopped_at: Some(t0()),
            ..Default::default()
        }])),
        vec![],
    );
    u.place = 0;
    s.apply(u);
    assert_eq!(s.services[&web_a].stopped.len(), 1);
    assert!(s.services[&web_b].stopped.is_empty());

    // each target's pollers see their own services, focus and scope only
    let plan = s.plan(Some(web_b.clone()));
    let p0 = plan.for_place(0, &Scope::default());
    let p1 = plan.for_place(1, &Scope::default());
    assert_eq!(p0.services.len(), 2);
    assert!(p0.focus.is_none());
    assert_eq!(
        p1.services.iter().map(|p| &p.key).collect::<Vec<_>>(),
        vec![&web_b]
    );
    assert_eq!(p1.focus, Some(web_b));
}

#[test]
fn an_update_of_a_target_the_store_does_not_hold_is_dropped() {
    let mut s = two_targets();
    assert!(!s.apply(services_of(7, vec![named("web", "1", "us-east-1")], None)));
    assert!(s.services.is_empty());
}

fn origin() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 22, 12, 0, 0).unwrap()
}

/// The demo's incident in two targets, as if a second account in eu-west-1 failed the same
/// way: its answers are the demo's with every ARN moved there (ARNs are unique per account
/// and Region; task and target group ARNs index the store).
async fn demo_in_two(s: i64) -> (Store, DateTime<Utc>) {
    let api = DemoApi::frozen(origin(), s);
    let now = origin() + chrono::Duration::seconds(s);
    let mut store = two_targets();
    let mut seen = Vec::new();
    cycle::run_once(&api, &mut store, 0, now, &mut |u| seen.push(u.clone())).await;
    for u in seen {
        // through the recording format: the one serialized form of an update
        let moved = serde_json::to_string(&RecordedUpdate::from(u))
            .unwrap()
            .replace(":us-east-1:", ":eu-west-1:")
            .replace(":123456789012:", ":222222222222:");
        let mut u: Update = serde_json::from_str::<RecordedUpdate>(&moved)
            .unwrap()
            .into();
        u.place = 1;
        store.apply(u);
    }
    store.refresh_findings(now);
    (store, now)
}

#[tokio::test]
async fn the_board_tags_rows_and_groups_what_fails_together() {
    let (store, now) = demo_in_two(60).await;
    let n = store.services.len();
    assert!(n >= 4 && n % 2 == 0, "{n}");
    let causes = ecswatch::store::findings::together::shared_causes(&store, now);
    let first = causes.first().expect("a shared cause");
    // two critical causes fail in both accounts: checkout-api's missing image and
    // orders-api's green targets answering 503 (equal rank: by id)
    let image = causes
        .iter()
        .find(|c| c.id == "image_pull_not_found")
        .expect("the image cause");
    assert_eq!(image.targets, vec![0, 1]);
    assert_eq!(image.regions, 2);
    assert_eq!(image.accounts, 2);
    assert!(
        image
            .summary()
            .starts_with("image_pull_not_found in 2 accounts, 2 Regions (2 services) since 12:00Z"),
        "{}",
        image.summary()
    );
    assert!(
        causes
            .iter()
            .any(|c| c.id == "elb_health_check_bad_status" && c.targets == vec![0, 1]),
        "{causes:?}"
    );

    let ui = ecswatch::app::state::UiState::default();
    for (w, h) in [(80, 24), (120, 40)] {
        let screen = draw(&store, &ui, now, w, h);
        assert!(screen.contains("2 targets"), "{screen}");
        assert!(screen.contains("TOGETHER"), "{screen}");
        assert!(screen.contains(&first.id), "{screen}");
        let (a, b) = if w >= 120 {
            ("shop-a us-east-1", "shop-b eu-west-1")
        } else {
            ("shop-a use1", "shop-b euw1")
        };
        assert!(
            screen.contains(a) && screen.contains(b),
            "{w}x{h}\n{screen}"
        );
    }

    // an open service says where it is
    let mut open = ecswatch::app::state::UiState::default();
    open.stack
        .push(ecswatch::app::state::View::Service(ServiceKey::in_place(
            1,
            "prod",
            "checkout-api",
        )));
    let screen = draw(&store, &open, now, 80, 24);
    assert!(
        screen
            .lines()
            .next()
            .unwrap()
            .contains("> shop-b euw1 prod/checkout-api"),
        "{screen}"
    );

    // `/` filters on the target: its alias or its Region
    let mut ui = ecswatch::app::state::UiState {
        board_filter: "euw1".into(),
        ..Default::default()
    };
    let rows = ecswatch::view::board_rows(&store, &ui, now);
    assert_eq!(rows.len(), n / 2);
    assert!(rows.iter().all(|(st, _)| st.service.place == 1));
    ui.board_filter = "shop-a".into();
    assert!(
        ecswatch::view::board_rows(&store, &ui, now)
            .iter()
            .all(|(st, _)| st.service.place == 0)
    );
}

#[tokio::test]
async fn one_target_expiring_marks_its_rows_and_names_it_in_the_banner() {
    let (mut store, now) = demo_in_two(60).await;
    let later = now + chrono::Duration::seconds(30);
    for source in [Source::Services, Source::StoppedTasks] {
        let mut u = Update::new(
            source,
            later,
            None,
            vec![ApiError::new(
                ErrorKind::ExpiredCredentials,
                "ecs:ListClusters",
                "ExpiredTokenException: The security token included in the request is expired",
            )],
        );
        u.place = 1;
        store.apply(u);
    }
    let ui = ecswatch::app::state::UiState::default();
    let screen = draw(&store, &ui, later, 120, 40);
    let banner = screen
        .lines()
        .find(|l| l.contains("CREDENTIALS EXPIRED"))
        .unwrap_or_else(|| panic!("no banner:\n{screen}"));
    assert!(banner.contains("shop-b eu-west-1 (1 live)"), "{banner}");
    assert!(banner.contains("--profile shop-b-profile"), "{banner}");
    for line in screen.lines() {
        if line.contains("shop-b eu-west-1") && !line.contains("CREDENTIALS") {
            assert!(line.contains("!shop-b"), "{line}");
        }
        if line.contains("shop-a us-east-1") {
            assert!(!line.contains("!shop-a"), "{line}");
        }
    }
    // the data of the expired target is kept
    assert_eq!(
        store.services.keys().filter(|k| k.place == 1).count(),
        store.services.len() / 2
    );
    // the JSON names where each service is and which target fails
    let json: serde_json::Value =
        serde_json::from_str(&ecswatch::report::snapshot_json(&store, later)).unwrap();
    let watched = json["watched"].as_array().unwrap();
    assert_eq!(watched.len(), 2);
    assert!(watched[0]["error"].is_null());
    assert!(
        watched[1]["error"].as_str().unwrap().contains("expired"),
        "{}",
        watched[1]
    );
    for s in json["services"].as_array().unwrap() {
        assert!(s["account"].is_string() && s["region"].is_string(), "{s}");
    }
}

#[test]
fn a_write_in_a_room_is_confirmed_by_service_account_and_region() {
    let places = vec![
        "shop-a/us-east-1".to_string(),
        "shop-b/eu-west-1".to_string(),
    ];
    let key = ServiceKey::in_place(1, "prod", "web");
    let scale = ecswatch::actions::WriteOp::Scale {
        key: key.clone(),
        from: 2,
        to: 3,
    };
    assert_eq!(
        ecswatch::app::state::confirm_word(&places, &scale),
        "web@shop-b/eu-west-1"
    );
    // one target: the service name, as before
    assert_eq!(ecswatch::app::state::confirm_word(&[], &scale), "web");
    // stopping a task is confirmed by the task's id
    let stop = ecswatch::actions::WriteOp::StopTask {
        key,
        task: "arn:aws:ecs:eu-west-1:2:task/prod/abc123".into(),
    };
    assert_eq!(ecswatch::app::state::confirm_word(&[], &stop), "abc123");
}

#[tokio::test]
async fn a_recording_holds_several_targets_and_replays_them_apart() {
    let dir = std::env::temp_dir().join(format!("ecswatch-targets-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("rec.jsonl");
    let _ = std::fs::remove_file(&path);
    let targets: Vec<ecswatch::record::RecordedTarget> = two_targets()
        .places
        .iter()
        .map(|t| ecswatch::record::RecordedTarget {
            spec: t.spec.clone(),
            region: t.region.clone(),
        })
        .collect();
    let mut rec = ecswatch::record::Recorder::open_targets(
        &path,
        "us-east-1",
        &Scope::default(),
        &targets,
        "demo",
    )
    .unwrap();
    rec.update(&services_of(
        0,
        vec![named("web", "111111111111", "us-east-1")],
        None,
    ))
    .unwrap();
    rec.update(&services_of(
        1,
        vec![named("web", "222222222222", "eu-west-1")],
        None,
    ))
    .unwrap();
    drop(rec);
    let read = ecswatch::record::read(&path).unwrap();
    assert_eq!(read.targets, targets);
    let mut player = ecswatch::record::player::Player::new(
        read,
        Arc::new(Playbook::builtin()),
        Scope::default(),
    );
    player.finish();
    assert_eq!(player.store.places.len(), 2);
    assert_eq!(player.store.places[1].region, "eu-west-1");
    assert!(
        player
            .store
            .services
            .contains_key(&ServiceKey::in_place(1, "prod", "web"))
    );
    assert_eq!(player.store.services.len(), 2);
    let _ = std::fs::remove_dir_all(&dir);
}
