//! Encoding path attributes.
//!
//! The canonical order is ascending type code (RFC 4271 §5 asks senders to
//! order them so). With an [`AttrLayout`] recorded at decode time the
//! received order and flags are reproduced instead, so a message decodes
//! and re-encodes to the same octets. Reserved flag bits are always sent
//! as zero; the extended length bit is used when the value needs it, or
//! when the layout says the peer used it.

use super::decode::expected_flags;
use super::{attr_type as at, flags, AttrLayout, AttrSet, PathAttributes};
use crate::open::AS_TRANS;

/// Pre-encoded MP_REACH_NLRI / MP_UNREACH_NLRI values to place among the
/// attributes.
#[derive(Clone, Copy, Debug, Default)]
pub struct MpValues<'a> {
    /// MP_REACH_NLRI value.
    pub reach: Option<&'a [u8]>,
    /// MP_UNREACH_NLRI value.
    pub unreach: Option<&'a [u8]>,
}

/// Writes one attribute: flags, type, length, then what `value` appends.
pub fn put_attribute(
    out: &mut Vec<u8>,
    attr_flags: u8,
    type_code: u8,
    force_extended: bool,
    value: impl FnOnce(&mut Vec<u8>),
) {
    let start = out.len();
    out.push(attr_flags & flags::DEFINED & !flags::EXTENDED_LENGTH);
    out.push(type_code);
    out.push(0);
    if force_extended {
        out.push(0);
    }
    let vstart = out.len();
    value(out);
    let len = out.len() - vstart;
    let extended = force_extended || len > 255;
    if extended && !force_extended {
        out.insert(start + 3, 0);
    }
    if let Some(f) = out.get_mut(start) {
        if extended {
            *f |= flags::EXTENDED_LENGTH;
        }
    }
    let len16 = u16::try_from(len).unwrap_or(u16::MAX).to_be_bytes();
    match (extended, out.get_mut(start + 2..start + 4)) {
        (true, Some(l)) => l.copy_from_slice(&len16),
        (false, _) => {
            if let Some(l) = out.get_mut(start + 2) {
                *l = len16[1];
            }
        }
        (true, None) => {}
    }
}

fn default_flags(t: u8) -> u8 {
    expected_flags(t).unwrap_or(flags::OPTIONAL | flags::TRANSITIVE)
}

struct Encoder<'a> {
    attrs: &'a PathAttributes,
    four_octet: bool,
    mp: MpValues<'a>,
}

impl Encoder<'_> {
    /// Appends attribute `t` if the set has it; `layout_flags` overrides
    /// the flags. Returns whether anything was written.
    fn emit(&self, t: u8, layout_flags: Option<u8>, out: &mut Vec<u8>) -> bool {
        let a = self.attrs;
        let ext = layout_flags.is_some_and(|f| f & flags::EXTENDED_LENGTH != 0);
        let fl = |default: u8| layout_flags.unwrap_or(default);
        let mut put = |f: u8, value: &dyn Fn(&mut Vec<u8>)| {
            put_attribute(out, fl(f), t, ext, value);
            true
        };
        let std = default_flags(t);
        match t {
            at::ORIGIN => a.origin.is_some_and(|o| put(std, &|v| v.push(o as u8))),
            at::AS_PATH => match &a.as_path {
                Some(p) => put(std, &|v| p.encode(self.four_octet, v)),
                None => false,
            },
            at::NEXT_HOP => a
                .next_hop
                .is_some_and(|nh| put(std, &|v| v.extend_from_slice(&nh.octets()))),
            at::MULTI_EXIT_DISC => a
                .med
                .is_some_and(|m| put(std, &|v| v.extend_from_slice(&m.to_be_bytes()))),
            at::LOCAL_PREF => a
                .local_pref
                .is_some_and(|m| put(std, &|v| v.extend_from_slice(&m.to_be_bytes()))),
            at::ATOMIC_AGGREGATE => a.atomic_aggregate && put(std, &|_| {}),
            at::AGGREGATOR => a.aggregator.is_some_and(|g| {
                put(std, &|v| {
                    if self.four_octet {
                        v.extend_from_slice(&g.asn.to_be_bytes());
                    } else {
                        let two = u16::try_from(g.asn).unwrap_or(AS_TRANS);
                        v.extend_from_slice(&two.to_be_bytes());
                    }
                    v.extend_from_slice(&g.addr.octets());
                })
            }),
            at::COMMUNITIES => {
                !a.communities.is_empty()
                    && put(std, &|v| {
                        a.communities
                            .iter()
                            .for_each(|c| v.extend_from_slice(&c.0.to_be_bytes()))
                    })
            }
            at::ORIGINATOR_ID => a
                .originator_id
                .is_some_and(|o| put(std, &|v| v.extend_from_slice(&o.octets()))),
            at::CLUSTER_LIST => {
                !a.cluster_list.is_empty()
                    && put(std, &|v| {
                        a.cluster_list
                            .iter()
                            .for_each(|c| v.extend_from_slice(&c.octets()))
                    })
            }
            at::MP_REACH_NLRI => self
                .mp
                .reach
                .is_some_and(|m| put(std, &|v| v.extend_from_slice(m))),
            at::MP_UNREACH_NLRI => self
                .mp
                .unreach
                .is_some_and(|m| put(std, &|v| v.extend_from_slice(m))),
            at::EXTENDED_COMMUNITIES => {
                !a.ext_communities.is_empty()
                    && put(std, &|v| {
                        a.ext_communities
                            .iter()
                            .for_each(|c| v.extend_from_slice(&c.0))
                    })
            }
            at::AS4_PATH => match &a.as_path {
                Some(p) if !self.four_octet && p.needs_four_octets() => {
                    put(std, &|v| p.encode_as4(v))
                }
                _ => false,
            },
            at::AS4_AGGREGATOR => match a.aggregator {
                Some(g) if !self.four_octet && g.asn > u32::from(u16::MAX) => put(std, &|v| {
                    v.extend_from_slice(&g.asn.to_be_bytes());
                    v.extend_from_slice(&g.addr.octets());
                }),
                _ => false,
            },
            at::LARGE_COMMUNITY => {
                !a.large_communities.is_empty()
                    && put(std, &|v| {
                        for c in &a.large_communities {
                            v.extend_from_slice(&c.global.to_be_bytes());
                            v.extend_from_slice(&c.local1.to_be_bytes());
                            v.extend_from_slice(&c.local2.to_be_bytes());
                        }
                    })
            }
            at::OTC => a
                .otc
                .is_some_and(|o| put(std, &|v| v.extend_from_slice(&o.to_be_bytes()))),
            at::AIGP => a.aigp.is_some_and(|m| {
                put(std, &|v| {
                    v.extend_from_slice(&[1, 0, 11]);
                    v.extend_from_slice(&m.to_be_bytes());
                })
            }),
            _ => match a.other.iter().find(|r| r.type_code == t) {
                Some(r) => put(r.flags, &|v| v.extend_from_slice(&r.value)),
                None => false,
            },
        }
    }
}

