//! One path to a prefix, as the RIB holds it.

use super::attrs::{Attrs, Hop};
use super::source::SourceId;
use std::net::IpAddr;
use wren_wire::update::NextHop;

/// A path: who sent it, with which attributes and next hop.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Path {
    /// Where it came from.
    pub source: SourceId,
    /// ADD-PATH identifier the source gave it (0 without ADD-PATH).
    pub path_id: u32,
    /// Attributes after the import filter.
    pub attrs: Attrs,
    /// Next hop, shared (interned like the attributes: an inline IPv6
    /// pair would double the size of every path); `None` for routes
    /// without a gateway (direct, blackhole).
    pub hop: Option<Hop>,
    /// Kept for a gracefully restarting peer until it sends End-of-RIB.
    pub stale: bool,
    /// Cost to the next hop (from next-hop resolution; 0 when unknown).
    pub igp_metric: u32,
    /// The next hop resolves; unreachable paths are never best.
    pub reachable: bool,
}

impl Path {
    /// A reachable, fresh path with a shared next hop (see
    /// [`AttrStore::hop`](super::AttrStore::hop)).
    pub fn shared(source: SourceId, path_id: u32, attrs: Attrs, hop: Option<Hop>) -> Self {
        Path {
            source,
            path_id,
            attrs,
            hop,
            stale: false,
            igp_metric: 0,
            reachable: true,
        }
    }

    /// A reachable, fresh path; allocates the next hop, so it is for tests
    /// and cold paths (the receive path uses [`Path::shared`]).
    pub fn new(source: SourceId, path_id: u32, attrs: Attrs, next_hop: Option<NextHop>) -> Self {
        Path::shared(source, path_id, attrs, next_hop.map(Hop::new))
    }

    /// The next hop.
    pub fn next_hop(&self) -> Option<NextHop> {
        self.hop.as_deref().copied()
    }

    /// The next hop as one address (the global one of an IPv6 pair, which
    /// for an unnumbered peer is its link-local address).
    pub fn gateway(&self) -> Option<IpAddr> {
        match self.next_hop()? {
            NextHop::V4(a) => Some(IpAddr::V4(a)),
            NextHop::V6 { global, .. } => Some(IpAddr::V6(global)),
        }
    }
}
