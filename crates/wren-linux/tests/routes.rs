//! KernelTable against a real kernel table in a fresh network namespace:
//! what `apply` writes, `ip route` reads back; what others write, `dump`
//! finds.
#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::panic,
    missing_docs
)]

mod common;

use common::{ip, lab, p, root};
use wren_linux::{KernelTable, NextHop, Prefix, Route, RouteChange, RouteKind, TableConfig};

/// Applies `changes` with `cfg` inside `ns` and returns the report.
fn apply(
    ns: &common::Netns,
    cfg: TableConfig,
    changes: Vec<RouteChange>,
) -> wren_linux::ApplyReport {
    ns.run(move || async move {
        let mut t = KernelTable::open(cfg).unwrap();
        t.apply(&changes).await.unwrap()
    })
}

fn has_line(out: &str, want: &str) -> bool {
    out.lines().any(|l| l.trim() == want)
}

/// Routes carrying their next hop, as BIRD writes them: the exact `ip
/// route` lines below are BIRD's.
fn carry() -> TableConfig {
    TableConfig {
        nexthop_objects: false,
        ..TableConfig::default()
    }
}

#[test]
fn ipv4_add_replace_delete() {
    if !root() {
        return;
    }
    let ns = lab("r4");
    let a0 = ns.ifindex("a0");
    let cfg = carry();
    let r = apply(
        &ns,
        cfg,
        vec![
            RouteChange::Add(Route::unicast(
                p("198.19.0.1/32"),
                vec![NextHop::via(ip("198.18.0.2"))],
            )),
            RouteChange::Add(Route::unicast(
                p("198.19.1.0/24"),
                vec![NextHop::via_dev(ip("198.18.0.2"), a0)],
            )),
            RouteChange::Add(Route::unicast(p("198.19.0.3/32"), vec![NextHop::dev(a0)])),
        ],
    );
    assert_eq!(r.failed, vec![]);
    assert_eq!(r.applied, 3);
    let out = ns.ip("route show");
    assert!(
        has_line(
            &out,
            "198.19.0.1 via 198.18.0.2 dev a0 proto bird metric 32"
        ),
        "{out}"
    );
    assert!(
        has_line(
            &out,
            "198.19.1.0/24 via 198.18.0.2 dev a0 proto bird metric 32"
        ),
        "{out}"
    );
    assert!(
        has_line(&out, "198.19.0.3 dev a0 proto bird scope link metric 32"),
        "{out}"
    );

    let r = apply(
        &ns,
        cfg,
        vec![RouteChange::Replace(Route::unicast(
            p("198.19.1.0/24"),
            vec![NextHop::via(ip("198.18.1.2"))],
        ))],
    );
    assert_eq!((r.applied, r.failed.len()), (1, 0));
    let out = ns.ip("route show");
    assert!(
        has_line(
            &out,
            "198.19.1.0/24 via 198.18.1.2 dev a1 proto bird metric 32"
        ),
        "{out}"
    );
    assert!(!out.contains("198.19.1.0/24 via 198.18.0.2"), "{out}");

    let r = apply(
        &ns,
        cfg,
        ["198.19.0.1/32", "198.19.1.0/24", "198.19.0.3/32"]
            .iter()
            .map(|s| RouteChange::Delete(p(s)))
            .collect(),
    );
    assert_eq!((r.applied, r.failed.len()), (3, 0));
    let out = ns.ip("route show");
    assert!(!out.contains("198.19."), "{out}");
}

