//! Task- and container-level series of Container Insights with enhanced observability
//! (`ECS/ContainerInsights`), read for the open service only: each task's CPU and memory, each
//! restart-policy container's restart count, and each health-checked container's health.
//!
//! Dimensions, statistic and meaning as CloudWatch's "Amazon ECS Container Insights with
//! enhanced observability metrics" table gives them:
//! - `TaskCpuUtilization`, `TaskMemoryUtilization` (Percent) by `ClusterName`, `ServiceName`,
//!   `TaskId`;
//! - `RestartCount` by `ClusterName`, `ServiceName`, `TaskId`, `ContainerName`: "the number
//!   of times a container in an Amazon ECS task has been restarted", only for containers with
//!   a restart policy. Read as the container's count so far (the task metadata endpoint's
//!   `RestartCount`), so restarts within a window are its rise (see [`restarts_since`]);
//! - `UnHealthyContainerHealthStatus` by `ClusterName`, `ServiceName`, `ContainerName`: 1 when
//!   the container's health check says UNHEALTHY, 0 when HEALTHY; `Maximum` per minute says
//!   whether any task's copy was unhealthy in that minute.

use super::{MetricPoint, Time};

/// A cluster's Container Insights setting (`containerInsights`: disabled, enabled, enhanced).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Insights {
    #[default]
    Off,
    On,
    /// With enhanced observability: task- and container-level series exist.
    Enhanced,
}

impl Insights {
    pub fn from_setting(value: &str) -> Self {
        match value {
            "enhanced" => Insights::Enhanced,
            "disabled" | "" => Insights::Off,
            _ => Insights::On,
        }
    }

    pub fn on(self) -> bool {
        self != Insights::Off
    }
}

/// Which task-level series.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum TaskMetricKind {
    TaskCpu,
    TaskMemory,
    Restarts,
    Unhealthy,
}

impl TaskMetricKind {
    /// (metric name, statistic) in `ECS/ContainerInsights`.
    pub fn metric(self) -> (&'static str, &'static str) {
        match self {
            TaskMetricKind::TaskCpu => ("TaskCpuUtilization", "Average"),
            TaskMetricKind::TaskMemory => ("TaskMemoryUtilization", "Average"),
            TaskMetricKind::Restarts => ("RestartCount", "Maximum"),
            TaskMetricKind::Unhealthy => ("UnHealthyContainerHealthStatus", "Maximum"),
        }
    }
}

/// One task-level series: a task's (CPU, memory), a task's container's (restarts), or a
/// container of the service across its tasks (health: `task` is empty).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct TaskSeries {
    pub kind: TaskMetricKind,
    /// The task ID (the ARN's last segment); empty for the service-wide health series.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub task: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub container: Option<String>,
    /// Oldest first.
    pub points: Vec<MetricPoint>,
}

impl TaskSeries {
    pub fn latest(&self) -> Option<f64> {
        self.points.last().map(|p| p.v)
    }
}

/// The task-level series of one service as last read.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TaskMetrics {
    pub read_at: Option<Time>,
    pub series: Vec<TaskSeries>,
}

/// A task's latest CPU and memory and its containers' restarts in the window, for display.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TaskUsage {
    pub cpu: Option<f64>,
    pub memory: Option<f64>,
    /// (container, restarts in the window, restarts in all).
    pub restarts: Vec<(String, u32, u32)>,
}

impl TaskUsage {
    pub fn restarted(&self) -> u32 {
        self.restarts.iter().map(|(_, n, _)| *n).sum()
    }
}

impl TaskMetrics {
    fn find(&self, kind: TaskMetricKind, task: &str) -> impl Iterator<Item = &TaskSeries> {
        self.series
            .iter()
            .filter(move |s| s.kind == kind && s.task == task)
    }

    /// A task's usage: restarts counted from `since` (the task started at `started`).
    pub fn usage(&self, task: &str, since: Time, started: Option<Time>) -> TaskUsage {
        let latest = |k| self.find(k, task).find_map(TaskSeries::latest);
        let mut restarts: Vec<(String, u32, u32)> = self
            .find(TaskMetricKind::Restarts, task)
            .filter_map(|s| {
                let c = s.container.clone()?;
                let total = s.latest().map(count).unwrap_or(0);
                Some((c, restarts_since(&s.points, since, started), total))
            })
            .collect();
        restarts.sort();
        TaskUsage {
            cpu: latest(TaskMetricKind::TaskCpu),
            memory: latest(TaskMetricKind::TaskMemory),
            restarts,
        }
    }

    /// Containers of the service whose health check said UNHEALTHY in a minute since `since`:
    /// (container, unhealthy minutes).
    pub fn unhealthy_containers(&self, since: Time) -> Vec<(String, usize)> {
        let mut out: Vec<(String, usize)> = self
            .series
            .iter()
            .filter(|s| s.kind == TaskMetricKind::Unhealthy)
            .filter_map(|s| {
                let n = s
                    .points
                    .iter()
                    .filter(|p| p.t >= since && p.v >= 1.0)
                    .count();
                (n > 0).then(|| (s.container.clone().unwrap_or_default(), n))
            })
            .collect();
        out.sort();
        out
    }

