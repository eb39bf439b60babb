//! Logs: FilterLogEvents for the open service only (nothing at all on the board), per (log
//! group, stream prefix) of its containers, in the container's `awslogs-region`.
//!
//! No line is lost to late delivery: the awslogs driver sends each task's stream in batches, and
//! CloudWatch ingests out of order, so lines arrive with timestamps seconds in the past — older
//! than lines of other streams already read. Each read therefore starts [`OVERLAP_S`] before
//! the newest timestamp seen and drops repeats by event id. A read that fails (throttled,
//! unreachable) leaves the cursor where it was: the next one resumes there.

use super::budget::{Priority, with_priority};
use super::{LogSource, Payload, PollPlan, Source, Update};
use crate::aws::{AwsApi, LogQuery};
use crate::model::{LogLine, Time};
use std::collections::HashMap;

/// How far back the first read of a log source goes.
const FIRST_READ_MIN: i64 = 15;
/// How far before the newest timestamp seen each read starts: covers the awslogs driver's
/// buffering and CloudWatch's ingestion delay. A line delivered later than this is lost.
pub const OVERLAP_S: i64 = 120;
/// Pages read per source per poll. When a source writes more than this between two polls (a
/// flood), the next read skips ahead to the newest lines it can read in one poll, and a marker
/// line says how much was skipped: the tail stays current instead of falling further behind.
const PAGES_PER_POLL: usize = 5;
const PAGE_LIMIT: i32 = 1000;

#[derive(Debug)]
struct Cursor {
    /// Newest timestamp read.
    newest: Option<Time>,
    /// Reads never start before this (the first read's start, or where a flood skipped to).
    floor: Time,
    /// Event ids read inside the overlap window, with their timestamps.
    seen: HashMap<String, Time>,
}

impl Cursor {
    fn start(&self) -> Time {
        self.newest
            .map(|n| n - chrono::Duration::seconds(OVERLAP_S))
            .unwrap_or(self.floor)
            .max(self.floor)
    }
}

#[derive(Debug, Default)]
pub struct LogsPoller {
    cursors: HashMap<LogSource, Cursor>,
}

impl LogsPoller {
    pub fn new() -> Self {
        Self::default()
    }

    pub async fn poll<A: AwsApi>(&mut self, api: &A, plan: &PollPlan, now: Time) -> Update {
        let mut errors = Vec::new();
        let mut out = Vec::new();
        // the board shows no logs; a one-shot snapshot reads every service's
        let services: Vec<&super::PlannedService> = if plan.exhaustive {
            plan.services.iter().collect()
        } else {
            plan.opened()
        };
        let mut tried = 0;
        for svc in services {
            let mut lines: Vec<LogLine> = Vec::new();
            let mut all_read = !svc.log_sources.is_empty();
            for src in &svc.log_sources {
                tried += 1;
                let cursor = self.cursors.entry(src.clone()).or_insert_with(|| Cursor {
                    newest: None,
                    floor: now - chrono::Duration::minutes(FIRST_READ_MIN),
                    seen: HashMap::new(),
                });
                let read = with_priority(Priority::Open, read_source(api, src, cursor, now)).await;
                match read {
                    Ok(got) => lines.extend(got),
                    Err((got, e)) => {
                        lines.extend(got);
                        errors.push(e.about(src.group.clone()));
                        all_read = false;
                    }
                }
            }
            lines.sort_by_key(|l| l.t);
            // a service read without an error is listed even with no new lines: its log
            // pane's age is when it was last read
            if !lines.is_empty() || all_read {
                out.push((svc.key.clone(), lines));
            }
        }
        // the stopped task open in task detail: its own streams, once
        let mut tasks = Vec::new();
        if let Some(task) = &plan.task {
            tried += 1;
            match with_priority(Priority::Open, read_task(api, task, now)).await {
                Ok(lines) => tasks.push((task.arn.clone(), lines)),
                Err(e) => errors.push(e),
            }
        }
        let any_ok = tried == 0 || errors.len() < tried;
        let payload = any_ok.then_some(Payload::LogsRead {
            services: out,
            tasks,
        });
        Update::new(Source::Logs, now, payload, errors)
    }
}

/// How much of a stopped task's stream is read: the last minutes before it stopped (where
/// the crash is), and a little after (the driver flushes late).
const TASK_WINDOW_MIN: i64 = 30;

