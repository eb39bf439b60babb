//! The embedded incident evolves as designed, needs no credentials, and the pollers read it at
//! the batching minimum, as one-shot cycles and as loops.

use chrono::{TimeZone, Utc};
use ecswatch::commands::cycle;
use ecswatch::demo::{DemoApi, ROLLBACK_DONE_S, START_AT_S, TRIP_AT_S};
use ecswatch::diagnosis::Playbook;
use ecswatch::poll::{Counted, Scope, Source, runner};
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
        0,
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
    assert!(s.places[0].status.values().all(|st| st.errors.is_empty()));
}

#[tokio::test]
async fn one_cycle_is_at_the_batching_minimum() {
    let (s, api) = at(START_AT_S).await;
    let c = api.counts();
    assert_eq!(c.get("ListClusters"), 1);
    assert_eq!(c.get("ListServices"), 1);
    assert_eq!(c.get("DescribeServices"), 1);
    // one ListTasks for the cluster per task state (stopped, running), not one per service;
    // the tasks are filed by group
    assert_eq!(c.get("ListTasks"), 1 + 1);
    assert_eq!(c.get("DescribeClusters"), 1);
    assert_eq!(c.get("DescribeTasks"), 2);
    // auto scaling: one DescribeScalableTargets for the three services, then policies and
    // activities of the two registered ones (checkout-api, search-api)
    assert_eq!(c.get("DescribeScalableTargets"), 1);
    assert_eq!(c.get("DescribeScalingPolicies"), 2);
    assert_eq!(c.get("DescribeScalingActivities"), 2);
    // checkout-api :41 and :42, payments-api, search-api :8 and :9, orders-api :13,
    // inventory-api :5, render-gpu :3
    assert_eq!(c.get("DescribeTaskDefinition"), 8);
    assert_eq!(c.get("DescribeTargetGroups"), 1);
    // orders-api is blue/green: both its groups are read (the idle one is shown, labelled),
    // and its production and test listener rules in one DescribeRules
    assert_eq!(c.get("DescribeTargetGroupAttributes"), 6);
    assert_eq!(c.get("DescribeTargetHealth"), 6);
    assert_eq!(c.get("DescribeRules"), 1);
    // the services' series, then the task-level ones (Container Insights with enhanced
    // observability) of the services that restart containers in place or are not calm: they
    // need the running tasks and task definitions first
    assert_eq!(c.get("GetMetricData"), 2);
    assert_eq!(c.get("FilterLogEvents"), 4);
    // search-api's canary and orders-api's finished blue/green deployment: one
    // DescribeServiceDeployments; one DescribeServiceRevisions for their revisions and
    // orders-api's current one (then cached)
    assert_eq!(c.get("DescribeServiceDeployments"), 1);
    assert_eq!(c.get("DescribeServiceRevisions"), 1);
    // inventory-api's VPC Lattice target group: one ListTargets
    assert_eq!(c.get("ListTargets"), 1);
    // render-gpu's two Managed Instances, in one call for the cluster (the Fargate services'
    // tasks name none)
    assert_eq!(c.get("DescribeContainerInstances"), 1);
    assert_eq!(c.total(), 45);
    let checkout = s
        .services
        .values()
        .find(|x| x.service.name == "checkout-api")
        .unwrap();
    // every series read; those with datapoints hold an hour of minutes (the demo's load
    // balancer answers no 5xx of its own: that series is read and empty)
    assert_eq!(checkout.metrics.len(), 8);
    assert!(
        checkout
            .metrics
            .values()
            .filter(|r| !r.is_empty())
            .all(|r| r.len() >= 59),
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
    let handles = runner::spawn(0, api.clone(), plan_rx, tx);
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
    assert_eq!(seen.len(), Source::ALL.len());
    // running tasks and scaling are read for an open service only: the board reads none
    // (their pollers report an empty read, so the source is not taken for failing)
    assert_eq!(counts.get("DescribeScalableTargets"), 0, "nothing open");
    assert!(no_running_tasks_or_scaling_read(&store));
    // two stopped tasks visible: described once however often ListTasks ran
    assert!(counts.get("DescribeTasks") <= 2, "{:?}", counts.snapshot());
    assert_eq!(counts.get("DescribeTaskDefinition"), 8);
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
async fn a_focused_service_lists_only_its_own_stopped_tasks_between_cluster_rounds() {
    use ecswatch::model::ServiceKey;
    let (store, api) = at(START_AT_S).await;
    let plan = store.plan(Some(ServiceKey::new("prod", "checkout-api")));
    assert_eq!(plan.services.len(), 6);
    // polls 0 and 3: the whole cluster (one call, every service); the others: the open one
    assert_eq!(list_tasks_calls(&api, &plan, 6).await, 6);
}

#[tokio::test]
async fn on_the_board_stopped_tasks_cost_one_call_per_cluster_round() {
    let (store, api) = at(START_AT_S).await;
    let plan = store.plan(None);
    // polls 0 and 3 list the cluster; nothing in between, whatever the number of services
    assert_eq!(list_tasks_calls(&api, &plan, 6).await, 2);
}

#[tokio::test]
async fn stopped_tasks_the_store_holds_are_never_described_again() {
    use ecswatch::poll::StoppedTasksPoller;
    let (store, api) = at(START_AT_S).await;
    let plan = store.plan(None);
    assert!(
        !plan.final_tasks.is_empty(),
        "the cycle stored stopped tasks"
    );
    let counts = api.counts();
    let before = counts.get("DescribeTasks");
    StoppedTasksPoller::new().poll(&api, &plan, origin()).await;
    assert_eq!(counts.get("DescribeTasks") - before, 0);
}

#[tokio::test]
async fn with_a_service_focused_a_small_fleet_costs_one_call_a_poll() {
    use ecswatch::model::ServiceKey;
    use ecswatch::poll::{Payload, ServicesPoller};
    let (store, api) = at(START_AT_S).await;
    let plan = store.plan(Some(ServiceKey::new("prod", "checkout-api")));
    let mut poller = ServicesPoller::new();
    let before = api.counts().get("DescribeServices");
    let mut described = Vec::new();
    for _ in 0..6 {
        let u = poller.poll(&api, &plan, origin()).await;
        let Some(Payload::Services { services, .. }) = u.payload else {
            panic!("no payload")
        };
        described.push(services.len());
    }
    // the fleet round's batch holds the open service: no second call for it
    assert_eq!(described, [6, 6, 6, 6, 6, 6]);
    assert_eq!(api.counts().get("DescribeServices") - before, 6);
}

#[tokio::test]
async fn task_detail_reads_the_tasks_own_stream_once() {
    use ecswatch::model::ServiceKey;
    use ecswatch::poll::{LogsPoller, Payload, Source};
    let (mut store, api) = at(START_AT_S).await;
    let key = ServiceKey::new("prod", "checkout-api");
    let arn = store.services[&key].stopped[0].clone();
    let mut plan = store.plan(Some(key.clone()));
    plan.task = store.open_task(&key, &arn);
    let task = plan
        .task
        .clone()
        .expect("its task definition logs to awslogs");
    let id = ecswatch::model::task_id(&arn);
    assert_eq!(
        task.streams[0].prefix.as_deref(),
        Some(&*format!("ecs/app/{id}"))
    );
    let counts = api.counts();
    let before = counts.get("FilterLogEvents");
    let u = LogsPoller::new().poll(&api, &plan, origin()).await;
    // the service's tail and the task's own stream
    assert_eq!(counts.get("FilterLogEvents") - before, 2);
    let Some(Payload::LogsRead { tasks, .. }) = &u.payload else {
        panic!("{:?}", u.payload)
    };
    assert_eq!(tasks.len(), 1);
    assert_eq!(u.source, Source::Logs);
    store.apply(u);
    assert!(store.task_logs.contains_key(&arn));
    // read once: the next plan does not ask for it again
    assert_eq!(store.open_task(&key, &arn), None);
}

#[tokio::test]
async fn stop_task_refuses_a_task_of_another_service_and_a_stopped_one() {
    use ecswatch::model::ServiceKey;
    // `X` checks the typed id with DescribeTasks before anything can be confirmed
    let (store, api) = at(600).await;
    let checkout = ServiceKey::new("prod", "checkout-api");
    let task_of = |service: &str| {
        store
            .stopped_tasks
            .values()
            .find(|t| t.service_name() == Some(service))
            .map(|t| ecswatch::model::task_id(&t.arn).to_string())
            .expect("a stopped task")
    };
    let other = task_of("payments-api");
    let e = ecswatch::actions::stop_task_check(&api, &checkout, &other)
        .await
        .unwrap_err();
    assert_eq!(
        e,
        format!("nothing stopped: a task of service:payments-api, not checkout-api ({other})")
    );
    let own = task_of("checkout-api");
    let e = ecswatch::actions::stop_task_check(&api, &checkout, &own)
        .await
        .unwrap_err();
    assert_eq!(
        e,
        format!("nothing stopped: task {own} has already stopped")
    );
    let e = ecswatch::actions::stop_task_check(&api, &checkout, "0123abcd")
        .await
        .unwrap_err();
    assert_eq!(e, "nothing stopped: no task 0123abcd in cluster prod");
}

fn no_running_tasks_or_scaling_read(store: &Store) -> bool {
    store
        .services
        .values()
        .all(|st| st.running_read_at.is_none() && st.scaling.is_none())
}
