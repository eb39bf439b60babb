//! Traffic paths: which of a blue/green service's two groups is production, test or idle (from
//! the deployment's weights or stage, the current revision, or the listener rules), what counts
//! for the service's health, the mismatch finding, swaps and the series read by minute.

use ecswatch::model::*;
use ecswatch::poll::{Payload, PlannedService, Source};
use ecswatch::store::Store;

mod common;
use common::*;

const BLUE: &str = "arn:aws:elasticloadbalancing:us-east-1:1:targetgroup/web-blue/b1";
const GREEN: &str = "arn:aws:elasticloadbalancing:us-east-1:1:targetgroup/web-green/g1";
const PROD_RULE: &str = "arn:aws:elasticloadbalancing:us-east-1:1:listener-rule/app/lb/1/l1/prod";
const TEST_RULE: &str = "arn:aws:elasticloadbalancing:us-east-1:1:listener-rule/app/lb/1/l2/test";

fn blue_green() -> Service {
    let mut svc = service();
    svc.load_balancers = vec![LoadBalancerRef {
        target_group_arn: Some(BLUE.into()),
        container_name: Some("app".into()),
        container_port: Some(8080),
        alternate_target_group_arn: Some(GREEN.into()),
        production_listener_rule: Some(PROD_RULE.into()),
        test_listener_rule: Some(TEST_RULE.into()),
        ..Default::default()
    }];
    svc
}

fn rev(id: &str, group: &str, prod: Option<f64>, test: Option<f64>) -> Revision {
    Revision {
        arn: format!("arn:aws:ecs:us-east-1:1:service-revision/prod/web/{id}"),
        requested: 2,
        running: 2,
        production_weight: prod,
        test_weight: test,
        target_groups: vec![group.into()],
        ..Default::default()
    }
}

/// Deploying from blue to green, at `stage`, with the target revision's weights.
fn deploying(stage: &str, weights: Option<(f64, f64)>) -> Service {
    let mut svc = blue_green();
    svc.service_deployment = Some(ServiceDeployment {
        arn: SD_ARN.into(),
        status: "IN_PROGRESS".into(),
        strategy: Some("BLUE_GREEN".into()),
        lifecycle_stage: Some(stage.into()),
        target_revision: Some(rev("2", GREEN, weights.map(|w| w.0), weights.map(|w| w.1))),
        source_revisions: vec![rev(
            "1",
            BLUE,
            weights.map(|w| 100.0 - w.0),
            weights.map(|_| 0.0),
        )],
        ..Default::default()
    });
    svc
}

fn roles(svc: &Service) -> Vec<(&'static str, GroupRole)> {
    traffic_groups(svc)
        .into_iter()
        .map(|g| (if g.arn == BLUE { "blue" } else { "green" }, g.role))
        .collect()
}

#[test]
fn the_stage_says_where_traffic_goes_when_the_deployment_has_no_weights() {
    use GroupRole::*;
    for (stage, want) in [
        ("SCALE_UP", vec![("blue", Prod), ("green", Idle)]),
        ("TEST_TRAFFIC_SHIFT", vec![("blue", Prod), ("green", Test)]),
        (
            "POST_TEST_TRAFFIC_SHIFT",
            vec![("blue", Prod), ("green", Test)],
        ),
        (
            "PRODUCTION_TRAFFIC_SHIFT",
            vec![("green", Prod), ("blue", Idle)],
        ),
        ("BAKE_TIME", vec![("green", Prod), ("blue", Idle)]),
    ] {
        assert_eq!(roles(&deploying(stage, None)), want, "{stage}");
    }
}