#[test]
fn a_refused_route_is_reported_and_the_rest_apply() {
    if !root() {
        return;
    }
    let ns = lab("rerr");
    let via = |s: &str, gw: &str| Route::unicast(p(s), vec![NextHop::via(ip(gw))]);
    let r = apply(
        &ns,
        TableConfig::default(),
        vec![
            RouteChange::Add(via("198.19.0.0/24", "198.18.0.2")),
            RouteChange::Add(via("198.19.0.0/24", "198.18.0.2")), // exists
            RouteChange::Add(via("198.19.1.0/24", "198.18.9.9")), // no such link
            RouteChange::Add(Route::unicast(p("198.19.2.0/24"), vec![])), // no next hop
            RouteChange::Delete(p("198.19.3.0/24")),              // not there
            RouteChange::Add(via("198.19.4.0/24", "198.18.1.2")),
        ],
    );
    let failed: Vec<(usize, i32)> = r.failed.iter().map(|f| (f.index, f.error.errno)).collect();
    assert_eq!(
        failed,
        vec![
            (1, libc::EEXIST),
            (2, libc::ENETUNREACH),
            (3, libc::EINVAL),
            (4, libc::ESRCH)
        ],
        "{:?}",
        r.failed
    );
    assert_eq!(r.applied, 2);
    // Only the delete of a missing route reads as "no such route" (the
    // daemon takes that as done).
    let missing: Vec<usize> = r
        .failed
        .iter()
        .filter(|f| f.error.is_no_such_route())
        .map(|f| f.index)
        .collect();
    assert_eq!(missing, vec![4]);
    // The kernel's own reason comes along (extended ack).
    assert_eq!(
        r.failed[1].error.message.as_deref(),
        Some("Nexthop has invalid gateway")
    );
    let out = ns.ip("route show proto bird");
    assert!(
        out.contains("198.19.0.0/24") && out.contains("198.19.4.0/24"),
        "{out}"
    );
}

#[test]
fn ipv6_and_ipv4_via_ipv6_link_local() {
    if !root() {
        return;
    }
    let ns = lab("r6");
    let a0 = ns.ifindex("a0");
    let r = apply(
        &ns,
        carry(),
        vec![
            RouteChange::Add(Route::unicast(
                p("2001:db8:100::/48"),
                vec![NextHop::via(ip("2001:db8::2"))],
            )),
            // RFC 8950: an IPv4 route whose next hop is an IPv6 link-local.
            RouteChange::Add(Route::unicast(
                p("198.19.3.0/24"),
                vec![NextHop::via_dev(ip("fe80::2"), a0)],
            )),
        ],
    );
    assert_eq!(r.failed, vec![]);
    let out = ns.ip("-6 route show");
    assert!(
        out.contains("2001:db8:100::/48 via 2001:db8::2 dev a0 proto bird metric 32"),
        "{out}"
    );
    let out = ns.ip("route show");
    assert!(
        has_line(
            &out,
            "198.19.3.0/24 via inet6 fe80::2 dev a0 proto bird metric 32"
        ),
        "{out}"
    );
    // Read back through dump, the gateway is IPv6.
    let dumped = ns.run(|| async {
        let mut t = KernelTable::open(TableConfig::default()).unwrap();
        t.dump().await.unwrap()
    });
    let r = dumped
        .iter()
        .find(|r| r.route.dst == p("198.19.3.0/24"))
        .unwrap();
    assert_eq!(r.route.next_hops[..], [NextHop::via_dev(ip("fe80::2"), a0)]);
}

#[test]
fn ecmp_next_hops() {
    if !root() {
        return;
    }
    let ns = lab("recmp");
    let (a0, a1) = (ns.ifindex("a0"), ns.ifindex("a1"));
    let v4 = vec![
        NextHop::via_dev(ip("198.18.0.2"), a0),
        NextHop {
            weight: 3,
            ..NextHop::via_dev(ip("198.18.1.2"), a1)
        },
    ];
    let v6 = vec![
        NextHop::via_dev(ip("2001:db8::2"), a0),
        NextHop::via_dev(ip("2001:db8:1::2"), a1),
    ];
    let r = apply(
        &ns,
        TableConfig::default(),
        vec![
            RouteChange::Replace(Route::unicast(p("198.19.4.0/24"), v4.clone())),
            RouteChange::Replace(Route::unicast(p("2001:db8:4::/48"), v6.clone())),
        ],
    );
    assert_eq!(r.failed, vec![]);
    let out = ns.ip("route show 198.19.4.0/24");
    assert!(
        out.contains("nexthop via 198.18.0.2 dev a0 weight 1"),
        "{out}"
    );
    assert!(
        out.contains("nexthop via 198.18.1.2 dev a1 weight 3"),
        "{out}"
    );
    let out = ns.ip("-6 route show 2001:db8:4::/48");
    assert!(
        out.contains("nexthop via 2001:db8::2 dev a0 weight 1"),
        "{out}"
    );
    assert!(
        out.contains("nexthop via 2001:db8:1::2 dev a1 weight 1"),
        "{out}"
    );
    let dumped = ns.run(|| async {
        let mut t = KernelTable::open(TableConfig::default()).unwrap();
        t.dump().await.unwrap()
    });
    let got = |d: &str| {
        let r = dumped.iter().find(|r| r.route.dst == p(d)).unwrap();
        r.route.next_hops.to_vec()
    };
    assert_eq!(got("198.19.4.0/24"), v4);
    assert_eq!(got("2001:db8:4::/48"), v6);
}

