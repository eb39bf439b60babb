//! Reading version 1 (and any `update` line): version 2 is version 1 without the two payloads no
//! poller has sent since — `targets` (target groups with their health, before descriptions and
//! health were read apart) and `logs` (log lines by service, before a task's own stream was
//! read) — so one reader takes both versions and upgrades those two where they appear.
//!
//! - `targets` → `targets_read` with every group described (no health-only groups, rules or
//!   Lattice targets, which version 1 files of that age never held).
//! - `logs` → `logs_read` with no task streams. One difference shows: a `logs_read` tells the
//!   store the service's logs were read then, so the Logs pane of an upgraded file says when
//!   (version 1's reader left it unsaid).

use super::format::{RecordedPayload, RecordedUpdate};
use crate::aws::ApiError;
use crate::model::{
    ContainerInstance, LatticeTarget, ListenerRule, LogLine, MetricKind, MetricPoint, PlaceIx,
    Scaling, Service, ServiceKey, Source, TargetGroup, TargetHealth, Task, TaskDefinition, Time,
};
use serde::Deserialize;

/// An `update` line of either version, as written.
#[derive(Deserialize)]
pub(super) struct AnyUpdate {
    source: Source,
    fetched_at: Time,
    payload: Option<AnyPayload>,
    errors: Vec<ApiError>,
    #[serde(default)]
    retry_at: Option<Time>,
    #[serde(default)]
    target: PlaceIx,
}

#[derive(Deserialize)]
#[serde(rename_all = "snake_case")]
enum AnyPayload {
    Services {
        services: Vec<Service>,
        listed_clusters: Vec<String>,
        #[serde(default)]
        roster: Option<Vec<ServiceKey>>,
        #[serde(default)]
        insights: Vec<(String, bool)>,
    },
    StoppedTasks(Vec<Task>),
    /// Version 2, since 2026-12-08.
    TaskMetrics(Vec<(ServiceKey, Vec<crate::model::TaskSeries>)>),
    /// Version 2, since 2026-12-07.
    ContainerInstances {
        found: Vec<ContainerInstance>,
        #[serde(default)]
        gone: Vec<String>,
    },
    RunningTasks(Vec<(ServiceKey, Vec<Task>)>),
    Scaling(Vec<(ServiceKey, Scaling)>),
    TaskDefinitions(Vec<TaskDefinition>),
    /// Version 1 only.
    Targets(Vec<(TargetGroup, Vec<TargetHealth>)>),
    TargetsRead {
        described: Vec<(TargetGroup, Vec<TargetHealth>)>,
        health: Vec<(String, Vec<TargetHealth>)>,
        #[serde(default)]
        rules: Vec<ListenerRule>,
        #[serde(default)]
        lattice: Vec<(String, Vec<LatticeTarget>)>,
    },
    Metrics(Vec<(ServiceKey, MetricKind, Vec<MetricPoint>)>),
    /// Version 1 only.
    Logs(Vec<(ServiceKey, Vec<LogLine>)>),
    LogsRead {
        services: Vec<(ServiceKey, Vec<LogLine>)>,
        #[serde(default)]
        tasks: Vec<(String, Vec<LogLine>)>,
    },
}

impl AnyUpdate {
    /// The line in today's format.
    pub(super) fn upgrade(self) -> RecordedUpdate {
        RecordedUpdate {
            source: self.source,
            fetched_at: self.fetched_at,
            payload: self.payload.map(AnyPayload::upgrade),
            errors: self.errors,
            retry_at: self.retry_at,
            place: self.target,
        }
    }
}

impl AnyPayload {
    fn upgrade(self) -> RecordedPayload {
        match self {
            Self::Services {
                services,
                listed_clusters,
                roster,
                insights,
            } => RecordedPayload::Services {
                services,
                listed_clusters,
                roster,
                insights,
                enhanced: Vec::new(),
            },
            Self::StoppedTasks(v) => RecordedPayload::StoppedTasks(v),
            Self::TaskMetrics(v) => RecordedPayload::TaskMetrics(v),
            Self::ContainerInstances { found, gone } => {
                RecordedPayload::ContainerInstances { found, gone }
            }
            Self::RunningTasks(v) => RecordedPayload::RunningTasks(v),
            Self::Scaling(v) => RecordedPayload::Scaling(v),
            Self::TaskDefinitions(v) => RecordedPayload::TaskDefinitions(v),
            Self::Targets(described) => RecordedPayload::TargetsRead {
                described,
                health: Vec::new(),
                rules: Vec::new(),
                lattice: Vec::new(),
            },
            Self::TargetsRead {
                described,
                health,
                rules,
                lattice,
            } => RecordedPayload::TargetsRead {
                described,
                health,
                rules,
                lattice,
            },
            Self::Metrics(v) => RecordedPayload::Metrics(v),
            Self::Logs(services) => RecordedPayload::LogsRead {
                services,
                tasks: Vec::new(),
            },
            Self::LogsRead { services, tasks } => RecordedPayload::LogsRead { services, tasks },
        }
    }
}

/// `Record::Update`'s reader: a line of either version, upgraded.
pub(super) fn deserialize_update<'de, D>(d: D) -> Result<RecordedUpdate, D::Error>
where
    D: serde::Deserializer<'de>,
{
    AnyUpdate::deserialize(d).map(AnyUpdate::upgrade)
}
