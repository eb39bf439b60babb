//! The account's shared API quotas, and ecswatch's share of them, enforced in one place.
//!
//! Every AWS call ecswatch makes passes through [`Budget::acquire`] (from [`super::Counted`]),
//! which waits for a token of the call's quota. Each quota is a token bucket refilled at
//! `share` × the account's sustained rate (less 5% headroom), holding two seconds of tokens
//! (never more than `share` × the account's burst): so
//! ecswatch never uses more than its share of any bucket, at any fleet size — a larger fleet
//! means slower fleet rounds, never more calls per second. When callers of several priorities
//! wait for one quota, the higher priority gets the next token: the open service first, then
//! what is on screen, then the rest ([`Priority`], set per poll with [`with_priority`]).

use std::collections::VecDeque;
use std::sync::Mutex;
use std::time::Duration;
use tokio::time::Instant;

pub use super::quota::{DOLLARS_PER_METRIC, QUOTAS, Quota, QuotaSpec};

/// ecswatch's default share of each quota, in percent.
pub const DEFAULT_SHARE_PERCENT: u8 = 20;

/// ecswatch refills its buckets at this fraction of its share, and holds at most two seconds
/// of tokens: so any minute's average, burst included, stays within the share.
const HEADROOM: f64 = 0.95;
const BURST_S: f64 = 2.0;

/// The share of each quota's documented bucket that a one-shot command (`snapshot`, `wait`'s
/// first read) and the console's first complete picture may spend at once, before the
/// sustained share applies (never less than `--api-share`). AWS's buckets exist to absorb
/// bursts: half of one, once, leaves the other half to the team in that second, and the bucket
/// refills at the sustained rate, of which ecswatch then takes only its share.
pub const BURST_SHARE: f64 = 0.5;

/// Who a call is for: when several wait for one quota, the lowest value goes first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Priority {
    /// The service (or task) open in the console.
    Open = 0,
    /// Rows on screen, and services that are not calm.
    Shown = 1,
    /// Everything else: fleet rounds.
    Background = 2,
}

tokio::task_local! {
    static PRIORITY: Priority;
}

/// Run `f` with its AWS calls at `p`.
pub async fn with_priority<F: std::future::Future>(p: Priority, f: F) -> F::Output {
    PRIORITY.scope(p, f).await
}

fn current_priority() -> Priority {
    PRIORITY.try_with(|p| *p).unwrap_or(Priority::Background)
}

/// The sustained calls per second ecswatch may make for each quota: what pollers size their
/// rounds by.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Pace {
    pub share: f64,
}

impl Default for Pace {
    fn default() -> Self {
        Self::percent(DEFAULT_SHARE_PERCENT)
    }
}

impl Pace {
    pub fn percent(p: u8) -> Self {
        Self {
            share: f64::from(p.clamp(1, 100)) / 100.0,
        }
    }

    /// Calls per second ecswatch may make against `q`.
    pub fn rate(&self, q: Quota) -> f64 {
        q.spec().sustained * self.share * HEADROOM
    }
}

/// How a standalone console shares a quota it finds crowded (AIMD, per quota): a throttled
/// answer halves its rate ([`DECREASE`], never below [`FLOOR`] of its share, at most once a
/// [`DECREASE_GAP`]: the answers of calls in flight together count once) and it stays there
/// ([`CEILING`] of the rate it was throttled at) until [`QUIET`] passes without a throttle;
/// then it grows back slowly, by [`STEP`] of the share every [`STEP_EVERY`], to the whole
/// share. Consoles that cannot share a reader (other hosts) each back off this way and settle
/// below what the account has left, instead of each taking its full share: one throttle each
/// halves three consoles' 60% to 30%, and a probe starts only after five quiet minutes.
pub const DECREASE: f64 = 0.5;
pub const FLOOR: f64 = 0.05;
pub const STEP: f64 = 0.05;
pub const STEP_EVERY: Duration = Duration::from_secs(5);
pub const CEILING: f64 = 0.5;
pub const QUIET: Duration = Duration::from_secs(300);
pub const DECREASE_GAP: Duration = Duration::from_secs(1);

