//! wren-lab — the seeds' labs in network namespaces, one command each.
//!
//! `wren-lab run FILE` builds the lab, waits for its checks (bounded),
//! prints a report and tears everything down, also on failure and Ctrl-C.
//! `up`/`down` keep a lab running to explore it; `exec NODE -- CMD` runs a
//! command inside a node; `graph FILE` draws the topology as SVG, with
//! the expected BGP sessions and, for a lab that is up, their states.

use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use wren::lab::{self, run, topology};

#[derive(Parser)]
#[command(name = "wren-lab", version, about = "Wren's network-namespace labs")]
struct Args {
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Build, check, report, tear down.
    Run {
        /// Lab file (YAML).
        file: PathBuf,
    },
    /// Build and leave running.
    Up {
        /// Lab file (YAML).
        file: PathBuf,
    },
    /// Tear down a lab left running.
    Down {
        /// Lab name or file.
        lab: String,
    },
    /// Run a command inside a node of a running lab.
    Exec {
        /// Lab name.
        lab: String,
        /// Node.
        node: String,
        /// The command.
        #[arg(last = true, required = true)]
        cmd: Vec<String>,
    },
    /// Write the topology as SVG to stdout.
    Graph {
        /// Lab file (YAML).
        file: PathBuf,
    },
}

fn main() -> ExitCode {
    let args = Args::parse();
    match run_cmd(args.cmd) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(1),
        Err(e) => {
            eprintln!("wren-lab: {e}");
            ExitCode::from(2)
        }
    }
}

fn run_cmd(cmd: Cmd) -> Result<bool, String> {
    match cmd {
        Cmd::Run { file } => {
            let topo = topology::load(&file)?;
            let stop = Arc::new(AtomicBool::new(false));
            for sig in [signal_hook::consts::SIGINT, signal_hook::consts::SIGTERM] {
                signal_hook::flag::register(sig, stop.clone()).map_err(|e| e.to_string())?;
            }
            eprintln!("== building lab {} ({} nodes)", topo.name, topo.nodes.len());
            let lab = run::Lab::up(topo, false)?;
            eprintln!(
                "== waiting for {} checks (up to {} s)",
                lab.topo.checks.len(),
                lab.topo.timeout
            );
            let outcomes = lab::wait_checks(&lab, &stop);
            let (text, ok) = lab::report(&lab, &outcomes);
            print!("{text}");
            drop(lab);
            Ok(ok)
        }
        Cmd::Up { file } => {
            let topo = topology::load(&file)?;
            let lab = run::Lab::up(topo, true)?;
            eprintln!(
                "lab {} is up; state in {}",
                lab.topo.name,
                lab.dir.display()
            );
            Ok(true)
        }
        Cmd::Down { lab } => {
            let name = if lab.ends_with(".yaml") || lab.ends_with(".yml") {
                topology::load(std::path::Path::new(&lab))?.name
            } else {
                lab
            };
            for ns in run::down(&name) {
                eprintln!("removed {ns}");
            }
            Ok(true)
        }
        Cmd::Exec { lab, node, cmd } => {
            let status = std::process::Command::new("ip")
                .args(["netns", "exec", &run::netns(&lab, &node)])
                .args(&cmd)
                .status()
                .map_err(|e| e.to_string())?;
            Ok(status.success())
        }
        Cmd::Graph { file } => {
            let topo = topology::load(&file)?;
            // A running lab (`wren-lab up`) shows its sessions' states.
            let dir = run::state_dir(&topo.name);
            let sessions = if dir.exists() {
                let running = run::Lab {
                    topo,
                    dir,
                    keep: true,
                };
                let s = lab::graph::sessions(&running.topo, Some(&running));
                print!("{}", lab::graph::svg(&running.topo, &s));
                return Ok(true);
            } else {
                lab::graph::sessions(&topo, None)
            };
            print!("{}", lab::graph::svg(&topo, &sessions));
            Ok(true)
        }
    }
}
