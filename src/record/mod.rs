//! The flight recorder: everything the pollers received, with timestamps, in an append-only file.
//!
//! Format `ecswatch.recording` version 1 (documented in `docs/RECORDING.md`): JSON Lines, one
//! record per line, each written with a single `write` and ended by `\n`:
//!
//! ```text
//! {"type":"header","format":"ecswatch.recording","version":1,"started_at":…,"region":…,"scope":…,"origin":"aws"}
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

pub mod player;

use crate::model::Time;
use crate::poll::{Scope, Update};
use crate::store::{ActionRecord, Note};
use serde::{Deserialize, Serialize};
use std::fs::File;
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

pub const FORMAT: &str = "ecswatch.recording";
pub const VERSION: u32 = 1;

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
        update: Update,
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

/// Appends records to a recording file.
pub struct Recorder {
    file: File,
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
        let mut rec = Self {
            file,
            path: path.to_path_buf(),
        };
        rec.append(&Record::Header {
            format: FORMAT.into(),
            version: VERSION,
            started_at: chrono::Utc::now(),
            region: region.into(),
            scope: scope.clone(),
            origin: origin.into(),
            targets: if targets.len() > 1 {
                targets.to_vec()
            } else {
                Vec::new()
            },
        })?;
        Ok(rec)
    }

    /// Append one record as one line, in one write.
    pub fn append(&mut self, record: &Record) -> Result<(), String> {
        let mut line = serde_json::to_string(record)
            .map_err(|e| format!("{}: cannot encode a record: {e}", self.path.display()))?;
        line.push('\n');
        self.file
            .write_all(line.as_bytes())
            .map_err(|e| format!("{}: recording failed: {e}", self.path.display()))
    }

    /// Append an update, timed by when it was fetched.
    pub fn update(&mut self, update: &Update) -> Result<(), String> {
        // serialize by reference: the update is applied to the store right after
        #[derive(Serialize)]
        struct Line<'a> {
            r#type: &'static str,
            t: Time,
            update: &'a Update,
        }
        let mut line = serde_json::to_string(&Line {
            r#type: "update",
            t: update.fetched_at,
            update,
        })
        .map_err(|e| format!("{}: cannot encode a record: {e}", self.path.display()))?;
        line.push('\n');
        self.file
            .write_all(line.as_bytes())
            .map_err(|e| format!("{}: recording failed: {e}", self.path.display()))
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

/// Read a recording. Errors (exit 2) when the file cannot be read, does not start with an
/// ecswatch recording header, or is of a newer format version; lines that do not parse are
/// skipped and listed in [`Recording::skipped`].
pub fn read(path: &Path) -> Result<Recording, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("{}: cannot read: {e}", path.display()))?;
    parse(path, &bytes)
}

/// [`read`] over bytes already in memory (`path` names them in messages).
pub fn parse(path: &Path, bytes: &[u8]) -> Result<Recording, String> {
    let mut header: Option<(String, Scope, String, Vec<RecordedTarget>)> = None;
    let mut records = Vec::new();
    let mut skipped = Vec::new();
    let total = bytes.split(|b| *b == b'\n').count();
    for (i, raw) in bytes.split(|b| *b == b'\n').enumerate() {
        let n = i + 1;
        if raw.iter().all(|b| b.is_ascii_whitespace()) {
            continue;
        }
        let parsed = std::str::from_utf8(raw)
            .map_err(|_| "not UTF-8".to_string())
            .and_then(|s| serde_json::from_str::<Record>(s).map_err(|e| e.to_string()));
        match (parsed, header.is_some()) {
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
                match header.as_mut() {
                    None => header = Some((region, scope, origin, targets)),
                    // several sessions: what any of them watched (the first one's targets)
                    Some((_, seen, _, _)) => *seen = union(seen, &scope),
                }
            }
            (Ok(r), true) => records.push(r),
            (_, false) => {
                return Err(format!(
                    "{}:{n}: not an ecswatch recording (the first line must be its header)",
                    path.display()
                ));
            }
            (Err(e), true) => {
                let why = if n + 1 >= total {
                    format!("torn last line ({e})")
                } else {
                    format!("unreadable line ({e})")
                };
                skipped.push((n, why));
            }
        }
    }
    let Some((region, scope, origin, targets)) = header else {
        return Err(format!("{}: empty recording", path.display()));
    };
    // sessions appended one after another are already in order; a stable sort keeps it so
    records.sort_by_key(Record::time);
    Ok(Recording {
        path: path.to_path_buf(),
        region,
        scope,
        origin,
        targets,
        records,
        skipped,
    })
}
