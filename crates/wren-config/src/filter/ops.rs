//! The operators of the filter language on values: arithmetic,
//! comparison (`=`, `<`, ...), membership and matching (`~`), and the
//! methods (`.len`, `.first`, ...). Pure functions of their operands.

use super::eval::{Stop, V};
use super::ir::{ArithOp, CmpOp, Method};
use super::set::prefix_within;
use super::value::{rtd, EnumKind, Value};
use std::cmp::Ordering;
use std::net::IpAddr;
use wren_wire::attributes::Community;
use wren_wire::Prefix;

/// Integer arithmetic; overflow and division by zero are run-time errors.
pub fn arith(op: ArithOp, a: i64, b: i64) -> Result<i64, Stop> {
    let v = match op {
        ArithOp::Add => a.checked_add(b),
        ArithOp::Sub => a.checked_sub(b),
        ArithOp::Mul => a.checked_mul(b),
        ArithOp::Div => a.checked_div(b),
    };
    v.ok_or(Stop::Error("arithmetic overflow or division by zero"))
}

/// `ip.mask(n)`: the first `n` bits of the address.
pub fn mask(ip: IpAddr, n: u32) -> IpAddr {
    match ip {
        IpAddr::V4(a) => {
            let m = u32::MAX.checked_shl(32u32.saturating_sub(n)).unwrap_or(0);
            IpAddr::V4((u32::from(a) & m).into())
        }
        IpAddr::V6(a) => {
            let m = u128::MAX.checked_shl(128u32.saturating_sub(n)).unwrap_or(0);
            IpAddr::V6((u128::from(a) & m).into())
        }
    }
}

/// `.len`, `.ip`, `.first`, `.last`, `.asn`, `.data`.
pub fn method<'p>(m: Method, v: Value<'p, '_>) -> Result<V<'p>, Stop> {
    let n = |x: usize| Value::Int(i64::try_from(x).unwrap_or(i64::MAX));
    Ok(match (m, v) {
        (Method::Len, Value::Prefix(p)) => Value::Int(i64::from(p.len())),
        (Method::Len, Value::Path(p)) => n(p.hops()),
        (Method::Len, Value::EmptyPath) => Value::Int(0),
        (Method::Len, Value::Clist(l)) => n(l.len()),
        (Method::Len, Value::Eclist(l)) => n(l.len()),
        (Method::Len, Value::Lclist(l)) => n(l.len()),
        (Method::Ip, Value::Prefix(p)) => Value::Ip(prefix_ip(&p)),
        (Method::First, Value::Path(p)) => Value::Int(i64::from(p.first().unwrap_or(0))),
        (Method::Last, Value::Path(p)) => Value::Int(i64::from(p.last().unwrap_or(0))),
        (Method::First | Method::Last, Value::EmptyPath) => Value::Int(0),
        (Method::Asn, Value::Lc(l)) => Value::Int(i64::from(l.global)),
        (Method::Asn, Value::Pair(a, _)) => Value::Int(i64::from(a)),
        (Method::Data, Value::Pair(_, b)) => Value::Int(i64::from(b)),
        (_, Value::Undef) => return Err(Stop::Error("method of an undefined value")),
        _ => return Err(Stop::Error("method does not apply to this type")),
    })
}

fn prefix_ip(p: &Prefix) -> IpAddr {
    match p {
        Prefix::V4(x) => IpAddr::V4(x.addr()),
        Prefix::V6(x) => IpAddr::V6(x.addr()),
    }
}

fn is_unicast(x: u8) -> bool {
    matches!(x, rtd::ROUTER | rtd::DEVICE | rtd::MULTIPATH | rtd::UNICAST)
}

fn order(a: Value<'_, '_>, b: Value<'_, '_>) -> Result<Ordering, Stop> {
    Ok(match (a, b) {
        (Value::Int(x), Value::Int(y)) => x.cmp(&y),
        (Value::Bool(x), Value::Bool(y)) => x.cmp(&y),
        (Value::Ip(x), Value::Ip(y)) if x.is_ipv4() == y.is_ipv4() => x.cmp(&y),
        (Value::Prefix(x), Value::Prefix(y)) => x.cmp(&y),
        (Value::Pair(a1, b1), Value::Pair(a2, b2)) => (a1, b1).cmp(&(a2, b2)),
        (Value::Quad(x), Value::Quad(y)) => x.cmp(&y),
        (Value::Quad(x), Value::Ip(IpAddr::V4(y))) | (Value::Ip(IpAddr::V4(x)), Value::Quad(y)) => {
            x.cmp(&y)
        }
        (Value::Lc(x), Value::Lc(y)) => x.cmp(&y),
        (Value::Ec(x), Value::Ec(y)) => x.0.cmp(&y.0),
        (Value::Enum(k1, x), Value::Enum(k2, y)) if k1 == k2 => {
            if k1 == EnumKind::Rtd && (x == rtd::UNICAST || y == rtd::UNICAST) {
                if is_unicast(x) && is_unicast(y) {
                    Ordering::Equal
                } else {
                    x.cmp(&y)
                }
            } else {
                x.cmp(&y)
            }
        }
        (a, b) if a.as_str().is_some() && b.as_str().is_some() => a.as_str().cmp(&b.as_str()),
        (Value::Undef, _) | (_, Value::Undef) => {
            return Err(Stop::Error("comparison with an undefined value"))
        }
        _ => return Err(Stop::Error("comparison of incompatible types")),
    })
}

