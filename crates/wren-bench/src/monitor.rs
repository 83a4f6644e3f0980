//! The monitor peer: receives the router's output and keeps count.
//!
//! It reads only what it needs from each UPDATE: the withdrawn routes,
//! MP_REACH_NLRI / MP_UNREACH_NLRI, and the NLRI field; the other
//! attributes are skipped by their lengths. Routes are numbered by the
//! generator's scheme (see [`crate::prefixes`]), and a bitmap holds which
//! are present, so duplicates, implicit replacements and withdrawals of
//! routes never announced all count right.

use crate::held::Held;
use crate::progress::{Counter, Progress, Recorder, Trace};
use crate::session::{keepalive, kind, kinds, notification_error, Framer, KEEPALIVE_EVERY};
use anyhow::{bail, Result};
use std::time::Instant;
use tokio::io::AsyncWriteExt;
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::net::TcpStream;
use tokio::sync::watch;
use tokio::task::JoinHandle;
use wren_wire::header::HEADER_LEN;
use wren_wire::reader::Reader;
use wren_wire::{Family, NlriSection};

/// Reading UPDATEs into the bitmap: the parsing lives here, with the one
/// counter that needs it.
trait Updates {
    fn section(&mut self, bytes: &[u8], family: Family, present: bool) -> Result<()>;
    fn update(&mut self, msg: &[u8]) -> Result<bool>;
}

impl Updates for Held {
    fn section(&mut self, bytes: &[u8], family: Family, present: bool) -> Result<()> {
        let s = match NlriSection::parse(Reader::new(bytes), family, false) {
            Ok(s) => s,
            Err(e) => bail!("malformed {family} NLRI from the router: {e}"),
        };
        for n in s.iter() {
            self.set(&n.prefix, present);
        }
        Ok(())
    }

    /// Applies one UPDATE (the whole message); true if it is an
    /// End-of-RIB marker (RFC 4724 §2: no routes, and no attribute but an
    /// empty MP_UNREACH_NLRI).
    fn update(&mut self, msg: &[u8]) -> Result<bool> {
        let mut r = Reader::new(msg.get(HEADER_LEN..).unwrap_or_default());
        let short = || anyhow::anyhow!("UPDATE from the router cut short");
        let wlen = r.u16().ok_or_else(short)?;
        let withdrawn = r.take(usize::from(wlen)).ok_or_else(short)?;
        let alen = r.u16().ok_or_else(short)?;
        let mut attrs = r.sub(usize::from(alen)).ok_or_else(short)?;
        self.section(withdrawn, Family::Ipv4Unicast, false)?;
        let mut only_empty_unreach = true;
        while !attrs.is_empty() {
            let flags = attrs.u8().ok_or_else(short)?;
            let code = attrs.u8().ok_or_else(short)?;
            let len = if flags & 0x10 != 0 {
                attrs.u16()
            } else {
                attrs.u8().map(u16::from)
            };
            let mut value = len
                .and_then(|l| attrs.sub(usize::from(l)))
                .ok_or_else(short)?;
            let (reach, unreach) = (14, 15);
            only_empty_unreach &= code == unreach && value.remaining() == 3;
            if code != reach && code != unreach {
                continue;
            }
            let (Some(afi), Some(safi)) = (value.u16(), value.u8()) else {
                bail!("MP attribute from the router cut short");
            };
            let family = match (afi, safi) {
                (1, 1) => Family::Ipv4Unicast,
                (2, 1) => Family::Ipv6Unicast,
                _ => continue,
            };
            if code == reach {
                let nh_len = value.u8().ok_or_else(short)?;
                value.take(usize::from(nh_len) + 1).ok_or_else(short)?;
            }
            self.section(value.rest(), family, code == reach)?;
        }
        self.section(r.rest(), Family::Ipv4Unicast, true)?;
        Ok(withdrawn.is_empty() && r.is_empty() && only_empty_unreach)
    }
}

/// A running monitor session.
pub struct Monitor {
    /// Latest progress; changes wake waiters.
    pub progress: watch::Receiver<Progress>,
    reader: JoinHandle<Result<Trace>>,
    keepalives: JoinHandle<Result<()>>,
    stop: watch::Sender<bool>,
}

impl Monitor {
    /// Starts counting on an Established session. `framer` may already
    /// hold messages read during the OPEN exchange.
    pub fn start(stream: TcpStream, framer: Framer, v4: u32, v6: u32) -> Self {
        let (rd, wr) = stream.into_split();
        let (tx, progress) = watch::channel(Progress::start());
        let (stop, stopped) = watch::channel(false);
        Monitor {
            progress,
            reader: tokio::spawn(read(rd, framer, Held::new(v4, v6), tx, stopped.clone())),
            keepalives: tokio::spawn(send_keepalives(wr, stopped)),
            stop,
        }
    }

