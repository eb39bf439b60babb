use clap::Parser;
use ecswatch::aws::metered::Counted;
use ecswatch::aws::{AwsApi, AwsOptions, sdk::SdkApi};
use ecswatch::cli::{Cli, Command};
use ecswatch::commands::{self, Exit};
use ecswatch::console::state::Writes;
use ecswatch::demo::DemoApi;
use ecswatch::model::Scope;
use ecswatch::record::Recorder;
use ecswatch::room::PlaceSpec;
use ecswatch::store::PlaceState;
use std::io::Write;
use std::sync::Arc;

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

/// The real AWS clients of one target, configured from its profile and Region and the
/// standard chain (assume-role and SSO profiles included).
async fn sdk_api(g: &ecswatch::cli::Global, spec: &PlaceSpec) -> SdkApi {
    SdkApi::connect(&AwsOptions {
        profile: spec.profile.clone(),
        region: spec.region.clone(),
        endpoint_url: g.endpoint_url.clone(),
    })
    .await
}

/// What is watched: the room's targets, or every --profile in every --region.
fn target_specs(g: &ecswatch::cli::Global) -> Result<Vec<PlaceSpec>, Exit> {
    let scope = global_scope(g);
    let specs = match &g.room {
        Some(room) => {
            let Some(dir) = config_dir() else {
                return Err(Exit::new(
                    2,
                    "--room needs $XDG_CONFIG_HOME or $HOME to find config.toml",
                ));
            };
            ecswatch::room::load_room(&dir.join("config.toml"), room, &scope)
                .map_err(|e| Exit::new(2, e))?
        }
        None => ecswatch::room::from_flags(&g.profiles, &g.regions, &scope),
    };
    if let Some(r) = specs
        .iter()
        .filter_map(|s| s.region.as_deref())
        .find(|r| !ecswatch::room::valid_region(r))
    {
        return Err(Exit::new(
            2,
            format!("--region {r:?} is not a Region name (like us-east-1)"),
        ));
    }
    if specs.len() > ecswatch::room::MAX_TARGETS {
        return Err(Exit::new(
            2,
            format!(
                "{} accounts × Regions; at most {} are watched at once",
                specs.len(),
                ecswatch::room::MAX_TARGETS
            ),
        ));
    }
    if g.demo && specs.len() > 1 {
        return Err(Exit::new(
            2,
            "the demo is one account in one Region: --demo takes no --room or repeated --profile/--region",
        ));
    }
    Ok(specs)
}

/// One connected target: its state for the store and its counted, budgeted client.
type Connected<A> = (PlaceState, Arc<Counted<A>>);

fn runtime() -> Result<tokio::runtime::Runtime, Exit> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        // one target's whole snapshot cycle runs on a worker: the SDK's futures are deep
        .thread_stack_size(8 * 1024 * 1024)
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

/// Run `$body` with `$targets` bound to the targets connected to the demo or the real SDK,
/// each counted and held to its own account × Region budget (`--api-share`).
macro_rules! with_targets {
    ($g:expr, $specs:expr, $budget:path, |$targets:ident| $body:expr) => {{
        let pace = ecswatch::aws::metered::Pace::percent($g.share());
        if $g.demo {
            let spec = $specs.into_iter().next().unwrap_or_default();
            let api = Counted::budgeted(DemoApi::live(), Arc::new($budget(pace)));
            let $targets: Vec<Connected<DemoApi>> =
                vec![(PlaceState::new(spec, api.region()), Arc::new(api))];
            $body
        } else {
            let mut $targets: Vec<Connected<SdkApi>> = Vec::new();
            let env = |v: &str| std::env::var(v).ok();
            let files = ecswatch::aws::credentials::ProfileFiles::load(&env);
            for spec in $specs {
                let api = Counted::budgeted(sdk_api(&$g, &spec).await, Arc::new($budget(pace)));
                let mut state = PlaceState::new(spec, api.region());
                state.credentials = Some(ecswatch::aws::credentials::detect(
                    state.spec.profile.as_deref(),
                    &env,
                    &files,
                ));
                $targets.push((state, Arc::new(api)));
            }
            $body
        }
    }};
}

