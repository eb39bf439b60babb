//! The doctor's table: the place, who the credentials are, each read with its outcome and the
//! IAM action or fix on its line, ECS Exec's tools, the terminal; and whether the console will
//! work (the exit code).

use super::*;
use std::fmt::Write;

/// The report, and whether the console will work (no problem found).
pub fn report(
    target: &PlaceState,
    checks: &[Check],
    tools: &crate::exec::LocalTools,
    term: Option<(u16, u16)>,
    env: &dyn Fn(&str) -> Option<String>,
) -> (String, bool) {
    let mut o = String::new();
    let (source, _) = target
        .credentials
        .as_ref()
        .map(|c| c.advice())
        .unwrap_or_else(|| ("the default chain".into(), String::new()));
    let _ = writeln!(o, "ecswatch doctor  {}", target.label());
    let _ = writeln!(
        o,
        "  Region       {}",
        if target.region.is_empty() {
            "(none: set --region or AWS_REGION)"
        } else {
            &target.region
        }
    );
    let _ = writeln!(o, "  credentials  {source}");
    let _ = writeln!(
        o,
        "  account      {}",
        target
            .account
            .as_deref()
            .unwrap_or("(not named by any answer yet)")
    );
    let _ = writeln!(
        o,
        "\n  {:<34} {:<8} IAM ACTION / WHAT TO DO",
        "READ", "RESULT"
    );
    for c in checks {
        let _ = writeln!(
            o,
            "  {:<34} {:<8} {}  {}",
            c.what,
            c.outcome.word(),
            c.action,
            c.outcome.text()
        );
    }
    let problems = checks
        .iter()
        .filter(|c| matches!(c.outcome, Outcome::Problem(_)))
        .count();
    let _ = writeln!(
        o,
        "\n  ECS Exec     aws {}, session-manager-plugin {}{}",
        if tools.aws { "found" } else { "MISSING" },
        if tools.session_manager_plugin {
            "found"
        } else {
            "MISSING"
        },
        if tools.aws && tools.session_manager_plugin {
            String::new()
        } else {
            " (only `e`, ECS Exec, needs them: install the AWS CLI v2 and the Session Manager plugin)".into()
        }
    );
    let colours = if env("NO_COLOR").is_some_and(|v| !v.is_empty()) {
        "none (NO_COLOR; use --theme mono or high-contrast)".to_string()
    } else {
        match env("COLORTERM").as_deref() {
            Some("truecolor" | "24bit") => "24-bit".into(),
            _ => match env("TERM") {
                Some(t) if t.contains("256color") => format!("256 ({t})"),
                Some(t) if t == "dumb" || t.is_empty() => {
                    "none (TERM=dumb: use --theme mono)".into()
                }
                Some(t) => format!("16 ({t})"),
                None => "unknown (TERM not set)".into(),
            },
        }
    };
    let size = match term {
        Some((w, h)) if w >= 80 && h >= 24 => format!("{w}x{h}"),
        Some((w, h)) => format!("{w}x{h}: below 80x24, panes will be cut"),
        None => "not a terminal (the console needs one)".into(),
    };
    let _ = writeln!(o, "  terminal     {size}, colours {colours}");
    let _ = writeln!(
        o,
        "  copy         `y` copies with OSC 52: works in terminals that allow it (tmux: set -g set-clipboard on)"
    );
    if problems == 0 {
        let _ = writeln!(o, "\n  result: the console will work here");
    } else {
        let _ = writeln!(
            o,
            "\n  result: {problems} problem(s): the console will miss what those reads show (fix on each line)"
        );
    }
    (o, problems == 0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aws::credentials::CredentialSource;

    fn target() -> PlaceState {
        let mut t = PlaceState::new(Default::default(), "eu-west-1".into());
        t.credentials = Some(CredentialSource::Sso {
            profile: "oncall".into(),
        });
        t
    }

    #[test]
    fn credentials_that_will_not_last_an_incident_are_a_problem_with_the_renewal() {
        let now = chrono::DateTime::parse_from_rfc3339("2026-12-07T12:00:00Z")
            .unwrap()
            .to_utc();
        let id = |mins: i64| CallerIdentity {
            account: "1".into(),
            arn: "arn".into(),
            expires: Some(now + chrono::Duration::minutes(mins)),
        };
        assert!(
            matches!(expiry(&target(), &id(120), now), Outcome::Ok(t) if t.contains("in 2h00m"))
        );
        match expiry(&target(), &id(5), now) {
            Outcome::Problem(t) => assert!(
                t.contains("in 5m") && t.contains("aws sso login --profile oncall"),
                "{t}"
            ),
            o => panic!("{o:?}"),
        }
        assert!(
            matches!(expiry(&target(), &id(-1), now), Outcome::Problem(t) if t.contains("expired"))
        );
        let forever = CallerIdentity {
            expires: None,
            ..id(0)
        };
        assert!(matches!(expiry(&target(), &forever, now), Outcome::Ok(_)));
    }
}
