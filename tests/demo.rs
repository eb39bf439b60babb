//! The embedded incident evolves as designed, needs no credentials, and the pollers read it at
//! the batching minimum, as one-shot cycles and as loops.

use chrono::{TimeZone, Utc};
use ecswatch::demo::{DemoApi, ROLLBACK_DONE_S, START_AT_S, TRIP_AT_S};
use ecswatch::diagnosis::Playbook;
use ecswatch::poll::{Counted, Scope, Source, cycle, runner};
use ecswatch::report::{StatusBadge, status_badge};
use ecswatch::store::Store;
use std::collections::HashSet;
use std::sync::Arc;

fn origin() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 22, 12, 0, 0).unwrap()
}

async fn at(s: i64) -> (Store, Counted<DemoApi>) {
    let api = Counted::new(DemoApi::frozen(origin(), s));
    let mut store = Store::new(
        Scope::default(),
        "us-east-1".into(),
        Arc::new(Playbook::builtin()),
    );
    cycle::run_once(
        &api,
        &mut store,
        origin() + chrono::Duration::seconds(s),
        &mut |_| {},
    )
    .await;
    (store, api)
}

fn badge(store: &Store, name: &str, s: i64) -> StatusBadge {
    let st = store
        .services
        .values()
        .find(|x| x.service.name == name)
        .unwrap();
    status_badge(store, st, origin() + chrono::Duration::seconds(s))
}

fn top(store: &Store, name: &str) -> Option<String> {
    let st = store
        .services
        .values()
        .find(|s| s.service.name == name)
        .unwrap();
    st.findings.first().map(|f| f.id.clone())
}

#[tokio::test]
async fn deploy_fails_trips_the_breaker_and_rolls_back() {
    let (s, _) = at(5).await;
    assert_eq!(badge(&s, "checkout-api", 5), StatusBadge::Deploying);
    assert_eq!(badge(&s, "payments-api", 5), StatusBadge::Ok);

    let (s, _) = at(START_AT_S).await;
    assert_eq!(
        badge(&s, "checkout-api", START_AT_S),
        StatusBadge::Deploying
    );
    assert_eq!(
        top(&s, "checkout-api").as_deref(),
        Some("image_pull_not_found")
    );
    let checkout = s
        .services
        .values()
        .find(|x| x.service.name == "checkout-api")
        .unwrap();
    assert_eq!(checkout.service.primary().unwrap().failed, 2);

    let (s, _) = at(TRIP_AT_S + 10).await;
    assert_eq!(
        badge(&s, "checkout-api", TRIP_AT_S + 10),
        StatusBadge::RollingBack
    );
    let ids: Vec<&str> = s
        .services
        .values()
        .find(|x| x.service.name == "checkout-api")
        .unwrap()
        .findings
        .iter()
        .map(|f| f.id.as_str())
        .collect();
    assert_eq!(
        &ids[..3],
        [
            "image_pull_not_found",
            "deployment_failed_circuit_breaker",
            "deployment_rollback"
        ]
    );

    let (s, _) = at(ROLLBACK_DONE_S + 30).await;
    assert_eq!(
        badge(&s, "checkout-api", ROLLBACK_DONE_S + 30),
        StatusBadge::Ok
    );
    // the evidence of the failed deploy stays visible after the rollback
    assert_eq!(
        top(&s, "checkout-api").as_deref(),
        Some("image_pull_not_found")
    );
    assert!(s.status.values().all(|st| st.errors.is_empty()));
}

#[tokio::test]
async fn one_cycle_is_at_the_batching_minimum() {
    let (s, api) = at(START_AT_S).await;
    let c = api.counts();
    assert_eq!(c.get("ListClusters"), 1);
    assert_eq!(c.get("ListServices"), 1);
    assert_eq!(c.get("DescribeServices"), 1);
    assert_eq!(c.get("ListTasks"), 2);
    assert_eq!(c.get("DescribeTasks"), 1);
    assert_eq!(c.get("DescribeTaskDefinition"), 3);
    assert_eq!(c.get("DescribeTargetGroups"), 1);
    assert_eq!(c.get("DescribeTargetGroupAttributes"), 2);
    assert_eq!(c.get("DescribeTargetHealth"), 2);
    assert_eq!(c.get("GetMetricData"), 1);
    assert_eq!(c.get("FilterLogEvents"), 2);
    assert_eq!(c.total(), 17);
    let checkout = s
        .services
        .values()
        .find(|x| x.service.name == "checkout-api")
        .unwrap();
    assert!(
        checkout.metrics.values().all(|r| r.len() >= 59),
        "an hour of minutes"
    );
    assert!(!checkout.logs.is_empty());
}

