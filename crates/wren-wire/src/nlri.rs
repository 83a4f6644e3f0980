//! NLRI: the prefixes of one family as they travel in the UPDATE's withdrawn
//! and NLRI fields and inside MP_REACH/MP_UNREACH (RFC 4271 §4.3, RFC 4760),
//! optionally preceded by an ADD-PATH path identifier (RFC 7911 §3).
//!
//! ```text
//! +--------------------------------+
//! | Path Identifier (4 octets)     |  only when ADD-PATH receive is negotiated
//! +--------------------------------+
//! | Length (1 octet, in bits)      |
//! +--------------------------------+
//! | Prefix (ceil(Length/8) octets) |
//! +--------------------------------+
//! ```
//!
//! A section is validated once ([`NlriSection::parse`]) and then iterated
//! without allocation: the hot path never builds a `Vec` of prefixes.

use crate::prefix::{Ipv4Prefix, Ipv6Prefix, Prefix};
use crate::reader::Reader;
use crate::Family;

/// One announced or withdrawn route: a prefix and its ADD-PATH identifier.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Nlri {
    /// The prefix.
    pub prefix: Prefix,
    /// The path identifier, present when ADD-PATH is in use for the family.
    pub path_id: Option<u32>,
}

impl Nlri {
    /// A route without a path identifier.
    pub fn new(prefix: Prefix) -> Self {
        Nlri {
            prefix,
            path_id: None,
        }
    }

    /// Octets taken on the wire.
    pub fn wire_len(&self, add_path: bool) -> usize {
        self.prefix.wire_len() + if add_path { 4 } else { 0 }
    }

    /// Appends the wire form. With `add_path`, a missing id is sent as 0.
    pub fn encode(&self, add_path: bool, out: &mut Vec<u8>) {
        if add_path {
            out.extend_from_slice(&self.path_id.unwrap_or(0).to_be_bytes());
        }
        let len = self.prefix.len();
        let end = out.len() + 1 + usize::from(len).div_ceil(8);
        out.push(len);
        // The whole address, then cut to the prefix's octets: a copy of a
        // fixed size is a store or two, one of `n` octets a call to
        // memcpy or a loop (an eighth of the packing of withdrawals).
        match self.prefix {
            Prefix::V4(p) => out.extend_from_slice(&p.bits().to_be_bytes()),
            Prefix::V6(p) => out.extend_from_slice(&p.bits().to_be_bytes()),
        }
        out.truncate(end);
    }
}

/// Where and why an NLRI field failed to parse.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("malformed NLRI at offset {offset}: {reason}")]
pub struct NlriError {
    /// Offset of the bad entry within the message.
    pub offset: usize,
    /// What was wrong.
    pub reason: &'static str,
}

/// A validated run of NLRI of one family.
#[derive(Clone, Copy, Debug)]
pub struct NlriSection<'a> {
    bytes: &'a [u8],
    family: Family,
    add_path: bool,
    count: usize,
}

impl<'a> NlriSection<'a> {
    /// Validates every entry of `r` (prefix length within the family's bound,
    /// enough octets for the prefix and the path id).
    pub fn parse(mut r: Reader<'a>, family: Family, add_path: bool) -> Result<Self, NlriError> {
        let bytes = r.rest();
        let max_len = if family.is_ipv6() { 128 } else { 32 };
        let mut count = 0;
        while !r.is_empty() {
            let offset = r.offset();
            if add_path && r.take(4).is_none() {
                return Err(NlriError {
                    offset,
                    reason: "truncated path identifier",
                });
            }
            let len = r.u8().ok_or(NlriError {
                offset,
                reason: "truncated prefix length",
            })?;
            if len > max_len {
                return Err(NlriError {
                    offset,
                    reason: "prefix length exceeds address size",
                });
            }
            if r.take(usize::from(len).div_ceil(8)).is_none() {
                return Err(NlriError {
                    offset,
                    reason: "prefix runs past the end of the field",
                });
            }
            count += 1;
        }
        Ok(NlriSection {
            bytes,
            family,
            add_path,
            count,
        })
    }

    /// A section with no routes.
    pub fn empty(family: Family) -> Self {
        NlriSection {
            bytes: &[],
            family,
            add_path: false,
            count: 0,
        }
    }

    /// The family of every route in the section.
    pub fn family(&self) -> Family {
        self.family
    }

    /// Whether entries carry path identifiers.
    pub fn add_path(&self) -> bool {
        self.add_path
    }

    /// Number of routes.
    pub fn len(&self) -> usize {
        self.count
    }

    /// True when there are no routes.
    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// The raw octets.
    pub fn bytes(&self) -> &'a [u8] {
        self.bytes
    }

    /// Iterates the routes.
    pub fn iter(&self) -> NlriIter<'a> {
        NlriIter {
            r: Reader::new(self.bytes),
            v6: self.family.is_ipv6(),
            add_path: self.add_path,
        }
    }
}

impl<'a> IntoIterator for &NlriSection<'a> {
    type Item = Nlri;
    type IntoIter = NlriIter<'a>;
    fn into_iter(self) -> NlriIter<'a> {
        self.iter()
    }
}

