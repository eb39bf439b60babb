//! Findings a service deployment gives: an alarm rollback naming the alarm, a hook that waits,
//! fails or times out, a failure on test traffic, a stop someone asked for, a failed rollback —
//! each confirmed with describe-service-deployments — and no breaker lint for CodeDeploy.

mod common;

use common::*;
use ecswatch::model::*;
use ecswatch::store::Store;

fn finding<'a>(store: &'a Store, id: &str) -> &'a ecswatch::diagnosis::Finding {
    let st = store.services.values().next().unwrap();
    st.findings
        .iter()
        .find(|f| f.id == id)
        .unwrap_or_else(|| panic!("no {id} in {:?}", finding_ids(store)))
}

fn with(f: impl FnOnce(&mut ServiceDeployment)) -> Store {
    let mut svc = blue_green_at_hook(t0());
    f(svc.service_deployment.as_mut().unwrap());
    loaded(svc, task_definition(), target_group())
}

#[test]
fn a_paused_hook_is_a_finding_with_its_deployment_confirm() {
    let store = loaded(blue_green_at_hook(t0()), task_definition(), target_group());
    let f = finding(&store, "deployment_hook_waiting");
    assert_evidence(f, |e| {
        e.contains(
            "hook web-approve (id approve-test-traffic) waits for action at POST_TEST_TRAFFIC_SHIFT \
             in the deployment to web:8; times out at 12:20:00Z then ROLLBACK",
        )
    });
    assert!(
        f.confirm.starts_with(&format!(
            "aws ecs describe-service-deployments --service-deployment-arns {SD_ARN} --query"
        )),
        "{}",
        f.confirm
    );
    assert!(f.confirm.ends_with("--region us-east-1"), "{}", f.confirm);
    // nothing failed yet
    let ids = finding_ids(&store);
    for id in [
        "deployment_hook_failed",
        "deployment_failed_alarm",
        "deployment_test_traffic_failed",
        "deployment_stopped",
    ] {
        assert!(!ids.contains(&id.to_string()), "{id} in {ids:?}");
    }
}

#[test]
fn a_rollback_by_alarm_names_the_alarm() {
    let store = with(|sd| {
        sd.status = "ROLLBACK_IN_PROGRESS".into();
        sd.lifecycle_stage = Some("BAKE_TIME".into());
        sd.hooks.clear();
        sd.alarms.as_mut().unwrap().status = "TRIGGERED".into();
        sd.alarms.as_mut().unwrap().triggered = vec!["web-5xx".into()];
        sd.rollback = Some(RollbackInfo {
            reason: Some("Rolling back: CloudWatch alarm web-5xx is in ALARM state.".into()),
            started_at: Some(t0()),
            revision: None,
        });
    });
    let f = finding(&store, "deployment_failed_alarm");
    assert_eq!(f.severity, ecswatch::diagnosis::Severity::Critical);
    assert_evidence(f, |e| {
        e.starts_with("alarm web-5xx fired during the deployment to web:8")
    });
    assert!(f.confirm.contains("--alarm-name web-5xx"), "{}", f.confirm);
    assert!(f.confirm.contains(SD_ARN), "{}", f.confirm);
    // the alarm explains the rollback: not "stopped on request", not a test-traffic failure
    let ids = finding_ids(&store);
    assert!(!ids.contains(&"deployment_stopped".to_string()), "{ids:?}");
    assert!(!ids.contains(&"deployment_test_traffic_failed".to_string()));
    assert!(ids.contains(&"deployment_rollback".to_string()));
    // the top finding is the cause
    assert_eq!(ids[0], "deployment_failed_alarm");
}

#[test]
fn a_hook_that_timed_out_on_test_traffic() {
    let store = with(|sd| {
        sd.status = "ROLLBACK_SUCCESSFUL".into();
        sd.finished_at = Some(t0());
        sd.hooks[0].status = "TIMED_OUT".into();
    });
    assert_ids(
        &store,
        &["deployment_hook_failed", "deployment_test_traffic_failed"],
        &["deployment_hook_waiting"],
    );
    let f = finding(&store, "deployment_hook_failed");
    assert_evidence(f, |e| {
        e.contains("hook web-approve TIMED_OUT at POST_TEST_TRAFFIC_SHIFT")
    });
}

