//! Where a service's traffic goes: its load balancers' target groups with the role each plays
//! now (native blue/green keeps two groups and swaps them on every deployment), the listener
//! rules that forward to them, and the Service Connect and VPC Lattice configuration a
//! deployment runs with.
//!
//! Roles are a pure function of what ECS reported: the live service deployment's revisions
//! (their traffic weights, or failing those the lifecycle stage) and the groups each revision
//! runs behind (DescribeServiceRevisions' `resolvedConfiguration`), or, when nothing deploys,
//! the current revision's group. The listener rules say what the load balancer does; a rule
//! that disagrees with ECS is a finding (`crate::diagnosis`), and when ECS's side cannot be
//! read the rule decides.

use super::service::{LoadBalancerRef, Service};

/// What a target group does for the service now.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum GroupRole {
    /// Takes production traffic (the only role of a group that is not blue/green).
    Prod,
    /// Takes the test listener's traffic (a blue/green deployment's test stages).
    Test,
    /// Takes no traffic: blue/green's other group between deployments, or before a shift.
    Idle,
    /// Blue/green, and neither ECS's revisions nor the listener rules could be read.
    Unknown,
}

impl GroupRole {
    /// The short label on the Targets pane and in text reports.
    pub fn label(self) -> &'static str {
        match self {
            GroupRole::Prod => "prod",
            GroupRole::Test => "test",
            GroupRole::Idle => "idle",
            GroupRole::Unknown => "role?",
        }
    }

    /// Whether this group's health is the service's health (a group whose role is unknown
    /// counts: it may be production).
    pub fn carries_traffic(self) -> bool {
        !matches!(self, GroupRole::Idle)
    }
}

/// One target group of the service and its role.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct TrafficGroup {
    pub arn: String,
    pub role: GroupRole,
    /// One of a blue/green pair (the service's `advancedConfiguration`).
    pub blue_green: bool,
    /// How the role is known: `current revision`, `deployment weights`, `stage NAME`,
    /// `listener rule`, or why it is not.
    pub why: String,
}

/// A service revision the service runs now (`currentServiceRevisions`), with the groups it runs
/// behind (from DescribeServiceRevisions, filled in by the deployments reader).
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
pub struct CurrentRevision {
    pub arn: String,
    pub requested: i32,
    pub running: i32,
    pub pending: i32,
    /// Target groups of its resolved configuration (empty until read, or when it has none).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub target_groups: Vec<String>,
    /// Whether DescribeServiceRevisions answered for it.
    #[serde(default)]
    pub resolved: bool,
    /// Express Mode: the resources ECS manages for it and the service's URLs.
    #[serde(default, skip_serializing_if = "super::ManagedResources::is_empty")]
    pub managed: super::ManagedResources,
}

/// What DescribeServiceRevisions says of one revision.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RevisionDetail {
    pub arn: String,
    pub task_definition: String,
    /// `resolvedConfiguration.loadBalancers[].targetGroupArn`.
    pub target_groups: Vec<String>,
    /// `resolvedConfiguration.vpcLatticeConfigurations[].targetGroupArn`.
    pub lattice_groups: Vec<String>,
    /// Express Mode: `ecsManagedResources` (their statuses change while ECS provisions them).
    pub managed: super::ManagedResources,
}

/// A listener rule (or a listener's default action) as DescribeRules reports it: the groups it
/// forwards to and their weights (a plain forward is weight 1).
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
pub struct ListenerRule {
    pub arn: String,
    pub forwards: Vec<(String, i32)>,
}

impl ListenerRule {
    /// The groups this rule sends traffic to (weight above zero).
    pub fn serving(&self) -> Vec<&str> {
        self.forwards
            .iter()
            .filter(|(_, w)| *w > 0)
            .map(|(a, _)| a.as_str())
            .collect()
    }
}

/// A deployment's Service Connect configuration (`deployments[].serviceConnectConfiguration`).
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
pub struct ServiceConnect {
    pub enabled: bool,
    pub namespace: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub services: Vec<ConnectService>,
    /// The proxy's own logs go somewhere (`logConfiguration`).
    #[serde(default)]
    pub proxy_logs: bool,
    /// Access logs are on (`accessLogConfiguration`).
    #[serde(default)]
    pub access_logs: bool,
    /// `serviceConnectResources`: the Cloud Map services ECS made (discovery name, ARN).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub resources: Vec<(String, String)>,
}

/// One endpoint a Service Connect service publishes.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
pub struct ConnectService {
    /// The task definition's `portMappings[].name` this endpoint serves.
    pub port_name: String,
    pub discovery_name: Option<String>,
    /// (port, DNS name) clients use.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<(i32, Option<String>)>,
    /// TLS: the Private CA's ARN (None: plaintext).
    pub tls_ca: Option<String>,
    pub tls_role: Option<String>,
}

impl ServiceConnect {
    /// `client-only` when it publishes nothing (the service only calls others).
    pub fn is_client_only(&self) -> bool {
        self.services.is_empty()
    }
}

/// A VPC Lattice target group the service registers its tasks in.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
pub struct LatticeConfig {
    pub target_group_arn: String,
    pub port_name: String,
    pub role_arn: String,
}

