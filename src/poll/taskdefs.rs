//! Task definitions: DescribeTaskDefinition once per ARN; they are immutable. The open
//! services' first, at open-service priority, with at most [`FLEET_PER_POLL`] of the rest
//! (the console's first picture of 200 services is 200 reads: the open service's logs, which
//! its task definition names, must not wait for them); `snapshot` reads all in one poll.

use super::budget::{Priority, with_priority};
use super::{Payload, PollPlan, Source, Update};
use crate::aws::AwsApi;
use crate::model::Time;
use std::collections::HashSet;

/// Task definitions of services that are not open read in one poll of the console.
pub const FLEET_PER_POLL: usize = 20;

#[derive(Debug, Default)]
pub struct TaskDefsPoller {
    known: HashSet<String>,
}

impl TaskDefsPoller {
    pub fn new() -> Self {
        Self::default()
    }

    pub async fn poll<A: AwsApi>(&mut self, api: &A, plan: &PollPlan, now: Time) -> Update {
        let mut errors = Vec::new();
        let mut found = Vec::new();
        let mut wanted: Vec<(&str, Priority)> = Vec::new();
        let open = plan.services.iter().filter(|s| plan.is_open(&s.key));
        let rest = plan.services.iter().filter(|s| !plan.is_open(&s.key));
        for (s, p) in open
            .map(|s| (s, Priority::Open))
            .chain(rest.map(|s| (s, Priority::Background)))
        {
            for td in &s.task_definitions {
                if !self.known.contains(td) && !wanted.iter().any(|(w, _)| *w == td.as_str()) {
                    wanted.push((td, p));
                }
            }
        }
        if !plan.exhaustive {
            let opened = wanted.iter().filter(|(_, p)| *p == Priority::Open).count();
            wanted.truncate(opened + FLEET_PER_POLL);
        }
        // in flight together (the budget paces them): a deploy's two revisions cost one
        // round trip, not two
        let read = futures_util::future::join_all(wanted.iter().map(|(arn, p)| async move {
            (
                *arn,
                with_priority(*p, api.describe_task_definition(arn)).await,
            )
        }))
        .await;
        for (arn, r) in read {
            match r {
                Ok(td) => {
                    self.known.insert(arn.to_string());
                    found.push(td);
                }
                Err(e) => errors.push(e),
            }
        }
        let payload =
            (!found.is_empty() || errors.is_empty()).then_some(Payload::TaskDefinitions(found));
        Update::new(Source::TaskDefinitions, now, payload, errors)
    }
}