#[derive(Debug)]
struct Bucket {
    tokens: f64,
    cap: f64,
    /// The rate now: `share_rate` until a throttle, lower after one (AIMD).
    rate: f64,
    /// ecswatch's share of the quota (share × sustained, less headroom).
    share_rate: f64,
    /// What the rate may grow back to until [`QUIET`] after the last throttle.
    ceiling: f64,
    last_throttle: Option<Instant>,
    last_step: Instant,
    last: Instant,
    /// Callers waiting, by priority.
    waiting: [u32; 3],
    /// Calls made and throttled answers, in total and by second (for the last minute).
    calls: u64,
    throttled: u64,
    recent: VecDeque<(Instant, u32)>,
    /// GetMetricData: metrics requested (queries), in total and recent (last ten minutes).
    metrics: u64,
    recent_metrics: VecDeque<(Instant, u32)>,
}

impl Bucket {
    /// Tokens above `cap` (the opening allowance) are spent, never refilled. A rate lowered by
    /// a throttle grows back step by step first (AIMD), and holds two seconds of its own tokens.
    fn refill(&mut self, now: Instant) {
        while now.saturating_duration_since(self.last_step) >= STEP_EVERY {
            self.last_step += STEP_EVERY;
            if self.rate < self.share_rate {
                let quiet = self
                    .last_throttle
                    .is_none_or(|t| self.last_step.saturating_duration_since(t) >= QUIET);
                let top = if quiet { self.share_rate } else { self.ceiling };
                if self.rate < top {
                    self.rate = (self.rate + STEP * self.share_rate).min(top);
                }
            }
        }
        let dt = now.saturating_duration_since(self.last).as_secs_f64();
        let cap = if self.rate < self.share_rate {
            (self.rate * BURST_S).max(1.0).min(self.cap)
        } else {
            self.cap
        };
        if self.tokens < cap {
            self.tokens = (self.tokens + dt * self.rate).min(cap);
        }
        self.last = now;
    }

    /// A throttled answer at `now`: give up the opening allowance, skip a second's tokens, and
    /// (once per [`DECREASE_GAP`]) halve the rate, remembering where the account said stop.
    fn throttled(&mut self, now: Instant) {
        self.throttled += 1;
        self.tokens = (self.tokens.min(self.cap) - self.rate).max(-self.cap);
        let recent = self
            .last_throttle
            .is_some_and(|t| now.saturating_duration_since(t) < DECREASE_GAP);
        if !recent {
            self.ceiling = (self.rate * CEILING).max(self.share_rate * FLOOR);
            self.rate = (self.rate * DECREASE).max(self.share_rate * FLOOR);
            self.last_step = now;
        }
        self.last_throttle = Some(now);
    }
}

fn push_recent(q: &mut VecDeque<(Instant, u32)>, now: Instant, n: u32, keep: Duration) {
    match q.back_mut() {
        Some((t, c)) if now.saturating_duration_since(*t) < Duration::from_secs(1) => *c += n,
        _ => q.push_back((now, n)),
    }
    while q
        .front()
        .is_some_and(|(t, _)| now.saturating_duration_since(*t) > keep)
    {
        q.pop_front();
    }
}

/// One budget per account and Region.
#[derive(Debug)]
pub struct Budget {
    pace: Pace,
    buckets: Vec<Mutex<Bucket>>,
    started: Instant,
    /// No waiting at all (tests of request shapes, `explain`): counts only.
    unlimited: bool,
}

/// What one quota was used for, for the header and `--stats`.
#[derive(Debug, Clone, PartialEq)]
pub struct QuotaUse {
    pub quota: Quota,
    pub calls: u64,
    pub throttled: u64,
    /// Calls per second over the last minute (or since the start, if shorter).
    pub per_s: f64,
    /// ecswatch's allowance (share × sustained) and the account's sustained rate.
    pub allowed_per_s: f64,
    pub metrics: u64,
    /// Metrics requested per hour at the recent rate (GetMetricData only).
    pub metrics_per_hour: f64,
}

