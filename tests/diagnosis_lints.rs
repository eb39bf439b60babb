//! Every configuration lint fires on its fixture and stays quiet on a safe configuration.

mod common;
use common::*;

#[test]
fn safe_configuration_has_no_findings() {
    let s = loaded(service(), task_definition(), target_group());
    assert_eq!(finding_ids(&s), Vec::<String>::new());
}

#[test]
fn circuit_breaker_disabled_and_no_rollback() {
    let mut svc = service();
    svc.deployment_config.circuit_breaker_enable = None;
    assert_eq!(
        finding_ids(&loaded(svc.clone(), task_definition(), target_group())),
        ["circuit_breaker_disabled"]
    );
    svc.deployment_config.circuit_breaker_enable = Some(false);
    assert_eq!(
        finding_ids(&loaded(svc.clone(), task_definition(), target_group())),
        ["circuit_breaker_disabled"]
    );
    svc.deployment_config.circuit_breaker_enable = Some(true);
    svc.deployment_config.circuit_breaker_rollback = Some(false);
    let s = loaded(svc, task_definition(), target_group());
    assert_eq!(finding_ids(&s), ["circuit_breaker_no_rollback"]);
    let f = &s.services.values().next().unwrap().findings[0];
    assert_eq!(
        f.confirm,
        "aws ecs describe-services --cluster prod --services web --query 'services[0].deploymentConfiguration.deploymentCircuitBreaker' --region us-east-1"
    );
}

#[test]
fn deregistration_delay_above_stop_timeout_or_default() {
    let mut tg = target_group();
    tg.deregistration_delay_s = Some(120);
    assert_eq!(
        finding_ids(&loaded(service(), task_definition(), tg.clone())),
        ["deregistration_delay_too_long"]
    );
    let mut td = task_definition();
    td.containers[0].stop_timeout_s = Some(120);
    assert_eq!(
        finding_ids(&loaded(service(), td.clone(), tg.clone())),
        Vec::<String>::new()
    );
    tg.deregistration_delay_s = Some(300);
    td.containers[0].stop_timeout_s = Some(300);
    assert_eq!(
        finding_ids(&loaded(service(), td, tg)),
        ["deregistration_delay_too_long"]
    );
}

#[test]
fn health_check_grace_zero_only_when_load_balanced() {
    let mut svc = service();
    svc.health_check_grace_s = Some(0);
    assert_eq!(
        finding_ids(&loaded(svc.clone(), task_definition(), target_group())),
        ["health_check_grace_zero"]
    );
    svc.load_balancers.clear();
    assert_eq!(
        finding_ids(&loaded(svc, task_definition(), target_group())),
        Vec::<String>::new()
    );
}

#[test]
fn mutable_image_tag() {
    let mut td = task_definition();
    td.containers[0].image = "nginx:1.27".into();
    let s = loaded(service(), td, target_group());
    assert_eq!(finding_ids(&s), ["mutable_image_tag"]);
    let f = &s.services.values().next().unwrap().findings[0];
    assert_eq!(f.evidence, ["web:7 container app: image nginx:1.27"]);
}

#[test]
fn shell_pid1_in_command_or_entrypoint() {
    for (entry, cmd) in [
        (vec![], vec!["sh", "-c", "exec ./run"]),
        (vec!["/bin/bash", "-c"], vec!["./run"]),
        (vec![], vec!["sh -c ./run"]),
        (vec!["/bin/sh", "-xc"], vec!["./run"]),
    ] {
        let mut td = task_definition();
        td.containers[0].entry_point = entry.iter().map(|s| s.to_string()).collect();
        td.containers[0].command = cmd.iter().map(|s| s.to_string()).collect();
        assert_eq!(
            finding_ids(&loaded(service(), td, target_group())),
            ["shell_pid1"],
            "{entry:?} {cmd:?}"
        );
    }
    let mut td = task_definition();
    td.containers[0].command = vec!["./shc".into(), "-c".into()];
    assert_eq!(
        finding_ids(&loaded(service(), td, target_group())),
        Vec::<String>::new()
    );
}

