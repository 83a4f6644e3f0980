//! Route attributes as filters name them: reading them from a
//! [`RouteView`] without copying, and writing them (copy-on-write for BGP
//! attributes, straight into [`RouteFacts`] for the rest).
//!
//! [`RouteFacts`]: wren_core::policy::RouteFacts

use super::eval::Stop;
use super::value::{rtd, rts, EnumKind, Value};
use std::net::IpAddr;
use std::sync::Arc;
use wren_core::policy::{RouteDest, RouteView};
use wren_core::rib::SourceKind;
use wren_wire::attributes::{AsPath, Community, ExtCommunity, LargeCommunity, Origin};
use wren_wire::update::NextHop;

/// BIRD's `default bgp_local_pref`.
const DEFAULT_LOCAL_PREF: u32 = 100;

/// An attribute a filter can name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Attr {
    /// `net`
    Net,
    /// `proto`: name of the protocol the route came from.
    Proto,
    /// `source`: RTS_*.
    Source,
    /// `dest`: RTD_*.
    Dest,
    /// `ifname`
    Ifname,
    /// `gw`
    Gw,
    /// `from`: the peer's address.
    From,
    /// `preference`
    Preference,
    /// `bgp_path`
    BgpPath,
    /// `bgp_community`
    BgpCommunity,
    /// `bgp_ext_community`
    BgpExtCommunity,
    /// `bgp_large_community`
    BgpLargeCommunity,
    /// `bgp_local_pref`
    BgpLocalPref,
    /// `bgp_med`
    BgpMed,
    /// `bgp_origin`
    BgpOrigin,
    /// `bgp_next_hop`
    BgpNextHop,
    /// `bgp_originator_id`
    BgpOriginatorId,
    /// `krt_metric`
    KrtMetric,
    /// `krt_tunnel` (Calico's BIRD)
    KrtTunnel,
}

const NAMES: &[(&str, Attr)] = &[
    ("net", Attr::Net),
    ("proto", Attr::Proto),
    ("source", Attr::Source),
    ("dest", Attr::Dest),
    ("ifname", Attr::Ifname),
    ("gw", Attr::Gw),
    ("from", Attr::From),
    ("preference", Attr::Preference),
    ("bgp_path", Attr::BgpPath),
    ("bgp_community", Attr::BgpCommunity),
    ("bgp_ext_community", Attr::BgpExtCommunity),
    ("bgp_large_community", Attr::BgpLargeCommunity),
    ("bgp_local_pref", Attr::BgpLocalPref),
    ("bgp_med", Attr::BgpMed),
    ("bgp_origin", Attr::BgpOrigin),
    ("bgp_next_hop", Attr::BgpNextHop),
    ("bgp_originator_id", Attr::BgpOriginatorId),
    ("krt_metric", Attr::KrtMetric),
    ("krt_tunnel", Attr::KrtTunnel),
];

/// Attributes BIRD has that Wren does not carry yet: naming one is an
/// error that says so, not an unknown symbol.
pub const UNSUPPORTED: &[&str] = &[
    "bgp_cluster_list",
    "bgp_atomic_aggr",
    "bgp_aggregator",
    "bgp_aigp",
    "bgp_otc",
    "ifindex",
    "scope",
    "igp_metric",
    "krt_prefsrc",
    "krt_realm",
    "krt_scope",
    "krt_source",
    "onlink",
    "weight",
    "mpls_label",
];

impl Attr {
    /// The attribute called `name`.
    pub fn from_name(name: &str) -> Option<Attr> {
        NAMES.iter().find(|(n, _)| *n == name).map(|(_, a)| *a)
    }

