//! One `NETLINK_ROUTE` socket under tokio, speaking in raw frames.
//!
//! Why not rtnetlink's `Handle`: it sends one message per `sendmsg` and
//! gives every request its own channel and ack. A full table is a million
//! routes; that would be a million system calls each way. Here a batch of
//! requests is packed into one datagram, the kernel handles all of them
//! inside that one `sendmsg` (rtnetlink runs in the sender's context), and
//! only failures plus one final ack come back. The crates
//! `netlink-packet-route` and `netlink-sys` still do the encoding and the
//! socket setup; this module only moves bytes.
//!
//! The socket is opened in the network namespace of the calling thread,
//! and must be opened inside a tokio runtime (it registers with the
//! reactor).

use std::io;

use netlink_packet_core::{
    NetlinkHeader, NetlinkMessage, NetlinkPayload, ParseableParametrized, NLMSG_DONE, NLMSG_ERROR,
    NLM_F_DUMP, NLM_F_DUMP_INTR, NLM_F_REQUEST,
};
use netlink_packet_route::RouteNetlinkMessage;
use netlink_sys::{protocols::NETLINK_ROUTE, AsyncSocket, TokioSocket};

use crate::error::Error;
use crate::nlmsg::HEADER_LEN;

/// Receive buffer for one datagram. Dump parts and notifications are at
/// most 32 KiB (the kernel caps them by the reader's buffer size).
const RECV_BUF: usize = 64 * 1024;

/// Socket receive buffer asked for: enough for the acks and errors of a
/// whole batch, and for a burst of notifications (a table flush on a
/// busy node is thousands of them).
const RCVBUF_BYTES: usize = 16 << 20;

/// `NLM_F_CAPPED` in an error: only the request's header is echoed.
const NLM_F_CAPPED: u16 = 0x100;
/// `NLM_F_ACK_TLVS` in an error: extended-ack attributes follow.
const NLM_F_ACK_TLVS: u16 = 0x200;
/// `NLMSGERR_ATTR_MSG`: the kernel's error text.
const NLMSGERR_ATTR_MSG: u16 = 1;

/// How often a dump interrupted by a concurrent change is restarted
/// before its (possibly inconsistent) result is returned anyway.
const DUMP_ATTEMPTS: usize = 3;

/// A non-blocking netlink route socket with its own sequence numbers.
pub(crate) struct NlSocket {
    sock: TokioSocket,
    seq: u32,
    buf: Vec<u8>,
    rcvbuf: usize,
}

impl NlSocket {
    /// Opens a socket in the calling thread's namespace, subscribed to the
    /// given `RTNLGRP_*` multicast groups (none for a request socket).
    pub(crate) fn open(groups: &[u32]) -> io::Result<Self> {
        // netlink-sys registers the socket with tokio's reactor.
        let mut tokio_sock = TokioSocket::new(NETLINK_ROUTE)?;
        let sock = tokio_sock.socket_mut();
        sock.bind_auto()?;
        // Acks echo only the request's header, not the whole request.
        sock.set_cap_ack(true)?;
        // Errors carry the kernel's reason ("Nexthop device is not up").
        let _ = sock.set_ext_ack(true);
        // Dump requests are checked and filtered (by table) in the kernel.
        let _ = sock.set_netlink_get_strict_chk(true);
        for g in groups {
            sock.add_membership(*g)?;
        }
        // SO_RCVBUFFORCE passes rmem_max when we have CAP_NET_ADMIN (a
        // routing daemon does); otherwise take what SO_RCVBUF gives.
        let forced = nix::sys::socket::setsockopt(
            &*sock,
            nix::sys::socket::sockopt::RcvBufForce,
            &RCVBUF_BYTES,
        );
        if forced.is_err() {
            let _ = sock.set_rx_buf_sz(RCVBUF_BYTES);
        }
        let rcvbuf = sock.get_rx_buf_sz().unwrap_or(212_992);
        Ok(NlSocket {
            sock: tokio_sock,
            seq: 0,
            buf: Vec::with_capacity(RECV_BUF),
            rcvbuf,
        })
    }

    /// Has the kernel drop route notifications (`RTM_NEWROUTE`,
    /// `RTM_DELROUTE`) of `rtm_protocol` `protocol` before they are queued
    /// for this socket: a classic BPF filter on the message type and the
    /// protocol octet. A route notification is one message per datagram,
    /// so the filter's view of the first header is the whole story.
    pub(crate) fn skip_routes_of(&self, protocol: u8) -> io::Result<()> {
        use socket2::SockFilter;
        // BPF loads half-words big-endian; the header is in host order.
        let kind = |k: u16| u32::from(u16::from_be_bytes(k.to_ne_bytes()));
        const LDH_ABS: u16 = 0x28;
        const LDB_ABS: u16 = 0x30;
        const JEQ_K: u16 = 0x15;
        const RET_K: u16 = 0x06;
        let prog = [
            SockFilter::new(LDH_ABS, 0, 0, 4),                     // nlmsg_type
            SockFilter::new(JEQ_K, 1, 0, kind(24)),                // RTM_NEWROUTE: check
            SockFilter::new(JEQ_K, 0, 2, kind(25)),                // RTM_DELROUTE: check; else keep
            SockFilter::new(LDB_ABS, 0, 0, HEADER_LEN as u32 + 5), // rtm_protocol
            SockFilter::new(JEQ_K, 1, 0, u32::from(protocol)),
            SockFilter::new(RET_K, 0, 0, u32::MAX), // keep
            SockFilter::new(RET_K, 0, 0, 0),        // drop
        ];
        socket2::SockRef::from(self.sock.socket_ref()).attach_filter(&prog)
    }

