//! Best-path selection (RFC 4271 §9.1.2, with the tie-breaks BIRD and FRR
//! use), as a comparison that also says which step decided, so `show
//! route all` can tell an operator why a path lost.

use super::path::Path;
use super::source::SourceInfo;
use std::cmp::Ordering;
use std::net::IpAddr;
use wren_wire::attributes::{AsPath, SegmentType};

/// The step of the decision process that separated two paths.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reason {
    /// One next hop is unreachable.
    Unreachable,
    /// Protocol preference (BIRD: direct and static over BGP).
    Preference,
    /// LOCAL_PREF.
    LocalPref,
    /// AS_PATH length.
    AsPathLength,
    /// ORIGIN.
    Origin,
    /// MULTI_EXIT_DISC (same neighbour AS, or always compared).
    Med,
    /// eBGP over iBGP.
    ExternalOverInternal,
    /// IGP cost to the next hop.
    IgpMetric,
    /// Router id (ORIGINATOR_ID when reflected).
    RouterId,
    /// CLUSTER_LIST length.
    ClusterListLength,
    /// Neighbour address.
    NeighborAddress,
    /// ADD-PATH identifier, the last resort that keeps the order total.
    PathId,
    /// Indistinguishable.
    Equal,
}

impl Reason {
    /// Wording for `show route all`.
    pub fn describe(self) -> &'static str {
        match self {
            Reason::Unreachable => "next hop unreachable",
            Reason::Preference => "lower preference",
            Reason::LocalPref => "lower local preference",
            Reason::AsPathLength => "longer AS path",
            Reason::Origin => "worse origin",
            Reason::Med => "higher MED",
            Reason::ExternalOverInternal => "internal route",
            Reason::IgpMetric => "higher IGP metric",
            Reason::RouterId => "higher router id",
            Reason::ClusterListLength => "longer cluster list",
            Reason::NeighborAddress => "higher neighbor address",
            Reason::PathId => "higher path id",
            Reason::Equal => "equal",
        }
    }

    /// Whether paths that differ only at this step or later may share
    /// the forwarding load (ECMP): they tie up to and including the IGP
    /// cost.
    pub fn allows_multipath(self) -> bool {
        matches!(
            self,
            Reason::RouterId
                | Reason::ClusterListLength
                | Reason::NeighborAddress
                | Reason::PathId
                | Reason::Equal
        )
    }
}

/// Knobs of the decision process.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct BestOptions {
    /// Compare MED between paths from different neighbour ASes
    /// (BIRD `med metric`, FRR `always-compare-med`).
    pub always_compare_med: bool,
    /// LOCAL_PREF of paths without one (BIRD `default bgp_local_pref`, 100).
    pub default_local_pref: u32,
}

impl BestOptions {
    /// RFC defaults.
    pub fn new() -> Self {
        BestOptions {
            always_compare_med: false,
            default_local_pref: 100,
        }
    }
}

/// AS_PATH length for the decision: an AS_SET counts one, confederation
/// segments nothing (RFC 4271 §9.1.2.2, RFC 5065 §5.3).
pub fn as_path_length(p: Option<&AsPath>) -> usize {
    p.map_or(0, |p| {
        p.segments
            .iter()
            .map(|s| match s.kind {
                SegmentType::Sequence => s.asns.len(),
                SegmentType::Set => 1,
                _ => 0,
            })
            .sum()
    })
}

/// The AS the path was learned from, for MED comparison (the first AS of
/// the path; none for a locally originated one).
fn neighbor_as(p: &Path) -> Option<u32> {
    p.attrs.as_path.as_ref().and_then(|a| {
        a.segments
            .iter()
            .find(|s| !s.kind.is_confed())
            .and_then(|s| s.asns.first().copied())
    })
}

fn ip_key(a: IpAddr) -> u128 {
    match a {
        IpAddr::V4(v) => u128::from(u32::from(v)),
        IpAddr::V6(v) => u128::from(v),
    }
}

/// Compares `a` (from `sa`) with `b` (from `sb`): `Less` means `a` is
/// preferred. The returned reason names the deciding step.
pub fn compare(
    a: &Path,
    sa: &SourceInfo,
    b: &Path,
    sb: &SourceInfo,
    opt: &BestOptions,
) -> (Ordering, Reason) {
    macro_rules! step {
        ($reason:expr, $ord:expr) => {
            let o = $ord;
            if o != Ordering::Equal {
                return (o, $reason);
            }
        };
    }
    step!(Reason::Unreachable, b.reachable.cmp(&a.reachable));
    step!(Reason::Preference, sb.preference.cmp(&sa.preference));
    let lp = |p: &Path| p.attrs.local_pref.unwrap_or(opt.default_local_pref);
    step!(Reason::LocalPref, lp(b).cmp(&lp(a)));
    step!(
        Reason::AsPathLength,
        as_path_length(a.attrs.as_path.as_ref()).cmp(&as_path_length(b.attrs.as_path.as_ref()))
    );
    let origin = |p: &Path| p.attrs.origin.map_or(2, |o| o as u8);
    step!(Reason::Origin, origin(a).cmp(&origin(b)));
    if opt.always_compare_med || neighbor_as(a) == neighbor_as(b) {
        let med = |p: &Path| p.attrs.med.unwrap_or(0);
        step!(Reason::Med, med(a).cmp(&med(b)));
    }
    let (ba, bb) = (sa.bgp(), sb.bgp());
    let ibgp = |s: Option<&super::source::BgpSource>| s.is_some_and(|s| s.is_ibgp());
    step!(Reason::ExternalOverInternal, ibgp(ba).cmp(&ibgp(bb)));
    step!(Reason::IgpMetric, a.igp_metric.cmp(&b.igp_metric));
    let rid = |p: &Path, s: Option<&super::source::BgpSource>| {
        p.attrs
            .originator_id
            .or(s.map(|s| s.router_id))
            .map_or(0, u32::from)
    };
    step!(Reason::RouterId, rid(a, ba).cmp(&rid(b, bb)));
    step!(
        Reason::ClusterListLength,
        a.attrs.cluster_list.len().cmp(&b.attrs.cluster_list.len())
    );
    let addr = |s: Option<&super::source::BgpSource>| s.map_or(0, |s| ip_key(s.address));
    step!(Reason::NeighborAddress, addr(ba).cmp(&addr(bb)));
    step!(Reason::PathId, a.path_id.cmp(&b.path_id));
    (a.source.cmp(&b.source), Reason::Equal)
}