impl QuotaUse {
    /// Percent of the account's sustained rate used.
    pub fn percent_of_quota(&self) -> f64 {
        100.0 * self.per_s / self.quota.spec().sustained
    }
}

impl Budget {
    /// For the console: an opening allowance of [`BURST_SHARE`] of each bucket for its first
    /// complete picture, never refilled; then two seconds of tokens at most, so every minute
    /// after the first stays within the share.
    pub fn new(pace: Pace) -> Self {
        Self::with_burst(pace, BURST_S)
    }

    /// For one-shot commands (`snapshot`, `wait`): [`BURST_SHARE`] of each quota's bucket up
    /// front (a 500-service snapshot's 55 service reads start with 50 at once), then the same
    /// sustained share as the console, holding at most the share of the account's burst.
    pub fn one_shot(pace: Pace) -> Self {
        Self::with_burst(pace, f64::INFINITY)
    }

    fn with_burst(pace: Pace, burst_s: f64) -> Self {
        let now = Instant::now();
        let buckets = QUOTAS
            .iter()
            .map(|q| {
                let rate = pace.rate(q.quota);
                // what refills: never more than the share of the account's burst either
                let cap = (rate * burst_s).min(q.burst * pace.share).max(1.0);
                // what the first picture may spend at once
                let opening = (q.burst * BURST_SHARE.max(pace.share)).max(cap);
                Mutex::new(Bucket {
                    tokens: opening,
                    cap,
                    rate,
                    share_rate: rate,
                    ceiling: rate,
                    last_throttle: None,
                    last_step: now,
                    last: now,
                    waiting: [0; 3],
                    calls: 0,
                    throttled: 0,
                    recent: VecDeque::new(),
                    metrics: 0,
                    recent_metrics: VecDeque::new(),
                })
            })
            .collect();
        Self {
            pace,
            buckets,
            started: now,
            unlimited: false,
        }
    }

    /// Counts, never waits.
    pub fn unlimited() -> Self {
        Self {
            unlimited: true,
            ..Self::new(Pace::percent(100))
        }
    }

    pub fn pace(&self) -> Pace {
        self.pace
    }

    /// Wait for a token of `q` at the caller's priority; count the call (and `metrics` metrics
    /// requested).
    pub async fn acquire(&self, q: Quota, metrics: u32) {
        let p = current_priority() as usize;
        let mut registered = false;
        loop {
            let wait = {
                let Ok(mut b) = self.buckets[q as usize].lock() else {
                    return;
                };
                let now = Instant::now();
                b.refill(now);
                let higher_waiting = b.waiting[..p].iter().any(|n| *n > 0);
                if self.unlimited || (b.tokens >= 1.0 && !higher_waiting) {
                    if !self.unlimited {
                        b.tokens -= 1.0;
                    }
                    if registered {
                        b.waiting[p] -= 1;
                    }
                    b.calls += 1;
                    push_recent(&mut b.recent, now, 1, Duration::from_secs(60));
                    if metrics > 0 {
                        b.metrics += u64::from(metrics);
                        push_recent(
                            &mut b.recent_metrics,
                            now,
                            metrics,
                            Duration::from_secs(600),
                        );
                    }
                    return;
                }
                if !registered {
                    b.waiting[p] += 1;
                    registered = true;
                }
                let need = (1.0 - b.tokens).max(0.0) / b.rate;
                Duration::from_secs_f64(need.max(0.005))
            };
            // a waiter dropped while asleep (its poller aborted) must not block lower ones
            let mut guard = Unregister {
                budget: self,
                q,
                p,
                armed: true,
            };
            tokio::time::sleep(wait).await;
            guard.armed = false;
        }
    }

    fn unregister(&self, q: Quota, p: usize) {
        if let Ok(mut b) = self.buckets[q as usize].lock() {
            b.waiting[p] = b.waiting[p].saturating_sub(1);
        }
    }

