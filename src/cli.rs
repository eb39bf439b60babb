//! The command line (a public interface: README documents it).

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "ecswatch",
    version = concat!(
        env!("CARGO_PKG_VERSION"),
        " (commit ",
        env!("ECSWATCH_COMMIT"),
        ", ",
        env!("ECSWATCH_TARGET"),
        ")"
    ),
    about = "A terminal incident console for Amazon ECS services",
    long_about = "A terminal incident console for Amazon ECS services: rollouts, stopped tasks, \
                  target health, metrics and logs in one place, every failure mapped to a fix.\n\n\
                  Read-only unless --allow-writes. Credentials and region come from the standard AWS chain \
                  (environment, profiles, SSO, assume-role, instance metadata)."
)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Args, Clone, Default)]
pub struct Global {
    /// AWS profile from the shared config files (default: AWS_PROFILE, then `default`);
    /// repeatable: every profile is watched in every --region, on one board
    #[arg(long = "profile", global = true, value_name = "PROFILE")]
    pub profiles: Vec<String>,
    /// AWS Region (default: from the profile or AWS_REGION); repeatable
    #[arg(long = "region", global = true, value_name = "REGION")]
    pub regions: Vec<String>,
    /// Watch the accounts and Regions of room NAME, a `[room.NAME]` table in
    /// $XDG_CONFIG_HOME/ecswatch/config.toml
    #[arg(long, global = true, value_name = "NAME", conflicts_with_all = ["profiles", "regions"])]
    pub room: Option<String>,
    /// Send every request to this endpoint (also AWS_ENDPOINT_URL), e.g. a local emulator
    #[arg(long, global = true)]
    pub endpoint_url: Option<String>,
    /// Cluster name or ARN to watch (repeatable; default: every cluster)
    #[arg(long = "cluster", global = true)]
    pub clusters: Vec<String>,
    /// Service name or ARN to watch (repeatable; default: every service)
    #[arg(long = "service", global = true)]
    pub services: Vec<String>,
    /// Run on the embedded simulated incident; no AWS account needed
    #[arg(long, global = true)]
    pub demo: bool,
    /// Console theme: default, light, high-contrast, mono, a name in the config dir, or a path
    #[arg(long, global = true, value_name = "NAME|PATH")]
    pub theme: Option<String>,
    /// Keymap: default, vim, a name in the config dir, or a path (merged over default)
    #[arg(long, global = true, value_name = "NAME|PATH")]
    pub keymap: Option<String>,
    /// On exit, print the AWS calls made, by operation (and per minute for the console), to stderr
    #[arg(long, global = true)]
    pub stats: bool,
    /// Share one reader with every console of this Unix user watching the same places on this
    /// host (the default): the first starts a hub (`ecswatch serve`), the others attach to it;
    /// one set of AWS calls for all, each console its own navigation; writes still use each
    /// console's own credentials
    #[arg(long, global = true, conflicts_with = "no_share")]
    pub share: bool,
    /// Read alone: no shared hub, this console's own pollers (also `share = false` in
    /// config.toml's [defaults], or ECSWATCH_NO_SHARE=1 in the environment)
    #[arg(long, global = true, conflicts_with_all = ["share_group", "via"])]
    pub no_share: bool,
    /// Let members of this Unix group attach to (or start) the shared hub too (also
    /// `share_group` in config.toml). They then see what the hub's credentials can read;
    /// their writes still use their own
    #[arg(long, global = true, value_name = "GROUP")]
    pub share_group: Option<String>,
    /// Attach to the shared hub on HOST over SSH (`ssh HOST ecswatch … attach --stdio`; the
    /// environment's ECSWATCH_SSH and ECSWATCH_REMOTE replace `ssh` and `ecswatch`): the hub
    /// reads with HOST's credentials; this console's writes use this machine's
    #[arg(long, global = true, value_name = "HOST")]
    pub via: Option<String>,
    /// Most of each shared AWS quota (ECS reads, FilterLogEvents, GetMetricData, ELB reads) that
    /// ecswatch may use, in percent of the account's rate: the rest is left for the team
    /// [default: 20, or api_share in config.toml's [defaults]]
    #[arg(long, global = true, value_name = "PERCENT",
          value_parser = clap::value_parser!(u8).range(1..=100))]
    pub api_share: Option<u8>,
    /// Extra playbook file: entries override built-in ones by id, rules are tried first
    #[arg(long, global = true, value_name = "FILE")]
    pub playbook: Option<PathBuf>,
    /// Enable the console's write actions (rollback, redeploy, scale, stop task); each still
    /// shows the exact change and asks for the service name to be typed
    #[arg(long, global = true)]
    pub allow_writes: bool,
    /// Append everything the pollers receive (and actions, notes) to FILE, created 0600
    #[arg(long, global = true, value_name = "FILE")]
    pub record: Option<PathBuf>,
    /// Rotate the recording when it passes SIZE (bytes, or with K, M, G): FILE moves to
    /// FILE.1 and a new FILE starts
    #[arg(long, global = true, value_name = "SIZE", value_parser = parse_size, requires = "record")]
    pub record_max: Option<u64>,
}

