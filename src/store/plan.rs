//! What the pollers read next (`PollPlan`), derived from what the store holds, and the
//! lookups it is built from (a service's task definitions, log groups, an open task).

use super::*;
use crate::model::{awslogs_sources, task_id};

/// What the caller wants read: the one input of [`Store::plan_of`], the one way a `PollPlan`
/// is made (the console from what is on screen, `snapshot` and `wait` everything).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Intent {
    /// The service open on screen: polled fast.
    pub focus: Option<ServiceKey>,
    /// The stopped task open in task detail (its own log stream is read once).
    pub open_task: Option<String>,
    /// The board rows on screen, when no service is open (their sparklines are read).
    pub on_screen: Vec<ServiceKey>,
    /// Bumped by "refresh now": a changed plan wakes every poller.
    pub refresh: u64,
    /// Read everything in scope now, whatever the cadences would skip (one-shot commands).
    pub exhaustive: bool,
    /// Services other viewers of a shared session have open (the hub's union of intents).
    pub also_open: Vec<ServiceKey>,
}

impl Intent {
    /// Everything, once: `snapshot`, `wait`.
    pub fn everything() -> Self {
        Self {
            exhaustive: true,
            ..Self::default()
        }
    }
}

impl Store {
    /// The plan of place `t`'s pollers for `intent`.
    pub fn plan_of(&self, t: PlaceIx, intent: &Intent) -> PollPlan {
        let mut plan = self.plan(intent.focus.clone());
        plan.refresh = intent.refresh;
        plan.exhaustive = intent.exhaustive;
        plan.also_open = intent.also_open.clone();
        if plan.focus.is_none() {
            plan.on_screen = intent.on_screen.clone();
        }
        if let (Some(key), Some(arn)) = (&plan.focus, intent.open_task.as_deref()) {
            plan.task = self.open_task(key, arn);
        }
        plan.for_place(t, &self.place(t).spec.scope)
    }

    /// The task definitions of a service that are known.
    pub fn task_definitions_of(&self, service: &Service) -> Vec<&TaskDefinition> {
        service
            .task_definitions()
            .into_iter()
            .filter_map(|a| self.task_definitions.get(a))
            .collect()
    }

    /// The enabled restart policy of a task's container, from its task definition (when read).
    pub fn restart_policy_of(
        &self,
        task: &Task,
        container: &str,
    ) -> Option<&crate::model::RestartPolicy> {
        self.task_definitions
            .get(&task.task_definition)?
            .containers
            .iter()
            .find(|c| c.name == container)?
            .restart_policy
            .as_ref()
    }

    /// The container instance a task runs (ran) on, when it was read.
    pub fn instance_of(&self, task: &Task) -> Option<&crate::model::ContainerInstance> {
        let arn = task.container_instance_arn.as_deref()?;
        self.container_instances.get(arn).map(|(i, _)| i)
    }

    /// The awslogs log groups a service's current task definition writes to (what its log
    /// pane reads; an error about another log group is not its error).
    pub fn log_groups_of(&self, service: &Service) -> Vec<String> {
        let current = service
            .primary()
            .map(|d| d.task_definition.as_str())
            .unwrap_or(&service.task_definition);
        let mut groups: Vec<String> = Vec::new();
        if let Some(td) = self.task_definitions.get(current) {
            for src in awslogs_sources(td, self.region_of(service.place)) {
                if !groups.contains(&src.group) {
                    groups.push(src.group);
                }
            }
        }
        groups
    }

    /// Where a stopped task's own log streams are, for task detail (None once they were read,
    /// until its task definition is known, or when it has no awslogs container).
    pub fn open_task(&self, key: &ServiceKey, arn: &str) -> Option<crate::poll::OpenTask> {
        if self.task_logs.contains_key(arn) {
            return None; // read once: a stopped task's stream does not change
        }
        let task = self.stopped_tasks.get(arn)?;
        let td = self.task_definitions.get(&task.task_definition)?;
        let id = crate::model::task_id(arn);
        let streams: Vec<crate::poll::LogSource> = awslogs_sources(td, self.region_of(key.place))
            .into_iter()
            .filter_map(|src| {
                Some(crate::poll::LogSource {
                    prefix: Some(src.task_stream(id)?),
                    group: src.group,
                    region: src.region,
                })
            })
            .collect();
        (!streams.is_empty()).then(|| crate::poll::OpenTask {
            key: key.clone(),
            arn: arn.to_string(),
            streams,
            started_at: task.started_at,
            stopped_at: task.stopped_at.or(task.stopping_at),
        })
    }

