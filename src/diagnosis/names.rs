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
//!   `manifest for NAME not found`, `No such image: NAME`, `repository NAME not found`), and
//!   ECR's (`The repository with name 'NAME'`, `imageTag:'TAG'`);
//! - the service event slots: `(service NAME)`, `(target-group …)`, `(elb NAME)`,
//!   `(container NAME)`, `(cluster NAME)` and the ids beside them, a message's leading
//!   `service NAME` (`service web was unable…`, `service [web] …`), and `in elb NAME due to`,
//!   `on target-group NAME with`;
//! - the agent's S3 downloads (`env file with key KEY from bucket BUCKET`, `s3 config KEY`,
//!   `for bucket BUCKET`, `s3://BUCKET/KEY`) and a bucket in a virtual-hosted S3 URL
//!   (`https://BUCKET.s3.us-east-1.amazonaws.com/…`);
//! - the agent's secret slots: `missing secret value for secret NAME`, `secretID from value
//!   NAME`, `secret with value NAME`, `docker auth config [NAME]`, `did not contain json key
//!   NAME`;
//! - a file the user chose: an absolute path after the system's directories it begins with
//!   (`exec: "/app/run.sh"`, `mounting "/mnt/efs/data"`, `write /var/lib/docker/tmp/…`), and a
//!   command runc could not find (`exec: "timeout"`);
//! - the agent's names for a task definition's volumes and containers (`Invalid volume
//!   referenced: NAME`, `Volume target not available: NAME`, `Link target not available: NAME`,
//!   `volume 'NAME'`) and a Docker volume's labels or options as Go prints a map (`map[k:v]`);
//! - a host the user named (a private registry, an internal DNS name) wherever it stands: a
//!   URL, a DNS lookup, an image reference, a certificate's names. A host under AWS's or Docker
//!   Hub's domains is kept: the rules read `dkr.ecr`, `docker.io`, and its labels are AWS's.

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
            r"(?i)\b(pull access denied for |manifest for |No such image: )[^\s,]+",
            keep_then_name("${1}"),
        ),
        // Docker's `repository NAME not found`; ECR's `The repository with name 'NAME'` and
        // `imageTag:'TAG'`
        (
            r#"(?i)\b(repository )[^\s'",]+( not found)"#,
            format!("${{1}}{NAME}${{2}}"),
        ),
        // (and the agent's `volume 'NAME'`)
        (
            r"(?i)\b(repository with name '|imageTag:\s*'|volume ')[^']*",
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
        // the agent's S3 downloads (env files, FireLens config): the object key and the bucket
        (
            r"(?i)\b(with key |s3 config )[^\s,]+( from bucket )[^\s,]+",
            format!("${{1}}{NAME}${{2}}{NAME}"),
        ),
        (
            r#"(?i)\b((?:for|with|from|in) bucket "?)[^\s",:]+"#,
            keep_then_name("${1}"),
        ),
        (
            r#"(?i)\b(bucket )"[^"]*"( key )"[^"]*""#,
            format!("${{1}}{NAME}${{2}}{NAME}"),
        ),
        (r#"(?i)\b(s3://)[^\s"',:]+"#, keep_then_name("${1}")),
        // a bucket in a virtual-hosted S3 URL: BUCKET.s3.REGION.amazonaws.com
        (
            r"(?i)\b[a-z0-9][a-z0-9.-]*?(\.s3[.-](?:[a-z0-9-]+\.)*amazonaws\.com)",
            format!("{NAME}${{1}}"),
        ),
        // the agent's secret slots: an environment variable's name, a secret's name or ARN
        (
            r"(?i)\b(missing secret value for secret |secretID from value |secret with value |did not contain json key )[^\s,]+",
            keep_then_name("${1}"),
        ),
        // (and a Docker volume's labels or options as Go prints a map: `map[team:web]`)
        (
            r"(?i)\b(docker auth config \[|map\[)[^\]]*",
            keep_then_name("${1}"),
        ),
        // the agent's host config: a task definition's volume or container
        // (`Invalid volume referenced: data`, `Volume target not available: app`)
        (
            r"(?i)\b(Invalid volume referenced: |Volume target not available: |Link target not available: |volume source container with name |container for link )[^\s,;]+",
            keep_then_name("${1}"),
        ),
        // a command runc could not run, named without a path (`exec: "timeout": executable file
        // not found in $PATH`); a command's path is a path (below)
        (r#"(exec: (?:\\*)")[^"\\/\s][^"\\]*"#, keep_then_name("${1}")),
    ]
    .into_iter()
    .map(|(pattern, with)| (Regex::new(pattern).expect("slot pattern"), with))
    .collect()
});

