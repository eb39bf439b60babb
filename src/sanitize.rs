//! Makes untrusted text (anything from AWS: messages, log lines, names) inert for a terminal.
//!
//! Removes ANSI/VT escape sequences (CSI, OSC such as title and clipboard writes, DCS/SOS/PM/APC
//! strings, two-byte escapes), C0 and C1 control characters (including the 8-bit CSI), and
//! bidirectional overrides; folds line breaks and tabs into spaces; bounds the length.

/// Longest text kept from one field, in characters.
pub const MAX_CHARS: usize = 4096;

/// Sanitize one field for display on a single line.
pub fn clean(input: &str) -> String {
    clean_bounded(input, MAX_CHARS)
}

/// Sanitize and keep at most `max` characters, marking a cut with `...`.
pub fn clean_bounded(input: &str, max: usize) -> String {
    let mut out = String::with_capacity(input.len().min(max + 3));
    let mut count = 0usize;
    let mut chars = input.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\u{1b}' => skip_escape(&mut chars),
            // 8-bit CSI / OSC / DCS / SOS / PM / APC introducers
            '\u{9b}' => skip_csi(&mut chars),
            '\u{9d}' | '\u{90}' | '\u{98}' | '\u{9e}' | '\u{9f}' => skip_string(&mut chars),
            '\n' | '\r' | '\t' | '\u{0b}' | '\u{0c}' => {
                if !out.ends_with(' ') && !out.is_empty() {
                    if count >= max {
                        out.push_str("...");
                        return out;
                    }
                    out.push(' ');
                    count += 1;
                }
            }
            c if is_forbidden(c) => {}
            c => {
                if count >= max {
                    out.push_str("...");
                    return out;
                }
                out.push(c);
                count += 1;
            }
        }
    }
    let trimmed = out.trim_end().len();
    out.truncate(trimmed);
    out
}

/// Sanitize an optional field.
pub fn clean_opt(input: Option<&str>) -> Option<String> {
    input.map(clean)
}

/// Whether `c` is one [`clean`] would remove or fold (every control character, the bidi marks).
pub fn is_forbidden(c: char) -> bool {
    c.is_control() // C0, DEL and C1
        || matches!(c,
            '\u{200e}' | '\u{200f}' | '\u{061c}'   // marks
            | '\u{202a}'..='\u{202e}'              // embeddings and overrides
            | '\u{2066}'..='\u{2069}'              // isolates
            | '\u{feff}')
}

type Chars<'a> = std::iter::Peekable<std::str::Chars<'a>>;

fn skip_escape(chars: &mut Chars<'_>) {
    match chars.next() {
        Some('[') => skip_csi(chars),
        Some(']') | Some('P') | Some('X') | Some('^') | Some('_') => skip_string(chars),
        // ESC followed by intermediates then a final byte (e.g. ESC ( B)
        Some(c) if ('\u{20}'..='\u{2f}').contains(&c) => {
            while let Some(&n) = chars.peek() {
                chars.next();
                if !('\u{20}'..='\u{2f}').contains(&n) {
                    break;
                }
            }
        }
        _ => {}
    }
}

/// CSI: parameter and intermediate bytes, then one final byte in 0x40..=0x7e.
fn skip_csi(chars: &mut Chars<'_>) {
    for c in chars.by_ref() {
        if ('\u{40}'..='\u{7e}').contains(&c) {
            return;
        }
        if !('\u{20}'..='\u{3f}').contains(&c) {
            // malformed: stop at the first byte that cannot belong to a CSI
            return;
        }
    }
}

/// OSC/DCS/SOS/PM/APC: up to BEL, ESC \ or the 8-bit ST.
fn skip_string(chars: &mut Chars<'_>) {
    while let Some(c) = chars.next() {
        match c {
            '\u{07}' | '\u{9c}' => return,
            '\u{1b}' => {
                if chars.peek() == Some(&'\\') {
                    chars.next();
                }
                return;
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_csi_and_osc() {
        assert_eq!(clean("a\u{1b}[2Jb\u{1b}[31mred\u{1b}[0m"), "abred");
        assert_eq!(clean("x\u{1b}]0;pwned\u{07}y"), "xy");
        assert_eq!(clean("x\u{1b}]52;c;ZXZpbA==\u{1b}\\y"), "xy");
        assert_eq!(clean("x\u{9b}31my"), "xy");
        assert_eq!(clean("x\u{1b}Pdcs\u{1b}\\y"), "xy");
    }

    #[test]
    fn strips_controls_and_bidi() {
        assert_eq!(clean("a\u{0}b\u{7}c\u{7f}d"), "abcd");
        assert_eq!(clean("evil\u{202e}txt.exe"), "eviltxt.exe");
        assert_eq!(clean("line1\nline2\r\n\tx"), "line1 line2 x");
    }

    #[test]
    fn keeps_ordinary_text() {
        let s = "CannotPullContainerError: pull image manifest has been retried 1 time(s): ü ✓";
        assert_eq!(clean(s), s);
    }

    #[test]
    fn bounds_length() {
        let long = "x".repeat(10_000);
        let out = clean(&long);
        assert_eq!(out.chars().count(), MAX_CHARS + 3);
        assert!(out.ends_with("..."));
    }

    #[test]
    fn unterminated_sequences_do_not_loop() {
        assert_eq!(clean("a\u{1b}]0;never ends"), "a");
        assert_eq!(clean("a\u{1b}["), "a");
        assert_eq!(clean("a\u{1b}"), "a");
    }
}
