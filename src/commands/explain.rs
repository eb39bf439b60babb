//! `ecswatch explain`: classify one pasted message.

use super::Exit;
use crate::cli::{ExplainArgs, ExplainFormat, ExplainKind, LaunchType};
use crate::diagnosis::{ConfirmContext, EvidenceKind, Playbook, split_target_reason};
use crate::sanitize;
use serde_json::json;
use std::io::Read;

fn kind(k: ExplainKind) -> EvidenceKind {
    match k {
        ExplainKind::StoppedReason => EvidenceKind::StoppedReason,
        ExplainKind::ContainerReason => EvidenceKind::ContainerReason,
        ExplainKind::ExitCode => EvidenceKind::ExitCode,
        ExplainKind::StopCode => EvidenceKind::StopCode,
        ExplainKind::ServiceEvent => EvidenceKind::ServiceEvent,
        ExplainKind::TargetHealth => EvidenceKind::TargetHealth,
        ExplainKind::RolloutReason => EvidenceKind::RolloutReason,
    }
}

/// Returns the output and whether a rule matched.
pub fn explain(pb: &Playbook, args: &ExplainArgs, input: &str) -> (String, bool) {
    let text = sanitize::clean(input);
    // a target's health pasted with its reason code: the code and the description together,
    // as the console reads them (an ambiguous code gives way to a description that decides)
    let pair = matches!(args.kind, None | Some(ExplainKind::TargetHealth))
        .then(|| split_target_reason(&text))
        .flatten();
    let found = match &pair {
        Some((code, rest)) => pb.classify_target_health(Some(code), Some(rest)),
        None => pb.classify_match(args.kind.map(kind), &text),
    }
    .map(|m| pb.on_launch_type(m, args.launch_type.map(LaunchType::as_str)));
    let entry = found.map(|m| m.entry);
    let confidence = found.map(|m| m.confidence.as_str());
    // Placeholders stay visible (`<cluster>`): explain knows no incident.
    let confirm = entry.map(|e| ConfirmContext::default().fill(&e.confirm));
    let out = match args.format {
        ExplainFormat::Json => {
            let v = match entry {
                Some(e) => json!({
                    "id": e.id, "severity": e.severity.as_str(), "confidence": confidence,
                    "family": e.family, "title": e.title,
                    "meaning": e.meaning, "fix": e.fix, "confirm": confirm,
                }),
                None => json!({
                    "id": null, "severity": null, "confidence": null, "family": null, "title": null, "meaning": null, "fix": null, "confirm": null,
                }),
            };
            serde_json::to_string_pretty(&v).unwrap_or_default() + "\n"
        }
        ExplainFormat::Text => match entry {
            Some(e) => format!(
                "{} [{}] {}\n{}\nmeaning: {}\nfix:     {}\nconfirm: {}\n",
                e.id,
                e.severity.as_str(),
                e.title,
                if confidence == Some("family") {
                    format!(
                        "match:   family only ({}): no rule knows this exact message, only the kind of failure\n",
                        e.family
                    )
                } else {
                    String::new()
                },
                e.meaning,
                e.fix,
                confirm.unwrap_or_default()
            ),
            None => {
                // The kind given may be the wrong one (a stopped reason pasted as a rollout
                // reason): say what the words are as any kind, rather than "not known".
                let elsewhere = args.kind.and_then(|k| {
                    let e = pb.classify(None, &text)?;
                    Some(format!(
                        "as a {} no rule matches; as another kind of evidence these words are {} ({}): give the kind the text came from, or none\n",
                        kind(k).as_str().replace('_', " "),
                        e.id,
                        e.family
                    ))
                });
                match elsewhere {
                    Some(hint) => format!("{hint}\nraw: {text}\n"),
                    None => format!(
                        "no rule matches this text: ecswatch does not know this failure (id null)\n\nraw: {text}\n"
                    ),
                }
            }
        },
    };
    (out, entry.is_some())
}

pub fn run(pb: &Playbook, args: &ExplainArgs) -> Result<(String, bool), Exit> {
    let input = if args.text.is_empty() || args.text == ["-"] {
        let mut buf = Vec::new();
        std::io::stdin()
            .take(1 << 20)
            .read_to_end(&mut buf)
            .map_err(|e| Exit::new(2, format!("explain: cannot read standard input: {e}")))?;
        String::from_utf8_lossy(&buf).into_owned()
    } else {
        args.text.join(" ")
    };
    if input.trim().is_empty() {
        return Err(Exit::new(
            2,
            "explain: no text given (pass it as an argument or on standard input)",
        ));
    }
    Ok(explain(pb, args, &input))
}
