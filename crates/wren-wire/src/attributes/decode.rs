//! Decoding the path attribute section with the rules of RFC 7606.
//!
//! Each attribute is checked for its flags, its length and its value. A
//! fault leads to the approach RFC 7606 §7 names for that attribute:
//! attribute discard, treat-as-withdraw, or (for the few faults after which
//! the routes of the message cannot be found) a session reset, returned as
//! an `Err`. The routes themselves are located by the caller, which is why
//! this module never needs to trust an attribute's own length past the
//! attribute section.

use super::as_path::AsPath;
use super::community::{Community, ExtCommunity, LargeCommunity};
use super::RawAttribute;
use super::{attr_type as at, flags, Aggregator, AttrLayout, AttrSet, Origin, PathAttributes};
use crate::notification::{code, update_error as ue};
use crate::open::AS_TRANS;
use crate::reader::Reader;
use crate::session::Negotiated;
use crate::update::verdict::{Outcome, UpdateError, Verdict};
use crate::DecodeError;
use std::net::Ipv4Addr;

/// MP_REACH/MP_UNREACH as found; parsed by the update module, which knows
/// the families.
#[derive(Clone, Copy, Debug)]
pub(crate) struct RawMp<'a> {
    /// The value.
    pub value: Reader<'a>,
    /// Offset of the attribute header.
    pub offset: usize,
    /// Flags conflicted with the attribute's definition.
    pub bad_flags: bool,
}

/// The attribute section, decoded.
#[derive(Debug, Default)]
pub(crate) struct Decoded<'a> {
    pub attrs: PathAttributes,
    pub mp_reach: Option<RawMp<'a>>,
    pub mp_unreach: Option<RawMp<'a>>,
    pub layout: AttrLayout,
    /// Types present (first occurrence), whatever became of them.
    pub seen: AttrSet,
    /// The section's structure broke: attributes after the break are unseen.
    pub broken: bool,
    /// AS4_PATH of a 2-octet session, until reconciled.
    as4_path: Option<AsPath>,
    /// AS4_AGGREGATOR of a 2-octet session, until reconciled.
    as4_aggregator: Option<Aggregator>,
}

/// What to do when an attribute is malformed (RFC 7606 §7).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Approach {
    Discard,
    Withdraw,
}

fn approach(t: u8) -> Approach {
    match t {
        at::ATOMIC_AGGREGATE
        | at::AGGREGATOR
        | at::AS4_PATH
        | at::AS4_AGGREGATOR
        | at::PREFIX_SID
        | at::AIGP => Approach::Discard,
        _ => Approach::Withdraw,
    }
}

/// (Optional, Transitive) bits each known attribute must carry.
pub(crate) fn expected_flags(t: u8) -> Option<u8> {
    const WK: u8 = flags::TRANSITIVE;
    const ON: u8 = flags::OPTIONAL;
    const OT: u8 = flags::OPTIONAL | flags::TRANSITIVE;
    Some(match t {
        at::ORIGIN | at::AS_PATH | at::NEXT_HOP | at::LOCAL_PREF | at::ATOMIC_AGGREGATE => WK,
        at::MULTI_EXIT_DISC | at::ORIGINATOR_ID | at::CLUSTER_LIST | at::AIGP => ON,
        at::MP_REACH_NLRI | at::MP_UNREACH_NLRI => ON,
        at::AGGREGATOR
        | at::COMMUNITIES
        | at::EXTENDED_COMMUNITIES
        | at::AS4_PATH
        | at::AS4_AGGREGATOR
        | at::TUNNEL_ENCAPSULATION
        | at::IPV6_EXTENDED_COMMUNITIES
        | at::LARGE_COMMUNITY
        | at::OTC
        | at::PREFIX_SID => OT,
        _ => return None,
    })
}

/// A malformation of one attribute.
struct Bad {
    subcode: u8,
    reason: &'static str,
}

fn bad(subcode: u8, reason: &'static str) -> Bad {
    Bad { subcode, reason }
}

fn len_err(reason: &'static str) -> Bad {
    bad(ue::ATTRIBUTE_LENGTH, reason)
}

