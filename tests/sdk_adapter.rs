//! The SDK adapter under aws-smithy-mocks: request shapes, pagination through the pollers,
//! mapping to domain types (sanitized, secrets masked) and error classification.

use aws_sdk_ecs::operation::describe_services::DescribeServicesOutput;
use aws_sdk_ecs::operation::describe_task_definition::DescribeTaskDefinitionOutput;
use aws_sdk_ecs::operation::describe_tasks::DescribeTasksOutput;
use aws_sdk_ecs::operation::list_services::{ListServicesError, ListServicesOutput};
use aws_sdk_ecs::operation::list_tasks::ListTasksOutput;
use aws_sdk_ecs::types as ecs;
use aws_smithy_mocks::{MockResponseInterceptor, Rule, RuleMode, create_mock_http_client, mock};
use aws_smithy_runtime_api::http::{Response, StatusCode};
use aws_smithy_types::body::SdkBody;
use ecswatch::aws::sdk::SdkApi;
use ecswatch::aws::{AwsApi, ErrorKind};
use ecswatch::model::ServiceKey;
use ecswatch::poll::{PlannedService, PollPlan, Scope, ServicesPoller, StoppedTasksPoller};

macro_rules! client {
    ($krate:ident, $rules:expr) => {{
        let mut interceptor = MockResponseInterceptor::new().rule_mode(RuleMode::MatchAny);
        for rule in $rules {
            interceptor = interceptor.with_rule(rule);
        }
        $krate::Client::from_conf(
            $krate::Config::builder()
                .behavior_version($krate::config::BehaviorVersion::latest())
                .region($krate::config::Region::new("us-east-1"))
                .credentials_provider($krate::config::Credentials::new(
                    "AKID", "SECRET", None, None, "test",
                ))
                .retry_config($krate::config::retry::RetryConfig::disabled())
                .http_client(create_mock_http_client())
                .interceptor(interceptor)
                .build(),
        )
    }};
}

fn api(ecs_rules: &[&Rule], elb_rules: &[&Rule]) -> SdkApi {
    let none: &[&Rule] = &[];
    SdkApi::from_clients(
        client!(aws_sdk_ecs, ecs_rules),
        client!(aws_sdk_elasticloadbalancingv2, elb_rules),
        client!(aws_sdk_cloudwatch, none),
        client!(aws_sdk_cloudwatchlogs, none),
        client!(aws_sdk_applicationautoscaling, none),
        "us-east-1".into(),
    )
}

fn now() -> chrono::DateTime<chrono::Utc> {
    chrono::Utc::now()
}

/// A poll plan for the one service prod/web.
fn web_plan() -> PollPlan {
    PollPlan {
        services: vec![PlannedService {
            key: ServiceKey::new("prod", "web"),
            ..Default::default()
        }],
        ..Default::default()
    }
}