    /// The tasks read, busiest CPU first: (task, cpu, memory).
    pub fn top_tasks(&self) -> Vec<(String, Option<f64>, Option<f64>)> {
        let mut tasks: Vec<&str> = self
            .series
            .iter()
            .filter(|s| !s.task.is_empty())
            .map(|s| s.task.as_str())
            .collect();
        tasks.sort_unstable();
        tasks.dedup();
        let mut out: Vec<(String, Option<f64>, Option<f64>)> = tasks
            .into_iter()
            .map(|t| {
                let latest = |k| self.find(k, t).find_map(TaskSeries::latest);
                (
                    t.to_string(),
                    latest(TaskMetricKind::TaskCpu),
                    latest(TaskMetricKind::TaskMemory),
                )
            })
            .filter(|(_, c, m)| c.is_some() || m.is_some())
            .collect();
        out.sort_by(|a, b| {
            let key = |x: &(String, Option<f64>, Option<f64>)| x.1.or(x.2).unwrap_or(-1.0);
            key(b).total_cmp(&key(a)).then_with(|| a.0.cmp(&b.0))
        });
        out
    }
}

/// A count read from a metric value (never negative, never NaN).
fn count(v: f64) -> u32 {
    if v.is_finite() && v > 0.0 {
        v.round().min(u32::MAX as f64) as u32
    } else {
        0
    }
}

/// How many times a container restarted since `since`, from its restart count series (oldest
/// first). The count only rises while the task lives, so the restarts are the last value less
/// the value before `since`: the last point before it when there is one, none (0) when the task
/// started after `since`, else the first point in the window (the restarts before the first
/// minute read are not counted: the console does not claim what it did not see). A fall (a
/// series that restarted) counts what came after it.
pub fn restarts_since(points: &[MetricPoint], since: Time, started: Option<Time>) -> u32 {
    let before = points
        .iter()
        .rev()
        .find(|p| p.t < since)
        .map(|p| count(p.v));
    let inside: Vec<u32> = points
        .iter()
        .filter(|p| p.t >= since)
        .map(|p| count(p.v))
        .collect();
    let Some(&first) = inside.first() else {
        return 0;
    };
    let mut base = match before {
        Some(b) => b,
        None if started.is_some_and(|s| s >= since) => 0,
        None => first,
    };
    let mut total = 0;
    for v in inside {
        if v < base {
            // a new count (the series reset): what came after it
            base = 0;
        }
        total += v - base;
        base = v;
    }
    total
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn t(min: i64) -> Time {
        chrono::Utc.with_ymd_and_hms(2026, 1, 1, 12, 0, 0).unwrap() + chrono::Duration::minutes(min)
    }

    fn pts(vals: &[(i64, f64)]) -> Vec<MetricPoint> {
        vals.iter()
            .map(|&(m, v)| MetricPoint { t: t(m), v })
            .collect()
    }

    #[test]
    fn restarts_are_the_rise_of_the_count_within_the_window() {
        // read before the window: 2 restarts before, 5 at the end -> 3 inside
        let p = pts(&[(0, 2.0), (5, 2.0), (10, 3.0), (14, 5.0)]);
        assert_eq!(restarts_since(&p, t(4), None), 3);
        // a task started inside the window: every restart counts
        let p = pts(&[(6, 1.0), (9, 2.0)]);
        assert_eq!(restarts_since(&p, t(4), Some(t(5))), 2);
        // an older task whose first minute read is inside the window: only what rose since
        assert_eq!(restarts_since(&p, t(4), Some(t(-60))), 1);
        // no point in the window, a flat count: none
        assert_eq!(restarts_since(&pts(&[(0, 4.0)]), t(4), None), 0);
        assert_eq!(restarts_since(&pts(&[(5, 4.0), (9, 4.0)]), t(4), None), 0);
        // a reset counts what came after it; garbage values count nothing
        let p = pts(&[(5, 4.0), (6, 1.0), (7, 2.0)]);
        assert_eq!(restarts_since(&p, t(4), None), 2);
        let p = pts(&[(5, f64::NAN), (6, -3.0), (7, 1.0)]);
        assert_eq!(restarts_since(&p, t(4), None), 1);
    }

    #[test]
    fn usage_top_tasks_and_unhealthy_minutes() {
        let s = |kind, task: &str, container: Option<&str>, v: &[(i64, f64)]| TaskSeries {
            kind,
            task: task.into(),
            container: container.map(str::to_owned),
            points: pts(v),
        };
        let m = TaskMetrics {
            read_at: Some(t(15)),
            series: vec![
                s(
                    TaskMetricKind::TaskCpu,
                    "a",
                    None,
                    &[(13, 20.0), (14, 30.0)],
                ),
                s(TaskMetricKind::TaskMemory, "a", None, &[(14, 50.0)]),
                s(TaskMetricKind::TaskCpu, "b", None, &[(14, 95.0)]),
                s(
                    TaskMetricKind::Restarts,
                    "a",
                    Some("app"),
                    &[(2, 1.0), (12, 4.0)],
                ),
                s(
                    TaskMetricKind::Unhealthy,
                    "",
                    Some("app"),
                    &[(10, 0.0), (11, 1.0), (12, 1.0)],
                ),
            ],
        };
        let u = m.usage("a", t(5), None);
        assert_eq!(u.cpu, Some(30.0));
        assert_eq!(u.memory, Some(50.0));
        assert_eq!(u.restarts, vec![("app".to_string(), 3, 4)]);
        assert_eq!(u.restarted(), 3);
        assert_eq!(m.usage("zz", t(5), None), TaskUsage::default());
        let top = m.top_tasks();
        assert_eq!(top[0].0, "b");
        assert_eq!(top[1], ("a".to_string(), Some(30.0), Some(50.0)));
        assert_eq!(m.unhealthy_containers(t(5)), vec![("app".to_string(), 2)]);
        assert!(m.unhealthy_containers(t(13)).is_empty());
    }
}
