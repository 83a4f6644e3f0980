//! A BGP peer as the daemon holds it: the core's session, the protocol
//! state around it, and its connections.

use super::net::ConnHandle;
use super::spec::PeerSpec;
use std::net::IpAddr;
use wren_core::export::ExportTarget;
use wren_core::import::ImportRules;
use wren_core::rib::SourceId;
use wren_core::session::{Dir, Session};
use wren_core::time::Instant;
use wren_wire::Negotiated;

/// Counters for `show protocols all` and metrics.
#[derive(Clone, Copy, Debug, Default)]
pub struct PeerStats {
    /// UPDATEs received.
    pub updates_in: u64,
    /// UPDATEs sent.
    pub updates_out: u64,
    /// Routes accepted into the table (current).
    pub imported: usize,
    /// Routes received (each announcement through the import rules and
    /// filter: the filter's evaluations).
    pub received: u64,
    /// Of those, refused (AS loop, cluster loop, or the import filter).
    pub refused: u64,
    /// Routes announced to the peer (cumulative).
    pub exported: u64,
    /// Times the session went down.
    pub flaps: u64,
}

/// One peer.
#[derive(Debug)]
pub struct Peer {
    /// Configuration.
    pub spec: PeerSpec,
    /// The FSM.
    pub session: Session,
    /// Its routes' source id.
    pub source: SourceId,
    /// Connections, by [`Dir`] index (outgoing, incoming).
    pub conns: [Option<ConnHandle>; 2],
    /// Current outgoing connection attempt.
    pub attempt: u64,
    /// While established: negotiated parameters and the export side.
    pub up: Option<Up>,
    /// Routes kept stale for a restarting peer until this time.
    pub stale_until: Option<Instant>,
    /// Counters.
    pub stats: PeerStats,
    /// Deconfigured by a reload: its session is stopped and it matches no
    /// connection. Kept in place so indexes held by pending connects stay
    /// valid.
    pub removed: bool,
    /// BGP unnumbered: the peer's link-local address and interface, once
    /// heard (router advertisement or its connection).
    pub link: Option<std::net::SocketAddrV6>,
    /// Debug classes on (`debug` option or command).
    pub debug: super::debug::DebugClasses,
    /// The BGP state last logged for `debug … states`.
    pub traced_state: wren_core::session::State,
}

/// The established side of a peer.
#[derive(Debug)]
pub struct Up {
    /// Connection carrying the session.
    pub dir: Dir,
    /// What the OPENs agreed.
    pub neg: Negotiated,
    /// Receive rules.
    pub rules: ImportRules,
    /// Export rules.
    pub target: ExportTarget,
    /// End-of-RIB sent for our initial table dump.
    pub eor_sent: bool,
    /// The peer's OPEN, for `show protocols all`.
    pub remote: Box<wren_wire::Open>,
    /// Our address on the session.
    pub local: Option<IpAddr>,
    /// Families whose End-of-RIB the peer has sent.
    pub eor_received: wren_wire::FamilySet,
    /// IPv4 FlowSpec negotiated: its rules are kept and shown.
    pub flowspec: bool,
}

impl Peer {
    /// The connection on `dir`.
    pub fn conn(&self, dir: Dir) -> Option<&ConnHandle> {
        let [outgoing, incoming] = &self.conns;
        match dir {
            Dir::Outgoing => outgoing.as_ref(),
            Dir::Incoming => incoming.as_ref(),
        }
    }

    /// Sets or clears the connection on `dir`.
    pub fn set_conn(&mut self, dir: Dir, c: Option<ConnHandle>) {
        let [outgoing, incoming] = &mut self.conns;
        match dir {
            Dir::Outgoing => *outgoing = c,
            Dir::Incoming => *incoming = c,
        }
    }

    /// Where to connect: the configured address, or an unnumbered
    /// peer's link-local one (`None` until heard).
    pub fn remote(&self) -> Option<std::net::SocketAddr> {
        match &self.spec.interface {
            Some(_) => self.link.map(std::net::SocketAddr::V6),
            None => Some(std::net::SocketAddr::new(self.spec.address, self.spec.port)),
        }
    }

    /// The neighbour's address as operators see it: the configured one,
    /// or an unnumbered peer's link-local one once heard.
    pub fn neighbor_address(&self) -> IpAddr {
        self.link.map_or(self.spec.address, |l| IpAddr::V6(*l.ip()))
    }

    /// Whether `addr` is this peer's address.
    pub fn matches(&self, addr: IpAddr) -> bool {
        !self.removed && canonical(self.spec.address) == canonical(addr)
    }
}

/// IPv4-mapped IPv6 addresses (from a dual-stack listener) as IPv4.
pub fn canonical(a: IpAddr) -> IpAddr {
    match a {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(a, IpAddr::V4),
        v4 => v4,
    }
}
