//! What is failing together: services in different targets (accounts or Regions) whose
//! findings share a cause id in the same window — the first question in a wide incident
//! ("image_pull_no_route in 3 accounts since 12:03").

use crate::diagnosis::Severity;
use crate::model::{PlaceIx, ServiceKey, Time};
use crate::store::Store;

/// Findings seen within this long of each other (and of now) are "at the same time".
pub const TOGETHER_WINDOW_MIN: i64 = 60;

#[derive(Debug, Clone, PartialEq)]
pub struct SharedCause {
    pub id: String,
    pub title: String,
    pub severity: Severity,
    pub services: Vec<ServiceKey>,
    pub targets: Vec<PlaceIx>,
    /// Distinct accounts (by id, or label until the id is known) and Regions among `targets`.
    pub accounts: usize,
    pub regions: usize,
    /// The earliest evidence of the cause among the services.
    pub since: Option<Time>,
}

impl SharedCause {
    /// `image_pull_no_route in 3 accounts, 2 Regions (5 services) since 12:03Z`.
    pub fn summary(&self) -> String {
        let wide = match (self.accounts, self.regions) {
            (a, 1) if a > 1 => format!("{a} accounts"),
            (1, r) => format!("{r} Regions"),
            (a, r) => format!("{a} accounts, {r} Regions"),
        };
        let since = self
            .since
            .map(|t| format!(" since {}", t.format("%H:%MZ")))
            .unwrap_or_default();
        format!(
            "{} in {wide} ({} services){since}",
            self.id,
            self.services.len()
        )
    }
}

/// Causes that services of two or more targets have now: problems (critical or warning)
/// with evidence in the last [`TOGETHER_WINDOW_MIN`] minutes. Configuration lints (no
/// evidence time) are left out: the same setting in every account is not an incident. Worst
/// and widest first.
pub fn shared_causes(store: &Store, now: Time) -> Vec<SharedCause> {
    if !store.multi_target() {
        return Vec::new();
    }
    let recent = now - chrono::Duration::minutes(TOGETHER_WINDOW_MIN);
    let mut by_id: std::collections::BTreeMap<&str, SharedCause> = Default::default();
    for (key, st) in &store.services {
        for f in &st.findings {
            if f.severity == Severity::Info || f.last_seen.is_none_or(|t| t < recent) {
                continue;
            }
            let c = by_id.entry(f.id.as_str()).or_insert_with(|| SharedCause {
                id: f.id.clone(),
                title: f.title.clone(),
                severity: f.severity,
                services: Vec::new(),
                targets: Vec::new(),
                accounts: 0,
                regions: 0,
                since: None,
            });
            c.services.push(key.clone());
            if !c.targets.contains(&key.place) {
                c.targets.push(key.place);
            }
            let first = f.first_seen.or(f.last_seen);
            c.since = match (c.since, first) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            };
        }
    }
    let mut out: Vec<SharedCause> = by_id
        .into_values()
        .filter(|c| c.targets.len() > 1)
        .map(|mut c| {
            let mut accounts: Vec<String> = Vec::new();
            let mut regions: Vec<&str> = Vec::new();
            for t in &c.targets {
                let t = store.place(*t);
                let a = t.account.clone().unwrap_or_else(|| t.account_label());
                if !accounts.contains(&a) {
                    accounts.push(a);
                }
                if !regions.contains(&t.region.as_str()) {
                    regions.push(&t.region);
                }
            }
            c.accounts = accounts.len();
            c.regions = regions.len();
            c.targets.sort();
            c
        })
        .collect();
    out.sort_by(|a, b| {
        a.severity
            .cmp(&b.severity)
            .then_with(|| b.targets.len().cmp(&a.targets.len()))
            .then_with(|| b.services.len().cmp(&a.services.len()))
            .then_with(|| a.id.cmp(&b.id))
    });
    out
}
