//! What the announcer sends a peer as the table changes: packed
//! announcements, and withdrawals only for routes that peer was sent.
#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::panic,
    missing_docs
)]

use std::net::{IpAddr, Ipv4Addr};
use wren_core::announce::{tx_path_id, Announcer, Built};
use wren_core::export::{ExportTarget, NextHopMode};
use wren_core::policy::AcceptAll;
use wren_core::rib::*;
use wren_wire::attributes::{AsPath, Origin, PathAttributes};
use wren_wire::prefix::Ipv4Prefix;
use wren_wire::update::NextHop;
use wren_wire::{Negotiated, Prefix};

fn ebgp_peer(sources: &mut Sources, asn: u32, id: u8) -> (SourceId, ExportTarget) {
    let src = sources.add(SourceInfo {
        name: format!("peer{id}"),
        kind: SourceKind::Bgp(BgpSource {
            peer_as: asn,
            local_as: 65000,
            router_id: Ipv4Addr::new(10, 0, 0, id),
            address: IpAddr::V4(Ipv4Addr::new(198, 18, 0, id)),
            rr_client: false,
        }),
        preference: 100,
    });
    let target = ExportTarget {
        source: src,
        local_as: 65000,
        peer_as: asn,
        cluster_id: None,
        router_id: Ipv4Addr::new(10, 0, 0, 100),
        rr_client: false,
        next_hop_mode: NextHopMode::Default,
        local_v4: Some(Ipv4Addr::new(198, 18, 0, 100)),
        local_v6: None,
        local_v6_link_local: None,
        ext_next_hop_v4: false,
        replace_peer_as: false,
        shared: [None, None],
        peer_addr: None,
    };
    (src, target)
}

fn v4(i: u32) -> Prefix {
    Prefix::V4(Ipv4Prefix::new(Ipv4Addr::from(0x0a00_0000 + (i << 8)), 24).unwrap())
}

fn path_from(src: SourceId, asn: u32) -> Path {
    let a = PathAttributes {
        origin: Some(Origin::Igp),
        as_path: Some(AsPath::sequence(&[asn])),
        ..PathAttributes::default()
    };
    Path::new(
        src,
        0,
        wren_core::rib::Attrs::new(a),
        Some(NextHop::V4(Ipv4Addr::new(198, 18, 0, 1))),
    )
}

struct Lab {
    sources: Sources,
    table: Table,
    store: AttrStore,
    announcer: Announcer,
    a: (SourceId, ExportTarget),
    b: (SourceId, ExportTarget),
}

impl Lab {
    fn new() -> Lab {
        let mut sources = Sources::default();
        let a = ebgp_peer(&mut sources, 65001, 1);
        let b = ebgp_peer(&mut sources, 65002, 2);
        Lab {
            sources,
            table: Table::new(),
            store: AttrStore::default(),
            announcer: Announcer::default(),
            a,
            b,
        }
    }

    /// Takes the table's changes and builds the UPDATEs for A and for B.
    fn export(&mut self) -> (Built, Built) {
        let mut changes = Vec::new();
        self.table.take_changes(&mut changes);
        let neg = Negotiated {
            four_octet_as: true,
            ..Negotiated::default()
        };
        let mut out = Vec::new();
        let mut run = |t: &ExportTarget, out: &mut Vec<u8>| {
            self.announcer.build(
                &changes,
                &self.sources,
                t,
                &AcceptAll,
                &neg,
                &mut self.store,
                out,
            )
        };
        let a = run(&self.a.1, &mut out);
        let b = run(&self.b.1, &mut out);
        (a, b)
    }
}

#[test]
fn routes_from_a_go_to_b_packed_and_never_back_to_a() {
    let mut lab = Lab::new();
    let src = lab.a.0;
    for i in 0..1000 {
        lab.table.update(v4(i), path_from(src, 65001), &lab.sources);
    }
    let (to_a, to_b) = lab.export();
    assert_eq!(to_a, Built::default(), "nothing goes back to the source");
    assert_eq!(to_b.announced, 1000);
    assert_eq!(to_b.withdrawn, 0);
    // 1000 /24s share one attribute set: 4 octets each, a few messages.
    assert!(to_b.messages <= 2, "{to_b:?}");
}

