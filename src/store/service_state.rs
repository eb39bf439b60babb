//! What the store holds of one service: the last description, its events (deduplicated, each
//! classified once), stopped tasks, logs, metrics, health and the stages it went through.

use super::*;

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
pub(super) fn event_key(id: &str) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::hash::DefaultHasher::new();
    id.hash(&mut h);
    h.finish()
}

/// One shared copy of each finding id (there are a few dozen, events number thousands).
pub(super) fn intern(id: &str) -> Arc<str> {
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
    pub(super) event_categories: HashMap<u64, Option<(Arc<str>, crate::diagnosis::Confidence)>>,
    /// ARNs of this service's stopped tasks, newest first.
    pub stopped: Vec<String>,
    /// Its running tasks as last listed (the open service's only), oldest started first.
    pub running: Vec<Task>,
    /// When `running` was read.
    pub running_read_at: Option<Time>,
    /// Its auto scaling (the open service's; every service's in `snapshot`), once read.
    pub scaling: Option<Box<crate::model::Scaling>>,
    pub metrics: BTreeMap<MetricKind, Ring<MetricPoint>>,
    /// Task- and container-level series (Container Insights with enhanced observability), as
    /// last read: the open service's.
    pub task_metrics: crate::model::TaskMetrics,
    pub logs: Ring<LogLine>,
    pub(super) log_ids: HashSet<String>,
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

    pub(super) fn new(service: Service) -> Self {
        Self {
            service,
            events: Vec::new(),
            event_categories: HashMap::new(),
            stopped: Vec::new(),
            running: Vec::new(),
            running_read_at: None,
            scaling: None,
            metrics: BTreeMap::new(),
            task_metrics: Default::default(),
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
    pub(super) fn note_stage(&mut self, old: Option<&Service>, at: Time) {
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

    pub(super) fn note_completed(&mut self) {
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

    pub(super) fn merge_events(&mut self, events: &[ServiceEvent], pb: &Playbook) -> bool {
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
