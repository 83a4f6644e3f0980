//! MP_REACH_NLRI and MP_UNREACH_NLRI (RFC 4760 §3, §4), with next hops of
//! RFC 2545 (IPv6 global + link-local) and RFC 8950 (IPv6 next hop for
//! IPv4 routes).
//!
//! ```text
//! MP_REACH:   AFI(2) SAFI(1) NH-Len(1) Next Hop Reserved(1) NLRI...
//! MP_UNREACH: AFI(2) SAFI(1) Withdrawn NLRI...
//! ```

use crate::attributes::attr_type;
use crate::attributes::decode::{is_martian_v4, RawMp};
use crate::family::{Afi, AfiSafi, Family, Safi};
use crate::nlri::NlriSection;
use crate::notification::{code, update_error as ue};
use crate::reader::Reader;
use crate::session::Negotiated;
use crate::update::verdict::{Outcome, UpdateError, Verdict};
use crate::DecodeError;
use std::net::{Ipv4Addr, Ipv6Addr};

/// A next hop as carried in MP_REACH_NLRI or NEXT_HOP.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum NextHop {
    /// An IPv4 address.
    V4(Ipv4Addr),
    /// An IPv6 global address, optionally with the link-local one (RFC 2545).
    V6 {
        /// Global (or, from unnumbered peers, a link-local) address.
        global: Ipv6Addr,
        /// Link-local address when 32 octets were sent.
        link_local: Option<Ipv6Addr>,
    },
}

impl NextHop {
    /// Octets in MP_REACH_NLRI.
    pub fn wire_len(&self) -> usize {
        match self {
            NextHop::V4(_) => 4,
            NextHop::V6 {
                link_local: None, ..
            } => 16,
            NextHop::V6 { .. } => 32,
        }
    }

    /// Appends the address octets.
    pub fn encode(&self, out: &mut Vec<u8>) {
        match self {
            NextHop::V4(a) => out.extend_from_slice(&a.octets()),
            NextHop::V6 { global, link_local } => {
                out.extend_from_slice(&global.octets());
                if let Some(ll) = link_local {
                    out.extend_from_slice(&ll.octets());
                }
            }
        }
    }
}

/// A parsed MP_REACH_NLRI of a negotiated family.
#[derive(Clone, Copy, Debug)]
pub struct MpReach<'a> {
    /// Family of the routes.
    pub family: Family,
    /// Next hop of every route.
    pub next_hop: NextHop,
    /// The routes.
    pub nlri: NlriSection<'a>,
}

/// What became of an MP attribute.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Mp<T> {
    /// Parsed.
    Parsed(T),
    /// A family the session did not negotiate: ignored (RFC 4760 §6).
    Ignored(AfiSafi),
    /// Unparseable: the family is to be disabled.
    Disabled,
}

fn reset(offset: usize, reason: &'static str) -> DecodeError {
    DecodeError::new(code::UPDATE_MESSAGE, ue::OPTIONAL_ATTRIBUTE, offset, reason)
}

fn header(mp: &RawMp<'_>, r: &mut Reader<'_>) -> Result<AfiSafi, DecodeError> {
    match (r.u16(), r.u8()) {
        (Some(afi), Some(safi)) => Ok(AfiSafi::new(Afi(afi), Safi(safi))),
        // RFC 7606 §7.11: without AFI/SAFI the routes cannot be withdrawn.
        _ => Err(reset(mp.offset, "MP attribute too short for AFI/SAFI")),
    }
}

/// The NLRI field of an MP attribute whose family is not a [`Family`]:
/// after AFI, SAFI and, in MP_REACH_NLRI, the next hop and reserved octet.
pub(crate) fn other_nlri<'a>(mp: &RawMp<'a>, reach: bool) -> Option<(AfiSafi, &'a [u8])> {
    let mut r = mp.value;
    let afi_safi = AfiSafi::new(Afi(r.u16()?), Safi(r.u8()?));
    if afi_safi.family().is_some() {
        return None;
    }
    if reach {
        let n = r.u8()?;
        r.take(usize::from(n))?;
        r.u8()?;
    }
    Some((afi_safi, r.rest()))
}

fn negotiated(afi_safi: AfiSafi, neg: &Negotiated) -> Option<Family> {
    afi_safi.family().filter(|f| neg.families.contains(*f))
}

fn err(mp: &RawMp<'_>, t: u8, subcode: u8, reason: &'static str) -> UpdateError {
    UpdateError {
        subcode,
        attr_type: Some(t),
        offset: mp.offset,
        reason,
    }
}

