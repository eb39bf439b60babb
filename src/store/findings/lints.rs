//! Configuration lints: risky settings of the service, its task definition and target groups.

use crate::diagnosis::{ConfirmContext, Finding};
use crate::model::{ContainerDef, Service, is_secret_name};
use crate::store::Store;

/// ECS's default stopTimeout when a container sets none.
const DEFAULT_STOP_TIMEOUT_S: i64 = 30;

pub fn lint_service(store: &Store, svc: &Service, ctx: &ConfirmContext) -> Vec<Finding> {
    let pb = store.playbook();
    let mut out = Vec::new();
    let mut push = |id: &str, ctx: &ConfirmContext, evidence: Vec<String>| {
        if let Some(entry) = pb.entry(id) {
            let mut f = Finding::from_entry(entry, ctx);
            f.count = evidence.len().max(1);
            f.evidence = evidence;
            out.push(f);
        }
    };

    let dc = &svc.deployment_config;
    // CodeDeploy and external deployers do not use the ECS deployment circuit breaker
    let breaker = if svc.ecs_controlled() {
        (dc.circuit_breaker_enable, dc.circuit_breaker_rollback)
    } else {
        (Some(true), None)
    };
    match breaker {
        (Some(true), Some(false)) => push(
            "circuit_breaker_no_rollback",
            ctx,
            vec!["deploymentCircuitBreaker: enable=true, rollback=false".into()],
        ),
        (Some(true), _) => {}
        _ => push(
            "circuit_breaker_disabled",
            ctx,
            vec!["deploymentCircuitBreaker is not enabled".into()],
        ),
    }

    let load_balanced = svc
        .load_balancers
        .iter()
        .any(|l| l.target_group_arn.is_some());
    if load_balanced && svc.health_check_grace_s.unwrap_or(0) == 0 {
        push(
            "health_check_grace_zero",
            ctx,
            vec!["healthCheckGracePeriodSeconds = 0 on a load-balanced service".into()],
        );
    }

    // The task definition the service is moving to (or runs).
    let current = svc
        .primary()
        .map(|d| d.task_definition.as_str())
        .unwrap_or(&svc.task_definition);
    let td = store.task_definitions.get(current);
    let containers: &[ContainerDef] = td.map(|t| t.containers.as_slice()).unwrap_or(&[]);
    let label = crate::model::task_definition_label(current);

    let mutable: Vec<String> = containers
        .iter()
        .filter(|c| !c.image.contains("@sha256:"))
        .map(|c| format!("{label} container {}: image {}", c.name, c.image))
        .collect();
    if !mutable.is_empty() {
        push("mutable_image_tag", ctx, mutable);
    }

    let shells: Vec<String> = containers
        .iter()
        .filter(|c| is_shell_wrapped(c))
        .map(|c| {
            let argv: Vec<&str> = c
                .entry_point
                .iter()
                .chain(&c.command)
                .map(String::as_str)
                .collect();
            format!("{label} container {}: {}", c.name, argv.join(" "))
        })
        .collect();
    if !shells.is_empty() {
        push("shell_pid1", ctx, shells);
    }

    let secrets: Vec<String> = containers
        .iter()
        .flat_map(|c| {
            c.environment
                .iter()
                .filter(|(n, _)| is_secret_name(n))
                .map(move |(n, _)| {
                    format!(
                        "{label} container {}: environment {n} (value masked)",
                        c.name
                    )
                })
        })
        .collect();
    if !secrets.is_empty() {
        push("plaintext_secret_env", ctx, secrets);
    }

    let max_stop = containers
        .iter()
        .map(|c| {
            c.stop_timeout_s
                .map(i64::from)
                .unwrap_or(DEFAULT_STOP_TIMEOUT_S)
        })
        .max()
        .unwrap_or(DEFAULT_STOP_TIMEOUT_S);
    // one finding per lint, every group's evidence in it (blue/green has two groups; the
    // confirm command names the first, production's)
    let mut delays: Vec<(String, String)> = Vec::new();
    let mut types: Vec<(String, String)> = Vec::new();
    for tg in store.target_groups_of(svc) {
        if let Some(delay) = tg.group.deregistration_delay_s
            && (delay > max_stop || delay == 300)
        {
            delays.push((
                tg.group.arn.clone(),
                format!(
                    "{}: deregistration delay {delay} s, containers stop within {max_stop} s",
                    tg.group.name
                ),
            ));
        }
        let awsvpc = svc.awsvpc || td.and_then(|t| t.network_mode.as_deref()) == Some("awsvpc");
        if awsvpc && tg.group.target_type.as_deref() == Some("instance") {
            types.push((
                tg.group.arn.clone(),
                format!(
                    "{}: target type instance, service uses awsvpc",
                    tg.group.name
                ),
            ));
        }
    }
    for (id, found) in [
        ("deregistration_delay_too_long", delays),
        ("target_type_not_ip", types),
    ] {
        if let Some((arn, _)) = found.first() {
            let mut tctx = ctx.clone();
            tctx.target_group = Some(arn.clone());
            push(id, &tctx, found.into_iter().map(|(_, e)| e).collect());
        }
    }
    out
}

/// `sh -c ...`, `/bin/bash -c ...` as entryPoint or command.
fn is_shell_wrapped(c: &ContainerDef) -> bool {
    let argv: Vec<&str> = c
        .entry_point
        .iter()
        .chain(&c.command)
        .map(String::as_str)
        .collect();
    let is_shell = |s: &str| {
        let base = s.rsplit('/').next().unwrap_or(s);
        matches!(base, "sh" | "bash" | "ash" | "dash" | "zsh")
    };
    match argv.as_slice() {
        [sh, flag, ..] if is_shell(sh) && flag.starts_with('-') && flag.contains('c') => true,
        [one, ..] => {
            let mut words = one.split_whitespace();
            matches!((words.next(), words.next()), (Some(sh), Some(flag)) if is_shell(sh) && flag.starts_with('-') && flag.contains('c'))
        }
        [] => false,
    }
}
