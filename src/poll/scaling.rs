//! Service auto scaling (Application Auto Scaling): DescribeScalableTargets (50 services a
//! call), then for a registered service its policies (DescribeScalingPolicies, re-read every
//! [`POLICIES_TTL_S`]) and its recent activities with the ones that did not scale
//! (DescribeScalingActivities, IncludeNotScaledActivities).
//!
//! The open service only, every 30 s (2 calls, a third when the policies are due); `snapshot`
//! (exhaustive) reads every service in scope: one DescribeScalableTargets per 50 services and two
//! calls per registered one. The board reads none: scaling explains an incident once a service
//! is open, and a fleet round of it would cost a call per service.

use super::budget::{Priority, with_priority};
use super::{Payload, PollPlan, Source, Update, all_pages};
use crate::aws::{AwsApi, DESCRIBE_SCALABLE_TARGETS_BATCH};
use crate::model::scaling::{ScalingPart, resource_id};
use crate::model::{Scaling, ScalingPolicy, ServiceKey, Time};
use std::collections::HashMap;

/// Policies change rarely (someone edits them): read again after this long.
pub const POLICIES_TTL_S: i64 = 300;

#[derive(Debug, Default)]
pub struct ScalingPoller {
    /// The policies last read, per service, and when.
    policies: HashMap<ServiceKey, (Time, Vec<ScalingPolicy>)>,
}

impl ScalingPoller {
    pub fn new() -> Self {
        Self::default()
    }

    pub async fn poll<A: AwsApi>(&mut self, api: &A, plan: &PollPlan, now: Time) -> Update {
        let (keys, p): (Vec<ServiceKey>, Priority) = if plan.exhaustive {
            (
                plan.services.iter().map(|s| s.key.clone()).collect(),
                Priority::Background,
            )
        } else {
            (plan.open().cloned().collect(), Priority::Open)
        };
        if keys.is_empty() {
            // nothing open: nothing to read, and nothing failed
            return Update::new(
                Source::Scaling,
                now,
                Some(Payload::Scaling(Vec::new())),
                Vec::new(),
            );
        }
        // the open service's policies are all this keeps
        self.policies.retain(|k, _| keys.contains(k));
        let mut errors = Vec::new();
        let mut out = Vec::new();
        // Every service's scalable target, at the batching minimum: by id, 50 services a call;
        // or, when a one-shot read covers the whole account and at least a call's worth of
        // services, the whole `ecs` namespace, 50 registered targets a page (an account
        // registers at most as many targets as it has services, usually far fewer).
        let whole_namespace = plan.exhaustive
            && plan.scope == super::Scope::default()
            && keys.len() >= DESCRIBE_SCALABLE_TARGETS_BATCH;
        let chunks: Vec<&[ServiceKey]> = if whole_namespace {
            vec![keys.as_slice()]
        } else {
            keys.chunks(DESCRIBE_SCALABLE_TARGETS_BATCH).collect()
        };
        for chunk in chunks {
            let ids: Vec<String> = chunk
                .iter()
                .map(|k| resource_id(&k.cluster, &k.service))
                .collect();
            let by_id: &[String] = if whole_namespace { &[] } else { &ids };
            let read = with_priority(
                p,
                all_pages(|next| api.describe_scalable_targets(by_id, next)),
            )
            .await;
            let targets = match read {
                Ok(t) => t,
                Err(e) => {
                    errors.push(e);
                    continue;
                }
            };
            for (key, id) in chunk.iter().zip(&ids) {
                let Some(target) = targets.iter().find(|t| &t.resource_id == id) else {
                    // not registered: nothing scales it
                    self.policies.remove(key);
                    out.push((key.clone(), Scaling::default()));
                    continue;
                };
                let fresh = self
                    .policies
                    .get(key)
                    .filter(|(at, _)| (now - *at).num_seconds() < POLICIES_TTL_S)
                    .map(|(_, p)| p.clone());
                // each call's answer is kept when another fails: the target and the policies
                // still show (and their lints hold) when the activities cannot be read
                let mut unread = Vec::new();
                // the policies (when due) and the activities are in flight together
                let policies_read = async {
                    match fresh {
                        Some(_) => None,
                        None => Some(
                            with_priority(
                                p,
                                all_pages(|next| api.describe_scaling_policies(id, next)),
                            )
                            .await,
                        ),
                    }
                };
                let (policies_read, activities_read) = tokio::join!(
                    policies_read,
                    with_priority(p, api.describe_scaling_activities(id))
                );
                let policies = match (fresh, policies_read) {
                    (Some(p), _) => p,
                    (None, Some(Ok(read))) => {
                        self.policies.insert(key.clone(), (now, read.clone()));
                        read
                    }
                    (None, Some(Err(e))) => {
                        errors.push(e.about(id.clone()));
                        unread.push(ScalingPart::Policies);
                        // the last read, however old, rather than none
                        self.policies
                            .get(key)
                            .map(|(_, p)| p.clone())
                            .unwrap_or_default()
                    }
                    (None, None) => Vec::new(),
                };
                let activities = match activities_read {
                    Ok(a) => a,
                    Err(e) => {
                        errors.push(e.about(id.clone()));
                        unread.push(ScalingPart::Activities);
                        Vec::new()
                    }
                };
                out.push((
                    key.clone(),
                    Scaling {
                        target: Some(target.clone()),
                        policies,
                        activities,
                        unread,
                    },
                ));
            }
        }
        let payload = (!out.is_empty()).then_some(Payload::Scaling(out));
        Update::new(Source::Scaling, now, payload, errors)
    }
}
