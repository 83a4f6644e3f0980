//! Nexthop objects (`RTM_NEWNEXTHOP`, Linux 5.3 on): one kernel object
//! per way out, which every route through it names by id.
//!
//! Why: a route that carries its own gateway makes the kernel build a
//! `fib_info` with its next hop (a per-CPU allocation among other things),
//! find the identical one it already has, and free the new one through
//! RCU, for every route. A route naming an object skips all of that. In
//! `fib_load`, a million /24s installed in scatter order took 2.2 CPU s
//! instead of 3.0–3.3 s. FRR's zebra uses them for the same reason.
//!
//! What changes for the operator: `ip route` shows `nhid N` before the
//! gateway, and the kernel treats the objects its own way:
//! - an object cannot be made on an interface without carrier; such
//!   routes carry their next hop as before ([`Registry`] only holds what
//!   the kernel accepted);
//! - when an interface loses its carrier or goes down, the kernel deletes
//!   its objects and every route that names them, without a notification.
//!   The daemon therefore re-reads the table when an interface it routes
//!   through changes state, and [`crate::KernelTable::reconcile`] forgets
//!   objects that are gone.
//!
//! Only routes with one next hop whose interface is known use objects
//! (the kernel wants the device of an object). ECMP routes still carry
//! their `RTA_MULTIPATH`; nexthop groups would be the next step.

use std::collections::HashMap;
use std::net::IpAddr;

use crate::nlmsg::{as_addr, as_u32, attrs, Message};
use crate::routes::{NextHop, Route, RouteKind, AF_INET, AF_INET6, RTNH_F_ONLINK};

/// Message types.
pub(crate) const RTM_NEWNEXTHOP: u16 = 104;
const RTM_DELNEXTHOP: u16 = 105;
pub(crate) const RTM_GETNEXTHOP: u16 = 106;
/// Attributes.
const NHA_ID: u16 = 1;
const NHA_GROUP: u16 = 2;
const NHA_BLACKHOLE: u16 = 4;
const NHA_OIF: u16 = 5;
const NHA_GATEWAY: u16 = 6;
/// Length of `struct nhmsg`.
const NHMSG_LEN: usize = 8;

/// Where object ids start. Ids are shared by everyone in the namespace;
/// an id someone else holds is skipped (`EEXIST`).
const FIRST_ID: u32 = 0x5752_0000;

/// What makes two next hops the same object.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct NexthopKey {
    /// The gateway; none for a device next hop.
    pub gateway: Option<IpAddr>,
    /// The interface: objects need one.
    pub ifindex: u32,
    /// `onlink`.
    pub onlink: bool,
    /// Family of the object: the gateway's, else the route's (an IPv6
    /// route cannot use an IPv4 object).
    pub ipv6: bool,
}

impl NexthopKey {
    /// The object `route` could use instead of its own next hop.
    pub(crate) fn of(route: &Route) -> Option<Self> {
        match (route.kind, route.next_hops.as_slice()) {
            (RouteKind::Unicast, [nh]) => Some(NexthopKey {
                gateway: nh.gateway,
                ifindex: nh.ifindex?,
                onlink: nh.onlink,
                ipv6: nh.gateway.map_or(route.dst.is_ipv6(), |g| g.is_ipv6()),
            }),
            _ => None,
        }
    }

    /// The next hop this object stands for.
    pub(crate) fn next_hop(&self) -> NextHop {
        NextHop {
            gateway: self.gateway,
            ifindex: Some(self.ifindex),
            weight: 1,
            onlink: self.onlink,
        }
    }
}

/// Appends the `RTM_NEWNEXTHOP` creating object `id` for `key`, marked
/// with our `protocol`. Exclusive: an id in use fails with `EEXIST`.
pub(crate) fn encode_new(buf: &mut Vec<u8>, key: &NexthopKey, id: u32, protocol: u8, seq: u32) {
    use netlink_packet_core::{NLM_F_CREATE, NLM_F_EXCL, NLM_F_REQUEST};
    let flags = NLM_F_REQUEST | NLM_F_CREATE | NLM_F_EXCL;
    let mut m = Message::begin(buf, RTM_NEWNEXTHOP, flags, seq);
    nhmsg(
        &mut m,
        if key.ipv6 { AF_INET6 } else { AF_INET },
        protocol,
        key.onlink,
    );
    m.attr_u32(NHA_ID, id);
    m.attr_u32(NHA_OIF, key.ifindex);
    if let Some(gw) = key.gateway {
        m.attr_addr(NHA_GATEWAY, gw);
    }
    m.finish();
}