/// `--api-share` when neither the flag nor config.toml sets it.
pub const DEFAULT_API_SHARE: u8 = 20;

impl Global {
    /// The share of each quota this run may use, in percent.
    pub fn share(&self) -> u8 {
        self.api_share.unwrap_or(DEFAULT_API_SHARE)
    }
}

/// `50M`, `1G`, `200000`: a size in bytes (K, M, G are 1024-based), at least 64 KiB.
pub fn parse_size(s: &str) -> Result<u64, String> {
    let t = s.trim();
    let (digits, unit) = match t.char_indices().find(|(_, c)| !c.is_ascii_digit()) {
        Some((i, _)) => (&t[..i], t[i..].trim()),
        None => (t, ""),
    };
    let n: u64 = digits
        .parse()
        .map_err(|_| format!("{s:?} is not a size (e.g. 50M, 1G)"))?;
    let mult: u64 = match unit.to_ascii_uppercase().trim_end_matches(['B', 'I']) {
        "" => 1,
        "K" => 1 << 10,
        "M" => 1 << 20,
        "G" => 1 << 30,
        _ => return Err(format!("{s:?}: unknown unit {unit:?} (use K, M or G)")),
    };
    let bytes = n
        .checked_mul(mult)
        .ok_or_else(|| format!("{s:?} is too large"))?;
    if bytes < 64 << 10 {
        return Err(format!(
            "{s:?} is below 64K: a recording would rotate every few records"
        ));
    }
    Ok(bytes)
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Poll every source once and print the picture
    Snapshot(SnapshotArgs),
    /// Classify one message (a stopped reason, an event, an exit code) and print the playbook entry
    Explain(ExplainArgs),
    /// Follow one service's rollout until it completes (exit 0), fails or rolls back (1), or
    /// times out (3)
    Wait(WaitArgs),
    /// Export the incident timeline of a recording for the postmortem
    Timeline(TimelineArgs),
    /// Open the console over a recording (space pauses, + and - change speed, [ and ] scrub)
    Replay(ReplayArgs),
    /// Check, before the incident, that the console will work here: credentials and where they
    /// come from, the Region, one read of each kind (the IAM action to add for each that is
    /// denied), ECS Exec's tools, the terminal. Exit 0 when it will, 1 when something is missing
    Doctor,
    /// Print the shell completion script (e.g. `ecswatch completions bash >
    /// ~/.local/share/bash-completion/completions/ecswatch`)
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff), generated from these definitions (`ecswatch man > ecswatch.1`)
    Man,
    /// Run the hub of a shared session for the places given (a console starts one when none
    /// answers): it polls once for every console attached to it, records with `--record`
    /// (everything read, every console's notes and actions), and stops when told to (or
    /// `--grace` after the last console left)
    Serve(ServeArgs),
    /// Attach to this watch's shared hub (starting one) and relay the protocol over stdin and
    /// stdout: what `--via` runs on the far host
    Attach(AttachArgs),
}

#[derive(Debug, Args)]
pub struct AttachArgs {
    /// Relay over stdin and stdout (the only way there is)
    #[arg(long)]
    pub stdio: bool,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Stop this long after the last console left (default: run until stopped)
    #[arg(long, value_parser = parse_duration)]
    pub grace: Option<std::time::Duration>,
}

#[derive(Debug, Args)]
pub struct WaitArgs {
    /// Give up after this long: 90s, 15m, 1h30m
    #[arg(long, default_value = "15m", value_parser = parse_duration)]
    pub timeout: std::time::Duration,
    /// Seconds between polls
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u64).range(1..=300))]
    pub interval: u64,
    /// What to wait for: the deployment completed, or (a service deployment) traffic shifted
    /// and baking (lifecycle stage BAKE_TIME reached)
    #[arg(long, value_enum, default_value_t = WaitUntil::Complete)]
    pub until: WaitUntil,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum WaitUntil {
    Complete,
    BakeTime,
}

