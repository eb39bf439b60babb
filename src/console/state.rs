//! UI state (what is open, selected, filtered) and how actions change it. Pure: no I/O.

pub use super::api_use::{ApiUse, BudgetReading};
pub use super::prompt::{Prompt, PromptKind, confirm_word};
use super::selection::{Move, Resolved, Selection, moved, settle};
use crate::actions::{Request, WriteOp};
use crate::keymap::{Action, Layer};
use crate::model::{ServiceKey, Time};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum View {
    Board,
    Service(ServiceKey),
    Task(ServiceKey, String),
    /// The incident timeline of one service, or of every service (`None`).
    Timeline(Option<ServiceKey>),
}

/// Whether write actions may run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Writes {
    #[default]
    ReadOnly,
    Allowed,
    /// A replay: nothing can be changed.
    Replay,
}

/// The replay clock, shown in the header.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ReplayClock {
    pub speed: u32,
    pub paused: bool,
    pub start: Time,
    pub end: Time,
}

/// Replay speeds, slowest first.
pub const SPEEDS: [u32; 8] = [1, 2, 4, 8, 16, 32, 60, 300];

/// A replay command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReplayCmd {
    /// Move by this many seconds of recording time.
    Seek(i64),
    /// Pause, or play (from the start when at the end).
    PlayPause,
}

/// The panes of the service view, in focus order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Pane {
    Findings,
    Events,
    Tasks,
    Targets,
    Scaling,
    Metrics,
    Logs,
}

/// How many panes the service view has.
pub const PANES: usize = Pane::ALL.len();

impl Pane {
    pub const ALL: [Pane; 7] = [
        Pane::Findings,
        Pane::Events,
        Pane::Tasks,
        Pane::Targets,
        Pane::Scaling,
        Pane::Metrics,
        Pane::Logs,
    ];

    pub fn title(self) -> &'static str {
        match self {
            Pane::Findings => "Findings",
            Pane::Events => "Events",
            Pane::Tasks => "Tasks",
            Pane::Targets => "Targets",
            Pane::Scaling => "Scaling",
            Pane::Metrics => "Metrics",
            Pane::Logs => "Logs",
        }
    }

    pub fn index(self) -> usize {
        Pane::ALL.iter().position(|p| *p == self).unwrap_or(0)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sort {
    Worst,
    Name,
}

/// Which text field is being typed into.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Editing {
    BoardFilter,
    LogFilter,
}

#[derive(Debug, Clone)]
pub struct UiState {
    pub stack: Vec<View>,
    pub help: bool,
    /// The board's selected service (by key: the board re-sorts worst first under it).
    pub board: Selection<ServiceKey>,
    pub board_filter: String,
    pub sort: Sort,
    pub pane: Pane,
    /// The pane shown beside the findings when the screen is wide (the last other pane
    /// chosen).
    pub side: Pane,
    /// Each service pane's selected row, by identity: a finding id, an event id, a task ARN, a
    /// target (`group-arn|id:port`), a log event id; `#N` for rows that are places (headers,
    /// metric and scaling lines). The Logs pane follows its tail while nothing is selected.
    pub panes: [Selection<String>; PANES],
    /// Task detail's scroll position (its lines are a document, not a list of things).
    pub task_selected: usize,
    pub log_filter: String,
    pub editing: Option<Editing>,
    /// A short message in the footer ("copied ...") and when it was set (wall clock).
    /// The status line's message and when it was first drawn (`None` until the app loop, which
    /// owns the clock, stamps it; it clears the message 5 s later).
    pub message: Option<(String, Option<Time>)>,
    pub quit: bool,
    /// The timeline's selected entry (by [`crate::store::Entry::id`]); it follows the newest
    /// entry until the user moves.
    pub timeline: Selection<u64>,
    pub help_scroll: usize,
    pub prompt: Option<Prompt>,
    pub writes: Writes,
    pub replay: Option<ReplayClock>,
    /// `REC file`, or why recording stopped.
    pub recording: Option<String>,
    /// What ecswatch costs the account, refreshed every second (live consoles only).
    pub api_use: Option<ApiUse>,
    /// With several targets, each one's `account-label/region` (by target index): a write is
    /// confirmed by typing `service@account/region`, naming where it lands.
    pub places: Vec<String>,
}

