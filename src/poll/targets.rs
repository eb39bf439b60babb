//! Targets: DescribeTargetHealth per target group; DescribeTargetGroups (20 a call) and
//! DescribeTargetGroupAttributes when a description is older than its TTL.
//!
//! Every poll (5 s) reads the open service's groups first. The rest of the fleet's groups are
//! read in a round spread over the polls, sized so that fleet reads use at most half of
//! ecswatch's share of the ELB quota (a round of at least a minute): 200 groups at 2 calls/s
//! take 200 s, never more calls per second.

use super::budget::{Priority, Quota, with_priority};
use super::{Payload, PollPlan, Source, Update};
use crate::aws::{AwsApi, DESCRIBE_TARGET_GROUPS_BATCH};
use crate::model::{TargetGroup, Time};
use std::collections::HashMap;

/// How long target group descriptions and attributes are reused: the open service's, and
/// everyone else's (they change only when someone edits the group).
const OPEN_GROUP_TTL_S: i64 = 60;
const FLEET_GROUP_TTL_S: i64 = 900;
/// The shortest fleet round, and the part of the ELB allowance fleet rounds may use.
const MIN_ROUND_S: f64 = 60.0;
const FLEET_PART: f64 = 0.5;
/// Seconds between polls (the runner's cadence for this source).
pub const POLL_S: f64 = 5.0;

#[derive(Debug, Default)]
pub struct TargetsPoller {
    /// Descriptions with when they were read (health is not kept here: the store has it).
    groups: HashMap<String, (TargetGroup, Time)>,
    cursor: usize,
}

impl TargetsPoller {
    pub fn new() -> Self {
        Self::default()
    }

    pub async fn poll<A: AwsApi>(&mut self, api: &A, plan: &PollPlan, now: Time) -> Update {
        let mut errors = Vec::new();
        let open: Vec<String> = plan
            .focused()
            .map(|s| s.target_groups.clone())
            .unwrap_or_default();
        let mut fleet: Vec<String> = Vec::new();
        for s in &plan.services {
            for tg in &s.target_groups {
                if !open.contains(tg) && !fleet.contains(tg) {
                    fleet.push(tg.clone());
                }
            }
        }
        // this poll's part of the fleet round
        let part: Vec<String> = if plan.exhaustive || fleet.is_empty() {
            fleet
        } else {
            // each group costs one health read, plus a description now and then
            let rate = plan.pace.rate(Quota::ElbRead) * FLEET_PART;
            let round = (fleet.len() as f64 / rate).max(MIN_ROUND_S);
            let n = ((fleet.len() as f64 * POLL_S / round).ceil() as usize).clamp(1, fleet.len());
            let start = self.cursor % fleet.len();
            self.cursor = (start + n) % fleet.len();
            (0..n)
                .map(|i| fleet[(start + i) % fleet.len()].clone())
                .collect()
        };
        let mut out = Vec::new();
        for (arns, p, ttl) in [
            (&open, Priority::Open, OPEN_GROUP_TTL_S),
            (&part, Priority::Background, FLEET_GROUP_TTL_S),
        ] {
            with_priority(p, self.read(api, arns, ttl, now, &mut out, &mut errors)).await;
        }
        let payload = (!out.is_empty() || errors.is_empty()).then_some(Payload::Targets(out));
        Update::new(Source::Targets, now, payload, errors)
    }

    async fn read<A: AwsApi>(
        &mut self,
        api: &A,
        arns: &[String],
        ttl: i64,
        now: Time,
        out: &mut Vec<(TargetGroup, Vec<crate::model::TargetHealth>)>,
        errors: &mut Vec<crate::aws::ApiError>,
    ) {
        let stale: Vec<String> = arns
            .iter()
            .filter(|a| {
                self.groups
                    .get(*a)
                    .is_none_or(|(_, at)| (now - *at).num_seconds() >= ttl)
            })
            .cloned()
            .collect();
        for batch in stale.chunks(DESCRIBE_TARGET_GROUPS_BATCH) {
            match api.describe_target_groups(batch).await {
                Ok(groups) => {
                    for mut g in groups {
                        match api.deregistration_delay(&g.arn).await {
                            Ok(d) => g.deregistration_delay_s = d,
                            Err(e) => errors.push(e),
                        }
                        self.groups.insert(g.arn.clone(), (g, now));
                    }
                }
                Err(e) => errors.push(e),
            }
        }
        for arn in arns {
            let Some((group, _)) = self.groups.get(arn) else {
                continue;
            };
            match api.describe_target_health(arn).await {
                Ok(h) => out.push((group.clone(), h)),
                Err(e) => errors.push(e),
            }
        }
    }
}
