//! ECS calls and conversions.

use super::{SdkApi, clean, map_err, to_time_opt};
use crate::aws::{ApiResult, Described, Page, ServiceChange};
use crate::model::{
    AttachmentReason, ConnectService, ContainerDef, ContainerState, CurrentRevision, Deployment,
    DeploymentConfig, HookConfig, LatticeConfig, LoadBalancerRef, LogConfig, Service,
    ServiceConnect, ServiceEvent, Task, TaskDefinition, TaskSet, short_name,
    taskdef::is_secret_name,
};
use crate::sanitize;
use aws_sdk_ecs::types;

impl SdkApi {
    pub(super) async fn ecs_list_task_definitions(
        &self,
        family: &str,
        next: Option<String>,
    ) -> ApiResult<Page<String>> {
        let out = self
            .ecs()
            .list_task_definitions()
            .family_prefix(family)
            .status(types::TaskDefinitionStatus::Active)
            .sort(types::SortOrder::Desc)
            .max_results(100)
            .set_next_token(next)
            .send()
            .await
            .map_err(|e| map_err("ecs:ListTaskDefinitions", e))?;
        Ok(Page {
            // familyPrefix matches prefixes: keep exactly this family
            items: out
                .task_definition_arns()
                .iter()
                .map(|s| sanitize::clean(s))
                .filter(|a| {
                    short_name(a)
                        .rsplit_once(':')
                        .is_some_and(|(f, _)| f == family)
                })
                .collect(),
            next: out.next_token().map(str::to_owned),
        })
    }

    pub(super) async fn ecs_update_service(
        &self,
        cluster: &str,
        service: &str,
        change: &ServiceChange,
    ) -> ApiResult<()> {
        self.ecs()
            .update_service()
            .cluster(cluster)
            .service(service)
            .set_task_definition(change.task_definition.clone())
            .set_desired_count(change.desired_count)
            .set_force_new_deployment(change.force_new_deployment.then_some(true))
            .send()
            .await
            .map_err(|e| map_err("ecs:UpdateService", e))?;
        Ok(())
    }

    pub(super) async fn ecs_stop_task(
        &self,
        cluster: &str,
        task: &str,
        reason: &str,
    ) -> ApiResult<()> {
        self.ecs()
            .stop_task()
            .cluster(cluster)
            .task(task)
            .reason(reason)
            .send()
            .await
            .map_err(|e| map_err("ecs:StopTask", e))?;
        Ok(())
    }

    pub(super) async fn ecs_list_clusters(&self, next: Option<String>) -> ApiResult<Page<String>> {
        let out = self
            .ecs()
            .list_clusters()
            .max_results(100)
            .set_next_token(next)
            .send()
            .await
            .map_err(|e| map_err("ecs:ListClusters", e))?;
        Ok(Page {
            items: out
                .cluster_arns()
                .iter()
                .map(|s| sanitize::clean(s))
                .collect(),
            next: out.next_token().map(str::to_owned),
        })
    }

    pub(super) async fn ecs_list_services(
        &self,
        cluster: &str,
        next: Option<String>,
    ) -> ApiResult<Page<String>> {
        let out = self
            .ecs()
            .list_services()
            .cluster(cluster)
            .max_results(100)
            .set_next_token(next)
            .send()
            .await
            .map_err(|e| map_err("ecs:ListServices", e))?;
        Ok(Page {
            items: out
                .service_arns()
                .iter()
                .map(|s| sanitize::clean(s))
                .collect(),
            next: out.next_token().map(str::to_owned),
        })
    }

    pub(super) async fn ecs_describe_services(
        &self,
        cluster: &str,
        services: &[String],
    ) -> ApiResult<Described<Service>> {
        let out = self
            .ecs()
            .describe_services()
            .cluster(cluster)
            .set_services(Some(services.to_vec()))
            .send()
            .await
            .map_err(|e| map_err("ecs:DescribeServices", e))?;
        Ok(Described {
            found: out.services().iter().map(|s| service(s, cluster)).collect(),
            failures: out
                .failures()
                .iter()
                .map(|f| (clean(f.arn()), clean(f.reason())))
                .collect(),
        })
    }

