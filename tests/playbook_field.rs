//! Generalization, measured: the field corpus (`tests/data/field-messages.jsonl`, real messages
//! from the ECS agent's source, the AWS documentation, the ELB API, EventBridge events, GitHub
//! issues and blog posts, each with its source) must classify right; no message may get a
//! category of another family than its own (a confidently wrong answer); and rules written
//! without a source must still classify that source's messages (leave one source out).

use ecswatch::diagnosis::{Confidence, EvidenceKind, Match, Playbook, task_category};
use ecswatch::model::{ContainerState, Task};
use serde_json::Value;
use std::collections::BTreeMap;

mod common;

use common::corpus::{Msg, field, reference};

fn family(pb: &Playbook, id: &str) -> String {
    pb.entry(id)
        .map(|e| e.family.clone())
        .unwrap_or_else(|| panic!("category {id} has no playbook entry"))
}

#[test]
fn the_corpus_holds_at_least_400_sourced_messages_that_classify_right() {
    let pb = Playbook::builtin();
    let all: Vec<Msg> = reference().into_iter().chain(field()).collect();
    for m in &all {
        assert!(!m.source.trim().is_empty(), "no source: {}", m.text);
        assert!(
            pb.entry(&m.category).is_some(),
            "unknown category {}: {}",
            m.category,
            m.text
        );
    }
    let wrong: Vec<String> = all
        .iter()
        .filter_map(|m| {
            let got = got(&pb, m);
            (got != Some(m.category.as_str())).then(|| {
                format!(
                    "[{}] {:?}: want {}, got {:?}: {}",
                    m.group, m.kind, m.category, got, m.text
                )
            })
        })
        .collect();
    // a target's health with its reason code, as the console and snapshot read it
    let wrong_pairs: Vec<String> = all
        .iter()
        .filter_map(|m| {
            let reason = m.reason.as_deref()?;
            let got = pb
                .classify_target_health(Some(reason), Some(&m.text))
                .map(|x| x.entry.id.as_str());
            (got != Some(m.category.as_str())).then(|| {
                format!(
                    "[{}] pair ({reason}, {}): want {}, got {got:?}",
                    m.group, m.text, m.category
                )
            })
        })
        .collect();
    assert!(wrong_pairs.is_empty(), "{}", wrong_pairs.join("\n"));
    // a message seen in two sources is one line per source; count distinct messages
    let distinct: std::collections::BTreeSet<(String, &str)> = all
        .iter()
        .filter(|m| right(&pb, m))
        .map(|m| (format!("{:?}", m.kind), m.text.as_str()))
        .collect();
    assert!(
        distinct.len() >= 400 && wrong.is_empty(),
        "{} distinct messages classify right (need 400), {} lines wrong:\n{}",
        distinct.len(),
        wrong.len(),
        wrong.join("\n")
    );
}

#[test]
fn no_message_gets_a_category_of_another_family() {
    let pb = Playbook::builtin();
    let all: Vec<Msg> = reference().into_iter().chain(field()).collect();
    let confident_wrong: Vec<String> = all
        .iter()
        .filter_map(|m| {
            let got = got(&pb, m)?;
            let (want_f, got_f) = (family(&pb, &m.category), family(&pb, got));
            (want_f != got_f).then(|| {
                format!(
                    "[{}] want {} ({want_f}), got {got} ({got_f}): {}",
                    m.group, m.category, m.text
                )
            })
        })
        .collect();
    assert!(
        confident_wrong.is_empty(),
        "confidently wrong:\n{}",
        confident_wrong.join("\n")
    );
}

/// `explain` with no `--kind`: an engineer pastes words without saying where they came from. The
/// rules then apply to any kind, so a rule written for one kind may claim another's words (an
/// EBS volume's "configured ECS Infrastructure Role" was the load balancer's role). No line of
/// the corpus or the reference may then get another family's category; a line may get none
/// (generic words whose rules need their kind), though since 2026-12-05 none does: the load
/// balancer's own descriptions ("Connection to target timed out") have rules of any kind.
#[test]
fn without_its_kind_no_message_gets_a_category_of_another_family() {
    let pb = Playbook::builtin();
    let all: Vec<Msg> = reference().into_iter().chain(field()).collect();
    let texts: Vec<&Msg> = all
        .iter()
        .filter(|m| m.kind != EvidenceKind::ExitCode)
        .collect();
    let (mut right, mut none) = (0, 0);
    let mut wrong = Vec::new();
    for m in &texts {
        let Some(found) = pb.classify_match(None, &m.text) else {
            none += 1;
            continue;
        };
        let got = pb.on_launch_type(found, m.launch_type.as_deref()).entry;
        if got.id == m.category {
            right += 1;
        } else if got.family != family(&pb, &m.category) {
            wrong.push(format!(
                "[{}] want {} ({}), got {} ({}): {}",
                m.group,
                m.category,
                family(&pb, &m.category),
                got.id,
                got.family,
                m.text
            ));
        }
    }
    println!(
        "without a kind: {right} of {} right, {none} unclassified, {} another family",
        texts.len(),
        wrong.len()
    );
    assert!(wrong.is_empty(), "another family:\n{}", wrong.join("\n"));
}

