//! Nexthop objects against a real kernel: routes through one next hop
//! share one object; objects the kernel drops (by hand, with a carrier)
//! are made again or done without; a later run adopts ours and removes
//! what no route names, and leaves others' objects alone.
#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::panic,
    missing_docs
)]

mod common;

use std::process::Command;

use common::{ip, lab, p, root};
use wren_linux::{KernelTable, NextHop, Route, RouteChange, TableConfig};

/// `ip -n NS ARGS`, from inside a test's async block.
fn ipn(ns: &str, args: &str) -> String {
    let mut argv = vec!["-n", ns];
    argv.extend(args.split_whitespace());
    let out = Command::new("ip").args(&argv).output().unwrap();
    assert!(out.status.success(), "ip {args}: {out:?}");
    String::from_utf8(out.stdout).unwrap()
}

/// The ids of the objects `ip nexthop` lists with protocol `proto`.
fn objects(ns: &str, proto: &str) -> Vec<u32> {
    ipn(ns, "nexthop show")
        .lines()
        .filter(|l| l.contains(&format!("proto {proto}")))
        .map(|l| l.split_whitespace().nth(1).unwrap().parse().unwrap())
        .collect()
}

/// The object id in `ip route show PREFIX`, if the route names one.
fn nhid(ns: &str, prefix: &str) -> Option<u32> {
    let out = ipn(ns, &format!("route show {prefix}"));
    let mut words = out.split_whitespace();
    words.find(|w| *w == "nhid")?;
    words.next()?.parse().ok()
}

fn via(prefix: &str, gw: &str, dev: u32) -> Route {
    Route::unicast(p(prefix), vec![NextHop::via_dev(ip(gw), dev)])
}

#[test]
fn routes_through_one_next_hop_share_one_object() {
    if !root() {
        return;
    }
    let lab = lab("nshare");
    let ns = lab.name.clone();
    let (a0, a1) = (lab.ifindex("a0"), lab.ifindex("a1"));
    lab.run(move || async move {
        let mut t = KernelTable::open(TableConfig::default()).unwrap();
        let routes = vec![
            via("198.19.0.0/24", "198.18.0.2", a0),
            via("198.19.1.0/24", "198.18.0.2", a0),
            via("198.19.2.0/24", "198.18.0.2", a0),
            via("198.19.3.0/24", "198.18.1.2", a1),
            Route::unicast(p("198.19.4.1/32"), vec![NextHop::dev(a0)]),
            via("2001:db8:5::/48", "2001:db8::2", a0),
        ];
        let r = t
            .apply(
                &routes
                    .iter()
                    .cloned()
                    .map(RouteChange::Replace)
                    .collect::<Vec<_>>(),
            )
            .await
            .unwrap();
        assert_eq!((r.applied, r.failed.len()), (6, 0), "{r:?}");
        assert_eq!(
            objects(&ns, "bird").len(),
            4,
            "{}",
            ipn(&ns, "nexthop show")
        );
        let shared = nhid(&ns, "198.19.0.0/24").unwrap();
        assert_eq!(nhid(&ns, "198.19.1.0/24"), Some(shared));
        assert_eq!(nhid(&ns, "198.19.2.0/24"), Some(shared));
        assert_ne!(nhid(&ns, "198.19.3.0/24"), Some(shared));
        // The kernel still shows (and forwards by) the gateway.
        let out = ipn(&ns, "route show 198.19.0.0/24");
        assert!(
            out.contains("via 198.18.0.2 dev a0 proto bird metric 32"),
            "{out}"
        );
        let out = ipn(&ns, "route show 198.19.4.1");
        assert!(
            out.contains("dev a0 proto bird scope link metric 32"),
            "{out}"
        );
        // Read back, they are the routes we wrote, with their object.
        let dumped = t.dump().await.unwrap();
        for want in &routes {
            let k = dumped.iter().find(|k| k.route.dst == want.dst).unwrap();
            assert!(k.nh_id.is_some(), "{k:?}");
            assert_eq!(k.route.next_hops[0].gateway, want.next_hops[0].gateway);
            assert_eq!(k.route.next_hops[0].ifindex, want.next_hops[0].ifindex);
        }
        // Nothing wanted: the routes go, and then their objects.
        let r = t.reconcile(Vec::new()).await.unwrap();
        assert_eq!(
            (r.written, r.removed, r.objects_removed),
            (0, 6, 4),
            "{r:?}"
        );
        assert_eq!(objects(&ns, "bird"), Vec::<u32>::new());
        assert!(!ipn(&ns, "route show").contains("198.19."));
    });
}

#[test]
fn a_route_whose_object_is_gone_is_written_again() {
    if !root() {
        return;
    }
    let lab = lab("ngone");
    let ns = lab.name.clone();
    let a0 = lab.ifindex("a0");
    lab.run(move || async move {
        let mut t = KernelTable::open(TableConfig::default()).unwrap();
        let r = via("198.19.0.0/24", "198.18.0.2", a0);
        let first = t.apply(&[RouteChange::Replace(r.clone())]).await.unwrap();
        assert_eq!(first.failed, vec![]);
        let old = nhid(&ns, "198.19.0.0/24").unwrap();
        // Deleting the object takes its route with it.
        ipn(&ns, &format!("nexthop del id {old}"));
        assert!(!ipn(&ns, "route show").contains("198.19.0.0"));
        // Our registry still has the old id: the kernel refuses the route
        // once, the object is made anew, and the route goes in.
        let again = t.apply(&[RouteChange::Replace(r)]).await.unwrap();
        assert_eq!((again.applied, again.failed.len()), (1, 0), "{again:?}");
        let new = nhid(&ns, "198.19.0.0/24").unwrap();
        assert_ne!(new, old);
        assert_eq!(objects(&ns, "bird"), vec![new]);
    });
}

