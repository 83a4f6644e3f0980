//! wrend — the Wren BGP daemon. Flags follow BIRD's (`-c` config, `-s`
//! control socket, `-f` foreground, `-p` parse only, `-P` pid file, `-d`
//! debug, `-R` graceful-restart recovery), so Calico's scripts can start
//! it as they start BIRD.

use clap::Parser;
use std::path::PathBuf;

#[derive(Parser, Debug)]
#[command(name = "wrend", version, about = "Wren BGP daemon")]
struct Args {
    /// Configuration file (BIRD dialect).
    #[arg(short = 'c', default_value = "/etc/wren/wren.conf")]
    config: PathBuf,
    /// Parse the configuration, report errors, and exit.
    #[arg(short = 'p')]
    parse_only: bool,
    /// Control socket path.
    #[arg(short = 's')]
    socket: Option<PathBuf>,
    /// Stay in the foreground (wrend never daemonizes itself).
    #[arg(short = 'f')]
    foreground: bool,
    /// Debug logging to stderr.
    #[arg(short = 'd')]
    debug: bool,
    /// Write the process id to this file.
    #[arg(short = 'P')]
    pid_file: Option<PathBuf>,
    /// Start in graceful restart recovery (set the R bit).
    #[arg(short = 'R')]
    recovery: bool,
    /// A second, read-only control socket (only `show` commands), for
    /// monitoring agents; BIRD's `cli "PATH" { restrict; }`.
    #[arg(long = "restricted-socket", value_name = "PATH")]
    restricted_socket: Option<PathBuf>,
    /// Serve Prometheus metrics at http://ADDR/metrics.
    #[arg(long = "metrics", value_name = "ADDR")]
    metrics: Option<std::net::SocketAddr>,
    /// Answer the control socket as BIRD 1 or 2 does (default: the
    /// generation the configuration is written for; GoBGP TOML: 2).
    #[arg(long = "bird-output", value_name = "1|2", value_parser = ["1", "2"])]
    bird_output: Option<String>,
}

fn main() -> std::process::ExitCode {
    let args = Args::parse();
    let logger = wren::log::Logger::new(args.debug);
    {
        use tracing_subscriber::layer::SubscriberExt;
        let _ = tracing::subscriber::set_global_default(
            tracing_subscriber::registry().with(logger.clone()),
        );
    }
    let spec = match wren::config::load(&args.config, args.recovery) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("{e}");
            return std::process::ExitCode::from(1);
        }
    };
    if args.parse_only {
        return std::process::ExitCode::SUCCESS;
    }
    if let Err(e) = logger.configure(&spec.log) {
        eprintln!("wrend: {e}");
        return std::process::ExitCode::from(1);
    }
    if let Some(pid) = &args.pid_file {
        if let Err(e) = std::fs::write(pid, format!("{}\n", std::process::id())) {
            eprintln!("{}: {e}", pid.display());
            return std::process::ExitCode::from(1);
        }
    }
    let _ = args.foreground;
    let rt = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("{e}");
            return std::process::ExitCode::from(1);
        }
    };
    let result = rt.block_on(async move {
        // Few events in flight: each can be a 64 KiB chunk of UPDATEs, and
        // a full queue pushes back on the peers through TCP.
        let (tx, rx) = tokio::sync::mpsc::channel(64);
        let (ctl_tx, ctl_rx) = tokio::sync::mpsc::channel(16);
        if let Some(addr) = args.metrics {
            wren::control::http::spawn(addr, ctl_tx.clone())
                .await
                .map_err(|e| anyhow::anyhow!("metrics listener {addr}: {e}"))?;
        }
        if let Some(path) = &args.restricted_socket {
            wren::control::spawn_restricted(path, ctl_tx.clone())
                .map_err(|e| anyhow::anyhow!("control socket {}: {e}", path.display()))?;
        }
        if let Some(path) = &args.socket {
            wren::control::spawn(path, ctl_tx)
                .map_err(|e| anyhow::anyhow!("control socket {}: {e}", path.display()))?;
        }
        let mut daemon = wren::daemon::Daemon::new(spec, tx);
        daemon.config_path = Some(args.config.clone());
        daemon.logger = Some(logger);
        daemon.output_override = args.bird_output.as_deref().map(|g| match g {
            "1" => wren::daemon::spec::Generation::Bird1,
            _ => wren::daemon::spec::Generation::Bird2,
        });
        daemon.run(rx, ctl_rx).await
    });
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("wrend: {e}");
            std::process::ExitCode::from(1)
        }
    }
}
