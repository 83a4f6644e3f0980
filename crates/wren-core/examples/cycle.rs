//! The core in the daemon's rhythm, without sockets: one eBGP peer sends N
//! IPv4 /24s with one shared attribute set, then withdraws them all; the
//! table's changes are taken and packed for a second eBGP peer every
//! 16,384 changed prefixes, as wrend's main loop does (`EXPORT_BATCH`), so
//! the change records stay as small as they are there. Repeats the cycle
//! and prints nanoseconds a route for each half (receive, then export),
//! the minimum over the rounds: the machine's noise only ever adds.
//! `examples/pipeline` takes each phase whole instead.
//!
//! `cargo run --release -p wren-core --example cycle -- [ROUTES] [ROUNDS]`
#![allow(clippy::unwrap_used, clippy::indexing_slicing, missing_docs)]

use std::net::{IpAddr, Ipv4Addr};
use std::time::{Duration, Instant};
use wren_core::announce::Announcer;
use wren_core::export::{ExportTarget, NextHopMode};
use wren_core::import::ImportRules;
use wren_core::policy::AcceptAll;
use wren_core::receive::{receive_update, Receiver};
use wren_core::rib::*;
use wren_wire::attributes::{AsPath, Origin, PathAttributes};
use wren_wire::header::frame;
use wren_wire::update::{decode_update, encode_withdraw, AnnounceTemplate, NextHop};
use wren_wire::{Family, Ipv4Prefix, Negotiated, Nlri, Prefix};

/// wrend's `EXPORT_BATCH`.
const BATCH: usize = 16_384;

fn messages(buf: &[u8]) -> impl Iterator<Item = &[u8]> {
    let mut rest = buf;
    std::iter::from_fn(move || {
        let n = frame(rest, 4096).ok()??;
        let (m, tail) = rest.split_at(n);
        rest = tail;
        Some(m)
    })
}

fn peer(asn: u32, id: u8) -> SourceInfo {
    SourceInfo {
        name: format!("peer{id}"),
        kind: SourceKind::Bgp(BgpSource {
            peer_as: asn,
            local_as: 65000,
            router_id: Ipv4Addr::new(10, 0, 0, id),
            address: IpAddr::V4(Ipv4Addr::new(198, 18, 0, id)),
            rr_client: false,
        }),
        preference: 100,
    }
}

/// The receiving end of one run of UPDATEs: the table, and the time spent
/// receiving and exporting.
struct Core<'a> {
    rx: Receiver<'a>,
    to: &'a ExportTarget,
    neg: &'a Negotiated,
    sources: &'a Sources,
    table: Table,
    store: AttrStore,
    announcer: Announcer,
    changes: Vec<Change>,
    out: Vec<u8>,
    batch: usize,
}

impl Core<'_> {
    /// Feeds every message of `input`, exporting every [`BATCH`] changes;
    /// gives the time spent in each half, and the messages packed.
    fn run(&mut self, input: &[u8]) -> (Duration, Duration, usize) {
        let (mut receive, mut export, mut packed) = (Duration::ZERO, Duration::ZERO, 0);
        let mut msgs = messages(input).peekable();
        while msgs.peek().is_some() {
            let t = Instant::now();
            for m in msgs.by_ref() {
                let u = decode_update(&m[19..], self.neg).unwrap();
                receive_update(&u, &self.rx, self.sources, &mut self.store, &mut self.table);
                if self.table.pending_changes() >= self.batch {
                    break;
                }
            }
            let t2 = Instant::now();
            receive += t2 - t;
            self.changes.clear();
            self.out.clear();
            self.table.take_changes(&mut self.changes);
            let built = self.announcer.build(
                &self.changes,
                self.sources,
                self.to,
                &AcceptAll,
                self.neg,
                &mut self.store,
                &mut self.out,
            );
            self.changes.clear();
            packed += built.messages;
            export += t2.elapsed();
        }
        (receive, export, packed)
    }
}

