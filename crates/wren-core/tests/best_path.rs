//! One test per step of the decision process (RFC 4271 §9.1.2 and the
//! usual tie-breaks), and the table's use of it.
#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::panic,
    missing_docs
)]

use std::net::{IpAddr, Ipv4Addr};
use wren_core::rib::*;
use wren_wire::attributes::{AsPath, Origin, PathAttributes};
use wren_wire::prefix::Ipv4Prefix;
use wren_wire::update::NextHop;
use wren_wire::Prefix;

fn bgp(peer_as: u32, id: u8) -> SourceInfo {
    SourceInfo {
        name: format!("peer{id}"),
        kind: SourceKind::Bgp(BgpSource {
            peer_as,
            local_as: 65000,
            router_id: Ipv4Addr::new(10, 0, 0, id),
            address: IpAddr::V4(Ipv4Addr::new(198, 18, 0, id)),
            rr_client: false,
        }),
        preference: 100,
    }
}

fn attrs(f: impl FnOnce(&mut PathAttributes)) -> Attrs {
    let mut a = PathAttributes {
        origin: Some(Origin::Igp),
        as_path: Some(AsPath::sequence(&[65001])),
        ..PathAttributes::default()
    };
    f(&mut a);
    wren_core::rib::Attrs::new(a)
}

fn path(src: u32, a: Attrs) -> Path {
    Path::new(
        SourceId(src),
        0,
        a,
        Some(NextHop::V4(Ipv4Addr::new(198, 18, 0, 9))),
    )
}

/// `(winner, loser)` must be decided by `reason`, both ways round.
fn decided(
    win: (&Path, &SourceInfo),
    lose: (&Path, &SourceInfo),
    reason: Reason,
    opt: &BestOptions,
) {
    use std::cmp::Ordering::*;
    assert_eq!(compare(win.0, win.1, lose.0, lose.1, opt), (Less, reason));
    assert_eq!(
        compare(lose.0, lose.1, win.0, win.1, opt),
        (Greater, reason)
    );
}

#[test]
fn reachable_next_hop_first() {
    let s = bgp(65001, 1);
    let a = path(0, attrs(|_| {}));
    let mut b = path(1, attrs(|a| a.local_pref = Some(500)));
    b.reachable = false;
    decided((&a, &s), (&b, &s), Reason::Unreachable, &BestOptions::new());
}

#[test]
fn protocol_preference_before_bgp_rules() {
    let mut st = bgp(65001, 1);
    st.kind = SourceKind::Static;
    st.preference = 200;
    let a = path(0, attrs(|_| {}));
    let b = path(1, attrs(|a| a.local_pref = Some(500)));
    decided(
        (&a, &st),
        (&b, &bgp(65001, 2)),
        Reason::Preference,
        &BestOptions::new(),
    );
}

#[test]
fn higher_local_pref_wins_and_missing_is_100() {
    let s = bgp(65000, 1);
    let a = path(0, attrs(|a| a.local_pref = Some(101)));
    let b = path(1, attrs(|_| {}));
    decided((&a, &s), (&b, &s), Reason::LocalPref, &BestOptions::new());
    let c = path(1, attrs(|a| a.local_pref = Some(99)));
    decided((&b, &s), (&c, &s), Reason::LocalPref, &BestOptions::new());
}

#[test]
fn shorter_as_path_wins_and_as_set_counts_one() {
    let s = bgp(65001, 1);
    let a = path(0, attrs(|a| a.as_path = Some(AsPath::sequence(&[65001]))));
    let b = path(
        1,
        attrs(|a| a.as_path = Some(AsPath::sequence(&[65001, 65002]))),
    );
    decided(
        (&a, &s),
        (&b, &s),
        Reason::AsPathLength,
        &BestOptions::new(),
    );
    assert_eq!(
        as_path_length_of("65001 {1 2 3}"),
        2,
        "an AS_SET counts as one hop"
    );
}

fn as_path_length_of(text: &str) -> usize {
    use wren_wire::attributes::{Segment, SegmentType};
    let mut segs = Vec::new();
    for part in text.split('{') {
        let (set, seq) = part.split_once('}').unwrap_or(("", part));
        if !set.is_empty() {
            segs.push(Segment {
                kind: SegmentType::Set,
                asns: set.split_whitespace().map(|x| x.parse().unwrap()).collect(),
            });
        }
        let asns: Vec<u32> = seq.split_whitespace().map(|x| x.parse().unwrap()).collect();
        if !asns.is_empty() {
            segs.push(Segment {
                kind: SegmentType::Sequence,
                asns,
            });
        }
    }
    best::as_path_length(Some(&AsPath { segments: segs }))
}

#[test]
fn lower_origin_wins() {
    let s = bgp(65001, 1);
    let a = path(0, attrs(|a| a.origin = Some(Origin::Egp)));
    let b = path(1, attrs(|a| a.origin = Some(Origin::Incomplete)));
    decided((&a, &s), (&b, &s), Reason::Origin, &BestOptions::new());
}

