//! Filter values. [`Const`] is an owned constant held by the compiled
//! program; [`Value`] is what evaluation passes around: `Copy`, and
//! borrowing strings, sets and attribute lists from the program (`'p`) or
//! the route (`'r`) instead of copying them, so running a filter allocates
//! nothing.

use super::attr::Attr;
use super::set::{PathMask, Set};
use std::fmt;
use std::net::{IpAddr, Ipv4Addr};
use std::sync::Arc;
use wren_wire::attributes::{AsPath, Community, ExtCommunity, LargeCommunity};
use wren_wire::Prefix;

/// The enumerated types of BIRD's filter language.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum EnumKind {
    /// `source`: RTS_*.
    Rts,
    /// `dest`: RTD_*.
    Rtd,
    /// `bgp_origin`: ORIGIN_*.
    Origin,
}

/// `source` values.
pub mod rts {
    /// RTS_DUMMY
    pub const DUMMY: u8 = 0;
    /// RTS_STATIC
    pub const STATIC: u8 = 1;
    /// RTS_INHERIT (learned from the kernel)
    pub const INHERIT: u8 = 2;
    /// RTS_DEVICE (direct)
    pub const DEVICE: u8 = 3;
    /// RTS_STATIC_DEVICE (static `via "ifname"`)
    pub const STATIC_DEVICE: u8 = 4;
    /// RTS_REDIRECT
    pub const REDIRECT: u8 = 5;
    /// RTS_RIP
    pub const RIP: u8 = 6;
    /// RTS_OSPF
    pub const OSPF: u8 = 7;
    /// RTS_OSPF_IA
    pub const OSPF_IA: u8 = 8;
    /// RTS_OSPF_EXT1
    pub const OSPF_EXT1: u8 = 9;
    /// RTS_OSPF_EXT2
    pub const OSPF_EXT2: u8 = 10;
    /// RTS_BGP
    pub const BGP: u8 = 11;
    /// RTS_PIPE
    pub const PIPE: u8 = 12;
    /// RTS_BABEL
    pub const BABEL: u8 = 13;
}

/// `dest` values.
pub mod rtd {
    /// RTD_ROUTER (BIRD 1.x: via a gateway)
    pub const ROUTER: u8 = 0;
    /// RTD_DEVICE (BIRD 1.x: via an interface only)
    pub const DEVICE: u8 = 1;
    /// RTD_BLACKHOLE
    pub const BLACKHOLE: u8 = 2;
    /// RTD_UNREACHABLE
    pub const UNREACHABLE: u8 = 3;
    /// RTD_PROHIBIT
    pub const PROHIBIT: u8 = 4;
    /// RTD_MULTIPATH (BIRD 1.x)
    pub const MULTIPATH: u8 = 5;
    /// RTD_UNICAST (BIRD 2: router, device or multipath)
    pub const UNICAST: u8 = 6;
}

/// The named enum constants: name, kind, value.
pub const ENUM_CONSTANTS: &[(&str, EnumKind, u8)] = &[
    ("RTS_DUMMY", EnumKind::Rts, rts::DUMMY),
    ("RTS_STATIC", EnumKind::Rts, rts::STATIC),
    ("RTS_INHERIT", EnumKind::Rts, rts::INHERIT),
    ("RTS_DEVICE", EnumKind::Rts, rts::DEVICE),
    ("RTS_STATIC_DEVICE", EnumKind::Rts, rts::STATIC_DEVICE),
    ("RTS_REDIRECT", EnumKind::Rts, rts::REDIRECT),
    ("RTS_RIP", EnumKind::Rts, rts::RIP),
    ("RTS_OSPF", EnumKind::Rts, rts::OSPF),
    ("RTS_OSPF_IA", EnumKind::Rts, rts::OSPF_IA),
    ("RTS_OSPF_EXT1", EnumKind::Rts, rts::OSPF_EXT1),
    ("RTS_OSPF_EXT2", EnumKind::Rts, rts::OSPF_EXT2),
    ("RTS_BGP", EnumKind::Rts, rts::BGP),
    ("RTS_PIPE", EnumKind::Rts, rts::PIPE),
    ("RTS_BABEL", EnumKind::Rts, rts::BABEL),
    ("RTD_ROUTER", EnumKind::Rtd, rtd::ROUTER),
    ("RTD_DEVICE", EnumKind::Rtd, rtd::DEVICE),
    ("RTD_BLACKHOLE", EnumKind::Rtd, rtd::BLACKHOLE),
    ("RTD_UNREACHABLE", EnumKind::Rtd, rtd::UNREACHABLE),
    ("RTD_PROHIBIT", EnumKind::Rtd, rtd::PROHIBIT),
    ("RTD_MULTIPATH", EnumKind::Rtd, rtd::MULTIPATH),
    ("RTD_UNICAST", EnumKind::Rtd, rtd::UNICAST),
    ("ORIGIN_IGP", EnumKind::Origin, 0),
    ("ORIGIN_EGP", EnumKind::Origin, 1),
    ("ORIGIN_INCOMPLETE", EnumKind::Origin, 2),
];

