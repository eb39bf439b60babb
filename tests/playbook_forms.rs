//! The forms a message arrives in, and a message cut short. Engineers paste a stopped reason
//! from a terminal or the console wrapped over lines, with a table's double spaces, inside
//! Markdown backticks, as the AWS CLI's JSON member (escaped quotes and all), as a row of the
//! console's task details (`Status reason | …`, `STOPPED (…)`), or cut with `...`;
//! ECS itself cuts long reasons. Every corpus and reference line, in each of those forms, must
//! get the answer its one-line form gets; and a message cut at any word may lose its cause
//! (unclassified, or a family match) but never gets an exact answer of another family.

mod common;

use common::corpus::{Msg, all, assert_no_answer_moved};
use ecswatch::diagnosis::{Confidence, EvidenceKind, Playbook};

type Answer = Option<(String, Confidence)>;

/// A form a pasted message arrives in: its name, and the text in that form.
type Form = (&'static str, fn(&str) -> String);

fn answer(pb: &Playbook, m: &Msg, text: &str) -> Answer {
    pb.classify_match(Some(m.kind), text).map(|found| {
        let found = pb.on_launch_type(found, m.launch_type.as_deref());
        (found.entry.id.clone(), found.confidence)
    })
}

/// The lines whose one-line form is right: the baseline each form is held to.
fn right_lines(pb: &Playbook) -> Vec<(Msg, Answer)> {
    all()
        .into_iter()
        .filter(|m| !matches!(m.kind, EvidenceKind::ExitCode | EvidenceKind::StopCode))
        .filter_map(|m| {
            let a = answer(pb, &m, &m.text);
            (a.as_ref().map(|(id, _)| id.as_str()) == Some(m.category.as_str())).then_some((m, a))
        })
        .collect()
}

/// Wrapped at `width` columns, as a terminal or the console breaks a long line.
fn wrapped(text: &str, width: usize) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    let mut column = 0;
    for word in text.split(' ') {
        if column > 0 && column + 1 + word.len() > width {
            out.push('\n');
            column = 0;
        } else if column > 0 {
            out.push(' ');
            column += 1;
        }
        out.push_str(word);
        column += word.len();
    }
    out
}

#[test]
fn every_message_in_the_forms_it_is_pasted_in_gets_the_same_answer() {
    let pb = Playbook::builtin();
    let lines = right_lines(&pb);
    let forms: [Form; 9] = [
        ("wrapped at 60 columns", |t| wrapped(t, 60)),
        ("wrapped at 80 columns, indented", |t| {
            wrapped(t, 80).replace('\n', "\n    ")
        }),
        ("a new line after each colon", |t| t.replace(": ", ":\n")),
        ("double spaces", |t| t.replace(' ', "  ")),
        ("in backticks", |t| format!("`{t}`")),
        ("cut with ...", |t| format!("{t}...")),
        ("a row of the console's task details", |t| {
            format!("Status reason | {t}")
        }),
        ("the old console's last status", |t| {
            format!("STOPPED ({t})")
        }),
        ("the AWS CLI's JSON member", |t| {
            format!(
                "\"stoppedReason\": {},",
                serde_json::to_string(t).expect("a string")
            )
        }),
    ];
    let mut changed = Vec::new();
    let mut tried = 0;
    for (label, form) in forms {
        for (m, before) in &lines {
            let text = form(&m.text);
            if text == m.text {
                continue;
            }
            tried += 1;
            let after = answer(&pb, m, &text);
            if &after != before {
                changed.push(format!("{label}: {before:?} became {after:?}: {text:?}"));
            }
        }
    }
    println!(
        "forms: {tried} pasted forms, {} changed the answer",
        changed.len()
    );
    assert!(tried > 3000, "{tried} forms");
    assert_no_answer_moved("forms", &changed);
}

/// A cut that leaves words meaning something else is not a wrong answer about those words. Two
/// such are known, each a whole message of its own or a code two causes share:
const CUTS_THAT_ARE_ANOTHER_MESSAGE: [(&str, &str, &str); 2] = [
    (
        "unhealthy_task_replaced",
        "task_started",
        // "(service web) has started 1 tasks: (task …)." is itself ECS's started-tasks event;
        // the replacement is said in the sentence after it
        "has started",
    ),
    (
        "throttled",
        "image_pull_rate_limited",
        // "toomanyrequests" is Docker Hub's pull rate limit and ECR's throttling alike; ECR's
        // "Rate exceeded" after it is what tells them apart
        "toomanyrequests",
    ),
];

#[test]
fn a_message_cut_short_is_never_confidently_another_cause() {
    let pb = Playbook::builtin();
    let family = |id: &str| pb.entry(id).expect("entry").family.clone();
    let (mut cuts, mut right, mut same_family, mut none, mut other_family) = (0, 0, 0, 0, 0);
    let mut wrong = Vec::new();
    for (m, _) in right_lines(&pb) {
        let ends: Vec<usize> = m
            .text
            .char_indices()
            .filter(|(_, c)| c.is_whitespace())
            .map(|(i, _)| i)
            .skip(1)
            .collect();
        for end in ends {
            let cut = &m.text[..end];
            cuts += 1;
            match answer(&pb, &m, cut) {
                Some((id, _)) if id == m.category => right += 1,
                Some((id, confidence)) if family(&id) != family(&m.category) => {
                    other_family += 1;
                    let known = CUTS_THAT_ARE_ANOTHER_MESSAGE
                        .iter()
                        .any(|(want, got, words)| {
                            *want == m.category && *got == id && cut.contains(words)
                        });
                    if confidence == Confidence::Exact && !known {
                        wrong.push(format!("want {} got {id}: {cut:?}", m.category));
                    }
                }
                Some(_) => same_family += 1,
                None => none += 1,
            }
        }
    }
    println!(
        "cuts: {cuts} cut at a word; {right} still right, {same_family} the right family, {none} unclassified, {other_family} another family ({} of them exact and not a known whole message)",
        wrong.len()
    );
    assert!(cuts > 5000, "{cuts} cuts");
    assert!(
        wrong.is_empty(),
        "{} cut messages got an exact answer of another family:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
}