    /// The socket's receive buffer in bytes, as the kernel accounts it.
    pub(crate) fn rcvbuf(&self) -> usize {
        self.rcvbuf
    }

    /// A fresh sequence number (never 0: notifications carry 0).
    pub(crate) fn next_seq(&mut self) -> u32 {
        self.seq = self.seq.wrapping_add(1).max(1);
        self.seq
    }

    /// Sends one datagram (one or many messages) to the kernel.
    pub(crate) async fn send(&self, bytes: &[u8]) -> io::Result<()> {
        let n = std::future::poll_fn(|cx| self.sock.poll_send(cx, bytes)).await?;
        if n == bytes.len() {
            Ok(())
        } else {
            Err(io::Error::other("short netlink send"))
        }
    }

    /// Receives one datagram. `ENOBUFS` means the kernel dropped messages
    /// because the receive buffer was full.
    pub(crate) async fn recv(&mut self) -> io::Result<&[u8]> {
        let NlSocket { sock, buf, .. } = self;
        loop {
            buf.clear();
            buf.reserve(RECV_BUF);
            match std::future::poll_fn(|cx| sock.poll_recv(cx, buf)).await {
                // A full buffer means the datagram was cut short.
                Ok(()) if buf.len() >= buf.capacity() => {
                    return Err(io::Error::other("netlink datagram larger than the buffer"))
                }
                Ok(()) => return Ok(buf.as_slice()),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            }
        }
    }

    /// Runs a dump request and passes each answer to `each`, which returns
    /// what to keep. A dump that the kernel flags as interrupted (the
    /// table changed under it) is restarted a few times.
    pub(crate) async fn dump<T>(
        &mut self,
        request: RouteNetlinkMessage,
        mut each: impl FnMut(RouteNetlinkMessage) -> Option<T>,
    ) -> Result<Vec<T>, Error> {
        self.dump_raw(
            |buf, seq| encode(buf, request.clone(), NLM_F_REQUEST | NLM_F_DUMP, seq),
            // An entry we cannot decode is skipped, not fatal: one odd
            // alien route must not hide the others.
            |f| f.parse().ok().and_then(&mut each),
        )
        .await
    }

    /// [`NlSocket::dump`] for messages netlink-packet-route does not know:
    /// `request` appends the request with the given sequence number, and
    /// `each` reads the frames of the answer.
    pub(crate) async fn dump_raw<T>(
        &mut self,
        request: impl Fn(&mut Vec<u8>, u32),
        mut each: impl FnMut(&Frame<'_>) -> Option<T>,
    ) -> Result<Vec<T>, Error> {
        let mut out = Vec::new();
        for _ in 0..DUMP_ATTEMPTS {
            out.clear();
            let seq = self.next_seq();
            let mut req = Vec::new();
            request(&mut req, seq);
            self.send(&req).await?;
            let mut interrupted = false;
            'recv: loop {
                let data = self.recv().await?;
                for f in frames(data) {
                    if f.seq != seq {
                        continue; // a late answer to an abandoned request
                    }
                    interrupted |= f.flags & NLM_F_DUMP_INTR != 0;
                    match f.kind {
                        NLMSG_DONE => match f.code() {
                            Some(c) if c < 0 => return Err(Error::Kernel(f.error())),
                            _ => break 'recv,
                        },
                        NLMSG_ERROR => match f.code() {
                            Some(0) => {}
                            _ => return Err(Error::Kernel(f.error())),
                        },
                        k if k < 16 => {} // NOOP, OVERRUN and reserved types
                        _ => out.extend(each(&f)),
                    }
                }
            }
            if !interrupted {
                break;
            }
        }
        Ok(out)
    }

    /// Sends one request (appended by `request` with the sequence number
    /// given), asks for its ack and waits for it: `Ok(None)` when the
    /// kernel accepted it, `Ok(Some(error))` when it refused.
    pub(crate) async fn ask(
        &mut self,
        request: impl FnOnce(&mut Vec<u8>, u32),
    ) -> Result<Option<KernelError>, Error> {
        let seq = self.next_seq();
        let mut req = Vec::new();
        request(&mut req, seq);
        request_ack(&mut req, 0);
        self.send(&req).await?;
        loop {
            let data = self.recv().await?;
            for f in frames(data) {
                if f.seq == seq && f.kind == NLMSG_ERROR {
                    return Ok(match f.code() {
                        Some(0) => None,
                        _ => Some(f.error()),
                    });
                }
            }
        }
    }
}

