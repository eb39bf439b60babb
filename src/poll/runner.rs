//! Pollers as loops: each source on its own tokio task with its own cadence, backing off with
//! jitter on throttling and transient failures. Updates go to the app over a channel; the app
//! publishes the plan (scope, focus) over a watch channel, and a change wakes the pollers.

use super::{
    Backoff, InstancesPoller, LogsPoller, MetricsPoller, PollPlan, RunningTasksPoller,
    ScalingPoller, ServicesPoller, Source, StoppedTasksPoller, TargetsPoller, TaskDefsPoller,
    TaskMetricsPoller, Update,
};
use crate::aws::AwsApi;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;

/// Publish the plan if it changed; the pollers wake only for the parts they read (the
/// console's loop and a shared session's hub).
pub fn publish(plan_tx: &watch::Sender<PollPlan>, next: PollPlan) {
    plan_tx.send_if_modified(|p| {
        let changed = *p != next;
        if changed {
            *p = next;
        }
        changed
    });
}

/// How often a source is polled when the plan has a focused service / when it does not.
/// Fleet rounds are spread over the polls by the pollers themselves, sized by the budget.
pub fn cadence(source: Source, plan: &PollPlan) -> Duration {
    let focused = plan.any_open();
    let s = match (source, focused) {
        (Source::Services, _) => 5,
        (Source::StoppedTasks, _) => 10,
        (Source::RunningTasks, _) => 10,
        (Source::Scaling, _) => 30,
        (Source::ContainerInstances, _) => 15,
        (Source::TaskDefinitions, _) => 5,
        (Source::Targets, _) => 5,
        (Source::Metrics, _) => 60,
        (Source::TaskMetrics, _) => 60,
        (Source::Logs, true) => 3,
        (Source::Logs, false) => 15,
    };
    Duration::from_secs(s)
}

/// The part of the plan a source reads: a plan change wakes a source only when its part
/// changed (moving the selection, scrolling or opening help wakes nothing; `r` wakes all).
pub fn wake_key(source: Source, plan: &PollPlan) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    plan.refresh.hash(&mut h);
    plan.focus.hash(&mut h);
    plan.also_open.hash(&mut h);
    match source {
        Source::Services | Source::RunningTasks | Source::Scaling => plan.scope.hash(&mut h),
        Source::StoppedTasks => {
            plan.scope.hash(&mut h);
            // the first services listed (or a new cluster) are listed for stopped tasks now
            plan.task_listings().hash(&mut h);
        }
        Source::TaskDefinitions => {
            for s in &plan.services {
                s.task_definitions.hash(&mut h);
            }
        }
        Source::Targets => {
            for s in &plan.services {
                s.target_groups.hash(&mut h);
            }
        }
        Source::Metrics => {
            plan.on_screen.hash(&mut h);
            for s in &plan.services {
                (&s.key, &s.alb_dimensions, s.insights).hash(&mut h);
            }
        }
        Source::ContainerInstances => {
            for s in &plan.services {
                (&s.key, s.calm, &s.container_instances).hash(&mut h);
            }
        }
        Source::TaskMetrics => {
            for s in &plan.services {
                (&s.key, s.enhanced, &s.running_tasks, &s.restart_containers).hash(&mut h);
            }
        }
        Source::Logs => {
            for f in plan.opened() {
                f.log_sources.hash(&mut h);
            }
            plan.task.as_ref().map(|t| &t.arn).hash(&mut h);
        }
    }
    h.finish()
}

/// How long to wait before the next poll. Throttling backs off exponentially with jitter (2 s
/// doubling to 120 s, never faster than the cadence): other people share the account's rate
/// limits. An unreachable endpoint or a server error is retried at the cadence — `Counted` has
/// already tried again inside the poll, a refused connection costs AWS nothing, and the
/// data must come back within one cadence of the network returning.
pub fn retry_delay(update: &Update, backoff: &mut Backoff, cadence: Duration) -> Duration {
    let throttled = update
        .errors
        .iter()
        .any(|e| e.kind == crate::aws::ErrorKind::Throttled);
    if throttled {
        backoff.next_delay().max(cadence)
    } else {
        backoff.reset();
        cadence
    }
}

/// The shortest pause between two polls of one source, whatever wakes it.
const MIN_GAP: Duration = Duration::from_millis(500);

