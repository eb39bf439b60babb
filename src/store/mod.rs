//! The store: the one owner of state. Pollers' updates are applied here in the app task; no locks.
//!
//! It keeps the last good value per source with when it was fetched and the last error
//! (staleness), bounded histories, stopped tasks by ARN (kept after ECS forgets them),
//! deduplicated events, and the findings of the diagnosis engine, recomputed when inputs change.

pub mod findings;
mod ring;
mod status;
mod targets;
pub mod timeline;
mod traffic;

pub use ring::Ring;
pub use status::SourceStatus;
pub use targets::{TargetState, short_region};
pub use timeline::{ActionRecord, Entry, EntryKind, Note, Transition};

use crate::diagnosis::{Finding, Playbook};
use crate::model::{
    LatticeTarget, ListenerRule, LogLine, MetricKind, MetricPoint, Service, ServiceEvent,
    ServiceKey, StoppedTask, TargetGroup, TargetHealth, TargetIx, TaskDefinition, Time, short_name,
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

#[derive(Debug, Clone)]
pub struct TargetGroupState {
    pub group: TargetGroup,
    pub targets: Vec<TargetHealth>,
    /// When the targets' health was read.
    pub fetched_at: Time,
    /// When the group's description and attributes were read.
    pub described_at: Time,
}

/// An event id as the dedup set holds it: 64 bits of SipHash (fixed keys), not the string.
fn event_key(id: &str) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::hash::DefaultHasher::new();
    id.hash(&mut h);
    h.finish()
}

/// One shared copy of each finding id (there are a few dozen, events number thousands).
fn intern(id: &str) -> Arc<str> {
    static IDS: std::sync::OnceLock<std::sync::Mutex<HashSet<Arc<str>>>> =
        std::sync::OnceLock::new();
    let ids = IDS.get_or_init(Default::default);
    let Ok(mut ids) = ids.lock() else {
        return Arc::from(id);
    };
    if let Some(found) = ids.get(id) {
        return found.clone();
    }
    let new: Arc<str> = Arc::from(id);
    ids.insert(new.clone());
    new
}

/// Everything known about one service.
#[derive(Debug, Clone)]
pub struct ServiceState {
    /// The latest DescribeServices answer, with `events` moved out into `events` below.
    pub service: Service,
    /// Newest first, deduplicated by id, longer than ECS's 100.
    pub events: Vec<ServiceEvent>,
    /// Event id (hashed) -> finding id (interned) and match confidence, classified once when
    /// the event is first seen (also the dedup set). Hashed ids and shared category names keep
    /// a long history small: 2,000 events a service, hundreds of services.
    event_categories: HashMap<u64, Option<(Arc<str>, crate::diagnosis::Confidence)>>,
    /// ARNs of this service's stopped tasks, newest first.
    pub stopped: Vec<String>,
    /// Its running tasks as last listed (the open service's only), oldest started first.
    pub running: Vec<StoppedTask>,
    /// When `running` was read.
    pub running_read_at: Option<Time>,
    /// Its auto scaling (the open service's; every service's in `snapshot`), once read.
    pub scaling: Option<Box<crate::model::Scaling>>,
    pub metrics: BTreeMap<MetricKind, Ring<MetricPoint>>,
    pub logs: Ring<LogLine>,
    log_ids: HashSet<String>,
    /// When this service's log groups were last read without an error (its log pane's age).
    pub logs_read_at: Option<Time>,
    pub findings: Vec<Finding>,
    /// What changed over time that only the timeline keeps (see [`timeline`]).
    pub transitions: Ring<Transition>,
    /// Task definitions of deployments seen COMPLETED as primary, oldest first (the rollback
    /// target is the last one that is not the current one).
    pub completed: Vec<String>,
    /// When the current service deployment's lifecycle stage, and its traffic step (the
    /// target revision's weights), were first seen as they are now (the bake countdowns).
    pub stage_since: Option<Time>,
    pub step_since: Option<Time>,
    /// Blue/green: where production went, oldest first (see [`traffic`]).
    pub swaps: Vec<Swap>,
}

impl ServiceState {
    /// Whether the service runs behind target group `arn`.
    pub fn uses_group(&self, arn: &str) -> bool {
        self.service.group_arns().contains(&arn)
    }

