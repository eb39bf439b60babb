//! Classifying one piece of evidence: the first rule that matches wins.

use super::forms::normalize;
use super::names::mask_names;
use super::playbook::{Confidence, Entry, EvidenceKind, Playbook, Rule};

/// Parse an exit code from evidence text as people paste it: `137`, `"exitCode": 137`,
/// `exit code 137`, `Exit Code\t137`, `Exited with code 137`, `exit status 1`.
pub fn parse_exit_code(text: &str) -> Option<i32> {
    let t = text.trim().trim_matches(|c| c == '{' || c == '}').trim();
    let lower = t.to_ascii_lowercase();
    let mut rest = lower.trim_start_matches('"');
    for prefix in ["exitcode", "exited with code", "exit code", "exit status"] {
        if let Some(r) = rest.strip_prefix(prefix) {
            rest = r;
            break;
        }
    }
    rest.trim_start_matches('"')
        .trim_start_matches(|c: char| c == ':' || c.is_whitespace())
        .trim_end_matches(',')
        .trim()
        .parse()
        .ok()
}

/// Codes spelled as words, so that rules written from messages also match the codes ECS and
/// ELB use for the same thing: `SERVICE_STEADY_STATE` -> `SERVICE STEADY STATE`,
/// `Elb.RegistrationInProgress` -> `Elb Registration In Progress`. None when the text holds no
/// code-like token (the common case: nothing extra to try).
pub fn spell_codes(text: &str) -> Option<String> {
    let mut out = String::with_capacity(text.len() + 8);
    let mut changed = false;
    for (i, token) in text.split(' ').enumerate() {
        if i > 0 {
            out.push(' ');
        }
        let snake = token.contains('_')
            && token
                .chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_' || c == ':');
        let dotted = token.split_once('.').is_some_and(|(a, b)| {
            !a.is_empty()
                && a.chars().all(|c| c.is_ascii_alphabetic())
                && b.chars().next().is_some_and(|c| c.is_ascii_uppercase())
                && b.chars().all(|c| c.is_ascii_alphanumeric())
                && b.chars().filter(|c| c.is_ascii_uppercase()).count() > 1
        });
        if snake {
            out.push_str(&token.replace('_', " "));
            changed = true;
        } else if dotted {
            let (a, b) = token.split_once('.').unwrap_or((token, ""));
            out.push_str(a);
            for c in b.chars() {
                if c.is_ascii_uppercase() {
                    out.push(' ');
                }
                out.push(c);
            }
            changed = true;
        } else {
            out.push_str(token);
        }
    }
    changed.then_some(out)
}

/// A target's health pasted as one text (`Target.NotInUse - Target group is not configured…`,
/// or DescribeTargetHealth's `"Reason": …, "Description": …`): its ELB reason code and the rest,
/// when there is a rest with words in it. None when the text holds no `Elb.*`/`Target.*` code.
pub fn split_target_reason(text: &str) -> Option<(&str, String)> {
    let is_code = |t: &str| {
        t.split_once('.').is_some_and(|(a, b)| {
            matches!(a, "Elb" | "Target")
                && b.chars().next().is_some_and(|c| c.is_ascii_uppercase())
                && b.chars().all(|c| c.is_ascii_alphanumeric())
        })
    };
    let code = text
        .split_whitespace()
        .map(|t| t.trim_matches(|c: char| !c.is_ascii_alphanumeric() && c != '.'))
        .find(|t| is_code(t))?;
    let rest: String = text
        .replacen(code, " ", 1)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    let rest = rest
        .trim_matches(|c: char| !c.is_alphanumeric())
        .to_string();
    let words = rest.split_whitespace().filter(|w| w.len() > 2).count();
    (words >= 2).then_some((code, rest))
}

/// What one piece of evidence matched: the finding and how sure the match is.
#[derive(Debug, Clone, Copy)]
pub struct Match<'p> {
    pub entry: &'p Entry,
    pub confidence: Confidence,
}

impl Playbook {
    /// The finding for one piece of evidence, or None when no rule matches.
    /// `kind` None tries every rule (an exit code when the text is one).
    pub fn classify(&self, kind: Option<EvidenceKind>, text: &str) -> Option<&Entry> {
        self.classify_match(kind, text).map(|m| m.entry)
    }

