//! Opening connections: the listener on port 179 and outgoing connects
//! with the peer's source address and TTL.

use super::net::NetEvent;
use super::spec::PeerSpec;
use std::net::{IpAddr, Ipv6Addr, SocketAddr};
use std::time::Duration;
use tokio::net::{TcpListener, TcpSocket};
use tokio::sync::mpsc;
use tracing::warn;

/// How long an outgoing connect may take before it counts as failed.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(30);

/// TTL of our packets to `p`: 255 under GTSM, the multihop count, or 1 for
/// a directly connected eBGP peer (BIRD's defaults; iBGP gets 64).
pub fn ttl_for(p: &PeerSpec) -> u32 {
    if p.ttl_security {
        return 255;
    }
    match p.multihop {
        Some(n) => u32::from(n.max(1)),
        None if p.session.accepts_as(p.session.local_as) => 64,
        None => 1,
    }
}

/// Binds the listener and forwards accepted connections.
pub async fn spawn_listener(
    addr: Option<IpAddr>,
    port: u16,
    _peers: &[PeerSpec],
    events: mpsc::Sender<NetEvent>,
) -> anyhow::Result<()> {
    let ip = addr.unwrap_or(IpAddr::V6(Ipv6Addr::UNSPECIFIED));
    let sock = if ip.is_ipv4() {
        TcpSocket::new_v4()?
    } else {
        TcpSocket::new_v6()?
    };
    sock.set_reuseaddr(true)?;
    sock.bind(SocketAddr::new(ip, port))?;
    let listener: TcpListener = sock.listen(128)?;
    tokio::spawn(async move {
        loop {
            match listener.accept().await {
                Ok((s, from)) => {
                    if events.send(NetEvent::Accepted(s, from)).await.is_err() {
                        return;
                    }
                }
                Err(e) => {
                    warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            }
        }
    });
    Ok(())
}

/// Starts one outgoing connection attempt for peer `index`.
pub fn spawn_connect(index: usize, attempt: u64, p: &PeerSpec, events: mpsc::Sender<NetEvent>) {
    let remote = SocketAddr::new(p.address, p.port);
    let source = p.source_address;
    let ttl = ttl_for(p);
    tokio::spawn(async move {
        let result = async {
            let sock = if remote.is_ipv4() {
                TcpSocket::new_v4()?
            } else {
                TcpSocket::new_v6()?
            };
            if let Some(src) = source {
                sock.bind(SocketAddr::new(src, 0))?;
            }
            let stream = tokio::time::timeout(CONNECT_TIMEOUT, sock.connect(remote))
                .await
                .map_err(|_| {
                    std::io::Error::new(std::io::ErrorKind::TimedOut, "connect timed out")
                })??;
            stream.set_ttl(ttl)?;
            Ok(stream)
        }
        .await;
        let _ = events
            .send(NetEvent::Connected {
                peer: index,
                attempt,
                result,
            })
            .await;
    });
}
