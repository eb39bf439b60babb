//! The service view's events: newest first, each classified (routine dimmed, a finding's
//! cause marked), with the ids the selection keeps.

use super::*;

/// Events with repeats collapsed: the same message with different task ids counts once with ×N.
/// The events pane: its rows and, for each, the id of its newest event (repeats collapsed).
pub(super) fn event_rows(store: &Store, st: &ServiceState) -> (Vec<Line>, Vec<String>) {
    let pb = store.playbook();
    let mut rows: Vec<(String, Line, usize, &str)> = Vec::new();
    for e in &st.events {
        let shape: String = e
            .message
            .split_whitespace()
            .map(|w| {
                if w.chars().any(|c| c.is_ascii_digit()) && w.len() > 6 {
                    "#"
                } else {
                    w
                }
            })
            .collect::<Vec<_>>()
            .join(" ");
        if let Some(last) = rows.last_mut().filter(|(sh, _, _, _)| *sh == shape) {
            last.2 += 1;
            continue;
        }
        let entry = st.event_category(&e.id).and_then(|id| pb.entry(id));
        let meaning = match entry {
            Some(en) if !en.finding => Meaning::EventNoise,
            Some(en) => match en.severity {
                crate::diagnosis::Severity::Info => Meaning::Text,
                _ => Meaning::EventFailure,
            },
            None => Meaning::Text,
        };
        let when = e
            .created_at
            .map(|t| t.format("%H:%M:%S").to_string())
            .unwrap_or_else(|| "--:--:--".into());
        let msg = e
            .message
            .strip_prefix(&format!("(service {}) ", st.service.name))
            .unwrap_or(&e.message);
        rows.push((
            shape,
            vec![
                s(format!("{when} "), Meaning::Dim),
                s(msg.to_string(), meaning),
            ],
            1,
            &e.id,
        ));
    }
    rows.into_iter()
        .map(|(_, mut line, n, id)| {
            if n > 1 {
                line.push(s(format!("  x{n}"), Meaning::Key));
            }
            (line, id.to_string())
        })
        .unzip()
}
