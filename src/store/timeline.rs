//! The incident timeline: every change in time order.
//!
//! Events and stopped tasks are already kept by the store, so the timeline references them when
//! it is built instead of copying them. What only the timeline knows is kept here: transitions
//! the store notices while applying updates (rollout state changes, target health flips,
//! findings raised and cleared, desired count changes), the actions taken and the user's notes.

use crate::diagnosis::Finding;
use crate::model::{
    Revision, Service, ServiceDeployment, ServiceKey, TargetHealth, Time, short_name,
    task_definition_label, task_id,
};
use serde::{Deserialize, Serialize};

/// Transitions kept per service.
pub const TRANSITIONS_KEPT: usize = 500;
/// Actions and notes kept (they are also in the recording, when there is one).
pub const ACTIONS_KEPT: usize = 1000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EntryKind {
    /// A service event ECS reported.
    Event,
    /// A deployment started, a rollout changed state, the desired count changed.
    Rollout,
    /// A task stopped.
    Task,
    /// A target's health changed.
    Target,
    /// A finding appeared.
    FindingRaised,
    /// A finding cleared.
    FindingCleared,
    /// A write made from ecswatch.
    Action,
    /// A note the user typed.
    Note,
    /// An Application Auto Scaling activity (scaled, failed, or did not scale and why).
    Scaling,
}

impl EntryKind {
    pub fn label(self) -> &'static str {
        match self {
            EntryKind::Event => "event",
            EntryKind::Rollout => "rollout",
            EntryKind::Task => "task",
            EntryKind::Target => "target",
            EntryKind::FindingRaised => "finding",
            EntryKind::FindingCleared => "cleared",
            EntryKind::Action => "action",
            EntryKind::Note => "note",
            EntryKind::Scaling => "scaling",
        }
    }
}

/// Something the store noticed change for one service.
#[derive(Debug, Clone, PartialEq)]
pub struct Transition {
    pub t: Time,
    pub kind: EntryKind,
    pub text: String,
    /// The finding id this is about or was classified as.
    pub category: Option<String>,
    /// True for failures (a FAILED rollout, a target going unhealthy, a critical finding).
    pub failure: bool,
}

/// A write made from the console: who, when, what, and how it went.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ActionRecord {
    pub t: Time,
    pub service: ServiceKey,
    /// The local user and AWS profile that made the call.
    pub who: String,
    /// The exact change, e.g. `checkout-api: task definition checkout-api:7 → checkout-api:6`.
    pub what: String,
    /// `ok` or the error.
    pub result: String,
    pub ok: bool,
}

/// A note the user typed (`n`), about one service or the whole incident.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Note {
    pub t: Time,
    pub service: Option<ServiceKey>,
    pub text: String,
    /// Who typed it (the local user and AWS profile): said in a shared session's timeline,
    /// where several people write (absent in older recordings).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by: Option<String>,
}

/// One line of the timeline, as shown and exported.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Entry {
    pub t: Time,
    #[serde(serialize_with = "service_label")]
    pub service: Option<ServiceKey>,
    /// The account and Region of the service (the account once an answer named it).
    pub account: Option<String>,
    pub region: Option<String>,
    /// With several targets, the service's target tag (`shop-a us-east-2`) for the Markdown.
    #[serde(skip)]
    pub tag: Option<String>,
    pub kind: EntryKind,
    pub text: String,
    pub category: Option<String>,
    pub failure: bool,
}

impl Entry {
    /// The entry's identity in a list: what happened, to what and when (the timeline's
    /// selection is held by it).
    pub fn id(&self) -> u64 {
        use std::hash::{Hash, Hasher};
        let mut h = std::collections::hash_map::DefaultHasher::new();
        (self.t, self.kind.label(), &self.service, &self.text).hash(&mut h);
        h.finish()
    }
}

fn service_label<S: serde::Serializer>(k: &Option<ServiceKey>, s: S) -> Result<S::Ok, S::Error> {
    match k {
        Some(k) => s.serialize_str(&k.to_string()),
        None => s.serialize_none(),
    }
}

fn dep_label(td: &str) -> &str {
    task_definition_label(td)
}

