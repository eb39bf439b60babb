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
    /// Several places (each an account × Region with its own quotas): the busiest quota of
    /// any of them against its own account's rate, the throttles and the bill of all. Pure: the
    /// app loop reads each budget (`Budget::usage`, `Budget::pace`) and hands the readings in.
    pub fn from_readings(readings: &[BudgetReading]) -> Option<Self> {
        let all: Vec<Self> = readings.iter().map(Self::from_reading).collect();
        let busiest = all
            .iter()
            .max_by(|a, b| a.busiest_percent.total_cmp(&b.busiest_percent))?;
        Some(Self {
            throttled: all.iter().map(|u| u.throttled).sum(),
            dollars_per_hour: all.iter().map(|u| u.dollars_per_hour).sum(),
            ..busiest.clone()
        })
    }

    pub fn from_reading(r: &BudgetReading) -> Self {
        let busiest = r
            .usage
            .iter()
            .max_by(|a, c| a.percent_of_quota().total_cmp(&c.percent_of_quota()));
        Self {
            busiest_percent: busiest.map_or(0.0, |u| u.percent_of_quota()),
            busiest: busiest.map_or("", |u| u.quota.spec().name),
            share_percent: r.share * 100.0,
            throttled: r.usage.iter().map(|u| u.throttled).sum(),
            dollars_per_hour: r.usage.iter().map(|u| u.metrics_per_hour).sum::<f64>()
                * crate::aws::metered::budget::DOLLARS_PER_METRIC,
        }
    }
}

/// One place's budget as read at one instant: what each quota used, and ecswatch's share.
#[derive(Debug, Clone)]
pub struct BudgetReading {
    pub usage: Vec<crate::aws::metered::budget::QuotaUse>,
    pub share: f64,
}

impl BudgetReading {
    /// Reads a budget now (it locks the budget's counters: the app loop's job, not the view's).
    pub fn of(b: &crate::aws::metered::Budget) -> Self {
        Self {
            usage: b.usage(),
            share: b.pace().share,
        }
    }
}