/// Leave one source out, pattern by pattern. For each source, the patterns of rules written
/// from the field corpus (`from = [...]` in rules.toml; rules without it predate the corpus)
/// are taken away one at a time while every message of the other sources and of the reference
/// set that was right stays right (`written_without`): what is left is what the rules would be
/// had this source never been seen. A phrase only this source uses goes even when it hides
/// among general patterns of a rule others need, and so do two of its phrases that each make
/// the other redundant. Then count how many of its messages the remaining rules classify right.
/// The provenance check below is separate: a pattern that a source needs on its own names it.
/// Every source's figure is printed (`cargo test --test playbook_field -- --nocapture`).
#[test]
fn rules_written_without_a_source_classify_that_source() {
    let pb = Playbook::builtin();
    let all: Vec<Msg> = reference().into_iter().chain(field()).collect();
    let needed_by = needs(&pb, &all, &[]);
    // provenance must be true: a corpus pattern that a source needs names that source
    let untrue: Vec<String> = needed_by
        .iter()
        .filter_map(|(part, groups)| {
            let r = match part {
                Part::Any(r, _) | Part::Whole(r) => *r,
            };
            let rule = &pb.rules[r];
            let missing: Vec<&str> = groups
                .iter()
                .filter(|g| **g != "reference" && !rule.from.iter().any(|f| f == *g))
                .copied()
                .collect();
            (!missing.is_empty()).then(|| {
                format!(
                    "rule {} {part:?} (from {:?}) is needed by {missing:?}",
                    rule.id, rule.from
                )
            })
        })
        .collect();
    assert!(
        untrue.is_empty(),
        "untrue provenance:\n{}",
        untrue.join("\n")
    );
    let mut groups: BTreeMap<String, Vec<Msg>> = BTreeMap::new();
    for m in field() {
        groups.entry(m.group.clone()).or_default().push(m);
    }
    let mut failures = Vec::new();
    println!("leave-one-source-out (corpus rules only the source needs removed):");
    for (group, msgs) in &groups {
        let score = |pb: &Playbook| msgs.iter().filter(|m| right(pb, m)).count();
        let (dropped, without) = written_without(&pb, &all, group)
            .map(|dropped| {
                let without = remove(&pb, &dropped).0;
                (dropped, without)
            })
            .into_iter()
            .min_by_key(|(_, without)| score(without))
            .expect("two orders");
        let misses: Vec<&Msg> = msgs.iter().filter(|m| !right(&without, m)).collect();
        // a miss that still names the right family (through a family fallback) tells the
        // on-call engineer the right kind of failure and says it is only a family match
        let family_right = msgs
            .iter()
            .filter(|m| {
                got(&without, m).is_some_and(|got| family(&pb, got) == family(&pb, &m.category))
            })
            .count();
        let other_family: Vec<&Msg> = msgs
            .iter()
            .filter(|m| {
                got(&without, m).is_some_and(|got| family(&pb, got) != family(&pb, &m.category))
            })
            .collect();
        // of those, the answers that claim to know the cause: confidently wrong on a message
        // the rules were not written from
        let confident_wrong: Vec<&&Msg> = other_family
            .iter()
            .filter(|m| {
                got_match(&without, m).is_some_and(|found| found.confidence == Confidence::Exact)
            })
            .collect();
        let ok = msgs.len() - misses.len();
        let pct = 100.0 * ok as f64 / msgs.len() as f64;
        let fam_pct = 100.0 * family_right as f64 / msgs.len() as f64;
        println!(
            "  {group:<12} exact {ok:>3}/{:<3} {pct:5.1}%   right family {family_right:>3} {fam_pct:5.1}%   ({} patterns removed, {} other-family answers, {} of them exact)",
            msgs.len(),
            dropped.len(),
            other_family.len(),
            confident_wrong.len()
        );
        for m in &misses {
            println!(
                "      miss: want {}, got {:?}: {}",
                m.category,
                got(&without, m),
                m.text
            );
        }
        // Floors: the figures measured on 2026-12-04 (greedy pattern-level ablation; testing
        // each pattern alone had let mutually redundant patterns survive, which hid two elb
        // misses and one issues miss), so that a change that generalizes worse fails here. The
        // target is 95% exact for every source with 10 or more messages; the sources with a
        // vocabulary of their own (ELB API descriptions, EventBridge event names, the agent's
        // task resources and "unable to find execution role credentials") do not reach it, and
        // the gap is printed above.
        let (exact_floor, family_floor) = match group.as_str() {
            // 34/41 since the fifth held-out sample: an engineer's FireLens S3 config failure
            // (amazon-ecs-firelens-examples#21) gives the agent's task-resource rule a second
            // source (32/41 before)
            // 43/61 since the eleventh held-out sample (2026-12-05), a second pass over the
            // agent's source: 20 lines the first pass had missed or left out (HostConfigError's
            // execution-role credentials and host ports, ContainerNetworkingError, the volume
            // and cgroup resources' terminal reasons, credential specs), 14 of whose wordings
            // no other source has; new data, not a rule change (the CgroupError line is the one
            // an issues thread also has)
            "agent" => (70.4, 73.7),
            // 160/174: the held-out samples added 53 lines here, eight of them misses (a CNI
            // set-up failure, a Docker volume plugin's, the agent's CgroupError, runc's exec
            // cut short, a bare pull "timeout", an image reference that names no image twice,
            // a registry that gives no anonymous token) whose rules or patterns only issues
            // has; the floor fell from 94.0 with the fourth sample and to 91.4 with the fifth
            // (2026-12-05), new data, not a rule change, and rose when the TaskFailedToStart
            // page gave "unable to attach network interface" a second source
            // 166/181 since the tenth sample (2026-12-05): a second thread's bind mount failing
            // at runc's rootfs step ("rootfs_linux.go:54: mounting …", agent#951) needs the
            // pattern only issues threads attest, so without issues it is a container start
            // failure (family), as the first thread's (agent#712) was; new data, not a rule change
            // 167/181 since the eleventh sample: the agent's source is a second sighting of the
            // CgroupError a Nextflow thread quoted
            // 169/181 since the twelfth sample (pages: posts and re:Post): a post retelling a
            // Stack Overflow question quotes "failed to normalize image reference", a second
            // source for the pattern two issues threads needed
            "issues" => (93.3, 97.1),
            "elb" => (82.0, 95.0),
            "eventbridge" => (77.0, 86.0),
            // 21/21 measured (18/18 before the fourth held-out sample): the one miss before
            // (an ECR call that timed out, filed as auth) is right since the network rules
            // moved ahead of the CannotPullECRContainerError rule, a change that message
            // motivated and the ablation cannot take away; the floor stays at the 17/18
            // measured before it
            "repos" => (94.3, 95.0),
            // 113/130: the 13 blue/green rollback reasons (troubleshooting-blue-green and the
            // CodeDeploy migration page) are a vocabulary only the documentation has so far;
            // without it all 13 are unclassified (the hook role's was taken for the task
            // role's until a rollout reason could name only deployment causes)
            // 117/143 since the current versions of the API failures, CannotPullContainer,
            // TaskFailedToStart and service event pages (2026-12-05, 113/130 before): their new
            // reasons ("NO ACTIVE INSTANCES", a pull tool's panic, EC2 failing to create the
            // network interface, a task definition the compute strategy cannot run, an agent
            // that never started, a task set's deleted target group or target, a deployment
            // that launched only some tasks, a broken trust relationship) only the
            // documentation has
            // 120/145 since the ninth held-out sample: a team's incident report is the first
            // sighting outside the documentation of a hook's "HookStatus must not be null",
            // which now classifies without the documentation's own patterns, and the two new
            // docs lines use words another source has
            // 120/148 with the EBS volume attachment reasons (2026-12-05): a vocabulary only
            // the documentation has so far (no engineer's sighting found); without it the
            // infrastructure role's reason is unclassified, no longer the task role's (the task
            // role's rule now leaves a reason that names the Infrastructure Role alone), so the
            // right-family figure fell with it (124/148)
            // 122/151 since the twelfth sample (2026-12-05): of three re:Post lines, Fargate's
            // "Network interface provision complete error timeout …" was unclassified held out
            // and its pattern only the documentation has; new data, not a rule change
            // 123/163 since the 2025–26 sample (2026-12-07): its twelve lines are the AZ
            // rebalancing event list and stopped reason and Managed Instances' draining stop
            // reason, documented and not yet seen by an engineer anywhere ecswatch can cite;
            // without the documentation's patterns the rebalance's start and stop events fall
            // back to "tasks started/stopped" (same family), its other events and the draining
            // reason to nothing, and Fargate's zone placement failure to placement_failed
            "docs" => (75.4, 80.9),
            _ => (95.0, 95.0),
        };
        if msgs.len() >= 10 && (pct < exact_floor || fam_pct < family_floor) {
            failures.push(format!(
                "{group}: exact {pct:.1}% (floor {exact_floor}%), right family {fam_pct:.1}% (floor {family_floor}%)"
            ));
        }
        // Never confidently wrong, even on messages the rules were not written from: an answer
        // of another family may only be a family match, which says so (measured 2026-12-05:
        // every one is; before a rollout reason could name only deployment causes, the docs'
        // hook role was taken for the task role exactly, and before an unknown reason after
        // TaskFailedToStart was a family match, "NO ACTIVE INSTANCES" was a lifecycle finding)
        for m in confident_wrong {
            failures.push(format!(
                "{group}: confidently of another family without its own patterns: want {}, got {:?}: {}",
                m.category,
                got(&without, m),
                m.text
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("; "));
}

/// The corpus parts a playbook written without `group` would not have: every part whose
/// removal leaves each message of the other sources and of the reference set that was right
/// still right, removed one at a time (so two patterns of this source that each make the other
/// redundant both go, which testing each part alone would miss). Where a message of another
/// source is covered twice over, the part that classifies this source's messages is tried
/// first, so the one kept is the one this source does not rely on; when both are parts it
/// relies on, which one stays depends on the order they are tried in: both orders are returned,
/// and the caller takes the one that leaves this source the fewest right.
fn written_without(pb: &Playbook, all: &[Msg], group: &str) -> [Vec<Part>; 2] {
    let others: Vec<&Msg> = all
        .iter()
        .filter(|m| m.group != group && right(pb, m))
        .collect();
    let mut relied_on: Vec<usize> = Vec::new();
    for m in all.iter().filter(|m| m.group == group) {
        let mut drop: Vec<Part> = Vec::new();
        // every rule that would classify it, in order, as its first matches are taken away
        loop {
            let (without, kept) = remove(pb, &drop);
            let Some(i) = without.matching_rule(Some(m.kind), &m.text) else {
                break;
            };
            relied_on.push(kept[i]);
            drop.extend(parts(pb, kept[i]));
        }
    }
    let candidates: Vec<(bool, Part)> = (0..pb.rules.len())
        .filter(|&r| !pb.rules[r].from.is_empty())
        .flat_map(|r| parts(pb, r))
        .map(|p| {
            let (Part::Any(r, _) | Part::Whole(r)) = p;
            (!relied_on.contains(&r), p)
        })
        .collect();
    // Classification is the first matching rule, and taking a pattern from a rule only makes
    // that rule match less: only the messages that rule classifies now can change.
    let rule_of = |without: &Playbook, kept: &[usize], m: &Msg| {
        without
            .matching_rule(Some(m.kind), &m.text)
            .map(|i| kept[i])
    };
    let greedy = |reverse: bool| {
        let mut order = candidates.clone();
        order.sort_by(|(a, p), (b, q)| a.cmp(b).then(if reverse { q.cmp(p) } else { p.cmp(q) }));
        let mut at: Vec<Option<usize>> = others
            .iter()
            .map(|m| pb.matching_rule(Some(m.kind), &m.text))
            .collect();
        let mut dropped: Vec<Part> = Vec::new();
        for (_, part) in order {
            let (Part::Any(r, _) | Part::Whole(r)) = part;
            let mut with = dropped.clone();
            with.push(part);
            let affected: Vec<usize> = (0..others.len()).filter(|&i| at[i] == Some(r)).collect();
            let (without, kept) = remove(pb, &with);
            if affected.iter().all(|&i| right(&without, others[i])) {
                for &i in &affected {
                    at[i] = rule_of(&without, &kept, others[i]);
                }
                dropped = with;
            }
        }
        dropped
    };
    [greedy(false), greedy(true)]
}

/// One removable part of a rule: its `any` pattern at an index, or the whole rule (a rule
/// with no `any`, whose `all` patterns only match together).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Part {
    Any(usize, usize),
    Whole(usize),
}

fn parts(pb: &Playbook, r: usize) -> Vec<Part> {
    match pb.rules[r].any.len() {
        0 => vec![Part::Whole(r)],
        n => (0..n).map(|j| Part::Any(r, j)).collect(),
    }
}

/// Which sources need each corpus part (a part of a rule with `from`) of the playbook without
/// `dropped`: removing the part makes one of their messages, right before, wrong.
fn needs<'m>(
    pb: &Playbook,
    all: &'m [Msg],
    dropped: &[Part],
) -> BTreeMap<Part, std::collections::BTreeSet<&'m str>> {
    let (base, kept) = remove(pb, dropped);
    let mut by_rule: BTreeMap<usize, Vec<&Msg>> = BTreeMap::new();
    for m in all.iter().filter(|m| right(&base, m)) {
        if let Some(r) = base.matching_rule(Some(m.kind), &m.text) {
            by_rule.entry(kept[r]).or_default().push(m);
        }
    }
    let mut needed_by: BTreeMap<Part, std::collections::BTreeSet<&str>> = BTreeMap::new();
    for (&r, msgs) in by_rule
        .iter()
        .filter(|(r, _)| !pb.rules[**r].from.is_empty())
    {
        for part in parts(pb, r).into_iter().filter(|p| !dropped.contains(p)) {
            let mut with = dropped.to_vec();
            with.push(part);
            let without = remove(pb, &with).0;
            for m in msgs.iter().filter(|m| !right(&without, m)) {
                needed_by.entry(part).or_default().insert(m.group.as_str());
            }
        }
    }
    needed_by
}

