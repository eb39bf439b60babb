//! The hub: the pollers, the budget and a store, once for every viewer of a watch; what it
//! reads goes to every viewer as recording lines, and the last hour of them to a viewer that
//! joins late. It lives while a viewer is attached, and `grace` after the last one left (none:
//! until stopped, `ecswatch serve`).

use super::protocol::{FromHub, PROTOCOL, ToHub, ViewerIntent, union};
use crate::aws::AwsApi;
use crate::poll::{PollPlan, Update, runner};
use crate::record::{Record, RecordedUpdate};
use crate::store::{PlaceState, Store};
use std::collections::{HashMap, VecDeque};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{UnixListener, UnixStream};
use tokio::sync::{broadcast, mpsc, watch};

/// How long a late joiner's history goes back.
pub const HISTORY: Duration = Duration::from_secs(3600);
/// Lines a slow viewer may fall behind before it is dropped (it reattaches and starts over).
const LAG: usize = 4096;
/// How long a new connection has to say hello.
const HELLO_WITHIN: Duration = Duration::from_secs(5);

pub struct HubOptions {
    pub socket: PathBuf,
    /// `--share-group`: members of this group (its gid) may attach too.
    pub group: Option<u32>,
    /// How long to live after the last viewer left (None: until stopped).
    pub grace: Option<Duration>,
    /// The recording header viewers are sent first.
    pub header: Record,
    pub version: String,
    /// `serve --record FILE`: everything the hub reads, and every viewer's notes and actions
    /// (opened once the lock is held).
    pub recorder: Option<crate::record::Recorder>,
    /// The watch's lock ([`take_lock`]), held for the hub's life.
    pub lock: std::fs::File,
}

/// What a late joiner is sent: the updates of the last hour in segments of [`SEGMENT`], each
/// reduced to what changed since its segment began (`record::Deltas`, as a recording is
/// written; a segment's first answer about a service is whole), so the history of a 200-service
/// fleet is what changed in it, not every fleet round again. A segment is dropped whole once the
/// next one began more than [`HISTORY`] ago: what a joiner gets always starts at a segment's
/// beginning, and ends with the store the hub has.
#[derive(Default)]
struct History {
    seq: u64,
    segments: VecDeque<Segment>,
    /// Notes and actions: kept whatever their age.
    kept: Vec<(u64, Arc<str>)>,
}

struct Segment {
    started: std::time::Instant,
    deltas: crate::record::Deltas,
    lines: Vec<(u64, Arc<str>)>,
}

/// How long one segment of the history runs before the next begins.
const SEGMENT: Duration = Duration::from_secs(600);

impl History {
    /// The segment an update made at `now` belongs to (a new one every [`SEGMENT`]); segments
    /// whose successor began more than [`HISTORY`] ago are dropped.
    fn segment(&mut self, now: std::time::Instant) -> Option<&mut Segment> {
        while self
            .segments
            .get(1)
            .is_some_and(|next| now.duration_since(next.started) > HISTORY)
        {
            self.segments.pop_front();
        }
        if self
            .segments
            .back()
            .is_none_or(|s| now.duration_since(s.started) >= SEGMENT)
        {
            self.segments.push_back(Segment {
                started: now,
                deltas: crate::record::Deltas::default(),
                lines: Vec::new(),
            });
        }
        self.segments.back_mut()
    }

    /// Every line a joiner is sent, in the order they were published.
    fn all(&self) -> Vec<Arc<str>> {
        let mut all: Vec<(u64, Arc<str>)> = self
            .segments
            .iter()
            .flat_map(|s| s.lines.iter().cloned())
            .chain(self.kept.iter().cloned())
            .collect();
        all.sort_by_key(|(s, _)| *s);
        all.into_iter().map(|(_, l)| l).collect()
    }
}

enum FromViewer {
    Joined(u64),
    Intent(u64, ViewerIntent),
    /// A note or an action for everyone's timeline.
    Timeline(Box<Record>),
    Left(u64),
}