#[test]
fn blackhole_unreachable_prohibit() {
    if !root() {
        return;
    }
    let ns = lab("rrej");
    let kinds = [
        RouteKind::Blackhole,
        RouteKind::Unreachable,
        RouteKind::Prohibit,
    ];
    let mut changes = Vec::new();
    for (i, k) in kinds.iter().enumerate() {
        changes.push(RouteChange::Add(Route::reject(
            p(&format!("198.19.{}.0/26", 5 + i)),
            *k,
        )));
        changes.push(RouteChange::Add(Route::reject(
            p(&format!("2001:db8:{}::/48", 5 + i)),
            *k,
        )));
    }
    let r = apply(&ns, TableConfig::default(), changes);
    assert_eq!(r.failed, vec![]);
    let out4 = ns.ip("route show");
    let out6 = ns.ip("-6 route show");
    for (i, name) in ["blackhole", "unreachable", "prohibit"].iter().enumerate() {
        let v4 = format!("{name} 198.19.{}.0/26 proto bird metric 32", 5 + i);
        assert!(has_line(&out4, &v4), "{v4} in {out4}");
        let v6 = format!("{name} 2001:db8:{}::/48", 5 + i);
        assert!(out6.contains(&v6), "{v6} in {out6}");
    }
    let dumped = ns.run(|| async {
        let mut t = KernelTable::open(TableConfig::default()).unwrap();
        t.dump().await.unwrap()
    });
    let kind = |d: &str| {
        dumped
            .iter()
            .find(|r| r.route.dst == p(d))
            .unwrap()
            .route
            .kind
    };
    assert_eq!(kind("198.19.5.0/26"), RouteKind::Blackhole);
    assert_eq!(kind("2001:db8:7::/48"), RouteKind::Prohibit);

    let mut deletes = Vec::new();
    for i in 0..3 {
        deletes.push(RouteChange::Delete(p(&format!("198.19.{}.0/26", 5 + i))));
        deletes.push(RouteChange::Delete(p(&format!("2001:db8:{}::/48", 5 + i))));
    }
    let r = apply(&ns, TableConfig::default(), deletes);
    assert_eq!((r.applied, r.failed.len()), (6, 0), "{:?}", r.failed);
    assert!(!ns.ip("route show").contains("198.19."));
    assert!(!ns.ip("-6 route show").contains("2001:db8:5"));
}

