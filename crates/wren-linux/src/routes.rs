//! Kernel routes as Wren sees them, and their `rtmsg` encoding.
//!
//! A [`Route`] is what the daemon decides (destination, kind, next hops);
//! the table, protocol number and metric belong to the [`KernelTable`]
//! that installs it, the way BIRD's kernel protocol owns them. What comes
//! back from the kernel is a [`KernelRoute`], which carries all four,
//! because a dump also finds routes that other programs put there.
//!
//! [`KernelTable`]: crate::KernelTable

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use netlink_packet_route::route::{
    RouteAddress, RouteAttribute, RouteFlags, RouteHeader, RouteMessage, RouteNextHop,
    RouteNextHopFlags, RouteProtocol, RouteScope, RouteType, RouteVia,
};
use netlink_packet_route::AddressFamily;
use wren_wire::prefix::{Ipv4Prefix, Ipv6Prefix};
use wren_wire::Prefix;

use crate::kernel::TableConfig;

/// What the kernel does with packets for a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RouteKind {
    /// Forward via the next hops.
    Unicast,
    /// Drop silently (`blackhole`, Calico's IPAM blocks).
    Blackhole,
    /// Drop with ICMP unreachable.
    Unreachable,
    /// Drop with ICMP administratively prohibited.
    Prohibit,
    /// Any other `RTN_*` type, seen in dumps only (local, broadcast, throw…).
    Other(u8),
}

/// One way out for a unicast route.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct NextHop {
    /// Gateway. An IPv6 gateway of an IPv4 route is sent as `RTA_VIA`
    /// (RFC 8950: IPv4 over an IPv6 link-local next hop, as FRR's
    /// unnumbered peers do); it then needs `ifindex`.
    pub gateway: Option<IpAddr>,
    /// Outgoing interface index; alone it makes a device route.
    pub ifindex: Option<u32>,
    /// ECMP weight, 1 to 256.
    pub weight: u16,
    /// Take the gateway as directly reachable on `ifindex` (`onlink`).
    pub onlink: bool,
}

impl NextHop {
    /// Via `gateway`, the interface found by the kernel.
    pub fn via(gateway: IpAddr) -> Self {
        NextHop {
            gateway: Some(gateway),
            ifindex: None,
            weight: 1,
            onlink: false,
        }
    }

    /// Via `gateway` on interface `ifindex`.
    pub fn via_dev(gateway: IpAddr, ifindex: u32) -> Self {
        NextHop {
            ifindex: Some(ifindex),
            ..NextHop::via(gateway)
        }
    }

    /// Straight out of interface `ifindex` (a `/32` to a `cali*` veth).
    pub fn dev(ifindex: u32) -> Self {
        NextHop {
            gateway: None,
            ifindex: Some(ifindex),
            weight: 1,
            onlink: false,
        }
    }
}

/// A route's next hops: one inline (nearly every route), ECMP sets on
/// the heap, so a million routes to write are not a million allocations.
pub type NextHops = smallvec::SmallVec<[NextHop; 1]>;

/// A route as the daemon wants it in the kernel.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Route {
    /// Destination.
    pub dst: Prefix,
    /// Forward or drop.
    pub kind: RouteKind,
    /// For [`RouteKind::Unicast`]: one, or several for ECMP.
    pub next_hops: NextHops,
    /// Preferred source address (`src`, BIRD's `krt_prefsrc`).
    pub pref_src: Option<IpAddr>,
}

impl Route {
    /// A unicast route through `next_hops`.
    pub fn unicast(dst: Prefix, next_hops: impl Into<NextHops>) -> Self {
        Route {
            dst,
            kind: RouteKind::Unicast,
            next_hops: next_hops.into(),
            pref_src: None,
        }
    }

    /// A route that drops: blackhole, unreachable or prohibit.
    pub fn reject(dst: Prefix, kind: RouteKind) -> Self {
        Route {
            dst,
            kind,
            next_hops: NextHops::new(),
            pref_src: None,
        }
    }
}

/// A route read from the kernel, ours or not.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct KernelRoute {
    /// Destination, kind and next hops.
    pub route: Route,
    /// Table id (254 = main).
    pub table: u32,
    /// `rtm_protocol`: who installed it (12 bird, 186 bgp, 4 static…).
    pub protocol: u8,
    /// `RTA_PRIORITY`, the metric.
    pub metric: u32,
}

