//! wren-bench: Wren's end-to-end benchmark against BIRD 2, FRR and GoBGP.
//! See docs/bench.md.
//!
//! For each scenario the testers' UPDATE streams are encoded once, then
//! each target runs in a fresh lab ([`topology`]): the router starts
//! ([`daemon`], [`targets`]), the monitor ([`monitor`]) and the testers
//! ([`testers`]) open their sessions ([`connect`]), and [`run`] times the
//! monitor's view, or for `kernel-fib` the kernel's ([`fib`], [`rtnl`]).
//! The `mesh` scenario builds a network of its own ([`mesh`]). [`report`]
//! and [`plot`] turn the outcomes into a table, a CSV and an SVG.

#![cfg_attr(
    test,
    allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::panic)
)]

mod attrs;
mod cli;
mod connect;
mod cpu;
mod daemon;
mod feed;
mod fib;
mod held;
mod lab;
mod mesh;
mod monitor;
mod plot;
mod prefixes;
mod process;
mod progress;
mod report;
mod rng;
mod rtnl;
mod run;
mod scenario;
mod session;
mod targets;
mod testers;
mod topology;

use anyhow::{bail, Context, Result};
use clap::Parser;
use cli::Args;
use report::ScenarioResult;
use run::{Options, Outcome, Status};
use scenario::{Kind, Scenario};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};
use targets::Target;

fn main() -> ExitCode {
    let args = Args::parse();
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("wren-bench: {e}");
            return ExitCode::FAILURE;
        }
    };
    let code = rt.block_on(async {
        let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
        tokio::select! {
            r = bench(&args) => r,
            _ = tokio::signal::ctrl_c() => bail!("interrupted"),
            _ = term.recv() => bail!("terminated"),
        }
    });
    // Whatever was running has been dropped by now: routers killed,
    // namespaces deleted. Sessions still open go with the runtime.
    rt.shutdown_timeout(Duration::from_secs(1));
    match code {
        Ok(code) => code,
        Err(e) => {
            eprintln!("wren-bench: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// Picks the scenarios named on the command line, in the standard order.
fn scenarios(args: &Args) -> Result<Vec<Scenario>> {
    let all = if args.quick {
        scenario::quick()
    } else {
        scenario::full()
    };
    for name in &args.scenarios {
        if !all.iter().any(|s| s.name == name) {
            let names: Vec<_> = all.iter().map(|s| s.name).collect();
            bail!("no scenario {name:?}; there are: {}", names.join(", "));
        }
    }
    Ok(all
        .into_iter()
        .filter(|s| args.scenarios.is_empty() || args.scenarios.iter().any(|n| n == s.name))
        .map(|mut s| {
            if let (Kind::Mesh { rounds, .. }, Some(n)) = (&mut s.kind, args.rounds) {
                *rounds = n;
            }
            s
        })
        .collect())
}

async fn bench(args: &Args) -> Result<ExitCode> {
    let scenarios = scenarios(args)?;
    if args.list {
        for s in &scenarios {
            println!("{:<14} {}\n{:<14} {}", s.name, s.shape(), "", s.about);
        }
        return Ok(ExitCode::SUCCESS);
    }
    if !nix::unistd::geteuid().is_root() {
        bail!("wren-bench needs root for its network namespaces");
    }
    let targets: Vec<Target> = if args.targets.is_empty() {
        Target::ALL.to_vec()
    } else {
        Target::ALL
            .into_iter()
            .filter(|t| args.targets.contains(t))
            .collect()
    };
    let options = Options {
        timeout: Duration::from_secs_f64(args.timeout_s()),
        wrend: args.wrend_path(),
        work_dir: std::env::temp_dir().join(format!("wren-bench-{}", std::process::id())),
    };
    topology::remove_stale()?;
    let mut results = Vec::new();
    for s in scenarios {
        eprintln!("== {}: {}", s.name, s.shape());
        let feeds = Arc::new(if s.has_testers() {
            encode(&s, args.seed).await?
        } else {
            Vec::new()
        });
        let mut outcomes = Vec::new();
        for &t in &targets {
            let o = if let Some(why) = t.unsupported(s.kind) {
                Outcome::not_applicable(t, why)
            } else if let Kind::Mesh { .. } = s.kind {
                mesh::run(&s, t, &options).await
            } else {
                run::run(&s, feeds.clone(), t, &options).await
            };
            eprintln!("   {:<6} {}", t.name(), summary(&o, &s));
            outcomes.push(o);
        }
        let r = ScenarioResult {
            scenario: s,
            outcomes,
        };
        println!("{}", report::table(&r));
        results.push(r);
    }
    if let Some(path) = &args.csv {
        std::fs::write(path, report::csv(&results))
            .with_context(|| format!("writing {}", path.display()))?;
        eprintln!("CSV: {}", path.display());
    }
    if let Some(path) = &args.plot {
        plot::plot(&results, path)?;
        eprintln!("plot: {}", path.display());
    }
    // A target that cannot take part in a scenario is no failure of it.
    let all_converged = results
        .iter()
        .flat_map(|r| &r.outcomes)
        .all(|o| matches!(o.status, Status::Converged | Status::NotApplicable(_)));
    if all_converged && !args.keep {
        let _ = std::fs::remove_dir_all(&options.work_dir);
    } else {
        eprintln!("configurations and logs: {}", options.work_dir.display());
    }
    if !all_converged && (args.quick || args.strict) {
        eprintln!("wren-bench: not every target converged");
        return Ok(ExitCode::FAILURE);
    }
    Ok(ExitCode::SUCCESS)
}

/// Encodes the testers' streams of `s`, once for every target.
async fn encode(s: &Scenario, seed: u64) -> Result<Vec<feed::Feed>> {
    let started = Instant::now();
    let sc = s.clone();
    let feeds = tokio::task::spawn_blocking(move || feed::build(&sc, seed)).await??;
    let (updates, octets) = feeds.iter().fold((0, 0), |(u, o), f| {
        (
            u + f.announce_updates + f.withdraw_updates,
            o + f.announce.len() + f.withdraw.len(),
        )
    });
    eprintln!(
        "   encoded {updates} UPDATEs ({:.1} MiB) in {:.2} s",
        octets as f64 / 1_048_576.0,
        started.elapsed().as_secs_f64()
    );
    Ok(feeds)
}

/// One progress line per run.
fn summary(o: &run::Outcome, s: &Scenario) -> String {
    match &o.status {
        Status::Converged => {
            // The mesh's clocks run for milliseconds.
            let t = |v: f64| match s.kind {
                Kind::Mesh { .. } => format!("{:.1} ms", v * 1000.0),
                Kind::Transit | Kind::KernelFib => format!("{v:.2} s"),
            };
            let mut line = t(o.converge_s.unwrap_or(0.0));
            if let Some(w) = o.withdraw_s {
                line.push_str(&format!(", withdrawn in {}", t(w)));
            }
            line
        }
        Status::TimedOut(held) => format!("timed out with {held} {} held", s.unit()),
        Status::Failed(why) => format!("FAILED: {why}"),
        Status::NotApplicable(why) => format!("not applicable: {why}"),
    }
}
