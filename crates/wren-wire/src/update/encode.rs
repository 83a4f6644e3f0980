//! UPDATE encoders.
//!
//! [`AnnounceTemplate`] is the hot path: the attribute set is encoded once,
//! then each call packs as many routes as fit the negotiated message size
//! into one UPDATE, writing straight into the caller's buffer.
//! [`encode_update`] writes any combination of fields, for tests, tools and
//! byte-exact re-encoding.

use super::mp::NextHop;
use crate::attributes::encode::{encode_attributes, MpValues};
use crate::attributes::{attr_type, flags, AttrLayout, PathAttributes};
use crate::family::Family;
use crate::header::{self, MessageType, HEADER_LEN};
use crate::nlri::Nlri;
use crate::session::Negotiated;

/// What cannot be encoded.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum EncodeError {
    /// The message would exceed the negotiated maximum size.
    #[error("UPDATE would be {0} octets, more than the session allows")]
    TooLong(usize),
    /// The attributes alone leave no room for a single route.
    #[error("attributes leave no room for a route")]
    NoRoom,
}

/// Fields of an UPDATE to encode with [`encode_update`].
#[derive(Clone, Copy, Debug, Default)]
pub struct UpdateParts<'a> {
    /// IPv4 withdrawn routes field.
    pub withdrawn: &'a [Nlri],
    /// Path attributes.
    pub attrs: Option<&'a PathAttributes>,
    /// IPv4 NLRI field.
    pub nlri: &'a [Nlri],
    /// MP_REACH_NLRI: family, next hop, routes.
    pub mp_reach: Option<(Family, NextHop, &'a [Nlri])>,
    /// MP_UNREACH_NLRI: family, routes.
    pub mp_unreach: Option<(Family, &'a [Nlri])>,
}

fn put_routes(routes: &[Nlri], add_path: bool, out: &mut Vec<u8>) {
    for n in routes {
        n.encode(add_path, out);
    }
}

fn put_u16_at(out: &mut [u8], at: usize, v: usize) {
    if let Some(f) = out.get_mut(at..at + 2) {
        f.copy_from_slice(&u16::try_from(v).unwrap_or(u16::MAX).to_be_bytes());
    }
}

fn afi_safi_bytes(f: Family, out: &mut Vec<u8>) {
    let a = f.afi_safi();
    out.extend_from_slice(&a.afi.0.to_be_bytes());
    out.push(a.safi.0);
}

/// Appends one UPDATE holding `parts`. With `layout`, attributes follow the
/// recorded order and flags (see [`AttrLayout`]).
pub fn encode_update(
    out: &mut Vec<u8>,
    parts: &UpdateParts<'_>,
    neg: &Negotiated,
    layout: Option<&AttrLayout>,
) -> Result<(), EncodeError> {
    let ap = |f: Family| neg.add_path_tx.contains(f);
    let v4 = Family::Ipv4Unicast;
    let reach = parts.mp_reach.map(|(f, nh, routes)| {
        let mut v = Vec::new();
        afi_safi_bytes(f, &mut v);
        v.push(u8::try_from(nh.wire_len()).unwrap_or(0));
        nh.encode(&mut v);
        v.push(0);
        put_routes(routes, ap(f), &mut v);
        v
    });
    let unreach = parts.mp_unreach.map(|(f, routes)| {
        let mut v = Vec::new();
        afi_safi_bytes(f, &mut v);
        put_routes(routes, ap(f), &mut v);
        v
    });
    let start = header::begin(out, MessageType::Update);
    let wlen_at = out.len();
    out.extend_from_slice(&[0, 0]);
    put_routes(parts.withdrawn, ap(v4), out);
    let wlen = out.len() - wlen_at - 2;
    put_u16_at(out, wlen_at, wlen);
    let alen_at = out.len();
    out.extend_from_slice(&[0, 0]);
    let empty = PathAttributes::default();
    let mp = MpValues {
        reach: reach.as_deref(),
        unreach: unreach.as_deref(),
    };
    encode_attributes(
        parts.attrs.unwrap_or(&empty),
        neg.four_octet_as,
        layout,
        mp,
        out,
    );
    let alen = out.len() - alen_at - 2;
    put_u16_at(out, alen_at, alen);
    put_routes(parts.nlri, ap(v4), out);
    let len = out.len() - start;
    if len > neg.max_message_len() {
        out.truncate(start);
        return Err(EncodeError::TooLong(len));
    }
    header::finish(out, start);
    Ok(())
}

/// Appends an End-of-RIB marker for `family` (RFC 4724 §2).
pub fn encode_end_of_rib(out: &mut Vec<u8>, family: Family) {
    let start = header::begin(out, MessageType::Update);
    if family == Family::Ipv4Unicast {
        out.extend_from_slice(&[0, 0, 0, 0]);
    } else {
        out.extend_from_slice(&[0, 0, 0, 6, flags::OPTIONAL, attr_type::MP_UNREACH_NLRI, 3]);
        afi_safi_bytes(family, out);
    }
    header::finish(out, start);
}

/// Packs withdrawals of `family` into one UPDATE, as many as fit; returns
/// how many of `routes` were written (all callers loop until done).
pub fn encode_withdraw(
    out: &mut Vec<u8>,
    family: Family,
    routes: &[Nlri],
    neg: &Negotiated,
) -> usize {
    let mut w = Withdrawals::begin(out, family, neg);
    for r in routes {
        if !w.push(r) {
            break;
        }
    }
    w.finish()
}

/// One UPDATE of withdrawals, written a route at a time: a packer hands
/// each route over as it reaches it, with no list of NLRI in between
/// (building and reading back that list was a fifth of the packing).
#[derive(Debug)]
pub struct Withdrawals<'a> {
    out: &'a mut Vec<u8>,
    add_path: bool,
    start: usize,
    /// Where MP_UNREACH_NLRI begins; `None` for IPv4 unicast, which goes
    /// in the withdrawn routes field.
    attr_at: Option<usize>,
    room: usize,
    used: usize,
    count: usize,
}

