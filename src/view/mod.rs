//! View models: pure functions `(store, ui state, keymap, now, size) -> Screen`. They carry text
//! and meanings, never colours; `ui::render` draws them with a theme.

mod board;
mod dialog;
mod help;
mod rollout;
mod scaling;
mod service;
mod spark;
mod targets;
mod task;
mod tasks;
mod text;
mod timeline;

use crate::console::state::{UiState, View, Visible, Writes};
use crate::keymap::{Action, Keymap, Layer};
use crate::model::Source;
use crate::model::Time;
use crate::store::Store;
use crate::theme::Meaning;

pub use board::board_rows;
use dialog::dialog;
pub use rollout::rollout_plain;
pub use service::split_left;
pub use text::{Block, Body, Line, Screen, Size, Styled, fit, head, s, wrap};

pub use crate::present::ago;

/// "· 12s ago", or the dated reason when the source fails, for one target's source.
pub fn freshness(store: &Store, t: crate::model::PlaceIx, source: Source, now: Time) -> Line {
    freshness_about(store, t, source, now, None, None)
}

/// [`freshness`] for a pane about some resources only (a service's log groups, its target
/// groups): an error about another service's log group is not this pane's error, and the age
/// shown is the pane's own data's (`own`: when its groups were read) when known.
pub fn freshness_about(
    store: &Store,
    t: crate::model::PlaceIx,
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
        format!("{} {key}", board::row_tag(store.place(key.place), false))
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
        .places
        .iter()
        .map(|t| format!("{}/{}", t.account_label(), t.region))
        .collect()
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
    let failing: Vec<(&crate::store::PlaceState, &crate::aws::ApiError)> = store
        .places
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
        let live = store.places.len() - failing.len();
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
                format!("  {} targets  ", store.places.len())
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
