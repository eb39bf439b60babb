//! Gathering a service's evidence from the store and grouping it into findings.

use super::{
    Confidence, ConfirmContext, Entry, EvidenceKind, Finding, Match, Playbook, lint_service,
    rank_findings,
};
use crate::model::{ServiceKey, StoppedTask, Time, task_definition_label, task_id};
use crate::store::Store;
use std::collections::BTreeMap;

/// Evidence older than this is history, not a finding.
pub const EVIDENCE_WINDOW_H: i64 = 3;
/// Sample messages kept per finding.
const SAMPLES: usize = 3;

/// The one category of a stopped task: the most specific (lowest rank) of what its container
/// reasons, stopped reason, exit codes and stop code say. Returns the entry and the text that
/// matched.
pub fn task_category<'p>(pb: &'p Playbook, task: &StoppedTask) -> Option<(&'p Entry, String)> {
    task_match(pb, task).map(|(m, text)| (m.entry, text))
}

/// [`task_category`] with the confidence of the match.
///
/// Precedence: a task whose stop code, stopped reason or container reason says it never ran
/// (an image, initialization or placement failure, TaskFailedToStart) is never explained by an
/// exit code: a container that never started reports 0 or nothing, and "normal exit" would be
/// the one certainly wrong answer. Among the rest the lowest rank wins, an exact match before
/// a family one of the same rank. Where the task's launch type is known, each match is the
/// finding its words name there (a full disk is ephemeral storage on Fargate); where its stop
/// code is, the finding its evidence means after such a stop (exit code 137 after a
/// deployment, a scale-in or a person stopped the task is the SIGKILL at the end of the stop
/// timeout, not a memory kill).
pub fn task_match<'p>(pb: &'p Playbook, task: &StoppedTask) -> Option<(Match<'p>, String)> {
    // (match, text, from an exit code)
    let mut found: Vec<(Match<'p>, String, bool)> = Vec::new();
    for c in &task.containers {
        if let Some(r) = c.reason.as_deref().filter(|r| !r.is_empty())
            && let Some(m) = pb.classify_match(Some(EvidenceKind::ContainerReason), r)
        {
            found.push((m, format!("{}: {r}", c.name), false));
        }
        if let Some(code) = c.exit_code
            && let Some(m) = pb.classify_match(Some(EvidenceKind::ExitCode), &code.to_string())
        {
            found.push((m, format!("{} exit code {code}", c.name), true));
        }
    }
    if let Some(r) = task.stopped_reason.as_deref().filter(|r| !r.is_empty())
        && let Some(m) = pb.classify_match(Some(EvidenceKind::StoppedReason), r)
    {
        found.push((m, r.to_string(), false));
    }
    // an attachment ECS could not set up (an EBS volume) says why the task stopped in its own
    // words, which the stopped reason does not repeat: read as the task's reason
    for a in &task.attachment_reasons {
        if let Some(m) = pb.classify_match(Some(EvidenceKind::StoppedReason), &a.reason) {
            found.push((m, a.to_string(), false));
        }
    }
    if let Some(c) = task.stop_code.as_deref().filter(|c| !c.is_empty())
        && let Some(m) = pb.classify_match(Some(EvidenceKind::StopCode), c)
    {
        found.push((m, format!("stop code {c}"), false));
    }
    let launch_type = task.launch_type.as_deref();
    let stop_code = task.stop_code.as_deref();
    for (m, _, _) in &mut found {
        *m = pb.on_stop_code(pb.on_launch_type(*m, launch_type), stop_code);
    }
    let never_ran = found
        .iter()
        .any(|(m, _, exit)| !exit && m.entry.never_ran());
    found
        .into_iter()
        .filter(|(m, _, exit)| !never_ran || (!exit && m.entry.never_ran()))
        .min_by_key(|(m, _, _)| (m.entry.rank, m.confidence))
        .map(|(m, text, _)| service_connect_proxy(pb, task, m, text))
}

/// The Service Connect proxy (the `ecs-service-connect-…` container ECS adds to the task, image
/// `ecs-service-connect-agent`) failing its health check or exiting is what stopped the task
/// when the task's own words only say a container was unhealthy or an essential one exited:
/// the fix is the proxy's (its resources, its namespace, the instance's agent), not the app's
/// health check.
fn service_connect_proxy<'p>(
    pb: &'p Playbook,
    task: &StoppedTask,
    m: Match<'p>,
    text: String,
) -> (Match<'p>, String) {
    if !matches!(
        m.entry.id.as_str(),
        "container_health_check_failed" | "essential_container_exited" | "unhealthy_task_replaced"
    ) {
        return (m, text);
    }
    let failed = task.containers.iter().find(|c| {
        c.is_service_connect_proxy()
            && (c.health_status.as_deref() == Some("UNHEALTHY")
                || c.exit_code.is_some_and(|e| e != 0))
    });
    match (failed, pb.entry("service_connect_proxy_unhealthy")) {
        (Some(c), Some(entry)) => (
            Match {
                entry,
                confidence: m.confidence,
            },
            format!(
                "{} (the Service Connect proxy) {}: {text}",
                c.name,
                match (c.health_status.as_deref(), c.exit_code) {
                    (Some("UNHEALTHY"), _) => "UNHEALTHY".to_string(),
                    (_, Some(e)) => format!("exit code {e}"),
                    _ => "failed".to_string(),
                }
            ),
        ),
        _ => (m, text),
    }
}

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
        region: Some(store.region_of(svc.target).to_string()),
        profile: store.target(svc.target).spec.profile.clone(),
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
    for e in super::deploy::evidence(pb, svc, &base, since) {
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
    findings.extend(super::scaling::lint_scaling(store, svc, &base));
    findings.extend(super::traffic::lint_traffic(store, svc, &base));
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
fn failing_image(task: &StoppedTask) -> Option<String> {
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
