//! Faults the test suite injects into the real binary through `ECSWATCH_FAULT` (comma-separated
//! names), to prove the terminal is restored when a task panics. Unset, nothing changes.
//!
//! - `panic-in-poller`: the services poller panics after its first poll.
//! - `panic-in-loop`: the app loop panics on its third tick.

use std::sync::OnceLock;

pub fn injected(name: &str) -> bool {
    static FAULTS: OnceLock<Vec<String>> = OnceLock::new();
    FAULTS
        .get_or_init(|| {
            std::env::var("ECSWATCH_FAULT")
                .unwrap_or_default()
                .split(',')
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
                .collect()
        })
        .iter()
        .any(|f| f == name)
}
