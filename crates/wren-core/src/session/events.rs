//! The session's event handlers: one method per input of RFC 4271 §8.1.

use super::conn::{ConnState, Dir};
use super::open::{check_remote_open, local_open};
use super::{Action, DownReason, Inbound, Session};
use crate::time::{earliest, Instant};
use wren_wire::message::{decode_message, Message};
use wren_wire::notification::{cease, code, fsm_error, open_error};
use wren_wire::{header, Negotiated, Notification};

impl Session {
    /// Whether a connection the peer opened may be accepted now (BIRD:
    /// the session is enabled, not waiting out an error, and has no
    /// incoming connection yet).
    pub fn accepts_incoming(&self) -> bool {
        self.enabled
            && self.restart_at.is_none()
            && self.conn(Dir::Incoming).state == ConnState::Closed
    }

    /// TCP is up on `dir`: send our OPEN, or wait for the delay-open timer.
    pub fn on_connected(&mut self, now: Instant, dir: Dir, out: &mut Vec<Action>) {
        // One connection in progress is enough: stop trying to connect out
        // (collision detection would close one of the two anyway).
        if self.conn(Dir::Outgoing).state == ConnState::Closed || dir == Dir::Outgoing {
            self.connect_at = None;
        }
        let delay = self.cfg.delay_open_time;
        let c = self.conn_mut(dir);
        c.reset();
        c.state = ConnState::Connected;
        match delay {
            Some(t) if t > 0 => c.delay_open_deadline = Some(now.plus_secs(t)),
            _ => self.send_open(now, dir, out),
        }
        self.note_state(now);
    }

    fn send_open(&mut self, now: Instant, dir: Dir, out: &mut Vec<Action>) {
        let open = local_open(&self.cfg, self.bare_open);
        let mut bytes = Vec::new();
        open.encode(&mut bytes);
        out.push(Action::Send { dir, bytes });
        let startup = self.cfg.startup_hold_time;
        let c = self.conn_mut(dir);
        c.delay_open_deadline = None;
        c.state = ConnState::OpenSent;
        c.hold_deadline = Some(now.plus_secs(startup.into()));
    }

    /// The outgoing connection attempt failed; try again after `connect
    /// retry time`.
    pub fn on_connect_failed(&mut self, now: Instant) {
        let c = self.conn_mut(Dir::Outgoing);
        if c.state == ConnState::Connecting {
            c.reset();
            self.schedule_connect(now);
        }
        self.note_state(now);
    }

    /// RFC 4271 §10 jitter: each retry waits 75–100 % of the configured time.
    fn schedule_connect(&mut self, now: Instant) {
        if !self.enabled || self.cfg.passive || self.restart_at.is_some() {
            return;
        }
        let wait = self.jittered(self.cfg.connect_retry_time);
        self.connect_at = Some(Instant(now.0.saturating_add(wait)));
    }

    /// 75–100 % of `secs`, in milliseconds (RFC 4271 §10). Two speakers
    /// that start (or recover) together would otherwise connect at the same
    /// instant every time, collide, and both lose (§6.8) every time.
    pub(crate) fn jittered(&mut self, secs: u32) -> u64 {
        self.jitter ^= self.jitter << 13;
        self.jitter ^= self.jitter >> 7;
        self.jitter ^= self.jitter << 17;
        let full = u64::from(secs) * 1000;
        full - (self.jitter % (full / 4 + 1))
    }

    /// The connection on `dir` closed or failed.
    pub fn on_closed(&mut self, now: Instant, dir: Dir, out: &mut Vec<Action>) {
        let was = self.conn(dir).state;
        self.conn_mut(dir).reset();
        match was {
            ConnState::Closed => {}
            ConnState::Established => {
                self.went_down(now, DownReason::ConnectionClosed, true, out);
            }
            _ => {
                let idle = self.conns.iter().all(|c| c.state == ConnState::Closed);
                if idle && self.connect_at.is_none() {
                    self.schedule_connect(now);
                }
            }
        }
        self.note_state(now);
    }

    /// Our writes to `dir` are stuck (`true`) or moving again (`false`):
    /// the RFC 9687 send hold timer runs only while they are stuck.
    pub fn on_write_blocked(&mut self, now: Instant, dir: Dir, blocked: bool) {
        let limit = self.cfg.send_hold_time;
        let c = self.conn_mut(dir);
        if !blocked {
            c.send_hold_deadline = None;
        } else if c.send_hold_deadline.is_none() && c.state >= ConnState::OpenSent {
            let t = limit.unwrap_or_else(|| (2 * u32::from(c.hold_time)).max(480));
            c.send_hold_deadline = Some(now.plus_secs(t));
        }
    }

