//! Drawing: `render(frame, &screen, &theme)` turns a view model into widgets. It never mutates
//! application state and never fails; what does not fit is clipped.

use crate::theme::{Meaning, Theme};
use crate::view::{Block as VBlock, Body, Line as VLine, Screen};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{
    Block, Borders, Cell, Clear, List, ListItem, ListState, Paragraph, Row, Table, TableState, Tabs,
};

fn line<'a>(l: &'a VLine, theme: &Theme) -> Line<'a> {
    Line::from(
        l.iter()
            .map(|s| Span::styled(s.text.as_str(), theme.style(s.meaning)))
            .collect::<Vec<_>>(),
    )
}

pub fn render(frame: &mut Frame, screen: &Screen, theme: &Theme) {
    let area = frame.area();
    if area.width == 0 || area.height == 0 {
        return;
    }
    let banner_h = match &screen.banner {
        Some(b) if area.height > 4 => {
            let len: usize = b.iter().map(|s| s.text.chars().count()).sum();
            (len.div_ceil(usize::from(area.width.max(1))) as u16).clamp(1, 3)
        }
        _ => 0,
    };
    let [header, banner, body, footer] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(banner_h),
        Constraint::Fill(1),
        Constraint::Length(1),
    ])
    .areas(area);
    frame.render_widget(Paragraph::new(line(&screen.header, theme)), header);
    if let Some(b) = &screen.banner {
        frame.render_widget(
            Paragraph::new(line(b, theme)).wrap(ratatui::widgets::Wrap { trim: true }),
            banner,
        );
    }
    frame.render_widget(Paragraph::new(line(&screen.footer, theme)), footer);
    match &screen.body {
        Body::Board { .. } => board(frame, body, &screen.body, theme),
        Body::Service {
            summary,
            rollout,
            panes,
            focused,
            tabs,
            side,
        } => service(
            frame,
            body,
            summary,
            rollout,
            panes,
            (*focused, *side),
            *tabs,
            theme,
        ),
        Body::Task { detail, logs } => {
            let log_h = (body.height / 3).clamp(3, 12);
            let [top, bottom] =
                Layout::vertical([Constraint::Fill(1), Constraint::Length(log_h)]).areas(body);
            block(frame, top, detail, theme);
            block(frame, bottom, logs, theme);
        }
        Body::Timeline(b) => block(frame, body, b, theme),
    }
    for overlay in [&screen.help, &screen.dialog].into_iter().flatten() {
        let help = overlay;
        let w = area.width.saturating_sub(4).min(90);
        let h = area
            .height
            .saturating_sub(2)
            .min(help.lines.len() as u16 + 2);
        let r = Rect::new(
            area.x + (area.width - w) / 2,
            area.y + (area.height - h) / 2,
            w,
            h,
        );
        frame.render_widget(Clear, r);
        block(frame, r, help, theme);
    }
}

fn board(frame: &mut Frame, area: Rect, body: &Body, theme: &Theme) {
    let Body::Board {
        header: cols,
        status,
        rows,
        selected,
        empty,
        together,
    } = body
    else {
        return;
    };
    let (selected, empty) = (*selected, empty.as_ref());
    let outer = Block::default()
        .borders(Borders::TOP)
        .border_style(theme.style(Meaning::Border))
        .title(line(status, theme));
    let mut inner = outer.inner(area);
    frame.render_widget(outer, area);
    let shown = (together.len() as u16).min(inner.height.saturating_sub(2));
    for (i, l) in together.iter().take(usize::from(shown)).enumerate() {
        let at = Rect {
            y: inner.y + i as u16,
            height: 1,
            ..inner
        };
        frame.render_widget(Paragraph::new(line(l, theme)), at);
    }
    inner.y += shown;
    inner.height -= shown;
    if let Some(e) = empty {
        frame.render_widget(Paragraph::new(line(e, theme)), inner);
        return;
    }
    let widths: Vec<Constraint> = cols
        .iter()
        .map(|(_, w)| {
            if *w == 0 {
                Constraint::Fill(1)
            } else {
                Constraint::Length(*w)
            }
        })
        .collect();
    let header = Row::new(
        cols.iter()
            .map(|(h, _)| Cell::from(Span::styled(h.as_str(), theme.style(Meaning::Title)))),
    );
    let body = rows.iter().map(|r| {
        Row::new(
            r.iter()
                .map(|c| Cell::from(Span::styled(c.text.as_str(), theme.style(c.meaning)))),
        )
    });
    let table = Table::new(body, widths)
        .header(header)
        .column_spacing(1)
        .row_highlight_style(theme.style(Meaning::Selection));
    let mut state = TableState::default().with_selected(selected);
    frame.render_stateful_widget(table, inner, &mut state);
}

