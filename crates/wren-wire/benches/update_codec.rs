//! UPDATE codec throughput: decoding packed and single-route UPDATEs, and
//! packing routes into UPDATEs. Run with `cargo bench -p wren-wire`.
#![allow(missing_docs, clippy::unwrap_used, clippy::indexing_slicing)]

use criterion::{black_box, criterion_group, criterion_main, Criterion, Throughput};
use std::net::Ipv4Addr;
use wren_wire::attributes::{AsPath, Community, Origin, PathAttributes};
use wren_wire::family::{Family, FamilySet};
use wren_wire::message::split_stream;
use wren_wire::update::{decode_update, AnnounceTemplate, NextHop};
use wren_wire::{Ipv4Prefix, Negotiated, Nlri, Prefix};

const ROUTES: u32 = 100_000;

fn session() -> Negotiated {
    Negotiated {
        four_octet_as: true,
        families: FamilySet::only(Family::Ipv4Unicast),
        ..Negotiated::default()
    }
}

fn attrs(i: u32) -> PathAttributes {
    PathAttributes {
        origin: Some(Origin::Igp),
        as_path: Some(AsPath::sequence(&[65001, 174, 3356, 64512 + (i % 1000)])),
        med: Some(i % 7),
        communities: vec![
            Community::new(65001, 100),
            Community::new(65001, (i % 50) as u16),
        ],
        ..Default::default()
    }
}

fn routes() -> Vec<Nlri> {
    (0..ROUTES)
        .map(|i| {
            Nlri::new(Prefix::V4(
                Ipv4Prefix::new(Ipv4Addr::from(0x0b00_0000 + (i << 8)), 24).unwrap(),
            ))
        })
        .collect()
}

fn pack(routes: &[Nlri], per_message_attrs: bool, neg: &Negotiated) -> Vec<u8> {
    let mut out = Vec::new();
    let hop = NextHop::V4(Ipv4Addr::new(198, 18, 0, 1));
    if per_message_attrs {
        for (i, r) in routes.iter().enumerate() {
            let t = AnnounceTemplate::new(&attrs(i as u32), Family::Ipv4Unicast, hop, neg);
            t.encode(&mut out, std::slice::from_ref(r)).unwrap();
        }
    } else {
        let t = AnnounceTemplate::new(&attrs(0), Family::Ipv4Unicast, hop, neg);
        let mut rest = routes;
        while !rest.is_empty() {
            let n = t.encode(&mut out, rest).unwrap();
            rest = &rest[n..];
        }
    }
    out
}

fn decode_all(stream: &[u8], neg: &Negotiated) -> usize {
    let mut n = 0;
    for m in split_stream(stream, 4096) {
        let u = decode_update(&m.unwrap()[19..], neg).unwrap();
        n += u.announced().count();
    }
    n
}

fn bench(c: &mut Criterion) {
    let neg = session();
    let routes = routes();
    let shared = pack(&routes, false, &neg);
    let distinct = pack(&routes, true, &neg);
    let mut g = c.benchmark_group("update");
    g.throughput(Throughput::Elements(u64::from(ROUTES)));
    g.sample_size(20);
    g.bench_function("decode_packed_100k", |b| {
        b.iter(|| assert_eq!(decode_all(black_box(&shared), &neg), ROUTES as usize))
    });
    g.bench_function("decode_one_per_update_100k", |b| {
        b.iter(|| assert_eq!(decode_all(black_box(&distinct), &neg), ROUTES as usize))
    });
    g.bench_function("encode_packed_100k", |b| {
        b.iter(|| pack(black_box(&routes), false, &neg).len())
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
