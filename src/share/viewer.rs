//! A viewer: attaches to the hub of its watch (starting one when none answers), hands the
//! console the hub's updates as if its own pollers had read them, and tells the hub what it has
//! open.

use super::protocol::{FromHub, PROTOCOL, ToHub, ViewerIntent};
use crate::aws::{ApiError, ErrorKind};
use crate::model::Source;
use crate::poll::Update;
use crate::record::Record;
use std::path::{Path, PathBuf};
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::UnixStream;
use tokio::sync::mpsc;

/// How many records a viewer's recording may queue: the hub's last hour arrives at once when it
/// joins (about 850 updates per 10 minutes of a 200-service fleet, measured by
/// `scripts/bench_late_joiner.py`), then its live updates.
pub const HISTORY_BURST: usize = 16_384;

/// How long a viewer waits for the hub it started to listen.
pub const HUB_START: Duration = Duration::from_secs(10);

/// A viewer attached to a hub.
pub struct Attached {
    /// What the hub read, in the order it read it (its last hour first).
    pub updates: mpsc::Receiver<Update>,
    /// What this viewer wants read.
    pub intents: mpsc::Sender<crate::store::Intent>,
    /// Notes and actions for everyone's timeline: this viewer's go out (queued while no hub
    /// answers, delivered to the next), everyone's come in (its own too).
    pub timeline_out: mpsc::Sender<Record>,
    pub timeline_in: mpsc::Receiver<Record>,
    pub hub_version: String,
    /// Viewers attached when this one joined, itself included.
    pub viewers: usize,
}

#[derive(Debug)]
pub enum AttachError {
    /// No hub answers on the socket.
    NoHub(String),
    /// The hub refused this viewer (another protocol version).
    Refused(String),
    /// Anything else: the socket, the handshake.
    Failed(String),
}

impl std::fmt::Display for AttachError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            AttachError::NoHub(s) | AttachError::Refused(s) | AttachError::Failed(s) => {
                f.write_str(s)
            }
        }
    }
}

type Reader = Box<dyn tokio::io::AsyncRead + Unpin + Send>;
type Writer = Box<dyn tokio::io::AsyncWrite + Unpin + Send>;

/// One connection to a hub, past the handshake: over its Unix socket, or over `ssh HOST
/// ecswatch attach --stdio` (`--via`), whose child is killed with the connection.
pub struct Conn {
    read: tokio::io::Lines<BufReader<Reader>>,
    write: Writer,
    _child: Option<tokio::process::Child>,
    pub hub_version: String,
    pub viewers: usize,
    /// The file the hub records to, when it does and it may be continued (see [`continuable`]).
    pub recording: Option<PathBuf>,
}

/// Connect to the hub on `socket` and say hello.
pub async fn connect(socket: &Path, user: &str) -> Result<Conn, AttachError> {
    let stream = UnixStream::connect(socket)
        .await
        .map_err(|e| AttachError::NoHub(format!("{}: {e}", socket.display())))?;
    let (read, write) = stream.into_split();
    handshake(Box::new(read), Box::new(write), None, user).await
}

/// Connect through `ssh`: `command` is the whole command line (`ssh [options] HOST
/// ecswatch … attach --stdio`); its errors go to `log`.
pub async fn connect_via(command: &[String], log: &Path, user: &str) -> Result<Conn, AttachError> {
    let (program, args) = command
        .split_first()
        .ok_or_else(|| AttachError::Failed("no ssh command".into()))?;
    let err = open_log(log)?;
    let mut child = tokio::process::Command::new(program)
        .args(args)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(err)
        .kill_on_drop(true)
        .spawn()
        .map_err(|e| AttachError::Failed(format!("cannot run {program}: {e}")))?;
    let (Some(out), Some(input)) = (child.stdout.take(), child.stdin.take()) else {
        return Err(AttachError::Failed("ssh gave no pipes".into()));
    };
    handshake(Box::new(out), Box::new(input), Some(child), user)
        .await
        .map_err(|e| match e {
            // the far side closed without a word: ssh or the remote ecswatch failed
            AttachError::NoHub(why) => {
                AttachError::Failed(format!("{why} (over ssh: see {})", log.display()))
            }
            other => other,
        })
}

