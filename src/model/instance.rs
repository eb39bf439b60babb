//! Container instances: the EC2 instance (or ECS Managed Instance) a task runs on, as
//! DescribeContainerInstances reports it with `include=CONTAINER_INSTANCE_HEALTH`. Fargate tasks
//! have none.

use super::Time;

/// One container instance.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
pub struct ContainerInstance {
    /// The place it was read from (set by the store from the update). Files name it `target`.
    #[serde(
        rename = "target",
        default,
        skip_serializing_if = "super::service::is_first_place"
    )]
    pub place: super::PlaceIx,
    pub arn: String,
    /// Short cluster name.
    pub cluster: String,
    /// The EC2 instance id (`i-…`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ec2_instance_id: Option<String>,
    /// REGISTERING, REGISTRATION_FAILED, ACTIVE, INACTIVE, DEREGISTERING or DRAINING.
    pub status: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status_reason: Option<String>,
    /// Whether its ECS agent is connected to ECS (a disconnected agent cannot start, stop or
    /// report tasks).
    pub agent_connected: bool,
    /// The capacity provider it belongs to (an Auto Scaling group's or a Managed Instances one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub capacity_provider: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agent_version: Option<String>,
    pub running_tasks: i32,
    pub pending_tasks: i32,
    /// CPU units and MiB of memory not reserved by tasks (`remainingResources`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remaining_cpu: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remaining_memory: Option<i32>,
    /// Its health (`healthStatus`), when ECS reports one (agent 1.57 or later).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub health: Option<InstanceHealth>,
}

/// A container instance's health: the worst of its checks, and each check.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
pub struct InstanceHealth {
    /// OK, IMPAIRED, INSUFFICIENT_DATA or INITIALIZING.
    pub overall: String,
    pub checks: Vec<InstanceHealthCheck>,
}

/// One health check of a container instance.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
pub struct InstanceHealthCheck {
    /// CONTAINER_RUNTIME, AGENT_CONNECTIVITY, ACCELERATED_COMPUTE or DAEMON.
    pub kind: String,
    /// OK, IMPAIRED, INSUFFICIENT_DATA or INITIALIZING.
    pub status: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_status_change: Option<Time>,
}

impl InstanceHealthCheck {
    /// The check as an engineer names it.
    pub fn label(&self) -> &str {
        match self.kind.as_str() {
            "CONTAINER_RUNTIME" => "container runtime",
            "AGENT_CONNECTIVITY" => "agent connectivity",
            "ACCELERATED_COMPUTE" => "GPU",
            "DAEMON" => "daemon",
            other => other,
        }
    }
}

impl ContainerInstance {
    /// The instance as people name it: its EC2 id, else the last part of its ARN.
    pub fn name(&self) -> &str {
        self.ec2_instance_id
            .as_deref()
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| super::short_name(&self.arn))
    }

    /// The checks that are IMPAIRED.
    pub fn impaired(&self) -> impl Iterator<Item = &InstanceHealthCheck> {
        self.health
            .iter()
            .flat_map(|h| h.checks.iter())
            .filter(|c| c.status == "IMPAIRED")
    }

    /// Impaired overall, or by any check.
    pub fn is_impaired(&self) -> bool {
        self.health
            .as_ref()
            .is_some_and(|h| h.overall == "IMPAIRED")
            || self.impaired().next().is_some()
    }

    /// A short state: "DRAINING", "agent disconnected", "IMPAIRED (GPU: XID_46)", or "ACTIVE".
    pub fn state_line(&self) -> String {
        let mut parts: Vec<String> = Vec::new();
        parts.push(self.status.clone());
        if !self.agent_connected {
            parts.push("agent disconnected".into());
        }
        if let Some(h) = &self.health {
            let bad: Vec<String> = self
                .impaired()
                .map(|c| match &c.reason {
                    Some(r) if !r.is_empty() => format!("{}: {r}", c.label()),
                    _ => c.label().to_string(),
                })
                .collect();
            if bad.is_empty() {
                parts.push(format!("health {}", h.overall));
            } else {
                parts.push(format!("{} ({})", h.overall, bad.join("; ")));
            }
        }
        parts.join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_state_line_names_what_is_wrong() {
        let mut i = ContainerInstance {
            arn: "arn:aws:ecs:us-east-1:1:container-instance/prod/abc".into(),
            status: "ACTIVE".into(),
            agent_connected: true,
            ..Default::default()
        };
        assert_eq!(i.name(), "abc");
        assert_eq!(i.state_line(), "ACTIVE");
        assert!(!i.is_impaired());
        i.ec2_instance_id = Some("i-0abc".into());
        i.agent_connected = false;
        i.health = Some(InstanceHealth {
            overall: "IMPAIRED".into(),
            checks: vec![
                InstanceHealthCheck {
                    kind: "CONTAINER_RUNTIME".into(),
                    status: "OK".into(),
                    ..Default::default()
                },
                InstanceHealthCheck {
                    kind: "AGENT_CONNECTIVITY".into(),
                    status: "IMPAIRED".into(),
                    reason: Some("Agent disconnected since 2026-07-29T22:34:13Z".into()),
                    ..Default::default()
                },
            ],
        });
        assert_eq!(i.name(), "i-0abc");
        assert!(i.is_impaired());
        assert_eq!(
            i.state_line(),
            "ACTIVE, agent disconnected, IMPAIRED (agent connectivity: Agent disconnected since 2026-07-29T22:34:13Z)"
        );
    }
}
