//! The store: the one owner of state. Pollers' updates are applied here in the app task; no locks.
//!
//! It keeps the last good value per source with when it was fetched and the last error
//! (staleness), bounded histories, stopped tasks by ARN (kept after ECS forgets them),
//! deduplicated events, and the findings of the diagnosis engine, recomputed when inputs change.

mod apply;
pub mod findings;
mod places;
mod plan;
mod prune;
mod ring;
mod service_state;
mod status;
pub mod timeline;
mod traffic;

pub use places::{PlaceState, short_region};
pub use plan::Intent;
pub use ring::Ring;
pub use service_state::{ServiceState, TargetGroupState};
pub use status::SourceStatus;
pub use timeline::{ActionRecord, Entry, EntryKind, Note, Transition};

use crate::diagnosis::{Finding, Playbook};
use crate::model::{
    LatticeTarget, ListenerRule, LogLine, MetricKind, MetricPoint, PlaceIx, Service, ServiceEvent,
    ServiceKey, TargetGroup, TargetHealth, Task, TaskDefinition, Time, short_name,
    target_group_name,
};
use crate::model::{Scope, Source};
use crate::poll::{Payload, PlannedService, PollPlan, Update};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;
pub use traffic::{GroupView, Swap};

/// Events kept per service (ECS itself keeps 100).
pub const EVENTS_KEPT: usize = 1000;
/// Stopped tasks kept per service.
pub const STOPPED_KEPT: usize = 500;
/// Metric points kept per series: two hours of minutes. The widest view draws 40 minutes and
/// the first read is an hour; a day (1,440) per series was 12 times what anything shows.
pub const METRIC_POINTS_KEPT: usize = 120;
/// Stopped tasks no service lists any more (gone, out of scope, or beyond [`STOPPED_KEPT`])
/// are forgotten this long after they stopped (ECS itself lists them for about an hour).
pub const UNREFERENCED_TASK_KEPT_S: i64 = 3600;
/// Log lines kept per service.
pub const LOG_LINES_KEPT: usize = 2000;
/// Stopped tasks whose own streams are kept (the most recently opened).
pub const TASK_LOGS_KEPT: usize = 20;

pub struct Store {
    /// What is watched: one account × Region each (a service's key says which).
    pub places: Vec<PlaceState>,
    playbook: Arc<Playbook>,
    pub services: BTreeMap<ServiceKey, ServiceState>,
    pub stopped_tasks: HashMap<String, Task>,
    pub task_definitions: HashMap<String, TaskDefinition>,
    pub target_groups: HashMap<String, TargetGroupState>,
    /// Blue/green listener rules by ARN, with when they were read.
    pub rules: HashMap<String, (ListenerRule, Time)>,
    /// VPC Lattice target groups' targets by group ARN, with when they were read.
    pub lattice: HashMap<String, (Vec<LatticeTarget>, Time)>,
    /// Container instances (EC2 and Managed Instances) by ARN, with when they were read.
    pub container_instances: HashMap<String, (crate::model::ContainerInstance, Time)>,
    /// Stopped tasks held in their final STOPPED state (the pollers never describe them again).
    final_tasks: Arc<HashSet<String>>,
    /// The own log streams of stopped tasks opened in task detail, by task ARN (read once).
    pub task_logs: HashMap<String, Vec<LogLine>>,
    /// Task ARNs of `task_logs`, oldest read first (bounded by [`TASK_LOGS_KEPT`]).
    task_logs_order: std::collections::VecDeque<String>,
    /// (target, cluster) -> Container Insights enabled (DescribeClusters settings).
    pub container_insights: HashMap<(PlaceIx, String), crate::model::Insights>,
    /// ecswatch's share of the account's quotas, handed to the pollers in the plan.
    pub pace: crate::aws::metered::Pace,
    /// Services whose findings must be recomputed (their inputs changed).
    dirty: HashSet<ServiceKey>,
    /// Recompute every service (an input shared by many changed).
    dirty_all: bool,
    /// When every service was last diagnosed: the evidence window moves with time.
    last_full: Option<Time>,
    /// Writes made from the console, oldest first.
    pub actions: Ring<ActionRecord>,
    /// The user's notes, oldest first.
    pub notes: Ring<Note>,
}

/// Findings of unchanged services are recomputed at least this often, as evidence ages out.
const FULL_DIAGNOSIS_EVERY_S: i64 = 300;