#[test]
fn target_type_not_ip_for_awsvpc() {
    let mut tg = target_group();
    tg.target_type = Some("instance".into());
    let s = loaded(service(), task_definition(), tg.clone());
    assert_eq!(finding_ids(&s), ["target_type_not_ip"]);
    assert!(
        s.services.values().next().unwrap().findings[0]
            .confirm
            .contains(TG)
    );
    let mut svc = service();
    svc.awsvpc = false;
    let mut td = task_definition();
    td.network_mode = Some("bridge".into());
    assert_eq!(finding_ids(&loaded(svc, td, tg)), Vec::<String>::new());
}

#[test]
fn plaintext_secret_env_names_without_values() {
    let mut td = task_definition();
    td.containers[0].environment = vec![
        ("STRIPE_SECRET_KEY".into(), ecswatch::model::MASK.into()),
        ("LOG_LEVEL".into(), "info".into()),
    ];
    let s = loaded(service(), td, target_group());
    assert_eq!(finding_ids(&s), ["plaintext_secret_env"]);
    assert_eq!(
        s.services.values().next().unwrap().findings[0].evidence,
        ["web:7 container app: environment STRIPE_SECRET_KEY (value masked)"]
    );
}

#[test]
fn findings_rank_cause_before_effect_and_group_per_cause() {
    use ecswatch::model::*;
    use ecswatch::poll::{Payload, Source};
    let mut svc = service();
    svc.deployments[0].rollout_state = Some("FAILED".into());
    svc.deployments[0].rollout_state_reason =
        Some("ECS deployment circuit breaker: tasks failed to start.".into());
    let mut s = loaded(svc, task_definition(), target_group());
    let task = |i: i64| {
        Task {
        arn: format!("arn:aws:ecs:us-east-1:1:task/prod/t{i}"),
        cluster: "prod".into(),
        task_definition: TD.into(),
        group: Some("service:web".into()),
        last_status: "STOPPED".into(),
        stopped_at: Some(t0() - chrono::Duration::minutes(i)),
        stopped_reason: Some("Essential container in task exited".into()),
        stop_code: Some("EssentialContainerExited".into()),
        containers: vec![ContainerState {
            name: "app".into(),
            image: Some("1.dkr.ecr.us-east-1.amazonaws.com/web:v2".into()),
            exit_code: None,
            reason: Some("CannotPullContainerError: pull image manifest has been retried 1 time(s): failed to resolve ref 1.dkr.ecr.us-east-1.amazonaws.com/web:v2: not found".into()),
            ..Default::default()
        }],
        ..Default::default()
    }
    };
    apply(
        &mut s,
        Source::StoppedTasks,
        Payload::StoppedTasks((1..=4).map(task).collect()),
    );
    s.refresh_findings(t0());
    let st = s.services.values().next().unwrap();
    let ids: Vec<&str> = st.findings.iter().map(|f| f.id.as_str()).collect();
    assert_eq!(
        ids,
        ["image_pull_not_found", "deployment_failed_circuit_breaker"]
    );
    let top = &st.findings[0];
    assert_eq!(top.count, 4);
    assert_eq!(top.first_seen, Some(t0() - chrono::Duration::minutes(4)));
    assert_eq!(top.last_seen, Some(t0() - chrono::Duration::minutes(1)));
    assert_eq!(
        top.evidence[0],
        "4 stopped tasks, first 2026-11-22T11:56:00Z, last 2026-11-22T11:59:00Z"
    );
    assert_eq!(
        top.confirm,
        "aws ecr describe-images --repository-name web --image-ids imageTag=v2 --region us-east-1"
    );
}

#[test]
fn old_evidence_is_history_not_a_finding() {
    use ecswatch::model::*;
    use ecswatch::poll::{Payload, Source};
    let mut svc = service();
    svc.events = vec![ServiceEvent {
        id: "e1".into(),
        created_at: Some(t0() - chrono::Duration::hours(5)),
        message: "(service web) (deployment ecs-svc/1) deployment failed: tasks failed to start."
            .into(),
    }];
    let mut s = loaded(svc, task_definition(), target_group());
    apply(&mut s, Source::StoppedTasks, Payload::StoppedTasks(vec![]));
    s.refresh_findings(t0());
    assert_eq!(finding_ids(&s), Vec::<String>::new());
}