/// The recording header viewers are sent first.
pub fn header(places: &[(crate::room::PlaceSpec, String)], demo: bool) -> Record {
    let (spec, region) = places.first().cloned().unwrap_or_default();
    Record::Header {
        format: crate::record::FORMAT.into(),
        version: crate::record::VERSION,
        started_at: chrono::Utc::now(),
        region,
        scope: spec.scope,
        origin: if demo { "demo" } else { "aws" }.into(),
        targets: if places.len() > 1 {
            places
                .iter()
                .map(|(spec, region)| crate::record::RecordedTarget {
                    spec: spec.clone(),
                    region: region.clone(),
                })
                .collect()
        } else {
            Vec::new()
        },
    }
}

/// Take the lock of the watch whose socket is `socket`: one hub per watch. The lock is held
/// for the hub's life (the kernel drops it when the process dies, even by SIGKILL), so viewers
/// that start hubs at once get one; the losers stop here, before they open anything.
pub fn take_lock(socket: &std::path::Path, group: Option<u32>) -> Result<std::fs::File, String> {
    let lock_path = socket.with_extension("lock");
    if !lock_path.exists() {
        std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&lock_path)
            .map_err(|e| format!("cannot create {}: {e}", lock_path.display()))?;
        if let Some(gid) = group {
            // the group's members start hubs too
            use std::os::unix::fs::PermissionsExt;
            let _ = std::os::unix::fs::chown(&lock_path, None, Some(gid));
            let _ = std::fs::set_permissions(&lock_path, std::fs::Permissions::from_mode(0o660));
        }
    }
    // a lock taken on a file opened for reading: any member may take it
    let lock = std::fs::File::open(&lock_path)
        .map_err(|e| format!("cannot open {}: {e}", lock_path.display()))?;
    if lock.try_lock().is_err() {
        return Err(format!("a hub already serves {}", socket.display()));
    }
    Ok(lock)
}

/// Serve the watch of `targets` on `opts.socket` until the grace after the last viewer ends,
/// or a signal stops it.
pub async fn serve<A: AwsApi>(
    targets: Vec<(PlaceState, Arc<A>)>,
    pb: Arc<crate::diagnosis::Playbook>,
    opts: HubOptions,
) -> Result<(), String> {
    let mut opts = opts;
    let mut recorder = opts.recorder.take();
    let lock = opts.lock;
    let listener = bind(&opts.socket, opts.group).await?;
    let own = super::own_uid()?;
    let (states, apis): (Vec<_>, Vec<_>) = targets.into_iter().unzip();
    let mut store = Store::with_places(states, pb);
    let (update_tx, mut updates) = mpsc::channel::<Update>(256);
    let mut plan_txs: Vec<watch::Sender<PollPlan>> = Vec::new();
    let mut pollers = Vec::new();
    let mut intents: HashMap<u64, ViewerIntent> = HashMap::new();
    let want = union(&[]);
    for (i, api) in apis.iter().enumerate() {
        let t = crate::model::PlaceIx::try_from(i).unwrap_or(crate::model::PlaceIx::MAX);
        let (tx, rx) = watch::channel(store.plan_of(t, &want));
        pollers.extend(runner::spawn(t, api.clone(), rx, update_tx.clone()));
        plan_txs.push(tx);
    }
    drop(update_tx);

    let history = Arc::new(Mutex::new(History::default()));
    let header: Arc<str> = serde_json::to_string(&opts.header)
        .map_err(|e| format!("header: {e}"))?
        .into();
    let (lines_tx, _) = broadcast::channel::<(u64, Arc<str>)>(LAG);
    let (viewer_tx, mut from_viewers) = mpsc::channel::<FromViewer>(64);
    let version = opts.version.clone();
    let group = opts.group;
    let recording = recorder
        .as_ref()
        .and_then(|r| std::fs::canonicalize(r.path()).ok());
    let accepting = {
        let (history, lines_tx, header) = (history.clone(), lines_tx.clone(), header.clone());
        tokio::spawn(async move {
            let mut next_id = 0u64;
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    continue;
                };
                next_id += 1;
                let v = Viewer {
                    id: next_id,
                    own,
                    group,
                    version: version.clone(),
                    recording: recording.clone(),
                    header: header.clone(),
                    history: history.clone(),
                    lines: lines_tx.clone(),
                    events: viewer_tx.clone(),
                };
                tokio::spawn(v.run(stream));
            }
        })
    };

    use tokio::signal::unix::{SignalKind, signal};
    let mut term = signal(SignalKind::terminate()).map_err(|e| e.to_string())?;
    let mut int = signal(SignalKind::interrupt()).map_err(|e| e.to_string())?;
    let mut alone_since = Some(tokio::time::Instant::now());
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    let replan = |store: &Store, intents: &HashMap<u64, ViewerIntent>| {
        let mut ids: Vec<&u64> = intents.keys().collect();
        ids.sort();
        let viewers: Vec<&ViewerIntent> = ids.iter().map(|i| &intents[i]).collect();
        let want = union(&viewers);
        for (i, tx) in plan_txs.iter().enumerate() {
            let t = crate::model::PlaceIx::try_from(i).unwrap_or(crate::model::PlaceIx::MAX);
            runner::publish(tx, store.plan_of(t, &want));
        }
    };
    loop {
        tokio::select! {
            Some(u) = updates.recv() => {
                publish_update(&history, &lines_tx, u.clone());
                record(&mut recorder, |r| r.update(&u));
                store.apply(u);
                replan(&store, &intents);
            }
            Some(ev) = from_viewers.recv() => {
                match ev {
                    FromViewer::Joined(id) => {
                        intents.entry(id).or_default();
                    }
                    FromViewer::Intent(id, i) => {
                        intents.insert(id, i);
                    }
                    FromViewer::Left(id) => {
                        intents.remove(&id);
                    }
                    FromViewer::Timeline(record) => {
                        // notes and actions stay in the history as long as the hub lives
                        self::record(&mut recorder, |r| r.append(&record));
                        publish_kept(&history, &lines_tx, &record);
                        continue;
                    }
                }
                alone_since = intents.is_empty().then(tokio::time::Instant::now);
                replan(&store, &intents);
            }
            _ = tick.tick() => {
                if let (Some(since), Some(grace)) = (alone_since, opts.grace)
                    && since.elapsed() >= grace
                {
                    break;
                }
            }
            _ = term.recv() => break,
            _ = int.recv() => break,
        }
    }
    accepting.abort();
    for p in pollers {
        p.abort();
    }
    let _ = std::fs::remove_file(&opts.socket);
    drop(lock);
    Ok(())
}