/// A stopped task's own streams, from its start (at most [`TASK_WINDOW_MIN`] before its stop)
/// to a minute after it stopped. A stream longer than one poll reads ends with a marker line.
async fn read_task<A: AwsApi>(
    api: &A,
    task: &super::OpenTask,
    now: Time,
) -> Result<Vec<LogLine>, crate::aws::ApiError> {
    let stop = task.stopped_at.unwrap_or(now);
    let window = stop - chrono::Duration::minutes(TASK_WINDOW_MIN);
    let start = task.started_at.map_or(window, |s| s.max(window)) - chrono::Duration::minutes(1);
    let end = (stop + chrono::Duration::minutes(1)).min(now);
    let mut lines = Vec::new();
    for src in &task.streams {
        let mut next = None;
        for page in 0..PAGES_PER_POLL {
            let q = LogQuery {
                group: src.group.clone(),
                stream_prefix: src.prefix.clone(),
                start,
                end: Some(end),
                region: src.region.clone(),
                next: next.take(),
                limit: PAGE_LIMIT,
            };
            let p = api.filter_log_events(&q).await?;
            // only this task's stream (an endpoint that ignores the prefix must not mix in
            // other tasks' lines: moto does)
            lines.extend(p.items.into_iter().filter(|l| {
                src.prefix
                    .as_deref()
                    .is_none_or(|pre| l.stream.starts_with(pre))
            }));
            match p.next {
                Some(n) if !n.is_empty() && page + 1 < PAGES_PER_POLL => next = Some(n),
                Some(n) if !n.is_empty() => {
                    lines.push(LogLine {
                        event_id: format!("ecswatch-more-{}", task.arn),
                        t: end,
                        stream: "ecswatch".into(),
                        message: format!(
                            "[ecswatch] {}: more than {} lines; the first are shown",
                            src.group,
                            PAGES_PER_POLL * PAGE_LIMIT as usize
                        ),
                    });
                }
                _ => break,
            }
        }
    }
    let mut seen = std::collections::HashSet::new();
    lines.retain(|l| seen.insert(l.event_id.clone()));
    lines.sort_by_key(|l| l.t);
    Ok(lines)
}

/// One poll of one source: the lines not seen before. On a failure, what was read before it
/// and the error; the cursor does not move, so the next poll reads the same window again.
async fn read_source<A: AwsApi>(
    api: &A,
    src: &LogSource,
    cursor: &mut Cursor,
    now: Time,
) -> Result<Vec<LogLine>, (Vec<LogLine>, crate::aws::ApiError)> {
    let start = cursor.start();
    let mut got: Vec<LogLine> = Vec::new();
    let mut next = None;
    let mut failed = None;
    for _ in 0..PAGES_PER_POLL {
        let q = LogQuery {
            group: src.group.clone(),
            stream_prefix: src.prefix.clone(),
            start,
            end: None,
            region: src.region.clone(),
            next: next.take(),
            limit: PAGE_LIMIT,
        };
        match api.filter_log_events(&q).await {
            Ok(page) => {
                got.extend(page.items);
                match page.next {
                    Some(n) if !n.is_empty() => next = Some(n),
                    _ => break,
                }
            }
            Err(e) => {
                failed = Some(e);
                break;
            }
        }
    }
    let fresh: Vec<LogLine> = got
        .into_iter()
        .filter(|l| !cursor.seen.contains_key(&l.event_id))
        .collect();
    for l in &fresh {
        cursor.seen.insert(l.event_id.clone(), l.t);
    }
    if let Some(e) = failed {
        // resume from the same start next time; what was read is kept (and not repeated)
        return Err((fresh, e));
    }
    let mut fresh = fresh;
    if let Some(newest) = fresh.iter().map(|l| l.t).max() {
        cursor.newest = Some(cursor.newest.map_or(newest, |n| n.max(newest)));
        if next.is_some() {
            // more was written than one poll reads: skip to the newest window
            match skip_ahead(&fresh, now) {
                Some(skip) if skip.start > newest => {
                    cursor.floor = skip.start;
                    fresh.push(skip.marker(&src.group));
                }
                // a backlog inside the window: go on from the newest line read
                _ => cursor.floor = cursor.floor.max(newest),
            }
        }
    }
    // forget ids that fell out of the window the next read covers
    let keep_from = cursor.start();
    cursor.seen.retain(|_, t| *t >= keep_from);
    Ok(fresh)
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
        // one poll reads 5 pages of 1,000; 80% of that at 1,000 lines/s is 4 s
        assert!((3900..=4100).contains(&window), "{window}");
        assert!(skip.marker("/ecs/x").message.contains("~1000 lines/s"));
    }
}
