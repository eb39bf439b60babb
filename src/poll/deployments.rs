//! Service deployments, read beside DescribeServices by the services poller.
//!
//! For each described service with a `currentServiceDeployment`: a deployment in a final state
//! (SUCCESSFUL, STOPPED, ROLLBACK_*) never changes, so it is read once and kept; one that is
//! still running is read again each time its service is described — when the service is open,
//! not calm, or was seen deploying (a calm service's finished deployment is read only by the
//! one-shot `snapshot` or when it is opened). DescribeServiceDeployments takes 20 ARNs a call,
//! DescribeServiceRevisions (for each revision's task definition; immutable, cached) as many.
//! The open service's history (ListServiceDeployments, one page of 100) is read when it is
//! opened and again only when its current deployment changes.

use super::budget::{Priority, with_priority};
use crate::aws::{ApiError, AwsApi, DESCRIBE_SERVICE_DEPLOYMENTS_BATCH, ErrorKind};
use crate::model::{DeploymentBrief, RevisionDetail, Service, ServiceDeployment, ServiceKey, Time};
use std::collections::HashMap;

/// After an answer that says the operation is not allowed or not there (an IAM policy without
/// `ecs:DescribeServiceDeployments`, an endpoint that lacks it), wait this long to try again.
const RETRY_DENIED_S: i64 = 300;
/// Kept final deployments and revisions beyond which the caches start over (bounded memory).
const CACHE_MAX: usize = 20_000;
/// An Express Mode revision whose managed resources ECS is still creating or removing is read
/// again after this long (a revision is otherwise immutable and read once).
const SETTLING_REREAD_S: i64 = 30;

#[derive(Debug, Default)]
pub struct DeploymentReader {
    /// Final deployments: never read again.
    finals: HashMap<String, ServiceDeployment>,
    /// Running deployments as last read (shown when a read fails; read until final).
    live: HashMap<String, ServiceDeployment>,
    /// Service revision ARN -> its task definition and target groups (immutable; a revision
    /// the answer left out is held with an empty task definition, so it is not asked again).
    revisions: HashMap<String, RevisionDetail>,
    /// When each revision with settling managed resources (Express Mode) was last read.
    settling_read: HashMap<String, Time>,
    /// The open service's history, with the current deployment (ARN, status) it was read at.
    history: HashMap<ServiceKey, ((String, String), Vec<DeploymentBrief>)>,
    /// No reads of service deployments before this (after a denial).
    paused_until: Option<Time>,
}

/// A service deployment read is worth its call for this service now.
fn wanted(s: &Service, open: &[ServiceKey], exhaustive: bool) -> bool {
    let calm = s.deployments.len() <= 1
        && s.primary()
            .is_none_or(|d| d.rollout_state.as_deref().is_none_or(|r| r == "COMPLETED"));
    exhaustive || !calm || open.contains(&s.key())
}

fn is_denial(e: &ApiError) -> bool {
    let code = e.code.as_deref().unwrap_or("");
    matches!(e.kind, ErrorKind::AccessDenied | ErrorKind::Invalid)
        || code.contains("UnknownOperation")
        || code.contains("InvalidAction")
        || e.message.contains("not implemented")
}

impl DeploymentReader {
    /// Attach each service's current service deployment (and, for the open service, its
    /// history) to the services just described. `target` is set on the keys by the caller's
    /// store; here keys are compared by cluster and name with target 0 (one poller per target).
    pub async fn attach<A: AwsApi>(
        &mut self,
        api: &A,
        services: &mut [Service],
        open: &[ServiceKey],
        exhaustive: bool,
        now: Time,
        errors: &mut Vec<ApiError>,
    ) {
        let open: Vec<ServiceKey> = open
            .iter()
            .map(|f| ServiceKey::new(&f.cluster, &f.service))
            .collect();
        if self.finals.len() > CACHE_MAX {
            self.finals.clear();
        }
        if self.revisions.len() > CACHE_MAX {
            self.revisions.clear();
            self.settling_read.clear();
        }
        let paused = self.paused_until.is_some_and(|u| now < u);
        // the open service's ARN first, so its batch can go at Open priority
        let mut to_read: Vec<(bool, String)> = services
            .iter()
            .filter(|s| s.ecs_controlled())
            .filter_map(|s| {
                let arn = s.current_service_deployment.clone()?;
                let read = !self.finals.contains_key(&arn)
                    && (self.live.contains_key(&arn) || wanted(s, &open, exhaustive));
                read.then(|| (open.contains(&s.key()), arn))
            })
            .collect();
        to_read.sort_by_key(|(open, _)| !*open);
        to_read.dedup_by(|a, b| a.1 == b.1);
        if !paused {
            for batch in to_read.chunks(DESCRIBE_SERVICE_DEPLOYMENTS_BATCH) {
                let arns: Vec<String> = batch.iter().map(|(_, a)| a.clone()).collect();
                let p = if batch.iter().any(|(open, _)| *open) {
                    Priority::Open
                } else {
                    Priority::Shown
                };
                match with_priority(p, api.describe_service_deployments(&arns)).await {
                    Ok(d) => {
                        for sd in d.found {
                            self.keep(sd);
                        }
                    }
                    Err(e) => {
                        if is_denial(&e) {
                            self.paused_until =
                                Some(now + chrono::Duration::seconds(RETRY_DENIED_S));
                        }
                        errors.push(e);
                        break;
                    }
                }
            }
            let mut revisions: Vec<String> = services
                .iter()
                .filter_map(|s| s.current_service_deployment.as_deref())
                .filter_map(|a| self.finals.get(a).or_else(|| self.live.get(a)))
                .flat_map(|sd| sd.target_revision.iter().chain(sd.source_revisions.iter()))
                .map(|r| r.arn.clone())
                .collect();
            // a blue/green service's current revisions say which of its two groups is
            // production (read once each: revisions never change); an Express Mode service's
            // say what ECS manages for it (read again while those resources settle)
            revisions.extend(
                services
                    .iter()
                    .filter(|s| s.is_blue_green_lb() || s.is_express())
                    .flat_map(|s| s.current_revisions.iter().map(|r| r.arn.clone())),
            );
            self.read_revisions(api, revisions, now, errors).await;
        }
        for s in services.iter_mut() {
            for r in s.current_revisions.iter_mut() {
                if let Some(d) = self.revisions.get(&r.arn) {
                    r.target_groups = d.target_groups.clone();
                    r.resolved = !d.task_definition.is_empty();
                    r.managed = d.managed.clone();
                }
            }
            let Some(arn) = s.current_service_deployment.as_deref() else {
                continue;
            };
            let mut sd = self.finals.get(arn).or_else(|| self.live.get(arn)).cloned();
            if let Some(sd) = sd.as_mut() {
                self.fill_revisions(sd);
            }
            s.service_deployment = sd;
        }
        self.history.retain(|k, _| open.contains(k));
        for f in &open {
            if !paused {
                self.read_history(api, services, f, errors).await;
            }
            if let Some(s) = services.iter_mut().find(|s| &s.key() == f)
                && let Some((_, h)) = self.history.get(f)
            {
                s.deployment_history = h.clone();
            }
        }
    }

