//! The store: deduplicated events, stopped tasks kept after ECS forgets them, bounded
//! histories, staleness per source, services removed when gone.

mod common;
use common::*;
use ecswatch::aws::{ApiError, ErrorKind};
use ecswatch::model::*;
use ecswatch::poll::{Payload, Source, Update};
use ecswatch::store::{EVENTS_KEPT, LOG_LINES_KEPT};

fn event(i: i64) -> ServiceEvent {
    ServiceEvent {
        id: format!("e{i}"),
        created_at: Some(t0() + chrono::Duration::seconds(i)),
        message: format!("(service web) has started {i} tasks."),
    }
}

fn services(svc: Service) -> Payload {
    Payload::Services {
        services: vec![svc],
        listed_clusters: vec!["prod".into()],
        roster: None,
        insights: vec![],
    }
}

#[test]
fn events_merge_deduplicated_newest_first_and_bounded() {
    let mut s = store();
    let mut svc = service();
    svc.events = (0..100).rev().map(event).collect();
    apply(&mut s, Source::Services, services(svc.clone()));
    // ECS keeps 100: the next poll has 50 new ones and drops the 50 oldest
    svc.events = (50..150).rev().map(event).collect();
    assert!(s.apply(Update::new(
        Source::Services,
        t0(),
        Some(services(svc.clone())),
        vec![]
    )));
    let st = s.services.values().next().unwrap();
    assert_eq!(st.events.len(), 150);
    assert_eq!(st.events[0].id, "e149");
    assert_eq!(st.events[149].id, "e0");
    // the same poll again changes nothing
    assert!(!s.apply(Update::new(
        Source::Services,
        t0(),
        Some(services(svc.clone())),
        vec![]
    )));
    // bounded
    for chunk in 0..15 {
        svc.events = (chunk * 100 + 150..chunk * 100 + 250)
            .rev()
            .map(event)
            .collect();
        apply(&mut s, Source::Services, services(svc.clone()));
    }
    assert_eq!(
        s.services.values().next().unwrap().events.len(),
        EVENTS_KEPT
    );
}

fn stopped(i: i64, service: &str) -> Task {
    Task {
        arn: format!("arn:aws:ecs:us-east-1:1:task/prod/t{i}"),
        cluster: "prod".into(),
        group: Some(format!("service:{service}")),
        last_status: "STOPPED".into(),
        stopped_at: Some(t0() + chrono::Duration::seconds(i)),
        ..Default::default()
    }
}

#[test]
fn stopped_tasks_are_kept_after_ecs_forgets_them_and_filed_by_service() {
    let mut s = store();
    apply(&mut s, Source::Services, services(service()));
    apply(
        &mut s,
        Source::StoppedTasks,
        Payload::StoppedTasks(vec![stopped(1, "web"), stopped(2, "other")]),
    );
    // next poll: ECS no longer lists t1, reports t3
    apply(
        &mut s,
        Source::StoppedTasks,
        Payload::StoppedTasks(vec![stopped(3, "web")]),
    );
    let st = s.services.values().next().unwrap();
    assert_eq!(
        st.stopped,
        [
            "arn:aws:ecs:us-east-1:1:task/prod/t3",
            "arn:aws:ecs:us-east-1:1:task/prod/t1"
        ]
    );
    assert!(
        s.stopped_tasks
            .contains_key("arn:aws:ecs:us-east-1:1:task/prod/t2")
    );
}

#[test]
fn tasks_seen_before_their_service_are_attached_later() {
    let mut s = store();
    apply(
        &mut s,
        Source::StoppedTasks,
        Payload::StoppedTasks(vec![stopped(1, "web")]),
    );
    apply(&mut s, Source::Services, services(service()));
    assert_eq!(s.services.values().next().unwrap().stopped.len(), 1);
}

#[test]
fn metrics_merge_by_timestamp() {
    let mut s = store();
    apply(&mut s, Source::Services, services(service()));
    let key = ServiceKey::new("prod", "web");
    let p = |m: i64, v: f64| MetricPoint {
        t: t0() + chrono::Duration::minutes(m),
        v,
    };
    apply(
        &mut s,
        Source::Metrics,
        Payload::Metrics(vec![(
            key.clone(),
            MetricKind::CpuUtilization,
            vec![p(0, 1.0), p(1, 2.0)],
        )]),
    );
    // the window overlaps: minute 1 revised, minute 2 new, minute 0 already there
    apply(
        &mut s,
        Source::Metrics,
        Payload::Metrics(vec![(
            key.clone(),
            MetricKind::CpuUtilization,
            vec![p(0, 1.0), p(1, 2.5), p(2, 3.0)],
        )]),
    );
    let ring = &s.services[&key].metrics[&MetricKind::CpuUtilization];
    let vals: Vec<f64> = ring.iter().map(|p| p.v).collect();
    assert_eq!(vals, [1.0, 2.5, 3.0]);
}