    pub(super) async fn ecs_container_insights(
        &self,
        clusters: &[String],
    ) -> ApiResult<Vec<(String, crate::model::Insights)>> {
        let out = self
            .ecs()
            .describe_clusters()
            .set_clusters(Some(clusters.to_vec()))
            .include(types::ClusterField::Settings)
            .send()
            .await
            .map_err(|e| map_err("ecs:DescribeClusters", e))?;
        Ok(out
            .clusters()
            .iter()
            .map(|c| {
                // "enabled", or "enhanced" (Container Insights with enhanced observability)
                let level = c
                    .settings()
                    .iter()
                    .find(|s| s.name() == Some(&types::ClusterSettingName::ContainerInsights))
                    .and_then(|s| s.value())
                    .map(crate::model::Insights::from_setting)
                    .unwrap_or_default();
                (clean(c.cluster_name()), level)
            })
            .collect())
    }

    pub(super) async fn ecs_list_stopped_tasks(
        &self,
        cluster: &str,
        service: Option<&str>,
        next: Option<String>,
    ) -> ApiResult<Page<String>> {
        let out = self
            .ecs()
            .list_tasks()
            .cluster(cluster)
            .set_service_name(service.map(str::to_owned))
            .desired_status(types::DesiredStatus::Stopped)
            .max_results(100)
            .set_next_token(next)
            .send()
            .await
            .map_err(|e| map_err("ecs:ListTasks", e))?;
        Ok(Page {
            items: out.task_arns().iter().map(|s| sanitize::clean(s)).collect(),
            next: out.next_token().map(str::to_owned),
        })
    }

    pub(super) async fn ecs_list_running_tasks(
        &self,
        cluster: &str,
        service: Option<&str>,
        next: Option<String>,
    ) -> ApiResult<Page<String>> {
        let out = self
            .ecs()
            .list_tasks()
            .cluster(cluster)
            .set_service_name(service.map(str::to_owned))
            .desired_status(types::DesiredStatus::Running)
            .max_results(100)
            .set_next_token(next)
            .send()
            .await
            .map_err(|e| map_err("ecs:ListTasks", e))?;
        Ok(Page {
            items: out.task_arns().iter().map(|s| sanitize::clean(s)).collect(),
            next: out.next_token().map(str::to_owned),
        })
    }

    pub(super) async fn ecs_describe_tasks(
        &self,
        cluster: &str,
        tasks: &[String],
    ) -> ApiResult<Described<Task>> {
        let out = self
            .ecs()
            .describe_tasks()
            .cluster(cluster)
            .set_tasks(Some(tasks.to_vec()))
            .send()
            .await
            .map_err(|e| map_err("ecs:DescribeTasks", e))?;
        Ok(Described {
            found: out.tasks().iter().map(|t| task(t, cluster)).collect(),
            failures: out
                .failures()
                .iter()
                .map(|f| (clean(f.arn()), clean(f.reason())))
                .collect(),
        })
    }

    pub(super) async fn ecs_describe_task_definition(
        &self,
        arn: &str,
    ) -> ApiResult<TaskDefinition> {
        let out = self
            .ecs()
            .describe_task_definition()
            .task_definition(arn)
            .send()
            .await
            .map_err(|e| map_err("ecs:DescribeTaskDefinition", e))?;
        Ok(out
            .task_definition()
            .map(task_definition)
            .unwrap_or_else(|| TaskDefinition {
                arn: sanitize::clean(arn),
                ..Default::default()
            }))
    }
}

