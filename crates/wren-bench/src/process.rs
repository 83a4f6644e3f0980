//! One process we started (a router, or FRR's zebra beside it): its
//! resource figures, and stopping it.

use anyhow::{Context, Result};
use nix::sys::signal::{kill, Signal};
use nix::unistd::Pid;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// /proc reports CPU time in USER_HZ ticks, 100 a second on every Linux
/// ABI.
const TICKS_PER_SECOND: f64 = 100.0;
/// How long a process may take to exit after SIGTERM before SIGKILL.
const GRACE: Duration = Duration::from_secs(2);

/// A child process, stopped (and reaped) on drop.
#[derive(Debug)]
pub struct Process {
    child: Child,
}

impl Process {
    /// Starts `cmd` with its output appended to `log`.
    pub fn spawn(mut cmd: Command, log: &Path) -> Result<Self> {
        let out = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(log)
            .with_context(|| format!("opening {}", log.display()))?;
        let child = cmd
            .stdin(Stdio::null())
            .stdout(out.try_clone()?)
            .stderr(out)
            .spawn()
            .with_context(|| format!("starting {:?}", cmd.get_program()))?;
        Ok(Process { child })
    }

    /// The process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// `Some(reason)` once the process has exited.
    pub fn exited(&mut self) -> Option<String> {
        match self.child.try_wait() {
            Ok(Some(status)) => Some(format!("exited ({status})")),
            Ok(None) => None,
            Err(e) => Some(format!("cannot be waited for: {e}")),
        }
    }

    /// CPU seconds used so far (user and system, all threads, with any
    /// reaped children), in 10 ms ticks.
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

    /// CPU seconds its live threads have run, to the nanosecond (the first
    /// field of each `/proc/PID/task/TID/schedstat`). For short clocks
    /// summed over many processes, where [`Process::cpu_seconds`]'s 10 ms
    /// ticks would add up to more than the figure; threads that have
    /// exited are not counted.
    pub fn cpu_seconds_fine(&self) -> Result<f64> {
        let mut ns = 0u64;
        for task in std::fs::read_dir(format!("/proc/{}/task", self.pid()))? {
            let path = task?.path().join("schedstat");
            // A thread may end between the listing and the read.
            if let Ok(s) = std::fs::read_to_string(path) {
                ns += s
                    .split_whitespace()
                    .next()
                    .and_then(|v| v.parse::<u64>().ok())
                    .unwrap_or(0);
            }
        }
        Ok(ns as f64 / 1e9)
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

    /// Sends SIGTERM if it still runs, without waiting: many processes
    /// are told first and then reaped together.
    pub fn terminate(&mut self) {
        if matches!(self.child.try_wait(), Ok(None)) {
            let pid = Pid::from_raw(i32::try_from(self.child.id()).unwrap_or(0));
            let _ = kill(pid, Signal::SIGTERM);
        }
    }
}

impl Drop for Process {
    /// SIGTERM, then SIGKILL after [`GRACE`]: every process is gone and
    /// reaped before the next run starts.
    fn drop(&mut self) {
        if matches!(self.child.try_wait(), Ok(None)) {
            self.terminate();
            let until = Instant::now() + GRACE;
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
