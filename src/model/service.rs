use super::Time;
use super::deploy::{DeploymentBrief, HookConfig, ServiceDeployment, TaskSet};
use super::traffic::{CurrentRevision, LatticeConfig, ServiceConnect};

/// Identifies a service: the target (account and Region, an index into the store's targets;
/// 0 when one is watched), the cluster's short name and the service's name.
#[derive(
    Debug,
    Clone,
    Default,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    serde::Serialize,
    serde::Deserialize,
)]
pub struct ServiceKey {
    /// The place it is in. Files and JSON name it `target` (their word before places).
    #[serde(rename = "target", default, skip_serializing_if = "is_first_place")]
    pub place: PlaceIx,
    pub cluster: String,
    pub service: String,
}

/// Which of the watched places (an account × Region) something came from.
pub type PlaceIx = u16;

pub(crate) fn is_first_place(t: &PlaceIx) -> bool {
    *t == 0
}

impl ServiceKey {
    /// A service of the first (or only) target.
    pub fn new(cluster: impl Into<String>, service: impl Into<String>) -> Self {
        Self::in_place(0, cluster, service)
    }

    pub fn in_place(
        place: PlaceIx,
        cluster: impl Into<String>,
        service: impl Into<String>,
    ) -> Self {
        Self {
            place,
            cluster: cluster.into(),
            service: service.into(),
        }
    }
}

impl std::fmt::Display for ServiceKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.cluster, self.service)
    }
}

/// One ECS service as DescribeServices reports it.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
pub struct Service {
    /// The place it was read from (set by the store from the update).
    #[serde(rename = "target", default, skip_serializing_if = "is_first_place")]
    pub place: PlaceIx,
    pub arn: String,
    pub name: String,
    /// Short cluster name.
    pub cluster: String,
    pub status: String,
    pub desired: i32,
    pub running: i32,
    pub pending: i32,
    pub task_definition: String,
    pub launch_type: Option<String>,
    /// `resourceManagementType`: ECS for an Express Mode service (ECS manages its load
    /// balancer, target groups, log groups, alarms and scaling), CUSTOMER otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource_management_type: Option<String>,
    /// `availabilityZoneRebalancing`: ENABLED or DISABLED (None: not reported).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub az_rebalancing: Option<String>,
    /// True when the service uses awsvpc networking (a networkConfiguration is present).
    pub awsvpc: bool,
    /// Subnets of the awsvpc network configuration.
    pub subnets: Vec<String>,
    pub health_check_grace_s: Option<i32>,
    pub deployment_config: DeploymentConfig,
    pub deployments: Vec<Deployment>,
    /// Newest first, as ECS returns them.
    pub events: Vec<ServiceEvent>,
    pub load_balancers: Vec<LoadBalancerRef>,
    pub created_at: Option<Time>,
    /// The deployment controller: ECS | CODE_DEPLOY | EXTERNAL (None: not reported, ECS).
    #[serde(default)]
    pub controller: Option<String>,
    /// The ARN of the service deployment ECS is running or ran last (`currentServiceDeployment`).
    #[serde(default)]
    pub current_service_deployment: Option<String>,
    /// That deployment, read with DescribeServiceDeployments (set by the services poller).
    #[serde(default)]
    pub service_deployment: Option<ServiceDeployment>,
    /// Earlier service deployments, newest first (ListServiceDeployments; the open service).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub deployment_history: Vec<DeploymentBrief>,
    /// Task sets of a CODE_DEPLOY or EXTERNAL service.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub task_sets: Vec<TaskSet>,
    /// Whether the service starts its tasks with ECS Exec (`enableExecuteCommand`).
    #[serde(default)]
    pub enable_execute_command: bool,
    /// The revisions the service runs now (`currentServiceRevisions`), with the target groups
    /// each runs behind once DescribeServiceRevisions was read.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub current_revisions: Vec<CurrentRevision>,
}

impl Service {
    pub fn key(&self) -> ServiceKey {
        ServiceKey::in_place(self.place, &self.cluster, &self.name)
    }

    /// Whether `key` names this service (compared field by field: no key is built).
    pub fn is(&self, key: &ServiceKey) -> bool {
        self.place == key.place && self.name == key.service && self.cluster == key.cluster
    }

    /// The PRIMARY deployment, if ECS reported one.
    pub fn primary(&self) -> Option<&Deployment> {
        self.deployments.iter().find(|d| d.status == "PRIMARY")
    }

    /// Rollout state of the primary deployment (COMPLETED / IN_PROGRESS / FAILED).
    pub fn rollout(&self) -> (Option<&str>, Option<&str>) {
        match self.primary() {
            Some(d) => (
                d.rollout_state.as_deref(),
                d.rollout_state_reason.as_deref(),
            ),
            None => (None, None),
        }
    }

    /// The deployment controller's type, ECS when not reported.
    pub fn controller(&self) -> &str {
        self.controller.as_deref().unwrap_or("ECS")
    }

    /// True when ECS itself deploys the service (not CodeDeploy or an external deployer).
    /// An Express Mode service: ECS manages its resources.
    pub fn is_express(&self) -> bool {
        self.resource_management_type.as_deref() == Some("ECS")
    }

    /// The resources ECS manages for it, of the revisions it runs now (Express Mode).
    pub fn managed_resources(&self) -> impl Iterator<Item = &super::ManagedResource> {
        self.current_revisions
            .iter()
            .flat_map(|r| r.managed.resources.iter())
    }

