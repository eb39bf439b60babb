//! Logs: FilterLogEvents per (log group, stream prefix), from the last timestamp seen.

use super::{Payload, PollPlan, Source, Update};
use crate::aws::{AwsApi, LogQuery};
use crate::model::{LogLine, Time};
use std::collections::{HashMap, HashSet};

/// How far back the first read of a log source goes.
const FIRST_READ_MIN: i64 = 15;
/// Pages read per source per poll; a flood is caught up over several polls.
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
