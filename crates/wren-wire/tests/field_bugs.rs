//! Messages that broke BGP daemons in the field, and what Wren does with them.
#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::panic,
    missing_docs
)]

mod common;
use common::*;
use wren_wire::attributes::attr_type as at;
use wren_wire::family::Family;
use wren_wire::update::Verdict;
use wren_wire::{decode_message, Message, Open};

/// FRR CVE-2023-38802: a corrupt Tunnel Encapsulation attribute made FRR
/// reset sessions, and since the attribute is transitive, one bad route
/// took sessions down everywhere it went. Wren treats the route as
/// withdrawn and keeps the session.
#[test]
fn corrupt_tunnel_encapsulation_is_treat_as_withdraw() {
    // Tunnel type 8 (VXLAN), TLV length 6, but the sub-TLV inside claims 9.
    let bad = attr(
        OT,
        at::TUNNEL_ENCAPSULATION,
        &[0, 8, 0, 6, 1, 9, 0, 0, 0, 0],
    );
    let msg = body(&[], &[base(), bad].concat(), &nlri2());
    let u = decode(&msg, &ebgp()).expect("session stays up");
    assert_eq!(u.verdict(), Verdict::TreatAsWithdraw);
    assert_withdraws_all(&u);
    // TLV length overruns the attribute.
    let bad = attr(OT, at::TUNNEL_ENCAPSULATION, &[0, 8, 0, 60, 1, 0]);
    let msg = body(&[], &[base(), bad].concat(), &nlri2());
    assert_eq!(
        decode(&msg, &ebgp()).unwrap().verdict(),
        Verdict::TreatAsWithdraw
    );
    // A well-formed one travels on untouched.
    let good = attr(
        OT,
        at::TUNNEL_ENCAPSULATION,
        &[0, 8, 0, 6, 1, 4, 0, 0, 0, 5],
    );
    let msg = body(&[], &[base(), good].concat(), &nlri2());
    let u = decode(&msg, &ebgp()).unwrap();
    assert_eq!(u.verdict(), Verdict::Accept);
    assert_eq!(
        u.attributes().unwrap().other[0].type_code,
        at::TUNNEL_ENCAPSULATION
    );
}

/// An all-zero BGP Prefix-SID (2025) crashed implementations walking its
/// TLVs. RFC 8669 §6: a malformed Prefix-SID is discarded, the route kept.
#[test]
fn all_zero_prefix_sid_is_discarded() {
    for len in [0usize, 1, 3, 4, 64] {
        let sid = attr(OT, at::PREFIX_SID, &vec![0; len]);
        let msg = body(&[], &[base(), sid].concat(), &nlri2());
        let u = decode(&msg, &ebgp()).unwrap();
        assert_eq!(u.verdict(), Verdict::AttributeDiscard, "len {len}");
        assert!(u.discarded().contains(at::PREFIX_SID));
        assert!(u.attributes().unwrap().other.is_empty());
        assert_eq!(u.announced().count(), 2);
    }
    // A proper Label-Index TLV is kept.
    let sid = attr(OT, at::PREFIX_SID, &[1, 0, 7, 0, 0, 0, 0, 0, 0, 100]);
    let msg = body(&[], &[base(), sid].concat(), &nlri2());
    assert_eq!(decode(&msg, &ebgp()).unwrap().verdict(), Verdict::Accept);
}

/// An OTC attribute of length 1024 (2025) was copied into a 4-octet field.
#[test]
fn otc_of_length_1024_is_treat_as_withdraw() {
    let otc = attr(OT | 0x10, at::OTC, &[0xab; 1024]);
    let msg = body(&[], &[base(), otc].concat(), &nlri2());
    let u = decode(&msg, &ebgp()).unwrap();
    assert_eq!(u.verdict(), Verdict::TreatAsWithdraw);
    assert_withdraws_all(&u);
}

