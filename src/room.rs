//! What is watched: one or more *targets* — an AWS account reached through a profile, in one
//! Region, with its own clusters and services — from repeated `--profile` / `--region` flags or
//! a named room in `config.toml`. ("Target" here is an account × Region, not a load-balancer
//! target.)
//!
//! ```toml
//! [room.checkout]
//! targets = [
//!   { profile = "prod-us", regions = ["us-east-1", "us-west-2"], clusters = ["prod"] },
//!   { profile = "prod-eu", regions = ["eu-west-1"], alias = "eu" },
//! ]
//! ```

use crate::config_file::{read_text, toml_error};
use crate::model::Scope;
use std::path::Path;

/// One account × Region to watch, before its credentials are resolved.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PlaceSpec {
    /// The profile whose credentials reach the account (None: the default chain).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profile: Option<String>,
    /// The Region (None: the profile's or the environment's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// A short name shown instead of the account id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alias: Option<String>,
    pub scope: Scope,
}

/// Most targets one console watches: each has six pollers and its own budget.
pub const MAX_TARGETS: usize = 32;

/// Every profile × every Region of the flags (one target with neither), each with the global
/// `--cluster` / `--service` scope.
pub fn from_flags(profiles: &[String], regions: &[String], scope: &Scope) -> Vec<PlaceSpec> {
    let profiles: Vec<Option<String>> = if profiles.is_empty() {
        vec![None]
    } else {
        dedup(profiles).into_iter().map(Some).collect()
    };
    let regions: Vec<Option<String>> = if regions.is_empty() {
        vec![None]
    } else {
        dedup(regions).into_iter().map(Some).collect()
    };
    let mut out = Vec::new();
    for p in &profiles {
        for r in &regions {
            out.push(PlaceSpec {
                profile: p.clone(),
                region: r.clone(),
                alias: None,
                scope: scope.clone(),
            });
        }
    }
    out
}

fn dedup(v: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for s in v {
        if !out.contains(s) {
            out.push(s.clone());
        }
    }
    out
}

#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct ConfigFile {
    #[serde(default)]
    room: std::collections::BTreeMap<String, RoomDef>,
    // read and checked by `settings`
    #[serde(default)]
    #[allow(dead_code)]
    defaults: Option<toml::Value>,
}

#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct RoomDef {
    targets: Vec<TargetDef>,
}

#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct TargetDef {
    profile: Option<String>,
    #[serde(default)]
    regions: Vec<String>,
    #[serde(default)]
    clusters: Vec<String>,
    #[serde(default)]
    services: Vec<String>,
    alias: Option<String>,
}

/// The targets of room `name` in the config file at `path`. Clusters and services a room target
/// does not name come from `--cluster` / `--service`. Errors name the file and the problem.
pub fn load_room(path: &Path, name: &str, global: &Scope) -> Result<Vec<PlaceSpec>, String> {
    let file = path.display().to_string();
    let text = match std::fs::metadata(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(format!(
                "{file}: no such file; --room {name} needs a [room.{name}] table in it"
            ));
        }
        _ => read_text(path)?,
    };
    let cfg: ConfigFile = toml::from_str(&text).map_err(|e| toml_error(&file, &text, &e))?;
    let Some(room) = cfg.room.get(name) else {
        let known: Vec<&str> = cfg.room.keys().map(String::as_str).collect();
        return Err(if known.is_empty() {
            format!("{file}: no rooms defined; add a [room.{name}] table")
        } else {
            format!("{file}: no room {name:?} (rooms: {})", known.join(", "))
        });
    };
    if room.targets.is_empty() {
        return Err(format!("{file}: room {name:?} has no targets"));
    }
    let mut out = Vec::new();
    for (i, t) in room.targets.iter().enumerate() {
        let which = format!("{file}: room {name:?}, target {}", i + 1);
        if t.profile.as_deref().is_some_and(|p| p.trim().is_empty()) {
            return Err(format!("{which}: profile is empty"));
        }
        // both reach the screen (the alias tags rows): no escape sequences from a file
        for (field, v) in [("profile", &t.profile), ("alias", &t.alias)] {
            if v.as_deref()
                .is_some_and(|v| v.chars().any(char::is_control))
            {
                return Err(format!("{which}: {field} holds a control character"));
            }
        }
        if let Some(r) = t.regions.iter().find(|r| !valid_region(r)) {
            return Err(format!(
                "{which}: {r:?} is not a Region name (like us-east-1)"
            ));
        }
        let scope = Scope {
            clusters: if t.clusters.is_empty() {
                global.clusters.clone()
            } else {
                t.clusters.clone()
            },
            services: if t.services.is_empty() {
                global.services.clone()
            } else {
                t.services.clone()
            },
        };
        let regions: Vec<Option<String>> = if t.regions.is_empty() {
            vec![None]
        } else {
            dedup(&t.regions).into_iter().map(Some).collect()
        };
        for r in regions {
            let spec = PlaceSpec {
                profile: t.profile.clone(),
                region: r,
                alias: t.alias.clone(),
                scope: scope.clone(),
            };
            if !out.contains(&spec) {
                out.push(spec);
            }
        }
    }
    if out.len() > MAX_TARGETS {
        return Err(format!(
            "{file}: room {name:?} has {} targets; at most {MAX_TARGETS} are watched at once",
            out.len()
        ));
    }
    Ok(out)
}

