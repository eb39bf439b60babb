//! Shared by every user file ecswatch reads (playbook, theme, keymap): reading it as UTF-8 text
//! and pointing errors at a line. Error messages name the file, the line and the problem.

use std::path::Path;

/// The 1-based line of a byte offset.
pub fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count() + 1
}

/// `file:line: message` for a TOML parse error (without the line when TOML gives no span).
pub fn toml_error(file: &str, text: &str, e: &toml::de::Error) -> String {
    match e.span() {
        Some(span) => format!(
            "{file}:{}: {}",
            line_of(text, span.start),
            e.message().trim()
        ),
        None => format!("{file}: {}", e.message().trim()),
    }
}

/// Read a file as UTF-8 text; the error names the file (and the line of a bad byte). An empty
/// file is an error too: it is never what the user meant to point ecswatch at.
pub fn read_text(path: &Path) -> Result<String, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("{}: cannot read: {e}", path.display()))?;
    let text = String::from_utf8(bytes).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        let line = e.as_bytes()[..at].iter().filter(|b| **b == b'\n').count() + 1;
        format!(
            "{}:{line}: not UTF-8 text (byte {at}); is this a binary file?",
            path.display()
        )
    })?;
    if text.trim().is_empty() {
        return Err(format!("{}: the file is empty", path.display()));
    }
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines() {
        assert_eq!(line_of("a\nb\nc", 0), 1);
        assert_eq!(line_of("a\nb\nc", 2), 2);
        assert_eq!(line_of("a\nb\nc", 99), 3);
    }
}
