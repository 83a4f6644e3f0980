//! Wren on Linux: netlink and socket options at the edge of the daemon.
//!
//! - [`KernelTable`] programs one kernel routing table in batches and
//!   reads it back (BIRD's `kernel` protocol);
//! - [`ScatterQueue`] holds prefixes waiting for it, and hands them out in
//!   an order that spares the kernel's trie;
//! - [`Interfaces`] lists links and addresses (BIRD's `device` and
//!   `direct`);
//! - [`EventStream`] follows route, link and address changes;
//! - [`sockopt`] sets TCP MD5, TTL and GTSM options on BGP sockets;
//! - [`nd`] sends and hears IPv6 router advertisements (BGP unnumbered).
//!
//! Every netlink object works in the network namespace of the thread that
//! opened it, and must be opened inside a tokio runtime (current-thread is
//! fine): the sockets register with the runtime's reactor.

mod error;
mod events;
mod kernel;
mod links;
pub mod nd;
mod netlink;
mod nexthop;
mod nlmsg;
mod routes;
mod scatter;
pub mod sockopt;

pub use error::{Error, KernelError};
pub use events::{EventStream, Group, KernelEvent};
pub use kernel::{ApplyReport, KernelTable, ReconcileReport, RouteFailure, TableConfig};
pub use links::{Address, Interfaces, Link};
pub use routes::{KernelRoute, NextHop, NextHops, Route, RouteChange, RouteKind};
pub use scatter::ScatterQueue;
pub use wren_wire::Prefix;
