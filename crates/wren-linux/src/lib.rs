//! Wren on Linux: netlink and socket options at the edge of the daemon.

pub mod sockopt;
