//! `ecswatch --version` says which commit and target a binary was built from: an on-call
//! engineer on a bastion can tell which build they run. Outside a git checkout (a crates.io
//! build) the commit is "unknown".

use std::process::Command;

fn main() {
    let commit = Command::new("git")
        .args(["rev-parse", "--short=12", "HEAD"])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "unknown".to_string());
    let target = std::env::var("TARGET").unwrap_or_else(|_| "unknown".to_string());
    println!("cargo:rustc-env=ECSWATCH_COMMIT={commit}");
    println!("cargo:rustc-env=ECSWATCH_TARGET={target}");
    // a new commit changes HEAD or the branch it points at; outside a checkout only this file
    // (a path that does not exist would make every build run this script again)
    println!("cargo:rerun-if-changed=build.rs");
    for path in [".git/HEAD", ".git/refs/heads", ".git/packed-refs"] {
        if std::path::Path::new(path).exists() {
            println!("cargo:rerun-if-changed={path}");
        }
    }
}
