//! The rollout pane's lines for a service deployment (strategy, stage progression, traffic
//! weights, step and bake countdowns, alarms, breaker, rollback, paused hooks, history) and for
//! a CodeDeploy/external service's task sets. Pure: the store's state in, styled lines out.

use super::{Line, s};
use crate::model::{
    DeploymentBrief, LIFECYCLE_STAGES, Revision, Service, ServiceDeployment, TaskSet, Time,
    short_name, task_definition_label,
};
use crate::store::ServiceState;
use crate::theme::Meaning;

/// A duration in the shortest form an operator reads at a glance: `42s`, `4m12s`, `1h05m`.
pub fn span(secs: i64) -> String {
    let s = secs.max(0);
    match s {
        s if s < 60 => format!("{s}s"),
        s if s < 3600 => format!("{}m{:02}s", s / 60, s % 60),
        s => format!("{}h{:02}m", s / 3600, (s % 3600) / 60),
    }
}

/// A lifecycle stage as the wide progression names it.
pub fn stage_short(stage: &str) -> &str {
    match stage {
        "RECONCILE_SERVICE" => "RECONCILE",
        "TEST_TRAFFIC_SHIFT" => "TEST_SHIFT",
        "POST_TEST_TRAFFIC_SHIFT" => "POST_TEST",
        "PRODUCTION_TRAFFIC_SHIFT" => "PROD_SHIFT",
        "POST_PRODUCTION_TRAFFIC_SHIFT" => "POST_PROD",
        "BAKE_TIME" => "BAKE",
        other => other,
    }
}

fn pct(w: Option<f64>) -> String {
    match w {
        Some(v) if v.fract() == 0.0 => format!("{v:.0}%"),
        Some(v) => format!("{v:.1}%"),
        None => "-".into(),
    }
}

fn status_meaning(status: &str) -> Meaning {
    match status {
        "SUCCESSFUL" => Meaning::StatusOk,
        "ROLLBACK_FAILED" => Meaning::StatusFailed,
        "ROLLBACK_REQUESTED"
        | "ROLLBACK_IN_PROGRESS"
        | "ROLLBACK_SUCCESSFUL"
        | "STOPPED"
        | "STOP_REQUESTED" => Meaning::StatusRollingBack,
        "IN_PROGRESS" | "PENDING" => Meaning::StatusDeploying,
        _ => Meaning::Text,
    }
}

/// Everything the rollout pane says about a service deployment, most urgent first: what a
/// 24-row screen cuts off is the least needed.
pub fn service_deployment_lines(st: &ServiceState, now: Time, wide: bool) -> Vec<Line> {
    let Some(sd) = st.service.service_deployment.as_ref() else {
        return Vec::new();
    };
    let mut out = vec![header(sd, now)];
    if !sd.is_final()
        && let Some(l) = stage_line(sd, st.stage_since, now, wide)
    {
        out.push(l);
    }
    if let Some(h) = sd.awaiting_hook() {
        let mut l = vec![
            s("paused: ", Meaning::StatusDegraded),
            s(
                format!(
                    "hook {} ({})",
                    h.target_name(),
                    stage_short(
                        h.stage
                            .as_deref()
                            .or(sd.lifecycle_stage.as_deref())
                            .unwrap_or("-")
                    )
                ),
                Meaning::Text,
            ),
        ];
        match h.expires_at {
            Some(e) if e > now => l.push(s(
                format!(
                    " times out in {}, then {}",
                    span((e - now).num_seconds()),
                    h.timeout_action.as_deref().unwrap_or("ROLLBACK")
                ),
                Meaning::StatusDegraded,
            )),
            Some(_) => l.push(s(
                format!(
                    " timed out: ECS will {}",
                    h.timeout_action.as_deref().unwrap_or("ROLLBACK")
                ),
                Meaning::StatusFailed,
            )),
            None => {}
        }
        out.push(l);
    }
    if let Some(rb) = sd.rollback.as_ref() {
        let mut l = vec![s(
            format!(
                "rollback: {}",
                rb.reason.as_deref().unwrap_or("reason not given")
            ),
            Meaning::ProgressFailed,
        )];
        if let Some(t) = rb.started_at {
            l.push(s(
                format!("  {} ago", span((now - t).num_seconds())),
                Meaning::Dim,
            ));
        }
        out.push(l);
    } else if let Some(r) = sd
        .status_reason
        .as_deref()
        .filter(|_| sd.status != "IN_PROGRESS" && sd.status != "SUCCESSFUL")
    {
        out.push(vec![s(format!("reason: {r}"), Meaning::ProgressFailed)]);
    }
    out.push(traffic_line(sd));
    // a rollback ends the step and bake: no countdown to show
    if !sd.is_final()
        && !sd.is_rolling_back()
        && let Some(l) = step_line(sd, st, now)
    {
        out.push(l);
    }
    out.push(monitors_line(sd));
    if let Some(h) = sd.failed_hook() {
        out.push(vec![s(
            format!(
                "hook {} {} at {}",
                h.target_name(),
                h.status,
                h.stage.as_deref().unwrap_or("-")
            ),
            Meaning::ProgressFailed,
        )]);
    }
    out
}

