//! Names the user chose, as ECS writes them into its messages, are data, not words. A service
//! called `oom-killer`, an image repository called `api-timeout` or a target group called
//! `throttled-jobs` must not change what a message means, yet the rules read words such as
//! "oom", "timeout" and "throttl". [`mask_names`] puts a neutral `x` in each slot where ECS,
//! ELB, IAM or a registry puts a name, before the rules read the text; what the engineer is
//! shown is never changed.
//!
//! The slots, each from the messages' own shapes:
//! - the resource part of an ARN (`…:role/ecsTaskExecutionRole`, `…:targetgroup/web/0a1b…`,
//!   `…:secret:db-pass-AbCdEf`, `arn:aws:s3:::bucket/key`), keeping its resource type;
//! - an image reference after a registry host (`111122223333.dkr.ecr.us-east-1.amazonaws.com/
//!   repo:tag`, `docker.io/library/nginx`), keeping the host the rules read;
//! - the Docker name ECS gives a container (`ecs-web-12-app-a8c9d6…`: family and container);
//! - SSM's parameter names after `invalid parameters:`;
//! - a Docker Hub name where Docker puts one (`pull access denied for NAME,`,
//!   `manifest for NAME not found`);
//! - the service event slots: `(service NAME)`, `(target-group …)`, `(elb NAME)`,
//!   `(container NAME)`, `(cluster NAME)` and the ids beside them, a message's leading
//!   `service NAME` (`service web was unable…`, `service [web] …`), and `in elb NAME due to`,
//!   `on target-group NAME with`.

use regex::Regex;
use std::borrow::Cow;
use std::sync::LazyLock;

/// What a name becomes: a word no rule reads.
const NAME: &str = "x";

/// Each slot: the pattern, and the replacement (the pattern's kept groups, then [`NAME`]).
static SLOTS: LazyLock<Vec<(Regex, String)>> = LazyLock::new(|| {
    let keep_then_name = |groups: &str| format!("{groups}{NAME}");
    [
        // S3 ARNs have no resource type: the bucket is the name
        (r"(?i)\b(arn:aws[a-z-]*:s3:::)[^\s'(),;\[\]]+", keep_then_name("${1}")),
        (
            // (the account as pasted may be redacted: `8xxxxxxxxxx0`, `<account id>`, `***`)
            r#"(?i)\b(arn:aws[a-z-]*:[a-z0-9-]+:(?:<[^>]*>|[a-z0-9-]*):(?:<[^>]*>|[^:\s]*):[a-z][a-z0-9-]*[/:])[^\s"'(),;\[\]]+"#,
            keep_then_name("${1}"),
        ),
        // an image reference after a registry host (a host has a dot; a file path starts with /)
        (
            r"(?i)\b((?:[a-z0-9-]+\.)+[a-z]{2,}(?::[0-9]+)?/)[a-z0-9_][a-z0-9._/-]*(?::[a-z0-9_][a-z0-9._-]*)?(?:@sha256:[0-9a-f]+)?",
            keep_then_name("${1}"),
        ),
        // the Docker name ECS gives a container: ecs-FAMILY-REVISION-CONTAINER-HASH
        (
            r"\b(ecs-)[A-Za-z0-9_-]+?-[0-9]+-[A-Za-z0-9_-]+?-[0-9a-f]{6,}\b",
            keep_then_name("${1}"),
        ),
        // SSM's names for the parameters it could not return: `invalid parameters: /prod/web/db`,
        // `[/a, /b]`
        (
            r"(?i)\b(invalid parameters: )(?:\[[^\]]*\]|[^\s,]+)",
            keep_then_name("${1}"),
        ),
        (
            r"(?i)\b(pull access denied for |manifest for )[^\s,]+",
            keep_then_name("${1}"),
        ),
        (
            r"\((service|target-group|elb|container|container-instance|instance|cluster|task|deployment|capacity-provider|namespace) [^()\s,]+([),])",
            format!("(${{1}} {NAME}${{2}}"),
        ),
        // ECS's events begin "service NAME …" in lower case; "Service deployment rolled back …"
        // (a deployment's statusReason) is not a name
        (
            r"^(\s*service )(?:\[[^\]]*\](?:\([^)]*\))?|\([^()\s]*\)|[^\s(\[]+)",
            keep_then_name("${1}"),
        ),
        (
            r"(?i)\b((?:in|on) (?:target-group|elb) \(?)[^\s()]+(\)? due to|\)? with)\b",
            format!("${{1}}{NAME}${{2}}"),
        ),
    ]
    .into_iter()
    .map(|(pattern, with)| (Regex::new(pattern).expect("slot pattern"), with))
    .collect()
});