    /// The plan across every place, from which [`Store::plan_of`] cuts each place's (tests
    /// read it whole).
    pub fn plan(&self, focus: Option<ServiceKey>) -> PollPlan {
        let services = self
            .services
            .values()
            .map(|state| {
                let s = &state.service;
                let task_definitions: Vec<String> = s
                    .task_definitions()
                    .into_iter()
                    .map(str::to_owned)
                    .collect();
                // production first: its series are the service's
                let target_groups: Vec<String> =
                    self.roles_of(s).into_iter().map(|g| g.arn).collect();
                let dims = |arn: &str| -> Option<(String, String)> {
                    let tg = self.target_groups.get(arn)?;
                    let tg_dim = arn
                        .split_once(":targetgroup/")
                        .map(|(_, d)| format!("targetgroup/{d}"))?;
                    let lb = tg.group.load_balancer_dimensions.first()?;
                    Some((tg_dim, lb.clone()))
                };
                let alb_dimensions = target_groups.iter().filter_map(|a| dims(a)).collect();
                let mut prod_dimensions = Vec::new();
                if let Some(first) = state.swaps.first()
                    && let Some(d) = first.from.as_deref().and_then(dims)
                {
                    prod_dimensions.push((chrono::DateTime::UNIX_EPOCH, d));
                }
                for sw in &state.swaps {
                    if let Some(d) = dims(&sw.to) {
                        prod_dimensions.push((sw.at, d));
                    }
                }
                if prod_dimensions.len() < 2 {
                    prod_dimensions.clear();
                }
                // Logs of the containers of the primary deployment's task definition.
                let current = s
                    .primary()
                    .map(|d| d.task_definition.as_str())
                    .unwrap_or(&s.task_definition);
                let mut log_sources = Vec::new();
                if let Some(td) = self.task_definitions.get(current) {
                    for src in awslogs_sources(td, self.region_of(s.place)) {
                        let src = crate::poll::LogSource {
                            prefix: src.streams_prefix(),
                            group: src.group,
                            region: src.region,
                        };
                        if !log_sources.contains(&src) {
                            log_sources.push(src);
                        }
                    }
                }
                let calm = s.running >= s.desired
                    && s.deployments.iter().all(|d| d.failed == 0)
                    && s.primary()
                        .and_then(|d| d.rollout_state.as_deref())
                        .is_none_or(|r| r == "COMPLETED");
                let mut container_instances: Vec<String> = Vec::new();
                for t in state.running.iter().chain(
                    state
                        .stopped
                        .iter()
                        .filter_map(|a| self.stopped_tasks.get(a)),
                ) {
                    if let Some(arn) = t.container_instance_arn.as_ref()
                        && !arn.is_empty()
                        && !container_instances.contains(arn)
                    {
                        container_instances.push(arn.clone());
                    }
                }
                let mut restart_containers: Vec<String> = Vec::new();
                let mut health_containers: Vec<String> = Vec::new();
                for t in &state.running {
                    for c in &t.containers {
                        if self.restart_policy_of(t, &c.name).is_some()
                            && !restart_containers.contains(&c.name)
                        {
                            restart_containers.push(c.name.clone());
                        }
                        if c.health_status.is_some() && !health_containers.contains(&c.name) {
                            health_containers.push(c.name.clone());
                        }
                    }
                }
                let insights = self
                    .container_insights
                    .get(&(s.place, s.cluster.clone()))
                    .copied()
                    .unwrap_or_default();
                PlannedService {
                    calm,
                    enhanced: insights == crate::model::Insights::Enhanced,
                    running_tasks: state
                        .running
                        .iter()
                        .map(|t| task_id(&t.arn).to_string())
                        .collect(),
                    restart_containers,
                    health_containers,
                    container_instances,
                    insights: insights.on(),
                    key: s.key(),
                    task_definitions,
                    target_groups,
                    alb_dimensions,
                    prod_dimensions,
                    listener_rules: s.listener_rules().into_iter().map(str::to_owned).collect(),
                    lattice_groups: s
                        .lattice_groups()
                        .into_iter()
                        .map(|l| l.target_group_arn.clone())
                        .collect(),
                    connect: s.service_connect().and_then(|c| {
                        let e = c.services.first()?;
                        let name = e
                            .discovery_name
                            .clone()
                            .unwrap_or_else(|| e.port_name.clone());
                        Some((name, e.tls_ca.is_some()))
                    }),
                    log_sources,
                }
            })
            .collect();
        PollPlan {
            scope: self.places[0].spec.scope.clone(),
            services,
            focus,
            also_open: Vec::new(),
            refresh: 0,
            exhaustive: false,
            on_screen: Vec::new(),
            task: None,
            pace: self.pace,
            groups_described: self
                .target_groups
                .iter()
                .map(|(arn, g)| (arn.clone(), g.described_at))
                .collect(),
            final_tasks: self.final_tasks.clone(),
        }
    }
}
