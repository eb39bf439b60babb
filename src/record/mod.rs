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

mod format;
pub mod player;
mod v1;

pub use format::{RecordedPayload, RecordedUpdate};

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
    pub spec: crate::room::TargetSpec,
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

/// How many records may wait for the writer before the recording is given up (the console
/// never waits for the disk).
const QUEUE: usize = 256;

enum Msg {
    Update(Box<Update>),
    Record(Box<Record>),
}

/// What a header says, kept to start a rotated file with the same one.
#[derive(Clone)]
struct HeaderInfo {
    region: String,
    scope: Scope,
    targets: Vec<RecordedTarget>,
    origin: String,
}

impl HeaderInfo {
    fn record(&self) -> Record {
        Record::Header {
            format: FORMAT.into(),
            version: VERSION,
            started_at: chrono::Utc::now(),
            region: self.region.clone(),
            scope: self.scope.clone(),
            origin: self.origin.clone(),
            targets: if self.targets.len() > 1 {
                self.targets.clone()
            } else {
                Vec::new()
            },
        }
    }
}

/// Appends records to a recording file, on a writer thread behind a bounded queue: the caller
/// only queues (`update`, `append` never touch the disk). Services updates are written as what
/// changed: a service's events already written are left out, and a service identical to what
/// was last written for it is left out of a part of a fleet round (the store that replays it
/// ends up the same). A full queue or a failed write stops the recording; the next call says
/// why. Dropping the recorder writes what is queued and closes the file.
pub struct Recorder {
    tx: Option<std::sync::mpsc::SyncSender<Msg>>,
    writer: Option<std::thread::JoinHandle<()>>,
    failed: std::sync::Arc<std::sync::Mutex<Option<String>>>,
    path: PathBuf,
}

impl Recorder {
    /// Open (or create, mode 0600) `path` for appending and write a header.
    pub fn open(path: &Path, region: &str, scope: &Scope, origin: &str) -> Result<Self, String> {
        Self::open_targets(path, region, scope, &[], origin)
    }

    /// [`Recorder::open`] for a session watching several targets (their order is the index
    /// every update's `target` refers to).
    pub fn open_targets(
        path: &Path,
        region: &str,
        scope: &Scope,
        targets: &[RecordedTarget],
        origin: &str,
    ) -> Result<Self, String> {
        Self::open_rotating(path, region, scope, targets, origin, None)
    }

    /// [`Recorder::open_targets`] that rotates: when the file passes `max_bytes`, it is renamed
    /// to `PATH.1` (replacing an older one) and a new file starts with a header and full state.
    pub fn open_rotating(
        path: &Path,
        region: &str,
        scope: &Scope,
        targets: &[RecordedTarget],
        origin: &str,
        max_bytes: Option<u64>,
    ) -> Result<Self, String> {
        let header = HeaderInfo {
            region: region.into(),
            scope: scope.clone(),
            targets: targets.to_vec(),
            origin: origin.into(),
        };
        let mut file = Writer::open(path, max_bytes)?;
        file.write(&header.record())?;
        let failed = std::sync::Arc::new(std::sync::Mutex::new(None));
        let (tx, rx) = std::sync::mpsc::sync_channel::<Msg>(QUEUE);
        let slot = failed.clone();
        let writer = std::thread::Builder::new()
            .name("ecswatch-recorder".into())
            .spawn(move || {
                let mut deltas = Deltas::default();
                for msg in rx {
                    let result = match msg {
                        Msg::Update(mut u) => {
                            deltas.reduce(&mut u);
                            file.write_update(RecordedUpdate::from(*u))
                        }
                        Msg::Record(r) => file.write(&r),
                    }
                    .and_then(|()| {
                        if file.full() {
                            deltas = Deltas::default();
                            file.rotate(&header)
                        } else {
                            Ok(())
                        }
                    });
                    if let Err(e) = result {
                        if let Ok(mut f) = slot.lock() {
                            f.get_or_insert(e);
                        }
                        return;
                    }
                }
            })
            .map_err(|e| format!("{}: cannot start the recorder: {e}", path.display()))?;
        Ok(Self {
            tx: Some(tx),
            writer: Some(writer),
            failed,
            path: path.to_path_buf(),
        })
    }

