//! Generalization: variants of the reference failures written from AWS documentation and real
//! incidents — reworded across platform versions, truncated, older console phrasing — none of
//! which appears in the reference file. Plus precedence and unknown text.

use EvidenceKind::*;
use ecswatch::diagnosis::{EvidenceKind, Playbook};

const VARIANTS: &[(EvidenceKind, &str, &str)] = &[
    // image: reworded and older Docker-daemon phrasing
    (
        StoppedReason,
        "CannotPullContainerError: Error response from daemon: manifest for 111122223333.dkr.ecr.eu-west-1.amazonaws.com/api:latest not found: manifest unknown: Requested image not found",
        "image_pull_not_found",
    ),
    (
        ContainerReason,
        "CannotPullContainerError: failed to resolve ref docker.io/acme/api:2.0: docker.io/acme/api:2.0: not found",
        "image_pull_not_found",
    ),
    (
        StoppedReason,
        "CannotPullContainerError: Error response from daemon: Get https://registry-1.docker.io/v2/: dial tcp 10.0.0.1:443: i/o timeout",
        "image_pull_no_route",
    ),
    (
        StoppedReason,
        "CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref 1.dkr.ecr.us-east-1.amazonaws.com/app:v1: failed to do request: Head \"https://1.dkr.ecr.us-east-1.amazonaws.com/v2/app/manifests/v1\": dial tcp 3.2",
        "image_pull_no_route",
    ),
    (
        StoppedReason,
        "ResourceInitializationError: unable to pull secrets or registry auth: pull command failed: : signal: killed",
        "image_pull_no_route",
    ),
    (
        StoppedReason,
        "CannotPullContainerError: Error response from daemon: toomanyrequests: You have reached your pull rate limit. You may increase the limit by authenticating and upgrading",
        "image_pull_rate_limited",
    ),
    (
        StoppedReason,
        "CannotPullContainerError: no matching manifest for linux/arm64/v8 in the manifest list entries",
        "image_platform_mismatch",
    ),
    (
        ContainerReason,
        "CannotPullContainerError: Error response from daemon: pull access denied for 111122223333.dkr.ecr.us-east-1.amazonaws.com/api, repository does not exist or may require 'docker login': denied: Your authorization token has expired. Reauthenticate and try again.",
        "image_pull_auth",
    ),
    (
        ContainerReason,
        "CannotPullContainerError: Error response from daemon: Head \"https://ghcr.io/v2/acme/api/manifests/1.0\": unauthorized: authentication required",
        "image_pull_auth",
    ),
    (
        StoppedReason,
        "CannotPullContainerError: failed to register layer: write /usr/lib/jvm/libjvm.so: no space left on device",
        "ephemeral_storage",
    ),
    (
        ContainerReason,
        "CannotPullECRContainerError: RequestError: send request failed\ncaused by: Post \"https://api.ecr.eu-west-1.amazonaws.com/\": dial tcp 52.94.1.10:443: i/o timeout",
        "image_pull_no_route",
    ),
    (
        ContainerReason,
        "CannotPullContainerError: Error response from daemon: Get \"https://registry.acme.internal/v2/\": dial tcp: lookup registry.acme.internal on 10.1.0.2:53: no such host",
        "image_pull_no_route",
    ),
    (
        ContainerReason,
        "CannotPullContainerAuthError: engine docker private registry credentials: not found for ghcr.io/acme/api:1.2",
        "image_pull_auth",
    ),
    // init
    (
        StoppedReason,
        "Fsxwindowsfileserver resource: failed to retrieve credentials for the file system share: AccessDeniedException",
        "volume_error",
    ),
    (
        StoppedReason,
        "Unable to download firelens s3 config file: unable to initialize s3 client for bucket acme-logs: MissingRegion",
        "task_init_failed",
    ),
    // the agent's own forms of a network namespace it could not set up (docker_task_engine.go,
    // ContainerNetworkingError), which the field corpus has only as an engineer pasted it
    (
        ContainerReason,
        "ContainerNetworkingError: container resource provisioning: failed to setup network namespace: bridge ipam ADD: failed to get IPv4 address from the IPAM",
        "task_init_failed",
    ),
    (
        StoppedReason,
        "ContainerNetworkingError: startContainer: cni plugin invocation failed: plugin type=\"ecs-serviceconnect\" failed (add): netlink: no such device",
        "task_init_failed",
    ),
    (
        StoppedReason,
        "ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve secrets from ssm: service call has been retried 1 time(s): AccessDeniedException: User: arn:aws:sts::1:assumed-role/exec/abc is not authorized to perform: ssm:GetParameters",
        "secrets_pull_permission",
    ),
    (
        StoppedReason,
        "ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve secret from asm: service call has been retried 5 time(s): failed to fetch secret arn:aws:secretsmanager:us-east-1:1:secret:db: ResourceNotFoundException: Secrets Manager can't find the specified secret.",
        "secrets_pull_permission",
    ),
    (
        StoppedReason,
        "ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve secret from asm: service call has been retried 5 time(s): RequestError: send request failed caused by: Post \"https://secretsmanager.us-east-1.amazonaws.com/\": dial tcp 10.1.2.3:443: i/o timeout",
        "secrets_pull_network",
    ),
    (
        StoppedReason,
        "ResourceInitializationError: failed to validate logger args: create stream has been retried 7 times: failed to create Cloudwatch log stream: AccessDeniedException: User: arn:aws:sts::1:assumed-role/exec is not authorized to perform: logs:CreateLogStream",
        "log_permission",
    ),
    (
        StoppedReason,
        "ResourceInitializationError: failed to validate logger args: create stream has been retried 1 times: failed to create Cloudwatch log stream: ResourceNotFoundException: The specified log group does not exist.",
        "log_group_missing",
    ),
    (
        StoppedReason,
        "ResourceInitializationError: failed to validate logger args: : signal: killed",
        "log_network",
    ),
    (
        StoppedReason,
        "ResourceInitializationError: failed to invoke EFS utils commands to set up EFS volumes: stderr: mount.nfs4: Connection timed out",
        "efs_mount_failed",
    ),
    (
        StoppedReason,
        "Timeout waiting for network interface provisioning to complete.",
        "eni_provisioning_timeout",
    ),
    // runtime
    (
        StoppedReason,
        "TaskStateError: agent could not progress task state to stopped",
        "container_stop_failed",
    ),
    (
        ContainerReason,
        "OutOfMemoryError: Container killed due to memo",
        "oom",
    ),
    (
        ContainerReason,
        "CannotStartContainerError: API error (500): OCI runtime create failed: container_linux.go:349: starting container process caused \"exec: \\\"/docker-entrypoint.sh\\\": permission denied\": unknown",
        "bad_entrypoint",
    ),
    (
        ContainerReason,
        "standard_init_linux.go:228: exec user process caused: exec format error",
        "bad_entrypoint",
    ),
    (
        ContainerReason,
        "CannotStartContainerError: Error response from daemon: OCI runtime create failed: container_linux.go:380: starting container process caused: process_linux.go:545: container init caused: rootfs_linux.go:76: mounting \"/efs\" to rootfs at \"/data\" caused: mount through procfd: no such file or directory: unknown",
        "volume_error",
    ),
    (
        ContainerReason,
        "DockerTimeoutError: Could not transition to created; timed out after waiting 4m0s",
        "container_runtime_timeout",
    ),
    (
        ContainerReason,
        "CannotCreateContainerError: Error response from daemon: devmapper: Thin Pool has 0 free data blocks",
        "host_disk_full",
    ),
    // placement, quotas, deploy (older "service X" form and newer "(service X)" form)
    (
        ServiceEvent,
        "(service web) was unable to place a task because no container instance met all of its requirements. The closest matching (container-instance 1234) is already using a port required by your task.",
        "placement_port_conflict",
    ),
    (
        ServiceEvent,
        "service web was unable to place a task because no container instance met all of its requirements. The closest matching container-instance 1234 has insufficient CPU units available.",
        "placement_insufficient_cpu",
    ),
    (
        ServiceEvent,
        "(service web) was unable to place a task. Reason: You've reached the limit on the number of tasks you can run concurrently. For more information, see the Troubleshooting section.",
        "task_limit_quota",
    ),
    (
        ServiceEvent,
        "(service web) was unable to place a task. Reason: No Fargate configuration exists for given values: 512 CPU, 8192 memory.",
        "task_size_quota",
    ),
    (
        ServiceEvent,
        "(service web) failed to launch a task with (error ECS was unable to assume the role 'arn:aws:iam::1:role/web' that was provided for this task.)",
        "task_role_assume_failed",
    ),
    (
        ServiceEvent,
        "(service web) was unable to place a task. Reason: Capacity is unavailable at this time. Please try again later or in a different availability zone.",
        "fargate_capacity_unavailable",
    ),
    (
        ServiceEvent,
        "(service web) (deployment ecs-svc/123) deployment failed: tasks failed to start.",
        "deployment_failed_circuit_breaker",
    ),
    (
        RolloutReason,
        "ECS deployment circuit breaker: rolling back to deploymentId ecs-svc/987.",
        "deployment_rollback",
    ),
    (
        RolloutReason,
        "CloudWatch alarm(s) requested rollback: web-5xx",
        "deployment_failed_alarm",
    ),
    (
        ServiceEvent,
        "(service web) has started 2 tasks: (task a) (task b).",
        "task_started",
    ),
    (
        ServiceEvent,
        "(service web) has reached a steady state.",
        "steady_state",
    ),
    // health
    (
        ServiceEvent,
        "(service web) (port 80) is unhealthy in (target-group arn:aws:elasticloadbalancing:eu-west-1:1:targetgroup/web/1) due to (reason Health checks failed with these codes: [404]).",
        "elb_health_check_bad_status",
    ),
    (
        ServiceEvent,
        "(service web) (instance i-1) (port 80) is unhealthy in (target-group arn:aws:elasticloadbalancing:eu-west-1:1:targetgroup/web/1) due to (reason Request timed out).",
        "elb_health_check_timeout",
    ),
    (
        StoppedReason,
        "Task failed container health checks",
        "container_health_check_failed",
    ),
    (
        TargetHealth,
        "Target is in an Availability Zone that is not enabled for the load balancer",
        "elb_az_not_enabled",
    ),
    (
        TargetHealth,
        "Initial health checks in progress",
        "target_warming_up",
    ),
    (TargetHealth, "Target.InvalidState", "target_not_serving"),
    (TargetHealth, "Target.Timeout", "elb_health_check_timeout"),
    (
        TargetHealth,
        "Health checks failed",
        "elb_health_check_failed",
    ),
    // lifecycle
    (StoppedReason, "Task stopped by user", "user_initiated_stop"),
    (
        StoppedReason,
        "Your Spot Task was interrupted.",
        "spot_interruption",
    ),
    (
        StoppedReason,
        "ECS is performing maintenance on the underlying infrastructure hosting the task",
        "termination_notice",
    ),
    (StopCode, "TaskFailedToStart", "task_failed_to_start"),
    // blue/green service deployments: ECS's reason for its own rollback, in wordings beside
    // the troubleshooting page's. The first three are as engineers quoted them (a runbook, an
    // incident write-up, an acceptance test) in files the index holds without a path or commit,
    // so they are variants here rather than corpus lines.
    (
        RolloutReason,
        "Service deployment rolled back because of invalid networking configuration. One or more rules not found",
        "deployment_network_config",
    ),
    (
        ServiceEvent,
        "deployment failed: Service deployment rolled back because PRE_SCALE_UP lifecycle hook(s) failed. ECS was unable to parse the response from arn:aws:lambda:us-east-1:1:function:web-pre-scale-hook due to: HookStatus must not be null.",
        "deployment_hook_failed",
    ),
    (
        RolloutReason,
        "Service deployment rolled back because the circuit breaker threshold was exceeded.",
        "deployment_failed_circuit_breaker",
    ),
    (
        RolloutReason,
        "Service deployment rolled back because PRODUCTION_TRAFFIC_SHIFT lifecycle hook(s) failed. ECS was unable to assume role arn:aws:iam::1:role/web-hooks",
        "deployment_hook_permission",
    ),
    (
        RolloutReason,
        "Service deployment rolled back because POST_PRODUCTION_TRAFFIC_SHIFT pause hook timed out.",
        "deployment_pause_timed_out",
    ),
    (
        ServiceEvent,
        "(service web) failed to modify listener rule with (error User: arn:aws:sts::1:assumed-role/web-infra/ecs-service-scheduler is not authorized to perform: elasticloadbalancing:ModifyRule on resource: arn:aws:elasticloadbalancing:us-east-1:1:listener-rule/app/web/1/2/3)",
        "deployment_infra_role",
    ),
    (
        RolloutReason,
        "Service deployment rolled back because of invalid networking configuration. productionListenerRule arn:aws:elasticloadbalancing:us-east-1:1:listener-rule/app/web/1/2/3 should have exactly one target group serving traffic but found 0 target groups which are serving traffic",
        "deployment_network_config",
    ),
    // exit codes in the forms people paste them
    (ExitCode, "2", "app_error"),
    (ExitCode, "exit code 127", "bad_entrypoint"),
    (ExitCode, "{\"exitCode\": 139}", "segfault"),
];

