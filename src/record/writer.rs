//! Writing a recording: the queue, the writer thread, what changed of each service, rotation.

use super::*;

/// How many records may wait for the writer before the recording is given up (the console
/// never waits for the disk); [`Recorder::allow_backlog`] raises it.
const QUEUE: usize = 256;

enum Msg {
    Update(Box<Update>),
    Record(Box<Record>),
}

/// What a header says, kept to start a rotated file with the same one.
#[derive(Clone)]
pub(super) struct HeaderInfo {
    pub(super) region: String,
    pub(super) scope: Scope,
    pub(super) targets: Vec<RecordedTarget>,
    pub(super) origin: String,
}

impl HeaderInfo {
    pub(super) fn record(&self) -> Record {
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
    tx: Option<std::sync::mpsc::Sender<Msg>>,
    /// Records queued and not yet written, and how many may be.
    queued: std::sync::Arc<std::sync::atomic::AtomicUsize>,
    limit: usize,
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
        let (tx, rx) = std::sync::mpsc::channel::<Msg>();
        let queued = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let taken = queued.clone();
        let slot = failed.clone();
        let writer = std::thread::Builder::new()
            .name("ecswatch-recorder".into())
            .spawn(move || {
                let mut deltas = Deltas::default();
                for msg in rx {
                    taken.fetch_sub(1, std::sync::atomic::Ordering::Relaxed);
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
            queued,
            limit: QUEUE,
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
        let waiting = self.queued.load(std::sync::atomic::Ordering::Relaxed);
        let why = if waiting >= self.limit {
            format!(
                "{}: recording stopped: the disk did not keep up ({waiting} records waiting)",
                self.path.display()
            )
        } else {
            self.queued
                .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            match tx.send(msg) {
                Ok(()) => return Ok(()),
                Err(_) => {
                    self.queued
                        .fetch_sub(1, std::sync::atomic::Ordering::Relaxed);
                    self.failed
                        .lock()
                        .ok()
                        .and_then(|f| f.clone())
                        .unwrap_or_else(|| format!("{}: recording stopped", self.path.display()))
                }
            }
        };
        self.tx = None;
        Err(why)
    }

    /// Let up to `records` wait for the writer: a viewer of a shared session is sent the hub's
    /// last hour at once when it joins (thousands of small updates; what a slow disk could not
    /// write at the console's steady pace, a burst may still queue).
    pub fn allow_backlog(&mut self, records: usize) {
        self.limit = self.limit.max(records);
    }

    /// The file this recorder writes.
    pub fn path(&self) -> &Path {
        &self.path
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

/// What the writer last wrote of each service, to write only what changed. A reader that applies
/// every reduced update since the `Deltas` was made ends with the store the whole updates give
/// (the shared session's hub reduces what it sends the same way).
#[derive(Default)]
pub struct Deltas {
    /// (target, cluster, service) -> (fingerprint of the service without its events, the ids
    /// of the events of its last answer)
    services: std::collections::HashMap<
        (crate::model::PlaceIx, String, String),
        (u64, std::collections::HashSet<String>),
    >,
}

impl Deltas {
    pub fn reduce(&mut self, u: &mut Update) {
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
        let target = u.place;
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
