//! The flight recorder: everything the pollers received, with timestamps, in an append-only file.
//!
//! Format `ecswatch.recording` version 2 (documented in `docs/RECORDING.md`; the types of the
//! update lines are `format`'s, and version 1 reads through `v1`): JSON Lines, one
//! record per line, each written with a single `write` and ended by `\n`:
//!
//! ```text
//! {"type":"header","format":"ecswatch.recording","version":2,"started_at":…,"region":…,"scope":…,"origin":"aws"}
//! {"type":"update","t":…,"update":{"source":"services","fetched_at":…,"payload":{…},"errors":[…]}}
//! {"type":"action","t":…,"action":{"service":…,"who":…,"what":…,"result":…,"ok":true}}
//! {"type":"note","t":…,"note":{"t":…,"service":…,"text":…}}
//! ```
//!
//! A crash mid-write leaves a torn last line: readers skip lines that do not parse (and say
//! which), keeping everything before and after. Appending to an existing recording starts with a
//! newline when the file does not end with one, so the torn line stays on its own, and with a new
//! header (a recording may hold several sessions). Files are created `0600`: recordings hold
//! log lines and event messages.

mod decode;
mod format;
pub mod player;
mod reader;
mod v1;
mod writer;

pub use decode::decode;
pub use format::{RecordedPayload, RecordedUpdate};
pub use reader::{Recording, parse, read};
pub use writer::{Deltas, Recorder};

use crate::model::Scope;
use crate::model::Time;
use crate::poll::Update;
use crate::store::{ActionRecord, Note};
use serde::{Deserialize, Serialize};
use std::fs::File;
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

pub const FORMAT: &str = "ecswatch.recording";
/// The version this ecswatch writes; it reads every version up to it (`v1`).
pub const VERSION: u32 = format::VERSION;

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Record {
    Header {
        format: String,
        version: u32,
        started_at: Time,
        region: String,
        scope: Scope,
        /// `aws` or `demo`.
        origin: String,
        /// Every account × Region the session watched, in the order updates' `target` index
        /// them (absent in older recordings and when one was watched: `region` and `scope`).
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        targets: Vec<RecordedTarget>,
    },
    Update {
        t: Time,
        /// Either version's line, upgraded as it is read.
        #[serde(deserialize_with = "v1::deserialize_update")]
        update: RecordedUpdate,
    },
    Action {
        t: Time,
        action: ActionRecord,
    },
    Note {
        t: Time,
        note: Note,
    },
}

/// One watched target as a recording's header names it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecordedTarget {
    #[serde(flatten)]
    pub spec: crate::room::PlaceSpec,
    /// The Region requests went to (resolved from the profile when the spec names none).
    #[serde(rename = "resolved_region")]
    pub region: String,
}

