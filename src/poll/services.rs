//! Services: ListClusters, ListServices (100 a page), DescribeClusters (Container Insights
//! settings), DescribeServices (10 a call).
//!
//! Every poll (5 s) describes the open service first, then the rows on screen and services that
//! are not calm, then the next part of a fleet round. A round is spread over the polls so that
//! fleet describes use at most half of ecswatch's share of the service-read quota: a larger
//! fleet means a longer round, never more calls per second.

use super::budget::{Priority, Quota, with_priority};
use super::{Payload, PollPlan, Source, Update, all_pages};
use crate::aws::{ApiError, AwsApi, DESCRIBE_CLUSTERS_BATCH, DESCRIBE_SERVICES_BATCH};
use crate::model::{Service, ServiceKey, Time, short_name};
use std::collections::BTreeMap;

/// Clusters and services are listed again every this many fleet rounds.
const RELIST_EVERY_ROUNDS: u32 = 4;
/// The shortest fleet round.
const MIN_ROUND_S: f64 = 15.0;
/// Seconds between polls (the runner's cadence for this source).
pub const POLL_S: f64 = 5.0;
/// Part of the service-read allowance fleet rounds may use; the rest is for what is open or
/// on screen.
const FLEET_PART: f64 = 0.5;
/// Most DescribeServices calls a poll spends on rows on screen and services that are not calm.
const SHOWN_CALLS: usize = 4;
/// The console's first poll describes this many batches of the fleet at once (400 services),
/// from the opening allowance (half of the account's bucket of 100 service reads): the first
/// board is the whole fleet's, not a round's first part. Larger fleets continue in rounds.
pub const FIRST_PICTURE_BATCHES: usize = 40;

#[derive(Debug, Default)]
pub struct ServicesPoller {
    /// cluster -> service ARNs or names, from the last listing
    listing: Option<Vec<(String, Vec<String>)>>,
    /// Next batch of the fleet round.
    cursor: usize,
    /// Fleet rounds completed since the last listing.
    rounds: u32,
    /// Service deployments of the services described.
    deployments: super::deployments::DeploymentReader,
    /// The first picture was described (see [`FIRST_PICTURE_BATCHES`]).
    first_done: bool,
}

/// One DescribeServices call at priority `p`.
async fn describe<A: AwsApi>(
    api: &A,
    cluster: &str,
    names: &[String],
    p: Priority,
) -> crate::aws::ApiResult<crate::aws::Described<Service>> {
    with_priority(p, api.describe_services(cluster, names)).await
}

/// How long a fleet round of `batches` DescribeServices calls takes at this pace.
pub fn round_seconds(batches: usize, plan: &PollPlan) -> f64 {
    let rate = plan.pace.rate(Quota::EcsServiceRead) * FLEET_PART;
    (batches as f64 / rate).max(MIN_ROUND_S)
}

impl ServicesPoller {
    pub fn new() -> Self {
        Self::default()
    }

