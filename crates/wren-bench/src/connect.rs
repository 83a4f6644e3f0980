//! Bringing lab peers' sessions up: sockets from inside a namespace,
//! connected to the router, with the OPEN exchange, retried until the
//! router is ready or a deadline passes.

use crate::session::{establish, Framer};
use crate::topology::sockets_in;
use anyhow::{anyhow, bail, Result};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::net::{TcpSocket, TcpStream};
use tokio::sync::Semaphore;
use tokio::task::JoinSet;
use wren_wire::{Negotiated, Open};

/// Sessions opened at once: a thousand simultaneous SYNs would overflow a
/// router's listen backlog and wait out SYN retransmission timers.
const IN_FLIGHT: usize = 64;
/// Pause between rounds of retries.
const RETRY_AFTER: Duration = Duration::from_millis(250);
/// Time for one connection attempt and its OPEN exchange.
const ATTEMPT: Duration = Duration::from_secs(10);

/// One peer to bring up: its address and its OPEN.
#[derive(Clone, Debug)]
pub struct PeerSpec {
    /// Local address to bind (port 0).
    pub local: SocketAddr,
    /// Our OPEN.
    pub open: Open,
}

/// An Established session.
pub type Session = (TcpStream, Framer, Negotiated);

/// Opens sessions from namespace `ns` to `router` for every peer, in
/// order. Failed peers are retried every [`RETRY_AFTER`] until `deadline`;
/// `alive` is asked between rounds and ends the wait early with its error
/// (the router exited, say).
pub async fn open_all(
    ns: &'static str,
    peers: &[PeerSpec],
    router: SocketAddr,
    deadline: Instant,
    mut alive: impl FnMut() -> Result<()>,
) -> Result<Vec<Session>> {
    let mut done: Vec<Option<Session>> = (0..peers.len()).map(|_| None).collect();
    let limit = Arc::new(Semaphore::new(IN_FLIGHT));
    loop {
        let pending: Vec<usize> = (0..peers.len())
            .filter(|i| done.get(*i).is_some_and(Option::is_none))
            .collect();
        if pending.is_empty() {
            break;
        }
        let locals = pending
            .iter()
            .filter_map(|i| peers.get(*i).map(|p| p.local))
            .collect();
        let sockets = tokio::task::spawn_blocking(move || sockets_in(ns, locals)).await??;
        let mut tasks = JoinSet::new();
        let mut last_error = None;
        for (i, sock) in pending.into_iter().zip(sockets) {
            let Some(open) = peers.get(i).map(|p| p.open.clone()) else {
                continue;
            };
            let limit = limit.clone();
            tasks.spawn(async move {
                let _permit = limit.acquire_owned().await;
                (i, attempt(sock, router, &open).await)
            });
        }
        while let Some(joined) = tasks.join_next().await {
            match joined? {
                (i, Ok(s)) => {
                    if let Some(slot) = done.get_mut(i) {
                        *slot = Some(s);
                    }
                }
                (_, Err(e)) => last_error = Some(e),
            }
        }
        if let Some(e) = last_error {
            alive()?;
            if Instant::now() >= deadline {
                let up = done.iter().filter(|d| d.is_some()).count();
                bail!(
                    "{up} of {} sessions up by the deadline; last error: {e:#}",
                    peers.len()
                );
            }
            tokio::time::sleep(RETRY_AFTER).await;
        }
    }
    done.into_iter()
        .map(|d| d.ok_or_else(|| anyhow!("a session was lost")))
        .collect()
}

async fn attempt(sock: std::net::TcpStream, router: SocketAddr, open: &Open) -> Result<Session> {
    let work = async {
        let mut stream = TcpSocket::from_std_stream(sock).connect(router).await?;
        stream.set_nodelay(true)?;
        let (neg, framer) = establish(&mut stream, open, ATTEMPT).await?;
        Ok((stream, framer, neg))
    };
    tokio::time::timeout(ATTEMPT, work)
        .await
        .map_err(|_| anyhow!("no session with {router} within {ATTEMPT:?}"))?
}