    /// The URLs it answers at (Express Mode), each once.
    pub fn endpoints(&self) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        for e in self
            .current_revisions
            .iter()
            .flat_map(|r| r.managed.endpoints.iter())
        {
            if !out.contains(&e.as_str()) {
                out.push(e);
            }
        }
        out
    }

    pub fn ecs_controlled(&self) -> bool {
        self.controller() == "ECS"
    }

    /// The service deployment in progress (not final), if any.
    pub fn live_service_deployment(&self) -> Option<&ServiceDeployment> {
        self.service_deployment.as_ref().filter(|d| !d.is_final())
    }

    /// Every target group the service's load balancers name (blue/green's alternate too),
    /// each once.
    pub fn group_arns(&self) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        for l in &self.load_balancers {
            for a in [&l.target_group_arn, &l.alternate_target_group_arn]
                .into_iter()
                .flatten()
            {
                if !out.contains(&a.as_str()) {
                    out.push(a);
                }
            }
        }
        out
    }

    /// The listener rules of its blue/green load balancers (production, test), each once.
    pub fn listener_rules(&self) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        for l in self
            .load_balancers
            .iter()
            .filter(|l| l.alternate_target_group_arn.is_some())
        {
            for a in [&l.production_listener_rule, &l.test_listener_rule]
                .into_iter()
                .flatten()
            {
                if !out.contains(&a.as_str()) {
                    out.push(a);
                }
            }
        }
        out
    }

    /// Whether a load balancer of the service is native blue/green (has an alternate group).
    pub fn is_blue_green_lb(&self) -> bool {
        self.load_balancers
            .iter()
            .any(|l| l.alternate_target_group_arn.is_some())
    }

    /// The Service Connect configuration of the primary deployment (else of any deployment).
    pub fn service_connect(&self) -> Option<&ServiceConnect> {
        self.primary()
            .and_then(|d| d.service_connect.as_ref())
            .or_else(|| {
                self.deployments
                    .iter()
                    .find_map(|d| d.service_connect.as_ref())
            })
            .filter(|c| c.enabled)
    }

    /// The VPC Lattice target groups of every deployment, the primary's first, each once.
    pub fn lattice_groups(&self) -> Vec<&LatticeConfig> {
        let mut out: Vec<&LatticeConfig> = Vec::new();
        let primary = self.primary().into_iter();
        for d in primary.chain(self.deployments.iter()) {
            for l in &d.vpc_lattice {
                if !out.iter().any(|o| o.target_group_arn == l.target_group_arn) {
                    out.push(l);
                }
            }
        }
        out
    }

    /// Every task definition ARN a deployment of this service runs.
    pub fn task_definitions(&self) -> Vec<&str> {
        let mut out: Vec<&str> = vec![self.task_definition.as_str()];
        for d in &self.deployments {
            if !out.contains(&d.task_definition.as_str()) {
                out.push(&d.task_definition);
            }
        }
        out.retain(|s| !s.is_empty());
        out
    }
}

#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
pub struct DeploymentConfig {
    pub circuit_breaker_enable: Option<bool>,
    pub circuit_breaker_rollback: Option<bool>,
    pub minimum_healthy_percent: Option<i32>,
    pub maximum_percent: Option<i32>,
    /// ROLLING | BLUE_GREEN | LINEAR | CANARY (None: not reported, ROLLING).
    #[serde(default)]
    pub strategy: Option<String>,
    #[serde(default)]
    pub bake_time_minutes: Option<i32>,
    /// CloudWatch alarms that roll a deployment back.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub alarm_names: Vec<String>,
    #[serde(default)]
    pub alarms_enable: Option<bool>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub hooks: Vec<HookConfig>,
    /// `earlySuccessCriteria` when enabled (rolling deployments): the deployment is SUCCESSFUL
    /// once this share of the new revision's tasks is healthy; with `cleanup` DEFERRED the old
    /// tasks are removed after that, in the background.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub early_success: Option<EarlySuccess>,
}

/// A rolling deployment's early success criteria.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
pub struct EarlySuccess {
    pub healthy_percent: Option<i32>,
    /// BLOCKING (old tasks removed before success) or DEFERRED (after).
    pub cleanup: Option<String>,
}

impl DeploymentConfig {
    /// The deployment may be SUCCESSFUL while the previous revision's tasks still run: they are
    /// drained after success, not churn.
    pub fn drains_after_success(&self) -> bool {
        self.early_success
            .as_ref()
            .is_some_and(|e| e.cleanup.as_deref() == Some("DEFERRED"))
    }
}

#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
pub struct Deployment {
    pub id: String,
    pub status: String,
    pub task_definition: String,
    pub desired: i32,
    pub running: i32,
    pub pending: i32,
    pub failed: i32,
    pub rollout_state: Option<String>,
    pub rollout_state_reason: Option<String>,
    pub created_at: Option<Time>,
    pub updated_at: Option<Time>,
    /// The Service Connect configuration this deployment runs with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_connect: Option<ServiceConnect>,
    /// The VPC Lattice target groups its tasks register in.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub vpc_lattice: Vec<LatticeConfig>,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ServiceEvent {
    pub id: String,
    pub created_at: Option<Time>,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
pub struct LoadBalancerRef {
    pub target_group_arn: Option<String>,
    pub load_balancer_name: Option<String>,
    pub container_name: Option<String>,
    pub container_port: Option<i32>,
    /// Native blue/green (`advancedConfiguration`): the second target group, which takes
    /// production traffic after the next swap.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alternate_target_group_arn: Option<String>,
    /// The listener rule (or listener) that sends production traffic, and the test one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub production_listener_rule: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub test_listener_rule: Option<String>,
    /// The role ECS uses to change the listener rules.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role_arn: Option<String>,
}
