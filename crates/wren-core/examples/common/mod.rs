//! The setup `examples/pipeline` and `examples/cycle` share: one eBGP peer
//! (`a`) sending N IPv4 /24s with one attribute set, packed into UPDATEs
//! and then withdrawn, and a second eBGP peer (`to`) they are exported to.
#![allow(clippy::unwrap_used, dead_code)]

use std::net::{IpAddr, Ipv4Addr};
use wren_core::export::{ExportTarget, NextHopMode};
use wren_core::import::ImportRules;
use wren_core::rib::*;
use wren_wire::attributes::{AsPath, Origin, PathAttributes};
use wren_wire::header::frame;
use wren_wire::update::{encode_withdraw, AnnounceTemplate, NextHop};
use wren_wire::{Family, Ipv4Prefix, Negotiated, Nlri, Prefix};

/// The two peers and the UPDATE streams.
pub struct Lab {
    pub neg: Negotiated,
    /// The announcements, packed.
    pub announce: Vec<u8>,
    /// Their withdrawals, packed.
    pub withdraw: Vec<u8>,
    pub sources: Sources,
    /// The sending peer.
    pub a: SourceId,
    pub rules: ImportRules,
    /// The receiving peer.
    pub to: ExportTarget,
}

fn peer(asn: u32, id: u8) -> SourceInfo {
    SourceInfo {
        name: format!("peer{id}"),
        kind: SourceKind::Bgp(BgpSource {
            peer_as: asn,
            local_as: 65000,
            router_id: Ipv4Addr::new(10, 0, 0, id),
            address: IpAddr::V4(Ipv4Addr::new(198, 18, 0, id)),
            rr_client: false,
        }),
        preference: 100,
    }
}

impl Lab {
    /// `n` routes, 11.0.0.0/24 upwards.
    pub fn new(n: u32) -> Lab {
        let neg = Negotiated {
            four_octet_as: true,
            ..Negotiated::default()
        };
        let routes: Vec<Nlri> = (0..n)
            .map(|i| {
                Nlri::new(Prefix::V4(
                    Ipv4Prefix::new(Ipv4Addr::from(0x0b00_0000 + (i << 8)), 24).unwrap(),
                ))
            })
            .collect();
        let attrs = PathAttributes {
            origin: Some(Origin::Igp),
            as_path: Some(AsPath::sequence(&[65001, 64500, 64501])),
            ..PathAttributes::default()
        };
        let nh = NextHop::V4(Ipv4Addr::new(198, 18, 0, 1));
        let tpl = AnnounceTemplate::new(&attrs, Family::Ipv4Unicast, nh, &neg);
        let (mut announce, mut withdraw) = (Vec::new(), Vec::new());
        let mut rest = &routes[..];
        while !rest.is_empty() {
            let k = tpl.encode(&mut announce, rest).unwrap();
            rest = &rest[k..];
        }
        let mut rest = &routes[..];
        while !rest.is_empty() {
            let k = encode_withdraw(&mut withdraw, Family::Ipv4Unicast, rest, &neg);
            rest = &rest[k..];
        }
        let mut sources = Sources::default();
        let a = sources.add(peer(65001, 1));
        let b = sources.add(peer(65002, 2));
        let rules = ImportRules {
            local_as: 65000,
            router_id: Ipv4Addr::new(10, 0, 0, 100),
            cluster_id: None,
            allow_local_as: 0,
            ibgp: false,
        };
        let to = ExportTarget {
            source: b,
            local_as: 65000,
            peer_as: 65002,
            cluster_id: None,
            router_id: Ipv4Addr::new(10, 0, 0, 100),
            rr_client: false,
            next_hop_mode: NextHopMode::Default,
            local_v4: Some(Ipv4Addr::new(198, 18, 1, 100)),
            local_v6: None,
            local_v6_link_local: None,
            ext_next_hop_v4: false,
            replace_peer_as: false,
            shared: [None, None],
            peer_addr: None,
        };
        Lab {
            neg,
            announce,
            withdraw,
            sources,
            a,
            rules,
            to,
        }
    }
}

/// The messages of a packed stream.
pub fn messages(buf: &[u8]) -> impl Iterator<Item = &[u8]> {
    let mut rest = buf;
    std::iter::from_fn(move || {
        let n = frame(rest, 4096).ok()??;
        let (m, tail) = rest.split_at(n);
        rest = tail;
        Some(m)
    })
}
