//! Sessions captured between real daemons (tests/fixtures/sessions/*/a.bgp
//! and b.bgp, one file per direction): every message decodes with what the
//! two OPENs negotiated, and re-encodes to the octets on the wire.
#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::panic,
    missing_docs
)]

use std::path::Path;
use wren_wire::trace::replay;

#[test]
fn captured_sessions_decode_and_reencode_exactly() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/sessions");
    let mut sessions = 0;
    let mut messages = 0;
    let mut dirs: Vec<_> = std::fs::read_dir(&root)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .collect();
    dirs.sort();
    for dir in dirs {
        let a = std::fs::read(dir.join("a.bgp")).unwrap();
        let b = std::fs::read(dir.join("b.bgp")).unwrap();
        for (name, sent, received) in [("a", &a, &b), ("b", &b, &a)] {
            let d =
                replay(sent, received).unwrap_or_else(|e| panic!("{}/{name}: {e}", dir.display()));
            assert!(
                d.lines.first().is_some_and(|l| l.starts_with("OPEN")),
                "{}/{name}",
                dir.display()
            );
            if let Some((wire, ours)) = d.mismatches.first() {
                panic!(
                    "{}/{name}: re-encoding differs\nwire {wire:02x?}\nours {ours:02x?}",
                    dir.display()
                );
            }
            messages += d.lines.len();
        }
        sessions += 1;
    }
    assert!(
        sessions >= 1,
        "no captured sessions found under {}",
        root.display()
    );
    eprintln!("{sessions} sessions, {messages} messages re-encoded exactly");
}