    fn send(&mut self, msg: Msg) -> Result<(), String> {
        if let Some(e) = self.failed.lock().ok().and_then(|f| f.clone()) {
            return Err(e);
        }
        let Some(tx) = &self.tx else {
            return Err(format!("{}: recording stopped", self.path.display()));
        };
        tx.try_send(msg).map_err(|e| {
            let why = match e {
                std::sync::mpsc::TrySendError::Full(_) => format!(
                    "{}: recording stopped: the disk did not keep up ({QUEUE} records waiting)",
                    self.path.display()
                ),
                std::sync::mpsc::TrySendError::Disconnected(_) => self
                    .failed
                    .lock()
                    .ok()
                    .and_then(|f| f.clone())
                    .unwrap_or_else(|| format!("{}: recording stopped", self.path.display())),
            };
            self.tx = None;
            why
        })
    }

    /// Queue one record.
    pub fn append(&mut self, record: &Record) -> Result<(), String> {
        self.send(Msg::Record(Box::new(record.clone())))
    }

    /// Queue an update, timed by when it was fetched.
    pub fn update(&mut self, update: &Update) -> Result<(), String> {
        self.send(Msg::Update(Box::new(update.clone())))
    }

    /// Write everything queued and close the file; the error that stopped the recording, if any.
    pub fn finish(mut self) -> Result<(), String> {
        self.close();
        match self.failed.lock().ok().and_then(|f| f.clone()) {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }

    fn close(&mut self) {
        self.tx = None;
        if let Some(w) = self.writer.take() {
            let _ = w.join();
        }
    }
}

impl Drop for Recorder {
    fn drop(&mut self) {
        self.close();
    }
}

/// What the writer last wrote of each service, to write only what changed.
#[derive(Default)]
struct Deltas {
    /// (target, cluster, service) -> (fingerprint of the service without its events, the ids
    /// of the events of its last answer)
    services: std::collections::HashMap<
        (crate::model::TargetIx, String, String),
        (u64, std::collections::HashSet<String>),
    >,
}

impl Deltas {
    fn reduce(&mut self, u: &mut Update) {
        let Some(crate::poll::Payload::Services {
            services,
            listed_clusters,
            roster,
            ..
        }) = u.payload.as_mut()
        else {
            return;
        };
        // an answer without a roster that lists whole clusters says which services are gone
        // by leaving them out: nothing may be left out of it
        let may_omit = roster.is_some() || listed_clusters.is_empty();
        let target = u.target;
        services.retain_mut(|svc| {
            let key = (target, svc.cluster.clone(), svc.name.clone());
            let ids: std::collections::HashSet<String> =
                svc.events.iter().map(|e| e.id.clone()).collect();
            let before = self.services.get(&key);
            let mut events = std::mem::take(&mut svc.events);
            if let Some((_, seen)) = before {
                events.retain(|e| !seen.contains(&e.id));
            }
            let print = fingerprint(svc);
            let unchanged = before.is_some_and(|(p, _)| *p == print) && events.is_empty();
            svc.events = events;
            self.services.insert(key, (print, ids));
            !(unchanged && may_omit)
        });
    }
}

fn fingerprint(svc: &crate::model::Service) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    serde_json::to_vec(svc).unwrap_or_default().hash(&mut h);
    h.finish()
}

/// The file end of the recorder.
struct Writer {
    file: File,
    path: PathBuf,
    written: u64,
    max_bytes: Option<u64>,
}

impl Writer {
    fn open(path: &Path, max_bytes: Option<u64>) -> Result<Self, String> {
        let mut opts = std::fs::OpenOptions::new();
        opts.create(true).append(true).read(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            opts.mode(0o600);
        }
        let mut file = opts
            .open(path)
            .map_err(|e| format!("{}: cannot open for recording: {e}", path.display()))?;
        let len = file.metadata().map(|m| m.len()).unwrap_or(0);
        if len > 0 {
            let mut last = [0u8; 1];
            let ends_clean = file
                .seek(SeekFrom::End(-1))
                .and_then(|_| file.read_exact(&mut last))
                .map(|_| last[0] == b'\n')
                .unwrap_or(false);
            if !ends_clean {
                file.write_all(b"\n")
                    .map_err(|e| format!("{}: {e}", path.display()))?;
            }
        }
        Ok(Self {
            file,
            path: path.to_path_buf(),
            written: len,
            max_bytes,
        })
    }