/// A DNS name: labels, then a top-level domain that hosts use (public ones and the private
/// names of internal networks). File names (`container_linux.go`, `ecs-agent.log`,
/// `app.properties`) end in none of these.
static HOST: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i-u)\b((?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+(?:com|net|org|io|dev|cloud|app|ai|co|me|biz|info|xyz|tech|site|online|cc|tv|gov|edu|internal|local|localdomain|lan|corp|intra|intranet|home|private|example|test|invalid|cn|uk|us|eu|de|fr|nl|jp|kr|in|au|ca|br|ch|se|fi|dk|no|pl|es|it|be|at|ie|nz|sg|hk|tw|za|mx|ru))\b",
    )
    .expect("host pattern")
});

/// A DNS name of any top-level domain (a redacted `xxxxx.xxx`, a mistyped `amazonaws.commmmm`)
/// where only a host can stand: a URL, a DNS lookup, an image reference, a certificate's names.
static HOST_IN_PLACE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r#"(?i-u)(?:://|\blookup |\bref "?|\bresolve "|\bvalid for |, not |\bdial tcp )((?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,})\b"#,
    )
    .expect("host pattern")
});

/// Hosts whose labels are AWS's or Docker Hub's (an account, a service, a Region), and which
/// the rules read (`dkr.ecr`, `docker.io`).
fn is_providers_host(host: &str) -> bool {
    let host = host.to_ascii_lowercase();
    let under = |domain: &str| {
        host == domain || host.strip_suffix(domain).is_some_and(|h| h.ends_with('.'))
    };
    [
        "amazonaws.com",
        "amazonaws.com.cn",
        "amazon.com",
        "aws",
        "docker.io",
        "docker.com",
    ]
    .into_iter()
    .any(under)
}

/// `text` with each host the user named replaced by [`NAME`]. A match that runs on into more
/// of a name (`-`, `_`, or `.` and a letter) is part of something else, such as a file name.
fn mask_hosts(text: &str) -> Cow<'_, str> {
    if !text.contains('.') {
        return Cow::Borrowed(text);
    }
    let mut hosts: Vec<(usize, usize)> = [&*HOST, &*HOST_IN_PLACE]
        .into_iter()
        .flat_map(|re| re.captures_iter(text).filter_map(|c| c.get(1)))
        .filter(|m| {
            let mut rest = text[m.end()..].chars();
            let (next, after) = (rest.next(), rest.next());
            let runs_on = matches!(next, Some('-' | '_'))
                || (next == Some('.') && after.is_some_and(|c| c.is_ascii_alphanumeric()));
            !runs_on && !is_providers_host(m.as_str())
        })
        .map(|m| (m.start(), m.end()))
        .collect();
    if hosts.is_empty() {
        return Cow::Borrowed(text);
    }
    // by start, the longer first where both patterns found a host at one place
    hosts.sort_unstable_by_key(|&(start, end)| (start, std::cmp::Reverse(end)));
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    for (start, end) in hosts {
        if start < last {
            continue; // the same host, found by both patterns
        }
        out.push_str(&text[last..start]);
        out.push_str(NAME);
        last = end;
    }
    out.push_str(&text[last..]);
    Cow::Owned(out)
}