    fn new(service: Service) -> Self {
        Self {
            service,
            events: Vec::new(),
            event_categories: HashMap::new(),
            stopped: Vec::new(),
            running: Vec::new(),
            running_read_at: None,
            scaling: None,
            metrics: BTreeMap::new(),
            logs: Ring::new(LOG_LINES_KEPT),
            log_ids: HashSet::new(),
            logs_read_at: None,
            findings: Vec::new(),
            transitions: Ring::new(timeline::TRANSITIONS_KEPT),
            completed: Vec::new(),
            stage_since: None,
            step_since: None,
            swaps: Vec::new(),
        }
    }

    /// Note when the service deployment's stage and traffic step began (`old`: the service
    /// before this answer). The first time a deployment is seen, its `updatedAt` is the best
    /// estimate ECS gives.
    fn note_stage(&mut self, old: Option<&Service>, at: Time) {
        let Some(new) = self.service.service_deployment.as_ref() else {
            self.stage_since = None;
            self.step_since = None;
            return;
        };
        let before = old
            .and_then(|o| o.service_deployment.as_ref())
            .filter(|o| o.arn == new.arn);
        let first = new.updated_at.or(new.started_at).unwrap_or(at).min(at);
        let weights = |d: &crate::model::ServiceDeployment| {
            d.target_revision
                .as_ref()
                .map(|r| (r.production_weight, r.test_weight))
        };
        match before {
            None => {
                self.stage_since = Some(first);
                self.step_since = Some(first);
            }
            Some(b) => {
                if b.lifecycle_stage != new.lifecycle_stage || self.stage_since.is_none() {
                    self.stage_since = Some(if self.stage_since.is_none() {
                        first
                    } else {
                        at
                    });
                }
                if weights(b) != weights(new) || self.step_since.is_none() {
                    self.step_since = Some(if self.step_since.is_none() { first } else { at });
                }
            }
        }
    }

    fn note_completed(&mut self) {
        let done = self
            .service
            .primary()
            .filter(|d| d.rollout_state.as_deref() == Some("COMPLETED"))
            .map(|d| d.task_definition.clone());
        if let Some(td) = done
            && self.completed.last() != Some(&td)
        {
            self.completed.retain(|t| *t != td);
            self.completed.push(td);
            if self.completed.len() > 20 {
                self.completed.remove(0);
            }
        }
    }

    fn merge_events(&mut self, events: &[ServiceEvent], pb: &Playbook) -> bool {
        let mut added = false;
        for e in events {
            if let std::collections::hash_map::Entry::Vacant(slot) =
                self.event_categories.entry(event_key(&e.id))
            {
                slot.insert(
                    pb.classify_match(
                        Some(crate::diagnosis::EvidenceKind::ServiceEvent),
                        &e.message,
                    )
                    .map(|m| (intern(&m.entry.id), m.confidence)),
                );
                self.events.push(e.clone());
                added = true;
            }
        }
        if added {
            self.events.sort_by(|a, b| {
                b.created_at
                    .cmp(&a.created_at)
                    .then_with(|| b.id.cmp(&a.id))
            });
            for gone in self.events.drain(EVENTS_KEPT.min(self.events.len())..) {
                self.event_categories.remove(&event_key(&gone.id));
            }
        }
        added
    }

    /// The finding id an event was classified as, if any rule matched.
    pub fn event_category(&self, event_id: &str) -> Option<&str> {
        self.event_categories
            .get(&event_key(event_id))
            .and_then(|c| c.as_ref())
            .map(|(id, _)| &**id)
    }

    /// How sure the event's classification is (None when no rule matched).
    pub fn event_confidence(&self, event_id: &str) -> Option<crate::diagnosis::Confidence> {
        self.event_categories
            .get(&event_key(event_id))
            .and_then(|c| c.as_ref())
            .map(|(_, c)| *c)
    }
}

