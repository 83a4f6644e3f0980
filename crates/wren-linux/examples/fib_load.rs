//! Installs N IPv4 routes into a fresh namespace's main table through
//! `KernelTable::apply`, dumps them, and removes them, printing wall and
//! CPU seconds per phase (CPU includes the kernel's work, which runs in
//! our `sendmsg`).
//!
//! ```text
//! cargo run --release -p wren-linux --example fib_load -- [ROUTES] [32|24] [INSTALL_ORDER] [REMOVAL_ORDER] [object|carry]
//! ```
//!
//! Defaults: 1,000,000 /32 routes from 10.0.0.0, via 198.18.0.2 on a veth,
//! installed and removed in address order, naming one nexthop object;
//! `scatter` for an order is the order [`ScatterQueue`] hands them out
//! (what wrend does), `carry` has every route carry its next hop (what
//! BIRD does).
//! /24 routes start at 32.0.0.0 (a million /24s need a /4). Needs root;
//! the namespace `wl<pid>-fib` is deleted at the end, also on error.
#![allow(clippy::unwrap_used, clippy::panic)]

use std::net::{IpAddr, Ipv4Addr};
use std::process::Command;
use std::time::{Duration, Instant};

use nix::sys::resource::{getrusage, UsageWho};
use wren_linux::{KernelTable, NextHop, Prefix, Route, RouteChange, ScatterQueue, TableConfig};
use wren_wire::Ipv4Prefix;

/// Deletes the namespace on drop.
struct Netns(String);

impl Drop for Netns {
    fn drop(&mut self) {
        let _ = Command::new("ip").args(["netns", "del", &self.0]).status();
    }
}

fn ip(args: &[&str]) {
    let ok = Command::new("ip").args(args).status().unwrap().success();
    assert!(ok, "ip {}", args.join(" "));
}

/// (user, system) CPU time of this process so far.
fn cpu() -> (Duration, Duration) {
    let u = getrusage(UsageWho::RUSAGE_SELF).unwrap();
    let t =
        |tv: nix::sys::time::TimeVal| Duration::new(tv.tv_sec() as u64, tv.tv_usec() as u32 * 1000);
    (t(u.user_time()), t(u.system_time()))
}

/// Runs `f`, printing its wall and CPU seconds under `name`.
async fn phase<T>(name: &str, n: usize, f: impl std::future::Future<Output = T>) -> T {
    let (w0, c0) = (Instant::now(), cpu());
    let out = f.await;
    let wall = w0.elapsed().as_secs_f64();
    let c1 = cpu();
    let (user, sys) = ((c1.0 - c0.0).as_secs_f64(), (c1.1 - c0.1).as_secs_f64());
    println!(
        "{name:>8}: {n} routes, wall {wall:.3} s, cpu {:.3} s (user {user:.3}, sys {sys:.3}), {:.0} routes/s",
        user + sys,
        n as f64 / wall
    );
    out
}

/// `prefixes` (in address order) in the order `how` names: `address`
/// (the default) or `scatter`, the order [`ScatterQueue`] hands them out.
fn in_order(prefixes: &[Prefix], how: Option<&String>) -> Vec<Prefix> {
    match how.map_or("address", String::as_str) {
        "address" => prefixes.to_vec(),
        "scatter" => {
            let mut q = ScatterQueue::new();
            for p in prefixes {
                q.push(*p);
            }
            let mut out = Vec::with_capacity(prefixes.len());
            q.take(prefixes.len(), &mut out);
            out
        }
        other => panic!("order must be address or scatter, not {other}"),
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let n: usize = args.get(1).map_or(1_000_000, |a| a.parse().unwrap());
    let len: u8 = args.get(2).map_or(32, |a| a.parse().unwrap());
    let ns = Netns(format!("wl{}-fib", std::process::id()));
    ip(&["netns", "add", &ns.0]);
    ip(&[
        "-n", &ns.0, "link", "add", "a0", "type", "veth", "peer", "name", "b0",
    ]);
    ip(&["-n", &ns.0, "link", "set", "a0", "up"]);
    ip(&["-n", &ns.0, "link", "set", "b0", "up"]);
    ip(&["-n", &ns.0, "addr", "add", "198.18.0.1/24", "dev", "a0"]);
    let f = std::fs::File::open(format!("/run/netns/{}", ns.0)).unwrap();
    nix::sched::setns(f, nix::sched::CloneFlags::CLONE_NEWNET).unwrap();

    let (base, step) = match len {
        32 => (u32::from(Ipv4Addr::new(10, 0, 0, 0)), 1u32),
        24 => (u32::from(Ipv4Addr::new(32, 0, 0, 0)), 256),
        _ => panic!("prefix length must be 32 or 24"),
    };
    let a0 = nix::net::if_::if_nametoindex("a0").unwrap();
    let gw = NextHop::via_dev(IpAddr::V4(Ipv4Addr::new(198, 18, 0, 2)), a0);
    let objects = match args.get(5).map_or("object", String::as_str) {
        "object" => true,
        "carry" => false,
        other => panic!("next hops are object or carry, not {other}"),
    };
    let prefixes: Vec<Prefix> = (0..n as u32)
        .map(|i| Prefix::V4(Ipv4Prefix::new(Ipv4Addr::from(base + i * step), len).unwrap()))
        .collect();
    let install = in_order(&prefixes, args.get(3));
    let remove = in_order(&prefixes, args.get(4));
    let adds: Vec<RouteChange> = install
        .iter()
        .map(|p| RouteChange::Add(Route::unicast(*p, vec![gw.clone()])))
        .collect();
    let dels: Vec<RouteChange> = remove.iter().map(|p| RouteChange::Delete(*p)).collect();

    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let mut t = KernelTable::open(TableConfig {
            nexthop_objects: objects,
            ..TableConfig::default()
        })
        .unwrap();
        let r = phase("install", n, t.apply(&adds)).await.unwrap();
        assert!(
            r.failed.is_empty(),
            "{} failed, first {:?}",
            r.failed.len(),
            r.failed.first()
        );
        let d = phase("dump", n, t.dump()).await.unwrap();
        let ours = d.iter().filter(|r| r.protocol == 12).count();
        assert_eq!(ours, n, "dump found {ours} of our routes");
        let r = phase("remove", n, t.apply(&dels)).await.unwrap();
        assert!(r.failed.is_empty(), "{} failed", r.failed.len());
    });
}
