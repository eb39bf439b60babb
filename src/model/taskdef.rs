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
    /// Its `restartPolicy`, when enabled: ECS restarts the container inside its task when it
    /// exits, so a crash loop stops no task and leaves no stopped reason.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub restart_policy: Option<RestartPolicy>,
}

/// An enabled container restart policy.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
pub struct RestartPolicy {
    /// Exit codes after which the container is not restarted.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ignored_exit_codes: Vec<i32>,
    /// `restartAttemptPeriod`: the container must have run this long before ECS restarts it
    /// again (ECS's default: 300 s).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attempt_period_s: Option<i32>,
}

impl RestartPolicy {
    /// "restarts in place (not after exit 0; at most once every 300 s)".
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        if !self.ignored_exit_codes.is_empty() {
            let codes: Vec<String> = self
                .ignored_exit_codes
                .iter()
                .map(ToString::to_string)
                .collect();
            parts.push(format!("not after exit {}", codes.join(", ")));
        }
        parts.push(format!(
            "at most once every {} s",
            self.attempt_period_s.unwrap_or(300)
        ));
        format!("restarts in place ({})", parts.join("; "))
    }
}

/// `awslogs` options of a container definition.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
pub struct LogConfig {
    pub driver: String,
    pub group: Option<String>,
    pub region: Option<String>,
    pub stream_prefix: Option<String>,
}

/// Where one `awslogs` container of a task definition writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AwslogsSource {
    pub container: String,
    pub group: String,
    /// `awslogs-stream-prefix`: the streams are `prefix/container/task-id`.
    pub stream_prefix: Option<String>,
    /// `awslogs-region`, only when it is set and differs from the place's Region.
    pub region: Option<String>,
}

impl AwslogsSource {
    /// The prefix of every stream this container writes (`prefix/container/`).
    pub fn streams_prefix(&self) -> Option<String> {
        self.stream_prefix
            .as_ref()
            .map(|p| format!("{p}/{}/", self.container))
    }

    /// The one stream a task of this container wrote (`prefix/container/task-id`).
    pub fn task_stream(&self, task_id: &str) -> Option<String> {
        self.stream_prefix
            .as_ref()
            .map(|p| format!("{p}/{}/{task_id}", self.container))
    }
}

/// The containers of `td` that log with the `awslogs` driver and name a group, in container
/// order; `region` is the Region of the place the task runs in (a container's `awslogs-region`
/// is kept only when it differs). The one reading of these options: the log pane, task detail
/// and `doctor` all use it.
pub fn awslogs_sources(td: &TaskDefinition, region: &str) -> Vec<AwslogsSource> {
    td.containers
        .iter()
        .filter_map(|c| {
            let log = c.log.as_ref().filter(|l| l.driver == "awslogs")?;
            Some(AwslogsSource {
                container: c.name.clone(),
                group: log.group.clone().filter(|g| !g.is_empty())?,
                stream_prefix: log.stream_prefix.clone().filter(|p| !p.is_empty()),
                region: log.region.clone().filter(|r| !r.is_empty() && r != region),
            })
        })
        .collect()
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

    fn container(
        name: &str,
        driver: &str,
        group: Option<&str>,
        region: Option<&str>,
    ) -> ContainerDef {
        ContainerDef {
            name: name.into(),
            log: Some(LogConfig {
                driver: driver.into(),
                group: group.map(Into::into),
                region: region.map(Into::into),
                stream_prefix: Some("ecs".into()),
            }),
            ..Default::default()
        }
    }

    #[test]
    fn awslogs_sources_read_only_awslogs_containers_with_a_group() {
        let td = TaskDefinition {
            containers: vec![
                container("app", "awslogs", Some("/ecs/app"), Some("eu-west-1")),
                container("proxy", "awslogs", Some("/ecs/app"), Some("us-east-1")),
                container("router", "awsfirelens", Some("/ecs/fl"), None),
                container("side", "awslogs", None, None),
                ContainerDef {
                    name: "bare".into(),
                    ..Default::default()
                },
            ],
            ..Default::default()
        };
        let s = awslogs_sources(&td, "us-east-1");
        assert_eq!(s.len(), 2);
        assert_eq!(s[0].region.as_deref(), Some("eu-west-1"));
        assert_eq!(s[1].region, None, "the place's own Region is not repeated");
        assert_eq!(s[0].streams_prefix().as_deref(), Some("ecs/app/"));
        assert_eq!(s[1].task_stream("abc").as_deref(), Some("ecs/proxy/abc"));
    }

    #[test]
    fn a_restart_policy_says_what_it_does() {
        let p = RestartPolicy {
            ignored_exit_codes: vec![0, 143],
            attempt_period_s: Some(60),
        };
        assert_eq!(
            p.describe(),
            "restarts in place (not after exit 0, 143; at most once every 60 s)"
        );
        assert_eq!(
            RestartPolicy::default().describe(),
            "restarts in place (at most once every 300 s)"
        );
    }

    #[test]
    fn secret_names() {
        assert!(is_secret_name("DB_PASSWORD"));
        assert!(is_secret_name("api_key"));
        assert!(is_secret_name("GITHUB_TOKEN"));
        assert!(!is_secret_name("PORT"));
        assert!(!is_secret_name("LOG_LEVEL"));
    }
}
