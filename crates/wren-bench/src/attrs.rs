//! Internet-like path attributes from a seeded generator.
//!
//! A router's cost per route depends on what the route carries: AS paths
//! to intern and compare, communities to copy. A benchmark whose routes
//! all carry `65001` and nothing else flatters every daemon. The shapes
//! here follow what a full-table feed looks like (RIPE RIS and RouteViews
//! summaries): paths of 3–5 hops after the neighbour most of the time,
//! a tier-1 network near the front, a few prepends, and zero to a dozen
//! communities set by the networks on the way.
//!
//! Only public AS numbers are generated, so no generated path ever holds
//! the lab's private ones (the router's, the monitor's, a tester's), and
//! no router drops a route as a loop.

use crate::rng::Rng;
use wren_wire::attributes::{AsPath, Community, LargeCommunity, Origin, PathAttributes};

/// Networks that appear near the front of most paths (well-known tier-1
/// and large transit ASes).
const TIER1: [u32; 16] = [
    174, 701, 1299, 2914, 3257, 3320, 3356, 3491, 5511, 6453, 6461, 6762, 6830, 6939, 7018, 12956,
];

/// How many regional transit networks the generator draws from: paths
/// share their middle hops, as real paths do.
const TRANSITS: usize = 2_000;

/// How the routes of a scenario share attributes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AttrMode {
    /// One attribute set per tester peer: every UPDATE is packed full.
    Shared,
    /// A set of its own per route (its own path, communities and MED):
    /// one route per UPDATE, and one interned set per route in the router.
    Distinct,
}

/// Generates attribute sets for one tester peer.
#[derive(Clone, Debug)]
pub struct AttrGen {
    rng: Rng,
    peer_as: u32,
    transits: Vec<u32>,
}

impl AttrGen {
    /// A generator for the peer of AS `peer_as`; the transit pool comes
    /// from `seed` alone, so all peers of a run share it.
    pub fn new(seed: u64, peer_as: u32) -> Self {
        let mut pool = Rng::new(seed);
        let transits = (0..TRANSITS).map(|_| public_asn(&mut pool)).collect();
        AttrGen {
            rng: Rng::new(seed ^ u64::from(peer_as).wrapping_mul(0x2545_f491_4f6c_dd1d)),
            peer_as,
            transits,
        }
    }

    /// The next attribute set: ORIGIN, AS_PATH starting with the peer's
    /// own AS (as eBGP requires) and communities. With `unique`, the set is
    /// made unlike any other: MED `unique` (distinct on input) and a
    /// large community `peer AS:0:unique` (distinct on output too, since
    /// a router does not pass MED on to another AS but keeps communities).
    pub fn next(&mut self, unique: Option<u32>) -> PathAttributes {
        let path = self.path();
        let communities = self.communities(&path);
        let mut large_communities = self.large_communities(&path);
        if let Some(id) = unique {
            large_communities.insert(
                0,
                LargeCommunity {
                    global: self.peer_as,
                    local1: 0,
                    local2: id,
                },
            );
        }
        let origin = if self.rng.chance(12) {
            Origin::Incomplete
        } else {
            Origin::Igp
        };
        PathAttributes {
            origin: Some(origin),
            as_path: Some(AsPath::sequence(&path)),
            med: unique,
            communities,
            large_communities,
            ..PathAttributes::default()
        }
    }

    /// Peer, then usually a tier-1, then 0–3 regional transits, then the
    /// origin, sometimes prepended.
    fn path(&mut self) -> Vec<u32> {
        let r = &mut self.rng;
        let mut p = vec![self.peer_as];
        if r.chance(75) {
            p.extend(r.pick(&TIER1));
        }
        let middle = match r.below(100) {
            0..=19 => 0,
            20..=59 => 1,
            60..=89 => 2,
            _ => 3,
        };
        for _ in 0..middle {
            p.extend(r.pick(&self.transits));
        }
        let origin = public_asn(r);
        p.push(origin);
        if r.chance(8) {
            for _ in 0..r.range(1, 3) {
                p.push(origin);
            }
        }
        p
    }

    /// Zero to a dozen `AS:value` communities, tagged by networks on the
    /// path that have 2-octet numbers (as operators' informational
    /// communities are: where learned, region, customer class).
    fn communities(&mut self, path: &[u32]) -> Vec<Community> {
        let r = &mut self.rng;
        let n = match r.below(100) {
            0..=19 => 0,
            20..=49 => r.range(1, 2),
            50..=89 => r.range(3, 6),
            _ => r.range(7, 12),
        };
        let taggers: Vec<u16> = path.iter().filter_map(|a| u16::try_from(*a).ok()).collect();
        let mut out: Vec<Community> = (0..n)
            .filter_map(|_| {
                let asn = r.pick(&taggers)?;
                let value = match r.below(4) {
                    0 => 100 * r.range(1, 9),
                    1 => 1000 + r.range(0, 99),
                    2 => 2000 + r.range(0, 250),
                    _ => 3000 + r.range(0, 999),
                };
                Some(Community::new(asn, u16::try_from(value).unwrap_or(0)))
            })
            .collect();
        out.sort_unstable();
        out.dedup();
        out
    }

    /// Large communities on about one route in seven, set by the origin.
    fn large_communities(&mut self, path: &[u32]) -> Vec<LargeCommunity> {
        let r = &mut self.rng;
        if !r.chance(15) {
            return Vec::new();
        }
        let global = path.last().copied().unwrap_or(self.peer_as);
        (1..=r.range(1, 3))
            .map(|local1| LargeCommunity {
                global,
                local1,
                local2: r.range(0, 9_999),
            })
            .collect()
    }
}

/// A public AS number: mostly 2-octet (most of the table's origins still
/// are), else from the allocated 4-octet range. Skips AS_TRANS and every
/// reserved, documentation and private range (RFC 6996, RFC 5398, RFC 7300).
fn public_asn(r: &mut Rng) -> u32 {
    loop {
        let a = if r.chance(65) {
            r.range(1, 64_495)
        } else {
            r.range(131_072, 401_308)
        };
        if a != 23_456 {
            return a;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_start_with_the_peer_and_hold_no_private_as() {
        let mut g = AttrGen::new(42, 65_001);
        for _ in 0..1_000 {
            let a = g.next(None);
            let path: Vec<u32> = a.as_path.iter().flat_map(|p| p.asns()).collect();
            assert_eq!(path.first(), Some(&65_001));
            assert!(path.len() >= 2 && path.len() <= 9, "{path:?}");
            assert!(path
                .iter()
                .skip(1)
                .all(|x| *x < 64_496 || (131_072..4_200_000_000).contains(x)));
        }
    }

    #[test]
    fn same_seed_same_attributes() {
        let mut a = AttrGen::new(1, 65_001);
        let mut b = AttrGen::new(1, 65_001);
        for _ in 0..100 {
            assert_eq!(a.next(Some(3)), b.next(Some(3)));
        }
        let mut c = AttrGen::new(1, 65_002);
        assert_ne!(a.next(None), c.next(None));
    }
}