#[test]
fn withdrawals_go_only_where_the_route_was_sent() {
    let mut lab = Lab::new();
    let src = lab.a.0;
    for i in 0..10 {
        lab.table.update(v4(i), path_from(src, 65001), &lab.sources);
    }
    lab.export();
    for i in 0..10 {
        lab.table.withdraw(v4(i), src, 0, &lab.sources);
    }
    let (to_a, to_b) = lab.export();
    assert_eq!(to_a, Built::default(), "A never had these routes from us");
    assert_eq!((to_b.announced, to_b.withdrawn), (0, 10));
    assert!(lab.table.is_empty());
}

#[test]
fn a_route_that_arrives_and_leaves_between_exports_is_not_sent() {
    let mut lab = Lab::new();
    let src = lab.a.0;
    lab.table.update(v4(1), path_from(src, 65001), &lab.sources);
    lab.table.withdraw(v4(1), src, 0, &lab.sources);
    let (to_a, to_b) = lab.export();
    assert_eq!((to_a, to_b), (Built::default(), Built::default()));
}

#[test]
fn best_moving_to_the_peer_itself_withdraws_there_and_announces_elsewhere() {
    let mut lab = Lab::new();
    let (sa, sb) = (lab.a.0, lab.b.0);
    // A's path first: B gets it.
    lab.table.update(v4(1), path_from(sa, 65001), &lab.sources);
    let (_, to_b) = lab.export();
    assert_eq!(to_b.announced, 1);
    // B offers its own path and A's goes away: B's is now the best.
    lab.table.update(v4(1), path_from(sb, 65002), &lab.sources);
    lab.table.withdraw(v4(1), sa, 0, &lab.sources);
    let (to_a, to_b) = lab.export();
    // A gets B's route; B must lose the one it was sent (A's), since its
    // own path is now best and never goes back to it.
    assert_eq!((to_a.announced, to_a.withdrawn), (1, 0));
    assert_eq!((to_b.announced, to_b.withdrawn), (0, 1));
}

/// An iBGP route-reflector client with `router id`/`address` `id`.
fn client(sources: &mut Sources, id: u8) -> (SourceId, ExportTarget) {
    let src = sources.add(SourceInfo {
        name: format!("client{id}"),
        kind: SourceKind::Bgp(BgpSource {
            peer_as: 65000,
            local_as: 65000,
            router_id: Ipv4Addr::new(10, 0, 0, id),
            address: IpAddr::V4(Ipv4Addr::new(198, 18, 0, id)),
            rr_client: true,
        }),
        preference: 100,
    });
    let target = ExportTarget {
        source: src,
        local_as: 65000,
        peer_as: 65000,
        cluster_id: Some(Ipv4Addr::new(10, 0, 0, 100)),
        router_id: Ipv4Addr::new(10, 0, 0, 100),
        rr_client: true,
        next_hop_mode: NextHopMode::Default,
        local_v4: Some(Ipv4Addr::new(198, 18, 0, 100)),
        local_v6: None,
        local_v6_link_local: None,
        ext_next_hop_v4: false,
        replace_peer_as: false,
        shared: [None, None],
        peer_addr: None,
    };
    (src, target)
}

/// A route as an ADD-PATH receiver names it.
type Named = (Prefix, Option<u32>);

/// (announced, withdrawn) routes in `out`, read as an ADD-PATH receiver.
fn read_add_path(out: &[u8]) -> (Vec<Named>, Vec<Named>) {
    let mut neg = Negotiated {
        four_octet_as: true,
        ibgp: true,
        ..Negotiated::default()
    };
    neg.add_path_rx.insert(wren_wire::Family::Ipv4Unicast);
    let (mut ann, mut wd) = (Vec::new(), Vec::new());
    let mut rest = out;
    while let Some(n) = wren_wire::header::frame(rest, 4096).unwrap() {
        let u = wren_wire::update::decode_update(&rest[19..n], &neg).unwrap();
        ann.extend(u.announced().map(|(_, n)| (n.prefix, n.path_id)));
        wd.extend(u.withdrawn().map(|(_, n)| (n.prefix, n.path_id)));
        rest = &rest[n..];
    }
    (ann, wd)
}

