//! Netlink messages written in place, and attributes read in place.
//!
//! The writes of a full table are a million messages of the same few
//! shapes (a route, a delete, a nexthop object). netlink-packet-route
//! builds each one as a message value with a `Vec` of attribute values,
//! measures every attribute twice and drops it all again: in `kernel-fib`
//! that was 9 % of wrend's CPU samples (`value_len`, `from_iter`, `emit`,
//! `drop_in_place`). Here a message is its header, its fixed part and its
//! attributes appended to the batch buffer, with no allocation once the
//! buffer has grown. Reading dumps and notifications of routes, links and
//! addresses stays with netlink-packet-route: it is not on the hot path.

use std::net::IpAddr;

/// Length of `struct nlmsghdr`.
pub(crate) const HEADER_LEN: usize = 16;
/// Length of `struct nlattr`.
const ATTR_HEADER_LEN: usize = 4;

/// One message being appended to a buffer; [`Message::finish`] writes its
/// length and pads it.
pub(crate) struct Message<'a> {
    buf: &'a mut Vec<u8>,
    start: usize,
}

impl<'a> Message<'a> {
    /// Starts a message of type `kind` (`RTM_NEWROUTE`…) at the end of
    /// `buf`.
    pub(crate) fn begin(buf: &'a mut Vec<u8>, kind: u16, flags: u16, seq: u32) -> Self {
        let start = buf.len();
        buf.extend_from_slice(&0u32.to_ne_bytes()); // nlmsg_len, set by finish
        buf.extend_from_slice(&kind.to_ne_bytes());
        buf.extend_from_slice(&flags.to_ne_bytes());
        buf.extend_from_slice(&seq.to_ne_bytes());
        buf.extend_from_slice(&0u32.to_ne_bytes()); // nlmsg_pid: the kernel
        Message { buf, start }
    }

    /// Appends raw octets: the message's fixed part (`struct rtmsg`…).
    pub(crate) fn put(&mut self, bytes: &[u8]) {
        self.buf.extend_from_slice(bytes);
    }

    /// Appends an attribute with `value`.
    pub(crate) fn attr(&mut self, kind: u16, value: &[u8]) {
        let at = self.open(kind);
        self.buf.extend_from_slice(value);
        self.close(at);
    }

    /// Appends a 32-bit attribute (host order, as rtnetlink wants them).
    pub(crate) fn attr_u32(&mut self, kind: u16, value: u32) {
        self.attr(kind, &value.to_ne_bytes());
    }

    /// Appends an address attribute: 4 or 16 octets.
    pub(crate) fn attr_addr(&mut self, kind: u16, a: IpAddr) {
        match a {
            IpAddr::V4(a) => self.attr(kind, &a.octets()),
            IpAddr::V6(a) => self.attr(kind, &a.octets()),
        }
    }

    /// Opens an attribute whose value is written next (a nest); returns
    /// where its length goes, for [`Message::close`].
    pub(crate) fn open(&mut self, kind: u16) -> usize {
        let at = self.buf.len();
        self.buf.extend_from_slice(&0u16.to_ne_bytes());
        self.buf.extend_from_slice(&kind.to_ne_bytes());
        at
    }

    /// Opens a record that starts with its own 16-bit length (an
    /// `rtnexthop` inside `RTA_MULTIPATH`), followed by `rest`.
    pub(crate) fn open_record(&mut self, rest: &[u8]) -> usize {
        let at = self.buf.len();
        self.buf.extend_from_slice(&0u16.to_ne_bytes());
        self.buf.extend_from_slice(rest);
        at
    }

    /// Writes the length of what was opened at `at` and pads to 4 octets.
    /// The length excludes the padding, as the kernel expects.
    pub(crate) fn close(&mut self, at: usize) {
        let len = u16::try_from(self.buf.len() - at).unwrap_or(u16::MAX);
        if let Some(dst) = self.buf.get_mut(at..at + 2) {
            dst.copy_from_slice(&len.to_ne_bytes());
        }
        pad(self.buf);
    }

