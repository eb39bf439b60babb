//! UI state (what is open, selected, filtered) and how actions change it. Pure: no I/O.

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

/// A question in the footer: a note, a desired count, a task id, or a write to confirm.
#[derive(Debug, Clone, PartialEq)]
pub enum PromptKind {
    Note(Option<ServiceKey>),
    ScaleTo {
        key: ServiceKey,
        from: i32,
    },
    /// Which task to stop: the service's running tasks as listed (pick one by number), or any
    /// task id typed.
    StopWhich {
        key: ServiceKey,
        tasks: Vec<crate::model::TaskChoice>,
        /// Why the running tasks could not be listed, if they could not.
        unlisted: Option<String>,
    },
    Confirm(WriteOp),
    /// ECS Exec's preflight and command; with writes allowed and nothing missing, typing the
    /// task id runs it.
    Exec(crate::exec::ExecPlan),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Prompt {
    pub kind: PromptKind,
    pub input: String,
    /// Why the last Enter was refused.
    pub error: Option<String>,
}

impl Prompt {
    pub fn new(kind: PromptKind) -> Self {
        Self {
            kind,
            input: String::new(),
            error: None,
        }
    }
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
    pub message: Option<(String, Time)>,
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

/// What must be typed to confirm a write: the service name (the task id for a StopTask: the
/// service name would not confirm *which* task), and with several targets `@account/region`
/// too (`places` as in [`UiState::places`]).
pub fn confirm_word(places: &[String], op: &WriteOp) -> String {
    let key = op.key();
    let word = match op {
        WriteOp::StopTask { task, .. } => crate::model::task_id(task).to_string(),
        _ => key.service.clone(),
    };
    match places.get(usize::from(key.target)) {
        Some(place) if places.len() > 1 => format!("{word}@{place}"),
        _ => word,
    }
}

/// The header's cost figure: the busiest shared quota and the CloudWatch bill.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiUse {
    /// Percent of the busiest quota's account-wide rate used over the last minute.
    pub busiest_percent: f64,
    pub busiest: &'static str,
    /// ecswatch's cap (`--api-share`).
    pub share_percent: f64,
    pub throttled: u64,
    /// GetMetricData at the recent rate, in dollars per hour.
    pub dollars_per_hour: f64,
}

impl ApiUse {
    /// Several targets (each an account × Region with its own quotas): the busiest quota of
    /// any of them against its own account's rate, the throttles and the bill of all.
    pub fn from_budgets(budgets: &[std::sync::Arc<crate::aws::metered::Budget>]) -> Option<Self> {
        let all: Vec<Self> = budgets.iter().map(|b| Self::from_budget(b)).collect();
        let busiest = all
            .iter()
            .max_by(|a, b| a.busiest_percent.total_cmp(&b.busiest_percent))?;
        Some(Self {
            throttled: all.iter().map(|u| u.throttled).sum(),
            dollars_per_hour: all.iter().map(|u| u.dollars_per_hour).sum(),
            ..busiest.clone()
        })
    }

    pub fn from_budget(b: &crate::aws::metered::Budget) -> Self {
        let usage = b.usage();
        let busiest = usage
            .iter()
            .max_by(|a, c| a.percent_of_quota().total_cmp(&c.percent_of_quota()));
        Self {
            busiest_percent: busiest.map_or(0.0, |u| u.percent_of_quota()),
            busiest: busiest.map_or("", |u| u.quota.spec().name),
            share_percent: b.pace().share * 100.0,
            throttled: usage.iter().map(|u| u.throttled).sum(),
            dollars_per_hour: usage.iter().map(|u| u.metrics_per_hour).sum::<f64>()
                * crate::aws::metered::budget::DOLLARS_PER_METRIC,
        }
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
        self.message = Some((msg.into(), chrono::Utc::now()));
    }