#[test]
fn variants_written_from_the_documentation_classify() {
    let pb = Playbook::builtin();
    let wrong: Vec<String> = VARIANTS
        .iter()
        .filter_map(|(k, text, want)| {
            let got = pb.classify_id(*k, text);
            (got != Some(want)).then(|| format!("{k:?}: want {want}, got {got:?}: {text}"))
        })
        .collect();
    assert!(
        wrong.is_empty(),
        "{} of {} variants wrong:\n{}",
        wrong.len(),
        VARIANTS.len(),
        wrong.join("\n")
    );
}

#[test]
fn the_specific_cause_wins_over_the_generic_one() {
    let pb = Playbook::builtin();
    let text = "CannotPullContainerError: pull image manifest has been retried 1 time(s): failed to resolve ref \
                1.dkr.ecr.us-east-1.amazonaws.com/app:v2: not found. Essential container in task exited";
    assert_eq!(
        pb.classify_id(StoppedReason, text),
        Some("image_pull_not_found")
    );
    assert_eq!(
        pb.classify(None, text).map(|e| e.id.as_str()),
        Some("image_pull_not_found")
    );
    // ECR throttling is throttling, not a permission problem
    assert_eq!(
        pb.classify_id(
            ContainerReason,
            "CannotPullECRContainerError: ThrottlingException: Rate exceeded"
        ),
        Some("throttled")
    );
    // a secret fetched over "unable to pull secrets or registry auth" is about the secret
    assert_eq!(
        pb.classify_id(StoppedReason, "ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve secret from asm: AccessDeniedException: not authorized"),
        Some("secrets_pull_permission")
    );
    // ECS failing to assume a lifecycle hook's role is the hook's role (trust for
    // ecs.amazonaws.com), not the task role (ecs-tasks.amazonaws.com); the task role's own
    // message stays the task role's
    assert_eq!(
        pb.classify_id(RolloutReason, "Service deployment rolled back because TEST_TRAFFIC_SHIFT lifecycle hook(s) failed. ECS was unable to assume role arn:aws:iam::1:role/Admin"),
        Some("deployment_hook_permission")
    );
    assert_eq!(
        pb.classify_id(ServiceEvent, "(service web) failed to launch a task with (error ECS was unable to assume the role 'arn:aws:iam::1:role/web-task' that was provided for this task. Please verify that the role being passed has the proper trust relationship and permissions and that your IAM user has permissions to pass this role.)"),
        Some("task_role_assume_failed")
    );
    // "lifecycle hook(s) failed" that was the infrastructure role's missing permission
    assert_eq!(
        pb.classify_id(RolloutReason, "Service deployment rolled back because TEST_TRAFFIC_SHIFT lifecycle hook(s) failed. User: arn:aws:sts::1:assumed-role/elb/ECSNetworkingWithELB is not authorized to perform: elasticloadbalancing:ModifyListener"),
        Some("deployment_infra_role")
    );
}