#[allow(clippy::too_many_arguments)]
fn service(
    frame: &mut Frame,
    area: Rect,
    summary: &[VLine],
    rollout: &VBlock,
    panes: &[VBlock],
    (focused, side): (usize, usize),
    tabs: bool,
    theme: &Theme,
) {
    // 5 lines at 24 rows; a taller screen gives a long rollout (stages, hooks, history) more
    let max_h = (7 + area.height.saturating_sub(22) / 2).min(14);
    let rollout_h = (rollout.lines.len() as u16 + 2)
        .clamp(3, max_h)
        .min(area.height / 3 + 2);
    let [sum, roll, rest] = Layout::vertical([
        Constraint::Length(summary.len() as u16),
        Constraint::Length(rollout_h),
        Constraint::Fill(1),
    ])
    .areas(area);
    frame.render_widget(
        Paragraph::new(summary.iter().map(|l| line(l, theme)).collect::<Vec<_>>()),
        sum,
    );
    block(frame, roll, rollout, theme);
    if panes.is_empty() {
        return;
    }
    let titles: Vec<Line> = panes
        .iter()
        .map(|p| {
            let failing = p
                .status
                .iter()
                .any(|s| matches!(s.meaning, Meaning::Error | Meaning::Stale));
            Line::from(if failing {
                format!("{}!", p.title)
            } else {
                p.title.clone()
            })
        })
        .collect();
    // beside the findings the bar has half the width: no padding around the titles
    let tab_bar = |selected: usize| {
        let bar = Tabs::new(titles.clone())
            .select(selected)
            .style(theme.style(Meaning::Dim))
            .highlight_style(theme.style(Meaning::Selection));
        if tabs {
            bar.divider("|")
        } else {
            bar.padding("", "").divider(" ")
        }
    };
    if tabs {
        let [bar, pane] =
            Layout::vertical([Constraint::Length(1), Constraint::Fill(1)]).areas(rest);
        frame.render_widget(tab_bar(focused), bar);
        if let Some(p) = panes.get(focused) {
            block(frame, pane, p, theme);
        }
    } else {
        // the findings on the left, the pane chosen with Tab on the right under the tab bar
        let left_w = crate::view::split_left(rest.width);
        let [left, right] =
            Layout::horizontal([Constraint::Length(left_w), Constraint::Fill(1)]).areas(rest);
        let [bar, pane] =
            Layout::vertical([Constraint::Length(1), Constraint::Fill(1)]).areas(right);
        if let Some(p) = panes.first() {
            block(frame, left, p, theme);
        }
        frame.render_widget(tab_bar(side), bar);
        if let Some(p) = panes.get(side) {
            block(frame, pane, p, theme);
        }
    }
}

fn block(frame: &mut Frame, area: Rect, b: &VBlock, theme: &Theme) {
    if area.width < 2 || area.height < 2 {
        return;
    }
    let mut title = vec![Span::styled(
        format!(" {} ", b.title),
        theme.style(if b.focused {
            Meaning::TitleFocused
        } else {
            Meaning::Title
        }),
    )];
    for s in &b.status {
        title.push(Span::styled(format!("{} ", s.text), theme.style(s.meaning)));
    }
    let frame_block = Block::bordered()
        .title(Line::from(title))
        .border_style(theme.style(if b.focused {
            Meaning::BorderFocused
        } else {
            Meaning::Border
        }));
    let inner = frame_block.inner(area);
    frame.render_widget(frame_block, area);
    let height = usize::from(inner.height);
    match b.selected {
        Some(sel) => {
            let items: Vec<ListItem> = b
                .lines
                .iter()
                .map(|l| ListItem::new(line(l, theme)))
                .collect();
            let list = List::new(items).highlight_style(theme.style(Meaning::Selection));
            let mut state = ListState::default().with_selected(Some(sel));
            frame.render_stateful_widget(list, inner, &mut state);
        }
        None => {
            let skip = if b.follow {
                b.lines.len().saturating_sub(height)
            } else {
                0
            };
            let text: Vec<Line> = b
                .lines
                .iter()
                .skip(skip)
                .take(height)
                .map(|l| line(l, theme))
                .collect();
            frame.render_widget(Paragraph::new(text), inner);
        }
    }
}