#[derive(Debug, Args)]
pub struct TimelineArgs {
    /// The recording to read (written by --record)
    #[arg(long, value_name = "FILE")]
    pub replay: PathBuf,
    #[arg(long, value_enum, default_value_t = TimelineFormat::Markdown)]
    pub format: TimelineFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TimelineFormat {
    Markdown,
    Json,
}

#[derive(Debug, Args)]
pub struct ReplayArgs {
    /// The recording to replay (written by --record)
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
}

/// `90s`, `15m`, `1h30m`, `2h`, or plain seconds.
pub fn parse_duration(s: &str) -> Result<std::time::Duration, String> {
    let s = s.trim();
    if let Ok(n) = s.parse::<u64>() {
        return Ok(std::time::Duration::from_secs(n));
    }
    let mut total = 0u64;
    let mut num = String::new();
    for c in s.chars() {
        if c.is_ascii_digit() {
            num.push(c);
            continue;
        }
        let n: u64 = num
            .parse()
            .map_err(|_| format!("{s:?}: expected a duration like 90s, 15m or 1h30m"))?;
        num.clear();
        total += n * match c {
            's' => 1,
            'm' => 60,
            'h' => 3600,
            _ => return Err(format!("{s:?}: unknown unit {c:?} (use s, m or h)")),
        };
    }
    if !num.is_empty() || total == 0 {
        return Err(format!("{s:?}: expected a duration like 90s, 15m or 1h30m"));
    }
    Ok(std::time::Duration::from_secs(total))
}

#[derive(Debug, Args)]
pub struct SnapshotArgs {
    /// Services to include, as SERVICE or CLUSTER/SERVICE (added to --cluster/--service)
    #[arg(value_name = "SCOPE")]
    pub scope: Vec<String>,
    #[arg(long, value_enum, default_value_t = SnapshotFormat::Text)]
    pub format: SnapshotFormat,
    /// Print the picture at the end of a recording instead of asking AWS
    #[arg(long, value_name = "FILE")]
    pub replay: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SnapshotFormat {
    Text,
    Json,
}

#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// What the text is (default: try every kind)
    #[arg(long, value_enum)]
    pub kind: Option<ExplainKind>,
    /// Where the task ran, where the same words mean another cause (a full disk is the task's
    /// ephemeral storage on Fargate, the instance's disk on EC2)
    #[arg(long, value_enum, ignore_case = true)]
    pub launch_type: Option<LaunchType>,
    #[arg(long, value_enum, default_value_t = ExplainFormat::Text)]
    pub format: ExplainFormat,
    /// The message; read from standard input when absent or `-`
    #[arg(value_name = "TEXT", num_args = 0..)]
    pub text: Vec<String>,
}

/// A task's launch type, as ECS names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
#[value(rename_all = "UPPER")]
pub enum LaunchType {
    Fargate,
    Ec2,
    External,
    /// ECS Managed Instances (2025): ECS runs the EC2 instances.
    #[value(name = "MANAGED_INSTANCES")]
    ManagedInstances,
}

impl LaunchType {
    pub fn as_str(self) -> &'static str {
        match self {
            LaunchType::Fargate => "FARGATE",
            LaunchType::Ec2 => "EC2",
            LaunchType::External => "EXTERNAL",
            LaunchType::ManagedInstances => "MANAGED_INSTANCES",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExplainKind {
    StoppedReason,
    ContainerReason,
    ExitCode,
    StopCode,
    ServiceEvent,
    TargetHealth,
    RolloutReason,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExplainFormat {
    Text,
    Json,
}

#[cfg(test)]
mod tests {
    use super::parse_duration;
    use std::time::Duration;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("90s"), Ok(Duration::from_secs(90)));
        assert_eq!(parse_duration("15m"), Ok(Duration::from_secs(900)));
        assert_eq!(parse_duration("1h30m"), Ok(Duration::from_secs(5400)));
        assert_eq!(parse_duration("42"), Ok(Duration::from_secs(42)));
        assert!(parse_duration("15x").is_err());
        assert!(parse_duration("m").is_err());
        assert!(parse_duration("10m5").is_err());
        assert!(parse_duration("").is_err());
    }
}

#[cfg(test)]
mod size_tests {
    use super::parse_size;

    #[test]
    fn sizes() {
        assert_eq!(parse_size("50M"), Ok(50 << 20));
        assert_eq!(parse_size("1G"), Ok(1 << 30));
        assert_eq!(parse_size("64KiB"), Ok(64 << 10));
        assert_eq!(parse_size("200000"), Ok(200_000));
        assert!(parse_size("10").is_err(), "too small");
        assert!(parse_size("5X").is_err());
        assert!(parse_size("M").is_err());
        assert!(parse_size("99999999999999999999G").is_err());
    }
}

/// A failure that ends the command: the message for stderr and the exit code.
#[derive(Debug)]
pub struct Exit {
    pub code: i32,
    pub message: String,
}

impl Exit {
    pub fn new(code: i32, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }
}
