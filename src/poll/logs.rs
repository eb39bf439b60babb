//! Logs: FilterLogEvents per (log group, stream prefix), from the last timestamp seen.

use super::{Payload, PollPlan, Source, Update};
use crate::aws::{AwsApi, LogQuery};
use crate::model::{LogLine, Time};
use std::collections::{HashMap, HashSet};

/// How far back the first read of a log source goes.
const FIRST_READ_MIN: i64 = 15;
/// Pages read per source per poll. When a source writes more than this between two polls (a
/// flood), the next read skips ahead to the newest lines it can read in one poll, and a marker
/// line says how much was skipped: the tail stays current instead of falling further behind.
const PAGES_PER_POLL: usize = 5;
const PAGE_LIMIT: i32 = 500;

#[derive(Debug, Default)]
struct Cursor {
    /// Newest timestamp read; the next read starts there (inclusive).
    last: Option<Time>,
    /// Event ids read at `last`, so the inclusive start does not repeat them.
    ids_at_last: HashSet<String>,
}

#[derive(Debug, Default)]
pub struct LogsPoller {
    cursors: HashMap<(String, Option<String>), Cursor>,
}

impl LogsPoller {
    pub fn new() -> Self {
        Self::default()
    }

    pub async fn poll<A: AwsApi>(&mut self, api: &A, plan: &PollPlan, now: Time) -> Update {
        let mut errors = Vec::new();
        let mut out = Vec::new();
        let mut any_ok = true;
        let mut tried = 0;
        for svc in &plan.services {
            let mut lines: Vec<LogLine> = Vec::new();
            for (group, prefix) in &svc.log_sources {
                tried += 1;
                let cursor = self
                    .cursors
                    .entry((group.clone(), prefix.clone()))
                    .or_default();
                let start = cursor
                    .last
                    .unwrap_or(now - chrono::Duration::minutes(FIRST_READ_MIN));
                let mut got: Vec<LogLine> = Vec::new();
                let mut next = None;
                for _ in 0..PAGES_PER_POLL {
                    let q = LogQuery {
                        group: group.clone(),
                        stream_prefix: prefix.clone(),
                        start,
                        next: next.take(),
                        limit: PAGE_LIMIT,
                    };
                    match api.filter_log_events(&q).await {
                        Ok(page) => {
                            for l in page.items {
                                if Some(l.t) == cursor.last
                                    && cursor.ids_at_last.contains(&l.event_id)
                                {
                                    continue;
                                }
                                got.push(l);
                            }
                            match page.next {
                                Some(n) if !n.is_empty() => next = Some(n),
                                _ => break,
                            }
                        }
                        Err(e) => {
                            errors.push(e);
                            break;
                        }
                    }
                }
                if let Some(newest) = got.iter().map(|l| l.t).max() {
                    if cursor.last != Some(newest) {
                        cursor.ids_at_last.clear();
                    }
                    cursor.last = Some(newest);
                    for l in got.iter().filter(|l| l.t == newest) {
                        cursor.ids_at_last.insert(l.event_id.clone());
                    }
                    if next.is_some() {
                        // more was written than one poll reads: skip to the newest window
                        if let Some(skip) = skip_ahead(&got, now) {
                            if skip.start > newest {
                                cursor.last = Some(skip.start);
                                cursor.ids_at_last.clear();
                                got.push(skip.marker(group));
                            }
                        }
                    }
                }
                lines.extend(got);
            }
            lines.sort_by_key(|l| l.t);
            if !lines.is_empty() {
                out.push((svc.key.clone(), lines));
            }
        }
        if tried > 0 && errors.len() >= tried {
            any_ok = false;
        }
        let payload = any_ok.then_some(Payload::Logs(out));
        Update::new(Source::Logs, now, payload, errors)
    }
}

/// Where the next read starts after a poll that could not read everything.
struct Skip {
    start: Time,
    rate: f64,
}

impl Skip {
    fn marker(&self, group: &str) -> LogLine {
        LogLine {
            event_id: format!("ecswatch-skip-{}", self.start.timestamp_millis()),
            t: self.start,
            stream: "ecswatch".into(),
            message: format!(
                "[ecswatch] {group} writes ~{:.0} lines/s, more than one poll reads ({}): skipped to the newest lines",
                self.rate,
                PAGES_PER_POLL * PAGE_LIMIT as usize
            ),
        }
    }
}

/// The rate the lines read were written at, and the start of the window one poll can read at
/// that rate, ending now.
fn skip_ahead(got: &[LogLine], now: Time) -> Option<Skip> {
    let oldest = got.iter().map(|l| l.t).min()?;
    let newest = got.iter().map(|l| l.t).max()?;
    let span_ms = (newest - oldest).num_milliseconds().max(1) as f64;
    let rate = got.len() as f64 * 1000.0 / span_ms;
    let readable = (PAGES_PER_POLL * PAGE_LIMIT as usize) as f64 * 0.8;
    let window_ms = (readable / rate * 1000.0) as i64;
    Some(Skip {
        start: now - chrono::Duration::milliseconds(window_ms.max(500)),
        rate,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_flood_skips_to_the_window_one_poll_reads() {
        let now = chrono::Utc::now();
        // 2,500 lines over the first 2.5 s of a 10 s backlog: 1,000 lines/s
        let got: Vec<LogLine> = (0..2500)
            .map(|i| LogLine {
                event_id: i.to_string(),
                t: now - chrono::Duration::milliseconds(10_000 - i),
                stream: "s".into(),
                message: String::new(),
            })
            .collect();
        let skip = skip_ahead(&got, now).unwrap();
        assert!((skip.rate - 1000.0).abs() < 5.0, "{}", skip.rate);
        let window = (now - skip.start).num_milliseconds();
        assert!((1900..=2100).contains(&window), "{window}");
        assert!(skip.marker("/ecs/x").message.contains("~1000 lines/s"));
    }
}