/// Iterator over a validated [`NlriSection`]. It stops rather than panics if
/// handed bytes that were not validated.
#[derive(Clone, Debug)]
pub struct NlriIter<'a> {
    r: Reader<'a>,
    v6: bool,
    add_path: bool,
}

impl Iterator for NlriIter<'_> {
    type Item = Nlri;

    #[inline]
    fn next(&mut self) -> Option<Nlri> {
        let path_id = if self.add_path {
            Some(self.r.u32()?)
        } else {
            None
        };
        let len = self.r.u8()?;
        let octets = self.r.take(usize::from(len).div_ceil(8))?;
        let prefix = if self.v6 {
            let mut a = [0u8; 16];
            a.get_mut(..octets.len())?.copy_from_slice(octets);
            Prefix::V6(Ipv6Prefix::from_raw(u128::from_be_bytes(a), len.min(128)))
        } else {
            let mut a = [0u8; 4];
            a.get_mut(..octets.len())?.copy_from_slice(octets);
            Prefix::V4(Ipv4Prefix::from_raw(u32::from_be_bytes(a), len.min(32)))
        };
        Some(Nlri { prefix, path_id })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn section(bytes: &[u8], family: Family, add_path: bool) -> Result<Vec<Nlri>, NlriError> {
        NlriSection::parse(Reader::new(bytes), family, add_path).map(|s| s.iter().collect())
    }

    #[test]
    fn every_length_encodes_its_octets_only() {
        let v4 = std::net::Ipv4Addr::new(0xc6, 0x12, 0xff, 0xff);
        let v6 = std::net::Ipv6Addr::from(u128::MAX - 5);
        let mut prefixes = Vec::new();
        for len in 0..=32 {
            prefixes.push(Prefix::V4(Ipv4Prefix::new(v4, len).unwrap()));
        }
        for len in 0..=128 {
            prefixes.push(Prefix::V6(Ipv6Prefix::new(v6, len).unwrap()));
        }
        for prefix in prefixes {
            for add_path in [false, true] {
                let n = Nlri {
                    prefix,
                    path_id: Some(0x0102_0304),
                };
                let mut out = vec![0xaa];
                n.encode(add_path, &mut out);
                let octets = usize::from(prefix.len()).div_ceil(8);
                assert_eq!(out.len(), 1 + n.wire_len(add_path), "{prefix}");
                let body = if add_path {
                    assert_eq!(out[1..5], [1, 2, 3, 4]);
                    &out[5..]
                } else {
                    &out[1..]
                };
                assert_eq!(body.len(), 1 + octets);
                let family = if prefix.is_ipv6() {
                    Family::Ipv6Unicast
                } else {
                    Family::Ipv4Unicast
                };
                let back = Nlri {
                    path_id: n.path_id.filter(|_| add_path),
                    ..n
                };
                assert_eq!(
                    section(&out[1..], family, add_path).unwrap(),
                    [back],
                    "{prefix}"
                );
            }
        }
    }

    #[test]
    fn ipv4_prefixes_decode_and_mask_host_bits() {
        let got = section(&[24, 10, 1, 2, 0, 7, 0xff], Family::Ipv4Unicast, false).unwrap();
        assert_eq!(got.len(), 3);
        assert_eq!(got[0].prefix.to_string(), "10.1.2.0/24");
        assert_eq!(got[1].prefix.to_string(), "0.0.0.0/0");
        assert_eq!(got[2].prefix.to_string(), "254.0.0.0/7");
    }

    #[test]
    fn add_path_ids_are_read() {
        let got = section(&[0, 0, 0, 9, 8, 10], Family::Ipv4Unicast, true).unwrap();
        assert_eq!(got[0].path_id, Some(9));
        assert_eq!(got[0].prefix.to_string(), "10.0.0.0/8");
    }

    #[test]
    fn overlong_and_truncated_prefixes_are_errors() {
        assert!(section(&[33, 1, 2, 3, 4, 5], Family::Ipv4Unicast, false).is_err());
        assert!(section(&[24, 10, 1], Family::Ipv4Unicast, false).is_err());
        assert!(section(&[129], Family::Ipv6Unicast, false).is_err());
        assert!(section(&[0, 0, 1], Family::Ipv4Unicast, true).is_err());
        let e = NlriSection::parse(Reader::at(&[8, 10, 24, 1], 30), Family::Ipv4Unicast, false)
            .unwrap_err();
        assert_eq!(e.offset, 32);
    }

    #[test]
    fn encode_round_trips() {
        for (s, ap) in [
            ("10.1.2.0/24", false),
            ("2001:db8:1::/48", true),
            ("0.0.0.0/0", true),
        ] {
            let n = Nlri {
                prefix: s.parse().unwrap(),
                path_id: ap.then_some(7),
            };
            let mut out = Vec::new();
            n.encode(ap, &mut out);
            assert_eq!(out.len(), n.wire_len(ap));
            let fam = if n.prefix.is_ipv6() {
                Family::Ipv6Unicast
            } else {
                Family::Ipv4Unicast
            };
            assert_eq!(section(&out, fam, ap).unwrap(), vec![n]);
        }
    }
}
