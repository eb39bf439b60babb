//! The console's log file: `$XDG_STATE_HOME/ecswatch/ecswatch.log` (else
//! `~/.local/state/ecswatch/ecswatch.log`), the directory created `0700` and the file `0600`.
//! One line per event worth keeping after the screen is gone: the session starting and ending,
//! a source starting to fail or recovering (not every failed poll), every write with its result.
//! Credentials are never written; anything that looks like an access key or a request signature
//! is masked before a line is written.

use crate::model::Time;
use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};

pub struct LogFile {
    file: File,
    pub path: PathBuf,
}

/// The state directory: `$XDG_STATE_HOME/ecswatch`, else `~/.local/state/ecswatch`.
pub fn state_dir() -> Option<PathBuf> {
    let base = std::env::var_os("XDG_STATE_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| Path::new(&h).join(".local").join("state")))?;
    Some(base.join("ecswatch"))
}

impl LogFile {
    /// Open (creating) the log file in `dir`, tightening its permissions if they were wider.
    pub fn open_in(dir: &Path) -> Result<Self, String> {
        let fail = |e: std::io::Error| format!("{}: {e}", dir.display());
        let mut builder = std::fs::DirBuilder::new();
        builder.recursive(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::DirBuilderExt;
            builder.mode(0o700);
        }
        builder.create(dir).map_err(fail)?;
        let path = dir.join("ecswatch.log");
        let mut opts = std::fs::OpenOptions::new();
        opts.create(true).append(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            opts.mode(0o600);
        }
        let file = opts
            .open(&path)
            .map_err(|e| format!("{}: {e}", path.display()))?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let _ = file.set_permissions(std::fs::Permissions::from_mode(0o600));
        }
        Ok(Self { file, path })
    }

    /// Write one line (masked, one write). Failures are ignored: the log must never stop the
    /// console.
    pub fn line(&mut self, at: Time, text: &str) {
        let line = format!(
            "{} [{}] {}\n",
            at.format("%Y-%m-%dT%H:%M:%SZ"),
            std::process::id(),
            mask(&crate::sanitize::clean(text))
        );
        let _ = self.file.write_all(line.as_bytes());
    }
}

/// Mask what must never reach a file: AWS access key ids and SigV4 signatures/credentials.
pub fn mask(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find(|c: char| c.is_ascii_alphanumeric() || c == '=') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        let end = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '=' || c == '/' || c == '+'))
            .unwrap_or(rest.len());
        let word = &rest[..end];
        let key_id = (word.starts_with("AKIA") || word.starts_with("ASIA"))
            && word.len() >= 16
            && word[4..]
                .chars()
                .take(16)
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit());
        if key_id {
            out.push_str(&word[..4]);
            out.push_str("****");
        } else if let Some((name, _)) = word
            .split_once('=')
            .filter(|(n, _)| matches!(*n, "Signature" | "Credential" | "X-Amz-Signature"))
        {
            out.push_str(name);
            out.push_str("=****");
        } else {
            out.push_str(word);
        }
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_key_ids_and_signatures() {
        assert_eq!(
            mask("key AKIAIOSFODNN7EXAMPLE used, Signature=abc123/x+y= ok"),
            "key AKIA**** used, Signature=**** ok"
        );
        assert_eq!(mask("plain text: 42 tasks"), "plain text: 42 tasks");
    }

    #[test]
    fn creates_the_file_0600_in_a_0700_dir() {
        use std::os::unix::fs::PermissionsExt;
        let dir = std::env::temp_dir().join(format!("ecswatch-log-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let mut log = LogFile::open_in(&dir).unwrap();
        log.line(chrono::Utc::now(), "hello \u{1b}[2J world");
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&log.path), 0o600);
        assert_eq!(mode(&dir), 0o700);
        let text = std::fs::read_to_string(&log.path).unwrap();
        assert!(
            text.ends_with("hello [2J world\n") || text.ends_with("hello  world\n"),
            "{text}"
        );
        assert!(!text.contains('\u{1b}'));
        let _ = std::fs::remove_dir_all(&dir);
    }
}
