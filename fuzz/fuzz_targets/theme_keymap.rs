//! Theme and keymap files: any text gives a theme/keymap or an error naming the file.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Err(e) = ecswatch::theme::Theme::parse("fuzz", "fuzz.toml", text) {
        assert!(e.0.starts_with("fuzz.toml"));
    }
    let mut k = ecswatch::keymap::Keymap::shipped("default").unwrap();
    if let Err(e) = k.merge_file("fuzz.toml", text) {
        assert!(e.0.starts_with("fuzz.toml"));
    }
});