    /// A key while a prompt is open (every key goes to it). Enter submits, Esc cancels.
    pub fn prompt_key(
        &mut self,
        c: Option<char>,
        backspace: bool,
        enter: bool,
        esc: bool,
    ) -> Effect {
        let Some(p) = self.prompt.as_mut() else {
            return Effect::None;
        };
        if esc {
            let was_write = !matches!(p.kind, PromptKind::Note(_));
            self.prompt = None;
            if was_write {
                self.say("cancelled: nothing changed");
            }
            return Effect::None;
        }
        if backspace {
            p.input.pop();
            return Effect::None;
        }
        if !enter {
            let max = if matches!(p.kind, PromptKind::Note(_)) {
                300
            } else {
                100
            };
            if let Some(c) = c.filter(|c| !c.is_control())
                && p.input.chars().count() < max
            {
                p.input.push(c);
            }
            return Effect::None;
        }
        let input = p.input.trim().to_string();
        match p.kind.clone() {
            PromptKind::Note(svc) => {
                self.prompt = None;
                if input.is_empty() {
                    return Effect::None;
                }
                Effect::Note(svc, input)
            }
            PromptKind::ScaleTo { key, from } => match input.parse::<i32>() {
                Ok(to) if (0..=5000).contains(&to) && to != from => {
                    self.prompt = Some(Prompt::new(PromptKind::Confirm(WriteOp::Scale {
                        key,
                        from,
                        to,
                    })));
                    Effect::None
                }
                Ok(to) if to == from => {
                    p.error = Some(format!("the desired count is already {from}"));
                    Effect::None
                }
                _ => {
                    p.error = Some("type a whole number from 0 to 5000".into());
                    Effect::None
                }
            },
            PromptKind::StopWhich { key, tasks, .. } => {
                let picked = input
                    .parse::<usize>()
                    .ok()
                    .filter(|n| (1..=tasks.len()).contains(n))
                    .and_then(|n| tasks.get(n - 1));
                let id = match picked {
                    Some(t) => t.id.clone(),
                    None => input.rsplit('/').next().unwrap_or("").to_string(),
                };
                if id.is_empty() || !id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
                    p.error = Some("type the task id (letters, digits and -)".into());
                    return Effect::None;
                }
                self.prompt = None;
                self.say(format!("checking task {id} ..."));
                Effect::CheckTask(key, id)
            }
            PromptKind::Exec(plan) => {
                if !plan.ready() || self.writes != Writes::Allowed {
                    self.prompt = None;
                    return Effect::None;
                }
                let word = crate::model::task_id(&plan.task).to_string();
                if input == word {
                    self.prompt = None;
                    Effect::RunExec {
                        task: plan.task.clone(),
                        argv: plan.argv.clone(),
                    }
                } else {
                    p.error = Some(format!("type {word} exactly to run it, or esc to cancel"));
                    p.input.clear();
                    Effect::None
                }
            }
            PromptKind::Confirm(op) => {
                let word = confirm_word(&self.places, &op);
                if input == word {
                    self.prompt = None;
                    Effect::Execute(op)
                } else {
                    p.error = Some(format!("type {word} exactly to confirm, or esc to cancel"));
                    p.input.clear();
                    Effect::None
                }
            }
        }
    }

