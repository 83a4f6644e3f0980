//! The table's storage: entries live in an arena behind a prefix index,
//! and slots freed by withdrawals are reused. Whatever the reuse, every
//! prefix must keep exactly its own paths.
#![allow(clippy::unwrap_used, clippy::indexing_slicing, missing_docs)]

use std::net::{IpAddr, Ipv4Addr};
use wren_core::rib::*;
use wren_wire::attributes::{AsPath, Origin, PathAttributes};
use wren_wire::prefix::Ipv4Prefix;
use wren_wire::update::NextHop;
use wren_wire::Prefix;

fn peer(sources: &mut Sources, id: u8) -> SourceId {
    sources.add(SourceInfo {
        name: format!("p{id}"),
        kind: SourceKind::Bgp(BgpSource {
            peer_as: 65000 + u32::from(id),
            local_as: 65000,
            router_id: Ipv4Addr::new(10, 0, 0, id),
            address: IpAddr::V4(Ipv4Addr::new(198, 18, 0, id)),
            rr_client: false,
        }),
        preference: 100,
    })
}

fn p(i: u32) -> Prefix {
    Prefix::V4(Ipv4Prefix::new(Ipv4Addr::from(0x0a00_0000 + (i << 8)), 24).unwrap())
}

/// A path whose AS path names the prefix it was announced for, so a
/// path found under the wrong prefix shows.
fn path(src: SourceId, i: u32) -> Path {
    let a = PathAttributes {
        origin: Some(Origin::Igp),
        as_path: Some(AsPath::sequence(&[i + 1])),
        ..PathAttributes::default()
    };
    Path::new(
        src,
        0,
        wren_core::rib::Attrs::new(a),
        Some(NextHop::V4(Ipv4Addr::new(198, 18, 0, 1))),
    )
}

fn owner(t: &Table, i: u32) -> Option<u32> {
    let e = t.get(&p(i))?;
    assert_eq!(e.paths.len(), 1);
    let asp = e.paths[0].attrs.as_path.as_ref()?;
    Some(asp.first()? - 1)
}

#[test]
fn withdrawn_slots_are_reused_without_mixing_prefixes() {
    let mut sources = Sources::default();
    let a = peer(&mut sources, 1);
    let mut t = Table::new();
    for i in 0..100 {
        t.update(p(i), path(a, i), &sources);
    }
    for i in (0..100).step_by(2) {
        t.withdraw(p(i), a, 0, &sources);
    }
    assert_eq!(t.len(), 50);
    // New prefixes take the freed slots.
    for i in 100..150 {
        t.update(p(i), path(a, i), &sources);
    }
    assert_eq!(t.len(), 100);
    for i in 0..150 {
        let want = (i % 2 == 1 || i >= 100).then_some(i);
        assert_eq!(owner(&t, i), want, "prefix {i}");
    }
    let mut seen: Vec<Prefix> = t.iter().map(|(k, _)| k).collect();
    seen.sort_by_key(|k| k.to_string());
    seen.dedup();
    assert_eq!(seen.len(), 100);
}

#[test]
fn a_session_going_down_frees_its_slots_for_the_next() {
    let mut sources = Sources::default();
    let a = peer(&mut sources, 1);
    let b = peer(&mut sources, 2);
    let mut t = Table::new();
    for i in 0..10 {
        t.update(p(i), path(a, i), &sources);
    }
    t.update(p(20), path(b, 20), &sources);
    assert_eq!(t.retain_source(a, &sources, |_, _| false), 10);
    assert_eq!(t.len(), 1);
    for i in 30..40 {
        t.update(p(i), path(b, i), &sources);
    }
    assert_eq!(owner(&t, 20), Some(20));
    for i in 30..40 {
        assert_eq!(owner(&t, i), Some(i));
    }
    for i in 0..10 {
        assert!(t.get(&p(i)).is_none());
    }
}

/// The change list a batch leaves: (prefix number, old path's prefix
/// number, new path's prefix number), by the AS path each path names.
fn changes(t: &mut Table) -> Vec<(String, Option<u32>, Option<u32>)> {
    let named = |p: &Option<Path>| {
        p.as_ref()
            .and_then(|p| p.attrs.as_path.as_ref()?.first())
            .map(|a| a - 1)
    };
    let mut cs = Vec::new();
    t.take_changes(&mut cs);
    cs.iter()
        .map(|c| (c.prefix.to_string(), named(&c.old), named(&c.new)))
        .collect()
}

#[test]
fn a_withdrawal_records_what_the_exporters_last_saw() {
    let mut sources = Sources::default();
    let a = peer(&mut sources, 1);
    let b = peer(&mut sources, 2);
    let mut t = Table::new();
    for i in 0..4 {
        t.update(p(i), path(a, i), &sources);
    }
    let mut dark = path(a, 4);
    dark.reachable = false;
    t.update(p(4), dark, &sources);
    t.update(p(5), path(a, 5), &sources);
    t.update(p(5), path(b, 5), &sources);
    changes(&mut t);

    // The only path goes: the record holds it as the old best.
    t.withdraw(p(0), a, 0, &sources);
    // Another source's or path id's withdrawal is not this path's.
    t.withdraw(p(1), b, 0, &sources);
    t.withdraw(p(1), a, 7, &sources);
    // An unreachable path was never anyone's best.
    t.withdraw(p(4), a, 0, &sources);
    // Announced and withdrawn within one batch: one record, old and new
    // both as before the batch (nothing).
    t.update(p(9), path(a, 9), &sources);
    t.withdraw(p(9), a, 0, &sources);
    // One of two paths goes, the entry stays.
    t.withdraw(p(5), a, 0, &sources);
    // The slot just freed, queued in this batch, is taken by a new prefix
    // in the same batch: it gets a record of its own.
    t.update(p(20), path(a, 20), &sources);
    assert_eq!(
        changes(&mut t),
        [
            ("10.0.0.0/24".to_string(), Some(0), None),
            ("10.0.4.0/24".to_string(), None, None),
            ("10.0.9.0/24".to_string(), None, None),
            ("10.0.5.0/24".to_string(), Some(5), Some(5)),
            ("10.0.20.0/24".to_string(), None, Some(20)),
        ]
    );
    assert_eq!(owner(&t, 1), Some(1));
    assert!(t.get(&p(0)).is_none() && t.get(&p(4)).is_none());
    assert_eq!(t.get(&p(5)).map(|e| e.paths[0].source), Some(b));
    assert_eq!(t.len(), 5);
}