#[test]
fn the_weights_win_over_the_stage() {
    use GroupRole::*;
    // a linear shift half way: both groups take production traffic
    let svc = deploying("PRODUCTION_TRAFFIC_SHIFT", Some((50.0, 100.0)));
    assert_eq!(roles(&svc), vec![("blue", Prod), ("green", Prod)]);
    // rolled back: the target revision has no weight left, the source all of it
    let mut svc = deploying("PRODUCTION_TRAFFIC_SHIFT", Some((0.0, 0.0)));
    svc.service_deployment.as_mut().unwrap().status = "ROLLBACK_IN_PROGRESS".into();
    assert_eq!(roles(&svc), vec![("blue", Prod), ("green", Idle)]);
    let g = traffic_groups(&svc);
    assert!(
        g.iter()
            .all(|g| g.blue_green && g.why == "deployment weights")
    );
}

#[test]
fn with_nothing_deploying_the_current_revision_names_production() {
    use GroupRole::*;
    let mut svc = blue_green();
    svc.current_revisions = vec![CurrentRevision {
        arn: "rev-2".into(),
        requested: 2,
        running: 2,
        target_groups: vec![GREEN.into()],
        resolved: true,
        ..Default::default()
    }];
    assert_eq!(roles(&svc), vec![("green", Prod), ("blue", Idle)]);
    assert_eq!(traffic_groups(&svc)[0].why, "current revision");
    // a group without an alternate is production, whatever else is known
    let plain = service();
    assert_eq!(
        traffic_groups(&plain)
            .iter()
            .map(|g| (g.role, g.blue_green))
            .collect::<Vec<_>>(),
        [(Prod, false)]
    );
}

fn health(ip: &str, state: &str) -> TargetHealth {
    TargetHealth {
        id: ip.into(),
        port: Some(8080),
        state: state.into(),
        reason: (state == "unhealthy").then(|| "Target.ResponseCodeMismatch".into()),
        description: (state == "unhealthy")
            .then(|| "Health checks failed with these codes: [503]".into()),
        ..Default::default()
    }
}

fn group(arn: &str, name: &str) -> TargetGroup {
    TargetGroup {
        arn: arn.into(),
        name: name.into(),
        target_type: Some("ip".into()),
        load_balancer_dimensions: vec![LB.into()],
        ..Default::default()
    }
}

/// A store with the service, green failing (2 of 3), blue healthy, and the rules as given.
fn loaded_pair(svc: Service, rules: Vec<ListenerRule>) -> Store {
    let mut store = with_service(svc);
    apply(
        &mut store,
        Source::Targets,
        Payload::TargetsRead {
            described: vec![
                (
                    group(GREEN, "web-green"),
                    vec![
                        health("10.0.1.1", "healthy"),
                        health("10.0.1.2", "unhealthy"),
                        health("10.0.1.3", "unhealthy"),
                    ],
                ),
                (
                    group(BLUE, "web-blue"),
                    vec![health("10.0.2.1", "healthy"), health("10.0.2.2", "healthy")],
                ),
            ],
            health: vec![],
            rules,
            lattice: vec![],
        },
    );
    store.refresh_findings(t0());
    store
}

fn rule(arn: &str, blue: i32, green: i32) -> ListenerRule {
    ListenerRule {
        arn: arn.into(),
        forwards: vec![(BLUE.into(), blue), (GREEN.into(), green)],
    }
}

#[test]
fn the_health_that_counts_is_productions_and_the_idle_group_is_shown() {
    let store = loaded_pair(deploying("BAKE_TIME", Some((100.0, 100.0))), vec![]);
    let st = store.services.values().next().unwrap();
    let names: Vec<&str> = store
        .target_groups_of(&st.service)
        .iter()
        .map(|g| g.group.name.as_str())
        .collect();
    assert_eq!(
        names,
        ["web-green", "web-blue"],
        "production first, idle shown"
    );
    let serving: Vec<&str> = store
        .serving_groups_of(&st.service)
        .iter()
        .map(|g| g.group.name.as_str())
        .collect();
    assert_eq!(serving, ["web-green"]);
    let bad = st
        .findings
        .iter()
        .find(|f| f.id == "elb_health_check_bad_status")
        .expect("green's health is the service's");
    assert!(bad.evidence.iter().any(|e| e.contains("web-green (prod)")));
    assert!(bad.confirm.contains(GREEN), "{}", bad.confirm);
    // blue's targets are healthy and idle: if green were idle, nothing would be found
    let store = loaded_pair(deploying("SCALE_UP", Some((0.0, 0.0))), vec![]);
    let st = store.services.values().next().unwrap();
    assert!(
        !st.findings
            .iter()
            .any(|f| f.id == "elb_health_check_bad_status"),
        "an idle group's health is nobody's"
    );
}

