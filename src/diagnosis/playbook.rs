//! Loading the playbook: entries (what a finding means, how to fix and confirm it) and ordered
//! rules (which evidence maps to which finding). The built-in files are embedded; a user file may
//! add entries, override them by id, and add rules, which are tried before the built-in ones.

use crate::config_file::{line_of, read_text};
use regex::{Regex, RegexBuilder};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;

pub const BUILTIN_ENTRIES: &str = include_str!("playbook.toml");
pub const BUILTIN_RULES: &str = include_str!("rules.toml");

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Critical,
    Warning,
    Info,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Critical => "critical",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }
}

/// The kinds of evidence a rule can look at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EvidenceKind {
    StoppedReason,
    ContainerReason,
    ExitCode,
    StopCode,
    ServiceEvent,
    TargetHealth,
    RolloutReason,
}

impl EvidenceKind {
    /// Accepts the names used on the command line (`stopped-reason`), in rules
    /// (`stopped_reason`) and in the reference data (`target_health_reason`).
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s.replace('-', "_").as_str() {
            "stopped_reason" => Self::StoppedReason,
            "container_reason" => Self::ContainerReason,
            "exit_code" => Self::ExitCode,
            "stop_code" => Self::StopCode,
            "service_event" => Self::ServiceEvent,
            "target_health" | "target_health_reason" => Self::TargetHealth,
            "rollout_reason" | "rollout_state_reason" => Self::RolloutReason,
            _ => return None,
        })
    }

    /// The families of causes this kind of evidence can name, where it is narrower than all:
    /// a deployment's rollout reason is about the deployment (its circuit breaker, alarms,
    /// hooks and roles, or the API throttling it), never a task's own cause, though it may
    /// quote words that name one ("ECS was unable to assume role" is the hook's role, not the
    /// task role); a target's health is about the target. None: any family.
    pub fn families(self) -> Option<&'static [&'static str]> {
        match self {
            Self::RolloutReason => Some(&["deploy", "api"]),
            Self::TargetHealth => Some(&["health"]),
            _ => None,
        }
    }

    /// Whether evidence of this kind can name a cause of `family` (an unknown family, as a
    /// user entry may leave it, can be named by anything).
    pub fn admits(self, family: &str) -> bool {
        family.is_empty() || self.families().is_none_or(|f| f.contains(&family))
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::StoppedReason => "stopped_reason",
            Self::ContainerReason => "container_reason",
            Self::ExitCode => "exit_code",
            Self::StopCode => "stop_code",
            Self::ServiceEvent => "service_event",
            Self::TargetHealth => "target_health",
            Self::RolloutReason => "rollout_reason",
        }
    }
}

/// One playbook entry.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    #[serde(skip)]
    pub id: String,
    /// The group of causes (`categories.tsv`): image, init, runtime, exitcode, health,
    /// placement, api, deploy, lifecycle, config. User entries may leave it out.
    #[serde(default)]
    pub family: String,
    pub severity: Severity,
    pub rank: u32,
    pub title: String,
    pub meaning: String,
    pub fix: String,
    pub confirm: String,
    /// The confirm command when the evidence came from a service deployment (its ARN is
    /// `{service_deployment}`); `confirm` otherwise.
    #[serde(default)]
    pub confirm_deployment: Option<String>,
    #[serde(default = "yes")]
    pub finding: bool,
    /// Its service events are what ECS routinely does while it replaces tasks ("deregistered
    /// 2 targets"): such an event is history, not a finding, once the service has reached a
    /// steady state after it. Evidence from anything else (a target's health now) still counts.
    #[serde(default)]
    pub settles: bool,
    /// The finding these words mean on another launch type (FARGATE, EC2, EXTERNAL, MANAGED_INSTANCES), of the
    /// same family (checked at load): "no space left on device" pulling an image is the task's
    /// ephemeral storage on Fargate and the instance's disk on EC2. Applies where the task's
    /// launch type is known.
    #[serde(default)]
    pub on_launch_type: BTreeMap<String, String>,
    /// The finding this evidence means when the task's stop code says why it stopped
    /// (`UserInitiated`, `ServiceSchedulerInitiated`, …), of the same family (checked at load):
    /// exit code 137 after a deliberate stop is the SIGKILL at the end of the stop timeout, not
    /// a memory kill.
    #[serde(default)]
    pub on_stop_code: BTreeMap<String, String>,
    /// Its words say ECS (or a person) stopped the task on purpose and sent SIGTERM first (an
    /// instance drained, AZ rebalancing, a scale-in): the task's exit codes then mean what they
    /// mean after a deliberate stop code (`on_stop_code`'s `ServiceSchedulerInitiated`), when the
    /// task has no stop code of its own that says so.
    #[serde(default)]
    pub deliberate: bool,
}

