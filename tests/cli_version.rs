//! `ecswatch --version` names the version, the commit and the target it was built for.

#[test]
fn version_names_the_commit_and_the_target() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_ecswatch"))
        .arg("--version")
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    let line = text.trim();
    let rest = line
        .strip_prefix(&format!("ecswatch {} (commit ", env!("CARGO_PKG_VERSION")))
        .unwrap_or_else(|| panic!("{line}"));
    let (commit, target) = rest
        .strip_suffix(')')
        .and_then(|r| r.split_once(", "))
        .unwrap_or_else(|| panic!("{line}"));
    assert!(
        commit == "unknown"
            || (commit.len() == 12 && commit.chars().all(|c| c.is_ascii_hexdigit())),
        "{line}"
    );
    assert!(
        target.contains("-linux-") || target.contains("-apple-"),
        "{line}"
    );
}

fn run(args: &[&str]) -> String {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_ecswatch"))
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
fn completions_and_the_man_page_come_from_the_command_line_definition() {
    // every subcommand and a global flag, in each shell's script
    for shell in ["bash", "zsh", "fish"] {
        let script = run(&["completions", shell]);
        for word in ["doctor", "snapshot", "explain", "api-share", "allow-writes"] {
            assert!(script.contains(word), "{shell}: no {word}");
        }
    }
    assert!(run(&["completions", "bash"]).contains("_ecswatch()"));
    let man = run(&["man"]);
    assert!(man.contains(".TH ecswatch"));
    assert!(
        man.contains("doctor") && man.contains("\\-\\-api\\-share"),
        "options and subcommands"
    );
}
