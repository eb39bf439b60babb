use clap::Parser;
use ecswatch::aws::{AwsOptions, sdk::SdkApi};
use ecswatch::cli::{Cli, Command};
use ecswatch::commands::{self, Exit};
use ecswatch::demo::DemoApi;
use ecswatch::poll::{Counted, Scope};
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

fn console(g: ecswatch::cli::Global, pb: ecswatch::diagnosis::Playbook) -> Result<i32, Exit> {
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
    let scope = Scope {
        clusters: g.clusters.clone(),
        services: g.services.clone(),
    };
    let rt = runtime()?;
    let started = std::time::Instant::now();
    let (ended, counts) = rt.block_on(async {
        if g.demo {
            let api = Counted::new(DemoApi::live());
            let counts = api.counts();
            ecswatch::app::run(api, scope, pb, theme, keymap)
                .await
                .map(|e| (e, counts))
        } else {
            let api = Counted::new(sdk_api(&g).await);
            let counts = api.counts();
            ecswatch::app::run(api, scope, pb, theme, keymap)
                .await
                .map(|e| (e, counts))
        }
    })?;
    if g.stats {
        eprint!("{}", counts.report(started.elapsed()));
    }
    rt.shutdown_timeout(std::time::Duration::from_millis(200));
    Ok(match ended {
        ecswatch::app::Ended::Quit | ecswatch::app::Ended::InputClosed => 0,
        ecswatch::app::Ended::Signal(name) => {
            eprintln!("ecswatch: stopped by {name}");
            match name {
                "SIGHUP" => 129,
                "SIGINT" => 130,
                _ => 143,
            }
        }
    })
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
            let scope = commands::snapshot::scope_from(
                Scope {
                    clusters: g.clusters.clone(),
                    services: g.services.clone(),
                },
                &args.scope,
            );
            let rt = runtime()?;
            let started = std::time::Instant::now();
            let (out, counts) = rt.block_on(async {
                if g.demo {
                    let api = Counted::new(DemoApi::live());
                    (
                        commands::snapshot::run(&api, pb, scope, &args).await,
                        api.counts(),
                    )
                } else {
                    let api = Counted::new(sdk_api(&g).await);
                    (
                        commands::snapshot::run(&api, pb, scope, &args).await,
                        api.counts(),
                    )
                }
            });
            if g.stats {
                eprint!("{}", counts.report(started.elapsed()));
            }
            print(&out?)?;
            Ok(0)
        }
    }
}
