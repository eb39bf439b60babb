//! The demo's service auto scaling: checkout-api tracks CPU between 2 and 8 tasks and scaled
//! out once for the rollout; search-api tracks requests per target, its `ResourceLabel` naming
//! its own target group; payments-api is not registered.

use super::world::{DEMO_CLUSTER, World, tg_arn};
use crate::model::{
    NotScaledReason, ScalableTarget, Scaling, ScalingActivity, ScalingPolicy,
    scaling::{resource_id, resource_label},
};
use chrono::Duration;

pub fn of(w: &World, service: &str) -> Scaling {
    let target = |min, max| ScalableTarget {
        resource_id: resource_id(DEMO_CLUSTER, service),
        min,
        max,
        ..Default::default()
    };
    match service {
        "checkout-api" => Scaling {
            target: Some(target(2, 8)),
            policies: vec![ScalingPolicy {
                name: "checkout-api-cpu60".into(),
                policy_type: "TargetTrackingScaling".into(),
                metric: Some("ECSServiceAverageCPUUtilization".into()),
                target_value: Some(60.0),
                alarms: vec![
                    "TargetTracking-service/prod/checkout-api-AlarmHigh-4f1c".into(),
                    "TargetTracking-service/prod/checkout-api-AlarmLow-9a2e".into(),
                ],
                ..Default::default()
            }],
            activities: vec![
                ScalingActivity {
                    id: "6a1f4f0e-2b3c-4d5e-8f90-1a2b3c4d5e6f".into(),
                    status: "Successful".into(),
                    status_message: Some("Successfully set desired count to 4. Change successfully fulfilled by ecs.".into()),
                    description: "Setting desired count to 4.".into(),
                    cause: "monitor alarm TargetTracking-service/prod/checkout-api-AlarmHigh-4f1c in state ALARM triggered policy checkout-api-cpu60".into(),
                    start: Some(w.now - Duration::minutes(47)),
                    end: Some(w.now - Duration::minutes(46)),
                    not_scaled: Vec::new(),
                },
                ScalingActivity {
                    id: "0b9e8d7c-6f5a-4b3c-9d2e-1f0a9b8c7d6e".into(),
                    status: "Failed".into(),
                    status_message: None,
                    description: "Attempting to scale in to 3.".into(),
                    cause: "monitor alarm TargetTracking-service/prod/checkout-api-AlarmLow-9a2e in state ALARM triggered policy checkout-api-cpu60".into(),
                    start: Some(w.now - Duration::minutes(4)),
                    end: Some(w.now - Duration::minutes(4)),
                    not_scaled: vec![NotScaledReason {
                        code: "AlreadyAtMinCapacity".into(),
                        min: Some(2),
                        current: Some(4),
                        ..Default::default()
                    }],
                },
            ],
            unread: Vec::new(),
        },
        "search-api" => Scaling {
            target: Some(target(4, 12)),
            policies: vec![ScalingPolicy {
                name: "search-api-requests".into(),
                policy_type: "TargetTrackingScaling".into(),
                metric: Some("ALBRequestCountPerTarget".into()),
                resource_label: resource_label(
                    "app/prod-public/50dc6c495c0c9188",
                    &tg_arn("search-api-tg", "0c5a9d7e21f4b836"),
                ),
                target_value: Some(1000.0),
                ..Default::default()
            }],
            activities: Vec::new(),
            unread: Vec::new(),
        },
        _ => Scaling::default(),
    }
}