    /// Ends the session and returns what was seen. An error means the
    /// session failed (a NOTIFICATION, a closed connection, a malformed
    /// message) before it was stopped.
    pub async fn finish(self) -> Result<Trace> {
        let _ = self.stop.send(true);
        let trace = self.reader.await?;
        self.keepalives.abort();
        trace
    }

    /// Whether the session has failed already.
    pub fn failed(&self) -> bool {
        self.reader.is_finished() || self.keepalives.is_finished()
    }
}

impl Counter for Monitor {
    fn progress(&self) -> watch::Receiver<Progress> {
        self.progress.clone()
    }

    fn failure(&self) -> Option<String> {
        self.failed()
            .then(|| "the monitor session failed".to_string())
    }
}

async fn read(
    mut rd: OwnedReadHalf,
    mut framer: Framer,
    mut held: Held,
    tx: watch::Sender<Progress>,
    mut stop: watch::Receiver<bool>,
) -> Result<Trace> {
    let mut p = *tx.borrow();
    let mut curve = Recorder::new(p.at);
    loop {
        while let Some(msg) = framer.next_message()? {
            match kind(msg) {
                kinds::UPDATE => {
                    p.end_of_ribs += u32::from(held.update(msg)?);
                    p.updates += 1;
                }
                kinds::KEEPALIVE => {}
                kinds::NOTIFICATION => return Err(notification_error(msg)),
                k => bail!("unexpected message type {k} on the monitor session"),
            }
        }
        if held.count() != p.held {
            p.held = held.count();
            p.at = Instant::now();
            curve.record(p.at, p.held);
        }
        tx.send_replace(p);
        let stopped = tokio::select! {
            biased;
            _ = stop.changed() => true,
            more = framer.fill(&mut rd) => match more {
                Ok(true) => false,
                // Closing our side (stopping the KEEPALIVEs sends a FIN)
                // may make the router close first: that is no failure.
                _ if *stop.borrow() => true,
                Ok(false) => bail!("the router closed the monitor session"),
                Err(e) => return Err(e),
            },
        };
        if stopped {
            return Ok(curve.finish(held.foreign()));
        }
    }
}

/// KEEPALIVEs every [`KEEPALIVE_EVERY`] until stopped.
async fn send_keepalives(mut wr: OwnedWriteHalf, mut stop: watch::Receiver<bool>) -> Result<()> {
    let ka = keepalive();
    let mut tick = tokio::time::interval(KEEPALIVE_EVERY);
    loop {
        tokio::select! {
            _ = tick.tick() => wr.write_all(&ka).await?,
            _ = stop.changed() => return Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::attrs::AttrMode;
    use crate::feed::{assumed_session, build};
    use crate::scenario::Scenario;
    use wren_wire::message::split_stream;

    #[test]
    fn counts_announcements_withdrawals_and_duplicates() {
        let s = Scenario {
            name: "t",
            about: "",
            peers: 2,
            v4_per_peer: 2_500,
            v6_per_peer: 700,
            attrs: AttrMode::Shared,
            withdraw: true,
            kind: crate::scenario::Kind::Transit,
        };
        let feeds = build(&s, 3).unwrap_or_default();
        let mut held = Held::new(s.total_v4(), s.total_v6());
        for f in &feeds {
            for m in split_stream(&f.announce, 4096) {
                assert!(!held.update(m.unwrap_or_default()).unwrap());
            }
        }
        assert_eq!(held.count(), s.total_routes());
        // Announcing again changes nothing.
        for m in split_stream(&feeds[0].announce, 4096) {
            held.update(m.unwrap_or_default()).unwrap_or_default();
        }
        assert_eq!(held.count(), s.total_routes());
        for f in &feeds {
            for m in split_stream(&f.withdraw, 4096) {
                held.update(m.unwrap_or_default()).unwrap_or_default();
            }
        }
        assert_eq!((held.count(), held.foreign()), (0, 0));
        let _ = assumed_session(true);
    }

    #[test]
    fn end_of_rib_markers_are_recognised() {
        let mut held = Held::new(1, 1);
        for f in [Family::Ipv4Unicast, Family::Ipv6Unicast] {
            let mut m = Vec::new();
            wren_wire::update::encode_end_of_rib(&mut m, f);
            assert!(held.update(&m).unwrap(), "{f}");
        }
    }
}
