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
            out.resources.push(resource(
                "load balancer",
                lb.arn(),
                lb.status(),
                lb.status_reason(),
                Some(lb.updated_at()),
            ));
        }
        for sg in p.load_balancer_security_groups() {
            out.resources.push(resource(
                "security group",
                sg.arn(),
                sg.status(),
                sg.status_reason(),
                Some(sg.updated_at()),
            ));
        }
        if let Some(c) = p.certificate() {
            out.resources.push(resource(
                "certificate",
                c.arn(),
                c.status(),
                c.status_reason(),
                Some(c.updated_at()),
            ));
        }
        if let Some(l) = p.listener() {
            out.resources.push(resource(
                "listener",
                l.arn(),
                l.status(),
                l.status_reason(),
                Some(l.updated_at()),
            ));
        }
        if let Some(r) = p.rule() {
            out.resources.push(resource(
                "listener rule",
                r.arn(),
                r.status(),
                r.status_reason(),
                Some(r.updated_at()),
            ));
        }
        for tg in p.target_groups() {
            out.resources.push(resource(
                "target group",
                tg.arn(),
                tg.status(),
                tg.status_reason(),
                Some(tg.updated_at()),
            ));
        }
    }
    for sg in m.service_security_groups() {
        out.resources.push(resource(
            "security group",
            sg.arn(),
            sg.status(),
            sg.status_reason(),
            Some(sg.updated_at()),
        ));
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
        out.resources.push(resource(
            "metric alarm",
            a.arn(),
            a.status(),
            a.status_reason(),
            Some(a.updated_at()),
        ));
    }
    if let Some(s) = m.auto_scaling() {
        if let Some(t) = s.scalable_target() {
            out.resources.push(resource(
                "scalable target",
                t.arn(),
                t.status(),
                t.status_reason(),
                Some(t.updated_at()),
            ));
        }
        for p in s.application_auto_scaling_policies() {
            out.resources.push(resource(
                "scaling policy",
                p.arn(),
                p.status(),
                p.status_reason(),
                Some(p.updated_at()),
            ));
        }
    }
    out
}
