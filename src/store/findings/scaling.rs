//! Auto scaling lints: a policy whose `ResourceLabel` names another load balancer or target
//! group (the policy does nothing for this service), scaling suspended, at max capacity while
//! targets fail health checks or CPU is pinned, min = max.

use crate::diagnosis::{ConfirmContext, Finding};
use crate::model::{MetricKind, Service, scaling::resource_label};
use crate::store::Store;

/// CPU at or above this, for [`PINNED_MINUTES`] datapoints in a row, is pinned.
pub const CPU_PINNED: f64 = 90.0;
pub const PINNED_MINUTES: usize = 3;

pub fn lint_scaling(store: &Store, svc: &Service, ctx: &ConfirmContext) -> Vec<Finding> {
    let pb = store.playbook();
    let Some(st) = store.services.get(&svc.key()) else {
        return Vec::new();
    };
    let Some(scaling) = st.scaling.as_deref() else {
        return Vec::new();
    };
    let Some(target) = scaling.target.as_ref() else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let mut push = |id: &str, evidence: Vec<String>| {
        if let Some(entry) = pb.entry(id) {
            let mut f = Finding::from_entry(entry, ctx);
            f.count = 1;
            f.evidence = evidence;
            out.push(f);
        }
    };

    // the labels this service's own traffic is counted under
    let groups = store.target_groups_of(svc);
    let own: Vec<String> = groups
        .iter()
        .flat_map(|g| {
            g.group
                .load_balancer_dimensions
                .iter()
                .filter_map(|lb| resource_label(lb, &g.group.arn))
        })
        .collect();
    // what the label must end with even before the load balancer is known
    let own_groups: Vec<String> = svc
        .group_arns()
        .into_iter()
        .filter_map(|arn| arn.split_once(":targetgroup/").map(|(_, t)| t.to_string()))
        .collect();
    for p in &scaling.policies {
        if p.metric.as_deref() != Some("ALBRequestCountPerTarget") {
            continue;
        }
        let label = p.resource_label.as_deref().unwrap_or("");
        let matches = if own.is_empty() {
            own_groups
                .iter()
                .any(|g| label.ends_with(&format!("/targetgroup/{g}")))
        } else {
            own.iter().any(|o| o == label)
        };
        if matches {
            continue;
        }
        let expected = own
            .first()
            .cloned()
            .or_else(|| own_groups.first().map(|g| format!(".../targetgroup/{g}")))
            .unwrap_or_else(|| "(the service has no target group)".into());
        push(
            "scaling_resource_label_mismatch",
            vec![
                format!(
                    "policy {}: ResourceLabel {}",
                    p.name,
                    if label.is_empty() { "(none)" } else { label }
                ),
                format!("this service's traffic is counted under {expected}"),
            ],
        );
    }

    let suspended = target.suspended();
    if !suspended.is_empty() {
        push(
            "scaling_suspended",
            vec![format!(
                "{}: {} scaling suspended (min {}, max {})",
                target.resource_id,
                suspended.join(", "),
                target.min,
                target.max
            )],
        );
    }

    if target.min == target.max {
        push(
            "scaling_min_equals_max",
            vec![format!(
                "{}: MinCapacity = MaxCapacity = {}",
                target.resource_id, target.max
            )],
        );
    } else if svc.desired >= target.max {
        let unhealthy: usize = groups
            .iter()
            .map(|g| g.targets.iter().filter(|t| t.state == "unhealthy").count())
            .sum();
        let cpu: Vec<f64> = st
            .metrics
            .get(&MetricKind::CpuUtilization)
            .map(|r| r.iter().rev().take(PINNED_MINUTES).map(|p| p.v).collect())
            .unwrap_or_default();
        let pinned = cpu.len() == PINNED_MINUTES && cpu.iter().all(|v| *v >= CPU_PINNED);
        if unhealthy > 0 || pinned {
            let mut evidence = vec![format!(
                "desired {} = MaxCapacity {} ({})",
                svc.desired, target.max, target.resource_id
            )];
            if unhealthy > 0 {
                evidence.push(format!("{unhealthy} targets unhealthy"));
            }
            if pinned {
                evidence.push(format!(
                    "CPU {:.0}% or more for the last {PINNED_MINUTES} minutes",
                    CPU_PINNED
                ));
            }
            if let Some(a) = scaling.activities.iter().find(|a| {
                a.not_scaled
                    .iter()
                    .any(|r| r.code == "AlreadyAtMaxCapacity")
            }) {
                evidence.push(format!(
                    "not scaled: AlreadyAtMaxCapacity ({})",
                    a.description
                ));
            }
            push("scaling_at_max", evidence);
        }
    }
    out
}