async fn handshake(
    read: Reader,
    mut write: Writer,
    child: Option<tokio::process::Child>,
    user: &str,
) -> Result<Conn, AttachError> {
    let mut read = BufReader::new(read).lines();
    let hello = ToHub::Hello {
        protocol: PROTOCOL,
        version: env!("CARGO_PKG_VERSION").to_string(),
        user: user.to_string(),
    };
    let line = serde_json::to_string(&hello).map_err(|e| AttachError::Failed(e.to_string()))?;
    write
        .write_all(format!("{line}\n").as_bytes())
        .await
        .map_err(|e| AttachError::Failed(format!("hello: {e}")))?;
    let first = tokio::time::timeout(Duration::from_secs(10), read.next_line())
        .await
        .map_err(|_| AttachError::Failed("the hub did not answer within 10 s".into()))?
        .map_err(|e| AttachError::Failed(e.to_string()))?
        // a hub that stops between accepting and answering: as if none were there
        .ok_or_else(|| AttachError::NoHub("the hub closed the connection".into()))?;
    match serde_json::from_str::<FromHub>(&first) {
        Ok(FromHub::Welcome {
            version,
            viewers,
            recording,
            ..
        }) => Ok(Conn {
            read,
            write,
            _child: child,
            hub_version: version,
            viewers,
            recording: recording.filter(|p| continuable(p)),
        }),
        Ok(FromHub::Refused { reason }) => Err(AttachError::Refused(reason)),
        Err(e) => Err(AttachError::Failed(format!("the hub's answer: {e}"))),
    }
}

/// Whether a hub that died may be followed by one recording to `path`: it must be a recording
/// already (a regular file of this user's, its first line an ecswatch recording header), since
/// the hub that named it may be another share-group member's process and the next hub writes
/// with this viewer's rights.
pub fn continuable(path: &Path) -> bool {
    use std::io::BufRead;
    use std::os::unix::fs::MetadataExt;
    let Ok(meta) = std::fs::symlink_metadata(path) else {
        return false;
    };
    let Ok(own) = super::own_uid() else {
        return false;
    };
    if !meta.is_file() || meta.uid() != own {
        return false;
    }
    let Ok(file) = std::fs::File::open(path) else {
        return false;
    };
    let mut first = String::new();
    if std::io::BufReader::new(std::io::Read::take(file, 64 * 1024))
        .read_line(&mut first)
        .is_err()
    {
        return false;
    }
    matches!(
        serde_json::from_str::<Record>(first.trim_end()),
        Ok(Record::Header { format, .. }) if format == crate::record::FORMAT
    )
}

/// How a viewer reaches its hub, and starts one when none answers.
#[derive(Clone)]
pub struct Starter {
    pub socket: PathBuf,
    pub user: String,
    pub exe: PathBuf,
    pub args: Vec<String>,
    pub log: PathBuf,
    /// `--via HOST`: the ssh command line that reaches the hub on HOST instead (the remote
    /// `attach --stdio` starts one there when none answers).
    pub via: Option<Vec<String>>,
    /// The recording the last hub wrote: a hub this viewer starts goes on writing it.
    pub record: Option<PathBuf>,
}

impl Starter {
    /// Connect, starting a hub when none answers.
    pub async fn attach(&self) -> Result<Conn, AttachError> {
        match &self.via {
            Some(cmd) => connect_via(cmd, &self.log, &self.user).await,
            None => {
                let mut args = self.args.clone();
                if let Some(p) = &self.record {
                    args.push("--record".into());
                    args.push(p.display().to_string());
                }
                attach_or_start(&self.socket, &self.user, &self.exe, &args, &self.log).await
            }
        }
    }
}

/// A dated note on the Services source: where every source's failures are said.
fn notice(what: &str) -> Update {
    let mut e = ApiError::new(ErrorKind::Unreachable, "ecswatch:Hub", what);
    e.code = Some("HubGone".into());
    Update::new(Source::Services, chrono::Utc::now(), None, vec![e])
}