fn exact<const N: usize>(v: &[u8], reason: &'static str) -> Result<[u8; N], Bad> {
    <[u8; N]>::try_from(v).map_err(|_| len_err(reason))
}

fn multiple_of(v: &[u8], n: usize, reason: &'static str) -> Result<(), Bad> {
    if v.is_empty() || v.len() % n != 0 {
        Err(len_err(reason))
    } else {
        Ok(())
    }
}

/// The metric of the AIGP TLV (type 1, length 11 including the 3-octet TLV
/// header). RFC 7311 §3.2 makes any malformation, a missing AIGP TLV
/// included, a reason to ignore the attribute; other TLV types are skipped.
fn aigp_metric(v: &[u8]) -> Result<u64, Bad> {
    const MALFORMED: &str = "AIGP attribute has no well-formed AIGP TLV";
    let mut r = Reader::new(v);
    let mut metric = None;
    while !r.is_empty() {
        let (Some(t), Some(len)) = (r.u8(), r.u16()) else {
            return Err(bad(ue::OPTIONAL_ATTRIBUTE, MALFORMED));
        };
        let Some(body) = usize::from(len).checked_sub(3).and_then(|n| r.take(n)) else {
            return Err(bad(ue::OPTIONAL_ATTRIBUTE, MALFORMED));
        };
        if t == 1 && metric.is_none() {
            let m: [u8; 8] = body
                .try_into()
                .map_err(|_| bad(ue::OPTIONAL_ATTRIBUTE, MALFORMED))?;
            metric = Some(u64::from_be_bytes(m));
        }
    }
    metric.ok_or(bad(ue::OPTIONAL_ATTRIBUTE, MALFORMED))
}

/// Addresses no BGP next hop may be (RFC 7606 §7.3): this network, loopback,
/// multicast and the reserved class E block.
pub(crate) fn is_martian_v4(a: Ipv4Addr) -> bool {
    let o = a.octets()[0];
    o == 0 || o == 127 || o >= 224
}

fn be32(c: &[u8]) -> u32 {
    <[u8; 4]>::try_from(c).map(u32::from_be_bytes).unwrap_or(0)
}

/// Checks a TLV sequence with `tl` octets of type and length (`len2`: two
/// length octets), exactly filling `v`; `sub` checks each value.
fn tlvs(v: &[u8], long_len: impl Fn(u8) -> bool, mut sub: impl FnMut(u8, &[u8]) -> bool) -> bool {
    let mut r = Reader::new(v);
    while !r.is_empty() {
        let Some(t) = r.u8() else { return false };
        let len = if long_len(t) {
            r.u16()
        } else {
            r.u8().map(u16::from)
        };
        match len.and_then(|l| r.take(usize::from(l))) {
            Some(val) if sub(t, val) => {}
            _ => return false,
        }
    }
    true
}

/// Tunnel Encapsulation (RFC 9012 §2): TLVs of Tunnel Type (2) Length (2),
/// each holding sub-TLVs whose length is one octet for types below 128 and
/// two octets from 128 on. A structure that does not add up is malformed;
/// the approach is treat-as-withdraw (RFC 9012 §13). FRR once reset sessions
/// here instead (CVE-2023-38802), taking routes down across the Internet.
fn check_tunnel_encap(v: &[u8]) -> bool {
    let mut r = Reader::new(v);
    if r.is_empty() {
        return false;
    }
    while !r.is_empty() {
        let (Some(_ty), Some(len)) = (r.u16(), r.u16()) else {
            return false;
        };
        let Some(body) = r.take(usize::from(len)) else {
            return false;
        };
        if !tlvs(body, |t| t >= 128, |_, _| true) {
            return false;
        }
    }
    true
}

/// BGP Prefix-SID (RFC 8669 §3): TLVs of Type (1) Length (2); the Label-Index
/// TLV (1) is 7 octets, the Originator SRGB TLV (3) is 2 + 6k octets with k ≥ 1.
/// Type 0 is reserved. An all-zero attribute therefore fails (type 0) rather
/// than looping on zero-length TLVs.
fn check_prefix_sid(v: &[u8]) -> bool {
    !v.is_empty()
        && tlvs(
            v,
            |_| true,
            |t, val| match t {
                0 => false,
                1 => val.len() == 7,
                3 => val.len() >= 8 && (val.len() - 2) % 6 == 0,
                _ => true,
            },
        )
}

