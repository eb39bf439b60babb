//! Per-source freshness and failure, for staleness markers ("targets · 12 s ago · throttled").

use crate::aws::ApiError;
use crate::model::Time;

#[derive(Debug, Clone, Default, PartialEq)]
pub struct SourceStatus {
    /// When this source last delivered data.
    pub last_ok: Option<Time>,
    /// When it was last polled.
    pub last_poll: Option<Time>,
    /// Errors of the latest poll (empty when it fully succeeded), with when they happened.
    pub errors: Vec<(Time, ApiError)>,
    /// Polls in a row that delivered nothing.
    pub consecutive_failures: u32,
    /// When the poller tries again after the latest failure.
    pub next_try: Option<Time>,
}

impl SourceStatus {
    /// Record one poll; returns true when what the user sees about this source changed.
    pub fn record(&mut self, at: Time, delivered: bool, errors: &[ApiError]) -> bool {
        let before_err: Vec<&ApiError> = self.errors.iter().map(|(_, e)| e).collect();
        let changed =
            before_err.len() != errors.len() || before_err.iter().zip(errors).any(|(a, b)| *a != b);
        self.last_poll = Some(at);
        if delivered {
            self.last_ok = Some(at);
            self.consecutive_failures = 0;
        } else {
            self.consecutive_failures += 1;
        }
        self.errors = errors.iter().map(|e| (at, e.clone())).collect();
        changed
    }
}