    /// We sent an UPDATE on `dir`: it counts as a keepalive.
    pub fn on_update_sent(&mut self, now: Instant, dir: Dir) {
        let c = self.conn_mut(dir);
        if c.state == ConnState::Established {
            c.restart_keepalive(now);
        }
    }

    /// When [`Session::on_timer`] must next be called.
    pub fn next_deadline(&self) -> Option<Instant> {
        let mut t = earliest(self.connect_at, self.restart_at);
        for c in &self.conns {
            t = earliest(t, c.next_deadline());
        }
        t
    }

    /// Time has passed: fire every timer that is due.
    pub fn on_timer(&mut self, now: Instant, out: &mut Vec<Action>) {
        if self.restart_at.is_some_and(|t| t <= now) {
            self.begin(now);
        }
        if self.connect_at.is_some_and(|t| t <= now) {
            self.connect_at = None;
            let busy = self.conns.iter().any(|c| c.state >= ConnState::Connected);
            if self.conn(Dir::Outgoing).state == ConnState::Connecting {
                // The attempt hangs: abandon it and try again.
                self.conn_mut(Dir::Outgoing).reset();
                out.push(Action::Close { dir: Dir::Outgoing });
            }
            if !busy && self.enabled && !self.cfg.passive {
                self.conn_mut(Dir::Outgoing).state = ConnState::Connecting;
                out.push(Action::Connect);
            }
            self.schedule_connect(now);
        }
        for dir in [Dir::Outgoing, Dir::Incoming] {
            self.conn_timers(now, dir, out);
        }
        self.note_state(now);
    }

    fn conn_timers(&mut self, now: Instant, dir: Dir, out: &mut Vec<Action>) {
        let due = |t: Option<Instant>| t.is_some_and(|t| t <= now);
        let c = self.conn(dir);
        if due(c.hold_deadline) {
            let n = Notification::new(code::HOLD_TIMER_EXPIRED, 0, Vec::new());
            return self.fail(now, dir, n, out);
        }
        if due(c.send_hold_deadline) {
            let n = Notification::new(code::SEND_HOLD_TIMER_EXPIRED, 0, Vec::new());
            return self.fail(now, dir, n, out);
        }
        if due(c.delay_open_deadline) {
            self.send_open(now, dir, out);
        }
        let c = self.conn_mut(dir);
        if due(c.keepalive_deadline) {
            let mut bytes = Vec::new();
            header::encode_keepalive(&mut bytes);
            out.push(Action::Send { dir, bytes });
            c.restart_keepalive(now);
        }
    }

    /// An error on `dir`: send `n` and close it. If it carried the session
    /// (or was the only one in progress) the session goes down.
    fn fail(&mut self, now: Instant, dir: Dir, n: Notification, out: &mut Vec<Action>) {
        let was = self.conn(dir).state;
        self.close_conn(dir, Some(&n), out);
        let other_alive = self.conn(dir.other()).state != ConnState::Closed;
        if was == ConnState::Established || !other_alive {
            self.went_down(now, DownReason::Sent(n), true, out);
        }
        self.note_state(now);
    }