impl<'a> Withdrawals<'a> {
    /// Starts the message at the end of `out`.
    pub fn begin(out: &'a mut Vec<u8>, family: Family, neg: &Negotiated) -> Self {
        let max = neg.max_message_len();
        let start = header::begin(out, MessageType::Update);
        let attr_at = if family == Family::Ipv4Unicast {
            out.extend_from_slice(&[0, 0]);
            None
        } else {
            out.extend_from_slice(&[0, 0, 0, 0]);
            let at = out.len();
            out.extend_from_slice(&[
                flags::OPTIONAL | flags::EXTENDED_LENGTH,
                attr_type::MP_UNREACH_NLRI,
                0,
                0,
            ]);
            afi_safi_bytes(family, out);
            Some(at)
        };
        // Room: what is written so far, and the IPv4 form's attribute
        // length still to come.
        let room = max.saturating_sub(out.len() - start + if attr_at.is_none() { 2 } else { 0 });
        Withdrawals {
            out,
            add_path: neg.add_path_tx.contains(family),
            start,
            attr_at,
            room,
            used: 0,
            count: 0,
        }
    }

    /// Adds `r`; false, adding nothing, when it does not fit.
    pub fn push(&mut self, r: &Nlri) -> bool {
        let l = r.wire_len(self.add_path);
        if self.used + l > self.room {
            return false;
        }
        r.encode(self.add_path, self.out);
        self.used += l;
        self.count += 1;
        true
    }

    /// Ends the message, writing its lengths; returns how many routes it
    /// holds.
    pub fn finish(self) -> usize {
        let (out, start) = (self.out, self.start);
        match self.attr_at {
            None => {
                put_u16_at(out, start + HEADER_LEN, self.used);
                out.extend_from_slice(&[0, 0]);
            }
            Some(at) => {
                put_u16_at(out, at + 2, 3 + self.used);
                let alen = out.len() - at;
                put_u16_at(out, start + HEADER_LEN + 2, alen);
            }
        }
        header::finish(out, start);
        self.count
    }
}

/// One attribute set, encoded once for a session, ready to pack routes.
#[derive(Clone, Debug)]
pub struct AnnounceTemplate {
    family: Family,
    add_path: bool,
    max: usize,
    /// Attributes with type below MP_REACH_NLRI (or all of them for the
    /// IPv4 NLRI field).
    before: Vec<u8>,
    /// Attributes after MP_REACH_NLRI.
    after: Vec<u8>,
    /// AFI, SAFI, next-hop length, next hop, reserved: the MP_REACH value
    /// up to the NLRI. Empty when routes go in the IPv4 NLRI field.
    mp_head: Vec<u8>,
}

