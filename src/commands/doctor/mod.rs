//! `ecswatch doctor`: before the incident, check that the console will work here — the
//! credentials and where they come from, the Region, one read of each kind the console makes
//! (within `--cluster`/`--service` when given, else the first cluster and service found), ECS
//! Exec's local tools and the terminal. Each read is ok, or says what to do: the exact IAM
//! action to allow, how to renew these credentials, that the endpoint cannot be reached.
//! Every read goes through the budget like the console's.

use crate::aws::{ApiError, AwsApi, ErrorKind, LogQuery};
use crate::model::{CallerIdentity, MetricQuery, Service, Time, awslogs_sources, short_name};
use crate::store::PlaceState;

mod report;
pub use report::report;

/// One check's outcome.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    Ok(String),
    /// Nothing to read it on (a service without a load balancer).
    Skipped(String),
    /// Not fatal: the console shows the rest (throttled now, a resource that is gone).
    Warn(String),
    /// The console will miss what this reads: the fix is on the line.
    Problem(String),
}

impl Outcome {
    fn word(&self) -> &'static str {
        match self {
            Outcome::Ok(_) => "ok",
            Outcome::Skipped(_) => "skipped",
            Outcome::Warn(_) => "warn",
            Outcome::Problem(_) => "PROBLEM",
        }
    }

    fn text(&self) -> &str {
        match self {
            Outcome::Ok(t) | Outcome::Skipped(t) | Outcome::Warn(t) | Outcome::Problem(t) => t,
        }
    }
}

/// A read and its outcome, with the IAM action it needs.
#[derive(Debug, Clone)]
pub struct Check {
    pub what: &'static str,
    pub action: &'static str,
    pub outcome: Outcome,
}

/// What an error means here, with the fix.
fn judge(target: &PlaceState, e: &ApiError) -> Outcome {
    let advice = || {
        target
            .credentials
            .as_ref()
            .map(|c| c.advice())
            .unwrap_or_else(|| ("the default chain".into(), "give credentials".into()))
    };
    match e.kind {
        ErrorKind::AccessDenied => Outcome::Problem(format!(
            "denied: allow {} to the role ecswatch runs with (docs/iam-policy.json)",
            e.operation
        )),
        k if k.is_credentials() => {
            let (what, how) = advice();
            Outcome::Problem(format!("{} ({what}): {how}", k.label()))
        }
        ErrorKind::Throttled => Outcome::Warn(
            "throttled: the account's quota is busy now; the console backs off and retries".into(),
        ),
        ErrorKind::Unreachable => Outcome::Problem(format!(
            "unreachable: {} (check the Region, the network, a proxy or VPC endpoint)",
            e.message
        )),
        ErrorKind::NotFound => Outcome::Warn(format!("not found: {}", e.message)),
        ErrorKind::Invalid
            if e.code
                .as_deref()
                .is_some_and(|c| c.contains("UnknownOperation") || c.contains("InvalidAction"))
                || e.message.contains("not implemented") =>
        {
            Outcome::Problem(format!(
                "not available in this Region or endpoint: {}",
                e.message
            ))
        }
        _ => Outcome::Problem(format!("{}: {}", e.kind.label(), e.message)),
    }
}

fn check<T>(
    target: &PlaceState,
    what: &'static str,
    action: &'static str,
    r: &Result<T, ApiError>,
    ok: impl FnOnce(&T) -> String,
) -> Check {
    Check {
        what,
        action,
        outcome: match r {
            Ok(v) => Outcome::Ok(ok(v)),
            Err(e) => judge(target, e),
        },
    }
}

fn skipped(what: &'static str, action: &'static str, why: &str) -> Check {
    Check {
        what,
        action,
        outcome: Outcome::Skipped(why.into()),
    }
}

/// Who the credentials are: the first check, and the identity for the heading.
pub async fn identity<A: AwsApi>(api: &A, target: &PlaceState) -> (Check, Option<CallerIdentity>) {
    let r = api.caller_identity().await;
    let c = check(target, "who am I", "sts:GetCallerIdentity", &r, |id| {
        id.arn.clone()
    });
    (c, r.ok())
}

/// How long the credentials hold, and a problem when they will not last an incident.
pub fn expiry(target: &PlaceState, id: &CallerIdentity, now: Time) -> Outcome {
    const ENOUGH: chrono::Duration = chrono::Duration::minutes(15);
    let Some(at) = id.expires else {
        return Outcome::Ok("no expiry (long-term keys, or the source does not say)".into());
    };
    let left = at - now;
    let when = format!(
        "{} ({})",
        at.format("%Y-%m-%d %H:%MZ"),
        if left <= chrono::Duration::zero() {
            "expired".to_string()
        } else {
            // the age format, read forwards: `ago(at, now)` is how far `at` lies ahead
            format!(
                "in {}",
                crate::report::ago(at, now).trim_end_matches(" ago")
            )
        }
    );
    if left < ENOUGH {
        let how = target
            .credentials
            .as_ref()
            .map(|c| c.advice().1)
            .unwrap_or_else(|| "renew them".into());
        Outcome::Problem(format!(
            "expires {when}: less than an incident lasts; {how}"
        ))
    } else {
        Outcome::Ok(format!("expire {when}"))
    }
}

