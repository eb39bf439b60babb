//! Reading one line of the format from a source that is not trusted to have sanitized it: a
//! recording file someone handed over, or a hub on a shared socket (a member of the share group
//! can start the hub a viewer attaches to). Every string in the line, keys included, goes
//! through [`crate::sanitize`] before it becomes a record, so nothing read back can drive the
//! terminal; what ecswatch itself wrote is already clean and takes the direct path.

use super::Record;
use crate::sanitize;

/// Longest string kept from a decoded line, in characters: far above any field ecswatch writes
/// (the adapter bounds AWS text at [`sanitize::MAX_CHARS`]).
const MAX_STRING: usize = 4 * sanitize::MAX_CHARS;

/// Parse one line, sanitizing every string in it when the line could hold anything unsafe.
pub fn decode(line: &str) -> Result<Record, String> {
    if !suspicious(line) {
        return serde_json::from_str::<Record>(line).map_err(|e| e.to_string());
    }
    let mut value: serde_json::Value = serde_json::from_str(line).map_err(|e| e.to_string())?;
    clean_value(&mut value);
    serde_json::from_value::<Record>(value).map_err(|e| e.to_string())
}

/// Whether the JSON text could decode to a string [`sanitize::clean`] would change: an escape
/// that yields a control character (`\u…`, `\b`, `\f`, `\n`, `\r`, `\t`) or a raw character it
/// removes (DEL, C1, bidirectional marks: JSON lets those through unescaped).
fn suspicious(line: &str) -> bool {
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('u' | 'b' | 'f' | 'n' | 'r' | 't') => return true,
                _ => continue,
            }
        }
        if sanitize::is_forbidden(c) {
            return true;
        }
    }
    false
}

fn clean_value(v: &mut serde_json::Value) {
    match v {
        serde_json::Value::String(s) => *s = sanitize::clean_bounded(s, MAX_STRING),
        serde_json::Value::Array(items) => items.iter_mut().for_each(clean_value),
        serde_json::Value::Object(map) => {
            let old = std::mem::take(map);
            for (k, mut item) in old {
                clean_value(&mut item);
                map.insert(sanitize::clean_bounded(&k, MAX_STRING), item);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn note(text: &str) -> String {
        serde_json::to_string(&serde_json::json!({
            "type": "note", "t": "2026-12-08T01:00:00Z",
            "note": {"t": "2026-12-08T01:00:00Z", "service": null, "text": text, "by": "mallory"}
        }))
        .unwrap()
    }

    fn text_of(r: Record) -> String {
        match r {
            Record::Note { note, .. } => note.text,
            other => panic!("not a note: {other:?}"),
        }
    }

    #[test]
    fn escapes_from_an_untrusted_line_are_removed() {
        // a title write, a clipboard write and a screen clear, as JSON escapes them
        let line = note("ok\u{1b}]0;pwned\u{7}\u{1b}]52;c;ZXZpbA==\u{1b}\\\u{1b}[2J done");
        assert!(line.contains("\\u001b"), "{line}");
        assert_eq!(text_of(decode(&line).unwrap()), "ok done");
    }

    #[test]
    fn raw_c1_and_bidi_characters_are_removed() {
        let line = note("evil\u{202e}txt\u{9b}31m.exe\u{7f}");
        assert_eq!(text_of(decode(&line).unwrap()), "eviltxt.exe");
    }

    #[test]
    fn clean_lines_read_as_written() {
        let line = note("rollback at 01:02, \"api\" 5xx \\ spike: ü ✓");
        assert!(!suspicious(&line), "{line}");
        assert_eq!(
            text_of(decode(&line).unwrap()),
            "rollback at 01:02, \"api\" 5xx \\ spike: ü ✓"
        );
    }

    #[test]
    fn a_hostile_string_is_bounded() {
        let long = format!("\u{1b}[0m{}", "x".repeat(MAX_STRING * 2));
        let text = text_of(decode(&note(&long)).unwrap());
        assert!(text.chars().count() <= MAX_STRING + 3);
    }
}