fn header(sd: &ServiceDeployment, now: Time) -> Line {
    let strategy = sd.strategy.as_deref().unwrap_or("ROLLING");
    let from: Vec<String> = sd.source_revisions.iter().map(Revision::label).collect();
    let to = sd
        .target_revision
        .as_ref()
        .map(Revision::label)
        .unwrap_or_else(|| "-".into());
    let mut l = vec![
        s(format!("{strategy:<7} "), Meaning::Title),
        s(
            if from.is_empty() {
                format!("{to} ")
            } else {
                format!("{} -> {to} ", from.join(","))
            },
            Meaning::Text,
        ),
        s(sd.status.clone(), status_meaning(&sd.status)),
    ];
    let end = sd.finished_at.or(sd.stopped_at);
    match (sd.started_at.or(sd.created_at), end) {
        (_, Some(e)) if sd.is_final() => {
            l.push(s(
                format!("  ended {} ago", span((now - e).num_seconds())),
                Meaning::Dim,
            ));
        }
        (Some(t), _) => l.push(s(
            format!("  {}", span((now - t).num_seconds())),
            Meaning::Dim,
        )),
        _ => {}
    }
    l.push(s(format!("  {}", short_name(&sd.arn)), Meaning::Dim));
    l
}

/// The stage progression: done stages dim, the current one with its time, the next one.
fn stage_line(sd: &ServiceDeployment, since: Option<Time>, now: Time, wide: bool) -> Option<Line> {
    let stage = sd.lifecycle_stage.as_deref()?;
    let in_stage = since
        .map(|t| format!(" {}", span((now - t).num_seconds())))
        .unwrap_or_default();
    let Some(i) = sd.stage_index() else {
        // a stage added after this was written: say it as it is
        return Some(vec![
            s("stage ", Meaning::Dim),
            s(format!("{stage}{in_stage}"), Meaning::StatusDeploying),
        ]);
    };
    let n = LIFECYCLE_STAGES.len();
    if wide {
        let mut l = Vec::new();
        for (j, name) in LIFECYCLE_STAGES.iter().enumerate() {
            let short = stage_short(name);
            let sep = if j + 1 < n { " " } else { "" };
            if j < i {
                l.push(s(format!("{short}{sep}"), Meaning::Dim));
            } else if j == i {
                l.push(s(
                    format!("[{short}{in_stage}]{sep}"),
                    Meaning::StatusDeploying,
                ));
            } else {
                l.push(s(format!("{short}{sep}"), Meaning::Text));
            }
        }
        return Some(l);
    }
    let mut l = vec![
        s(format!("stage {}/{n} ", i + 1), Meaning::Dim),
        s(format!("{stage}{in_stage}"), Meaning::StatusDeploying),
    ];
    if let Some(next) = LIFECYCLE_STAGES.get(i + 1) {
        l.push(s(format!(", next {}", stage_short(next)), Meaning::Text));
    }
    Some(l)
}