    fn line(&mut self, mut line: String) -> Result<(), String> {
        line.push('\n');
        self.written += line.len() as u64;
        self.file
            .write_all(line.as_bytes())
            .map_err(|e| format!("{}: recording failed: {e}", self.path.display()))
    }

    fn write(&mut self, record: &Record) -> Result<(), String> {
        let line = serde_json::to_string(record)
            .map_err(|e| format!("{}: cannot encode a record: {e}", self.path.display()))?;
        self.line(line)
    }

    fn write_update(&mut self, update: RecordedUpdate) -> Result<(), String> {
        // serialize by reference: no copy of the update into a Record
        #[derive(Serialize)]
        struct Line<'a> {
            r#type: &'static str,
            t: Time,
            update: &'a RecordedUpdate,
        }
        let line = serde_json::to_string(&Line {
            r#type: "update",
            t: update.fetched_at,
            update: &update,
        })
        .map_err(|e| format!("{}: cannot encode a record: {e}", self.path.display()))?;
        self.line(line)
    }

    fn full(&self) -> bool {
        self.max_bytes.is_some_and(|m| self.written >= m)
    }

    /// Move the file to `PATH.1` and start a new one with `header` (the writer's deltas start
    /// over, so the new file stands on its own).
    fn rotate(&mut self, header: &HeaderInfo) -> Result<(), String> {
        let mut old = self.path.clone().into_os_string();
        old.push(".1");
        std::fs::rename(&self.path, &old)
            .map_err(|e| format!("{}: cannot rotate the recording: {e}", self.path.display()))?;
        *self = Writer::open(&self.path, self.max_bytes)?;
        self.write(&header.record())
    }
}

/// A recording as read back.
#[derive(Debug, Clone)]
pub struct Recording {
    pub path: PathBuf,
    /// The first session's header fields.
    pub region: String,
    pub scope: Scope,
    pub origin: String,
    /// The first session's targets when it watched several (empty: one, `region` and `scope`).
    pub targets: Vec<RecordedTarget>,
    /// Every record after the headers, in file order.
    pub records: Vec<Record>,
    /// Lines that could not be read (1-based line number, why): a torn last line after a crash.
    pub skipped: Vec<(usize, String)>,
}

impl Recording {
    pub fn start(&self) -> Option<Time> {
        self.records.first().map(Record::time)
    }

    pub fn end(&self) -> Option<Time> {
        self.records.iter().map(Record::time).max()
    }

    /// One line per skipped line, for stderr.
    pub fn warnings(&self) -> Vec<String> {
        self.skipped
            .iter()
            .map(|(n, why)| format!("{}:{n}: skipped: {why}", self.path.display()))
            .collect()
    }
}

/// The scope covering both (an empty list means "all").
fn union(a: &Scope, b: &Scope) -> Scope {
    let merge = |x: &Vec<String>, y: &Vec<String>| {
        if x.is_empty() || y.is_empty() {
            return Vec::new();
        }
        let mut out = x.clone();
        out.extend(y.iter().filter(|v| !x.contains(v)).cloned());
        out
    };
    Scope {
        clusters: merge(&a.clusters, &b.clusters),
        services: merge(&a.services, &b.services),
    }
}