/// A pane row's identity as the footer names it: a task's id, a target's `id:port`, an event
/// or finding id.
fn row_label(id: &str) -> &str {
    let tail = id.rsplit('|').next().unwrap_or(id);
    if tail.starts_with("arn:") {
        crate::model::task_id(tail)
    } else {
        tail
    }
}

impl Default for UiState {
    fn default() -> Self {
        Self {
            stack: vec![View::Board],
            help: false,
            board: Selection::default(),
            board_filter: String::new(),
            sort: Sort::Worst,
            pane: Pane::Findings,
            side: Pane::Tasks,
            panes: Default::default(),
            task_selected: 0,
            log_filter: String::new(),
            editing: None,
            message: None,
            quit: false,
            timeline: Selection::follow_last(),
            help_scroll: 0,
            prompt: None,
            api_use: None,
            places: Vec::new(),
            writes: Writes::ReadOnly,
            replay: None,
            recording: None,
        }
    }
}

/// What the app must do after an action, beyond redrawing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    None,
    /// Scope changed: re-plan the pollers (focus).
    Replan,
    RefreshNow,
    /// Copy this text to the clipboard (OSC 52).
    Copy(String),
    /// Plan a write for this service (the app reads the store, then asks to confirm).
    Plan(Request, ServiceKey),
    /// Check that this task id is a running task of the service before asking to stop it.
    CheckTask(ServiceKey, String),
    /// The user confirmed: make the call.
    Execute(WriteOp),
    /// Add a note to the timeline.
    Note(Option<ServiceKey>, String),
    /// Run ECS Exec's preflight for this task of this service.
    Exec(ServiceKey, String),
    /// Hand the terminal to `aws ecs execute-command` (this argv) for this task, and come back.
    RunExec {
        task: String,
        argv: Vec<String>,
    },
    Replay(ReplayCmd),
}

/// What the current screen shows, for actions that depend on it (set by the view builder).
#[derive(Debug, Clone, Default)]
pub struct Visible {
    /// The board's selection as drawn (its rows after the filter).
    pub board: Resolved<ServiceKey>,
    /// The service of the selected board row.
    pub board_selected: Option<ServiceKey>,
    /// The services of the board rows on screen (empty off the board).
    pub board_rows: Vec<ServiceKey>,
    /// Each service pane's selection as drawn.
    pub panes: [Resolved<String>; PANES],
    /// Task ARNs of the tasks pane rows (running, then stopped).
    pub task_rows: Vec<Option<String>>,
    /// The timeline's selection as drawn.
    pub timeline: Resolved<u64>,
    /// What `copy` copies in the current view and selection.
    pub copy: Option<String>,
    /// Rows that fit on one page.
    pub page: usize,
}

impl UiState {
    pub fn view(&self) -> &View {
        self.stack.last().unwrap_or(&View::Board)
    }

    pub fn layer(&self) -> Layer {
        if self.help {
            return Layer::Help;
        }
        match self.view() {
            View::Board => Layer::Board,
            View::Service(_) => Layer::Service,
            View::Task(..) => Layer::Task,
            View::Timeline(_) => Layer::Timeline,
        }
    }

    /// The stopped task open in task detail, if any.
    pub fn open_task(&self) -> Option<&str> {
        match self.view() {
            View::Task(_, arn) => Some(arn),
            _ => None,
        }
    }

    pub fn focus(&self) -> Option<ServiceKey> {
        match self.view() {
            View::Board | View::Timeline(None) => None,
            View::Service(k) | View::Task(k, _) | View::Timeline(Some(k)) => Some(k.clone()),
        }
    }

    /// The service a write or note is about: the one open, else the board's selection.
    fn target(&self, vis: &Visible) -> Option<ServiceKey> {
        self.focus().or_else(|| match self.view() {
            View::Board => vis.board_selected.clone(),
            _ => None,
        })
    }