    /// An answer of `q` was ThrottlingException: AWS's bucket is emptied by others too. Leave
    /// the account room: what is left of the opening allowance is given up, the next second's
    /// tokens are skipped, and the rate backs off (AIMD, see [`DECREASE`]).
    pub fn throttled(&self, q: Quota) {
        if let Ok(mut b) = self.buckets[q as usize].lock() {
            if self.unlimited {
                b.throttled += 1;
                return;
            }
            let now = Instant::now();
            b.refill(now);
            b.throttled(now);
        }
    }

    /// Use of every quota so far.
    pub fn usage(&self) -> Vec<QuotaUse> {
        let now = Instant::now();
        let since = now.saturating_duration_since(self.started).as_secs_f64();
        QUOTAS
            .iter()
            .map(|spec| {
                let b = self.buckets[spec.quota as usize]
                    .lock()
                    .map(|b| {
                        let window = since.clamp(1.0, 60.0);
                        let recent: u32 = b
                            .recent
                            .iter()
                            .filter(|(t, _)| {
                                now.saturating_duration_since(*t).as_secs_f64() <= 60.0
                            })
                            .map(|(_, n)| *n)
                            .sum();
                        let mwindow = since.clamp(1.0, 600.0);
                        let rm: u32 = b.recent_metrics.iter().map(|(_, n)| *n).sum();
                        (
                            b.calls,
                            b.throttled,
                            f64::from(recent) / window,
                            b.metrics,
                            f64::from(rm) * 3600.0 / mwindow,
                            b.rate,
                        )
                    })
                    .unwrap_or_default();
                QuotaUse {
                    quota: spec.quota,
                    calls: b.0,
                    throttled: b.1,
                    per_s: b.2,
                    allowed_per_s: if self.unlimited {
                        self.pace.rate(spec.quota)
                    } else {
                        b.5
                    },
                    metrics: b.3,
                    metrics_per_hour: b.4,
                }
            })
            .collect()
    }

    /// A table of quota use, for `--stats`.
    pub fn report(&self, elapsed: Duration) -> String {
        let mut out = format!(
            "Shared quotas (ecswatch's share {:.0}%), over {:.1} s:\n",
            self.pace.share * 100.0,
            elapsed.as_secs_f64()
        );
        out.push_str(&format!(
            "  {:<28} {:>7} {:>9} {:>9} {:>8} {:>9}\n",
            "quota", "calls", "calls/s", "allowed", "% quota", "throttled"
        ));
        let secs = elapsed.as_secs_f64().max(1.0);
        for u in self.usage() {
            let spec = u.quota.spec();
            let avg = u.calls as f64 / secs;
            out.push_str(&format!(
                "  {:<28} {:>7} {:>9.2} {:>9.2} {:>7.1}% {:>9}\n",
                spec.name,
                u.calls,
                avg,
                u.allowed_per_s,
                100.0 * avg / spec.sustained,
                u.throttled
            ));
            if u.quota == Quota::MetricsGet {
                let per_hour = u.metrics as f64 * 3600.0 / secs;
                out.push_str(&format!(
                    "  {:<28} {:>7} requested, {:.0}/h = ${:.4}/h\n",
                    "  CloudWatch metrics",
                    u.metrics,
                    per_hour,
                    per_hour * DOLLARS_PER_METRIC
                ));
            }
        }
        out
    }
}

struct Unregister<'a> {
    budget: &'a Budget,
    q: Quota,
    p: usize,
    armed: bool,
}