impl Store {
    /// A store watching one target: `scope` in `region`.
    pub fn new(scope: Scope, region: String, playbook: Arc<Playbook>) -> Self {
        let spec = crate::room::PlaceSpec {
            scope,
            ..Default::default()
        };
        Self::with_places(vec![PlaceState::new(spec, region)], playbook)
    }

    /// A store watching several places (at least one; an empty list watches the default).
    pub fn with_places(mut places: Vec<PlaceState>, playbook: Arc<Playbook>) -> Self {
        if places.is_empty() {
            places.push(PlaceState::default());
        }
        Self {
            places,
            playbook,
            services: BTreeMap::new(),
            stopped_tasks: HashMap::new(),
            task_definitions: HashMap::new(),
            target_groups: HashMap::new(),
            rules: HashMap::new(),
            lattice: HashMap::new(),
            container_instances: HashMap::new(),
            final_tasks: Arc::new(HashSet::new()),
            task_logs: HashMap::new(),
            task_logs_order: std::collections::VecDeque::new(),
            container_insights: HashMap::new(),
            pace: crate::aws::metered::Pace::default(),
            dirty: HashSet::new(),
            dirty_all: false,
            last_full: None,
            actions: Ring::new(timeline::ACTIONS_KEPT),
            notes: Ring::new(timeline::ACTIONS_KEPT),
        }
    }

    pub fn playbook(&self) -> &Playbook {
        &self.playbook
    }

    /// The place a service (or anything keyed by one) belongs to.
    pub fn place(&self, t: PlaceIx) -> &PlaceState {
        self.places.get(usize::from(t)).unwrap_or(&self.places[0])
    }

    /// The Region of a target.
    pub fn region_of(&self, t: PlaceIx) -> &str {
        &self.place(t).region
    }

    /// The first target's Region (the only one, unless several are watched).
    pub fn region(&self) -> &str {
        &self.places[0].region
    }

    /// More than one account or Region is watched: rows are tagged with theirs.
    pub fn multi_target(&self) -> bool {
        self.places.len() > 1
    }

    /// A source's freshness in one target.
    pub fn source_status(&self, t: PlaceIx, source: Source) -> Option<&SourceStatus> {
        self.place(t).status.get(&source)
    }

    /// The staleness of a source across every target: the oldest success, every target's
    /// errors (for one target, exactly its status).
    pub fn status(&self, source: Source) -> SourceStatus {
        if let [only] = self.places.as_slice() {
            return only.status.get(&source).cloned().unwrap_or_default();
        }
        let all: Vec<&SourceStatus> = self
            .places
            .iter()
            .filter_map(|t| t.status.get(&source))
            .collect();
        SourceStatus {
            last_ok: all.iter().map(|s| s.last_ok).min().flatten(),
            last_poll: all.iter().filter_map(|s| s.last_poll).max(),
            errors: all.iter().flat_map(|s| s.errors.iter().cloned()).collect(),
            consecutive_failures: all
                .iter()
                .map(|s| s.consecutive_failures)
                .max()
                .unwrap_or(0),
            next_try: all.iter().filter_map(|s| s.next_try).min(),
        }
    }

    /// Recompute the findings of the services whose inputs changed (all of them every five
    /// minutes, since evidence ages out of the window). Metrics and logs are not evidence.
    pub fn refresh_findings(&mut self, now: Time) {
        let full = self.dirty_all
            || self
                .last_full
                .is_none_or(|t| (now - t).num_seconds() >= FULL_DIAGNOSIS_EVERY_S);
        let keys: Vec<ServiceKey> = if full {
            self.last_full = Some(now);
            self.services.keys().cloned().collect()
        } else {
            self.dirty
                .iter()
                .filter(|k| self.services.contains_key(*k))
                .cloned()
                .collect()
        };
        self.dirty.clear();
        self.dirty_all = false;
        if full {
            self.prune(now);
        }
        for key in keys {
            let findings = findings::diagnose_service(self, &key, now);
            if let Some(state) = self.services.get_mut(&key) {
                for t in timeline::finding_transitions(&state.findings, &findings, now) {
                    state.transitions.push(t);
                }
                state.findings = findings;
            }
        }
    }

    /// Record a write made from the console.
    pub fn add_action(&mut self, action: ActionRecord) {
        self.actions.push(action);
    }

    /// Record a note the user typed.
    pub fn add_note(&mut self, note: Note) {
        self.notes.push(note);
    }

    /// The timeline of one service, or of everything in scope, oldest first.
    pub fn timeline(&self, only: Option<&ServiceKey>) -> Vec<Entry> {
        timeline::entries(self, only)
    }
}