#[test]
fn med_only_between_paths_from_the_same_neighbour_as_unless_always_compared() {
    let s = bgp(65001, 1);
    let a = path(0, attrs(|a| a.med = Some(10)));
    let b = path(1, attrs(|a| a.med = Some(20)));
    decided((&a, &s), (&b, &s), Reason::Med, &BestOptions::new());
    // Different neighbour AS: MED skipped, a later step decides.
    let c = path(
        1,
        attrs(|a| {
            a.med = Some(5);
            a.as_path = Some(AsPath::sequence(&[65002]));
        }),
    );
    let (_, r) = compare(&a, &s, &c, &bgp(65002, 2), &BestOptions::new());
    assert_ne!(r, Reason::Med);
    let always = BestOptions {
        always_compare_med: true,
        ..BestOptions::new()
    };
    decided((&c, &bgp(65002, 2)), (&a, &s), Reason::Med, &always);
}

#[test]
fn external_over_internal() {
    let a = path(0, attrs(|_| {}));
    let b = path(1, attrs(|_| {}));
    decided(
        (&a, &bgp(65001, 2)),
        (&b, &bgp(65000, 1)),
        Reason::ExternalOverInternal,
        &BestOptions::new(),
    );
}

#[test]
fn lower_igp_metric_wins() {
    let s = bgp(65000, 1);
    let mut a = path(0, attrs(|_| {}));
    a.igp_metric = 10;
    let mut b = path(1, attrs(|_| {}));
    b.igp_metric = 20;
    decided((&a, &s), (&b, &s), Reason::IgpMetric, &BestOptions::new());
    assert!(!Reason::IgpMetric.allows_multipath());
}

#[test]
fn lower_router_id_or_originator_id_wins() {
    let a = path(0, attrs(|_| {}));
    let b = path(1, attrs(|_| {}));
    decided(
        (&a, &bgp(65000, 1)),
        (&b, &bgp(65000, 2)),
        Reason::RouterId,
        &BestOptions::new(),
    );
    // A reflected route is judged by its ORIGINATOR_ID, not the reflector's id.
    let c = path(
        1,
        attrs(|a| a.originator_id = Some(Ipv4Addr::new(1, 1, 1, 1))),
    );
    decided(
        (&c, &bgp(65000, 2)),
        (&a, &bgp(65000, 1)),
        Reason::RouterId,
        &BestOptions::new(),
    );
    assert!(Reason::RouterId.allows_multipath());
}

#[test]
fn shorter_cluster_list_wins() {
    let s = bgp(65000, 1);
    let a = path(
        0,
        attrs(|a| a.cluster_list = vec![Ipv4Addr::new(1, 1, 1, 1)]),
    );
    let b = path(
        1,
        attrs(|a| a.cluster_list = vec![Ipv4Addr::new(1, 1, 1, 1), Ipv4Addr::new(2, 2, 2, 2)]),
    );
    decided(
        (&a, &s),
        (&b, &s),
        Reason::ClusterListLength,
        &BestOptions::new(),
    );
}

#[test]
fn lower_neighbor_address_wins() {
    let mut s1 = bgp(65000, 1);
    let mut s2 = bgp(65000, 1);
    if let SourceKind::Bgp(b) = &mut s2.kind {
        b.address = IpAddr::V4(Ipv4Addr::new(198, 18, 0, 200));
    }
    if let SourceKind::Bgp(b) = &mut s1.kind {
        b.address = IpAddr::V4(Ipv4Addr::new(198, 18, 0, 100));
    }
    let a = path(0, attrs(|_| {}));
    let b = path(1, attrs(|_| {}));
    decided(
        (&a, &s1),
        (&b, &s2),
        Reason::NeighborAddress,
        &BestOptions::new(),
    );
}

fn v4(s: &str) -> Prefix {
    s.parse().unwrap()
}

#[test]
fn table_keeps_best_first_and_reports_changes_once() {
    let mut sources = Sources::default();
    let p1 = sources.add(bgp(65000, 1));
    let p2 = sources.add(bgp(65000, 2));
    let mut t = Table::new();
    let pfx = v4("10.1.0.0/24");
    t.update(pfx, Path::new(p2, 0, attrs(|_| {}), None), &sources);
    t.update(pfx, Path::new(p1, 0, attrs(|_| {}), None), &sources);
    assert_eq!(t.get(&pfx).unwrap().best().unwrap().source, p1);
    assert_eq!(t.why_not_best(&pfx, 1, &sources), Some(Reason::RouterId));
    let mut ch = Vec::new();
    t.take_changes(&mut ch);
    // One change record, holding the best as exporters last saw it: none.
    assert_eq!(ch.len(), 1);
    assert_eq!((ch[0].prefix, ch[0].old.as_ref()), (pfx, None));
    // Equal up to the router id: both share the load.
    assert_eq!(t.multipath(&pfx, &sources).count(), 2);
    t.withdraw(pfx, p1, 0, &sources);
    assert_eq!(t.get(&pfx).unwrap().best().unwrap().source, p2);
    assert_eq!(t.retain_source(p2, &sources, |_, _| false), 1);
    // The last path gone: the entry goes at once; the change stays queued.
    assert!(t.get(&pfx).is_none());
    ch.clear();
    t.take_changes(&mut ch);
    // Two changes since the last look, one record; its old best is p1's.
    assert_eq!(ch.len(), 1);
    assert_eq!(ch[0].old.as_ref().map(|p| p.source), Some(p1));
    assert!(t.is_empty());
    let _ = Ipv4Prefix::new(Ipv4Addr::new(10, 0, 0, 0), 8);
}