/// The playbook without these parts, and the original position of each rule it keeps; a rule
/// left with no `any` pattern (having had some) goes.
fn remove(pb: &Playbook, drop: &[Part]) -> (Playbook, Vec<usize>) {
    let mut out = pb.clone();
    for (r, rule) in out.rules.iter_mut().enumerate() {
        let keep: Vec<bool> = (0..rule.any.len())
            .map(|j| !drop.contains(&Part::Any(r, j)))
            .collect();
        let mut k = keep.iter();
        rule.any.retain(|_| *k.next().unwrap_or(&true));
    }
    let emptied: Vec<usize> = (0..pb.rules.len())
        .filter(|&r| {
            drop.contains(&Part::Whole(r))
                || (!pb.rules[r].any.is_empty() && out.rules[r].any.is_empty())
        })
        .collect();
    let kept = (0..pb.rules.len())
        .filter(|i| !emptied.contains(i))
        .collect();
    (out.retain_rules(|i| !emptied.contains(&i)), kept)
}

fn right(pb: &Playbook, m: &Msg) -> bool {
    got(pb, m) == Some(m.category.as_str())
}

/// The finding a line gets: its text of its kind, on its launch type where the line names one.
fn got<'p>(pb: &'p Playbook, m: &Msg) -> Option<&'p str> {
    got_match(pb, m).map(|found| found.entry.id.as_str())
}

