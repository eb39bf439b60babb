//! The interactive console: the app loop is the one owner of state. Pollers send updates over a
//! channel; keys arrive from an input thread; the loop applies both, rebuilds the view model and
//! draws only when something changed (plus once a second, for "12s ago" labels).

pub mod state;
pub mod terminal;

use crate::aws::AwsApi;
use crate::commands::Exit;
use crate::diagnosis::Playbook;
use crate::keymap::{Key, Keymap};
use crate::poll::{PollPlan, Scope, runner};
use crate::store::Store;
use crate::theme::Theme;
use crossterm::event::{Event, KeyCode, KeyEventKind};
use state::{Effect, UiState, Visible};
use std::io::Write;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{mpsc, watch};

/// Why the loop ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ended {
    Quit,
    Signal(&'static str),
    InputClosed,
}

fn spawn_input(tx: mpsc::Sender<Event>) {
    std::thread::spawn(move || {
        loop {
            if tx.is_closed() {
                return;
            }
            match crossterm::event::poll(Duration::from_millis(250)) {
                Ok(true) => match crossterm::event::read() {
                    Ok(ev) => {
                        if tx.blocking_send(ev).is_err() {
                            return;
                        }
                    }
                    Err(_) => return,
                },
                Ok(false) => {}
                Err(_) => return,
            }
        }
    });
}

fn plan_for(store: &Store, ui: &UiState, refresh: u64) -> PollPlan {
    let mut plan = store.plan(ui.focus());
    plan.refresh = refresh;
    plan
}

pub async fn run<A: AwsApi>(
    api: A,
    scope: Scope,
    pb: Playbook,
    theme: Theme,
    keymap: Keymap,
) -> Result<Ended, Exit> {
    let api = Arc::new(api);
    let mut store = Store::new(scope, api.region(), Arc::new(pb));
    let mut ui = UiState::default();
    let mut refresh = 0u64;
    let (plan_tx, plan_rx) = watch::channel(plan_for(&store, &ui, refresh));
    let (update_tx, mut updates) = mpsc::channel(256);
    let pollers = runner::spawn(api.clone(), plan_rx, update_tx);

    terminal::install_panic_hook();
    let mut guard = terminal::TerminalGuard::enter()
        .map_err(|e| Exit::new(2, format!("cannot start the console: {e}")))?;
    let (key_tx, mut keys) = mpsc::channel(64);
    spawn_input(key_tx);

    use tokio::signal::unix::{SignalKind, signal};
    let sig =
        |k| signal(k).map_err(|e| Exit::new(2, format!("cannot install signal handlers: {e}")));
    let (mut term, mut hup, mut int) = (
        sig(SignalKind::terminate())?,
        sig(SignalKind::hangup())?,
        sig(SignalKind::interrupt())?,
    );

    let mut tick = tokio::time::interval(Duration::from_secs(1));
    let mut dirty = true;
    let mut vis = Visible::default();
    let ended = loop {
        if dirty {
            let now = chrono::Utc::now();
            let area = guard.terminal.size().unwrap_or_default();
            let size = crate::view::Size {
                width: area.width,
                height: area.height,
            };
            let (screen, v) = crate::view::build(&store, &ui, &keymap, now, size);
            vis = v;
            if guard
                .terminal
                .draw(|f| crate::ui::render(f, &screen, &theme))
                .is_err()
            {
                break Ended::InputClosed;
            }
            dirty = false;
        }
        tokio::select! {
            Some(u) = updates.recv() => {
                dirty |= store.apply(u);
                while let Ok(u) = updates.try_recv() {
                    dirty |= store.apply(u);
                }
                store.refresh_findings(chrono::Utc::now());
                plan_tx.send_if_modified(|p| {
                    let next = plan_for(&store, &ui, refresh);
                    let changed = *p != next;
                    *p = next;
                    changed
                });
            }
            ev = keys.recv() => {
                let Some(ev) = ev else { break Ended::InputClosed };
                dirty = true;
                let Event::Key(k) = ev else { continue };
                if k.kind == KeyEventKind::Release {
                    continue;
                }
                let consumed = ui.edit(
                    match k.code { KeyCode::Char(c) => Some(c), _ => None },
                    k.code == KeyCode::Backspace,
                    k.code == KeyCode::Enter,
                    k.code == KeyCode::Esc,
                );
                if consumed {
                    continue;
                }
                let Some(key) = Key::from_event(&k) else { continue };
                let Some(action) = keymap.resolve_key(ui.layer(), key) else { continue };
                match ui.apply(action, &vis) {
                    Effect::None => {}
                    Effect::Replan | Effect::RefreshNow => {
                        if action == crate::keymap::Action::Refresh {
                            refresh += 1;
                        }
                        plan_tx.send_replace(plan_for(&store, &ui, refresh));
                    }
                    Effect::Copy(text) => {
                        let mut out = std::io::stdout();
                        let _ = out.write_all(terminal::osc52(&text).as_bytes());
                        let _ = out.flush();
                        ui.message = Some((format!("copied: {text}"), chrono::Utc::now()));
                    }
                }
                if ui.quit {
                    break Ended::Quit;
                }
            }
            _ = tick.tick() => { dirty = true; }
            _ = term.recv() => break Ended::Signal("SIGTERM"),
            _ = hup.recv() => break Ended::Signal("SIGHUP"),
            _ = int.recv() => break Ended::Signal("SIGINT"),
        }
    };
    for p in pollers {
        p.abort();
    }
    drop(keys);
    drop(guard);
    terminal::restore();
    Ok(ended)
}
