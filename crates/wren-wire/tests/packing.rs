//! The packing encoders fill UPDATEs to the negotiated size and no further,
//! and what they write decodes back to what was given.
#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::panic,
    missing_docs
)]

mod common;
use common::*;
use std::net::{Ipv4Addr, Ipv6Addr};
use wren_wire::attributes::{AsPath, Community, Origin, PathAttributes};
use wren_wire::family::Family;
use wren_wire::message::split_stream;
use wren_wire::update::{
    decode_update, encode_end_of_rib, encode_withdraw, AnnounceTemplate, NextHop, Verdict,
};
use wren_wire::{Ipv4Prefix, Ipv6Prefix, Negotiated, Nlri, Prefix};

fn attrs() -> PathAttributes {
    PathAttributes {
        origin: Some(Origin::Igp),
        as_path: Some(AsPath::sequence(&[65001, 65002])),
        med: Some(10),
        communities: (0..20).map(|i| Community::new(65001, i)).collect(),
        ..Default::default()
    }
}

fn v4_routes(n: u32, len: u8, path_ids: bool) -> Vec<Nlri> {
    (0..n)
        .map(|i| Nlri {
            prefix: Prefix::V4(
                Ipv4Prefix::new(Ipv4Addr::from(0x0a00_0000 + (i << 8)), len).unwrap(),
            ),
            path_id: path_ids.then_some(i),
        })
        .collect()
}

fn v6_routes(n: u32) -> Vec<Nlri> {
    (0..n)
        .map(|i| {
            Nlri::new(Prefix::V6(
                Ipv6Prefix::new(
                    Ipv6Addr::from((0x2001_0db8u128 << 96) | (u128::from(i) << 64)),
                    64,
                )
                .unwrap(),
            ))
        })
        .collect()
}

/// Packs everything, then checks sizes and decodes it all back.
fn pack_and_check(t: &AnnounceTemplate, routes: &[Nlri], neg: &Negotiated) -> usize {
    let mut out = Vec::new();
    let mut rest = routes;
    let mut sizes = Vec::new();
    while !rest.is_empty() {
        let before = out.len();
        let n = t.encode(&mut out, rest).unwrap();
        sizes.push((
            out.len() - before,
            rest.get(n)
                .map(|r| r.wire_len(neg.add_path_tx.contains(t.family()))),
        ));
        rest = &rest[n..];
    }
    let max = neg.max_message_len();
    for (size, next) in &sizes {
        assert!(*size <= max, "message of {size} octets");
        if let Some(next) = next {
            assert!(
                size + next > max,
                "room for another route was left: {size} + {next}"
            );
        }
    }
    let rx = neg.mirrored();
    let mut back = Vec::new();
    for m in split_stream(&out, max) {
        let m = m.unwrap();
        let u = decode_update(&m[19..], &rx).unwrap();
        assert_eq!(u.verdict(), Verdict::Accept);
        assert_eq!(u.attributes().unwrap().communities.len(), 20);
        back.extend(u.announced().map(|(f, n)| {
            assert_eq!(f, t.family());
            n
        }));
    }
    assert_eq!(back, routes);
    sizes.len()
}

#[test]
fn ipv4_fills_4096_octet_messages() {
    let neg = ebgp();
    let t = AnnounceTemplate::new(
        &attrs(),
        Family::Ipv4Unicast,
        NextHop::V4(Ipv4Addr::new(198, 18, 0, 1)),
        &neg,
    );
    let routes = v4_routes(10_000, 24, false);
    let messages = pack_and_check(&t, &routes, &neg);
    // 4 octets per /24: about a thousand routes per message.
    assert!(messages <= 11, "{messages} messages");
}

#[test]
fn extended_messages_fill_65535_octets() {
    let neg = Negotiated {
        extended_message: true,
        ..ebgp()
    };
    let t = AnnounceTemplate::new(
        &attrs(),
        Family::Ipv4Unicast,
        NextHop::V4(Ipv4Addr::new(198, 18, 0, 1)),
        &neg,
    );
    let routes = v4_routes(40_000, 24, false);
    assert_eq!(pack_and_check(&t, &routes, &neg), 3);
}

#[test]
fn ipv6_and_add_path_and_rfc8950() {
    let mut neg = ebgp();
    let hop = NextHop::V6 {
        global: "2001:db8::1".parse().unwrap(),
        link_local: Some("fe80::1".parse().unwrap()),
    };
    let t = AnnounceTemplate::new(&attrs(), Family::Ipv6Unicast, hop, &neg);
    pack_and_check(&t, &v6_routes(3000), &neg);
    neg.add_path_tx.insert(Family::Ipv4Unicast);
    let t = AnnounceTemplate::new(
        &attrs(),
        Family::Ipv4Unicast,
        NextHop::V4(Ipv4Addr::new(198, 18, 0, 1)),
        &neg,
    );
    pack_and_check(&t, &v4_routes(3000, 24, true), &neg);
    neg.ext_next_hop.insert(Family::Ipv4Unicast);
    let t = AnnounceTemplate::new(&attrs(), Family::Ipv4Unicast, hop, &neg);
    pack_and_check(&t, &v4_routes(3000, 24, true), &neg);
}

#[test]
fn two_octet_session_gets_as_trans_and_as4_path() {
    let neg = Negotiated {
        four_octet_as: false,
        ..ebgp()
    };
    let mut a = attrs();
    a.as_path = Some(AsPath::sequence(&[4_200_000_001, 65001]));
    let t = AnnounceTemplate::new(
        &a,
        Family::Ipv4Unicast,
        NextHop::V4(Ipv4Addr::new(198, 18, 0, 1)),
        &neg,
    );
    let mut out = Vec::new();
    t.encode(&mut out, &v4_routes(1, 24, false)).unwrap();
    let u = decode_update(&out[19..], &neg).unwrap();
    assert_eq!(u.verdict(), Verdict::Accept);
    assert_eq!(
        u.attributes()
            .unwrap()
            .as_path
            .as_ref()
            .unwrap()
            .to_string(),
        "4200000001 65001"
    );
}

#[test]
fn withdrawals_pack_and_end_of_rib_round_trips() {
    for (family, routes) in [
        (Family::Ipv4Unicast, v4_routes(5000, 24, false)),
        (Family::Ipv6Unicast, v6_routes(5000)),
    ] {
        let neg = ebgp();
        let mut out = Vec::new();
        let mut rest = &routes[..];
        while !rest.is_empty() {
            let n = encode_withdraw(&mut out, family, rest, &neg);
            assert!(n > 0);
            rest = &rest[n..];
        }
        let mut back = Vec::new();
        for m in split_stream(&out, 4096) {
            let m = m.unwrap();
            assert!(m.len() <= 4096);
            let u = decode_update(&m[19..], &neg).unwrap();
            back.extend(u.withdrawn().map(|(_, n)| n));
        }
        assert_eq!(back, routes);
        let mut eor = Vec::new();
        encode_end_of_rib(&mut eor, family);
        assert_eq!(
            decode_update(&eor[19..], &neg).unwrap().end_of_rib(),
            Some(family)
        );
    }
}

#[test]
fn attributes_too_large_for_any_route() {
    let mut a = attrs();
    a.communities = (0..1100).map(|i| Community::new(1, i)).collect();
    let neg = ebgp();
    let t = AnnounceTemplate::new(
        &a,
        Family::Ipv4Unicast,
        NextHop::V4(Ipv4Addr::new(198, 18, 0, 1)),
        &neg,
    );
    let mut out = Vec::new();
    assert!(t.encode(&mut out, &v4_routes(1, 24, false)).is_err());
    assert!(out.is_empty());
}