    /// Its name.
    pub fn name(self) -> &'static str {
        NAMES
            .iter()
            .find(|(_, a)| *a == self)
            .map_or("?", |(n, _)| n)
    }

    /// Whether filters may assign it.
    pub fn writable(self) -> bool {
        !matches!(
            self,
            Attr::Net | Attr::Proto | Attr::Source | Attr::From | Attr::BgpOriginatorId
        )
    }

    /// Whether `unset(attr)` applies (optional attributes only).
    pub fn unsettable(self) -> bool {
        matches!(
            self,
            Attr::BgpPath
                | Attr::BgpCommunity
                | Attr::BgpExtCommunity
                | Attr::BgpLargeCommunity
                | Attr::BgpLocalPref
                | Attr::BgpMed
                | Attr::KrtMetric
                | Attr::KrtTunnel
        )
    }

    /// Reads the attribute; `Undef` when the route lacks it.
    pub fn read<'p, 'r>(self, r: &'r RouteView<'_>) -> Value<'p, 'r> {
        let a = r.attrs();
        match self {
            Attr::Net => Value::Prefix(r.prefix),
            Attr::Proto => Value::RouteStr(&r.source.name),
            Attr::Source => Value::Enum(EnumKind::Rts, source_code(r)),
            Attr::Dest => Value::Enum(EnumKind::Rtd, dest_code(r.facts.dest)),
            Attr::Ifname => r
                .facts
                .ifname
                .as_deref()
                .map_or(Value::Undef, Value::RouteStr),
            Attr::Gw => r
                .facts
                .gw
                .or_else(|| r.next_hop.map(nh_ip))
                .map_or(Value::Undef, Value::Ip),
            Attr::From => r
                .source
                .bgp()
                .map_or(Value::Undef, |b| Value::Ip(b.address)),
            Attr::Preference => Value::Int(i64::from(r.preference())),
            Attr::BgpPath => a.as_path.as_ref().map_or(Value::EmptyPath, Value::Path),
            Attr::BgpCommunity => Value::Clist(&a.communities),
            Attr::BgpExtCommunity => Value::Eclist(&a.ext_communities),
            Attr::BgpLargeCommunity => Value::Lclist(&a.large_communities),
            // BIRD gives every route learned over BGP a LOCAL_PREF (the
            // peer's, on iBGP; 100 otherwise), and filters see it.
            Attr::BgpLocalPref => int_or_undef(
                a.local_pref
                    .or_else(|| r.source.bgp().map(|_| DEFAULT_LOCAL_PREF)),
            ),
            Attr::BgpMed => int_or_undef(a.med),
            Attr::BgpOrigin => a
                .origin
                .map_or(Value::Undef, |o| Value::Enum(EnumKind::Origin, o as u8)),
            Attr::BgpNextHop => r
                .next_hop
                .map(nh_ip)
                .or(a.next_hop.map(IpAddr::V4))
                .map_or(Value::Undef, Value::Ip),
            Attr::BgpOriginatorId => a.originator_id.map_or(Value::Undef, Value::Quad),
            Attr::KrtMetric => int_or_undef(r.facts.krt_metric),
            Attr::KrtTunnel => r
                .facts
                .krt_tunnel
                .as_deref()
                .map_or(Value::Undef, Value::RouteStr),
        }
    }

    /// Whether the route has the attribute (`defined(attr)`); empty lists
    /// count as absent.
    pub fn defined(self, r: &RouteView<'_>) -> bool {
        if self == Attr::BgpPath {
            return r.attrs().as_path.is_some();
        }
        match self.read(r) {
            Value::Undef => false,
            Value::Clist(l) => !l.is_empty(),
            Value::Eclist(l) => !l.is_empty(),
            Value::Lclist(l) => !l.is_empty(),
            _ => true,
        }
    }

    /// Removes the attribute.
    pub fn unset(self, r: &mut RouteView<'_>) {
        if !self.defined(r) {
            return;
        }
        match self {
            Attr::BgpPath => r.attrs_mut().as_path = None,
            Attr::BgpCommunity => r.attrs_mut().communities.clear(),
            Attr::BgpExtCommunity => r.attrs_mut().ext_communities.clear(),
            Attr::BgpLargeCommunity => r.attrs_mut().large_communities.clear(),
            Attr::BgpLocalPref => r.attrs_mut().local_pref = None,
            Attr::BgpMed => r.attrs_mut().med = None,
            Attr::KrtMetric => r.facts.krt_metric = None,
            Attr::KrtTunnel => r.facts.krt_tunnel = None,
            _ => {}
        }
    }
}

fn int_or_undef<'p, 'r>(v: Option<u32>) -> Value<'p, 'r> {
    v.map_or(Value::Undef, |x| Value::Int(i64::from(x)))
}

fn nh_ip(n: NextHop) -> IpAddr {
    match n {
        NextHop::V4(a) => IpAddr::V4(a),
        NextHop::V6 { global, .. } => IpAddr::V6(global),
    }
}

fn source_code(r: &RouteView<'_>) -> u8 {
    match r.source.kind {
        SourceKind::Bgp(_) => rts::BGP,
        SourceKind::Static if r.facts.dest == RouteDest::Device => rts::STATIC_DEVICE,
        SourceKind::Static => rts::STATIC,
        SourceKind::Direct => rts::DEVICE,
        SourceKind::Kernel => rts::INHERIT,
    }
}