/// Decodes the value of one known attribute into `d`. Returns `Ok(false)`
/// when the attribute is dropped without fault (not for this session).
fn decode_one(
    t: u8,
    fl: u8,
    v: &[u8],
    at_off: usize,
    neg: &Negotiated,
    d: &mut Decoded<'_>,
    out: &mut Outcome,
) -> Result<(), Bad> {
    let four = neg.four_octet_as;
    let a = &mut d.attrs;
    match t {
        at::ORIGIN => {
            let [o] = exact::<1>(v, "ORIGIN length is not 1")?;
            a.origin =
                Some(Origin::from_code(o).ok_or(bad(ue::INVALID_ORIGIN, "ORIGIN value above 2"))?);
        }
        at::AS_PATH => {
            let p = AsPath::decode(Reader::at(v, at_off), four)
                .map_err(|e| bad(ue::MALFORMED_AS_PATH, e.reason))?;
            a.as_path = Some(p);
        }
        at::NEXT_HOP => {
            let nh = Ipv4Addr::from(exact::<4>(v, "NEXT_HOP length is not 4")?);
            if is_martian_v4(nh) {
                return Err(bad(
                    ue::INVALID_NEXT_HOP,
                    "NEXT_HOP is not a unicast host address",
                ));
            }
            a.next_hop = Some(nh);
        }
        at::MULTI_EXIT_DISC => a.med = Some(u32::from_be_bytes(exact(v, "MED length is not 4")?)),
        at::LOCAL_PREF => {
            let lp = u32::from_be_bytes(exact(v, "LOCAL_PREF length is not 4")?);
            if neg.ibgp {
                a.local_pref = Some(lp);
            } else {
                // RFC 4271 §5.1.5, RFC 7606 §7.5: ignored from external peers.
                out.discard(UpdateError {
                    subcode: ue::OPTIONAL_ATTRIBUTE,
                    attr_type: Some(t),
                    offset: at_off,
                    reason: "LOCAL_PREF from an external peer",
                });
            }
        }
        at::ATOMIC_AGGREGATE => {
            if !v.is_empty() {
                return Err(len_err("ATOMIC_AGGREGATE is not empty"));
            }
            a.atomic_aggregate = true;
        }
        at::AGGREGATOR => {
            let agg = if four {
                let b: [u8; 8] = exact(v, "AGGREGATOR length is not 8")?;
                let (asn, addr) = b.split_at(4);
                Aggregator {
                    asn: be32(asn),
                    addr: Ipv4Addr::from(be32(addr)),
                }
            } else {
                let b: [u8; 6] = exact(v, "AGGREGATOR length is not 6")?;
                let (asn, addr) = b.split_at(2);
                let asn = u16::from_be_bytes(<[u8; 2]>::try_from(asn).unwrap_or_default());
                Aggregator {
                    asn: u32::from(asn),
                    addr: Ipv4Addr::from(be32(addr)),
                }
            };
            if agg.asn == 0 {
                return Err(bad(ue::OPTIONAL_ATTRIBUTE, "AGGREGATOR AS is 0 (RFC 7607)"));
            }
            a.aggregator = Some(agg);
        }
        at::COMMUNITIES => {
            multiple_of(v, 4, "COMMUNITIES length is not a non-zero multiple of 4")?;
            a.communities = v.chunks_exact(4).map(|c| Community(be32(c))).collect();
        }
        at::ORIGINATOR_ID | at::CLUSTER_LIST if !neg.ibgp => {
            // RFC 4456 attributes have no meaning between ASes; a route
            // reflector never sends them over eBGP. Drop rather than trust.
            out.discard(UpdateError {
                subcode: ue::OPTIONAL_ATTRIBUTE,
                attr_type: Some(t),
                offset: at_off,
                reason: "route reflection attribute from an external peer",
            });
        }
        at::ORIGINATOR_ID => {
            a.originator_id = Some(Ipv4Addr::from(exact::<4>(
                v,
                "ORIGINATOR_ID length is not 4",
            )?));
        }
        at::CLUSTER_LIST => {
            multiple_of(v, 4, "CLUSTER_LIST length is not a non-zero multiple of 4")?;
            a.cluster_list = v.chunks_exact(4).map(|c| Ipv4Addr::from(be32(c))).collect();
        }
        at::EXTENDED_COMMUNITIES => {
            multiple_of(
                v,
                8,
                "EXTENDED_COMMUNITIES length is not a non-zero multiple of 8",
            )?;
            a.ext_communities = v
                .chunks_exact(8)
                .map(|c| ExtCommunity(<[u8; 8]>::try_from(c).unwrap_or_default()))
                .collect();
        }
        at::LARGE_COMMUNITY => {
            multiple_of(
                v,
                12,
                "LARGE_COMMUNITY length is not a non-zero multiple of 12",
            )?;
            a.large_communities = v
                .chunks_exact(12)
                .map(|c| {
                    let (g, rest) = c.split_at(4);
                    let (l1, l2) = rest.split_at(4);
                    LargeCommunity {
                        global: be32(g),
                        local1: be32(l1),
                        local2: be32(l2),
                    }
                })
                .collect();
        }
        at::OTC => a.otc = Some(u32::from_be_bytes(exact(v, "OTC length is not 4")?)),
        at::AIGP => a.aigp = Some(aigp_metric(v)?),
        at::AS4_PATH | at::AS4_AGGREGATOR if four => {
            // RFC 6793 §3: a NEW speaker never sends these to a NEW speaker.
            out.discard(UpdateError {
                subcode: ue::OPTIONAL_ATTRIBUTE,
                attr_type: Some(t),
                offset: at_off,
                reason: "AS4 attribute from a 4-octet AS peer",
            });
        }
        at::AS4_PATH => {
            let p = AsPath::decode(Reader::at(v, at_off), true)
                .map_err(|e| bad(ue::OPTIONAL_ATTRIBUTE, e.reason))?;
            d.as4_path = Some(p);
        }
        at::AS4_AGGREGATOR => {
            let b: [u8; 8] = exact(v, "AS4_AGGREGATOR length is not 8")?;
            let (asn, addr) = b.split_at(4);
            let agg = Aggregator {
                asn: be32(asn),
                addr: Ipv4Addr::from(be32(addr)),
            };
            if agg.asn == 0 {
                return Err(bad(
                    ue::OPTIONAL_ATTRIBUTE,
                    "AS4_AGGREGATOR AS is 0 (RFC 7607)",
                ));
            }
            d.as4_aggregator = Some(agg);
        }
        at::IPV6_EXTENDED_COMMUNITIES | at::TUNNEL_ENCAPSULATION | at::PREFIX_SID => {
            let ok = match t {
                at::IPV6_EXTENDED_COMMUNITIES => !v.is_empty() && v.len() % 20 == 0,
                at::TUNNEL_ENCAPSULATION => check_tunnel_encap(v),
                _ => check_prefix_sid(v),
            };
            if !ok {
                return Err(bad(ue::OPTIONAL_ATTRIBUTE, "malformed attribute value"));
            }
            a.other.push(RawAttribute {
                flags: fl & (flags::OPTIONAL | flags::TRANSITIVE | flags::PARTIAL),
                type_code: t,
                value: v.to_vec(),
            });
        }
        _ => {
            // Unknown: optional transitive ones travel on with Partial set;
            // optional non-transitive ones are quietly dropped (RFC 4271 §5).
            if fl & flags::TRANSITIVE != 0 {
                a.other.push(RawAttribute {
                    flags: flags::OPTIONAL | flags::TRANSITIVE | flags::PARTIAL,
                    type_code: t,
                    value: v.to_vec(),
                });
            }
        }
    }
    Ok(())
}

