//! What is watched and what is read: contract types every layer shares (the pollers, the store,
//! rooms, recordings, the views).

/// The sources ecswatch reads, one poller each.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    Services,
    StoppedTasks,
    TaskDefinitions,
    Targets,
    Metrics,
    Logs,
    RunningTasks,
    Scaling,
    ContainerInstances,
    TaskMetrics,
}

impl Source {
    pub const ALL: [Source; 10] = [
        Source::Services,
        Source::StoppedTasks,
        Source::RunningTasks,
        Source::TaskDefinitions,
        Source::Targets,
        Source::Metrics,
        Source::Logs,
        Source::Scaling,
        Source::ContainerInstances,
        Source::TaskMetrics,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Source::Services => "services",
            Source::StoppedTasks => "stopped_tasks",
            Source::TaskDefinitions => "task_definitions",
            Source::Targets => "targets",
            Source::Metrics => "metrics",
            Source::Logs => "logs",
            Source::RunningTasks => "running_tasks",
            Source::Scaling => "scaling",
            Source::ContainerInstances => "container_instances",
            Source::TaskMetrics => "task_metrics",
        }
    }
}

/// What the user asked to watch. Empty lists mean "all".
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct Scope {
    pub clusters: Vec<String>,
    pub services: Vec<String>,
}