/// [`got`] with the confidence of the rule that answered.
fn got_match<'p>(pb: &'p Playbook, m: &Msg) -> Option<Match<'p>> {
    let found = pb.classify_match(Some(m.kind), &m.text)?;
    Some(pb.on_launch_type(found, m.launch_type.as_deref()))
}

fn task(stop_code: &str, reason: &str, container_reason: &str, exit: Option<i32>) -> Task {
    Task {
        arn: "arn:aws:ecs:us-east-1:111122223333:task/c/0a1b2c3d4e5f40718293a4b5c6d7e8f9".into(),
        stop_code: Some(stop_code.into()),
        stopped_reason: Some(reason.into()),
        containers: vec![ContainerState {
            name: "web".into(),
            reason: (!container_reason.is_empty()).then(|| container_reason.to_string()),
            exit_code: exit,
            ..Default::default()
        }],
        ..Default::default()
    }
}

#[test]
fn a_task_that_never_started_is_never_a_normal_exit() {
    let pb = Playbook::builtin();
    // the case from the issue: a pull error no exact rule knows, exit code 0
    let t = task(
        "TaskFailedToStart",
        "CannotPullContainerError: pull image manifest has been retried 5 time(s): frobnicated the widget",
        "CannotPullContainerError: frobnicated the widget",
        Some(0),
    );
    let (entry, _) = task_category(&pb, &t).expect("classified");
    assert_eq!(entry.id, "image_pull_failed");
    let (m, _) = ecswatch::diagnosis::task_match(&pb, &t).expect("classified");
    assert_eq!(m.confidence, Confidence::Family);
    // nothing known about the reason at all: the stop code still outranks exit code 0
    let t = task(
        "TaskFailedToStart",
        "something nobody has seen",
        "",
        Some(0),
    );
    assert_eq!(
        task_category(&pb, &t).expect("classified").0.id,
        "task_failed_to_start"
    );
    // and an init failure outranks a crash-looking exit code too
    let t = task(
        "TaskFailedToStart",
        "ResourceInitializationError: failed to frob the env",
        "",
        Some(137),
    );
    assert_eq!(
        task_category(&pb, &t).expect("classified").0.id,
        "task_init_failed"
    );
    // a task that did run keeps its exit code
    let t = task(
        "EssentialContainerExited",
        "Essential container in task exited",
        "",
        Some(137),
    );
    assert_eq!(
        task_category(&pb, &t).expect("classified").0.id,
        "oom_or_sigkill"
    );
    // a container the kernel killed for memory that still reports exit code 0, as
    // amazon-ecs-agent#2467 shows them: the reason says what happened, the 0 does not
    let t = task(
        "EssentialContainerExited",
        "Essential container in task exited",
        "OutOfMemoryError: Container killed due to memory usage",
        Some(0),
    );
    assert_eq!(task_category(&pb, &t).expect("classified").0.id, "oom");
}