#[test]
fn logs_deduplicated_and_bounded() {
    let mut s = store();
    apply(&mut s, Source::Services, services(service()));
    let key = ServiceKey::new("prod", "web");
    let line = |i: usize| LogLine {
        event_id: format!("ev{i}"),
        t: t0() + chrono::Duration::milliseconds(i as i64),
        stream: "ecs/app/1".into(),
        message: format!("line {i}"),
    };
    apply(
        &mut s,
        Source::Logs,
        Payload::LogsRead {
            services: vec![(key.clone(), (0..10).map(line).collect())],
            tasks: vec![],
        },
    );
    apply(
        &mut s,
        Source::Logs,
        Payload::LogsRead {
            services: vec![(key.clone(), (5..15).map(line).collect())],
            tasks: vec![],
        },
    );
    assert_eq!(s.services[&key].logs.len(), 15);
    apply(
        &mut s,
        Source::Logs,
        Payload::LogsRead {
            services: vec![(key.clone(), (0..LOG_LINES_KEPT + 500).map(line).collect())],
            tasks: vec![],
        },
    );
    let logs = &s.services[&key].logs;
    assert_eq!(logs.len(), LOG_LINES_KEPT);
    assert_eq!(logs.iter().next().unwrap().event_id, "ev500");
}

#[test]
fn a_failing_source_keeps_its_last_good_data_and_says_when() {
    let mut s = store();
    apply(&mut s, Source::Services, services(service()));
    let later = t0() + chrono::Duration::seconds(30);
    let err = ApiError::new(
        ErrorKind::Throttled,
        "ecs:DescribeServices",
        "Rate exceeded",
    );
    assert!(s.apply(Update::new(
        Source::Services,
        later,
        None,
        vec![err.clone()]
    )));
    let st = &s.status(Source::Services);
    assert_eq!(st.last_ok, Some(t0()));
    assert_eq!(st.errors, vec![(later, err)]);
    assert_eq!(st.consecutive_failures, 1);
    assert_eq!(s.services.len(), 1, "data kept");
    apply(&mut s, Source::Services, services(service()));
    assert!(s.status(Source::Services).errors.is_empty());
}

#[test]
fn services_gone_from_a_listed_cluster_are_removed() {
    let mut s = store();
    let mut other = service();
    other.name = "api".into();
    other.arn = "arn:aws:ecs:us-east-1:1:service/prod/api".into();
    apply(
        &mut s,
        Source::Services,
        Payload::Services {
            services: vec![service(), other],
            listed_clusters: vec!["prod".into()],
            roster: None,
            insights: vec![],
        },
    );
    assert_eq!(s.services.len(), 2);
    apply(&mut s, Source::Services, services(service()));
    assert_eq!(
        s.services
            .keys()
            .map(|k| k.service.as_str())
            .collect::<Vec<_>>(),
        ["web"]
    );
    // a cluster that failed to list keeps its services
    apply(
        &mut s,
        Source::Services,
        Payload::Services {
            services: vec![],
            listed_clusters: vec![],
            roster: None,
            insights: vec![],
        },
    );
    assert_eq!(s.services.len(), 1);
}

#[test]
fn plan_names_what_the_pollers_need() {
    let mut svc = service();
    svc.deployments.push(Deployment {
        id: "ecs-svc/0".into(),
        status: "ACTIVE".into(),
        task_definition: "arn:aws:ecs:us-east-1:1:task-definition/web:6".into(),
        ..Default::default()
    });
    let mut td = task_definition();
    td.containers[0].log = Some(LogConfig {
        driver: "awslogs".into(),
        group: Some("/ecs/web".into()),
        stream_prefix: Some("ecs".into()),
        region: None,
    });
    let mut tg = target_group();
    tg.load_balancer_dimensions = vec!["app/lb/1".into()];
    let s = loaded(svc, td, tg);
    let plan = s.plan(None);
    let p = &plan.services[0];
    assert_eq!(
        p.task_definitions,
        [TD, "arn:aws:ecs:us-east-1:1:task-definition/web:6"]
    );
    assert_eq!(p.target_groups, [TG]);
    assert_eq!(
        p.alb_dimensions,
        [("targetgroup/web-tg/abc".to_string(), "app/lb/1".to_string())]
    );
    assert_eq!(
        p.log_sources,
        [ecswatch::poll::LogSource {
            group: "/ecs/web".to_string(),
            prefix: Some("ecs/app/".to_string()),
            region: None,
        }]
    );
}

