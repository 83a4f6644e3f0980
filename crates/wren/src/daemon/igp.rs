//! Next-hop resolution: how a BGP next hop becomes a gateway the kernel
//! accepts. A next hop on a connected network is used as it is (BIRD's
//! `gateway direct`); one further away is looked up in the kernel table
//! and the route takes the gateway of the route that covers it (BIRD's
//! `gateway recursive`, zebra's next-hop tracking). A next hop nothing
//! covers, or one covered by a blackhole, is unresolvable: the route stays
//! out of the kernel until that changes.
//!
//! The "IGP table" is the kernel table we install into, minus our own
//! routes: connected prefixes (protocol `kernel`), static routes an admin
//! added, routes of other daemons. It is kept current from netlink events,
//! so a default route that appears or an interface that goes down changes
//! the resolution of every route at once.

use std::cell::RefCell;
use std::collections::HashMap;
use std::net::IpAddr;
use wren_linux::{NextHop, Route, RouteKind};
use wren_wire::Prefix;

/// A next hop and the interface it was learned on (for link-local ones).
type Query = (IpAddr, Option<u32>);

/// The routes next hops resolve through, and a cache of answers.
#[derive(Debug, Default)]
pub struct Igp {
    /// Other programs' routes in the table, with their metrics.
    routes: Vec<(Route, u32)>,
    /// Resolved next hops, cleared whenever `routes` changes: a full
    /// table usually has a handful of distinct next hops.
    cache: RefCell<HashMap<Query, Option<NextHop>>>,
}

impl Igp {
    /// A route appeared (`add`) or went; whether the answer for a next
    /// hop asked about so far changed (then routes must be written anew).
    /// A route no next hop resolves through, say a pod's /32 that `learn`
    /// sees come and go, changes nothing.
    pub fn update(&mut self, route: Route, metric: u32, add: bool) -> bool {
        let at = self
            .routes
            .iter()
            .position(|(r, m)| *m == metric && same_place(r, &route));
        let changed = match (at, add) {
            (Some(i), true) => match self.routes.get_mut(i) {
                Some(slot) if slot.0 != route => {
                    slot.0 = route;
                    true
                }
                _ => false,
            },
            (None, true) => {
                self.routes.push((route, metric));
                true
            }
            (Some(i), false) => {
                self.routes.swap_remove(i);
                true
            }
            (None, false) => false,
        };
        if !changed {
            return false;
        }
        let mut cache = std::mem::take(self.cache.get_mut());
        let mut moved = false;
        for ((gw, dev), answer) in cache.iter_mut() {
            let now = self.lookup(*gw, *dev);
            if *answer != now {
                *answer = now;
                moved = true;
            }
        }
        *self.cache.get_mut() = cache;
        moved
    }

    /// Whether a next hop resolved so far leaves through interface `index`.
    pub fn uses_interface(&self, index: u32) -> bool {
        self.cache
            .borrow()
            .values()
            .flatten()
            .any(|h| h.ifindex == Some(index))
    }

    /// How many routes the table holds.
    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.routes.len()
    }

    /// The kernel next hop for BGP next hop `gw`; `dev` names the
    /// interface when the next hop is link-local (an unnumbered session's).
    pub fn resolve(&self, gw: IpAddr, dev: Option<u32>) -> Option<NextHop> {
        if let Some(hit) = self.cache.borrow().get(&(gw, dev)) {
            return hit.clone();
        }
        let answer = self.lookup(gw, dev);
        self.cache.borrow_mut().insert((gw, dev), answer.clone());
        answer
    }

    fn lookup(&self, gw: IpAddr, dev: Option<u32>) -> Option<NextHop> {
        if let (IpAddr::V6(a), Some(i)) = (gw, dev) {
            if wren_core::export::is_link_local(&a) {
                // Link-local: only meaningful on its interface.
                return Some(NextHop::via_dev(gw, i));
            }
        }
        // Longest prefix first, then the lowest metric (what the kernel
        // itself would forward through).
        let (best, _) = self
            .routes
            .iter()
            .filter(|(r, _)| covers(&r.dst, gw))
            .min_by_key(|(r, m)| (std::cmp::Reverse(r.dst.len()), *m))?;
        if best.kind != RouteKind::Unicast {
            return None;
        }
        let hop = best.next_hops.first()?;
        match (hop.gateway, hop.ifindex) {
            // Covered by a route through a gateway: recursive.
            (Some(g), Some(i)) => Some(NextHop::via_dev(g, i)),
            (Some(g), None) => Some(NextHop::via(g)),
            // A device route: the next hop is on that link.
            (None, Some(i)) => Some(NextHop::via_dev(gw, i)),
            (None, None) => None,
        }
    }
}

/// The same kernel route slot: destination and first interface (IPv6
/// link-local prefixes repeat on every interface).
fn same_place(a: &Route, b: &Route) -> bool {
    let dev = |r: &Route| r.next_hops.first().and_then(|h| h.ifindex);
    a.dst == b.dst && dev(a) == dev(b)
}

/// Whether `a` is on the network of interface address `own`/`len`.
pub fn on_network(own: IpAddr, len: u8, a: IpAddr) -> bool {
    network_of(own, len).is_some_and(|n| covers(&n, a))
}

