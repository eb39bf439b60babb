//! A name the user chose never changes what a message means. Every corpus and reference line
//! that carries a name (a service, a target group or load balancer, an image repository, an IAM
//! role, a secret, an SSM parameter, a private registry's host, an S3 bucket or object key, a
//! command, a mount's source or a file, a task definition's volume or container, a volume's
//! label) is classified again with that name replaced by names that spell causes the
//! rules know (`oom-killer`, `api-timeout`, `throttled-jobs`, `cannotpullcontainererror`, each
//! finding's own id); the answer, and its confidence, must stay the same. Before names were
//! masked (`src/diagnosis/names.rs`), a service called `oom-killer` turned its "was unable to
//! place a task" event into an out-of-memory kill, exactly.
//!
//! The slots are found here with patterns of their own, written from the messages, not from the
//! masking code, so that a slot the masking misses is a failure here.

use ecswatch::diagnosis::{EvidenceKind, Playbook};
use regex::Regex;

mod common;

use common::corpus::{Msg, all, assert_no_answer_moved};

/// Where a user's name sits in ECS, ELB, IAM and registry messages, and whether the slot takes
/// only lower case (a repository) or any case.
const SLOTS: [(&str, &str, bool); 25] = [
    ("service", r"^\s*service \(?([A-Za-z0-9_.-]+)\)? ", false),
    ("service", r"\(service ([A-Za-z0-9_.-]+)[,)]", false),
    (
        "target group",
        r"(?:in|on) (?:target-group|elb) \(?([A-Za-z0-9-]+)\)? (?:due to|with)",
        false,
    ),
    ("target group", r"targetgroup/([A-Za-z0-9-]+)/", false),
    (
        "repository",
        r"\.amazonaws\.com/([a-z0-9][a-z0-9._/-]*?)[:@\x22 ,]",
        true,
    ),
    (
        "repository",
        r"pull access denied for ([a-z0-9][a-z0-9._/-]*),",
        true,
    ),
    (
        "repository",
        r"repository ([a-z0-9][a-z0-9_/-]*) not found",
        true,
    ),
    // the Docker name ECS gives a container: ecs-FAMILY-REVISION-CONTAINER-HASH
    (
        "task family",
        r"\becs-([A-Za-z0-9_-]+)-[0-9]+-[A-Za-z0-9_]+-[0-9a-f]{6,}",
        false,
    ),
    (
        "container",
        r"\becs-[A-Za-z0-9_-]+-[0-9]+-([A-Za-z0-9_]+)-[0-9a-f]{6,}",
        false,
    ),
    ("role", r":role/([A-Za-z0-9+=,.@_-]+)", false),
    ("role", r"assumed-role/([A-Za-z0-9+=,.@_-]+)/", false),
    ("secret", r":secret:([A-Za-z0-9/_+=.@-]+)", false),
    (
        "secret's key",
        r"did not contain json key ([A-Za-z0-9_-]+)",
        false,
    ),
    (
        "parameter",
        r"invalid parameters: \[?/?(?:[A-Za-z0-9_.-]+/)*([A-Za-z0-9_.-]+)",
        false,
    ),
    // a host the user named: a private registry (in a URL, a DNS lookup, an image reference),
    // and an S3 bucket in a virtual-hosted URL; AWS's and Docker Hub's own hosts are kept
    // (`AWS_HOST` skips them)
    (
        "host",
        r#"(?:://|lookup |ref "?|valid for )([a-z0-9-]+)((?:\.[a-z0-9-]+)*\.[a-z]{2,})[/:" ,]"#,
        true,
    ),
    ("bucket", r"://([a-z0-9-]+)\.s3[.-]", true),
    // the agent's S3 downloads: env files, FireLens config
    ("bucket", r"\bbucket ([a-z0-9][a-z0-9.-]*)[,:]", true),
    (
        "object key",
        r"\bwith key ([A-Za-z0-9._-]+) from bucket",
        false,
    ),
    // files the user chose: the command runc could not run, a bind mount's source, a file a
    // layer or a container wrote
    (
        "command",
        r#"exec: \\*"(?:/?[A-Za-z0-9._-]+/)*([A-Za-z0-9_-]+)"#,
        false,
    ),
    (
        "mount source",
        r#"mounting \\*"(?:/[A-Za-z0-9._-]+)*/([A-Za-z0-9_-]+)"#,
        false,
    ),
    // an EFS export: NFS's host:/path
    (
        "mount source",
        r"mounting [A-Za-z0-9.-]+:(?:/[A-Za-z0-9._-]+)*/([A-Za-z0-9_-]+)",
        false,
    ),
    (
        "file",
        r"(?:stat|open|write|mkdir) (?:/[A-Za-z0-9._-]+)*/([A-Za-z0-9_-]+)",
        false,
    ),
    // the agent's host config: a task definition's volume or container, by its name
    (
        "volume or container",
        r"(?:Invalid volume referenced|Volume target not available): ([A-Za-z0-9_-]+)",
        false,
    ),
    ("volume", r"\bvolume '([A-Za-z0-9_.-]+)'", false),
    // a Docker volume's labels or options, as Go prints a map: map[team:web]
    (
        "volume label",
        r"\bmap\[[A-Za-z0-9_.-]+:([A-Za-z0-9_-]+)",
        false,
    ),
];

