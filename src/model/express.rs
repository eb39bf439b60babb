//! Express Mode services: the AWS resources ECS provisions and manages for them (a load
//! balancer, its listener, rule, certificate and target groups, security groups, log groups,
//! alarms, auto scaling), as a service revision's `ecsManagedResources` reports them.

use super::Time;

/// One resource ECS manages for an Express Mode service.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
pub struct ManagedResource {
    /// What it is: "load balancer", "listener", "listener rule", "certificate", "target group",
    /// "security group", "log group", "metric alarm", "scalable target", "scaling policy".
    pub kind: String,
    /// Its ARN, or (a log group's) name; empty while ECS has not created it.
    pub id: String,
    /// PROVISIONING, ACTIVE, DEPROVISIONING, DELETED or FAILED.
    pub status: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<Time>,
}

impl ManagedResource {
    /// ECS is still creating or removing it.
    pub fn settling(&self) -> bool {
        matches!(self.status.as_str(), "PROVISIONING" | "DEPROVISIONING")
    }

    pub fn failed(&self) -> bool {
        self.status == "FAILED"
    }

    /// "load balancer arn:…/web: FAILED: <reason>".
    pub fn line(&self) -> String {
        let id = if self.id.is_empty() {
            "(not created)"
        } else {
            &self.id
        };
        match self.reason.as_deref().filter(|r| !r.is_empty()) {
            Some(r) => format!("{} {id}: {}: {r}", self.kind, self.status),
            None => format!("{} {id}: {}", self.kind, self.status),
        }
    }
}

/// What an Express Mode revision's `ecsManagedResources` says.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
pub struct ManagedResources {
    /// The URLs the service answers at (each ingress path's `endpoint`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub endpoints: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub resources: Vec<ManagedResource>,
}

impl ManagedResources {
    pub fn is_empty(&self) -> bool {
        self.endpoints.is_empty() && self.resources.is_empty()
    }

    /// Some resource is still being created or removed: the revision is worth reading again.
    pub fn settling(&self) -> bool {
        self.resources.iter().any(ManagedResource::settling)
    }
}