    /// Typing into a filter: returns true when the key was consumed.
    pub fn edit(&mut self, c: Option<char>, backspace: bool, done: bool, cancel: bool) -> bool {
        let Some(which) = self.editing else {
            return false;
        };
        let field = match which {
            Editing::BoardFilter => &mut self.board_filter,
            Editing::LogFilter => &mut self.log_filter,
        };
        if cancel {
            field.clear();
            self.editing = None;
        } else if done {
            self.editing = None;
        } else if backspace {
            field.pop();
        } else if let Some(c) = c.filter(|c| !c.is_control())
            && field.chars().count() < 64
        {
            field.push(c);
        }
        if which == Editing::BoardFilter {
            self.board = Selection::default();
        }
        true
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::console::selection::resolve_ids;

    /// What the view draws for `ui`: a board of `board` (in that order), a tasks pane of a
    /// header and one task, three rows in every other pane; then the selections settle.
    fn draw(ui: &mut UiState, board: &[&str]) -> Visible {
        let keys: Vec<ServiceKey> = board.iter().map(|s| ServiceKey::new("prod", *s)).collect();
        let b = resolve_ids(&ui.board, &keys, 10);
        let mut panes: [Resolved<String>; PANES] = Default::default();
        for (i, r) in panes.iter_mut().enumerate() {
            let ids: Vec<String> = if i == Pane::Tasks.index() {
                vec!["#0".into(), "arn:task/1".into()]
            } else {
                (0..3).map(|n| format!("row{n}")).collect()
            };
            *r = resolve_ids(&ui.panes[i], &ids, 10);
        }
        let v = Visible {
            board_selected: b.id().cloned(),
            board: b,
            panes,
            page: 10,
            task_rows: vec![None, Some("arn:task/1".into())],
            ..Default::default()
        };
        ui.settle(&v);
        v
    }

    fn vis(n: usize) -> Visible {
        let names: Vec<String> = (0..n).map(|i| format!("s{i}")).collect();
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        draw(&mut UiState::default(), &names)
    }

    #[test]
    fn board_navigation_open_and_back() {
        let mut ui = UiState::default();
        let board = ["s0", "s1", "s2"];
        for _ in 0..3 {
            let v = draw(&mut ui, &board);
            ui.apply(Action::Down, &v);
        }
        let v = draw(&mut ui, &board);
        assert_eq!(ui.board.at, 2);
        assert_eq!(ui.board.id, Some(ServiceKey::new("prod", "s2")));
        assert_eq!(ui.apply(Action::Open, &v), Effect::Replan);
        assert_eq!(ui.view(), &View::Service(ServiceKey::new("prod", "s2")));
        assert_eq!(ui.focus(), Some(ServiceKey::new("prod", "s2")));
        // enter in the service view goes to the tasks pane, then opens the selected task
        let v = draw(&mut ui, &board);
        assert_eq!(ui.apply(Action::Open, &v), Effect::None);
        assert_eq!(ui.pane, Pane::Tasks);
        let v = draw(&mut ui, &board);
        ui.apply(Action::Down, &v);
        let v = draw(&mut ui, &board);
        ui.apply(Action::Open, &v);
        assert!(matches!(ui.view(), View::Task(_, arn) if arn == "arn:task/1"));
        ui.apply(Action::Back, &v);
        assert_eq!(ui.apply(Action::Back, &v), Effect::Replan);
        assert_eq!(ui.view(), &View::Board);
    }

    #[test]
    fn help_swallows_keys_until_closed() {
        let mut ui = UiState::default();
        let v = vis(3);
        ui.apply(Action::Help, &v);
        assert_eq!(ui.layer(), Layer::Help);
        ui.apply(Action::Down, &v);
        assert_eq!(ui.board.at, 0);
        ui.apply(Action::Back, &v);
        assert!(!ui.help);
    }

    #[test]
    fn filter_editing() {
        let mut ui = UiState::default();
        ui.apply(Action::Filter, &vis(3));
        assert!(ui.edit(Some('c'), false, false, false));
        ui.edit(Some('h'), false, false, false);
        ui.edit(None, true, false, false);
        assert_eq!(ui.board_filter, "c");
        ui.edit(None, false, true, false);
        assert_eq!(ui.editing, None);
        assert!(!ui.edit(Some('x'), false, false, false));
    }

    #[test]
    fn the_board_re_sorts_under_the_selection_and_enter_opens_it() {
        let mut ui = UiState::default();
        let v = draw(&mut ui, &["search-api", "checkout-api", "cart"]);
        ui.apply(Action::Down, &v);
        draw(&mut ui, &["search-api", "checkout-api", "cart"]);
        // checkout-api starts rolling back: worst first, it is on top now
        let v = draw(&mut ui, &["checkout-api", "search-api", "cart"]);
        assert_eq!(v.board.index, Some(0));
        assert_eq!(ui.apply(Action::Open, &v), Effect::Replan);
        assert_eq!(
            ui.view(),
            &View::Service(ServiceKey::new("prod", "checkout-api"))
        );
    }

    #[test]
    fn a_write_acts_on_the_service_drawn_under_the_selection() {
        let mut ui = UiState {
            writes: Writes::Allowed,
            ..Default::default()
        };
        let v = draw(&mut ui, &["a", "b", "c"]);
        ui.apply(Action::Down, &v);
        draw(&mut ui, &["a", "b", "c"]);
        let v = draw(&mut ui, &["c", "a", "b"]);
        assert_eq!(
            ui.apply(Action::Redeploy, &v),
            Effect::Plan(Request::Redeploy, ServiceKey::new("prod", "b"))
        );
    }

    #[test]
    fn a_service_that_disappears_gives_way_to_its_neighbour_and_the_footer_says_so() {
        let mut ui = UiState::default();
        let v = draw(&mut ui, &["a", "b", "c"]);
        ui.apply(Action::Down, &v);
        draw(&mut ui, &["a", "b", "c"]);
        draw(&mut ui, &["a", "c"]);
        assert_eq!(ui.board.id, Some(ServiceKey::new("prod", "c")));
        let (msg, _) = ui.message.clone().unwrap();
        assert_eq!(msg, "b is no longer listed: selected c");
    }

    #[test]
    fn the_tasks_pane_opens_the_task_drawn_under_the_selection() {
        let mut ui = UiState::default();
        let v = draw(&mut ui, &["a"]);
        ui.apply(Action::Open, &v);
        ui.pane = Pane::Tasks;
        let v = draw(&mut ui, &["a"]);
        ui.apply(Action::Down, &v);
        let v = draw(&mut ui, &["a"]);
        assert_eq!(
            ui.panes[Pane::Tasks.index()].id.as_deref(),
            Some("arn:task/1")
        );
        ui.apply(Action::Open, &v);
        assert!(matches!(ui.view(), View::Task(_, arn) if arn == "arn:task/1"));
    }
}
