//! Task definitions: DescribeTaskDefinition once per ARN; they are immutable.

use super::{Payload, PollPlan, Source, Update};
use crate::aws::AwsApi;
use crate::model::Time;
use std::collections::HashSet;

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
        let mut wanted: Vec<&str> = Vec::new();
        for s in &plan.services {
            for td in &s.task_definitions {
                if !self.known.contains(td) && !wanted.contains(&td.as_str()) {
                    wanted.push(td);
                }
            }
        }
        // in flight together (the budget paces them): a deploy's two revisions cost one
        // round trip, not two
        let read = futures_util::future::join_all(
            wanted
                .iter()
                .map(|arn| async move { (*arn, api.describe_task_definition(arn).await) }),
        )
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
