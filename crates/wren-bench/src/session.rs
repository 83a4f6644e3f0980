//! Just enough of a BGP speaker for the testers and the monitor: the OPEN
//! exchange, KEEPALIVEs, and framing of what the router sends, all with
//! wren-wire's codec. No FSM beyond that: a lab peer that sees anything
//! unexpected reports it and the run fails.

use anyhow::{anyhow, bail, Context, Result};
use std::net::Ipv4Addr;
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use wren_wire::capability::Capability;
use wren_wire::header::{self, encode_keepalive, MAX_MESSAGE_LEN};
use wren_wire::{decode_message, AfiSafi, Message, Negotiated, Open};

/// Hold time the lab peers offer: long enough that no session expires
/// while a slow router works through a million routes.
pub const HOLD_TIME: u16 = 240;
/// How often the lab peers send a KEEPALIVE (a third of the hold time
/// would do; more often costs nothing).
pub const KEEPALIVE_EVERY: Duration = Duration::from_secs(30);
/// Read buffer size: large reads keep the monitor's per-message cost low.
const READ_CHUNK: usize = 1 << 20;

/// Our OPEN: 4-octet AS, IPv4 unicast, and IPv6 unicast when asked for.
/// With `end_of_rib`, a Graceful Restart capability without families
/// (RFC 4724 §3: "I understand End-of-RIB markers"), so that the router
/// says when it has sent its initial table.
pub fn open(asn: u32, id: Ipv4Addr, v6: bool, end_of_rib: bool) -> Open {
    let mut caps = vec![Capability::Multiprotocol(AfiSafi::IPV4_UNICAST)];
    if v6 {
        caps.push(Capability::Multiprotocol(AfiSafi::IPV6_UNICAST));
    }
    caps.push(Capability::FourOctetAs(asn));
    if end_of_rib {
        caps.push(Capability::GracefulRestart {
            flags: 0,
            time: 0,
            families: Vec::new(),
        });
    }
    Open::new(asn, HOLD_TIME, id, caps)
}

/// A KEEPALIVE message.
pub fn keepalive() -> Vec<u8> {
    let mut out = Vec::with_capacity(header::HEADER_LEN);
    encode_keepalive(&mut out);
    out
}

/// Reads whole messages from a stream, a large chunk at a time.
#[derive(Debug)]
pub struct Framer {
    buf: Vec<u8>,
    /// Start of the first unread message in `buf`.
    at: usize,
}

impl Default for Framer {
    fn default() -> Self {
        Framer {
            buf: Vec::with_capacity(READ_CHUNK),
            at: 0,
        }
    }
}

impl Framer {
    /// Reads more octets; `Ok(false)` at end of stream.
    pub async fn fill<R: AsyncRead + Unpin>(&mut self, r: &mut R) -> Result<bool> {
        if self.at > 0 {
            self.buf.drain(..self.at);
            self.at = 0;
        }
        if self.buf.capacity() - self.buf.len() < MAX_MESSAGE_LEN {
            self.buf.reserve(READ_CHUNK);
        }
        Ok(r.read_buf(&mut self.buf).await? > 0)
    }

    /// The next whole message, if one is buffered.
    pub fn next_message(&mut self) -> Result<Option<&[u8]>> {
        let rest = self.buf.get(self.at..).unwrap_or_default();
        let Some(len) = header::frame(rest, MAX_MESSAGE_LEN)
            .map_err(|e| anyhow!("bad message from the router: {e:?}"))?
        else {
            return Ok(None);
        };
        let start = self.at;
        self.at += len;
        Ok(self.buf.get(start..start + len))
    }
}

/// A NOTIFICATION as an error.
pub fn notification_error(msg: &[u8]) -> anyhow::Error {
    match decode_message(msg, &Negotiated::default()) {
        Ok(Message::Notification(n)) => anyhow!("the router sent NOTIFICATION {n}"),
        _ => anyhow!("the router sent an undecodable NOTIFICATION"),
    }
}

/// Type code of a framed message (its 19th octet).
pub fn kind(msg: &[u8]) -> u8 {
    msg.get(header::HEADER_LEN - 1).copied().unwrap_or(0)
}

/// OPEN, UPDATE, NOTIFICATION, KEEPALIVE type codes.
pub mod kinds {
    /// OPEN.
    pub const OPEN: u8 = 1;
    /// UPDATE.
    pub const UPDATE: u8 = 2;
    /// NOTIFICATION.
    pub const NOTIFICATION: u8 = 3;
    /// KEEPALIVE.
    pub const KEEPALIVE: u8 = 4;
}

/// Sends `ours`, waits for the router's OPEN and KEEPALIVE, answers with
/// a KEEPALIVE: the session is Established. Returns what was negotiated
/// and the framer, which may already hold the router's first UPDATEs.
pub async fn establish(
    stream: &mut TcpStream,
    ours: &Open,
    within: Duration,
) -> Result<(Negotiated, Framer)> {
    tokio::time::timeout(within, handshake(stream, ours))
        .await
        .map_err(|_| anyhow!("no OPEN and KEEPALIVE from the router within {within:?}"))?
}

async fn handshake(stream: &mut TcpStream, ours: &Open) -> Result<(Negotiated, Framer)> {
    let mut out = Vec::new();
    ours.encode(&mut out);
    stream.write_all(&out).await.context("sending OPEN")?;
    let mut framer = Framer::default();
    let mut negotiated = None;
    loop {
        while let Some(msg) = framer.next_message()? {
            match (kind(msg), negotiated) {
                (kinds::OPEN, None) => {
                    let Message::Open(theirs) = decode_message(msg, &Negotiated::default())
                        .map_err(|e| anyhow!("bad OPEN from the router: {e:?}"))?
                    else {
                        bail!("bad OPEN from the router");
                    };
                    negotiated = Some(Negotiated::negotiate(ours, &theirs));
                    stream.write_all(&keepalive()).await?;
                }
                (kinds::KEEPALIVE, Some(n)) => return Ok((n, framer)),
                (kinds::NOTIFICATION, _) => return Err(notification_error(msg)),
                (k, _) => bail!("unexpected message type {k} while opening the session"),
            }
        }
        if !framer.fill(stream).await? {
            bail!("the router closed the connection while opening the session");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn framer_splits_and_keeps_partial_messages() {
        let mut bytes = keepalive();
        bytes.extend(keepalive());
        let mut first_half = bytes.clone();
        let second = first_half.split_off(25);
        let mut f = Framer::default();
        f.fill(&mut first_half.as_slice()).await.unwrap_or_default();
        assert_eq!(
            f.next_message().ok().flatten().map(kind),
            Some(kinds::KEEPALIVE)
        );
        assert!(matches!(f.next_message(), Ok(None)));
        f.fill(&mut second.as_slice()).await.unwrap_or_default();
        assert_eq!(
            f.next_message().ok().flatten().map(kind),
            Some(kinds::KEEPALIVE)
        );
        assert!(matches!(f.next_message(), Ok(None)));
    }

    #[test]
    fn open_round_trips() {
        let o = open(65_001, Ipv4Addr::new(198, 18, 1, 0), true, true);
        let mut out = Vec::new();
        o.encode(&mut out);
        let Ok(Message::Open(back)) = decode_message(&out, &Negotiated::default()) else {
            panic!("OPEN does not decode");
        };
        assert_eq!(back.asn(), 65_001);
        assert_eq!(back.hold_time, HOLD_TIME);
    }
}
