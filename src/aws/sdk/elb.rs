//! Elastic Load Balancing v2 calls and conversions.

use super::{SdkApi, clean, map_err};
use crate::aws::ApiResult;
use crate::model::{TargetGroup, TargetHealth};
use crate::sanitize;

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
                }
            })
            .collect())
    }
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
