//! RFC 7606 §3–§7 and RFC 4271 §6.3, one malformation class at a time.
#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::panic,
    missing_docs
)]

mod common;
use common::*;
use wren_wire::attributes::{attr_type as at, Origin};
use wren_wire::family::Family;
use wren_wire::update::Verdict;

fn verdict(attrs: &[u8], neg: &wren_wire::Negotiated) -> Verdict {
    let b = body(&[], attrs, &nlri2());
    let u = decode(&b, neg).expect("no session reset");
    if !u.verdict().installs() {
        assert_withdraws_all(&u);
        assert_eq!(u.withdrawn().count(), 2);
    }
    u.verdict()
}

fn replace(t: u8, with: Vec<u8>) -> Vec<u8> {
    let mut parts = [origin(), as_path4(&[65001]), next_hop([198, 18, 0, 1])];
    let i = match t {
        at::ORIGIN => 0,
        at::AS_PATH => 1,
        _ => 2,
    };
    parts[i] = with;
    parts.concat()
}

#[test]
fn well_formed_update_is_accepted() {
    let b = body(&[], &base(), &nlri2());
    let u = decode(&b, &ebgp()).unwrap();
    assert_eq!(u.verdict(), Verdict::Accept);
    assert_eq!(u.announced().count(), 2);
    let a = u.attributes().unwrap();
    assert_eq!(a.origin, Some(Origin::Igp));
    assert_eq!(a.as_path.as_ref().unwrap().to_string(), "65001");
    assert_eq!(u.end_of_rib(), None);
}

// §7.1 ORIGIN
#[test]
fn origin_bad_length_or_value_is_treat_as_withdraw() {
    for v in [
        attr(WK, at::ORIGIN, &[0, 0]),
        attr(WK, at::ORIGIN, &[]),
        attr(WK, at::ORIGIN, &[3]),
    ] {
        assert_eq!(
            verdict(&replace(at::ORIGIN, v), &ebgp()),
            Verdict::TreatAsWithdraw
        );
    }
}

// §7.2 AS_PATH, RFC 7607
#[test]
fn as_path_malformations_are_treat_as_withdraw() {
    let cases: [&[u8]; 6] = [
        &[2, 2, 0, 0, 0xfd, 0xe9],             // segment overruns
        &[2, 1, 0, 0, 0xfd, 0xe9, 2],          // one trailing octet
        &[2, 0],                               // zero-length segment
        &[7, 1, 0, 0, 0xfd, 0xe9],             // unknown segment type
        &[2, 1, 0, 0, 0, 0],                   // AS 0 (RFC 7607)
        &[2, 2, 0, 0, 0xfd, 0xe9, 0, 0, 0, 0], // AS 0 later in the path
    ];
    for c in cases {
        let v = verdict(&replace(at::AS_PATH, attr(WK, at::AS_PATH, c)), &ebgp());
        assert_eq!(v, Verdict::TreatAsWithdraw, "{c:?}");
    }
}

#[test]
fn as_path_two_octet_session() {
    let attrs = [
        origin(),
        as_path2(&[65001, 65002]),
        next_hop([198, 18, 0, 1]),
    ]
    .concat();
    let neg = wren_wire::Negotiated {
        four_octet_as: false,
        ..ebgp()
    };
    let b = body(&[], &attrs, &nlri2());
    let u = decode(&b, &neg).unwrap();
    assert_eq!(
        u.attributes()
            .unwrap()
            .as_path
            .as_ref()
            .unwrap()
            .to_string(),
        "65001 65002"
    );
    // The same octets read as 4-octet ASes are one AS and then garbage.
    assert_eq!(verdict(&attrs, &ebgp()), Verdict::TreatAsWithdraw);
}

