//! ECS container instances: DescribeContainerInstances with their health.

use super::{SdkApi, clean, map_err, to_time_opt};
use crate::aws::{ApiResult, Described};
use crate::model::{ContainerInstance, InstanceHealth, InstanceHealthCheck, short_name};
use crate::sanitize;
use aws_sdk_ecs::types;

impl SdkApi {
    pub(super) async fn ecs_describe_container_instances(
        &self,
        cluster: &str,
        arns: &[String],
    ) -> ApiResult<Described<ContainerInstance>> {
        let out = self
            .ecs()
            .describe_container_instances()
            .cluster(cluster)
            .set_container_instances(Some(arns.to_vec()))
            .include(types::ContainerInstanceField::ContainerInstanceHealth)
            .send()
            .await
            .map_err(|e| map_err("ecs:DescribeContainerInstances", e))?;
        Ok(Described {
            found: out
                .container_instances()
                .iter()
                .map(|i| instance(i, cluster))
                .collect(),
            failures: out
                .failures()
                .iter()
                .map(|f| (clean(f.arn()), clean(f.reason())))
                .collect(),
        })
    }
}

fn remaining(i: &types::ContainerInstance, name: &str) -> Option<i32> {
    i.remaining_resources()
        .iter()
        .find(|r| r.name() == Some(name))
        .map(|r| r.integer_value())
}

fn instance(i: &types::ContainerInstance, cluster: &str) -> ContainerInstance {
    ContainerInstance {
        place: 0,
        arn: clean(i.container_instance_arn()),
        cluster: sanitize::clean(short_name(cluster)),
        ec2_instance_id: i.ec2_instance_id().map(sanitize::clean),
        status: clean(i.status()),
        status_reason: i.status_reason().map(sanitize::clean),
        agent_connected: i.agent_connected(),
        capacity_provider: i.capacity_provider_name().map(sanitize::clean),
        agent_version: i
            .version_info()
            .and_then(|v| v.agent_version())
            .map(sanitize::clean),
        running_tasks: i.running_tasks_count(),
        pending_tasks: i.pending_tasks_count(),
        remaining_cpu: remaining(i, "CPU"),
        remaining_memory: remaining(i, "MEMORY"),
        health: i.health_status().map(|h| InstanceHealth {
            overall: h
                .overall_status()
                .map(|s| sanitize::clean(s.as_str()))
                .unwrap_or_default(),
            checks: h
                .details()
                .iter()
                .map(|c| InstanceHealthCheck {
                    kind: c
                        .r#type()
                        .map(|t| sanitize::clean(t.as_str()))
                        .unwrap_or_default(),
                    status: c
                        .status()
                        .map(|s| sanitize::clean(s.as_str()))
                        .unwrap_or_default(),
                    reason: c.status_reason().map(sanitize::clean),
                    last_status_change: to_time_opt(c.last_status_change()),
                })
                .collect(),
        }),
    }
}