fn revision_part(r: &Revision, role: &str) -> String {
    let mut p = format!("{role} {} prod {}", r.label(), pct(r.production_weight));
    if r.test_weight.is_some() {
        p.push_str(&format!(" test {}", pct(r.test_weight)));
    }
    p.push_str(&format!(" {}/{}", r.running, r.requested));
    if r.pending > 0 {
        p.push_str(&format!(" +{}", r.pending));
    }
    p
}

/// Target and source revisions: traffic weights and task counts.
fn traffic_line(sd: &ServiceDeployment) -> Line {
    let mut l = Vec::new();
    if let Some(t) = &sd.target_revision {
        l.push(s(revision_part(t, "to"), Meaning::Text));
    }
    for r in &sd.source_revisions {
        l.push(s(" | ", Meaning::Dim));
        l.push(s(revision_part(r, "from"), Meaning::Dim));
    }
    l
}

/// The step (LINEAR/CANARY) or bake countdown, when one is running.
fn step_line(sd: &ServiceDeployment, st: &ServiceState, now: Time) -> Option<Line> {
    let left = |since: Option<Time>, minutes: i32| -> String {
        match since {
            Some(t) => {
                let rest = i64::from(minutes) * 60 - (now - t).num_seconds();
                if rest >= 0 {
                    format!("{} left", span(rest))
                } else {
                    format!("over by {}, waiting for ECS", span(-rest))
                }
            }
            None => "started when ecswatch was not watching".into(),
        }
    };
    match sd.lifecycle_stage.as_deref()? {
        "BAKE_TIME" => {
            let m = sd.bake_time_minutes?;
            Some(vec![
                s(format!("bake {m}m: "), Meaning::Text),
                s(left(st.stage_since, m), Meaning::StatusDeploying),
                s(", then the old revision is removed", Meaning::Dim),
            ])
        }
        "PRODUCTION_TRAFFIC_SHIFT" => {
            let at = sd.target_revision.as_ref()?.production_weight?;
            let step = sd.step_percent?;
            let bake = sd.step_bake_minutes.unwrap_or(0);
            let label = match sd.strategy.as_deref() {
                Some("CANARY") => format!("canary {}, bake {bake}m: ", pct(Some(step))),
                Some("LINEAR") => format!(
                    "linear {} a step every {bake}m, at {}: ",
                    pct(Some(step)),
                    pct(Some(at))
                ),
                _ => return None,
            };
            let then = if sd.strategy.as_deref() == Some("CANARY") {
                ", then 100%".to_string()
            } else {
                format!(", then {}", pct(Some((at + step).min(100.0))))
            };
            Some(vec![
                s(label, Meaning::Text),
                s(left(st.step_since, bake), Meaning::StatusDeploying),
                s(then, Meaning::Dim),
            ])
        }
        _ => None,
    }
}

/// Alarms watched and fired; the breaker's failures against its threshold.
fn monitors_line(sd: &ServiceDeployment) -> Line {
    let mut l = Vec::new();
    match sd.alarms.as_ref() {
        Some(a) if !a.triggered.is_empty() => {
            l.push(s(
                format!("alarm FIRED: {}", a.triggered.join(", ")),
                Meaning::StatusFailed,
            ));
            let quiet: Vec<&str> = a
                .names
                .iter()
                .filter(|n| !a.triggered.contains(n))
                .map(String::as_str)
                .collect();
            if !quiet.is_empty() {
                l.push(s(
                    format!(" (also watching {})", quiet.join(", ")),
                    Meaning::Dim,
                ));
            }
        }
        Some(a) if a.status != "DISABLED" && !a.names.is_empty() => l.push(s(
            format!("alarms {}: {}", a.status, a.names.join(", ")),
            Meaning::Text,
        )),
        _ => l.push(s("no rollback alarms", Meaning::Dim)),
    }
    match sd.circuit_breaker.as_ref() {
        Some(b) if b.status != "DISABLED" => l.push(s(
            format!("  breaker {}/{} {}", b.failures, b.threshold, b.status),
            if b.failures > 0 {
                Meaning::ProgressFailed
            } else {
                Meaning::Text
            },
        )),
        _ => l.push(s("  breaker off", Meaning::Dim)),
    }
    l
}

