//! `ecswatch timeline`: the incident timeline for a postmortem, as Markdown or JSON
//! (schema `ecswatch.timeline.v1`): a title, a summary (what failed, when, what fixed it), then
//! the entries in time order. Pure functions of the store and the recording's time span.

use crate::diagnosis::Severity;
use crate::model::{ServiceKey, Time};
use crate::store::{Entry, EntryKind, Store};
use serde::Serialize;

pub const TIMELINE_SCHEMA: &str = "ecswatch.timeline.v1";

/// Entries older than this before the recording started are left out (ECS reports up to 100
/// past events per service; the postmortem wants the incident, with a little context).
pub const CONTEXT_BEFORE_S: i64 = 3600;

/// What the summary says.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Summary {
    /// One line per distinct failure: a FAILED rollout, a critical finding.
    pub what_failed: Vec<String>,
    pub first_failure_at: Option<Time>,
    /// The first action or recovery after the first failure.
    pub what_fixed_it: Option<String>,
    pub fixed_at: Option<Time>,
    /// Critical and warning findings still present at the end.
    pub still_open: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Timeline {
    pub schema: &'static str,
    pub title: String,
    pub region: String,
    pub from: Time,
    pub to: Time,
    pub summary: Summary,
    pub entries: Vec<Entry>,
}

fn hm(t: Time) -> String {
    t.format("%H:%M:%S").to_string()
}

/// An entry's service, with its target's tag when several are watched.
fn entry_label(e: &Entry) -> String {
    match &e.tag {
        Some(tag) => format!("{tag} {}", label(&e.service)),
        None => label(&e.service),
    }
}

fn label(k: &Option<ServiceKey>) -> String {
    k.as_ref()
        .map(|k| k.to_string())
        .unwrap_or_else(|| "-".into())
}

fn is_recovery(e: &Entry) -> bool {
    match e.kind {
        EntryKind::Rollout => e.text.contains("COMPLETED"),
        EntryKind::Event => e.text.contains("has reached a steady state"),
        _ => false,
    }
}

pub fn summarize(store: &Store, entries: &[Entry]) -> Summary {
    let mut what_failed: Vec<String> = Vec::new();
    let mut first_failure_at = None;
    for e in entries {
        if e.failure {
            // a failing task or target counts for "when", the finding it raises for "what"
            first_failure_at.get_or_insert(e.t);
        }
        let line = match e.kind {
            EntryKind::Rollout if e.failure => Some(e.text.clone()),
            EntryKind::FindingRaised if e.failure => Some(e.text.clone()),
            _ => None,
        };
        if let Some(line) = line {
            first_failure_at.get_or_insert(e.t);
            let line = format!("{}: {line} (first at {} UTC)", entry_label(e), hm(e.t));
            let key = e.category.clone().unwrap_or_else(|| e.text.clone());
            if !what_failed.iter().any(|l| l.contains(&key)) {
                what_failed.push(line);
            }
        }
    }
    // what fixed it: an action that worked after the first failure; else the recovery that
    // ended the incident: each failed service's first recovery after its own last failure
    // before it, the latest of them (another service's routine deployment finishing, or a
    // service that recovered long before the others, fixed nothing)
    let after = |e: &&Entry| first_failure_at.is_some_and(|f| e.t >= f);
    let recovered = |r: &Entry| {
        let last_failure = entries
            .iter()
            .filter(|e| e.failure && e.service.is_some() && e.service == r.service && e.t <= r.t)
            .map(|e| e.t)
            .max();
        // the first recovery after that failure
        last_failure.is_some_and(|f| {
            !entries
                .iter()
                .any(|x| x.service == r.service && is_recovery(x) && x.t >= f && x.t < r.t)
        })
    };
    let fix = entries
        .iter()
        .filter(after)
        .find(|e| e.kind == EntryKind::Action && !e.failure)
        .or_else(|| {
            entries
                .iter()
                .filter(after)
                .filter(|e| is_recovery(e) && recovered(e))
                .max_by_key(|e| e.t)
        });
    let still_open = store
        .services
        .iter()
        .flat_map(|(k, st)| {
            st.findings
                .iter()
                .filter(|f| f.severity != Severity::Info)
                .map(move |f| format!("{k}: {} ({})", f.title, f.severity.as_str()))
        })
        .collect();
    Summary {
        what_failed,
        first_failure_at,
        what_fixed_it: fix.map(|e| format!("{}: {}", entry_label(e), e.text)),
        fixed_at: fix.map(|e| e.t),
        still_open,
    }
}

