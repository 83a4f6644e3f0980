//! What a route becomes when it is announced to a peer: the iBGP/eBGP
//! rules of RFC 4271 §5 and §9.2, route reflection (RFC 4456) and the
//! well-known communities (RFC 1997).

use crate::rib::{Path, SourceId, SourceInfo, SourceKind};
use std::net::{Ipv4Addr, Ipv6Addr};
use wren_wire::attributes::{AsPath, Community, Origin, PathAttributes};
use wren_wire::update::NextHop;
use wren_wire::{Family, Prefix};

/// BIRD's `next hop self` choices.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum NextHopMode {
    /// Self on eBGP and for local routes; kept on iBGP.
    #[default]
    Default,
    /// Always self.
    SelfAlways,
    /// Self only towards eBGP peers (`next hop self ebgp`).
    SelfEbgp,
    /// Always keep the route's next hop (`next hop keep`).
    Keep,
}

/// The sending side of a session.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExportTarget {
    /// The peer's own source id, for split horizon.
    pub source: SourceId,
    /// Our AS on the session.
    pub local_as: u32,
    /// The peer's AS.
    pub peer_as: u32,
    /// Our cluster id when we are a route reflector.
    pub cluster_id: Option<Ipv4Addr>,
    /// Our router id (ORIGINATOR_ID of routes we reflect from non-clients
    /// is the originating peer's id, not ours).
    pub router_id: Ipv4Addr,
    /// The peer is our route reflector client.
    pub rr_client: bool,
    /// Next-hop choice.
    pub next_hop_mode: NextHopMode,
    /// Our IPv4 address towards the peer.
    pub local_v4: Option<Ipv4Addr>,
    /// Our IPv6 address towards the peer (global, or link-local when
    /// unnumbered).
    pub local_v6: Option<Ipv6Addr>,
    /// Our IPv6 link-local address on the shared link, sent beside the
    /// global one (RFC 2545).
    pub local_v6_link_local: Option<Ipv6Addr>,
    /// IPv4 routes may carry an IPv6 next hop (RFC 8950 negotiated).
    pub ext_next_hop_v4: bool,
    /// AS override (GoBGP's `replace-peer-as`): the peer's AS in a path
    /// sent to it becomes ours, so that sites sharing one AS accept each
    /// other's routes.
    pub replace_peer_as: bool,
    /// The networks we share with a directly connected peer (IPv4,
    /// IPv6): a next hop on one of them is passed on as it is, rather than
    /// replaced by ours (RFC 4271 §5.1.3's third-party next hop, as BIRD
    /// and FRR do towards external peers).
    pub shared: [Option<Prefix>; 2],
    /// The peer's address (never given back to it as a next hop).
    pub peer_addr: Option<std::net::IpAddr>,
}

impl ExportTarget {
    /// Internal session.
    pub fn is_ibgp(&self) -> bool {
        self.local_as == self.peer_as
    }

    /// Whether a next hop kept from elsewhere means something to this
    /// peer: an IPv6 one for IPv4 routes needs RFC 8950, and a link-local
    /// one (from an unnumbered session) is valid on its own link only.
    /// Otherwise we are the next hop, as FRR does.
    fn can_carry(&self, nh: NextHop, family: Family) -> bool {
        match nh {
            NextHop::V4(_) => true,
            NextHop::V6 { .. } => {
                !forwarding_address(nh).1 && (family.is_ipv6() || self.ext_next_hop_v4)
            }
        }
    }

    /// Whether `nh` (its global address) is on a network we share with
    /// the peer, and is not the peer itself.
    fn on_shared_network(&self, nh: NextHop) -> bool {
        let (a, link_local) = forwarding_address(nh);
        !link_local
            && Some(a) != self.peer_addr
            && self.shared.iter().flatten().any(|n| n.contains(a))
    }

    fn self_next_hop(&self, family: Family) -> Option<NextHop> {
        let v6 = || {
            self.local_v6.map(|g| NextHop::V6 {
                global: g,
                link_local: self.local_v6_link_local.filter(|l| *l != g),
            })
        };
        if family.is_ipv6() {
            v6()
        } else {
            self.local_v4
                .map(NextHop::V4)
                .or_else(|| if self.ext_next_hop_v4 { v6() } else { None })
        }
    }
}

/// Whether `a` is an IPv6 link-local address (fe80::/10).
pub fn is_link_local(a: &Ipv6Addr) -> bool {
    a.segments().first().is_some_and(|s| s & 0xffc0 == 0xfe80)
}