fn yes() -> bool {
    true
}

impl Entry {
    /// Its evidence says the task never reached RUNNING (an image, initialization or placement
    /// failure, or stop code TaskFailedToStart): an exit code cannot explain such a task.
    pub fn never_ran(&self) -> bool {
        matches!(self.family.as_str(), "image" | "init" | "placement")
            || self.id == "task_failed_to_start"
    }
}

/// How sure a match is: `Exact` names the cause; `Family` only knows the kind of failure
/// (an unknown `CannotPullContainerError` is an image pull failure of some kind).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Confidence {
    #[default]
    Exact,
    Family,
}

impl Confidence {
    pub fn as_str(self) -> &'static str {
        match self {
            Confidence::Exact => "exact",
            Confidence::Family => "family",
        }
    }

    /// What a finding's text line adds after its id: nothing for an exact cause; for a family
    /// match, that the exact cause is not known.
    pub fn note(self) -> &'static str {
        match self {
            Confidence::Exact => "",
            Confidence::Family => ", family match: the exact cause is not known",
        }
    }
}

/// One compiled rule.
#[derive(Debug, Clone)]
pub struct Rule {
    pub id: String,
    /// The family of its finding (the entry's), so that evidence of a kind that names only
    /// some families never matches a rule of another ([`EvidenceKind::families`]).
    pub family: String,
    pub kinds: Vec<EvidenceKind>,
    pub any: Vec<Regex>,
    pub all: Vec<Regex>,
    pub none: Vec<Regex>,
    pub exit_codes: Vec<i32>,
    pub exit_range: Option<(i32, i32)>,
    pub confidence: Confidence,
    /// Applies only when the evidence kind is known (a catch-all for one kind of evidence
    /// must not claim text pasted into `explain` without `--kind`).
    pub needs_kind: bool,
    /// The code it matches names more than one cause (ELB's `Target.NotInUse`: a target group
    /// no listener forwards to, or a target in an Availability Zone the load balancer is not
    /// enabled for): where a description names one of them exactly, the description decides.
    pub ambiguous: bool,
    /// The field-corpus sources the rule was written from (`tests/data/`); empty for rules
    /// that predate the corpus. Used by the leave-one-source-out test.
    pub from: Vec<String>,
}

impl Rule {
    pub fn is_exit_code_rule(&self) -> bool {
        !self.exit_codes.is_empty() || self.exit_range.is_some()
    }

    pub fn matches_text(&self, kind: Option<EvidenceKind>, text: &str) -> bool {
        if self.is_exit_code_rule() {
            return false;
        }
        match kind {
            Some(k) if !self.kinds.is_empty() && !self.kinds.contains(&k) => return false,
            Some(k) if !k.admits(&self.family) => return false,
            None if self.needs_kind => return false,
            _ => {}
        }
        (self.any.is_empty() || self.any.iter().any(|r| r.is_match(text)))
            && self.all.iter().all(|r| r.is_match(text))
            && !self.none.iter().any(|r| r.is_match(text))
            && !(self.any.is_empty() && self.all.is_empty())
    }

    pub fn matches_exit_code(&self, code: i32) -> bool {
        self.exit_codes.contains(&code)
            || self
                .exit_range
                .is_some_and(|(lo, hi)| (lo..=hi).contains(&code))
    }
}

/// A playbook file failed to load: which file, which line, what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlaybookError {
    pub file: String,
    pub line: Option<usize>,
    pub message: String,
}

impl fmt::Display for PlaybookError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(l) => write!(f, "{}:{}: {}", self.file, l, self.message),
            None => write!(f, "{}: {}", self.file, self.message),
        }
    }
}

impl std::error::Error for PlaybookError {}