/// One change for [`KernelTable::apply`](crate::KernelTable::apply).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RouteChange {
    /// Install; fails with `EEXIST` if our route for the prefix is there.
    Add(Route),
    /// Install or overwrite ours for the same prefix (the usual update).
    Replace(Route),
    /// Remove ours (same protocol and metric) for this prefix.
    Delete(Prefix),
}

impl RouteChange {
    /// The destination this change is about.
    pub fn dst(&self) -> Prefix {
        match self {
            RouteChange::Add(r) | RouteChange::Replace(r) => r.dst,
            RouteChange::Delete(p) => *p,
        }
    }
}

/// Why a route cannot be expressed to the kernel.
pub(crate) type Invalid = &'static str;

/// `RT_TABLE_COMPAT`: the header's table when the id needs `RTA_TABLE`.
const RT_TABLE_COMPAT: u8 = 252;

fn header(cfg: &TableConfig, dst: &Prefix) -> RouteHeader {
    RouteHeader {
        address_family: if dst.is_ipv6() {
            AddressFamily::Inet6
        } else {
            AddressFamily::Inet
        },
        destination_prefix_length: dst.len(),
        table: u8::try_from(cfg.table).unwrap_or(RT_TABLE_COMPAT),
        protocol: RouteProtocol::from(cfg.protocol),
        ..RouteHeader::default()
    }
}

fn dst_attr(dst: &Prefix) -> RouteAttribute {
    RouteAttribute::Destination(match dst {
        Prefix::V4(p) => RouteAddress::Inet(p.addr()),
        Prefix::V6(p) => RouteAddress::Inet6(p.addr()),
    })
}

fn addr_attr(a: IpAddr) -> RouteAddress {
    match a {
        IpAddr::V4(a) => RouteAddress::Inet(a),
        IpAddr::V6(a) => RouteAddress::Inet6(a),
    }
}

/// `RTA_GATEWAY` when the families match, `RTA_VIA` for IPv4 over IPv6.
fn gateway_attr(dst: &Prefix, gw: IpAddr) -> Result<RouteAttribute, Invalid> {
    match (dst.is_ipv6(), gw) {
        (false, IpAddr::V6(v6)) => Ok(RouteAttribute::Via(RouteVia::Inet6(v6))),
        (true, IpAddr::V4(_)) => Err("an IPv6 route cannot have an IPv4 gateway"),
        (_, gw) => Ok(RouteAttribute::Gateway(addr_attr(gw))),
    }
}

/// The `RTM_NEWROUTE` body for installing `route` in `cfg`'s table.
pub(crate) fn encode_route(cfg: &TableConfig, route: &Route) -> Result<RouteMessage, Invalid> {
    let mut h = header(cfg, &route.dst);
    h.scope = RouteScope::Universe;
    let mut attrs = vec![
        dst_attr(&route.dst),
        RouteAttribute::Table(cfg.table),
        RouteAttribute::Priority(cfg.metric),
    ];
    if let Some(src) = route.pref_src {
        attrs.push(RouteAttribute::PrefSource(addr_attr(src)));
    }
    h.kind = match route.kind {
        RouteKind::Unicast => RouteType::Unicast,
        RouteKind::Blackhole => RouteType::BlackHole,
        RouteKind::Unreachable => RouteType::Unreachable,
        RouteKind::Prohibit => RouteType::Prohibit,
        RouteKind::Other(_) => return Err("only unicast and reject routes can be installed"),
    };
    if route.kind == RouteKind::Unicast {
        match route.next_hops.as_slice() {
            [] => return Err("a unicast route needs a next hop"),
            [nh] => {
                check(nh)?;
                if let Some(gw) = nh.gateway {
                    attrs.push(gateway_attr(&route.dst, gw)?);
                }
                if let Some(i) = nh.ifindex {
                    attrs.push(RouteAttribute::Oif(i));
                }
                if nh.onlink {
                    h.flags |= RouteFlags::Onlink;
                }
            }
            many => {
                let mut hops = Vec::with_capacity(many.len());
                for nh in many {
                    check(nh)?;
                    let mut hop = RouteNextHop::default();
                    hop.hops = u8::try_from(nh.weight - 1).unwrap_or(u8::MAX);
                    hop.interface_index = nh.ifindex.unwrap_or(0);
                    if nh.onlink {
                        hop.flags |= RouteNextHopFlags::Onlink;
                    }
                    if let Some(gw) = nh.gateway {
                        hop.attributes.push(gateway_attr(&route.dst, gw)?);
                    }
                    hops.push(hop);
                }
                attrs.push(RouteAttribute::MultiPath(hops));
            }
        }
        if route.next_hops.iter().all(|nh| nh.gateway.is_none()) {
            h.scope = RouteScope::Link;
        }
    }
    let mut m = RouteMessage::default();
    m.header = h;
    m.attributes = attrs;
    Ok(m)
}

