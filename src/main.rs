use clap::Parser;
use ecswatch::app::state::Writes;
use ecswatch::aws::{AwsOptions, sdk::SdkApi};
use ecswatch::cli::{Cli, Command};
use ecswatch::commands::{self, Exit};
use ecswatch::demo::DemoApi;
use ecswatch::poll::{Counted, Scope};
use ecswatch::record::Recorder;
use std::io::Write;

fn main() {
    let cli = Cli::parse();
    let code = match run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("ecswatch: {}", e.message);
            e.code
        }
    };
    std::process::exit(code);
}

fn print(out: &str) -> Result<(), Exit> {
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(out.as_bytes())
        .and_then(|_| stdout.flush())
    {
        Ok(()) => Ok(()),
        // a closed pipe (`| head`) is not an error worth reporting
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(Exit::new(2, format!("cannot write output: {e}"))),
    }
}

/// The real AWS clients, configured from the global flags and the standard chain.
async fn sdk_api(g: &ecswatch::cli::Global) -> SdkApi {
    SdkApi::connect(&AwsOptions {
        profile: g.profile.clone(),
        region: g.region.clone(),
        endpoint_url: g.endpoint_url.clone(),
    })
    .await
}

fn runtime() -> Result<tokio::runtime::Runtime, Exit> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| Exit::new(2, format!("cannot start the runtime: {e}")))
}

/// `$XDG_CONFIG_HOME/ecswatch`, else `~/.config/ecswatch`.
fn config_dir() -> Option<std::path::PathBuf> {
    let base = std::env::var_os("XDG_CONFIG_HOME")
        .filter(|v| !v.is_empty())
        .map(std::path::PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| std::path::Path::new(&h).join(".config")))?;
    Some(base.join("ecswatch"))
}

/// Run `$body` with `$api` bound to the demo or the real SDK, counted and held to the
/// account's budget (`--api-share`).
macro_rules! with_api {
    ($g:expr, |$api:ident| $body:expr) => {
        with_api!($g, ecswatch::poll::Budget::new, |$api| $body)
    };
    ($g:expr, $budget:path, |$api:ident| $body:expr) => {{
        let budget = std::sync::Arc::new($budget(ecswatch::poll::Pace::percent($g.api_share)));
        if $g.demo {
            let $api = Counted::budgeted(DemoApi::live(), budget);
            $body
        } else {
            let $api = Counted::budgeted(sdk_api(&$g).await, budget);
            $body
        }
    }};
}

/// Who makes writes: the local user and the AWS profile (for the timeline and StopTask's reason).
fn who(g: &ecswatch::cli::Global) -> String {
    let user = std::env::var("USER")
        .or_else(|_| std::env::var("LOGNAME"))
        .ok()
        .filter(|u| !u.is_empty())
        .or_else(|| {
            let home = std::env::var_os("HOME")?;
            let name = std::path::Path::new(&home).file_name()?;
            Some(name.to_string_lossy().into_owned())
        })
        .unwrap_or_else(|| "unknown".into());
    if g.demo {
        return format!("{user} (demo)");
    }
    let profile = g
        .profile
        .clone()
        .or_else(|| std::env::var("AWS_PROFILE").ok())
        .unwrap_or_else(|| "default".into());
    format!("{user} (profile {profile})")
}

fn open_recorder<A: ecswatch::aws::AwsApi>(
    g: &ecswatch::cli::Global,
    api: &A,
    scope: &Scope,
) -> Result<Option<Recorder>, Exit> {
    g.record
        .as_deref()
        .map(|p| {
            Recorder::open(p, &api.region(), scope, if g.demo { "demo" } else { "aws" })
                .map_err(|e| Exit::new(2, e))
        })
        .transpose()
}

fn console_setup(
    g: &ecswatch::cli::Global,
) -> Result<(ecswatch::theme::Theme, ecswatch::keymap::Keymap), Exit> {
    use std::io::IsTerminal;
    let dir = config_dir();
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    let theme = ecswatch::theme::Theme::resolve(g.theme.as_deref(), dir.as_deref(), no_color)
        .map_err(|e| Exit::new(2, format!("theme: {e}")))?;
    let keymap = ecswatch::keymap::Keymap::resolve(g.keymap.as_deref(), dir.as_deref())
        .map_err(|e| Exit::new(2, format!("keymap: {e}")))?;
    if !std::io::stdout().is_terminal() || !std::io::stdin().is_terminal() {
        return Err(Exit::new(
            2,
            "the console needs a terminal; for scripts use `ecswatch snapshot --format json`",
        ));
    }
    Ok((theme, keymap))
}

