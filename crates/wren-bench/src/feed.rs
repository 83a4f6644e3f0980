//! Pre-encoded UPDATE streams, one per tester peer.
//!
//! Everything a tester will send is encoded before any router starts, so
//! the clock measures the router and not the encoder: at run time a
//! tester does one `write_all` of a buffer. Announcements are packed as
//! tightly as 4096-octet messages allow (wren-wire's `AnnounceTemplate`:
//! about 1,000 /24s per UPDATE with a shared attribute set), withdrawals
//! likewise. The streams do not depend on the target, so one encoding
//! serves all four routers of a scenario.

use crate::attrs::{AttrGen, AttrMode};
use crate::lab;
use crate::prefixes;
use crate::scenario::Scenario;
use anyhow::{bail, Context, Result};
use wren_wire::update::{encode_withdraw, AnnounceTemplate, NextHop};
use wren_wire::{Family, FamilySet, Negotiated, Nlri, Prefix};

/// Routes encoded per batch: bounds the temporary `Nlri` vector.
const BATCH: u32 = 8_192;

/// What one tester sends.
#[derive(Debug, Default)]
pub struct Feed {
    /// UPDATEs announcing all its routes.
    pub announce: Vec<u8>,
    /// How many UPDATEs `announce` holds.
    pub announce_updates: u64,
    /// UPDATEs withdrawing them all (empty unless the scenario withdraws).
    pub withdraw: Vec<u8>,
    /// How many UPDATEs `withdraw` holds.
    pub withdraw_updates: u64,
}

/// The session parameters the streams are encoded for: 4-octet AS
/// numbers, 4096-octet messages, no ADD-PATH. Every target negotiates
/// exactly this with a tester; [`check_negotiated`] verifies it.
pub fn assumed_session(v6: bool) -> Negotiated {
    let mut families = FamilySet::only(Family::Ipv4Unicast);
    if v6 {
        families.insert(Family::Ipv6Unicast);
    }
    Negotiated {
        four_octet_as: true,
        extended_message: false,
        families,
        ..Negotiated::default()
    }
}

/// Fails if a session negotiated something the streams were not encoded
/// for (they would be misread by the router).
pub fn check_negotiated(got: &Negotiated, v6: bool) -> Result<()> {
    let want = assumed_session(v6);
    if !got.four_octet_as
        || got.extended_message
        || !got.add_path_tx.is_empty()
        || want.families.iter().any(|f| !got.families.contains(f))
    {
        bail!("the router negotiated {got:?}, the streams are encoded for {want:?}");
    }
    Ok(())
}

/// Encodes every tester's streams for scenario `s` with attribute seed
/// `seed`.
pub fn build(s: &Scenario, seed: u64) -> Result<Vec<Feed>> {
    let neg = assumed_session(s.has_v6());
    (0..s.peers)
        .map(|peer| build_peer(s, seed, peer, &neg).with_context(|| format!("tester {peer}")))
        .collect()
}

fn build_peer(s: &Scenario, seed: u64, peer: u32, neg: &Negotiated) -> Result<Feed> {
    let mut attrs = AttrGen::new(seed, lab::tester_as(peer));
    let mut feed = Feed::default();
    let families = [
        (
            Family::Ipv4Unicast,
            s.v4_per_peer,
            NextHop::V4(lab::tester_v4(peer)),
        ),
        (
            Family::Ipv6Unicast,
            s.v6_per_peer,
            NextHop::V6 {
                global: lab::tester_v6(peer),
                link_local: None,
            },
        ),
    ];
    for (family, count, next_hop) in families {
        if count == 0 {
            continue;
        }
        let first = peer * count;
        let nlri = |i: u32| {
            Nlri::new(match family {
                Family::Ipv6Unicast => Prefix::V6(prefixes::v6(i)),
                _ => Prefix::V4(prefixes::v4(i)),
            })
        };
        match s.attrs {
            AttrMode::Shared => {
                let t = AnnounceTemplate::new(&attrs.next(None), family, next_hop, neg);
                for_batches(first, count, nlri, |routes| {
                    pack(
                        routes,
                        |r| t.encode(&mut feed.announce, r).ok(),
                        &mut feed.announce_updates,
                    )
                })?;
            }
            AttrMode::Distinct => {
                for i in first..first + count {
                    // Marked with the route number: sets stay distinct even
                    // where two generated paths and community lists coincide.
                    let t = AnnounceTemplate::new(&attrs.next(Some(i)), family, next_hop, neg);
                    if t.encode(&mut feed.announce, &[nlri(i)]).ok() != Some(1) {
                        bail!("route {i} does not fit an UPDATE");
                    }
                    feed.announce_updates += 1;
                }
            }
        }
        if s.withdraw {
            for_batches(first, count, nlri, |routes| {
                pack(
                    routes,
                    |r| Some(encode_withdraw(&mut feed.withdraw, family, r, neg)),
                    &mut feed.withdraw_updates,
                )
            })?;
        }
    }
    Ok(feed)
}

