//! The write planner (`actions::plan`), without a terminal: every refusal in its order (unknown
//! service, does not apply — said even when read-only —, read-only) and every kind of write
//! (a change to confirm, a count to ask, a lookup).

mod common;

use common::*;
use ecswatch::actions::{Planned, Request, WriteOp, plan, read_only};
use ecswatch::aws::{HookAction, StopType};
use ecswatch::model::*;

fn key() -> ServiceKey {
    ServiceKey::new("prod", "web")
}

const ALL: [Request; 7] = [
    Request::Rollback,
    Request::Redeploy,
    Request::Scale,
    Request::StopTask,
    Request::AbortDeployment,
    Request::ContinueHook,
    Request::RollbackHook,
];

#[test]
fn an_unknown_service_is_refused_first() {
    let store = store();
    for req in ALL {
        for allowed in [false, true] {
            assert_eq!(
                plan(&store, allowed, req, &key()),
                Planned::Refuse("prod/web is not known yet".into())
            );
        }
    }
}

#[test]
fn what_does_not_apply_says_why_before_read_only() {
    // a CodeDeploy service: ECS deployment writes do not apply, whatever the console allows
    let store = with_service(code_deploy());
    for allowed in [false, true] {
        for req in [
            Request::Rollback,
            Request::Redeploy,
            Request::AbortDeployment,
        ] {
            match plan(&store, allowed, req, &key()) {
                Planned::Refuse(why) => assert!(why.contains("deployed by CodeDeploy"), "{why}"),
                other => panic!("{req:?}: {other:?}"),
            }
        }
    }
    // no deployment in progress: the deployment keys say so even when writes are allowed
    let store = with_service(service());
    for req in [
        Request::AbortDeployment,
        Request::ContinueHook,
        Request::RollbackHook,
    ] {
        assert!(
            matches!(plan(&store, true, req, &key()), Planned::Refuse(_)),
            "{req:?}"
        );
    }
}

#[test]
fn a_read_only_console_refuses_every_write_that_applies() {
    let store = with_service(service());
    for req in [
        Request::Rollback,
        Request::Redeploy,
        Request::Scale,
        Request::StopTask,
    ] {
        assert_eq!(
            plan(&store, false, req, &key()),
            Planned::Refuse(read_only(req))
        );
    }
    assert!(read_only(Request::Scale).contains("--allow-writes"));
}

#[test]
fn each_write_leads_to_its_next_step() {
    let store = with_service(service());
    assert_eq!(
        plan(&store, true, Request::Redeploy, &key()),
        Planned::Confirm(WriteOp::Redeploy {
            key: key(),
            task_definition: TD.into(),
        })
    );
    assert_eq!(
        plan(&store, true, Request::Scale, &key()),
        Planned::AskCount {
            key: key(),
            from: 2
        }
    );
    assert_eq!(
        plan(&store, true, Request::StopTask, &key()),
        Planned::ListTasks(key())
    );
    // nothing earlier in the store: the previous revision is looked up
    assert_eq!(
        plan(&store, true, Request::Rollback, &key()),
        Planned::LookUpRollback {
            key: key(),
            current: TD.into(),
        }
    );
    // an earlier deployment that completed: the rollback goes to it, no lookup
    let mut svc = service();
    svc.deployments[0].rollout_state = Some("IN_PROGRESS".into());
    svc.deployments[0].task_definition = TD8.into();
    svc.deployments.push(Deployment {
        id: "ecs-svc/0".into(),
        status: "ACTIVE".into(),
        task_definition: TD.into(),
        rollout_state: Some("COMPLETED".into()),
        ..Default::default()
    });
    match plan(&with_service(svc), true, Request::Rollback, &key()) {
        Planned::Confirm(WriteOp::Rollback { from, to, .. }) => {
            assert_eq!((from.as_str(), to.as_str()), (TD8, TD));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_live_service_deployment_is_stopped_or_answered_at_its_hook() {
    let store = with_service(blue_green_at_hook(t0()));
    match plan(&store, true, Request::Rollback, &key()) {
        Planned::Confirm(WriteOp::StopDeployment { stop, .. }) => {
            assert_eq!(stop, StopType::Rollback)
        }
        other => panic!("{other:?}"),
    }
    match plan(&store, true, Request::AbortDeployment, &key()) {
        Planned::Confirm(WriteOp::StopDeployment { stop, .. }) => {
            assert_eq!(stop, StopType::Abort)
        }
        other => panic!("{other:?}"),
    }
    for (req, want) in [
        (Request::ContinueHook, HookAction::Continue),
        (Request::RollbackHook, HookAction::Rollback),
    ] {
        match plan(&store, true, req, &key()) {
            Planned::Confirm(WriteOp::Hook { action, .. }) => assert_eq!(action, want),
            other => panic!("{req:?}: {other:?}"),
        }
    }
    // read-only: the same keys are refused, naming the flag
    assert_eq!(
        plan(&store, false, Request::ContinueHook, &key()),
        Planned::Refuse(read_only(Request::ContinueHook))
    );
}