fn check(nh: &NextHop) -> Result<(), Invalid> {
    if nh.gateway.is_none() && nh.ifindex.is_none() {
        return Err("a next hop needs a gateway or an interface");
    }
    if !(1..=256).contains(&nh.weight) {
        return Err("next-hop weight must be 1 to 256");
    }
    Ok(())
}

/// The `RTM_DELROUTE` body that removes our route for `dst`: protocol and
/// metric must match, so routes of other programs stay.
pub(crate) fn encode_delete(cfg: &TableConfig, dst: &Prefix) -> RouteMessage {
    let mut h = header(cfg, dst);
    h.scope = RouteScope::NoWhere;
    h.kind = RouteType::Unspec;
    let mut m = RouteMessage::default();
    m.header = h;
    m.attributes = vec![
        dst_attr(dst),
        RouteAttribute::Table(cfg.table),
        RouteAttribute::Priority(cfg.metric),
    ];
    m
}

/// The dump request for one family of `table` (filtered in the kernel
/// when strict checking is on, and again by [`decode_route`]'s caller).
pub(crate) fn dump_request(ipv6: bool, table: u32) -> RouteMessage {
    let mut m = RouteMessage::default();
    m.header.address_family = if ipv6 {
        AddressFamily::Inet6
    } else {
        AddressFamily::Inet
    };
    m.header.table = u8::try_from(table).unwrap_or(RT_TABLE_COMPAT);
    m.attributes = vec![RouteAttribute::Table(table)];
    m
}

/// Reads a route message from a dump or a notification. `None` for what
/// is not an IPv4/IPv6 FIB entry (cache clones, other families).
pub(crate) fn decode_route(m: &RouteMessage) -> Option<KernelRoute> {
    let h = &m.header;
    if h.flags.contains(RouteFlags::Cloned) {
        return None;
    }
    let ipv6 = match h.address_family {
        AddressFamily::Inet => false,
        AddressFamily::Inet6 => true,
        _ => return None,
    };
    let mut dst_addr: IpAddr = if ipv6 {
        Ipv6Addr::UNSPECIFIED.into()
    } else {
        Ipv4Addr::UNSPECIFIED.into()
    };
    let mut table = u32::from(h.table);
    let mut metric = 0;
    let mut pref_src = None;
    let mut single = NextHop {
        gateway: None,
        ifindex: None,
        weight: 1,
        onlink: h.flags.contains(RouteFlags::Onlink),
    };
    let mut multi = Vec::new();
    for a in &m.attributes {
        match a {
            RouteAttribute::Destination(d) => dst_addr = route_addr(d)?,
            RouteAttribute::Table(t) => table = *t,
            RouteAttribute::Priority(p) => metric = *p,
            RouteAttribute::PrefSource(s) => pref_src = route_addr(s),
            RouteAttribute::Gateway(g) => single.gateway = route_addr(g),
            RouteAttribute::Via(v) => single.gateway = via_addr(v),
            RouteAttribute::Oif(i) => single.ifindex = Some(*i),
            RouteAttribute::MultiPath(hops) => multi = hops.iter().map(decode_hop).collect(),
            _ => {}
        }
    }
    let dst = match dst_addr {
        IpAddr::V4(a) => Prefix::V4(Ipv4Prefix::new(a, h.destination_prefix_length)?),
        IpAddr::V6(a) => Prefix::V6(Ipv6Prefix::new(a, h.destination_prefix_length)?),
    };
    let kind = match h.kind {
        RouteType::Unicast => RouteKind::Unicast,
        RouteType::BlackHole => RouteKind::Blackhole,
        RouteType::Unreachable => RouteKind::Unreachable,
        RouteType::Prohibit => RouteKind::Prohibit,
        other => RouteKind::Other(u8::from(other)),
    };
    let next_hops = if !multi.is_empty() {
        NextHops::from_vec(multi)
    } else if single.gateway.is_some() || single.ifindex.is_some() {
        smallvec::smallvec![single]
    } else {
        NextHops::new()
    };
    Some(KernelRoute {
        route: Route {
            dst,
            kind,
            next_hops,
            pref_src,
        },
        table,
        protocol: u8::from(h.protocol),
        metric,
    })
}