/// The batch: [`BATCH`], or `$CYCLE_BATCH` to try another.
fn batch() -> usize {
    std::env::var("CYCLE_BATCH")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(BATCH)
}

fn ns(d: Duration, n: u32) -> f64 {
    d.as_secs_f64() * 1e9 / f64::from(n)
}

fn main() {
    let mut args = std::env::args().skip(1);
    let n: u32 = args
        .next()
        .and_then(|a| a.parse().ok())
        .unwrap_or(1_000_000);
    let rounds: u32 = args.next().and_then(|a| a.parse().ok()).unwrap_or(5);
    let neg = Negotiated {
        four_octet_as: true,
        ..Negotiated::default()
    };
    let routes: Vec<Nlri> = (0..n)
        .map(|i| {
            Nlri::new(Prefix::V4(
                Ipv4Prefix::new(Ipv4Addr::from(0x0b00_0000 + (i << 8)), 24).unwrap(),
            ))
        })
        .collect();
    let attrs = PathAttributes {
        origin: Some(Origin::Igp),
        as_path: Some(AsPath::sequence(&[65001, 64500, 64501])),
        ..PathAttributes::default()
    };
    let nh = NextHop::V4(Ipv4Addr::new(198, 18, 0, 1));
    let tpl = AnnounceTemplate::new(&attrs, Family::Ipv4Unicast, nh, &neg);
    let (mut announce, mut withdraw) = (Vec::new(), Vec::new());
    let mut rest = &routes[..];
    while !rest.is_empty() {
        let k = tpl.encode(&mut announce, rest).unwrap();
        rest = &rest[k..];
    }
    let mut rest = &routes[..];
    while !rest.is_empty() {
        let k = encode_withdraw(&mut withdraw, Family::Ipv4Unicast, rest, &neg);
        rest = &rest[k..];
    }
    let mut sources = Sources::default();
    let a = sources.add(peer(65001, 1));
    let b = sources.add(peer(65002, 2));
    let rules = ImportRules {
        local_as: 65000,
        router_id: Ipv4Addr::new(10, 0, 0, 100),
        cluster_id: None,
        allow_local_as: 0,
        ibgp: false,
    };
    let to = ExportTarget {
        source: b,
        local_as: 65000,
        peer_as: 65002,
        cluster_id: None,
        router_id: Ipv4Addr::new(10, 0, 0, 100),
        rr_client: false,
        next_hop_mode: NextHopMode::Default,
        local_v4: Some(Ipv4Addr::new(198, 18, 1, 100)),
        local_v6: None,
        local_v6_link_local: None,
        ext_next_hop_v4: false,
        replace_peer_as: false,
        shared: [None, None],
        peer_addr: None,
    };
    let mut core = Core {
        rx: Receiver {
            source: a,
            rules: &rules,
            policy: &AcceptAll,
        },
        to: &to,
        neg: &neg,
        sources: &sources,
        table: Table::new(),
        store: AttrStore::default(),
        announcer: Announcer::default(),
        changes: Vec::new(),
        out: Vec::new(),
        batch: batch(),
    };
    let mut best = [f64::MAX; 4];
    for round in 1..=rounds {
        let (ar, ae, am) = core.run(&announce);
        assert_eq!(core.table.len(), n as usize);
        let (wr, we, wm) = core.run(&withdraw);
        assert!(core.table.is_empty());
        let figures = [ns(ar, n), ns(ae, n), ns(wr, n), ns(we, n)];
        println!(
            "round {round}: announce {:.1} + {:.1} ns, withdraw {:.1} + {:.1} ns a route \
             (receive + export; {am} and {wm} UPDATEs out)",
            figures[0], figures[1], figures[2], figures[3]
        );
        for (b, f) in best.iter_mut().zip(figures) {
            *b = b.min(f);
        }
    }
    println!(
        "best: announce {:.1} + {:.1} ns, withdraw {:.1} + {:.1} ns a route",
        best[0], best[1], best[2], best[3]
    );
}