    /// Like [`Playbook::classify`], with the confidence of the rule that matched.
    pub fn classify_match(&self, kind: Option<EvidenceKind>, text: &str) -> Option<Match<'_>> {
        self.rule_match(&self.rules[self.matching_rule(kind, text)?])
    }

    /// The position of the rule that classifies this evidence: the first that matches.
    pub fn matching_rule(&self, kind: Option<EvidenceKind>, text: &str) -> Option<usize> {
        let is_exit = match kind {
            Some(EvidenceKind::ExitCode) => true,
            Some(_) => false,
            None => parse_exit_code(text).is_some(),
        };
        if is_exit {
            let code = parse_exit_code(text)?;
            return self.rules.iter().position(|r| r.matches_exit_code(code));
        }
        // the words as one line (a wrapped or quoted paste), and a service, image or role named
        // after a cause must not become that cause
        let text = normalize(text);
        if text.is_empty() {
            // nothing but white space, quotes or an ellipsis
            return None;
        }
        let text = mask_names(&text);
        let spelled = spell_codes(&text);
        self.rules.iter().position(|r| {
            r.matches_text(kind, &text)
                || spelled.as_deref().is_some_and(|s| r.matches_text(kind, s))
        })
    }

    pub fn classify_id(&self, kind: EvidenceKind, text: &str) -> Option<&str> {
        self.classify(Some(kind), text).map(|e| e.id.as_str())
    }

    /// A target's health as DescribeTargetHealth gives it: a reason code and a description. The
    /// code is tried first. The description decides when the code matches only a family rule
    /// (an unknown `Target.*` code) or a rule marked `ambiguous` (one code ELB uses for several
    /// causes, told apart only by the description), and the description names a cause exactly.
    pub fn classify_target_health(
        &self,
        reason: Option<&str>,
        description: Option<&str>,
    ) -> Option<Match<'_>> {
        let kind = Some(EvidenceKind::TargetHealth);
        let by_reason = reason.and_then(|r| self.matching_rule(kind, r));
        if let Some(r) = by_reason.map(|i| &self.rules[i])
            && r.confidence == Confidence::Exact
            && !r.ambiguous
        {
            return self.rule_match(r);
        }
        let by_reason = by_reason.and_then(|i| self.rule_match(&self.rules[i]));
        match description.and_then(|d| self.classify_match(kind, d)) {
            Some(d) if d.confidence == Confidence::Exact => Some(d),
            d => by_reason.or(d),
        }
    }

    /// `m` for a task of this launch type: the entry its words name there (`on_launch_type`,
    /// same family), with the same confidence; `m` itself where nothing differs or the launch
    /// type is not known.
    pub fn on_launch_type<'p>(&'p self, m: Match<'p>, launch_type: Option<&str>) -> Match<'p> {
        // no allocation per match: most entries name no other launch type
        launch_type
            .and_then(|lt| {
                m.entry
                    .on_launch_type
                    .iter()
                    .find(|(k, _)| k.eq_ignore_ascii_case(lt))
            })
            .and_then(|(_, id)| self.entries.get(id))
            .map_or(m, |entry| Match {
                entry,
                confidence: m.confidence,
            })
    }

    /// `m` for a task that stopped with this stop code: the entry its evidence means then
    /// (`on_stop_code`, same family), with the same confidence; `m` itself otherwise.
    pub fn on_stop_code<'p>(&'p self, m: Match<'p>, stop_code: Option<&str>) -> Match<'p> {
        stop_code
            .and_then(|code| m.entry.on_stop_code.get(code))
            .and_then(|id| self.entries.get(id))
            .map_or(m, |entry| Match {
                entry,
                confidence: m.confidence,
            })
    }

    fn rule_match(&self, rule: &Rule) -> Option<Match<'_>> {
        Some(Match {
            entry: self.entries.get(&rule.id)?,
            confidence: rule.confidence,
        })
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
    fn a_paste_with_no_words_is_no_evidence() {
        let pb = Playbook::builtin();
        for text in ["", "   ", "``", "\"\"", "...", "\"stoppedReason\": \"\","] {
            assert!(pb.matching_rule(None, text).is_none(), "{text:?}");
        }
    }

    #[test]
    fn exit_code_forms() {
        assert_eq!(parse_exit_code("\"exitCode\": 137"), Some(137));
        assert_eq!(parse_exit_code("137"), Some(137));
        assert_eq!(parse_exit_code("exit code 1"), Some(1));
        assert_eq!(parse_exit_code("{\"exitCode\": -1}"), Some(-1));
        assert_eq!(parse_exit_code("Essential container exited"), None);
        assert_eq!(parse_exit_code("Exit Code\t137"), Some(137));
        assert_eq!(parse_exit_code("Exited with code 137"), Some(137));
        assert_eq!(parse_exit_code("exit status 1"), Some(1));
        assert_eq!(parse_exit_code("exitCode"), None);
    }

    #[test]
    fn a_pasted_target_health_splits_into_code_and_description() {
        assert_eq!(
            split_target_reason(
                "Target.NotInUse - Target group is not configured to receive traffic"
            ),
            Some((
                "Target.NotInUse",
                "Target group is not configured to receive traffic".into()
            ))
        );
        let (code, rest) = split_target_reason(
            r#""Reason": "Target.Timeout", "Description": "Connection to target timed out""#,
        )
        .expect("split");
        assert_eq!(code, "Target.Timeout");
        assert!(rest.contains("Connection to target timed out"), "{rest}");
        // a code alone, or no code, is not a pair
        assert_eq!(split_target_reason("Target.NotInUse"), None);
        assert_eq!(split_target_reason("\"Target.NotInUse\","), None);
        assert_eq!(split_target_reason("Request timed out"), None);
    }

    #[test]
    fn codes_are_spelled_as_words() {
        assert_eq!(
            spell_codes("SERVICE_STEADY_STATE").as_deref(),
            Some("SERVICE STEADY STATE")
        );
        assert_eq!(
            spell_codes("Elb.RegistrationInProgress").as_deref(),
            Some("Elb Registration In Progress")
        );
        assert_eq!(
            spell_codes("SERVICE_TASK_PLACEMENT_FAILURE: RESOURCE:FARGATE").as_deref(),
            Some("SERVICE TASK PLACEMENT FAILURE: RESOURCE:FARGATE")
        );
        // prose, file names and hosts are left alone
        assert_eq!(spell_codes("Essential container in task exited"), None);
        assert_eq!(spell_codes("write /var/lib/x_y.so: no space"), None);
        assert_eq!(
            spell_codes("dial tcp api.ecr.us-east-1.amazonaws.com:443"),
            None
        );
    }
}
