//! View models: pure functions `(store, ui state, keymap, now, size) -> Screen`. They carry text
//! and meanings, never colours; `ui::render` draws them with a theme.

mod board;
mod help;
mod rollout;
mod scaling;
mod service;
mod spark;
mod targets;
mod task;
mod tasks;
mod timeline;

use crate::console::state::{UiState, View, Visible, Writes};
use crate::keymap::{Action, Keymap, Layer};
use crate::model::Source;
use crate::model::Time;
use crate::store::Store;
use crate::theme::Meaning;

pub use board::board_rows;
pub use rollout::rollout_plain;
pub use service::split_left;

#[cfg(test)]
mod tests {
    use super::*;

    fn text(lines: &[Line]) -> Vec<String> {
        lines
            .iter()
            .map(|l| l.iter().map(|s| s.text.as_str()).collect())
            .collect()
    }

    #[test]
    fn wraps_words_and_cuts_long_ones() {
        let l = wrap(
            "fix: ",
            "push the image then redeploy the service now",
            Meaning::Text,
            20,
        );
        assert_eq!(
            text(&l),
            [
                "fix: push the image",
                "  then redeploy the",
                "  service now"
            ]
        );
        let l = wrap("arn: ", &"x".repeat(50), Meaning::Text, 20);
        assert_eq!(text(&l)[0], format!("arn: {}", "x".repeat(15)));
        assert!(text(&l).iter().all(|t| t.chars().count() <= 20));
        assert_eq!(text(&wrap("a: ", "", Meaning::Text, 20)), ["a: "]);
    }

