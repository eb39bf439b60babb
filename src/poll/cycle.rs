//! One poll of every source, in dependency order: services first (they name the task
//! definitions and target groups), then stopped tasks, task definitions and targets together,
//! then metrics and logs (which need the target groups' load balancers and the task
//! definitions' log groups). Used by `snapshot`.

use super::Update;
use super::{
    LogsPoller, MetricsPoller, RunningTasksPoller, ScalingPoller, ServicesPoller,
    StoppedTasksPoller, TargetsPoller, TaskDefsPoller,
};
use crate::aws::AwsApi;
use crate::model::Time;
use crate::store::Store;

/// Poll every source of target `t` once into `store`; `seen` is shown each update first (the
/// recorder).
pub async fn run_once<A: AwsApi>(
    api: &A,
    store: &mut Store,
    t: crate::model::TargetIx,
    now: Time,
    seen: &mut (dyn FnMut(&Update) + Send),
) {
    let mut apply = |store: &mut Store, mut u: Update| {
        u.target = t;
        seen(&u);
        store.apply(u);
    };
    let scope = store.target(t).spec.scope.clone();
    let plan_of = |store: &Store| exhaustive(store.plan(None).for_target(t, &scope));
    let mut services = ServicesPoller::new();
    let plan = plan_of(store);
    apply(store, services.poll(api, &plan, now).await);

    let plan = plan_of(store);
    let (mut stopped, mut running, mut scaling, mut taskdefs, mut targets) = (
        StoppedTasksPoller::new(),
        RunningTasksPoller::new(),
        ScalingPoller::new(),
        TaskDefsPoller::new(),
        TargetsPoller::new(),
    );
    let (a, r, sc, b, c) = tokio::join!(
        stopped.poll(api, &plan, now),
        running.poll(api, &plan, now),
        scaling.poll(api, &plan, now),
        taskdefs.poll(api, &plan, now),
        targets.poll(api, &plan, now)
    );
    apply(store, a);
    apply(store, r);
    apply(store, sc);
    apply(store, b);
    apply(store, c);

    let plan = plan_of(store);
    let (mut metrics, mut logs) = (MetricsPoller::new(), LogsPoller::new());
    let (m, l) = tokio::join!(metrics.poll(api, &plan, now), logs.poll(api, &plan, now));
    apply(store, m);
    apply(store, l);
    store.refresh_findings(now);
}

/// One cycle of every target at once, each on its own task with its own budget; returns the
/// updates of each target in the order they were read (to apply and record in one store).
pub async fn run_all<A: AwsApi>(
    targets: &[(crate::store::TargetState, std::sync::Arc<A>)],
    playbook: std::sync::Arc<crate::diagnosis::Playbook>,
    now: Time,
) -> Vec<Update> {
    let states: Vec<crate::store::TargetState> = targets.iter().map(|(s, _)| s.clone()).collect();
    let mut tasks = Vec::new();
    for (i, (_, api)) in targets.iter().enumerate() {
        let (api, states, pb) = (api.clone(), states.clone(), playbook.clone());
        let t = crate::model::TargetIx::try_from(i).unwrap_or(crate::model::TargetIx::MAX);
        tasks.push(tokio::spawn(async move {
            let mut store = Store::with_targets(states, pb);
            let mut seen = Vec::new();
            run_once(&*api, &mut store, t, now, &mut |u| seen.push(u.clone())).await;
            seen
        }));
    }
    let mut out = Vec::new();
    for task in tasks {
        // a poller that panicked loses its target's answers, not the others'
        if let Ok(updates) = task.await {
            out.extend(updates);
        }
    }
    out
}

fn exhaustive(mut plan: super::PollPlan) -> super::PollPlan {
    plan.exhaustive = true;
    plan
}
