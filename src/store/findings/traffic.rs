//! Traffic-path findings, from structure rather than text: a zonal shift that keeps traffic
//! from the targets of one Availability Zone, the load balancer's anomaly mitigation routing
//! around an outlier, a blue/green production listener rule that forwards elsewhere than ECS
//! says, and a blue/green pair whose roles could not be read. Only groups that carry traffic
//! count (blue/green's idle group serves nobody).

use crate::diagnosis::{ConfirmContext, Finding};
use crate::model::{GroupRole, Service, target_group_name};
use crate::store::Store;

pub fn lint_traffic(store: &Store, svc: &Service, ctx: &ConfirmContext) -> Vec<Finding> {
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
    let groups = store.traffic_of(svc);
    let (mut shifted, mut anomalous) = (Vec::new(), Vec::new());
    let (mut shift_ctx, mut anomaly_ctx) = (ctx.clone(), ctx.clone());
    for g in groups.iter().filter(|g| g.role.carries_traffic()) {
        let Some(state) = g.state else {
            continue;
        };
        let role = if g.blue_green {
            format!(" ({})", g.role.label())
        } else {
            String::new()
        };
        for t in &state.targets {
            let port = t.port.map(|p| format!(":{p}")).unwrap_or_default();
            if t.overridden() {
                shift_ctx.target_group = Some(g.arn.clone());
                shifted.push(format!(
                    "target {}{port} in {}{role}: {} {}{}",
                    t.id,
                    g.name(),
                    t.override_state.as_deref().unwrap_or("-"),
                    t.override_reason.as_deref().unwrap_or("-"),
                    t.override_description
                        .as_deref()
                        .map(|d| format!(" ({d})"))
                        .unwrap_or_default()
                ));
            }
            if t.anomalous() {
                anomaly_ctx.target_group = Some(g.arn.clone());
                anomalous.push(format!(
                    "target {}{port} in {}{role}: anomalous, mitigation {}",
                    t.id,
                    g.name(),
                    if t.mitigated() {
                        "in effect (the load balancer routes around it)"
                    } else {
                        "not in effect"
                    }
                ));
            }
        }
    }
    if !shifted.is_empty() {
        push("elb_zonal_shift", &shift_ctx, shifted);
    }
    if !anomalous.is_empty() {
        push("elb_anomaly_mitigation", &anomaly_ctx, anomalous);
    }
    if let Some((rule, serving, prod)) = store.traffic_mismatch(svc) {
        let mut c = ctx.clone();
        c.listener_rule = Some(rule.clone());
        c.target_group = Some(prod.clone());
        let to = if serving.is_empty() {
            "neither group".to_string()
        } else {
            serving
                .iter()
                .map(|s| target_group_name(s))
                .collect::<Vec<_>>()
                .join(" and ")
        };
        push(
            "traffic_path_mismatch",
            &c,
            vec![format!(
                "production listener rule {} forwards to {to}; ECS runs production behind {}",
                crate::model::short_name(&rule),
                target_group_name(&prod)
            )],
        );
    }
    // VPC Lattice targets Lattice's health checks fail: their status and reason code as
    // evidence (the reason codes Lattice sends are not documented as a list)
    for l in svc.lattice_groups() {
        let Some((targets, _)) = store.lattice.get(&l.target_group_arn) else {
            continue;
        };
        let bad: Vec<String> = targets
            .iter()
            .filter(|t| t.status == "UNHEALTHY")
            .map(|t| {
                format!(
                    "VPC Lattice target {}{} in {}: {}{}",
                    t.id,
                    t.port.map(|p| format!(":{p}")).unwrap_or_default(),
                    crate::model::short_name(&l.target_group_arn),
                    t.status,
                    t.reason
                        .as_deref()
                        .map(|r| format!(" {r}"))
                        .unwrap_or_default()
                )
            })
            .collect();
        // one finding whatever the reason code: an ELB entry's fix and confirm command would
        // name a load balancer's target group, not this Lattice one
        if !bad.is_empty() {
            let mut c = ctx.clone();
            c.lattice_group = Some(l.target_group_arn.clone());
            push("lattice_target_unhealthy", &c, bad);
        }
    }
    let unknown: Vec<String> = groups
        .iter()
        .filter(|g| g.role == GroupRole::Unknown)
        .map(|g| format!("{}: {}", g.name(), g.why))
        .collect();
    if !unknown.is_empty() {
        push("blue_green_roles_unread", ctx, unknown);
    }
    out
}