/// Calls `f` with the routes `first..first + count` in batches.
fn for_batches(
    first: u32,
    count: u32,
    nlri: impl Fn(u32) -> Nlri,
    mut f: impl FnMut(&[Nlri]) -> Result<()>,
) -> Result<()> {
    let mut batch = Vec::with_capacity(BATCH as usize);
    let mut at = first;
    let end = first + count;
    while at < end {
        let n = BATCH.min(end - at);
        batch.clear();
        batch.extend((at..at + n).map(&nlri));
        f(&batch)?;
        at += n;
    }
    Ok(())
}

/// Encodes messages with `encode` (which returns how many routes it
/// packed) until all of `routes` are written.
fn pack(
    mut routes: &[Nlri],
    mut encode: impl FnMut(&[Nlri]) -> Option<usize>,
    updates: &mut u64,
) -> Result<()> {
    while !routes.is_empty() {
        let n = encode(routes)
            .filter(|n| *n > 0)
            .context("no route fits an UPDATE")?;
        routes = routes.get(n..).unwrap_or_default();
        *updates += 1;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use wren_wire::message::split_stream;
    use wren_wire::{decode_message, Message};

    fn count_routes(bytes: &[u8], neg: &Negotiated) -> (u64, u64, u64) {
        let (mut msgs, mut ann, mut wd) = (0, 0, 0);
        for m in split_stream(bytes, 4096) {
            let m = m.unwrap_or_default();
            assert!(m.len() <= 4096);
            let Ok(Message::Update(u)) = decode_message(m, &neg.mirrored()) else {
                panic!("not an UPDATE");
            };
            assert_eq!(u.verdict(), wren_wire::Verdict::Accept);
            msgs += 1;
            ann += u.announced().count() as u64;
            wd += u.withdrawn().count() as u64;
        }
        (msgs, ann, wd)
    }

    #[test]
    fn streams_decode_and_hold_every_route() {
        let s = Scenario {
            name: "t",
            about: "",
            peers: 2,
            v4_per_peer: 3_000,
            v6_per_peer: 1_000,
            attrs: AttrMode::Shared,
            withdraw: true,
            kind: crate::scenario::Kind::Transit,
        };
        let feeds = build(&s, 1).unwrap_or_default();
        assert_eq!(feeds.len(), 2);
        let neg = assumed_session(true);
        for f in &feeds {
            let (msgs, ann, wd) = count_routes(&f.announce, &neg);
            assert_eq!((msgs, ann, wd), (f.announce_updates, 4_000, 0));
            assert!(msgs < 10, "shared attributes pack: {msgs} UPDATEs");
            let (msgs, ann, wd) = count_routes(&f.withdraw, &neg);
            assert_eq!((msgs, ann, wd), (f.withdraw_updates, 0, 4_000));
        }
    }

    #[test]
    fn distinct_attributes_give_one_update_per_route() {
        let s = Scenario {
            name: "t",
            about: "",
            peers: 1,
            v4_per_peer: 500,
            v6_per_peer: 0,
            attrs: AttrMode::Distinct,
            withdraw: false,
            kind: crate::scenario::Kind::Transit,
        };
        let feeds = build(&s, 1).unwrap_or_default();
        let f = feeds.first().unwrap_or_else(|| panic!("no feed"));
        assert_eq!(
            count_routes(&f.announce, &assumed_session(false)),
            (500, 500, 0)
        );
        assert!(f.withdraw.is_empty());
    }

    #[test]
    fn a_mismatched_session_is_refused() {
        let mut n = assumed_session(false);
        assert!(check_negotiated(&n, false).is_ok());
        assert!(check_negotiated(&n, true).is_err());
        n.four_octet_as = false;
        assert!(check_negotiated(&n, false).is_err());
    }
}