/// A VPC Lattice target as ListTargets reports it: status DRAINING | UNAVAILABLE | HEALTHY |
/// UNHEALTHY | INITIAL | UNUSED and the reason code Lattice gives for it.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
pub struct LatticeTarget {
    pub id: String,
    pub port: Option<i32>,
    pub status: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// The stage index from which a blue/green deployment's target revision has production
/// traffic (`PRODUCTION_TRAFFIC_SHIFT`), and from which it has test traffic.
const PROD_SHIFT_STAGE: usize = 6;
const TEST_SHIFT_STAGE: usize = 4;

/// The roles of every target group of the service, production first, then test, idle and
/// unknown; each group once.
pub fn traffic_groups(svc: &Service) -> Vec<TrafficGroup> {
    let mut out: Vec<TrafficGroup> = Vec::new();
    for lb in &svc.load_balancers {
        let Some(primary) = lb.target_group_arn.as_deref() else {
            continue;
        };
        let pair: Vec<&str> = match lb.alternate_target_group_arn.as_deref() {
            Some(alt) if alt != primary => vec![primary, alt],
            _ => vec![primary],
        };
        let roles: Vec<(GroupRole, String)> = if pair.len() == 1 {
            vec![(GroupRole::Prod, String::new())]
        } else {
            pair_roles(svc, &pair)
        };
        for (arn, (role, why)) in pair.iter().zip(roles) {
            if out.iter().any(|g| g.arn == *arn) {
                continue;
            }
            out.push(TrafficGroup {
                arn: arn.to_string(),
                role,
                blue_green: pair.len() == 2,
                why,
            });
        }
    }
    out.sort_by_key(|g| g.role);
    out
}

/// Roles of a blue/green pair, from ECS's side.
fn pair_roles(svc: &Service, pair: &[&str]) -> Vec<(GroupRole, String)> {
    let in_pair = |groups: &[String]| -> Option<usize> {
        groups.iter().find_map(|g| pair.iter().position(|p| p == g))
    };
    let set = |prod: usize, other: GroupRole, why: String| -> Vec<(GroupRole, String)> {
        (0..pair.len())
            .map(|i| {
                if i == prod {
                    (GroupRole::Prod, why.clone())
                } else {
                    (other, why.clone())
                }
            })
            .collect()
    };
    if let Some(d) = svc.live_service_deployment() {
        let target = d.target_revision.as_ref();
        let target_group = target.and_then(|r| in_pair(&r.target_groups));
        let source_group = d
            .source_revisions
            .iter()
            .find_map(|r| in_pair(&r.target_groups))
            .or_else(|| target_group.map(|t| 1 - t));
        let target_group = target_group.or_else(|| source_group.map(|s| 1 - s));
        if let (Some(t), Some(s)) = (target_group, source_group)
            && t != s
        {
            let weights = target.and_then(|r| r.production_weight.zip(r.test_weight));
            let (t_prod, t_test, why) = match (weights, d.stage_index()) {
                (Some((p, q)), _) => (p > 0.0, q > 0.0, "deployment weights".to_string()),
                (None, Some(i)) => (
                    i >= PROD_SHIFT_STAGE,
                    (TEST_SHIFT_STAGE..PROD_SHIFT_STAGE).contains(&i),
                    format!("stage {}", d.lifecycle_stage.as_deref().unwrap_or("")),
                ),
                (None, None) => (false, false, "deployment starting".to_string()),
            };
            let s_prod = !t_prod
                || d.source_revisions
                    .iter()
                    .any(|r| r.production_weight.is_some_and(|w| w > 0.0));
            let mut roles = vec![(GroupRole::Idle, why.clone()); 2];
            roles[t] = (
                if t_prod {
                    GroupRole::Prod
                } else if t_test {
                    GroupRole::Test
                } else {
                    GroupRole::Idle
                },
                why.clone(),
            );
            if s_prod {
                roles[s] = (GroupRole::Prod, why);
            }
            return roles;
        }
    }
    // nothing deploys: the current revision's group takes production traffic
    let serving: Vec<&super::traffic::CurrentRevision> = svc
        .current_revisions
        .iter()
        .filter(|r| r.requested > 0 || r.running > 0)
        .collect();
    if let Some(p) = serving.iter().find_map(|r| in_pair(&r.target_groups)) {
        return set(p, GroupRole::Idle, "current revision".into());
    }
    // a finished deployment says where it left production
    if let Some(d) = svc.service_deployment.as_ref().filter(|d| d.is_final()) {
        let rev = match d.status.as_str() {
            "SUCCESSFUL" => d.target_revision.as_ref(),
            _ => d.source_revisions.first(),
        };
        if let Some(p) = rev.and_then(|r| in_pair(&r.target_groups)) {
            return set(p, GroupRole::Idle, format!("{} deployment", d.status));
        }
    }
    vec![
        (
            GroupRole::Unknown,
            "the service revisions' target groups were not read".to_string()
        );
        pair.len()
    ]
}

/// Roles decided by the listener rules, for a pair whose ECS side is unknown: the production
/// rule's weighted groups are production, the test rule's others test, the rest idle.
pub fn roles_from_rules(
    lb: &LoadBalancerRef,
    prod: &ListenerRule,
    test: Option<&ListenerRule>,
    arn: &str,
) -> Option<GroupRole> {
    let belongs = lb.target_group_arn.as_deref() == Some(arn)
        || lb.alternate_target_group_arn.as_deref() == Some(arn);
    if !belongs {
        return None;
    }
    Some(if prod.serving().contains(&arn) {
        GroupRole::Prod
    } else if test.is_some_and(|t| t.serving().contains(&arn)) {
        GroupRole::Test
    } else {
        GroupRole::Idle
    })
}
