//! One poll of every source, in dependency order: services first (they name the task
//! definitions and target groups), then stopped tasks, task definitions and targets together,
//! then metrics and logs (which need the target groups' load balancers and the task
//! definitions' log groups). Used by `snapshot`.

use super::Update;
use super::{
    LogsPoller, MetricsPoller, ServicesPoller, StoppedTasksPoller, TargetsPoller, TaskDefsPoller,
};
use crate::aws::AwsApi;
use crate::model::Time;
use crate::store::Store;

/// Poll every source once into `store`; `seen` is shown each update first (the recorder).
pub async fn run_once<A: AwsApi>(
    api: &A,
    store: &mut Store,
    now: Time,
    seen: &mut dyn FnMut(&Update),
) {
    let mut apply = |store: &mut Store, u: Update| {
        seen(&u);
        store.apply(u);
    };
    let mut services = ServicesPoller::new();
    let plan = exhaustive(store.plan(None));
    apply(store, services.poll(api, &plan, now).await);

    let plan = exhaustive(store.plan(None));
    let (mut stopped, mut taskdefs, mut targets) = (
        StoppedTasksPoller::new(),
        TaskDefsPoller::new(),
        TargetsPoller::new(),
    );
    let (a, b, c) = tokio::join!(
        stopped.poll(api, &plan, now),
        taskdefs.poll(api, &plan, now),
        targets.poll(api, &plan, now)
    );
    apply(store, a);
    apply(store, b);
    apply(store, c);

    let plan = exhaustive(store.plan(None));
    let (mut metrics, mut logs) = (MetricsPoller::new(), LogsPoller::new());
    let (m, l) = tokio::join!(metrics.poll(api, &plan, now), logs.poll(api, &plan, now));
    apply(store, m);
    apply(store, l);
    store.refresh_findings(now);
}

fn exhaustive(mut plan: super::PollPlan) -> super::PollPlan {
    plan.exhaustive = true;
    plan
}
