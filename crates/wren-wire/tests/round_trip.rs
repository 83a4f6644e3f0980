//! Every message type and every attribute, encoded and decoded back.
#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::panic,
    missing_docs
)]

mod common;
use common::*;
use std::net::Ipv4Addr;
use wren_wire::attributes::*;
use wren_wire::capability::{AddPathMode, Capability};
use wren_wire::family::Family;
use wren_wire::notification::{cease, Notification};
use wren_wire::route_refresh::RouteRefresh;
use wren_wire::update::{encode_update, NextHop, UpdateParts, Verdict};
use wren_wire::{decode_message, AfiSafi, Message, Negotiated, Nlri, Open, Prefix};

fn every_attribute() -> PathAttributes {
    PathAttributes {
        origin: Some(Origin::Incomplete),
        as_path: Some(AsPath {
            segments: vec![
                Segment {
                    kind: SegmentType::ConfedSequence,
                    asns: vec![65100],
                },
                Segment {
                    kind: SegmentType::Sequence,
                    asns: vec![65001, 4_200_000_001],
                },
                Segment {
                    kind: SegmentType::Set,
                    asns: vec![65010, 65011],
                },
            ],
        }),
        next_hop: Some(Ipv4Addr::new(198, 18, 0, 1)),
        med: Some(7),
        local_pref: Some(200),
        atomic_aggregate: true,
        aggregator: Some(Aggregator {
            asn: 4_200_000_002,
            addr: Ipv4Addr::new(198, 18, 0, 9),
        }),
        communities: vec![Community::new(65001, 1), Community::NO_EXPORT],
        originator_id: Some(Ipv4Addr::new(10, 0, 0, 9)),
        cluster_list: vec![Ipv4Addr::new(10, 0, 0, 1)],
        ext_communities: vec![ExtCommunity::two_octet_as(2, 65001, 5)],
        large_communities: vec![LargeCommunity {
            global: 4_200_000_001,
            local1: 1,
            local2: 2,
        }],
        otc: Some(65001),
        aigp: Some(1 << 40),
        other: vec![
            RawAttribute {
                flags: 0xc0,
                type_code: attr_type::IPV6_EXTENDED_COMMUNITIES,
                value: vec![0; 20],
            },
            RawAttribute {
                flags: 0xe0,
                type_code: 99,
                value: vec![1, 2, 3],
            },
        ],
    }
}

#[test]
fn every_attribute_on_four_and_two_octet_sessions() {
    for four in [true, false] {
        let neg = Negotiated {
            four_octet_as: four,
            ..ibgp()
        };
        let a = every_attribute();
        let nlri = [Nlri::new("10.0.0.0/24".parse::<Prefix>().unwrap())];
        let v6 = [Nlri::new("2001:db8::/32".parse::<Prefix>().unwrap())];
        let hop = NextHop::V6 {
            global: "2001:db8::1".parse().unwrap(),
            link_local: None,
        };
        let parts = UpdateParts {
            attrs: Some(&a),
            nlri: &nlri,
            mp_reach: Some((Family::Ipv6Unicast, hop, &v6)),
            ..Default::default()
        };
        let mut out = Vec::new();
        encode_update(&mut out, &parts, &neg, None).unwrap();
        let Message::Update(u) = decode_message(&out, &neg).unwrap() else {
            panic!()
        };
        assert_eq!(
            u.verdict(),
            Verdict::Accept,
            "four-octet {four}: {:?}",
            u.error()
        );
        assert_eq!(u.attributes(), Some(&a), "four-octet {four}");
        assert_eq!(u.next_hop(Family::Ipv6Unicast), Some(hop));
        assert_eq!(u.announced().count(), 2);
        let mut again = Vec::new();
        Message::Update(u).encode(&neg, &mut again).unwrap();
        assert_eq!(again, out);
    }
}

#[test]
fn every_message_type() {
    let neg = ebgp();
    let open = Open::new(
        65001,
        90,
        Ipv4Addr::new(198, 18, 0, 1),
        vec![
            Capability::Multiprotocol(AfiSafi::IPV4_UNICAST),
            Capability::AddPath(vec![(AfiSafi::IPV4_UNICAST, AddPathMode::RECEIVE)]),
        ],
    );
    let mut msgs = Vec::new();
    open.encode(&mut msgs);
    wren_wire::header::encode_keepalive(&mut msgs);
    Notification::cease_with_message(cease::ADMINISTRATIVE_SHUTDOWN, "bye").encode(&mut msgs);
    RouteRefresh::request(AfiSafi::IPV6_UNICAST).encode(&mut msgs);
    wren_wire::update::encode_end_of_rib(&mut msgs, Family::Ipv6Unicast);
    let mut kinds = Vec::new();
    for m in wren_wire::message::split_stream(&msgs, 4096) {
        let m = m.unwrap();
        let msg = decode_message(m, &neg).unwrap();
        kinds.push(msg.to_string());
        let mut again = Vec::new();
        msg.encode(&neg, &mut again).unwrap();
        assert_eq!(again, m);
    }
    assert_eq!(
        kinds,
        vec![
            "OPEN as 65001 hold 90 id 198.18.0.1 caps [mp:ipv4-unicast add-path]",
            "KEEPALIVE",
            "NOTIFICATION Administrative shutdown (6/2): \"bye\"",
            "ROUTE-REFRESH ipv6-unicast subtype 0",
            "UPDATE End-of-RIB ipv6-unicast",
        ]
    );
}