/// `text` with every name in a known slot replaced by `x` (borrowed when it holds none).
pub fn mask_names(text: &str) -> Cow<'_, str> {
    let mut out = Cow::Borrowed(text);
    for (re, with) in SLOTS.iter() {
        if let Cow::Owned(replaced) = re.replace_all(&out, with.as_str()) {
            out = Cow::Owned(replaced);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::mask_names;

    #[test]
    fn names_in_their_slots_become_x() {
        for (text, want) in [
            (
                "(service oom-killer) was unable to place a task.",
                "(service x) was unable to place a task.",
            ),
            (
                "service throttled-jobs (port 80) is unhealthy in target-group api-timeout due to (reason Health checks failed).",
                "service x (port 80) is unhealthy in target-group x due to (reason Health checks failed).",
            ),
            (
                "service [ecr-proxy](https://console.aws.amazon.com/ecs) was unable to place a task",
                "service x was unable to place a task",
            ),
            (
                "failed to resolve ref \"111122223333.dkr.ecr.us-east-1.amazonaws.com/api-timeout:oom@sha256:0a1b\": 403 Forbidden",
                "failed to resolve ref \"111122223333.dkr.ecr.us-east-1.amazonaws.com/x\": 403 Forbidden",
            ),
            (
                "(service oom-killer, taskSet ecs-svc/2474979950726421586) has started 1 tasks: (task 0a1b).",
                "(service x, taskSet ecs-svc/2474979950726421586) has started 1 tasks: (task x).",
            ),
            (
                "service (OutOfMemory) has reached a steady state.",
                "service x has reached a steady state.",
            ),
            (
                "Conflict. The container name \"/ecs-oom-worker-12-api-timeout-a8c9d6e2f1b3\" is already in use",
                "Conflict. The container name \"/ecs-x\" is already in use",
            ),
            (
                "unable to retrieve secrets from ssm: invalid parameters: [/prod/throttled-jobs/db, /prod/oom]",
                "unable to retrieve secrets from ssm: invalid parameters: x",
            ),
            (
                "pull access denied for throttled-jobs, repository does not exist",
                "pull access denied for x, repository does not exist",
            ),
            (
                "User: arn:aws:sts::111122223333:assumed-role/oom-role/ecs-tasks is not authorized",
                "User: arn:aws:sts::111122223333:assumed-role/x is not authorized",
            ),
            (
                "unable to retrieve secret from asm: arn:aws:secretsmanager:us-east-1:111122223333:secret:timeout-AbCdEf",
                "unable to retrieve secret from asm: arn:aws:secretsmanager:us-east-1:111122223333:secret:x",
            ),
            (
                "AccessDenied: arn:aws:s3:::agent-bucket/no-space.env",
                "AccessDenied: arn:aws:s3:::x",
            ),
        ] {
            assert_eq!(mask_names(text), want, "{text}");
        }
    }

    #[test]
    fn words_outside_the_slots_stay() {
        for text in [
            "Essential container in task exited",
            "unable to retrieve secret from asm: service call has been retried 1 time(s)",
            "Task failed ELB health checks in (elb web)",
            "PENDING (Task stopped by user)",
            "Service deployment rolled back because of invalid networking configuration.",
            "write /var/lib/docker/tmp/x: no space left on device",
            "(service web) is unhealthy in (target-group arn) due to (reason Request timed out).",
            "dial tcp api.ecr.us-east-1.amazonaws.com:443: i/o timeout",
        ] {
            let masked = mask_names(text);
            for word in [
                "Essential",
                "service call",
                "ELB health",
                "Task stopped by user",
                "Service deployment rolled back",
                "no space left",
                "Request timed out",
                "i/o timeout",
            ] {
                assert_eq!(
                    text.contains(word),
                    masked.contains(word),
                    "{text} -> {masked}"
                );
            }
        }
        assert!(matches!(
            mask_names("OutOfMemoryError: Container killed"),
            std::borrow::Cow::Borrowed(_)
        ));
    }
}
