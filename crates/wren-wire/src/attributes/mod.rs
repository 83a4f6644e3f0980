//! Path attributes (RFC 4271 §4.3, §5 and the RFCs that add attributes).
//!
//! [`PathAttributes`] is the owned, hashable set of attributes of a route
//! (MP_REACH/MP_UNREACH excluded: they carry routes, not attributes). It is
//! built once per UPDATE, never per prefix, and is meant to be interned by
//! the RIB. Decoding with RFC 7606 rules is in [`decode`], encoding in
//! [`encode`].

pub mod as_path;
pub mod community;
pub mod decode;
pub mod encode;

pub use as_path::{AsPath, Segment, SegmentType};
pub use community::{Community, ExtCommunity, LargeCommunity};

use std::net::Ipv4Addr;

/// Attribute flag bits (RFC 4271 §4.3). The low four bits are reserved:
/// ignored on receipt, zero on send (RFC 7606 §3 (e)... and RFC 4271).
pub mod flags {
    /// Optional (1) or well-known (0).
    pub const OPTIONAL: u8 = 0x80;
    /// Transitive.
    pub const TRANSITIVE: u8 = 0x40;
    /// Partial: some speaker on the way did not recognise it.
    pub const PARTIAL: u8 = 0x20;
    /// Two-octet length field.
    pub const EXTENDED_LENGTH: u8 = 0x10;
    /// The bits that have a meaning.
    pub const DEFINED: u8 = 0xf0;
}

/// Attribute type codes (IANA "BGP Path Attributes").
pub mod attr_type {
    /// ORIGIN.
    pub const ORIGIN: u8 = 1;
    /// AS_PATH.
    pub const AS_PATH: u8 = 2;
    /// NEXT_HOP.
    pub const NEXT_HOP: u8 = 3;
    /// MULTI_EXIT_DISC.
    pub const MULTI_EXIT_DISC: u8 = 4;
    /// LOCAL_PREF.
    pub const LOCAL_PREF: u8 = 5;
    /// ATOMIC_AGGREGATE.
    pub const ATOMIC_AGGREGATE: u8 = 6;
    /// AGGREGATOR.
    pub const AGGREGATOR: u8 = 7;
    /// COMMUNITIES (RFC 1997).
    pub const COMMUNITIES: u8 = 8;
    /// ORIGINATOR_ID (RFC 4456).
    pub const ORIGINATOR_ID: u8 = 9;
    /// CLUSTER_LIST (RFC 4456).
    pub const CLUSTER_LIST: u8 = 10;
    /// MP_REACH_NLRI (RFC 4760).
    pub const MP_REACH_NLRI: u8 = 14;
    /// MP_UNREACH_NLRI (RFC 4760).
    pub const MP_UNREACH_NLRI: u8 = 15;
    /// EXTENDED COMMUNITIES (RFC 4360).
    pub const EXTENDED_COMMUNITIES: u8 = 16;
    /// AS4_PATH (RFC 6793).
    pub const AS4_PATH: u8 = 17;
    /// AS4_AGGREGATOR (RFC 6793).
    pub const AS4_AGGREGATOR: u8 = 18;
    /// Tunnel Encapsulation (RFC 9012).
    pub const TUNNEL_ENCAPSULATION: u8 = 23;
    /// IPv6 Address Specific Extended Community (RFC 5701).
    pub const IPV6_EXTENDED_COMMUNITIES: u8 = 25;
    /// Accumulated IGP Metric (RFC 7311).
    pub const AIGP: u8 = 26;
    /// LARGE_COMMUNITY (RFC 8092).
    pub const LARGE_COMMUNITY: u8 = 32;
    /// Only to Customer (RFC 9234).
    pub const OTC: u8 = 35;
    /// BGP Prefix-SID (RFC 8669).
    pub const PREFIX_SID: u8 = 40;
}

/// ORIGIN values.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Origin {
    /// IGP (0).
    Igp = 0,
    /// EGP (1).
    Egp = 1,
    /// INCOMPLETE (2).
    Incomplete = 2,
}

impl Origin {
    /// From the wire value.
    pub fn from_code(c: u8) -> Option<Self> {
        Some(match c {
            0 => Origin::Igp,
            1 => Origin::Egp,
            2 => Origin::Incomplete,
            _ => return None,
        })
    }
}

/// AGGREGATOR: who aggregated, always with a 4-octet AS inside Wren.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Aggregator {
    /// Aggregating AS.
    pub asn: u32,
    /// Aggregating speaker's address.
    pub addr: Ipv4Addr,
}

