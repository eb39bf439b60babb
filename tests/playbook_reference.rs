//! Every reference message classifies to its category; every taxonomy id has a playbook entry
//! and at least one rule; the built-in playbook loads cleanly.

use ecswatch::diagnosis::{EvidenceKind, Playbook};

fn reference() -> Vec<(String, String, String)> {
    let text = include_str!("data/ecs-messages.jsonl");
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).expect("valid JSON line");
            (
                v["kind"].as_str().unwrap().to_string(),
                v["text"].as_str().unwrap().to_string(),
                v["category"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn every_reference_message_classifies_to_its_category() {
    let pb = Playbook::builtin();
    let mut wrong = Vec::new();
    let all = reference();
    assert!(all.len() >= 100, "reference file looks truncated");
    for (kind, text, want) in &all {
        let k = EvidenceKind::parse(kind).unwrap_or_else(|| panic!("unknown kind {kind}"));
        let got = pb.classify_id(k, text);
        if got != Some(want.as_str()) {
            wrong.push(format!("{kind}: want {want}, got {got:?}: {text}"));
        }
    }
    assert!(
        wrong.is_empty(),
        "{} of {} misclassified:\n{}",
        wrong.len(),
        all.len(),
        wrong.join("\n")
    );
}

#[test]
fn reference_messages_also_classify_without_a_kind() {
    // `ecswatch explain TEXT` without --kind: the same answer for every message.
    let pb = Playbook::builtin();
    let mut wrong = Vec::new();
    for (_, text, want) in reference() {
        let got = pb.classify(None, &text).map(|e| e.id.clone());
        if got.as_deref() != Some(want.as_str()) {
            wrong.push(format!("want {want}, got {got:?}: {text}"));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn every_taxonomy_id_has_an_entry_and_a_rule() {
    let pb = Playbook::builtin();
    let ids: Vec<String> = include_str!("data/categories.tsv")
        .lines()
        .skip(1)
        .filter_map(|l| l.split('\t').next())
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect();
    assert_eq!(ids.len(), 77);
    for line in include_str!("data/categories.tsv").lines().skip(1) {
        let mut cols = line.split('\t');
        let (Some(id), Some(group)) = (cols.next(), cols.next()) else {
            continue;
        };
        let entry = pb
            .entry(id)
            .unwrap_or_else(|| panic!("no playbook entry for {id}"));
        assert_eq!(
            entry.family, group,
            "{id}: family in playbook.toml vs categories.tsv"
        );
        assert!(pb.rules.iter().any(|r| r.id == id), "no rule for {id}");
    }
    for lint in [
        "circuit_breaker_disabled",
        "circuit_breaker_no_rollback",
        "deregistration_delay_too_long",
        "health_check_grace_zero",
        "mutable_image_tag",
        "shell_pid1",
        "target_type_not_ip",
        "plaintext_secret_env",
    ] {
        assert!(
            pb.entry(lint).is_some(),
            "no playbook entry for lint {lint}"
        );
    }
    // beyond the taxonomy and the lints: one family fallback per family that has none of its
    // own (a generic entry matched only by error type or message form, confidence "family")
    let fallbacks = [
        "image_pull_failed",
        "task_init_failed",
        "placement_failed",
        "deployment_failed",
        "target_unhealthy",
    ];
    for id in fallbacks {
        assert!(
            pb.rules
                .iter()
                .any(|r| r.id == id && r.confidence == ecswatch::diagnosis::Confidence::Family),
            "no family rule for {id}"
        );
    }
    // findings only a service deployment gives (no message carries them): each confirms
    // with describe-service-deployments when the deployment is known
    let deployment = [
        "deployment_hook_waiting",
        "deployment_hook_failed",
        "deployment_test_traffic_failed",
        "deployment_stopped",
        "deployment_rollback_failed",
    ];
    // causes ECS names when it rolls a blue/green deployment back (field corpus, docs): the
    // set-up around the revision, as the service deployment's evidence knows them; each has a
    // rule
    let set_up = ecswatch::diagnosis::SET_UP_CAUSES;
    for id in set_up {
        assert!(pb.rules.iter().any(|r| r.id == id), "no rule for {id}");
    }
    for id in deployment.iter().chain(&set_up) {
        let e = pb.entry(id).unwrap_or_else(|| panic!("no entry {id}"));
        assert_eq!(e.family, "deploy");
        assert!(
            e.confirm_deployment
                .as_deref()
                .is_some_and(|c| c.contains("describe-service-deployments")),
            "{id}"
        );
    }
    // findings of the service's auto scaling (lints) and of ECS Exec's preflight
    let scaling_and_exec = [
        ("scaling_resource_label_mismatch", "scaling"),
        ("scaling_suspended", "scaling"),
        ("scaling_at_max", "scaling"),
        ("scaling_min_equals_max", "scaling"),
        ("exec_not_enabled", "exec"),
        ("exec_agent_not_running", "exec"),
        ("exec_plugin_missing", "exec"),
        ("exec_cli_missing", "exec"),
    ];
    for (id, family) in scaling_and_exec {
        let e = pb.entry(id).unwrap_or_else(|| panic!("no entry {id}"));
        assert_eq!(e.family, family, "{id}");
        assert!(!e.confirm.is_empty() && !e.fix.is_empty(), "{id}");
    }
    // an EBS volume ECS attaches at launch and could not set up: the causes its attachment's
    // statusReason names (field corpus, docs), each with a rule, each confirmed with the task
    // or the service's volume configuration
    let ebs = ["ebs_volume_role", "ebs_volume_kms", "ebs_volume_filesystem"];
    for id in ebs {
        let e = pb.entry(id).unwrap_or_else(|| panic!("no entry {id}"));
        assert_eq!(e.family, "init", "{id}");
        assert!(pb.rules.iter().any(|r| r.id == id), "no rule for {id}");
        assert!(
            e.confirm.contains("describe-tasks") || e.confirm.contains("volumeConfigurations"),
            "{id}"
        );
    }
    // the agent's own reasons that no taxonomy category names (field corpus, agent): the
    // instance's dynamic host port range is used up, which is not a fixed port another task
    // holds (`placement_port_conflict`) and has another fix
    let agent = ["placement_host_ports_exhausted"];
    for id in agent {
        let e = pb.entry(id).unwrap_or_else(|| panic!("no entry {id}"));
        assert_eq!(e.family, "placement", "{id}");
        assert!(pb.rules.iter().any(|r| r.id == id), "no rule for {id}");
        assert!(e.confirm.contains("portMappings"), "{id}");
    }
    // what an exit code means when the stop code says the task was stopped on purpose: no rule
    // names it, an entry's `on_stop_code` does
    let by_stop_code = ["stop_timeout_kill", "graceful_exit_after_stop"];
    for id in by_stop_code {
        assert!(
            pb.entries
                .values()
                .any(|e| e.on_stop_code.values().any(|to| to == id)),
            "nothing leads to {id}"
        );
    }
    // traffic paths (structure, not text: diagnosis::traffic): a zonal shift (its reason code has
    // a rule too, for `explain`), anomaly mitigation, a production listener rule that disagrees
    // with ECS, and a blue/green pair whose roles could not be read
    let traffic = [
        ("elb_zonal_shift", "health"),
        ("elb_anomaly_mitigation", "health"),
        ("traffic_path_mismatch", "deploy"),
        ("blue_green_roles_unread", "config"),
        // a task stopped because its Service Connect proxy container failed (by container)
        ("service_connect_proxy_unhealthy", "health"),
        ("lattice_target_unhealthy", "health"),
        // an API error of CreateService / UpdateService (text: the error type)
        ("service_connect_namespace_not_found", "deploy"),
    ];
    for (id, family) in traffic {
        let e = pb.entry(id).unwrap_or_else(|| panic!("no entry {id}"));
        assert_eq!(e.family, family, "{id}");
        assert!(!e.confirm.is_empty() && !e.fix.is_empty(), "{id}");
    }
    assert!(pb.rules.iter().any(|r| r.id == "elb_zonal_shift"));
    // today's capacity and runtime (#41): a Managed Instance's full disk (by launch type, no
    // rule), AZ rebalancing and an instance drained (each a rule, from the documentation), and
    // what DescribeContainerInstances says of the instances tasks run on (structure: no rule)
    let capacity = [
        ("managed_instance_disk_full", "image", false),
        ("az_rebalancing", "lifecycle", true),
        ("instance_draining", "lifecycle", true),
        ("instance_agent_disconnected", "lifecycle", false),
        ("instance_impaired", "lifecycle", false),
        ("instance_is_draining", "lifecycle", false),
        // an Express Mode service's managed resource that failed (structure: the revision)
        ("express_resource_failed", "deploy", false),
        // a container restarting in place (Container Insights' RestartCount: structure)
        ("container_crash_loop", "exitcode", false),
        ("container_restarted", "exitcode", false),
    ];
    for (id, family, ruled) in capacity {
        let e = pb.entry(id).unwrap_or_else(|| panic!("no entry {id}"));
        assert_eq!(e.family, family, "{id}");
        assert_eq!(pb.rules.iter().any(|r| r.id == id), ruled, "{id}");
    }
    assert_eq!(
        pb.entries.len(),
        85 + fallbacks.len()
            + traffic.len()
            + deployment.len()
            + set_up.len()
            + scaling_and_exec.len()
            + ebs.len()
            + agent.len()
            + by_stop_code.len()
            + capacity.len(),
        "entries other than the taxonomy, the lints, the family fallbacks and the deployment ones"
    );
}
