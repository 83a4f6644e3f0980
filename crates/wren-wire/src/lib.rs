//! # wren-wire — the BGP-4 codec of Wren
//!
//! Bytes in, typed messages out, and back. This crate is pure: it owns no
//! sockets, clocks or threads, so the same code runs in the daemon, under a
//! fuzzer and under callgrind.
//!
//! The shape follows the RFCs:
//! - [`header`]: the 19-octet message header and stream framing (RFC 4271 §4.1).
//! - [`open`], [`capability`]: OPEN with optional parameters (RFC 4271 §4.2,
//!   RFC 5492, RFC 9072) and the capabilities Wren negotiates.
//! - [`update`]: UPDATE decoding with RFC 7606 verdicts, and packing encoders.
//! - [`attributes`]: path attributes (RFC 4271 §5, and the RFCs that add them).
//! - [`nlri`], [`prefix`]: prefixes as they travel, with ADD-PATH ids (RFC 7911).
//! - [`notification`], [`route_refresh`]: the remaining messages.
//! - [`session`]: what two OPENs negotiate that changes the encoding.
//!
//! Decoding never panics on any input: every read goes through [`reader::Reader`],
//! which returns `None` past the end instead of indexing.

#![cfg_attr(
    test,
    allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::panic)
)]

pub mod attributes;
pub mod capability;
pub mod family;
pub mod flowspec;
pub mod header;
pub mod message;
pub mod nlri;
pub mod notification;
pub mod open;
pub mod prefix;
pub mod reader;
pub mod route_refresh;
pub mod session;
pub mod trace;
pub mod update;

mod error;
#[doc(hidden)]
pub mod fuzzing;

pub use error::DecodeError;
pub use family::{Afi, AfiSafi, Family, FamilySet, Safi};
pub use message::{decode_message, Message};
pub use nlri::{Nlri, NlriSection};
pub use notification::Notification;
pub use open::Open;
pub use prefix::{Ipv4Prefix, Ipv6Prefix, Prefix};
pub use session::Negotiated;
pub use update::{Update, Verdict};