fn dest_code(d: RouteDest) -> u8 {
    match d {
        RouteDest::Unicast => rtd::ROUTER,
        RouteDest::Device => rtd::DEVICE,
        RouteDest::Blackhole => rtd::BLACKHOLE,
        RouteDest::Unreachable => rtd::UNREACHABLE,
        RouteDest::Prohibit => rtd::PROHIBIT,
    }
}

/// A value to write, owned so that the route's borrow has ended.
#[derive(Debug)]
pub enum Owned {
    /// Integer.
    Int(i64),
    /// Address.
    Ip(IpAddr),
    /// Enum.
    Enum(EnumKind, u8),
    /// String.
    Str(Arc<str>),
    /// Path.
    Path(AsPath),
    /// Communities.
    Clist(Vec<Community>),
    /// Extended communities.
    Eclist(Vec<ExtCommunity>),
    /// Large communities.
    Lclist(Vec<LargeCommunity>),
}

impl Owned {
    /// Takes what an assignment needs from `v`.
    pub fn of(v: Value<'_, '_>) -> Result<Owned, Stop> {
        Ok(match v {
            Value::Int(i) => Owned::Int(i),
            Value::Ip(a) => Owned::Ip(a),
            Value::Enum(k, x) => Owned::Enum(k, x),
            Value::Str(s) => Owned::Str(s.clone()),
            Value::RouteStr(s) => Owned::Str(Arc::from(s)),
            Value::Path(p) => Owned::Path(p.clone()),
            Value::EmptyPath => Owned::Path(AsPath::default()),
            Value::Clist(l) => Owned::Clist(l.to_vec()),
            Value::Eclist(l) => Owned::Eclist(l.to_vec()),
            Value::Lclist(l) => Owned::Lclist(l.to_vec()),
            _ => return Err(Stop::Error("value cannot be assigned to an attribute")),
        })
    }
}

fn u32_of(i: i64) -> Result<u32, Stop> {
    u32::try_from(i).map_err(|_| Stop::Error("number out of range for the attribute"))
}

/// Writes `v` to attribute `a`.
pub fn write(a: Attr, r: &mut RouteView<'_>, v: Owned) -> Result<(), Stop> {
    match (a, v) {
        (Attr::BgpLocalPref, Owned::Int(i)) => r.attrs_mut().local_pref = Some(u32_of(i)?),
        (Attr::BgpMed, Owned::Int(i)) => r.attrs_mut().med = Some(u32_of(i)?),
        (Attr::BgpOrigin, Owned::Enum(EnumKind::Origin, x)) => {
            r.attrs_mut().origin = Origin::from_code(x)
        }
        (Attr::BgpNextHop, Owned::Ip(ip)) => {
            r.next_hop = Some(match ip {
                IpAddr::V4(a) => NextHop::V4(a),
                IpAddr::V6(g) => NextHop::V6 {
                    global: g,
                    link_local: None,
                },
            })
        }
        (Attr::BgpPath, Owned::Path(p)) => r.attrs_mut().as_path = Some(p),
        (Attr::BgpCommunity, Owned::Clist(l)) => r.attrs_mut().communities = l,
        (Attr::BgpExtCommunity, Owned::Eclist(l)) => r.attrs_mut().ext_communities = l,
        (Attr::BgpLargeCommunity, Owned::Lclist(l)) => r.attrs_mut().large_communities = l,
        // `-empty-` is written as an empty clist whatever the list.
        (Attr::BgpExtCommunity, Owned::Clist(l)) if l.is_empty() => {
            r.attrs_mut().ext_communities.clear()
        }
        (Attr::BgpLargeCommunity, Owned::Clist(l)) if l.is_empty() => {
            r.attrs_mut().large_communities.clear()
        }
        (Attr::KrtMetric, Owned::Int(i)) => r.facts.krt_metric = Some(u32_of(i)?),
        (Attr::KrtTunnel, Owned::Str(s)) => r.facts.krt_tunnel = Some(s),
        (Attr::Preference, Owned::Int(i)) => r.facts.preference = Some(u32_of(i)?),
        (Attr::Gw, Owned::Ip(ip)) => r.facts.gw = Some(ip),
        (Attr::Ifname, Owned::Str(s)) => r.facts.ifname = Some(s),
        (Attr::Dest, Owned::Enum(EnumKind::Rtd, x)) => {
            r.facts.dest = match x {
                rtd::BLACKHOLE => RouteDest::Blackhole,
                rtd::UNREACHABLE => RouteDest::Unreachable,
                rtd::PROHIBIT => RouteDest::Prohibit,
                rtd::DEVICE => RouteDest::Device,
                _ => RouteDest::Unicast,
            }
        }
        _ => return Err(Stop::Error("value of the wrong type for the attribute")),
    }
    Ok(())
}
