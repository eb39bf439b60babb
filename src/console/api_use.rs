//! The header's cost figure, read from the budgets of the places watched.

/// The header's cost figure: the busiest shared quota and the CloudWatch bill.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiUse {
    /// Percent of the busiest quota's account-wide rate used over the last minute.
    pub busiest_percent: f64,
    pub busiest: &'static str,
    /// ecswatch's cap (`--api-share`).
    pub share_percent: f64,
    pub throttled: u64,
    /// GetMetricData at the recent rate, in dollars per hour.
    pub dollars_per_hour: f64,
}

impl ApiUse {
    /// Several targets (each an account × Region with its own quotas): the busiest quota of
    /// any of them against its own account's rate, the throttles and the bill of all.
    pub fn from_budgets(budgets: &[std::sync::Arc<crate::aws::metered::Budget>]) -> Option<Self> {
        let all: Vec<Self> = budgets.iter().map(|b| Self::from_budget(b)).collect();
        let busiest = all
            .iter()
            .max_by(|a, b| a.busiest_percent.total_cmp(&b.busiest_percent))?;
        Some(Self {
            throttled: all.iter().map(|u| u.throttled).sum(),
            dollars_per_hour: all.iter().map(|u| u.dollars_per_hour).sum(),
            ..busiest.clone()
        })
    }

    pub fn from_budget(b: &crate::aws::metered::Budget) -> Self {
        let usage = b.usage();
        let busiest = usage
            .iter()
            .max_by(|a, c| a.percent_of_quota().total_cmp(&c.percent_of_quota()));
        Self {
            busiest_percent: busiest.map_or(0.0, |u| u.percent_of_quota()),
            busiest: busiest.map_or("", |u| u.quota.spec().name),
            share_percent: b.pace().share * 100.0,
            throttled: usage.iter().map(|u| u.throttled).sum(),
            dollars_per_hour: usage.iter().map(|u| u.metrics_per_hour).sum::<f64>()
                * crate::aws::metered::budget::DOLLARS_PER_METRIC,
        }
    }
}
