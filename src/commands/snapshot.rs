//! `ecswatch snapshot`: one poll of every source, printed as text or JSON.

use super::Exit;
use crate::aws::AwsApi;
use crate::cli::{SnapshotArgs, SnapshotFormat};
use crate::diagnosis::Playbook;
use crate::poll::{Scope, Source, cycle};
use crate::record::{Recorder, Recording, player::Player};
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
/// services could be read. With a recorder, every update is appended to the recording.
pub async fn run<A: AwsApi>(
    api: &A,
    pb: Playbook,
    scope: Scope,
    args: &SnapshotArgs,
    mut recorder: Option<&mut Recorder>,
) -> Result<String, Exit> {
    let mut store = Store::new(scope.clone(), api.region(), Arc::new(pb));
    store.profile = api.profile();
    let now = chrono::Utc::now();
    let mut record_error = None;
    cycle::run_once(api, &mut store, now, &mut |u| {
        if let Some(r) = recorder.as_deref_mut() {
            if let Err(e) = r.update(u) {
                record_error.get_or_insert(e);
            }
        }
    })
    .await;
    if let Some(e) = record_error {
        return Err(Exit::new(2, e));
    }
    let status = &store.status[&Source::Services];
    if status.last_ok.is_none() || (store.services.is_empty() && !scope.services.is_empty()) {
        let cause = status
            .errors
            .first()
            .map(|(_, e)| {
                if e.kind.is_credentials() {
                    crate::report::credentials_hint(e.kind, store.profile.as_deref())
                } else {
                    e.to_string()
                }
            })
            .unwrap_or_else(|| "no service in scope was found".to_string());
        return Err(Exit::new(1, format!("cannot read services: {cause}")));
    }
    Ok(render(&store, now, args.format))
}

fn render(store: &Store, now: crate::model::Time, format: SnapshotFormat) -> String {
    match format {
        SnapshotFormat::Json => snapshot_json(store, now) + "\n",
        SnapshotFormat::Text => snapshot_text(store, now),
    }
}

/// Read a recording for a command, printing its skipped lines to stderr. Bad files exit 2.
pub fn read_recording(path: &std::path::Path) -> Result<Recording, Exit> {
    let rec = crate::record::read(path).map_err(|e| Exit::new(2, e))?;
    for w in rec.warnings() {
        eprintln!("ecswatch: {w}");
    }
    Ok(rec)
}

/// `snapshot --replay FILE`: the picture at the end of a recording, no AWS needed.
pub fn from_replay(pb: Playbook, scope: Scope, args: &SnapshotArgs) -> Result<String, Exit> {
    let Some(path) = &args.replay else {
        return Err(Exit::new(2, "--replay needs a file"));
    };
    let rec = read_recording(path)?;
    let mut player = Player::new(rec, Arc::new(pb), scope);
    player.finish();
    if player.store.services.is_empty() {
        return Err(Exit::new(
            1,
            format!("{}: no service in scope was recorded", path.display()),
        ));
    }
    Ok(render(&player.store, player.position, args.format))
}
