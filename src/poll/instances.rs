//! Container instances: DescribeContainerInstances (100 a call, one cluster each) with their
//! health, for the instances EC2 and Managed Instances tasks run on. Read for the open service
//! and for services that are not calm (whose stopped tasks may have stopped because their
//! instance drained, lost its agent or went impaired); `snapshot` reads every service's. A
//! Fargate-only fleet costs nothing: no task names an instance.

use super::budget::{Priority, with_priority};
use super::{Payload, PollPlan, Source, Update};
use crate::aws::{AwsApi, DESCRIBE_CONTAINER_INSTANCES_BATCH};
use crate::model::Time;
use std::collections::BTreeMap;

#[derive(Debug, Default)]
pub struct InstancesPoller;

impl InstancesPoller {
    pub fn new() -> Self {
        Self
    }

    /// cluster -> (priority, instance ARNs) to read for `plan`.
    pub fn wanted(plan: &PollPlan) -> BTreeMap<String, (Priority, Vec<String>)> {
        let mut out: BTreeMap<String, (Priority, Vec<String>)> = BTreeMap::new();
        for s in &plan.services {
            let open = plan.is_open(&s.key);
            if !(open || !s.calm || plan.exhaustive) || s.container_instances.is_empty() {
                continue;
            }
            let p = if open {
                Priority::Open
            } else if !s.calm {
                Priority::Shown
            } else {
                Priority::Background
            };
            let e = out
                .entry(s.key.cluster.clone())
                .or_insert_with(|| (p, Vec::new()));
            e.0 = e.0.min(p);
            for arn in &s.container_instances {
                if !e.1.contains(arn) {
                    e.1.push(arn.clone());
                }
            }
        }
        out
    }

    pub async fn poll<A: AwsApi>(&mut self, api: &A, plan: &PollPlan, now: Time) -> Update {
        let wanted = Self::wanted(plan);
        let mut errors = Vec::new();
        let mut found = Vec::new();
        let mut gone = Vec::new();
        for (cluster, (p, mut arns)) in wanted {
            arns.sort_unstable();
            for batch in arns.chunks(DESCRIBE_CONTAINER_INSTANCES_BATCH) {
                match with_priority(p, api.describe_container_instances(&cluster, batch)).await {
                    Ok(d) => {
                        found.extend(d.found);
                        gone.extend(
                            d.failures
                                .into_iter()
                                .filter(|(_, why)| why == "MISSING")
                                .map(|(arn, _)| arn),
                        );
                    }
                    Err(e) => errors.push(e),
                }
            }
        }
        let payload = (!found.is_empty() || !gone.is_empty() || errors.is_empty())
            .then_some(Payload::ContainerInstances { found, gone });
        Update::new(Source::ContainerInstances, now, payload, errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ServiceKey;
    use crate::poll::PlannedService;

    fn svc(cluster: &str, name: &str, calm: bool, instances: &[&str]) -> PlannedService {
        PlannedService {
            key: ServiceKey::new(cluster, name),
            calm,
            container_instances: instances.iter().map(|s| s.to_string()).collect(),
            ..Default::default()
        }
    }

    #[test]
    fn the_open_service_and_the_restless_ones_are_read_one_call_per_cluster() {
        let mut plan = PollPlan {
            services: vec![
                svc("prod", "web", true, &["i1", "i2"]),
                svc("prod", "api", false, &["i2", "i3"]),
                svc("prod", "calm", true, &["i9"]),
                svc("batch", "jobs", true, &["j1"]),
                svc("prod", "fargate", false, &[]),
            ],
            focus: Some(ServiceKey::new("batch", "jobs")),
            ..Default::default()
        };
        let w = InstancesPoller::wanted(&plan);
        assert_eq!(w.len(), 2);
        assert_eq!(w["batch"], (Priority::Open, vec!["j1".to_string()]));
        assert_eq!(
            w["prod"],
            (Priority::Shown, vec!["i2".to_string(), "i3".to_string()])
        );
        plan.exhaustive = true;
        plan.focus = None;
        let w = InstancesPoller::wanted(&plan);
        assert_eq!(w["prod"].1.len(), 4);
    }
}
