//! The prompt as a box: what a write will change and what must be typed, the task to stop, the
//! ECS Exec preflight.

use super::*;

/// The prompt as a box: what will change, then the input.
pub(super) fn dialog(
    store: &Store,
    p: &crate::console::state::Prompt,
    writes: Writes,
    size: Size,
    now: Time,
) -> Block {
    use crate::console::state::PromptKind;
    let width = usize::from(size.width.saturating_sub(6)).clamp(20, 86);
    let mut lines: Vec<Line> = Vec::new();
    let (title, ask) = match &p.kind {
        PromptKind::Note(k) => (
            match k {
                Some(k) => format!("Note on {k}"),
                None => "Note".to_string(),
            },
            "note: ".to_string(),
        ),
        PromptKind::ScaleTo { key, from } => {
            lines.extend(wrap(
                "",
                &format!("{}: desired count is {from}", key.service),
                Meaning::Text,
                width,
            ));
            (
                "Change the desired count".into(),
                "new desired count: ".into(),
            )
        }
        PromptKind::StopWhich {
            key,
            tasks,
            unlisted,
        } => {
            lines.extend(wrap(
                "",
                &format!("stop a running task of {}", key.service),
                Meaning::Text,
                width,
            ));
            for (i, t) in tasks.iter().enumerate() {
                lines.push(vec![
                    s(format!("{:>3}  ", i + 1), Meaning::Key),
                    s(format!("{}  ", head(&t.id, 40)), Meaning::Text),
                    s(
                        format!(
                            "{}  {}{}",
                            t.task_definition,
                            t.last_status,
                            t.started_at
                                .map(|at| format!("  started {}", ago(now, at)))
                                .unwrap_or_default()
                        ),
                        Meaning::Dim,
                    ),
                ]);
            }
            if let Some(why) = unlisted {
                lines.extend(wrap("", why, Meaning::Stale, width));
            }
            let ask = if tasks.is_empty() {
                "task id: "
            } else {
                "number or task id: "
            };
            ("Stop a task".into(), ask.into())
        }
        PromptKind::Exec(plan) => exec_dialog(
            writes == Writes::Allowed,
            plan,
            (width, size.height),
            &mut lines,
        ),
        PromptKind::Confirm(op) => {
            lines.push(vec![s("This will change:", Meaning::Title)]);
            lines.extend(wrap("  ", &op.describe(), Meaning::StatusFailed, width));
            if let crate::actions::WriteOp::Rollback { why, .. } = op {
                lines.extend(wrap("  why this revision: ", why, Meaning::Dim, width));
            }
            let target = store.place(op.key().place);
            let mut cli = op.cli();
            if store.multi_target() {
                cli.push_str(&format!(" --region {}", target.region));
                if let Some(p) = &target.spec.profile {
                    cli.push_str(&format!(" --profile {p}"));
                }
            }
            lines.extend(wrap("  same as: ", &cli, Meaning::Dim, width));
            lines.push(vec![s(
                format!("  cluster {}, one API call", op.key().cluster),
                Meaning::Dim,
            )]);
            if store.multi_target() {
                lines.push(vec![s(
                    format!(
                        "  account {}, Region {}",
                        target
                            .account
                            .as_deref()
                            .map(|a| match &target.spec.alias {
                                Some(al) => format!("{a} ({al})"),
                                None => a.to_string(),
                            })
                            .unwrap_or_else(|| target.account_label()),
                        target.region
                    ),
                    Meaning::StatusFailed,
                )]);
            }
            lines.push(vec![]);
            (
                "Confirm a write".into(),
                format!(
                    "type {} to confirm: ",
                    crate::console::state::confirm_word(&places(store), op)
                ),
            )
        }
    };
    lines.push(vec![
        s(ask, Meaning::Key),
        s(format!("{}_", p.input), Meaning::Text),
    ]);
    if let Some(e) = &p.error {
        lines.extend(wrap("", e, Meaning::Error, width));
    }
    lines.push(vec![s("enter submit  esc cancel", Meaning::Dim)]);
    Block {
        title,
        focused: true,
        lines,
        ..Default::default()
    }
}

/// ECS Exec's preflight: each check, what is missing with its fix, the command (copied).
fn exec_dialog(
    writes: bool,
    plan: &crate::exec::ExecPlan,
    (width, height): (usize, u16),
    lines: &mut Vec<Line>,
) -> (String, String) {
    lines.extend(wrap(
        "",
        &format!(
            "shell in task {} (container {}) of {}",
            crate::model::task_id(&plan.task),
            plan.container,
            plan.key.service
        ),
        Meaning::Text,
        width,
    ));
    let checks = [
        ("exec_not_enabled", "service enableExecuteCommand"),
        (
            "exec_agent_not_running",
            "ExecuteCommandAgent RUNNING in the container",
        ),
        ("exec_plugin_missing", "session-manager-plugin on PATH"),
        ("exec_cli_missing", "aws on PATH"),
    ];
    for (id, what) in checks {
        let missing = plan.missing.iter().any(|f| f.id == id);
        lines.push(vec![
            s(
                if missing { "  MISSING " } else { "  ok      " },
                if missing {
                    Meaning::StatusFailed
                } else {
                    Meaning::StatusOk
                },
            ),
            s(what, Meaning::Text),
        ]);
    }
    let command = wrap("command (copied): ", &plan.command(), Meaning::Key, width);
    // what is missing, as much as fits: on 24 rows the checks, the command and the question
    // come first, then each missing piece's fix, then its confirm command
    let room = usize::from(height).saturating_sub(4 + lines.len() + command.len() + 3);
    let mut details: Vec<Line> = Vec::new();
    for f in &plan.missing {
        let mut block = vec![vec![s(format!("{} ({})", f.title, f.id), Meaning::Title)]];
        block.extend(wrap("fix: ", &f.fix, Meaning::Text, width));
        if details.len() + block.len() > room {
            break;
        }
        details.extend(block);
    }
    for f in &plan.missing {
        let confirm = wrap(&format!("{}: ", f.id), &f.confirm, Meaning::Dim, width);
        if details.len() + confirm.len() > room {
            break;
        }
        details.extend(confirm);
    }
    lines.extend(details);
    lines.extend(command);
    let ask = match (plan.ready(), writes) {
        (true, true) => format!(
            "type {} to run it here: ",
            crate::model::task_id(&plan.task)
        ),
        (true, false) => "read-only: run it in a shell, or start with --allow-writes to run it from here; enter closes ".into(),
        (false, _) => "fix what is missing first; enter closes ".into(),
    };
    ("ECS Exec".into(), ask)
}