/// What changed between two DescribeServices answers for one service (`old` is None the first
/// time the service is seen: then its deployments are reported as they stand).
pub fn rollout_transitions(old: Option<&Service>, new: &Service, at: Time) -> Vec<Transition> {
    let mut out = Vec::new();
    for d in &new.deployments {
        let before = old.and_then(|o| o.deployments.iter().find(|p| p.id == d.id));
        let state = d.rollout_state.as_deref().unwrap_or("-");
        let reason = d
            .rollout_state_reason
            .as_deref()
            .filter(|r| !r.is_empty())
            .map(|r| format!(": {r}"))
            .unwrap_or_default();
        let failure = state == "FAILED";
        match before {
            None => {
                let started = d.created_at.unwrap_or(at);
                if old.is_some() || d.status == "PRIMARY" || state == "IN_PROGRESS" {
                    out.push(Transition {
                        t: started,
                        kind: EntryKind::Rollout,
                        text: format!(
                            "deployment {} started: {} ({} desired)",
                            d.id,
                            dep_label(&d.task_definition),
                            d.desired
                        ),
                        category: None,
                        failure: false,
                    });
                }
                if old.is_none() && matches!(state, "FAILED" | "COMPLETED") {
                    out.push(Transition {
                        t: d.updated_at.unwrap_or(at).max(started),
                        kind: EntryKind::Rollout,
                        text: format!(
                            "rollout of {} is {state}{reason}",
                            dep_label(&d.task_definition)
                        ),
                        category: None,
                        failure,
                    });
                }
            }
            Some(b) if b.rollout_state != d.rollout_state => {
                out.push(Transition {
                    t: d.updated_at.unwrap_or(at),
                    kind: EntryKind::Rollout,
                    text: format!(
                        "rollout of {}: {} → {state}{reason}",
                        dep_label(&d.task_definition),
                        b.rollout_state.as_deref().unwrap_or("-"),
                    ),
                    category: None,
                    failure,
                });
            }
            Some(_) => {}
        }
    }
    out.extend(service_deployment_transitions(
        old.and_then(|o| o.service_deployment.as_ref()),
        new.service_deployment.as_ref(),
        at,
    ));
    if let Some(o) = old
        && o.desired != new.desired
    {
        out.push(Transition {
            t: at,
            kind: EntryKind::Rollout,
            text: format!("desired count {} → {}", o.desired, new.desired),
            category: None,
            failure: false,
        });
    }
    out
}

fn weights(r: Option<&Revision>) -> (Option<f64>, Option<f64>) {
    r.map(|r| (r.production_weight, r.test_weight))
        .unwrap_or((None, None))
}

fn pct(v: Option<f64>) -> String {
    v.map(|v| format!("{v:.0}%")).unwrap_or_else(|| "-".into())
}

/// What changed in a service deployment: it started, its status or lifecycle stage changed,
/// traffic shifted, an alarm fired, a hook paused or ended.
pub fn service_deployment_transitions(
    old: Option<&ServiceDeployment>,
    new: Option<&ServiceDeployment>,
    at: Time,
) -> Vec<Transition> {
    let Some(new) = new else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let mut push = |t: Time, text: String, failure: bool| {
        out.push(Transition {
            t,
            kind: EntryKind::Rollout,
            text,
            category: None,
            failure,
        })
    };
    let to = new
        .target_task_definition()
        .map(task_definition_label)
        .unwrap_or("the target revision");
    let old = old.filter(|o| o.arn == new.arn);
    let Some(old) = old else {
        if !new.is_final() {
            push(
                new.created_at.unwrap_or(at),
                format!(
                    "{} deployment to {to} started (service deployment {})",
                    new.strategy.as_deref().unwrap_or("ROLLING"),
                    short_name(&new.arn)
                ),
                false,
            );
            if let Some(stage) = &new.lifecycle_stage {
                push(at, format!("stage {stage}"), false);
            }
        }
        return out;
    };
    if old.status != new.status {
        let reason = new
            .status_reason
            .as_deref()
            .map(|r| format!(": {r}"))
            .unwrap_or_default();
        let failure = new.status.starts_with("ROLLBACK") || new.status.starts_with("STOP");
        push(
            at,
            format!(
                "deployment to {to}: {} → {}{reason}",
                old.status, new.status
            ),
            failure,
        );
    }
    if old.lifecycle_stage != new.lifecycle_stage {
        push(
            at,
            format!(
                "stage {} → {}",
                old.lifecycle_stage.as_deref().unwrap_or("-"),
                new.lifecycle_stage.as_deref().unwrap_or("-")
            ),
            false,
        );
    }
    let (was, now) = (
        weights(old.target_revision.as_ref()),
        weights(new.target_revision.as_ref()),
    );
    if was != now {
        push(
            at,
            format!(
                "traffic to {to}: production {} → {}, test {} → {}",
                pct(was.0),
                pct(now.0),
                pct(was.1),
                pct(now.1)
            ),
            false,
        );
    }
    for a in new.triggered_alarms() {
        if !old.triggered_alarms().contains(a) {
            push(
                at,
                format!("alarm {a} fired during the deployment to {to}"),
                true,
            );
        }
    }
    for h in &new.hooks {
        let before = old
            .hooks
            .iter()
            .find(|o| o.id == h.id)
            .map(|o| o.status.as_str());
        if before == Some(h.status.as_str()) {
            continue;
        }
        let stage = h.stage.as_deref().unwrap_or("-");
        let text = match h.status.as_str() {
            "AWAITING_ACTION" => format!(
                "hook {} at {stage} waits for an action (on timeout: {})",
                h.id,
                h.timeout_action.as_deref().unwrap_or("-")
            ),
            s => format!("hook {} at {stage}: {s}", h.id),
        };
        push(
            at,
            text,
            matches!(h.status.as_str(), "FAILED" | "TIMED_OUT"),
        );
    }
    out
}

