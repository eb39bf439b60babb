//! The command line (a public interface: README documents it).

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "ecswatch",
    version,
    about = "A terminal incident console for Amazon ECS services",
    long_about = "A terminal incident console for Amazon ECS services: rollouts, stopped tasks, \
                  target health, metrics and logs in one place, every failure mapped to a fix.\n\n\
                  Read-only. Credentials and region come from the standard AWS chain \
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
    /// AWS profile from the shared config files (default: AWS_PROFILE, then `default`)
    #[arg(long, global = true)]
    pub profile: Option<String>,
    /// AWS region (default: from the profile or AWS_REGION)
    #[arg(long, global = true)]
    pub region: Option<String>,
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
    /// Extra playbook file: entries override built-in ones by id, rules are tried first
    #[arg(long, global = true, value_name = "FILE")]
    pub playbook: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Poll every source once and print the picture
    Snapshot(SnapshotArgs),
    /// Classify one message (a stopped reason, an event, an exit code) and print the playbook entry
    Explain(ExplainArgs),
}

#[derive(Debug, Args)]
pub struct SnapshotArgs {
    /// Services to include, as SERVICE or CLUSTER/SERVICE (added to --cluster/--service)
    #[arg(value_name = "SCOPE")]
    pub scope: Vec<String>,
    #[arg(long, value_enum, default_value_t = SnapshotFormat::Text)]
    pub format: SnapshotFormat,
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
    #[arg(long, value_enum, default_value_t = ExplainFormat::Text)]
    pub format: ExplainFormat,
    /// The message; read from standard input when absent or `-`
    #[arg(value_name = "TEXT", num_args = 0..)]
    pub text: Vec<String>,
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