/// Appends `msg` as one netlink message to `buf`, padded to 4 octets.
pub(crate) fn encode(buf: &mut Vec<u8>, msg: RouteNetlinkMessage, flags: u16, seq: u32) {
    let mut header = NetlinkHeader::default();
    header.flags = flags;
    header.sequence_number = seq;
    let mut m = NetlinkMessage::new(header, NetlinkPayload::InnerMessage(msg));
    m.finalize();
    let start = buf.len();
    buf.resize(start + m.buffer_len(), 0);
    if let Some(dst) = buf.get_mut(start..) {
        m.serialize(dst);
    }
    buf.resize(buf.len().next_multiple_of(4), 0);
}

/// Sets `NLM_F_ACK` on the message that starts at `offset` in `buf`.
pub(crate) fn request_ack(buf: &mut [u8], offset: usize) {
    if let Some(f) = u16_at(buf, offset + 6) {
        let f = f | netlink_packet_core::NLM_F_ACK;
        if let Some(dst) = buf.get_mut(offset + 6..offset + 8) {
            dst.copy_from_slice(&f.to_ne_bytes());
        }
    }
}

/// One netlink message inside a received datagram.
pub(crate) struct Frame<'a> {
    /// `nlmsg_type`.
    pub kind: u16,
    /// `nlmsg_flags`.
    pub flags: u16,
    /// `nlmsg_seq`: the request this answers, 0 for notifications.
    pub seq: u32,
    /// The payload after the header.
    pub payload: &'a [u8],
}

impl Frame<'_> {
    /// For `NLMSG_ERROR` (and `NLMSG_DONE`): the code, 0 for an ack or a
    /// negative errno.
    pub(crate) fn code(&self) -> Option<i32> {
        u32_at(self.payload, 0).map(|c| c as i32)
    }

    /// The error this frame reports, with the kernel's text when it sent
    /// one (extended ack).
    pub(crate) fn error(&self) -> KernelError {
        KernelError {
            errno: self.code().map_or(libc::EIO, |c| c.saturating_neg()),
            message: self.ext_ack_message(),
        }
    }

    fn ext_ack_message(&self) -> Option<String> {
        if self.flags & NLM_F_ACK_TLVS == 0 {
            return None;
        }
        // errno, then the request's header (and its body unless capped).
        let echoed = if self.flags & NLM_F_CAPPED != 0 {
            HEADER_LEN
        } else {
            u32_at(self.payload, 4)? as usize
        };
        let mut tlvs = self.payload.get(4 + echoed.next_multiple_of(4)..)?;
        while let (Some(len), Some(kind)) = (u16_at(tlvs, 0), u16_at(tlvs, 2)) {
            let len = usize::from(len);
            let kind = kind & 0x3fff;
            let value = tlvs.get(4..len.max(4))?;
            if kind == NLMSGERR_ATTR_MSG {
                let text = value.split(|b| *b == 0).next().unwrap_or_default();
                return Some(String::from_utf8_lossy(text).into_owned());
            }
            tlvs = tlvs.get(len.next_multiple_of(4).max(4)..)?;
        }
        None
    }

    /// Decodes a route, link or address message.
    pub(crate) fn parse(&self) -> Result<RouteNetlinkMessage, Error> {
        RouteNetlinkMessage::parse_with_param(self.payload, self.kind)
            .map_err(|e| Error::Decode(e.to_string()))
    }
}

/// A failure the kernel reported for one request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KernelError {
    /// The errno (positive), e.g. `EEXIST`.
    pub errno: i32,
    /// The kernel's explanation, when it gave one.
    pub message: Option<String>,
}

impl std::fmt::Display for KernelError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", io::Error::from_raw_os_error(self.errno))?;
        if let Some(m) = &self.message {
            write!(f, " ({m})")?;
        }
        Ok(())
    }
}

impl std::error::Error for KernelError {}

impl KernelError {
    /// The kernel has no such route (`ESRCH`): the answer to deleting a
    /// route that is not there.
    pub fn is_no_such_route(&self) -> bool {
        self.errno == libc::ESRCH
    }
}

/// The messages of one datagram, in order.
pub(crate) fn frames(buf: &[u8]) -> impl Iterator<Item = Frame<'_>> {
    let mut rest = buf;
    std::iter::from_fn(move || {
        let len = u32_at(rest, 0)? as usize;
        let frame = Frame {
            kind: u16_at(rest, 4)?,
            flags: u16_at(rest, 6)?,
            seq: u32_at(rest, 8)?,
            payload: rest.get(HEADER_LEN..len)?,
        };
        rest = rest.get(len.next_multiple_of(4)..).unwrap_or_default();
        Some(frame)
    })
}

/// The native-endian `u16` at `at`, if `b` is long enough.
fn u16_at(b: &[u8], at: usize) -> Option<u16> {
    b.get(at..at + 2)?.try_into().ok().map(u16::from_ne_bytes)
}

/// The native-endian `u32` at `at`, if `b` is long enough.
fn u32_at(b: &[u8], at: usize) -> Option<u32> {
    b.get(at..at + 4)?.try_into().ok().map(u32::from_ne_bytes)
}