pub struct Store {
    /// What is watched: one account × Region each (a service's key says which).
    pub targets: Vec<TargetState>,
    playbook: Arc<Playbook>,
    pub services: BTreeMap<ServiceKey, ServiceState>,
    pub stopped_tasks: HashMap<String, StoppedTask>,
    pub task_definitions: HashMap<String, TaskDefinition>,
    pub target_groups: HashMap<String, TargetGroupState>,
    /// Blue/green listener rules by ARN, with when they were read.
    pub rules: HashMap<String, (ListenerRule, Time)>,
    /// VPC Lattice target groups' targets by group ARN, with when they were read.
    pub lattice: HashMap<String, (Vec<LatticeTarget>, Time)>,
    /// Stopped tasks held in their final STOPPED state (the pollers never describe them again).
    final_tasks: Arc<HashSet<String>>,
    /// The own log streams of stopped tasks opened in task detail, by task ARN (read once).
    pub task_logs: HashMap<String, Vec<LogLine>>,
    /// Task ARNs of `task_logs`, oldest read first (bounded by [`TASK_LOGS_KEPT`]).
    task_logs_order: std::collections::VecDeque<String>,
    /// (target, cluster) -> Container Insights enabled (DescribeClusters settings).
    pub container_insights: HashMap<(TargetIx, String), bool>,
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

/// Keyed batches with their keys in target `t`.
fn in_target<V>(t: TargetIx, batches: Vec<(ServiceKey, V)>) -> Vec<(ServiceKey, V)> {
    batches
        .into_iter()
        .map(|(k, v)| (ServiceKey { target: t, ..k }, v))
        .collect()
}

/// Findings of unchanged services are recomputed at least this often, as evidence ages out.
const FULL_DIAGNOSIS_EVERY_S: i64 = 300;

impl Store {
    /// A store watching one target: `scope` in `region`.
    pub fn new(scope: Scope, region: String, playbook: Arc<Playbook>) -> Self {
        let spec = crate::room::TargetSpec {
            scope,
            ..Default::default()
        };
        Self::with_targets(vec![TargetState::new(spec, region)], playbook)
    }

