//! Builders for hand-made messages, shared by the integration tests.
#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::panic,
    missing_docs
)]

use wren_wire::attributes::attr_type as at;
use wren_wire::family::{Family, FamilySet};
use wren_wire::update::{decode_update, Update};
use wren_wire::{DecodeError, Negotiated};

pub const WK: u8 = 0x40; // well-known transitive
pub const ON: u8 = 0x80; // optional non-transitive
pub const OT: u8 = 0xc0; // optional transitive

/// One attribute; the extended length form is used when `flags` asks.
pub fn attr(flags: u8, t: u8, value: &[u8]) -> Vec<u8> {
    let mut v = vec![flags, t];
    if flags & 0x10 != 0 {
        v.extend_from_slice(&(value.len() as u16).to_be_bytes());
    } else {
        v.push(value.len() as u8);
    }
    v.extend_from_slice(value);
    v
}

pub fn origin() -> Vec<u8> {
    attr(WK, at::ORIGIN, &[0])
}

/// AS_PATH of one AS_SEQUENCE, 4-octet numbers.
pub fn as_path4(asns: &[u32]) -> Vec<u8> {
    let mut v = vec![2, asns.len() as u8];
    for a in asns {
        v.extend_from_slice(&a.to_be_bytes());
    }
    attr(WK, at::AS_PATH, &v)
}

/// AS_PATH of one AS_SEQUENCE, 2-octet numbers.
pub fn as_path2(asns: &[u16]) -> Vec<u8> {
    let mut v = vec![2, asns.len() as u8];
    for a in asns {
        v.extend_from_slice(&a.to_be_bytes());
    }
    attr(WK, at::AS_PATH, &v)
}

pub fn next_hop(a: [u8; 4]) -> Vec<u8> {
    attr(WK, at::NEXT_HOP, &a)
}

/// ORIGIN, AS_PATH 65001, NEXT_HOP 198.18.0.1.
pub fn base() -> Vec<u8> {
    [origin(), as_path4(&[65001]), next_hop([198, 18, 0, 1])].concat()
}

/// 10.0.0.0/24 and 10.0.1.0/24.
pub fn nlri2() -> Vec<u8> {
    vec![24, 10, 0, 0, 24, 10, 0, 1]
}

/// The UPDATE body from its three fields.
pub fn body(withdrawn: &[u8], attrs: &[u8], nlri: &[u8]) -> Vec<u8> {
    let mut v = (withdrawn.len() as u16).to_be_bytes().to_vec();
    v.extend_from_slice(withdrawn);
    v.extend_from_slice(&(attrs.len() as u16).to_be_bytes());
    v.extend_from_slice(attrs);
    v.extend_from_slice(nlri);
    v
}

/// A whole message around an UPDATE body.
pub fn message(body: &[u8]) -> Vec<u8> {
    let mut v = vec![0xff; 16];
    v.extend_from_slice(&((body.len() + 19) as u16).to_be_bytes());
    v.push(2);
    v.extend_from_slice(body);
    v
}

/// MP_REACH_NLRI value.
pub fn mp_reach_value(afi: u16, safi: u8, nh: &[u8], nlri: &[u8]) -> Vec<u8> {
    let mut v = afi.to_be_bytes().to_vec();
    v.push(safi);
    v.push(nh.len() as u8);
    v.extend_from_slice(nh);
    v.push(0);
    v.extend_from_slice(nlri);
    v
}

/// 2001:db8::/32 and 2001:db8:1::/48.
pub fn nlri6() -> Vec<u8> {
    vec![32, 0x20, 0x01, 0x0d, 0xb8, 48, 0x20, 0x01, 0x0d, 0xb8, 0, 1]
}

pub fn nh6() -> Vec<u8> {
    let mut v = vec![0x20, 0x01, 0x0d, 0xb8];
    v.extend_from_slice(&[0; 11]);
    v.push(1);
    v
}

/// A modern eBGP session: 4-octet AS, IPv4 + IPv6 unicast.
pub fn ebgp() -> Negotiated {
    Negotiated {
        four_octet_as: true,
        families: [Family::Ipv4Unicast, Family::Ipv6Unicast]
            .into_iter()
            .collect(),
        ..Negotiated::default()
    }
}

pub fn ibgp() -> Negotiated {
    Negotiated {
        ibgp: true,
        ..ebgp()
    }
}

/// A plain IPv4-only session.
pub fn v4_only() -> Negotiated {
    Negotiated {
        four_octet_as: true,
        families: FamilySet::only(Family::Ipv4Unicast),
        ..Negotiated::default()
    }
}

pub fn decode<'a>(b: &'a [u8], neg: &Negotiated) -> Result<Update<'a>, DecodeError> {
    decode_update(b, neg)
}

/// (code, subcode) of a session reset.
pub fn reset_of<'a>(r: Result<Update<'a>, DecodeError>) -> Option<(u8, u8)> {
    r.err()
        .map(|e| (e.notification.code, e.notification.subcode))
}

/// Checks the treat-as-withdraw contract: nothing to install, no
/// attributes to read, every route of the message withdrawn.
pub fn assert_withdraws_all(u: &Update<'_>) {
    assert!(!u.verdict().installs(), "verdict {:?}", u.verdict());
    assert!(u.attributes().is_none());
    assert_eq!(u.announced().count(), 0);
    assert!(u.withdrawn().count() >= u.announced_count());
    for f in Family::ALL {
        assert!(u.next_hop(f).is_none());
    }
    assert!(u.end_of_rib().is_none());
}
