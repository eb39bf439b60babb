//! Exponential backoff with full jitter, for throttling and transient failures.

use std::time::Duration;

#[derive(Debug, Clone)]
pub struct Backoff {
    base: Duration,
    max: Duration,
    failures: u32,
    seed: u64,
}

impl Backoff {
    pub fn new(base: Duration, max: Duration) -> Self {
        let seed = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or(0x9e37_79b9_7f4a_7c15)
            | 1;
        Self {
            base,
            max,
            failures: 0,
            seed,
        }
    }

    pub fn failures(&self) -> u32 {
        self.failures
    }

    pub fn reset(&mut self) {
        self.failures = 0;
    }

    /// The delay before the next try after one more failure: a random point in
    /// `[cap/2, cap]` where `cap = min(max, base * 2^failures)`.
    pub fn next_delay(&mut self) -> Duration {
        self.failures = self.failures.saturating_add(1);
        let exp = self.failures.min(16);
        let cap = self.base.saturating_mul(1u32 << exp).min(self.max);
        let half = cap / 2;
        let jitter = self.random() % (half.as_millis() as u64 + 1);
        half + Duration::from_millis(jitter)
    }

    fn random(&mut self) -> u64 {
        // xorshift64*: enough for jitter, no dependency
        let mut x = self.seed;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.seed = x;
        x.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grows_and_is_capped() {
        let mut b = Backoff::new(Duration::from_secs(1), Duration::from_secs(60));
        let mut last_cap = Duration::ZERO;
        for i in 1..=10 {
            let d = b.next_delay();
            let cap = Duration::from_secs(1u64 << i.min(16)).min(Duration::from_secs(60));
            assert!(
                d >= cap / 2 && d <= cap,
                "try {i}: {d:?} not in [{:?}, {cap:?}]",
                cap / 2
            );
            assert!(cap >= last_cap);
            last_cap = cap;
        }
        b.reset();
        assert_eq!(b.failures(), 0);
        assert!(b.next_delay() <= Duration::from_secs(2));
    }
}