/// The timeline of everything in the store between `from` (less [`CONTEXT_BEFORE_S`]) and `to`.
pub fn build(store: &Store, from: Time, to: Time) -> Timeline {
    let since = from - chrono::Duration::seconds(CONTEXT_BEFORE_S);
    let entries: Vec<Entry> = store
        .timeline(None)
        .into_iter()
        .filter(|e| e.t >= since)
        .collect();
    let summary = summarize(store, &entries);
    let mut involved: Vec<String> = entries
        .iter()
        .filter(|e| e.failure)
        .filter_map(|e| e.service.as_ref().map(|k| k.to_string()))
        .collect();
    involved.dedup();
    involved.sort();
    involved.dedup();
    let title = match involved.len() {
        0 => format!("ecswatch timeline, {}", from.format("%Y-%m-%d")),
        1..=3 => format!("Incident: {}", involved.join(", ")),
        n => format!("Incident: {} and {} more", involved[..2].join(", "), n - 2),
    };
    Timeline {
        schema: TIMELINE_SCHEMA,
        title,
        region: store.region().to_string(),
        from,
        to,
        summary,
        entries,
    }
}

pub fn timeline_json(t: &Timeline) -> String {
    serde_json::to_string_pretty(t).unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"))
}

/// Table cells: no pipes, no line breaks.
fn cell(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('|', "\\|")
        .replace(['\n', '\r'], " ")
}

pub fn timeline_markdown(t: &Timeline) -> String {
    use std::fmt::Write;
    let mut o = String::new();
    let _ = writeln!(o, "# {}\n", cell(&t.title));
    let _ = writeln!(
        o,
        "Recorded {} – {} UTC in {} (entries from up to {} minutes before the recording).\n",
        t.from.format("%Y-%m-%d %H:%M:%S"),
        t.to.format("%Y-%m-%d %H:%M:%S"),
        cell(&t.region),
        CONTEXT_BEFORE_S / 60
    );
    let _ = writeln!(o, "## Summary\n");
    let s = &t.summary;
    if s.what_failed.is_empty() {
        let _ = writeln!(o, "- **What failed:** nothing failed in this recording.");
    } else {
        let _ = writeln!(o, "- **What failed:**");
        for l in &s.what_failed {
            let _ = writeln!(o, "  - {}", cell(l));
        }
    }
    if let Some(at) = s.first_failure_at {
        let _ = writeln!(
            o,
            "- **When:** first failure at {} UTC",
            at.format("%Y-%m-%d %H:%M:%S")
        );
    }
    match (&s.what_fixed_it, s.fixed_at) {
        (Some(what), Some(at)) => {
            let _ = writeln!(o, "- **What fixed it:** {} (at {} UTC)", cell(what), hm(at));
        }
        _ if !s.what_failed.is_empty() => {
            let _ = writeln!(
                o,
                "- **What fixed it:** no recovery in this recording (it ends {} UTC)",
                hm(t.to)
            );
        }
        _ => {}
    }
    if !s.still_open.is_empty() {
        let _ = writeln!(o, "- **Still open at the end:**");
        for l in &s.still_open {
            let _ = writeln!(o, "  - {}", cell(l));
        }
    }
    let _ = writeln!(o, "\n## Timeline\n");
    let _ = writeln!(o, "| time (UTC) | service | kind | what |");
    let _ = writeln!(o, "|---|---|---|---|");
    for e in &t.entries {
        let what = match (&e.category, e.kind) {
            (Some(c), EntryKind::Event | EntryKind::Task) => format!("{} `{c}`", cell(&e.text)),
            _ => cell(&e.text),
        };
        let _ = writeln!(
            o,
            "| {} | {} | {}{} | {} |",
            e.t.format("%Y-%m-%d %H:%M:%S"),
            cell(&entry_label(e)),
            e.kind.label(),
            if e.failure { " **!**" } else { "" },
            what
        );
    }
    o
}
