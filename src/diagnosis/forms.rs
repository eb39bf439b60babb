//! The forms a message arrives in. The same stopped reason comes from DescribeTasks on one line,
//! from a terminal or the console wrapped over several, with a table's double spaces, inside
//! Markdown backticks or quotes, or cut short with `...`; the rules are written for the words,
//! so [`normalize`] gives them the words: runs of white space (new lines, tabs, no-break spaces)
//! become one space, and quotes, backticks and a trailing ellipsis around the whole text go. A
//! JSON member copied from the AWS CLI's output (`"stoppedReason": "… exec: \"/app\": …",`) is
//! its value, unescaped; a console label (`Status reason | …`, `Stopped reason: …`) and the old
//! console's last-status wrapper (`STOPPED (…)`) go. What the engineer is shown is never changed.

use std::borrow::Cow;

/// `text` with its white space collapsed and its wrapping quotes, backticks and trailing
/// ellipsis removed (borrowed when there is nothing to change).
pub fn normalize(text: &str) -> Cow<'_, str> {
    if let Some(value) = json_member_value(text.trim()) {
        return Cow::Owned(normalize(&value).into_owned());
    }
    let mut t = text.trim();
    loop {
        let before = t.len();
        t = t.trim_end_matches("...").trim_end_matches('…').trim_end();
        // a pair around the whole text only: a reason may end with its own quote ('docker login')
        for (open, close) in [('`', '`'), ('"', '"'), ('\'', '\''), ('“', '”')] {
            if let Some(inner) = t.strip_prefix(open).and_then(|r| r.strip_suffix(close)) {
                t = inner.trim();
            }
        }
        t = strip_console_label(t);
        if t.len() == before {
            break;
        }
    }
    // one space between words already: nothing to copy
    if !t.contains("  ") && !t.chars().any(|c| c.is_whitespace() && c != ' ') {
        return Cow::Borrowed(t);
    }
    Cow::Owned(t.split_whitespace().collect::<Vec<_>>().join(" "))
}

/// `text` without a console label before it (`Status reason | X`, `Stopped reason: X`, as a
/// row of the console's task details pastes) or the old console's last status around it
/// (`STOPPED (X)`, `STOPPED(X)`, `PENDING (X)`).
fn strip_console_label(text: &str) -> &str {
    let lower = text.get(..16).unwrap_or(text).to_ascii_lowercase();
    for label in ["status reason", "stopped reason"] {
        if lower.starts_with(label) {
            let rest = text[label.len()..].trim_start();
            if let Some(rest) = rest.strip_prefix(['|', ':']) {
                return rest.trim_start();
            }
        }
    }
    for status in ["STOPPED", "STOPPING", "PENDING", "DEPROVISIONING"] {
        if let Some(inner) = text
            .strip_prefix(status)
            .map(str::trim_start)
            .and_then(|r| r.strip_prefix('('))
            .and_then(|r| r.strip_suffix(')'))
        {
            return inner.trim();
        }
    }
    text
}

/// The value of one JSON string member as the AWS CLI prints it (`"stoppedReason": "…",`),
/// unescaped; None for any other text.
fn json_member_value(text: &str) -> Option<String> {
    let rest = text.strip_prefix('"')?;
    let (key, rest) = rest.split_once('"')?;
    if key.is_empty() || !key.chars().all(|c| c.is_ascii_alphanumeric()) {
        return None;
    }
    let value = rest.trim_start().strip_prefix(':')?.trim_start();
    let value = value.trim_end().trim_end_matches(',').trim_end();
    serde_json::from_str::<String>(value).ok()
}

#[cfg(test)]
mod tests {
    use super::normalize;
    use std::borrow::Cow;

    #[test]
    fn wrapped_quoted_and_cut_forms_become_the_words() {
        for (text, want) in [
            (
                "CannotPullContainerError:\n  pull image manifest has been retried 1 time(s)",
                "CannotPullContainerError: pull image manifest has been retried 1 time(s)",
            ),
            (
                "(service  web)  has  reached\ta steady state.",
                "(service web) has reached a steady state.",
            ),
            (
                "`Target.ResponseCodeMismatch`",
                "Target.ResponseCodeMismatch",
            ),
            (
                "\"OutOfMemoryError: Container killed due to memory usage\"",
                "OutOfMemoryError: Container killed due to memory usage",
            ),
            ("write /var...", "write /var"),
            ("`\"Target.Timeout\"`", "Target.Timeout"),
            ("Status reason | AGENT", "AGENT"),
            (
                "Stopped reason: SERVICE_STEADY_STATE...",
                "SERVICE_STEADY_STATE",
            ),
            ("STOPPED(Task failed to start)", "Task failed to start"),
            ("PENDING (Task stopped by user)", "Task stopped by user"),
            (
                "unable to get device with hardware address…",
                "unable to get device with hardware address",
            ),
            ("no\u{a0}space left on device", "no space left on device"),
            (
                "\"stoppedReason\": \"CannotStartContainerError: exec: \\\"/app\\\": permission denied\\nunknown\",",
                "CannotStartContainerError: exec: \"/app\": permission denied unknown",
            ),
        ] {
            assert_eq!(normalize(text), want, "{text:?}");
        }
    }

    #[test]
    fn a_message_already_in_one_line_is_borrowed() {
        let text = "Essential container in task exited";
        assert!(matches!(normalize(text), Cow::Borrowed(t) if t == text));
        // quotes inside the message stay, and so does a quote that ends it
        for text in [
            "pull access denied for x, repository does not exist or may require 'docker login'",
            "exec: \"/docker-entrypoint.sh\": permission denied",
        ] {
            assert_eq!(normalize(text), text);
        }
    }
}
