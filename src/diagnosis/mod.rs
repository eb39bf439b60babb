//! Diagnosis: the playbook that turns evidence into findings with a fix and a confirm command.
//!
//! `rules.toml` maps one piece of evidence (a stopped reason, a container reason, an exit code,
//! a stop code, a service event, a target health reason, a rollout reason) to a finding id; the
//! first matching rule wins. `playbook.toml` says what each id means, how to fix it and how to
//! confirm it. [`diagnose_service`] gathers a service's evidence from the store, groups it into
//! one finding per cause, adds configuration lints, and ranks the result.

mod confirm;
mod deploy;
mod evidence;
mod forms;
mod matcher;
mod names;
pub mod playbook;

pub use confirm::{ConfirmContext, shell_word, split_image};
pub use deploy::{SET_UP_CAUSES, evidence as deploy_evidence};
pub use evidence::{EVIDENCE_WINDOW_H, task_category, task_match};
pub use forms::normalize;
pub use matcher::{Match, parse_exit_code, split_target_reason};
pub use names::mask_names;
pub use playbook::{Confidence, Entry, EvidenceKind, Playbook, PlaybookError, Severity};

use crate::model::Time;

/// One cause, with everything that points at it.
#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    pub id: String,
    pub severity: Severity,
    /// `Family` when every piece of evidence matched only a family fallback rule.
    pub confidence: Confidence,
    pub rank: u32,
    pub title: String,
    pub meaning: String,
    pub fix: String,
    /// The exact command to confirm it, filled with this cluster, service, task, target group.
    pub confirm: String,
    /// What matched, most telling first: counts, first/last seen, sample messages.
    pub evidence: Vec<String>,
    /// How many tasks, events, targets or settings matched.
    pub count: usize,
    pub first_seen: Option<Time>,
    pub last_seen: Option<Time>,
}

impl Finding {
    pub fn from_entry(entry: &Entry, ctx: &ConfirmContext) -> Self {
        Self {
            id: entry.id.clone(),
            severity: entry.severity,
            confidence: Confidence::Exact,
            rank: entry.rank,
            title: entry.title.clone(),
            meaning: entry.meaning.clone(),
            fix: entry.fix.clone(),
            confirm: ctx.fill(
                entry
                    .confirm_deployment
                    .as_deref()
                    .filter(|_| ctx.service_deployment.is_some())
                    .unwrap_or(&entry.confirm),
            ),
            evidence: Vec::new(),
            count: 0,
            first_seen: None,
            last_seen: None,
        }
    }

    /// The title as a list row shows it: a family match is marked `~` (its kind of failure
    /// is known, not its exact cause), so that a row read alone, without colour, is never
    /// taken for an exact answer.
    pub fn row_title(&self) -> String {
        match self.confidence {
            Confidence::Family => format!("~{}", self.title),
            Confidence::Exact => self.title.clone(),
        }
    }
}

/// Most important first: severity, then an exact cause before a family one, then playbook
/// rank (causes before effects), then how much evidence, then the most recent.
pub fn rank_findings(findings: &mut [Finding]) {
    findings.sort_by(|a, b| {
        a.severity
            .cmp(&b.severity)
            .then(a.confidence.cmp(&b.confidence))
            .then(a.rank.cmp(&b.rank))
            .then(b.count.cmp(&a.count))
            .then(b.last_seen.cmp(&a.last_seen))
            .then(a.id.cmp(&b.id))
    });
}