#[test]
fn health_only_reads_keep_the_held_description_and_flip_targets() {
    let mut s = loaded(service(), task_definition(), target_group());
    let described_at = s.target_groups[TG].described_at;
    assert_eq!(s.plan(None).groups_described.get(TG), Some(&described_at));
    let unhealthy = TargetHealth {
        id: "10.0.0.1".into(),
        port: Some(80),
        state: "unhealthy".into(),
        reason: Some("Target.Timeout".into()),
        ..Default::default()
    };
    let later = t0() + chrono::Duration::seconds(5);
    s.apply(Update::new(
        Source::Targets,
        later,
        Some(Payload::TargetsRead {
            rules: Vec::new(),
            lattice: Vec::new(),
            described: vec![],
            health: vec![
                (TG.to_string(), vec![unhealthy]),
                // a group the store does not hold cannot be shown: dropped
                (
                    "arn:aws:elasticloadbalancing:x:1:targetgroup/other/1".into(),
                    vec![],
                ),
            ],
        }),
        vec![],
    ));
    let g = &s.target_groups[TG];
    assert_eq!(g.group.name, "web-tg");
    assert_eq!(g.group.deregistration_delay_s, Some(20));
    assert_eq!(g.targets[0].state, "unhealthy");
    assert_eq!((g.fetched_at, g.described_at), (later, described_at));
    assert_eq!(s.target_groups.len(), 1);
}

#[test]
fn what_no_service_references_is_pruned_so_long_sessions_stay_bounded() {
    let mut s = loaded(service(), task_definition(), target_group());
    // a task definition and a target group of a service that is gone
    let old_td = TaskDefinition {
        arn: "arn:aws:ecs:us-east-1:1:task-definition/gone:1".into(),
        ..task_definition()
    };
    let old_tg = TargetGroup {
        arn: "arn:aws:elasticloadbalancing:us-east-1:1:targetgroup/gone/1".into(),
        ..target_group()
    };
    apply(
        &mut s,
        Source::TaskDefinitions,
        Payload::TaskDefinitions(vec![old_td.clone()]),
    );
    apply(
        &mut s,
        Source::Targets,
        Payload::TargetsRead {
            described: vec![(old_tg.clone(), vec![])],
            health: vec![],
            rules: vec![],
            lattice: vec![],
        },
    );
    // stopped tasks: web's own, a gone service's from long ago, one whose service is not
    // described yet (recent), one still stopping (no stop time)
    let mut gone_old = stopped(1, "gone");
    gone_old.stopped_at = Some(t0() - chrono::Duration::hours(3));
    let recent = stopped(2, "not-yet-described");
    let mut stopping = stopped(3, "gone");
    stopping.stopped_at = None;
    stopping.last_status = "DEACTIVATING".into();
    apply(
        &mut s,
        Source::StoppedTasks,
        Payload::StoppedTasks(vec![
            stopped(4, "web"),
            gone_old.clone(),
            recent.clone(),
            stopping.clone(),
        ]),
    );
    assert!(s.plan(None).final_tasks.contains(&gone_old.arn));
    s.prune(t0() + chrono::Duration::minutes(10));
    assert!(s.task_definitions.contains_key(TD));
    assert!(!s.task_definitions.contains_key(&old_td.arn));
    assert!(s.target_groups.contains_key(TG));
    assert!(!s.target_groups.contains_key(&old_tg.arn));
    assert!(s.stopped_tasks.contains_key(&stopped(4, "web").arn));
    assert!(!s.stopped_tasks.contains_key(&gone_old.arn));
    assert!(!s.plan(None).final_tasks.contains(&gone_old.arn));
    assert!(
        s.stopped_tasks.contains_key(&recent.arn),
        "kept for a service not described yet"
    );
    assert!(
        s.stopped_tasks.contains_key(&stopping.arn),
        "still stopping"
    );
    // an hour later, the never-described service's task goes too
    s.prune(t0() + chrono::Duration::minutes(90));
    assert!(!s.stopped_tasks.contains_key(&recent.arn));
    // and metric history is bounded to what is shown (two hours of minutes)
    let key = s.services.keys().next().unwrap().clone();
    let points: Vec<MetricPoint> = (0..500)
        .map(|i| MetricPoint {
            t: t0() + chrono::Duration::minutes(i),
            v: i as f64,
        })
        .collect();
    apply(
        &mut s,
        Source::Metrics,
        Payload::Metrics(vec![(key.clone(), MetricKind::CpuUtilization, points)]),
    );
    assert_eq!(
        s.services[&key].metrics[&MetricKind::CpuUtilization].len(),
        ecswatch::store::METRIC_POINTS_KEPT
    );
}
