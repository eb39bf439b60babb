//! The reads a write needs before it can be shown for confirmation (the I/O half of planning):
//! the running tasks to pick from, the task a typed id names, the previous ACTIVE revision.

use super::*;

/// The running tasks of a service, newest first, to choose from at `X`: ListTasks (every page
/// of 100) and DescribeTasks in batches of [`crate::aws::DESCRIBE_TASKS_BATCH`]; only tasks
/// whose group is `service:NAME`.
pub async fn running_tasks<A: AwsApi>(
    api: &A,
    key: &ServiceKey,
) -> Result<Vec<crate::model::TaskChoice>, String> {
    let arns = crate::poll::all_pages(|next| {
        api.list_running_tasks(&key.cluster, Some(&key.service), next)
    })
    .await
    .map_err(|e| e.to_string())?;
    let mut tasks = Vec::new();
    for batch in arns.chunks(crate::aws::DESCRIBE_TASKS_BATCH) {
        let d = api
            .describe_tasks(&key.cluster, batch)
            .await
            .map_err(|e| e.to_string())?;
        tasks.extend(
            d.found
                .into_iter()
                .filter(|t| t.service_name() == Some(key.service.as_str())),
        );
    }
    tasks.sort_by(|a, b| b.started_at.cmp(&a.started_at).then(a.arn.cmp(&b.arn)));
    Ok(tasks
        .into_iter()
        .map(|t| crate::model::TaskChoice {
            id: crate::model::task_id(&t.arn).to_string(),
            task_definition: crate::model::task_definition_label(&t.task_definition).to_string(),
            last_status: t.last_status,
            started_at: t.started_at,
        })
        .collect())
}

/// Before a StopTask: the task must exist in the service's cluster, belong to the service (its
/// group is `service:NAME` — a task id typed at `X` is otherwise only a string), and still be
/// running. One DescribeTasks, read first among waiting calls.
pub async fn stop_task_check<A: AwsApi>(
    api: &A,
    key: &ServiceKey,
    id: &str,
) -> Result<WriteOp, String> {
    let described = crate::aws::metered::with_priority(
        crate::aws::metered::Priority::Open,
        api.describe_tasks(&key.cluster, &[id.to_string()]),
    )
    .await
    // (what matters first: the footer may be 80 columns and a task id is 32)
    .map_err(|e| format!("nothing stopped: cannot check task {id}: {e}"))?;
    let Some(task) = described.found.into_iter().next() else {
        return Err(format!(
            "nothing stopped: no task {id} in cluster {}",
            key.cluster
        ));
    };
    let want = format!("service:{}", key.service);
    match task.group.as_deref() {
        Some(g) if g == want => {}
        Some(g) => {
            return Err(format!(
                "nothing stopped: a task of {g}, not {} ({id})",
                key.service
            ));
        }
        None => {
            return Err(format!(
                "nothing stopped: not a task of {} ({id})",
                key.service
            ));
        }
    }
    if task.last_status == "STOPPED" {
        return Err(format!("nothing stopped: task {id} has already stopped"));
    }
    Ok(WriteOp::StopTask {
        key: key.clone(),
        task: task_id(&task.arn).to_string(),
    })
}

/// The highest ACTIVE revision of the same family below the current one.
pub async fn rollback_lookup<A: AwsApi>(
    api: &A,
    key: &ServiceKey,
    current: &str,
) -> Result<WriteOp, String> {
    let (family, rev) =
        family_revision(current).ok_or_else(|| format!("cannot read a revision from {current}"))?;
    let mut next = None;
    for _ in 0..20 {
        let page = api
            .list_task_definitions(family, next.take())
            .await
            .map_err(|e| e.to_string())?;
        if let Some(to) = page
            .items
            .iter()
            .filter_map(|a| family_revision(a).map(|(_, r)| (r, a)))
            .filter(|(r, _)| *r < rev)
            .max_by_key(|(r, _)| *r)
            .map(|(_, a)| a.clone())
        {
            return Ok(WriteOp::Rollback {
                key: key.clone(),
                from: current.to_string(),
                to,
                why: "no completed deployment known: the highest earlier ACTIVE revision".into(),
            });
        }
        match page.next {
            Some(n) => next = Some(n),
            None => break,
        }
    }
    Err(format!(
        "no ACTIVE revision of {family} below {rev}: nothing to roll back to"
    ))
}