/// Appends the `RTM_DELNEXTHOP` for object `id`.
pub(crate) fn encode_delete(buf: &mut Vec<u8>, id: u32, seq: u32) {
    let mut m = Message::begin(buf, RTM_DELNEXTHOP, netlink_packet_core::NLM_F_REQUEST, seq);
    nhmsg(&mut m, 0, 0, false);
    m.attr_u32(NHA_ID, id);
    m.finish();
}

/// Appends the dump request for every object.
pub(crate) fn encode_dump(buf: &mut Vec<u8>, seq: u32) {
    use netlink_packet_core::{NLM_F_DUMP, NLM_F_REQUEST};
    let mut m = Message::begin(buf, RTM_GETNEXTHOP, NLM_F_REQUEST | NLM_F_DUMP, seq);
    nhmsg(&mut m, 0, 0, false);
    m.finish();
}

/// `struct nhmsg`: family, scope, protocol, reserved, flags.
fn nhmsg(m: &mut Message<'_>, family: u8, protocol: u8, onlink: bool) {
    let flags = if onlink { RTNH_F_ONLINK } else { 0 };
    let [f0, f1, f2, f3] = flags.to_ne_bytes();
    m.put(&[family, 0, protocol, 0, f0, f1, f2, f3]);
}

/// An object as a dump shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct KernelNexthop {
    pub id: u32,
    /// Who made it.
    pub protocol: u8,
    /// What it stands for, when it is a plain next hop (not a group, not a
    /// blackhole).
    pub key: Option<NexthopKey>,
}

/// Reads one `RTM_NEWNEXTHOP` payload.
pub(crate) fn decode(payload: &[u8]) -> Option<KernelNexthop> {
    let head = payload.get(..NHMSG_LEN)?;
    let (family, protocol) = (*head.first()?, *head.get(2)?);
    let flags = as_u32(head.get(4..8)?)?;
    let (mut id, mut ifindex, mut gateway, mut plain) = (None, None, None, true);
    for (kind, value) in attrs(payload.get(NHMSG_LEN..)?) {
        match kind {
            NHA_ID => id = as_u32(value),
            NHA_OIF => ifindex = as_u32(value),
            NHA_GATEWAY => gateway = as_addr(value),
            NHA_GROUP | NHA_BLACKHOLE => plain = false,
            _ => {}
        }
    }
    let key = match (plain, ifindex) {
        (true, Some(ifindex)) => Some(NexthopKey {
            gateway,
            ifindex,
            onlink: flags & RTNH_F_ONLINK != 0,
            ipv6: family == AF_INET6,
        }),
        _ => None,
    };
    Some(KernelNexthop {
        id: id?,
        protocol,
        key,
    })
}

/// The objects we made, by what they stand for.
#[derive(Debug, Default)]
pub(crate) struct Registry {
    ids: HashMap<NexthopKey, u32>,
    /// The last key looked up: a full table has a handful of next hops,
    /// and runs of routes share one.
    last: Option<(NexthopKey, u32)>,
    next_id: u32,
    /// The kernel does not know nexthop objects (before 5.3).
    pub unsupported: bool,
}

impl Registry {
    /// The object for `key`, if the kernel holds one of ours.
    pub(crate) fn get(&mut self, key: &NexthopKey) -> Option<u32> {
        if let Some((k, id)) = self.last {
            if k == *key {
                return Some(id);
            }
        }
        let id = *self.ids.get(key)?;
        self.last = Some((*key, id));
        Some(id)
    }

    /// The next id to try for a new object.
    pub(crate) fn fresh_id(&mut self) -> u32 {
        if self.next_id < FIRST_ID {
            self.next_id = FIRST_ID;
        }
        let id = self.next_id;
        self.next_id = self.next_id.checked_add(1).unwrap_or(FIRST_ID);
        id
    }

    /// Records that object `id` stands for `key`.
    pub(crate) fn insert(&mut self, key: NexthopKey, id: u32) {
        self.ids.insert(key, id);
        self.last = None;
    }

    /// Forgets the object for `key` (the kernel dropped it, or a route
    /// naming it was refused).
    pub(crate) fn forget(&mut self, key: &NexthopKey) {
        self.ids.remove(key);
        self.last = None;
    }

