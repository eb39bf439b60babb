//! The timeline view: every change in time order, for one service or all of them, newest at the
//! bottom (it follows new entries until the user moves up).

use super::{Block, Body, Line, Size, s};
use crate::console::state::{UiState, Visible};
use crate::model::{ServiceKey, Time};
use crate::store::{EntryKind, Store};
use crate::theme::Meaning;

fn meaning(kind: EntryKind, failure: bool) -> Meaning {
    match (kind, failure) {
        (EntryKind::Action, false) => Meaning::Key,
        (EntryKind::Note, _) => Meaning::Title,
        (EntryKind::FindingCleared, _) => Meaning::HealthHealthy,
        (_, true) => Meaning::EventFailure,
        (EntryKind::Event, false) => Meaning::Text,
        _ => Meaning::Text,
    }
}

pub fn build(
    store: &Store,
    ui: &UiState,
    only: Option<&ServiceKey>,
    now: Time,
    size: Size,
    vis: &mut Visible,
) -> Body {
    let entries = store.timeline(only);
    let ids: Vec<u64> = entries.iter().map(|e| e.id()).collect();
    vis.timeline = crate::console::selection::resolve_ids(&ui.timeline, &ids, vis.page);
    let width = usize::from(size.width.saturating_sub(2));
    let show_service = only.is_none();
    let lines: Vec<Line> = entries
        .iter()
        .map(|e| {
            let mut l = vec![
                // entries from another day carry their date
                s(
                    if e.t.date_naive() == now.date_naive() {
                        e.t.format("%H:%M:%S ").to_string()
                    } else {
                        e.t.format("%b %d %H:%M ").to_string()
                    },
                    Meaning::Dim,
                ),
                s(format!("{:<8}", e.kind.label()), Meaning::Key),
            ];
            if show_service && let Some(k) = &e.service {
                l.push(s(format!("{} ", k.service), Meaning::Title));
            }
            let used: usize = l.iter().map(|x| x.text.chars().count()).sum();
            let text: String = e.text.chars().take(width.saturating_sub(used)).collect();
            l.push(s(text, meaning(e.kind, e.failure)));
            l
        })
        .collect();
    // following the newest entry: nothing highlighted
    let selected = vis.timeline.index.filter(|_| !ui.timeline.follows_last());
    let title = match only {
        Some(k) => format!("Timeline: {k}"),
        None => "Timeline: every service".to_string(),
    };
    let empty = lines.is_empty();
    Body::Timeline(Block {
        title,
        focused: true,
        status: vec![s(
            format!(
                "{} entries, {}",
                entries.len(),
                now.format("%Y-%m-%d %H:%M:%SZ")
            ),
            Meaning::Dim,
        )],
        lines: if empty {
            vec![vec![s("nothing has happened yet", Meaning::Dim)]]
        } else {
            lines
        },
        selected,
        follow: selected.is_none(),
    })
}
