//! Running tasks: ListTasks(desiredStatus=RUNNING, serviceName) for the open service — one page
//! of 100, first in line — and DescribeTasks (100 a call) for what it lists. Running tasks
//! change (health, the exec agent, a task replaced), so they are described again every poll;
//! that is why only the open service is read (2 calls every 10 s), and `snapshot` (exhaustive)
//! reads every service in scope once, describing each cluster's tasks together.

use super::budget::{Priority, with_priority};
use super::{Payload, PollPlan, Source, Update};
use crate::aws::{AwsApi, DESCRIBE_TASKS_BATCH};
use crate::model::{ServiceKey, StoppedTask, Time};
use std::collections::BTreeMap;

#[derive(Debug, Default)]
pub struct RunningTasksPoller;

impl RunningTasksPoller {
    pub fn new() -> Self {
        Self
    }

    pub async fn poll<A: AwsApi>(&mut self, api: &A, plan: &PollPlan, now: Time) -> Update {
        let keys: Vec<(ServiceKey, Priority)> = if plan.exhaustive {
            plan.services
                .iter()
                .map(|s| (s.key.clone(), Priority::Background))
                .collect()
        } else {
            plan.focus
                .iter()
                .map(|k| (k.clone(), Priority::Open))
                .collect()
        };
        if keys.is_empty() {
            // nothing open: nothing to read, and nothing failed
            return Update::new(
                Source::RunningTasks,
                now,
                Some(Payload::RunningTasks(Vec::new())),
                Vec::new(),
            );
        }
        let mut errors = Vec::new();
        // cluster -> (services listed, ARNs to describe)
        let mut listed: BTreeMap<String, (Priority, Vec<ServiceKey>, Vec<String>)> =
            BTreeMap::new();
        for (key, p) in keys {
            match with_priority(p, api.list_running_tasks(&key.cluster, &key.service)).await {
                Ok(arns) => {
                    let e = listed
                        .entry(key.cluster.clone())
                        .or_insert_with(|| (p, Vec::new(), Vec::new()));
                    e.1.push(key);
                    for a in arns {
                        if !e.2.contains(&a) {
                            e.2.push(a);
                        }
                    }
                }
                Err(e) => errors.push(e),
            }
        }
        let mut out: Vec<(ServiceKey, Vec<StoppedTask>)> = Vec::new();
        for (cluster, (p, services, arns)) in listed {
            let mut tasks = Vec::new();
            let mut ok = true;
            for batch in arns.chunks(DESCRIBE_TASKS_BATCH) {
                match with_priority(p, api.describe_tasks(&cluster, batch)).await {
                    Ok(d) => tasks.extend(d.found),
                    Err(e) => {
                        ok = false;
                        errors.push(e);
                    }
                }
            }
            // a partial answer would make tasks look gone: keep the last read instead
            if !ok {
                continue;
            }
            for key in services {
                let mine = tasks
                    .iter()
                    .filter(|t| t.service_name() == Some(key.service.as_str()))
                    .cloned()
                    .collect();
                out.push((key, mine));
            }
        }
        let payload = (!out.is_empty()).then_some(Payload::RunningTasks(out));
        Update::new(Source::RunningTasks, now, payload, errors)
    }
}