/// Every read of the console, once, on the scope's first cluster and service.
pub async fn reads<A: AwsApi>(
    api: &A,
    target: &PlaceState,
    clusters: &[String],
    services: &[String],
    now: Time,
) -> (Vec<Check>, Option<Service>) {
    let mut out = Vec::new();
    // the cluster
    let cluster = match clusters.first() {
        Some(c) => Some(c.clone()),
        None => {
            let r = api.list_clusters(None).await;
            out.push(check(
                target,
                "list clusters",
                "ecs:ListClusters",
                &r,
                |p| format!("{} cluster(s)", p.items.len()),
            ));
            r.ok().and_then(|p| p.items.into_iter().next())
        }
    };
    let Some(cluster) = cluster else {
        out.push(skipped(
            "the rest",
            "-",
            "no cluster to read (none in this account and Region?)",
        ));
        return (out, None);
    };
    let r = api.container_insights(std::slice::from_ref(&cluster)).await;
    out.push(check(
        target,
        "describe clusters",
        "ecs:DescribeClusters",
        &r,
        |v| {
            format!(
                "{} (Container Insights {})",
                short_name(&cluster),
                if v.iter().any(|(_, i)| i.on()) {
                    "on"
                } else {
                    "off"
                }
            )
        },
    ));
    // the service
    let service = match services.first() {
        Some(s) => Some(s.clone()),
        None => {
            let r = api.list_services(&cluster, None).await;
            out.push(check(
                target,
                "list services",
                "ecs:ListServices",
                &r,
                |p| format!("{} service(s) in {}", p.items.len(), short_name(&cluster)),
            ));
            r.ok().and_then(|p| p.items.into_iter().next())
        }
    };
    let Some(service) = service else {
        out.push(skipped(
            "the rest",
            "-",
            "no service to read in this cluster",
        ));
        return (out, None);
    };
    let r = api
        .describe_services(&cluster, std::slice::from_ref(&service))
        .await;
    out.push(check(
        target,
        "describe services",
        "ecs:DescribeServices",
        &r,
        |d| match d.found.first() {
            Some(s) => format!("{}/{}", s.cluster, s.name),
            None => format!(
                "{} is not in {}",
                short_name(&service),
                short_name(&cluster)
            ),
        },
    ));
    let Some(svc) = r.ok().and_then(|d| d.found.into_iter().next()) else {
        return (out, None);
    };
    let name = svc.name.clone();
    let stopped = api.list_stopped_tasks(&cluster, Some(&name), None).await;
    out.push(check(
        target,
        "list stopped tasks",
        "ecs:ListTasks",
        &stopped,
        |p| format!("{} stopped", p.items.len()),
    ));
    let running = api.list_running_tasks(&cluster, Some(&name), None).await;
    let mut tasks: Vec<String> = Vec::new();
    if let Ok(p) = &running {
        tasks.extend(p.items.iter().take(1).cloned());
    }
    if let Ok(p) = &stopped {
        tasks.extend(p.items.iter().take(1).cloned());
    }
    if tasks.is_empty() {
        out.push(skipped(
            "describe tasks",
            "ecs:DescribeTasks",
            "no task to describe",
        ));
    } else {
        let r = api.describe_tasks(&cluster, &tasks).await;
        out.push(check(
            target,
            "describe tasks",
            "ecs:DescribeTasks",
            &r,
            |d| format!("{} task(s)", d.found.len()),
        ));
    }
    let td = api.describe_task_definition(&svc.task_definition).await;
    out.push(check(
        target,
        "describe task definition",
        "ecs:DescribeTaskDefinition",
        &td,
        |t| crate::model::task_definition_label(&t.arn).to_string(),
    ));
    // service deployments (ECS-deployed services)
    if svc.ecs_controlled() {
        let r = api.list_service_deployments(&cluster, &name, None).await;
        out.push(check(
            target,
            "list service deployments",
            "ecs:ListServiceDeployments",
            &r,
            |p| format!("{} in 90 days", p.items.len()),
        ));
        if let Some(arn) = svc.current_service_deployment.clone() {
            let r = api.describe_service_deployments(&[arn]).await;
            out.push(check(
                target,
                "describe service deployments",
                "ecs:DescribeServiceDeployments",
                &r,
                |d| {
                    d.found
                        .first()
                        .map(|d| d.status.clone())
                        .unwrap_or_default()
                },
            ));
        }
    }
    // load balancer
    let groups: Vec<String> = svc.group_arns().into_iter().map(str::to_owned).collect();
    match groups.first() {
        None => {
            for (what, action) in [
                (
                    "describe target groups",
                    "elasticloadbalancing:DescribeTargetGroups",
                ),
                (
                    "describe target health",
                    "elasticloadbalancing:DescribeTargetHealth",
                ),
            ] {
                out.push(skipped(what, action, "no load balancer"));
            }
        }
        Some(g) => {
            let r = api.describe_target_groups(std::slice::from_ref(g)).await;
            out.push(check(
                target,
                "describe target groups",
                "elasticloadbalancing:DescribeTargetGroups",
                &r,
                |v| v.first().map(|g| g.name.clone()).unwrap_or_default(),
            ));
            let r = api.deregistration_delay(g).await;
            out.push(check(
                target,
                "describe target group attributes",
                "elasticloadbalancing:DescribeTargetGroupAttributes",
                &r,
                |d| {
                    format!(
                        "deregistration delay {}",
                        d.map(|d| format!("{d}s")).unwrap_or("?".into())
                    )
                },
            ));
            let r = api.describe_target_health(g).await;
            out.push(check(
                target,
                "describe target health",
                "elasticloadbalancing:DescribeTargetHealth",
                &r,
                |t| format!("{} target(s)", t.len()),
            ));
        }
    }
    let rules: Vec<String> = svc
        .listener_rules()
        .into_iter()
        .map(str::to_owned)
        .collect();
    let (rule_arns, listener_arns): (Vec<String>, Vec<String>) =
        rules.into_iter().partition(|r| !r.contains(":listener/"));
    if !rule_arns.is_empty() {
        let r = api.describe_rules(&rule_arns).await;
        out.push(check(
            target,
            "describe listener rules",
            "elasticloadbalancing:DescribeRules",
            &r,
            |v| format!("{} rule(s)", v.len()),
        ));
    }
    if !listener_arns.is_empty() {
        let r = api.describe_listeners(&listener_arns).await;
        out.push(check(
            target,
            "describe listeners",
            "elasticloadbalancing:DescribeListeners",
            &r,
            |v| format!("{} listener(s)", v.len()),
        ));
    }
    // metrics: one series of the last five minutes
    let q = MetricQuery {
        id: "doctor".into(),
        namespace: "AWS/ECS",
        metric: "CPUUtilization",
        dimensions: vec![
            ("ClusterName", svc.cluster.clone()),
            ("ServiceName", name.clone()),
        ],
        stat: "Average",
        period_s: 60,
    };
    let r = api
        .get_metric_data(&[q], now - chrono::Duration::minutes(5), now, None)
        .await;
    out.push(check(
        target,
        "get metric data",
        "cloudwatch:GetMetricData",
        &r,
        |p| {
            format!(
                "{} datapoint(s)",
                p.items.iter().map(|s| s.points.len()).sum::<usize>()
            )
        },
    ));
    // logs: the first awslogs container of the service's task definition
    let log = td.as_ref().ok().and_then(|t| {
        awslogs_sources(t, &api.region())
            .into_iter()
            .next()
            .map(|src| (src.group, src.region))
    });
    match log {
        None => out.push(skipped(
            "filter log events",
            "logs:FilterLogEvents",
            "no awslogs container",
        )),
        Some((group, region)) => {
            let q = LogQuery {
                group: group.clone(),
                stream_prefix: None,
                start: now - chrono::Duration::minutes(5),
                end: None,
                region,
                next: None,
                limit: 1,
            };
            let r = api.filter_log_events(&q).await;
            out.push(check(
                target,
                "filter log events",
                "logs:FilterLogEvents",
                &r,
                |_| group.clone(),
            ));
        }
    }
    // auto scaling
    let id = format!("service/{}/{}", svc.cluster, name);
    let r = api
        .describe_scalable_targets(std::slice::from_ref(&id), None)
        .await;
    out.push(check(
        target,
        "describe scalable targets",
        "application-autoscaling:DescribeScalableTargets",
        &r,
        |p| {
            if p.items.is_empty() {
                "not registered".into()
            } else {
                "registered".into()
            }
        },
    ));
    let r = api.describe_scaling_activities(&id).await;
    out.push(check(
        target,
        "describe scaling activities",
        "application-autoscaling:DescribeScalingActivities",
        &r,
        |v| format!("{} activit(ies)", v.len()),
    ));
    let r = api.describe_scaling_policies(&id, None).await;
    out.push(check(
        target,
        "describe scaling policies",
        "application-autoscaling:DescribeScalingPolicies",
        &r,
        |p| format!("{} polic(ies)", p.items.len()),
    ));
    // VPC Lattice
    if let Some(l) = svc.lattice_groups().first() {
        let r = api.list_lattice_targets(&l.target_group_arn, None).await;
        out.push(check(
            target,
            "list lattice targets",
            "vpc-lattice:ListTargets",
            &r,
            |p| format!("{} target(s)", p.items.len()),
        ));
    }
    (out, Some(svc))
}
