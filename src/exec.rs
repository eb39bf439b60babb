//! ECS Exec: the preflight that says exactly what is missing before `aws ecs execute-command`
//! can open a shell in a running task, and the command itself.
//!
//! [`preflight`] is pure (the store, the task, what is on PATH): each missing piece is a
//! finding from the playbook (`exec_*`) with its fix and confirm command. [`on_path`] is the one
//! look at the machine. The console copies the command (OSC 52) and, with `--allow-writes` and
//! the task id typed, runs it with the terminal handed over (`app::run_exec`).

use crate::diagnosis::{ConfirmContext, Finding};
use crate::model::{ServiceKey, Task, task_id};
use crate::store::Store;

/// What the AWS CLI needs on this machine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LocalTools {
    pub aws: bool,
    pub session_manager_plugin: bool,
}

impl LocalTools {
    /// Look for `aws` and `session-manager-plugin` on `PATH`.
    pub fn probe() -> Self {
        Self {
            aws: on_path("aws"),
            session_manager_plugin: on_path("session-manager-plugin"),
        }
    }
}

/// Whether an executable file `name` is in a directory of `PATH`.
pub fn on_path(name: &str) -> bool {
    use std::os::unix::fs::PermissionsExt;
    let Some(path) = std::env::var_os("PATH") else {
        return false;
    };
    std::env::split_paths(&path).any(|dir| {
        std::fs::metadata(dir.join(name))
            .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
    })
}

/// The preflight's answer: the command (always: it can be copied to a host that has the tools)
/// and what is missing, each as a finding with its fix.
#[derive(Debug, Clone, PartialEq)]
pub struct ExecPlan {
    pub key: ServiceKey,
    pub task: String,
    pub container: String,
    /// argv of `aws ecs execute-command ...`.
    pub argv: Vec<String>,
    pub missing: Vec<Finding>,
}

impl ExecPlan {
    /// The command as one shell line, to copy.
    pub fn command(&self) -> String {
        self.argv
            .iter()
            .map(|a| crate::diagnosis::shell_word(a))
            .collect::<Vec<_>>()
            .join(" ")
    }

    pub fn ready(&self) -> bool {
        self.missing.is_empty()
    }
}

/// Check what ECS Exec needs for `task` (a running task of `key`, as the store holds it).
/// Err: the task is not a running task the store knows.
pub fn preflight(
    store: &Store,
    key: &ServiceKey,
    task: &str,
    tools: LocalTools,
) -> Result<ExecPlan, String> {
    let st = store
        .services
        .get(key)
        .ok_or_else(|| format!("{key} is not known yet"))?;
    let t: &Task = st
        .running
        .iter()
        .find(|t| t.arn == task || task_id(&t.arn) == task)
        .ok_or_else(|| {
            format!(
                "task {} is not a running task of {} (as last listed): exec needs a running task",
                task_id(task),
                key.service
            )
        })?;
    let container = t
        .exec_container()
        .map(|c| c.name.clone())
        .unwrap_or_default();
    let region = store.region_of(key.place).to_string();
    let profile = store.place(key.place).spec.profile.clone();
    let mut argv: Vec<String> = [
        "aws",
        "ecs",
        "execute-command",
        "--cluster",
        &key.cluster,
        "--task",
        task_id(&t.arn),
        "--container",
        &container,
        "--interactive",
        "--command",
        "/bin/sh",
        "--region",
        &region,
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    if let Some(p) = &profile {
        argv.extend(["--profile".to_string(), p.clone()]);
    }
    let ctx = ConfirmContext {
        cluster: Some(key.cluster.clone()),
        service: Some(key.service.clone()),
        region: Some(region),
        profile,
        task: Some(task_id(&t.arn).to_string()),
        ..Default::default()
    };
    let pb = store.playbook();
    let mut missing = Vec::new();
    let mut miss = |id: &str, evidence: String| {
        if let Some(e) = pb.entry(id) {
            let mut f = Finding::from_entry(e, &ctx);
            f.count = 1;
            f.evidence = vec![evidence];
            missing.push(f);
        }
    };
    if !st.service.enable_execute_command {
        miss(
            "exec_not_enabled",
            format!("{}: enableExecuteCommand is false", key.service),
        );
    }
    let agent = t.exec_container().and_then(|c| c.exec_agent.clone());
    if agent.as_deref() != Some("RUNNING") {
        miss(
            "exec_agent_not_running",
            match (&agent, t.exec_enabled) {
                (Some(a), _) => format!("container {container}: ExecuteCommandAgent {a}"),
                (None, true) => format!("container {container}: no ExecuteCommandAgent reported"),
                (None, false) => format!(
                    "task {} was started without exec (no ExecuteCommandAgent)",
                    task_id(&t.arn)
                ),
            },
        );
    }
    if !tools.session_manager_plugin {
        miss(
            "exec_plugin_missing",
            "session-manager-plugin: not found on PATH".into(),
        );
    }
    if !tools.aws {
        miss("exec_cli_missing", "aws: not found on PATH".into());
    }
    Ok(ExecPlan {
        key: key.clone(),
        task: t.arn.clone(),
        container,
        argv,
        missing,
    })
}
