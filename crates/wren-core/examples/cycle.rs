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

mod common;

use common::{messages, Lab};
use std::time::{Duration, Instant};
use wren_core::announce::Announcer;
use wren_core::export::ExportTarget;
use wren_core::policy::AcceptAll;
use wren_core::receive::{receive_update, Receiver};
use wren_core::rib::*;
use wren_wire::update::decode_update;
use wren_wire::Negotiated;

/// wrend's `EXPORT_BATCH`.
const BATCH: usize = 16_384;

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
    let lab = Lab::new(n);
    let mut core = Core {
        rx: Receiver {
            source: lab.a,
            rules: &lab.rules,
            policy: &AcceptAll,
        },
        to: &lab.to,
        neg: &lab.neg,
        sources: &lab.sources,
        table: Table::new(),
        store: AttrStore::default(),
        announcer: Announcer::default(),
        changes: Vec::new(),
        out: Vec::new(),
        batch: batch(),
    };
    let mut best = [f64::MAX; 4];
    for round in 1..=rounds {
        let (ar, ae, am) = core.run(&lab.announce);
        assert_eq!(core.table.len(), n as usize);
        let (wr, we, wm) = core.run(&lab.withdraw);
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