/// Write to the hub's recording; a failure stops it and is said once in the hub's log.
fn record(
    recorder: &mut Option<crate::record::Recorder>,
    f: impl FnOnce(&mut crate::record::Recorder) -> Result<(), String>,
) {
    if let Some(r) = recorder.as_mut()
        && let Err(e) = f(r)
    {
        eprintln!("ecswatch serve: {e}");
        *recorder = None;
    }
}

/// Send a note or action to every viewer and keep it for the hub's life.
fn publish_kept(
    history: &Mutex<History>,
    lines: &broadcast::Sender<(u64, Arc<str>)>,
    record: &Record,
) {
    let Ok(text) = serde_json::to_string(record) else {
        return;
    };
    let text: Arc<str> = text.into();
    let Ok(mut h) = history.lock() else {
        return;
    };
    h.seq += 1;
    let seq = h.seq;
    h.kept.push((seq, text.clone()));
    drop(h);
    let _ = lines.send((seq, text));
}

/// Send what `u` changes to every viewer and keep it for late joiners: every viewer has had
/// every line of the segment it is reduced against (from the history when it joined, live since).
fn publish_update(
    history: &Mutex<History>,
    lines: &broadcast::Sender<(u64, Arc<str>)>,
    mut u: Update,
) {
    let Ok(mut h) = history.lock() else {
        return;
    };
    let Some(segment) = h.segment(std::time::Instant::now()) else {
        return;
    };
    segment.deltas.reduce(&mut u);
    let line = Record::Update {
        t: u.fetched_at,
        update: RecordedUpdate::from(u),
    };
    let Ok(text) = serde_json::to_string(&line) else {
        return;
    };
    let text: Arc<str> = text.into();
    h.seq += 1;
    let seq = h.seq;
    if let Some(segment) = h.segments.back_mut() {
        segment.lines.push((seq, text.clone()));
    }
    drop(h);
    let _ = lines.send((seq, text));
}

