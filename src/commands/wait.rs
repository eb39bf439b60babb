//! `ecswatch wait --cluster C --service S [--timeout 15m]`: for deploy pipelines. Follows the
//! service's primary deployment, printing a line whenever its progress changes; exits 0 when it
//! completed with running = desired, 1 when it failed or was rolled back (printing the top
//! findings), 3 on timeout. One DescribeServices call per interval.
//!
//! A service with a current service deployment (ECS deploying it, 2025 and later) is followed
//! through it as well: one DescribeServiceDeployments a poll (and one DescribeServiceRevisions
//! for its revisions' task definitions), every stage change, traffic step, alarm and hook
//! printed as it happens; `--until bake-time` exits 0 once traffic has shifted and the
//! deployment bakes (stage BAKE_TIME), `--until complete` once it is SUCCESSFUL.

use super::Exit;
use super::cycle;
use crate::aws::{AwsApi, ErrorKind};
use crate::cli::{WaitArgs, WaitUntil};
use crate::diagnosis::Playbook;
use crate::model::Scope;
use crate::model::{Deployment, Service, ServiceDeployment, task_definition_label};
use crate::store::Store;
use std::sync::Arc;
use std::time::{Duration, Instant};

pub const COMPLETED: i32 = 0;
pub const FAILED: i32 = 1;
pub const TIMED_OUT: i32 = 3;

/// Where a rollout stands, judged from one DescribeServices answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    InProgress,
    Completed,
    Failed(String),
    RolledBack(String),
}

/// Judge `svc` for the deployment being watched (`watched`: its id, set from the first answer).
pub fn judge(svc: &Service, watched: &str) -> Verdict {
    let primary = svc.primary();
    let mine = svc.deployments.iter().find(|d| d.id == watched);
    let reason = |d: &Deployment| {
        d.rollout_state_reason
            .clone()
            .unwrap_or_else(|| "no reason given".into())
    };
    if let Some(d) = mine
        && d.rollout_state.as_deref() == Some("FAILED")
    {
        let r = reason(d);
        return if primary.is_some_and(|p| p.id != d.id) || r.contains("rolling back") {
            Verdict::RolledBack(r)
        } else {
            Verdict::Failed(r)
        };
    }
    match primary {
        Some(p) if p.id == watched => {
            let done = match p.rollout_state.as_deref() {
                Some(state) => state == "COMPLETED",
                // no rollout state (older APIs, external deployment controllers): one deployment left
                None => svc.deployments.len() == 1,
            };
            if done && p.running == p.desired && svc.running == svc.desired {
                Verdict::Completed
            } else {
                Verdict::InProgress
            }
        }
        Some(p) => match mine {
            // the watched deployment was replaced: rolled back by the breaker, or not
            Some(d) if d.rollout_state.as_deref() == Some("FAILED") => {
                Verdict::RolledBack(reason(d))
            }
            _ => Verdict::RolledBack(format!(
                "deployment {watched} is no longer primary; {} ({}) replaced it",
                p.id,
                task_definition_label(&p.task_definition)
            )),
        },
        None => Verdict::InProgress,
    }
}

/// Where a service deployment stands for `until`: `None` while it goes on.
pub fn judge_service_deployment(sd: &ServiceDeployment, until: WaitUntil) -> Option<Verdict> {
    let why = || {
        sd.rollback
            .as_ref()
            .and_then(|r| r.reason.clone())
            .or_else(|| sd.status_reason.clone())
            .unwrap_or_else(|| "no reason given".into())
    };
    match sd.status.as_str() {
        "SUCCESSFUL" => Some(Verdict::Completed),
        "ROLLBACK_REQUESTED" | "ROLLBACK_IN_PROGRESS" | "ROLLBACK_SUCCESSFUL" => {
            Some(Verdict::RolledBack(format!("{} ({})", why(), sd.status)))
        }
        "ROLLBACK_FAILED" | "STOPPED" | "STOP_REQUESTED" => {
            Some(Verdict::Failed(format!("{} ({})", why(), sd.status)))
        }
        _ if until == WaitUntil::BakeTime
            && sd.lifecycle_stage.as_deref().is_some_and(|s| {
                crate::model::LIFECYCLE_STAGES
                    .iter()
                    .position(|x| *x == s)
                    .is_some_and(|i| i >= 8)
            }) =>
        {
            Some(Verdict::Completed)
        }
        _ => None,
    }
}