/// The service deployment or task sets as plain text lines (the text report).
pub fn rollout_plain(st: &ServiceState, now: Time) -> Vec<String> {
    let lines = if st.service.ecs_controlled() {
        service_deployment_lines(st, now, false)
    } else {
        task_set_lines(&st.service, false)
    };
    lines
        .into_iter()
        .map(|l| l.into_iter().map(|x| x.text).collect::<String>())
        .collect()
}

/// A CodeDeploy or external service: who deploys it and its task sets.
pub fn task_set_lines(svc: &Service, wide: bool) -> Vec<Line> {
    let who = match svc.controller() {
        "CODE_DEPLOY" => "CodeDeploy",
        "EXTERNAL" => "an external deployer",
        other => other,
    };
    let mut ids: Vec<&str> = svc
        .task_sets
        .iter()
        .filter_map(|t| t.external_id.as_deref())
        .collect();
    ids.sort_unstable();
    ids.dedup();
    let mut head = vec![s(format!("deployments managed by {who}"), Meaning::Title)];
    if !ids.is_empty() {
        head.push(s(format!(": deployment {}", ids.join(", ")), Meaning::Text));
    }
    let mut out = vec![head];
    let mut sets: Vec<&TaskSet> = svc.task_sets.iter().collect();
    sets.sort_by_key(|t| t.status != "PRIMARY");
    for t in sets {
        out.push(task_set_line(t, wide));
    }
    if svc.task_sets.is_empty() {
        out.push(vec![s("no task sets reported", Meaning::Dim)]);
    }
    out
}

fn task_set_line(t: &TaskSet, wide: bool) -> Line {
    let mut l = vec![
        s(format!("{:<8}", t.status), Meaning::Title),
        s(
            format!("{} ", task_definition_label(&t.task_definition)),
            Meaning::Text,
        ),
        s(
            super::service::progress_bar(t.running, t.desired, if wide { 20 } else { 8 }),
            Meaning::ProgressDone,
        ),
        s(format!(" {}/{}", t.running, t.desired), Meaning::Text),
    ];
    if let Some(p) = t.scale_percent {
        l.push(s(format!(" scale {}", pct(Some(p))), Meaning::Dim));
    }
    if let Some(st) = t.stability.as_deref() {
        l.push(s(format!(" {st}"), Meaning::Dim));
    }
    l.push(s(format!(" {}", t.id), Meaning::Dim));
    l
}

/// The open service's recent service deployments (ListServiceDeployments), newest first.
pub fn history_lines(history: &[DeploymentBrief], now: Time, max: usize) -> Vec<Line> {
    history
        .iter()
        .take(max)
        .map(|b| {
            let when = b
                .started_at
                .or(b.created_at)
                .map(|t| format!("{} ago", span((now - t).num_seconds())))
                .unwrap_or_else(|| "-".into());
            let mut l = vec![
                s(format!("{when:>10} "), Meaning::Dim),
                s(format!("{} ", b.status), status_meaning(&b.status)),
                s(short_name(&b.arn).to_string(), Meaning::Dim),
            ];
            if let Some(r) = b.status_reason.as_deref() {
                l.push(s(format!("  {r}"), Meaning::Dim));
            }
            l
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans() {
        assert_eq!(span(-3), "0s");
        assert_eq!(span(42), "42s");
        assert_eq!(span(252), "4m12s");
        assert_eq!(span(3900), "1h05m");
    }

    #[test]
    fn weights() {
        assert_eq!(pct(Some(5.0)), "5%");
        assert_eq!(pct(Some(12.5)), "12.5%");
        assert_eq!(pct(None), "-");
    }
}