#[test]
fn family_fallbacks_say_so_and_exact_rules_do_not() {
    use Confidence::{Exact, Family};
    use EvidenceKind::{RolloutReason, StopCode, StoppedReason};
    let pb = Playbook::builtin();
    for (kind, text, id, confidence) in [
        (
            StoppedReason,
            "CannotPullContainerError: API error (404)",
            "image_pull_failed",
            Family,
        ),
        (
            StoppedReason,
            "CannotPullContainerError: Error response from daemon: manifest for a/b:c not found",
            "image_pull_not_found",
            Exact,
        ),
        // a reason after TaskFailedToStart that no rule knows: the task never ran, why is not
        // known (a placement code that came later, "NO ACTIVE INSTANCES", was filed as this
        // exactly)
        (
            StoppedReason,
            "TaskFailedToStart: SOMETHING NEW",
            "task_failed_to_start",
            Family,
        ),
        // a first deployment that failed with nothing to roll back to: the deployment failed,
        // and the words say no more (the cause is in the hook, alarm or task findings beside it)
        (
            RolloutReason,
            "No rollback candidate was found to run the rollback.",
            "deployment_failed",
            Family,
        ),
        // the stop code or the bare reason alone is all ECS says, and says it exactly
        (StopCode, "TaskFailedToStart", "task_failed_to_start", Exact),
        (
            StoppedReason,
            "Task failed to start",
            "task_failed_to_start",
            Exact,
        ),
    ] {
        let m = pb
            .classify_match(Some(kind), text)
            .unwrap_or_else(|| panic!("no match: {text}"));
        assert_eq!(
            (m.entry.id.as_str(), m.confidence),
            (id, confidence),
            "{text}"
        );
    }
    // unknown text is still no answer, not a fallback
    assert!(
        pb.classify_match(Some(StoppedReason), "the quick brown fox")
            .is_none()
    );
}