/// The network an interface address of prefix length `len` sits on.
pub fn network_of(own: IpAddr, len: u8) -> Option<Prefix> {
    match own {
        IpAddr::V4(v4) => wren_wire::Ipv4Prefix::new(v4, len).map(Prefix::V4),
        IpAddr::V6(v6) => wren_wire::Ipv6Prefix::new(v6, len).map(Prefix::V6),
    }
}

/// Whether `p` contains `a`.
fn covers(p: &Prefix, a: IpAddr) -> bool {
    match (p, a) {
        (Prefix::V4(p), IpAddr::V4(a)) => {
            let len = u32::from(p.len());
            let mask = if len == 0 { 0 } else { u32::MAX << (32 - len) };
            u32::from(a) & mask == u32::from(p.addr()) & mask
        }
        (Prefix::V6(p), IpAddr::V6(a)) => {
            let len = u32::from(p.len());
            let mask = if len == 0 {
                0
            } else {
                u128::MAX << (128 - len)
            };
            u128::from(a) & mask == u128::from(p.addr()) & mask
        }
        _ => false,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn route(dst: &str, gw: Option<&str>, dev: Option<u32>) -> Route {
        let mut r = Route::unicast(
            dst.parse().unwrap(),
            vec![NextHop {
                gateway: gw.map(|g| g.parse().unwrap()),
                ifindex: dev,
                weight: 1,
                onlink: false,
            }],
        );
        r.pref_src = None;
        r
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn connected_next_hop_is_used_as_it_is() {
        let mut igp = Igp::default();
        igp.update(route("10.0.2.0/24", None, Some(3)), 0, true);
        assert_eq!(
            igp.resolve(ip("10.0.2.7"), None),
            Some(NextHop::via_dev(ip("10.0.2.7"), 3))
        );
    }

    #[test]
    fn far_next_hop_takes_the_covering_routes_gateway() {
        let mut igp = Igp::default();
        igp.update(route("10.0.2.0/24", None, Some(3)), 0, true);
        igp.update(route("0.0.0.0/0", Some("10.0.2.1"), Some(3)), 0, true);
        assert_eq!(
            igp.resolve(ip("10.0.0.1"), None),
            Some(NextHop::via_dev(ip("10.0.2.1"), 3))
        );
    }

    #[test]
    fn longest_prefix_then_lowest_metric_wins() {
        let mut igp = Igp::default();
        igp.update(route("0.0.0.0/0", Some("10.0.2.1"), Some(3)), 0, true);
        igp.update(route("10.0.0.0/8", Some("10.0.2.9"), Some(3)), 100, true);
        igp.update(route("10.0.0.0/8", Some("10.0.2.8"), Some(3)), 20, true);
        assert_eq!(
            igp.resolve(ip("10.0.0.1"), None),
            Some(NextHop::via_dev(ip("10.0.2.8"), 3))
        );
    }

    #[test]
    fn nothing_covering_or_a_blackhole_is_unresolvable() {
        let mut igp = Igp::default();
        assert_eq!(igp.resolve(ip("10.0.0.1"), None), None);
        igp.update(
            Route::reject("10.0.0.0/8".parse().unwrap(), RouteKind::Blackhole),
            0,
            true,
        );
        assert_eq!(igp.resolve(ip("10.0.0.1"), None), None);
    }

    #[test]
    fn a_route_going_away_changes_the_answer() {
        let mut igp = Igp::default();
        let default = route("0.0.0.0/0", Some("10.0.2.1"), Some(3));
        assert_eq!(igp.resolve(ip("10.0.0.1"), None), None);
        assert!(
            igp.update(default.clone(), 0, true),
            "unresolvable, now resolved"
        );
        assert!(igp.resolve(ip("10.0.0.1"), None).is_some());
        assert!(!igp.update(default.clone(), 0, true));
        assert!(igp.update(default, 0, false));
        assert_eq!(igp.resolve(ip("10.0.0.1"), None), None);
        assert_eq!(igp.len(), 0);
    }

    #[test]
    fn routes_no_next_hop_uses_change_nothing() {
        let mut igp = Igp::default();
        igp.update(route("0.0.0.0/0", Some("10.0.2.1"), Some(3)), 0, true);
        assert!(igp.resolve(ip("10.0.0.1"), None).is_some());
        // A pod's /32 on a cali veth: not on the way to 10.0.0.1.
        assert!(!igp.update(route("10.244.1.5/32", None, Some(9)), 0, true));
        assert!(!igp.update(route("10.244.1.5/32", None, Some(9)), 0, false));
        // A more specific route towards the next hop does change it.
        assert!(igp.update(route("10.0.0.0/24", Some("10.0.2.9"), Some(3)), 0, true));
        assert_eq!(
            igp.resolve(ip("10.0.0.1"), None),
            Some(NextHop::via_dev(ip("10.0.2.9"), 3))
        );
    }

    #[test]
    fn link_local_next_hops_need_their_interface() {
        let mut igp = Igp::default();
        igp.update(route("fe80::/64", None, Some(2)), 256, true);
        igp.update(route("fe80::/64", None, Some(3)), 256, true);
        assert_eq!(igp.len(), 2);
        assert_eq!(
            igp.resolve(ip("fe80::1"), Some(3)),
            Some(NextHop::via_dev(ip("fe80::1"), 3))
        );
    }
}
