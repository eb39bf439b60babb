//! The interactive console: the app loop is the one owner of state. Pollers send updates over a
//! channel; keys arrive from an input thread; the loop applies both, rebuilds the view model and
//! draws only when something changed (plus once a second, for "12s ago" labels).
//!
//! Live, the loop also records every update (`--record`) and runs confirmed writes on tasks
//! that report back over a channel. Over a recording (`ecswatch replay`) there are no pollers:
//! a [`Player`] moves the store through the recording's time at the chosen speed.

// the console's pure state lives below the views that draw it (`console`); these paths stay
pub use crate::console::{selection, state};
mod feed;
mod input;
pub mod terminal;
mod writes;

use crate::actions::{Request, WriteOp};
use crate::aws::AwsApi;
use crate::cli::Exit;
use crate::diagnosis::Playbook;
use crate::keymap::{Key, Keymap};
use crate::poll::{Update, runner};
use crate::record::{Record, Recorder, player::Player};
use crate::store::{ActionRecord, Note, Store};
use crate::theme::Theme;
use crossterm::event::{Event, KeyCode, KeyEventKind};
use feed::Feed;
use input::{run_exec, spawn_input};
use state::{Effect, Prompt, PromptKind, ReplayClock, ReplayCmd, UiState, Visible, Writes};
use std::io::Write;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{mpsc, watch};
use writes::{WRITE_WAIT, plan_write, record, who_for, wrote};

/// Why the loop ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ended {
    Quit,
    Signal(&'static str),
    InputClosed,
}

/// What the console wants read: the open service and task, the board rows on screen.
fn intent(ui: &UiState, vis: &Visible, refresh: u64) -> crate::store::Intent {
    crate::store::Intent {
        focus: ui.focus(),
        open_task: ui.open_task().map(str::to_owned),
        on_screen: vis.board_rows.clone(),
        refresh,
        exhaustive: false,
        also_open: Vec::new(),
    }
}

/// How the console is started, beyond the data source.
#[derive(Default)]
pub struct Options {
    pub writes: Writes,
    pub recorder: Option<Recorder>,
    /// Shown as the file being recorded to.
    pub recording_label: Option<String>,
    /// Who makes writes: the local user and the AWS profile.
    pub who: String,
    /// Where failures, recoveries and writes are logged (see [`crate::logfile`]).
    pub log: Option<crate::logfile::LogFile>,
    /// Each target's budget (its account × Region's quotas): the pace sizes the fleet
    /// rounds; the busiest use is shown in the header.
    pub budgets: Vec<Arc<crate::aws::metered::Budget>>,
    /// Said on the status line when the console opens (e.g. why it is not shared).
    pub notice: Option<String>,
}

/// What background work reports back to the loop.
enum Done {
    /// A rollback target was looked up.
    Planned(Result<WriteOp, String>),
    /// A write finished.
    Wrote(WriteOp, Result<(), String>),
    /// The AWS principal this viewer's credentials are (a shared session marks notes with it).
    Principal(String),
    /// The running tasks of a service were listed (for `X`).
    Listed(
        crate::model::ServiceKey,
        Result<Vec<crate::model::TaskChoice>, String>,
    ),
}

/// The console over live data (AWS or the demo): one client per target (account × Region),
/// each with its own pollers, all feeding one store.
pub async fn run<A: AwsApi>(
    targets: Vec<(crate::store::PlaceState, Arc<A>)>,
    pb: Playbook,
    theme: Theme,
    keymap: Keymap,
    opts: Options,
) -> Result<Ended, Exit> {
    let (states, apis): (Vec<_>, Vec<_>) = targets.into_iter().unzip();
    let mut store = Store::with_places(states, Arc::new(pb));
    if let Some(b) = opts.budgets.first() {
        store.pace = b.pace();
    }
    let ui = UiState {
        writes: opts.writes,
        recording: opts.recording_label.clone(),
        ..Default::default()
    };
    let want = intent(&ui, &Visible::default(), 0);
    let (update_tx, updates) = mpsc::channel(256);
    let mut plan_txs = Vec::new();
    let mut pollers = Vec::new();
    for (i, api) in apis.iter().enumerate() {
        let t = crate::model::PlaceIx::try_from(i).unwrap_or(crate::model::PlaceIx::MAX);
        let (tx, rx) = watch::channel(store.plan_of(t, &want));
        pollers.extend(runner::spawn(t, api.clone(), rx, update_tx.clone()));
        plan_txs.push(tx);
    }
    drop(update_tx);
    let feed = Feed::Live {
        apis,
        store: Box::new(store),
        plan_txs,
        refresh: 0,
        hub: None,
        shared: None,
    };
    let (_keep, shared_in) = mpsc::channel::<Record>(1);
    let ended = run_loop(feed, updates, shared_in, ui, theme, keymap, opts).await;
    for p in pollers {
        p.abort();
    }
    ended
}