    /// After a draw, each list holds what was drawn under its selection (identities filled in;
    /// a row that disappeared gives way to its neighbour, and the footer says so). Returns
    /// whether a message was added (the screen is drawn again).
    pub fn settle(&mut self, vis: &Visible) -> bool {
        let mut said = None;
        if let Some(gone) = settle(&mut self.board, &vis.board) {
            said = Some(match &self.board.id {
                Some(now) => format!(
                    "{} is no longer listed: selected {}",
                    gone.service, now.service
                ),
                None => format!("{} is no longer listed", gone.service),
            });
        }
        for p in Pane::ALL {
            let i = p.index();
            // the log pane follows its tail while nothing in it is selected
            if p == Pane::Logs && self.panes[i] == Selection::default() {
                continue;
            }
            if let Some(gone) = settle(&mut self.panes[i], &vis.panes[i])
                && !gone.starts_with('#')
            {
                let now = self.panes[i].id.as_deref().map(row_label);
                said = Some(format!(
                    "{}: {} is gone{}",
                    p.title(),
                    row_label(&gone),
                    now.map(|n| format!(": selected {n}")).unwrap_or_default()
                ));
            }
        }
        settle(&mut self.timeline, &vis.timeline);
        match said {
            Some(m) => {
                self.say(m);
                true
            }
            None => false,
        }
    }

    pub fn say(&mut self, msg: impl Into<String>) {
        self.message = Some((msg.into(), None));
    }