/// Appends the encoded attributes. `four_octet` selects AS number width;
/// when false, AS4_PATH and AS4_AGGREGATOR are added where needed (RFC
/// 6793 §4.2.2). With a `layout`, its order and flags come first and any
/// attribute it does not name follows in canonical order.
pub fn encode_attributes(
    attrs: &PathAttributes,
    four_octet: bool,
    layout: Option<&AttrLayout>,
    mp: MpValues<'_>,
    out: &mut Vec<u8>,
) {
    let enc = Encoder {
        attrs,
        four_octet,
        mp,
    };
    let mut done = AttrSet::default();
    if let Some(l) = layout {
        for &(t, f) in l.entries() {
            if !done.contains(t) {
                done.insert(t);
                enc.emit(t, Some(f), out);
            }
        }
    }
    for t in 0..=u8::MAX {
        if !done.contains(t) {
            enc.emit(t, None, out);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::attributes::{AsPath, Community, Origin, RawAttribute};
    use std::net::Ipv4Addr;

    #[test]
    fn long_values_switch_to_extended_length() {
        let mut out = Vec::new();
        put_attribute(&mut out, 0xc0 | 0x0f, 8, false, |v| {
            v.extend_from_slice(&[1; 300])
        });
        assert_eq!(out.get(..4), Some(&[0xd0, 8, 1, 44][..]));
        assert_eq!(out.len(), 304);
        let mut short = Vec::new();
        put_attribute(&mut short, 0x40, 1, false, |v| v.push(0));
        assert_eq!(short, vec![0x40, 1, 1, 0]);
    }

    #[test]
    fn canonical_order_and_reserved_bits_cleared() {
        let attrs = PathAttributes {
            origin: Some(Origin::Igp),
            as_path: Some(AsPath::sequence(&[65001])),
            next_hop: Some(Ipv4Addr::new(198, 18, 0, 1)),
            communities: vec![Community::new(65001, 1)],
            other: vec![RawAttribute {
                flags: 0xe0 | 0x03,
                type_code: 99,
                value: vec![7],
            }],
            ..Default::default()
        };
        let mut out = Vec::new();
        encode_attributes(&attrs, true, None, MpValues::default(), &mut out);
        assert_eq!(
            out,
            vec![
                0x40, 1, 1, 0, //
                0x40, 2, 6, 2, 1, 0, 0, 0xfd, 0xe9, //
                0x40, 3, 4, 198, 18, 0, 1, //
                0xc0, 8, 4, 0xfd, 0xe9, 0, 1, //
                0xe0, 99, 1, 7,
            ]
        );
    }

    #[test]
    fn two_octet_peers_get_as4_attributes_only_when_needed() {
        let mut attrs = PathAttributes {
            as_path: Some(AsPath::sequence(&[65001])),
            ..Default::default()
        };
        let mut out = Vec::new();
        encode_attributes(&attrs, false, None, MpValues::default(), &mut out);
        assert_eq!(out, vec![0x40, 2, 4, 2, 1, 0xfd, 0xe9]);
        attrs.as_path = Some(AsPath::sequence(&[4_200_000_001]));
        out.clear();
        encode_attributes(&attrs, false, None, MpValues::default(), &mut out);
        assert_eq!(
            out,
            vec![0x40, 2, 4, 2, 1, 0x5b, 0xa0, 0xc0, 17, 6, 2, 1, 0xfa, 0x56, 0xea, 0x01]
        );
    }
}
