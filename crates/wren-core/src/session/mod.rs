//! The BGP session finite state machine (RFC 4271 §8), sans I/O.
//!
//! A [`Session`] is driven by method calls, one per event of RFC 4271 §8.1
//! (start, stop, TCP connected/failed/closed, a message received, time
//! passed) and answers with [`Action`]s appended to a caller's vector:
//! connect, send these octets, close, the session is up, the session is
//! down. It owns no socket and reads no clock: `now` comes with every call
//! and [`Session::next_deadline`] says when to call [`Session::on_timer`].
//!
//! Timer and restart behaviour follows BIRD, whose configs Wren runs:
//! `connect delay time` before the first connect, `connect retry time`
//! between attempts, `error wait time` backoff after errors, and a passive
//! peer that only accepts.

mod config;
mod conn;
mod events;
mod open;

pub use config::{FamilyConfig, GracefulRestart, RemoteAs, SessionConfig};
pub use conn::{ConnState, Dir};
pub use open::{check_remote_open, local_open};

use crate::time::Instant;
use conn::Conn;
use std::fmt;
use wren_wire::open::Open;
use wren_wire::route_refresh::RouteRefresh;
use wren_wire::update::Update;
use wren_wire::{Negotiated, Notification};

/// The session state as operators know it (BIRD's `BGP state:` line).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum State {
    /// Not running, or waiting out an error.
    Idle,
    /// Connecting out.
    Connect,
    /// Waiting for a connection (between attempts, or passive).
    Active,
    /// OPEN sent.
    OpenSent,
    /// OPENs exchanged.
    OpenConfirm,
    /// Up.
    Established,
}

impl fmt::Display for State {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            State::Idle => "Idle",
            State::Connect => "Connect",
            State::Active => "Active",
            State::OpenSent => "OpenSent",
            State::OpenConfirm => "OpenConfirm",
            State::Established => "Established",
        })
    }
}

/// Why a session went down, for `show protocols` and the RIB.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DownReason {
    /// We stopped it (disable, shutdown, deconfigured).
    Stopped(Notification),
    /// The peer sent a NOTIFICATION.
    Received(Notification),
    /// We found an error and sent this NOTIFICATION.
    Sent(Notification),
    /// The TCP connection closed or failed without a NOTIFICATION.
    ConnectionClosed,
}

impl fmt::Display for DownReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DownReason::Stopped(_) => f.write_str("Shutdown"),
            DownReason::Received(n) => write!(f, "Received: {}", describe(n)),
            DownReason::Sent(n) => write!(f, "Error: {}", describe(n)),
            DownReason::ConnectionClosed => f.write_str("Error: Connection closed"),
        }
    }
}

fn describe(n: &Notification) -> String {
    match n.shutdown_message() {
        Some(m) if !m.is_empty() => format!("{} \"{m}\"", n.describe()),
        _ => n.describe().to_string(),
    }
}

/// What the session asks of the daemon.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Action {
    /// Open an outgoing TCP connection to the peer; answer with
    /// [`Session::on_connected`] or [`Session::on_connect_failed`].
    Connect,
    /// Write these octets on the connection.
    Send {
        /// Which connection.
        dir: Dir,
        /// One or more whole messages.
        bytes: Vec<u8>,
    },
    /// Close the connection once what was queued before is written.
    Close {
        /// Which connection.
        dir: Dir,
    },
    /// The session is up on this connection.
    Established {
        /// Which connection carries it.
        dir: Dir,
        /// What the OPENs agreed.
        negotiated: Negotiated,
        /// The peer's OPEN (capabilities, router id, GR flags).
        remote: Box<Open>,
    },
    /// The session is down: withdraw the peer's routes, unless `graceful`
    /// says to keep them as stale (RFC 4724 helper).
    Down {
        /// Why.
        reason: DownReason,
        /// Keep the routes of these families as stale for this many
        /// seconds, when the peer can restart gracefully.
        graceful: Option<(u16, Vec<wren_wire::AfiSafi>)>,
    },
}

