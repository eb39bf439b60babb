//! No input panics the sanitizer, the matcher or the playbook parser; sanitized text is inert.

use ecswatch::diagnosis::{EvidenceKind, Playbook};
use ecswatch::sanitize::clean;
use proptest::prelude::*;

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
    #![proptest_config(ProptestConfig::with_cases(2000))]

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
    #![proptest_config(ProptestConfig::with_cases(150))]

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
