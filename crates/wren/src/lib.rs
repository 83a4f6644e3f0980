//! # wren — the binaries' shared code
//!
//! [`daemon`] is `wrend`: the tokio edge around wren-core. Sockets, timers
//! and the kernel live here; every protocol decision is wren-core's.
//! [`log`] carries out BIRD's `log` statements.

pub mod config;
pub mod control;
pub mod daemon;
pub mod lab;
pub mod log;
pub mod timefmt;