fn decode_hop(hop: &RouteNextHop) -> NextHop {
    let mut gateway = None;
    for a in &hop.attributes {
        match a {
            RouteAttribute::Gateway(g) => gateway = route_addr(g),
            RouteAttribute::Via(v) => gateway = via_addr(v),
            _ => {}
        }
    }
    NextHop {
        gateway,
        ifindex: (hop.interface_index != 0).then_some(hop.interface_index),
        weight: u16::from(hop.hops) + 1,
        onlink: hop.flags.contains(RouteNextHopFlags::Onlink),
    }
}

fn route_addr(a: &RouteAddress) -> Option<IpAddr> {
    match a {
        RouteAddress::Inet(a) => Some(IpAddr::V4(*a)),
        RouteAddress::Inet6(a) => Some(IpAddr::V6(*a)),
        _ => None,
    }
}

fn via_addr(v: &RouteVia) -> Option<IpAddr> {
    match v {
        RouteVia::Inet(a) => Some(IpAddr::V4(*a)),
        RouteVia::Inet6(a) => Some(IpAddr::V6(*a)),
        _ => None,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn round_trip(r: &Route) -> KernelRoute {
        let cfg = TableConfig {
            table: 1000,
            protocol: 186,
            metric: 7,
        };
        decode_route(&encode_route(&cfg, r).unwrap()).unwrap()
    }

    #[test]
    fn ecmp_and_rfc8950_next_hops_survive_encoding() {
        let r = Route::unicast(
            "198.19.0.0/24".parse().unwrap(),
            vec![
                NextHop::via_dev("fe80::1".parse().unwrap(), 3),
                NextHop {
                    weight: 256,
                    onlink: true,
                    ..NextHop::via_dev("198.18.0.2".parse().unwrap(), 4)
                },
            ],
        );
        let k = round_trip(&r);
        assert_eq!(k.route, r);
        assert_eq!((k.table, k.protocol, k.metric), (1000, 186, 7));
    }

    #[test]
    fn reject_routes_and_device_routes_survive_encoding() {
        let bh = Route::reject("2001:db8::/48".parse().unwrap(), RouteKind::Prohibit);
        assert_eq!(round_trip(&bh).route, bh);
        let dev = Route::unicast("198.19.0.1/32".parse().unwrap(), vec![NextHop::dev(9)]);
        assert_eq!(round_trip(&dev).route, dev);
    }

    #[test]
    fn routes_the_kernel_cannot_take_are_refused_before_sending() {
        let cfg = TableConfig::default();
        let v6: Prefix = "2001:db8::/48".parse().unwrap();
        let bad = [
            Route::unicast(v6, vec![]),
            Route::unicast(v6, vec![NextHop::via("198.18.0.2".parse().unwrap())]),
            Route::unicast(
                v6,
                vec![NextHop {
                    weight: 0,
                    ..NextHop::dev(1)
                }],
            ),
            Route::unicast(
                v6,
                vec![NextHop {
                    ifindex: None,
                    ..NextHop::dev(1)
                }],
            ),
            Route::reject(v6, RouteKind::Other(2)),
        ];
        for r in &bad {
            assert!(encode_route(&cfg, r).is_err(), "{r:?}");
        }
    }

    #[test]
    fn handles_can_move_between_tasks() {
        fn send<T: Send>() {}
        send::<crate::KernelTable>();
        send::<crate::Interfaces>();
        send::<crate::EventStream>();
    }
}
