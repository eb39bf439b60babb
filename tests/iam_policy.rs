//! The IAM policies in `docs/` name exactly the actions the code can call. The seam's SDK
//! implementation (`src/aws/sdk/`) names each call's IAM action where it maps the call's error
//! (`map_err("ecs:ListTasks", …)`); every `.send()` there has one. A read draws on a shared
//! quota (`Quota::of`), a write on none: reads belong in `docs/iam-policy.json`, writes (behind
//! `--allow-writes`) in `docs/iam-policy-writes.json`.

use ecswatch::poll::budget::Quota;
use std::collections::BTreeSet;
use std::path::Path;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Every IAM action the SDK implementation calls.
fn called() -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let dir = root().join("src/aws/sdk");
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().and_then(|e| e.to_str()) != Some("rs") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        let sends = text.matches(".send()").count();
        let mut named = 0;
        for part in text.split("map_err(\"").skip(1) {
            let action = part.split('"').next().unwrap();
            named += 1;
            out.insert(action.to_string());
        }
        assert_eq!(
            sends,
            named,
            "{}: every SDK call (.send()) must name its IAM action in map_err(\"service:Action\", …)",
            path.display()
        );
    }
    out
}

/// The actions a policy file allows, with its name in every error.
fn allowed(file: &str) -> BTreeSet<String> {
    let path = root().join(file);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{file}: {e}"));
    let doc: serde_json::Value =
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{file}: not JSON: {e}"));
    assert_eq!(doc["Version"], "2012-10-17", "{file}: policy version");
    let mut out = BTreeSet::new();
    for st in doc["Statement"].as_array().expect("Statement is a list") {
        assert_eq!(st["Effect"], "Allow", "{file}: {st}");
        for a in st["Action"].as_array().expect("Action is a list") {
            assert!(
                out.insert(a.as_str().expect("an action is a string").to_string()),
                "{file}: {a} listed twice"
            );
        }
    }
    out
}

/// Actions no IAM policy governs: "No permissions are required to perform this operation"
/// (STS GetCallerIdentity's API reference; an explicit deny does not stop it either).
const NEEDS_NO_PERMISSION: &[&str] = &["sts:GetCallerIdentity"];

fn operation(action: &str) -> &str {
    action.split_once(':').map_or(action, |(_, op)| op)
}

#[test]
fn the_policies_allow_exactly_what_the_code_calls() {
    let called = called();
    assert!(called.len() >= 20, "{called:?}");
    let (reads, writes): (BTreeSet<String>, BTreeSet<String>) = called
        .into_iter()
        .filter(|a| !NEEDS_NO_PERMISSION.contains(&a.as_str()))
        .partition(|a| Quota::of(operation(a)).is_some());
    for (file, want) in [
        ("docs/iam-policy.json", &reads),
        ("docs/iam-policy-writes.json", &writes),
    ] {
        let have = allowed(file);
        let missing: Vec<&String> = want.difference(&have).collect();
        let unused: Vec<&String> = have.difference(want).collect();
        assert!(
            missing.is_empty() && unused.is_empty(),
            "{file}: the code calls {missing:?}, which the policy does not allow; the policy allows {unused:?}, which the code never calls"
        );
    }
}
