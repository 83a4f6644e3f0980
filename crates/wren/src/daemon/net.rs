//! TCP at the edge: one reader and one writer task per connection. The
//! reader frames whole BGP messages and hands them to the main loop in
//! chunks; the writer drains a queue of encoded messages.

use std::future::Future;
use std::net::SocketAddr;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

/// Names a connection: the peer it belongs to, which of the peer's two
/// it is, and a serial number unique for the life of the daemon. An
/// event finds its connection from the first two without a search
/// through every peer (on a node of a 50-node mesh that search was a
/// cache miss per peer on every message); the serial tells a closed
/// connection's late events from those of the one now in its place.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ConnId {
    /// Peer index.
    pub peer: usize,
    /// Outgoing or incoming.
    pub dir: wren_core::session::Dir,
    /// Unique for the daemon's life.
    pub serial: u64,
}

/// What the network tasks tell the main loop.
#[derive(Debug)]
pub enum NetEvent {
    /// A connection arrived on the listener.
    Accepted(TcpStream, SocketAddr),
    /// An outgoing connection attempt for peer `peer` ended.
    Connected {
        /// Peer index.
        peer: usize,
        /// Attempt number; stale attempts are ignored.
        attempt: u64,
        /// The stream, or why not.
        result: std::io::Result<TcpStream>,
    },
    /// Whole messages received.
    Data(ConnId, Vec<u8>),
    /// Our writes have made no progress for [`STALL`] (`true`), or move
    /// again (`false`): the send hold timer (RFC 9687) runs meanwhile.
    WriteBlocked(ConnId, bool),
    /// The connection ended.
    Closed(ConnId, Option<String>),
    /// The kernel: a route, an interface or an address changed (or was
    /// read at start).
    Kernel(wren_linux::KernelEvent),
    /// A router advertised itself (or solicited) on an interface.
    Router(wren_linux::nd::RouterHeard),
}

/// The main loop's handle on a connection.
#[derive(Debug)]
pub struct ConnHandle {
    /// Its id.
    pub id: ConnId,
    /// Our address.
    pub local: SocketAddr,
    /// The peer's address.
    pub remote: SocketAddr,
    tx: mpsc::UnboundedSender<Vec<u8>>,
    reader: JoinHandle<()>,
}

impl ConnHandle {
    /// Queues octets for sending.
    pub fn send(&self, bytes: Vec<u8>) {
        let _ = self.tx.send(bytes);
    }
}

impl Drop for ConnHandle {
    /// Closing: the writer flushes what is queued and shuts the socket;
    /// the reader stops at once.
    fn drop(&mut self) {
        self.reader.abort();
    }
}

/// Largest message a peer may send (extended messages, RFC 8654).
const MAX_MESSAGE: usize = 65535;

/// Room made for one read: a full-table burst is read in pieces this big.
const READ_CHUNK: usize = 1 << 16;

/// A write that moves nothing for this long counts as blocked.
pub const STALL: std::time::Duration = std::time::Duration::from_secs(1);

/// Starts the tasks of a connection.
pub fn spawn_conn(stream: TcpStream, id: ConnId, events: mpsc::Sender<NetEvent>) -> ConnHandle {
    let _ = stream.set_nodelay(true);
    let local = stream
        .local_addr()
        .unwrap_or_else(|_| SocketAddr::from(([0, 0, 0, 0], 0)));
    let remote = stream
        .peer_addr()
        .unwrap_or_else(|_| SocketAddr::from(([0, 0, 0, 0], 0)));
    let (mut rd, mut wr) = stream.into_split();
    let (tx, mut rx) = mpsc::unbounded_channel::<Vec<u8>>();
    let writer_events = events.clone();
    tokio::spawn(async move {
        while let Some(b) = rx.recv().await {
            if write_watched(&mut wr, &b, &mut rx, id, &writer_events)
                .await
                .is_err()
            {
                return;
            }
        }
        let _ = wr.shutdown().await;
    });
    let reader = tokio::spawn(async move {
        // Room is made only once the socket is readable, and the whole
        // messages leave with their buffer: an idle session holds no more
        // than a partial message. (Two 64 KiB buffers per session were
        // 128 MB of a thousand-session route server's memory.)
        let mut buf: Vec<u8> = Vec::new();
        loop {
            let read = match rd.readable().await {
                Ok(()) => {
                    buf.reserve(READ_CHUNK);
                    read_ready(&mut rd, &mut buf).await
                }
                Err(e) => Err(e),
            };
            match read {
                Ok(0) => {
                    let _ = events.send(NetEvent::Closed(id, None)).await;
                    return;
                }
                Ok(_) => {}
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => continue,
                Err(e) => {
                    let _ = events.send(NetEvent::Closed(id, Some(e.to_string()))).await;
                    return;
                }
            }
            let whole = whole_messages(&buf);
            if whole > 0 {
                let rest = buf.split_off(whole);
                let ready = std::mem::replace(&mut buf, rest);
                if events.send(NetEvent::Data(id, ready)).await.is_err() {
                    return;
                }
            }
        }
    });
    ConnHandle {
        id,
        local,
        remote,
        tx,
        reader,
    }
}