/// An attribute Wren carries without interpreting: unknown optional
/// transitive attributes, and a few that are validated but not used.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct RawAttribute {
    /// Flags to send with (reserved bits clear; Partial set when the
    /// attribute is unrecognised, RFC 4271 §5).
    pub flags: u8,
    /// Type code.
    pub type_code: u8,
    /// Value octets.
    pub value: Vec<u8>,
}

/// The attributes of a route.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct PathAttributes {
    /// ORIGIN.
    pub origin: Option<Origin>,
    /// AS_PATH, with 4-octet numbers (merged with AS4_PATH on 2-octet sessions).
    pub as_path: Option<AsPath>,
    /// NEXT_HOP (IPv4 NLRI field only; MP next hops travel with their routes).
    pub next_hop: Option<Ipv4Addr>,
    /// MULTI_EXIT_DISC.
    pub med: Option<u32>,
    /// LOCAL_PREF.
    pub local_pref: Option<u32>,
    /// ATOMIC_AGGREGATE.
    pub atomic_aggregate: bool,
    /// AGGREGATOR (merged with AS4_AGGREGATOR on 2-octet sessions).
    pub aggregator: Option<Aggregator>,
    /// COMMUNITIES, in received order.
    pub communities: Vec<Community>,
    /// ORIGINATOR_ID.
    pub originator_id: Option<Ipv4Addr>,
    /// CLUSTER_LIST.
    pub cluster_list: Vec<Ipv4Addr>,
    /// EXTENDED COMMUNITIES.
    pub ext_communities: Vec<ExtCommunity>,
    /// LARGE_COMMUNITY.
    pub large_communities: Vec<LargeCommunity>,
    /// Only to Customer.
    pub otc: Option<u32>,
    /// Accumulated IGP metric (the AIGP TLV of RFC 7311). Whether to accept
    /// it depends on the session (RFC 7311 §3.1); that is the core's call.
    pub aigp: Option<u64>,
    /// Other attributes, sorted by type code, one per type.
    pub other: Vec<RawAttribute>,
}

/// A set of attribute type codes, as a 256-bit map (no allocation).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct AttrSet([u64; 4]);

impl AttrSet {
    /// Adds a type.
    pub fn insert(&mut self, t: u8) {
        if let Some(w) = self.0.get_mut(usize::from(t >> 6)) {
            *w |= 1 << (t & 63);
        }
    }

    /// Membership.
    pub fn contains(&self, t: u8) -> bool {
        self.0
            .get(usize::from(t >> 6))
            .is_some_and(|w| w & (1 << (t & 63)) != 0)
    }

    /// True when empty.
    pub fn is_empty(&self) -> bool {
        self.0 == [0; 4]
    }

    /// Members in ascending order.
    pub fn iter(self) -> impl Iterator<Item = u8> {
        (0..=u8::MAX).filter(move |t| self.contains(*t))
    }
}

/// Most attributes whose order [`AttrLayout`] remembers.
pub const MAX_LAYOUT: usize = 32;

/// The order and flags in which attributes arrived, so that a message can
/// be re-encoded octet for octet (for tests, BMP-style mirroring, and
/// debugging). Fixed size: recording it costs no allocation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AttrLayout {
    entries: [(u8, u8); MAX_LAYOUT],
    len: u8,
    overflow: bool,
}

impl Default for AttrLayout {
    fn default() -> Self {
        AttrLayout {
            entries: [(0, 0); MAX_LAYOUT],
            len: 0,
            overflow: false,
        }
    }
}

impl AttrLayout {
    pub(crate) fn push(&mut self, type_code: u8, flags: u8) {
        match self.entries.get_mut(usize::from(self.len)) {
            Some(e) => {
                *e = (type_code, flags);
                self.len += 1;
            }
            None => self.overflow = true,
        }
    }

    /// (type, flags as received) in arrival order.
    pub fn entries(&self) -> &[(u8, u8)] {
        self.entries
            .get(..usize::from(self.len))
            .unwrap_or_default()
    }

    /// True when more attributes arrived than the layout holds; the tail
    /// is then encoded in canonical order.
    pub fn overflowed(&self) -> bool {
        self.overflow
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attr_set() {
        let mut s = AttrSet::default();
        assert!(s.is_empty());
        for t in [0, 63, 64, 200, 255] {
            s.insert(t);
        }
        assert_eq!(s.iter().collect::<Vec<_>>(), vec![0, 63, 64, 200, 255]);
        assert!(!s.contains(1));
    }

    #[test]
    fn layout_overflow_is_recorded() {
        let mut l = AttrLayout::default();
        for t in 0..40 {
            l.push(t, 0x80);
        }
        assert_eq!(l.entries().len(), MAX_LAYOUT);
        assert!(l.overflowed());
    }
}