#[test]
fn a_stop_someone_asked_for() {
    for (status, reason) in [
        ("STOPPED", None),
        ("ROLLBACK_SUCCESSFUL", Some("Rollback requested by user.")),
    ] {
        let store = with(|sd| {
            sd.status = status.into();
            sd.status_reason = reason.map(str::to_owned);
            sd.stopped_at = Some(t0());
            sd.finished_at = Some(t0());
            sd.lifecycle_stage = Some("PRODUCTION_TRAFFIC_SHIFT".into());
            sd.hooks.clear();
        });
        let f = finding(&store, "deployment_stopped");
        assert!(f.confirm.contains(SD_ARN), "{status}: {}", f.confirm);
    }
}

/// A deployment ECS rolled back at `stage` and gave `reason` for; `hook` the status of its
/// one hook, or no hook.
fn rolled_back(reason: &str, stage: &str, hook: Option<&str>) -> Store {
    with(|sd| {
        sd.status = "ROLLBACK_SUCCESSFUL".into();
        sd.status_reason = Some(reason.into());
        sd.finished_at = Some(t0());
        sd.lifecycle_stage = Some(stage.into());
        match hook {
            Some(status) => sd.hooks[0].status = status.into(),
            None => sd.hooks.clear(),
        }
    })
}

fn assert_ids(store: &Store, present: &[&str], absent: &[&str]) {
    let ids = finding_ids(store);
    for id in present {
        assert!(ids.contains(&id.to_string()), "no {id} in {ids:?}");
    }
    for id in absent {
        assert!(!ids.contains(&id.to_string()), "{id} in {ids:?}");
    }
}

/// Some line of the finding's evidence is as `want` says.
fn assert_evidence(f: &ecswatch::diagnosis::Finding, want: impl Fn(&str) -> bool) {
    assert!(f.evidence.iter().any(|e| want(e)), "{:?}", f.evidence);
}

/// ECS's own reason for a rollback names causes in the set-up around the revision (the
/// troubleshooting-blue-green page's statusReason messages): each is its own finding with its
/// fix, never "stopped on request", and never "failed on test traffic", whose fix is to change
/// a revision that was not what failed.
#[test]
fn a_rollback_ecs_explains_names_the_set_up_at_fault() {
    let cases = [
        (
            "Service deployment rolled back because of invalid networking configuration: Target group \
             arn:aws:elasticloadbalancing:us-east-1:1:targetgroup/web-alt/abc is not associated with \
             either productionListenerRule or testListenerRule.",
            "TEST_TRAFFIC_SHIFT",
            "deployment_network_config",
        ),
        (
            "Service deployment rolled back because TEST_TRAFFIC_SHIFT lifecycle hook(s) failed. User: \
             arn:aws:sts::1:assumed-role/web-elb/ECSNetworkingWithELB is not authorized to perform: \
             elasticloadbalancing:ModifyListener on resource: arn:aws:elasticloadbalancing:us-east-1:1:listener/app/web/1/2",
            "TEST_TRAFFIC_SHIFT",
            "deployment_infra_role",
        ),
        (
            "Service deployment rolled back because POST_TEST_TRAFFIC_SHIFT pause hook timed out.",
            "POST_TEST_TRAFFIC_SHIFT",
            "deployment_pause_timed_out",
        ),
    ];
    for (reason, stage, want) in cases {
        let store = rolled_back(reason, stage, None);
        let ids = finding_ids(&store);
        assert_eq!(ids[0], want, "{reason}: {ids:?}");
        for wrong in ["deployment_stopped", "deployment_test_traffic_failed"] {
            assert!(!ids.contains(&wrong.to_string()), "{reason}: {ids:?}");
        }
        let f = finding(&store, want);
        assert_eq!(f.confidence, ecswatch::diagnosis::Confidence::Exact);
        assert!(f.confirm.contains(SD_ARN), "{}", f.confirm);
        assert_evidence(f, |e| e.ends_with(reason));
    }
}

