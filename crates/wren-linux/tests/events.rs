//! EventStream in a fresh namespace: changes made by hand with `ip`
//! arrive as events.
#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::panic,
    missing_docs
)]

mod common;

use std::time::Duration;

use common::{lab, root, sh};
use wren_linux::{
    EventStream, Group, KernelEvent, KernelTable, Prefix, Route, RouteChange, RouteKind,
    TableConfig,
};

/// Waits (at most 5 s) for the first event that `want` accepts.
async fn wait_for(s: &mut EventStream, want: impl Fn(&KernelEvent) -> bool) -> KernelEvent {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    loop {
        let e = tokio::time::timeout_at(deadline, s.next())
            .await
            .expect("no such event within 5 s")
            .unwrap();
        if want(&e) {
            return e;
        }
    }
}

#[test]
fn hand_made_changes_arrive_as_events() {
    if !root() {
        return;
    }
    let ns = lab("ev");
    let name = ns.name.clone();
    let a0 = ns.ifindex("a0");
    ns.run(move || async move {
        let mut s = EventStream::open(&Group::ALL).unwrap();
        let ip = |args: &str| {
            let mut argv = vec!["-n", name.as_str()];
            argv.extend(args.split_whitespace());
            sh("ip", &argv);
        };
        let dst: Prefix = "198.19.20.0/24".parse().unwrap();

        ip("route add 198.19.20.0/24 via 198.18.0.2 proto static");
        let e = wait_for(
            &mut s,
            |e| matches!(e, KernelEvent::RouteAdded(r) if r.route.dst == dst),
        )
        .await;
        let KernelEvent::RouteAdded(r) = e else {
            unreachable!()
        };
        assert_eq!((r.protocol, r.table), (4, 254));

        ip("route del 198.19.20.0/24");
        wait_for(
            &mut s,
            |e| matches!(e, KernelEvent::RouteRemoved(r) if r.route.dst == dst),
        )
        .await;

        let v6: Prefix = "2001:db8:20::/48".parse().unwrap();
        ip("-6 route add 2001:db8:20::/48 via 2001:db8::2");
        wait_for(
            &mut s,
            |e| matches!(e, KernelEvent::RouteAdded(r) if r.route.dst == v6),
        )
        .await;

        // Our own writes are announced too (the daemon filters by protocol).
        let mut t = KernelTable::open(TableConfig::default()).unwrap();
        let bh: Prefix = "198.19.21.0/26".parse().unwrap();
        t.apply(&[RouteChange::Add(Route::reject(bh, RouteKind::Blackhole))])
            .await
            .unwrap();
        let e = wait_for(
            &mut s,
            |e| matches!(e, KernelEvent::RouteAdded(r) if r.route.dst == bh),
        )
        .await;
        let KernelEvent::RouteAdded(r) = e else {
            unreachable!()
        };
        assert_eq!((r.protocol, r.route.kind), (12, RouteKind::Blackhole));

        ip("link set a0 down");
        let e = wait_for(
            &mut s,
            |e| matches!(e, KernelEvent::LinkChanged(l) if l.index == a0),
        )
        .await;
        let KernelEvent::LinkChanged(l) = e else {
            unreachable!()
        };
        assert_eq!((l.name.as_str(), l.up), ("a0", false));

        ip("link set a0 up");
        wait_for(
            &mut s,
            |e| matches!(e, KernelEvent::LinkChanged(l) if l.index == a0 && l.up),
        )
        .await;

        ip("addr add 198.18.7.1/24 dev a0");
        let e = wait_for(
            &mut s,
            |e| matches!(e, KernelEvent::AddressAdded(a) if a.addr.to_string() == "198.18.7.1"),
        )
        .await;
        let KernelEvent::AddressAdded(a) = e else {
            unreachable!()
        };
        assert_eq!((a.index, a.prefix_len), (a0, 24));

        ip("addr del 198.18.7.1/24 dev a0");
        wait_for(
            &mut s,
            |e| matches!(e, KernelEvent::AddressRemoved(a) if a.addr.to_string() == "198.18.7.1"),
        )
        .await;

        ip("link add x0 type veth peer name x1");
        wait_for(
            &mut s,
            |e| matches!(e, KernelEvent::LinkChanged(l) if l.name == "x0"),
        )
        .await;
        ip("link del x0");
        wait_for(
            &mut s,
            |e| matches!(e, KernelEvent::LinkRemoved(l) if l.name == "x0"),
        )
        .await;
    });
}

#[test]
fn only_subscribed_groups_are_heard() {
    if !root() {
        return;
    }
    let ns = lab("evgrp");
    let name = ns.name.clone();
    ns.run(move || async move {
        let mut s = EventStream::open(&[Group::Link]).unwrap();
        sh(
            "ip",
            &[
                "-n",
                &name,
                "route",
                "add",
                "198.19.22.0/24",
                "via",
                "198.18.0.2",
            ],
        );
        sh("ip", &["-n", &name, "link", "set", "a1", "down"]);
        let e = wait_for(&mut s, |_| true).await;
        assert!(
            matches!(e, KernelEvent::LinkChanged(ref l) if l.name == "a1"),
            "{e:?}"
        );
    });
}

/// A stream told to skip protocol 12 ("bird", what our routes carry)
/// never hears those routes come and go, and still hears everyone else's.
#[test]
fn our_own_routes_are_not_heard() {
    if !root() {
        return;
    }
    let ns = lab("evskip");
    let name = ns.name.clone();
    ns.run(move || async move {
        let mut s = EventStream::open(&[Group::Ipv4Route]).unwrap();
        s.skip_routes_of(12);
        let add = |dst: &str, proto: &str| {
            sh(
                "ip",
                &["-n", &name, "route", "add", dst, "via", "198.18.0.2", "proto", proto],
            )
        };
        add("198.19.30.0/24", "12");
        sh("ip", &["-n", &name, "route", "del", "198.19.30.0/24"]);
        add("198.19.31.0/24", "static");
        let e = wait_for(&mut s, |_| true).await;
        assert!(
            matches!(e, KernelEvent::RouteAdded(ref k) if k.route.dst.to_string() == "198.19.31.0/24"),
            "heard first: {e:?}"
        );
    });
}
