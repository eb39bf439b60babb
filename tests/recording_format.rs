//! The recording format is its own (version 2, `record::RecordedUpdate`), and version-1 files
//! still replay: the checked-in fixture (`tests/data/recording-v1/`, written by 0034e1c, with
//! the two payloads only version 1 had) replays to the very text and timeline that commit
//! printed for it.

use std::path::Path;
use std::process::Command;

fn fixture(name: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/recording-v1")
        .join(name)
}

fn run(args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_ecswatch"))
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn a_version_1_recording_replays_to_what_it_replayed_to_before() {
    let rec = fixture("demo.jsonl");
    let rec = rec.to_str().unwrap();
    let want = std::fs::read_to_string(fixture("demo.snapshot.txt")).unwrap();
    let got = run(&["snapshot", "--replay", rec]);
    assert_eq!(
        got, want,
        "snapshot --replay of the version-1 fixture changed"
    );
    let want = std::fs::read_to_string(fixture("demo.timeline.md")).unwrap();
    assert_eq!(run(&["timeline", "--replay", rec]), want);
    // the two version-1-only payloads were read (not skipped as unreadable lines)
    assert!(got.contains("10.0.2.52:8080 unhealthy Target.ResponseCodeMismatch"));
    assert!(got.contains("upstream payments timed out"));
}

#[test]
fn version_1_payloads_are_upgraded_and_version_2_is_written() {
    use ecswatch::record::{Record, RecordedPayload, VERSION};
    assert_eq!(VERSION, 2);
    let text = std::fs::read(fixture("demo.jsonl")).unwrap();
    let rec = ecswatch::record::parse(Path::new("demo.jsonl"), &text).unwrap();
    assert!(rec.skipped.is_empty(), "{:?}", rec.skipped);
    let payloads: Vec<&RecordedPayload> = rec
        .records
        .iter()
        .filter_map(|r| match r {
            Record::Update { update, .. } => update.payload.as_ref(),
            _ => None,
        })
        .collect();
    // the legacy `targets` line became a targets_read of the group it held, `logs` a logs_read
    let last_two = &payloads[payloads.len() - 2..];
    assert!(
        matches!(last_two[0], RecordedPayload::TargetsRead { described, health, .. }
        if described.len() == 1 && health.is_empty())
    );
    assert!(
        matches!(last_two[1], RecordedPayload::LogsRead { services, tasks }
        if services.len() == 1 && tasks.is_empty())
    );

    // written back, every update is version 2's shape and reads back the same
    let dir = std::env::temp_dir().join(format!("ecsw-v2-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("v2.jsonl");
    let _ = std::fs::remove_file(&path);
    let mut w = ecswatch::record::Recorder::open(
        &path,
        "us-east-1",
        &ecswatch::model::Scope::default(),
        "demo",
    )
    .unwrap();
    for r in &rec.records {
        if let Record::Update { update, .. } = r {
            w.update(&update.clone().into()).unwrap();
        }
    }
    w.finish().unwrap();
    let written = std::fs::read_to_string(&path).unwrap();
    assert!(written.lines().next().unwrap().contains("\"version\":2"));
    assert!(!written.contains("{\"targets\":") && !written.contains("{\"logs\":"));
    let back = ecswatch::record::read(&path).unwrap();
    let updates = |r: &ecswatch::record::Recording| -> usize {
        r.records
            .iter()
            .filter(|r| matches!(r, Record::Update { .. }))
            .count()
    };
    assert_eq!(updates(&back), updates(&rec));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_newer_version_is_refused_naming_file_and_line() {
    let text = b"{\"type\":\"header\",\"format\":\"ecswatch.recording\",\"version\":3,\"started_at\":\"2026-12-07T10:00:00Z\",\"region\":\"us-east-1\",\"scope\":{\"clusters\":[],\"services\":[]},\"origin\":\"aws\"}\n";
    let e = ecswatch::record::parse(Path::new("new.jsonl"), text).unwrap_err();
    assert!(e.contains("new.jsonl:1") && e.contains("version 3"), "{e}");
}
