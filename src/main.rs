use clap::Parser;
use ecswatch::aws::{AwsOptions, sdk::SdkApi};
use ecswatch::cli::{Cli, Command};
use ecswatch::commands::{self, Exit};
use ecswatch::demo::DemoApi;
use ecswatch::poll::Scope;
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

fn run(cli: Cli) -> Result<i32, Exit> {
    let g = cli.global;
    let pb = commands::load_playbook(g.playbook.as_deref())?;
    let Some(command) = cli.command else {
        return Err(Exit::new(
            2,
            "the interactive console is not built yet; run `ecswatch snapshot` (add --demo for the simulated incident)",
        ));
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
            let rt = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .map_err(|e| Exit::new(2, format!("cannot start the runtime: {e}")))?;
            let out = rt.block_on(async {
                if g.demo {
                    commands::snapshot::run(&DemoApi::live(), pb, scope, &args).await
                } else {
                    let api = SdkApi::connect(&AwsOptions {
                        profile: g.profile.clone(),
                        region: g.region.clone(),
                        endpoint_url: g.endpoint_url.clone(),
                    })
                    .await;
                    commands::snapshot::run(&api, pb, scope, &args).await
                }
            })?;
            print(&out)?;
            Ok(0)
        }
    }
}