/// Read a recording, a line at a time (the file is never held whole). Errors (exit 2) when the
/// file cannot be read, does not start with an ecswatch recording header, or is of a newer
/// format version; lines that do not parse are skipped and listed in [`Recording::skipped`].
pub fn read(path: &Path) -> Result<Recording, String> {
    use std::io::BufRead;
    let file = File::open(path).map_err(|e| format!("{}: cannot read: {e}", path.display()))?;
    let mut reader = std::io::BufReader::with_capacity(1 << 16, file);
    let mut parser = Parser::new(path);
    let mut buf = Vec::new();
    let mut n = 0;
    let mut ended_clean = true;
    loop {
        buf.clear();
        let got = reader
            .read_until(b'\n', &mut buf)
            .map_err(|e| format!("{}: cannot read: {e}", path.display()))?;
        if got == 0 {
            break;
        }
        n += 1;
        ended_clean = buf.ends_with(b"\n");
        let raw = buf.strip_suffix(b"\n").unwrap_or(&buf);
        parser.line(n, raw)?;
    }
    // counted as `parse` counts: a final newline ends one more (empty) line
    parser.finish(if ended_clean { n + 1 } else { n })
}

/// [`read`] over bytes already in memory (`path` names them in messages).
pub fn parse(path: &Path, bytes: &[u8]) -> Result<Recording, String> {
    let mut parser = Parser::new(path);
    let mut n = 0;
    for raw in bytes.split(|b| *b == b'\n') {
        n += 1;
        parser.line(n, raw)?;
    }
    parser.finish(n)
}

/// Reading a recording line by line.
struct Parser<'a> {
    path: &'a Path,
    header: Option<(String, Scope, String, Vec<RecordedTarget>)>,
    records: Vec<Record>,
    skipped: Vec<(usize, String)>,
}

impl<'a> Parser<'a> {
    fn new(path: &'a Path) -> Self {
        Self {
            path,
            header: None,
            records: Vec::new(),
            skipped: Vec::new(),
        }
    }

    fn line(&mut self, n: usize, raw: &[u8]) -> Result<(), String> {
        let path = self.path;
        if raw.iter().all(|b| b.is_ascii_whitespace()) {
            return Ok(());
        }
        let parsed = std::str::from_utf8(raw)
            .map_err(|_| "not UTF-8".to_string())
            .and_then(|s| serde_json::from_str::<Record>(s).map_err(|e| e.to_string()));
        match (parsed, self.header.is_some()) {
            (
                Ok(Record::Header {
                    format,
                    version,
                    region,
                    scope,
                    origin,
                    targets,
                    ..
                }),
                _,
            ) => {
                if format != FORMAT {
                    return Err(format!(
                        "{}:{n}: not an ecswatch recording (format {format:?})",
                        path.display()
                    ));
                }
                if version > VERSION {
                    return Err(format!(
                        "{}:{n}: recording format version {version} is newer than this ecswatch reads ({VERSION})",
                        path.display()
                    ));
                }
                match self.header.as_mut() {
                    None => self.header = Some((region, scope, origin, targets)),
                    // several sessions: what any of them watched (the first one's targets)
                    Some((_, seen, _, _)) => *seen = union(seen, &scope),
                }
            }
            (Ok(r), true) => self.records.push(r),
            (_, false) => {
                return Err(format!(
                    "{}:{n}: not an ecswatch recording (the first line must be its header)",
                    path.display()
                ));
            }
            (Err(e), true) => self.skipped.push((n, e)),
        }
        Ok(())
    }

    /// `lines`: how many lines there were (a bad line among the last is a torn write).
    fn finish(self, lines: usize) -> Result<Recording, String> {
        let Some((region, scope, origin, targets)) = self.header else {
            return Err(format!("{}: empty recording", self.path.display()));
        };
        let skipped = self
            .skipped
            .into_iter()
            .map(|(n, e)| {
                let why = if n + 1 >= lines {
                    format!("torn last line ({e})")
                } else {
                    format!("unreadable line ({e})")
                };
                (n, why)
            })
            .collect();
        let mut records = self.records;
        // sessions appended one after another are already in order; a stable sort keeps it so
        records.sort_by_key(Record::time);
        Ok(Recording {
            path: self.path.to_path_buf(),
            region,
            scope,
            origin,
            targets,
            records,
            skipped,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Source;
    use crate::model::{Service, ServiceEvent, ServiceKey};
    use crate::poll::Payload;

    fn at(s: i64) -> Time {
        chrono::DateTime::from_timestamp(1_780_000_000 + s, 0).unwrap_or_default()
    }

    fn svc(name: &str, running: i32, events: &[&str]) -> Service {
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
}