    pub async fn poll<A: AwsApi>(&mut self, api: &A, plan: &PollPlan, now: Time) -> Update {
        let mut errors = Vec::new();
        let relist =
            self.listing.is_none() || plan.exhaustive || self.rounds >= RELIST_EVERY_ROUNDS;
        let mut roster = None;
        let mut listed_clusters = Vec::new();
        // the clusters' settings are read while the services are described
        let mut insights_of: Vec<String> = Vec::new();
        if relist {
            match with_priority(Priority::Shown, list(api, plan, &mut errors)).await {
                Some(l) => {
                    if !names_explicit(plan) {
                        listed_clusters =
                            l.iter().map(|(c, _)| short_name(c).to_string()).collect();
                        roster = Some(
                            l.iter()
                                .flat_map(|(c, names)| {
                                    names
                                        .iter()
                                        .map(|n| ServiceKey::new(short_name(c), short_name(n)))
                                })
                                .collect(),
                        );
                    }
                    insights_of = l.iter().map(|(c, _)| c.clone()).collect();
                    self.listing = Some(l);
                    self.rounds = 0;
                }
                None if self.listing.is_none() => {
                    return Update::new(Source::Services, now, None, errors);
                }
                None => {}
            }
        }
        let listing = self.listing.clone().unwrap_or_default();
        let batches: Vec<(&str, &[String])> = listing
            .iter()
            .flat_map(|(c, names)| {
                names
                    .chunks(DESCRIBE_SERVICES_BATCH)
                    .map(move |b| (c.as_str(), b))
            })
            .collect();

        let mut services: Vec<Service> = Vec::new();
        let mut any_ok = false;
        // this poll's part of the fleet round (all of it for a one-shot snapshot)
        let per_poll = if plan.exhaustive || batches.is_empty() {
            batches.len()
        } else if !self.first_done {
            batches.len().min(FIRST_PICTURE_BATCHES)
        } else {
            let round = round_seconds(batches.len(), plan);
            ((batches.len() as f64 * POLL_S / round).ceil() as usize).clamp(1, batches.len())
        };
        let part: Vec<(&str, &[String])> = (0..per_poll)
            .map(|i| batches[(self.cursor + i) % batches.len()])
            .collect();
        let covers = |k: &ServiceKey| {
            part.iter().any(|(c, names)| {
                short_name(c) == k.cluster && names.iter().any(|n| short_name(n) == k.service)
            })
        };
        let insights_read = async {
            let mut found = Vec::new();
            let mut failed = Vec::new();
            for batch in insights_of.chunks(DESCRIBE_CLUSTERS_BATCH) {
                match with_priority(Priority::Shown, api.container_insights(batch)).await {
                    Ok(f) => found.extend(f),
                    Err(e) => failed.push(e),
                }
            }
            (found, failed)
        };
        let describing = async {
            let mut answers = Vec::new();
            // 1. the open services (one, or one per viewer of a shared session), by cluster,
            //    unless this poll's part of the round has them
            let mut open: BTreeMap<&str, Vec<String>> = BTreeMap::new();
            for f in plan.open().filter(|f| !covers(f)) {
                open.entry(f.cluster.as_str())
                    .or_default()
                    .push(f.service.clone());
            }
            for (cluster, names) in &open {
                for b in names.chunks(DESCRIBE_SERVICES_BATCH) {
                    answers.push(describe(api, cluster, b, Priority::Open).await);
                }
            }
            // 2. rows on screen and services that are not calm (a few calls)
            if !plan.exhaustive {
                let mut shown: BTreeMap<&str, Vec<String>> = BTreeMap::new();
                let wanted = plan
                    .on_screen
                    .iter()
                    .chain(plan.services.iter().filter(|s| !s.calm).map(|s| &s.key))
                    .filter(|k| !plan.is_open(k) && !covers(k));
                for k in wanted {
                    let names = shown.entry(k.cluster.as_str()).or_default();
                    if !names.contains(&k.service) {
                        names.push(k.service.clone());
                    }
                }
                let mut calls = 0;
                'shown: for (cluster, names) in &shown {
                    for b in names.chunks(DESCRIBE_SERVICES_BATCH) {
                        if calls == SHOWN_CALLS {
                            break 'shown;
                        }
                        calls += 1;
                        answers.push(describe(api, cluster, b, Priority::Shown).await);
                    }
                }
            }
            // 3. the part of the round; the batch holding the open service goes first
            let open_first = plan.any_open().then(|| {
                part.iter().position(|(c, names)| {
                    plan.open().any(|f| {
                        short_name(c) == f.cluster
                            && names.iter().any(|n| short_name(n) == f.service)
                    })
                })
            });
            if let Some(Some(i)) = open_first {
                answers.push(describe(api, part[i].0, part[i].1, Priority::Open).await);
            }
            // the rest in flight together (the budget paces them): a 500-service snapshot
            // is not 50 round trips in a row
            let rest = futures_util::future::join_all(
                part.iter()
                    .enumerate()
                    .filter(|(i, _)| open_first != Some(Some(*i)))
                    .map(|(_, (cluster, names))| {
                        describe(api, cluster, names, Priority::Background)
                    }),
            )
            .await;
            answers.extend(rest);
            answers
        };
        let (answers, (insights, insights_failed)) = tokio::join!(describing, insights_read);
        errors.extend(insights_failed);
        for answer in answers {
            match answer {
                Ok(d) => {
                    any_ok = true;
                    services.extend(d.found.into_iter().filter(|s| s.status != "INACTIVE"));
                }
                Err(e) => errors.push(e),
            }
        }
        if !batches.is_empty() {
            self.first_done = true;
            let next = self.cursor + per_poll;
            if next >= batches.len() {
                // counted whatever the cursor wraps to: a part need not divide the round
                self.rounds = self.rounds.saturating_add(1);
            }
            self.cursor = next % batches.len();
        }
        // the same service may have been described twice in one poll: keep one
        let mut seen = std::collections::HashSet::new();
        services.retain(|s| seen.insert(s.arn.clone()));
        self.deployments
            .attach(
                api,
                &mut services,
                &plan.open().cloned().collect::<Vec<_>>(),
                plan.exhaustive,
                now,
                &mut errors,
            )
            .await;

        if names_explicit(plan) && any_ok && per_poll == batches.len() {
            // Named services that exist in no cluster are reported, not silently dropped.
            for want in &plan.scope.services {
                if !services.iter().any(|s| &s.name == want || &s.arn == want) {
                    errors.push(ApiError::new(
                        crate::aws::ErrorKind::NotFound,
                        "ecs:DescribeServices",
                        format!("service {want} was not found in {}", cluster_list(&listing)),
                    ));
                }
            }
        }
        let payload =
            (any_ok || listing.is_empty() || roster.is_some()).then_some(Payload::Services {
                services,
                listed_clusters,
                roster,
                insights,
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

/// Which clusters, and which services in each, to describe. Only clusters listed completely
/// are returned (a cluster whose listing failed keeps its last listing out of the roster).
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
