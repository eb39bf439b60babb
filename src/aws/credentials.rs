//! Where a target's credentials come from, read the way the AWS CLI and aws-config resolve
//! them — so that when they fail, the banner gives the command that renews *those*
//! credentials (an SSO login, new keys in the credentials file, the `credential_process`, the
//! role's source, a restart for environment variables), not `aws sso login` for everything.

use std::collections::HashMap;

/// The source the standard chain uses for a profile (or no profile).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CredentialSource {
    /// `sso_session` / `sso_start_url` in the profile.
    Sso { profile: String },
    /// `aws_access_key_id` in the profile (config or credentials file).
    Keys { profile: String, file: String },
    /// `credential_process` in the profile.
    Process { profile: String, command: String },
    /// `role_arn` with a `source_profile` (whose source is `source`) or a `credential_source`.
    Role {
        profile: String,
        role_arn: String,
        source: Box<CredentialSource>,
    },
    /// `web_identity_token_file` (EKS, CI).
    WebIdentity { profile: Option<String> },
    /// `AWS_ACCESS_KEY_ID` in the environment.
    Environment,
    /// The ECS task role (container credentials endpoint).
    Container,
    /// The EC2 instance role (instance metadata).
    Instance,
    /// A named profile that none of the files define.
    MissingProfile { profile: String, files: Vec<String> },
}

/// The profiles of the shared config and credentials files: name -> (key -> value), and
/// which file defined the keys of each.
#[derive(Debug, Default)]
pub struct ProfileFiles {
    profiles: HashMap<String, HashMap<String, String>>,
    key_file: HashMap<String, String>,
    names: Vec<String>,
}

impl ProfileFiles {
    /// Parse the config file (`[profile NAME]`, `[default]`) and the credentials file
    /// (`[NAME]`); the credentials file's keys win, as the CLI's do.
    pub fn parse(config: Option<(&str, &str)>, credentials: Option<(&str, &str)>) -> Self {
        let mut out = Self::default();
        if let Some((path, text)) = config {
            out.names.push(path.to_string());
            out.read(path, text, true);
        }
        if let Some((path, text)) = credentials {
            out.names.push(path.to_string());
            out.read(path, text, false);
        }
        out
    }

    fn read(&mut self, path: &str, text: &str, config: bool) {
        let mut current: Option<String> = None;
        for line in text.lines() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') || line.starts_with(';') {
                continue;
            }
            if let Some(section) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
                let section = section.trim();
                current = if config {
                    match section.strip_prefix("profile ") {
                        Some(n) => Some(n.trim().to_string()),
                        None if section == "default" => Some("default".into()),
                        // [sso-session x], [services x]: not profiles
                        None => None,
                    }
                } else {
                    Some(section.to_string())
                };
                continue;
            }
            let (Some(name), Some((k, v))) = (current.as_ref(), line.split_once('=')) else {
                continue;
            };
            let (k, v) = (k.trim().to_lowercase(), v.trim().to_string());
            if k == "aws_access_key_id" {
                self.key_file.insert(name.clone(), path.to_string());
            }
            self.profiles.entry(name.clone()).or_default().insert(k, v);
        }
    }

    /// Read the files the chain reads: `AWS_CONFIG_FILE` / `AWS_SHARED_CREDENTIALS_FILE`, else
    /// `~/.aws/config` and `~/.aws/credentials`. Unreadable files count as absent.
    pub fn load(env: &dyn Fn(&str) -> Option<String>) -> Self {
        let home = env("HOME").unwrap_or_default();
        let path = |var: &str, default: &str| {
            env(var)
                .filter(|v| !v.is_empty())
                .unwrap_or_else(|| format!("{home}/.aws/{default}"))
        };
        let (cp, kp) = (
            path("AWS_CONFIG_FILE", "config"),
            path("AWS_SHARED_CREDENTIALS_FILE", "credentials"),
        );
        let (c, k) = (
            std::fs::read_to_string(&cp).ok(),
            std::fs::read_to_string(&kp).ok(),
        );
        Self::parse(
            c.as_deref().map(|t| (cp.as_str(), t)),
            k.as_deref().map(|t| (kp.as_str(), t)),
        )
    }

    fn profile(&self, name: &str, depth: u8) -> CredentialSource {
        let Some(p) = self.profiles.get(name) else {
            return CredentialSource::MissingProfile {
                profile: name.to_string(),
                files: self.names.clone(),
            };
        };
        let profile = name.to_string();
        if let Some(role_arn) = p.get("role_arn") {
            let source = match (p.get("source_profile"), p.get("credential_source")) {
                // a profile that names itself as its source uses its own keys
                (Some(src), _) if src == name => self.keys_or_missing(name),
                (Some(src), _) if depth < 8 => self.profile(src, depth + 1),
                (_, Some(cs)) => match cs.as_str() {
                    "Environment" => CredentialSource::Environment,
                    "EcsContainer" => CredentialSource::Container,
                    _ => CredentialSource::Instance,
                },
                _ if p.contains_key("web_identity_token_file") => CredentialSource::WebIdentity {
                    profile: Some(profile.clone()),
                },
                _ => self.keys_or_missing(name),
            };
            return CredentialSource::Role {
                profile,
                role_arn: role_arn.clone(),
                source: Box::new(source),
            };
        }
        if p.contains_key("sso_session") || p.contains_key("sso_start_url") {
            return CredentialSource::Sso { profile };
        }
        if p.contains_key("web_identity_token_file") {
            return CredentialSource::WebIdentity {
                profile: Some(profile),
            };
        }
        if let Some(command) = p.get("credential_process") {
            return CredentialSource::Process {
                profile,
                command: command.clone(),
            };
        }
        self.keys_or_missing(name)
    }

    fn keys_or_missing(&self, name: &str) -> CredentialSource {
        match self.key_file.get(name) {
            Some(file) => CredentialSource::Keys {
                profile: name.to_string(),
                file: file.clone(),
            },
            None => CredentialSource::MissingProfile {
                profile: name.to_string(),
                files: self.names.clone(),
            },
        }
    }
}

