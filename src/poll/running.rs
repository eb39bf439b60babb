//! Running tasks: ListTasks(desiredStatus=RUNNING) and DescribeTasks (100 a call). Running tasks
//! change (health, the exec agent, a task replaced), so they are described again every poll;
//! that is why the console reads only the open service (its own listing, every page, first in
//! line), and `snapshot` (exhaustive) reads every service in scope once at the batching
//! minimum: one paginated listing per cluster ([`PollPlan::task_listings`]), each cluster's
//! tasks described together, filed by `group` (`service:NAME`) — 5 clusters of 500 services are
//! 5 listings (and their pages), not 500.

use super::budget::{Priority, with_priority};
use super::{Payload, PollPlan, Source, Update, all_pages};
use crate::aws::{AwsApi, DESCRIBE_TASKS_BATCH};
use crate::model::{ServiceKey, Task, Time};
use std::collections::BTreeMap;

#[derive(Debug, Default)]
pub struct RunningTasksPoller;

impl RunningTasksPoller {
    pub fn new() -> Self {
        Self
    }

    pub async fn poll<A: AwsApi>(&mut self, api: &A, plan: &PollPlan, now: Time) -> Update {
        // (cluster, service or the whole cluster, priority, the services it answers for)
        let listings: Vec<(String, Option<String>, Priority, Vec<ServiceKey>)> = if plan.exhaustive
        {
            plan.task_listings()
                .into_iter()
                .map(|(cluster, service)| {
                    let keys = plan
                        .services
                        .iter()
                        .filter(|s| {
                            s.key.cluster == cluster && service.is_none_or(|n| n == s.key.service)
                        })
                        .map(|s| s.key.clone())
                        .collect();
                    let p = if plan.open().any(|f| f.cluster == cluster) {
                        Priority::Open
                    } else {
                        Priority::Background
                    };
                    (cluster.to_string(), service.map(str::to_string), p, keys)
                })
                .collect()
        } else {
            plan.open()
                .map(|k| {
                    (
                        k.cluster.clone(),
                        Some(k.service.clone()),
                        Priority::Open,
                        vec![k.clone()],
                    )
                })
                .collect()
        };
        if listings.is_empty() {
            // nothing open: nothing to read, and nothing failed
            return Update::new(
                Source::RunningTasks,
                now,
                Some(Payload::RunningTasks(Vec::new())),
                Vec::new(),
            );
        }
        let mut errors = Vec::new();
        // cluster -> (priority, services listed, ARNs to describe)
        let mut listed: BTreeMap<String, (Priority, Vec<ServiceKey>, Vec<String>)> =
            BTreeMap::new();
        for (cluster, service, p, keys) in listings {
            let arns = with_priority(
                p,
                all_pages(|next| api.list_running_tasks(&cluster, service.as_deref(), next)),
            )
            .await;
            match arns {
                Ok(arns) => {
                    let e = listed
                        .entry(cluster)
                        .or_insert_with(|| (p, Vec::new(), Vec::new()));
                    e.0 = e.0.min(p);
                    e.1.extend(keys);
                    e.2.extend(arns);
                }
                Err(e) => errors.push(e),
            }
        }
        let mut out: Vec<(ServiceKey, Vec<Task>)> = Vec::new();
        for (cluster, (p, services, mut arns)) in listed {
            arns.sort_unstable();
            arns.dedup();
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
