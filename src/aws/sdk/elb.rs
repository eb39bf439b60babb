//! Elastic Load Balancing v2 calls and conversions.

use super::{SdkApi, clean, map_err};
use crate::aws::ApiResult;
use crate::model::{ListenerRule, TargetGroup, TargetHealth};
use crate::sanitize;
use aws_sdk_elasticloadbalancingv2::types;

impl SdkApi {
    pub(super) async fn elb_describe_target_groups(
        &self,
        arns: &[String],
    ) -> ApiResult<Vec<TargetGroup>> {
        let out = self
            .elb()
            .describe_target_groups()
            .set_target_group_arns(Some(arns.to_vec()))
            .send()
            .await
            .map_err(|e| map_err("elasticloadbalancing:DescribeTargetGroups", e))?;
        Ok(out
            .target_groups()
            .iter()
            .map(|tg| TargetGroup {
                arn: clean(tg.target_group_arn()),
                name: clean(tg.target_group_name()),
                target_type: tg.target_type().map(|t| sanitize::clean(t.as_str())),
                protocol: tg.protocol().map(|p| sanitize::clean(p.as_str())),
                port: tg.port(),
                health_check_path: tg.health_check_path().map(sanitize::clean),
                load_balancer_dimensions: tg
                    .load_balancer_arns()
                    .iter()
                    .filter_map(|a| load_balancer_dimension(a))
                    .collect(),
                deregistration_delay_s: None,
            })
            .collect())
    }

    pub(super) async fn elb_deregistration_delay(&self, arn: &str) -> ApiResult<Option<i64>> {
        let out = self
            .elb()
            .describe_target_group_attributes()
            .target_group_arn(arn)
            .send()
            .await
            .map_err(|e| map_err("elasticloadbalancing:DescribeTargetGroupAttributes", e))?;
        Ok(out
            .attributes()
            .iter()
            .find(|a| a.key() == Some("deregistration_delay.timeout_seconds"))
            .and_then(|a| a.value())
            .and_then(|v| v.trim().parse().ok()))
    }

    pub(super) async fn elb_describe_target_health(
        &self,
        arn: &str,
    ) -> ApiResult<Vec<TargetHealth>> {
        let out = self
            .elb()
            .describe_target_health()
            .target_group_arn(arn)
            .include(types::DescribeTargetHealthInputIncludeEnum::All)
            .send()
            .await
            .map_err(|e| map_err("elasticloadbalancing:DescribeTargetHealth", e))?;
        Ok(out
            .target_health_descriptions()
            .iter()
            .map(|d| {
                let h = d.target_health();
                TargetHealth {
                    id: clean(d.target().and_then(|t| t.id())),
                    port: d.target().and_then(|t| t.port()),
                    state: h
                        .and_then(|h| h.state())
                        .map(|s| sanitize::clean(s.as_str()))
                        .unwrap_or_default(),
                    reason: h
                        .and_then(|h| h.reason())
                        .map(|r| sanitize::clean(r.as_str())),
                    description: h.and_then(|h| h.description()).map(sanitize::clean),
                    override_state: d
                        .administrative_override()
                        .and_then(|o| o.state())
                        .map(|s| sanitize::clean(s.as_str()))
                        .filter(|s| s != "no_override"),
                    override_reason: d
                        .administrative_override()
                        .and_then(|o| o.reason())
                        .map(|s| sanitize::clean(s.as_str()))
                        .filter(|s| s != "AdministrativeOverride.NoOverride"),
                    override_description: d
                        .administrative_override()
                        .and_then(|o| o.description())
                        .map(sanitize::clean),
                    anomaly: d
                        .anomaly_detection()
                        .and_then(|a| a.result())
                        .map(|r| sanitize::clean(r.as_str())),
                    mitigation: d
                        .anomaly_detection()
                        .and_then(|a| a.mitigation_in_effect())
                        .map(|m| sanitize::clean(m.as_str())),
                }
            })
            .collect())
    }
}

impl SdkApi {
    pub(super) async fn elb_describe_rules(&self, arns: &[String]) -> ApiResult<Vec<ListenerRule>> {
        let found = self
            .elb()
            .describe_rules()
            .set_rule_arns(Some(arns.to_vec()))
            .send()
            .await
            .map_err(|e| map_err("elasticloadbalancing:DescribeRules", e))?;
        Ok(found
            .rules()
            .iter()
            .map(|r| ListenerRule {
                arn: clean(r.rule_arn()),
                forwards: forwards(r.actions()),
            })
            .collect())
    }

    pub(super) async fn elb_describe_listeners(
        &self,
        arns: &[String],
    ) -> ApiResult<Vec<ListenerRule>> {
        let found = self
            .elb()
            .describe_listeners()
            .set_listener_arns(Some(arns.to_vec()))
            .send()
            .await
            .map_err(|e| map_err("elasticloadbalancing:DescribeListeners", e))?;
        Ok(found
            .listeners()
            .iter()
            .map(|l| ListenerRule {
                arn: clean(l.listener_arn()),
                forwards: forwards(l.default_actions()),
            })
            .collect())
    }
}

/// The groups forward actions send to, with their weights (a plain forward: weight 1).
fn forwards(actions: &[types::Action]) -> Vec<(String, i32)> {
    let mut out = Vec::new();
    for a in actions {
        if a.r#type().map(|t| t.as_str()) != Some("forward") {
            continue;
        }
        match a.forward_config().map(|f| f.target_groups()) {
            Some(groups) if !groups.is_empty() => {
                for g in groups {
                    if let Some(arn) = g.target_group_arn() {
                        out.push((sanitize::clean(arn), g.weight().unwrap_or(1).max(0)));
                    }
                }
            }
            _ => {
                if let Some(arn) = a.target_group_arn() {
                    out.push((sanitize::clean(arn), 1));
                }
            }
        }
    }
    out
}

/// `arn:...:loadbalancer/app/NAME/ID` -> `app/NAME/ID`, the CloudWatch `LoadBalancer` dimension.
pub fn load_balancer_dimension(arn: &str) -> Option<String> {
    arn.split_once(":loadbalancer/")
        .map(|(_, d)| sanitize::clean(d))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lb_dimension() {
        assert_eq!(
            load_balancer_dimension(
                "arn:aws:elasticloadbalancing:us-east-1:1:loadbalancer/app/web/50dc6c495c0c9188"
            )
            .as_deref(),
            Some("app/web/50dc6c495c0c9188")
        );
        assert_eq!(load_balancer_dimension("nonsense"), None);
    }
}
