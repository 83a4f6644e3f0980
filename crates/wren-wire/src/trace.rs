//! Replaying a captured session: both directions decoded with what their
//! OPENs negotiated, each message re-encoded and compared with the octets
//! on the wire. Used by the fixture tests and the `wire-dump` example.

use crate::message::{decode_message, split_stream, Message};
use crate::open::Open;
use crate::session::Negotiated;
use crate::DecodeError;

/// One direction of a session, decoded.
#[derive(Debug, Default)]
pub struct Direction {
    /// A one-line rendering of each message.
    pub lines: Vec<String>,
    /// Messages whose re-encoding differs from the wire, with both forms.
    pub mismatches: Vec<(Vec<u8>, Vec<u8>)>,
}

fn first_open(stream: &[u8]) -> Option<Open> {
    let first = split_stream(stream, crate::header::MAX_MESSAGE_LEN)
        .next()?
        .ok()?;
    match decode_message(first, &Negotiated::default()).ok()? {
        Message::Open(o) => Some(o),
        _ => None,
    }
}

/// Decodes what a speaker sent (`sent`), given both OPENs' streams.
/// Returns an error at the first message the receiver would have
/// answered with a NOTIFICATION.
pub fn replay(sent: &[u8], received: &[u8]) -> Result<Direction, DecodeError> {
    let neg = match (first_open(sent), first_open(received)) {
        (Some(theirs), Some(ours)) => Negotiated::negotiate(&ours, &theirs),
        _ => Negotiated::default(),
    };
    let mut d = Direction::default();
    for m in split_stream(sent, neg.max_message_len()) {
        let m = m?;
        let msg = decode_message(m, &neg)?;
        d.lines.push(msg.to_string());
        let mut again = Vec::with_capacity(m.len());
        if msg.encode(&neg, &mut again).is_err() || again != m {
            d.mismatches.push((m.to_vec(), again));
        }
    }
    Ok(d)
}