#[test]
fn the_listener_rule_decides_when_ecs_cannot_say_and_disagreeing_is_a_finding() {
    // no revision groups read (DescribeServiceRevisions denied): the rule decides
    let store = loaded_pair(
        blue_green(),
        vec![rule(PROD_RULE, 0, 1), rule(TEST_RULE, 0, 1)],
    );
    let st = store.services.values().next().unwrap();
    let roles: Vec<(String, GroupRole, String)> = store
        .roles_of(&st.service)
        .into_iter()
        .map(|g| (g.arn, g.role, g.why))
        .collect();
    assert_eq!(
        roles,
        [
            (GREEN.into(), GroupRole::Prod, "listener rule".into()),
            (BLUE.into(), GroupRole::Idle, "listener rule".into())
        ]
    );
    assert!(!finding_ids(&store).contains(&"blue_green_roles_unread".to_string()));
    // with nothing read at all: unknown, both count, and an info finding says why
    let store = loaded_pair(blue_green(), vec![]);
    assert!(finding_ids(&store).contains(&"blue_green_roles_unread".to_string()));
    let st = store.services.values().next().unwrap();
    assert_eq!(store.serving_groups_of(&st.service).len(), 2);
    // ECS says green, the production rule still forwards to blue
    let store = loaded_pair(
        deploying("BAKE_TIME", Some((100.0, 100.0))),
        vec![rule(PROD_RULE, 1, 0)],
    );
    let st = store.services.values().next().unwrap();
    let f = st
        .findings
        .iter()
        .find(|f| f.id == "traffic_path_mismatch")
        .expect("a mismatch finding");
    assert!(
        f.evidence[0].contains("forwards to web-blue"),
        "{:?}",
        f.evidence
    );
    assert!(f.confirm.contains(PROD_RULE), "{}", f.confirm);
    // and agreeing is no finding
    let store = loaded_pair(
        deploying("BAKE_TIME", Some((100.0, 100.0))),
        vec![rule(PROD_RULE, 0, 1)],
    );
    assert!(!finding_ids(&store).contains(&"traffic_path_mismatch".to_string()));
}

