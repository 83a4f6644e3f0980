//! The tester peers at run time: each sends its pre-encoded streams when
//! told to, keeps its session alive, and drains whatever the router sends
//! back (nothing but KEEPALIVEs and End-of-RIB with the lab's
//! configurations, but a router that echoed routes must not stall on a
//! full socket buffer and so skew its own figures).

use crate::feed::Feed;
use crate::session::{keepalive, kind, kinds, notification_error, Framer, KEEPALIVE_EVERY};
use anyhow::{anyhow, bail, Context, Result};
use std::sync::Arc;
use std::time::Instant;
use tokio::io::AsyncWriteExt;
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::net::TcpStream;
use tokio::sync::{mpsc, watch};
use tokio::task::JoinSet;

/// What the testers are told to do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    /// Sessions up, nothing sent.
    Idle,
    /// Send the announcements.
    Announce,
    /// Send the withdrawals.
    Withdraw,
}

/// All tester peers of a run.
pub struct Testers {
    phase: watch::Sender<Phase>,
    tasks: JoinSet<()>,
    count: usize,
    /// Failures of any tester (a closed session, a NOTIFICATION).
    pub failures: mpsc::UnboundedReceiver<anyhow::Error>,
    /// When each tester finished writing the current phase.
    pub written: mpsc::UnboundedReceiver<Instant>,
}

impl Testers {
    /// Starts the peers on Established sessions, tester `i` with
    /// `feeds[i]`.
    pub fn start(sessions: Vec<(TcpStream, Framer)>, feeds: Arc<Vec<Feed>>) -> Self {
        let (phase, _) = watch::channel(Phase::Idle);
        let (fail_tx, failures) = mpsc::unbounded_channel();
        let (done_tx, written) = mpsc::unbounded_channel();
        let mut tasks = JoinSet::new();
        let count = sessions.len();
        for (i, (stream, framer)) in sessions.into_iter().enumerate() {
            let (rd, wr) = stream.into_split();
            let tx = fail_tx.clone();
            tasks.spawn(async move {
                if let Err(e) = drain(rd, framer).await {
                    let _ = tx.send(e.context(format!("tester {i}")));
                }
            });
            let (tx, ph, done, feeds) = (
                fail_tx.clone(),
                phase.subscribe(),
                done_tx.clone(),
                feeds.clone(),
            );
            tasks.spawn(async move {
                if let Err(e) = write(wr, &feeds, i, ph, done).await {
                    let _ = tx.send(e.context(format!("tester {i}")));
                }
            });
        }
        Testers {
            phase,
            tasks,
            count,
            failures,
            written,
        }
    }

    /// How many testers there are.
    pub fn count(&self) -> usize {
        self.count
    }

    /// Moves every tester to `p`.
    pub fn go(&self, p: Phase) {
        self.phase.send_replace(p);
    }

    /// Closes every session.
    pub async fn finish(mut self) {
        self.tasks.abort_all();
        while self.tasks.join_next().await.is_some() {}
    }
}

/// Writes the stream of each phase as it comes, and KEEPALIVEs while
/// idle. A long write needs none: the UPDATEs themselves restart the
/// router's hold timer.
async fn write(
    mut wr: OwnedWriteHalf,
    feeds: &[Feed],
    i: usize,
    mut phase: watch::Receiver<Phase>,
    done: mpsc::UnboundedSender<Instant>,
) -> Result<()> {
    let feed = feeds.get(i).ok_or_else(|| anyhow!("no feed"))?;
    let ka = keepalive();
    let mut tick = tokio::time::interval(KEEPALIVE_EVERY);
    loop {
        tokio::select! {
            _ = tick.tick() => wr.write_all(&ka).await.context("sending KEEPALIVE")?,
            changed = phase.changed() => {
                changed.context("run ended")?;
                let bytes = match *phase.borrow_and_update() {
                    Phase::Idle => continue,
                    Phase::Announce => &feed.announce,
                    Phase::Withdraw => &feed.withdraw,
                };
                wr.write_all(bytes).await.context("sending UPDATEs")?;
                let _ = done.send(Instant::now());
            }
        }
    }
}

/// Reads and drops what the router sends, failing on a NOTIFICATION or
/// a closed session.
async fn drain(mut rd: OwnedReadHalf, mut framer: Framer) -> Result<()> {
    loop {
        while let Some(msg) = framer.next_message()? {
            if kind(msg) == kinds::NOTIFICATION {
                return Err(notification_error(msg));
            }
        }
        if !framer.fill(&mut rd).await? {
            bail!("the router closed the session");
        }
    }
}