fn target_name(t: &TargetHealth) -> String {
    match t.port {
        Some(p) => format!("{}:{p}", t.id),
        None => t.id.clone(),
    }
}

/// Targets whose health changed (the first time a group is seen, only the unhealthy ones).
pub fn target_transitions(
    group: &str,
    prev: Option<&[TargetHealth]>,
    new: &[TargetHealth],
    at: Time,
) -> Vec<Transition> {
    let mut out = Vec::new();
    for t in new {
        let before = prev.map(|p| {
            p.iter()
                .find(|x| x.id == t.id && x.port == t.port)
                .map(|x| x.state.as_str())
        });
        let why = t
            .reason
            .as_deref()
            .map(|r| format!(" ({r})"))
            .unwrap_or_default();
        let text = match before {
            None | Some(None) if t.state == "healthy" => continue,
            None | Some(None) => {
                format!("target {} in {group} is {}{why}", target_name(t), t.state)
            }
            Some(Some(b)) if b == t.state => continue,
            Some(Some(b)) => format!(
                "target {} in {group}: {b} → {}{why}",
                target_name(t),
                t.state
            ),
        };
        out.push(Transition {
            t: at,
            kind: EntryKind::Target,
            text,
            category: None,
            failure: t.state == "unhealthy",
        });
    }
    out
}

/// Findings that appeared or cleared between two diagnoses.
pub fn finding_transitions(old: &[Finding], new: &[Finding], at: Time) -> Vec<Transition> {
    let mut out = Vec::new();
    for f in new {
        if !old.iter().any(|o| o.id == f.id) {
            out.push(Transition {
                t: at,
                kind: EntryKind::FindingRaised,
                text: format!("{} ({}): {}", f.title, f.severity.as_str(), f.id),
                category: Some(f.id.clone()),
                failure: f.severity == crate::diagnosis::Severity::Critical,
            });
        }
    }
    for o in old {
        if !new.iter().any(|f| f.id == o.id) {
            out.push(Transition {
                t: at,
                kind: EntryKind::FindingCleared,
                text: format!("{} cleared: {}", o.title, o.id),
                category: Some(o.id.clone()),
                failure: false,
            });
        }
    }
    out
}

