use super::Time;

/// The series ecswatch shows for a service.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum MetricKind {
    CpuUtilization,
    MemoryUtilization,
    Http5xx,
    TargetResponseTimeP95,
    RequestCountPerTarget,
    UnhealthyHosts,
    RunningTasks,
}

impl MetricKind {
    pub const ALL: [MetricKind; 7] = [
        MetricKind::CpuUtilization,
        MetricKind::MemoryUtilization,
        MetricKind::Http5xx,
        MetricKind::TargetResponseTimeP95,
        MetricKind::RequestCountPerTarget,
        MetricKind::UnhealthyHosts,
        MetricKind::RunningTasks,
    ];

    /// The key used in `snapshot` JSON.
    pub fn json_key(self) -> &'static str {
        match self {
            MetricKind::CpuUtilization => "cpu_utilization",
            MetricKind::MemoryUtilization => "memory_utilization",
            MetricKind::Http5xx => "http_5xx",
            MetricKind::TargetResponseTimeP95 => "target_response_time_p95",
            MetricKind::RequestCountPerTarget => "request_count_per_target",
            MetricKind::UnhealthyHosts => "unhealthy_hosts",
            MetricKind::RunningTasks => "running_tasks",
        }
    }

    pub fn index(self) -> usize {
        self as usize
    }
}

/// One GetMetricData query, in domain terms.
#[derive(Debug, Clone, PartialEq)]
pub struct MetricQuery {
    /// Unique within one call; starts with a lowercase letter.
    pub id: String,
    pub namespace: &'static str,
    pub metric: &'static str,
    pub dimensions: Vec<(&'static str, String)>,
    pub stat: &'static str,
    pub period_s: i32,
}

#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct MetricPoint {
    pub t: Time,
    pub v: f64,
}

/// The answer to one query, points oldest first.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct MetricResult {
    pub id: String,
    pub points: Vec<MetricPoint>,
}
