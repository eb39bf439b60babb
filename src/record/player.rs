//! Replaying a recording: the store as it was at any moment of it. Moving forward applies the
//! next records; moving back rebuilds the store from the start (the store only moves forward).

use super::{Record, Recording};
use crate::diagnosis::Playbook;
use crate::model::Scope;
use crate::model::Time;
use crate::store::{PlaceState, Store};
use std::sync::Arc;

pub struct Player {
    records: Vec<Record>,
    playbook: Arc<Playbook>,
    /// The targets the store is built with (each with the scope it replays).
    targets: Vec<PlaceState>,
    pub store: Store,
    /// Records applied so far.
    cursor: usize,
    /// The moment of the recording the store shows.
    pub position: Time,
}

impl Player {
    /// A player at the start of the recording. `scope` narrows what the recording holds (empty:
    /// what was recorded).
    pub fn new(recording: Recording, playbook: Arc<Playbook>, scope: Scope) -> Self {
        let narrowed = scope != Scope::default();
        let scope = if scope == Scope::default() {
            recording.scope.clone()
        } else {
            scope
        };
        let position = recording.start().unwrap_or_default();
        let targets: Vec<PlaceState> = if recording.targets.is_empty() {
            let spec = crate::room::PlaceSpec {
                scope,
                ..Default::default()
            };
            vec![PlaceState::new(spec, recording.region.clone())]
        } else {
            recording
                .targets
                .iter()
                .map(|t| {
                    let mut spec = t.spec.clone();
                    if narrowed {
                        spec.scope = scope.clone();
                    }
                    PlaceState::new(spec, t.region.clone())
                })
                .collect()
        };
        let store = Store::with_places(targets.clone(), playbook.clone());
        Self {
            records: recording.records,
            playbook,
            targets,
            store,
            cursor: 0,
            position,
        }
    }

    pub fn start(&self) -> Time {
        self.records
            .first()
            .map(Record::time)
            .unwrap_or(self.position)
    }

    pub fn end(&self) -> Time {
        self.records
            .last()
            .map(Record::time)
            .unwrap_or(self.position)
    }

    pub fn at_end(&self) -> bool {
        self.cursor >= self.records.len()
    }

    /// Show the recording as it was at `t` (clamped to the recording). Returns true when the
    /// store changed.
    pub fn seek(&mut self, t: Time) -> bool {
        let t = t.clamp(self.start(), self.end());
        let mut changed = false;
        if t < self.position {
            self.store = Store::with_places(self.targets.clone(), self.playbook.clone());
            self.cursor = 0;
            changed = true;
        }
        while let Some(r) = self.records.get(self.cursor) {
            let rt = r.time();
            if rt > t {
                break;
            }
            match r.clone() {
                Record::Update { update, .. } => {
                    changed |= self.store.apply(update.into());
                    self.store.refresh_findings(rt);
                }
                Record::Action { action, .. } => {
                    self.store.add_action(action);
                    changed = true;
                }
                Record::Note { note, .. } => {
                    self.store.add_note(note);
                    changed = true;
                }
                Record::Header { .. } => {}
            }
            self.cursor += 1;
        }
        self.position = t;
        changed
    }

    /// Play to the end of the recording.
    pub fn finish(&mut self) {
        let end = self.end();
        self.seek(end);
    }
}