/// Decodes the attribute section `r`. `nlri_field` tells whether the
/// UPDATE's IPv4 NLRI field holds routes (NEXT_HOP matters only then).
pub(crate) fn decode_attributes<'a>(
    mut r: Reader<'a>,
    neg: &Negotiated,
    nlri_field: bool,
    out: &mut Outcome,
) -> Result<Decoded<'a>, DecodeError> {
    let mut d = Decoded::default();
    while !r.is_empty() {
        let at_off = r.offset();
        let whole = r.rest();
        let fl = r.u8().unwrap_or(0);
        let t = r.u8();
        let len = if fl & flags::EXTENDED_LENGTH != 0 {
            r.u16()
        } else {
            r.u8().map(u16::from)
        };
        let value = match (t, len) {
            (Some(_), Some(l)) => r.sub(usize::from(l)),
            _ => None,
        };
        let (Some(t), Some(value)) = (t, value) else {
            // RFC 7606 §4: an attribute that overruns the section. What
            // follows cannot be trusted; the routes are still located
            // through the Total Path Attribute Length.
            d.broken = true;
            out.escalate(
                Verdict::TreatAsWithdraw,
                UpdateError {
                    subcode: ue::ATTRIBUTE_LENGTH,
                    attr_type: t,
                    offset: at_off,
                    reason: "attribute runs past the attribute section",
                },
            );
            break;
        };
        let err = |subcode, reason| UpdateError {
            subcode,
            attr_type: Some(t),
            offset: at_off,
            reason,
        };
        if d.seen.contains(t) {
            if t == at::MP_REACH_NLRI || t == at::MP_UNREACH_NLRI {
                return Err(DecodeError::new(
                    code::UPDATE_MESSAGE,
                    ue::MALFORMED_ATTRIBUTE_LIST,
                    at_off,
                    "MP_REACH_NLRI or MP_UNREACH_NLRI appears twice",
                ));
            }
            // RFC 7606 §3 (g): keep the first, discard the others.
            out.discard(err(ue::MALFORMED_ATTRIBUTE_LIST, "attribute appears twice"));
            continue;
        }
        d.seen.insert(t);
        d.layout.push(t, fl);
        let expected = expected_flags(t);
        if expected.is_none() && fl & flags::OPTIONAL == 0 {
            return Err(DecodeError::with_data(
                code::UPDATE_MESSAGE,
                ue::UNRECOGNIZED_WELL_KNOWN,
                whole
                    .get(..r.offset() - at_off)
                    .unwrap_or_default()
                    .to_vec(),
                at_off,
                "unrecognized well-known attribute",
            ));
        }
        let bad_flags = expected.is_some_and(|e| fl & (flags::OPTIONAL | flags::TRANSITIVE) != e);
        if t == at::MP_REACH_NLRI || t == at::MP_UNREACH_NLRI {
            let mp = RawMp {
                value,
                offset: at_off,
                bad_flags,
            };
            if t == at::MP_REACH_NLRI {
                d.mp_reach = Some(mp);
            } else {
                d.mp_unreach = Some(mp);
            }
            continue;
        }
        let result = if bad_flags {
            Err(bad(
                ue::ATTRIBUTE_FLAGS,
                "attribute flags conflict with its type",
            ))
        } else {
            decode_one(t, fl, value.rest(), at_off, neg, &mut d, out)
        };
        if let Err(b) = result {
            let e = err(b.subcode, b.reason);
            if approach(t) == Approach::Discard || (t == at::NEXT_HOP && !nlri_field) {
                out.discard(e);
            } else {
                out.escalate(Verdict::TreatAsWithdraw, e);
            }
        }
    }
    d.attrs.other.sort_by_key(|a| a.type_code);
    if !neg.four_octet_as {
        let as4 = (d.as4_path.take(), d.as4_aggregator.take());
        reconcile_as4(&mut d.attrs, as4);
    }
    Ok(d)
}

/// RFC 6793 §4.2.3: rebuild the 4-octet path and aggregator from what a
/// 2-octet session carried.
fn reconcile_as4(
    a: &mut PathAttributes,
    (as4_path, as4_agg): (Option<AsPath>, Option<Aggregator>),
) {
    if let (Some(agg), Some(agg4)) = (a.aggregator.as_mut(), as4_agg) {
        if agg.asn != u32::from(AS_TRANS) {
            // The aggregator is an OLD speaker that knew nothing of AS4_*.
            return;
        }
        *agg = agg4;
    }
    if let (Some(path), Some(as4)) = (a.as_path.as_mut(), as4_path) {
        *path = path.merge_as4(&as4);
    }
}
