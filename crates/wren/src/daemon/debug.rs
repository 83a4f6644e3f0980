//! Protocol debug output: BIRD's `debug` option (per protocol, or
//! `debug protocols` for all) and the `debug P …` command. Each class
//! turns on one kind of message, logged as class `trace` (see
//! [`crate::log`]); a protocol with no class on costs one test of a byte
//! at each place a message could be written.
//!
//! | class | messages |
//! |---|---|
//! | `states` | the BGP state changing (`State changed to Established`) |
//! | `routes` | routes received: `< added`, `< removed`, `< filtered out` |
//! | `filters` | routes the import filter rejects |
//! | `events` | connecting, connections accepted and closed, End-of-RIB, graceful restart |
//! | `packets` | every message sent and received, by type (UPDATEs sent: one line per batch) |
//! | `interfaces` | accepted, nothing to say yet (BGP has no interface events) |

use super::Daemon;
use crate::log::TRACE_TARGET;
use std::fmt;
use wren_config::model::DebugFlags;
use wren_core::policy::{Policy, RouteView};
use wren_core::session::State;
use wren_wire::header::MessageType;
use wren_wire::{Open, Update};

/// BIRD's protocol debug classes, as a set.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DebugClasses(pub u8);

impl DebugClasses {
    /// Every class, in BIRD's order.
    pub const NAMES: [&'static str; 6] = [
        "states",
        "routes",
        "filters",
        "interfaces",
        "events",
        "packets",
    ];
    /// `states`.
    pub const STATES: u8 = 1;
    /// `routes`.
    pub const ROUTES: u8 = 2;
    /// `filters`.
    pub const FILTERS: u8 = 4;
    /// `events`.
    pub const EVENTS: u8 = 16;
    /// `packets`.
    pub const PACKETS: u8 = 32;
    /// `all`.
    pub const ALL: DebugClasses = DebugClasses(0x3f);

    /// The bit of class `name`.
    pub fn bit(name: &str) -> Option<u8> {
        Self::NAMES
            .iter()
            .position(|n| *n == name)
            .map(|i| 1u8 << i)
    }

    /// Whether any of `bits` is on.
    pub fn any(self, bits: u8) -> bool {
        self.0 & bits != 0
    }

    /// The configuration's `debug { … }`.
    pub fn of(f: &DebugFlags) -> Self {
        let bits = [
            f.states,
            f.routes,
            f.filters,
            f.interfaces,
            f.events,
            f.packets,
        ];
        DebugClasses(
            bits.iter()
                .enumerate()
                .fold(0, |m, (i, on)| m | (u8::from(*on) << i)),
        )
    }
}

/// Logs `msg` for protocol `name` (class `trace`).
pub(super) fn trace(name: &str, msg: fmt::Arguments<'_>) {
    tracing::info!(target: TRACE_TARGET, "{name}: {msg}");
}

/// The import filter with `routes`/`filters` output around it; built on
/// the stack for a peer being debugged, never otherwise.
#[derive(Debug)]
pub(super) struct Traced<'a> {
    pub inner: &'a dyn Policy,
    pub name: &'a str,
    pub classes: DebugClasses,
}

impl Policy for Traced<'_> {
    fn run(&self, route: &mut RouteView<'_>) -> bool {
        let ok = self.inner.run(route);
        if ok && self.classes.any(DebugClasses::ROUTES) {
            tracing::info!(target: TRACE_TARGET, "{} < added {}", self.name, route.prefix);
        } else if !ok
            && self
                .classes
                .any(DebugClasses::ROUTES | DebugClasses::FILTERS)
        {
            tracing::info!(target: TRACE_TARGET, "{} < filtered out {}", self.name, route.prefix);
        }
        ok
    }

    fn rejects_everything(&self) -> bool {
        self.inner.rejects_everything()
    }
}

/// `< removed` for each withdrawal in `u`.
pub(super) fn withdrawals(name: &str, u: &Update<'_>) {
    for (_, n) in u.withdrawn() {
        tracing::info!(target: TRACE_TARGET, "{name} < removed {}", n.prefix);
    }
}

/// `Got …`/`Sending …` for each message in `bytes`, as BIRD's `packets`.
pub(super) fn packets(name: &str, verb: &str, bytes: &[u8]) {
    let mut rest = bytes;
    while let Ok(Some(n)) = wren_wire::header::frame(rest, 65535) {
        let (msg, tail) = rest.split_at(n);
        rest = tail;
        let body = msg.get(19..).unwrap_or_default();
        let what = match msg.get(18).copied().and_then(MessageType::from_code) {
            Some(MessageType::Open) => match Open::decode_body(body) {
                Ok(o) => format!("OPEN(as={},hold={},id={})", o.asn(), o.hold_time, o.bgp_id),
                Err(_) => "OPEN".into(),
            },
            Some(MessageType::Update) => "UPDATE".into(),
            Some(MessageType::Notification) => match wren_wire::Notification::decode_body(body) {
                Some(n) => format!("NOTIFICATION({n})"),
                None => "NOTIFICATION".into(),
            },
            Some(MessageType::Keepalive) => "KEEPALIVE".into(),
            Some(MessageType::RouteRefresh) => "ROUTE-REFRESH".into(),
            None => "an unknown message type".into(),
        };
        trace(name, format_args!("{verb} {what}"));
    }
}

impl Daemon {
    /// `debug WHO CLASSES`: sets the classes of the protocols WHO names
    /// (a name, a pattern, or `all`).
    pub(crate) fn debug_op(&mut self, which: &str, classes: DebugClasses) -> crate::control::Reply {
        let mut any = false;
        for p in self.peers.iter_mut().filter(|p| !p.removed) {
            if which == "all" || super::show::glob(which, &p.spec.name) {
                p.debug = classes;
                p.traced_state = p.session.state();
                any = true;
            }
        }
        self.debug_states = self.peers.iter().any(|p| p.debug.any(DebugClasses::STATES));
        if any {
            crate::control::Reply::new()
        } else {
            crate::control::Reply::only(8003, "No protocols match")
        }
    }

    /// `states`: logs each debugged peer's BGP state change since the
    /// last look. Called once per main-loop turn while any peer has it,
    /// and after each message received (one read can carry OPEN and
    /// KEEPALIVE, two changes).
    pub(super) fn trace_states(&mut self) {
        for i in 0..self.peers.len() {
            self.trace_state(i);
        }
    }

    /// [`Daemon::trace_states`] for peer `i`.
    pub(super) fn trace_state(&mut self, i: usize) {
        let Some(p) = self.peers.get_mut(i) else {
            return;
        };
        let now: State = p.session.state();
        if now != p.traced_state {
            if p.debug.any(DebugClasses::STATES) {
                trace(
                    &p.spec.name,
                    format_args!("State changed from {} to {now}", p.traced_state),
                );
            }
            p.traced_state = now;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes_follow_the_configuration() {
        let f = DebugFlags {
            states: true,
            packets: true,
            ..DebugFlags::default()
        };
        assert_eq!(
            DebugClasses::of(&f),
            DebugClasses(DebugClasses::STATES | DebugClasses::PACKETS)
        );
        assert_eq!(DebugClasses::of(&DebugFlags::all()), DebugClasses::ALL);
        assert_eq!(DebugClasses::bit("events"), Some(DebugClasses::EVENTS));
    }
}
