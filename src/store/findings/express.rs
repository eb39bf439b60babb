//! Express Mode: a resource ECS manages for the service (its load balancer, listener, target
//! group, certificate, security group, log group, alarm, scaling) that failed to provision is
//! why the service serves nothing; the revision's `ecsManagedResources` says which and why.

use crate::diagnosis::{ConfirmContext, Finding};
use crate::model::Service;
use crate::store::Store;

pub fn lint_express(store: &Store, svc: &Service, ctx: &ConfirmContext) -> Vec<Finding> {
    if !svc.is_express() {
        return Vec::new();
    }
    let failed: Vec<String> = svc
        .managed_resources()
        .filter(|r| r.failed())
        .map(|r| r.line())
        .collect();
    if failed.is_empty() {
        return Vec::new();
    }
    let Some(entry) = store.playbook().entry("express_resource_failed") else {
        return Vec::new();
    };
    let mut c = ctx.clone();
    c.service_revision = svc.current_revisions.first().map(|r| r.arn.clone());
    let mut f = Finding::from_entry(entry, &c);
    f.count = failed.len();
    f.evidence = failed;
    vec![f]
}
