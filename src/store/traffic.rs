//! Which of a service's target groups carry its traffic now, and when production moved.
//!
//! Roles come from ECS (`model::traffic_groups`: the deployment's revisions and stage, or the
//! current revision). When ECS's side cannot be read, the production and test listener rules
//! the targets poller read decide. A production listener rule that forwards elsewhere than ECS
//! says is a mismatch (`Store::traffic_mismatch`, a finding). Each blue/green service's swaps
//! are kept (`ServiceState::swaps`), so its 5xx and latency series can come from the group that
//! served production at each minute, and the timeline and the sparkline can mark the swap.

use super::timeline::{EntryKind, Transition};
use super::{Store, TargetGroupState};
use crate::model::{
    GroupRole, ListenerRule, LoadBalancerRef, Service, ServiceKey, Time, TrafficGroup,
    roles_from_rules, target_group_name, traffic_groups,
};

/// Swaps kept per service.
const SWAPS_KEPT: usize = 20;

/// Production moved to another target group of a blue/green pair.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Swap {
    /// When production moved (`approx`: estimated from the deployment, not seen).
    pub at: Time,
    pub approx: bool,
    pub to: String,
    /// The group production left (None when it is not known).
    pub from: Option<String>,
}

/// One target group of a service as the console shows it: its role and what was read.
#[derive(Debug, Clone)]
pub struct GroupView<'a> {
    pub arn: String,
    pub role: GroupRole,
    pub why: String,
    pub blue_green: bool,
    /// None until the group's health was read.
    pub state: Option<&'a TargetGroupState>,
}

impl GroupView<'_> {
    /// The group's name (from its description, else from its ARN).
    pub fn name(&self) -> &str {
        self.state
            .map(|s| s.group.name.as_str())
            .unwrap_or_else(|| target_group_name(&self.arn))
    }
}

/// The load balancer entry a group belongs to.
fn lb_of<'a>(svc: &'a Service, arn: &str) -> Option<&'a LoadBalancerRef> {
    svc.load_balancers.iter().find(|l| {
        l.target_group_arn.as_deref() == Some(arn)
            || l.alternate_target_group_arn.as_deref() == Some(arn)
    })
}

impl Store {
    /// A listener rule as last read, if it was.
    pub fn rule(&self, arn: &str) -> Option<&ListenerRule> {
        self.rules.get(arn).map(|(r, _)| r)
    }

    /// Roles of the service's groups: ECS's, or the listener rules' where ECS's are unknown.
    pub fn roles_of(&self, svc: &Service) -> Vec<TrafficGroup> {
        let mut groups = traffic_groups(svc);
        for g in groups.iter_mut().filter(|g| g.role == GroupRole::Unknown) {
            let Some(lb) = lb_of(svc, &g.arn) else {
                continue;
            };
            let Some(prod) = lb
                .production_listener_rule
                .as_deref()
                .and_then(|r| self.rule(r))
            else {
                continue;
            };
            let test = lb.test_listener_rule.as_deref().and_then(|r| self.rule(r));
            if let Some(role) = roles_from_rules(lb, prod, test, &g.arn) {
                g.role = role;
                g.why = "listener rule".into();
            }
        }
        groups.sort_by_key(|g| g.role);
        groups
    }

