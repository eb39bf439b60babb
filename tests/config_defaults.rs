//! `[defaults]` in config.toml reaches the run, a flag wins over it, and a bad value stops the
//! run naming the file and the line (the real binary, a config directory of the test's own).

use std::process::{Command, Output};

fn run(config: &str, args: &[&str]) -> (Output, std::path::PathBuf) {
    let dir = std::env::temp_dir().join(format!(
        "ecswatch-defaults-{}-{}",
        std::process::id(),
        args.join("_").replace(['-', ' '], "")
    ));
    std::fs::create_dir_all(dir.join("ecswatch")).unwrap();
    let file = dir.join("ecswatch").join("config.toml");
    std::fs::write(&file, config).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_ecswatch"))
        .args(args)
        .env("XDG_CONFIG_HOME", &dir)
        .env_remove("AWS_PROFILE")
        .output()
        .unwrap();
    (out, file)
}

#[test]
fn the_share_comes_from_the_file_unless_the_flag_sets_it() {
    let config = "[room.x]\ntargets = [{ profile = \"p\" }]\n\n[defaults]\napi_share = 7\ntheme = \"mono\"\n";
    let (out, _) = run(config, &["snapshot", "--demo", "--stats"]);
    assert!(out.status.success());
    let stats = String::from_utf8_lossy(&out.stderr);
    assert!(stats.contains("ecswatch's share 7%"), "{stats}");

    let (out, _) = run(
        config,
        &["snapshot", "--demo", "--stats", "--api-share", "30"],
    );
    assert!(out.status.success());
    let stats = String::from_utf8_lossy(&out.stderr);
    assert!(stats.contains("ecswatch's share 30%"), "{stats}");
}

#[test]
fn a_bad_default_names_the_file_and_line_and_explain_still_works() {
    let config = "[defaults]\nprofile = \"prod\"\n\napi_share = 0\n";
    let (out, file) = run(config, &["snapshot", "--demo"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(&format!("{}:4:", file.display())) && err.contains("api_share"),
        "{err}"
    );
    // explain reads no defaults: a broken file does not stop it mid-incident
    let (out, _) = run(
        config,
        &["explain", "CannotPullContainerError: pull access denied"],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
