//! Network events: a connection accepted (from a configured, unnumbered
//! or dynamic peer) or opened, whole messages read, a connection closed;
//! each is handed to the peer's session and what it asks for is done.

use super::connect;
use super::net::{spawn_conn, ConnId, NetEvent};
use super::peer::canonical;
use super::Daemon;
use std::net::IpAddr;
use tracing::{debug, info, warn};
use wren_core::session::Dir;
use wren_core::time::Instant;

impl Daemon {
    pub(super) fn on_event(&mut self, ev: NetEvent) {
        match ev {
            NetEvent::Accepted(stream, from) => self.on_accept(stream, from),
            NetEvent::Kernel(ev) => self.on_kernel(ev),
            NetEvent::Router(heard) => self.on_router(heard),
            NetEvent::Connected {
                peer,
                attempt,
                result,
            } => self.on_connected(peer, attempt, result),
            NetEvent::Data(id, bytes) => {
                if let Some((i, dir)) = self.find_conn(id) {
                    self.on_data(i, dir, &bytes);
                }
            }
            NetEvent::WriteBlocked(id, blocked) => {
                let now = self.now();
                if let Some((i, dir)) = self.find_conn(id) {
                    if let Some(p) = self.peers.get_mut(i) {
                        debug!(peer = %p.spec.name, blocked, "writes blocked");
                        p.session.on_write_blocked(now, dir, blocked);
                    }
                }
            }
            NetEvent::Closed(id, err) => {
                let now = self.now();
                if let Some((i, dir)) = self.find_conn(id) {
                    let Some(p) = self.peers.get_mut(i) else {
                        return;
                    };
                    debug!(peer = %p.spec.name, ?err, "connection closed");
                    if p.debug.any(super::debug::DebugClasses::EVENTS) {
                        super::debug::trace(
                            &p.spec.name,
                            format_args!("Connection closed ({err:?})"),
                        );
                    }
                    let mut out = std::mem::take(&mut self.actions);
                    p.set_conn(dir, None);
                    p.session.on_closed(now, dir, &mut out);
                    self.apply_actions(i, &mut out);
                    self.actions = out;
                }
            }
        }
    }

    /// The peer and direction of connection `id`, if it is still that
    /// peer's connection.
    pub(super) fn find_conn(&self, id: ConnId) -> Option<(usize, Dir)> {
        let p = self.peers.get(id.peer)?;
        (p.conn(id.dir)?.id == id).then_some((id.peer, id.dir))
    }

    /// A new connection's id.
    fn conn_id(&mut self, peer: usize, dir: Dir) -> ConnId {
        self.next_conn += 1;
        ConnId {
            peer,
            dir,
            serial: self.next_conn,
        }
    }

    fn on_accept(&mut self, stream: tokio::net::TcpStream, from: std::net::SocketAddr) {
        let addr = canonical(from.ip());
        let now = self.now();
        let Some(i) = self
            .peers
            .iter()
            .position(|p| p.matches(addr))
            .or_else(|| self.unnumbered_from(from))
            .or_else(|| self.add_dynamic(addr, now))
        else {
            debug!(%addr, "connection from unknown address refused");
            return;
        };
        let id = self.conn_id(i, Dir::Incoming);
        let Some(p) = self.peers.get_mut(i) else {
            return;
        };
        let events = p.debug.any(super::debug::DebugClasses::EVENTS);
        if !p.session.accepts_incoming() {
            debug!(peer = %p.spec.name, "incoming connection refused in this state");
            if events {
                super::debug::trace(
                    &p.spec.name,
                    format_args!(
                        "Incoming connection from {addr} (port {}) refused",
                        from.port()
                    ),
                );
            }
            return;
        }
        if events {
            super::debug::trace(
                &p.spec.name,
                format_args!(
                    "Incoming connection from {addr} (port {}) accepted",
                    from.port()
                ),
            );
        }
        // Our TTL toward the peer, and GTSM's floor on its packets, as on
        // the connections we open.
        let v6 = stream.local_addr().is_ok_and(|a| a.is_ipv6());
        if let Err(e) = connect::set_session_ttl(socket2::SockRef::from(&stream), v6, &p.spec) {
            warn!(peer = %p.spec.name, error = %e, "cannot set TTL on an accepted connection");
        }
        let h = spawn_conn(stream, id, self.events_tx.clone());
        let mut out = std::mem::take(&mut self.actions);
        p.set_conn(Dir::Incoming, Some(h));
        p.session.on_connected(now, Dir::Incoming, &mut out);
        self.apply_actions(i, &mut out);
        self.actions = out;
    }

    /// A peer for `addr` from the first dynamic range holding it. It
    /// stays when its session ends, so a reconnecting speaker finds it.
    fn add_dynamic(&mut self, addr: IpAddr, now: Instant) -> Option<usize> {
        let d = self.spec.dynamic.iter().find(|d| d.prefix.contains(addr))?;
        let mut spec = d.template.clone();
        info!(%addr, range = %d.prefix, group = %spec.name, "dynamic neighbor");
        spec.address = addr;
        spec.name = addr.to_string();
        let i = self.add_peer(spec);
        if let Some(p) = self.peers.get_mut(i) {
            p.session.start(now);
        }
        Some(i)
    }

    fn on_connected(
        &mut self,
        i: usize,
        attempt: u64,
        result: std::io::Result<tokio::net::TcpStream>,
    ) {
        let now = self.now();
        let id = self.conn_id(i, Dir::Outgoing);
        let Some(p) = self.peers.get_mut(i) else {
            return;
        };
        if p.attempt != attempt {
            return;
        }
        let mut out = std::mem::take(&mut self.actions);
        match result {
            Ok(stream) => {
                let h = spawn_conn(stream, id, self.events_tx.clone());
                p.set_conn(Dir::Outgoing, Some(h));
                p.session.on_connected(now, Dir::Outgoing, &mut out);
            }
            Err(e) => {
                debug!(peer = %p.spec.name, error = %e, "connect failed");
                p.session.on_connect_failed(now);
            }
        }
        self.apply_actions(i, &mut out);
        self.actions = out;
    }
}
