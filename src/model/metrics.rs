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
    /// 5xx the load balancer answered itself (no healthy target, a target that reset): what
    /// users see when every target is down, which target 5xx cannot show.
    ElbHttp5xx,
    /// Service Connect (AWS/ECS): requests the service's endpoint received, the 5xx and p95
    /// response time its tasks gave the services that call it, and TLS handshakes that failed.
    ConnectRequests,
    ConnectHttp5xx,
    ConnectResponseTimeP95,
    ConnectTlsErrors,
}

/// How a series' missing minutes read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SeriesShape {
    /// Counts: CloudWatch sends no datapoint for a minute with nothing to count, so a missing
    /// minute is zero.
    Count,
    /// Percentages, on a fixed 0-100 scale; a missing minute is a gap.
    Percent,
    /// Other gauges (latency, task counts); a missing minute is a gap.
    Gauge,
}

impl MetricKind {
    pub const ALL: [MetricKind; 12] = [
        MetricKind::CpuUtilization,
        MetricKind::MemoryUtilization,
        MetricKind::Http5xx,
        MetricKind::TargetResponseTimeP95,
        MetricKind::RequestCountPerTarget,
        MetricKind::UnhealthyHosts,
        MetricKind::RunningTasks,
        MetricKind::ElbHttp5xx,
        MetricKind::ConnectRequests,
        MetricKind::ConnectHttp5xx,
        MetricKind::ConnectResponseTimeP95,
        MetricKind::ConnectTlsErrors,
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
            MetricKind::ElbHttp5xx => "elb_http_5xx",
            MetricKind::ConnectRequests => "service_connect_requests",
            MetricKind::ConnectHttp5xx => "service_connect_http_5xx",
            MetricKind::ConnectResponseTimeP95 => "service_connect_response_time_p95",
            MetricKind::ConnectTlsErrors => "service_connect_tls_errors",
        }
    }

    /// The short name shown beside every sparkline.
    pub fn label(self) -> &'static str {
        match self {
            MetricKind::CpuUtilization => "cpu",
            MetricKind::MemoryUtilization => "memory",
            MetricKind::Http5xx => "target 5xx",
            MetricKind::TargetResponseTimeP95 => "p95",
            MetricKind::RequestCountPerTarget => "req/target",
            MetricKind::UnhealthyHosts => "unhealthy",
            MetricKind::RunningTasks => "running",
            MetricKind::ElbHttp5xx => "elb 5xx",
            MetricKind::ConnectRequests => "sc requests",
            MetricKind::ConnectHttp5xx => "sc 5xx",
            MetricKind::ConnectResponseTimeP95 => "sc p95",
            MetricKind::ConnectTlsErrors => "sc tls err",
        }
    }

    pub fn shape(self) -> SeriesShape {
        match self {
            MetricKind::CpuUtilization | MetricKind::MemoryUtilization => SeriesShape::Percent,
            MetricKind::Http5xx
            | MetricKind::RequestCountPerTarget
            | MetricKind::ElbHttp5xx
            | MetricKind::ConnectRequests
            | MetricKind::ConnectHttp5xx
            | MetricKind::ConnectTlsErrors => SeriesShape::Count,
            MetricKind::TargetResponseTimeP95
            | MetricKind::ConnectResponseTimeP95
            | MetricKind::UnhealthyHosts
            | MetricKind::RunningTasks => SeriesShape::Gauge,
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