/// The EBS volume attachment reasons, pasted into `explain` without saying where they came
/// from, still name the volume's causes: the role's reason is the volume's role, never the load
/// balancer's (the blue/green rule's "Infrastructure Role") or the task role (its "proper trust
/// relationship").
#[test]
fn ebs_attachment_reasons_without_their_kind_name_the_volume_s_causes() {
    let pb = Playbook::builtin();
    for (text, id) in [
        (
            "ECS was unable to assume the configured ECS Infrastructure Role \
             'arn:aws:iam::111122223333:role/ecsInfrastructureRole'. Please verify that the role \
             being passed has the proper trust relationship with Amazon ECS",
            "ebs_volume_role",
        ),
        (
            "ECS failed to set up the EBS volume. Encountered IdempotentParameterMismatch",
            "ebs_volume_kms",
        ),
        (
            "ECS timed out while configuring the EBS volume attachment to your Task",
            "ebs_volume_filesystem",
        ),
    ] {
        for kind in [None, Some(EvidenceKind::StoppedReason)] {
            let m = pb.classify_match(kind, text).expect("classified");
            assert_eq!(m.entry.id, id, "{kind:?}: {text}");
        }
    }
}

#[test]
fn an_exact_cause_ranks_above_a_family_one_of_the_same_severity() {
    use ecswatch::diagnosis::{ConfirmContext, Finding, rank_findings};
    let pb = Playbook::builtin();
    let ctx = ConfirmContext::default();
    // image_pull_failed (family, rank 16) would rank above envfile_permission (rank 24) by rank
    let mut family = Finding::from_entry(pb.entry("image_pull_failed").expect("entry"), &ctx);
    family.confidence = Confidence::Family;
    let exact = Finding::from_entry(pb.entry("envfile_permission").expect("entry"), &ctx);
    let mut findings = vec![family, exact];
    rank_findings(&mut findings);
    assert_eq!(findings[0].id, "envfile_permission");
    assert_eq!(findings[1].confidence, Confidence::Family);
}

#[test]
fn a_target_code_no_rule_knows_gives_way_to_a_description_that_names_the_cause() {
    let pb = Playbook::builtin();
    let got = |r: Option<&str>, d: Option<&str>| {
        pb.classify_target_health(r, d)
            .map(|m| (m.entry.id.clone(), m.confidence))
    };
    // a reason code newer than the rules: family by itself, exact through its description
    assert_eq!(
        got(
            Some("Target.SomethingNew"),
            Some("Health checks failed with these codes: [502]")
        ),
        Some(("elb_health_check_bad_status".into(), Confidence::Exact))
    );
    assert_eq!(
        got(Some("Target.SomethingNew"), Some("nothing anyone has seen")),
        Some(("target_unhealthy".into(), Confidence::Family))
    );
    // a known code outranks whatever the description says
    assert_eq!(
        got(Some("Target.Timeout"), Some("Health checks failed")),
        Some(("elb_health_check_timeout".into(), Confidence::Exact))
    );
    // a description alone still classifies
    assert_eq!(
        got(None, Some("Request timed out")),
        Some(("elb_health_check_timeout".into(), Confidence::Exact))
    );
    assert_eq!(got(None, None), None);
}

#[test]
fn a_general_pattern_for_one_kind_does_not_claim_text_of_unknown_kind() {
    let pb = Playbook::builtin();
    // explain without --kind: "codes" means an HTTP status only in a target's health
    let got = pb
        .classify(
            None,
            "CannotStartContainerError: API error (500): process exited with codes 2",
        )
        .map(|e| e.id.as_str());
    assert_eq!(got, Some("container_start_failed"));
    // the load balancer's own phrasing still classifies without a kind
    let got = pb
        .classify(None, "Health checks failed with these codes: [502]")
        .map(|e| e.id.as_str());
    assert_eq!(got, Some("elb_health_check_bad_status"));
    let got = pb.classify_id(
        EvidenceKind::TargetHealth,
        "The health checks did not return an expected HTTP code.",
    );
    assert_eq!(got, Some("elb_health_check_bad_status"));
}