/// The console as a viewer of a shared session: the hub's pollers read (`updates`), this
/// console keeps its own store, navigation and size, and tells the hub what it has open
/// (`intents`); its own clients (`targets`) make its writes, with its own credentials.
pub async fn run_viewer<A: AwsApi>(
    targets: Vec<(crate::store::PlaceState, Arc<A>)>,
    pb: Playbook,
    theme: Theme,
    keymap: Keymap,
    opts: Options,
    hub: crate::share::viewer::Attached,
) -> Result<Ended, Exit> {
    let mut opts = opts;
    if let Some(r) = opts.recorder.as_mut() {
        // the hub's last hour arrives at once
        r.allow_backlog(crate::share::viewer::HISTORY_BURST);
    }
    opts.notice = Some(format!(
        "shared session: {} console(s) on the hub (ecswatch {})",
        hub.viewers, hub.hub_version
    ));
    let crate::share::viewer::Attached {
        updates,
        intents,
        timeline_out,
        timeline_in,
        ..
    } = hub;
    let (states, apis): (Vec<_>, Vec<_>) = targets.into_iter().unzip();
    let store = Store::with_places(states, Arc::new(pb));
    let ui = UiState {
        writes: opts.writes,
        recording: opts.recording_label.clone(),
        ..Default::default()
    };
    let _ = intents.try_send(intent(&ui, &Visible::default(), 0));
    let feed = Feed::Live {
        apis,
        store: Box::new(store),
        plan_txs: Vec::new(),
        refresh: 0,
        hub: Some(intents),
        shared: Some(timeline_out),
    };
    run_loop(feed, updates, timeline_in, ui, theme, keymap, opts).await
}

/// The console over a recording: no AWS, nothing can be changed.
pub async fn replay(player: Player, theme: Theme, keymap: Keymap) -> Result<Ended, Exit> {
    let ui = UiState {
        writes: Writes::Replay,
        replay: Some(ReplayClock {
            speed: 1,
            paused: false,
            start: player.start(),
            end: player.end(),
        }),
        ..Default::default()
    };
    // no pollers: the update channel stays empty
    let (_keep, updates) = mpsc::channel::<Update>(1);
    let feed: Feed<crate::demo::DemoApi> = Feed::Replay {
        player: Box::new(player),
        last: std::time::Instant::now(),
    };
    let (_keep2, shared_in) = mpsc::channel::<Record>(1);
    run_loop(
        feed,
        updates,
        shared_in,
        ui,
        theme,
        keymap,
        Options::default(),
    )
    .await
}