/// `us-east-1`, `eu-central-2`, `us-gov-west-1`, `cn-north-1`: lowercase words and a number.
pub fn valid_region(r: &str) -> bool {
    let parts: Vec<&str> = r.split('-').collect();
    parts.len() >= 3
        && parts.iter().all(|p| {
            !p.is_empty()
                && p.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        })
        && parts
            .last()
            .is_some_and(|p| p.chars().all(|c| c.is_ascii_digit()))
}

/// The account id in an ARN (`arn:aws:ecs:us-east-1:123456789012:service/...`).
pub fn arn_account(arn: &str) -> Option<&str> {
    let mut parts = arn.splitn(6, ':');
    (parts.next()? == "arn").then_some(())?;
    let account = parts.nth(3)?;
    (!account.is_empty()).then_some(account)
}

/// The Region in an ARN.
pub fn arn_region(arn: &str) -> Option<&str> {
    let mut parts = arn.splitn(6, ':');
    (parts.next()? == "arn").then_some(())?;
    let region = parts.nth(2)?;
    (!region.is_empty()).then_some(region)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A config file in a directory of its own, removed when dropped.
    struct TempConfig(std::path::PathBuf);
    impl Drop for TempConfig {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    fn write(text: &str) -> (TempConfig, std::path::PathBuf) {
        use std::sync::atomic::{AtomicU32, Ordering};
        static N: AtomicU32 = AtomicU32::new(0);
        let dir = std::env::temp_dir().join(format!(
            "ecswatch-room-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&dir).unwrap();
        let p = dir.join("config.toml");
        std::fs::write(&p, text).unwrap();
        (TempConfig(dir), p)
    }

    #[test]
    fn flags_are_every_profile_in_every_region() {
        let s = Scope::default();
        let t = from_flags(
            &["a".into(), "b".into(), "a".into()],
            &["us-east-1".into(), "eu-west-1".into()],
            &s,
        );
        let pairs: Vec<(Option<&str>, Option<&str>)> = t
            .iter()
            .map(|t| (t.profile.as_deref(), t.region.as_deref()))
            .collect();
        assert_eq!(
            pairs,
            vec![
                (Some("a"), Some("us-east-1")),
                (Some("a"), Some("eu-west-1")),
                (Some("b"), Some("us-east-1")),
                (Some("b"), Some("eu-west-1")),
            ]
        );
        assert_eq!(from_flags(&[], &[], &s).len(), 1);
        assert_eq!(from_flags(&[], &[], &s)[0], PlaceSpec::default());
    }

    #[test]
    fn a_room_expands_regions_and_keeps_its_own_scope() {
        let (_d, p) = write(
            r#"
[room.checkout]
targets = [
  { profile = "prod-us", regions = ["us-east-1", "us-west-2"], clusters = ["prod"] },
  { profile = "prod-eu", regions = ["eu-west-1"], alias = "eu" },
]
"#,
        );
        let global = Scope {
            clusters: vec!["edge".into()],
            services: vec![],
        };
        let t = load_room(&p, "checkout", &global).unwrap();
        assert_eq!(t.len(), 3);
        assert_eq!(t[0].region.as_deref(), Some("us-east-1"));
        assert_eq!(t[1].region.as_deref(), Some("us-west-2"));
        assert_eq!(t[0].scope.clusters, vec!["prod".to_string()]);
        assert_eq!(t[2].profile.as_deref(), Some("prod-eu"));
        assert_eq!(t[2].alias.as_deref(), Some("eu"));
        // a target without clusters takes the command line's
        assert_eq!(t[2].scope.clusters, vec!["edge".to_string()]);
    }

    #[test]
    fn bad_rooms_name_the_file_and_the_problem() {
        let (_d, p) =
            write("[room.a]\ntargets = [ { profile = \"x\", regions = [\"us east\"] } ]\n");
        let e = load_room(&p, "a", &Scope::default()).unwrap_err();
        assert!(
            e.contains("config.toml") && e.contains("target 1") && e.contains("us east"),
            "{e}"
        );

        let e = load_room(&p, "b", &Scope::default()).unwrap_err();
        assert!(e.contains("no room \"b\"") && e.contains("rooms: a"), "{e}");

        let (_d2, p2) = write("[room.a]\ntargets = [ { profle = \"x\" } ]\n");
        let e = load_room(&p2, "a", &Scope::default()).unwrap_err();
        assert!(e.contains("config.toml:2") && e.contains("profle"), "{e}");

        let (_d4, p4) = write("[room.a]\ntargets = [ { alias = \"x\\u001b[2J\" } ]\n");
        let e = load_room(&p4, "a", &Scope::default()).unwrap_err();
        assert!(e.contains("alias holds a control character"), "{e}");

        let (_d3, p3) = write("[room.a]\ntargets = []\n");
        let e = load_room(&p3, "a", &Scope::default()).unwrap_err();
        assert!(e.contains("has no targets"), "{e}");

        let e = load_room(
            Path::new("/nonexistent/config.toml"),
            "a",
            &Scope::default(),
        )
        .unwrap_err();
        assert!(
            e.contains("/nonexistent/config.toml") && e.contains("[room.a]"),
            "{e}"
        );
    }

    #[test]
    fn arns() {
        let a = "arn:aws:ecs:eu-west-1:222222222222:service/prod/api";
        assert_eq!(arn_account(a), Some("222222222222"));
        assert_eq!(arn_region(a), Some("eu-west-1"));
        assert_eq!(arn_account("prod/api"), None);
        assert_eq!(arn_account("arn:aws:ecs:::x"), None);
        assert!(valid_region("us-gov-west-1"));
        assert!(!valid_region("us-east"));
        assert!(!valid_region("US-EAST-1"));
    }
}