/// Fill the revisions' task definitions (cached by revision ARN across polls).
async fn resolve_revisions<A: AwsApi>(
    api: &A,
    sd: &mut ServiceDeployment,
    cache: &mut std::collections::HashMap<String, String>,
) {
    let missing: Vec<String> = sd
        .target_revision
        .iter()
        .chain(&sd.source_revisions)
        .map(|r| r.arn.clone())
        .filter(|a| !a.is_empty() && !cache.contains_key(a))
        .collect();
    if !missing.is_empty()
        && let Ok(found) = api.describe_service_revisions(&missing).await
    {
        cache.extend(found.into_iter().map(|r| (r.arn, r.task_definition)));
    }
    for r in sd
        .target_revision
        .iter_mut()
        .chain(&mut sd.source_revisions)
    {
        if let Some(td) = cache.get(&r.arn) {
            r.task_definition = Some(td.clone());
        }
    }
}

/// One progress line for the watched deployment.
pub fn progress_line(svc: &Service, watched: &str) -> String {
    let d = svc
        .deployments
        .iter()
        .find(|d| d.id == watched)
        .or_else(|| svc.primary());
    match d {
        Some(d) => format!(
            "{} {} {}: running {}/{} pending {} failed {}{}",
            chrono::Utc::now().format("%H:%M:%S"),
            svc.key(),
            task_definition_label(&d.task_definition),
            d.running,
            d.desired,
            d.pending,
            d.failed,
            match d.rollout_state.as_deref() {
                Some(s) => format!(" [{s}]"),
                None => String::new(),
            }
        ),
        None => format!(
            "{} {}: no deployment",
            chrono::Utc::now().format("%H:%M:%S"),
            svc.key()
        ),
    }
}

