//! What a write key leads to, decided without I/O: the checks in their one order — an unknown
//! service, a write that does not apply to this service (said even in a read-only console: it
//! is the real answer), a read-only console, then the plan — and what comes next: the exact
//! change to confirm, a count to ask, or a lookup (calls) that ends in one. The app loop only
//! carries out what this says (`app::plan_write`).

use super::{Request, WriteOp, current_task_definition, not_applicable, plan_deployment};
use crate::model::ServiceKey;
use crate::store::Store;

/// The next step of a write the user asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Planned {
    /// Nothing changes: why.
    Refuse(String),
    /// Show the exact change and ask for the confirm word.
    Confirm(WriteOp),
    /// Ask the new desired count (showing the current one).
    AskCount { key: ServiceKey, from: i32 },
    /// Find the previous ACTIVE revision of the family (ListTaskDefinitions), then confirm.
    LookUpRollback { key: ServiceKey, current: String },
    /// List the service's running tasks (ListTasks, DescribeTasks), then ask which to stop.
    ListTasks(ServiceKey),
}

/// What a read-only console says to a write key.
pub fn read_only(req: Request) -> String {
    format!(
        "read-only: to {} start ecswatch with --allow-writes (every write asks you to type the service name)",
        req.verb()
    )
}

/// The next step of `req` on `key`.
pub fn plan(store: &Store, writes_allowed: bool, req: Request, key: &ServiceKey) -> Planned {
    let Some(state) = store.services.get(key) else {
        return Planned::Refuse(format!("{key} is not known yet"));
    };
    if let Some(why) = not_applicable(&state.service, req) {
        return Planned::Refuse(why);
    }
    if !writes_allowed {
        return Planned::Refuse(read_only(req));
    }
    if let Some(op) = plan_deployment(&state.service, key, req) {
        return Planned::Confirm(op);
    }
    let no_td = || Planned::Refuse(format!("{key} has no task definition"));
    match req {
        // not_applicable refuses these without a live service deployment, and with one
        // plan_deployment planned them: a deployment that ended between the two reads
        Request::AbortDeployment | Request::ContinueHook | Request::RollbackHook => {
            Planned::Refuse(format!(
                "{key}: the service deployment is no longer in progress"
            ))
        }
        Request::Rollback => match super::rollback_from_store(store, key) {
            Ok(Some(op)) => Planned::Confirm(op),
            Ok(None) => match current_task_definition(store, key) {
                Some(current) => Planned::LookUpRollback {
                    key: key.clone(),
                    current,
                },
                None => no_td(),
            },
            Err(e) => Planned::Refuse(e),
        },
        Request::Redeploy => match current_task_definition(store, key) {
            Some(td) => Planned::Confirm(WriteOp::Redeploy {
                key: key.clone(),
                task_definition: td,
            }),
            None => no_td(),
        },
        Request::Scale => Planned::AskCount {
            key: key.clone(),
            from: state.service.desired,
        },
        Request::StopTask => Planned::ListTasks(key.clone()),
    }
}