    /// Keeps only the objects `keep` approves of.
    pub(crate) fn retain(&mut self, mut keep: impl FnMut(&NexthopKey, u32) -> bool) {
        self.ids.retain(|k, id| keep(k, *id));
        self.last = None;
    }

    /// The key of object `id`, if it is one of ours.
    pub(crate) fn key_of(&self, id: u32) -> Option<NexthopKey> {
        self.ids.iter().find(|(_, i)| **i == id).map(|(k, _)| *k)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::panic)]
mod tests {
    use super::*;
    use crate::netlink::frames;

    fn key(gw: &str, ifindex: u32) -> NexthopKey {
        let gateway: IpAddr = gw.parse().unwrap();
        NexthopKey {
            gateway: Some(gateway),
            ifindex,
            onlink: true,
            ipv6: gateway.is_ipv6(),
        }
    }

    #[test]
    fn a_created_object_reads_back_as_its_key() {
        for k in [key("198.18.0.2", 3), key("fe80::1", 4)] {
            let mut buf = Vec::new();
            encode_new(&mut buf, &k, 0x5752_0007, 186, 1);
            let f = frames(&buf).next().unwrap();
            assert_eq!(f.kind, RTM_NEWNEXTHOP);
            let got = decode(f.payload).unwrap();
            assert_eq!(
                got,
                KernelNexthop {
                    id: 0x5752_0007,
                    protocol: 186,
                    key: Some(k)
                }
            );
        }
    }

    #[test]
    fn only_single_next_hops_with_an_interface_have_a_key() {
        let dst = "198.19.0.0/24".parse().unwrap();
        let gw: IpAddr = "198.18.0.2".parse().unwrap();
        assert!(NexthopKey::of(&Route::unicast(dst, vec![NextHop::via(gw)])).is_none());
        assert!(NexthopKey::of(&Route::reject(dst, RouteKind::Blackhole)).is_none());
        let two = vec![NextHop::via_dev(gw, 1), NextHop::via_dev(gw, 2)];
        assert!(NexthopKey::of(&Route::unicast(dst, two)).is_none());
        let k = NexthopKey::of(&Route::unicast(dst, vec![NextHop::via_dev(gw, 5)])).unwrap();
        assert_eq!(k.next_hop(), NextHop::via_dev(gw, 5));
        // A device next hop takes the route's family.
        let v6 = "2001:db8::/64".parse().unwrap();
        assert!(
            NexthopKey::of(&Route::unicast(v6, vec![NextHop::dev(5)]))
                .unwrap()
                .ipv6
        );
        // IPv4 over an IPv6 gateway (RFC 8950): an IPv6 object.
        let ll: IpAddr = "fe80::1".parse().unwrap();
        assert!(
            NexthopKey::of(&Route::unicast(dst, vec![NextHop::via_dev(ll, 5)]))
                .unwrap()
                .ipv6
        );
    }

    #[test]
    fn groups_and_blackholes_have_no_key() {
        let mut buf = Vec::new();
        let mut m = Message::begin(&mut buf, RTM_NEWNEXTHOP, 0, 0);
        nhmsg(&mut m, 0, 186, false);
        m.attr_u32(NHA_ID, 9);
        m.attr(NHA_BLACKHOLE, &[]);
        m.finish();
        let got = decode(frames(&buf).next().unwrap().payload).unwrap();
        assert_eq!((got.id, got.key), (9, None));
        assert!(decode(&[0; 4]).is_none(), "shorter than nhmsg");
    }

    #[test]
    fn the_registry_answers_from_its_last_hit_and_forgets() {
        let mut r = Registry::default();
        let (a, b) = (key("198.18.0.2", 3), key("198.18.0.3", 3));
        let (ia, ib) = (r.fresh_id(), r.fresh_id());
        assert_eq!((ia, ib), (FIRST_ID, FIRST_ID + 1));
        r.insert(a, ia);
        r.insert(b, ib);
        assert_eq!(
            (r.get(&a), r.get(&a), r.get(&b)),
            (Some(ia), Some(ia), Some(ib))
        );
        r.forget(&b);
        assert_eq!(r.get(&b), None, "not answered from the last hit");
        assert_eq!(r.key_of(ia), Some(a));
        r.retain(|_, id| id != ia);
        assert_eq!(r.get(&a), None);
    }
}