// §7.3 NEXT_HOP
#[test]
fn next_hop_bad_length_or_martian_is_treat_as_withdraw() {
    for v in [
        attr(WK, at::NEXT_HOP, &[198, 18, 0]),
        attr(WK, at::NEXT_HOP, &[198, 18, 0, 1, 0]),
        next_hop([0, 0, 0, 0]),
        next_hop([224, 0, 0, 5]),
        next_hop([255, 255, 255, 255]),
        next_hop([127, 0, 0, 1]),
    ] {
        assert_eq!(
            verdict(&replace(at::NEXT_HOP, v), &ebgp()),
            Verdict::TreatAsWithdraw
        );
    }
}

#[test]
fn next_hop_missing_with_nlri_is_treat_as_withdraw() {
    let attrs = [origin(), as_path4(&[65001])].concat();
    assert_eq!(verdict(&attrs, &ebgp()), Verdict::TreatAsWithdraw);
}

#[test]
fn malformed_next_hop_without_nlri_field_is_discarded() {
    // IPv6 routes in MP_REACH: NEXT_HOP is irrelevant (RFC 4760 §3).
    let attrs = [
        origin(),
        as_path4(&[65001]),
        attr(WK, at::NEXT_HOP, &[1, 2, 3]),
        attr(
            ON,
            at::MP_REACH_NLRI,
            &mp_reach_value(2, 1, &nh6(), &nlri6()),
        ),
    ]
    .concat();
    let b = body(&[], &attrs, &[]);
    let u = decode(&b, &ebgp()).unwrap();
    assert_eq!(u.verdict(), Verdict::AttributeDiscard);
    assert!(u.discarded().contains(at::NEXT_HOP));
    assert_eq!(u.announced().count(), 2);
}

// §7.4 MED, §7.5 LOCAL_PREF
#[test]
fn med_bad_length_is_treat_as_withdraw() {
    let attrs = [base(), attr(ON, at::MULTI_EXIT_DISC, &[0, 0, 1])].concat();
    assert_eq!(verdict(&attrs, &ebgp()), Verdict::TreatAsWithdraw);
}

#[test]
fn local_pref_from_ebgp_is_discarded_and_checked_on_ibgp() {
    let attrs = [base(), attr(WK, at::LOCAL_PREF, &[0, 0, 0, 200])].concat();
    let b = body(&[], &attrs, &nlri2());
    let u = decode(&b, &ebgp()).unwrap();
    assert_eq!(u.verdict(), Verdict::AttributeDiscard);
    assert_eq!(u.attributes().unwrap().local_pref, None);
    let u = decode(&b, &ibgp()).unwrap();
    assert_eq!(u.verdict(), Verdict::Accept);
    assert_eq!(u.attributes().unwrap().local_pref, Some(200));
    let bad = [base(), attr(WK, at::LOCAL_PREF, &[0, 200])].concat();
    assert_eq!(verdict(&bad, &ibgp()), Verdict::TreatAsWithdraw);
}

// §7.6 ATOMIC_AGGREGATE, §7.7 AGGREGATOR
#[test]
fn atomic_aggregate_and_aggregator_faults_discard_the_attribute() {
    let neg = ebgp();
    for extra in [
        attr(WK, at::ATOMIC_AGGREGATE, &[1]),
        attr(OT, at::AGGREGATOR, &[0, 0, 0xfd, 0xe9, 10, 0, 0]), // 7 octets
        attr(OT, at::AGGREGATOR, &[0, 0, 0, 0, 10, 0, 0, 1]),    // AS 0
        attr(WK, at::AGGREGATOR, &[0, 0, 0xfd, 0xe9, 10, 0, 0, 1]), // flags
    ] {
        let t = extra[1];
        let b = body(&[], &[base(), extra].concat(), &nlri2());
        let u = decode(&b, &neg).unwrap();
        assert_eq!(u.verdict(), Verdict::AttributeDiscard, "type {t}");
        assert!(u.discarded().contains(t));
        let a = u.attributes().unwrap();
        assert!(!a.atomic_aggregate && a.aggregator.is_none());
        assert_eq!(u.announced().count(), 2);
    }
    // Six octets are right on a 2-octet session only.
    let six = attr(OT, at::AGGREGATOR, &[0xfd, 0xe9, 10, 0, 0, 1]);
    let two = wren_wire::Negotiated {
        four_octet_as: false,
        ..neg
    };
    let attrs2 = [
        origin(),
        as_path2(&[65001]),
        next_hop([198, 18, 0, 1]),
        six.clone(),
    ]
    .concat();
    let b = body(&[], &attrs2, &nlri2());
    assert_eq!(decode(&b, &two).unwrap().verdict(), Verdict::Accept);
    let b = body(&[], &[base(), six].concat(), &nlri2());
    assert_eq!(
        decode(&b, &neg).unwrap().verdict(),
        Verdict::AttributeDiscard
    );
}