    /// Writes the message's length and pads it.
    pub(crate) fn finish(self) {
        let len = u32::try_from(self.buf.len() - self.start).unwrap_or(u32::MAX);
        if let Some(dst) = self.buf.get_mut(self.start..self.start + 4) {
            dst.copy_from_slice(&len.to_ne_bytes());
        }
        pad(self.buf);
    }
}

fn pad(buf: &mut Vec<u8>) {
    buf.resize(buf.len().next_multiple_of(4), 0);
}

/// The attributes in `bytes` as (type without flag bits, value). Stops at
/// the first malformed one.
pub(crate) fn attrs(bytes: &[u8]) -> impl Iterator<Item = (u16, &[u8])> {
    let mut rest = bytes;
    std::iter::from_fn(move || {
        let len = usize::from(u16::from_ne_bytes(rest.get(0..2)?.try_into().ok()?));
        if len < ATTR_HEADER_LEN {
            return None; // would never advance
        }
        let kind = u16::from_ne_bytes(rest.get(2..4)?.try_into().ok()?) & 0x3fff;
        let value = rest.get(ATTR_HEADER_LEN..len)?;
        rest = rest.get(len.next_multiple_of(4)..).unwrap_or_default();
        Some((kind, value))
    })
}

/// A 32-bit attribute value.
pub(crate) fn as_u32(value: &[u8]) -> Option<u32> {
    value.try_into().ok().map(u32::from_ne_bytes)
}

/// An address attribute value: 4 or 16 octets.
pub(crate) fn as_addr(value: &[u8]) -> Option<IpAddr> {
    match value.len() {
        4 => <[u8; 4]>::try_from(value).ok().map(IpAddr::from),
        16 => <[u8; 16]>::try_from(value).ok().map(IpAddr::from),
        _ => None,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn lengths_exclude_padding_and_attributes_read_back() {
        let mut buf = vec![0xaa]; // something before: offsets are relative
        buf.resize(4, 0);
        let mut m = Message::begin(&mut buf, 24, 0x0501, 7);
        m.put(&[1, 2, 3, 4]);
        m.attr(1, &[9, 9, 9]); // 7 octets, padded to 8
        let nest = m.open(9);
        let rec = m.open_record(&[0, 0]);
        m.attr_u32(5, 0xdead_beef);
        m.close(rec);
        m.close(nest);
        m.finish();
        let msg = &buf[4..];
        assert_eq!(msg.len() % 4, 0);
        assert_eq!(as_u32(&msg[0..4]), Some(msg.len() as u32));
        assert_eq!(u16::from_ne_bytes([msg[4], msg[5]]), 24);
        assert_eq!(as_u32(&msg[8..12]), Some(7));
        let body = &msg[HEADER_LEN + 4..];
        let got: Vec<(u16, Vec<u8>)> = attrs(body).map(|(k, v)| (k, v.to_vec())).collect();
        assert_eq!(got.len(), 2);
        assert_eq!(got[0], (1, vec![9, 9, 9]));
        // The nest holds one record of 4 + 8 octets: length, pad, attribute.
        let nest = &got[1].1;
        assert_eq!(u16::from_ne_bytes([nest[0], nest[1]]), 12);
        let (k, v) = attrs(&nest[4..]).next().unwrap();
        assert_eq!((k, as_u32(v)), (5, Some(0xdead_beef)));
    }

    #[test]
    fn malformed_attributes_end_the_walk() {
        assert_eq!(attrs(&[8, 0, 1, 0, 1]).count(), 0); // claims 8, has 5
        assert_eq!(attrs(&[0, 0, 1, 0, 4, 0, 1, 0]).count(), 0); // length 0: no progress
        assert_eq!(attrs(&[4, 0, 1, 0]).count(), 1); // a flag: empty value
        assert!(as_addr(&[1, 2, 3]).is_none());
    }
}
