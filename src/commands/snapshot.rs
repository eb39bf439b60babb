//! `ecswatch snapshot`: one poll of every source, printed as text or JSON.

use super::Exit;
use super::cycle;
use crate::aws::AwsApi;
use crate::cli::{SnapshotArgs, SnapshotFormat};
use crate::diagnosis::Playbook;
use crate::model::{Scope, Source};
use crate::record::{Recorder, Recording, player::Player};
use crate::report::{snapshot_json, snapshot_text};
use crate::store::{PlaceState, Store};
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

/// Run one cycle of every target (at once) and render it. Fails (exit 1, one-line cause) only
/// when nothing about the services of any target could be read; a target that fails while
/// others answer is reported in the output's errors. With a recorder, every update is appended
/// to the recording. The playbook is asked for once the answers are in: the built-in one
/// compiles its few hundred patterns on another thread while the calls are under way.
pub async fn run<A: AwsApi>(
    targets: &[(PlaceState, Arc<A>)],
    pb: impl FnOnce() -> Result<Playbook, Exit>,
    args: &SnapshotArgs,
    mut recorder: Option<&mut Recorder>,
) -> Result<String, Exit> {
    let now = chrono::Utc::now();
    let updates = cycle::run_all(targets, now).await;
    let states: Vec<PlaceState> = targets.iter().map(|(s, _)| s.clone()).collect();
    let mut store = Store::with_places(states, Arc::new(pb()?));
    for u in updates {
        if let Some(r) = recorder.as_deref_mut() {
            r.update(&u).map_err(|e| Exit::new(2, e))?;
        }
        store.apply(u);
    }
    store.refresh_findings(now);
    let any_read = store.places.iter().any(|t| {
        t.status
            .get(&Source::Services)
            .is_some_and(|s| s.last_ok.is_some())
    });
    let named = store
        .places
        .iter()
        .any(|t| !t.spec.scope.services.is_empty());
    if !any_read || (store.services.is_empty() && named) {
        let cause = store
            .places
            .iter()
            .find_map(|t| {
                let (_, e) = t.status.get(&Source::Services)?.errors.first()?;
                let text = if e.kind.is_credentials() {
                    crate::report::credentials_hint(
                        e.kind,
                        t.credentials.as_ref(),
                        t.spec.profile.as_deref(),
                    )
                } else {
                    e.to_string()
                };
                Some(if store.multi_target() {
                    format!("{}: {text}", t.label())
                } else {
                    text
                })
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
