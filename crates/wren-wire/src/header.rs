//! The 19-octet message header (RFC 4271 §4.1) and stream framing.
//!
//! ```text
//! +-------------------------------+
//! | Marker (16 octets, all ones)  |
//! +---------------+---------------+
//! | Length (2)    | Type (1)      |
//! +---------------+---------------+
//! ```

use crate::notification::{code, header_error};
use crate::reader::Reader;
use crate::DecodeError;

/// Length of the header.
pub const HEADER_LEN: usize = 19;
/// Largest message without the extended message capability (RFC 4271).
pub const MAX_MESSAGE_LEN: usize = 4096;
/// Largest message with the extended message capability (RFC 8654).
pub const MAX_EXTENDED_MESSAGE_LEN: usize = 65535;
/// The marker: sixteen octets of ones.
pub const MARKER: [u8; 16] = [0xff; 16];

/// The five message types.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum MessageType {
    /// OPEN (1).
    Open = 1,
    /// UPDATE (2).
    Update = 2,
    /// NOTIFICATION (3).
    Notification = 3,
    /// KEEPALIVE (4).
    Keepalive = 4,
    /// ROUTE-REFRESH (5, RFC 2918).
    RouteRefresh = 5,
}

impl MessageType {
    /// The type for a code, if known.
    pub fn from_code(c: u8) -> Option<Self> {
        Some(match c {
            1 => MessageType::Open,
            2 => MessageType::Update,
            3 => MessageType::Notification,
            4 => MessageType::Keepalive,
            5 => MessageType::RouteRefresh,
            _ => return None,
        })
    }

    /// Smallest legal length of a message of this type, header included.
    pub fn min_len(self) -> usize {
        match self {
            MessageType::Open => 29,
            MessageType::Update => 23,
            MessageType::Notification => 21,
            MessageType::Keepalive => 19,
            MessageType::RouteRefresh => 23,
        }
    }
}

/// A checked header.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Header {
    /// Total message length, header included.
    pub len: usize,
    /// Message type.
    pub kind: MessageType,
}

impl Header {
    /// Checks the header at the start of `buf` (which must hold at least
    /// [`HEADER_LEN`] octets, else `Ok(None)`). `max_len` is the negotiated
    /// maximum; OPEN and KEEPALIVE are bounded by 4096 whatever was
    /// negotiated (RFC 8654 §3). ROUTE-REFRESH length is checked by its own
    /// decoder, which answers with a code 7 NOTIFICATION (RFC 7313 §5).
    pub fn parse(buf: &[u8], max_len: usize) -> Result<Option<Header>, DecodeError> {
        let mut r = Reader::new(buf);
        let (Some(marker), Some(len), Some(ty)) = (r.array::<16>(), r.u16(), r.u8()) else {
            return Ok(None);
        };
        if marker != MARKER {
            return Err(DecodeError::new(
                code::MESSAGE_HEADER,
                header_error::CONNECTION_NOT_SYNCHRONIZED,
                0,
                "marker is not all ones",
            ));
        }
        let kind = MessageType::from_code(ty).ok_or_else(|| {
            DecodeError::with_data(
                code::MESSAGE_HEADER,
                header_error::BAD_MESSAGE_TYPE,
                vec![ty],
                18,
                "unknown message type",
            )
        })?;
        let len16 = len;
        let len = usize::from(len);
        let max = match kind {
            MessageType::Open | MessageType::Keepalive => MAX_MESSAGE_LEN,
            _ => max_len,
        };
        let too_short = match kind {
            MessageType::Keepalive => len != HEADER_LEN,
            MessageType::RouteRefresh => len < HEADER_LEN,
            _ => len < kind.min_len(),
        };
        if too_short || len > max {
            return Err(DecodeError::with_data(
                code::MESSAGE_HEADER,
                header_error::BAD_MESSAGE_LENGTH,
                len16.to_be_bytes().to_vec(),
                16,
                "message length out of bounds for its type",
            ));
        }
        Ok(Some(Header { len, kind }))
    }
}

/// Framing for a byte stream: the length of the first whole message in
/// `buf`, `Ok(None)` if more octets are needed.
pub fn frame(buf: &[u8], max_len: usize) -> Result<Option<usize>, DecodeError> {
    Ok(Header::parse(buf, max_len)?
        .filter(|h| buf.len() >= h.len)
        .map(|h| h.len))
}

/// Starts a message in `out`: writes the marker, a placeholder length and
/// the type. Returns where the message starts, for [`finish`].
pub fn begin(out: &mut Vec<u8>, kind: MessageType) -> usize {
    let start = out.len();
    out.extend_from_slice(&MARKER);
    out.extend_from_slice(&[0, 0, kind as u8]);
    start
}

/// Writes the length of the message begun at `start`. Lengths past 65535
/// are the encoders' bug; they are clamped rather than wrapped.
pub fn finish(out: &mut [u8], start: usize) {
    let len = u16::try_from(out.len() - start).unwrap_or(u16::MAX);
    if let Some(field) = out.get_mut(start + 16..start + 18) {
        field.copy_from_slice(&len.to_be_bytes());
    }
}

/// Appends a KEEPALIVE.
pub fn encode_keepalive(out: &mut Vec<u8>) {
    let start = begin(out, MessageType::Keepalive);
    finish(out, start);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hdr(len: u16, ty: u8) -> Vec<u8> {
        let mut v = MARKER.to_vec();
        v.extend_from_slice(&len.to_be_bytes());
        v.push(ty);
        v
    }

    #[test]
    fn keepalive_frames() {
        let mut out = Vec::new();
        encode_keepalive(&mut out);
        assert_eq!(out, hdr(19, 4));
        assert_eq!(frame(&out, 4096), Ok(Some(19)));
        assert_eq!(frame(out.get(..18).unwrap_or_default(), 4096), Ok(None));
    }

    #[test]
    fn bad_marker() {
        let mut m = hdr(19, 4);
        if let Some(b) = m.get_mut(3) {
            *b = 0;
        }
        let e = frame(&m, 4096).err();
        assert_eq!(
            e.map(|e| (e.notification.code, e.notification.subcode)),
            Some((1, 1))
        );
    }

    #[test]
    fn bad_type_carries_the_type() {
        let e = frame(&hdr(19, 9), 4096).err();
        assert_eq!(e.map(|e| e.notification.data), Some(vec![9]));
    }

    #[test]
    fn bad_lengths_carry_the_length() {
        for (len, ty) in [
            (20, 4),
            (28, 1),
            (22, 2),
            (20, 3),
            (18, 2),
            (4097, 2),
            (4097, 1),
        ] {
            let e = frame(&hdr(len, ty), 4096).err();
            assert_eq!(
                e.map(|e| (e.notification.subcode, e.notification.data)),
                Some((2, len.to_be_bytes().to_vec())),
                "len {len} type {ty}"
            );
        }
    }

    #[test]
    fn extended_messages_allow_long_updates_but_not_long_opens() {
        assert!(frame(&hdr(5000, 2), 65535).is_ok());
        assert!(frame(&hdr(5000, 1), 65535).is_err());
        assert!(frame(&hdr(5000, 4), 65535).is_err());
    }
}
