//! Keys while a prompt is open: typing, Enter (a count, a confirm word, a task picked by number
//! or id, a note) and Esc.

use super::selection::Selection;
use super::state::*;
use crate::actions::WriteOp;
use crate::model::ServiceKey;

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

/// What must be typed to confirm a write: the service name (the task id for a StopTask: the
/// service name would not confirm *which* task), and with several targets `@account/region`
/// too (`places` as in [`UiState::places`]).
pub fn confirm_word(places: &[String], op: &WriteOp) -> String {
    let key = op.key();
    let word = match op {
        WriteOp::StopTask { task, .. } => crate::model::task_id(task).to_string(),
        _ => key.service.clone(),
    };
    match places.get(usize::from(key.place)) {
        Some(place) if places.len() > 1 => format!("{word}@{place}"),
        _ => word,
    }
}

impl UiState {
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
}
