//! The rule matcher over any text, with and without a kind of evidence.
#![no_main]
use ecswatch::diagnosis::{EvidenceKind, Playbook};
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

fuzz_target!(|data: &[u8]| {
    static PB: OnceLock<Playbook> = OnceLock::new();
    let pb = PB.get_or_init(Playbook::builtin);
    let Some((&k, rest)) = data.split_first() else { return };
    let text = String::from_utf8_lossy(rest);
    let kind = match k % 8 {
        0 => None,
        1 => Some(EvidenceKind::StoppedReason),
        2 => Some(EvidenceKind::ContainerReason),
        3 => Some(EvidenceKind::ExitCode),
        4 => Some(EvidenceKind::StopCode),
        5 => Some(EvidenceKind::ServiceEvent),
        6 => Some(EvidenceKind::TargetHealth),
        _ => Some(EvidenceKind::RolloutReason),
    };
    let _ = pb.classify(kind, &text);
    let _ = ecswatch::diagnosis::parse_exit_code(&text);
});
