//! Gathering a service's evidence from the store and grouping it into findings: the stopped
//! tasks, events, rollout reasons and unhealthy targets of the last hours, each classified by
//! the playbook (`crate::diagnosis`), plus the configuration lints. A query of the store, like
//! its other queries; diagnosis itself (the playbook, the rules, classifying one piece of
//! evidence) needs no store.

mod express;
mod instances;
mod lints;
pub mod restarts;
mod scaling;
pub mod together;
mod traffic;

pub use lints::lint_service;

use crate::diagnosis::{
    Confidence, ConfirmContext, EVIDENCE_WINDOW_H, EvidenceKind, Finding, deploy_evidence,
    rank_findings, task_match,
};
use crate::model::{ServiceKey, Task, Time, task_definition_label, task_id};
use crate::store::Store;
use std::collections::BTreeMap;

/// Sample messages kept per finding.
const SAMPLES: usize = 3;

#[derive(Default)]
struct Acc {
    count: usize,
    first: Option<Time>,
    last: Option<Time>,
    /// distinct message -> times seen
    samples: Vec<(String, usize)>,
    /// how many of each kind of evidence ("stopped tasks" -> 3)
    kinds: Vec<(&'static str, usize)>,
    /// some evidence matched an exact rule (not only a family fallback)
    exact: bool,
    ctx: ConfirmContext,
}

impl Acc {
    fn add(&mut self, what: &'static str, at: Option<Time>, message: String, c: Confidence) {
        self.count += 1;
        self.exact |= c == Confidence::Exact;
        match self.kinds.iter_mut().find(|(w, _)| *w == what) {
            Some((_, n)) => *n += 1,
            None => self.kinds.push((what, 1)),
        }
        if let Some(t) = at {
            self.first = Some(self.first.map_or(t, |f| f.min(t)));
            self.last = Some(self.last.map_or(t, |l| l.max(t)));
        }
        if let Some(i) = self.samples.iter().position(|(m, _)| *m == message) {
            self.samples[i].1 += 1;
        } else if self.samples.len() < SAMPLES {
            self.samples.push((message, 1));
        }
    }
}

fn rfc3339(t: Time) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// Every finding for one service, ranked. Empty when the service is unknown.
pub fn diagnose_service(store: &Store, key: &ServiceKey, now: Time) -> Vec<Finding> {
    let Some(state) = store.services.get(key) else {
        return Vec::new();
    };
    let pb = store.playbook();
    let svc = &state.service;
    let since = now - chrono::Duration::hours(EVIDENCE_WINDOW_H);
    let base = ConfirmContext {
        cluster: Some(svc.cluster.clone()),
        service: Some(svc.name.clone()),
        region: Some(store.region_of(svc.place).to_string()),
        profile: store.place(svc.place).spec.profile.clone(),
        task_definition: Some(
            svc.primary()
                .map(|d| d.task_definition.clone())
                .unwrap_or_else(|| svc.task_definition.clone()),
        ),
        // production's group (blue/green swaps which of the two that is)
        target_group: store.roles_of(svc).into_iter().next().map(|g| g.arn),
        subnets: svc.subnets.clone(),
        ..Default::default()
    };
    let with_td = |ctx: &mut ConfirmContext, td_arn: &str| {
        ctx.task_definition = Some(td_arn.to_string());
        if let Some(td) = store.task_definitions.get(td_arn) {
            ctx.execution_role = td.execution_role_arn.clone();
            ctx.task_role = td.task_role_arn.clone();
            ctx.log_group = td
                .containers
                .iter()
                .find_map(|c| c.log.as_ref()?.group.clone());
            if ctx.image.is_none() {
                ctx.image = td
                    .containers
                    .iter()
                    .find(|c| c.essential)
                    .map(|c| c.image.clone());
            }
        }
    };
    let mut base = base;
    if let Some(td) = base.task_definition.clone() {
        with_td(&mut base, &td);
    }

    let mut accs: BTreeMap<String, Acc> = BTreeMap::new();

    // The service deployment first: its context (the deployment's ARN, the alarm) fills the
    // confirm command of a finding it shares with events.
    for e in deploy_evidence(pb, svc, &base, since) {
        let a = acc(&mut accs, &e.id, &e.ctx);
        a.add("service deployment", e.at, e.text, e.confidence);
    }

    // Stopped tasks: one category each; the newest task of a category fills its confirm command.
    for arn in &state.stopped {
        let Some(task) = store.stopped_tasks.get(arn) else {
            continue;
        };
        let at = task.stopped_at.or(task.stopping_at);
        if at.is_some_and(|t| t < since) {
            continue;
        }
        let Some((m, text)) = task_match(pb, task) else {
            continue;
        };
        let entry = m.entry;
        if !entry.finding {
            continue;
        }
        let mut ctx = base.clone();
        ctx.task = Some(task.arn.clone());
        ctx.image = failing_image(task);
        with_td(&mut ctx, &task.task_definition);
        let a = acc(&mut accs, &entry.id, &ctx);
        a.add(
            "stopped task",
            at,
            format!(
                "task {} ({}): {text}",
                task_id(&task.arn),
                task_definition_label(&task.task_definition)
            ),
            m.confidence,
        );
    }

    // Service events inside the window. The last steady state ends what `settles`: routine
    // events of replacing tasks that came before it.
    let steady_at = state
        .events
        .iter()
        .filter(|e| state.event_category(&e.id) == Some("steady_state"))
        .filter_map(|e| e.created_at)
        .max();
    for e in &state.events {
        if e.created_at.is_some_and(|t| t < since) {
            continue;
        }
        let Some(entry) = state.event_category(&e.id).and_then(|id| pb.entry(id)) else {
            continue;
        };
        if !entry.finding {
            continue;
        }
        if entry.settles && e.created_at.zip(steady_at).is_some_and(|(t, s)| t <= s) {
            continue;
        }
        let mut ctx = base.clone();
        if let Some(tg) = target_group_in(&e.message) {
            ctx.target_group = Some(tg);
        }
        let a = acc(&mut accs, &entry.id, &ctx);
        a.add(
            "service event",
            e.created_at,
            format!("event: {}", e.message),
            state.event_confidence(&e.id).unwrap_or_default(),
        );
    }

    // Rollout state reasons of the current deployments.
    for d in &svc.deployments {
        let Some(reason) = d.rollout_state_reason.as_deref().filter(|r| !r.is_empty()) else {
            continue;
        };
        let Some(m) = pb.classify_match(Some(EvidenceKind::RolloutReason), reason) else {
            continue;
        };
        let entry = m.entry;
        if !entry.finding {
            continue;
        }
        let mut ctx = base.clone();
        with_td(&mut ctx, &d.task_definition);
        let a = acc(&mut accs, &entry.id, &ctx);
        a.add(
            "deployment",
            d.updated_at,
            format!(
                "deployment {} ({}) {}: {reason}",
                d.id,
                task_definition_label(&d.task_definition),
                d.rollout_state.as_deref().unwrap_or("?")
            ),
            m.confidence,
        );
    }

    // Targets that are not healthy, in the groups that carry traffic (never blue/green's idle
    // group: it serves nobody).
    for g in store
        .traffic_of(svc)
        .into_iter()
        .filter(|g| g.role.carries_traffic())
    {
        let Some(tg) = g.state else {
            continue;
        };
        let role = if g.blue_green {
            format!(" ({})", g.role.label())
        } else {
            String::new()
        };
        for t in tg.targets.iter().filter(|t| t.state != "healthy") {
            let found = pb.classify_target_health(t.reason.as_deref(), t.description.as_deref());
            let Some(m) = found.filter(|m| m.entry.finding) else {
                continue;
            };
            let entry = m.entry;
            let mut ctx = base.clone();
            ctx.target_group = Some(tg.group.arn.clone());
            let a = acc(&mut accs, &entry.id, &ctx);
            let port = t.port.map(|p| format!(":{p}")).unwrap_or_default();
            a.add(
                "target",
                Some(tg.fetched_at),
                format!(
                    "target {}{port} in {}{role} {}: {}{}",
                    t.id,
                    tg.group.name,
                    t.state,
                    t.reason.as_deref().unwrap_or("-"),
                    t.description
                        .as_deref()
                        .map(|d| format!(" ({d})"))
                        .unwrap_or_default()
                ),
                m.confidence,
            );
        }
    }

    let mut findings: Vec<Finding> = accs
        .into_iter()
        .filter_map(|(id, a)| {
            let entry = pb.entry(&id)?;
            let mut f = Finding::from_entry(entry, &a.ctx);
            if !a.exact {
                f.confidence = Confidence::Family;
            }
            f.count = a.count;
            f.first_seen = a.first;
            f.last_seen = a.last;
            let span = match (a.first, a.last) {
                (Some(first), Some(last)) if first != last => {
                    format!(", first {}, last {}", rfc3339(first), rfc3339(last))
                }
                (_, Some(last)) => format!(", at {}", rfc3339(last)),
                _ => String::new(),
            };
            let kinds: Vec<String> = a
                .kinds
                .iter()
                .map(|(w, n)| format!("{n} {w}{}", if *n == 1 { "" } else { "s" }))
                .collect();
            f.evidence.push(format!("{}{span}", kinds.join(", ")));
            for (m, n) in a.samples {
                f.evidence
                    .push(if n > 1 { format!("{m} (x{n})") } else { m });
            }
            Some(f)
        })
        .collect();
    findings.extend(lint_service(store, svc, &base));
    findings.extend(scaling::lint_scaling(store, svc, &base));
    findings.extend(traffic::lint_traffic(store, svc, &base));
    findings.extend(instances::lint_instances(store, state, &base, now));
    findings.extend(express::lint_express(store, svc, &base));
    findings.extend(restarts::lint_restarts(store, state, &base, now));
    rank_findings(&mut findings);
    findings
}

/// The accumulator of one finding id; the first evidence seen fills its confirm command.
fn acc<'a>(accs: &'a mut BTreeMap<String, Acc>, id: &str, ctx: &ConfirmContext) -> &'a mut Acc {
    accs.entry(id.to_string()).or_insert_with(|| Acc {
        ctx: ctx.clone(),
        ..Default::default()
    })
}

/// The image of the container that failed, for image findings.
fn failing_image(task: &Task) -> Option<String> {
    task.containers
        .iter()
        .find(|c| c.reason.is_some() || c.exit_code.is_some_and(|x| x != 0))
        .or(task.containers.first())
        .and_then(|c| c.image.clone())
}

/// A target group ARN mentioned in an event message.
fn target_group_in(message: &str) -> Option<String> {
    let start = message.find("arn:aws")?;
    let arn: String = message[start..]
        .chars()
        .take_while(|c| !c.is_whitespace() && *c != ')' && *c != ',')
        .collect();
    arn.contains(":targetgroup/").then_some(arn)
}
