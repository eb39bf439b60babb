//! Frame build + render of large screens: the console's per-frame cost.
//! `cargo bench --bench frame`. DESIGN budget: under 2 ms for a 2,000-service board.

use chrono::{TimeZone, Utc};
use criterion::{Criterion, criterion_group, criterion_main};
use ecswatch::app::state::{Pane, UiState, View};
use ecswatch::diagnosis::Playbook;
use ecswatch::keymap::Keymap;
use ecswatch::model::*;
use ecswatch::poll::{Payload, Scope, Source, Update};
use ecswatch::store::Store;
use ecswatch::theme::Theme;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use std::hint::black_box;
use std::sync::Arc;

fn fleet(n: usize) -> (Store, chrono::DateTime<Utc>) {
    let now = Utc.with_ymd_and_hms(2026, 11, 22, 12, 0, 0).unwrap();
    let mut store = Store::new(
        Scope::default(),
        "us-east-1".into(),
        Arc::new(Playbook::builtin()),
    );
    let services: Vec<Service> = (0..n)
        .map(|i| Service {
            arn: format!("arn:aws:ecs:us-east-1:1:service/c{}/svc-{i:05}", i % 20),
            name: format!("svc-{i:05}"),
            cluster: format!("c{}", i % 20),
            status: "ACTIVE".into(),
            desired: 3,
            running: if i % 50 == 0 { 1 } else { 3 },
            task_definition: format!("arn:aws:ecs:us-east-1:1:task-definition/svc-{i}:1"),
            deployment_config: DeploymentConfig {
                circuit_breaker_enable: Some(i % 7 != 0),
                circuit_breaker_rollback: Some(true),
                ..Default::default()
            },
            deployments: vec![Deployment {
                id: format!("ecs-svc/{i}"),
                status: "PRIMARY".into(),
                task_definition: format!("arn:aws:ecs:us-east-1:1:task-definition/svc-{i}:1"),
                desired: 3,
                running: 3,
                failed: if i % 100 == 0 { 2 } else { 0 },
                rollout_state: Some(
                    if i % 100 == 0 {
                        "IN_PROGRESS"
                    } else {
                        "COMPLETED"
                    }
                    .into(),
                ),
                ..Default::default()
            }],
            events: (0..10)
                .map(|e| ServiceEvent {
                    id: format!("{i}-{e}"),
                    created_at: Some(now - chrono::Duration::minutes(e)),
                    message: format!("(service svc-{i:05}) has started 1 tasks: (task {e:032x})."),
                })
                .collect(),
            ..Default::default()
        })
        .collect();
    let clusters = (0..20).map(|c| format!("c{c}")).collect();
    store.apply(Update::new(
        Source::Services,
        now,
        Some(Payload::Services {
            services,
            listed_clusters: clusters,
            roster: None,
            insights: vec![],
        }),
        vec![],
    ));
    let series = store
        .services
        .keys()
        .map(|k| {
            let points = (0..60)
                .map(|m| MetricPoint {
                    t: now - chrono::Duration::minutes(60 - m),
                    v: (m % 7) as f64,
                })
                .collect();
            (k.clone(), MetricKind::Http5xx, points)
        })
        .collect();
    store.apply(Update::new(
        Source::Metrics,
        now,
        Some(Payload::Metrics(series)),
        vec![],
    ));
    store.refresh_findings(now);
    (store, now)
}

fn logs_store(lines: usize) -> (Store, chrono::DateTime<Utc>, ServiceKey) {
    let (mut store, now) = fleet(1);
    let key = store.services.keys().next().unwrap().clone();
    let batch = (0..lines)
        .map(|i| LogLine {
            event_id: format!("e{i}"),
            t: now - chrono::Duration::milliseconds((lines - i) as i64),
            stream: "ecs/app/7e1c0b9f".into(),
            message: format!("INFO svc GET /api/items/{i} 200 {}ms", i % 300),
        })
        .collect();
    store.apply(Update::new(
        Source::Logs,
        now,
        Some(Payload::LogsRead {
            services: vec![(key.clone(), batch)],
            tasks: vec![],
        }),
        vec![],
    ));
    (store, now, key)
}

fn frame(
    store: &Store,
    ui: &UiState,
    now: chrono::DateTime<Utc>,
    term: &mut Terminal<TestBackend>,
    theme: &Theme,
    keymap: &Keymap,
) {
    let size = term.size().unwrap();
    let (screen, _) = ecswatch::view::build(
        store,
        ui,
        keymap,
        now,
        ecswatch::view::Size {
            width: size.width,
            height: size.height,
        },
    );
    term.draw(|f| ecswatch::ui::render(f, black_box(&screen), theme))
        .unwrap();
}