    pub fn apply(&mut self, action: Action, vis: &Visible) -> Effect {
        let page = vis.page.max(1);
        if self.help {
            match action {
                Action::Back | Action::Help => {
                    self.help = false;
                    self.help_scroll = 0;
                }
                Action::Quit => self.quit = true,
                Action::Down => self.help_scroll = (self.help_scroll + 1).min(200),
                Action::Up => self.help_scroll = self.help_scroll.saturating_sub(1),
                Action::PageDown => self.help_scroll = (self.help_scroll + page).min(200),
                Action::PageUp => self.help_scroll = self.help_scroll.saturating_sub(page),
                _ => {}
            }
            return Effect::None;
        }
        match action {
            Action::Quit => {
                self.quit = true;
                Effect::None
            }
            Action::Timeline => {
                if let View::Timeline(_) = self.view() {
                    self.stack.pop();
                } else {
                    self.stack.push(View::Timeline(self.focus()));
                    self.timeline = Selection::follow_last();
                }
                Effect::None
            }
            Action::Note => {
                self.prompt = Some(Prompt::new(PromptKind::Note(self.focus())));
                Effect::None
            }
            Action::Rollback
            | Action::Redeploy
            | Action::Scale
            | Action::StopTask
            | Action::AbortDeployment
            | Action::ContinueHook
            | Action::RollbackHook => {
                let req = match action {
                    Action::Rollback => Request::Rollback,
                    Action::Redeploy => Request::Redeploy,
                    Action::Scale => Request::Scale,
                    Action::AbortDeployment => Request::AbortDeployment,
                    Action::ContinueHook => Request::ContinueHook,
                    Action::RollbackHook => Request::RollbackHook,
                    _ => Request::StopTask,
                };
                match (self.writes, self.target(vis)) {
                    (Writes::Replay, _) => {
                        self.say("this is a replay of a recording: nothing can be changed");
                        Effect::None
                    }
                    // the planner says why a write does not apply before it says read-only
                    (Writes::ReadOnly, Some(key)) => Effect::Plan(req, key),
                    (Writes::ReadOnly, None) => {
                        self.say(format!(
                            "read-only: to {} start ecswatch with --allow-writes (every write asks you to type the service name)",
                            req.verb()
                        ));
                        Effect::None
                    }
                    (Writes::Allowed, None) => {
                        self.say(format!("select a service to {}", req.verb()));
                        Effect::None
                    }
                    (Writes::Allowed, Some(key)) => Effect::Plan(req, key),
                }
            }
            Action::Exec => {
                if self.writes == Writes::Replay {
                    self.say(
                        "this is a replay of a recording: there is no task to open a shell in",
                    );
                    return Effect::None;
                }
                let task = match self.view() {
                    View::Task(key, arn) => Some((key.clone(), arn.clone())),
                    View::Service(key) if self.pane == Pane::Tasks => vis.panes
                        [Pane::Tasks.index()]
                    .index
                    .and_then(|row| vis.task_rows.get(row).cloned().flatten())
                    .map(|arn| (key.clone(), arn)),
                    _ => None,
                };
                match task {
                    Some((key, arn)) => Effect::Exec(key, arn),
                    None => {
                        self.say(
                            "select a running task in the Tasks pane (tab to it), then press e",
                        );
                        Effect::None
                    }
                }
            }
            Action::PlayPause | Action::Faster | Action::Slower => {
                let Some(clock) = self.replay.as_mut() else {
                    self.say("only while replaying a recording (ecswatch replay FILE)");
                    return Effect::None;
                };
                let i = SPEEDS.iter().position(|s| *s == clock.speed).unwrap_or(0);
                match action {
                    Action::PlayPause => return Effect::Replay(ReplayCmd::PlayPause),
                    Action::Faster => clock.speed = SPEEDS[(i + 1).min(SPEEDS.len() - 1)],
                    _ => clock.speed = SPEEDS[i.saturating_sub(1)],
                }
                Effect::None
            }
            Action::SeekBack | Action::SeekForward => {
                if self.replay.is_none() {
                    self.say("only while replaying a recording (ecswatch replay FILE)");
                    return Effect::None;
                }
                Effect::Replay(ReplayCmd::Seek(if action == Action::SeekBack {
                    -60
                } else {
                    60
                }))
            }
            Action::Help => {
                self.help = true;
                Effect::None
            }
            Action::Refresh => Effect::RefreshNow,
            Action::Copy => vis.copy.clone().map(Effect::Copy).unwrap_or(Effect::None),
            Action::Back => {
                if self.stack.len() > 1 {
                    self.stack.pop();
                    Effect::Replan
                } else if !self.board_filter.is_empty() {
                    self.board_filter.clear();
                    Effect::None
                } else {
                    Effect::None
                }
            }
            Action::Filter => {
                self.editing = Some(match self.view() {
                    View::Board => Editing::BoardFilter,
                    _ => {
                        self.pane = Pane::Logs;
                        self.side = Pane::Logs;
                        Editing::LogFilter
                    }
                });
                Effect::None
            }
            Action::Sort => {
                self.sort = match self.sort {
                    Sort::Worst => Sort::Name,
                    Sort::Name => Sort::Worst,
                };
                Effect::None
            }
            Action::NextPane | Action::PrevPane => {
                let n = Pane::ALL.len();
                let i = self.pane.index();
                let next = if action == Action::NextPane {
                    (i + 1) % n
                } else {
                    (i + n - 1) % n
                };
                self.pane = Pane::ALL[next];
                if self.pane != Pane::Findings {
                    self.side = self.pane;
                }
                Effect::None
            }
            Action::Open => match self.view().clone() {
                View::Board => match vis.board_selected.as_ref() {
                    Some(key) => {
                        self.stack.push(View::Service(key.clone()));
                        self.pane = Pane::Findings;
                        self.panes = Default::default();
                        Effect::Replan
                    }
                    None => Effect::None,
                },
                View::Service(key) => {
                    if self.pane != Pane::Tasks {
                        self.pane = Pane::Tasks;
                        self.side = Pane::Tasks;
                        return Effect::None;
                    }
                    let row = vis.panes[Pane::Tasks.index()].index;
                    match row.and_then(|r| vis.task_rows.get(r).cloned().flatten()) {
                        Some(arn) => {
                            self.stack.push(View::Task(key, arn));
                            self.task_selected = 0;
                            // its own log stream is read
                            Effect::Replan
                        }
                        None => Effect::None,
                    }
                }
                View::Task(..) | View::Timeline(_) => Effect::None,
            },
            Action::Up
            | Action::Down
            | Action::PageUp
            | Action::PageDown
            | Action::Top
            | Action::Bottom => {
                let m = match action {
                    Action::Up => Move::Up,
                    Action::Down => Move::Down,
                    Action::PageUp => Move::PageUp,
                    Action::PageDown => Move::PageDown,
                    Action::Top => Move::Top,
                    _ => Move::Bottom,
                };
                match self.view() {
                    View::Board => self.board = moved(&vis.board, m, page),
                    View::Service(_) => {
                        let i = self.pane.index();
                        let next = moved(&vis.panes[i], m, page);
                        // the log pane's top place is its tail, followed
                        self.panes[i] = if self.pane == Pane::Logs && next.at == 0 {
                            Selection::default()
                        } else {
                            next
                        };
                    }
                    View::Task(..) => {
                        // clamped when drawn
                        let (sel, last) = (self.task_selected, usize::MAX / 2);
                        self.task_selected = match m {
                            Move::Up => sel.saturating_sub(1),
                            Move::Down => (sel + 1).min(last),
                            Move::PageUp => sel.saturating_sub(page),
                            Move::PageDown => (sel + page).min(last),
                            Move::Top => 0,
                            Move::Bottom => last,
                        };
                    }
                    View::Timeline(_) => self.timeline = moved(&vis.timeline, m, page),
                }
                Effect::None
            }
        }
    }
}