/// An absolute path, where a path starts (after white space, a quote, a backslash of an escaped
/// quote, a bracket, `=`, or the `:` of NFS's `host:/export`; not inside `i/o`, `net/http` or a
/// URL).
static PATH: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(^|[\s"'\\(\[=`:])(/[A-Za-z0-9._@+~-]+(?:/[A-Za-z0-9._@+~-]*)*)"#)
        .expect("path pattern")
});

/// Directories the system owns, kept where a path begins with them: the rules read
/// `/var/lib/docker` (the instance's disk) and `docker/tmp`; what follows them is the user's.
const SYSTEM_DIRS: [&str; 26] = [
    "bin",
    "containerd",
    "dev",
    "devicemapper",
    "docker",
    "ecs",
    "etc",
    "home",
    "lib",
    "lib64",
    "local",
    "log",
    "mnt",
    "opt",
    "overlay",
    "overlay2",
    "proc",
    "root",
    "run",
    "sbin",
    "srv",
    "sys",
    "tmp",
    "usr",
    "var",
    "volumes",
];

/// `text` with each path's own part (after the system's directories it begins with) replaced
/// by [`NAME`]: `/app/oom-guard.sh` is `/x`, `/var/lib/docker/tmp/throttled-jobs` is
/// `/var/lib/docker/tmp/x`. A command, a mount source, a file written or a log group is the
/// user's choice.
fn mask_paths(text: &str) -> Cow<'_, str> {
    if !text.contains('/') {
        return Cow::Borrowed(text);
    }
    let masked = PATH.replace_all(text, |c: &regex::Captures| {
        let mut kept = String::new();
        let mut rest = false;
        for part in c[2].split('/').skip(1) {
            if !rest && SYSTEM_DIRS.contains(&part) {
                kept.push('/');
                kept.push_str(part);
            } else if !part.is_empty() {
                rest = true;
            }
        }
        if rest {
            kept.push('/');
            kept.push_str(NAME);
        }
        format!("{}{kept}", &c[1])
    });
    // a path of system directories only (`/var/lib/docker`) is kept whole
    match masked {
        Cow::Owned(m) if m == text => Cow::Borrowed(text),
        other => other,
    }
}