/// What a received message means beyond the FSM.
///
/// Short-lived and borrowed from the receive buffer; boxing the large
/// variant would cost an allocation per UPDATE, the one thing the hot
/// path must not do.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug)]
pub enum Inbound<'a> {
    /// An UPDATE for the RIB, already judged per RFC 7606.
    Update(Update<'a>),
    /// A route refresh request or marker.
    RouteRefresh(RouteRefresh),
}

/// One BGP session with one peer.
#[derive(Debug)]
pub struct Session {
    cfg: SessionConfig,
    /// Administratively up.
    enabled: bool,
    conns: [Conn; 2],
    /// Next outgoing connection attempt.
    connect_at: Option<Instant>,
    /// End of the error wait; the session restarts then.
    restart_at: Option<Instant>,
    /// Current error wait, seconds (0: none yet).
    error_wait: u32,
    last_error_at: Option<Instant>,
    /// Send an OPEN without capabilities (the peer rejected them).
    bare_open: bool,
    last_down: Option<DownReason>,
    /// When the session entered its current state, for `show protocols`.
    since: Instant,
    last_state: State,
    jitter: u64,
    /// The peer's OPEN while the session is up, for graceful restart
    /// when it goes down.
    was_established: Option<(Dir, Box<Open>)>,
}

impl Session {
    /// A stopped session.
    pub fn new(cfg: SessionConfig) -> Self {
        let jitter = u64::from(u32::from(cfg.router_id)) | 1;
        Session {
            cfg,
            enabled: false,
            conns: [Conn::default(), Conn::default()],
            connect_at: None,
            restart_at: None,
            error_wait: 0,
            last_error_at: None,
            bare_open: false,
            last_down: None,
            since: Instant(0),
            last_state: State::Idle,
            jitter,
            was_established: None,
        }
    }

    /// The configuration.
    pub fn config(&self) -> &SessionConfig {
        &self.cfg
    }

    /// Replaces the configuration; takes effect at the next connection.
    pub fn set_config(&mut self, cfg: SessionConfig) {
        self.cfg = cfg;
    }

    fn conn(&self, d: Dir) -> &Conn {
        let [outgoing, incoming] = &self.conns;
        match d {
            Dir::Outgoing => outgoing,
            Dir::Incoming => incoming,
        }
    }

    fn conn_mut(&mut self, d: Dir) -> &mut Conn {
        let [outgoing, incoming] = &mut self.conns;
        match d {
            Dir::Outgoing => outgoing,
            Dir::Incoming => incoming,
        }
    }

    /// The state operators see.
    pub fn state(&self) -> State {
        let best = self.conns[0].state.max(self.conns[1].state);
        match best {
            ConnState::Established => State::Established,
            ConnState::OpenConfirm => State::OpenConfirm,
            ConnState::OpenSent => State::OpenSent,
            ConnState::Connecting | ConnState::Connected => State::Connect,
            ConnState::Closed if self.enabled && self.restart_at.is_none() => State::Active,
            ConnState::Closed => State::Idle,
        }
    }

    /// When the session entered its current state.
    pub fn since(&self) -> Instant {
        self.since
    }

    /// Why the session last went down.
    pub fn last_down(&self) -> Option<&DownReason> {
        self.last_down.as_ref()
    }

    /// Whether the daemon may start the session (it is enabled).
    pub fn is_enabled(&self) -> bool {
        self.enabled
    }

    /// The connection carrying the established session.
    pub fn established(&self) -> Option<(Dir, &Negotiated)> {
        [Dir::Outgoing, Dir::Incoming]
            .into_iter()
            .find(|d| self.conn(*d).state == ConnState::Established)
            .map(|d| (d, &self.conn(d).negotiated))
    }

    /// The peer's OPEN on the established connection.
    pub fn remote_open(&self) -> Option<&Open> {
        let (d, _) = self.established()?;
        self.conn(d).remote.as_deref()
    }

    /// Negotiated hold and keepalive times of the established session.
    pub fn timers(&self) -> Option<(u16, u16)> {
        let (d, _) = self.established()?;
        let c = self.conn(d);
        Some((c.hold_time, c.keepalive_interval))
    }

    fn note_state(&mut self, now: Instant) {
        let s = self.state();
        if s != self.last_state {
            self.last_state = s;
            self.since = now;
        }
    }