impl AnnounceTemplate {
    /// Prepares announcements of `family` routes with `attrs` and
    /// `next_hop` for the session `neg`. IPv4 unicast routes with an IPv4
    /// next hop use the NLRI field and NEXT_HOP; all others MP_REACH_NLRI.
    pub fn new(
        attrs: &PathAttributes,
        family: Family,
        next_hop: NextHop,
        neg: &Negotiated,
    ) -> Self {
        let classic = family == Family::Ipv4Unicast && matches!(next_hop, NextHop::V4(_));
        let mut a = attrs.clone();
        a.next_hop = match next_hop {
            NextHop::V4(nh) if classic => Some(nh),
            _ => None,
        };
        let mut all = Vec::new();
        encode_attributes(&a, neg.four_octet_as, None, MpValues::default(), &mut all);
        let split = if classic {
            all.len()
        } else {
            split_before(&all, attr_type::MP_REACH_NLRI)
        };
        let after = all.split_off(split);
        let mut mp_head = Vec::new();
        if !classic {
            afi_safi_bytes(family, &mut mp_head);
            mp_head.push(u8::try_from(next_hop.wire_len()).unwrap_or(0));
            next_hop.encode(&mut mp_head);
            mp_head.push(0);
        }
        AnnounceTemplate {
            family,
            add_path: neg.add_path_tx.contains(family),
            max: neg.max_message_len(),
            before: all,
            after,
            mp_head,
        }
    }

    /// Appends one UPDATE with as many of `routes` as fit; returns how
    /// many were written. Callers loop on the remainder.
    pub fn encode(&self, out: &mut Vec<u8>, routes: &[Nlri]) -> Result<usize, EncodeError> {
        let start = header::begin(out, MessageType::Update);
        out.extend_from_slice(&[0, 0, 0, 0]);
        out.extend_from_slice(&self.before);
        let mp_at = out.len();
        if !self.mp_head.is_empty() {
            out.extend_from_slice(&[
                flags::OPTIONAL | flags::EXTENDED_LENGTH,
                attr_type::MP_REACH_NLRI,
                0,
                0,
            ]);
            out.extend_from_slice(&self.mp_head);
        }
        let fixed = out.len() - start + self.after.len();
        let room = self.max.saturating_sub(fixed);
        let mut used = 0;
        let mut n = 0;
        for r in routes {
            let l = r.wire_len(self.add_path);
            if used + l > room {
                break;
            }
            r.encode(self.add_path, out);
            used += l;
            n += 1;
        }
        if n == 0 && !routes.is_empty() {
            out.truncate(start);
            return Err(EncodeError::NoRoom);
        }
        if self.mp_head.is_empty() {
            put_u16_at(out, start + HEADER_LEN + 2, self.before.len());
        } else {
            put_u16_at(out, mp_at + 2, self.mp_head.len() + used);
            out.extend_from_slice(&self.after);
            let alen = out.len() - (start + HEADER_LEN + 4);
            put_u16_at(out, start + HEADER_LEN + 2, alen);
        }
        header::finish(out, start);
        Ok(n)
    }

    /// The family announced.
    pub fn family(&self) -> Family {
        self.family
    }
}

/// Offset of the first attribute of type `t` or above in encoded `attrs`.
fn split_before(attrs: &[u8], t: u8) -> usize {
    let mut at = 0;
    while let (Some(&fl), Some(&ty)) = (attrs.get(at), attrs.get(at + 1)) {
        if ty >= t {
            break;
        }
        let (hdr, len) = if fl & flags::EXTENDED_LENGTH != 0 {
            let l = attrs
                .get(at + 2..at + 4)
                .and_then(|b| <[u8; 2]>::try_from(b).ok())
                .map_or(0, |b| usize::from(u16::from_be_bytes(b)));
            (4, l)
        } else {
            (3, attrs.get(at + 2).map_or(0, |b| usize::from(*b)))
        };
        at += hdr + len;
    }
    at.min(attrs.len())
}