#[test]
fn a_rollout_reason_names_a_deployment_cause_never_a_task_s() {
    // A rollout reason quotes the words of what failed inside the deployment: a hook role ECS
    // could not assume, a permission the infrastructure role lacks. Where no deployment rule
    // knows the words (here: none is left), a rule for a task's own cause must not take them.
    let full = Playbook::builtin();
    let pb = full.retain_rules(|i| {
        let r = &full.rules[i];
        r.family != "deploy" || r.id == "deployment_failed"
    });
    for reason in [
        "Service deployment rolled back because TEST_TRAFFIC_SHIFT lifecycle hook(s) failed. ECS was unable to assume role arn:aws:iam::1:role/Admin",
        "Service deployment rolled back because TEST_TRAFFIC_SHIFT lifecycle hook(s) failed. User: arn:aws:sts::1:assumed-role/elb/ECSNetworkingWithELB is not authorized to perform: elasticloadbalancing:ModifyListener",
        "Service deployment rolled back because PRE_SCALE_UP lifecycle hook(s) failed. ECS was unable to invoke hook target arn:aws:lambda:us-west-2:1:function:hook due to AccessDeniedException",
    ] {
        let got = pb.classify(Some(RolloutReason), reason);
        assert_eq!(
            got.map(|e| e.id.as_str()),
            Some("deployment_failed"),
            "{reason}"
        );
        // the same words in a task's stopped reason are still the task's
        assert!(
            pb.classify(Some(StoppedReason), reason)
                .is_none_or(|e| e.family != "deploy"),
            "{reason}"
        );
    }
    assert_eq!(
        pb.classify_id(
            RolloutReason,
            "ECS deployment circuit breaker: tasks failed to start. Rate exceeded"
        ),
        Some("throttled"),
        "the API throttling a deployment is a cause a rollout reason names"
    );
    // a target's health is about the target: words a task's cause shares are not taken
    let no_health = full.retain_rules(|i| full.rules[i].family != "health");
    assert_eq!(
        no_health.classify_id(TargetHealth, "Connection to target timed out"),
        None
    );
}

#[test]
fn unknown_text_is_none_not_a_guess() {
    let pb = Playbook::builtin();
    for text in [
        "",
        "   ",
        "the quick brown fox",
        "Everything is fine",
        "(service web) updated its configuration",
        "exitCode",
    ] {
        assert_eq!(
            pb.classify(None, text).map(|e| e.id.clone()),
            None,
            "{text:?}"
        );
    }
    // a target health reason nobody knows is still a health problem, and says it is a family match
    let m = pb
        .classify_match(Some(TargetHealth), "Target.SomethingNew")
        .expect("family fallback");
    assert_eq!(m.entry.id, "target_unhealthy");
    assert_eq!(m.confidence, ecswatch::diagnosis::Confidence::Family);
    assert_eq!(pb.classify_id(ExitCode, "not a number"), None);
}