/// A pause hook nobody continued before it expired: its type says so even when the
/// deployment gives no reason; the fix is to continue in time, not to read a Lambda's logs.
#[test]
fn a_pause_hook_that_timed_out_is_no_hook_failure() {
    let store = with(|sd| {
        sd.status = "ROLLBACK_SUCCESSFUL".into();
        sd.finished_at = Some(t0());
        let h = &mut sd.hooks[0];
        h.status = "TIMED_OUT".into();
        h.target = None;
        h.target_type = Some("PAUSE".into());
    });
    assert_ids(
        &store,
        &["deployment_pause_timed_out"],
        &[
            "deployment_hook_failed",
            "deployment_test_traffic_failed",
            "deployment_stopped",
        ],
    );
    let f = finding(&store, "deployment_pause_timed_out");
    assert_evidence(f, |e| {
        e.contains("hook approve-test-traffic TIMED_OUT at POST_TEST_TRAFFIC_SHIFT")
    });
}

/// A hook whose status is FAILED because ECS could not invoke it: the hook's role is the
/// fix, not the hook's code or logs (it never ran).
#[test]
fn a_hook_ecs_could_not_invoke_is_its_role() {
    let stage = "POST_TEST_TRAFFIC_SHIFT";
    let store = rolled_back(
        "Service deployment rolled back because POST_TEST_TRAFFIC_SHIFT lifecycle hook(s) failed. \
         ECS was unable to invoke hook target arn:aws:lambda:us-east-1:1:function:web-approve due to \
         User: arn:aws:sts::1:assumed-role/web-hooks/ECS-Lambda-Execution is not authorized to \
         perform: lambda:InvokeFunction",
        stage,
        Some("FAILED"),
    );
    assert_ids(
        &store,
        &["deployment_hook_permission"],
        &["deployment_hook_failed", "deployment_test_traffic_failed"],
    );
    let f = finding(&store, "deployment_hook_permission");
    assert_evidence(f, |e| {
        e.contains("hook web-approve FAILED at POST_TEST_TRAFFIC_SHIFT")
    });
    // a hook that ran and said FAILED stays a hook failure (and a failure on test traffic)
    let store = rolled_back(
        "Service deployment rolled back because POST_TEST_TRAFFIC_SHIFT lifecycle hook(s) failed. \
         Lifecycle hook target arn:aws:lambda:us-east-1:1:function:web-approve returned FAILED status.",
        stage,
        Some("FAILED"),
    );
    assert_ids(
        &store,
        &["deployment_hook_failed", "deployment_test_traffic_failed"],
        &[],
    );
}

/// ECS rolled back by itself for a reason no rule knows: a failed deployment (a family match,
/// and it says so), not a rollback someone asked for.
#[test]
fn a_rollback_ecs_explains_in_words_no_rule_knows_is_a_failure_not_a_request() {
    let reason =
        "Service deployment rolled back because the green revision's frobnicator was not ready.";
    let store = rolled_back(reason, "PRODUCTION_TRAFFIC_SHIFT", None);
    let ids = finding_ids(&store);
    assert!(!ids.contains(&"deployment_stopped".to_string()), "{ids:?}");
    let f = finding(&store, "deployment_failed");
    assert_eq!(f.confidence, ecswatch::diagnosis::Confidence::Family);
    assert_evidence(f, |e| e.ends_with(reason));
}

#[test]
fn a_failed_rollback_is_critical() {
    let store = with(|sd| {
        sd.status = "ROLLBACK_FAILED".into();
        sd.finished_at = Some(t0());
        sd.hooks.clear();
    });
    let f = finding(&store, "deployment_rollback_failed");
    assert_eq!(f.severity, ecswatch::diagnosis::Severity::Critical);
}

#[test]
fn a_deployment_that_ended_hours_ago_is_no_evidence() {
    let store = with(|sd| {
        sd.status = "ROLLBACK_FAILED".into();
        sd.finished_at = Some(t0() - chrono::Duration::hours(5));
        sd.updated_at = sd.finished_at;
        sd.hooks.clear();
    });
    let ids = finding_ids(&store);
    assert!(!ids.iter().any(|i| i.starts_with("deployment_")), "{ids:?}");
}

#[test]
fn code_deploy_is_not_linted_for_the_ecs_breaker() {
    let store = loaded(code_deploy(), task_definition(), target_group());
    let ids = finding_ids(&store);
    assert!(
        !ids.iter().any(|i| i.starts_with("circuit_breaker")),
        "{ids:?}"
    );
    // the same service deployed by ECS without a breaker is
    let mut ecs = code_deploy();
    ecs.controller = Some("ECS".into());
    let store = loaded(ecs, task_definition(), target_group());
    assert!(finding_ids(&store).contains(&"circuit_breaker_disabled".to_string()));
}
