//! User playbook files: overrides merge by id, rules go first, bad files name file, line and problem.

use ecswatch::diagnosis::{EvidenceKind, Playbook};

fn load(text: &str) -> Result<Playbook, String> {
    Playbook::load(Some(("my.toml", text))).map_err(|e| e.to_string())
}

#[test]
fn user_entries_override_and_user_rules_come_first() {
    let pb = load(
        r#"
[entry.oom]
severity = "warning"
rank = 1
title = "Our JVM heap is too big again"
meaning = "m"
fix = "Lower -Xmx; see runbook RB-12"
confirm = "aws ecs describe-tasks --cluster {cluster} --tasks {task}"

[entry.legacy_queue_full]
severity = "critical"
rank = 5
title = "Legacy queue full"
meaning = "The legacy broker rejects messages."
fix = "Drain the DLQ."
confirm = "aws sqs get-queue-attributes --queue-url <url>"

[[rule]]
id = "legacy_queue_full"
kinds = ["container_reason"]
any = ['QueueFullException']

[[rule]]
id = "oom"
any = ['java\.lang\.OutOfMemoryError']
"#,
    )
    .unwrap();
    assert_eq!(
        pb.entry("oom").unwrap().title,
        "Our JVM heap is too big again"
    );
    assert_eq!(
        pb.classify_id(
            EvidenceKind::ContainerReason,
            "QueueFullException at Broker"
        ),
        Some("legacy_queue_full")
    );
    assert_eq!(
        pb.classify_id(
            EvidenceKind::ContainerReason,
            "java.lang.OutOfMemoryError: Java heap space"
        ),
        Some("oom")
    );
    // built-in rules still work
    assert_eq!(
        pb.classify_id(EvidenceKind::TargetHealth, "Target.Timeout"),
        Some("elb_health_check_timeout")
    );
    assert_eq!(pb.entries.len(), Playbook::builtin().entries.len() + 1);
}

#[test]
fn malformed_toml_names_file_and_line() {
    let e = load("[[rule]]\nid = \"oom\"\nany = ['x'\n").unwrap_err();
    assert!(e.starts_with("my.toml:3: "), "{e}");
}

#[test]
fn unknown_finding_id_names_the_line() {
    let e = load("\n\n[[rule]]\nid = \"no_such_id\"\nany = ['x']\n").unwrap_err();
    assert_eq!(e, "my.toml:3: rule names unknown finding id 'no_such_id'");
}

#[test]
fn a_launch_type_may_only_name_a_cause_of_the_same_family() {
    let entry = |on: &str| {
        format!(
            "[entry.my_disk]\nfamily = \"image\"\nseverity = \"critical\"\nrank = 1\ntitle = \"t\"\nmeaning = \"m\"\nfix = \"f\"\nconfirm = \"c\"\non_launch_type = {{ {on} }}\n"
        )
    };
    assert!(load(&entry("EC2 = \"host_disk_full\"")).is_ok());
    assert_eq!(
        load(&entry("EC2 = \"oom\"")).unwrap_err(),
        "my.toml: entry 'my_disk': on_launch_type: 'oom' is of family 'runtime', not 'image'"
    );
    assert_eq!(
        load(&entry("EC2 = \"no_such_id\"")).unwrap_err(),
        "my.toml: entry 'my_disk': on_launch_type: names unknown finding id 'no_such_id'"
    );
    assert_eq!(
        load(&entry("LAMBDA = \"host_disk_full\"")).unwrap_err(),
        "my.toml: entry 'my_disk': on_launch_type: unknown launch type 'LAMBDA' (FARGATE, EC2, EXTERNAL or MANAGED_INSTANCES)"
    );
    let entry = |on: &str| {
        format!(
            "[entry.my_kill]\nfamily = \"exitcode\"\nseverity = \"critical\"\nrank = 1\ntitle = \"t\"\nmeaning = \"m\"\nfix = \"f\"\nconfirm = \"c\"\non_stop_code = {{ {on} }}\n"
        )
    };
    assert!(load(&entry("UserInitiated = \"stop_timeout_kill\"")).is_ok());
    assert_eq!(
        load(&entry("UserInitiated = \"oom\"")).unwrap_err(),
        "my.toml: entry 'my_kill': on_stop_code: 'oom' is of family 'runtime', not 'exitcode'"
    );
    assert_eq!(
        load(&entry("Stopped = \"stop_timeout_kill\"")).unwrap_err(),
        "my.toml: entry 'my_kill': on_stop_code: unknown stop code 'Stopped' (TaskFailedToStart, EssentialContainerExited, UserInitiated, TerminationNotice, ServiceSchedulerInitiated or SpotInterruption)"
    );
}