fn benches(c: &mut Criterion) {
    let theme = Theme::shipped("default").unwrap();
    let keymap = Keymap::shipped("default").unwrap();
    let (store, now) = fleet(2000);
    assert_eq!(store.services.len(), 2000);
    for (w, h) in [(80u16, 24u16), (160, 48)] {
        let mut term = Terminal::new(TestBackend::new(w, h)).unwrap();
        let ui = UiState::default();
        c.bench_function(&format!("board_2000_services_{w}x{h}"), |b| {
            b.iter(|| frame(&store, &ui, now, &mut term, &theme, &keymap))
        });
    }
    let (store, now, key) = logs_store(10_000);
    assert_eq!(
        store.services[&key].logs.len(),
        ecswatch::store::LOG_LINES_KEPT
    );
    let mut ui = UiState::default();
    ui.stack.push(View::Service(key));
    ui.pane = Pane::Logs;
    let mut term = Terminal::new(TestBackend::new(160, 48)).unwrap();
    c.bench_function("service_logs_pane_160x48", |b| {
        b.iter(|| frame(&store, &ui, now, &mut term, &theme, &keymap))
    });
    // the tasks pane beside the findings: 100 running tasks (one ListTasks page) and the
    // stopped ones
    let (store, now, key) = running_store(100);
    let mut ui = UiState::default();
    ui.stack.push(View::Service(key));
    ui.pane = Pane::Tasks;
    let mut term = Terminal::new(TestBackend::new(120, 40)).unwrap();
    c.bench_function("service_tasks_pane_100_running_120x40", |b| {
        b.iter(|| frame(&store, &ui, now, &mut term, &theme, &keymap))
    });
}

fn running_store(n: usize) -> (Store, chrono::DateTime<Utc>, ServiceKey) {
    let (mut store, now) = fleet(1);
    let key = store.services.keys().next().unwrap().clone();
    let tasks = (0..n)
        .map(|i| Task {
            arn: format!("arn:aws:ecs:us-east-1:1:task/{}/{i:032x}", key.cluster),
            cluster: key.cluster.clone(),
            task_definition: "arn:aws:ecs:us-east-1:1:task-definition/svc:7".into(),
            group: Some(format!("service:{}", key.service)),
            last_status: "RUNNING".into(),
            desired_status: "RUNNING".into(),
            started_at: Some(now - chrono::Duration::minutes(i as i64)),
            health_status: Some(if i % 7 == 0 { "UNHEALTHY" } else { "HEALTHY" }.into()),
            capacity_provider: Some("FARGATE_SPOT".into()),
            availability_zone: Some("us-east-1b".into()),
            private_ip: Some(format!("10.0.{}.{}", i / 250, i % 250)),
            exec_enabled: true,
            containers: vec![ContainerState {
                name: "app".into(),
                exec_agent: Some("RUNNING".into()),
                ..Default::default()
            }],
            ..Default::default()
        })
        .collect();
    store.apply(Update::new(
        Source::RunningTasks,
        now,
        Some(Payload::RunningTasks(vec![(key.clone(), tasks)])),
        vec![],
    ));
    assert_eq!(store.services[&key].running.len(), n);
    (store, now, key)
}

/// Applying one fleet-wide DescribeServices result (2,000 services, 10 events each) to a store
/// that already holds them: the steady-state cost of every services poll at fleet scale.
fn store_apply(c: &mut Criterion) {
    let (base, now) = fleet(2000);
    let services: Vec<Service> = base
        .services
        .values()
        .map(|st| st.service.clone())
        .collect();
    let clusters: Vec<String> = (0..20).map(|c| format!("c{c}")).collect();
    let mut store = base;
    c.bench_function("store_apply_2000_services", |b| {
        b.iter(|| {
            let payload = Payload::Services {
                services: services.clone(),
                listed_clusters: clusters.clone(),
                roster: None,
                insights: vec![],
            };
            black_box(store.apply(Update::new(Source::Services, now, Some(payload), vec![])))
        })
    });
    c.bench_function("diagnose_2000_services_full", |b| {
        b.iter(|| {
            // a new task definition marks every service for re-diagnosis
            let td = TaskDefinition {
                arn: "x".into(),
                ..Default::default()
            };
            store.apply(Update::new(
                Source::TaskDefinitions,
                now,
                Some(Payload::TaskDefinitions(vec![td])),
                vec![],
            ));
            store.refresh_findings(now);
        })
    });
    let mut flip = false;
    c.bench_function("diagnose_2000_services_one_changed", |b| {
        b.iter(|| {
            let mut changed = services.clone();
            flip = !flip;
            changed[0].running = if flip { 0 } else { 3 };
            let payload = Payload::Services {
                services: changed,
                listed_clusters: clusters.clone(),
                roster: None,
                insights: vec![],
            };
            store.apply(Update::new(Source::Services, now, Some(payload), vec![]));
            store.refresh_findings(now);
        })
    });
}

criterion_group!(frames, benches, store_apply);
criterion_main!(frames);