    #[test]
    fn fit_cuts_at_a_word_and_says_so() {
        assert_eq!(fit("CRIT Image not found", 20), "CRIT Image not found");
        assert_eq!(
            fit("CRIT ~Deployment failed (reason not named)", 27),
            "CRIT ~Deployment failed…"
        );
        assert_eq!(
            fit("CRIT Container killed for exceeding memory", 27),
            "CRIT Container killed for…"
        );
        // one long word: cut inside it rather than keep almost nothing
        assert_eq!(fit("WARN Supercalifragilistic", 12), "WARN Superc…");
        assert_eq!(fit("ÅÅÅÅÅ ÅÅÅÅÅ", 8), "ÅÅÅÅÅ…");
        assert_eq!(fit("abc", 0), "");
        for w in 0..30 {
            assert!(
                fit("CRIT ~Deployment failed (reason not named)", w)
                    .chars()
                    .count()
                    <= w
            );
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Styled {
    pub text: String,
    pub meaning: Meaning,
}

/// At most `n` characters of `text` (never a byte slice: names from AWS may hold any
/// character, and slicing one in the middle panics).
pub fn head(text: &str, n: usize) -> &str {
    match text.char_indices().nth(n) {
        Some((i, _)) => &text[..i],
        None => text,
    }
}

/// `text` in at most `width` cells: whole when it fits, else cut at the last word that fits
/// (or mid-word when that would keep less than half) and marked `…`, so a cut title reads as
/// cut rather than as a different word ("Deployment failed…", not "Deployment failed (rea").
pub fn fit(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        return text.to_string();
    }
    if width == 0 {
        return String::new();
    }
    let cut = head(text, width - 1);
    let at_word = cut
        .rfind(' ')
        .filter(|&i| cut[..i].chars().count() * 2 >= width)
        .map_or(cut, |i| &cut[..i]);
    let kept = at_word.trim_end_matches([' ', '(', ',', ':']);
    format!("{kept}…")
}

pub fn s(text: impl Into<String>, meaning: Meaning) -> Styled {
    Styled {
        text: text.into(),
        meaning,
    }
}

pub type Line = Vec<Styled>;

/// `label` then `text` word-wrapped to `width` columns, continuation lines indented.
pub fn wrap(label: &str, text: &str, meaning: Meaning, width: usize) -> Vec<Line> {
    let width = width.max(20);
    let indent = 2;
    let mut out: Vec<Line> = Vec::new();
    let mut current = String::new();
    let mut first = true;
    let avail = |first: bool| {
        if first {
            width.saturating_sub(label.chars().count())
        } else {
            width - indent
        }
    };
    for word in text.split(' ') {
        let cur_len = current.chars().count();
        let w_len = word.chars().count();
        if cur_len > 0 && cur_len + 1 + w_len > avail(first) {
            out.push(wrapped_line(label, &current, meaning, first, indent));
            current.clear();
            first = false;
        }
        // a single word longer than the line is cut into pieces
        let mut word = word.to_string();
        while word.chars().count() > avail(first) && current.is_empty() {
            let cut: String = word.chars().take(avail(first)).collect();
            word = word.chars().skip(avail(first)).collect();
            out.push(wrapped_line(label, &cut, meaning, first, indent));
            first = false;
        }
        if !current.is_empty() {
            current.push(' ');
        }
        current.push_str(&word);
    }
    if !current.is_empty() || out.is_empty() {
        out.push(wrapped_line(label, &current, meaning, first, indent));
    }
    out
}

fn wrapped_line(label: &str, text: &str, meaning: Meaning, first: bool, indent: usize) -> Line {
    if first {
        vec![s(label, Meaning::Key), s(text, meaning)]
    } else {
        vec![s(" ".repeat(indent), Meaning::Text), s(text, meaning)]
    }
}

/// A titled box of lines; `selected` indexes `lines`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Block {
    pub title: String,
    pub focused: bool,
    /// Freshness or failure of the block's source, shown in its title bar.
    pub status: Line,
    pub lines: Vec<Line>,
    pub selected: Option<usize>,
    /// Show the end of the lines when nothing is selected (log tail).
    pub follow: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Body {
    Board {
        header: Vec<(String, u16)>,
        /// Freshness of the service list and which sources fail, in the top rule.
        status: Line,
        rows: Vec<Vec<Styled>>,
        selected: Option<usize>,
        empty: Option<Line>,
        /// Causes shared by services of several targets, above the table (several targets).
        together: Vec<Line>,
    },
    Service {
        summary: Vec<Line>,
        rollout: Block,
        panes: Vec<Block>,
        focused: usize,
        /// Small terminal: one pane at a time with a tab bar.
        tabs: bool,
        /// Split (not `tabs`): the pane beside the findings.
        side: usize,
    },
    Task {
        detail: Block,
        logs: Block,
    },
    Timeline(Block),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Screen {
    pub header: Line,
    /// A line under the header that must not be missed (credentials).
    pub banner: Option<Line>,
    pub body: Body,
    pub footer: Line,
    pub help: Option<Block>,
    /// A question over everything else: a write to confirm, a note, a number.
    pub dialog: Option<Block>,
}

/// Terminal size, in cells.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Size {
    pub width: u16,
    pub height: u16,
}

pub use crate::present::ago;

/// "· 12s ago", or the dated reason when the source fails, for one target's source.
pub fn freshness(store: &Store, t: crate::model::TargetIx, source: Source, now: Time) -> Line {
    freshness_about(store, t, source, now, None, None)
}

/// [`freshness`] for a pane about some resources only (a service's log groups, its target
/// groups): an error about another service's log group is not this pane's error, and the age
/// shown is the pane's own data's (`own`: when its groups were read) when known.
pub fn freshness_about(
    store: &Store,
    t: crate::model::TargetIx,
    source: Source,
    now: Time,
    resources: Option<&[String]>,
    own: Option<Time>,
) -> Line {
    match store.source_status(t, source) {
        Some(st) => {
            let relevant = |e: &crate::aws::ApiError| {
                resources.is_none_or(|r| e.concerns(r.iter().map(String::as_str)))
            };
            match own {
                Some(at) if !st.errors.iter().any(|(_, e)| relevant(e)) => {
                    vec![s(ago(now, at), Meaning::Dim)]
                }
                _ => status_line_where(st, now, relevant),
            }
        }
        None => vec![],
    }
}

/// "· 12s ago", or the dated reason of the latest failure.
pub fn status_line(st: &crate::store::SourceStatus, now: Time) -> Line {
    status_line_where(st, now, |_| true)
}

fn status_line_where(
    st: &crate::store::SourceStatus,
    now: Time,
    relevant: impl Fn(&crate::aws::ApiError) -> bool,
) -> Line {
    if let Some((at, e)) = st.errors.iter().find(|(_, e)| relevant(e)) {
        let when = at.format("%H:%M:%SZ");
        let retry = match st.next_try {
            Some(t) if e.kind.is_transient() => {
                format!(", retry in {}s", (t - now).num_seconds().max(0))
            }
            _ if e.kind.is_transient() => ", retrying".to_string(),
            _ => String::new(),
        };
        let kept = st
            .last_ok
            .map(|t| format!("; data {} old", ago(now, t).trim_end_matches(" ago")))
            .unwrap_or_default();
        // a missing permission is named as the full IAM action
        let op = if e.kind == crate::aws::ErrorKind::AccessDenied {
            e.operation.to_string()
        } else {
            e.operation
                .rsplit(':')
                .next()
                .unwrap_or(e.operation)
                .to_string()
        };
        return vec![s(
            format!("{} {when} {op}{retry}{kept}", e.kind.label()),
            if e.kind.is_transient() {
                Meaning::Stale
            } else {
                Meaning::Error
            },
        )];
    }
    match st.last_ok {
        Some(t) => vec![s(ago(now, t), Meaning::Dim)],
        None => vec![s("loading...", Meaning::Dim)],
    }
}

/// A service as the breadcrumb names it: with several targets, after its target's short tag
/// (`shop-b euw1 prod/checkout-api`).
pub fn crumb(store: &Store, key: &crate::model::ServiceKey) -> String {
    if store.multi_target() {
        format!("{} {key}", board::row_tag(store.target(key.target), false))
    } else {
        key.to_string()
    }
}

/// Each target's `account-label/region`, by index, when several are watched (what a write's
/// confirmation names).
pub fn places(store: &Store) -> Vec<String> {
    if !store.multi_target() {
        return Vec::new();
    }
    store
        .targets
        .iter()
        .map(|t| format!("{}/{}", t.account_label(), t.region))
        .collect()
}

/// The prompt as a box: what will change, then the input.
fn dialog(
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
            let target = store.target(op.key().target);
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

/// Key hints for the footer, generated from the keymap.
fn hints(keymap: &Keymap, layer: Layer, actions: &[(Action, &str)]) -> Line {
    let mut out = Vec::new();
    for (a, label) in actions {
        if let Some(k) = keymap.key_for(layer, *a) {
            if !out.is_empty() {
                out.push(s("  ", Meaning::Text));
            }
            out.push(s(k.to_string(), Meaning::Key));
            out.push(s(format!(" {label}"), Meaning::Dim));
        }
    }
    out
}

/// The credentials banner: what is wrong, the command that fixes it, how old the data is. With
/// several targets it names the one whose credentials fail (and how many others do), the rest
/// being live.
pub fn credentials_banner(store: &Store, now: Time) -> Option<Line> {
    let failing: Vec<(&crate::store::TargetState, &crate::aws::ApiError)> = store
        .targets
        .iter()
        .filter_map(|t| {
            let e = t
                .status
                .values()
                .flat_map(|st| st.errors.iter())
                .map(|(_, e)| e)
                .find(|e| e.kind.is_credentials())?;
            Some((t, e))
        })
        .collect();
    let (target, e) = *failing.first()?;
    // (the source was read at start; the view reads no environment)
    let mut text = crate::present::credentials_hint(
        e.kind,
        target.credentials.as_ref(),
        target.spec.profile.as_deref(),
    );
    if store.multi_target() {
        // which target first (the line may be cut): the others keep working
        let live = store.targets.len() - failing.len();
        let more = match failing.len() {
            1 => String::new(),
            n => format!(" +{} more", n - 1),
        };
        text = format!("{}{more} ({live} live): {text}", target.label());
    }
    let last = target
        .status
        .get(&Source::Services)
        .and_then(|st| st.last_ok);
    text.push_str(&match last {
        Some(t) => format!("; data from {} ({})", t.format("%H:%M:%SZ"), ago(now, t)),
        None => "; nothing read yet".to_string(),
    });
    Some(vec![s(text, Meaning::Error)])
}

pub fn build(
    store: &Store,
    ui: &UiState,
    keymap: &Keymap,
    now: Time,
    size: Size,
) -> (Screen, Visible) {
    let mut vis = Visible {
        page: usize::from(size.height.saturating_sub(6)).max(1),
        ..Default::default()
    };
    let all = board::all_badges(store, ui.sort, now);
    let failing = all
        .iter()
        .filter(|(_, b)| {
            matches!(
                b,
                crate::present::StatusBadge::Failed
                    | crate::present::StatusBadge::RollingBack
                    | crate::present::StatusBadge::WaitingForApproval
                    | crate::present::StatusBadge::Degraded
            )
        })
        .count();
    let mut header = vec![
        s("ecswatch", Meaning::Title),
        s(
            if store.multi_target() {
                format!("  {} targets  ", store.targets.len())
            } else if store.region().is_empty() {
                "  (no region)  ".to_string()
            } else {
                format!("  {}  ", store.region())
            },
            Meaning::Dim,
        ),
        s(format!("{} services", store.services.len()), Meaning::Text),
    ];
    if let Some(c) = &ui.replay {
        header.push(s(
            format!(
                "  REPLAY {} x{} {}",
                now.format("%H:%M:%S"),
                c.speed,
                if c.paused { "paused" } else { "playing" }
            ),
            Meaning::StatusRollingBack,
        ));
    } else if ui.writes == Writes::Allowed {
        header.push(s("  WRITES ON", Meaning::StatusFailed));
    }
    if let Some(rec) = &ui.recording {
        header.push(s(format!("  {rec}"), Meaning::Dim));
    }
    let body = match ui.view() {
        View::Board => board::build(store, ui, all, now, size, &mut vis),
        View::Service(key) => {
            header.push(s(format!("  > {}", crumb(store, key)), Meaning::Title));
            service::build(store, ui, key, now, size, &mut vis)
        }
        View::Task(key, arn) => {
            header.push(s(
                format!(
                    "  > {} > task {}",
                    crumb(store, key),
                    crate::model::task_id(arn)
                ),
                Meaning::Title,
            ));
            task::build(store, ui, key, arn, now, size, &mut vis)
        }
        View::Timeline(only) => {
            if let Some(k) = only {
                header.push(s(
                    format!("  > {} > timeline", crumb(store, k)),
                    Meaning::Title,
                ));
            }
            timeline::build(store, ui, only.as_ref(), now, size, &mut vis)
        }
    };
    // after the breadcrumb, which must fit at 80 columns
    if failing > 0 {
        header.push(s(
            format!("  {failing} need attention"),
            Meaning::StatusFailed,
        ));
    }
    if let Some(u) = &ui.api_use {
        // after the breadcrumb (which must fit at 80 columns): the busiest shared quota
        // against ecswatch's cap, and the CloudWatch bill
        header.push(s(
            format!(
                "  api {:.0}%/{:.0}% ${:.2}/h",
                u.busiest_percent, u.share_percent, u.dollars_per_hour
            ),
            Meaning::Dim,
        ));
        if u.throttled > 0 {
            header.push(s(
                format!(" {} throttled", u.throttled),
                Meaning::StatusFailed,
            ));
        }
    }
    let layer = ui.layer();
    let footer = if let Some(which) = ui.editing {
        let (label, text) = match which {
            crate::console::state::Editing::BoardFilter => ("filter services", &ui.board_filter),
            crate::console::state::Editing::LogFilter => ("filter log lines", &ui.log_filter),
        };
        vec![
            s(format!("{label}: "), Meaning::Key),
            s(format!("{text}_"), Meaning::Text),
            s("   enter keep  esc clear", Meaning::Dim),
        ]
    } else if let Some((msg, _)) = &ui.message {
        // the app clears messages after a few seconds of wall time
        vec![s(msg.clone(), Meaning::Key)]
    } else {
        let actions: &[(Action, &str)] = match layer {
            Layer::Board => &[
                (Action::Open, "open"),
                (Action::Filter, "filter"),
                (Action::Sort, "sort"),
                (Action::Help, "help"),
                (Action::Quit, "quit"),
            ],
            Layer::Service if ui.pane == crate::console::state::Pane::Tasks => &[
                (Action::NextPane, "pane"),
                (Action::Open, "task"),
                (Action::Exec, "exec"),
                (Action::Copy, "copy"),
                (Action::Back, "back"),
                (Action::Help, "help"),
                (Action::Quit, "quit"),
            ],
            Layer::Service => &[
                (Action::NextPane, "pane"),
                (Action::Open, "task"),
                (Action::Copy, "copy"),
                (Action::Filter, "filter logs"),
                (Action::Back, "back"),
                (Action::Help, "help"),
                (Action::Quit, "quit"),
            ],
            Layer::Task => &[
                (Action::Copy, "copy ARN"),
                (Action::Exec, "exec"),
                (Action::Back, "back"),
                (Action::Help, "help"),
                (Action::Quit, "quit"),
            ],
            Layer::Timeline => &[
                (Action::Note, "note"),
                (Action::Timeline, "close"),
                (Action::Help, "help"),
                (Action::Quit, "quit"),
            ],
            _ => &[(Action::Back, "close help")],
        };
        hints(keymap, layer, actions)
    };
    let help = ui.help.then(|| help::build(keymap, ui));
    let dialog = ui
        .prompt
        .as_ref()
        .map(|p| dialog(store, p, ui.writes, size, now));
    let banner = credentials_banner(store, now);
    (
        Screen {
            banner,
            header,
            body,
            footer,
            help,
            dialog,
        },
        vis,
    )
}
