//! Presentation helpers the console (`view`) and the reports (`report`) share, below both:
//! the one age format, the status badge of a service, what to say when credentials fail.
//! Pure functions of the store and `now`.

mod status;

pub use status::{StatusBadge, status_badge};

use crate::model::Time;

/// "12s ago", "5m ago", "2h05m ago", "3d ago": the one age format of reports and the console.
pub fn ago(now: Time, t: Time) -> String {
    let s = (now - t).num_seconds();
    match s {
        s if s < 0 => "just now".into(),
        s if s < 90 => format!("{s}s ago"),
        s if s < 90 * 60 => format!("{}m ago", s / 60),
        s if s < 48 * 3600 => format!("{}h{:02}m ago", s / 3600, (s % 3600) / 60),
        s => format!("{}d ago", s / 86_400),
    }
}

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
