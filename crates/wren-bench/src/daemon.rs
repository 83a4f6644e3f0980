//! A running router under test: its process, its resource figures, and
//! stopping it.

use crate::targets::{Lab, Target};
use anyhow::{bail, Context, Result};
use nix::sys::signal::{kill, Signal};
use nix::unistd::Pid;
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

/// /proc reports CPU time in USER_HZ ticks, 100 a second on every Linux
/// ABI.
const TICKS_PER_SECOND: f64 = 100.0;

/// A router process, stopped (and reaped) on drop.
#[derive(Debug)]
pub struct Daemon {
    child: Child,
    /// Where its log goes.
    pub log: PathBuf,
}

impl Daemon {
    /// Writes `target`'s configuration for `lab` into `dir` and starts it
    /// in the router's namespace.
    pub fn start(target: Target, lab: &Lab, dir: &Path, wrend: &Path) -> Result<Self> {
        let program = target.program(wrend);
        if program.is_absolute() && !program.exists() {
            bail!("{} not found", program.display());
        }
        let ext = if target == Target::Gobgp {
            "toml"
        } else {
            "conf"
        };
        let conf = dir.join(format!("{}.{ext}", target.name()));
        std::fs::write(&conf, target.config(lab))
            .with_context(|| format!("writing {}", conf.display()))?;
        let log = dir.join(format!("{}.out", target.name()));
        let out = std::fs::File::create(&log)?;
        let child = target
            .command(&conf, dir, wrend)
            .stdin(Stdio::null())
            .stdout(out.try_clone()?)
            .stderr(out)
            .spawn()
            .with_context(|| format!("starting {}", program.display()))?;
        Ok(Daemon { child, log })
    }

    /// The process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// `Some(reason)` once the process has exited.
    pub fn exited(&mut self) -> Option<String> {
        match self.child.try_wait() {
            Ok(Some(status)) => Some(format!("the router exited ({status})")),
            Ok(None) => None,
            Err(e) => Some(format!("the router cannot be waited for: {e}")),
        }
    }

    /// CPU seconds used so far (user and system, with any reaped children).
    pub fn cpu_seconds(&self) -> Result<f64> {
        let stat = std::fs::read_to_string(format!("/proc/{}/stat", self.pid()))?;
        // Fields after the command name, which is in parentheses and may
        // hold spaces: state is field 3, utime 14, stime 15, cutime 16,
        // cstime 17 (proc(5)).
        let after = stat.rsplit_once(')').map(|x| x.1).unwrap_or_default();
        let ticks: u64 = after
            .split_whitespace()
            .skip(11)
            .take(4)
            .filter_map(|f| f.parse::<u64>().ok())
            .sum();
        Ok(ticks as f64 / TICKS_PER_SECOND)
    }

    /// Peak resident set size in MiB (VmHWM).
    pub fn peak_rss_mib(&self) -> Result<f64> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.pid()))?;
        let kib = status
            .lines()
            .find_map(|l| l.strip_prefix("VmHWM:"))
            .and_then(|v| v.split_whitespace().next())
            .and_then(|v| v.parse::<u64>().ok())
            .context("no VmHWM in /proc/PID/status")?;
        Ok(kib as f64 / 1024.0)
    }

    /// The last lines of its output, for error reports.
    pub fn log_tail(&self, lines: usize) -> String {
        let mut text = std::fs::read_to_string(&self.log).unwrap_or_default();
        if let Some(frr) = self.log.parent().map(|d| d.join("bgpd.log")) {
            text.push_str(&std::fs::read_to_string(frr).unwrap_or_default());
        }
        let all: Vec<&str> = text.lines().collect();
        all.get(all.len().saturating_sub(lines)..)
            .unwrap_or_default()
            .join("\n")
    }
}

impl Drop for Daemon {
    /// SIGTERM, then SIGKILL after two seconds: every daemon is killed and
    /// reaped before the next one starts.
    fn drop(&mut self) {
        let pid = Pid::from_raw(i32::try_from(self.child.id()).unwrap_or(0));
        if matches!(self.child.try_wait(), Ok(None)) {
            let _ = kill(pid, Signal::SIGTERM);
            let until = Instant::now() + Duration::from_secs(2);
            while Instant::now() < until {
                if !matches!(self.child.try_wait(), Ok(None)) {
                    return;
                }
                std::thread::sleep(Duration::from_millis(20));
            }
            let _ = self.child.kill();
        }
        let _ = self.child.wait();
    }
}