#[test]
fn an_ambiguous_target_code_gives_way_to_a_description_that_names_one_cause() {
    let pb = Playbook::builtin();
    let got = |r: Option<&str>, d: Option<&str>| {
        pb.classify_target_health(r, d)
            .map(|m| (m.entry.id.clone(), m.confidence))
    };
    // DescribeTargetHealth for a target group no listener forwards to (the AWS CLI reference's
    // example output, old and new wording): not an Availability Zone problem
    for d in [
        "Target group is not configured to receive traffic from the load balancer",
        "Given target group is not configured to receive traffic from ELB",
    ] {
        assert_eq!(
            got(Some("Target.NotInUse"), Some(d)),
            Some(("target_not_serving".into(), Confidence::Exact)),
            "{d}"
        );
    }
    assert_eq!(
        got(
            Some("Target.NotInUse"),
            Some("Target is in an Availability Zone that is not enabled for the load balancer")
        ),
        Some(("elb_az_not_enabled".into(), Confidence::Exact))
    );
    // the code alone, or with a description no rule knows, keeps the code's answer
    for d in [None, Some("something new")] {
        assert_eq!(
            got(Some("Target.NotInUse"), d),
            Some(("elb_az_not_enabled".into(), Confidence::Exact))
        );
    }
}

#[test]
fn explain_reads_a_pasted_target_health_as_code_and_description() {
    use ecswatch::cli::{ExplainFormat, ExplainKind};
    use ecswatch::commands::explain::explain;
    let pb = Playbook::builtin();
    let id = |kind: Option<ExplainKind>, text: &str| {
        let args = explain_args(kind, None, ExplainFormat::Json);
        let (out, _) = explain(&pb, &args, text);
        let v: Value = serde_json::from_str(&out).expect("json");
        v["id"].as_str().map(str::to_string)
    };
    let pasted = "Target.NotInUse - Target group is not configured to receive traffic from the load balancer";
    for kind in [None, Some(ExplainKind::TargetHealth)] {
        assert_eq!(id(kind, pasted).as_deref(), Some("target_not_serving"));
        assert_eq!(
            id(kind, "Target.NotInUse").as_deref(),
            Some("elb_az_not_enabled")
        );
    }
    let json = r#""TargetHealth": {"State": "unhealthy", "Reason": "Target.Timeout", "Description": "Connection to target timed out"}"#;
    assert_eq!(
        id(Some(ExplainKind::TargetHealth), json).as_deref(),
        Some("elb_health_check_timeout")
    );
}

#[test]
fn the_launch_type_decides_what_a_full_disk_is() {
    let pb = Playbook::builtin();
    // the same words on both: Docker's layer store writing the image to a full disk
    let words = "CannotPullContainerError: failed to register layer: Error processing tar file(exit status 1): write /usr/local/bin/ripples-fast: no space left on device";
    let on = |launch_type: Option<&str>, reason: &str| {
        let mut t = task("TaskFailedToStart", "", reason, None);
        t.launch_type = launch_type.map(str::to_string);
        task_category(&pb, &t).map(|(e, _)| e.id.clone())
    };
    // no launch type (a pasted message): the words alone, as the documentation reads them
    assert_eq!(on(None, words).as_deref(), Some("ephemeral_storage"));
    assert_eq!(
        on(Some("FARGATE"), words).as_deref(),
        Some("ephemeral_storage")
    );
    // an instance has no task ephemeral storage: its own disk filled
    assert_eq!(on(Some("EC2"), words).as_deref(), Some("host_disk_full"));
    assert_eq!(
        on(Some("EXTERNAL"), words).as_deref(),
        Some("host_disk_full")
    );
    // a Managed Instance's disk is the capacity provider's storageConfiguration: neither the
    // task's ephemeralStorage (Fargate's) nor the agent's cleanup settings (EC2's) is the lever
    assert_eq!(
        on(Some("MANAGED_INSTANCES"), words).as_deref(),
        Some("managed_instance_disk_full")
    );
    // and the other way: the host's Docker directory, on Fargate, is the task's storage
    let docker = "CannotPullContainerError: write /var/lib/docker/tmp/GetImageBlob887491687: no space left on device";
    assert_eq!(on(Some("EC2"), docker).as_deref(), Some("host_disk_full"));
    assert_eq!(
        on(Some("MANAGED_INSTANCES"), docker).as_deref(),
        Some("managed_instance_disk_full")
    );
    assert_eq!(
        on(Some("FARGATE"), docker).as_deref(),
        Some("ephemeral_storage")
    );
    // anything else is what its words say, whatever the launch type
    let pull = "CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref docker.io/library/web:v9: not found";
    for lt in [
        None,
        Some("EC2"),
        Some("FARGATE"),
        Some("MANAGED_INSTANCES"),
    ] {
        assert_eq!(on(lt, pull).as_deref(), Some("image_pull_not_found"));
    }
}