#[test]
fn carrier_loss_takes_the_object_and_reconcile_brings_the_route_back() {
    if !root() {
        return;
    }
    let lab = lab("ncarrier");
    let ns = lab.name.clone();
    let a1 = lab.ifindex("a1");
    lab.run(move || async move {
        let mut t = KernelTable::open(TableConfig::default()).unwrap();
        let r = via("198.19.1.0/24", "198.18.1.2", a1);
        t.apply(&[RouteChange::Replace(r.clone())]).await.unwrap();
        assert!(nhid(&ns, "198.19.1.0/24").is_some());
        // The far end goes down: a1 loses carrier, and the kernel drops
        // the object and the route, telling no one.
        ipn(&ns, "link set b1 down");
        assert!(!ipn(&ns, "route show").contains("198.19.1.0"));
        assert_eq!(objects(&ns, "bird"), Vec::<u32>::new());
        // The scan puts the route back. No object can be made without a
        // carrier, so it carries its next hop, as BIRD's would.
        let rep = t.reconcile(vec![r.clone()]).await.unwrap();
        assert_eq!((rep.written, rep.apply.failed.len()), (1, 0), "{rep:?}");
        let out = ipn(&ns, "route show 198.19.1.0/24");
        assert!(
            out.contains("198.19.1.0/24 via 198.18.1.2 dev a1 proto bird metric 32 linkdown"),
            "{out}"
        );
        // Carrier back: the route is as wanted and stays as it is.
        ipn(&ns, "link set b1 up");
        let rep = t.reconcile(vec![r]).await.unwrap();
        assert_eq!((rep.written, rep.removed), (0, 0), "{rep:?}");
        assert!(ipn(&ns, "route show 198.19.1.0/24").contains("via 198.18.1.2 dev a1"));
    });
}

#[test]
fn a_later_run_adopts_our_objects_and_removes_unused_ones() {
    if !root() {
        return;
    }
    let lab = lab("nadopt");
    let ns = lab.name.clone();
    let (a0, a1) = (lab.ifindex("a0"), lab.ifindex("a1"));
    // Someone else's object, with no protocol of ours.
    lab.ip("nexthop add id 7 via 198.18.0.2 dev a0");
    let keep = via("198.19.0.0/24", "198.18.0.2", a0);
    let first = vec![
        keep.clone(),
        via("198.19.1.0/24", "198.18.0.2", a0),
        via("198.19.2.0/24", "198.18.1.2", a1),
    ];
    lab.run(move || async move {
        let mut t = KernelTable::open(TableConfig::default()).unwrap();
        let changes: Vec<RouteChange> = first.into_iter().map(RouteChange::Replace).collect();
        assert_eq!(t.apply(&changes).await.unwrap().failed, vec![]);
    });
    let before = objects(&ns, "bird");
    assert_eq!(before.len(), 2);
    let kept = nhid(&ns, "198.19.0.0/24").unwrap();
    lab.run(move || async move {
        // A new run: an empty registry.
        let mut t = KernelTable::open(TableConfig::default()).unwrap();
        let r = t.reconcile(vec![keep]).await.unwrap();
        assert_eq!(
            (r.written, r.removed, r.objects_removed),
            (0, 2, 1),
            "{r:?}"
        );
        assert_eq!(objects(&ns, "bird"), vec![kept]);
        // A new route through the same next hop uses the adopted object.
        let more = [RouteChange::Replace(via("198.19.3.0/24", "198.18.0.2", a0))];
        assert_eq!(t.apply(&more).await.unwrap().failed, vec![]);
        assert_eq!(nhid(&ns, "198.19.3.0/24"), Some(kept));
        assert_eq!(objects(&ns, "bird"), vec![kept]);
    });
    assert!(lab.ip("nexthop show id 7").contains("via 198.18.0.2"));
}

#[test]
fn without_compat_mode_the_dump_still_knows_the_next_hop() {
    if !root() {
        return;
    }
    let lab = lab("ncompat");
    let ns = lab.name.clone();
    let a0 = lab.ifindex("a0");
    let ok = Command::new("ip")
        .args([
            "netns",
            "exec",
            &ns,
            "sysctl",
            "-qw",
            "net.ipv4.nexthop_compat_mode=0",
        ])
        .status()
        .unwrap()
        .success();
    assert!(ok, "sysctl nexthop_compat_mode");
    lab.run(move || async move {
        let mut t = KernelTable::open(TableConfig::default()).unwrap();
        let r = via("198.19.0.0/24", "198.18.0.2", a0);
        t.apply(&[RouteChange::Replace(r.clone())]).await.unwrap();
        // The kernel now names the object only.
        let out = ipn(&ns, "route show 198.19.0.0/24");
        assert!(!out.contains("via"), "{out}");
        let dumped = t.dump().await.unwrap();
        let k = dumped.iter().find(|k| k.route.dst == r.dst).unwrap();
        assert_eq!(k.route.next_hops[..], r.next_hops[..]);
        let rep = t.reconcile(vec![r]).await.unwrap();
        assert_eq!((rep.written, rep.objects_removed), (0, 0), "{rep:?}");
    });
}
