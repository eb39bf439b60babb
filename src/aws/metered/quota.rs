//! The account's shared API quotas as AWS documents them (or, where it does not, as assumed and
//! said): each one's sustained rate, burst and source, and which quota each operation draws on.

/// A shared quota of the account (per account and Region).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Quota {
    EcsClusterRead,
    EcsServiceRead,
    EcsTaskRead,
    EcsTaskDefinitionRead,
    ElbRead,
    LogsFilter,
    MetricsGet,
    ScalingRead,
    LatticeRead,
}

/// One quota as AWS documents it.
#[derive(Debug, Clone, Copy)]
pub struct QuotaSpec {
    pub quota: Quota,
    pub name: &'static str,
    /// Sustained calls per second for the whole account and Region.
    pub sustained: f64,
    /// Most calls in one second (the bucket's size).
    pub burst: f64,
    /// Where the figure comes from.
    pub source: &'static str,
}

/// The documented limits, in one table. `scripts/realistic.py` (the test harness's realistic
/// account) enforces the same figures.
pub const QUOTAS: [QuotaSpec; 9] = [
    QuotaSpec {
        quota: Quota::EcsClusterRead,
        name: "ECS cluster reads",
        sustained: 20.0,
        burst: 50.0,
        source: "ECS API reference, Request throttling: cluster read actions (ListClusters, DescribeClusters)",
    },
    QuotaSpec {
        quota: Quota::EcsServiceRead,
        name: "ECS service reads",
        sustained: 20.0,
        burst: 100.0,
        source: "ECS API reference, Request throttling: service read actions (ListServices, DescribeServices)",
    },
    QuotaSpec {
        quota: Quota::EcsTaskRead,
        name: "ECS task reads",
        sustained: 20.0,
        burst: 100.0,
        source: "ECS API reference, Request throttling: task read actions (ListTasks, DescribeTasks)",
    },
    QuotaSpec {
        quota: Quota::EcsTaskDefinitionRead,
        name: "ECS task definition reads",
        sustained: 20.0,
        burst: 100.0,
        source: "ECS API reference, Request throttling: task definition read actions",
    },
    QuotaSpec {
        quota: Quota::ElbRead,
        name: "ELB describe calls",
        sustained: 10.0,
        burst: 40.0,
        source: "ELB user guide, Request throttling for the Elastic Load Balancing API: the \
                 non-mutating Describe* actions (DescribeTargetGroups, \
                 DescribeTargetGroupAttributes, DescribeTargetHealth, DescribeRules, \
                 DescribeListeners) share a bucket of 40 \
                 tokens refilled at 10 per second",
    },
    QuotaSpec {
        quota: Quota::LogsFilter,
        name: "Logs FilterLogEvents",
        sustained: 5.0,
        burst: 5.0,
        source: "CloudWatch Logs quotas: FilterLogEvents 5 transactions per second per account \
                 and Region, cannot be raised",
    },
    QuotaSpec {
        quota: Quota::MetricsGet,
        name: "CloudWatch GetMetricData",
        sustained: 50.0,
        burst: 50.0,
        source: "CloudWatch quotas: GetMetricData 50 transactions per second; billed $0.01 per \
                 1,000 metrics requested",
    },
    QuotaSpec {
        quota: Quota::ScalingRead,
        name: "Auto Scaling reads",
        sustained: 10.0,
        burst: 10.0,
        source: "not published by AWS: a conservative assumption (DescribeScalableTargets, \
                 DescribeScalingPolicies, DescribeScalingActivities)",
    },
    QuotaSpec {
        quota: Quota::LatticeRead,
        name: "VPC Lattice reads",
        sustained: 10.0,
        burst: 10.0,
        source: "not published by AWS for ListTargets: a conservative assumption, as for \
                 Auto Scaling",
    },
];

/// Price of GetMetricData: US dollars per metric requested ($0.01 per 1,000).
pub const DOLLARS_PER_METRIC: f64 = 0.01 / 1000.0;

impl Quota {
    pub fn spec(self) -> &'static QuotaSpec {
        &QUOTAS[self as usize]
    }

    /// The quota an operation (as `Counted` names it) draws on; writes and one-off lookups by
    /// the user draw on none.
    pub fn of(operation: &str) -> Option<Quota> {
        Some(match operation {
            // the ECS throttling page's table could not be read from here: container instance
            // reads are counted against the smallest ECS read bucket (cluster reads, 50/20)
            "ListClusters" | "DescribeClusters" | "DescribeContainerInstances" => {
                Quota::EcsClusterRead
            }
            "ListServices"
            | "DescribeServices"
            | "DescribeServiceDeployments"
            | "DescribeServiceRevisions"
            | "ListServiceDeployments" => Quota::EcsServiceRead,
            "ListTasks" | "DescribeTasks" => Quota::EcsTaskRead,
            "DescribeTaskDefinition" | "ListTaskDefinitions" => Quota::EcsTaskDefinitionRead,
            "DescribeTargetGroups"
            | "DescribeTargetGroupAttributes"
            | "DescribeTargetHealth"
            | "DescribeRules"
            | "DescribeListeners" => Quota::ElbRead,
            "FilterLogEvents" => Quota::LogsFilter,
            "GetMetricData" => Quota::MetricsGet,
            "DescribeScalableTargets" | "DescribeScalingPolicies" | "DescribeScalingActivities" => {
                Quota::ScalingRead
            }
            "ListTargets" => Quota::LatticeRead,
            _ => return None,
        })
    }
}