// §7.8 COMMUNITIES, §7.9 ORIGINATOR_ID, §7.10 CLUSTER_LIST, §7.14 extended
// communities, RFC 8092 large, RFC 5701 IPv6 extended communities
#[test]
fn list_attributes_with_bad_lengths_are_treat_as_withdraw() {
    for (fl, t, len, neg) in [
        (OT, at::COMMUNITIES, 0, ebgp()),
        (OT, at::COMMUNITIES, 5, ebgp()),
        (ON, at::ORIGINATOR_ID, 3, ibgp()),
        (ON, at::CLUSTER_LIST, 6, ibgp()),
        (ON, at::CLUSTER_LIST, 0, ibgp()),
        (OT, at::EXTENDED_COMMUNITIES, 9, ebgp()),
        (OT, at::LARGE_COMMUNITY, 13, ebgp()),
        (OT, at::IPV6_EXTENDED_COMMUNITIES, 21, ebgp()),
    ] {
        let attrs = [base(), attr(fl, t, &vec![1; len])].concat();
        assert_eq!(
            verdict(&attrs, &neg),
            Verdict::TreatAsWithdraw,
            "type {t} len {len}"
        );
    }
}

#[test]
fn list_attributes_decode() {
    let attrs = [
        base(),
        attr(
            OT,
            at::COMMUNITIES,
            &[0xfd, 0xe9, 0, 1, 0xff, 0xff, 0xff, 0x01],
        ),
        attr(ON, at::ORIGINATOR_ID, &[10, 0, 0, 9]),
        attr(ON, at::CLUSTER_LIST, &[10, 0, 0, 1, 10, 0, 0, 2]),
        attr(
            OT,
            at::EXTENDED_COMMUNITIES,
            &[0, 2, 0xfd, 0xe8, 0, 0, 0, 1],
        ),
        attr(
            OT,
            at::LARGE_COMMUNITY,
            &[0, 0, 0xfd, 0xe9, 0, 0, 0, 1, 0, 0, 0, 2],
        ),
    ]
    .concat();
    let b = body(&[], &attrs, &nlri2());
    let u = decode(&b, &ibgp()).unwrap();
    assert_eq!(u.verdict(), Verdict::Accept);
    let a = u.attributes().unwrap();
    assert_eq!(a.communities.len(), 2);
    assert_eq!(
        a.communities[1],
        wren_wire::attributes::Community::NO_EXPORT
    );
    assert_eq!(a.originator_id.unwrap().to_string(), "10.0.0.9");
    assert_eq!(a.cluster_list.len(), 2);
    assert_eq!(a.ext_communities[0].to_string(), "(rt, 65000, 1)");
    assert_eq!(a.large_communities[0].to_string(), "(65001, 1, 2)");
    // Route reflection attributes mean nothing between ASes: dropped.
    let u = decode(&b, &ebgp()).unwrap();
    assert_eq!(u.verdict(), Verdict::AttributeDiscard);
    let a = u.attributes().unwrap();
    assert!(a.originator_id.is_none() && a.cluster_list.is_empty());
    assert_eq!(a.communities.len(), 2);
}

