//! Where routes come from: BGP peers and the local protocols, each with
//! the facts best-path selection and export rules need about it.

use std::net::{IpAddr, Ipv4Addr};

/// Index of a route source in [`Sources`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SourceId(pub u32);

/// What kind of protocol a source is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SourceKind {
    /// A BGP session.
    Bgp(BgpSource),
    /// Configured static routes.
    Static,
    /// Connected prefixes of interfaces (BIRD `direct`).
    Direct,
    /// Routes learned from the kernel table.
    Kernel,
}

/// Facts about a BGP peer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BgpSource {
    /// The peer's AS.
    pub peer_as: u32,
    /// Our AS on this session.
    pub local_as: u32,
    /// The peer's BGP identifier (from its OPEN).
    pub router_id: Ipv4Addr,
    /// The peer's address.
    pub address: IpAddr,
    /// The peer is a route reflector client of ours (RFC 4456).
    pub rr_client: bool,
}

impl BgpSource {
    /// Internal session.
    pub fn is_ibgp(&self) -> bool {
        self.peer_as == self.local_as
    }
}

/// A route source.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SourceInfo {
    /// Protocol name as configured (`Mesh_192_168_0_80`, `static1`).
    pub name: String,
    /// Kind.
    pub kind: SourceKind,
    /// BIRD route preference: higher wins before any BGP rule (BIRD's
    /// defaults: direct 240, static 200, BGP 100, kernel 10).
    pub preference: u32,
}

impl SourceInfo {
    /// The BGP facts, for BGP sources.
    pub fn bgp(&self) -> Option<&BgpSource> {
        match &self.kind {
            SourceKind::Bgp(b) => Some(b),
            _ => None,
        }
    }
}

/// All sources, indexed by [`SourceId`].
#[derive(Clone, Debug, Default)]
pub struct Sources {
    list: Vec<SourceInfo>,
}

impl Sources {
    /// Adds a source.
    pub fn add(&mut self, s: SourceInfo) -> SourceId {
        self.list.push(s);
        SourceId(u32::try_from(self.list.len() - 1).unwrap_or(u32::MAX))
    }

    /// The source `id`.
    pub fn get(&self, id: SourceId) -> Option<&SourceInfo> {
        self.list.get(id.0 as usize)
    }

    /// Updates a source (a BGP peer's router id is known only once it is up).
    pub fn get_mut(&mut self, id: SourceId) -> Option<&mut SourceInfo> {
        self.list.get_mut(id.0 as usize)
    }

    /// Every source.
    pub fn iter(&self) -> impl Iterator<Item = (SourceId, &SourceInfo)> {
        self.list
            .iter()
            .enumerate()
            .map(|(i, s)| (SourceId(u32::try_from(i).unwrap_or(u32::MAX)), s))
    }
}
