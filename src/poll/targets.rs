//! Targets: DescribeTargetGroups (20 a call) and DescribeTargetGroupAttributes, refreshed
//! every minute; DescribeTargetHealth per target group every poll.

use super::{Payload, PollPlan, Source, Update};
use crate::aws::{AwsApi, DESCRIBE_TARGET_GROUPS_BATCH};
use crate::model::{TargetGroup, Time};
use std::collections::HashMap;

/// How long target group descriptions and attributes are reused.
const GROUP_TTL_S: i64 = 60;

#[derive(Debug, Default)]
pub struct TargetsPoller {
    groups: HashMap<String, (TargetGroup, Time)>,
}

impl TargetsPoller {
    pub fn new() -> Self {
        Self::default()
    }

    pub async fn poll<A: AwsApi>(&mut self, api: &A, plan: &PollPlan, now: Time) -> Update {
        let mut errors = Vec::new();
        let mut arns: Vec<String> = Vec::new();
        for s in &plan.services {
            for tg in &s.target_groups {
                if !arns.contains(tg) {
                    arns.push(tg.clone());
                }
            }
        }
        let stale: Vec<String> = arns
            .iter()
            .filter(|a| {
                self.groups
                    .get(*a)
                    .is_none_or(|(_, at)| (now - *at).num_seconds() >= GROUP_TTL_S)
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
        let mut out = Vec::new();
        for arn in &arns {
            let Some((group, _)) = self.groups.get(arn) else {
                continue;
            };
            match api.describe_target_health(arn).await {
                Ok(h) => out.push((group.clone(), h)),
                Err(e) => errors.push(e),
            }
        }
        let payload = (!out.is_empty() || errors.is_empty()).then_some(Payload::Targets(out));
        Update::new(Source::Targets, now, payload, errors)
    }
}
