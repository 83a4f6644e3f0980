//! The router's kernel FIB, counted from the kernel's own notifications:
//! the counter of the `kernel-fib` scenario, in place of the monitor peer.
//!
//! Routes of the main table whose prefix is one of the generator's are
//! marked in a [`Held`] bitmap as `RTM_NEWROUTE` and `RTM_DELROUTE`
//! arrive ([`crate::rtnl`]). The listener starts before the router does,
//! so no notification is missed and no dump is needed. Every router in the
//! lab writes one route per prefix into the main table (wrend and BIRD by
//! their `kernel` protocol, FRR through zebra), so a removal is the
//! prefix's removal.

use crate::held::Held;
use crate::progress::{Counter, Progress, Recorder, Trace};
use crate::rtnl::{Listener, RouteEvent, Wait};
use anyhow::{anyhow, Result};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::watch;
use wren_wire::{Ipv4Prefix, Prefix};

/// The kernel's main table.
const MAIN_TABLE: u32 = 254;
/// Receive buffer: a million notifications may queue while the two cores
/// are busy with the router (each costs the kernel about 1 KiB of buffer).
const RCVBUF: usize = 1 << 30;
/// Least time between two publications of a changing count: waking the
/// clock for every one of a million routes would cost more than counting
/// them. The time of the last change is exact whatever this is.
const PUBLISH_EVERY: Duration = Duration::from_millis(1);
/// The listener's sleep between drains ([`Wait::Poll`]): the clock reads
/// up to this late on a clock of seconds, and the router is spared a
/// wake-up per route.
const POLL: Duration = Duration::from_millis(1);

/// What the listener thread keeps.
struct State {
    held: Held,
    curve: Recorder,
    progress: Progress,
    published: Instant,
    tx: watch::Sender<Progress>,
}

impl State {
    fn apply(&mut self, events: &[RouteEvent], at: Instant) {
        for e in events.iter().filter(|e| e.table == MAIN_TABLE) {
            if let Some(p) = Ipv4Prefix::new(e.dst, e.len) {
                self.held.set(&Prefix::V4(p), e.added);
            }
        }
        if self.held.count() != self.progress.held {
            self.progress.held = self.held.count();
            self.progress.at = at;
            self.curve.record(at, self.progress.held);
        }
        // Quiet ticks (no events) always publish: the final state is
        // never held back.
        if events.is_empty() || at.duration_since(self.published) >= PUBLISH_EVERY {
            self.tx.send_replace(self.progress);
            self.published = at;
        }
    }
}

/// A running count of the generator's routes in a namespace's FIB.
pub struct FibWatch {
    progress: watch::Receiver<Progress>,
    state: Arc<Mutex<State>>,
    listener: Listener,
}

impl FibWatch {
    /// Starts counting the first `v4` IPv4 routes of the numbering in
    /// `ns`'s main table.
    pub fn start(ns: &str, v4: u32) -> Result<Self> {
        let first = Progress::start();
        let (tx, progress) = watch::channel(first);
        let state = Arc::new(Mutex::new(State {
            held: Held::new(v4, 0),
            curve: Recorder::new(first.at),
            progress: first,
            published: first.at,
            tx,
        }));
        let shared = state.clone();
        let listener = Listener::start(ns, RCVBUF, Wait::Poll(POLL), move |events, at| {
            if let Ok(mut s) = shared.lock() {
                s.apply(events, at);
            }
        })?;
        Ok(FibWatch {
            progress,
            state,
            listener,
        })
    }

    /// Stops counting; the curve of routes in the FIB, with the routes of
    /// the main table that are not the generator's as foreign.
    pub fn finish(self) -> Result<Trace> {
        self.listener.stop()?;
        let state = Arc::into_inner(self.state)
            .ok_or_else(|| anyhow!("the FIB counter is still shared"))?
            .into_inner()
            .map_err(|_| anyhow!("the FIB counter panicked"))?;
        let foreign = state.held.foreign();
        Ok(state.curve.finish(foreign))
    }
}

impl Counter for FibWatch {
    fn progress(&self) -> watch::Receiver<Progress> {
        self.progress.clone()
    }

    fn failure(&self) -> Option<String> {
        self.listener.failure()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::prefixes;
    use std::net::Ipv4Addr;

    fn event(i: u32, added: bool, table: u32) -> RouteEvent {
        let p = prefixes::v4(i);
        RouteEvent {
            added,
            dst: p.addr(),
            len: 24,
            table,
            protocol: 12,
            priority: 32,
        }
    }

    #[test]
    fn counts_main_table_routes_and_publishes_the_last_change() {
        let first = Progress::start();
        let (tx, rx) = watch::channel(first);
        let mut s = State {
            held: Held::new(10, 0),
            curve: Recorder::new(first.at),
            progress: first,
            published: first.at,
            tx,
        };
        let t = first.at + Duration::from_micros(10);
        s.apply(&[event(0, true, 254), event(1, true, 254)], t);
        s.apply(&[event(2, true, 100)], t);
        s.apply(&[event(0, true, 254)], t);
        assert_eq!(s.held.count(), 2);
        s.apply(&[], t + Duration::from_micros(20));
        assert_eq!((rx.borrow().held, rx.borrow().at), (2, t));
        s.apply(&[event(1, false, 254)], t + Duration::from_millis(5));
        assert_eq!(rx.borrow().held, 1);
        let other = RouteEvent {
            dst: Ipv4Addr::new(198, 18, 0, 0),
            len: 16,
            ..event(0, true, 254)
        };
        s.apply(&[other], t + Duration::from_millis(6));
        assert_eq!((s.held.count(), s.held.foreign()), (1, 1));
    }
}