/// Reads what the socket holds into `buf`'s spare room, without waiting:
/// `WouldBlock` if it holds nothing after all. Unlike `try_read_buf`, a
/// read that leaves room (the socket is drained) tells tokio so, and the
/// next `readable` waits for new data instead of a read that finds none:
/// one system call less per message on a quiet session.
async fn read_ready(
    rd: &mut tokio::net::tcp::OwnedReadHalf,
    buf: &mut Vec<u8>,
) -> std::io::Result<usize> {
    let mut read = std::pin::pin!(rd.read_buf(buf));
    std::future::poll_fn(|cx| match read.as_mut().poll(cx) {
        std::task::Poll::Ready(r) => std::task::Poll::Ready(r),
        // Nothing after all: tokio has forgotten the readiness, and the
        // caller's `readable` waits for the next.
        std::task::Poll::Pending => {
            std::task::Poll::Ready(Err(std::io::ErrorKind::WouldBlock.into()))
        }
    })
    .await
}

/// Writes `b`, telling the main loop when the peer stops taking octets
/// and when it takes them again. Gives up on a blocked socket once the
/// session has dropped the connection (`rx` closed): a peer that reads
/// nothing would otherwise hold the task and the socket for ever.
async fn write_watched(
    wr: &mut tokio::net::tcp::OwnedWriteHalf,
    b: &[u8],
    rx: &mut mpsc::UnboundedReceiver<Vec<u8>>,
    id: ConnId,
    events: &mpsc::Sender<NetEvent>,
) -> std::io::Result<()> {
    let mut at = 0;
    let mut blocked = false;
    while let Some(rest) = b.get(at..).filter(|r| !r.is_empty()) {
        // Usually the socket takes it all at once: no timer is armed for
        // that (an origin of a 50-node mesh writes to 49 sockets per
        // change).
        if !blocked {
            match wr.try_write(rest) {
                Ok(0) => return Err(std::io::ErrorKind::WriteZero.into()),
                Ok(n) => {
                    at += n;
                    continue;
                }
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
                Err(e) => return Err(e),
            }
        }
        // `write` is cancel-safe: a timed-out attempt wrote nothing.
        match tokio::time::timeout(STALL, wr.write(rest)).await {
            Ok(Ok(0)) => return Err(std::io::ErrorKind::WriteZero.into()),
            Ok(Ok(n)) => {
                at += n;
                if blocked {
                    blocked = false;
                    let _ = events.send(NetEvent::WriteBlocked(id, false)).await;
                }
            }
            Ok(Err(e)) => return Err(e),
            Err(_) if rx.is_closed() => return Err(std::io::ErrorKind::TimedOut.into()),
            Err(_) if !blocked => {
                blocked = true;
                let _ = events.send(NetEvent::WriteBlocked(id, true)).await;
            }
            Err(_) => {}
        }
    }
    Ok(())
}

/// Octets of `buf` that form whole messages. A framing error hands over
/// everything, so the session's decoder reports it with the right
/// NOTIFICATION.
fn whole_messages(buf: &[u8]) -> usize {
    let mut at = 0;
    loop {
        match wren_wire::header::frame(buf.get(at..).unwrap_or_default(), MAX_MESSAGE) {
            Ok(Some(n)) => at += n,
            Ok(None) => return at,
            Err(_) => return buf.len(),
        }
    }
}
