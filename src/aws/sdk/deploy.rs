//! Service deployments: DescribeServiceDeployments, DescribeServiceRevisions,
//! ListServiceDeployments, and the two writes that act on a deployment.

use super::{SdkApi, clean, map_err, to_time_opt};
use crate::aws::{ApiResult, Described, HookAction, Page, StopType};
use crate::model::{
    BreakerState, DeploymentBrief, HookState, MonitorState, Revision, RevisionDetail, RollbackInfo,
    ServiceDeployment,
};
use crate::sanitize;
use aws_sdk_ecs::types;

impl SdkApi {
    pub(super) async fn ecs_describe_service_deployments(
        &self,
        arns: &[String],
    ) -> ApiResult<Described<ServiceDeployment>> {
        let out = self
            .ecs()
            .describe_service_deployments()
            .set_service_deployment_arns(Some(arns.to_vec()))
            .send()
            .await
            .map_err(|e| map_err("ecs:DescribeServiceDeployments", e))?;
        Ok(Described {
            found: out
                .service_deployments()
                .iter()
                .map(service_deployment)
                .collect(),
            failures: out
                .failures()
                .iter()
                .map(|f| (clean(f.arn()), clean(f.reason())))
                .collect(),
        })
    }

    pub(super) async fn ecs_describe_service_revisions(
        &self,
        arns: &[String],
    ) -> ApiResult<Vec<RevisionDetail>> {
        let out = self
            .ecs()
            .describe_service_revisions()
            .set_service_revision_arns(Some(arns.to_vec()))
            .send()
            .await
            .map_err(|e| map_err("ecs:DescribeServiceRevisions", e))?;
        Ok(out
            .service_revisions()
            .iter()
            .filter_map(|r| {
                let resolved = r.resolved_configuration();
                Some(RevisionDetail {
                    arn: sanitize::clean(r.service_revision_arn()?),
                    task_definition: clean(r.task_definition()),
                    target_groups: resolved
                        .map(|c| {
                            c.load_balancers()
                                .iter()
                                .filter_map(|l| l.target_group_arn().map(sanitize::clean))
                                .collect()
                        })
                        .unwrap_or_default(),
                    lattice_groups: resolved
                        .map(|c| {
                            c.vpc_lattice_configurations()
                                .iter()
                                .filter_map(|l| l.target_group_arn().map(sanitize::clean))
                                .collect()
                        })
                        .unwrap_or_default(),
                    managed: super::express::managed_resources(r.ecs_managed_resources()),
                })
            })
            .collect())
    }

    pub(super) async fn ecs_list_service_deployments(
        &self,
        cluster: &str,
        service: &str,
        next: Option<String>,
    ) -> ApiResult<Page<DeploymentBrief>> {
        let out = self
            .ecs()
            .list_service_deployments()
            .cluster(cluster)
            .service(service)
            .max_results(100)
            .set_next_token(next)
            .send()
            .await
            .map_err(|e| map_err("ecs:ListServiceDeployments", e))?;
        Ok(Page {
            items: out
                .service_deployments()
                .iter()
                .map(|b| DeploymentBrief {
                    arn: clean(b.service_deployment_arn()),
                    status: b
                        .status()
                        .map(|s| sanitize::clean(s.as_str()))
                        .unwrap_or_default(),
                    status_reason: b.status_reason().map(sanitize::clean),
                    created_at: to_time_opt(b.created_at()),
                    started_at: to_time_opt(b.started_at()),
                    finished_at: to_time_opt(b.finished_at()),
                    target_revision: b.target_service_revision_arn().map(sanitize::clean),
                })
                .collect(),
            next: out.next_token().map(str::to_owned),
        })
    }

    pub(super) async fn ecs_stop_service_deployment(
        &self,
        arn: &str,
        stop: StopType,
    ) -> ApiResult<()> {
        let stop_type = match stop {
            StopType::Rollback => types::StopServiceDeploymentStopType::Rollback,
            StopType::Abort => types::StopServiceDeploymentStopType::Abort,
        };
        self.ecs()
            .stop_service_deployment()
            .service_deployment_arn(arn)
            .stop_type(stop_type)
            .send()
            .await
            .map_err(|e| map_err("ecs:StopServiceDeployment", e))?;
        Ok(())
    }

    pub(super) async fn ecs_continue_service_deployment(
        &self,
        arn: &str,
        hook: &str,
        action: HookAction,
    ) -> ApiResult<()> {
        let action = match action {
            HookAction::Continue => types::DeploymentLifecycleHookAction::Continue,
            HookAction::Rollback => types::DeploymentLifecycleHookAction::Rollback,
        };
        self.ecs()
            .continue_service_deployment()
            .service_deployment_arn(arn)
            .hook_id(hook)
            .action(action)
            .send()
            .await
            .map_err(|e| map_err("ecs:ContinueServiceDeployment", e))?;
        Ok(())
    }
}

