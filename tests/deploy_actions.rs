//! Writes on service deployments: `R` stops a live one with ROLLBACK (not a task-definition
//! rollback), `A` aborts it, `C`/`B` answer a waiting hook; ECS already rolling back, a
//! CodeDeploy service or no hook waiting: the key says why and plans nothing.

mod common;

use common::*;
use ecswatch::actions::{Request, WriteOp, not_applicable, plan_deployment};
use ecswatch::aws::{HookAction, StopType};
use ecswatch::model::*;

fn key() -> ServiceKey {
    ServiceKey::new("prod", "web")
}

#[test]
fn r_on_a_live_service_deployment_stops_it_with_rollback() {
    let svc = blue_green_at_hook(t0());
    assert_eq!(not_applicable(&svc, Request::Rollback), None);
    let op = plan_deployment(&svc, &key(), Request::Rollback).unwrap();
    let WriteOp::StopDeployment { stop, arn, .. } = &op else {
        panic!("{op:?}")
    };
    assert_eq!((*stop, arn.as_str()), (StopType::Rollback, SD_ARN));
    assert_eq!(
        op.describe(),
        "web: roll back service deployment Qm3Vc8KXh2Nq4Rw7Tb1Zp (to web:8): ECS returns traffic and tasks to web:7"
    );
    assert_eq!(
        op.cli(),
        format!(
            "aws ecs stop-service-deployment --service-deployment-arn {SD_ARN} --stop-type ROLLBACK"
        )
    );
    let abort = plan_deployment(&svc, &key(), Request::AbortDeployment).unwrap();
    assert!(
        abort.cli().ends_with("--stop-type ABORT"),
        "{}",
        abort.cli()
    );
    assert!(
        abort
            .describe()
            .contains("where it is (ABORT): no rollback")
    );
}

#[test]
fn the_hook_keys_answer_the_waiting_hook() {
    let svc = blue_green_at_hook(t0());
    for (req, action, word) in [
        (Request::ContinueHook, HookAction::Continue, "CONTINUE"),
        (Request::RollbackHook, HookAction::Rollback, "ROLLBACK"),
    ] {
        assert_eq!(not_applicable(&svc, req), None);
        let op = plan_deployment(&svc, &key(), req).unwrap();
        let WriteOp::Hook {
            action: a, hook_id, ..
        } = &op
        else {
            panic!("{op:?}")
        };
        assert_eq!((*a, hook_id.as_str()), (action, "approve-test-traffic"));
        assert_eq!(
            op.cli(),
            format!(
                "aws ecs continue-service-deployment --service-deployment-arn {SD_ARN} --hook-id approve-test-traffic --action {word}"
            )
        );
    }
    let op = plan_deployment(&svc, &key(), Request::ContinueHook).unwrap();
    assert_eq!(
        op.describe(),
        "web: continue service deployment Qm3Vc8KXh2Nq4Rw7Tb1Zp (to web:8) past hook web-approve at POST_TEST_TRAFFIC_SHIFT"
    );
}

#[test]
fn with_no_hook_waiting_the_hook_keys_say_so() {
    let mut svc = blue_green_at_hook(t0());
    let sd = svc.service_deployment.as_mut().unwrap();
    sd.hooks.clear();
    sd.lifecycle_stage = Some("BAKE_TIME".into());
    let why = not_applicable(&svc, Request::ContinueHook).unwrap();
    assert_eq!(
        why,
        "no lifecycle hook is waiting: the deployment to web:8 is IN_PROGRESS at BAKE_TIME"
    );
    assert!(plan_deployment(&svc, &key(), Request::ContinueHook).is_none());
    // and with no service deployment at all
    let plain = service();
    assert!(
        not_applicable(&plain, Request::AbortDeployment)
            .unwrap()
            .contains("no service deployment in progress")
    );
}

#[test]
fn while_ecs_rolls_back_r_does_nothing() {
    let mut svc = blue_green_at_hook(t0());
    let sd = svc.service_deployment.as_mut().unwrap();
    sd.status = "ROLLBACK_IN_PROGRESS".into();
    sd.hooks.clear();
    assert_eq!(
        not_applicable(&svc, Request::Rollback).as_deref(),
        Some(
            "ECS is already rolling back the deployment to web:8 (ROLLBACK_IN_PROGRESS): nothing to do"
        )
    );
    // the circuit breaker's rollback without service deployments: the primary is the good
    // revision again; rolling back "to the previous one" would pick the one before it
    let mut svc = service();
    svc.deployments[0].rollout_state = Some("IN_PROGRESS".into());
    svc.deployments.push(Deployment {
        id: "ecs-svc/2".into(),
        status: "ACTIVE".into(),
        task_definition: TD8.into(),
        rollout_state: Some("FAILED".into()),
        ..Default::default()
    });
    assert_eq!(
        not_applicable(&svc, Request::Rollback).as_deref(),
        Some("ECS is already rolling back from web:8 to web:7: nothing to do")
    );
    // once it completed, R plans the classic rollback again
    svc.deployments[0].rollout_state = Some("COMPLETED".into());
    assert_eq!(not_applicable(&svc, Request::Rollback), None);
}

#[test]
fn code_deploy_services_refuse_ecs_deployment_writes_and_say_why() {
    let svc = code_deploy();
    for req in [
        Request::Rollback,
        Request::Redeploy,
        Request::AbortDeployment,
        Request::ContinueHook,
        Request::RollbackHook,
    ] {
        let why = not_applicable(&svc, req).unwrap_or_else(|| panic!("{req:?} applies"));
        assert!(
            why.starts_with("web is deployed by CodeDeploy (deployment d-7QX2ABCDE): "),
            "{why}"
        );
        assert!(
            why.contains("aws deploy stop-deployment --deployment-id d-7QX2ABCDE"),
            "{why}"
        );
        assert!(plan_deployment(&svc, &key(), req).is_none());
    }
    // the desired count and a task are the service's own, whoever deploys it
    assert_eq!(not_applicable(&svc, Request::Scale), None);
    assert_eq!(not_applicable(&svc, Request::StopTask), None);
    let mut ext = code_deploy();
    ext.controller = Some("EXTERNAL".into());
    assert!(
        not_applicable(&ext, Request::Rollback)
            .unwrap()
            .contains("EXTERNAL deployment controller")
    );
}