#[test]
fn add_path_send_offers_every_path_and_withdraws_by_id() {
    let mut sources = Sources::default();
    let (a, _) = client(&mut sources, 1);
    let (b, _) = client(&mut sources, 2);
    let (_, to_c) = client(&mut sources, 3);
    let mut table = Table::new();
    table.keep_all_paths(true);
    let mut store = AttrStore::default();
    let mut announcer = Announcer::default();
    let mut neg = Negotiated {
        four_octet_as: true,
        ibgp: true,
        ..Negotiated::default()
    };
    neg.add_path_tx.insert(wren_wire::Family::Ipv4Unicast);
    let p = v4(7);
    let ibgp_path = |src| {
        let a = PathAttributes {
            origin: Some(Origin::Igp),
            as_path: Some(AsPath::sequence(&[])),
            local_pref: Some(100),
            ..PathAttributes::default()
        };
        Path::new(
            src,
            0,
            wren_core::rib::Attrs::new(a),
            Some(NextHop::V4(Ipv4Addr::new(198, 18, 0, 50))),
        )
    };
    let mut export = |table: &mut Table| {
        let (mut changes, mut old) = (Vec::new(), Vec::new());
        table.take_changes(&mut changes);
        table.take_old_paths(&mut old);
        let mut out = Vec::new();
        announcer.build_all_paths(
            &changes, &old, table, &sources, &to_c, &AcceptAll, &neg, &mut store, &mut out,
        );
        read_add_path(&out)
    };

    table.update(p, ibgp_path(a), &sources);
    table.update(p, ibgp_path(b), &sources);
    let (ann, wd) = export(&mut table);
    assert_eq!(ann.len(), 2, "both clients' paths: {ann:?}");
    assert_ne!(ann[0].1, ann[1].1, "distinct path ids");
    assert!(ann.iter().all(|(x, id)| *x == p && id.is_some()));
    assert!(wd.is_empty());

    // A's path goes: only its id is withdrawn; B's is not re-sent.
    table.withdraw(p, a, 0, &sources);
    let (ann2, wd2) = export(&mut table);
    assert!(ann2.is_empty(), "{ann2:?}");
    let a_id = ann
        .iter()
        .find(|(_, id)| *id == Some(tx_path_id(&ibgp_path(a))));
    assert_eq!(wd2, vec![*a_id.unwrap()]);

    // And the last one.
    table.withdraw(p, b, 0, &sources);
    let (ann3, wd3) = export(&mut table);
    assert!(ann3.is_empty());
    assert_eq!(wd3.len(), 1);
}

/// A route learned over an unnumbered eBGP session carries the peer's
/// link-local address as next hop. Passed on over iBGP (next hop kept by
/// default) to an IPv4 peer without RFC 8950, that address means nothing:
/// we become the next hop. A peer with RFC 8950 on the same rules still
/// gets ours, because a link-local address is valid on its own link only.
#[test]
fn link_local_next_hops_are_replaced_by_ours() {
    use std::net::Ipv6Addr;
    use wren_core::export::export_route;
    use wren_wire::Family;
    let mut sources = Sources::default();
    let (from, _) = ebgp_peer(&mut sources, 65001, 1);
    let ll: Ipv6Addr = "fe80::1".parse().unwrap();
    let path = Path::new(
        from,
        0,
        wren_core::rib::Attrs::new(PathAttributes {
            origin: Some(Origin::Igp),
            as_path: Some(AsPath::sequence(&[65001])),
            ..PathAttributes::default()
        }),
        Some(NextHop::V6 {
            global: ll,
            link_local: Some(ll),
        }),
    );
    let (_, mut ibgp) = ebgp_peer(&mut sources, 65000, 2);
    let src = sources.get(from).unwrap();
    let (_, nh) = export_route(&path, src, &ibgp, Family::Ipv4Unicast).unwrap();
    assert_eq!(nh, NextHop::V4(Ipv4Addr::new(198, 18, 0, 100)));
    ibgp.ext_next_hop_v4 = true;
    let (_, nh) = export_route(&path, src, &ibgp, Family::Ipv4Unicast).unwrap();
    assert_eq!(nh, NextHop::V4(Ipv4Addr::new(198, 18, 0, 100)));
    // A global IPv6 next hop is kept where RFC 8950 allows it.
    let global: Ipv6Addr = "2001:db8::1".parse().unwrap();
    let path = Path::new(
        from,
        0,
        path.attrs.clone(),
        Some(NextHop::V6 {
            global,
            link_local: None,
        }),
    );
    let (_, nh) = export_route(&path, src, &ibgp, Family::Ipv4Unicast).unwrap();
    assert_eq!(
        nh,
        NextHop::V6 {
            global,
            link_local: None
        }
    );
    ibgp.ext_next_hop_v4 = false;
    let (_, nh) = export_route(&path, src, &ibgp, Family::Ipv4Unicast).unwrap();
    assert_eq!(nh, NextHop::V4(Ipv4Addr::new(198, 18, 0, 100)));
}

