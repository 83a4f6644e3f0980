//! One TCP connection of a session and its handshake state.
//!
//! A session has up to two connections at once, the one we opened and the
//! one the peer opened, until collision detection (RFC 4271 §6.8) keeps one.
//! Each has its own hold, keepalive, delay-open and send-hold timers.

use crate::time::{earliest, Instant};
use std::fmt;
use wren_wire::open::Open;
use wren_wire::Negotiated;

/// Which of a session's two connections.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Dir {
    /// The connection we opened.
    Outgoing,
    /// The connection the peer opened.
    Incoming,
}

impl Dir {
    pub(crate) fn other(self) -> Dir {
        match self {
            Dir::Outgoing => Dir::Incoming,
            Dir::Incoming => Dir::Outgoing,
        }
    }
}

/// Handshake progress of one connection.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum ConnState {
    /// No connection.
    Closed,
    /// We asked for an outgoing connection; TCP has not completed.
    Connecting,
    /// TCP is up; our OPEN waits for the delay-open timer.
    Connected,
    /// Our OPEN is sent; waiting for the peer's.
    OpenSent,
    /// OPENs exchanged; waiting for the peer's KEEPALIVE.
    OpenConfirm,
    /// The session runs on this connection.
    Established,
}

impl fmt::Display for ConnState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ConnState::Closed => "Idle",
            ConnState::Connecting | ConnState::Connected => "Connect",
            ConnState::OpenSent => "OpenSent",
            ConnState::OpenConfirm => "OpenConfirm",
            ConnState::Established => "Established",
        })
    }
}

/// A connection's state and timers.
#[derive(Clone, Debug)]
pub(crate) struct Conn {
    pub state: ConnState,
    pub hold_deadline: Option<Instant>,
    pub keepalive_deadline: Option<Instant>,
    pub delay_open_deadline: Option<Instant>,
    pub send_hold_deadline: Option<Instant>,
    /// Negotiated hold time, seconds (0: no keepalives, no hold timer).
    pub hold_time: u16,
    /// Keepalive interval, seconds.
    pub keepalive_interval: u16,
    pub remote: Option<Box<Open>>,
    pub negotiated: Negotiated,
}

impl Default for Conn {
    fn default() -> Self {
        Conn {
            state: ConnState::Closed,
            hold_deadline: None,
            keepalive_deadline: None,
            delay_open_deadline: None,
            send_hold_deadline: None,
            hold_time: 0,
            keepalive_interval: 0,
            remote: None,
            negotiated: Negotiated::default(),
        }
    }
}

impl Conn {
    /// Forgets everything about the connection.
    pub fn reset(&mut self) {
        *self = Conn::default();
    }

    /// Restarts the hold timer after a message from the peer.
    pub fn restart_hold(&mut self, now: Instant) {
        if self.hold_time > 0 && self.state >= ConnState::OpenConfirm {
            self.hold_deadline = Some(now.plus_secs(self.hold_time.into()));
        }
    }

    /// Restarts the keepalive timer after we sent a KEEPALIVE or UPDATE.
    pub fn restart_keepalive(&mut self, now: Instant) {
        if self.keepalive_interval > 0 {
            self.keepalive_deadline = Some(now.plus_secs(self.keepalive_interval.into()));
        }
    }

    /// The earliest timer of this connection.
    pub fn next_deadline(&self) -> Option<Instant> {
        [
            self.keepalive_deadline,
            self.delay_open_deadline,
            self.send_hold_deadline,
        ]
        .into_iter()
        .fold(self.hold_deadline, earliest)
    }
}
