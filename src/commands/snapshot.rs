//! `ecswatch snapshot`: one poll of every source, printed as text or JSON.

use super::Exit;
use crate::aws::AwsApi;
use crate::cli::{SnapshotArgs, SnapshotFormat};
use crate::diagnosis::Playbook;
use crate::poll::{Scope, Source, cycle};
use crate::report::{snapshot_json, snapshot_text};
use crate::store::Store;
use std::sync::Arc;

/// Add positional `SERVICE` / `CLUSTER/SERVICE` scope words to the flags' scope.
pub fn scope_from(mut scope: Scope, words: &[String]) -> Scope {
    for w in words {
        match w.split_once('/') {
            Some((c, s)) if !w.starts_with("arn:") => {
                if !scope.clusters.iter().any(|x| x == c) {
                    scope.clusters.push(c.to_string());
                }
                scope.services.push(s.to_string());
            }
            _ => scope.services.push(w.clone()),
        }
    }
    scope
}

/// Run one cycle and render it. Fails (exit 1, one-line cause) only when nothing about the
/// services could be read.
pub async fn run<A: AwsApi>(
    api: &A,
    pb: Playbook,
    scope: Scope,
    args: &SnapshotArgs,
) -> Result<String, Exit> {
    let mut store = Store::new(scope.clone(), api.region(), Arc::new(pb));
    let now = chrono::Utc::now();
    cycle::run_once(api, &mut store, now).await;
    let status = &store.status[&Source::Services];
    if status.last_ok.is_none() || (store.services.is_empty() && !scope.services.is_empty()) {
        let cause = status
            .errors
            .first()
            .map(|(_, e)| e.to_string())
            .unwrap_or_else(|| "no service in scope was found".to_string());
        return Err(Exit::new(1, format!("cannot read services: {cause}")));
    }
    Ok(match args.format {
        SnapshotFormat::Json => snapshot_json(&store, now) + "\n",
        SnapshotFormat::Text => snapshot_text(&store, now),
    })
}