pub async fn run<A: AwsApi>(
    api: &A,
    pb: Playbook,
    cluster: &str,
    service: &str,
    args: &WaitArgs,
    out: &mut dyn std::io::Write,
) -> Result<i32, Exit> {
    let started = Instant::now();
    let mut watched: Option<String> = None;
    let mut last_line = String::new();
    let mut last_error = String::new();
    let names = [service.to_string()];
    let mut revisions = std::collections::HashMap::new();
    let mut last_sd: Option<ServiceDeployment> = None;
    loop {
        match api.describe_services(cluster, &names).await {
            Ok(d) => match d.found.into_iter().next() {
                Some(svc) => {
                    // the service deployment, when ECS deploys the service through one
                    let arn = svc
                        .current_service_deployment
                        .clone()
                        .filter(|_| svc.ecs_controlled());
                    let sd = match arn {
                        Some(arn) => match api.describe_service_deployments(&[arn]).await {
                            Ok(found) => found.found.into_iter().next(),
                            Err(e) => {
                                let msg = e.to_string();
                                if msg != last_error {
                                    eprintln!(
                                        "ecswatch: {msg} (following the deployments list only)"
                                    );
                                    last_error = msg;
                                }
                                None
                            }
                        },
                        None => None,
                    };
                    if let Some(mut sd) = sd {
                        resolve_revisions(api, &mut sd, &mut revisions).await;
                        let now = chrono::Utc::now();
                        let old = last_sd.as_ref().filter(|o| o.arn == sd.arn);
                        for t in crate::store::timeline::service_deployment_transitions(
                            old,
                            Some(&sd),
                            now,
                        ) {
                            let _ = writeln!(
                                out,
                                "{} {}: {}",
                                now.format("%H:%M:%S"),
                                svc.key(),
                                t.text
                            );
                        }
                        let verdict = judge_service_deployment(&sd, args.until);
                        last_sd = Some(sd);
                        match verdict {
                            Some(Verdict::Completed) => {
                                let sd = last_sd.as_ref().expect("just set");
                                let _ = writeln!(
                                    out,
                                    "{}: {} {} ({})",
                                    if args.until == WaitUntil::BakeTime
                                        && sd.status != "SUCCESSFUL"
                                    {
                                        "baking"
                                    } else {
                                        "completed"
                                    },
                                    svc.key(),
                                    sd.lifecycle_stage.as_deref().unwrap_or("-"),
                                    sd.status
                                );
                                return Ok(COMPLETED);
                            }
                            Some(v @ (Verdict::Failed(_) | Verdict::RolledBack(_))) => {
                                let (verb, why) = match v {
                                    Verdict::RolledBack(w) => ("rolled back", w),
                                    Verdict::Failed(w) => ("failed", w),
                                    _ => unreachable!("matched above"),
                                };
                                let _ = writeln!(out, "{verb}: {why}");
                                print_findings(api, pb, cluster, service, out).await;
                                return Ok(FAILED);
                            }
                            _ => {}
                        }
                    }
                    let id = watched.get_or_insert_with(|| {
                        svc.primary().map(|p| p.id.clone()).unwrap_or_default()
                    });
                    let line = progress_line(&svc, id);
                    // the time prefix changes every poll; print when the rest does
                    let body = line.split_once(' ').map(|(_, b)| b).unwrap_or(&line);
                    if body != last_line {
                        let _ = writeln!(out, "{line}");
                        last_line = body.to_string();
                    }
                    // with a service deployment, it decides (above); the deployments list
                    // only shows progress
                    if last_sd.is_none() {
                        let ended = match judge(&svc, id) {
                            Verdict::InProgress => None,
                            Verdict::Failed(why) => Some(("failed", why)),
                            Verdict::RolledBack(why) => Some(("rolled back", why)),
                            Verdict::Completed => {
                                let _ = writeln!(
                                    out,
                                    "completed: {} runs {}/{} tasks",
                                    svc.key(),
                                    svc.running,
                                    svc.desired
                                );
                                return Ok(COMPLETED);
                            }
                        };
                        if let Some((verb, why)) = ended {
                            let _ = writeln!(out, "{verb}: {why}");
                            print_findings(api, pb, cluster, service, out).await;
                            return Ok(FAILED);
                        }
                    }
                }
                None => {
                    let why = d
                        .failures
                        .first()
                        .map(|(_, r)| r.clone())
                        .unwrap_or_else(|| "MISSING".into());
                    return Err(Exit::new(
                        2,
                        format!("service {cluster}/{service} not found ({why})"),
                    ));
                }
            },
            Err(e) if e.kind.is_transient() => {
                let msg = e.to_string();
                if msg != last_error {
                    eprintln!("ecswatch: {msg} (retrying)");
                    last_error = msg;
                }
            }
            Err(e) if e.kind == ErrorKind::NotFound => {
                return Err(Exit::new(2, format!("{cluster}/{service}: {e}")));
            }
            Err(e) => return Err(Exit::new(2, format!("cannot follow the rollout: {e}"))),
        }
        let elapsed = started.elapsed();
        if elapsed >= args.timeout {
            let _ = writeln!(
                out,
                "timed out after {}s; last: {}",
                args.timeout.as_secs(),
                if last_line.is_empty() {
                    "nothing read"
                } else {
                    &last_line
                }
            );
            return Ok(TIMED_OUT);
        }
        let pause = Duration::from_secs(args.interval).min(args.timeout - elapsed);
        tokio::time::sleep(pause).await;
    }
}

/// Diagnose the service once and print its top findings (what failed, the fix, the check).
async fn print_findings<A: AwsApi>(
    api: &A,
    pb: Playbook,
    cluster: &str,
    service: &str,
    out: &mut dyn std::io::Write,
) {
    let scope = Scope {
        clusters: vec![cluster.to_string()],
        services: vec![service.to_string()],
    };
    let mut store = Store::new(scope, api.region(), Arc::new(pb));
    let now = chrono::Utc::now();
    cycle::run_once(api, &mut store, 0, now, &mut |_| {}).await;
    let findings: Vec<_> = store
        .services
        .values()
        .flat_map(|s| s.findings.iter())
        .take(3)
        .collect();
    if findings.is_empty() {
        let _ = writeln!(out, "no finding explains it yet");
    }
    for f in findings {
        let _ = writeln!(
            out,
            "\n[{}] {} ({}{})",
            f.severity.as_str(),
            f.title,
            f.id,
            f.confidence.note()
        );
        for e in f.evidence.iter().take(2) {
            let _ = writeln!(out, "  evidence: {e}");
        }
        let _ = writeln!(out, "  fix:      {}", f.fix);
        let _ = writeln!(out, "  confirm:  {}", f.confirm);
    }
}
