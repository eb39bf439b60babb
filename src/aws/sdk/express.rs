//! Express Mode: a service revision's `ecsManagedResources`, the resources ECS provisions and
//! manages for the service, each with its status.

use super::{clean, to_time_opt};
use crate::model::{ManagedResource, ManagedResources};
use crate::sanitize;
use aws_sdk_ecs::types;

/// One resource: its kind, id, status, reason and when it changed.
fn resource(
    kind: &str,
    id: Option<&str>,
    status: &types::ManagedResourceStatus,
    reason: Option<&str>,
    updated_at: Option<&aws_smithy_types::DateTime>,
) -> ManagedResource {
    ManagedResource {
        kind: kind.to_string(),
        id: clean(id),
        status: sanitize::clean(status.as_str()),
        reason: reason.map(sanitize::clean).filter(|r| !r.trim().is_empty()),
        updated_at: to_time_opt(updated_at),
    }
}

/// Push one managed resource of any of the SDK's managed-resource types (each has `arn`,
/// `status`, `status_reason` and `updated_at`, but no trait says so).
macro_rules! push {
    ($out:expr, $kind:expr, $r:expr) => {
        $out.resources.push(resource(
            $kind,
            $r.arn(),
            $r.status(),
            $r.status_reason(),
            Some($r.updated_at()),
        ))
    };
}

/// The revision's managed resources (empty for a service whose resources are the customer's).
pub(super) fn managed_resources(m: Option<&types::EcsManagedResources>) -> ManagedResources {
    let Some(m) = m else {
        return ManagedResources::default();
    };
    let mut out = ManagedResources::default();
    for p in m.ingress_paths() {
        let endpoint = sanitize::clean(p.endpoint());
        if !endpoint.is_empty() && !out.endpoints.contains(&endpoint) {
            out.endpoints.push(endpoint);
        }
        if let Some(lb) = p.load_balancer() {
            push!(out, "load balancer", lb);
        }
        for sg in p.load_balancer_security_groups() {
            push!(out, "security group", sg);
        }
        if let Some(c) = p.certificate() {
            push!(out, "certificate", c);
        }
        if let Some(l) = p.listener() {
            push!(out, "listener", l);
        }
        if let Some(r) = p.rule() {
            push!(out, "listener rule", r);
        }
        for tg in p.target_groups() {
            push!(out, "target group", tg);
        }
    }
    for sg in m.service_security_groups() {
        push!(out, "security group", sg);
    }
    for g in m.log_groups() {
        let id = g.arn().or(Some(g.log_group_name()));
        out.resources.push(resource(
            "log group",
            id,
            g.status(),
            g.status_reason(),
            Some(g.updated_at()),
        ));
    }
    for a in m.metric_alarms() {
        push!(out, "metric alarm", a);
    }
    if let Some(s) = m.auto_scaling() {
        if let Some(t) = s.scalable_target() {
            push!(out, "scalable target", t);
        }
        for p in s.application_auto_scaling_policies() {
            push!(out, "scaling policy", p);
        }
    }
    out
}
