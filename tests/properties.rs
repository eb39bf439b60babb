//! No input panics the sanitizer, the matcher, or the parsers of playbooks, themes, keymaps and
//! recordings; sanitized text is inert. Case counts are the CI defaults; `scripts/fuzz.sh` runs
//! them with far more (`PROPTEST_CASES`).

use ecswatch::diagnosis::{EvidenceKind, Playbook};
use ecswatch::sanitize::clean;
use proptest::prelude::*;

/// The CI default, or scaled by `PROPTEST_CASES` (the fuzz script) relative to the cheapest
/// tests' 2,000: `PROPTEST_CASES=20000` runs 10x every default.
fn cases(default: u32) -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse::<u64>().ok())
        .map(|n| (u64::from(default) * n / 2000).max(1) as u32)
        .unwrap_or(default)
}

fn evidence_kind() -> impl Strategy<Value = Option<EvidenceKind>> {
    prop_oneof![
        Just(None),
        Just(Some(EvidenceKind::StoppedReason)),
        Just(Some(EvidenceKind::ContainerReason)),
        Just(Some(EvidenceKind::ExitCode)),
        Just(Some(EvidenceKind::StopCode)),
        Just(Some(EvidenceKind::ServiceEvent)),
        Just(Some(EvidenceKind::TargetHealth)),
        Just(Some(EvidenceKind::RolloutReason)),
    ]
}

/// Text shaped like ECS messages, with control characters and escapes mixed in.
fn messy_text() -> impl Strategy<Value = String> {
    let pieces = prop_oneof![
        Just("CannotPullContainerError: ".to_string()),
        Just("ResourceInitializationError: unable to pull secrets or registry auth: ".to_string()),
        Just("\u{1b}]52;c;ZXZpbA==\u{7}".to_string()),
        Just("\u{1b}[2J".to_string()),
        Just("\u{9b}31m".to_string()),
        Just("\u{202e}".to_string()),
        Just("(service web) ".to_string()),
        Just("\"exitCode\": ".to_string()),
        "[0-9]{1,12}",
        "\\PC{0,40}",
        any::<String>(),
    ];
    prop::collection::vec(pieces, 0..8).prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases(2000)))]

    #[test]
    fn classify_never_panics(kind in evidence_kind(), text in messy_text()) {
        let pb = Playbook::builtin();
        let _ = pb.classify(kind, &text);
        let _ = pb.classify(kind, &clean(&text));
    }

    #[test]
    fn sanitized_text_has_no_controls_or_escapes(text in messy_text()) {
        let out = clean(&text);
        prop_assert!(!out.chars().any(|c| c.is_control()), "{:?}", out);
        prop_assert!(!out.contains(char::from_u32(0x202e).unwrap()), "bidi override kept");
        prop_assert!(out.chars().count() <= ecswatch::sanitize::MAX_CHARS + 3);
        // idempotent
        prop_assert_eq!(clean(&out), out.clone());
    }

}

proptest! {
    // Each case compiles the whole built-in rule set: fewer cases.
    #![proptest_config(ProptestConfig::with_cases(cases(150)))]

    #[test]
    fn playbook_parser_never_panics(text in "\\PC{0,300}") {
        let _ = Playbook::load(Some(("fuzz.toml", &text)));
    }

    #[test]
    fn playbook_parser_survives_mutated_rules(
        id in "[a-z_]{1,20}",
        pat in "\\PC{0,30}",
        kind in "[a-z_]{0,15}",
    ) {
        let text = format!("[[rule]]\nid = \"{id}\"\nkinds = [\"{kind}\"]\nany = ['{}']\n", pat.replace('\'', ""));
        let _ = Playbook::load(Some(("fuzz.toml", &text)));
    }
}

/// TOML-ish text: table headers, keys, values of every type, and noise.
fn tomlish() -> impl Strategy<Value = String> {
    let pieces = prop_oneof![
        Just("[styles]\n".to_string()),
        Just("[board]\n".to_string()),
        Just("[global]\n".to_string()),
        Just("[[rule]]\n".to_string()),
        "[a-z_]{1,12} = \"[a-z_ -]{0,12}\"\n",
        "[a-z_]{1,12} = \\{ fg = \"[a-z#0-9]{0,8}\", modifiers = \\[\"[a-z]{0,8}\"\\] \\}\n",
        "\"[a-z?/+-]{1,8}\" = \"[a-z_]{1,12}\"\n",
        "[a-z]{1,8} = [0-9]{1,5}\n",
        "\\PC{0,30}",
        any::<String>(),
    ];
    prop::collection::vec(pieces, 0..10).prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases(1000)))]

    #[test]
    fn theme_parser_never_panics(text in tomlish()) {
        if let Err(e) = ecswatch::theme::Theme::parse("fuzz", "fuzz.toml", &text) {
            prop_assert!(e.0.starts_with("fuzz.toml"), "{}", e.0);
        }
    }

    #[test]
    fn keymap_parser_never_panics(text in tomlish()) {
        let mut k = ecswatch::keymap::Keymap::shipped("default").unwrap();
        if let Err(e) = k.merge_file("fuzz.toml", &text) {
            prop_assert!(e.0.starts_with("fuzz.toml"), "{}", e.0);
        }
    }

    #[test]
    fn recording_reader_never_panics(lines in prop::collection::vec(prop_oneof![
        Just(r#"{"type":"header","format":"ecswatch.recording","version":1,"started_at":"2026-01-01T00:00:00Z","region":"r","scope":{"clusters":[],"services":[]},"origin":"aws"}"#.to_string()),
        Just(r#"{"type":"note","t":"2026-01-01T00:00:01Z","note":{"t":"2026-01-01T00:00:01Z","service":null,"text":"x"}}"#.to_string()),
        Just(r#"{"type":"update","t":"2026-01-01T00:00:02Z","update":{"source":"logs","fetched_at":"2026-01-01T00:00:02Z","payload":{"logs":[]},"errors":[{"kind":"throttled","operation":"ecs:Nope","code":null,"message":"m"}]}}"#.to_string()),
        "\\PC{0,60}",
        any::<String>(),
    ], 0..8), cut in 0usize..400) {
        let mut text = lines.join("\n");
        // tear the file somewhere, as a crash would
        let cut = text.char_indices().map(|(i, _)| i).nth(cut).unwrap_or(text.len());
        text.truncate(cut);
        let path = std::env::temp_dir().join(format!("ecswatch-prop-rec-{}", std::process::id()));
        std::fs::write(&path, &text).unwrap();
        if let Ok(rec) = ecswatch::record::read(&path) {
            let mut p = ecswatch::record::player::Player::new(
                rec,
                std::sync::Arc::new(Playbook::builtin()),
                Default::default(),
            );
            p.finish();
        }
        let _ = std::fs::remove_file(&path);
    }

    #[test]
    fn log_file_mask_never_panics_and_hides_key_ids(text in messy_text(), key in "[A-Z0-9]{16}") {
        let out = ecswatch::logfile::mask(&format!("{text} AKIA{key} {text}"));
        prop_assert!(!out.contains(&format!("AKIA{key}")), "{}", out);
    }
}
