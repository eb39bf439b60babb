//! Reports built from the store: `snapshot` JSON (schema `ecswatch.snapshot.v1`) and text, and
//! the incident timeline (`ecswatch.timeline.v1`, Markdown).
//! Pure functions of the store and `now`.

mod json;
mod status;
mod text;
mod timeline;

pub use json::{SCHEMA, snapshot_json};
pub use status::{StatusBadge, status_badge};
pub use text::{ago, snapshot_text};
pub use timeline::{
    CONTEXT_BEFORE_S, Summary, TIMELINE_SCHEMA, Timeline, build as build_timeline, timeline_json,
    timeline_markdown,
};

/// What to tell the user when the credentials fail: which credentials (from where the chain
/// took them) and the command that renews *those*. Without a known source, the profile and the
/// usual renewals.
pub fn credentials_hint(
    kind: crate::aws::ErrorKind,
    source: Option<&crate::aws::credentials::CredentialSource>,
    profile: Option<&str>,
) -> String {
    use crate::aws::ErrorKind;
    if let Some(src) = source {
        let (what, how) = src.advice();
        let label = match kind {
            ErrorKind::NoCredentials => "NO AWS CREDENTIALS",
            ErrorKind::BadCredentials => "AWS REJECTED THE CREDENTIALS",
            _ => "CREDENTIALS EXPIRED",
        };
        return format!("{label} ({what}): {how}");
    }
    let (named, login) = match profile {
        Some(p) => (
            format!(" (profile {p})"),
            format!("aws sso login --profile {p}"),
        ),
        None => (String::new(), "aws sso login".to_string()),
    };
    match kind {
        ErrorKind::NoCredentials => format!(
            "NO AWS CREDENTIALS{named}: run `{login}` or configure a profile; picked up without a restart"
        ),
        ErrorKind::BadCredentials => format!(
            "AWS REJECTED THE CREDENTIALS{named}: check the key or run `{login}`; picked up without a restart"
        ),
        _ => format!(
            "CREDENTIALS EXPIRED{named}: run `{login}` or renew the session; picked up without a restart"
        ),
    }
}
