//! One poll of every source, in dependency order: services first (they name the task
//! definitions and target groups), then stopped and running tasks, scaling, task definitions
//! and targets together; logs as soon as the task definitions are read (their log groups),
//! metrics as soon as the target groups are (their load balancers), container instances as
//! soon as the tasks are (the instances they run on); task-level metrics last (they need the
//! running tasks and their task definitions' restart policies). Used by `snapshot` and `wait`.

use crate::aws::AwsApi;
use crate::model::Time;
use crate::poll::Update;
use crate::poll::{
    InstancesPoller, LogsPoller, MetricsPoller, RunningTasksPoller, ScalingPoller, ServicesPoller,
    StoppedTasksPoller, TargetsPoller, TaskDefsPoller, TaskMetricsPoller,
};
use crate::store::Store;

/// Poll every source of target `t` once into `store`; `seen` is shown each update first (the
/// recorder).
pub async fn run_once<A: AwsApi>(
    api: &A,
    store: &mut Store,
    t: crate::model::PlaceIx,
    now: Time,
    seen: &mut (dyn FnMut(&Update) + Send),
) {
    let mut apply = |store: &mut Store, mut u: Update| {
        u.place = t;
        seen(&u);
        store.apply(u);
    };
    let everything = crate::store::Intent::everything();
    let plan_of = |store: &Store| store.plan_of(t, &everything);
    let mut services = ServicesPoller::new();
    let plan = plan_of(store);
    let mut listed = services.poll(api, &plan, now).await;
    listed.place = t;
    apply(store, listed.clone());

    let plan = plan_of(store);
    let (mut stopped, mut running, mut scaling, mut taskdefs, mut targets) = (
        StoppedTasksPoller::new(),
        RunningTasksPoller::new(),
        ScalingPoller::new(),
        TaskDefsPoller::new(),
        TargetsPoller::new(),
    );
    let (mut metrics, mut logs, mut instances) = (
        MetricsPoller::new(),
        LogsPoller::new(),
        InstancesPoller::new(),
    );
    // logs need only the task definitions (their log groups), metrics only the target groups
    // (their load balancers): each starts as soon as what it needs is read, planned on a store
    // of this cycle's services and that one answer
    let targets_of_store = store.places.clone();
    let plan_after_all = |reads: &[&Update]| {
        let mut s = Store::with_places(
            targets_of_store.clone(),
            std::sync::Arc::new(crate::diagnosis::Playbook::default()),
        );
        s.apply(listed.clone());
        for read in reads {
            let mut read = (*read).clone();
            read.place = t;
            s.apply(read);
        }
        s.plan_of(t, &everything)
    };
    let plan_after = |read: &Update| plan_after_all(&[read]);
    let ((a, r, i), sc, (b, l), (c, m)) = tokio::join!(
        async {
            let (a, r) = tokio::join!(stopped.poll(api, &plan, now), running.poll(api, &plan, now));
            let i = instances.poll(api, &plan_after_all(&[&a, &r]), now).await;
            (a, r, i)
        },
        scaling.poll(api, &plan, now),
        async {
            let b = taskdefs.poll(api, &plan, now).await;
            let l = logs.poll(api, &plan_after(&b), now).await;
            (b, l)
        },
        async {
            let c = targets.poll(api, &plan, now).await;
            let m = metrics.poll(api, &plan_after(&c), now).await;
            (c, m)
        }
    );
    let tm = TaskMetricsPoller::new()
        .poll(api, &plan_after_all(&[&r, &b]), now)
        .await;
    apply(store, a);
    apply(store, r);
    apply(store, tm);
    apply(store, i);
    apply(store, sc);
    apply(store, b);
    apply(store, c);
    apply(store, m);
    apply(store, l);
    store.refresh_findings(now);
}

/// One cycle of every target at once, each on its own task with its own budget; returns the
/// updates of each target in the order they were read (to apply and record in one store).
/// Planning needs no playbook: each target's store here plans with an empty one, so the caller
/// can build the real one (its regexes take longer than the first answers) meanwhile.
pub async fn run_all<A: AwsApi>(
    targets: &[(crate::store::PlaceState, std::sync::Arc<A>)],
    now: Time,
) -> Vec<Update> {
    let states: Vec<crate::store::PlaceState> = targets.iter().map(|(s, _)| s.clone()).collect();
    let planning = std::sync::Arc::new(crate::diagnosis::Playbook::default());
    let mut tasks = Vec::new();
    for (i, (_, api)) in targets.iter().enumerate() {
        let (api, states, pb) = (api.clone(), states.clone(), planning.clone());
        let t = crate::model::PlaceIx::try_from(i).unwrap_or(crate::model::PlaceIx::MAX);
        tasks.push(tokio::spawn(async move {
            let mut store = Store::with_places(states, pb);
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