#[test]
fn a_swap_is_kept_dated_on_the_timeline_and_drives_the_series_by_minute() {
    // first seen after a finished deployment: estimated from its end less its bake
    let mut svc = deploying("CLEAN_UP", Some((100.0, 100.0)));
    let finished = t0() - chrono::Duration::minutes(10);
    {
        let sd = svc.service_deployment.as_mut().unwrap();
        sd.status = "SUCCESSFUL".into();
        sd.finished_at = Some(finished);
        sd.bake_time_minutes = Some(5);
    }
    let mut store = loaded_pair(svc.clone(), vec![]);
    answer_services(&mut store, svc.clone());
    let st = store.services.values().next().unwrap();
    assert_eq!(st.swaps.len(), 1, "seen once");
    let w = &st.swaps[0];
    assert_eq!((w.to.as_str(), w.from.as_deref()), (GREEN, Some(BLUE)));
    assert!(w.approx);
    assert_eq!(w.at, finished - chrono::Duration::minutes(5));
    let timeline: Vec<String> = store
        .timeline(None)
        .iter()
        .map(|e| e.text.clone())
        .collect();
    assert!(
        timeline
            .iter()
            .any(|t| t == "production traffic ≈ moved to web-green (from web-blue)"),
        "{timeline:#?}"
    );
    // the plan reads production's group first, and each group for its own minutes
    let plan = store.plan(None);
    let p: &PlannedService = &plan.services[0];
    assert!(p.alb_dimensions[0].0.contains("web-green"));
    assert_eq!(p.prod_dimensions.len(), 2);
    assert!(p.prod_dimensions[0].1.0.contains("web-blue"));
    let q = MetricQuery {
        id: "s0_2".into(),
        namespace: "AWS/ApplicationELB",
        metric: "HTTPCode_Target_5XX_Count",
        dimensions: vec![
            ("TargetGroup", p.alb_dimensions[0].0.clone()),
            ("LoadBalancer", LB.into()),
        ],
        stat: "Sum",
        period_s: 60,
    };
    let end = ecswatch::poll::minute_floor(t0());
    let split = ecswatch::poll::by_production(
        q.clone(),
        MetricKind::Http5xx,
        p,
        end - chrono::Duration::minutes(60),
        end,
    );
    assert_eq!(split.len(), 2, "both groups served production in the hour");
    assert!(split[0].0.dimensions[0].1.contains("web-blue"));
    assert!(split[1].0.dimensions[0].1.contains("web-green"));
    assert_eq!(split[0].1.unwrap().1, split[1].1.unwrap().0, "back to back");
    // a read of the last minutes only asks production's group
    let recent = ecswatch::poll::by_production(
        q,
        MetricKind::Http5xx,
        p,
        end - chrono::Duration::minutes(3),
        end,
    );
    assert_eq!(recent.len(), 1);
    assert!(recent[0].0.dimensions[0].1.contains("web-green") && recent[0].1.is_none());
}

#[test]
fn zonal_shift_and_anomaly_are_findings_of_the_groups_that_carry_traffic() {
    let mut store = with_service(service());
    let mut shifted = health("10.0.2.9", "healthy");
    shifted.override_state = Some("zonal_shift_active".into());
    shifted.override_reason = Some("AdministrativeOverride.ZonalShiftActive".into());
    let mut odd = health("10.0.1.9", "healthy");
    odd.anomaly = Some("anomalous".into());
    odd.mitigation = Some("yes".into());
    apply(
        &mut store,
        Source::Targets,
        Payload::TargetsRead {
            described: vec![(group_with_lb(), vec![shifted, odd])],
            health: vec![],
            rules: vec![],
            lattice: vec![],
        },
    );
    store.refresh_findings(t0());
    let ids = finding_ids(&store);
    assert!(ids.contains(&"elb_zonal_shift".to_string()), "{ids:?}");
    assert!(
        ids.contains(&"elb_anomaly_mitigation".to_string()),
        "{ids:?}"
    );
    // `explain` of the override's reason code (the API reference's enumerated values)
    let pb = ecswatch::diagnosis::Playbook::builtin();
    for code in [
        "AdministrativeOverride.ZonalShiftActive",
        "AdministrativeOverride.ZonalShiftDelegatedToDns",
    ] {
        assert_eq!(
            pb.classify_target_health(Some(code), None)
                .map(|m| m.entry.id.as_str()),
            Some("elb_zonal_shift"),
            "{code}"
        );
    }
}

/// Service Connect's unknown namespace, from the one message seen in a source:
/// terraform-aws-modules/terraform-aws-ecs#116 (`aws ecs create-service` through Terraform).
/// Measured before the rule: `explain` answered "no rule matches" for it.
#[test]
fn an_unknown_service_connect_namespace_is_named() {
    let pb = ecswatch::diagnosis::Playbook::builtin();
    let m = "NamespaceNotFoundException: Failed to retrieve namespace for example";
    assert_eq!(
        pb.classify(None, m).map(|e| e.id.as_str()),
        Some("service_connect_namespace_not_found")
    );
}