/// Hand the console the hub's updates and the hub the console's intents, for as long as the
/// console runs. When the hub dies (its socket closes), the viewer says so, finds the next hub
/// or starts one (the first viewer to try starts it; the others find it: a second `serve` of
/// the watch refuses to run), sends it what it has open and goes on: the store keeps what it
/// held, and the new hub's updates continue it.
pub fn supervise(conn: Conn, starter: Starter) -> Attached {
    let mut starter = starter;
    let (hub_version, viewers) = (conn.hub_version.clone(), conn.viewers);
    let (update_tx, updates) = mpsc::channel::<Update>(1024);
    let (intents, mut intent_rx) = mpsc::channel::<crate::store::Intent>(16);
    let (timeline_out, mut out_rx) = mpsc::channel::<Record>(64);
    let (in_tx, timeline_in) = mpsc::channel::<Record>(64);
    tokio::spawn(async move {
        let mut conn = conn;
        let mut last: Option<ViewerIntent> = None;
        // notes and actions not yet delivered to a hub
        let mut pending: Vec<Record> = Vec::new();
        loop {
            // the hub records: the next one this viewer starts goes on in the same file
            if conn.recording.is_some() {
                starter.record = conn.recording.clone();
            }
            while !pending.is_empty() {
                if !send_line(
                    &mut conn,
                    &ToHub::Timeline {
                        record: Box::new(pending[0].clone()),
                    },
                )
                .await
                {
                    break;
                }
                pending.remove(0);
            }
            loop {
                tokio::select! {
                    line = conn.read.next_line() => {
                        let Ok(Some(line)) = line else { break };
                        // lines this version cannot read are skipped, as a recording's are;
                        // the hub may be anyone in the share group's: its strings are cleaned
                        let sent = match crate::record::decode(&line) {
                            Ok(Record::Update { update, .. }) => {
                                update_tx.send(Update::from(update)).await.is_ok()
                            }
                            Ok(r @ (Record::Note { .. } | Record::Action { .. })) => {
                                in_tx.send(r).await.is_ok()
                            }
                            _ => true,
                        };
                        if !sent {
                            return;
                        }
                    }
                    r = out_rx.recv() => {
                        let Some(r) = r else { return };
                        if !send_line(&mut conn, &ToHub::Timeline { record: Box::new(r.clone()) }).await {
                            pending.push(r);
                            break;
                        }
                    }
                    i = intent_rx.recv() => {
                        let Some(i) = i else { return };
                        let v = ViewerIntent::of(&i);
                        if last.as_ref() != Some(&v) {
                            last = Some(v);
                            if !send_intent(&mut conn, last.as_ref()).await {
                                break;
                            }
                        }
                    }
                }
            }
            let gone = "the shared session's hub is gone: finding or starting another";
            if update_tx.send(notice(gone)).await.is_err() {
                return;
            }
            conn = loop {
                // what the console asks for meanwhile: the last of it goes to the next hub,
                // and every note and action
                while let Ok(i) = intent_rx.try_recv() {
                    last = Some(ViewerIntent::of(&i));
                }
                while let Ok(r) = out_rx.try_recv() {
                    pending.push(r);
                }
                match starter.attach().await {
                    Ok(c) => break c,
                    Err(e) => {
                        let why = format!("the shared session's hub is gone, none found: {e}");
                        if update_tx.send(notice(&why)).await.is_err() {
                            return;
                        }
                        tokio::time::sleep(Duration::from_secs(1)).await;
                    }
                }
            };
            send_intent(&mut conn, last.as_ref()).await;
        }
    });
    Attached {
        updates,
        intents,
        timeline_out,
        timeline_in,
        hub_version,
        viewers,
    }
}

async fn send_intent(conn: &mut Conn, intent: Option<&ViewerIntent>) -> bool {
    match intent {
        Some(v) => send_line(conn, &ToHub::Intent(v.clone())).await,
        None => true,
    }
}

async fn send_line(conn: &mut Conn, msg: &ToHub) -> bool {
    let Ok(line) = serde_json::to_string(msg) else {
        return true;
    };
    conn.write
        .write_all(format!("{line}\n").as_bytes())
        .await
        .is_ok()
}

/// Attach to the hub on `socket`, starting one when none answers: `exe` with `args` (this
/// ecswatch's own command line, as `serve`), detached from the terminal (its own process
/// group: a Ctrl-C or a closed terminal stops the viewer, not the hub), its errors in `log`.
pub async fn attach_or_start(
    socket: &Path,
    user: &str,
    exe: &Path,
    args: &[String],
    log: &Path,
) -> Result<Conn, AttachError> {
    match connect(socket, user).await {
        Err(AttachError::NoHub(_)) => {}
        other => return other,
    }
    let err = open_log(log)?;
    // tokio's child: dropped while it runs, it is reaped when it exits (a hub that lost the
    // race, or one that stops after its grace, leaves no zombie under a long-lived console)
    let mut hub = tokio::process::Command::new(exe)
        .args(args)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(err)
        .process_group(0)
        .spawn()
        .map_err(|e| AttachError::Failed(format!("cannot start the hub: {e}")))?;
    let deadline = tokio::time::Instant::now() + HUB_START;
    let mut exited = None;
    loop {
        let answer = connect(socket, user).await;
        // a hub that lost the race to another exits (that one answers); one that failed says
        // why in its log
        if exited.is_none() {
            exited = hub.try_wait().ok().flatten();
        }
        match answer {
            Err(AttachError::NoHub(_)) if exited.is_some_and(|s| !s.success()) => {
                let why = std::fs::read_to_string(log)
                    .ok()
                    .and_then(|t| t.lines().last().map(str::to_owned))
                    .unwrap_or_else(|| "no reason given".into());
                return Err(AttachError::Failed(format!("the hub did not start: {why}")));
            }
            Err(AttachError::NoHub(why)) if tokio::time::Instant::now() >= deadline => {
                return Err(AttachError::Failed(format!(
                    "the hub did not start within {} s ({why}); see {}",
                    HUB_START.as_secs(),
                    log.display()
                )));
            }
            Err(AttachError::NoHub(_)) => tokio::time::sleep(Duration::from_millis(100)).await,
            other => return other,
        }
    }
}