#[test]
fn a_rule_for_rollout_reasons_or_target_health_names_a_cause_they_can_name() {
    assert!(
        load("[[rule]]\nid = \"deployment_failed\"\nkinds = [\"rollout_reason\"]\nany = ['x']\n")
            .is_ok()
    );
    assert_eq!(
        load("\n[[rule]]\nid = \"oom\"\nkinds = [\"stopped_reason\", \"rollout_reason\"]\nany = ['x']\n").unwrap_err(),
        "my.toml:2: rule 'oom': a rollout_reason names only causes of family deploy or api; 'oom' is of family 'runtime'"
    );
    assert_eq!(
        load("[[rule]]\nid = \"throttled\"\nkinds = [\"target_health\"]\nany = ['x']\n")
            .unwrap_err(),
        "my.toml:1: rule 'throttled': a target_health names only causes of family health; 'throttled' is of family 'api'"
    );
}

#[test]
fn bad_regex_names_the_pattern() {
    let e = load("[[rule]]\nid = \"oom\"\nany = ['(unclosed']\n").unwrap_err();
    assert!(
        e.starts_with("my.toml:1: rule 'oom': bad pattern '(unclosed'"),
        "{e}"
    );
}

#[test]
fn unknown_kind_and_unknown_field_and_empty_rule() {
    let e = load("[[rule]]\nid = \"oom\"\nkinds = [\"log_line\"]\nany = ['x']\n").unwrap_err();
    assert_eq!(e, "my.toml:1: rule 'oom': unknown evidence kind 'log_line'");
    let e = load("[[rule]]\nid = \"oom\"\nanyy = ['x']\n").unwrap_err();
    assert!(e.starts_with("my.toml:") && e.contains("anyy"), "{e}");
    let e = load("[[rule]]\nid = \"oom\"\n").unwrap_err();
    assert_eq!(
        e,
        "my.toml:1: rule 'oom' has nothing to match (any, all, exit_codes or exit_range)"
    );
}

#[test]
fn entry_missing_a_field() {
    let e = load("[entry.x]\nseverity = \"info\"\nrank = 1\n").unwrap_err();
    assert!(
        e.starts_with("my.toml:1:") && e.contains("missing field"),
        "{e}"
    );
    let e = load("[entry.x]\nseverity = \"fatal\"\nrank = 1\ntitle=\"\"\nmeaning=\"\"\nfix=\"\"\nconfirm=\"\"\n").unwrap_err();
    assert!(e.starts_with("my.toml:2:") && e.contains("fatal"), "{e}");
}

#[test]
fn files_from_disk_empty_binary_and_missing() {
    let dir = std::env::temp_dir().join(format!("ecswatch-pb-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let empty = dir.join("empty.toml");
    std::fs::write(&empty, "").unwrap();
    // an empty file is never what the user meant
    let e = Playbook::load_path(&empty).unwrap_err().to_string();
    assert_eq!(e, format!("{}: the file is empty", empty.display()));
    let binary = dir.join("binary.toml");
    std::fs::write(&binary, [0xff, 0xfe, 0x00, 0x41]).unwrap();
    let e = Playbook::load_path(&binary).unwrap_err().to_string();
    assert_eq!(
        e,
        format!(
            "{}:1: not UTF-8 text (byte 0); is this a binary file?",
            binary.display()
        )
    );
    let e = Playbook::load_path(&dir.join("missing.toml"))
        .unwrap_err()
        .to_string();
    assert!(e.contains("missing.toml: cannot read"), "{e}");
    std::fs::remove_dir_all(&dir).ok();
}