/// `=`, `!=`, `<`, `<=`, `>`, `>=`.
pub fn compare(op: CmpOp, a: Value<'_, '_>, b: Value<'_, '_>) -> Result<bool, Stop> {
    let undef = (matches!(a, Value::Undef), matches!(b, Value::Undef));
    if undef.0 || undef.1 {
        // `bgp_med = 50` on a route without MED is false, not an error:
        // an undefined value equals only another (BIRD 2's `=` is
        // sameness; 1.x orders it below everything). Ordering it is an
        // error, as in BIRD 2.
        match op {
            CmpOp::Eq => return Ok(undef.0 && undef.1),
            CmpOp::Ne => return Ok(!(undef.0 && undef.1)),
            _ => {}
        }
    }
    let o = order(a, b)?;
    Ok(match op {
        CmpOp::Eq => o == Ordering::Equal,
        CmpOp::Ne => o != Ordering::Equal,
        CmpOp::Lt => o == Ordering::Less,
        CmpOp::Le => o != Ordering::Greater,
        CmpOp::Gt => o == Ordering::Greater,
        CmpOp::Ge => o != Ordering::Less,
    })
}

/// A standard community from a pair (both parts must fit 16 bits).
pub fn community(a: u32, b: u32) -> Result<Community, Stop> {
    match (u16::try_from(a), u16::try_from(b)) {
        (Ok(a), Ok(b)) => Ok(Community::new(a, b)),
        _ => Err(Stop::Error("community parts must fit 16 bits")),
    }
}

/// `a ~ b`: subnet, membership, pattern or path-mask match.
pub fn matches(a: Value<'_, '_>, b: Value<'_, '_>) -> Result<bool, Stop> {
    Ok(match (a, b) {
        (Value::Prefix(x), Value::Prefix(y)) => prefix_within(&x, &y),
        (Value::Ip(x), Value::Prefix(y)) => y.contains(x),
        (Value::Pair(x, y), Value::Clist(l)) => l.contains(&community(x, y)?),
        (Value::Lc(x), Value::Lclist(l)) => l.contains(&x),
        (Value::Ec(x), Value::Eclist(l)) => l.contains(&x),
        (Value::Clist(l), Value::Pair(x, y)) => l.contains(&community(x, y)?),
        (Value::Clist(l), Value::Set(s)) => l.iter().any(|c| s.has_community(*c)),
        (Value::Lclist(l), Value::Lc(x)) => l.contains(&x),
        (Value::Lclist(l), Value::Set(s)) => l.iter().any(|c| s.has_lc(c)),
        (Value::Eclist(l), Value::Set(s)) => l.iter().any(|c| s.has_ec(c)),
        (Value::Path(p), Value::PathMask(m)) => m.matches(Some(p)),
        (Value::EmptyPath, Value::PathMask(m)) => m.matches(None),
        (Value::Path(p), Value::Int(i)) => u32::try_from(i).is_ok_and(|a| p.contains(a)),
        (Value::EmptyPath, Value::Int(_)) => false,
        (Value::Path(p), Value::Set(s)) => p
            .asns()
            .any(|a| s.contains(&Value::Int(i64::from(a))) == Some(true)),
        (Value::EmptyPath, Value::Set(_)) => false,
        (Value::Undef, _) => return Err(Stop::Error("'~' on an undefined value")),
        (v, Value::Set(s)) => s
            .contains(&v)
            .ok_or(Stop::Error("'~': value and set have different types"))?,
        (t, p) if t.as_str().is_some() && p.as_str().is_some() => {
            crate::pattern::glob_match(p.as_str().unwrap_or(""), t.as_str().unwrap_or(""))
        }
        _ => return Err(Stop::Error("'~' does not apply to these types")),
    })
}