fn json_error(status: u16, code: &str, message: &str) -> Response {
    Response::new(
        StatusCode::try_from(status).unwrap(),
        SdkBody::from(format!(r#"{{"__type":"{code}","message":"{message}"}}"#)),
    )
}

fn svc_builder(name: &str) -> ecs::builders::ServiceBuilder {
    ecs::Service::builder()
        .service_name(name)
        .service_arn(format!("arn:aws:ecs:us-east-1:1:service/prod/{name}"))
        .cluster_arn("arn:aws:ecs:us-east-1:1:cluster/prod")
        .status("ACTIVE")
        .desired_count(2)
        .running_count(1)
        .task_definition(format!("arn:aws:ecs:us-east-1:1:task-definition/{name}:3"))
}

fn svc(name: &str) -> ecs::Service {
    svc_builder(name).build()
}

#[tokio::test]
async fn describe_services_maps_deployments_events_and_sanitizes() {
    let rule = mock!(aws_sdk_ecs::Client::describe_services)
        .match_requests(|r| r.cluster() == Some("prod") && r.services() == ["web".to_string()])
        .then_output(|| {
            let mut s = svc_builder("web");
            s = s
                .deployments(
                    ecs::Deployment::builder()
                        .id("ecs-svc/1")
                        .status("PRIMARY")
                        .task_definition("arn:aws:ecs:us-east-1:1:task-definition/web:3")
                        .desired_count(2)
                        .failed_tasks(3)
                        .rollout_state(ecs::DeploymentRolloutState::Failed)
                        .rollout_state_reason(
                            "ECS deployment circuit breaker: tasks failed to start.",
                        )
                        .build(),
                )
                .events(
                    ecs::ServiceEvent::builder()
                        .id("e1")
                        .message(
                            "(service web) \u{1b}]52;c;ZXZpbA==\u{7}has started 1 tasks\u{1b}[2J",
                        )
                        .created_at(aws_smithy_types::DateTime::from_secs(1_700_000_000))
                        .build(),
                )
                .deployment_configuration(
                    ecs::DeploymentConfiguration::builder()
                        .deployment_circuit_breaker(
                            ecs::DeploymentCircuitBreaker::builder()
                                .enable(true)
                                .rollback(false)
                                .build(),
                        )
                        .build(),
                )
                .load_balancers(
                    ecs::LoadBalancer::builder()
                        .target_group_arn(
                            "arn:aws:elasticloadbalancing:us-east-1:1:targetgroup/web/abc",
                        )
                        .container_name("app")
                        .container_port(8080)
                        .build(),
                )
                .network_configuration(
                    ecs::NetworkConfiguration::builder()
                        .awsvpc_configuration(
                            ecs::AwsVpcConfiguration::builder()
                                .subnets("subnet-1")
                                .build()
                                .unwrap(),
                        )
                        .build(),
                );
            DescribeServicesOutput::builder()
                .services(s.build())
                .failures(
                    ecs::Failure::builder()
                        .arn("gone")
                        .reason("MISSING")
                        .build(),
                )
                .build()
        });
    let api = api(&[&rule], &[]);
    let d = api
        .describe_services("prod", &["web".into()])
        .await
        .unwrap();
    assert_eq!(rule.num_calls(), 1);
    let s = &d.found[0];
    assert_eq!(s.cluster, "prod");
    assert_eq!(s.deployments[0].rollout_state.as_deref(), Some("FAILED"));
    assert_eq!(s.deployments[0].failed, 3);
    assert_eq!(s.events[0].message, "(service web) has started 1 tasks");
    assert_eq!(s.events[0].created_at.unwrap().timestamp(), 1_700_000_000);
    assert_eq!(s.deployment_config.circuit_breaker_enable, Some(true));
    assert_eq!(s.deployment_config.circuit_breaker_rollback, Some(false));
    assert_eq!(s.load_balancers[0].container_port, Some(8080));
    assert!(s.awsvpc);
    assert_eq!(s.subnets, vec!["subnet-1"]);
    assert_eq!(
        d.failures,
        vec![("gone".to_string(), "MISSING".to_string())]
    );
}

#[tokio::test]
async fn services_poller_paginates_and_batches_by_ten() {
    // 25 services over 3 pages of ListServices; DescribeServices must be called 3 times (10+10+5).
    let list = mock!(aws_sdk_ecs::Client::list_services)
        .match_requests(|r| r.cluster() == Some("prod") && r.max_results() == Some(100))
        .sequence()
        .output(|| {
            ListServicesOutput::builder()
                .set_service_arns(Some((0..10).map(|i| format!("svc{i:02}")).collect()))
                .next_token("p2")
                .build()
        })
        .output(|| {
            ListServicesOutput::builder()
                .set_service_arns(Some((10..20).map(|i| format!("svc{i:02}")).collect()))
                .next_token("p3")
                .build()
        })
        .output(|| {
            ListServicesOutput::builder()
                .set_service_arns(Some((20..25).map(|i| format!("svc{i:02}")).collect()))
                .build()
        })
        .build();
    let describe = mock!(aws_sdk_ecs::Client::describe_services)
        .match_requests(|r| r.services().len() <= 10)
        .then_compute_output(|r| {
            DescribeServicesOutput::builder()
                .set_services(Some(r.services().iter().map(|n| svc(n)).collect()))
                .build()
        });
    let clusters = mock!(aws_sdk_ecs::Client::describe_clusters)
        .match_requests(|r| {
            r.include() == [aws_sdk_ecs::types::ClusterField::Settings] && r.clusters() == ["prod"]
        })
        .then_output(|| {
            aws_sdk_ecs::operation::describe_clusters::DescribeClustersOutput::builder()
                .clusters(
                    aws_sdk_ecs::types::Cluster::builder()
                        .cluster_name("prod")
                        .settings(
                            aws_sdk_ecs::types::ClusterSetting::builder()
                                .name(aws_sdk_ecs::types::ClusterSettingName::ContainerInsights)
                                .value("enhanced")
                                .build(),
                        )
                        .build(),
                )
                .build()
        });
    let api = api(&[&list, &describe, &clusters], &[]);
    // a whole fleet round in one poll (as `snapshot` asks)
    let plan = PollPlan {
        scope: Scope {
            clusters: vec!["prod".into()],
            services: vec![],
        },
        exhaustive: true,
        ..Default::default()
    };
    let update = ServicesPoller::new().poll(&api, &plan, now()).await;
    assert!(update.errors.is_empty(), "{:?}", update.errors);
    assert_eq!(list.num_calls(), 3);
    assert_eq!(describe.num_calls(), 3);
    match update.payload {
        Some(ecswatch::poll::Payload::Services {
            services,
            listed_clusters,
            roster,
            insights,
        }) => {
            assert_eq!(services.len(), 25);
            assert_eq!(listed_clusters, vec!["prod"]);
            assert_eq!(roster.map(|r| r.len()), Some(25));
            assert_eq!(
                insights,
                [("prod".to_string(), ecswatch::model::Insights::Enhanced)]
            );
        }
        other => panic!("unexpected payload {other:?}"),
    }
}

#[tokio::test]
async fn fleet_rounds_are_spread_over_polls_and_the_listing_is_refreshed() {
    // 200 services = 20 DescribeServices a round; at the default share a round is 15 s, 7
    // batches a 5 s poll: 7 does not divide 20, and the listing must still come back every 4
    // rounds (it once waited for a cursor that never returned to 0).
    let list = mock!(aws_sdk_ecs::Client::list_services).then_output(|| {
        ListServicesOutput::builder()
            .set_service_arns(Some((0..200).map(|i| format!("svc{i:03}")).collect()))
            .build()
    });
    let describe = mock!(aws_sdk_ecs::Client::describe_services)
        .match_requests(|r| r.services().len() <= 10)
        .then_compute_output(|r| {
            DescribeServicesOutput::builder()
                .set_services(Some(r.services().iter().map(|n| svc(n)).collect()))
                .build()
        });
    let clusters = mock!(aws_sdk_ecs::Client::describe_clusters).then_output(|| {
        aws_sdk_ecs::operation::describe_clusters::DescribeClustersOutput::builder().build()
    });
    let api = api(&[&list, &describe, &clusters], &[]);
    let plan = PollPlan {
        scope: Scope {
            clusters: vec!["prod".into()],
            services: vec![],
        },
        ..Default::default()
    };
    let mut poller = ServicesPoller::new();
    let mut per_poll = Vec::new();
    for _ in 0..36 {
        let before = describe.num_calls();
        poller.poll(&api, &plan, now()).await;
        per_poll.push(describe.num_calls() - before);
    }
    // the first poll is the console's first picture: the whole fleet at once (20 calls, from
    // the opening allowance); then rounds
    assert_eq!(per_poll[0], 20);
    assert!(per_poll[1..].iter().all(|n| *n == 7), "{per_poll:?}");
    // a round every 20/7 polls, a listing every 4 rounds: still 4 listings in 36 polls
    assert_eq!(list.num_calls(), 4);
}

#[tokio::test]
async fn stopped_tasks_request_shape_and_describe_once() {
    let list = mock!(aws_sdk_ecs::Client::list_tasks)
        .match_requests(|r| {
            // one listing for the whole cluster, not one per service
            r.cluster() == Some("prod")
                && r.service_name().is_none()
                && r.desired_status() == Some(&ecs::DesiredStatus::Stopped)
        })
        .then_output(|| {
            ListTasksOutput::builder()
                .task_arns("arn:t/1")
                .task_arns("arn:t/2")
                .build()
        });
    let describe = mock!(aws_sdk_ecs::Client::describe_tasks)
        .match_requests(|r| r.tasks().len() == 2)
        .then_output(|| {
            let task = |arn: &str, status: &str| {
                ecs::Task::builder()
                    .task_arn(arn)
                    .cluster_arn("arn:aws:ecs:us-east-1:1:cluster/prod")
                    .group("service:web")
                    .last_status(status)
                    .stop_code(ecs::TaskStopCode::EssentialContainerExited)
                    .stopped_reason("Essential container in task exited")
                    .containers(
                        ecs::Container::builder()
                            .name("app")
                            .exit_code(137)
                            .reason("OutOfMemoryError: Container killed due to memory usage")
                            .build(),
                    )
                    .build()
            };
            DescribeTasksOutput::builder()
                .tasks(task("arn:t/1", "STOPPED"))
                .tasks(task("arn:t/2", "DEPROVISIONING"))
                .build()
        });
    let describe_again = mock!(aws_sdk_ecs::Client::describe_tasks)
        .match_requests(|r| r.tasks() == ["arn:t/2".to_string()])
        .then_output(|| DescribeTasksOutput::builder().build());
    let api = api(&[&list, &describe, &describe_again], &[]);
    let plan = web_plan();
    let mut poller = StoppedTasksPoller::new();
    let first = poller.poll(&api, &plan, now()).await;
    let Some(ecswatch::poll::Payload::StoppedTasks(tasks)) = first.payload else {
        panic!("no tasks")
    };
    assert_eq!(tasks.len(), 2);
    assert_eq!(
        tasks[0].stop_code.as_deref(),
        Some("EssentialContainerExited")
    );
    assert_eq!(tasks[0].containers[0].exit_code, Some(137));
    assert_eq!(tasks[0].service_name(), Some("web"));
    // Second round: the STOPPED task (which the store now holds in its final state) is not
    // described again; the one still stopping is.
    let mut store = ecswatch::store::Store::new(
        Default::default(),
        "us-east-1".into(),
        std::sync::Arc::new(ecswatch::diagnosis::Playbook::builtin()),
    );
    store.apply(ecswatch::poll::Update::new(
        ecswatch::poll::Source::StoppedTasks,
        now(),
        Some(ecswatch::poll::Payload::StoppedTasks(tasks)),
        vec![],
    ));
    let plan = PollPlan {
        exhaustive: true,
        final_tasks: store.plan(None).final_tasks,
        ..plan
    };
    poller.poll(&api, &plan, now()).await;
    assert_eq!(list.num_calls(), 2);
    assert_eq!(describe.num_calls(), 1);
    assert_eq!(describe_again.num_calls(), 1);
}

#[tokio::test]
async fn a_failed_ebs_attachment_s_reason_is_read_and_cleaned() {
    let list = mock!(aws_sdk_ecs::Client::list_tasks)
        .then_output(|| ListTasksOutput::builder().task_arns("arn:t/ebs").build());
    let detail =
        |name: &str, value: &str| ecs::KeyValuePair::builder().name(name).value(value).build();
    let describe = mock!(aws_sdk_ecs::Client::describe_tasks).then_output(move || {
        let task = ecs::Task::builder()
            .task_arn("arn:t/ebs")
            .cluster_arn("arn:aws:ecs:us-east-1:1:cluster/prod")
            .group("service:web")
            .last_status("STOPPED")
            .stop_code(ecs::TaskStopCode::TaskFailedToStart)
            // the network interface attached fine: no reason, nothing to read
            .attachments(
                ecs::Attachment::builder()
                    .r#type("ElasticNetworkInterface")
                    .status("DELETED")
                    .details(detail("privateIPv4Address", "10.0.1.5"))
                    .build(),
            )
            .attachments(
                ecs::Attachment::builder()
                    .r#type("AmazonElasticBlockStorage")
                    .status("FAILED")
                    .details(detail("volumeId", "vol-0123"))
                    .details(detail(
                        "statusReason",
                        "ECS timed out while configuring the EBS volume attachment \u{1b}[2Jto your Task",
                    ))
                    .build(),
            )
            .build();
        DescribeTasksOutput::builder().tasks(task).build()
    });
    let api = api(&[&list, &describe], &[]);
    let plan = web_plan();
    let mut poller = StoppedTasksPoller::new();
    let Some(ecswatch::poll::Payload::StoppedTasks(tasks)) =
        poller.poll(&api, &plan, now()).await.payload
    else {
        panic!("no tasks")
    };
    let reasons = &tasks[0].attachment_reasons;
    assert_eq!(reasons.len(), 1, "{reasons:?}");
    assert_eq!(reasons[0].kind, "AmazonElasticBlockStorage");
    assert_eq!(reasons[0].status.as_deref(), Some("FAILED"));
    assert!(
        !reasons[0].reason.contains('\u{1b}'),
        "{:?}",
        reasons[0].reason
    );
    assert!(
        reasons[0]
            .reason
            .starts_with("ECS timed out while configuring the EBS volume")
    );
    // the task's one category is the attachment's cause, not the bare stop code
    let pb = ecswatch::diagnosis::Playbook::builtin();
    let (entry, matched) = ecswatch::diagnosis::task_category(&pb, &tasks[0]).expect("a category");
    assert_eq!(entry.id, "ebs_volume_filesystem");
    assert!(matched.starts_with("EBS volume: "), "{matched}");
}

#[tokio::test]
async fn task_definition_masks_secret_values() {
    let rule = mock!(aws_sdk_ecs::Client::describe_task_definition).then_output(|| {
        DescribeTaskDefinitionOutput::builder()
            .task_definition(
                ecs::TaskDefinition::builder()
                    .task_definition_arn("arn:aws:ecs:us-east-1:1:task-definition/web:3")
                    .family("web")
                    .revision(3)
                    .container_definitions(
                        ecs::ContainerDefinition::builder()
                            .name("app")
                            .image("nginx:1")
                            .environment(
                                ecs::KeyValuePair::builder()
                                    .name("API_TOKEN")
                                    .value("s3cr3t")
                                    .build(),
                            )
                            .environment(
                                ecs::KeyValuePair::builder()
                                    .name("PORT")
                                    .value("80")
                                    .build(),
                            )
                            .log_configuration(
                                ecs::LogConfiguration::builder()
                                    .log_driver(ecs::LogDriver::Awslogs)
                                    .options("awslogs-group", "/ecs/web")
                                    .options("awslogs-stream-prefix", "ecs")
                                    .build()
                                    .unwrap(),
                            )
                            .build(),
                    )
                    .build(),
            )
            .build()
    });
    let api = api(&[&rule], &[]);
    let td = api.describe_task_definition("web:3").await.unwrap();
    let c = &td.containers[0];
    assert_eq!(
        c.environment[0],
        ("API_TOKEN".to_string(), "********".to_string())
    );
    assert_eq!(c.environment[1], ("PORT".to_string(), "80".to_string()));
    let log = c.log.as_ref().unwrap();
    assert_eq!(
        (log.driver.as_str(), log.group.as_deref()),
        ("awslogs", Some("/ecs/web"))
    );
    assert!(!format!("{td:?}").contains("s3cr3t"));
}

async fn list_services_error(resp: Response) -> ecswatch::aws::ApiError {
    let rule = mock!(aws_sdk_ecs::Client::list_services).then_http_response(move || {
        Response::new(
            resp.status(),
            SdkBody::from(resp.body().bytes().unwrap_or_default()),
        )
    });
    let api = api(&[&rule], &[]);
    api.list_services("prod", None).await.unwrap_err()
}

#[tokio::test]
async fn errors_are_classified() {
    let e = list_services_error(json_error(400, "ThrottlingException", "Rate exceeded")).await;
    assert_eq!(
        (e.kind, e.operation),
        (ErrorKind::Throttled, "ecs:ListServices")
    );
    assert_eq!(e.message, "Rate exceeded");

    let e = list_services_error(json_error(
        400,
        "AccessDeniedException",
        "User: arn:aws:sts::1:assumed-role/r is not authorized to perform: ecs:ListServices",
    ))
    .await;
    assert_eq!(e.kind, ErrorKind::AccessDenied);
    assert!(e.to_string().contains("ecs:ListServices"));

    let e = list_services_error(json_error(
        400,
        "ExpiredTokenException",
        "The security token included in the request is expired",
    ))
    .await;
    assert_eq!(e.kind, ErrorKind::ExpiredCredentials);

    let e = list_services_error(Response::new(
        StatusCode::try_from(503).unwrap(),
        SdkBody::from("oops"),
    ))
    .await;
    assert_eq!(e.kind, ErrorKind::Server);
}

#[tokio::test]
async fn modeled_not_found_error() {
    let rule = mock!(aws_sdk_ecs::Client::list_services).then_error(|| {
        ListServicesError::ClusterNotFoundException(
            aws_sdk_ecs::types::error::ClusterNotFoundException::builder()
                .message("Cluster not found.")
                .build(),
        )
    });
    let api = api(&[&rule], &[]);
    let e = api.list_services("nope", None).await.unwrap_err();
    assert_eq!(e.kind, ErrorKind::NotFound);
    assert_eq!(e.code.as_deref(), Some("ClusterNotFoundException"));
}

#[tokio::test]
async fn elb_query_protocol_errors_are_classified() {
    let rule = mock!(aws_sdk_elasticloadbalancingv2::Client::describe_target_health).then_http_response(|| {
        Response::new(
            StatusCode::try_from(400).unwrap(),
            SdkBody::from(
                "<ErrorResponse><Error><Type>Sender</Type><Code>TargetGroupNotFound</Code>\
                 <Message>One or more target groups not found</Message></Error><RequestId>1</RequestId></ErrorResponse>",
            ),
        )
    });
    let api = api(&[], &[&rule]);
    let e = api.describe_target_health("arn:tg").await.unwrap_err();
    assert_eq!(e.kind, ErrorKind::NotFound);
    assert_eq!(e.operation, "elasticloadbalancing:DescribeTargetHealth");
}

#[tokio::test]
async fn service_deployments_request_shapes_and_mapping() {
    use aws_sdk_ecs::operation::continue_service_deployment::ContinueServiceDeploymentOutput;
    use aws_sdk_ecs::operation::describe_service_deployments::DescribeServiceDeploymentsOutput;
    use aws_sdk_ecs::operation::stop_service_deployment::StopServiceDeploymentOutput;
    use ecswatch::aws::{HookAction, StopType};
    const SD: &str = "arn:aws:ecs:us-east-1:1:service-deployment/prod/web/abc";
    let describe = mock!(aws_sdk_ecs::Client::describe_service_deployments)
        .match_requests(|r| r.service_deployment_arns() == [SD.to_string()])
        .then_output(|| {
            let rev = |arn: &str, prod: f64| {
                ecs::ServiceRevisionSummary::builder()
                    .arn(arn)
                    .requested_task_count(2)
                    .running_task_count(1)
                    .pending_task_count(1)
                    .requested_production_traffic_weight(prod)
                    .requested_test_traffic_weight(100.0)
                    .build()
            };
            DescribeServiceDeploymentsOutput::builder()
                .service_deployments(
                    ecs::ServiceDeployment::builder()
                        .service_deployment_arn(SD)
                        .status(ecs::ServiceDeploymentStatus::InProgress)
                        .lifecycle_stage(ecs::ServiceDeploymentLifecycleStage::PostTestTrafficShift)
                        .target_service_revision(rev("arn:rev/2", 0.0))
                        .source_service_revisions(rev("arn:rev/1", 100.0))
                        .deployment_configuration(
                            ecs::DeploymentConfiguration::builder()
                                .strategy(ecs::DeploymentStrategy::Canary)
                                .bake_time_in_minutes(10)
                                .canary_configuration(
                                    ecs::CanaryConfiguration::builder()
                                        .canary_percent(5.0)
                                        .canary_bake_time_in_minutes(3)
                                        .build(),
                                )
                                .build(),
                        )
                        .alarms(
                            ecs::ServiceDeploymentAlarms::builder()
                                .status(ecs::ServiceDeploymentRollbackMonitorsStatus::Triggered)
                                .alarm_names("web-5xx")
                                .triggered_alarm_names("web-5xx\u{1b}[31m")
                                .build(),
                        )
                        .lifecycle_hook_details(
                            ecs::DeploymentLifecycleHookDetail::builder()
                                .hook_id("h-1")
                                .target_arn("arn:aws:lambda:us-east-1:1:function:approve")
                                .target_type(ecs::DeploymentLifecycleHookTargetType::AwsLambda)
                                .status(ecs::DeploymentLifecycleHookStatus::AwaitingAction)
                                .timeout_action(ecs::DeploymentLifecycleHookAction::Rollback)
                                .build(),
                        )
                        .build(),
                )
                .build()
        });
    let stop = mock!(aws_sdk_ecs::Client::stop_service_deployment)
        .match_requests(|r| {
            r.service_deployment_arn() == Some(SD)
                && r.stop_type() == Some(&ecs::StopServiceDeploymentStopType::Abort)
        })
        .then_output(|| StopServiceDeploymentOutput::builder().build());
    let cont = mock!(aws_sdk_ecs::Client::continue_service_deployment)
        .match_requests(|r| {
            r.service_deployment_arn() == Some(SD)
                && r.hook_id() == Some("h-1")
                && r.action() == Some(&ecs::DeploymentLifecycleHookAction::Continue)
        })
        .then_output(|| ContinueServiceDeploymentOutput::builder().build());
    let api = api(&[&describe, &stop, &cont], &[]);
    let got = api
        .describe_service_deployments(&[SD.to_string()])
        .await
        .unwrap();
    let d = &got.found[0];
    assert_eq!(d.strategy.as_deref(), Some("CANARY"));
    assert_eq!(
        d.lifecycle_stage.as_deref(),
        Some("POST_TEST_TRAFFIC_SHIFT")
    );
    assert_eq!((d.step_percent, d.step_bake_minutes), (Some(5.0), Some(3)));
    assert_eq!(d.bake_time_minutes, Some(10));
    let t = d.target_revision.as_ref().unwrap();
    assert_eq!(
        (
            t.requested,
            t.running,
            t.pending,
            t.production_weight,
            t.test_weight
        ),
        (2, 1, 1, Some(0.0), Some(100.0))
    );
    assert_eq!(d.source_revisions[0].production_weight, Some(100.0));
    // untrusted text is sanitized
    assert_eq!(d.triggered_alarms(), ["web-5xx".to_string()]);
    let h = d.awaiting_hook().unwrap();
    assert_eq!(
        (
            h.id.as_str(),
            h.stage.as_deref(),
            h.timeout_action.as_deref(),
            h.target_type.as_deref()
        ),
        (
            "h-1",
            Some("POST_TEST_TRAFFIC_SHIFT"),
            Some("ROLLBACK"),
            Some("AWS_LAMBDA")
        )
    );
    assert_eq!(d.phase(), Some("WAITING FOR APPROVAL"));
    api.stop_service_deployment(SD, StopType::Abort)
        .await
        .unwrap();
    api.continue_service_deployment(SD, "h-1", HookAction::Continue)
        .await
        .unwrap();
    assert_eq!(describe.num_calls(), 1);
    assert_eq!(stop.num_calls(), 1);
    assert_eq!(cont.num_calls(), 1);
}