/// The source the chain uses: a named profile (`--profile`, which wins over environment keys)
/// is that profile's; otherwise environment keys, then `AWS_PROFILE` or `default`, then a web
/// identity token, then the container's or the instance's role.
pub fn detect(
    named: Option<&str>,
    env: &dyn Fn(&str) -> Option<String>,
    files: &ProfileFiles,
) -> CredentialSource {
    if let Some(p) = named {
        return files.profile(p, 0);
    }
    let set = |v: &str| env(v).is_some_and(|x| !x.is_empty());
    if set("AWS_ACCESS_KEY_ID") {
        return CredentialSource::Environment;
    }
    if let Some(p) = env("AWS_PROFILE").filter(|p| !p.is_empty()) {
        return files.profile(&p, 0);
    }
    if files.profiles.contains_key("default") {
        return files.profile("default", 0);
    }
    if set("AWS_WEB_IDENTITY_TOKEN_FILE") {
        return CredentialSource::WebIdentity { profile: None };
    }
    if set("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI") || set("AWS_CONTAINER_CREDENTIALS_FULL_URI") {
        return CredentialSource::Container;
    }
    CredentialSource::Instance
}

impl CredentialSource {
    /// `(what they are, how to renew them)`.
    pub fn advice(&self) -> (String, String) {
        use CredentialSource::*;
        match self {
            Sso { profile } => (
                format!("SSO profile {profile}"),
                format!("run `aws sso login --profile {profile}`; picked up without a restart"),
            ),
            Keys { profile, file } => (
                format!("keys of profile {profile}"),
                format!(
                    "put valid keys for [{profile}] in {file} (`aws configure --profile {profile}`); picked up without a restart"
                ),
            ),
            Process { profile, command } => (
                format!("credential_process of profile {profile}"),
                format!("check that `{command}` prints valid credentials; picked up without a restart"),
            ),
            Role {
                profile,
                role_arn,
                source,
            } => {
                let (what, how) = source.advice();
                (
                    format!("role {role_arn} of profile {profile}, from {what}"),
                    format!("the role session is renewed from its source: {how}"),
                )
            }
            WebIdentity { profile } => (
                match profile {
                    Some(p) => format!("web identity of profile {p}"),
                    None => "web identity token (AWS_WEB_IDENTITY_TOKEN_FILE)".into(),
                },
                "check the token file is being refreshed and the role trusts it; picked up without a restart".into(),
            ),
            Environment => (
                "AWS_ACCESS_KEY_ID from the environment".into(),
                "a running process cannot see new variables: restart ecswatch with fresh credentials (or use a profile)".into(),
            ),
            Container => (
                "the ECS task role".into(),
                "check the task role and the container credentials endpoint".into(),
            ),
            Instance => (
                "the instance role (instance metadata)".into(),
                "check the instance profile, or give credentials (AWS_PROFILE, `aws sso login`)".into(),
            ),
            MissingProfile { profile, files } => (
                format!("profile {profile}, which is not defined"),
                format!(
                    "define [profile {profile}] in {} (`aws configure sso --profile {profile}` or `aws configure --profile {profile}`)",
                    if files.is_empty() {
                        "~/.aws/config".to_string()
                    } else {
                        files.join(" or ")
                    }
                ),
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CONFIG: &str = "
[default]
region = us-east-1
[profile sso-dev]
sso_session = corp
sso_account_id = 111111111111
[sso-session corp]
sso_start_url = https://corp.awsapps.com/start
[profile base]
region = us-east-2
[profile prod-b]
role_arn = arn:aws:iam::222222222222:role/oncall
source_profile = base
[profile via-sso]
role_arn = arn:aws:iam::333333333333:role/x
source_profile = sso-dev
[profile proc]
credential_process = /usr/local/bin/creds --user me
[profile ec2]
role_arn = arn:aws:iam::1:role/r
credential_source = Ec2InstanceMetadata
[profile loop]
role_arn = arn:aws:iam::1:role/r
source_profile = loop2
[profile loop2]
role_arn = arn:aws:iam::1:role/r
source_profile = loop
";
    const CREDS: &str = "[base]\naws_access_key_id = AKIAX\naws_secret_access_key = y\n[default]\naws_access_key_id = AKIAD\n";

    fn files() -> ProfileFiles {
        ProfileFiles::parse(
            Some(("/h/.aws/config", CONFIG)),
            Some(("/h/.aws/credentials", CREDS)),
        )
    }

    fn none(_: &str) -> Option<String> {
        None
    }

    #[test]
    fn each_kind_of_profile_gets_its_own_renewal() {
        let f = files();
        let advice = |p: &str| detect(Some(p), &none, &f).advice();
        assert!(
            advice("sso-dev")
                .1
                .contains("aws sso login --profile sso-dev")
        );
        let (what, how) = advice("base");
        assert_eq!(what, "keys of profile base");
        assert!(
            how.contains("/h/.aws/credentials") && !how.contains("sso"),
            "{how}"
        );
        let (what, how) = advice("prod-b");
        assert!(
            what.contains("role arn:aws:iam::222222222222:role/oncall")
                && what.contains("keys of profile base"),
            "{what}"
        );
        assert!(how.contains("aws configure --profile base"), "{how}");
        assert!(
            advice("via-sso")
                .1
                .contains("aws sso login --profile sso-dev")
        );
        assert!(advice("proc").1.contains("/usr/local/bin/creds --user me"));
        assert!(advice("ec2").0.contains("instance role"));
        let (what, how) = advice("nobody");
        assert!(
            what.contains("not defined") && how.contains("/h/.aws/config"),
            "{how}"
        );
        // a cycle of source profiles ends
        let _ = advice("loop");
    }

    #[test]
    fn without_a_named_profile_the_chain_order_decides() {
        let f = files();
        let env_keys = |v: &str| (v == "AWS_ACCESS_KEY_ID").then(|| "AKIA".to_string());
        assert_eq!(detect(None, &env_keys, &f), CredentialSource::Environment);
        assert!(detect(None, &env_keys, &f).advice().1.contains("restart"));
        // a named profile wins over environment keys
        assert!(matches!(
            detect(Some("sso-dev"), &env_keys, &f),
            CredentialSource::Sso { .. }
        ));
        let env_profile = |v: &str| (v == "AWS_PROFILE").then(|| "proc".to_string());
        assert!(matches!(
            detect(None, &env_profile, &f),
            CredentialSource::Process { .. }
        ));
        assert!(matches!(
            detect(None, &none, &f),
            CredentialSource::Keys { .. }
        ));
        let empty = ProfileFiles::default();
        let task =
            |v: &str| (v == "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI").then(|| "/v2/x".to_string());
        assert_eq!(detect(None, &task, &empty), CredentialSource::Container);
        assert_eq!(detect(None, &none, &empty), CredentialSource::Instance);
    }
}
