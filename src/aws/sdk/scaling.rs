//! Application Auto Scaling (namespace `ecs`, dimension `ecs:service:DesiredCount`): scalable
//! targets, scaling policies, scaling activities.

use super::{SdkApi, map_err, to_time, to_time_opt};
use crate::aws::{ApiResult, Page};
use crate::model::{NotScaledReason, ScalableTarget, ScalingActivity, ScalingPolicy};
use crate::sanitize::clean;
use aws_sdk_applicationautoscaling::types;

impl SdkApi {
    pub(super) async fn scaling_describe_targets(
        &self,
        resource_ids: &[String],
        next: Option<String>,
    ) -> ApiResult<Page<ScalableTarget>> {
        let out = self
            .scaling()
            .describe_scalable_targets()
            .service_namespace(types::ServiceNamespace::Ecs)
            .scalable_dimension(types::ScalableDimension::EcsServiceDesiredCount)
            .set_resource_ids((!resource_ids.is_empty()).then(|| resource_ids.to_vec()))
            .max_results(50)
            .set_next_token(next)
            .send()
            .await
            .map_err(|e| map_err("application-autoscaling:DescribeScalableTargets", e))?;
        let items = out
            .scalable_targets()
            .iter()
            .map(|t| {
                let s = t.suspended_state();
                ScalableTarget {
                    resource_id: clean(t.resource_id()),
                    min: t.min_capacity(),
                    max: t.max_capacity(),
                    dynamic_in_suspended: s
                        .and_then(|s| s.dynamic_scaling_in_suspended())
                        .unwrap_or(false),
                    dynamic_out_suspended: s
                        .and_then(|s| s.dynamic_scaling_out_suspended())
                        .unwrap_or(false),
                    scheduled_suspended: s
                        .and_then(|s| s.scheduled_scaling_suspended())
                        .unwrap_or(false),
                }
            })
            .collect();
        Ok(Page {
            items,
            next: out.next_token().map(str::to_owned),
        })
    }

    pub(super) async fn scaling_describe_policies(
        &self,
        resource_id: &str,
        next: Option<String>,
    ) -> ApiResult<Page<ScalingPolicy>> {
        let out = self
            .scaling()
            .describe_scaling_policies()
            .service_namespace(types::ServiceNamespace::Ecs)
            .scalable_dimension(types::ScalableDimension::EcsServiceDesiredCount)
            .resource_id(resource_id)
            .max_results(50)
            .set_next_token(next)
            .send()
            .await
            .map_err(|e| map_err("application-autoscaling:DescribeScalingPolicies", e))?;
        Ok(Page {
            items: out.scaling_policies().iter().map(policy).collect(),
            next: out.next_token().map(str::to_owned),
        })
    }

    pub(super) async fn scaling_describe_activities(
        &self,
        resource_id: &str,
    ) -> ApiResult<Vec<ScalingActivity>> {
        let out = self
            .scaling()
            .describe_scaling_activities()
            .service_namespace(types::ServiceNamespace::Ecs)
            .scalable_dimension(types::ScalableDimension::EcsServiceDesiredCount)
            .resource_id(resource_id)
            .include_not_scaled_activities(true)
            .max_results(50)
            .send()
            .await
            .map_err(|e| map_err("application-autoscaling:DescribeScalingActivities", e))?;
        Ok(out.scaling_activities().iter().map(activity).collect())
    }
}

fn policy(p: &types::ScalingPolicy) -> ScalingPolicy {
    let tt = p.target_tracking_scaling_policy_configuration();
    let predefined = tt.and_then(|c| c.predefined_metric_specification());
    ScalingPolicy {
        name: clean(p.policy_name()),
        policy_type: clean(p.policy_type().as_str()),
        metric: match (
            predefined,
            tt.and_then(|c| c.customized_metric_specification()),
        ) {
            (Some(m), _) => Some(clean(m.predefined_metric_type().as_str())),
            (None, Some(_)) => Some("custom".into()),
            (None, None) => None,
        },
        resource_label: predefined.and_then(|m| m.resource_label()).map(clean),
        target_value: tt.map(|c| c.target_value()),
        disable_scale_in: tt.and_then(|c| c.disable_scale_in()).unwrap_or(false),
        alarms: p.alarms().iter().map(|a| clean(a.alarm_name())).collect(),
    }
}

fn activity(a: &types::ScalingActivity) -> ScalingActivity {
    ScalingActivity {
        id: clean(a.activity_id()),
        status: clean(a.status_code().as_str()),
        status_message: a.status_message().map(clean),
        description: clean(a.description()),
        cause: clean(a.cause()),
        start: to_time(a.start_time()),
        end: to_time_opt(a.end_time()),
        not_scaled: a
            .not_scaled_reasons()
            .iter()
            .map(|r| NotScaledReason {
                code: clean(r.code()),
                max: r.max_capacity(),
                min: r.min_capacity(),
                current: r.current_capacity(),
            })
            .collect(),
    }
}
