//! UI state (what is open, selected, filtered) and how actions change it. Pure: no I/O.

use crate::keymap::{Action, Layer};
use crate::model::{ServiceKey, Time};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum View {
    Board,
    Service(ServiceKey),
    Task(ServiceKey, String),
}

/// The panes of the service view, in focus order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Pane {
    Findings,
    Events,
    Tasks,
    Targets,
    Metrics,
    Logs,
}

impl Pane {
    pub const ALL: [Pane; 6] = [
        Pane::Findings,
        Pane::Events,
        Pane::Tasks,
        Pane::Targets,
        Pane::Metrics,
        Pane::Logs,
    ];

    pub fn title(self) -> &'static str {
        match self {
            Pane::Findings => "Findings",
            Pane::Events => "Events",
            Pane::Tasks => "Stopped tasks",
            Pane::Targets => "Targets",
            Pane::Metrics => "Metrics",
            Pane::Logs => "Logs",
        }
    }

    fn index(self) -> usize {
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
    pub board_selected: usize,
    pub board_filter: String,
    pub sort: Sort,
    pub pane: Pane,
    pub pane_selected: [usize; 6],
    pub task_selected: usize,
    pub log_filter: String,
    pub editing: Option<Editing>,
    /// A short message in the footer ("copied ...") and when it was set.
    pub message: Option<(String, Time)>,
    pub quit: bool,
}

impl Default for UiState {
    fn default() -> Self {
        Self {
            stack: vec![View::Board],
            help: false,
            board_selected: 0,
            board_filter: String::new(),
            sort: Sort::Worst,
            pane: Pane::Findings,
            pane_selected: [0; 6],
            task_selected: 0,
            log_filter: String::new(),
            editing: None,
            message: None,
            quit: false,
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
}

/// What the current screen shows, for actions that depend on it (set by the view builder).
#[derive(Debug, Clone, Default)]
pub struct Visible {
    /// How many rows the board has (after the filter).
    pub board_len: usize,
    /// The service of the selected board row.
    pub board_selected: Option<ServiceKey>,
    /// Rows of each service pane.
    pub pane_rows: [usize; 6],
    /// Task ARNs of the stopped-tasks pane rows.
    pub task_rows: Vec<Option<String>>,
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
        }
    }

    pub fn focus(&self) -> Option<ServiceKey> {
        match self.view() {
            View::Board => None,
            View::Service(k) | View::Task(k, _) => Some(k.clone()),
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
        } else if let Some(c) = c.filter(|c| !c.is_control()) {
            if field.chars().count() < 64 {
                field.push(c);
            }
        }
        if which == Editing::BoardFilter {
            self.board_selected = 0;
        }
        true
    }

    pub fn apply(&mut self, action: Action, vis: &Visible) -> Effect {
        let page = vis.page.max(1);
        if self.help {
            if matches!(action, Action::Back | Action::Help) {
                self.help = false;
            } else if action == Action::Quit {
                self.quit = true;
            }
            return Effect::None;
        }
        match action {
            Action::Quit => {
                self.quit = true;
                Effect::None
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
                Effect::None
            }
            Action::Open => match self.view().clone() {
                View::Board => match vis.board_selected.as_ref() {
                    Some(key) => {
                        self.stack.push(View::Service(key.clone()));
                        self.pane = Pane::Findings;
                        self.pane_selected = [0; 6];
                        Effect::Replan
                    }
                    None => Effect::None,
                },
                View::Service(key) => {
                    if self.pane != Pane::Tasks {
                        self.pane = Pane::Tasks;
                        return Effect::None;
                    }
                    let row = self.pane_selected[Pane::Tasks.index()];
                    match vis.task_rows.get(row).cloned().flatten() {
                        Some(arn) => {
                            self.stack.push(View::Task(key, arn));
                            self.task_selected = 0;
                            Effect::None
                        }
                        None => Effect::None,
                    }
                }
                View::Task(..) => Effect::None,
            },
            Action::Up
            | Action::Down
            | Action::PageUp
            | Action::PageDown
            | Action::Top
            | Action::Bottom => {
                let (sel, len) = match self.view() {
                    View::Board => (&mut self.board_selected, vis.board_len),
                    View::Service(_) => {
                        let i = self.pane.index();
                        (&mut self.pane_selected[i], vis.pane_rows[i])
                    }
                    View::Task(..) => (&mut self.task_selected, usize::MAX / 2),
                };
                let last = len.saturating_sub(1);
                *sel = match action {
                    Action::Up => sel.saturating_sub(1),
                    Action::Down => (*sel + 1).min(last),
                    Action::PageUp => sel.saturating_sub(page),
                    Action::PageDown => (*sel + page).min(last),
                    Action::Top => 0,
                    _ => last,
                };
                Effect::None
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vis(n: usize) -> Visible {
        Visible {
            board_len: n,
            board_selected: Some(ServiceKey::new("prod", format!("s{}", n - 1))),
            page: 10,
            task_rows: vec![None, Some("arn:task/1".into())],
            pane_rows: [3, 3, 2, 3, 3, 3],
            ..Default::default()
        }
    }

    #[test]
    fn board_navigation_open_and_back() {
        let mut ui = UiState::default();
        let v = vis(3);
        ui.apply(Action::Down, &v);
        ui.apply(Action::Down, &v);
        ui.apply(Action::Down, &v);
        assert_eq!(ui.board_selected, 2);
        assert_eq!(ui.apply(Action::Open, &v), Effect::Replan);
        assert_eq!(ui.view(), &View::Service(ServiceKey::new("prod", "s2")));
        assert_eq!(ui.focus(), Some(ServiceKey::new("prod", "s2")));
        // enter in the service view goes to the tasks pane, then opens the selected task
        assert_eq!(ui.apply(Action::Open, &v), Effect::None);
        assert_eq!(ui.pane, Pane::Tasks);
        ui.apply(Action::Down, &v);
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
        assert_eq!(ui.board_selected, 0);
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
}