    /// A store watching several targets (at least one; an empty list watches the default).
    pub fn with_targets(mut targets: Vec<TargetState>, playbook: Arc<Playbook>) -> Self {
        if targets.is_empty() {
            targets.push(TargetState::default());
        }
        Self {
            targets,
            playbook,
            services: BTreeMap::new(),
            stopped_tasks: HashMap::new(),
            task_definitions: HashMap::new(),
            target_groups: HashMap::new(),
            rules: HashMap::new(),
            lattice: HashMap::new(),
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

    /// The target a service (or anything keyed by one) belongs to.
    pub fn target(&self, t: TargetIx) -> &TargetState {
        self.targets.get(usize::from(t)).unwrap_or(&self.targets[0])
    }

    /// The Region of a target.
    pub fn region_of(&self, t: TargetIx) -> &str {
        &self.target(t).region
    }

    /// The first target's Region (the only one, unless several are watched).
    pub fn region(&self) -> &str {
        &self.targets[0].region
    }

    /// More than one account or Region is watched: rows are tagged with theirs.
    pub fn multi_target(&self) -> bool {
        self.targets.len() > 1
    }

    /// A source's freshness in one target.
    pub fn source_status(&self, t: TargetIx, source: Source) -> Option<&SourceStatus> {
        self.target(t).status.get(&source)
    }

    /// The staleness of a source across every target: the oldest success, every target's
    /// errors (for one target, exactly its status).
    pub fn status(&self, source: Source) -> SourceStatus {
        if let [only] = self.targets.as_slice() {
            return only.status.get(&source).cloned().unwrap_or_default();
        }
        let all: Vec<&SourceStatus> = self
            .targets
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

    /// Apply one poller update. Returns true when anything visible changed.
    pub fn apply(&mut self, update: Update) -> bool {
        let t = update.target;
        // an update of a target this store does not hold (a damaged recording) is dropped
        let Some(target) = self.targets.get_mut(usize::from(t)) else {
            return false;
        };
        let status = target.status.entry(update.source).or_default();
        let mut changed =
            status.record(update.fetched_at, update.payload.is_some(), &update.errors);
        status.next_try = update.retry_at;
        if let Some(payload) = update.payload {
            changed |= match payload {
                Payload::Services {
                    services,
                    listed_clusters,
                    roster,
                    insights,
                } => {
                    for (cluster, on) in insights {
                        self.container_insights.insert((t, cluster), on);
                    }
                    let any = self.apply_services(
                        t,
                        services,
                        &listed_clusters,
                        roster,
                        update.fetched_at,
                    );
                    self.note_swaps(update.fetched_at);
                    any
                }
                Payload::StoppedTasks(tasks) => self.apply_stopped(t, tasks),
                Payload::Scaling(read) => {
                    let mut any = false;
                    for (key, scaling) in read {
                        let key = ServiceKey { target: t, ..key };
                        if let Some(state) = self.services.get_mut(&key)
                            && let scaling = scaling.keeping(state.scaling.as_deref())
                            && state.scaling.as_deref() != Some(&scaling)
                        {
                            state.scaling = Some(Box::new(scaling));
                            self.dirty.insert(key);
                            any = true;
                        }
                    }
                    any
                }
                Payload::RunningTasks(read) => {
                    let mut any = false;
                    for (key, tasks) in read {
                        any |= self.apply_running(
                            ServiceKey { target: t, ..key },
                            tasks,
                            update.fetched_at,
                        );
                    }
                    any
                }
                Payload::TaskDefinitions(tds) => {
                    let any = !tds.is_empty();
                    for td in tds {
                        self.task_definitions.insert(td.arn.clone(), td);
                    }
                    // rare (each ARN once): simplest to re-diagnose everyone
                    self.dirty_all |= any;
                    any
                }
                Payload::TargetsRead {
                    described,
                    health,
                    rules,
                    lattice,
                } => {
                    let mut any = false;
                    for (arn, targets) in lattice {
                        if self.lattice.get(&arn).map(|(t, _)| t) != Some(&targets) {
                            any = true;
                            for (key, st) in self.services.iter() {
                                if st
                                    .service
                                    .lattice_groups()
                                    .iter()
                                    .any(|l| l.target_group_arn == arn)
                                {
                                    self.dirty.insert(key.clone());
                                }
                            }
                        }
                        self.lattice.insert(arn, (targets, update.fetched_at));
                    }
                    for r in rules {
                        let arn = r.arn.clone();
                        if self.rules.get(&arn).map(|(old, _)| old) != Some(&r) {
                            any = true;
                            self.dirty_all = true;
                        }
                        self.rules.insert(arn, (r, update.fetched_at));
                    }
                    if any {
                        self.note_swaps(update.fetched_at);
                    }
                    for (group, targets) in described {
                        any |= self.apply_target_health(
                            group.arn.clone(),
                            Some(group),
                            targets,
                            update.fetched_at,
                        );
                    }
                    for (arn, targets) in health {
                        any |= self.apply_target_health(arn, None, targets, update.fetched_at);
                    }
                    any
                }
                // keys are the update's target's (a target's pollers read only its own)
                Payload::Metrics(series) => self.apply_metrics(
                    series
                        .into_iter()
                        .map(|(k, m, p)| (ServiceKey { target: t, ..k }, m, p))
                        .collect(),
                ),
                Payload::LogsRead { services, tasks } => {
                    // every service listed was read without an error (with or without lines)
                    for (k, _) in &services {
                        let key = ServiceKey {
                            target: t,
                            ..k.clone()
                        };
                        if let Some(state) = self.services.get_mut(&key) {
                            state.logs_read_at = Some(update.fetched_at);
                        }
                    }
                    let mut any = self.apply_logs(in_target(t, services));
                    for (arn, mut lines) in tasks {
                        lines.sort_by_key(|l| l.t);
                        lines.truncate(LOG_LINES_KEPT);
                        if self.task_logs.insert(arn.clone(), lines).is_none() {
                            self.task_logs_order.push_back(arn);
                            while self.task_logs_order.len() > TASK_LOGS_KEPT {
                                if let Some(old) = self.task_logs_order.pop_front() {
                                    self.task_logs.remove(&old);
                                }
                            }
                        }
                        any = true;
                    }
                    any
                }
            };
        }
        changed
    }

    /// A group's targets' health, with its new description if it was described again (a
    /// health-only answer for a group not held is dropped: it cannot be shown without one).
    fn apply_target_health(
        &mut self,
        arn: String,
        described: Option<TargetGroup>,
        targets: Vec<TargetHealth>,
        at: Time,
    ) -> bool {
        let prev = self.target_groups.get(&arn);
        // each call's answer is kept when another failed: a description whose attributes could
        // not be read keeps the delay read before; health whose group could not be described
        // shows under the name in its ARN (described "never", so it is described next poll)
        let (group, described_at) = match (described, prev) {
            (Some(mut g), p) => {
                if g.deregistration_delay_s.is_none() {
                    g.deregistration_delay_s = p.and_then(|p| p.group.deregistration_delay_s);
                }
                (g, at)
            }
            (None, Some(p)) => (p.group.clone(), p.described_at),
            // health of a group no service uses cannot be shown anywhere: dropped
            (None, None) if !self.services.values().any(|st| st.uses_group(&arn)) => {
                return false;
            }
            (None, None) => (
                TargetGroup {
                    name: target_group_name(&arn).to_string(),
                    arn: arn.clone(),
                    ..Default::default()
                },
                chrono::DateTime::UNIX_EPOCH,
            ),
        };
        let changed = prev.is_none_or(|p| p.targets != targets || p.group != group);
        // a target that is not healthy is evidence dated by this read: its services'
        // findings are dated again (so a replay, which diagnoses after every update, agrees
        // with the live store, which diagnoses after every poll)
        if !changed && targets.iter().any(|t| t.state != "healthy") {
            for (key, st) in self.services.iter() {
                if st.uses_group(&arn) {
                    self.dirty.insert(key.clone());
                }
            }
        }
        if changed {
            let flips = timeline::target_transitions(
                &group.name,
                prev.map(|p| p.targets.as_slice()),
                &targets,
                at,
            );
            for (key, st) in self.services.iter_mut() {
                if st.uses_group(&arn) {
                    self.dirty.insert(key.clone());
                    for f in &flips {
                        st.transitions.push(f.clone());
                    }
                }
            }
        }
        self.target_groups.insert(
            arn,
            TargetGroupState {
                group,
                targets,
                fetched_at: at,
                described_at,
            },
        );
        changed
    }

    fn in_scope(&self, s: &Service) -> bool {
        let scope = &self.target(s.target).spec.scope;
        (scope.clusters.is_empty() || scope.clusters.iter().any(|c| short_name(c) == s.cluster))
            && (scope.services.is_empty()
                || scope
                    .services
                    .iter()
                    .any(|n| n == &s.name || n == &s.arn || short_name(n) == s.name))
    }

    fn apply_services(
        &mut self,
        t: TargetIx,
        services: Vec<Service>,
        listed_clusters: &[String],
        roster: Option<Vec<ServiceKey>>,
        at: Time,
    ) -> bool {
        let mut changed = false;
        let mut seen = HashSet::new();
        let pb = self.playbook.clone();
        for mut svc in services {
            svc.target = t;
            if !self.in_scope(&svc) {
                continue;
            }
            if self.targets[usize::from(t)].account.is_none() {
                self.targets[usize::from(t)].account =
                    crate::room::arn_account(&svc.arn).map(str::to_owned);
            }
            let key = svc.key();
            seen.insert(key.clone());
            // Events live once, deduplicated, in ServiceState::events; not again in the Service.
            let events = std::mem::take(&mut svc.events);
            match self.services.get_mut(&key) {
                Some(state) => {
                    let service_changed = state.service != svc;
                    if service_changed {
                        for t in timeline::rollout_transitions(Some(&state.service), &svc, at) {
                            state.transitions.push(t);
                        }
                    }
                    let old = std::mem::replace(&mut state.service, svc);
                    state.note_stage(Some(&old), at);
                    state.note_completed();
                    let events_changed = state.merge_events(&events, &pb);
                    if service_changed || events_changed {
                        changed = true;
                        self.dirty.insert(key.clone());
                    }
                }
                None => {
                    let first = timeline::rollout_transitions(None, &svc, at);
                    let mut state = ServiceState::new(svc);
                    for t in first {
                        state.transitions.push(t);
                    }
                    state.note_stage(None, at);
                    state.note_completed();
                    state.merge_events(&events, &pb);
                    // tasks described before the service was known
                    let mut arns: Vec<&StoppedTask> = self
                        .stopped_tasks
                        .values()
                        .filter(|t| {
                            t.target == key.target
                                && t.cluster == key.cluster
                                && t.service_name() == Some(key.service.as_str())
                        })
                        .collect();
                    arns.sort_by_key(|t| std::cmp::Reverse(t.stopped_at));
                    state.stopped = arns.into_iter().map(|t| t.arn.clone()).collect();
                    self.dirty.insert(key.clone());
                    self.services.insert(key, state);
                    changed = true;
                }
            }
        }
        // Services gone from a cluster that was fully listed are removed: those missing from
        // the listing's roster (or, in older recordings, from the whole-fleet answer).
        if let Some(roster) = roster {
            seen = roster
                .into_iter()
                .map(|k| ServiceKey::in_target(t, k.cluster, k.service))
                .collect();
        }
        let before = self.services.len();
        self.services.retain(|k, _| {
            seen.contains(k) || k.target != t || !listed_clusters.iter().any(|c| c == &k.cluster)
        });
        changed | (before != self.services.len())
    }

    fn apply_stopped(&mut self, target: TargetIx, tasks: Vec<StoppedTask>) -> bool {
        let mut changed = false;
        for mut t in tasks {
            t.target = target;
            if t.last_status == "STOPPED" && !self.final_tasks.contains(&t.arn) {
                Arc::make_mut(&mut self.final_tasks).insert(t.arn.clone());
            }
            if self.stopped_tasks.get(&t.arn) == Some(&t) {
                continue;
            }
            changed = true;
            if let Some(name) = t.service_name() {
                let key = ServiceKey::in_target(target, t.cluster.clone(), name);
                if let Some(state) = self.services.get_mut(&key) {
                    if !state.stopped.contains(&t.arn) {
                        state.stopped.push(t.arn.clone());
                    }
                    self.dirty.insert(key);
                }
            }
            self.stopped_tasks.insert(t.arn.clone(), t);
        }
        if changed {
            let tasks = &self.stopped_tasks;
            for state in self.services.values_mut() {
                state.stopped.sort_by(|a, b| {
                    let ta = tasks.get(a).and_then(|t| t.stopped_at.or(t.stopping_at));
                    let tb = tasks.get(b).and_then(|t| t.stopped_at.or(t.stopping_at));
                    tb.cmp(&ta).then_with(|| a.cmp(b))
                });
                state.stopped.truncate(STOPPED_KEPT);
            }
        }
        changed
    }

    /// The running tasks of one service replace the last read. ListTasks' `serviceName` is
    /// trusted only as far as each task's `group` agrees (moto ignores the filter).
    fn apply_running(&mut self, key: ServiceKey, tasks: Vec<StoppedTask>, at: Time) -> bool {
        let Some(state) = self.services.get_mut(&key) else {
            return false;
        };
        let mut mine: Vec<StoppedTask> = tasks
            .into_iter()
            .filter(|t| t.service_name() == Some(key.service.as_str()))
            .map(|t| StoppedTask {
                target: key.target,
                ..t
            })
            .collect();
        mine.sort_by(|a, b| {
            a.started_at
                .cmp(&b.started_at)
                .then_with(|| a.arn.cmp(&b.arn))
        });
        state.running_read_at = Some(at);
        if state.running == mine {
            return false;
        }
        state.running = mine;
        self.dirty.insert(key);
        true
    }

    fn apply_metrics(&mut self, series: Vec<(ServiceKey, MetricKind, Vec<MetricPoint>)>) -> bool {
        let mut changed = false;
        for (key, kind, points) in series {
            let Some(state) = self.services.get_mut(&key) else {
                continue;
            };
            let ring = state
                .metrics
                .entry(kind)
                .or_insert_with(|| Ring::new(METRIC_POINTS_KEPT));
            for p in points {
                // a re-read minute (CloudWatch revises the last ones) replaces what we had
                match ring.find_last_mut(|q| q.t <= p.t) {
                    Some(q) if q.t == p.t => {
                        if q.v != p.v {
                            q.v = p.v;
                            changed = true;
                        }
                    }
                    _ => {
                        ring.insert_by_key(p, |q| q.t);
                        changed = true;
                    }
                }
            }
        }
        changed
    }

    fn apply_logs(&mut self, batches: Vec<(ServiceKey, Vec<LogLine>)>) -> bool {
        let mut changed = false;
        for (key, lines) in batches {
            let Some(state) = self.services.get_mut(&key) else {
                continue;
            };
            for l in lines {
                if state.log_ids.insert(l.event_id.clone()) {
                    // late batches go in time order, not at the end
                    if let Some(gone) = state.logs.insert_by_key(l, |x| x.t) {
                        state.log_ids.remove(&gone.event_id);
                    }
                    changed = true;
                }
            }
        }
        changed
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

    /// Forget what no service in the store references: task definitions no deployment runs,
    /// target groups no service is behind, and stopped tasks no service lists that stopped over
    /// an hour ago (kept that long for services not described yet). A long session's memory
    /// then follows the services watched, not the hours watched. Runs with the full diagnosis.
    pub fn prune(&mut self, now: Time) {
        let mut tds: HashSet<&str> = HashSet::new();
        let mut tgs: HashSet<&str> = HashSet::new();
        let mut rules: HashSet<&str> = HashSet::new();
        let mut lattice: HashSet<&str> = HashSet::new();
        let mut tasks: HashSet<&str> = HashSet::new();
        for st in self.services.values() {
            tds.extend(st.service.task_definitions());
            tgs.extend(st.service.group_arns());
            rules.extend(st.service.listener_rules());
            lattice.extend(
                st.service
                    .lattice_groups()
                    .into_iter()
                    .map(|l| l.target_group_arn.as_str()),
            );
            tasks.extend(st.stopped.iter().map(String::as_str));
        }
        // a stopped task's own task definition is shown in its detail: keep it with the task
        let cutoff = now - chrono::Duration::seconds(UNREFERENCED_TASK_KEPT_S);
        // (one without a stop time is still stopping: it is described again, and kept)
        let forget: HashSet<String> = self
            .stopped_tasks
            .values()
            .filter(|t| !tasks.contains(t.arn.as_str()))
            .filter(|t| t.stopped_at.or(t.stopping_at).is_some_and(|at| at < cutoff))
            .map(|t| t.arn.clone())
            .collect();
        for t in self.stopped_tasks.values() {
            if !forget.contains(&t.arn) {
                tds.insert(t.task_definition.as_str());
            }
        }
        let tds: HashSet<String> = tds.into_iter().map(str::to_owned).collect();
        let tgs: HashSet<String> = tgs.into_iter().map(str::to_owned).collect();
        let rules: HashSet<String> = rules.into_iter().map(str::to_owned).collect();
        self.rules.retain(|arn, _| rules.contains(arn));
        let lattice: HashSet<String> = lattice.into_iter().map(str::to_owned).collect();
        self.lattice.retain(|arn, _| lattice.contains(arn));
        self.task_definitions.retain(|arn, _| tds.contains(arn));
        self.target_groups.retain(|arn, _| tgs.contains(arn));
        if !forget.is_empty() {
            let finals = Arc::make_mut(&mut self.final_tasks);
            for arn in &forget {
                self.stopped_tasks.remove(arn);
                finals.remove(arn);
                if self.task_logs.remove(arn).is_some() {
                    self.task_logs_order.retain(|a| a != arn);
                }
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

    /// The task definitions of a service that are known.
    pub fn task_definitions_of(&self, service: &Service) -> Vec<&TaskDefinition> {
        service
            .task_definitions()
            .into_iter()
            .filter_map(|a| self.task_definitions.get(a))
            .collect()
    }

    /// The awslogs log groups a service's current task definition writes to (what its log
    /// pane reads; an error about another log group is not its error).
    pub fn log_groups_of(&self, service: &Service) -> Vec<String> {
        let current = service
            .primary()
            .map(|d| d.task_definition.as_str())
            .unwrap_or(&service.task_definition);
        let mut groups: Vec<String> = Vec::new();
        for c in self
            .task_definitions
            .get(current)
            .map(|td| td.containers.as_slice())
            .unwrap_or_default()
        {
            if let Some(g) = c.log.as_ref().and_then(|l| l.group.clone())
                && !groups.contains(&g)
            {
                groups.push(g);
            }
        }
        groups
    }

    /// Where a stopped task's own log streams are, for task detail (None once they were read,
    /// until its task definition is known, or when it has no awslogs container).
    pub fn open_task(&self, key: &ServiceKey, arn: &str) -> Option<crate::poll::OpenTask> {
        if self.task_logs.contains_key(arn) {
            return None; // read once: a stopped task's stream does not change
        }
        let task = self.stopped_tasks.get(arn)?;
        let td = self.task_definitions.get(&task.task_definition)?;
        let id = crate::model::task_id(arn);
        let streams: Vec<crate::poll::LogSource> = td
            .containers
            .iter()
            .filter_map(|c| {
                let log = c.log.as_ref().filter(|l| l.driver == "awslogs")?;
                Some(crate::poll::LogSource {
                    group: log.group.clone()?,
                    prefix: Some(format!("{}/{}/{id}", log.stream_prefix.as_ref()?, c.name)),
                    region: log
                        .region
                        .clone()
                        .filter(|r| !r.is_empty() && r != self.region_of(key.target)),
                })
            })
            .collect();
        (!streams.is_empty()).then(|| crate::poll::OpenTask {
            key: key.clone(),
            arn: arn.to_string(),
            streams,
            started_at: task.started_at,
            stopped_at: task.stopped_at.or(task.stopping_at),
        })
    }

    /// What the pollers should read next.
    pub fn plan(&self, focus: Option<ServiceKey>) -> PollPlan {
        let services = self
            .services
            .values()
            .map(|state| {
                let s = &state.service;
                let task_definitions: Vec<String> = s
                    .task_definitions()
                    .into_iter()
                    .map(str::to_owned)
                    .collect();
                // production first: its series are the service's
                let target_groups: Vec<String> =
                    self.roles_of(s).into_iter().map(|g| g.arn).collect();
                let dims = |arn: &str| -> Option<(String, String)> {
                    let tg = self.target_groups.get(arn)?;
                    let tg_dim = arn
                        .split_once(":targetgroup/")
                        .map(|(_, d)| format!("targetgroup/{d}"))?;
                    let lb = tg.group.load_balancer_dimensions.first()?;
                    Some((tg_dim, lb.clone()))
                };
                let alb_dimensions = target_groups.iter().filter_map(|a| dims(a)).collect();
                let mut prod_dimensions = Vec::new();
                if let Some(first) = state.swaps.first()
                    && let Some(d) = first.from.as_deref().and_then(dims)
                {
                    prod_dimensions.push((chrono::DateTime::UNIX_EPOCH, d));
                }
                for sw in &state.swaps {
                    if let Some(d) = dims(&sw.to) {
                        prod_dimensions.push((sw.at, d));
                    }
                }
                if prod_dimensions.len() < 2 {
                    prod_dimensions.clear();
                }
                // Logs of the containers of the primary deployment's task definition.
                let current = s
                    .primary()
                    .map(|d| d.task_definition.as_str())
                    .unwrap_or(&s.task_definition);
                let mut log_sources = Vec::new();
                if let Some(td) = self.task_definitions.get(current) {
                    for c in &td.containers {
                        if let Some(log) = &c.log
                            && log.driver == "awslogs"
                            && let Some(group) = &log.group
                        {
                            let prefix = log
                                .stream_prefix
                                .as_ref()
                                .map(|p| format!("{p}/{}/", c.name));
                            let region = log
                                .region
                                .clone()
                                .filter(|r| !r.is_empty() && r != self.region_of(s.target));
                            let src = crate::poll::LogSource {
                                group: group.clone(),
                                prefix,
                                region,
                            };
                            if !log_sources.contains(&src) {
                                log_sources.push(src);
                            }
                        }
                    }
                }
                let calm = s.running >= s.desired
                    && s.deployments.iter().all(|d| d.failed == 0)
                    && s.primary()
                        .and_then(|d| d.rollout_state.as_deref())
                        .is_none_or(|r| r == "COMPLETED");
                PlannedService {
                    calm,
                    insights: self
                        .container_insights
                        .get(&(s.target, s.cluster.clone()))
                        .copied()
                        .unwrap_or(false),
                    key: s.key(),
                    task_definitions,
                    target_groups,
                    alb_dimensions,
                    prod_dimensions,
                    listener_rules: s.listener_rules().into_iter().map(str::to_owned).collect(),
                    lattice_groups: s
                        .lattice_groups()
                        .into_iter()
                        .map(|l| l.target_group_arn.clone())
                        .collect(),
                    connect: s.service_connect().and_then(|c| {
                        let e = c.services.first()?;
                        let name = e
                            .discovery_name
                            .clone()
                            .unwrap_or_else(|| e.port_name.clone());
                        Some((name, e.tls_ca.is_some()))
                    }),
                    log_sources,
                }
            })
            .collect();
        PollPlan {
            scope: self.targets[0].spec.scope.clone(),
            services,
            focus,
            refresh: 0,
            exhaustive: false,
            on_screen: Vec::new(),
            task: None,
            pace: self.pace,
            groups_described: self
                .target_groups
                .iter()
                .map(|(arn, g)| (arn.clone(), g.described_at))
                .collect(),
            final_tasks: self.final_tasks.clone(),
        }
    }
}