#[test]
fn dump_finds_ours_and_alien_routes() {
    if !root() {
        return;
    }
    let ns = lab("rdump");
    let a0 = ns.ifindex("a0");
    ns.ip("route add 198.19.9.0/24 via 198.18.0.2 proto static");
    ns.ip("-6 route add 2001:db8:9::/48 via 2001:db8::2");
    // Same prefix as an alien route, other metric: both live side by side.
    ns.ip("route add 198.19.10.0/24 via 198.18.1.2 proto static");
    let r = apply(
        &ns,
        TableConfig::default(),
        vec![
            RouteChange::Add(Route::unicast(
                p("198.19.10.0/24"),
                vec![NextHop::via(ip("198.18.0.2"))],
            )),
            RouteChange::Add(Route::unicast(
                p("198.19.11.0/24"),
                vec![NextHop::via(ip("198.18.0.2"))],
            )),
        ],
    );
    assert_eq!(r.failed, vec![]);
    let dumped = ns.run(|| async {
        let mut t = KernelTable::open(TableConfig::default()).unwrap();
        t.dump().await.unwrap()
    });
    let find = |d: &str, proto: u8| {
        dumped
            .iter()
            .find(|r| r.route.dst == p(d) && r.protocol == proto)
            .unwrap_or_else(|| panic!("{d} proto {proto} not in {dumped:#?}"))
    };
    let alien = find("198.19.9.0/24", 4);
    assert_eq!(
        alien.route.next_hops[..],
        [NextHop::via_dev(ip("198.18.0.2"), a0)]
    );
    assert_eq!((alien.metric, alien.table), (0, 254));
    assert_eq!(find("2001:db8:9::/48", 3).metric, 1024); // boot, the IPv6 default
    assert_eq!(find("198.19.10.0/24", 4).metric, 0);
    assert_eq!(find("198.19.10.0/24", 12).metric, 32);
    assert_eq!(find("198.19.11.0/24", 12).route.kind, RouteKind::Unicast);
    let kernel = find("198.18.0.0/24", 2); // the connected route
    assert_eq!(kernel.route.next_hops[..], [NextHop::dev(a0)]);

    // Deleting ours leaves the alien route of the same prefix alone.
    let r = apply(
        &ns,
        TableConfig::default(),
        vec![RouteChange::Delete(p("198.19.10.0/24"))],
    );
    assert_eq!(r.failed, vec![]);
    let out = ns.ip("route show 198.19.10.0/24");
    assert!(
        has_line(&out, "198.19.10.0/24 via 198.18.1.2 dev a1 proto static"),
        "{out}"
    );
    assert!(!out.contains("bird"), "{out}");
}

#[test]
fn another_table_protocol_and_metric() {
    if !root() {
        return;
    }
    let ns = lab("rtab");
    let cfg = TableConfig {
        table: 1000,
        protocol: 186,
        metric: 100,
        nexthop_objects: true,
    };
    let r = apply(
        &ns,
        cfg,
        vec![
            RouteChange::Add(Route::unicast(
                p("198.19.12.0/24"),
                vec![NextHop::via(ip("198.18.0.2"))],
            )),
            RouteChange::Add(Route::unicast(
                p("2001:db8:12::/48"),
                vec![NextHop::via(ip("2001:db8::2"))],
            )),
        ],
    );
    assert_eq!(r.failed, vec![]);
    let out = ns.ip("route show table 1000");
    assert!(
        has_line(
            &out,
            "198.19.12.0/24 via 198.18.0.2 dev a0 proto bgp metric 100"
        ),
        "{out}"
    );
    assert!(ns
        .ip("-6 route show table 1000")
        .contains("2001:db8:12::/48 via 2001:db8::2 dev a0 proto bgp metric 100"));
    assert!(!ns.ip("route show table main").contains("198.19.12.0"));
    let dumped = ns.run(move || async move {
        let mut t = KernelTable::open(cfg).unwrap();
        t.dump().await.unwrap()
    });
    assert_eq!(dumped.len(), 2, "{dumped:#?}");
    assert!(dumped
        .iter()
        .all(|r| r.table == 1000 && r.protocol == 186 && r.metric == 100));
}

#[test]
fn many_batches_with_failures_in_the_middle() {
    if !root() {
        return;
    }
    let ns = lab("rmany");
    let gw = NextHop::via(ip("198.18.0.2"));
    let host =
        |i: u32| Prefix::V4(wren_wire::Ipv4Prefix::new((0xc613_0000 + i).into(), 32).unwrap());
    let mut changes: Vec<RouteChange> = (0..5000)
        .map(|i| RouteChange::Add(Route::unicast(host(i), vec![gw.clone()])))
        .collect();
    // Duplicates well inside later batches.
    changes.insert(2500, changes[10].clone());
    changes.insert(4000, changes[20].clone());
    let r = apply(&ns, TableConfig::default(), changes);
    let failed: Vec<usize> = r.failed.iter().map(|f| f.index).collect();
    assert_eq!(failed, vec![2500, 4000]);
    assert_eq!(r.applied, 5000);
    assert_eq!(ns.ip("route show proto bird").lines().count(), 5000);
    let r = apply(
        &ns,
        TableConfig::default(),
        (0..5000).map(|i| RouteChange::Delete(host(i))).collect(),
    );
    assert_eq!((r.applied, r.failed.len()), (5000, 0));
    assert_eq!(ns.ip("route show proto bird").lines().count(), 0);
}