#[tokio::test]
async fn loops_report_every_source_and_never_redescribe_stopped_tasks() {
    let start = Utc::now() - chrono::Duration::seconds(START_AT_S);
    let api = Arc::new(Counted::new(DemoApi::with_clock(start, Utc::now)));
    let counts = api.counts();
    let mut store = Store::new(
        Scope::default(),
        "us-east-1".into(),
        Arc::new(Playbook::builtin()),
    );
    let (plan_tx, plan_rx) = tokio::sync::watch::channel(store.plan(None));
    let (tx, mut rx) = tokio::sync::mpsc::channel(64);
    let handles = runner::spawn(api.clone(), plan_rx, tx);
    let mut seen = HashSet::new();
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(20);
    while seen.len() < Source::ALL.len()
        || store.services.is_empty()
        || store.plan(None).services[0].log_sources.is_empty()
    {
        let update = tokio::time::timeout_at(deadline, rx.recv())
            .await
            .expect("updates keep coming")
            .unwrap();
        if update.payload.is_some() {
            seen.insert(update.source);
        }
        store.apply(update);
        plan_tx.send_if_modified(|p| {
            let next = store.plan(None);
            let changed = *p != next;
            *p = next;
            changed
        });
    }
    // let a second round of stopped-task polls run
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(3);
    while let Ok(Some(u)) = tokio::time::timeout_at(deadline, rx.recv()).await {
        store.apply(u);
    }
    drop(rx);
    for h in handles {
        h.abort();
    }
    assert_eq!(seen.len(), 6);
    // two stopped tasks visible: described once however often ListTasks ran
    assert!(counts.get("DescribeTasks") <= 2, "{:?}", counts.snapshot());
    assert_eq!(counts.get("DescribeTaskDefinition"), 3);
}

/// ListTasks calls made by a new stopped-tasks poller over `polls` polls of `plan`.
async fn list_tasks_calls(
    api: &Counted<DemoApi>,
    plan: &ecswatch::poll::PollPlan,
    polls: usize,
) -> u64 {
    let counts = api.counts();
    let before = counts.get("ListTasks");
    let mut poller = ecswatch::poll::StoppedTasksPoller::new();
    for _ in 0..polls {
        poller.poll(api, plan, origin()).await;
    }
    counts.get("ListTasks") - before
}

#[tokio::test]
async fn a_focused_service_lists_only_its_own_stopped_tasks_between_fleet_rounds() {
    use ecswatch::model::ServiceKey;
    let (store, api) = at(START_AT_S).await;
    let plan = store.plan(Some(ServiceKey::new("prod", "checkout-api")));
    assert_eq!(plan.services.len(), 2);
    // first poll: both services (first seen); the next five: the focused one, and
    // payments-api once in its turn of the rotation (one poll in six)
    assert_eq!(list_tasks_calls(&api, &plan, 6).await, 2 + 5 + 1);
}

#[tokio::test]
async fn on_the_board_calm_services_are_listed_less_often() {
    let (store, api) = at(START_AT_S).await;
    let plan = store.plan(None);
    let calm: Vec<bool> = plan.services.iter().map(|s| s.calm).collect();
    assert_eq!(
        calm,
        [false, true],
        "checkout-api is deploying, payments-api is calm"
    );
    // first poll: both (first seen); then deploying checkout-api every poll and calm
    // payments-api once in its turn (one poll in six)
    assert_eq!(list_tasks_calls(&api, &plan, 6).await, 2 + 5 + 1);
}

#[tokio::test]
async fn a_service_never_listed_is_listed_at_once_even_when_calm() {
    use ecswatch::poll::StoppedTasksPoller;
    let (store, api) = at(START_AT_S).await;
    let plan = store.plan(None);
    let counts = api.counts();
    let mut poller = StoppedTasksPoller::new();
    // first poll with an empty plan (as at start-up), then the services arrive
    poller
        .poll(&api, &ecswatch::poll::PollPlan::default(), origin())
        .await;
    let before = counts.get("ListTasks");
    poller.poll(&api, &plan, origin()).await;
    assert_eq!(
        counts.get("ListTasks") - before,
        2,
        "both, though payments-api is calm"
    );
    poller.poll(&api, &plan, origin()).await;
    assert_eq!(
        counts.get("ListTasks") - before,
        3,
        "then only the one that is not calm"
    );
}

#[tokio::test]
async fn with_a_service_focused_the_fleet_is_described_every_third_poll() {
    use ecswatch::model::ServiceKey;
    use ecswatch::poll::{Payload, ServicesPoller};
    let (store, api) = at(START_AT_S).await;
    let plan = store.plan(Some(ServiceKey::new("prod", "checkout-api")));
    let mut poller = ServicesPoller::new();
    let mut described = Vec::new();
    for _ in 0..6 {
        let u = poller.poll(&api, &plan, origin()).await;
        let Some(Payload::Services { services, .. }) = u.payload else {
            panic!("no payload")
        };
        described.push(services.len());
    }
    assert_eq!(described, [2, 1, 1, 2, 1, 1]);
}
