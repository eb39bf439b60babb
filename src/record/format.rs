//! What a recording's `update` lines hold: the format's own types, separate from the pollers'
//! [`Update`] / [`Payload`], so a change to the pollers cannot change the file format by accident
//! (the conversions below are where it would have to be said). Version 2, documented in
//! `docs/RECORDING.md`; the shared session sends these same lines over its socket.
//!
//! The domain values inside (services, tasks, target health, log lines) keep their own serde
//! shapes from `crate::model`: the format pins the envelope and the set of payloads, and the
//! version-1 fixture test pins what the domain values read.

use crate::aws::ApiError;
use crate::model::{
    ContainerInstance, Insights, LatticeTarget, ListenerRule, LogLine, MetricKind, MetricPoint,
    PlaceIx, Scaling, Service, ServiceKey, Source, TargetGroup, TargetHealth, Task, TaskDefinition,
    TaskSeries, Time,
};
use crate::poll::{Payload, Update};
use serde::{Deserialize, Serialize};

/// The format version this ecswatch writes. Version 1 files read through [`super::v1`].
pub const VERSION: u32 = 2;

/// One poll's result as recorded.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecordedUpdate {
    pub source: Source,
    pub fetched_at: Time,
    pub payload: Option<RecordedPayload>,
    pub errors: Vec<ApiError>,
    #[serde(default)]
    pub retry_at: Option<Time>,
    /// The account × Region it was read from (absent: 0, the only one).
    /// Version 2 names it `target` (the word before places).
    #[serde(rename = "target", default, skip_serializing_if = "is_zero")]
    pub place: PlaceIx,
}

fn is_zero(t: &PlaceIx) -> bool {
    *t == 0
}

/// What one poll read, by source.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RecordedPayload {
    Services {
        services: Vec<Service>,
        listed_clusters: Vec<String>,
        #[serde(default)]
        roster: Option<Vec<ServiceKey>>,
        #[serde(default)]
        insights: Vec<(String, bool)>,
        /// Clusters of `insights` with enhanced observability (since 2026-12-08, within
        /// version 2: an older reader ignores the field).
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        enhanced: Vec<String>,
    },
    StoppedTasks(Vec<Task>),
    /// Since 2026-12-08 (within version 2: a reader from before skips these lines).
    TaskMetrics(Vec<(ServiceKey, Vec<TaskSeries>)>),
    /// Since 2026-12-07 (within version 2: a reader from before skips these lines).
    ContainerInstances {
        found: Vec<ContainerInstance>,
        #[serde(default)]
        gone: Vec<String>,
    },
    RunningTasks(Vec<(ServiceKey, Vec<Task>)>),
    Scaling(Vec<(ServiceKey, Scaling)>),
    TaskDefinitions(Vec<TaskDefinition>),
    TargetsRead {
        described: Vec<(TargetGroup, Vec<TargetHealth>)>,
        health: Vec<(String, Vec<TargetHealth>)>,
        #[serde(default)]
        rules: Vec<ListenerRule>,
        #[serde(default)]
        lattice: Vec<(String, Vec<LatticeTarget>)>,
    },
    Metrics(Vec<(ServiceKey, MetricKind, Vec<MetricPoint>)>),
    LogsRead {
        services: Vec<(ServiceKey, Vec<LogLine>)>,
        #[serde(default)]
        tasks: Vec<(String, Vec<LogLine>)>,
    },
}

impl From<Update> for RecordedUpdate {
    fn from(u: Update) -> Self {
        Self {
            source: u.source,
            fetched_at: u.fetched_at,
            payload: u.payload.map(RecordedPayload::from),
            errors: u.errors,
            retry_at: u.retry_at,
            place: u.place,
        }
    }
}

impl From<RecordedUpdate> for Update {
    fn from(u: RecordedUpdate) -> Self {
        Update {
            source: u.source,
            fetched_at: u.fetched_at,
            payload: u.payload.map(Payload::from),
            errors: u.errors,
            retry_at: u.retry_at,
            place: u.place,
        }
    }
}

impl From<Payload> for RecordedPayload {
    fn from(p: Payload) -> Self {
        match p {
            Payload::Services {
                services,
                listed_clusters,
                roster,
                insights,
            } => Self::Services {
                services,
                listed_clusters,
                roster,
                enhanced: insights
                    .iter()
                    .filter(|(_, i)| *i == Insights::Enhanced)
                    .map(|(c, _)| c.clone())
                    .collect(),
                insights: insights.into_iter().map(|(c, i)| (c, i.on())).collect(),
            },
            Payload::StoppedTasks(v) => Self::StoppedTasks(v),
            Payload::TaskMetrics(v) => Self::TaskMetrics(v),
            Payload::ContainerInstances { found, gone } => Self::ContainerInstances { found, gone },
            Payload::RunningTasks(v) => Self::RunningTasks(v),
            Payload::Scaling(v) => Self::Scaling(v),
            Payload::TaskDefinitions(v) => Self::TaskDefinitions(v),
            Payload::TargetsRead {
                described,
                health,
                rules,
                lattice,
            } => Self::TargetsRead {
                described,
                health,
                rules,
                lattice,
            },
            Payload::Metrics(v) => Self::Metrics(v),
            Payload::LogsRead { services, tasks } => Self::LogsRead { services, tasks },
        }
    }
}

impl From<RecordedPayload> for Payload {
    fn from(p: RecordedPayload) -> Self {
        match p {
            RecordedPayload::Services {
                services,
                listed_clusters,
                roster,
                insights,
                enhanced,
            } => Self::Services {
                services,
                listed_clusters,
                roster,
                insights: insights
                    .into_iter()
                    .map(|(c, on)| {
                        let level = if enhanced.contains(&c) {
                            Insights::Enhanced
                        } else if on {
                            Insights::On
                        } else {
                            Insights::Off
                        };
                        (c, level)
                    })
                    .collect(),
            },
            RecordedPayload::StoppedTasks(v) => Self::StoppedTasks(v),
            RecordedPayload::TaskMetrics(v) => Self::TaskMetrics(v),
            RecordedPayload::ContainerInstances { found, gone } => {
                Self::ContainerInstances { found, gone }
            }
            RecordedPayload::RunningTasks(v) => Self::RunningTasks(v),
            RecordedPayload::Scaling(v) => Self::Scaling(v),
            RecordedPayload::TaskDefinitions(v) => Self::TaskDefinitions(v),
            RecordedPayload::TargetsRead {
                described,
                health,
                rules,
                lattice,
            } => Self::TargetsRead {
                described,
                health,
                rules,
                lattice,
            },
            RecordedPayload::Metrics(v) => Self::Metrics(v),
            RecordedPayload::LogsRead { services, tasks } => Self::LogsRead { services, tasks },
        }
    }
}