/// The name of an enum value, for `print`.
pub fn enum_name(kind: EnumKind, v: u8) -> &'static str {
    ENUM_CONSTANTS
        .iter()
        .find(|(_, k, x)| *k == kind && *x == v)
        .map_or("?", |(n, _, _)| n)
}

/// An owned constant of the compiled program.
#[derive(Clone, Debug, PartialEq)]
pub enum Const {
    /// `true` / `false`
    Bool(bool),
    /// A number.
    Int(i64),
    /// An address.
    Ip(IpAddr),
    /// A prefix.
    Prefix(Prefix),
    /// `(a, b)`
    Pair(u32, u32),
    /// A router-id-like quad.
    Quad(Ipv4Addr),
    /// `(a, b, c)` large community.
    Lc(LargeCommunity),
    /// Extended community.
    Ec(ExtCommunity),
    /// A string.
    Str(Arc<str>),
    /// RTS_*, RTD_*, ORIGIN_*.
    Enum(EnumKind, u8),
    /// `[ ... ]`
    Set(Arc<Set>),
    /// `[= ... =]`
    PathMask(Arc<PathMask>),
    /// `+empty+`
    EmptyPath,
    /// `-empty-`
    EmptyClist,
    /// `--empty--`
    EmptyLclist,
}

/// A value during evaluation.
#[derive(Clone, Copy, Debug)]
pub enum Value<'p, 'r> {
    /// An undefined attribute.
    Undef,
    /// Boolean.
    Bool(bool),
    /// Integer.
    Int(i64),
    /// Address.
    Ip(IpAddr),
    /// Prefix.
    Prefix(Prefix),
    /// Pair.
    Pair(u32, u32),
    /// Quad.
    Quad(Ipv4Addr),
    /// Large community.
    Lc(LargeCommunity),
    /// Extended community.
    Ec(ExtCommunity),
    /// Enum.
    Enum(EnumKind, u8),
    /// A string constant of the program.
    Str(&'p Arc<str>),
    /// A string of the route (`ifname`, `proto`, `krt_tunnel`).
    RouteStr(&'r str),
    /// A constant set.
    Set(&'p Set),
    /// A path mask.
    PathMask(&'p PathMask),
    /// The route's AS path.
    Path(&'r AsPath),
    /// An empty path.
    EmptyPath,
    /// A community list.
    Clist(&'r [Community]),
    /// An extended community list.
    Eclist(&'r [ExtCommunity]),
    /// A large community list.
    Lclist(&'r [LargeCommunity]),
    /// A route attribute not yet read (strings, paths and lists): what
    /// evaluation hands around, so that no value borrows the route while a
    /// function call may still write it.
    Ref(Attr),
}

impl<'p> Value<'p, '_> {
    /// The value as a constant reference would read.
    pub fn of_const(c: &'p Const) -> Value<'p, 'static> {
        match c {
            Const::Bool(b) => Value::Bool(*b),
            Const::Int(i) => Value::Int(*i),
            Const::Ip(a) => Value::Ip(*a),
            Const::Prefix(p) => Value::Prefix(*p),
            Const::Pair(a, b) => Value::Pair(*a, *b),
            Const::Quad(q) => Value::Quad(*q),
            Const::Lc(l) => Value::Lc(*l),
            Const::Ec(e) => Value::Ec(*e),
            Const::Str(s) => Value::Str(s),
            Const::Enum(k, v) => Value::Enum(*k, *v),
            Const::Set(s) => Value::Set(s),
            Const::PathMask(m) => Value::PathMask(m),
            Const::EmptyPath => Value::EmptyPath,
            Const::EmptyClist => Value::Clist(&[]),
            Const::EmptyLclist => Value::Lclist(&[]),
        }
    }

    /// The string, if the value is one.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::Str(s) => Some(s),
            Value::RouteStr(s) => Some(s),
            _ => None,
        }
    }

    /// Keeps the value beyond the route's borrow (for variables and return
    /// values); route-owned strings and lists cannot be kept.
    pub fn detach(self) -> Option<Value<'p, 'static>> {
        Some(match self {
            Value::Undef => Value::Undef,
            Value::Bool(b) => Value::Bool(b),
            Value::Int(i) => Value::Int(i),
            Value::Ip(a) => Value::Ip(a),
            Value::Prefix(p) => Value::Prefix(p),
            Value::Pair(a, b) => Value::Pair(a, b),
            Value::Quad(q) => Value::Quad(q),
            Value::Lc(l) => Value::Lc(l),
            Value::Ec(e) => Value::Ec(e),
            Value::Enum(k, v) => Value::Enum(k, v),
            Value::Str(s) => Value::Str(s),
            Value::Set(s) => Value::Set(s),
            Value::PathMask(m) => Value::PathMask(m),
            Value::EmptyPath => Value::EmptyPath,
            Value::Clist([]) => Value::Clist(&[]),
            Value::Lclist([]) => Value::Lclist(&[]),
            Value::Ref(a) => Value::Ref(a),
            _ => return None,
        })
    }

    /// The type's name, for error messages.
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Undef => "void",
            Value::Bool(_) => "bool",
            Value::Int(_) => "int",
            Value::Ip(_) => "ip",
            Value::Prefix(_) => "prefix",
            Value::Pair(..) => "pair",
            Value::Quad(_) => "quad",
            Value::Lc(_) => "lc",
            Value::Ec(_) => "ec",
            Value::Enum(..) => "enum",
            Value::Str(_) | Value::RouteStr(_) => "string",
            Value::Set(_) => "set",
            Value::PathMask(_) => "bgpmask",
            Value::Path(_) | Value::EmptyPath => "bgppath",
            Value::Clist(_) => "clist",
            Value::Eclist(_) => "eclist",
            Value::Lclist(_) => "lclist",
            Value::Ref(_) => "attribute",
        }
    }
}

impl fmt::Display for Value<'_, '_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Undef => write!(f, "(void)"),
            Value::Bool(b) => write!(f, "{}", if *b { "TRUE" } else { "FALSE" }),
            Value::Int(i) => write!(f, "{i}"),
            Value::Ip(a) => write!(f, "{a}"),
            Value::Prefix(p) => write!(f, "{p}"),
            Value::Pair(a, b) => write!(f, "({a},{b})"),
            Value::Quad(q) => write!(f, "{q}"),
            Value::Lc(l) => write!(f, "{l}"),
            Value::Ec(e) => write!(f, "{e}"),
            Value::Enum(k, v) => write!(f, "{}", enum_name(*k, *v)),
            Value::Str(s) => write!(f, "{s}"),
            Value::RouteStr(s) => write!(f, "{s}"),
            Value::Set(_) => write!(f, "[set]"),
            Value::PathMask(_) => write!(f, "[= mask =]"),
            Value::Path(p) => {
                let mut first = true;
                for a in p.asns() {
                    if !first {
                        write!(f, " ")?;
                    }
                    first = false;
                    write!(f, "{a}")?;
                }
                Ok(())
            }
            Value::EmptyPath => Ok(()),
            Value::Clist(l) => {
                write!(f, "(")?;
                for (i, c) in l.iter().enumerate() {
                    let sep = if i > 0 { " " } else { "" };
                    write!(f, "{sep}({},{})", c.asn(), c.value())?;
                }
                write!(f, ")")
            }
            Value::Eclist(l) => {
                write!(f, "(")?;
                for (i, c) in l.iter().enumerate() {
                    let sep = if i > 0 { " " } else { "" };
                    write!(f, "{sep}{c}")?;
                }
                write!(f, ")")
            }
            Value::Ref(a) => write!(f, "{}", a.name()),
            Value::Lclist(l) => {
                write!(f, "(")?;
                for (i, c) in l.iter().enumerate() {
                    let sep = if i > 0 { " " } else { "" };
                    write!(f, "{sep}{c}")?;
                }
                write!(f, ")")
            }
        }
    }
}
