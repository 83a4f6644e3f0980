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

use netlink_packet_core::NLM_F_REQUEST;
use netlink_packet_route::route::{
    RouteAddress, RouteAttribute, RouteFlags, RouteMessage, RouteNextHop, RouteNextHopFlags,
    RouteType, RouteVia,
};
use netlink_packet_route::AddressFamily;
use wren_wire::prefix::{Ipv4Prefix, Ipv6Prefix};
use wren_wire::Prefix;

use crate::kernel::TableConfig;
use crate::nlmsg::Message;

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
    /// The nexthop object the route uses (`RTA_NH_ID`), if it uses one.
    pub nh_id: Option<u32>,
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

// The rtnetlink numbers libc has; `RT_TABLE_COMPAT` is the header's
// table when the id needs `RTA_TABLE`.
use libc::{
    RTA_DST, RTA_GATEWAY, RTA_MULTIPATH, RTA_OIF, RTA_PREFSRC, RTA_PRIORITY, RTA_TABLE, RTA_VIA,
    RTM_DELROUTE, RTM_NEWROUTE, RTN_BLACKHOLE, RTN_PROHIBIT, RTN_UNICAST, RTN_UNREACHABLE,
    RTN_UNSPEC, RT_SCOPE_LINK, RT_SCOPE_NOWHERE, RT_SCOPE_UNIVERSE, RT_TABLE_COMPAT,
};

/// `RTA_NH_ID` (Linux 5.3), which libc lacks.
const RTA_NH_ID: u16 = 30;
/// `RTNH_F_ONLINK`, in `rtm_flags`, `rtnh_flags` and `nh_flags` (libc
/// lacks it).
pub(crate) const RTNH_F_ONLINK: u32 = 4;
/// Address families as the one octet of `rtm_family` and `nh_family`.
pub(crate) const AF_INET: u8 = libc::AF_INET as u8;
pub(crate) const AF_INET6: u8 = libc::AF_INET6 as u8;

/// Appends `struct rtmsg` for `dst` in `cfg`'s table.
fn rtmsg(m: &mut Message<'_>, cfg: &TableConfig, dst: &Prefix, scope: u8, kind: u8, flags: u32) {
    let family = if dst.is_ipv6() { AF_INET6 } else { AF_INET };
    let table = u8::try_from(cfg.table).unwrap_or(RT_TABLE_COMPAT);
    // family, dst_len, src_len, tos, table, protocol, scope, type, flags
    let [f0, f1, f2, f3] = flags.to_ne_bytes();
    m.put(&[
        family,
        dst.len(),
        0,
        0,
        table,
        cfg.protocol,
        scope,
        kind,
        f0,
        f1,
        f2,
        f3,
    ]);
}

/// The attributes every message about our route for `dst` carries:
/// destination, table, metric.
fn route_key(m: &mut Message<'_>, cfg: &TableConfig, dst: &Prefix) {
    match dst {
        Prefix::V4(p) => m.attr(RTA_DST, &p.addr().octets()),
        Prefix::V6(p) => m.attr(RTA_DST, &p.addr().octets()),
    }
    m.attr_u32(RTA_TABLE, cfg.table);
    m.attr_u32(RTA_PRIORITY, cfg.metric);
}

/// `RTA_GATEWAY` when the families match, `RTA_VIA` for IPv4 over IPv6.
fn gateway(m: &mut Message<'_>, dst: &Prefix, gw: IpAddr) {
    match (dst.is_ipv6(), gw) {
        (false, IpAddr::V6(v6)) => {
            let mut via = [0u8; 18];
            via[..2].copy_from_slice(&u16::from(AF_INET6).to_ne_bytes());
            via[2..].copy_from_slice(&v6.octets());
            m.attr(RTA_VIA, &via);
        }
        (_, gw) => m.attr_addr(RTA_GATEWAY, gw),
    }
}

/// Why `route` cannot go to the kernel, if it cannot: checked before
/// anything is written, so a refused route leaves no half message.
fn invalid(route: &Route) -> Option<Invalid> {
    if route.kind == RouteKind::Unicast && route.next_hops.is_empty() {
        return Some("a unicast route needs a next hop");
    }
    for nh in &route.next_hops {
        if nh.gateway.is_none() && nh.ifindex.is_none() {
            return Some("a next hop needs a gateway or an interface");
        }
        if !(1..=256).contains(&nh.weight) {
            return Some("next-hop weight must be 1 to 256");
        }
        if route.dst.is_ipv6() && nh.gateway.is_some_and(|g| g.is_ipv4()) {
            return Some("an IPv6 route cannot have an IPv4 gateway");
        }
    }
    None
}

