//! One whole message, of any type.

use crate::header::{Header, MessageType, HEADER_LEN};
use crate::notification::{code, header_error};
use crate::open::Open;
use crate::route_refresh::RouteRefresh;
use crate::session::Negotiated;
use crate::update::{decode_update, encode_update, EncodeError, NextHop, Update, UpdateParts};
use crate::Nlri;
use crate::{DecodeError, Notification};
use std::fmt;

/// A decoded message. UPDATE dominates the size and the traffic, so it
/// is not boxed.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug)]
pub enum Message<'a> {
    /// OPEN.
    Open(Open),
    /// UPDATE.
    Update(Update<'a>),
    /// NOTIFICATION.
    Notification(Notification),
    /// KEEPALIVE.
    Keepalive,
    /// ROUTE-REFRESH.
    RouteRefresh(RouteRefresh),
}

/// Decodes exactly one message: `buf` must be the whole message as framed
/// by [`header::frame`](crate::header::frame). `Err` carries the
/// NOTIFICATION to send before closing the session.
pub fn decode_message<'a>(buf: &'a [u8], neg: &Negotiated) -> Result<Message<'a>, DecodeError> {
    let h = Header::parse(buf, neg.max_message_len())?
        .filter(|h| h.len == buf.len())
        .ok_or_else(|| {
            let len = u16::try_from(buf.len()).unwrap_or(u16::MAX);
            DecodeError::with_data(
                code::MESSAGE_HEADER,
                header_error::BAD_MESSAGE_LENGTH,
                len.to_be_bytes().to_vec(),
                16,
                "length field does not match the message",
            )
        })?;
    let body = buf.get(HEADER_LEN..).unwrap_or_default();
    Ok(match h.kind {
        MessageType::Open => Message::Open(Open::decode_body(body)?),
        MessageType::Update => Message::Update(decode_update(body, neg)?),
        MessageType::Notification => Message::Notification(
            // The header check guarantees two octets.
            Notification::decode_body(body).unwrap_or_else(|| Notification::new(0, 0, Vec::new())),
        ),
        MessageType::Keepalive => Message::Keepalive,
        MessageType::RouteRefresh => Message::RouteRefresh(RouteRefresh::decode(buf)?),
    })
}

/// Splits a stream of whole messages, as captured from a session.
pub fn split_stream(
    mut buf: &[u8],
    max_len: usize,
) -> impl Iterator<Item = Result<&[u8], DecodeError>> {
    std::iter::from_fn(move || {
        if buf.is_empty() {
            return None;
        }
        match crate::header::frame(buf, max_len) {
            Ok(Some(n)) => {
                let (msg, rest) = buf.split_at(n);
                buf = rest;
                Some(Ok(msg))
            }
            Ok(None) => {
                buf = &[];
                Some(Err(DecodeError::new(
                    code::MESSAGE_HEADER,
                    header_error::BAD_MESSAGE_LENGTH,
                    0,
                    "stream ends inside a message",
                )))
            }
            Err(e) => {
                buf = &[];
                Some(Err(e))
            }
        }
    })
}

impl Message<'_> {
    /// Appends the message. An UPDATE is re-encoded from its decoded form,
    /// following its received attribute layout, so a well-formed message
    /// comes out octet for octet as it came in. `neg` is the session as
    /// seen by the receiver of the original (the encoder writes what that
    /// peer's sender wrote).
    pub fn encode(&self, neg: &Negotiated, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        match self {
            Message::Open(o) => o.encode(out),
            Message::Notification(n) => n.encode(out),
            Message::Keepalive => crate::header::encode_keepalive(out),
            Message::RouteRefresh(r) => r.encode(out),
            Message::Update(u) => {
                let withdrawn: Vec<Nlri> = u.withdrawn_field().iter().collect();
                let nlri: Vec<Nlri> = u.nlri_field().iter().collect();
                let reach: Vec<Nlri> = u
                    .mp_reach()
                    .map(|m| m.nlri.iter().collect())
                    .unwrap_or_default();
                let unreach: Vec<Nlri> = u
                    .mp_unreach()
                    .map(|m| m.iter().collect())
                    .unwrap_or_default();
                let parts = UpdateParts {
                    withdrawn: &withdrawn,
                    attrs: Some(u.attributes_for_diagnostics()),
                    nlri: &nlri,
                    mp_reach: u.mp_reach().map(|m| (m.family, m.next_hop, &reach[..])),
                    mp_unreach: u.mp_unreach().map(|m| (m.family(), &unreach[..])),
                };
                encode_update(out, &parts, &neg.mirrored(), Some(u.layout()))?;
            }
        }
        Ok(())
    }
}

impl fmt::Display for Message<'_> {
    /// One line per message, for packet traces (`debug packets`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Message::Open(o) => {
                write!(
                    f,
                    "OPEN as {} hold {} id {} caps [",
                    o.asn(),
                    o.hold_time,
                    o.bgp_id
                )?;
                for (i, c) in o.capabilities().enumerate() {
                    write!(f, "{}{}", if i > 0 { " " } else { "" }, c.name())?;
                }
                f.write_str("]")
            }
            Message::Keepalive => f.write_str("KEEPALIVE"),
            Message::Notification(n) => write!(f, "NOTIFICATION {n}"),
            Message::RouteRefresh(r) => {
                write!(f, "ROUTE-REFRESH {} subtype {}", r.afi_safi, r.subtype)
            }
            Message::Update(u) => {
                if let Some(fam) = u.end_of_rib() {
                    return write!(f, "UPDATE End-of-RIB {fam}");
                }
                write!(f, "UPDATE {:?}", u.verdict())?;
                let a = u.attributes_for_diagnostics();
                if let Some(p) = &a.as_path {
                    write!(f, " path [{p}]")?;
                }
                for fam in crate::Family::ALL {
                    if let Some(nh) = u.next_hop(fam) {
                        match nh {
                            NextHop::V4(a) => write!(f, " via {a}")?,
                            NextHop::V6 {
                                global,
                                link_local: Some(ll),
                            } => write!(f, " via {global} {ll}")?,
                            NextHop::V6 { global, .. } => write!(f, " via {global}")?,
                        }
                    }
                }
                let mut sep = " +";
                for (_, n) in u.announced() {
                    write!(f, "{sep}{}", n.prefix)?;
                    sep = " ";
                }
                let mut sep = " -";
                for (_, n) in u.withdrawn() {
                    write!(f, "{sep}{}", n.prefix)?;
                    sep = " ";
                }
                if let Some(e) = u.error() {
                    write!(f, " ({})", e.reason)?;
                }
                Ok(())
            }
        }
    }
}