async fn run_loop<A: AwsApi>(
    mut feed: Feed<A>,
    mut updates: mpsc::Receiver<Update>,
    mut shared_in: mpsc::Receiver<Record>,
    mut ui: UiState,
    theme: Theme,
    keymap: Keymap,
    mut opts: Options,
) -> Result<Ended, Exit> {
    terminal::install_panic_hook();
    let mut guard = terminal::TerminalGuard::enter()
        .map_err(|e| Exit::new(2, format!("cannot start the console: {e}")))?;
    let (key_tx, mut keys) = mpsc::channel(64);
    spawn_input(key_tx);
    let (done_tx, mut done) = mpsc::channel::<Done>(16);
    if let Some(api) = feed.shared_api() {
        // in a shared session notes say who: the Unix user, the profile and, once STS has
        // answered, the principal (the console does not wait for it)
        let tx = done_tx.clone();
        tokio::spawn(async move {
            let asked =
                tokio::time::timeout(std::time::Duration::from_secs(10), api.caller_identity());
            if let Ok(Ok(id)) = asked.await
                && !id.arn.is_empty()
            {
                let _ = tx.send(Done::Principal(id.arn)).await;
            }
        });
    }

    use tokio::signal::unix::{SignalKind, signal};
    let sig =
        |k| signal(k).map_err(|e| Exit::new(2, format!("cannot install signal handlers: {e}")));
    let (mut term, mut hup, mut int) = (
        sig(SignalKind::terminate())?,
        sig(SignalKind::hangup())?,
        sig(SignalKind::interrupt())?,
    );

    if let Some(log) = opts.log.as_mut() {
        let st = feed.store();
        log.line(
            chrono::Utc::now(),
            &format!(
                "console started: {}, writes {:?}, {}",
                st.places
                    .iter()
                    .map(|t| format!(
                        "region {} profile {} scope {:?}",
                        t.region,
                        t.spec.profile.as_deref().unwrap_or("(default chain)"),
                        t.spec.scope
                    ))
                    .collect::<Vec<_>>()
                    .join("; "),
                ui.writes,
                ui.recording.as_deref().unwrap_or("not recording")
            ),
        );
    }
    let mut logged_errors: std::collections::HashMap<
        (crate::model::PlaceIx, crate::model::Source),
        String,
    > = std::collections::HashMap::new();
    let tick_every = match feed {
        Feed::Live { .. } => Duration::from_secs(1),
        Feed::Replay { .. } => Duration::from_millis(250),
    };
    let mut tick = tokio::time::interval(tick_every);
    if let Some(n) = opts.notice.take() {
        ui.say(n);
    }
    let mut dirty = true;
    let mut ticks = 0u64;
    let mut vis = Visible::default();
    // writes under way: quitting waits for them, so each is recorded (and none is cut off)
    let mut writing: Vec<tokio::task::JoinHandle<()>> = Vec::new();
    let ended = loop {
        writing.retain(|h| !h.is_finished());
        if dirty {
            let now = feed.now();
            let area = guard.terminal.size().unwrap_or_default();
            let size = crate::view::Size {
                width: area.width,
                height: area.height,
            };
            let (screen, v) = crate::view::build(feed.store(), &ui, &keymap, now, size);
            let rows_moved = v.board_rows != vis.board_rows;
            vis = v;
            // the selections hold what was drawn under them; a row that disappeared is said
            let said = ui.settle(&vis);
            if rows_moved {
                // other rows on screen: their sparklines are read (only those not read yet)
                feed.replan(&ui, &vis, false);
            }
            if guard
                .terminal
                .draw(|f| crate::ui::render(f, &screen, &theme))
                .is_err()
            {
                break Ended::InputClosed;
            }
            dirty = said;
        }
        tokio::select! {
            Some(u) = updates.recv() => {
                let mut batch = vec![u];
                while let Ok(u) = updates.try_recv() {
                    batch.push(u);
                }
                for u in batch {
                    record(&mut opts, &mut ui, |r| r.update(&u));
                    log_source_change(&mut opts, &mut logged_errors, feed.store(), &u);
                    dirty |= feed.store_mut().apply(u);
                }
                feed.store_mut().refresh_findings(chrono::Utc::now());
                ui.places = crate::view::places(feed.store());
                feed.replan(&ui, &vis, false);
            }
            Some(rec) = shared_in.recv() => {
                // a note or action of the shared session (any viewer's, this one's too)
                record(&mut opts, &mut ui, |r| r.append(&rec));
                match rec {
                    Record::Note { note, .. } => feed.store_mut().add_note(note),
                    Record::Action { action, .. } => feed.store_mut().add_action(action),
                    _ => {}
                }
                dirty = true;
            }
            Some(d) = done.recv() => {
                dirty = true;
                match d {
                    Done::Planned(Ok(op)) => ui.prompt = Some(Prompt::new(PromptKind::Confirm(op))),
                    Done::Planned(Err(e)) => ui.say(e),
                    Done::Principal(arn) => opts.who = format!("{} as {arn}", opts.who),
                    Done::Listed(key, listed) => {
                        let (tasks, unlisted) = match listed {
                            Ok(t) if t.is_empty() => (t, Some("no running task listed: type a task id".to_string())),
                            Ok(t) => (t, None),
                            Err(e) => (Vec::new(), Some(format!("could not list the running tasks ({e}): type a task id"))),
                        };
                        ui.message = None;
                        ui.prompt = Some(Prompt::new(PromptKind::StopWhich { key, tasks, unlisted }));
                    }
                    Done::Wrote(op, result) => {
                        wrote(&mut feed, &mut ui, &mut opts, op, result);
                        feed.replan(&ui, &vis, true);
                    }
                }
            }
            ev = keys.recv() => {
                let Some(ev) = ev else { break Ended::InputClosed };
                dirty = true;
                let Event::Key(k) = ev else { continue };
                if k.kind == KeyEventKind::Release {
                    continue;
                }
                let ch = match k.code { KeyCode::Char(c) => Some(c), _ => None };
                let effect = if ui.prompt.is_some() {
                    ui.prompt_key(ch, k.code == KeyCode::Backspace, k.code == KeyCode::Enter, k.code == KeyCode::Esc)
                } else {
                    let consumed = ui.edit(
                        ch,
                        k.code == KeyCode::Backspace,
                        k.code == KeyCode::Enter,
                        k.code == KeyCode::Esc,
                    );
                    if consumed {
                        continue;
                    }
                    let Some(key) = Key::from_event(&k) else { continue };
                    let Some(action) = keymap.resolve_key(ui.layer(), key) else { continue };
                    ui.apply(action, &vis)
                };
                match effect {
                    Effect::None => {}
                    Effect::Replan => feed.replan(&ui, &vis, false),
                    Effect::RefreshNow => feed.replan(&ui, &vis, true),
                    Effect::Copy(text) => {
                        let mut out = std::io::stdout();
                        let _ = out.write_all(terminal::osc52(&text).as_bytes());
                        let _ = out.flush();
                        ui.say(format!("copied: {text}"));
                    }
                    Effect::Plan(req, key) => plan_write(&feed, &mut ui, req, key, &done_tx),
                    Effect::CheckTask(key, id) => {
                        if let Some(api) = feed.api_for(&key) {
                            let tx = done_tx.clone();
                            tokio::spawn(async move {
                                let r = crate::actions::stop_task_check(&*api, &key, &id).await;
                                let _ = tx.send(Done::Planned(r)).await;
                            });
                        }
                    }
                    Effect::Execute(op) => {
                        if let Some(api) = feed.api_for(op.key()) {
                            ui.say(format!("working: {} ...", op.describe()));
                            let (tx, who) = (done_tx.clone(), who_for(&opts, feed.store(), op.key()));
                            writing.push(tokio::spawn(async move {
                                let r = op.execute(&*api, &who).await.map_err(|e| e.to_string());
                                let _ = tx.send(Done::Wrote(op, r)).await;
                            }));
                        }
                    }
                    Effect::Exec(key, arn) => {
                        match crate::exec::preflight(feed.store(), &key, &arn, crate::exec::LocalTools::probe()) {
                            Ok(plan) => {
                                let mut out = std::io::stdout();
                                let _ = out.write_all(terminal::osc52(&plan.command()).as_bytes());
                                let _ = out.flush();
                                ui.prompt = Some(Prompt::new(PromptKind::Exec(plan)));
                            }
                            Err(e) => ui.say(e),
                        }
                    }
                    Effect::RunExec { task, argv } => {
                        let status = run_exec(&mut guard, &argv).await;
                        // a Ctrl-C meant for the session must not end the console
                        while tokio::time::timeout(Duration::from_millis(1), int.recv()).await.is_ok() {}
                        let line = format!(
                            "exec session in task {} ended: {status}",
                            crate::model::task_id(&task)
                        );
                        if let Some(log) = opts.log.as_mut() {
                            log.line(chrono::Utc::now(), &format!("{line} ({})", argv.join(" ")));
                        }
                        ui.say(line);
                    }
                    Effect::Note(service, text) => {
                        let shared = feed.shared();
                        let by = shared.is_some().then(|| opts.who.clone());
                        let note = Note { t: feed.now(), service, text, by };
                        let rec = Record::Note { t: chrono::Utc::now(), note: note.clone() };
                        if let Some(tx) = shared {
                            // it comes back from the hub with everyone's, and is recorded then
                            let _ = tx.try_send(rec);
                            ui.say("note sent to the shared timeline");
                        } else {
                            record(&mut opts, &mut ui, |r| r.append(&rec));
                            feed.store_mut().add_note(note);
                            ui.say(if matches!(feed, Feed::Replay { .. }) {
                                "note added (a replay's notes are not saved)"
                            } else {
                                "note added to the timeline"
                            });
                        }
                    }
                    Effect::Replay(ReplayCmd::PlayPause) => {
                        if let (Feed::Replay { player, .. }, Some(clock)) = (&mut feed, ui.replay.as_mut()) {
                            if clock.paused && player.position >= clock.end {
                                let start = player.start();
                                player.seek(start);
                            }
                            clock.paused = !clock.paused;
                        }
                    }
                    Effect::Replay(ReplayCmd::Seek(secs)) => {
                        if let Feed::Replay { player, .. } = &mut feed {
                            let to = player.position + chrono::Duration::seconds(secs);
                            player.seek(to);
                        }
                    }
                }
                if ui.quit {
                    break Ended::Quit;
                }
            }
            _ = tick.tick() => {
                dirty = true;
                ticks += 1;
                let readings: Vec<_> = opts.budgets.iter().map(|b| state::BudgetReading::of(b)).collect();
                if let Some(u) = state::ApiUse::from_readings(&readings) {
                    ui.api_use = Some(u);
                }
                if ticks == 3 && crate::fault::injected("panic-in-loop") {
                    panic!("injected fault: panic-in-loop");
                }
                let now = chrono::Utc::now();
                match &mut ui.message {
                    Some((_, at @ None)) => *at = Some(now),
                    Some((_, Some(at))) if (now - *at).num_seconds() >= 5 => ui.message = None,
                    _ => {}
                }
                if let (Feed::Replay { player, last }, Some(clock)) = (&mut feed, ui.replay.as_mut()) {
                    let wall = last.elapsed();
                    *last = std::time::Instant::now();
                    if !clock.paused {
                        let step = chrono::Duration::milliseconds(
                            (wall.as_millis() as i64).saturating_mul(i64::from(clock.speed)),
                        );
                        player.seek(player.position + step);
                        if player.position >= clock.end {
                            clock.paused = true;
                            ui.say("end of the recording: [ and ] move through it");
                        }
                    }
                }
            }
            _ = term.recv() => break Ended::Signal("SIGTERM"),
            _ = hup.recv() => break Ended::Signal("SIGHUP"),
            _ = int.recv() => break Ended::Signal("SIGINT"),
        }
    };
    drop(keys);
    drop(guard);
    terminal::restore();
    // a write confirmed before the console ended finishes and is recorded before the recorder
    // closes (dropping `opts`): at most WRITE_WAIT for all of them
    writing.retain(|h| !h.is_finished());
    if !writing.is_empty() {
        eprintln!(
            "ecswatch: waiting for {} write(s) under way to finish and be recorded ...",
            writing.len()
        );
    }
    let _ = tokio::time::timeout(WRITE_WAIT, async {
        for h in writing {
            let _ = h.await;
        }
    })
    .await;
    while let Ok(d) = done.try_recv() {
        if let Done::Wrote(op, result) = d {
            let line = match &result {
                Ok(()) => format!("ecswatch: done: {}", op.describe()),
                Err(e) => format!("ecswatch: FAILED: {}: {e}", op.describe()),
            };
            wrote(&mut feed, &mut ui, &mut opts, op, result);
            eprintln!("{line}");
        }
    }
    if let Some(log) = opts.log.as_mut() {
        log.line(chrono::Utc::now(), &format!("console ended: {ended:?}"));
    }
    Ok(ended)
}

/// Log a source starting to fail, failing differently, or recovering — not every failed poll.
fn log_source_change(
    opts: &mut Options,
    logged: &mut std::collections::HashMap<(crate::model::PlaceIx, crate::model::Source), String>,
    store: &Store,
    u: &Update,
) {
    let Some(log) = opts.log.as_mut() else {
        return;
    };
    let now: String = u
        .errors
        .iter()
        .map(|e| e.to_string())
        .collect::<Vec<_>>()
        .join("; ");
    let before = logged
        .get(&(u.place, u.source))
        .cloned()
        .unwrap_or_default();
    if now == before {
        return;
    }
    let name = if store.multi_target() {
        format!("{} {}", store.place(u.place).label(), u.source.name())
    } else {
        u.source.name().to_string()
    };
    if now.is_empty() {
        log.line(u.fetched_at, &format!("{name} recovered"));
    } else {
        log.line(u.fetched_at, &format!("{name} failing: {now}"));
    }
    logged.insert((u.place, u.source), now);
}
