//! The views' text primitives: styled spans tagged with a `Meaning` (never a colour), lines,
//! wrapping and cutting to a width by characters, and the shapes a screen is made of.

use crate::theme::Meaning;

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
