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

/// Read a file as UTF-8 text; the error names the file.
pub fn read_text(path: &Path) -> Result<String, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("{}: cannot read: {e}", path.display()))?;
    String::from_utf8(bytes).map_err(|e| {
        format!(
            "{}: not UTF-8 text (byte {})",
            path.display(),
            e.utf8_error().valid_up_to()
        )
    })
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