enum AnyPoller {
    Services(Box<ServicesPoller>),
    Stopped(StoppedTasksPoller),
    Running(RunningTasksPoller),
    Scaling(ScalingPoller),
    TaskDefs(TaskDefsPoller),
    Targets(TargetsPoller),
    Metrics(MetricsPoller),
    Logs(LogsPoller),
    Instances(InstancesPoller),
    TaskMetrics(TaskMetricsPoller),
}

impl AnyPoller {
    fn new(source: Source) -> Self {
        match source {
            Source::Services => Self::Services(Box::new(ServicesPoller::new())),
            Source::StoppedTasks => Self::Stopped(StoppedTasksPoller::new()),
            Source::RunningTasks => Self::Running(RunningTasksPoller::new()),
            Source::Scaling => Self::Scaling(ScalingPoller::new()),
            Source::TaskDefinitions => Self::TaskDefs(TaskDefsPoller::new()),
            Source::Targets => Self::Targets(TargetsPoller::new()),
            Source::Metrics => Self::Metrics(MetricsPoller::new()),
            Source::Logs => Self::Logs(LogsPoller::new()),
            Source::ContainerInstances => Self::Instances(InstancesPoller::new()),
            Source::TaskMetrics => Self::TaskMetrics(TaskMetricsPoller::new()),
        }
    }

    async fn poll<A: AwsApi>(&mut self, api: &A, plan: &PollPlan) -> Update {
        let now = chrono::Utc::now();
        match self {
            Self::Services(p) => p.poll(api, plan, now).await,
            Self::Stopped(p) => p.poll(api, plan, now).await,
            Self::Running(p) => p.poll(api, plan, now).await,
            Self::Scaling(p) => p.poll(api, plan, now).await,
            Self::TaskDefs(p) => p.poll(api, plan, now).await,
            Self::Targets(p) => p.poll(api, plan, now).await,
            Self::Metrics(p) => p.poll(api, plan, now).await,
            Self::Logs(p) => p.poll(api, plan, now).await,
            Self::Instances(p) => p.poll(api, plan, now).await,
            Self::TaskMetrics(p) => p.poll(api, plan, now).await,
        }
    }
}

/// Start one loop per source for target `target` (its updates say so). They stop when the
/// update receiver is dropped.
pub fn spawn<A: AwsApi>(
    target: crate::model::PlaceIx,
    api: Arc<A>,
    plan: watch::Receiver<PollPlan>,
    updates: mpsc::Sender<Update>,
) -> Vec<JoinHandle<()>> {
    Source::ALL
        .iter()
        .map(|&source| {
            let api = api.clone();
            let mut plan = plan.clone();
            let updates = updates.clone();
            tokio::spawn(async move {
                let mut poller = AnyPoller::new(source);
                let mut backoff = Backoff::new(Duration::from_secs(2), Duration::from_secs(120));
                loop {
                    let current = plan.borrow_and_update().clone();
                    // polls start a cadence apart (the time a poll waited for the budget is
                    // not added to the next wait): the open service stays within its cadence
                    let started = tokio::time::Instant::now();
                    let mut update = poller.poll(&*api, &current).await;
                    update.place = target;
                    let delay = retry_delay(&update, &mut backoff, cadence(source, &current));
                    if !update.errors.is_empty() {
                        update.retry_at = chrono::Duration::from_std(delay)
                            .ok()
                            .map(|d| chrono::Utc::now() + d);
                    }
                    if updates.send(update).await.is_err() {
                        break;
                    }
                    if source == Source::Services && crate::fault::injected("panic-in-poller") {
                        panic!("injected fault: panic-in-poller");
                    }
                    tokio::time::sleep(MIN_GAP).await;
                    let key = wake_key(source, &current);
                    // a throttled source waits its whole backoff after the failed poll
                    let from = if delay > cadence(source, &current) {
                        tokio::time::Instant::now()
                    } else {
                        started
                    };
                    let until = (from + delay).max(tokio::time::Instant::now());
                    loop {
                        tokio::select! {
                            _ = tokio::time::sleep_until(until) => break,
                            changed = plan.changed() => {
                                if changed.is_err() {
                                    return;
                                }
                                if wake_key(source, &plan.borrow()) != key {
                                    break;
                                }
                            }
                        }
                    }
                }
            })
        })
        .collect()
}
