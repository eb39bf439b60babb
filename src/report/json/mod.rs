//! `snapshot --format json`: the `ecswatch.snapshot.v1` schema of DESIGN.md, exactly.

use crate::diagnosis::task_category;
use crate::model::{MetricKind, Time};
use crate::store::Store;
use serde::Serialize;
use std::collections::BTreeMap;

mod shape;

use shape::*;

pub const SCHEMA: &str = "ecswatch.snapshot.v1";

pub(crate) fn ts(t: Time) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

pub fn snapshot_json(store: &Store, now: Time) -> String {
    let pb = store.playbook();
    let services = store
        .services
        .values()
        .map(|state| {
            let s = &state.service;
            let (state_, reason) = s.rollout();
            let target = store.place(s.place);
            ServiceOut {
                account: crate::room::arn_account(&s.arn).or(target.account.as_deref()),
                region: crate::room::arn_region(&s.arn).unwrap_or(&target.region),
                cluster: &s.cluster,
                name: &s.name,
                arn: &s.arn,
                status: &s.status,
                desired: s.desired,
                running: s.running,
                pending: s.pending,
                task_definition: &s.task_definition,
                express: s.is_express().then(|| ExpressOut {
                    endpoints: s.endpoints(),
                    managed_resources: s.managed_resources().collect(),
                }),
                az_rebalancing: s.az_rebalancing.as_deref(),
                rollout: Rollout {
                    state: state_,
                    reason,
                },
                deployments: s
                    .deployments
                    .iter()
                    .map(|d| DeploymentOut {
                        id: &d.id,
                        status: &d.status,
                        task_definition: &d.task_definition,
                        desired: d.desired,
                        running: d.running,
                        pending: d.pending,
                        failed: d.failed,
                        rollout_state: d.rollout_state.as_deref(),
                        rollout_state_reason: d.rollout_state_reason.as_deref(),
                        created_at: d.created_at.map(ts),
                        updated_at: d.updated_at.map(ts),
                    })
                    .collect(),
                events: state
                    .events
                    .iter()
                    .map(|e| EventOut {
                        id: &e.id,
                        created_at: e.created_at.map(ts),
                        message: &e.message,
                        category: state.event_category(&e.id),
                    })
                    .collect(),
                stopped_tasks: state
                    .stopped
                    .iter()
                    .filter_map(|arn| store.stopped_tasks.get(arn))
                    .map(|t| TaskOut {
                        arn: &t.arn,
                        task_definition: &t.task_definition,
                        stopped_at: t.stopped_at.map(ts),
                        stopped_reason: t.stopped_reason.as_deref(),
                        stop_code: t.stop_code.as_deref(),
                        launch_type: t.launch_type.as_deref(),
                        container_instance: store.instance_of(t),
                        category: task_category(pb, t).map(|(e, _)| e.id.as_str()),
                        containers: t
                            .containers
                            .iter()
                            .map(|c| ContainerOut {
                                name: &c.name,
                                exit_code: c.exit_code,
                                reason: c.reason.as_deref(),
                                restart_policy: store.restart_policy_of(t, &c.name),
                            })
                            .collect(),
                        attachments: t
                            .attachment_reasons
                            .iter()
                            .map(|a| AttachmentOut {
                                kind: &a.kind,
                                status: a.status.as_deref(),
                                reason: &a.reason,
                            })
                            .collect(),
                    })
                    .collect(),
                target_groups: store
                    .traffic_of(s)
                    .into_iter()
                    .filter_map(|gv| {
                        let g = gv.state?;
                        Some(GroupOut {
                            arn: &g.group.arn,
                            name: &g.group.name,
                            role: gv.role,
                            role_from: gv.why,
                            blue_green: gv.blue_green,
                            target_type: g.group.target_type.as_deref(),
                            deregistration_delay_s: g.group.deregistration_delay_s,
                            targets: g
                                .targets
                                .iter()
                                .map(|t| TargetOut {
                                    id: &t.id,
                                    port: t.port,
                                    state: &t.state,
                                    reason: t.reason.as_deref(),
                                    description: t.description.as_deref(),
                                    category: if t.state == "healthy" {
                                        None
                                    } else {
                                        pb.classify_target_health(
                                            t.reason.as_deref(),
                                            t.description.as_deref(),
                                        )
                                        .map(|m| m.entry.id.as_str())
                                    },
                                    override_state: t.override_state.as_deref(),
                                    override_reason: t.override_reason.as_deref(),
                                    anomaly: t.anomaly.as_deref(),
                                    mitigation: t.mitigation.as_deref(),
                                })
                                .collect(),
                        })
                    })
                    .collect(),
                production_swaps: state
                    .swaps
                    .iter()
                    .filter(|w| w.at > chrono::DateTime::UNIX_EPOCH)
                    .map(|w| SwapOut {
                        at: w.at.to_rfc3339(),
                        approx: w.approx,
                        to: &w.to,
                        from: w.from.as_deref(),
                    })
                    .collect(),
                service_connect: s.service_connect(),
                vpc_lattice: s
                    .lattice_groups()
                    .into_iter()
                    .map(|l| LatticeOut {
                        target_group_arn: &l.target_group_arn,
                        port_name: &l.port_name,
                        role_arn: &l.role_arn,
                        targets: store
                            .lattice
                            .get(&l.target_group_arn)
                            .map(|(t, _)| t.as_slice()),
                    })
                    .collect(),
                metrics: MetricKind::ALL
                    .iter()
                    .filter_map(|k| {
                        let ring = state.metrics.get(k)?;
                        Some((
                            k.json_key(),
                            ring.iter().map(|p| Point { t: ts(p.t), v: p.v }).collect(),
                        ))
                    })
                    .collect(),
                logs: state
                    .logs
                    .iter()
                    .map(|l| LogOut {
                        t: ts(l.t),
                        stream: &l.stream,
                        message: &l.message,
                    })
                    .collect(),
                findings: state
                    .findings
                    .iter()
                    .map(|f| FindingOut {
                        id: &f.id,
                        severity: f.severity.as_str(),
                        confidence: f.confidence.as_str(),
                        title: &f.title,
                        evidence: &f.evidence,
                        fix: &f.fix,
                        confirm: &f.confirm,
                    })
                    .collect(),
                service_deployment: s.service_deployment.as_ref().map(sd_out),
                deployment_controller: s.controller(),
                task_sets: s
                    .task_sets
                    .iter()
                    .map(|t| TaskSetOut {
                        id: &t.id,
                        status: &t.status,
                        external_id: t.external_id.as_deref(),
                        task_definition: &t.task_definition,
                        desired: t.desired,
                        running: t.running,
                        pending: t.pending,
                        scale_percent: t.scale_percent,
                        stability: t.stability.as_deref(),
                    })
                    .collect(),
                enable_execute_command: s.enable_execute_command,
                running_tasks: state.running_read_at.map(|_| {
                    state
                        .running
                        .iter()
                        .map(|t| RunningOut {
                            arn: &t.arn,
                            task_definition: &t.task_definition,
                            last_status: &t.last_status,
                            desired_status: &t.desired_status,
                            health_status: t.health_status.as_deref(),
                            capacity_provider: t.capacity_provider.as_deref(),
                            availability_zone: t.availability_zone.as_deref(),
                            private_ip: t.private_ip.as_deref(),
                            container_instance: store.instance_of(t),
                            started_at: t.started_at.map(ts),
                            exec_enabled: t.exec_enabled,
                            containers: {
                                let u = usage_of(state, t, now);
                                t.containers
                                    .iter()
                                    .map(|c| RunningContainerOut {
                                        name: &c.name,
                                        last_status: c.last_status.as_deref(),
                                        health_status: c.health_status.as_deref(),
                                        exec_agent: c.exec_agent.as_deref(),
                                        exit_code: c.exit_code,
                                        restart_policy: store.restart_policy_of(t, &c.name),
                                        restarts: u.as_ref().and_then(|u| {
                                            u.restarts.iter().find(|r| r.0 == c.name).map(
                                                |(_, n, total)| RestartsOut {
                                                    last_15_min: *n,
                                                    total: *total,
                                                },
                                            )
                                        }),
                                    })
                                    .collect()
                            },
                            usage: usage_of(state, t, now)
                                .filter(|u| u.cpu.is_some() || u.memory.is_some())
                                .map(|u| UsageOut {
                                    cpu_percent: u.cpu,
                                    memory_percent: u.memory,
                                }),
                        })
                        .collect()
                }),
                scaling: state.scaling.as_deref(),
            }
        })
        .collect();
    let errors = store
        .places
        .iter()
        .flat_map(|t| {
            t.status.iter().flat_map(move |(source, st)| {
                st.errors.iter().map(move |(_, e)| ErrorOut {
                    account: t.account.as_deref(),
                    region: &t.region,
                    source: source.name(),
                    resource: e.resource.as_deref(),
                    message: e.to_string(),
                })
            })
        })
        .collect();
    let watched = store
        .places
        .iter()
        .enumerate()
        .map(|(i, t)| WatchedOut {
            account: t.account.as_deref(),
            region: &t.region,
            profile: t.spec.profile.as_deref(),
            alias: t.spec.alias.as_deref(),
            services: store
                .services
                .keys()
                .filter(|k| usize::from(k.place) == i)
                .count(),
            error: t.credentials_error().map(|e| e.to_string()),
        })
        .collect();
    let snap = Snapshot {
        schema: SCHEMA,
        generated_at: ts(now),
        region: store.region(),
        watched,
        shared_causes: crate::store::findings::together::shared_causes(store, now)
            .into_iter()
            .map(|c| SharedOut {
                summary: c.summary(),
                severity: c.severity.as_str(),
                since: c.since.map(ts),
                services: c
                    .services
                    .iter()
                    .map(|k| {
                        let t = store.place(k.place);
                        format!(
                            "{}/{}/{}/{}",
                            t.account.as_deref().unwrap_or("?"),
                            t.region,
                            k.cluster,
                            k.service
                        )
                    })
                    .collect(),
                accounts: c.accounts,
                regions: c.regions,
                id: c.id,
                title: c.title,
            })
            .collect(),
        services,
        errors,
    };
    serde_json::to_string_pretty(&snap).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
}

/// A running task's Container Insights usage, when the service's task-level series were read.
fn usage_of(
    state: &crate::store::ServiceState,
    t: &crate::model::Task,
    now: Time,
) -> Option<crate::model::TaskUsage> {
    state.task_metrics.read_at?;
    let since =
        now - chrono::Duration::minutes(crate::store::findings::restarts::RESTART_WINDOW_MIN);
    Some(
        state
            .task_metrics
            .usage(crate::model::task_id(&t.arn), since, t.started_at),
    )
}
