//! Stopped tasks: ListTasks(desiredStatus=STOPPED) once per cluster (paginated, 100 a page) —
//! the batching minimum, since ListTasks takes one cluster and at most one service — and
//! DescribeTasks (100 a call) for the ARNs the store does not hold in their final STOPPED state.
//! The store files each task by its `group` (`service:NAME`).
//!
//! The open service is listed on its own every poll (one call, first in line); the clusters
//! every [`CLUSTER_EVERY`] polls, the first time as soon as the services are known (the
//! board's first picture ranks on its stopped tasks). With named services in scope (`--service`), those are listed
//! one by one instead of their whole clusters.

use super::budget::{Priority, with_priority};
use super::{Payload, PollPlan, Source, Update, all_pages};
use crate::aws::{AwsApi, DESCRIBE_TASKS_BATCH};
use crate::model::{ServiceKey, Time};
use std::collections::BTreeMap;

/// Polls (10 s apart) between two listings of every cluster.
const CLUSTER_EVERY: usize = 3;

#[derive(Debug, Default)]
pub struct StoppedTasksPoller {
    polls: usize,
}

impl StoppedTasksPoller {
    pub fn new() -> Self {
        Self::default()
    }

    pub async fn poll<A: AwsApi>(&mut self, api: &A, plan: &PollPlan, now: Time) -> Update {
        let mut errors = Vec::new();
        if plan.services.is_empty() && !plan.any_open() {
            // nothing listed yet: nothing to read, and the first listing of the clusters waits
            // for the services (the plan's clusters wake this poller), not for a third poll
            return Update::new(
                Source::StoppedTasks,
                now,
                Some(Payload::StoppedTasks(Vec::new())),
                errors,
            );
        }
        let mut any_ok = plan.services.is_empty();
        let fleet = plan.exhaustive || self.polls.is_multiple_of(CLUSTER_EVERY);
        self.polls = self.polls.wrapping_add(1);
        // cluster -> ARNs to describe, with the priority of who asked first
        let mut todo: BTreeMap<String, (Priority, Vec<String>)> = BTreeMap::new();
        let mut add = |cluster: &str, p: Priority, arns: Vec<String>| {
            let entry = todo
                .entry(cluster.to_string())
                .or_insert_with(|| (p, Vec::new()));
            entry.0 = entry.0.min(p);
            for arn in arns {
                if !plan.final_tasks.contains(&arn) && !entry.1.contains(&arn) {
                    entry.1.push(arn);
                }
            }
        };
        let open: Vec<&ServiceKey> = plan.open().collect();
        for f in open.iter().filter(|_| !fleet) {
            let listed = with_priority(
                Priority::Open,
                all_pages(|next| api.list_stopped_tasks(&f.cluster, Some(&f.service), next)),
            )
            .await;
            match listed {
                Ok(arns) => {
                    any_ok = true;
                    add(&f.cluster, Priority::Open, arns);
                }
                Err(e) => errors.push(e),
            }
        }
        if fleet {
            for (cluster, service) in plan.task_listings() {
                let p = if open.iter().any(|f| f.cluster == cluster) {
                    Priority::Open
                } else {
                    Priority::Background
                };
                let listed = with_priority(
                    p,
                    all_pages(|next| api.list_stopped_tasks(cluster, service, next)),
                )
                .await;
                match listed {
                    Ok(arns) => {
                        any_ok = true;
                        add(cluster, p, arns);
                    }
                    Err(e) => errors.push(e),
                }
            }
        }
        let mut tasks = Vec::new();
        for (cluster, (p, arns)) in todo {
            for batch in arns.chunks(DESCRIBE_TASKS_BATCH) {
                match with_priority(p, api.describe_tasks(&cluster, batch)).await {
                    Ok(d) => tasks.extend(d.found),
                    Err(e) => errors.push(e),
                }
            }
        }
        let payload = any_ok.then_some(Payload::StoppedTasks(tasks));
        Update::new(Source::StoppedTasks, now, payload, errors)
    }
}
