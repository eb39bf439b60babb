//! The diagnosis test data: the reference messages and the field corpus (`tests/data/`).

use ecswatch::diagnosis::EvidenceKind;
use serde_json::Value;

/// One line of `ecs-messages.jsonl` or `field-messages.jsonl`.
pub struct Msg {
    pub kind: EvidenceKind,
    pub text: String,
    /// A target's health as DescribeTargetHealth gives it: the reason code beside the
    /// description in `text` (the description alone is what the rules are measured on).
    pub reason: Option<String>,
    /// Where the task ran, where the same words mean another cause there (a full disk on an
    /// EC2 instance): the line is classified as the console reads a task of that launch type.
    pub launch_type: Option<String>,
    pub category: String,
    pub group: String,
    pub source: String,
}

/// Every line of a JSON-lines file; `group` names the source where the lines do not.
pub fn load(path: &str, group: Option<&str>) -> Vec<Msg> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}"));
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| {
            let v: Value =
                serde_json::from_str(l).unwrap_or_else(|e| panic!("{path}:{}: {e}", i + 1));
            let s = |k: &str| v[k].as_str().unwrap_or_default().to_string();
            Msg {
                kind: EvidenceKind::parse(&s("kind"))
                    .unwrap_or_else(|| panic!("{path}:{}: unknown kind {}", i + 1, s("kind"))),
                text: s("text"),
                reason: v["reason"].as_str().map(str::to_string),
                launch_type: v["launch_type"].as_str().map(str::to_string),
                category: s("category"),
                group: group.map(str::to_string).unwrap_or_else(|| s("group")),
                source: s("source"),
            }
        })
        .collect()
}

pub fn field() -> Vec<Msg> {
    load("tests/data/field-messages.jsonl", None)
}

pub fn reference() -> Vec<Msg> {
    load("tests/data/ecs-messages.jsonl", Some("reference"))
}

/// The reference messages and the field corpus, in that order.
pub fn all() -> Vec<Msg> {
    reference().into_iter().chain(field()).collect()
}

/// Fails listing the first 40 of `changed` (answers that moved), if there are any.
pub fn assert_no_answer_moved(what: &str, changed: &[String]) {
    assert!(
        changed.is_empty(),
        "{} {what} changed the answer:\n{}",
        changed.len(),
        changed
            .iter()
            .take(40)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
}
