//! Where the console's data comes from: its own pollers (live), a hub's (a shared session's
//! viewer) or a recording (replay).

use super::intent;
use super::state::{UiState, Visible};
use crate::aws::AwsApi;
use crate::poll::PollPlan;
pub(super) use crate::poll::runner::publish;
use crate::record::{Record, player::Player};
use crate::store::Store;
use std::sync::Arc;
use tokio::sync::{mpsc, watch};

/// Where the store comes from.
pub(super) enum Feed<A: AwsApi> {
    Live {
        /// One client per target, indexed like the store's targets.
        apis: Vec<Arc<A>>,
        store: Box<Store>,
        /// One plan per target: the part of the store's plan its pollers read.
        plan_txs: Vec<watch::Sender<PollPlan>>,
        refresh: u64,
        /// A viewer of a shared session: what it wants read goes to the hub, whose pollers
        /// read for every viewer (`plan_txs` is empty).
        hub: Option<mpsc::Sender<crate::store::Intent>>,
        /// A viewer's notes and actions go to the hub, which sends them to every viewer
        /// (this one too): one timeline for everyone attached.
        shared: Option<mpsc::Sender<Record>>,
    },
    Replay {
        player: Box<Player>,
        /// Wall-clock instant of the last advance.
        last: std::time::Instant,
    },
}

impl<A: AwsApi> Feed<A> {
    pub(super) fn store(&self) -> &Store {
        match self {
            Feed::Live { store, .. } => store,
            Feed::Replay { player, .. } => &player.store,
        }
    }

    pub(super) fn store_mut(&mut self) -> &mut Store {
        match self {
            Feed::Live { store, .. } => store,
            Feed::Replay { player, .. } => &mut player.store,
        }
    }

    /// The time the view shows: now, or the replay position.
    pub(super) fn now(&self) -> crate::model::Time {
        match self {
            Feed::Live { .. } => chrono::Utc::now(),
            Feed::Replay { player, .. } => player.position,
        }
    }

    pub(super) fn replan(&mut self, ui: &UiState, vis: &Visible, refresh_now: bool) {
        if let Feed::Live {
            store,
            plan_txs,
            refresh,
            hub,
            ..
        } = self
        {
            if refresh_now {
                *refresh += 1;
            }
            let want = intent(ui, vis, *refresh);
            if let Some(hub) = hub {
                // the viewer's own sender drops repeats; a full queue drops this one (the next
                // change sends the whole intent again)
                let _ = hub.try_send(want.clone());
            }
            for (i, tx) in plan_txs.iter().enumerate() {
                let t = crate::model::PlaceIx::try_from(i).unwrap_or(crate::model::PlaceIx::MAX);
                publish(tx, store.plan_of(t, &want));
            }
        }
    }

    /// Where a shared session's notes and actions go (None: not shared).
    pub(super) fn shared(&self) -> Option<mpsc::Sender<Record>> {
        match self {
            Feed::Live { shared, .. } => shared.clone(),
            Feed::Replay { .. } => None,
        }
    }

    /// The client of a shared session's one place (None: not shared, or several places, whose
    /// writes each name their own profile).
    pub(super) fn shared_api(&self) -> Option<Arc<A>> {
        match self {
            Feed::Live {
                apis,
                shared: Some(_),
                ..
            } if apis.len() == 1 => apis.first().cloned(),
            _ => None,
        }
    }

    /// The client of the target a service is in.
    pub(super) fn api_for(&self, key: &crate::model::ServiceKey) -> Option<Arc<A>> {
        match self {
            Feed::Live { apis, .. } => apis.get(usize::from(key.place)).cloned(),
            Feed::Replay { .. } => None,
        }
    }
}
