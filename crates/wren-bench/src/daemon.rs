//! A running router under test: its processes (the router, and FRR's
//! zebra when the router programs the kernel through it), their resource
//! figures taken together, and stopping them.

use crate::cpu::CpuMark;
use crate::lab::NS_DUT;
use crate::process::Process;
use crate::targets::{zebra, Lab, Target};
use anyhow::{bail, Context, Result};
use std::path::{Path, PathBuf};

/// A router's processes, stopped (and reaped) on drop.
#[derive(Debug)]
pub struct Daemon {
    /// The router first, then its helpers.
    procs: Vec<Process>,
    /// Where the router's output goes.
    pub log: PathBuf,
}

impl Daemon {
    /// Writes `target`'s configuration for `lab` into `dir` and starts it
    /// (with zebra first, if it needs one) in the router's namespace.
    pub fn start(target: Target, lab: &Lab, dir: &Path, wrend: &Path) -> Result<Self> {
        let zebra = if lab.kernel && target.needs_zebra() {
            let mut z = zebra::Zebra::spawn(NS_DUT, dir)?;
            z.ready()?;
            Some(z)
        } else {
            None
        };
        Self::launch(target, NS_DUT, &target.config(lab), dir, wrend, zebra)
    }

    /// Writes `config` into `dir` and starts `target` with it in
    /// namespace `ns`, attached to `zebra` if given (which it then owns).
    pub fn launch(
        target: Target,
        ns: &str,
        config: &str,
        dir: &Path,
        wrend: &Path,
        zebra: Option<zebra::Zebra>,
    ) -> Result<Self> {
        let program = target.program(wrend);
        if program.is_absolute() && !program.exists() {
            bail!("{} not found", program.display());
        }
        let conf = dir.join(format!("{}.{}", target.name(), target.config_ext()));
        std::fs::write(&conf, config).with_context(|| format!("writing {}", conf.display()))?;
        let log = dir.join(format!("{}.out", target.name()));
        let zserv = zebra.as_ref().map(|z| z.socket.clone());
        let router = Process::spawn(
            target.command(ns, &conf, dir, wrend, zserv.as_deref()),
            &log,
        )?;
        let mut procs = vec![router];
        procs.extend(zebra.map(|z| z.process));
        Ok(Daemon { procs, log })
    }

    /// `Some(reason)` once any of its processes has exited.
    pub fn exited(&mut self) -> Option<String> {
        self.procs.iter_mut().enumerate().find_map(|(i, p)| {
            let who = if i == 0 { "the router" } else { "zebra" };
            p.exited().map(|why| format!("{who} {why}"))
        })
    }

    /// The CPU counters of each of its processes now.
    pub fn cpu_marks(&self) -> Result<Vec<CpuMark>> {
        self.procs.iter().map(Process::cpu_mark).collect()
    }

    /// CPU seconds all its processes used since `marks` were read
    /// ([`CpuMark::seconds_since`]).
    pub fn cpu_since(&self, marks: &[CpuMark]) -> Result<f64> {
        let now = self.cpu_marks()?;
        Ok(now.iter().zip(marks).map(|(n, m)| n.seconds_since(m)).sum())
    }

    /// Peak RSS in MiB, summed over its processes.
    pub fn peak_rss_mib(&self) -> Result<f64> {
        self.procs.iter().map(Process::peak_rss_mib).sum()
    }

    /// Sends every process SIGTERM without waiting (see
    /// [`Process::terminate`]).
    pub fn terminate(&mut self) {
        self.procs.iter_mut().for_each(Process::terminate);
    }

    /// The last lines of its output (and of FRR's log files), for error
    /// reports.
    pub fn log_tail(&self, lines: usize) -> String {
        let mut text = std::fs::read_to_string(&self.log).unwrap_or_default();
        if let Some(dir) = self.log.parent() {
            for frr in ["bgpd.log", "zebra.log"] {
                text.push_str(&std::fs::read_to_string(dir.join(frr)).unwrap_or_default());
            }
        }
        let all: Vec<&str> = text.lines().collect();
        all.get(all.len().saturating_sub(lines)..)
            .unwrap_or_default()
            .join("\n")
    }
}

impl Drop for Daemon {
    /// Every process told at once, then each reaped: the router and its
    /// zebra shut down side by side.
    fn drop(&mut self) {
        self.terminate();
    }
}
