//! # wren-core — the protocol core of Wren
//!
//! Pure and deterministic: events in, actions out. No sockets, clocks or
//! threads live here, so the same code runs in `wrend`, in simulated-time
//! tests, under a fuzzer and under callgrind.
//!
//! - [`session`]: the BGP session FSM (RFC 4271 §8) with BIRD's timers.
//! - [`time`]: the caller-supplied clock.

#![cfg_attr(
    test,
    allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::panic)
)]

pub mod session;
pub mod time;