#[derive(Debug, Clone, Default)]
pub struct Playbook {
    pub entries: BTreeMap<String, Entry>,
    pub rules: Vec<Rule>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default)]
    entry: BTreeMap<String, toml::Spanned<Entry>>,
    #[serde(default)]
    rule: Vec<toml::Spanned<RawRule>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRule {
    id: String,
    #[serde(default)]
    kinds: Vec<String>,
    #[serde(default)]
    any: Vec<String>,
    #[serde(default)]
    all: Vec<String>,
    #[serde(default)]
    none: Vec<String>,
    #[serde(default)]
    exit_codes: Vec<i32>,
    #[serde(default)]
    exit_range: Option<(i32, i32)>,
    #[serde(default)]
    confidence: Confidence,
    #[serde(default)]
    needs_kind: bool,
    #[serde(default)]
    ambiguous: bool,
    #[serde(default)]
    from: Vec<String>,
}

/// A parsed file: its entries, and its rules with the line each starts on.
type Parsed = (Vec<Entry>, Vec<(usize, RawRule)>);

fn parse_file(name: &str, text: &str) -> Result<Parsed, PlaybookError> {
    let raw: RawFile = toml::from_str(text).map_err(|e| PlaybookError {
        file: name.to_string(),
        line: e.span().map(|s| line_of(text, s.start)),
        message: e.message().trim().to_string(),
    })?;
    let entries = raw
        .entry
        .into_iter()
        .map(|(id, e)| {
            let mut e = e.into_inner();
            e.id = id;
            e
        })
        .collect();
    let rules = raw
        .rule
        .into_iter()
        .map(|r| (line_of(text, r.span().start), r.into_inner()))
        .collect();
    Ok((entries, rules))
}

fn compile(
    name: &str,
    line: usize,
    raw: RawRule,
    entries: &BTreeMap<String, Entry>,
) -> Result<Rule, PlaybookError> {
    let err = |message: String| PlaybookError {
        file: name.to_string(),
        line: Some(line),
        message,
    };
    let Some(entry) = entries.get(&raw.id) else {
        return Err(err(format!("rule names unknown finding id '{}'", raw.id)));
    };
    let kinds = raw
        .kinds
        .iter()
        .map(|k| {
            EvidenceKind::parse(k)
                .ok_or_else(|| err(format!("rule '{}': unknown evidence kind '{k}'", raw.id)))
        })
        .collect::<Result<Vec<_>, _>>()?;
    if let Some(k) = kinds.iter().find(|k| !k.admits(&entry.family)) {
        return Err(err(format!(
            "rule '{}': a {} names only causes of family {}; '{}' is of family '{}'",
            raw.id,
            k.as_str(),
            k.families().unwrap_or_default().join(" or "),
            raw.id,
            entry.family
        )));
    }
    let re = |pats: &[String]| -> Result<Vec<Regex>, PlaybookError> {
        pats.iter()
            .map(|p| {
                RegexBuilder::new(p)
                    .case_insensitive(true)
                    .size_limit(1 << 20)
                    // ~250 patterns: the default 2 MiB lazy-DFA cache each would dominate memory
                    .dfa_size_limit(1 << 16)
                    .build()
                    .map_err(|e| err(format!("rule '{}': bad pattern '{p}': {e}", raw.id)))
            })
            .collect()
    };
    let rule = Rule {
        any: re(&raw.any)?,
        all: re(&raw.all)?,
        none: re(&raw.none)?,
        kinds,
        exit_codes: raw.exit_codes,
        exit_range: raw.exit_range,
        confidence: raw.confidence,
        needs_kind: raw.needs_kind,
        ambiguous: raw.ambiguous,
        from: raw.from,
        family: entry.family.clone(),
        id: raw.id,
    };
    if rule.any.is_empty() && rule.all.is_empty() && !rule.is_exit_code_rule() {
        return Err(err(format!(
            "rule '{}' has nothing to match (any, all, exit_codes or exit_range)",
            rule.id
        )));
    }
    Ok(rule)
}

/// The launch types an entry's `on_launch_type` may name.
const LAUNCH_TYPES: [&str; 4] = ["FARGATE", "EC2", "EXTERNAL", "MANAGED_INSTANCES"];
/// The stop codes an entry's `on_stop_code` may name (the API's `TaskStopCode`).
const STOP_CODES: [&str; 6] = [
    "TaskFailedToStart",
    "EssentialContainerExited",
    "UserInitiated",
    "TerminationNotice",
    "ServiceSchedulerInitiated",
    "SpotInterruption",
];