// §7.11 MP_REACH_NLRI, §7.12 MP_UNREACH_NLRI
fn mp_body(value: &[u8]) -> Vec<u8> {
    let attrs = [
        origin(),
        as_path4(&[65001]),
        attr(ON, at::MP_REACH_NLRI, value),
    ]
    .concat();
    body(&[], &attrs, &[])
}

#[test]
fn mp_reach_too_short_for_afi_safi_resets() {
    assert_eq!(reset_of(decode(&mp_body(&[0, 2]), &ebgp())), Some((3, 9)));
    let attrs = attr(ON, at::MP_UNREACH_NLRI, &[0, 2]);
    assert_eq!(
        reset_of(decode(&body(&[], &attrs, &[]), &ebgp())),
        Some((3, 9))
    );
}

#[test]
fn mp_reach_structure_broken_disables_the_family() {
    let v6 = wren_wire::AfiSafi::IPV6_UNICAST;
    // Next-hop length runs past the attribute.
    let b = mp_body(&[0, 2, 1, 40, 1, 2, 3]);
    assert_eq!(
        decode(&b, &ebgp()).unwrap().verdict(),
        Verdict::AfiSafiDisable(v6)
    );
    // A prefix longer than 128 bits.
    let b = mp_body(&mp_reach_value(2, 1, &nh6(), &[129, 1]));
    let u = decode(&b, &ebgp()).unwrap();
    assert_eq!(u.verdict(), Verdict::AfiSafiDisable(v6));
    assert_withdraws_all(&u);
    // Unreach with a prefix that runs off the end.
    let attrs = attr(ON, at::MP_UNREACH_NLRI, &[0, 2, 1, 64, 0x20]);
    let msg = body(&[], &attrs, &[]);
    let u = decode(&msg, &ebgp()).unwrap();
    assert_eq!(u.verdict(), Verdict::AfiSafiDisable(v6));
}

#[test]
fn mp_reach_bad_next_hop_with_sound_nlri_is_treat_as_withdraw() {
    for nh in [vec![0; 12], vec![0xff; 16], vec![0; 16]] {
        let msg = mp_body(&mp_reach_value(2, 1, &nh, &nlri6()));
        let u = decode(&msg, &ebgp()).unwrap();
        assert_eq!(u.verdict(), Verdict::TreatAsWithdraw, "{nh:?}");
        assert_withdraws_all(&u);
        assert_eq!(u.withdrawn().count(), 2);
    }
}

