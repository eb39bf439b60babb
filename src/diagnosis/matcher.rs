//! Classifying one piece of evidence: the first rule that matches wins.

use super::playbook::{Entry, EvidenceKind, Playbook};

/// Parse an exit code from evidence text: `137`, `"exitCode": 137`, `exit code 137`.
pub fn parse_exit_code(text: &str) -> Option<i32> {
    let t = text.trim().trim_matches(|c| c == '{' || c == '}').trim();
    let digits = t
        .trim_start_matches('"')
        .trim_start_matches("exitCode")
        .trim_start_matches("exit code")
        .trim_start_matches("exit status")
        .trim_start_matches('"')
        .trim_start_matches(':')
        .trim()
        .trim_end_matches(',');
    digits.parse().ok()
}

impl Playbook {
    /// The finding id for one piece of evidence, or None when no rule matches.
    /// `kind` None tries every rule (an exit code when the text is one).
    pub fn classify(&self, kind: Option<EvidenceKind>, text: &str) -> Option<&Entry> {
        let is_exit = match kind {
            Some(EvidenceKind::ExitCode) => true,
            Some(_) => false,
            None => parse_exit_code(text).is_some(),
        };
        let rule = if is_exit {
            let code = parse_exit_code(text)?;
            self.rules.iter().find(|r| r.matches_exit_code(code))
        } else {
            if text.trim().is_empty() {
                return None;
            }
            self.rules.iter().find(|r| r.matches_text(kind, text))
        }?;
        self.entries.get(&rule.id)
    }

    pub fn classify_id(&self, kind: EvidenceKind, text: &str) -> Option<&str> {
        self.classify(Some(kind), text).map(|e| e.id.as_str())
    }

    pub fn classify_exit_code(&self, code: i32) -> Option<&Entry> {
        let rule = self.rules.iter().find(|r| r.matches_exit_code(code))?;
        self.entries.get(&rule.id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exit_code_forms() {
        assert_eq!(parse_exit_code("\"exitCode\": 137"), Some(137));
        assert_eq!(parse_exit_code("137"), Some(137));
        assert_eq!(parse_exit_code("exit code 1"), Some(1));
        assert_eq!(parse_exit_code("{\"exitCode\": -1}"), Some(-1));
        assert_eq!(parse_exit_code("Essential container exited"), None);
    }
}
