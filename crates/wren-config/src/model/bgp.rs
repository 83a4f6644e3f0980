//! `protocol bgp`: one session (or, with `neighbor range`, a set of them).

use super::inherit_fields;
use crate::span::Spanned;
use std::net::{IpAddr, Ipv4Addr};
use wren_wire::Prefix;

/// How the peer's AS is given.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PeerAs {
    /// `as N`
    Num(u32),
    /// `internal`: the peer is in our AS.
    Internal,
    /// `external`: any AS but ours.
    External,
}

/// `neighbor ...`
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Neighbor {
    /// The peer's address (`None` with `neighbor range`).
    pub address: Option<IpAddr>,
    /// `neighbor range P`: accept dynamic peers from a prefix.
    pub range: Option<Prefix>,
    /// `port N`
    pub port: Option<u16>,
    /// `as N` / `internal` / `external`.
    pub asn: Option<PeerAs>,
}

/// `direct` or `multihop [ttl]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Hop {
    /// `direct`: the peer must be on a connected network.
    Direct,
    /// `multihop [ttl]`
    Multihop(Option<u8>),
}

/// `next hop self|keep|address A`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NextHopMode {
    /// `next hop self [on|off|ibgp|ebgp]`, as written.
    SelfOn(bool),
    /// `next hop keep [on|off]`.
    Keep(bool),
    /// `next hop address A`.
    Address(IpAddr),
}

/// `gateway direct|recursive`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Gateway {
    /// Next hop is a neighbour on a connected network.
    Direct,
    /// Resolve the next hop through the table.
    Recursive,
}

/// `add paths on|off|rx|tx`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AddPaths {
    /// `off`
    Off,
    /// `rx`: receive multiple paths.
    Rx,
    /// `tx`: send multiple paths.
    Tx,
    /// `on`: both.
    On,
}

/// `graceful restart on|off|aware`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GracefulRestart {
    /// Disabled.
    Off,
    /// Full (restarting and helper).
    On,
    /// Helper only.
    Aware,
}

/// The BGP-specific options.
#[derive(Clone, Debug, Default)]
pub struct Bgp {
    /// `local [ADDR] [port N] as N`: the address.
    pub local_address: Option<Spanned<IpAddr>>,
    /// `local port N`
    pub local_port: Option<Spanned<u16>>,
    /// `local as N`
    pub local_as: Option<Spanned<u32>>,
    /// `neighbor ...`
    pub neighbor: Option<Spanned<Neighbor>>,
    /// `interface "name"` (link-local peers).
    pub interface: Option<Spanned<String>>,
    /// `passive`
    pub passive: Option<Spanned<bool>>,
    /// `direct` / `multihop [ttl]`
    pub hop: Option<Spanned<Hop>>,
    /// `ttl security`
    pub ttl_security: Option<Spanned<bool>>,
    /// `password "..."`
    pub password: Option<Spanned<String>>,
    /// `source address A`
    pub source_address: Option<Spanned<IpAddr>>,
    /// `connect delay time N`
    pub connect_delay_time: Option<Spanned<u32>>,
    /// `connect retry time N`
    pub connect_retry_time: Option<Spanned<u32>>,
    /// `error wait time MIN,MAX`
    pub error_wait_time: Option<Spanned<(u32, u32)>>,
    /// `error forget time N`
    pub error_forget_time: Option<Spanned<u32>>,
    /// `hold time N`
    pub hold_time: Option<Spanned<u32>>,
    /// `startup hold time N`
    pub startup_hold_time: Option<Spanned<u32>>,
    /// `send hold time N` (RFC 9687; BIRD 2.14's option): how long our
    /// writes may stay stuck before the session is dropped.
    pub send_hold_time: Option<Spanned<u32>>,
    /// `keepalive time N`
    pub keepalive_time: Option<Spanned<u32>>,
    /// `graceful restart [on|off|aware]`
    pub graceful_restart: Option<Spanned<GracefulRestart>>,
    /// `graceful restart time N`
    pub graceful_restart_time: Option<Spanned<u32>>,
    /// `rr client`
    pub rr_client: Option<Spanned<bool>>,
    /// `rr cluster id A`
    pub rr_cluster_id: Option<Spanned<Ipv4Addr>>,
    /// `allow local as [N]` (`None` inside: BIRD's default count).
    pub allow_local_as: Option<Spanned<Option<u32>>>,
    /// `interpret communities`
    pub interpret_communities: Option<Spanned<bool>>,
    /// `enable route refresh`
    pub enable_route_refresh: Option<Spanned<bool>>,
    /// `enable as4`
    pub enable_as4: Option<Spanned<bool>>,
    /// `capabilities`
    pub capabilities: Option<Spanned<bool>>,
    /// `default bgp_local_pref N`
    pub default_local_pref: Option<Spanned<u32>>,
    /// `default bgp_med N`
    pub default_med: Option<Spanned<u32>>,
    /// `deterministic med`
    pub deterministic_med: Option<Spanned<bool>>,
    /// `prefer older`
    pub prefer_older: Option<Spanned<bool>>,
    /// `med metric`
    pub med_metric: Option<Spanned<bool>>,
    /// `igp metric`
    pub igp_metric: Option<Spanned<bool>>,
    /// `advertise ipv4`
    pub advertise_ipv4: Option<Spanned<bool>>,
}

impl Bgp {
    /// Fills unset options from a template.
    pub fn inherit(&mut self, parent: &Bgp) {
        let me = self;
        inherit_fields!(me, parent; local_address, local_port, local_as, neighbor, interface,
            passive, hop, ttl_security, password, source_address, connect_delay_time,
            connect_retry_time, error_wait_time, error_forget_time, hold_time,
            startup_hold_time, send_hold_time, keepalive_time, graceful_restart, graceful_restart_time,
            rr_client, rr_cluster_id, allow_local_as, interpret_communities,
            enable_route_refresh, enable_as4, capabilities, default_local_pref, default_med,
            deterministic_med, prefer_older, med_metric, igp_metric, advertise_ipv4);
    }

    /// The peer's address, when a single one is configured.
    pub fn neighbor_address(&self) -> Option<IpAddr> {
        self.neighbor.as_ref().and_then(|n| n.address)
    }

    /// The peer's AS number, when one is configured.
    pub fn neighbor_as(&self) -> Option<u32> {
        match self.neighbor.as_ref().and_then(|n| n.asn) {
            Some(PeerAs::Num(n)) => Some(n),
            _ => None,
        }
    }

    /// Internal session: same AS, or `internal`.
    pub fn is_internal(&self) -> Option<bool> {
        match self.neighbor.as_ref().and_then(|n| n.asn)? {
            PeerAs::Internal => Some(true),
            PeerAs::External => Some(false),
            PeerAs::Num(n) => Some(Some(n) == self.local_as.as_ref().map(|a| a.value)),
        }
    }
}