#[test]
fn explain_takes_the_launch_type() {
    use ecswatch::cli::{ExplainFormat, LaunchType};
    use ecswatch::commands::explain::explain;
    let pb = Playbook::builtin();
    let words = "CannotPullContainerError: failed to register layer: write /usr/local/bin/ripples-fast: no space left on device";
    let id = |launch_type: Option<LaunchType>| {
        let args = explain_args(None, launch_type, ExplainFormat::Json);
        let v: Value = serde_json::from_str(&explain(&pb, &args, words).0).expect("json");
        v["id"].as_str().map(str::to_string)
    };
    assert_eq!(id(None).as_deref(), Some("ephemeral_storage"));
    assert_eq!(id(Some(LaunchType::Ec2)).as_deref(), Some("host_disk_full"));
    assert_eq!(
        id(Some(LaunchType::Fargate)).as_deref(),
        Some("ephemeral_storage")
    );
}

#[test]
fn explain_with_the_wrong_kind_says_what_the_words_are() {
    use ecswatch::cli::{ExplainFormat, ExplainKind};
    use ecswatch::commands::explain::explain;
    let pb = Playbook::builtin();
    let args = |kind| explain_args(kind, None, ExplainFormat::Text);
    // a stopped reason pasted as a rollout reason: no deployment rule knows it, but the words
    // are known, so explain does not say "does not know this failure"
    let (out, matched) = explain(
        &pb,
        &args(Some(ExplainKind::RolloutReason)),
        "CannotPullContainerError: pull access denied",
    );
    assert!(!matched, "{out}");
    assert!(
        out.starts_with("as a rollout reason no rule matches; as another kind of evidence these words are image_pull_auth (image)"),
        "{out}"
    );
    assert!(!out.contains("does not know"), "{out}");
    // words no rule knows as any kind are still unknown, with the raw text
    let (out, matched) = explain(
        &pb,
        &args(Some(ExplainKind::StoppedReason)),
        "the quick brown fox",
    );
    assert!(!matched);
    assert!(out.starts_with("no rule matches this text"), "{out}");
    assert!(out.contains("raw: the quick brown fox"), "{out}");
}

/// `explain`'s arguments for a text given directly (not read from standard input).
fn explain_args(
    kind: Option<ecswatch::cli::ExplainKind>,
    launch_type: Option<ecswatch::cli::LaunchType>,
    format: ecswatch::cli::ExplainFormat,
) -> ecswatch::cli::ExplainArgs {
    ecswatch::cli::ExplainArgs {
        kind,
        launch_type,
        format,
        text: vec![],
    }
}

/// A task stopped on purpose (a deployment or scale-in, a person, a Spot or instance reclaim)
/// is sent SIGTERM; a container still running at its stopTimeout is SIGKILLed and reports 137.
/// That 137 is the stop timeout's kill, not the critical "killed (usually OOM)" of a task whose
/// essential container died on its own. Before `on_stop_code`, every deployment of an app that
/// ignores SIGTERM put a critical "Container killed (exit 137)" on the board.
#[test]
fn exit_137_after_a_deliberate_stop_is_the_stop_timeout_not_a_kill() {
    let pb = Playbook::builtin();
    let category = |stop_code: &str, reason: &str, container_reason: &str| {
        task_category(&pb, &task(stop_code, reason, container_reason, Some(137)))
            .expect("classified")
            .0
            .id
            .clone()
    };
    let deployment = "Scaling activity initiated by (deployment ecs-svc/2474979950726421586)";
    assert_eq!(
        category("ServiceSchedulerInitiated", deployment, ""),
        "stop_timeout_kill"
    );
    assert_eq!(
        category("UserInitiated", "Task stopped by user", ""),
        "stop_timeout_kill"
    );
    // a cause the stop names still outranks the kill that followed it
    assert_eq!(
        category(
            "ServiceSchedulerInitiated",
            "Task failed ELB health checks in (target-group arn:aws:elasticloadbalancing:us-east-1:111122223333:targetgroup/web/0a1b2c3d4e5f6789)",
            ""
        ),
        "elb_health_check_failed"
    );
    assert_eq!(
        category("SpotInterruption", "Your Spot Task was interrupted.", ""),
        "spot_interruption"
    );
    // the kernel's memory kill says so in the container's reason, whatever the stop code
    assert_eq!(
        category(
            "UserInitiated",
            "Task stopped by user",
            "OutOfMemoryError: Container killed due to memory usage"
        ),
        "oom"
    );
    // an essential container that died on its own keeps the exit code's reading
    assert_eq!(
        category(
            "EssentialContainerExited",
            "Essential container in task exited",
            ""
        ),
        "oom_or_sigkill"
    );
    // and the stop code decides, not the words: a paste of the exit code alone is still 137
    assert_eq!(
        pb.classify(Some(EvidenceKind::ExitCode), "137")
            .expect("classified")
            .id,
        "oom_or_sigkill"
    );
}