/// A slot's second group, where it has one, is the rest of a host: AWS's and Docker Hub's hosts
/// name no user's choice (their first label is an account, a service or a Region).
const AWS_HOST: [&str; 6] = [
    ".amazonaws.com",
    ".amazonaws.com.cn",
    ".amazon.com",
    ".aws",
    "docker.io",
    "docker.com",
];

/// Names that spell causes: words the rules read, and every finding's id as a name.
fn names(pb: &Playbook) -> Vec<String> {
    let mut names: Vec<String> = [
        "oom-killer",
        "OutOfMemory",
        "api-timeout",
        "throttled-jobs",
        "ecr-proxy",
        "agent",
        "no-space-left",
        "secrets-manager-sync",
        "AccessDenied-tester",
        "CannotPullContainerError",
        "ResourceInitializationError",
        "essential-worker",
        "unhealthy",
        "spot-interruption",
        "steady-state",
        "circuit-breaker",
        "efs-mount",
        "kms-decrypt",
        "logs-router",
        "not-found",
    ]
    .map(str::to_string)
    .to_vec();
    names.extend(pb.entries.keys().map(|id| id.replace('_', "-")));
    names
}

#[test]
fn a_name_the_user_chose_never_changes_the_answer() {
    let pb = Playbook::builtin();
    let lines: Vec<Msg> = all()
        .into_iter()
        .filter(|l| l.kind != EvidenceKind::ExitCode)
        .collect();
    let answer = |l: &Msg, text: &str| {
        pb.classify_match(Some(l.kind), text).map(|m| {
            let m = pb.on_launch_type(m, l.launch_type.as_deref());
            (m.entry.id.clone(), m.confidence)
        })
    };
    let names = names(&pb);
    let slots: Vec<(&str, Regex, bool)> = SLOTS
        .iter()
        .map(|&(slot, pattern, lower)| (slot, Regex::new(pattern).expect("slot pattern"), lower))
        .collect();
    let (mut tried, mut lines_with_names) = (0, 0);
    let mut changed: Vec<String> = Vec::new();
    for l in &lines {
        let before = answer(l, &l.text);
        if before.as_ref().map(|(id, _)| id.as_str()) != Some(l.category.as_str()) {
            continue;
        }
        let mut any = false;
        for (slot, re, lower) in &slots {
            let Some(caps) = re.captures(&l.text) else {
                continue;
            };
            let rest = caps.get(2).map_or("", |m| m.as_str());
            if AWS_HOST.iter().any(|h| rest.ends_with(h)) {
                continue;
            }
            let Some(name) = caps.get(1) else {
                continue;
            };
            any = true;
            for n in &names {
                let n = if *lower { n.to_lowercase() } else { n.clone() };
                let text = format!("{}{n}{}", &l.text[..name.start()], &l.text[name.end()..]);
                tried += 1;
                let after = answer(l, &text);
                if after != before {
                    changed.push(format!(
                        "{slot} {n:?}: {before:?} became {after:?}: {}",
                        text.chars().take(160).collect::<String>()
                    ));
                }
            }
        }
        lines_with_names += usize::from(any);
    }
    println!(
        "names: {lines_with_names} lines carry a name; {tried} renamings, {} changed the answer",
        changed.len()
    );
    // every slot must be met, or the test checks nothing for it
    assert!(
        lines_with_names > 150 && tried > 10_000,
        "{lines_with_names} lines, {tried} renamings"
    );
    assert_no_answer_moved("renamings", &changed);
}
