//! The help overlay, generated from the active keymap.

use super::{Block, s};
use crate::console::state::{UiState, View};
use crate::keymap::{Keymap, Layer};
use crate::theme::Meaning;

pub fn build(keymap: &Keymap, ui: &UiState) -> Block {
    let layer = match ui.view() {
        View::Board => Layer::Board,
        View::Service(_) => Layer::Service,
        View::Task(..) => Layer::Task,
        View::Timeline(_) => Layer::Timeline,
    };
    let mut lines = vec![vec![s(format!("Keys ({})", layer.name()), Meaning::Title)]];
    for (action, keys) in keymap.help(layer) {
        let keys: Vec<String> = keys.iter().map(|k| k.to_string()).collect();
        lines.push(vec![
            s(format!("{:<16}", keys.join(" ")), Meaning::Key),
            s(action.description(), Meaning::Text),
        ]);
    }
    legend(
        &mut lines,
        "Status",
        &[
            (
                "FAILED",
                Meaning::StatusFailed,
                "the primary deployment failed",
            ),
            (
                "ROLLING BACK",
                Meaning::StatusRollingBack,
                "ECS is returning to the last good deployment",
            ),
            (
                "DEPLOYING",
                Meaning::StatusDeploying,
                "a deployment is in progress",
            ),
            (
                "DEGRADED",
                Meaning::StatusDegraded,
                "running < desired, unhealthy targets or failing tasks",
            ),
            ("OK", Meaning::StatusOk, "steady"),
        ],
    );
    legend(
        &mut lines,
        "Findings",
        &[
            (
                "CRIT WARN INFO",
                Meaning::SeverityCritical,
                "severity: tasks cannot start or serve / degraded or risky / routine",
            ),
            (
                "~title",
                Meaning::Text,
                "family match: the kind of failure is known, its exact cause is not",
            ),
        ],
    );
    let total = lines.len();
    let skip = ui.help_scroll.min(total.saturating_sub(1));
    lines.drain(..skip);
    Block {
        title: if skip > 0 {
            format!("Help ({}/{total}, up/down scroll)", skip + 1)
        } else {
            "Help (up/down scroll)".into()
        },
        focused: true,
        lines,
        ..Default::default()
    }
}

/// A titled legend: each word in its own meaning, then what it says.
fn legend(lines: &mut Vec<super::Line>, title: &str, items: &[(&str, Meaning, &str)]) {
    lines.push(vec![]);
    lines.push(vec![s(title, Meaning::Title)]);
    for (word, m, what) in items {
        lines.push(vec![s(format!("{word:<16}"), *m), s(*what, Meaning::Text)]);
    }
}
