//! The one error type of the netlink side. Per-route failures are not
//! errors of a call: they come back in [`crate::ApplyReport`].

use std::io;

pub use crate::netlink::KernelError;

/// Why a netlink call failed as a whole.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The socket itself failed (open, send, receive).
    #[error("netlink socket: {0}")]
    Io(#[from] io::Error),
    /// The kernel refused a whole request (a dump).
    #[error("kernel: {0}")]
    Kernel(KernelError),
    /// The kernel sent something we could not decode.
    #[error("netlink message: {0}")]
    Decode(String),
}
