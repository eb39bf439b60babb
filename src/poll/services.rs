//! Services: ListClusters, ListServices (100 a page), DescribeServices (10 a call).

use super::{Payload, PollPlan, Source, Update, all_pages};
use crate::aws::{ApiError, AwsApi, DESCRIBE_SERVICES_BATCH};
use crate::model::{Time, short_name};

/// Re-list clusters and services only every this many polls; describe every poll.
const RELIST_EVERY: u32 = 6;
/// With a service focused, the whole fleet is described only every this many polls (more for
/// large fleets, see [`fleet_every`]); in between, just the focused service (one call).
const FLEET_EVERY: u32 = 3;

/// DescribeServices calls a second that a fleet round may average: large accounts share their
/// API rate limits with everyone else's tools.
pub const FLEET_CALLS_PER_S: usize = 10;

/// Polls between fleet rounds with a service focused (5 s apart): at least [`FLEET_EVERY`], and
/// enough that a round's DescribeServices calls average at most [`FLEET_CALLS_PER_S`] a second.
fn fleet_every(services: usize) -> u32 {
    let calls = services.div_ceil(DESCRIBE_SERVICES_BATCH);
    let secs = calls.div_ceil(FLEET_CALLS_PER_S);
    (secs.div_ceil(5) as u32).max(FLEET_EVERY)
}

#[derive(Debug, Default)]
pub struct ServicesPoller {
    polls: u32,
    /// cluster -> service ARNs, from the last listing
    listing: Option<Vec<(String, Vec<String>)>>,
}

impl ServicesPoller {
    pub fn new() -> Self {
        Self::default()
    }

    pub async fn poll<A: AwsApi>(&mut self, api: &A, plan: &PollPlan, now: Time) -> Update {
        let mut errors = Vec::new();
        let poll_no = self.polls;
        if let Some(focus) = plan
            .focus
            .as_ref()
            .filter(|_| self.listing.is_some() && poll_no % fleet_every(plan.services.len()) != 0)
        {
            self.polls = self.polls.wrapping_add(1);
            return match api
                .describe_services(&focus.cluster, std::slice::from_ref(&focus.service))
                .await
            {
                Ok(d) => {
                    let services = d
                        .found
                        .into_iter()
                        .filter(|s| s.status != "INACTIVE")
                        .collect();
                    // not a full listing: nothing is removed on the strength of it
                    let payload = Payload::Services {
                        services,
                        listed_clusters: vec![],
                    };
                    Update::new(Source::Services, now, Some(payload), errors)
                }
                Err(e) => Update::new(Source::Services, now, None, vec![e]),
            };
        }
        if self.listing.is_none() || self.polls % RELIST_EVERY == 0 {
            match list(api, plan, &mut errors).await {
                Some(l) => self.listing = Some(l),
                None if self.listing.is_none() => {
                    return Update::new(Source::Services, now, None, errors);
                }
                None => {}
            }
        }
        self.polls = self.polls.wrapping_add(1);
        let listing = self.listing.clone().unwrap_or_default();

        let mut services = Vec::new();
        let mut listed_clusters = Vec::new();
        let mut any_ok = false;
        for (cluster, names) in &listing {
            let mut cluster_ok = true;
            for batch in names.chunks(DESCRIBE_SERVICES_BATCH) {
                match api.describe_services(cluster, batch).await {
                    Ok(d) => {
                        any_ok = true;
                        services.extend(d.found.into_iter().filter(|s| s.status != "INACTIVE"));
                    }
                    Err(e) => {
                        cluster_ok = false;
                        errors.push(e);
                    }
                }
            }
            // Only a listing of every service of a cluster says which are gone; with named
            // services a missing one is reported as an error instead (and recordings of
            // differently scoped sessions can be merged).
            if cluster_ok && !names_explicit(plan) {
                listed_clusters.push(short_name(cluster).to_string());
            }
        }
        if names_explicit(plan) {
            // Named services that exist in no cluster are reported, not silently dropped.
            for want in &plan.scope.services {
                if !services.iter().any(|s| &s.name == want || &s.arn == want) && any_ok {
                    errors.push(ApiError::new(
                        crate::aws::ErrorKind::NotFound,
                        "ecs:DescribeServices",
                        format!("service {want} was not found in {}", cluster_list(&listing)),
                    ));
                }
            }
        }
        let payload = (any_ok || listing.is_empty()).then_some(Payload::Services {
            services,
            listed_clusters,
        });
        Update::new(Source::Services, now, payload, errors)
    }
}

fn names_explicit(plan: &PollPlan) -> bool {
    !plan.scope.services.is_empty()
}

fn cluster_list(listing: &[(String, Vec<String>)]) -> String {
    let names: Vec<&str> = listing.iter().map(|(c, _)| short_name(c)).collect();
    if names.is_empty() {
        "any cluster".into()
    } else {
        format!("cluster(s) {}", names.join(", "))
    }
}

/// Which clusters, and which services in each, to describe.
async fn list<A: AwsApi>(
    api: &A,
    plan: &PollPlan,
    errors: &mut Vec<ApiError>,
) -> Option<Vec<(String, Vec<String>)>> {
    let clusters: Vec<String> = if plan.scope.clusters.is_empty() {
        match all_pages(|next| api.list_clusters(next)).await {
            Ok(c) => c,
            Err(e) => {
                errors.push(e);
                return None;
            }
        }
    } else {
        plan.scope.clusters.clone()
    };
    let mut out = Vec::new();
    let mut failed = 0;
    for cluster in clusters {
        if !plan.scope.services.is_empty() {
            // Named services: describe them directly, no listing needed.
            out.push((cluster, plan.scope.services.clone()));
            continue;
        }
        match all_pages(|next| api.list_services(&cluster, next)).await {
            Ok(arns) => out.push((cluster, arns)),
            Err(e) => {
                failed += 1;
                errors.push(e);
            }
        }
    }
    if failed > 0 && out.is_empty() {
        return None;
    }
    Some(out)
}
