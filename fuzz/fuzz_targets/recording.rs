//! Recordings: any bytes are read (skipping what does not parse) or refused with a message, and
//! whatever is read replays.
#![no_main]
use libfuzzer_sys::fuzz_target;
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    if let Ok(rec) = ecswatch::record::parse(Path::new("fuzz.jsonl"), data) {
        let mut p = ecswatch::record::player::Player::new(
            rec,
            std::sync::Arc::new(ecswatch::diagnosis::Playbook::builtin()),
            Default::default(),
        );
        p.finish();
        let _ = ecswatch::report::snapshot_json(&p.store, p.position);
    }
});