impl Drop for Unregister<'_> {
    fn drop(&mut self) {
        if self.armed {
            self.budget.unregister(self.q, self.p);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_operation_read_has_a_quota_and_the_table_is_in_order() {
        for (i, q) in QUOTAS.iter().enumerate() {
            assert_eq!(q.quota as usize, i);
        }
        for op in [
            "ListClusters",
            "ListServices",
            "DescribeServices",
            "ListTasks",
            "DescribeTasks",
            "DescribeTaskDefinition",
            "DescribeTargetGroups",
            "DescribeTargetGroupAttributes",
            "DescribeTargetHealth",
            "DescribeRules",
            "DescribeListeners",
            "FilterLogEvents",
            "GetMetricData",
        ] {
            assert!(Quota::of(op).is_some(), "{op}");
        }
        assert_eq!(Quota::of("UpdateService"), None);
    }

    #[tokio::test]
    async fn sustained_rate_is_the_share_whatever_is_asked() {
        // 5/s * 40% * 0.95 = 1.9/s, a bucket of 2: 5 calls cannot take less than 1.5 s (a
        // lower bound: a busy machine only makes it slower)
        let b = Budget::new(Pace::percent(40));
        // the opening allowance (half of the bucket of 5) first: then the sustained share
        for _ in 0..2 {
            b.acquire(Quota::LogsFilter, 0).await;
        }
        let start = tokio::time::Instant::now();
        for _ in 0..5 {
            b.acquire(Quota::LogsFilter, 0).await;
        }
        let took = start.elapsed().as_secs_f64();
        assert!(took >= 1.45, "{took}");
        let u = b
            .usage()
            .into_iter()
            .find(|u| u.quota == Quota::LogsFilter)
            .unwrap();
        assert_eq!(u.calls, 7);
        assert!((u.allowed_per_s - 1.9).abs() < 1e-9);
    }

    #[tokio::test]
    async fn the_open_service_goes_before_the_fleet() {
        use std::sync::Arc;
        // 5/s * 100% * 0.95: a token about every 210 ms
        let b = Arc::new(Budget::new(Pace::percent(100)));
        // empty the bucket
        for _ in 0..5 {
            b.acquire(Quota::LogsFilter, 0).await;
        }
        b.acquire(Quota::LogsFilter, 0).await;
        let order = Arc::new(Mutex::new(Vec::new()));
        let mut handles = Vec::new();
        for (i, p) in [Priority::Background, Priority::Background, Priority::Open]
            .into_iter()
            .enumerate()
        {
            let (b, order) = (b.clone(), order.clone());
            handles.push(tokio::spawn(async move {
                // the background callers start waiting first
                tokio::time::sleep(Duration::from_millis(20 * i as u64)).await;
                with_priority(p, b.acquire(Quota::LogsFilter, 0)).await;
                order.lock().unwrap().push(p);
            }));
        }
        for h in handles {
            h.await.unwrap();
        }
        assert_eq!(order.lock().unwrap()[0], Priority::Open);
    }

    #[tokio::test]
    async fn a_dropped_waiter_does_not_block_the_others() {
        let b = Budget::new(Pace::percent(100));
        for _ in 0..5 {
            b.acquire(Quota::LogsFilter, 0).await;
        }
        let open = with_priority(Priority::Open, b.acquire(Quota::LogsFilter, 0));
        // give up on the open caller after 50 ms
        assert!(
            tokio::time::timeout(Duration::from_millis(50), open)
                .await
                .is_err()
        );
        let bucket = b.buckets[Quota::LogsFilter as usize].lock().unwrap();
        assert_eq!(bucket.waiting, [0, 0, 0]);
    }

    #[test]
    fn the_first_picture_spends_half_the_bucket_once_then_the_share() {
        let bucket = |b: &Budget, q: Quota| {
            let x = b.buckets[q as usize].lock().unwrap();
            (x.tokens, x.cap)
        };
        let console = Budget::new(Pace::percent(20));
        // opening: half of the account's bucket of 100; what refills: 20/s * 20% * 0.95 = 3.8/s,
        // two seconds of it (7.6), never more than 20% of the burst
        assert_eq!(bucket(&console, Quota::EcsServiceRead), (50.0, 7.6));
        // FilterLogEvents' 5/s: 2.5 at once, then at most 1 held
        assert_eq!(bucket(&console, Quota::LogsFilter), (2.5, 1.0));
        // ELB's published bucket of 40
        assert_eq!(bucket(&console, Quota::ElbRead), (20.0, 3.8));
        let once = Budget::one_shot(Pace::percent(20));
        // then up to the share of the burst held (a long `wait`)
        assert_eq!(bucket(&once, Quota::EcsServiceRead), (50.0, 20.0));
        assert!((once.pace().rate(Quota::EcsServiceRead) - 3.8).abs() < 1e-9);
        // a larger share than half keeps its own
        let all = Budget::new(Pace::percent(100));
        assert_eq!(bucket(&all, Quota::LogsFilter).0, 5.0);
    }

    #[test]
    fn the_opening_allowance_is_never_refilled_and_a_throttle_gives_it_up() {
        let b = Budget::new(Pace::percent(20));
        let mut x = b.buckets[Quota::EcsServiceRead as usize].lock().unwrap();
        x.tokens = 30.0;
        let later = x.last + Duration::from_secs(60);
        x.refill(later);
        // above what refills: spent, never topped up
        assert_eq!(x.tokens, 30.0);
        x.tokens = 0.0;
        x.refill(later + Duration::from_secs(60));
        assert!((x.tokens - 7.6).abs() < 1e-9);
        x.tokens = 30.0;
        drop(x);
        b.throttled(Quota::EcsServiceRead);
        let x = b.buckets[Quota::EcsServiceRead as usize].lock().unwrap();
        assert!((x.tokens - (7.6 - 3.8)).abs() < 1e-9, "{}", x.tokens);
    }

    #[test]
    fn a_throttle_halves_the_rate_until_five_quiet_minutes_then_it_grows_back_slowly() {
        let b = Budget::new(Pace::percent(20));
        let mut x = b.buckets[Quota::ElbRead as usize].lock().unwrap();
        let share = x.share_rate;
        let t0 = x.last;
        x.throttled(t0);
        assert!((x.rate - share * DECREASE).abs() < 1e-9);
        // the answers of calls in flight together: one decrease
        x.throttled(t0 + Duration::from_millis(300));
        assert!((x.rate - share * DECREASE).abs() < 1e-9);
        // it stays at half while the account is crowded (no probe before 5 quiet minutes)
        x.refill(t0 + Duration::from_secs(60));
        assert!(
            (x.rate - share * DECREASE).abs() < 1e-9,
            "{}",
            x.rate / share
        );
        // throttled again there: half of it
        let t1 = t0 + Duration::from_secs(61);
        x.throttled(t1);
        assert!((x.rate - share * 0.25).abs() < 1e-9);
        x.refill(t1 + Duration::from_secs(120));
        assert!((x.rate - share * 0.25).abs() < 1e-9, "{}", x.rate / share);
        // quiet for 5 minutes: it grows back 5% of the share every 5 s (the step at 5 minutes
        // and 6 more in 30 s)
        x.refill(t1 + QUIET + Duration::from_secs(30));
        assert!((x.rate - share * 0.6).abs() < 1e-9, "{}", x.rate / share);
        // to the whole share, never above
        x.refill(t1 + QUIET + Duration::from_secs(300));
        assert!((x.rate - share).abs() < 1e-9, "{}", x.rate / share);
        // never below the floor, however often it is throttled
        for i in 0..20 {
            let t = t1 + QUIET + Duration::from_secs(400 + 2 * i);
            x.throttled(t);
        }
        assert!(x.rate >= share * FLOOR - 1e-12);
        // a backed-off bucket holds two seconds of its own rate, at least one token
        let t2 = t1 + QUIET + Duration::from_secs(450);
        x.tokens = 0.0;
        x.refill(t2);
        assert!(x.tokens <= (x.rate * BURST_S).max(1.0) + 1e-9);
        drop(x);
        // the header's allowance is the rate now
        let u = b
            .usage()
            .into_iter()
            .find(|u| u.quota == Quota::ElbRead)
            .unwrap();
        assert!(u.allowed_per_s < share, "{}", u.allowed_per_s);
        assert_eq!(u.throttled, 23);
    }

    #[test]
    fn usage_counts_metrics_and_prices_them() {
        let b = Budget::unlimited();
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .unwrap();
        rt.block_on(async {
            b.acquire(Quota::MetricsGet, 7).await;
            b.acquire(Quota::MetricsGet, 3).await;
        });
        let u = b
            .usage()
            .into_iter()
            .find(|u| u.quota == Quota::MetricsGet)
            .unwrap();
        assert_eq!((u.calls, u.metrics), (2, 10));
        assert!(b.report(Duration::from_secs(60)).contains("10 requested"));
    }
}