fn service(s: &types::Service, cluster: &str) -> Service {
    let dc = s.deployment_configuration();
    let cb = dc.and_then(|d| d.deployment_circuit_breaker());
    Service {
        place: 0,
        arn: clean(s.service_arn()),
        name: clean(s.service_name()),
        cluster: sanitize::clean(short_name(s.cluster_arn().unwrap_or(cluster))),
        status: clean(s.status()),
        desired: s.desired_count(),
        running: s.running_count(),
        pending: s.pending_count(),
        task_definition: clean(s.task_definition()),
        launch_type: s.launch_type().map(|l| sanitize::clean(l.as_str())),
        resource_management_type: s
            .resource_management_type()
            .map(|r| sanitize::clean(r.as_str())),
        az_rebalancing: s
            .availability_zone_rebalancing()
            .map(|a| sanitize::clean(a.as_str())),
        awsvpc: s
            .network_configuration()
            .and_then(|n| n.awsvpc_configuration())
            .is_some(),
        subnets: s
            .network_configuration()
            .and_then(|n| n.awsvpc_configuration())
            .map(|a| a.subnets().iter().map(|x| sanitize::clean(x)).collect())
            .unwrap_or_default(),
        health_check_grace_s: s.health_check_grace_period_seconds(),
        deployment_config: DeploymentConfig {
            circuit_breaker_enable: cb.map(|c| c.enable()),
            circuit_breaker_rollback: cb.map(|c| c.rollback()),
            minimum_healthy_percent: dc.and_then(|d| d.minimum_healthy_percent()),
            maximum_percent: dc.and_then(|d| d.maximum_percent()),
            strategy: dc
                .and_then(|d| d.strategy())
                .map(|x| sanitize::clean(x.as_str())),
            bake_time_minutes: dc.and_then(|d| d.bake_time_in_minutes()),
            early_success: dc
                .and_then(|d| d.early_success_criteria())
                .filter(|e| e.enable())
                .map(|e| crate::model::EarlySuccess {
                    healthy_percent: e.healthy_percent(),
                    cleanup: e
                        .source_service_revision_cleanup()
                        .map(|c| sanitize::clean(c.as_str())),
                }),
            alarm_names: dc
                .and_then(|d| d.alarms())
                .map(|a| a.alarm_names().iter().map(|x| sanitize::clean(x)).collect())
                .unwrap_or_default(),
            alarms_enable: dc.and_then(|d| d.alarms()).map(|a| a.enable()),
            hooks: dc
                .map(|d| d.lifecycle_hooks().iter().map(hook_config).collect())
                .unwrap_or_default(),
        },
        deployments: s.deployments().iter().map(deployment).collect(),
        events: s
            .events()
            .iter()
            .map(|e| ServiceEvent {
                id: clean(e.id()),
                created_at: to_time_opt(e.created_at()),
                message: clean(e.message()),
            })
            .collect(),
        load_balancers: s
            .load_balancers()
            .iter()
            .map(|l| LoadBalancerRef {
                target_group_arn: l.target_group_arn().map(sanitize::clean),
                load_balancer_name: l.load_balancer_name().map(sanitize::clean),
                container_name: l.container_name().map(sanitize::clean),
                container_port: l.container_port(),
                alternate_target_group_arn: l
                    .advanced_configuration()
                    .and_then(|a| a.alternate_target_group_arn())
                    .map(sanitize::clean),
                production_listener_rule: l
                    .advanced_configuration()
                    .and_then(|a| a.production_listener_rule())
                    .map(sanitize::clean),
                test_listener_rule: l
                    .advanced_configuration()
                    .and_then(|a| a.test_listener_rule())
                    .map(sanitize::clean),
                role_arn: l
                    .advanced_configuration()
                    .and_then(|a| a.role_arn())
                    .map(sanitize::clean),
            })
            .collect(),
        created_at: to_time_opt(s.created_at()),
        controller: s
            .deployment_controller()
            .map(|c| sanitize::clean(c.r#type().as_str())),
        current_service_deployment: s.current_service_deployment().map(sanitize::clean),
        service_deployment: None,
        deployment_history: Vec::new(),
        task_sets: s.task_sets().iter().map(task_set).collect(),
        enable_execute_command: s.enable_execute_command(),
        current_revisions: s
            .current_service_revisions()
            .iter()
            .map(|r| CurrentRevision {
                arn: clean(r.arn()),
                requested: r.requested_task_count(),
                running: r.running_task_count(),
                pending: r.pending_task_count(),
                target_groups: Vec::new(),
                resolved: false,
                managed: Default::default(),
            })
            .collect(),
    }
}

fn hook_config(h: &types::DeploymentLifecycleHook) -> HookConfig {
    HookConfig {
        target: clean(h.hook_target_arn()),
        stages: h
            .lifecycle_stages()
            .iter()
            .map(|s| sanitize::clean(s.as_str()))
            .collect(),
        timeout_minutes: h
            .timeout_configuration()
            .and_then(|t| t.timeout_in_minutes()),
        timeout_action: h
            .timeout_configuration()
            .and_then(|t| t.action())
            .map(|a| sanitize::clean(a.as_str())),
    }
}

fn task_set(t: &types::TaskSet) -> TaskSet {
    TaskSet {
        id: clean(t.id()),
        status: clean(t.status()),
        external_id: t.external_id().map(sanitize::clean),
        task_definition: clean(t.task_definition()),
        desired: t.computed_desired_count(),
        running: t.running_count(),
        pending: t.pending_count(),
        scale_percent: t.scale().map(|s| s.value()).filter(|v| v.is_finite()),
        stability: t.stability_status().map(|s| sanitize::clean(s.as_str())),
    }
}

fn deployment(d: &types::Deployment) -> Deployment {
    Deployment {
        id: clean(d.id()),
        status: clean(d.status()),
        task_definition: clean(d.task_definition()),
        desired: d.desired_count(),
        running: d.running_count(),
        pending: d.pending_count(),
        failed: d.failed_tasks(),
        rollout_state: d.rollout_state().map(|r| sanitize::clean(r.as_str())),
        rollout_state_reason: d.rollout_state_reason().map(sanitize::clean),
        created_at: to_time_opt(d.created_at()),
        updated_at: to_time_opt(d.updated_at()),
        service_connect: d
            .service_connect_configuration()
            .map(|c| service_connect(c, d.service_connect_resources())),
        vpc_lattice: d
            .vpc_lattice_configurations()
            .iter()
            .map(|l| LatticeConfig {
                target_group_arn: sanitize::clean(l.target_group_arn()),
                port_name: sanitize::clean(l.port_name()),
                role_arn: sanitize::clean(l.role_arn()),
            })
            .collect(),
    }
}

fn service_connect(
    c: &types::ServiceConnectConfiguration,
    resources: &[types::ServiceConnectServiceResource],
) -> ServiceConnect {
    ServiceConnect {
        enabled: c.enabled(),
        namespace: c.namespace().map(sanitize::clean),
        services: c
            .services()
            .iter()
            .map(|s| ConnectService {
                port_name: sanitize::clean(s.port_name()),
                discovery_name: s.discovery_name().map(sanitize::clean),
                aliases: s
                    .client_aliases()
                    .iter()
                    .map(|a| (a.port(), a.dns_name().map(sanitize::clean)))
                    .collect(),
                tls_ca: s
                    .tls()
                    .and_then(|t| t.issuer_certificate_authority())
                    .and_then(|ca| ca.aws_pca_authority_arn())
                    .map(sanitize::clean),
                tls_role: s.tls().and_then(|t| t.role_arn()).map(sanitize::clean),
            })
            .collect(),
        proxy_logs: c.log_configuration().is_some(),
        access_logs: c.access_log_configuration().is_some(),
        resources: resources
            .iter()
            .map(|r| (clean(r.discovery_name()), clean(r.discovery_arn())))
            .collect(),
    }
}

fn task(t: &types::Task, cluster: &str) -> Task {
    Task {
        place: 0,
        arn: clean(t.task_arn()),
        cluster: sanitize::clean(short_name(t.cluster_arn().unwrap_or(cluster))),
        task_definition: clean(t.task_definition_arn()),
        group: t.group().map(sanitize::clean),
        started_by: t.started_by().map(sanitize::clean),
        last_status: clean(t.last_status()),
        desired_status: clean(t.desired_status()),
        started_at: to_time_opt(t.started_at()),
        stopping_at: to_time_opt(t.stopping_at()),
        stopped_at: to_time_opt(t.stopped_at()),
        stopped_reason: t.stopped_reason().map(sanitize::clean),
        stop_code: t.stop_code().map(|c| sanitize::clean(c.as_str())),
        containers: t
            .containers()
            .iter()
            .map(|c| ContainerState {
                name: clean(c.name()),
                image: c.image().map(sanitize::clean),
                last_status: c.last_status().map(sanitize::clean),
                exit_code: c.exit_code(),
                reason: c.reason().map(sanitize::clean),
                health_status: c.health_status().map(|h| sanitize::clean(h.as_str())),
                exec_agent: c
                    .managed_agents()
                    .iter()
                    .find(|a| a.name().map(|n| n.as_str()) == Some("ExecuteCommandAgent"))
                    .and_then(|a| a.last_status())
                    .map(sanitize::clean),
            })
            .collect(),
        health_status: t.health_status().map(|h| sanitize::clean(h.as_str())),
        capacity_provider: t.capacity_provider_name().map(sanitize::clean),
        launch_type: t.launch_type().map(|l| sanitize::clean(l.as_str())),
        availability_zone: t.availability_zone().map(sanitize::clean),
        container_instance_arn: t.container_instance_arn().map(sanitize::clean),
        private_ip: task_private_ip(t),
        exec_enabled: t.enable_execute_command(),
        attachment_reasons: attachment_reasons(t),
    }
}

/// Every attachment that carries a `statusReason` detail (DescribeTasks gives one only when
/// the attachment failed to be created, attached or released).
fn attachment_reasons(t: &types::Task) -> Vec<AttachmentReason> {
    t.attachments()
        .iter()
        .filter_map(|a| {
            let reason = a
                .details()
                .iter()
                .find(|d| d.name() == Some("statusReason"))
                .and_then(|d| d.value())
                .map(sanitize::clean)
                .filter(|r| !r.trim().is_empty())?;
            Some(AttachmentReason {
                kind: clean(a.r#type()),
                status: a.status().map(sanitize::clean),
                reason,
            })
        })
        .collect()
}

/// The task's private IPv4 address: its ENI attachment's `privateIPv4Address` (awsvpc), else
/// a container's network interface.
fn task_private_ip(t: &types::Task) -> Option<String> {
    t.attachments()
        .iter()
        .filter(|a| a.r#type() == Some("ElasticNetworkInterface"))
        .flat_map(|a| a.details())
        .find(|d| d.name() == Some("privateIPv4Address"))
        .and_then(|d| d.value())
        .or_else(|| {
            t.containers()
                .iter()
                .flat_map(|c| c.network_interfaces())
                .find_map(|n| n.private_ipv4_address())
        })
        .map(sanitize::clean)
}

fn task_definition(td: &types::TaskDefinition) -> TaskDefinition {
    TaskDefinition {
        arn: clean(td.task_definition_arn()),
        family: clean(td.family()),
        revision: td.revision(),
        network_mode: td.network_mode().map(|n| sanitize::clean(n.as_str())),
        execution_role_arn: td.execution_role_arn().map(sanitize::clean),
        task_role_arn: td.task_role_arn().map(sanitize::clean),
        containers: td
            .container_definitions()
            .iter()
            .map(container_def)
            .collect(),
    }
}

fn container_def(c: &types::ContainerDefinition) -> ContainerDef {
    ContainerDef {
        name: clean(c.name()),
        image: clean(c.image()),
        essential: c.essential().unwrap_or(true),
        command: c.command().iter().map(|s| sanitize::clean(s)).collect(),
        entry_point: c.entry_point().iter().map(|s| sanitize::clean(s)).collect(),
        environment: c
            .environment()
            .iter()
            .map(|kv| {
                let name = clean(kv.name());
                let value = if is_secret_name(&name) {
                    crate::model::taskdef::MASK.to_string()
                } else {
                    clean(kv.value())
                };
                (name, value)
            })
            .collect(),
        stop_timeout_s: c.stop_timeout(),
        restart_policy: c.restart_policy().filter(|r| r.enabled()).map(|r| {
            crate::model::RestartPolicy {
                ignored_exit_codes: r.ignored_exit_codes().to_vec(),
                attempt_period_s: r.restart_attempt_period(),
            }
        }),
        log: c.log_configuration().map(|l| {
            let opt = |k: &str| {
                l.options()
                    .and_then(|o| o.get(k))
                    .map(|v| sanitize::clean(v))
            };
            LogConfig {
                driver: sanitize::clean(l.log_driver().as_str()),
                group: opt("awslogs-group"),
                region: opt("awslogs-region"),
                stream_prefix: opt("awslogs-stream-prefix"),
            }
        }),
    }
}