    /// Every target group of the service with its role, production first.
    pub fn traffic_of(&self, svc: &Service) -> Vec<GroupView<'_>> {
        self.roles_of(svc)
            .into_iter()
            .map(|g| GroupView {
                state: self.target_groups.get(&g.arn),
                arn: g.arn,
                role: g.role,
                why: g.why,
                blue_green: g.blue_green,
            })
            .collect()
    }

    /// The target groups of a service that are known, production first.
    pub fn target_groups_of(&self, service: &Service) -> Vec<&TargetGroupState> {
        if !service.is_blue_green_lb() {
            return self.plain_groups(service);
        }
        self.traffic_of(service)
            .into_iter()
            .filter_map(|g| g.state)
            .collect()
    }

    /// A service without blue/green: every group is production, in `loadBalancers` order. The
    /// board and every badge ask this each frame, so no roles are built.
    fn plain_groups(&self, service: &Service) -> Vec<&TargetGroupState> {
        let mut out: Vec<&TargetGroupState> = Vec::new();
        for arn in service
            .load_balancers
            .iter()
            .filter_map(|l| l.target_group_arn.as_deref())
        {
            if let Some(g) = self.target_groups.get(arn)
                && !out.iter().any(|o| o.group.arn == arn)
            {
                out.push(g);
            }
        }
        out
    }

    /// The known groups whose health is the service's health: production, test during test
    /// stages, and those whose role is unknown (never blue/green's idle group).
    pub fn serving_groups_of(&self, service: &Service) -> Vec<&TargetGroupState> {
        if !service.is_blue_green_lb() {
            return self.plain_groups(service);
        }
        self.traffic_of(service)
            .into_iter()
            .filter(|g| g.role.carries_traffic())
            .filter_map(|g| g.state)
            .collect()
    }

    /// Where the production listener rule disagrees with ECS: (rule ARN, what it forwards
    /// to, the group ECS says is production). Only when both sides were read.
    pub fn traffic_mismatch(&self, svc: &Service) -> Option<(String, Vec<String>, String)> {
        let ecs = traffic_groups(svc);
        for lb in &svc.load_balancers {
            let (Some(primary), Some(alt), Some(rule_arn)) = (
                lb.target_group_arn.as_deref(),
                lb.alternate_target_group_arn.as_deref(),
                lb.production_listener_rule.as_deref(),
            ) else {
                continue;
            };
            let Some(rule) = self.rule(rule_arn) else {
                continue;
            };
            let prod: Vec<&str> = ecs
                .iter()
                .filter(|g| g.arn == primary || g.arn == alt)
                .filter(|g| g.role == GroupRole::Prod)
                .map(|g| g.arn.as_str())
                .collect();
            if prod.is_empty() || ecs.iter().any(|g| g.role == GroupRole::Unknown) {
                continue;
            }
            let serving: Vec<&str> = rule
                .serving()
                .into_iter()
                .filter(|a| *a == primary || *a == alt)
                .collect();
            // a shift in progress may hold both; ECS's production group must be served
            if !prod.iter().all(|p| serving.contains(p)) || serving.is_empty() {
                return Some((
                    rule_arn.to_string(),
                    serving.iter().map(|s| s.to_string()).collect(),
                    prod[0].to_string(),
                ));
            }
        }
        None
    }

    /// Record where production is now for each blue/green service of target `t` (after its
    /// services or rules were read): a change is a swap, in `swaps` and on the timeline.
    pub(super) fn note_swaps(&mut self, at: Time) {
        let keys: Vec<ServiceKey> = self
            .services
            .iter()
            .filter(|(_, st)| st.service.is_blue_green_lb())
            .map(|(k, _)| k.clone())
            .collect();
        for key in keys {
            let Some(st) = self.services.get(&key) else {
                continue;
            };
            let roles = self.roles_of(&st.service);
            let Some(prod) = roles
                .iter()
                .find(|g| g.blue_green && g.role == GroupRole::Prod)
            else {
                continue;
            };
            let other = roles
                .iter()
                .find(|g| g.blue_green && g.arn != prod.arn)
                .map(|g| g.arn.clone());
            let last = st.swaps.last().map(|s| s.to.clone());
            if last.as_deref() == Some(prod.arn.as_str()) {
                continue;
            }
            let first = last.is_none();
            let (when, approx) = if first {
                swap_estimate(&st.service, &prod.arn)
            } else {
                (at, false)
            };
            let swap = Swap {
                at: when,
                approx,
                to: prod.arn.clone(),
                from: last.or(other),
            };
            let Some(st) = self.services.get_mut(&key) else {
                continue;
            };
            // the first sighting of a pair that never swapped is no transition
            if !first || approx {
                st.transitions.push(Transition {
                    t: swap.at,
                    kind: EntryKind::Rollout,
                    text: format!(
                        "production traffic {}moved to {}{}",
                        if approx { "≈ " } else { "" },
                        target_group_name(&swap.to),
                        swap.from
                            .as_deref()
                            .map(|f| format!(" (from {})", target_group_name(f)))
                            .unwrap_or_default()
                    ),
                    category: None,
                    failure: false,
                });
            }
            st.swaps.push(swap);
            if st.swaps.len() > SWAPS_KEPT {
                st.swaps.remove(0);
            }
            self.dirty.insert(key);
        }
    }
}

/// When production moved to `prod`, estimated on first sight from the service deployment that
/// moved it: a finished one moved it before its bake time began (`finishedAt` less the bake),
/// one still baking at its last update. When no deployment moved it, it has been there all
/// along (the epoch: every minute read is its).
fn swap_estimate(svc: &Service, prod: &str) -> (Time, bool) {
    let never = (chrono::DateTime::UNIX_EPOCH, false);
    let Some(d) = svc.service_deployment.as_ref() else {
        return never;
    };
    let moved_here = d
        .target_revision
        .as_ref()
        .is_some_and(|r| r.target_groups.iter().any(|g| g == prod))
        && d.source_revisions
            .iter()
            .any(|r| !r.target_groups.is_empty() && !r.target_groups.iter().any(|g| g == prod));
    if !moved_here || matches!(d.status.as_str(), "ROLLBACK_SUCCESSFUL" | "STOPPED") {
        return never;
    }
    let bake = chrono::Duration::minutes(i64::from(d.bake_time_minutes.unwrap_or(0)));
    match (d.finished_at, d.updated_at) {
        (Some(f), _) => (f - bake, true),
        (None, Some(u)) => (u, true),
        _ => never,
    }
}