impl Record {
    /// When the record was written (the header: when the session started).
    pub fn time(&self) -> Time {
        match self {
            Record::Header { started_at, .. } => *started_at,
            Record::Update { t, .. } | Record::Action { t, .. } | Record::Note { t, .. } => *t,
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::writer::{Deltas, HeaderInfo};
    use super::*;
    use crate::model::Source;
    use crate::model::{Service, ServiceEvent, ServiceKey};
    use crate::poll::Payload;

    fn at(s: i64) -> Time {
        chrono::DateTime::from_timestamp(1_780_000_000 + s, 0).unwrap_or_default()
    }

    /// A service of cluster `prod` with events of these ids (also the shared hub's tests).
    pub(crate) fn svc(name: &str, running: i32, events: &[&str]) -> Service {
        Service {
            name: name.into(),
            cluster: "prod".into(),
            running,
            events: events
                .iter()
                .map(|id| ServiceEvent {
                    id: (*id).into(),
                    created_at: None,
                    message: format!("event {id}"),
                })
                .collect(),
            ..Default::default()
        }
    }

    fn services(list: Vec<Service>, roster: bool) -> Update {
        let keys = list.iter().map(Service::key).collect::<Vec<ServiceKey>>();
        Update::new(
            Source::Services,
            at(0),
            Some(Payload::Services {
                services: list,
                listed_clusters: vec!["prod".into()],
                roster: roster.then_some(keys),
                insights: vec![],
            }),
            vec![],
        )
    }

    fn names_and_events(u: &Update) -> Vec<(String, Vec<String>)> {
        match &u.payload {
            Some(Payload::Services { services, .. }) => services
                .iter()
                .map(|s| {
                    (
                        s.name.clone(),
                        s.events.iter().map(|e| e.id.clone()).collect(),
                    )
                })
                .collect(),
            _ => vec![],
        }
    }

    #[test]
    fn services_are_written_as_what_changed() {
        let mut d = Deltas::default();
        let mut u = services(vec![svc("a", 1, &["e1", "e2"]), svc("b", 2, &["f1"])], true);
        d.reduce(&mut u);
        assert_eq!(names_and_events(&u).len(), 2, "first sight: everything");
        // a: one new event; b: unchanged, left out
        let mut u = services(
            vec![svc("a", 1, &["e3", "e1", "e2"]), svc("b", 2, &["f1"])],
            true,
        );
        d.reduce(&mut u);
        assert_eq!(names_and_events(&u), vec![("a".into(), vec!["e3".into()])]);
        // b changed (running 2 -> 1), no new events: written without them
        let mut u = services(vec![svc("b", 1, &["f1"])], true);
        d.reduce(&mut u);
        assert_eq!(names_and_events(&u), vec![("b".into(), vec![])]);
        // without a roster, a whole-cluster answer names the living: nothing is left out
        let mut u = services(vec![svc("a", 1, &["e3", "e1", "e2"])], false);
        d.reduce(&mut u);
        assert_eq!(names_and_events(&u), vec![("a".into(), vec![])]);
    }

    #[test]
    fn a_recording_rotates_past_its_size_and_each_file_stands_alone() {
        let dir = std::env::temp_dir().join(format!("ecsw-rot-{}", std::process::id()));
        let _ = std::fs::create_dir_all(&dir);
        let path = dir.join("rec.jsonl");
        let _ = std::fs::remove_file(&path);
        let _ = std::fs::remove_file(dir.join("rec.jsonl.1"));
        let mut rec = Recorder::open_rotating(
            &path,
            "us-east-1",
            &Scope::default(),
            &[],
            "demo",
            Some(4096),
        )
        .expect("open");
        for i in 0..40 {
            let events: Vec<String> = (0..3).map(|j| format!("ev-{i}-{j}")).collect();
            let refs: Vec<&str> = events.iter().map(String::as_str).collect();
            rec.update(&services(vec![svc("a", i, &refs)], true))
                .expect("queued");
        }
        rec.finish().expect("written");
        let old = read(&dir.join("rec.jsonl.1")).expect("rotated file reads");
        let new = read(&path).expect("current file reads");
        assert!(old.skipped.is_empty() && new.skipped.is_empty());
        assert!(!old.records.is_empty());
        assert!(std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0) < 4096 + 2048);
        // each file's first update carries the whole service (deltas start over)
        for file in [&old, &new] {
            if let Some(Record::Update { update, .. }) = file.records.first() {
                let update: Update = update.clone().into();
                assert_eq!(names_and_events(&update)[0].1.len(), 3, "all its events");
            }
        }
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn read_streams_and_counts_torn_lines_as_parse_does() {
        let dir = std::env::temp_dir().join(format!("ecsw-read-{}", std::process::id()));
        let _ = std::fs::create_dir_all(&dir);
        let path = dir.join("r.jsonl");
        let header = serde_json::to_string(
            &HeaderInfo {
                region: "us-east-1".into(),
                scope: Scope::default(),
                targets: vec![],
                origin: "demo".into(),
            }
            .record(),
        )
        .expect("header");
        for body in [
            format!("{header}\n{{bad\n{{\"type\":\"note\""),
            format!("{header}\n{{bad\n{{\"type\":\"note\"\n"),
        ] {
            std::fs::write(&path, &body).expect("write");
            let streamed = read(&path).expect("read");
            let parsed = parse(&path, body.as_bytes()).expect("parse");
            assert_eq!(streamed.skipped, parsed.skipped);
            assert_eq!(streamed.skipped.len(), 2);
            assert!(streamed.skipped[1].1.starts_with("torn last line"));
        }
        let _ = std::fs::remove_dir_all(&dir);
    }
}

#[cfg(all(test, target_os = "linux"))]
mod slow_disk {
    use super::*;
    use crate::model::Source;
    use crate::model::{Service, ServiceEvent};
    use crate::poll::Payload;
    use std::io::Read;

    /// A disk that does not keep up: a FIFO nobody reads. The queue fills, the recording
    /// stops with a reason, and queuing never blocks the caller.
    #[test]
    fn a_disk_that_does_not_keep_up_stops_the_recording_not_the_caller() {
        let dir = std::env::temp_dir().join(format!("ecsw-fifo-{}", std::process::id()));
        let _ = std::fs::create_dir_all(&dir);
        let path = dir.join("slow.jsonl");
        let _ = std::fs::remove_file(&path);
        let made = std::process::Command::new("mkfifo").arg(&path).status();
        if !made.is_ok_and(|s| s.success()) {
            return; // no mkfifo here: nothing to test
        }
        let mut rec = Recorder::open(&path, "us-east-1", &Scope::default(), "demo").expect("open");
        let started = std::time::Instant::now();
        let mut stopped = None;
        for i in 0..2_000 {
            let svc = Service {
                name: format!("s{i}"),
                cluster: "prod".into(),
                events: (0..20)
                    .map(|j| ServiceEvent {
                        id: format!("{i}-{j}"),
                        created_at: None,
                        message: "x".repeat(200),
                    })
                    .collect(),
                ..Default::default()
            };
            let u = Update::new(
                Source::Services,
                chrono::Utc::now(),
                Some(Payload::Services {
                    services: vec![svc],
                    listed_clusters: vec![],
                    roster: None,
                    insights: vec![],
                }),
                vec![],
            );
            if let Err(e) = rec.update(&u) {
                stopped = Some(e);
                break;
            }
        }
        assert!(
            started.elapsed() < std::time::Duration::from_secs(5),
            "queuing never waits for the disk"
        );
        let why = stopped.expect("the recording stopped");
        assert!(why.contains("did not keep up"), "{why}");
        assert!(
            rec.update(&Update::new(Source::Logs, chrono::Utc::now(), None, vec![]))
                .is_err()
        );
        // let the writer drain so the recorder can close
        let reader_path = path.clone();
        let reader = std::thread::spawn(move || {
            let mut f = File::open(reader_path).expect("open fifo for reading");
            let mut sink = Vec::new();
            let _ = f.read_to_end(&mut sink);
        });
        drop(rec);
        let _ = reader.join();
        let _ = std::fs::remove_dir_all(&dir);
    }

    /// A viewer joining a shared session is sent the hub's last hour at once: a burst far past
    /// the steady queue that the writer catches up with, every record written.
    #[test]
    fn a_burst_within_the_allowed_backlog_is_written_whole() {
        let dir = std::env::temp_dir().join(format!("ecsw-burst-{}", std::process::id()));
        let _ = std::fs::create_dir_all(&dir);
        let path = dir.join("burst.jsonl");
        let _ = std::fs::remove_file(&path);
        let made = std::process::Command::new("mkfifo").arg(&path).status();
        if !made.is_ok_and(|s| s.success()) {
            return;
        }
        // nobody reads yet: the writer thread blocks on its first write
        let mut rec = Recorder::open(&path, "us-east-1", &Scope::default(), "demo").expect("open");
        rec.allow_backlog(5_000);
        for _ in 0..3_000 {
            rec.update(&Update::new(Source::Logs, chrono::Utc::now(), None, vec![]))
                .expect("queued within the backlog");
        }
        let reader_path = path.clone();
        let reader = std::thread::spawn(move || {
            let mut f = File::open(reader_path).expect("open fifo for reading");
            let mut text = String::new();
            let _ = f.read_to_string(&mut text);
            text
        });
        rec.finish().expect("every record written");
        let text = reader.join().expect("reader");
        assert_eq!(
            text.lines().count(),
            1 + 3_000,
            "the header and every update"
        );
        let _ = std::fs::remove_dir_all(&dir);
    }
}