/// The address packets for a BGP next hop go to, and whether it means
/// something on its own link only: the global address, or, when that is
/// unspecified or itself link-local (an unnumbered session), the
/// link-local one (RFC 2545's second address).
pub fn forwarding_address(nh: NextHop) -> (std::net::IpAddr, bool) {
    match nh {
        NextHop::V4(a) => (a.into(), false),
        NextHop::V6 { global, link_local } => {
            if global.is_unspecified() || is_link_local(&global) {
                (link_local.unwrap_or(global).into(), true)
            } else {
                (global.into(), false)
            }
        }
    }
}

/// `Some(attributes, next hop)` to announce `path` to `to`, `None` when it
/// must not be announced (then a previous announcement is withdrawn).
pub fn export_route(
    path: &Path,
    src: &SourceInfo,
    to: &ExportTarget,
    family: Family,
) -> Option<(PathAttributes, NextHop)> {
    export_filtered(path, &path.attrs, None, src, to, family)
}

/// Whether `path` may go to `to` at all, before any filter: not back to
/// where it came from, only when reachable, not against NO_ADVERTISE or
/// NO_EXPORT, and not from iBGP to iBGP unless reflecting (RFC 4456 §6).
/// `Some(reflecting)` when it may.
pub fn may_export(path: &Path, src: &SourceInfo, to: &ExportTarget) -> Option<bool> {
    if path.source == to.source || !path.reachable {
        return None;
    }
    let a = &path.attrs;
    let ebgp = !to.is_ibgp();
    if a.communities.contains(&Community::NO_ADVERTISE)
        || (ebgp
            && (a.communities.contains(&Community::NO_EXPORT)
                || a.communities.contains(&Community::NO_EXPORT_SUBCONFED)))
    {
        return None;
    }
    match src.bgp() {
        Some(s) if s.is_ibgp() && !ebgp => {
            if to.cluster_id.is_none() || !(s.rr_client || to.rr_client) {
                return None;
            }
            Some(true)
        }
        _ => Some(false),
    }
}

/// [`export_route`] for a route an export filter has seen: `attrs` as the
/// filter left them, `filter_nh` the next hop it set. BIRD's order: the
/// filter sees the route as the table holds it, then the protocol's rules
/// apply (AS prepended, LOCAL_PREF, next hop), except that a MED the
/// filter wrote goes to an external peer too.
pub fn export_filtered(
    path: &Path,
    attrs: &PathAttributes,
    filter_nh: Option<NextHop>,
    src: &SourceInfo,
    to: &ExportTarget,
    family: Family,
) -> Option<(PathAttributes, NextHop)> {
    let reflecting = may_export(path, src, to)?;
    let ebgp = !to.is_ibgp();
    let from_bgp = src.bgp();
    let mut out = attrs.clone();
    out.origin.get_or_insert(Origin::Igp);
    let path_as = out.as_path.get_or_insert_with(|| AsPath::sequence(&[]));
    if ebgp {
        if to.replace_peer_as {
            path_as.replace(to.peer_as, to.local_as);
        }
        path_as.prepend(to.local_as);
        out.local_pref = None;
        // MED learned from a neighbouring AS is not passed to another one;
        // one the export filter wrote is.
        if from_bgp.is_some() && out.med == path.attrs.med {
            out.med = None;
        }
        out.originator_id = None;
        out.cluster_list.clear();
        out.aigp = None;
    } else {
        out.local_pref.get_or_insert(100);
        if reflecting {
            if let (Some(s), Some(c)) = (from_bgp, to.cluster_id) {
                out.originator_id.get_or_insert(s.router_id);
                out.cluster_list.insert(0, c);
            }
        }
    }
    let keep = match to.next_hop_mode {
        NextHopMode::Keep => true,
        NextHopMode::SelfAlways => false,
        NextHopMode::Default | NextHopMode::SelfEbgp => !ebgp,
    };
    let local = !matches!(src.kind, SourceKind::Bgp(_));
    let third_party =
        |nh: NextHop| ebgp && to.next_hop_mode == NextHopMode::Default && to.on_shared_network(nh);
    let next_hop = match (filter_nh, path.next_hop()) {
        (Some(f), _) if to.can_carry(f, family) => Some(f),
        (_, Some(nh)) if (keep || third_party(nh)) && !local && to.can_carry(nh, family) => {
            Some(nh)
        }
        _ => to.self_next_hop(family),
    }?;
    out.next_hop = None;
    Some((out, next_hop))
}