fn exit_code(ended: ecswatch::app::Ended) -> i32 {
    match ended {
        ecswatch::app::Ended::Quit | ecswatch::app::Ended::InputClosed => 0,
        ecswatch::app::Ended::Signal(name) => {
            eprintln!("ecswatch: stopped by {name}");
            match name {
                "SIGHUP" => 129,
                "SIGINT" => 130,
                _ => 143,
            }
        }
    }
}

fn console(g: ecswatch::cli::Global, pb: ecswatch::diagnosis::Playbook) -> Result<i32, Exit> {
    let (theme, keymap) = console_setup(&g)?;
    let scope = global_scope(&g);
    let rt = runtime()?;
    let started = std::time::Instant::now();
    let writes = if g.allow_writes {
        Writes::Allowed
    } else {
        Writes::ReadOnly
    };
    let (ended, counts, budget) = rt.block_on(async {
        with_api!(g, |api| {
            let counts = api.counts();
            let budget = api.budget();
            let opts = ecswatch::app::Options {
                budget: Some(budget.clone()),
                writes,
                recorder: open_recorder(&g, &api, &scope)?,
                recording_label: g.record.as_ref().map(|p| format!("REC {}", p.display())),
                who: who(&g),
                // a log that cannot be opened must not stop an incident console
                log: ecswatch::logfile::state_dir()
                    .and_then(|d| ecswatch::logfile::LogFile::open_in(&d).ok()),
            };
            ecswatch::app::run(api, scope, pb, theme, keymap, opts)
                .await
                .map(|e| (e, counts, budget))
        })
    })?;
    if g.stats {
        eprint!("{}", counts.report(started.elapsed()));
        eprint!("{}", budget.report(started.elapsed()));
    }
    rt.shutdown_timeout(std::time::Duration::from_millis(200));
    Ok(exit_code(ended))
}

fn global_scope(g: &ecswatch::cli::Global) -> Scope {
    Scope {
        clusters: g.clusters.clone(),
        services: g.services.clone(),
    }
}

fn run(cli: Cli) -> Result<i32, Exit> {
    let g = cli.global;
    let pb = commands::load_playbook(g.playbook.as_deref())?;
    let Some(command) = cli.command else {
        return console(g, pb);
    };
    match command {
        Command::Explain(args) => {
            let (out, matched) = commands::explain::run(&pb, &args)?;
            print(&out)?;
            Ok(if matched { 0 } else { 1 })
        }
        Command::Snapshot(args) => {
            let scope = commands::snapshot::scope_from(global_scope(&g), &args.scope);
            if args.replay.is_some() {
                if g.record.is_some() {
                    return Err(Exit::new(2, "--record and --replay cannot be combined"));
                }
                print(&commands::snapshot::from_replay(pb, scope, &args)?)?;
                return Ok(0);
            }
            let rt = runtime()?;
            let started = std::time::Instant::now();
            let (out, counts, budget) = rt.block_on(async {
                with_api!(g, ecswatch::poll::Budget::one_shot, |api| {
                    let out = match open_recorder(&g, &api, &scope) {
                        Ok(mut rec) => {
                            commands::snapshot::run(&api, pb, scope, &args, rec.as_mut()).await
                        }
                        Err(e) => Err(e),
                    };
                    (out, api.counts(), api.budget())
                })
            });
            if g.stats {
                eprint!("{}", counts.report(started.elapsed()));
                eprint!("{}", budget.report(started.elapsed()));
            }
            print(&out?)?;
            Ok(0)
        }
        Command::Timeline(args) => {
            print(&commands::timeline::run(pb, global_scope(&g), &args)?)?;
            Ok(0)
        }
        Command::Replay(args) => {
            let (theme, keymap) = console_setup(&g)?;
            let rec = commands::snapshot::read_recording(&args.file)?;
            let player = ecswatch::record::player::Player::new(
                rec,
                std::sync::Arc::new(pb),
                global_scope(&g),
            );
            let rt = runtime()?;
            let ended = rt.block_on(ecswatch::app::replay(player, theme, keymap))?;
            rt.shutdown_timeout(std::time::Duration::from_millis(200));
            Ok(exit_code(ended))
        }
        Command::Wait(args) => {
            let (cluster, service) = match (g.clusters.as_slice(), g.services.as_slice()) {
                ([c], [s]) => (c.clone(), s.clone()),
                _ => {
                    return Err(Exit::new(
                        2,
                        "wait needs exactly one --cluster and one --service",
                    ));
                }
            };
            let rt = runtime()?;
            rt.block_on(async {
                with_api!(g, ecswatch::poll::Budget::one_shot, |api| {
                    let mut out = std::io::stdout();
                    commands::wait::run(&api, pb, &cluster, &service, &args, &mut out).await
                })
            })
        }
    }
}