/// An entry's `on_launch_type` and `on_stop_code` name known launch types and stop codes, and
/// entries of its own family: they tell apart two causes of one kind of failure, never two
/// kinds.
fn check_mapped_findings(
    file: &str,
    e: &Entry,
    entries: &BTreeMap<String, Entry>,
) -> Result<(), PlaybookError> {
    let maps = [
        (
            "on_launch_type",
            "launch type",
            &LAUNCH_TYPES[..],
            &e.on_launch_type,
        ),
        (
            "on_stop_code",
            "stop code",
            &STOP_CODES[..],
            &e.on_stop_code,
        ),
    ];
    for (field, what, known, map) in maps {
        check_other_finding(file, e, entries, field, what, known, map)?;
    }
    Ok(())
}

fn check_other_finding(
    file: &str,
    e: &Entry,
    entries: &BTreeMap<String, Entry>,
    field: &str,
    what: &str,
    known: &[&str],
    map: &BTreeMap<String, String>,
) -> Result<(), PlaybookError> {
    let err = |message: String| PlaybookError {
        file: file.to_string(),
        line: None,
        message: format!("entry '{}': {field}: {message}", e.id),
    };
    for (key, id) in map {
        if !known.contains(&key.as_str()) {
            let (last, rest) = known.split_last().unwrap_or((&"", &[]));
            return Err(err(format!(
                "unknown {what} '{key}' ({} or {last})",
                rest.join(", ")
            )));
        }
        let Some(other) = entries.get(id) else {
            return Err(err(format!("names unknown finding id '{id}'")));
        };
        if other.family != e.family {
            return Err(err(format!(
                "'{id}' is of family '{}', not '{}'",
                other.family, e.family
            )));
        }
    }
    Ok(())
}

impl Playbook {
    /// The embedded playbook, compiled once per process (clones share the compiled patterns).
    pub fn builtin() -> Self {
        static BUILTIN: std::sync::OnceLock<Playbook> = std::sync::OnceLock::new();
        BUILTIN
            .get_or_init(|| Self::load(None).expect("the embedded playbook is valid (tested)"))
            .clone()
    }

    /// The embedded playbook extended by a user file (entries override by id; rules go first).
    pub fn load(user: Option<(&str, &str)>) -> Result<Self, PlaybookError> {
        let (entries, _) = parse_file("playbook.toml (built in)", BUILTIN_ENTRIES)?;
        let (_, builtin_rules) = parse_file("rules.toml (built in)", BUILTIN_RULES)?;
        let mut map: BTreeMap<String, Entry> =
            entries.into_iter().map(|e| (e.id.clone(), e)).collect();
        let mut rules = Vec::new();
        let mut from_user = Vec::new();
        if let Some((name, text)) = user {
            let (user_entries, user_rules) = parse_file(name, text)?;
            for e in user_entries {
                from_user.push(e.id.clone());
                map.insert(e.id.clone(), e);
            }
            for (line, r) in user_rules {
                rules.push(compile(name, line, r, &map)?);
            }
        }
        for e in map.values() {
            let file = match user {
                Some((name, _)) if from_user.contains(&e.id) => name,
                _ => "playbook.toml (built in)",
            };
            check_mapped_findings(file, e, &map)?;
        }
        for (line, r) in builtin_rules {
            rules.push(compile("rules.toml (built in)", line, r, &map)?);
        }
        Ok(Self {
            entries: map,
            rules,
        })
    }

    /// Load the built-in playbook plus a user file from disk.
    pub fn load_path(path: &Path) -> Result<Self, PlaybookError> {
        let name = path.display().to_string();
        let text = read_text(path).map_err(|message| {
            // read_text says "FILE: problem" or "FILE:LINE: problem"
            let rest = message
                .strip_prefix(&format!("{name}:"))
                .unwrap_or(&message);
            let (line, rest) = match rest.split_once(": ") {
                Some((n, r)) if n.parse::<usize>().is_ok() => (n.parse().ok(), r),
                _ => (None, rest.trim_start()),
            };
            PlaybookError {
                file: name.clone(),
                line,
                message: rest.to_string(),
            }
        })?;
        Self::load(Some((&name, &text)))
    }

    pub fn entry(&self, id: &str) -> Option<&Entry> {
        self.entries.get(id)
    }

    /// The playbook with only the rules `keep` accepts (by position), for ablations: which
    /// rules a classification depends on, and how the rest generalize without them.
    pub fn retain_rules(&self, keep: impl Fn(usize) -> bool) -> Self {
        Self {
            entries: self.entries.clone(),
            rules: self
                .rules
                .iter()
                .enumerate()
                .filter(|(i, _)| keep(*i))
                .map(|(_, r)| r.clone())
                .collect(),
        }
    }
}