/// Listen on `path` (the caller holds the watch's lock): a socket left by a hub that died is
/// replaced; one a live hub answers on is not.
async fn bind(path: &std::path::Path, group: Option<u32>) -> Result<UnixListener, String> {
    use std::os::unix::fs::PermissionsExt;
    if path.exists() {
        if UnixStream::connect(path).await.is_ok() {
            return Err(format!("a hub already serves {}", path.display()));
        }
        std::fs::remove_file(path).map_err(|e| format!("cannot remove {}: {e}", path.display()))?;
    }
    let l = UnixListener::bind(path)
        .map_err(|e| format!("cannot listen on {}: {e}", path.display()))?;
    let mode = match group {
        Some(gid) => {
            std::os::unix::fs::chown(path, None, Some(gid))
                .map_err(|e| format!("cannot give {} to the group: {e}", path.display()))?;
            0o660
        }
        None => 0o600,
    };
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
        .map_err(|e| format!("cannot restrict {}: {e}", path.display()))?;
    Ok(l)
}

struct Viewer {
    id: u64,
    own: u32,
    group: Option<u32>,
    version: String,
    recording: Option<PathBuf>,
    header: Arc<str>,
    history: Arc<Mutex<History>>,
    lines: broadcast::Sender<(u64, Arc<str>)>,
    events: mpsc::Sender<FromViewer>,
}

impl Viewer {
    async fn run(self, stream: UnixStream) {
        // another Unix user gets in only as a member of --share-group (the socket is 0600 in
        // a 0700 directory as well, or 0660 in the group's 0770 one)
        let admitted = match stream.peer_cred() {
            Ok(c) if c.uid() == self.own => true,
            Ok(c) => match (self.group, c.pid()) {
                (Some(gid), Some(pid)) => super::group::process_in(pid, gid),
                _ => false,
            },
            Err(_) => false,
        };
        if !admitted {
            return;
        }
        let (read, mut write) = stream.into_split();
        let mut read = BufReader::new(read).lines();
        let hello = tokio::time::timeout(HELLO_WITHIN, read.next_line()).await;
        let refuse = |reason: String| FromHub::Refused { reason };
        let answer = match hello {
            Ok(Ok(Some(line))) => match serde_json::from_str::<ToHub>(&line) {
                Ok(ToHub::Hello { protocol, .. }) if protocol == PROTOCOL => None,
                Ok(ToHub::Hello {
                    protocol, version, ..
                }) => Some(refuse(format!(
                    "this hub (ecswatch {}) speaks protocol {PROTOCOL}, the viewer (ecswatch {version}) {protocol}",
                    self.version
                ))),
                _ => Some(refuse("the first line must be a hello".into())),
            },
            _ => return,
        };
        if let Some(no) = answer {
            let _ = send(&mut write, &serde_json::to_string(&no).unwrap_or_default()).await;
            return;
        }
        // subscribed before the history is read: nothing falls between them
        let mut live = self.lines.subscribe();
        let (past, upto): (Vec<Arc<str>>, u64) = match self.history.lock() {
            // in the order they were sent: updates of the last hour, notes and actions
            Ok(h) => (h.all(), h.seq),
            Err(_) => return,
        };
        if self.events.send(FromViewer::Joined(self.id)).await.is_err() {
            return;
        }
        let welcome = FromHub::Welcome {
            protocol: PROTOCOL,
            version: self.version.clone(),
            viewers: self.lines.receiver_count(),
            recording: self.recording.clone(),
        };
        let mut ok = send(
            &mut write,
            &serde_json::to_string(&welcome).unwrap_or_default(),
        )
        .await
            && send(&mut write, &self.header).await;
        for l in &past {
            if !ok {
                break;
            }
            ok = send(&mut write, l).await;
        }
        while ok {
            tokio::select! {
                line = live.recv() => match line {
                    Ok((seq, l)) if seq > upto => ok = send(&mut write, &l).await,
                    Ok(_) => {}
                    // fell too far behind: it reattaches and starts over
                    Err(_) => ok = false,
                },
                line = read.next_line() => match line {
                    Ok(Some(l)) => {
                        match serde_json::from_str::<ToHub>(&l) {
                            Ok(ToHub::Intent(i)) => {
                                let _ = self.events.send(FromViewer::Intent(self.id, i)).await;
                            }
                            Ok(ToHub::Timeline { record })
                                if matches!(*record, Record::Note { .. } | Record::Action { .. }) =>
                            {
                                let _ = self.events.send(FromViewer::Timeline(record)).await;
                            }
                            _ => {}
                        }
                    }
                    _ => ok = false,
                },
            }
        }
        let _ = self.events.send(FromViewer::Left(self.id)).await;
    }
}

