//! Opening connections: the listener on port 179 and outgoing connects,
//! with each peer's source address, TTL, GTSM minimum TTL and TCP MD5 key
//! set before the first segment leaves.

use super::net::NetEvent;
use super::spec::{DaemonSpec, PeerSpec};
use socket2::{Domain, SockRef, Socket, Type};
use std::net::{IpAddr, Ipv6Addr, SocketAddr};
use std::os::fd::AsFd;
use std::time::Duration;
use tokio::net::{TcpListener, TcpSocket};
use tokio::sync::mpsc;
use tracing::warn;
use wren_linux::sockopt::{set_md5_key, set_min_ttl};

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

/// Sets `p`'s TTL and, under GTSM, the minimum TTL it must arrive with
/// (RFC 5082: 255 for a direct neighbour, 256 - hops for a multihop one).
pub fn set_session_ttl(sock: SockRef<'_>, v6: bool, p: &PeerSpec) -> std::io::Result<()> {
    let ttl = ttl_for(p);
    if v6 {
        sock.set_unicast_hops_v6(ttl)?;
    }
    // A dual-stack socket talking to an IPv4 peer uses the IPv4 TTL.
    if !v6 || p.address.is_ipv4() {
        sock.set_ttl_v4(ttl)?;
    }
    if p.ttl_security {
        let hops = p.multihop.unwrap_or(1).max(1);
        set_min_ttl(sock.as_fd(), v6, 255 - (hops - 1))?;
    }
    Ok(())
}

/// Binds the listener, with the MD5 keys of every peer (and dynamic
/// range) that has a password, and forwards accepted connections.
pub async fn spawn_listener(
    spec: &DaemonSpec,
    port: u16,
    events: mpsc::Sender<NetEvent>,
) -> anyhow::Result<std::sync::Arc<TcpListener>> {
    let ip = spec
        .listen_address
        .unwrap_or(IpAddr::V6(Ipv6Addr::UNSPECIFIED));
    let sock = if ip.is_ipv4() {
        TcpSocket::new_v4()?
    } else {
        TcpSocket::new_v6()?
    };
    let v6 = ip.is_ipv6();
    sock.set_reuseaddr(true)?;
    for p in &spec.peers {
        if let Some(key) = &p.password {
            set_md5_key(sock.as_fd(), v6, p.address, None, key.as_bytes())
                .map_err(|e| anyhow::anyhow!("TCP MD5 key for {}: {e}", p.address))?;
        }
    }
    for d in &spec.dynamic {
        if let Some(key) = &d.template.password {
            let (addr, len) = match d.prefix {
                wren_wire::Prefix::V4(p) => (IpAddr::V4(p.addr()), p.len()),
                wren_wire::Prefix::V6(p) => (IpAddr::V6(p.addr()), p.len()),
            };
            set_md5_key(sock.as_fd(), v6, addr, Some(len), key.as_bytes())
                .map_err(|e| anyhow::anyhow!("TCP MD5 key for {}: {e}", d.prefix))?;
        }
    }
    sock.bind(SocketAddr::new(ip, port))?;
    let listener = std::sync::Arc::new(sock.listen(128)?);
    let shared = listener.clone();
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
    Ok(shared)
}

/// A socket for connecting to `p`: source address, TTL, GTSM and MD5 set.
fn outgoing_socket(p: &PeerSpec, v6: bool) -> std::io::Result<TcpSocket> {
    let s = Socket::new(
        if v6 { Domain::IPV6 } else { Domain::IPV4 },
        Type::STREAM,
        None,
    )?;
    s.set_nonblocking(true)?;
    set_session_ttl(SockRef::from(&s), v6, p)?;
    if let Some(key) = p.password.as_ref().filter(|_| !p.address.is_unspecified()) {
        set_md5_key(s.as_fd(), v6, p.address, None, key.as_bytes())?;
    }
    if let Some(src) = p.source_address {
        s.bind(&SocketAddr::new(src, 0).into())?;
    }
    Ok(TcpSocket::from_std_stream(s.into()))
}

/// Starts one outgoing connection attempt for peer `index` to `remote`
/// (`None`: an unnumbered peer not heard yet, which fails at once).
pub fn spawn_connect(
    index: usize,
    attempt: u64,
    p: &PeerSpec,
    remote: Option<SocketAddr>,
    events: mpsc::Sender<NetEvent>,
) {
    let sock = remote.map(|r| outgoing_socket(p, r.is_ipv6()));
    tokio::spawn(async move {
        let result = async {
            let (Some(remote), Some(sock)) = (remote, sock) else {
                return Err(std::io::Error::new(
                    std::io::ErrorKind::NotFound,
                    "no router advertisement heard on the interface yet",
                ));
            };
            let stream = tokio::time::timeout(CONNECT_TIMEOUT, sock?.connect(remote))
                .await
                .map_err(|_| {
                    std::io::Error::new(std::io::ErrorKind::TimedOut, "connect timed out")
                })??;
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
