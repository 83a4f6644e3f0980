//! A process's CPU time between two moments, as exactly as /proc allows.
//!
//! `/proc/PID/stat` counts every thread, living or gone, and reaped
//! children, but in 10 ms ticks: on a withdrawal clock of 0.1 s that is
//! ±10 %, as large as the differences the bench is after. Each thread's
//! `/proc/PID/task/TID/schedstat` is exact to the nanosecond, but a
//! thread that exits takes its time with it. So a [`CpuMark`] holds both,
//! and the time between two marks is the threads' exact sum when every
//! thread of the first mark is still there and no child was reaped in
//! between, and the ticks otherwise.

use anyhow::{Context, Result};

/// /proc reports CPU time in USER_HZ ticks, 100 a second on every Linux
/// ABI.
const TICKS_PER_SECOND: f64 = 100.0;

/// One process's CPU counters at one moment.
#[derive(Clone, Debug, PartialEq)]
pub struct CpuMark {
    /// utime + stime, in ticks: every thread, living or gone.
    own_ticks: u64,
    /// cutime + cstime: reaped children.
    child_ticks: u64,
    /// (thread id, nanoseconds on a CPU) of each living thread.
    threads: Vec<(u32, u64)>,
}

impl CpuMark {
    /// Reads process `pid`'s counters.
    pub fn read(pid: u32) -> Result<Self> {
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat"))
            .with_context(|| format!("reading /proc/{pid}/stat"))?;
        let (own_ticks, child_ticks) = ticks(&stat).context("a /proc/PID/stat without times")?;
        let mut threads = Vec::new();
        for task in std::fs::read_dir(format!("/proc/{pid}/task"))? {
            let task = task?;
            let Some(tid) = task.file_name().to_str().and_then(|t| t.parse().ok()) else {
                continue;
            };
            // A thread may end between the listing and the read: then it
            // is not in this mark, and a later mark falls back to ticks
            // only if it was in the earlier one.
            if let Ok(s) = std::fs::read_to_string(task.path().join("schedstat")) {
                if let Some(ns) = s.split_whitespace().next().and_then(|v| v.parse().ok()) {
                    threads.push((tid, ns));
                }
            }
        }
        threads.sort_unstable();
        Ok(CpuMark {
            own_ticks,
            child_ticks,
            threads,
        })
    }

    /// CPU seconds from `earlier` to `self` (of the same process).
    pub fn seconds_since(&self, earlier: &CpuMark) -> f64 {
        let exact = self.child_ticks == earlier.child_ticks
            && earlier
                .threads
                .iter()
                .all(|(tid, _)| self.threads.binary_search_by_key(tid, |t| t.0).is_ok());
        if exact {
            let sum = |m: &CpuMark| m.threads.iter().map(|t| t.1).sum::<u64>();
            sum(self).saturating_sub(sum(earlier)) as f64 / 1e9
        } else {
            let all = |m: &CpuMark| m.own_ticks + m.child_ticks;
            all(self).saturating_sub(all(earlier)) as f64 / TICKS_PER_SECOND
        }
    }
}

/// (utime + stime, cutime + cstime) from a `/proc/PID/stat` line. The
/// command name is in parentheses and may hold spaces and parentheses,
/// so fields are counted after the last `)`: state is field 3, utime 14,
/// stime 15, cutime 16, cstime 17 (proc(5)).
fn ticks(stat: &str) -> Option<(u64, u64)> {
    let after = stat.rsplit_once(')')?.1;
    let mut f = after
        .split_whitespace()
        .skip(11)
        .map(|v| v.parse::<u64>().ok());
    let (ut, st, cut, cst) = (f.next()??, f.next()??, f.next()??, f.next()??);
    Some((ut + st, cut + cst))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mark(own: u64, child: u64, threads: &[(u32, u64)]) -> CpuMark {
        CpuMark {
            own_ticks: own,
            child_ticks: child,
            threads: threads.to_vec(),
        }
    }

    #[test]
    fn stat_times_are_read_after_the_command_name() {
        let line = "4242 (bird (x) y) S 1 4242 4242 0 -1 4194560 100 0 0 0 \
                    37 5 2 1 20 0 1 0 100 1000 200 18446744073709551615";
        assert_eq!(ticks(line), Some((42, 3)));
        assert_eq!(ticks("4242 (short) S 1"), None);
    }

    #[test]
    fn exact_while_every_thread_lives_ticks_otherwise() {
        let before = mark(10, 0, &[(1, 1_000_000_000), (2, 500_000_000)]);
        // A thread that started in between counts from zero.
        let after = mark(
            13,
            0,
            &[(1, 1_020_000_000), (2, 510_000_000), (3, 5_000_000)],
        );
        assert!((after.seconds_since(&before) - 0.035).abs() < 1e-9);
        // Thread 2 is gone with its time: the ticks are the figure.
        let gone = mark(13, 0, &[(1, 1_020_000_000)]);
        assert!((gone.seconds_since(&before) - 0.03).abs() < 1e-9);
        // A child was reaped: its time is only in the ticks.
        let reaped = mark(13, 2, &[(1, 1_020_000_000), (2, 510_000_000)]);
        assert!((reaped.seconds_since(&before) - 0.05).abs() < 1e-9);
    }
}
