//! The sanitizer: never panics; its output has no control characters or bidi overrides, is
//! bounded, and is a fixed point.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let out = ecswatch::sanitize::clean(&text);
    assert!(!out.chars().any(|c| c.is_control()));
    assert!(!out.contains('\u{202e}') && !out.contains('\u{2066}'));
    assert!(out.chars().count() <= ecswatch::sanitize::MAX_CHARS + 3);
    assert_eq!(ecswatch::sanitize::clean(&out), out);
});
