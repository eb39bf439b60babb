//! The user playbook parser: any bytes give a playbook or an error naming the file.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Err(e) = ecswatch::diagnosis::Playbook::load(Some(("fuzz.toml", text))) {
        assert!(e.to_string().starts_with("fuzz.toml"));
    }
});
