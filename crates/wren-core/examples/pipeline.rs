//! The core's own speed, without sockets: N IPv4 /24 routes with one
//! shared attribute set arrive from one eBGP peer (as packed UPDATEs),
//! go into the table, and are packed for a second eBGP peer; then all are
//! withdrawn and the withdrawals packed. Prints wall and CPU seconds per
//! phase and the peak RSS, for comparison with BIRD's whole-daemon figure
//! in DESIGN.md (1M routes, one in, one out: 1.0 s wall, 0.71 CPU s).
//!
//! `cargo run --release -p wren-core --example pipeline -- [ROUTES]`
#![allow(clippy::unwrap_used, clippy::indexing_slicing, missing_docs)]

mod common;

use common::{messages, Lab};
use std::time::Instant;
use wren_core::announce::Announcer;
use wren_core::policy::AcceptAll;
use wren_core::receive::{receive_update, Receiver};
use wren_core::rib::*;
use wren_wire::update::decode_update;
use wren_wire::Prefix;

fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let f: Vec<&str> = stat
        .rsplit(')')
        .next()
        .unwrap_or("")
        .split_whitespace()
        .collect();
    let ticks: f64 = f.get(11).and_then(|x| x.parse().ok()).unwrap_or(0.0)
        + f.get(12).and_then(|x| x.parse().ok()).unwrap_or(0.0);
    ticks / 100.0
}

fn peak_rss_mib() -> f64 {
    let s = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    s.lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .unwrap_or(0.0)
        / 1024.0
}

struct Phase(&'static str, Instant, f64);

impl Phase {
    fn start(name: &'static str) -> Phase {
        Phase(name, Instant::now(), cpu_seconds())
    }
    fn end(self, detail: String) {
        println!(
            "{:<22} {:>7.3} s wall {:>7.3} s CPU   {detail}",
            self.0,
            self.1.elapsed().as_secs_f64(),
            cpu_seconds() - self.2
        );
    }
}

fn main() {
    println!(
        "sizes: Prefix {} Path {} Entry {} Change {} octets",
        std::mem::size_of::<Prefix>(),
        std::mem::size_of::<Path>(),
        std::mem::size_of::<Entry>(),
        std::mem::size_of::<Change>()
    );
    let n: u32 = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(1_000_000);
    let lab = Lab::new(n);
    let Lab {
        neg,
        announce: input,
        withdraw: withdrawals,
        sources,
        to: to_b,
        ..
    } = &lab;
    let rx = Receiver {
        source: lab.a,
        rules: &lab.rules,
        policy: &AcceptAll,
    };
    let mut table = Table::new();
    let mut store = AttrStore::default();
    let mut announcer = Announcer::default();
    let mut changes = Vec::new();
    let mut out = Vec::with_capacity(input.len() + input.len() / 4);

    let ph = Phase::start("receive");
    let mut msgs = 0;
    for m in messages(input) {
        let u = decode_update(&m[19..], neg).unwrap();
        receive_update(&u, &rx, sources, &mut store, &mut table);
        msgs += 1;
    }
    ph.end(format!(
        "{n} routes in {msgs} UPDATEs, {} attribute sets",
        store.len()
    ));

    let ph = Phase::start("export (pack)");
    table.take_changes(&mut changes);
    let built = announcer.build(
        &changes, sources, to_b, &AcceptAll, neg, &mut store, &mut out,
    );
    ph.end(format!(
        "{} routes in {} UPDATEs, {} octets",
        built.announced,
        built.messages,
        out.len()
    ));

    let ph = Phase::start("receive withdrawals");
    for m in messages(withdrawals) {
        let u = decode_update(&m[19..], neg).unwrap();
        receive_update(&u, &rx, sources, &mut store, &mut table);
    }
    ph.end(format!("{} prefixes left", table.len()));

    let ph = Phase::start("export withdrawals");
    changes.clear();
    out.clear();
    table.take_changes(&mut changes);
    let built = announcer.build(
        &changes, sources, to_b, &AcceptAll, neg, &mut store, &mut out,
    );
    ph.end(format!(
        "{} withdrawn in {} UPDATEs",
        built.withdrawn, built.messages
    ));
    println!(
        "peak RSS {:.1} MiB (input and output buffers included)",
        peak_rss_mib()
    );
}