/// How long a hub a console started lives after the last console left (the environment's
/// `ECSWATCH_SHARE_GRACE`, in seconds, overrides it).
pub const GRACE_S: u64 = 60;

/// Attach this console (its own command line names the watch) to the hub on `socket`,
/// starting one when none answers; its errors go beside the socket (`.log`).
pub async fn attach_console(socket: &Path, user: &str) -> Result<Attached, String> {
    let exe = std::env::current_exe().map_err(|e| format!("cannot find this program: {e}"))?;
    let args: Vec<String> = std::env::args().skip(1).collect();
    let grace = std::env::var("ECSWATCH_SHARE_GRACE")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(GRACE_S);
    let starter = Starter {
        record: None,
        socket: socket.to_path_buf(),
        user: user.to_string(),
        exe,
        args: hub_args(&args, grace),
        log: hub_log(socket),
        via: None,
    };
    let conn = starter.attach().await.map_err(|e| e.to_string())?;
    Ok(supervise(conn, starter))
}

/// A started process's stderr: appended to `log`.
fn open_log(log: &Path) -> Result<std::fs::File, AttachError> {
    std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(log)
        .map_err(|e| AttachError::Failed(format!("cannot open {}: {e}", log.display())))
}

/// `ecswatch attach --stdio`: make sure the hub on `socket` runs (starting one), then relay
/// bytes between it and stdin/stdout until either side closes (the viewer at the other end of
/// an ssh connection speaks the protocol through it).
pub async fn relay_stdio(socket: &Path, user: &str) -> Result<(), String> {
    let exe = std::env::current_exe().map_err(|e| format!("cannot find this program: {e}"))?;
    let args: Vec<String> = std::env::args().skip(1).collect();
    let grace = std::env::var("ECSWATCH_SHARE_GRACE")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(GRACE_S);
    // a handshake of its own proves a hub answers; the relay's viewer makes its own
    drop(
        attach_or_start(
            socket,
            user,
            &exe,
            &hub_args(&args, grace),
            &hub_log(socket),
        )
        .await
        .map_err(|e| e.to_string())?,
    );
    let stream = UnixStream::connect(socket)
        .await
        .map_err(|e| format!("{}: {e}", socket.display()))?;
    let (mut from_hub, mut to_hub) = stream.into_split();
    let (mut stdin, mut stdout) = (tokio::io::stdin(), tokio::io::stdout());
    tokio::select! {
        _ = tokio::io::copy(&mut stdin, &mut to_hub) => {}
        _ = tokio::io::copy(&mut from_hub, &mut stdout) => {}
    }
    Ok(())
}

/// The hub's command line for a console's: `serve` with the console's global flags (what it
/// watches), less `--share` and what only a console takes (`--record`: each viewer records
/// what it is sent).
pub fn hub_args(console_args: &[String], grace_s: u64) -> Vec<String> {
    let mut out = Vec::new();
    let mut skip_value = false;
    for a in console_args {
        if skip_value {
            skip_value = false;
            continue;
        }
        match a.as_str() {
            "--share" | "--stats" | "--allow-writes" | "attach" | "--stdio" => {}
            "--record" | "--record-max" | "--theme" | "--keymap" => skip_value = true,
            _ if a.starts_with("--record=")
                || a.starts_with("--record-max=")
                || a.starts_with("--theme=")
                || a.starts_with("--keymap=") => {}
            _ => out.push(a.clone()),
        }
    }
    out.push("serve".into());
    out.push("--grace".into());
    out.push(format!("{grace_s}s"));
    out
}

