//! The command line.

use crate::targets::Target;
use clap::Parser;
use std::path::PathBuf;

/// Wren's end-to-end benchmark. Tester peers feed a router under test
/// (wrend, BIRD 2, FRR bgpd, GoBGP) in its own network namespace; a
/// monitor peer times how long until it holds every route. Needs root.
#[derive(Parser, Debug)]
#[command(name = "wren-bench", version)]
pub struct Args {
    /// CI sizes: every scenario in seconds.
    #[arg(long)]
    pub quick: bool,
    /// Scenarios to run (repeatable, or comma-separated); all by default.
    /// `--list` shows them.
    #[arg(long = "scenario", value_name = "NAME", value_delimiter = ',')]
    pub scenarios: Vec<String>,
    /// Routers to run (repeatable, or comma-separated); all by default.
    #[arg(long = "target", value_name = "TARGET", value_delimiter = ',')]
    pub targets: Vec<Target>,
    /// The wrend binary [default: wrend next to this program, else
    /// target/release/wrend].
    #[arg(long, value_name = "PATH")]
    pub wrend: Option<PathBuf>,
    /// Write every figure to this CSV file.
    #[arg(long, value_name = "FILE")]
    pub csv: Option<PathBuf>,
    /// Write the convergence plot to this SVG file.
    #[arg(long, value_name = "FILE")]
    pub plot: Option<PathBuf>,
    /// Seconds each clock may run before the target counts as timed out
    /// [default: 120, or 30 with --quick].
    #[arg(long, value_name = "S")]
    pub timeout: Option<f64>,
    /// Rounds of add and removal in the mesh scenario, an odd number
    /// [default: 7, or 3 with --quick]. More rounds make the medians
    /// steadier when comparing two builds.
    #[arg(long, value_name = "N", value_parser = odd_rounds)]
    pub rounds: Option<u32>,
    /// Seed of the attribute generator.
    #[arg(long, default_value_t = 2026)]
    pub seed: u64,
    /// Keep configurations and router logs (in /tmp/wren-bench-PID) even
    /// when every run succeeds.
    #[arg(long)]
    pub keep: bool,
    /// Exit non-zero when a target does not converge (always so with
    /// --quick).
    #[arg(long)]
    pub strict: bool,
    /// List the scenarios and exit.
    #[arg(long)]
    pub list: bool,
}

/// An odd count of rounds has a middle one, whose figure is the median.
fn odd_rounds(s: &str) -> Result<u32, String> {
    match s.parse::<u32>() {
        Ok(n) if n % 2 == 1 => Ok(n),
        Ok(_) => Err("an odd number: the median is the middle round's".to_string()),
        Err(e) => Err(e.to_string()),
    }
}

impl Args {
    /// The wrend to run: as given, else the release binary beside this
    /// program (cargo puts both in the same target directory), else
    /// `target/release/wrend`.
    pub fn wrend_path(&self) -> PathBuf {
        if let Some(p) = &self.wrend {
            return p.clone();
        }
        std::env::current_exe()
            .ok()
            .and_then(|exe| exe.parent().map(|d| d.join("wrend")))
            .filter(|p| p.exists())
            .unwrap_or_else(|| PathBuf::from("target/release/wrend"))
    }

    /// The clock timeout in seconds.
    pub fn timeout_s(&self) -> f64 {
        self.timeout
            .unwrap_or(if self.quick { 30.0 } else { 120.0 })
    }
}