    fn keep(&mut self, sd: ServiceDeployment) {
        if sd.is_final() {
            self.live.remove(&sd.arn);
            self.finals.insert(sd.arn.clone(), sd);
        } else {
            self.live.insert(sd.arn.clone(), sd);
        }
    }

    fn fill_revisions(&self, sd: &mut ServiceDeployment) {
        for r in sd
            .target_revision
            .iter_mut()
            .chain(sd.source_revisions.iter_mut())
        {
            if let Some(d) = self.revisions.get(&r.arn) {
                if r.task_definition.is_none() && !d.task_definition.is_empty() {
                    r.task_definition = Some(d.task_definition.clone());
                }
                if r.target_groups.is_empty() {
                    r.target_groups = d.target_groups.clone();
                }
            }
        }
    }

    async fn read_revisions<A: AwsApi>(
        &mut self,
        api: &A,
        arns: Vec<String>,
        now: Time,
        errors: &mut Vec<ApiError>,
    ) {
        let stale = |a: &String| match self.revisions.get(a) {
            None => true,
            Some(d) if d.managed.settling() => self
                .settling_read
                .get(a)
                .is_none_or(|at| (now - *at).num_seconds() >= SETTLING_REREAD_S),
            Some(_) => false,
        };
        let mut unknown: Vec<String> = arns
            .into_iter()
            .filter(|a| !a.is_empty() && stale(a))
            .collect();
        unknown.sort();
        unknown.dedup();
        for batch in unknown.chunks(DESCRIBE_SERVICE_DEPLOYMENTS_BATCH) {
            match with_priority(Priority::Shown, api.describe_service_revisions(batch)).await {
                Ok(found) => {
                    for a in batch {
                        // a revision the answer left out is not asked for again
                        self.revisions.entry(a.clone()).or_default();
                    }
                    for r in found {
                        if r.managed.settling() {
                            self.settling_read.insert(r.arn.clone(), now);
                        } else {
                            self.settling_read.remove(&r.arn);
                        }
                        self.revisions.insert(r.arn.clone(), r);
                    }
                }
                Err(e) => {
                    errors.push(e);
                    break;
                }
            }
        }
    }

    async fn read_history<A: AwsApi>(
        &mut self,
        api: &A,
        services: &[Service],
        focus: &ServiceKey,
        errors: &mut Vec<ApiError>,
    ) {
        let Some(s) = services.iter().find(|s| &s.key() == focus) else {
            return;
        };
        if !s.ecs_controlled() {
            return;
        }
        let current = (
            s.current_service_deployment.clone().unwrap_or_default(),
            s.service_deployment
                .as_ref()
                .map(|d| d.status.clone())
                .unwrap_or_default(),
        );
        if self
            .history
            .get(focus)
            .is_some_and(|(at, _)| *at == current)
        {
            return;
        }
        match with_priority(
            Priority::Open,
            api.list_service_deployments(&s.cluster, &s.name, None),
        )
        .await
        {
            Ok(page) => {
                let mut items = page.items;
                items.sort_by_key(|b| std::cmp::Reverse(b.created_at.or(b.started_at)));
                // only the open services' histories are kept (`attach` forgets the others)
                self.history.insert(focus.clone(), (current, items));
            }
            Err(e) => errors.push(e),
        }
    }
}