/// `--via HOST`: attach this console to the hub on HOST, over `ssh HOST ecswatch … attach
/// --stdio` (SSH is the transport and the authentication). `ssh` is the command line to run
/// (the environment's `ECSWATCH_SSH`, else `ssh`), `remote` the ecswatch to run there
/// (`ECSWATCH_REMOTE`, else `ecswatch`); the console's global flags name the watch there.
pub async fn attach_via(host: &str, user: &str) -> Result<Attached, String> {
    // ssh's own errors (a refused key, an unknown host) go here
    let log = super::runtime_dir()
        .unwrap_or_else(|_| std::env::temp_dir())
        .join("via.log");
    let args: Vec<String> = std::env::args().skip(1).collect();
    let command = via_command(
        host,
        &std::env::var("ECSWATCH_SSH").unwrap_or_else(|_| "ssh".into()),
        &std::env::var("ECSWATCH_REMOTE").unwrap_or_else(|_| "ecswatch".into()),
        &args,
    );
    let starter = Starter {
        record: None,
        socket: PathBuf::new(),
        user: user.to_string(),
        exe: PathBuf::new(),
        args: Vec::new(),
        log,
        via: Some(command),
    };
    let conn = starter.attach().await.map_err(|e| e.to_string())?;
    Ok(supervise(conn, starter))
}

/// The ssh command line of `--via HOST`: `ssh` (split on spaces), HOST, then the remote
/// command as one shell word list: `remote` (split on spaces: it may be `env X=… path`), the
/// console's global flags less what stays local (`--via`, recording, theme, keymap, `--share`,
/// writes, stats) each quoted for the remote shell, and `attach --stdio`.
pub fn via_command(host: &str, ssh: &str, remote: &str, console_args: &[String]) -> Vec<String> {
    let mut out: Vec<String> = ssh.split_whitespace().map(str::to_owned).collect();
    out.push(host.to_string());
    let mut far: Vec<String> = remote.split_whitespace().map(str::to_owned).collect();
    let mut skip = false;
    for a in console_args {
        if skip {
            skip = false;
            continue;
        }
        match a.as_str() {
            "--share" | "--stats" | "--allow-writes" => {}
            "--via" | "--record" | "--record-max" | "--theme" | "--keymap" => skip = true,
            _ if [
                "--via=",
                "--record=",
                "--record-max=",
                "--theme=",
                "--keymap=",
            ]
            .iter()
            .any(|p| a.starts_with(p)) => {}
            _ => far.push(crate::diagnosis::shell_word(a)),
        }
    }
    far.push("attach".into());
    far.push("--stdio".into());
    out.push(far.join(" "));
    out
}

/// Where a started hub's errors go.
pub fn hub_log(socket: &Path) -> PathBuf {
    socket.with_extension("log")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn via_runs_the_same_watch_on_the_far_host() {
        let args: Vec<String> = [
            "--via",
            "bastion",
            "--cluster",
            "prod one",
            "--record",
            "r.jsonl",
            "--share",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        assert_eq!(
            via_command("bastion", "ssh -F cfg", "env X=1 /opt/ecswatch", &args),
            [
                "ssh",
                "-F",
                "cfg",
                "bastion",
                "env X=1 /opt/ecswatch --cluster 'prod one' attach --stdio"
            ]
        );
    }

    #[test]
    fn the_hub_watches_what_the_console_watches_and_records_nothing() {
        let args: Vec<String> = [
            "--share",
            "--cluster",
            "prod",
            "--record",
            "/tmp/r.jsonl",
            "--region=eu-west-1",
            "--theme=mono",
            "--allow-writes",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        assert_eq!(
            hub_args(&args, 60),
            [
                "--cluster",
                "prod",
                "--region=eu-west-1",
                "serve",
                "--grace",
                "60s"
            ]
        );
    }

    #[test]
    fn only_a_recording_of_this_users_may_be_continued() {
        let dir = std::env::temp_dir().join(format!("ecsw-cont-{}", std::process::id()));
        let _ = std::fs::create_dir_all(&dir);
        let rec = dir.join("incident.jsonl");
        drop(
            crate::record::Recorder::open(
                &rec,
                "eu-west-1",
                &crate::model::Scope::default(),
                "demo",
            )
            .expect("open"),
        );
        assert!(continuable(&rec));
        // a file a hub could name to have this viewer's next hub append to it
        let rc = dir.join("bashrc");
        std::fs::write(&rc, "export PATH=$PATH\n").unwrap();
        assert!(!continuable(&rc));
        let link = dir.join("link.jsonl");
        let _ = std::os::unix::fs::symlink(&rec, &link);
        assert!(!continuable(&link), "a symlink is not followed");
        assert!(!continuable(&dir.join("missing.jsonl")));
        assert!(!continuable(&dir));
        let _ = std::fs::remove_dir_all(&dir);
    }
}