/// Appends the `RTM_NEWROUTE` that installs `route` in `cfg`'s table.
/// With `nexthop`, the route names that nexthop object (which must be
/// its one next hop) instead of carrying the next hop itself. Nothing is
/// appended when the route cannot be expressed.
pub(crate) fn encode_route(
    buf: &mut Vec<u8>,
    cfg: &TableConfig,
    route: &Route,
    nexthop: Option<u32>,
    flags: u16,
    seq: u32,
) -> Result<(), Invalid> {
    let kind = match route.kind {
        RouteKind::Unicast => RTN_UNICAST,
        RouteKind::Blackhole => RTN_BLACKHOLE,
        RouteKind::Unreachable => RTN_UNREACHABLE,
        RouteKind::Prohibit => RTN_PROHIBIT,
        RouteKind::Other(_) => return Err("only unicast and reject routes can be installed"),
    };
    if let Some(why) = invalid(route) {
        return Err(why);
    }
    let hops = route.next_hops.as_slice();
    let unicast = route.kind == RouteKind::Unicast;
    let scope = if unicast && hops.iter().all(|nh| nh.gateway.is_none()) {
        RT_SCOPE_LINK
    } else {
        RT_SCOPE_UNIVERSE
    };
    let rtm_flags = match hops {
        [nh] if unicast && nh.onlink && nexthop.is_none() => RTNH_F_ONLINK,
        _ => 0,
    };
    let mut m = Message::begin(buf, RTM_NEWROUTE, flags, seq);
    rtmsg(&mut m, cfg, &route.dst, scope, kind, rtm_flags);
    route_key(&mut m, cfg, &route.dst);
    if let Some(src) = route.pref_src {
        m.attr_addr(RTA_PREFSRC, src);
    }
    match (unicast, nexthop, hops) {
        (false, ..) => {}
        (true, Some(id), _) => m.attr_u32(RTA_NH_ID, id),
        (true, None, [nh]) => {
            if let Some(gw) = nh.gateway {
                gateway(&mut m, &route.dst, gw);
            }
            if let Some(i) = nh.ifindex {
                m.attr_u32(RTA_OIF, i);
            }
        }
        (true, None, many) => {
            let nest = m.open(RTA_MULTIPATH);
            for nh in many {
                // struct rtnexthop: len, flags, hops (weight - 1), ifindex
                let mut rest = [0u8; 6];
                rest[0] = if nh.onlink { RTNH_F_ONLINK as u8 } else { 0 };
                rest[1] = u8::try_from(nh.weight - 1).unwrap_or(u8::MAX);
                rest[2..].copy_from_slice(&nh.ifindex.unwrap_or(0).to_ne_bytes());
                let hop = m.open_record(&rest);
                if let Some(gw) = nh.gateway {
                    gateway(&mut m, &route.dst, gw);
                }
                m.close(hop);
            }
            m.close(nest);
        }
    }
    m.finish();
    Ok(())
}

/// Appends the `RTM_DELROUTE` that removes our route for `dst`: protocol
/// and metric must match, so routes of other programs stay.
pub(crate) fn encode_delete(buf: &mut Vec<u8>, cfg: &TableConfig, dst: &Prefix, seq: u32) {
    let mut m = Message::begin(buf, RTM_DELROUTE, NLM_F_REQUEST, seq);
    rtmsg(&mut m, cfg, dst, RT_SCOPE_NOWHERE, RTN_UNSPEC, 0);
    route_key(&mut m, cfg, dst);
    m.finish();
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
    let mut nh_id = None;
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
            RouteAttribute::NhId(id) => nh_id = Some(*id),
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
        nh_id,
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
#[allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::panic)]
mod tests {
    use super::*;

    const CFG: TableConfig = TableConfig {
        table: 1000,
        protocol: 186,
        metric: 7,
        nexthop_objects: true,
    };

    /// Our encoding read back by netlink-packet-route's decoder.
    fn parsed(buf: &[u8]) -> RouteMessage {
        let f = crate::netlink::frames(buf).next().unwrap();
        assert_eq!(f.payload.len() + 16, buf.len(), "one message, padded");
        match f.parse().unwrap() {
            netlink_packet_route::RouteNetlinkMessage::NewRoute(m)
            | netlink_packet_route::RouteNetlinkMessage::DelRoute(m) => m,
            other => panic!("not a route: {other:?}"),
        }
    }

    fn round_trip(r: &Route) -> KernelRoute {
        let mut buf = Vec::new();
        encode_route(&mut buf, &CFG, r, None, 0, 1).unwrap();
        decode_route(&parsed(&buf)).unwrap()
    }

    #[test]
    fn a_nexthop_object_replaces_the_next_hop() {
        let r = Route::unicast(
            "198.19.0.0/24".parse().unwrap(),
            vec![NextHop {
                onlink: true,
                ..NextHop::via_dev("198.18.0.2".parse().unwrap(), 4)
            }],
        );
        let mut buf = Vec::new();
        encode_route(&mut buf, &CFG, &r, Some(77), 0, 1).unwrap();
        let m = parsed(&buf);
        assert!(m.attributes.contains(&RouteAttribute::NhId(77)));
        assert!(
            !m.header.flags.contains(RouteFlags::Onlink),
            "the object says onlink"
        );
        let k = decode_route(&m).unwrap();
        assert_eq!((k.nh_id, k.route.next_hops.len()), (Some(77), 0));
    }

    #[test]
    fn a_delete_names_only_our_route() {
        let mut buf = Vec::new();
        let dst: Prefix = "2001:db8:7::/48".parse().unwrap();
        encode_delete(&mut buf, &CFG, &dst, 9);
        let k = decode_route(&parsed(&buf)).unwrap();
        assert_eq!(k.route.dst, dst);
        assert_eq!((k.table, k.protocol, k.metric), (1000, 186, 7));
        assert!(k.route.next_hops.is_empty());
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
        let mut buf = Vec::new();
        for r in &bad {
            assert!(
                encode_route(&mut buf, &cfg, r, None, 0, 1).is_err(),
                "{r:?}"
            );
        }
        assert!(buf.is_empty(), "a refused route leaves nothing behind");
    }

    #[test]
    fn handles_can_move_between_tasks() {
        fn send<T: Send>() {}
        send::<crate::KernelTable>();
        send::<crate::Interfaces>();
        send::<crate::EventStream>();
    }
}
