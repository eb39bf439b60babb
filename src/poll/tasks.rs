//! Stopped tasks: ListTasks(desiredStatus=STOPPED, serviceName) + DescribeTasks (100 a call).
//! A task whose lastStatus is STOPPED never changes, so each such ARN is described once.

use super::{Payload, PollPlan, Source, Update, all_pages};
use crate::aws::{AwsApi, DESCRIBE_TASKS_BATCH};
use crate::model::Time;
use std::collections::{BTreeMap, HashSet};

/// Services off screen (with one focused) and calm services are listed only every this many polls.
const OTHERS_EVERY: u32 = 6;

#[derive(Debug, Default)]
pub struct StoppedTasksPoller {
    /// ARNs already described in their final STOPPED state.
    done: HashSet<String>,
    /// Services listed at least once: a new one is listed at once, calm or not.
    listed: HashSet<crate::model::ServiceKey>,
    polls: u32,
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
        // Every service every OTHERS_EVERY polls; in between, the focused service, or (on the
        // board) the services that are not calm.
        let everyone = self.polls % OTHERS_EVERY == 0;
        self.polls = self.polls.wrapping_add(1);
        let mut newly_listed = Vec::new();
        let listed = &self.listed;
        let wanted = |s: &&super::PlannedService| match &plan.focus {
            _ if everyone || !listed.contains(&s.key) => true,
            Some(f) => *f == s.key,
            None => !s.calm,
        };
        for svc in plan.services.iter().filter(wanted) {
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