/// `--stats`: calls and budget use per target (headed by the target when there are several).
fn print_stats<A: ecswatch::aws::AwsApi>(targets: &[Connected<A>], elapsed: std::time::Duration) {
    for (t, api) in targets {
        if targets.len() > 1 {
            eprintln!("== {} ==", t.label());
        }
        eprint!("{}", api.counts().report(elapsed));
        eprint!("{}", api.budget().report(elapsed));
    }
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
    if g.room.is_some() || g.profiles.len() > 1 {
        // several profiles: the console adds the profile of the target written to
        return user;
    }
    let profile = g
        .profiles
        .first()
        .cloned()
        .or_else(|| std::env::var("AWS_PROFILE").ok())
        .unwrap_or_else(|| "default".into());
    format!("{user} (profile {profile})")
}

fn open_recorder<A: ecswatch::aws::AwsApi>(
    g: &ecswatch::cli::Global,
    targets: &[Connected<A>],
) -> Result<Option<Recorder>, Exit> {
    let Some((first, _)) = targets.first() else {
        return Ok(None);
    };
    let recorded: Vec<ecswatch::record::RecordedTarget> = targets
        .iter()
        .map(|(t, _)| ecswatch::record::RecordedTarget {
            spec: t.spec.clone(),
            region: t.region.clone(),
        })
        .collect();
    g.record
        .as_deref()
        .map(|p| {
            Recorder::open_rotating(
                p,
                &first.region,
                &first.spec.scope,
                &recorded,
                if g.demo { "demo" } else { "aws" },
                g.record_max,
            )
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
    let specs = target_specs(&g)?;
    let rt = runtime()?;
    let started = std::time::Instant::now();
    let writes = if g.allow_writes {
        Writes::Allowed
    } else {
        Writes::ReadOnly
    };
    let ended = rt.block_on(async {
        with_targets!(g, specs, ecswatch::aws::metered::Budget::new, |targets| {
            let mut opts = ecswatch::app::Options {
                budgets: targets.iter().map(|(_, a)| a.budget()).collect(),
                writes,
                recorder: open_recorder(&g, &targets)?,
                recording_label: g.record.as_ref().map(|p| format!("REC {}", p.display())),
                who: who(&g),
                // a log that cannot be opened must not stop an incident console
                log: ecswatch::logfile::state_dir()
                    .and_then(|d| ecswatch::logfile::LogFile::open_in(&d).ok()),
                notice: None,
            };
            let attached = if let Some(host) = &g.via {
                Some(ecswatch::share::viewer::attach_via(host, &who(&g)).await)
            } else if !g.no_share {
                let socket = watch_socket(&g, &targets).map(|s| s.socket);
                Some(match socket {
                    Ok(s) => ecswatch::share::viewer::attach_console(&s, &who(&g)).await,
                    Err(e) => Err(e),
                })
            } else {
                None
            };
            let ended = match attached {
                Some(Ok(att)) => {
                    ecswatch::app::run_viewer(targets.clone(), pb, theme, keymap, opts, att).await
                }
                other => {
                    if let Some(Err(e)) = other {
                        opts.notice = Some(format!("not shared ({e}): this console reads alone"));
                    }
                    ecswatch::app::run(targets.clone(), pb, theme, keymap, opts).await
                }
            };
            if g.stats {
                print_stats(&targets, started.elapsed());
            }
            ended
        })
    })?;
    rt.shutdown_timeout(std::time::Duration::from_millis(200));
    Ok(exit_code(ended))
}

/// The socket of this watch's shared session (`--share`, `serve`).
fn watch_socket<A: ecswatch::aws::AwsApi>(
    g: &ecswatch::cli::Global,
    targets: &[Connected<A>],
) -> Result<ecswatch::share::Shared, String> {
    let places: Vec<_> = targets
        .iter()
        .map(|(t, _)| (t.spec.clone(), t.region.clone()))
        .collect();
    ecswatch::share::watch_socket(
        &places,
        g.demo,
        g.endpoint_url.as_deref(),
        g.share_group.as_deref(),
    )
}

/// `ecswatch serve`: the hub of this watch's shared session; `attach --stdio` (no `args`):
/// a relay to it.
fn serve(
    g: ecswatch::cli::Global,
    args: Option<ecswatch::cli::ServeArgs>,
    pb: ecswatch::diagnosis::Playbook,
) -> Result<i32, Exit> {
    let specs = target_specs(&g)?;
    let rt = runtime()?;
    let started = std::time::Instant::now();
    rt.block_on(async {
        with_targets!(g, specs, ecswatch::aws::metered::Budget::new, |targets| {
            let shared = watch_socket(&g, &targets).map_err(|e| Exit::new(2, e))?;
            let Some(args) = args else {
                return ecswatch::share::viewer::relay_stdio(&shared.socket, &who(&g))
                    .await
                    .map(|()| 0)
                    .map_err(|e| Exit::new(2, format!("attach: {e}")));
            };
            let places: Vec<_> = targets
                .iter()
                .map(|(t, _)| (t.spec.clone(), t.region.clone()))
                .collect();
            let header = ecswatch::share::hub::header(&places, g.demo);
            let lock = ecswatch::share::hub::take_lock(&shared.socket, shared.group)
                .map_err(|e| Exit::new(2, format!("serve: {e}")))?;
            let opts = ecswatch::share::hub::HubOptions {
                socket: shared.socket,
                group: shared.group,
                grace: args.grace,
                header,
                version: env!("CARGO_PKG_VERSION").into(),
                recorder: open_recorder(&g, &targets)?,
                lock,
            };
            ecswatch::share::hub::serve(targets.clone(), Arc::new(pb), opts)
                .await
                .map_err(|e| Exit::new(2, format!("serve: {e}")))?;
            if g.stats {
                print_stats(&targets, started.elapsed());
            }
            Ok::<i32, Exit>(0)
        })
    })
}

fn global_scope(g: &ecswatch::cli::Global) -> Scope {
    Scope {
        clusters: g.clusters.clone(),
        services: g.services.clone(),
    }
}

/// `snapshot` against AWS: one cycle of every target, printed.
fn live_snapshot(
    g: &ecswatch::cli::Global,
    args: &ecswatch::cli::SnapshotArgs,
    pb: Box<dyn FnOnce() -> Result<ecswatch::diagnosis::Playbook, Exit> + Send>,
) -> Result<i32, Exit> {
    let mut specs = target_specs(g)?;
    for s in &mut specs {
        s.scope = commands::snapshot::scope_from(s.scope.clone(), &args.scope);
    }
    let rt = runtime()?;
    let started = std::time::Instant::now();
    let out = rt.block_on(async {
        with_targets!(
            g,
            specs,
            ecswatch::aws::metered::Budget::one_shot,
            |targets| {
                let out = match open_recorder(g, &targets) {
                    Ok(mut rec) => {
                        let out = commands::snapshot::run(&targets, pb, args, rec.as_mut()).await;
                        // the recording is written behind a queue: finish it, and fail
                        // (exit 2) when it could not be written
                        match rec.map(Recorder::finish).transpose() {
                            Err(e) if out.is_ok() => Err(Exit::new(2, e)),
                            _ => out,
                        }
                    }
                    Err(e) => Err(e),
                };
                if g.stats {
                    print_stats(&targets, started.elapsed());
                }
                out
            }
        )
    });
    print(&out?)?;
    Ok(0)
}

fn run(cli: Cli) -> Result<i32, Exit> {
    let mut g = cli.global;
    // the defaults of config.toml for what watches a place or draws a console; `explain`,
    // `timeline`, completions and the man page work even when that file is broken
    let uses_defaults = !matches!(
        cli.command,
        Some(
            Command::Explain(_) | Command::Timeline(_) | Command::Completions { .. } | Command::Man
        )
    );
    if uses_defaults && let Some(dir) = config_dir() {
        let defaults =
            ecswatch::settings::load(&dir.join("config.toml")).map_err(|e| Exit::new(2, e))?;
        ecswatch::settings::apply(&mut g, &defaults);
    }
    // a live snapshot compiles the built-in playbook while its first calls are under way (a
    // user's playbook file is read first: its errors come before any call)
    if let Some(Command::Snapshot(args)) = &cli.command
        && args.replay.is_none()
    {
        let pb: Box<dyn FnOnce() -> Result<ecswatch::diagnosis::Playbook, Exit> + Send> =
            match g.playbook.as_deref() {
                Some(path) => {
                    let pb = commands::load_playbook(Some(path))?;
                    Box::new(move || Ok(pb))
                }
                None => {
                    let compiling = std::thread::spawn(|| commands::load_playbook(None));
                    Box::new(move || {
                        compiling.join().map_err(|_| {
                            Exit::new(2, "playbook: the built-in playbook failed to load")
                        })?
                    })
                }
            };
        return live_snapshot(&g, args, pb);
    }
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
            // a live snapshot was handled above
            let scope = commands::snapshot::scope_from(global_scope(&g), &args.scope);
            if g.record.is_some() {
                return Err(Exit::new(2, "--record and --replay cannot be combined"));
            }
            print(&commands::snapshot::from_replay(pb, scope, &args)?)?;
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
        Command::Completions { shell } => {
            let mut cmd = <Cli as clap::CommandFactory>::command();
            let mut out = Vec::new();
            clap_complete::generate(shell, &mut cmd, "ecswatch", &mut out);
            print(&String::from_utf8_lossy(&out))?;
            Ok(0)
        }
        Command::Man => {
            let mut out = Vec::new();
            clap_mangen::Man::new(<Cli as clap::CommandFactory>::command())
                .render(&mut out)
                .map_err(|e| Exit::new(2, format!("man: {e}")))?;
            print(&String::from_utf8_lossy(&out))?;
            Ok(0)
        }
        Command::Serve(args) => serve(g, Some(args), pb),
        Command::Attach(_) => serve(g, None, pb),
        Command::Doctor => {
            let specs = target_specs(&g)?;
            let rt = runtime()?;
            rt.block_on(async {
                with_targets!(
                    g,
                    specs,
                    ecswatch::aws::metered::Budget::one_shot,
                    |targets| {
                        let mut all_ok = true;
                        let mut text = String::new();
                        let tools = ecswatch::exec::LocalTools::probe();
                        let term = crossterm::terminal::size().ok();
                        for (state, api) in &targets {
                            let mut state = state.clone();
                            let now = chrono::Utc::now();
                            let (who, id) = commands::doctor::identity(&**api, &state).await;
                            let mut checks = vec![who];
                            if let Some(id) = &id {
                                checks.push(commands::doctor::Check {
                                    what: "credentials expiry",
                                    action: "-",
                                    outcome: commands::doctor::expiry(&state, id, now),
                                });
                                state.account = Some(id.account.clone()).filter(|a| !a.is_empty());
                            }
                            let (reads, svc) = commands::doctor::reads(
                                &**api,
                                &state,
                                &g.clusters,
                                &g.services,
                                now,
                            )
                            .await;
                            checks.extend(reads);
                            if let Some(s) = &svc
                                && state.account.is_none()
                            {
                                state.account =
                                    ecswatch::room::arn_account(&s.arn).map(str::to_owned);
                            }
                            let (r, ok) =
                                commands::doctor::report(&state, &checks, &tools, term, &|v| {
                                    std::env::var(v).ok()
                                });
                            text.push_str(&r);
                            all_ok &= ok;
                        }
                        if g.stats {
                            print_stats(&targets, std::time::Duration::from_secs(1));
                        }
                        print(&text)?;
                        Ok(if all_ok { 0 } else { 1 })
                    }
                )
            })
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
            let specs = target_specs(&g)?;
            if specs.len() > 1 {
                return Err(Exit::new(
                    2,
                    "wait follows one service in one account and Region: give one --profile and one --region",
                ));
            }
            let rt = runtime()?;
            rt.block_on(async {
                with_targets!(
                    g,
                    specs,
                    ecswatch::aws::metered::Budget::one_shot,
                    |targets| {
                        let mut out = std::io::stdout();
                        match targets.first() {
                            Some((_, api)) => {
                                commands::wait::run(&**api, pb, &cluster, &service, &args, &mut out)
                                    .await
                            }
                            None => Err(Exit::new(2, "nothing to wait on")),
                        }
                    }
                )
            })
        }
    }
}
