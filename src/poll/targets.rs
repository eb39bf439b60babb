//! Targets: DescribeTargetHealth per target group; DescribeTargetGroups (20 a call) and
//! DescribeTargetGroupAttributes when a description is older than its TTL.
//!
//! Every poll (5 s) reads the open service's groups first. The rest of the fleet's groups are
//! read in a round spread over the polls, sized so that fleet reads use at most half of
//! ecswatch's share of the ELB quota (a round of at least a minute): 200 groups at ~1 call/s
//! take about 200 s, never more calls per second. Descriptions come from the store
//! (`PollPlan::groups_described`); the poller keeps no copy of them.

use super::budget::{Priority, Quota, with_priority};
use super::{Payload, PollPlan, Source, Update, all_pages};
use crate::aws::{AwsApi, DESCRIBE_RULES_BATCH, DESCRIBE_TARGET_GROUPS_BATCH};
use crate::model::{LatticeTarget, ListenerRule, TargetGroup, TargetHealth, Time};

/// How long target group descriptions and attributes are reused: the open service's, and
/// everyone else's (they change only when someone edits the group).
const OPEN_GROUP_TTL_S: i64 = 60;
const FLEET_GROUP_TTL_S: i64 = 900;
/// The shortest fleet round, and the part of the ELB allowance fleet rounds may use.
const MIN_ROUND_S: f64 = 60.0;
const FLEET_PART: f64 = 0.5;
/// Seconds between polls (the runner's cadence for this source).
pub const POLL_S: f64 = 5.0;
/// The console's first picture: the first poll that knows the fleet's groups reads those of
/// every service that is not calm, and every group when there are at most this many (a group
/// read for the first time costs about 2.5 ELB calls: its health, its attributes and a share
/// of a DescribeTargetGroups; 8 fit the opening allowance of 20, half of ELB's bucket of 40).
pub const FIRST_PICTURE_ALL_GROUPS: usize = 8;

/// How often blue/green listener rules are read again: the open service's (a swap shows
/// within this), and the others' (read with their groups' round).
const OPEN_RULE_TTL_S: i64 = 15;
const FLEET_RULE_TTL_S: i64 = 300;

#[derive(Debug, Default)]
pub struct TargetsPoller {
    cursor: usize,
    /// The first picture was read.
    first_done: bool,
    /// When each listener rule was last asked for (a timer, not data: the store keeps them).
    rules_asked: std::collections::HashMap<String, Time>,
}

/// What one poll read.
#[derive(Default)]
struct Read {
    described: Vec<(TargetGroup, Vec<TargetHealth>)>,
    health: Vec<(String, Vec<TargetHealth>)>,
    rules: Vec<ListenerRule>,
    lattice: Vec<(String, Vec<LatticeTarget>)>,
    errors: Vec<crate::aws::ApiError>,
}

impl TargetsPoller {
    pub fn new() -> Self {
        Self::default()
    }

    pub async fn poll<A: AwsApi>(&mut self, api: &A, plan: &PollPlan, now: Time) -> Update {
        let mut open: Vec<String> = Vec::new();
        for s in plan.opened() {
            for tg in &s.target_groups {
                if !open.contains(tg) {
                    open.push(tg.clone());
                }
            }
        }
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
            fleet.clone()
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
        // the first picture: what is failing now, before the round goes on
        let first: Vec<String> = if plan.exhaustive || self.first_done || fleet.is_empty() {
            Vec::new()
        } else {
            self.first_done = true;
            let unsettled: Vec<String> = if fleet.len() <= FIRST_PICTURE_ALL_GROUPS {
                fleet.clone()
            } else {
                plan.services
                    .iter()
                    .filter(|s| !s.calm)
                    .flat_map(|s| s.target_groups.iter())
                    .filter(|g| fleet.contains(g))
                    .cloned()
                    .collect()
            };
            unsettled
                .into_iter()
                .filter(|g| !part.contains(g))
                .collect()
        };
        let mut read = Read::default();
        for (arns, p, ttl) in [
            (&open, Priority::Open, OPEN_GROUP_TTL_S),
            (&first, Priority::Shown, FLEET_GROUP_TTL_S),
            (&part, Priority::Background, FLEET_GROUP_TTL_S),
        ] {
            with_priority(p, read_groups(api, plan, arns, ttl, now, &mut read)).await;
        }
        // blue/green listener rules of the services whose groups were read
        let read_now: Vec<&String> = open.iter().chain(&first).chain(&part).collect();
        let mut due: Vec<(String, Priority)> = Vec::new();
        for s in &plan.services {
            let is_open = plan.is_open(&s.key);
            if !is_open && !s.target_groups.iter().any(|g| read_now.contains(&g)) {
                continue;
            }
            let ttl = if is_open || plan.exhaustive {
                OPEN_RULE_TTL_S
            } else {
                FLEET_RULE_TTL_S
            };
            for r in &s.listener_rules {
                let fresh = self
                    .rules_asked
                    .get(r)
                    .is_some_and(|at| (now - *at).num_seconds() < ttl && !plan.exhaustive);
                if !fresh && !due.iter().any(|(d, _)| d == r) {
                    let p = if is_open {
                        Priority::Open
                    } else {
                        Priority::Shown
                    };
                    due.push((r.clone(), p));
                }
            }
        }
        self.rules_asked
            .retain(|r, _| plan.services.iter().any(|s| s.listener_rules.contains(r)));
        for (r, _) in &due {
            self.rules_asked.insert(r.clone(), now);
        }
        read_rules(api, &due, &mut read).await;
        // VPC Lattice target health: what is shown (the open service; every service in
        // `snapshot`), every poll, every page
        let lattice: Vec<&String> = plan
            .services
            .iter()
            .filter(|s| plan.exhaustive || plan.is_open(&s.key))
            .flat_map(|s| s.lattice_groups.iter())
            .collect();
        let reads = futures_util::future::join_all(lattice.iter().map(|g| async move {
            let r = with_priority(
                Priority::Open,
                all_pages(|next| api.list_lattice_targets(g, next)),
            )
            .await;
            ((*g).clone(), r)
        }))
        .await;
        for (g, r) in reads {
            match r {
                Ok(targets) => read.lattice.push((g, targets)),
                Err(e) => read.errors.push(e.about(g)),
            }
        }
        let Read {
            described,
            health,
            rules,
            lattice,
            errors,
        } = read;
        let payload = (!described.is_empty()
            || !health.is_empty()
            || !rules.is_empty()
            || !lattice.is_empty()
            || errors.is_empty())
        .then_some(Payload::TargetsRead {
            described,
            health,
            rules,
            lattice,
        });
        Update::new(Source::Targets, now, payload, errors)
    }
}

