//! The targets a store holds: each an account × Region with its own scope, credentials and
//! per-source freshness (one expired session marks only its own rows).

use super::SourceStatus;
use crate::aws::ErrorKind;
use crate::model::Source;
use crate::room::PlaceSpec;
use std::collections::BTreeMap;

#[derive(Debug, Clone, Default)]
pub struct PlaceState {
    pub spec: PlaceSpec,
    /// The Region its requests go to.
    pub region: String,
    /// The account id, once an answer named it (from the ARNs it returned).
    pub account: Option<String>,
    pub status: BTreeMap<Source, SourceStatus>,
    /// Where its credentials come from (None when not known: the demo, a replay), for the
    /// banner's renewal advice.
    pub credentials: Option<crate::aws::credentials::CredentialSource>,
}

impl PlaceState {
    pub fn new(spec: PlaceSpec, region: String) -> Self {
        Self {
            spec,
            region,
            account: None,
            credentials: None,
            status: Source::ALL
                .iter()
                .map(|s| (*s, SourceStatus::default()))
                .collect(),
        }
    }

    /// The account as rows are tagged with it: the alias, else the account id, else (until
    /// an answer names it) the profile.
    pub fn account_label(&self) -> String {
        self.spec
            .alias
            .clone()
            .or_else(|| self.account.clone())
            .or_else(|| self.spec.profile.clone())
            .unwrap_or_else(|| "default".into())
    }

    /// `account region`, e.g. `prod-eu eu-west-1`.
    pub fn label(&self) -> String {
        format!("{} {}", self.account_label(), self.region)
    }

    /// The credentials problem every source of this target has, if any (expired, denied or
    /// missing credentials).
    pub fn credentials_error(&self) -> Option<&crate::aws::ApiError> {
        let services = self.status.get(&Source::Services)?;
        services.errors.iter().map(|(_, e)| e).find(|e| {
            matches!(
                e.kind,
                ErrorKind::ExpiredCredentials
                    | ErrorKind::NoCredentials
                    | ErrorKind::BadCredentials
            )
        })
    }

    /// True when the last poll of every source that was polled failed.
    pub fn failing(&self) -> bool {
        let polled: Vec<&SourceStatus> = self
            .status
            .values()
            .filter(|s| s.last_poll.is_some())
            .collect();
        !polled.is_empty() && polled.iter().all(|s| s.consecutive_failures > 0)
    }
}

/// The short Region code AWS uses in Availability Zone ids: `us-east-1` -> `use1`,
/// `ap-southeast-2` -> `apse2`, `us-gov-west-1` -> `usgw1`.
pub fn short_region(region: &str) -> String {
    let parts: Vec<&str> = region.split('-').collect();
    if parts.len() < 3 {
        return region.to_string();
    }
    let mut out = parts[0].to_string();
    for w in &parts[1..parts.len() - 1] {
        out.push_str(match *w {
            "northeast" => "ne",
            "northwest" => "nw",
            "southeast" => "se",
            "southwest" => "sw",
            w => &w[..w.char_indices().nth(1).map_or(w.len(), |(i, _)| i)],
        });
    }
    out.push_str(parts[parts.len() - 1]);
    out
}

impl PlaceState {
    /// The tag of its rows: `account-label region` (wide) or `account-label use1`.
    pub fn tag(&self, wide: bool) -> String {
        if wide {
            self.label()
        } else {
            format!("{} {}", self.account_label(), short_region(&self.region))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_regions_are_the_zone_id_prefixes() {
        assert_eq!(short_region("us-east-1"), "use1");
        assert_eq!(short_region("eu-west-1"), "euw1");
        assert_eq!(short_region("ap-southeast-2"), "apse2");
        assert_eq!(short_region("ap-northeast-1"), "apne1");
        assert_eq!(short_region("eu-central-1"), "euc1");
        assert_eq!(short_region("us-gov-west-1"), "usgw1");
        assert_eq!(short_region("local"), "local");
        assert_eq!(short_region(""), "");
    }

    #[test]
    fn labels_prefer_the_alias_then_the_account() {
        let mut t = PlaceState::new(
            PlaceSpec {
                profile: Some("prod-eu".into()),
                ..Default::default()
            },
            "eu-west-1".into(),
        );
        assert_eq!(t.label(), "prod-eu eu-west-1");
        t.account = Some("222222222222".into());
        assert_eq!(t.tag(false), "222222222222 euw1");
        t.spec.alias = Some("eu".into());
        assert_eq!(t.tag(true), "eu eu-west-1");
    }
}
