//! One whole message, of any type.

use crate::header::{Header, MessageType, HEADER_LEN};
use crate::notification::{code, header_error};
use crate::open::Open;
use crate::route_refresh::RouteRefresh;
use crate::session::Negotiated;
use crate::update::{decode_update, Update};
use crate::{DecodeError, Notification};

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
pub fn split_stream(mut buf: &[u8], max_len: usize) -> impl Iterator<Item = Result<&[u8], DecodeError>> {
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
