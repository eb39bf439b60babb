//! Stopped tasks: ListTasks(desiredStatus=STOPPED, serviceName) + DescribeTasks (100 a call).
//! A task whose lastStatus is STOPPED never changes, so each such ARN is described once.

use super::{Payload, PollPlan, Source, Update, all_pages};
use crate::aws::{AwsApi, DESCRIBE_TASKS_BATCH};
use crate::model::Time;
use std::collections::{BTreeMap, HashSet};

/// Calm services (and, with one focused, the others) are listed in turns: each in one poll out
/// of `max(ROTATION_POLLS, services / ROTATION_MAX)`, spread over the polls, so a fleet of up
/// to 600 services is covered every 6 polls and a larger one never costs more than about
/// ROTATION_MAX ListTasks calls a poll (a 5,000-service account: each every 50 polls). Up to
/// 600 services, a service is also listed as soon as it is first seen.
const ROTATION_POLLS: usize = 6;
const ROTATION_MAX: usize = 100;

#[derive(Debug, Default)]
pub struct StoppedTasksPoller {
    /// ARNs already described in their final STOPPED state.
    done: HashSet<String>,
    /// Services listed at least once: a new one is listed at once, calm or not.
    listed: HashSet<crate::model::ServiceKey>,
    polls: usize,
}

impl StoppedTasksPoller {
    pub fn new() -> Self {
        Self::default()
    }

    pub async fn poll<A: AwsApi>(&mut self, api: &A, plan: &PollPlan, now: Time) -> Update {
        let mut errors = Vec::new();
        let mut any_ok = plan.services.is_empty();
        // cluster -> ARNs to describe (a set: several services may list the same ARN when the
        // endpoint ignores serviceName, as moto does)
        let mut todo: BTreeMap<&str, Vec<String>> = BTreeMap::new();
        // Always: the focused service, services that are not calm (on the board, or never listed
        // yet). Then the next turn of the rotation through everyone else.
        let n = plan.services.len();
        let period = ROTATION_POLLS.max(n.div_ceil(ROTATION_MAX));
        let poll = self.polls;
        self.polls = self.polls.wrapping_add(1);
        let in_turn = |i: usize| (poll + i) % period == 0;
        let small = n <= ROTATION_POLLS * ROTATION_MAX;
        let mut newly_listed = Vec::new();
        let listed = &self.listed;
        let wanted = |(i, s): &(usize, &super::PlannedService)| {
            plan.exhaustive
                || in_turn(*i)
                || (small && !listed.contains(&s.key))
                || match &plan.focus {
                    Some(f) => *f == s.key || (!s.calm && !listed.contains(&s.key)),
                    None => !s.calm,
                }
        };
        for (_, svc) in plan.services.iter().enumerate().filter(wanted) {
            match all_pages(|next| api.list_stopped_tasks(&svc.key.cluster, &svc.key.service, next))
                .await
            {
                Ok(arns) => {
                    any_ok = true;
                    newly_listed.push(svc.key.clone());
                    let list = todo.entry(svc.key.cluster.as_str()).or_default();
                    for arn in arns {
                        if !self.done.contains(&arn) && !list.contains(&arn) {
                            list.push(arn);
                        }
                    }
                }
                Err(e) => errors.push(e),
            }
        }
        self.listed.extend(newly_listed);
        let mut tasks = Vec::new();
        for (cluster, arns) in todo {
            for batch in arns.chunks(DESCRIBE_TASKS_BATCH) {
                match api.describe_tasks(cluster, batch).await {
                    Ok(d) => {
                        for t in d.found {
                            if t.last_status == "STOPPED" {
                                self.done.insert(t.arn.clone());
                            }
                            tasks.push(t);
                        }
                    }
                    Err(e) => errors.push(e),
                }
            }
        }
        let payload = any_ok.then_some(Payload::StoppedTasks(tasks));
        Update::new(Source::StoppedTasks, now, payload, errors)
    }
}