/// The timeline of one service, or of every service (`None`), oldest first.
pub fn entries(store: &super::Store, only: Option<&ServiceKey>) -> Vec<Entry> {
    let mut out = Vec::new();
    let place = |k: Option<&ServiceKey>| match k {
        Some(k) => {
            let t = store.place(k.place);
            (
                t.account.clone(),
                Some(t.region.clone()).filter(|r| !r.is_empty()),
                store.multi_target().then(|| t.label()),
            )
        }
        None => (None, None, None),
    };
    for (key, st) in &store.services {
        if only.is_some_and(|k| k != key) {
            continue;
        }
        let svc = Some(key.clone());
        let (account, region, tag) = place(Some(key));
        for e in &st.events {
            let category = st.event_category(&e.id).map(str::to_owned);
            let failure = category.as_deref().is_some_and(|c| {
                store
                    .playbook()
                    .entry(c)
                    .is_some_and(|e| e.severity == crate::diagnosis::Severity::Critical)
            });
            out.push(Entry {
                t: e.created_at.unwrap_or_default(),
                service: svc.clone(),
                account: account.clone(),
                region: region.clone(),
                tag: tag.clone(),
                kind: EntryKind::Event,
                text: e.message.clone(),
                category,
                failure,
            });
        }
        for arn in &st.stopped {
            let Some(task) = store.stopped_tasks.get(arn) else {
                continue;
            };
            let Some(t) = task.stopped_at.or(task.stopping_at) else {
                continue;
            };
            let exits: Vec<String> = task
                .containers
                .iter()
                .filter_map(|c| c.exit_code.map(|x| format!("{} exit {x}", c.name)))
                .collect();
            let category = crate::diagnosis::task_category(store.playbook(), task)
                .map(|(entry, _)| entry.id.clone());
            out.push(Entry {
                t,
                service: svc.clone(),
                account: account.clone(),
                region: region.clone(),
                tag: tag.clone(),
                kind: EntryKind::Task,
                text: format!(
                    "task {} ({}) stopped: {}{}{}",
                    task_id(&task.arn),
                    dep_label(&task.task_definition),
                    task.stopped_reason.as_deref().unwrap_or("no reason given"),
                    if exits.is_empty() {
                        String::new()
                    } else {
                        format!(" [{}]", exits.join(", "))
                    },
                    // the cause ECS put in an attachment it could not set up (an EBS volume)
                    task.attachment_reasons
                        .iter()
                        .map(|a| format!(" [{a}]"))
                        .collect::<String>()
                ),
                failure: category.is_some(),
                category,
            });
        }
        // scaling activities, as Application Auto Scaling keeps them (read, not copied)
        for a in st.scaling.iter().flat_map(|s| &s.activities) {
            let Some(t) = a.start else {
                continue;
            };
            let not_scaled: Vec<&str> = a.not_scaled.iter().map(|r| r.code.as_str()).collect();
            out.push(Entry {
                t,
                service: svc.clone(),
                account: account.clone(),
                region: region.clone(),
                tag: tag.clone(),
                kind: EntryKind::Scaling,
                text: format!(
                    "scaling {}: {}{}",
                    a.status,
                    a.description,
                    if not_scaled.is_empty() {
                        String::new()
                    } else {
                        format!(" (not scaled: {})", not_scaled.join(", "))
                    }
                ),
                category: None,
                // a "not scaled" activity is answered Failed with its reasons: a decision, not
                // a failure to scale
                failure: matches!(a.status.as_str(), "Failed" | "Unfulfilled")
                    && a.not_scaled.is_empty(),
            });
        }
        for tr in st.transitions.iter() {
            out.push(Entry {
                t: tr.t,
                service: svc.clone(),
                account: account.clone(),
                region: region.clone(),
                tag: tag.clone(),
                kind: tr.kind,
                text: tr.text.clone(),
                category: tr.category.clone(),
                failure: tr.failure,
            });
        }
    }
    for a in store.actions.iter() {
        if only.is_some_and(|k| *k != a.service) {
            continue;
        }
        let (account, region, tag) = place(Some(&a.service));
        out.push(Entry {
            t: a.t,
            service: Some(a.service.clone()),
            account,
            region,
            tag,
            kind: EntryKind::Action,
            text: format!("{} by {}: {}", a.what, a.who, a.result),
            category: None,
            failure: !a.ok,
        });
    }
    for n in store.notes.iter() {
        if only.is_some_and(|k| n.service.as_ref().is_some_and(|s| s != k)) {
            continue;
        }
        let (account, region, tag) = place(n.service.as_ref());
        out.push(Entry {
            t: n.t,
            service: n.service.clone(),
            account,
            region,
            tag,
            kind: EntryKind::Note,
            text: match &n.by {
                Some(by) => format!("{} ({by})", n.text),
                None => n.text.clone(),
            },
            category: None,
            failure: false,
        });
    }
    // stable: entries at the same instant keep the order they were produced in
    out.sort_by_key(|e| e.t);
    out
}
