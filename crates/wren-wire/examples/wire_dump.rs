//! Prints a captured BGP session as Wren's codec reads it, and checks that
//! every message re-encodes to the octets on the wire.
//!
//! Usage: `wire_dump A.bgp B.bgp` where A.bgp holds the messages one
//! speaker sent and B.bgp those of the other (the format of
//! `tests/fixtures/sessions/*/`, written by `tests/fixtures/extract.py`).

use std::process::ExitCode;
use wren_wire::trace::replay;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [a, b] = args.as_slice() else {
        eprintln!("usage: wire_dump A.bgp B.bgp");
        return ExitCode::from(2);
    };
    let (Ok(sa), Ok(sb)) = (std::fs::read(a), std::fs::read(b)) else {
        eprintln!("cannot read {a} or {b}");
        return ExitCode::from(2);
    };
    let mut failed = false;
    for (name, sent, received) in [(a, &sa, &sb), (b, &sb, &sa)] {
        println!("== sent by {name}");
        match replay(sent, received) {
            Ok(d) => {
                for l in &d.lines {
                    println!("  {l}");
                }
                println!(
                    "  -- {} messages, {} re-encoded identically",
                    d.lines.len(),
                    d.lines.len() - d.mismatches.len()
                );
                for (wire, ours) in &d.mismatches {
                    failed = true;
                    println!("  MISMATCH\n    wire {wire:02x?}\n    ours {ours:02x?}");
                }
            }
            Err(e) => {
                failed = true;
                println!("  REJECTED: {e}");
            }
        }
    }
    if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}