/// `text` with every name in a known slot replaced by `x` (borrowed when it holds none).
pub fn mask_names(text: &str) -> Cow<'_, str> {
    let mut out = Cow::Borrowed(text);
    for (re, with) in SLOTS.iter() {
        if let Cow::Owned(replaced) = re.replace_all(&out, with.as_str()) {
            out = Cow::Owned(replaced);
        }
    }
    // after the image references, whose slot keeps the host it reads
    for mask in [mask_paths, mask_hosts] {
        if let Cow::Owned(masked) = mask(&out) {
            out = Cow::Owned(masked);
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
                "HostConfigError: Invalid volume referenced: throttled-jobs",
                "HostConfigError: Invalid volume referenced: x",
            ),
            (
                "HostConfigError: Volume target not available: oom-killer",
                "HostConfigError: Volume target not available: x",
            ),
            (
                "volume 'api-timeout' does not exist and autoprovision is set to false",
                "volume 'x' does not exist and autoprovision is set to false",
            ),
            (
                "does not match existing volume labels: existing: map[team:oom], expected: map[]",
                "does not match existing volume labels: existing: map[x], expected: map[x]",
            ),
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
                "Conflict. The container name \"/x\" is already in use",
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
            (
                "unable to download env file with key throttled.env from bucket oom-config, error: AccessDenied",
                "unable to download env file with key x from bucket x, error: AccessDenied",
            ),
            (
                "unable to initialize s3 client for bucket api-timeout, error: MissingRegion",
                "unable to initialize s3 client for bucket x, error: MissingRegion",
            ),
            (
                "invalid path: bucket \"oom\" key \"../timeout\" escapes envfile resource directory",
                "invalid path: bucket x key x escapes envfile resource directory",
            ),
            (
                "failed to download s3://throttled-jobs/fluent.conf: AccessDenied",
                "failed to download s3://x: AccessDenied",
            ),
            (
                "Get \"https://throttled-jobs.s3.us-east-1.amazonaws.com/web.env\": dial tcp 52.216.1.1:443: i/o timeout",
                "Get \"https://x.s3.us-east-1.amazonaws.com/x\": dial tcp 52.216.1.1:443: i/o timeout",
            ),
            (
                "retrieved secret from Secrets Manager did not contain json key throttled-jobs",
                "retrieved secret from Secrets Manager did not contain json key x",
            ),
            (
                "missing secret value for secret REDIS_TIMEOUT",
                "missing secret value for secret x",
            ),
            (
                "task auth data: unable to fetch docker auth config [oom-registry-creds]",
                "task auth data: unable to fetch docker auth config [x]",
            ),
            (
                "Get \"https://registry.throttled-jobs.internal/v2/\": dial tcp: lookup registry.throttled-jobs.internal on 10.0.0.2:53: no such host",
                "Get \"https://x/x\": dial tcp: lookup x on 10.0.0.2:53: no such host",
            ),
            (
                "failed to resolve ref oom-registry.example.com:5000/app:latest: x509: certificate is valid for api-timeout.corp, not oom-registry.example.com",
                "failed to resolve ref x:5000/x: x509: certificate is valid for x, not x",
            ),
            (
                "exec: \"/app/oom-guard.sh\": stat /app/oom-guard.sh: no such file or directory",
                "exec: \"/x\": stat /x: no such file or directory",
            ),
            (
                "starting container process caused \"exec: \\\"timeout\\\": executable file not found in $PATH\"",
                "starting container process caused \"exec: \\\"x\\\": executable file not found in $PATH\"",
            ),
            (
                "API error (404): repository throttled-jobs not found: does not exist or no pull access",
                "API error (404): repository x not found: does not exist or no pull access",
            ),
            (
                "RepositoryNotFoundException: The repository with name 'oom-killer' does not exist in the registry with id '123456789012'",
                "RepositoryNotFoundException: The repository with name 'x' does not exist in the registry with id '123456789012'",
            ),
            (
                "Error response from daemon: No such image: api-timeout:latest",
                "Error response from daemon: No such image: x",
            ),
            (
                "mount.nfs4: access denied by server while mounting 127.0.0.1:/throttled-jobs",
                "mount.nfs4: access denied by server while mounting 127.0.0.1:/x",
            ),
            (
                "write /var/lib/docker/tmp/throttled-jobs: no space left on device",
                "write /var/lib/docker/tmp/x: no space left on device",
            ),
            (
                "error mounting \"/mnt/efs/api-timeout\" to rootfs at \"/usr/local/oom\": read-only file system",
                "error mounting \"/mnt/x\" to rootfs at \"/usr/local/x\": read-only file system",
            ),
            (
                "failed to resolve ref \"xxxxx.xxx\": 403 Forbidden",
                "failed to resolve ref \"x\": 403 Forbidden",
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
            "Get \"https://registry-1.docker.io/v2/\": net/http: request canceled",
            "failed to resolve ref public.ecr.aws/docker/library/nginx:stable",
            "Timed out waiting for Amazon ECS Agent to start. Please check logs at /var/log/ecs/ecs-agent.log",
            "container_linux.go:349: starting container process caused \"exec: \\\"/app.sh\\\": permission denied\"",
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
                "registry-1.docker.io",
                "net/http",
                "public.ecr.aws",
                "/var/log/ecs/",
                "container_linux.go",
                "exec: \\\"/",
            ] {
                assert_eq!(
                    text.contains(word),
                    masked.contains(word),
                    "{text} -> {masked}"
                );
            }
        }
        for text in [
            "OutOfMemoryError: Container killed",
            "write /var/lib/docker/tmp: no space left on device",
        ] {
            assert!(
                matches!(mask_names(text), std::borrow::Cow::Borrowed(_)),
                "{text}"
            );
        }
    }
}
