/// The parts of a task definition ecswatch reads: log configuration, images, commands, environment.
/// Task definitions are immutable, so each ARN is described once and cached.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
pub struct TaskDefinition {
    pub arn: String,
    pub family: String,
    pub revision: i32,
    pub network_mode: Option<String>,
    pub execution_role_arn: Option<String>,
    pub task_role_arn: Option<String>,
    pub containers: Vec<ContainerDef>,
}

#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
pub struct ContainerDef {
    pub name: String,
    pub image: String,
    pub essential: bool,
    pub command: Vec<String>,
    pub entry_point: Vec<String>,
    /// Environment variables; values of secret-looking names are masked by the adapter.
    pub environment: Vec<(String, String)>,
    pub stop_timeout_s: Option<i32>,
    pub log: Option<LogConfig>,
}

/// `awslogs` options of a container definition.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
pub struct LogConfig {
    pub driver: String,
    pub group: Option<String>,
    pub region: Option<String>,
    pub stream_prefix: Option<String>,
}

/// The mask shown instead of a secret-looking environment value.
pub const MASK: &str = "********";

/// True when an environment variable's name says it holds a secret.
pub fn is_secret_name(name: &str) -> bool {
    let upper = name.to_ascii_uppercase();
    [
        "PASSWORD",
        "PASSWD",
        "SECRET",
        "TOKEN",
        "KEY",
        "CREDENTIAL",
        "PRIVATE",
    ]
    .iter()
    .any(|w| upper.contains(w))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_names() {
        assert!(is_secret_name("DB_PASSWORD"));
        assert!(is_secret_name("api_key"));
        assert!(is_secret_name("GITHUB_TOKEN"));
        assert!(!is_secret_name("PORT"));
        assert!(!is_secret_name("LOG_LEVEL"));
    }
}