/// FRR CVE-2023-46753 / CVE-2023-47235: an UPDATE with NLRI and only an
/// unknown attribute was taken for End-of-RIB under graceful restart, and
/// a route without mandatory attributes went on to crash route-maps.
#[test]
fn unknown_attribute_and_nlri_is_not_end_of_rib() {
    let msg = body(&[], &attr(OT, 99, &[1, 2, 3]), &nlri2());
    let u = decode(&msg, &ebgp()).unwrap();
    assert_eq!(u.end_of_rib(), None);
    assert_eq!(u.verdict(), Verdict::TreatAsWithdraw);
    assert_withdraws_all(&u);
    assert_eq!(u.withdrawn().count(), 2);
    // And with no NLRI at all it is still no End-of-RIB.
    let msg = body(&[], &attr(OT, 99, &[1]), &[]);
    assert_eq!(decode(&msg, &ebgp()).unwrap().end_of_rib(), None);
    // Nor is an MP_UNREACH that carries withdrawals.
    let msg = body(
        &[],
        &attr(ON, at::MP_UNREACH_NLRI, &[0, 2, 1, 32, 0x20, 1, 0xd, 0xb8]),
        &[],
    );
    let u = decode(&msg, &ebgp()).unwrap();
    assert_eq!(u.end_of_rib(), None);
    assert_eq!(
        u.withdrawn().map(|(f, _)| f).collect::<Vec<_>>(),
        vec![Family::Ipv6Unicast]
    );
}

fn open_message(body: &[u8]) -> Vec<u8> {
    let mut v = vec![0xff; 16];
    v.extend_from_slice(&((body.len() + 19) as u16).to_be_bytes());
    v.push(1);
    v.extend_from_slice(body);
    v
}

/// FRR CVE-2022-40302, -40318, -43681: OPENs cut short after the option
/// length octet, or with a broken RFC 9072 extended length, were read past
/// their end. Each must be an OPEN Message Error, never a read.
#[test]
fn truncated_opens_are_open_errors() {
    let fixed = [4u8, 0xfd, 0xe9, 0, 90, 198, 18, 0, 1];
    let cases: Vec<Vec<u8>> = vec![
        [&fixed[..], &[10]].concat(),          // promises 10 octets, has none
        [&fixed[..], &[4, 2, 6, 65]].concat(), // capability overruns its parameter
        [&fixed[..], &[255, 255]].concat(),    // extended form, no length
        [&fixed[..], &[255, 255, 0]].concat(), // extended length cut in half
        [&fixed[..], &[255, 255, 0, 9, 2, 0, 6, 65, 4]].concat(), // extended length lies
        [&fixed[..], &[255, 255, 0, 3, 2, 0, 9]].concat(), // extended param overruns
    ];
    for b in cases {
        let m = open_message(&b);
        let r = decode_message(&m, &ebgp());
        match r {
            Err(e) => assert_eq!(e.notification.code, 2, "{b:?}"),
            Ok(m) => panic!("accepted {b:?}: {m:?}"),
        }
    }
}

/// GoBGP CVE-2025-43971: a zero-length Software Version capability made
/// GoBGP index an empty slice. Wren keeps the session and the bytes.
#[test]
fn zero_length_software_version_capability() {
    let fixed = [4u8, 0xfd, 0xe9, 0, 90, 198, 18, 0, 1];
    let b = [&fixed[..], &[4, 2, 2, 75, 0]].concat();
    let m = open_message(&b);
    match decode_message(&m, &ebgp()) {
        Ok(Message::Open(o)) => {
            let caps: Vec<_> = o.capabilities().cloned().collect();
            assert_eq!(
                caps,
                vec![wren_wire::capability::Capability::Unknown {
                    code: 75,
                    value: vec![]
                }]
            );
            let mut again = Vec::new();
            o.encode(&mut again);
            assert_eq!(again, m);
            assert_eq!(Open::decode_body(&again[19..]), Ok(o));
        }
        other => panic!("{other:?}"),
    }
}

/// GoBGP CVE-2026-30405: a short NEXT_HOP was handled by treat-as-withdraw,
/// and the code went on to dereference the next hop it had not stored.
/// Here the accessors give nothing to dereference.
#[test]
fn short_next_hop_then_treat_as_withdraw() {
    for nh in [&[][..], &[198][..], &[198, 18, 0][..]] {
        let attrs = [origin(), as_path4(&[65001]), attr(WK, at::NEXT_HOP, nh)].concat();
        let msg = body(&[], &attrs, &nlri2());
        let u = decode(&msg, &ebgp()).unwrap();
        assert_eq!(u.verdict(), Verdict::TreatAsWithdraw);
        assert_withdraws_all(&u);
        assert_eq!(u.next_hop(Family::Ipv4Unicast), None);
        assert!(u.attributes_for_diagnostics().next_hop.is_none());
        let routes: Vec<_> = u.withdrawn().map(|(_, n)| n.prefix.to_string()).collect();
        assert_eq!(routes, vec!["10.0.0.0/24", "10.0.1.0/24"]);
    }
}