/// Read every group's health (in flight together: the budget paces them), then describe those
/// whose health was read and whose descriptions the store holds for longer than `ttl` (a held
/// group whose health cannot be read is not described either: under throttling that would only
/// spend more calls). A group the store has never held is described while its health is read:
/// it must be described anyway, and a first picture should not wait two round trips for it.
async fn read_groups<A: AwsApi>(
    api: &A,
    plan: &PollPlan,
    arns: &[String],
    ttl: i64,
    now: Time,
    read: &mut Read,
) {
    let cold: Vec<String> = arns
        .iter()
        .filter(|a| !plan.groups_described.contains_key(*a))
        .cloned()
        .collect();
    let healths = futures_util::future::join_all(
        arns.iter()
            .map(|arn| async move { (arn, api.describe_target_health(arn).await) }),
    );
    let (healths, described) = tokio::join!(healths, describe_groups(api, &cold));
    let (described, describe_errors) = described;
    let mut stale: Vec<(String, Vec<TargetHealth>)> = Vec::new();
    for (arn, health) in healths {
        let held = plan.groups_described.get(arn);
        match health {
            Ok(h) if held.is_some_and(|at| (now - *at).num_seconds() < ttl) => {
                read.health.push((arn.clone(), h))
            }
            Ok(h) if held.is_none() => match described.iter().find(|g| &g.arn == arn) {
                Some(g) => read.described.push((g.clone(), h)),
                // its description failed: the health still shows, under its ARN's name
                None => read.health.push((arn.clone(), h)),
            },
            Ok(h) => stale.push((arn.clone(), h)),
            Err(e) => read.errors.push(e.about(arn.clone())),
        }
    }
    read.errors.extend(describe_errors);
    let stale_arns: Vec<String> = stale.iter().map(|(a, _)| a.clone()).collect();
    let (described, describe_errors) = describe_groups(api, &stale_arns).await;
    read.errors.extend(describe_errors);
    for (arn, h) in stale {
        match described.iter().find(|g| g.arn == arn) {
            Some(g) => read.described.push((g.clone(), h)),
            // the description the store holds, however old, with the new health
            None => read.health.push((arn, h)),
        }
    }
}

/// Read listener rules (DescribeRules) and listeners (DescribeListeners, for an NLB's
/// blue/green), 20 a call, the open service's at its priority; errors name the rules.
async fn read_rules<A: AwsApi>(api: &A, due: &[(String, Priority)], read: &mut Read) {
    for listeners in [false, true] {
        for p in [Priority::Open, Priority::Shown] {
            let arns: Vec<String> = due
                .iter()
                .filter(|(a, q)| *q == p && a.contains(":listener/") == listeners)
                .map(|(a, _)| a.clone())
                .collect();
            for batch in arns.chunks(DESCRIBE_RULES_BATCH) {
                let got = if listeners {
                    with_priority(p, api.describe_listeners(batch)).await
                } else {
                    with_priority(p, api.describe_rules(batch)).await
                };
                match got {
                    Ok(rules) => read.rules.extend(rules),
                    Err(e) => read
                        .errors
                        .extend(batch.iter().map(|a| e.clone().about(a.clone()))),
                }
            }
        }
    }
}

/// Describe groups: DescribeTargetGroups (20 a call) and each group's attributes, in flight
/// together (the attributes need only the ARN). A group whose attributes cannot be read keeps
/// its description (the store keeps the delay read before); errors name their groups.
async fn describe_groups<A: AwsApi>(
    api: &A,
    arns: &[String],
) -> (Vec<TargetGroup>, Vec<crate::aws::ApiError>) {
    let mut groups = Vec::new();
    let mut errors = Vec::new();
    for batch in arns.chunks(DESCRIBE_TARGET_GROUPS_BATCH) {
        let delays = futures_util::future::join_all(
            batch
                .iter()
                .map(|arn| async move { (arn, api.deregistration_delay(arn).await) }),
        );
        let (found, delays) = tokio::join!(api.describe_target_groups(batch), delays);
        match found {
            Ok(found) => {
                for mut g in found {
                    match delays.iter().find(|(a, _)| **a == g.arn) {
                        Some((_, Ok(d))) => g.deregistration_delay_s = *d,
                        Some((_, Err(e))) => errors.push(e.clone().about(g.arn.clone())),
                        None => {}
                    }
                    groups.push(g);
                }
            }
            // one error for the batch, about each of its groups (each service's pane shows it)
            Err(e) => errors.extend(batch.iter().map(|arn| e.clone().about(arn.clone()))),
        }
    }
    (groups, errors)
}