async fn send(w: &mut tokio::net::unix::OwnedWriteHalf, line: &str) -> bool {
    w.write_all(line.as_bytes()).await.is_ok() && w.write_all(b"\n").await.is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Scope, Service, ServiceKey, Source};
    use crate::poll::Payload;
    use crate::record::tests::svc;
    use std::time::Instant;

    fn round(n: i64, list: Vec<Service>) -> Update {
        let keys = list.iter().map(Service::key).collect::<Vec<ServiceKey>>();
        Update::new(
            Source::Services,
            chrono::DateTime::from_timestamp(1_780_000_000 + n, 0).unwrap_or_default(),
            Some(Payload::Services {
                services: list,
                listed_clusters: vec!["prod".into()],
                roster: Some(keys),
                insights: vec![],
            }),
            vec![],
        )
    }

    fn store() -> Store {
        Store::new(
            Scope::default(),
            "eu-west-1".into(),
            Arc::new(crate::diagnosis::Playbook::builtin()),
        )
    }

    fn picture(s: &Store) -> Vec<(String, i32, Vec<String>)> {
        s.services
            .values()
            .map(|st| {
                (
                    st.service.name.clone(),
                    st.service.running,
                    st.events.iter().map(|e| e.id.clone()).collect(),
                )
            })
            .collect()
    }

    #[test]
    fn a_joiner_given_what_changed_ends_with_the_hubs_store_in_less() {
        let history = Mutex::new(History::default());
        let (tx, _) = broadcast::channel(64);
        let mut hub = store();
        let rounds = [
            round(0, vec![svc("a", 2, &["e1"]), svc("b", 3, &["f1"])]),
            round(5, vec![svc("a", 2, &["e1"]), svc("b", 3, &["f1"])]),
            round(10, vec![svc("a", 1, &["e2", "e1"]), svc("b", 3, &["f1"])]),
            round(15, vec![svc("a", 1, &["e2", "e1"]), svc("b", 3, &["f1"])]),
        ];
        let mut whole = 0;
        for u in rounds {
            whole += serde_json::to_string(&RecordedUpdate::from(u.clone()))
                .unwrap()
                .len();
            publish_update(&history, &tx, u.clone());
            hub.apply(u);
        }
        let lines = history.lock().unwrap().all();
        let sent: usize = lines.iter().map(|l| l.len()).sum();
        assert!(sent < whole, "{sent} bytes sent for {whole} whole");
        let mut joiner = store();
        for l in &lines {
            match crate::record::decode(l).unwrap() {
                Record::Update { update, .. } => {
                    joiner.apply(Update::from(update));
                }
                other => panic!("{other:?}"),
            }
        }
        assert_eq!(picture(&joiner), picture(&hub));
        assert_eq!(
            picture(&hub),
            vec![
                ("a".into(), 1, vec!["e2".into(), "e1".into()]),
                ("b".into(), 3, vec!["f1".into()])
            ]
        );
    }

    #[test]
    fn segments_begin_every_ten_minutes_and_go_whole_after_the_hour() {
        let mut h = History::default();
        let t0 = Instant::now();
        let min = |m: u64| t0 + Duration::from_secs(60 * m);
        h.segment(t0);
        h.segment(min(5));
        assert_eq!(h.segments.len(), 1);
        h.segment(min(10));
        assert_eq!(h.segments.len(), 2);
        for m in (20..=70).step_by(10) {
            h.segment(min(m));
        }
        // at 70 min: the segment of 0-10 min goes once the next (from 10 min) is an hour old
        assert_eq!(h.segments.len(), 8);
        h.segment(min(71));
        assert_eq!(h.segments.len(), 7);
        assert_eq!(h.segments[0].started, min(10));
    }
}