    /// One whole message (as framed by `wren_wire::header::frame`) arrived
    /// on `dir`. The FSM handles OPEN, KEEPALIVE and NOTIFICATION itself;
    /// UPDATE and ROUTE-REFRESH on an established session are returned for
    /// the RIB.
    pub fn on_message<'a>(
        &mut self,
        now: Instant,
        dir: Dir,
        bytes: &'a [u8],
        out: &mut Vec<Action>,
    ) -> Option<Inbound<'a>> {
        let state = self.conn(dir).state;
        if state < ConnState::Connected {
            return None;
        }
        let neg = self.conn(dir).negotiated;
        let msg = match decode_message(bytes, &neg) {
            Ok(m) => m,
            Err(e) => {
                self.fail(now, dir, e.notification, out);
                return None;
            }
        };
        self.conn_mut(dir).restart_hold(now);
        let unexpected = |sub| Notification::new(code::FSM, sub, Vec::new());
        match (state, msg) {
            (_, Message::Notification(n)) => {
                self.peer_notification(now, dir, n, out);
                None
            }
            (ConnState::Connected | ConnState::OpenSent, Message::Open(o)) => {
                self.on_open(now, dir, o, out);
                None
            }
            (ConnState::OpenConfirm, Message::Keepalive) => {
                self.on_established(now, dir, out);
                None
            }
            (ConnState::Established, Message::Keepalive) => None,
            (ConnState::Established, Message::Update(u)) => Some(Inbound::Update(u)),
            (ConnState::Established, Message::RouteRefresh(r)) => Some(Inbound::RouteRefresh(r)),
            (ConnState::Established, _) => {
                let n = unexpected(fsm_error::UNEXPECTED_IN_ESTABLISHED);
                self.fail(now, dir, n, out);
                None
            }
            (ConnState::OpenConfirm, _) => {
                let n = unexpected(fsm_error::UNEXPECTED_IN_OPEN_CONFIRM);
                self.fail(now, dir, n, out);
                None
            }
            _ => {
                let n = unexpected(fsm_error::UNEXPECTED_IN_OPEN_SENT);
                self.fail(now, dir, n, out);
                None
            }
        }
    }

    fn peer_notification(
        &mut self,
        now: Instant,
        dir: Dir,
        n: Notification,
        out: &mut Vec<Action>,
    ) {
        let was = self.conn(dir).state;
        // An old speaker that cannot parse capabilities answers with
        // Unsupported Optional Parameter: the next OPEN goes without them.
        if n.code == code::OPEN_MESSAGE && n.subcode == open_error::UNSUPPORTED_OPTIONAL_PARAMETER {
            self.bare_open = true;
        }
        self.conn_mut(dir).reset();
        out.push(Action::Close { dir });
        let other_alive = self.conn(dir.other()).state != ConnState::Closed;
        if was == ConnState::Established || !other_alive {
            // RFC 4724 §4: a NOTIFICATION ends graceful restart too.
            self.went_down(now, DownReason::Received(n), false, out);
        }
        self.note_state(now);
    }

    fn on_open(
        &mut self,
        now: Instant,
        dir: Dir,
        open: wren_wire::open::Open,
        out: &mut Vec<Action>,
    ) {
        let hold = match check_remote_open(&self.cfg, &open) {
            Ok(h) => h,
            Err(n) => return self.fail(now, dir, n, out),
        };
        if self.collision(now, dir, &open, out) {
            return;
        }
        if self.conn(dir).state == ConnState::Connected {
            // DelayOpen: the peer spoke first, answer at once (RFC 4271 §8.2.2).
            self.send_open(now, dir, out);
        }
        let local = local_open(&self.cfg, self.bare_open);
        let negotiated = Negotiated::negotiate(&local, &open);
        let keepalive = match self.cfg.keepalive_time {
            Some(k) if hold > 0 => k.min(hold / 3).max(1),
            _ => hold / 3,
        };
        let mut bytes = Vec::new();
        header::encode_keepalive(&mut bytes);
        out.push(Action::Send { dir, bytes });
        let c = self.conn_mut(dir);
        c.state = ConnState::OpenConfirm;
        c.hold_time = hold;
        c.keepalive_interval = keepalive;
        c.negotiated = negotiated;
        c.remote = Some(Box::new(open));
        c.hold_deadline = None;
        c.restart_hold(now);
        c.restart_keepalive(now);
    }

    /// Connection collision detection (RFC 4271 §6.8), when the peer's OPEN
    /// arrives on `dir`. Returns true when `dir` itself was closed.
    ///
    /// The other connection is examined in OpenSent too, as §6.8 allows
    /// once the peer's identifier is known (this OPEN tells it): resolving
    /// only against OpenConfirm lets this side establish one connection
    /// while the peer, holding both in OpenConfirm, keeps the other, and
    /// both die (seen in a 50-node mesh started at once).
    fn collision(
        &mut self,
        now: Instant,
        dir: Dir,
        open: &wren_wire::open::Open,
        out: &mut Vec<Action>,
    ) -> bool {
        let other = dir.other();
        let n = Notification::new(code::CEASE, cease::CONNECTION_COLLISION, Vec::new());
        match self.conn(other).state {
            ConnState::Established => {
                self.close_conn(dir, Some(&n), out);
                true
            }
            ConnState::OpenSent | ConnState::OpenConfirm => {
                // The connection opened by the higher identifier survives.
                let keep = if u32::from(self.cfg.router_id) < u32::from(open.bgp_id) {
                    Dir::Incoming
                } else {
                    Dir::Outgoing
                };
                let loser = keep.other();
                self.close_conn(loser, Some(&n), out);
                self.note_state(now);
                loser == dir
            }
            _ => false,
        }
    }

    fn on_established(&mut self, now: Instant, dir: Dir, out: &mut Vec<Action>) {
        // A connection still in handshake on the other side is redundant.
        let n = Notification::new(code::CEASE, cease::CONNECTION_COLLISION, Vec::new());
        self.close_conn(dir.other(), Some(&n), out);
        self.connect_at = None;
        let c = self.conn_mut(dir);
        let Some(remote) = c.remote.clone() else {
            return;
        };
        c.state = ConnState::Established;
        let negotiated = c.negotiated;
        self.was_established = Some((dir, remote.clone()));
        out.push(Action::Established {
            dir,
            negotiated,
            remote,
        });
        self.note_state(now);
    }
}