#[test]
fn mp_reach_ipv6_with_link_local_and_rfc8950() {
    let mut nh = nh6();
    nh.extend_from_slice(&[0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
    let msg = mp_body(&mp_reach_value(2, 1, &nh, &nlri6()));
    let u = decode(&msg, &ebgp()).unwrap();
    assert_eq!(u.verdict(), Verdict::Accept);
    match u.next_hop(Family::Ipv6Unicast) {
        Some(wren_wire::update::NextHop::V6 {
            link_local: Some(ll),
            ..
        }) => {
            assert_eq!(ll.to_string(), "fe80::1")
        }
        other => panic!("{other:?}"),
    }
    // IPv4 routes with an IPv6 next hop: only with extended next hop.
    let b = mp_body(&mp_reach_value(1, 1, &nh6(), &nlri2()));
    assert_eq!(
        decode(&b, &ebgp()).unwrap().verdict(),
        Verdict::TreatAsWithdraw
    );
    let mut neg = ebgp();
    neg.ext_next_hop.insert(Family::Ipv4Unicast);
    let u = decode(&b, &neg).unwrap();
    assert_eq!(u.verdict(), Verdict::Accept);
    assert!(matches!(
        u.next_hop(Family::Ipv4Unicast),
        Some(wren_wire::update::NextHop::V6 { .. })
    ));
}

#[test]
fn mp_reach_of_unnegotiated_family_is_ignored() {
    let b = mp_body(&mp_reach_value(2, 1, &nh6(), &nlri6()));
    let u = decode(&b, &v4_only()).unwrap();
    assert_eq!(u.verdict(), Verdict::Accept);
    assert_eq!(u.announced().count(), 0);
    assert_eq!(u.ignored_family(), Some(wren_wire::AfiSafi::IPV6_UNICAST));
}

#[test]
fn duplicate_mp_attribute_resets() {
    let m = attr(
        ON,
        at::MP_REACH_NLRI,
        &mp_reach_value(2, 1, &nh6(), &nlri6()),
    );
    let attrs = [origin(), as_path4(&[65001]), m.clone(), m].concat();
    assert_eq!(
        reset_of(decode(&body(&[], &attrs, &[]), &ebgp())),
        Some((3, 1))
    );
}

// §3 (c) flags, (e) reserved bits, (g) duplicates
#[test]
fn flag_conflicts_follow_the_attribute_approach() {
    // ORIGIN marked optional: treat-as-withdraw.
    let attrs = replace(at::ORIGIN, attr(OT, at::ORIGIN, &[0]));
    assert_eq!(verdict(&attrs, &ebgp()), Verdict::TreatAsWithdraw);
    // COMMUNITIES marked non-transitive: treat-as-withdraw.
    let attrs = [base(), attr(ON, at::COMMUNITIES, &[0, 1, 0, 1])].concat();
    assert_eq!(verdict(&attrs, &ebgp()), Verdict::TreatAsWithdraw);
    // MP_REACH marked transitive: its routes are withdrawn.
    let attrs = [
        origin(),
        as_path4(&[65001]),
        attr(
            OT,
            at::MP_REACH_NLRI,
            &mp_reach_value(2, 1, &nh6(), &nlri6()),
        ),
    ]
    .concat();
    let msg = body(&[], &attrs, &[]);
    let u = decode(&msg, &ebgp()).unwrap();
    assert_eq!(u.verdict(), Verdict::TreatAsWithdraw);
    assert_eq!(u.withdrawn().count(), 2);
}

#[test]
fn reserved_flag_bits_are_ignored_on_receipt_and_cleared_on_send() {
    let attrs = [
        attr(WK | 0x0f, at::ORIGIN, &[0]),
        as_path4(&[65001]),
        next_hop([198, 18, 0, 1]),
    ]
    .concat();
    let b = body(&[], &attrs, &nlri2());
    let u = decode(&b, &ebgp()).unwrap();
    assert_eq!(u.verdict(), Verdict::Accept);
    let nlri: Vec<_> = u.announced().map(|(_, n)| n).collect();
    let mut out = Vec::new();
    let parts = wren_wire::update::UpdateParts {
        attrs: u.attributes(),
        nlri: &nlri,
        ..Default::default()
    };
    wren_wire::update::encode_update(&mut out, &parts, &ebgp(), Some(u.layout())).unwrap();
    assert_eq!(out[19 + 4], WK, "reserved bits sent");
    assert_eq!(&out[19..], &body(&[], &base(), &nlri2())[..]);
}

#[test]
fn duplicate_attribute_keeps_the_first() {
    let attrs = [
        base(),
        attr(OT, at::COMMUNITIES, &[0, 1, 0, 1]),
        attr(OT, at::COMMUNITIES, &[0, 2, 0, 2]),
    ]
    .concat();
    let b = body(&[], &attrs, &nlri2());
    let u = decode(&b, &ebgp()).unwrap();
    assert_eq!(u.verdict(), Verdict::AttributeDiscard);
    assert_eq!(
        u.attributes().unwrap().communities,
        vec![wren_wire::attributes::Community::new(1, 1)]
    );
}

// §3 (d) missing well-known attributes
#[test]
fn missing_well_known_is_treat_as_withdraw() {
    let no_origin = [as_path4(&[65001]), next_hop([198, 18, 0, 1])].concat();
    assert_eq!(verdict(&no_origin, &ebgp()), Verdict::TreatAsWithdraw);
    let m = attr(
        ON,
        at::MP_REACH_NLRI,
        &mp_reach_value(2, 1, &nh6(), &nlri6()),
    );
    let msg = body(&[], &[origin(), m].concat(), &[]);
    let u = decode(&msg, &ebgp()).unwrap();
    assert_eq!(u.verdict(), Verdict::TreatAsWithdraw);
    assert_eq!(u.error().unwrap().attr_type, Some(at::AS_PATH));
    // Withdrawals alone need no attributes.
    let msg = body(&nlri2(), &[], &[]);
    let u = decode(&msg, &ebgp()).unwrap();
    assert_eq!(u.verdict(), Verdict::Accept);
    assert_eq!(u.withdrawn().count(), 2);
}

// §4 attribute length errors; the NLRI is found through the total length
#[test]
fn attribute_overrunning_the_section_is_treat_as_withdraw() {
    // MED claims 200 octets; the NLRI field must still be found.
    let mut attrs = base();
    attrs.extend_from_slice(&[ON, at::MULTI_EXIT_DISC, 200, 0, 0]);
    let b = body(&[], &attrs, &nlri2());
    let u = decode(&b, &ebgp()).unwrap();
    assert_eq!(u.verdict(), Verdict::TreatAsWithdraw);
    assert_withdraws_all(&u);
    assert_eq!(u.withdrawn().count(), 2);
    // Fewer than three octets left for an attribute header.
    let mut attrs = base();
    attrs.extend_from_slice(&[ON, 4]);
    let msg = body(&[], &attrs, &nlri2());
    let u = decode(&msg, &ebgp()).unwrap();
    assert_eq!(u.verdict(), Verdict::TreatAsWithdraw);
    // An extended length cut in half.
    let mut attrs = base();
    attrs.extend_from_slice(&[ON | 0x10, 4, 0]);
    let msg = body(&[], &attrs, &nlri2());
    let u = decode(&msg, &ebgp()).unwrap();
    assert_eq!(u.verdict(), Verdict::TreatAsWithdraw);
}

#[test]
fn broken_section_hiding_mp_routes_resets() {
    let mut attrs = [origin(), as_path4(&[65001])].concat();
    attrs.extend_from_slice(&[ON, at::MP_REACH_NLRI, 250, 0, 2, 1]);
    assert_eq!(
        reset_of(decode(&body(&[], &attrs, &[]), &ebgp())),
        Some((3, 1))
    );
    // An IPv4-only session has no routes to hide there.
    let msg = body(&[], &attrs, &[]);
    let u = decode(&msg, &v4_only()).unwrap();
    assert_eq!(u.verdict(), Verdict::TreatAsWithdraw);
}

// RFC 4271 §6.3 faults that remain session resets
#[test]
fn field_lengths_that_exceed_the_message_reset() {
    let mut b = body(&[], &base(), &nlri2());
    b[1] = 200; // withdrawn length
    assert_eq!(reset_of(decode(&b, &ebgp())), Some((3, 1)));
    let mut b = body(&[], &base(), &nlri2());
    b[3] = 250; // total attribute length
    assert_eq!(reset_of(decode(&b, &ebgp())), Some((3, 1)));
    assert_eq!(reset_of(decode(&[0], &ebgp())), Some((3, 1)));
    assert_eq!(reset_of(decode(&[0, 0, 0], &ebgp())), Some((3, 1)));
}

#[test]
fn unparseable_prefixes_reset() {
    let b = body(&[33, 10, 0, 0, 0, 0], &[], &[]);
    assert_eq!(reset_of(decode(&b, &ebgp())), Some((3, 10)));
    let b = body(&[], &base(), &[24, 10, 0]);
    assert_eq!(reset_of(decode(&b, &ebgp())), Some((3, 10)));
}

#[test]
fn unrecognized_well_known_resets_with_the_attribute_as_data() {
    let attrs = [base(), attr(WK, 99, &[1, 2])].concat();
    let e = decode(&body(&[], &attrs, &nlri2()), &ebgp()).err().unwrap();
    assert_eq!((e.notification.code, e.notification.subcode), (3, 2));
    assert_eq!(e.notification.data, vec![WK, 99, 2, 1, 2]);
}

#[test]
fn unknown_optional_attributes() {
    let attrs = [base(), attr(OT, 99, &[1, 2]), attr(ON, 98, &[3])].concat();
    let b = body(&[], &attrs, &nlri2());
    let u = decode(&b, &ebgp()).unwrap();
    assert_eq!(u.verdict(), Verdict::Accept);
    let other = &u.attributes().unwrap().other;
    assert_eq!(other.len(), 1, "non-transitive dropped");
    assert_eq!(other[0].type_code, 99);
    assert_eq!(other[0].flags, 0xe0, "Partial set for propagation");
}

// RFC 6793 4-octet AS on 2-octet sessions
#[test]
fn as4_attributes_from_a_four_octet_peer_are_discarded() {
    let attrs = [base(), attr(OT, at::AS4_PATH, &[2, 1, 0, 0, 0xfd, 0xea])].concat();
    let msg = body(&[], &attrs, &nlri2());
    let u = decode(&msg, &ebgp()).unwrap();
    assert_eq!(u.verdict(), Verdict::AttributeDiscard);
    assert_eq!(
        u.attributes()
            .unwrap()
            .as_path
            .as_ref()
            .unwrap()
            .to_string(),
        "65001"
    );
}

#[test]
fn as4_reconciliation_on_a_two_octet_session() {
    let two = wren_wire::Negotiated {
        four_octet_as: false,
        ..ebgp()
    };
    let asn4 = 4_200_000_001u32.to_be_bytes();
    let as4_path = [&[2u8, 2][..], &asn4, &[0, 0, 0xfd, 0xe9]].concat();
    let agg = [&[0x5b, 0xa0][..], &[10, 0, 0, 1]].concat();
    let agg4 = [&asn4[..], &[10, 0, 0, 1]].concat();
    let attrs = [
        origin(),
        as_path2(&[65002, 23456, 65001]),
        next_hop([198, 18, 0, 1]),
        attr(OT, at::AGGREGATOR, &agg),
        attr(OT, at::AS4_PATH, &as4_path),
        attr(OT, at::AS4_AGGREGATOR, &agg4),
    ]
    .concat();
    let msg = body(&[], &attrs, &nlri2());
    let u = decode(&msg, &two).unwrap();
    assert_eq!(u.verdict(), Verdict::Accept);
    let a = u.attributes().unwrap();
    assert_eq!(
        a.as_path.as_ref().unwrap().to_string(),
        "65002 4200000001 65001"
    );
    assert_eq!(a.aggregator.unwrap().asn, 4_200_000_001);
    // AS4_PATH with AS 0 is discarded; the 2-octet path stands.
    let attrs = [
        origin(),
        as_path2(&[23456]),
        next_hop([198, 18, 0, 1]),
        attr(OT, at::AS4_PATH, &[2, 1, 0, 0, 0, 0]),
    ]
    .concat();
    let msg = body(&[], &attrs, &nlri2());
    let u = decode(&msg, &two).unwrap();
    assert_eq!(u.verdict(), Verdict::AttributeDiscard);
    assert_eq!(
        u.attributes()
            .unwrap()
            .as_path
            .as_ref()
            .unwrap()
            .to_string(),
        "23456"
    );
}

// RFC 9234 OTC
#[test]
fn otc_must_be_four_octets() {
    let ok = [base(), attr(OT, at::OTC, &[0, 0, 0xfd, 0xe9])].concat();
    let msg = body(&[], &ok, &nlri2());
    let u = decode(&msg, &ebgp()).unwrap();
    assert_eq!(u.attributes().unwrap().otc, Some(65001));
    let bad = [base(), attr(OT, at::OTC, &[0, 0, 1])].concat();
    assert_eq!(verdict(&bad, &ebgp()), Verdict::TreatAsWithdraw);
}

// RFC 7311 AIGP: malformed means ignored, never a withdrawal.
#[test]
fn aigp_metric_is_read_and_malformed_aigp_is_discarded() {
    let on = 0x80;
    let tlv = [1, 0, 11, 0, 0, 0, 0, 0, 0, 0, 10];
    let ok = [base(), attr(on, at::AIGP, &tlv)].concat();
    let msg = body(&[], &ok, &nlri2());
    let u = decode(&msg, &ibgp()).unwrap();
    assert_eq!(u.attributes().unwrap().aigp, Some(10));
    for value in [&tlv[..10], &[2, 0, 4, 0][..], &[1, 0, 2][..], &[][..]] {
        let bad = [base(), attr(on, at::AIGP, value)].concat();
        assert_eq!(
            verdict(&bad, &ibgp()),
            Verdict::AttributeDiscard,
            "{value:?}"
        );
        let msg = body(&[], &bad, &nlri2());
        let u = decode(&msg, &ibgp()).unwrap();
        assert_eq!(u.attributes().unwrap().aigp, None);
    }
}

// ADD-PATH
#[test]
fn add_path_identifiers_are_read_when_negotiated() {
    let mut neg = ebgp();
    neg.add_path_rx.insert(Family::Ipv4Unicast);
    let nlri = [0, 0, 0, 40, 24, 10, 0, 0, 0, 0, 0, 41, 24, 10, 0, 0].to_vec();
    let b = body(&[], &base(), &nlri);
    let u = decode(&b, &neg).unwrap();
    let ids: Vec<_> = u.announced().map(|(_, n)| n.path_id).collect();
    assert_eq!(ids, vec![Some(40), Some(41)]);
    // Without ADD-PATH the same octets are not valid prefixes.
    assert_eq!(reset_of(decode(&b, &ebgp())), Some((3, 10)));
}

// End-of-RIB
#[test]
fn end_of_rib_forms() {
    let msg = [0, 0, 0, 0];
    let u = decode(&msg, &ebgp()).unwrap();
    assert_eq!(u.end_of_rib(), Some(Family::Ipv4Unicast));
    let attrs = attr(ON, at::MP_UNREACH_NLRI, &[0, 2, 1]);
    let msg = body(&[], &attrs, &[]);
    let u = decode(&msg, &ebgp()).unwrap();
    assert_eq!(u.end_of_rib(), Some(Family::Ipv6Unicast));
    // Not End-of-RIB: an UPDATE without routes but with attributes.
    let msg = body(&[], &base(), &[]);
    let u = decode(&msg, &ebgp()).unwrap();
    assert_eq!(u.end_of_rib(), None);
    let attrs = [
        attr(ON, at::MP_UNREACH_NLRI, &[0, 2, 1]),
        attr(OT, 99, &[1]),
    ]
    .concat();
    let msg = body(&[], &attrs, &[]);
    let u = decode(&msg, &ebgp()).unwrap();
    assert_eq!(u.end_of_rib(), None);
}

#[test]
fn attributes_without_routes_are_harmless() {
    // RFC 7606 §5.2: an UPDATE with attributes and no NLRI.
    let msg = body(&[], &base(), &[]);
    let u = decode(&msg, &ebgp()).unwrap();
    assert_eq!(u.verdict(), Verdict::Accept);
    assert_eq!(u.announced().count() + u.withdrawn().count(), 0);
}
