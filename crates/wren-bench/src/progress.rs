//! Where a clock's counter stands, and the curve it leaves behind. Two
//! counters use these: the monitor peer (routes the router sent it) and
//! the kernel watcher (routes in the router's FIB).

use std::time::{Duration, Instant};
use tokio::sync::watch;

/// Least time between two samples of the routes-held curve.
const SAMPLE_EVERY: Duration = Duration::from_millis(2);

/// Where a counter stands, published as it changes.
#[derive(Clone, Copy, Debug)]
pub struct Progress {
    /// Routes held.
    pub held: u64,
    /// UPDATE messages received so far (the monitor only).
    pub updates: u64,
    /// When `held` last changed.
    pub at: Instant,
    /// End-of-RIB markers received (the monitor only): the router has
    /// sent its whole table for that many families.
    pub end_of_ribs: u32,
}

impl Progress {
    /// Nothing held yet, as of now.
    pub fn start() -> Self {
        Progress {
            held: 0,
            updates: 0,
            at: Instant::now(),
            end_of_ribs: 0,
        }
    }
}

/// What a counter saw over a whole run.
#[derive(Debug, Default)]
pub struct Trace {
    /// (time, routes held), one sample per [`SAMPLE_EVERY`] at most; the
    /// last is the final state.
    pub samples: Vec<(Instant, u64)>,
    /// Routes seen that the generator never announced.
    pub foreign: u64,
}

/// A counter the clocks can wait on.
pub trait Counter {
    /// The latest progress; changes wake waiters.
    fn progress(&self) -> watch::Receiver<Progress>;
    /// Why the counter stopped counting, if it did (then the clock cannot
    /// stop).
    fn failure(&self) -> Option<String>;
}

/// Builds a [`Trace`]: the first sample is 0 at the start, the last is
/// always the current state, and a new one is begun every
/// [`SAMPLE_EVERY`], so a million changes give a curve of a few thousand
/// points.
#[derive(Debug)]
pub struct Recorder {
    trace: Trace,
    last_sample: Instant,
}

impl Recorder {
    /// A curve starting at 0 at `start`.
    pub fn new(start: Instant) -> Self {
        Recorder {
            trace: Trace {
                samples: vec![(start, 0)],
                foreign: 0,
            },
            // Never within SAMPLE_EVERY of the first sample, which must
            // stay 0.
            last_sample: start.checked_sub(SAMPLE_EVERY).unwrap_or(start),
        }
    }

    /// The count became `held` at `now`.
    pub fn record(&mut self, now: Instant, held: u64) {
        match self.trace.samples.last_mut() {
            Some(last) if now.duration_since(self.last_sample) < SAMPLE_EVERY => {
                *last = (now, held)
            }
            _ => {
                self.trace.samples.push((now, held));
                self.last_sample = now;
            }
        }
    }

    /// The finished curve, with `foreign` routes noted.
    pub fn finish(mut self, foreign: u64) -> Trace {
        self.trace.foreign = foreign;
        self.trace
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn samples_are_thinned_but_end_on_the_current_state() {
        let t0 = Instant::now();
        let mut r = Recorder::new(t0);
        for i in 1..=1_000u64 {
            r.record(t0 + Duration::from_micros(10 * i), i);
        }
        let trace = r.finish(0);
        assert_eq!(trace.samples.first().map(|s| s.1), Some(0));
        assert_eq!(trace.samples.last().map(|s| s.1), Some(1_000));
        // 10 ms of changes, a sample per 2 ms.
        assert!(trace.samples.len() <= 8, "{}", trace.samples.len());
    }
}