fn parse_next_hop(nh: &[u8], family: Family, neg: &Negotiated) -> Result<NextHop, &'static str> {
    let v6 = |b: &[u8]| <[u8; 16]>::try_from(b).map(Ipv6Addr::from).ok();
    let hop = match nh.len() {
        4 if !family.is_ipv6() => {
            let a = <[u8; 4]>::try_from(nh)
                .map(Ipv4Addr::from)
                .map_err(|_| "next hop")?;
            if is_martian_v4(a) {
                return Err("next hop is not a unicast host address");
            }
            return Ok(NextHop::V4(a));
        }
        16 | 32 if family.is_ipv6() || neg.ext_next_hop.contains(family) => {
            let (g, ll) = nh.split_at(16);
            NextHop::V6 {
                global: v6(g).ok_or("next hop")?,
                link_local: v6(ll),
            }
        }
        _ => return Err("next hop length does not fit the family"),
    };
    if let NextHop::V6 { global, link_local } = hop {
        if global.is_multicast() || (global.is_unspecified() && link_local.is_none()) {
            return Err("next hop is not a unicast address");
        }
    }
    Ok(hop)
}

/// Parses MP_REACH_NLRI. Breakage before the NLRI is located disables the
/// family; a bad next hop with sound NLRI is treat-as-withdraw.
pub(crate) fn parse_reach<'a>(
    mp: &RawMp<'a>,
    neg: &Negotiated,
    out: &mut Outcome,
) -> Result<Mp<MpReach<'a>>, DecodeError> {
    let t = attr_type::MP_REACH_NLRI;
    let mut r = mp.value;
    let afi_safi = header(mp, &mut r)?;
    let Some(family) = negotiated(afi_safi, neg) else {
        return Ok(Mp::Ignored(afi_safi));
    };
    let disable = |out: &mut Outcome, reason| {
        out.escalate(
            Verdict::AfiSafiDisable(afi_safi),
            err(mp, t, ue::OPTIONAL_ATTRIBUTE, reason),
        );
        Ok(Mp::Disabled)
    };
    let nh = r.u8().and_then(|n| r.take(usize::from(n)));
    let (Some(nh), Some(_reserved)) = (nh, r.u8()) else {
        return disable(out, "MP_REACH_NLRI next hop runs past the attribute");
    };
    let nlri = match NlriSection::parse(r, family, neg.add_path_rx.contains(family)) {
        Ok(n) => n,
        Err(e) => return disable(out, e.reason),
    };
    let next_hop = match parse_next_hop(nh, family, neg) {
        Ok(h) => h,
        Err(reason) => {
            out.escalate(
                Verdict::TreatAsWithdraw,
                err(mp, t, ue::INVALID_NEXT_HOP, reason),
            );
            // Routes are still withdrawn; the hop is never used.
            NextHop::V4(Ipv4Addr::UNSPECIFIED)
        }
    };
    if mp.bad_flags {
        out.escalate(
            Verdict::TreatAsWithdraw,
            err(
                mp,
                t,
                ue::ATTRIBUTE_FLAGS,
                "attribute flags conflict with its type",
            ),
        );
    }
    Ok(Mp::Parsed(MpReach {
        family,
        next_hop,
        nlri,
    }))
}

/// Parses MP_UNREACH_NLRI.
pub(crate) fn parse_unreach<'a>(
    mp: &RawMp<'a>,
    neg: &Negotiated,
    out: &mut Outcome,
) -> Result<Mp<NlriSection<'a>>, DecodeError> {
    let t = attr_type::MP_UNREACH_NLRI;
    let mut r = mp.value;
    let afi_safi = header(mp, &mut r)?;
    let Some(family) = negotiated(afi_safi, neg) else {
        return Ok(Mp::Ignored(afi_safi));
    };
    match NlriSection::parse(r, family, neg.add_path_rx.contains(family)) {
        Ok(n) => {
            if mp.bad_flags {
                out.escalate(
                    Verdict::TreatAsWithdraw,
                    err(
                        mp,
                        t,
                        ue::ATTRIBUTE_FLAGS,
                        "attribute flags conflict with its type",
                    ),
                );
            }
            Ok(Mp::Parsed(n))
        }
        Err(e) => {
            out.escalate(
                Verdict::AfiSafiDisable(afi_safi),
                err(mp, t, ue::OPTIONAL_ATTRIBUTE, e.reason),
            );
            Ok(Mp::Disabled)
        }
    }
}
