//! # wren-core — the protocol core of Wren
//!
//! Pure and deterministic: events in, actions out. No sockets, clocks or
//! threads live here, so the same code runs in `wrend`, in simulated-time
//! tests, under a fuzzer and under callgrind.
//!
//! - [`session`]: the BGP session FSM (RFC 4271 §8) with BIRD's timers.
//! - [`receive`], [`import`]: a received UPDATE into the table, loop checks.
//! - [`export`], [`announce`]: eBGP/iBGP/reflection rules, packed UPDATEs out.
//! - [`policy`]: the seam where import/export filters plug in.
//! - [`rib`]: route sources, interned attributes, best path, the table.
//! - [`time`]: the caller-supplied clock.

#![cfg_attr(
    test,
    allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::panic)
)]

pub mod announce;
pub mod export;
pub mod import;
pub mod policy;
pub mod receive;
pub mod rib;
pub mod session;
pub mod time;