/// BIRD's order on export: the filter sees the route as the table holds
/// it (the AS path not yet prepended, the MED learned from the
/// neighbour), then the protocol's rules apply; a MED the filter wrote
/// goes to the external peer, one learned from another AS does not.
#[test]
fn export_filter_sees_the_table_route_then_rules_apply() {
    use wren_core::announce::run_export_filter;
    use wren_core::export::export_filtered;
    use wren_core::policy::{Policy, RouteView};
    use wren_wire::Family;

    /// Accepts paths of one AS only, and gives some of them MED 7.
    #[derive(Debug)]
    struct OneHop {
        set_med: bool,
    }
    impl Policy for OneHop {
        fn run(&self, r: &mut RouteView<'_>) -> bool {
            let len = r.attrs().as_path.as_ref().map_or(0, |p| p.hops());
            if len != 1 {
                return false;
            }
            if self.set_med {
                r.attrs_mut().med = Some(7);
            }
            true
        }
    }
    let mut sources = Sources::default();
    let (from, _) = ebgp_peer(&mut sources, 65001, 1);
    let (_, to) = ebgp_peer(&mut sources, 65002, 2);
    let mut path = path_from(from, 65001);
    wren_core::rib::Attrs::make_mut(&mut path.attrs).med = Some(50);
    let src = sources.get(from).unwrap();
    let net = v4(1);
    // Path length 1 in the table: accepted (after the prepend it is 2).
    let (modified, nh) = run_export_filter(net, src, &path, &OneHop { set_med: false }).unwrap();
    assert!(modified.is_none() && nh.is_none());
    let (sent, _) = export_filtered(&path, &path.attrs, nh, src, &to, Family::Ipv4Unicast).unwrap();
    assert_eq!(sent.as_path.unwrap().hops(), 2);
    assert_eq!(
        sent.med, None,
        "a MED learned from AS 65001 went to AS 65002"
    );
    let (modified, nh) = run_export_filter(net, src, &path, &OneHop { set_med: true }).unwrap();
    let modified = modified.unwrap();
    let (sent, _) = export_filtered(&path, &modified, nh, src, &to, Family::Ipv4Unicast).unwrap();
    assert_eq!(
        sent.med,
        Some(7),
        "the MED the export filter wrote was dropped"
    );
}

/// RFC 4271 §5.1.3: towards an external peer on a network we share, a
/// next hop on that network is passed on; off it, or with `next hop
/// self`, or when it is the peer's own address, ours goes.
#[test]
fn third_party_next_hop_on_a_shared_network() {
    use wren_core::export::export_route;
    use wren_wire::Family;
    let mut sources = Sources::default();
    let (from, _) = ebgp_peer(&mut sources, 65001, 1);
    let (_, mut to) = ebgp_peer(&mut sources, 65003, 3);
    to.shared = [Some("198.18.0.0/24".parse().unwrap()), None];
    to.peer_addr = Some(IpAddr::V4(Ipv4Addr::new(198, 18, 0, 3)));
    let src = sources.get(from).unwrap();
    let ours = NextHop::V4(Ipv4Addr::new(198, 18, 0, 100));
    let path = path_from(from, 65001); // next hop 198.18.0.1
    let (_, nh) = export_route(&path, src, &to, Family::Ipv4Unicast).unwrap();
    assert_eq!(nh, NextHop::V4(Ipv4Addr::new(198, 18, 0, 1)));
    to.next_hop_mode = NextHopMode::SelfAlways;
    assert_eq!(
        export_route(&path, src, &to, Family::Ipv4Unicast)
            .unwrap()
            .1,
        ours
    );
    to.next_hop_mode = NextHopMode::Default;
    to.peer_addr = Some(IpAddr::V4(Ipv4Addr::new(198, 18, 0, 1)));
    assert_eq!(
        export_route(&path, src, &to, Family::Ipv4Unicast)
            .unwrap()
            .1,
        ours
    );
    to.shared = [Some("198.19.0.0/24".parse().unwrap()), None];
    assert_eq!(
        export_route(&path, src, &to, Family::Ipv4Unicast)
            .unwrap()
            .1,
        ours
    );
}