    /// Starts the session (ManualStart / AutomaticStart). An outgoing
    /// connection follows after `connect delay time` unless passive.
    pub fn start(&mut self, now: Instant) {
        if !self.enabled {
            self.enabled = true;
            self.begin(now);
            self.note_state(now);
        }
    }

    fn begin(&mut self, now: Instant) {
        self.restart_at = None;
        if self.cfg.passive {
            self.connect_at = None;
        } else {
            let wait = self.jittered(self.cfg.connect_delay_time);
            self.connect_at = Some(Instant(now.0.saturating_add(wait)));
        }
    }

    /// Stops the session (ManualStop): `notification` (usually Cease/2
    /// administrative shutdown) is sent on every open connection.
    pub fn stop(&mut self, now: Instant, notification: Notification, out: &mut Vec<Action>) {
        let was_up = self.established().is_some();
        self.enabled = false;
        self.connect_at = None;
        self.restart_at = None;
        self.close_all(&notification, out);
        if was_up {
            out.push(Action::Down {
                reason: DownReason::Stopped(notification.clone()),
                graceful: None,
            });
        }
        self.last_down = Some(DownReason::Stopped(notification));
        self.note_state(now);
    }

    /// Resets the session after an error found outside the FSM (maximum
    /// prefixes, a policy error): sends `notification`, then waits out the
    /// error backoff.
    pub fn reset(&mut self, now: Instant, notification: Notification, out: &mut Vec<Action>) {
        self.close_all(&notification, out);
        self.went_down(now, DownReason::Sent(notification), false, out);
    }

    fn close_all(&mut self, n: &Notification, out: &mut Vec<Action>) {
        for d in [Dir::Outgoing, Dir::Incoming] {
            self.close_conn(d, Some(n), out);
        }
    }

    fn close_conn(&mut self, d: Dir, n: Option<&Notification>, out: &mut Vec<Action>) {
        let c = self.conn_mut(d);
        match c.state {
            ConnState::Closed => return,
            ConnState::Connecting | ConnState::Connected => {}
            _ => {
                if let Some(n) = n {
                    let mut bytes = Vec::new();
                    n.encode(&mut bytes);
                    out.push(Action::Send { dir: d, bytes });
                }
            }
        }
        c.reset();
        out.push(Action::Close { dir: d });
    }

    /// The session is over on every connection: report it, and plan the
    /// restart. `graceful_ok` is false when a NOTIFICATION ended it, which
    /// rules out graceful restart (RFC 4724 §4).
    fn went_down(
        &mut self,
        now: Instant,
        reason: DownReason,
        graceful_ok: bool,
        out: &mut Vec<Action>,
    ) {
        if let Some((_, remote)) = self.was_established.take() {
            let graceful = graceful_ok.then(|| graceful_families(&remote)).flatten();
            out.push(Action::Down {
                reason: reason.clone(),
                graceful,
            });
        }
        self.last_down = Some(reason);
        self.connect_at = None;
        if self.enabled {
            self.error_backoff(now);
        }
        self.note_state(now);
    }

    /// BIRD's `error wait time`: the first error waits the minimum, each
    /// further error within `error forget time` doubles it up to the max.
    fn error_backoff(&mut self, now: Instant) {
        let (min, max) = self.cfg.error_wait_time;
        let recent = self
            .last_error_at
            .is_some_and(|t| now.since(t).as_secs() < u64::from(self.cfg.error_forget_time));
        self.error_wait = if recent && self.error_wait > 0 {
            self.error_wait.saturating_mul(2).min(max)
        } else {
            min
        };
        self.last_error_at = Some(now);
        self.restart_at = Some(now.plus_secs(self.error_wait));
    }
}

/// Families whose routes the peer asked us to keep while it restarts
/// (RFC 4724 §4.2), with its restart time; `None` without the capability.
fn graceful_families(remote: &Open) -> Option<(u16, Vec<wren_wire::AfiSafi>)> {
    remote.capabilities().find_map(|c| match c {
        wren_wire::capability::Capability::GracefulRestart { time, families, .. } => {
            Some((*time, families.iter().map(|f| f.afi_safi).collect()))
        }
        _ => None,
    })
}