fn finite(v: Option<f64>) -> Option<f64> {
    v.filter(|x| x.is_finite())
}

fn revision(r: &types::ServiceRevisionSummary) -> Revision {
    Revision {
        arn: clean(r.arn()),
        task_definition: None,
        requested: r.requested_task_count(),
        running: r.running_task_count(),
        pending: r.pending_task_count(),
        production_weight: finite(r.requested_production_traffic_weight()),
        test_weight: finite(r.requested_test_traffic_weight()),
        target_groups: Vec::new(),
    }
}

fn monitor(status: Option<&types::ServiceDeploymentRollbackMonitorsStatus>) -> String {
    status
        .map(|s| sanitize::clean(s.as_str()))
        .unwrap_or_default()
}

pub(super) fn service_deployment(d: &types::ServiceDeployment) -> ServiceDeployment {
    let config = d.deployment_configuration();
    let stage = d.lifecycle_stage().map(|s| sanitize::clean(s.as_str()));
    let (step_percent, step_bake_minutes) = match config {
        Some(c) if c.linear_configuration().is_some() => {
            let l = c.linear_configuration();
            (
                finite(l.and_then(|l| l.step_percent())),
                l.and_then(|l| l.step_bake_time_in_minutes()),
            )
        }
        Some(c) if c.canary_configuration().is_some() => {
            let k = c.canary_configuration();
            (
                finite(k.and_then(|k| k.canary_percent())),
                k.and_then(|k| k.canary_bake_time_in_minutes()),
            )
        }
        _ => (None, None),
    };
    let hooks = d
        .lifecycle_hook_details()
        .iter()
        .map(|h| {
            let status = h
                .status()
                .map(|s| sanitize::clean(s.as_str()))
                .unwrap_or_default();
            let target = h.target_arn().map(sanitize::clean);
            let running = matches!(status.as_str(), "IN_PROGRESS" | "AWAITING_ACTION");
            // a hook detail does not name its stage: while it runs it is the deployment's;
            // otherwise the configuration's, when the hook is attached to one stage only
            let configured = config
                .map(|c| c.lifecycle_hooks())
                .unwrap_or_default()
                .iter()
                .find(|c| c.hook_target_arn().map(sanitize::clean) == target)
                .map(|c| c.lifecycle_stages())
                .filter(|s| s.len() == 1)
                .map(|s| sanitize::clean(s[0].as_str()));
            HookState {
                id: clean(h.hook_id()),
                stage: if running { stage.clone() } else { configured },
                status,
                target,
                expires_at: to_time_opt(h.expires_at()),
                timeout_action: h.timeout_action().map(|a| sanitize::clean(a.as_str())),
                target_type: h.target_type().map(|t| sanitize::clean(t.as_str())),
            }
        })
        .collect();
    ServiceDeployment {
        arn: clean(d.service_deployment_arn()),
        status: d
            .status()
            .map(|s| sanitize::clean(s.as_str()))
            .unwrap_or_default(),
        status_reason: d.status_reason().map(sanitize::clean),
        strategy: config
            .and_then(|c| c.strategy())
            .map(|s| sanitize::clean(s.as_str())),
        lifecycle_stage: stage,
        created_at: to_time_opt(d.created_at()),
        started_at: to_time_opt(d.started_at()),
        updated_at: to_time_opt(d.updated_at()),
        finished_at: to_time_opt(d.finished_at()),
        stopped_at: to_time_opt(d.stopped_at()),
        bake_time_minutes: config.and_then(|c| c.bake_time_in_minutes()),
        step_percent,
        step_bake_minutes,
        target_revision: d.target_service_revision().map(revision),
        source_revisions: d.source_service_revisions().iter().map(revision).collect(),
        alarms: d.alarms().map(|a| MonitorState {
            status: monitor(a.status()),
            names: a.alarm_names().iter().map(|s| sanitize::clean(s)).collect(),
            triggered: a
                .triggered_alarm_names()
                .iter()
                .map(|s| sanitize::clean(s))
                .collect(),
        }),
        circuit_breaker: d.deployment_circuit_breaker().map(|c| BreakerState {
            status: monitor(c.status()),
            failures: c.failure_count(),
            threshold: c.threshold(),
        }),
        rollback: d.rollback().map(|r| RollbackInfo {
            reason: r.reason().map(sanitize::clean),
            started_at: to_time_opt(r.started_at()),
            revision: r.service_revision_arn().map(sanitize::clean),
        }),
        hooks,
    }
}
