//! TCP MD5 and minimum TTL on real sockets over loopback: a matching key
//! connects, a wrong or missing key does not; a minimum TTL of 255 lets
//! TTL 255 in and keeps TTL 254 out.
#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::panic,
    missing_docs
)]

use socket2::{Domain, Socket, Type};
use std::io::{Read, Write};
use std::net::{IpAddr, Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::os::fd::AsFd;
use std::time::Duration;
use wren_linux::sockopt::{set_md5_key, set_min_ttl};

const LOCAL: IpAddr = IpAddr::V4(Ipv4Addr::LOCALHOST);

/// A listener on loopback whose connections from 127.0.0.1 must be signed
/// with `key`.
fn listener(key: &[u8]) -> TcpListener {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    set_md5_key(l.as_fd(), false, LOCAL, None, key).unwrap();
    l
}

/// Connects to `to` signing with `key` (none when `None`).
fn connect(to: SocketAddr, key: Option<&[u8]>) -> std::io::Result<TcpStream> {
    let s = Socket::new(Domain::IPV4, Type::STREAM, None)?;
    if let Some(k) = key {
        set_md5_key(s.as_fd(), false, LOCAL, None, k)?;
    }
    s.connect_timeout(&to.into(), Duration::from_secs(2))?;
    Ok(s.into())
}

#[test]
fn matching_keys_talk() {
    let l = listener(b"calico-secret");
    let to = l.local_addr().unwrap();
    let mut c = connect(to, Some(b"calico-secret")).unwrap();
    let (mut s, _) = l.accept().unwrap();
    c.write_all(b"OPEN").unwrap();
    let mut buf = [0u8; 4];
    s.read_exact(&mut buf).unwrap();
    assert_eq!(&buf, b"OPEN");
}

#[test]
fn wrong_or_missing_key_never_connects() {
    let l = listener(b"calico-secret");
    let to = l.local_addr().unwrap();
    assert!(connect(to, Some(b"guess")).is_err(), "wrong key connected");
    assert!(connect(to, None).is_err(), "unsigned SYN connected");
}

#[test]
fn a_range_key_covers_the_range() {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    set_md5_key(
        l.as_fd(),
        false,
        IpAddr::V4(Ipv4Addr::new(127, 0, 0, 0)),
        Some(8),
        b"range",
    )
    .unwrap();
    let to = l.local_addr().unwrap();
    let c = connect(to, Some(b"range"));
    assert!(c.is_ok(), "{c:?}");
}

#[test]
fn dual_stack_listener_takes_mapped_keys() {
    let s = Socket::new(Domain::IPV6, Type::STREAM, None).unwrap();
    s.set_only_v6(false).unwrap();
    s.bind(&SocketAddr::from((std::net::Ipv6Addr::UNSPECIFIED, 0)).into())
        .unwrap();
    s.listen(8).unwrap();
    set_md5_key(s.as_fd(), true, LOCAL, None, b"mapped").unwrap();
    let port = s.local_addr().unwrap().as_socket().unwrap().port();
    let to = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    assert!(connect(to, Some(b"mapped")).is_ok());
    assert!(connect(to, Some(b"other")).is_err());
}

#[test]
fn gtsm_min_ttl_refuses_packets_from_further_away() {
    // On loopback a packet arrives with the TTL it was sent with.
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    set_min_ttl(l.as_fd(), false, 255).unwrap();
    let to = l.local_addr().unwrap();
    let dial = |ttl: u32| {
        let s = Socket::new(Domain::IPV4, Type::STREAM, None).unwrap();
        s.set_ttl_v4(ttl).unwrap();
        s.connect_timeout(&to.into(), Duration::from_secs(2))
    };
    assert!(dial(255).is_ok(), "TTL 255 refused");
    assert!(dial(254).is_err(), "TTL 254 let through");
    let s6 = Socket::new(Domain::IPV6, Type::STREAM, None).unwrap();
    set_min_ttl(s6.as_fd(), true, 255).unwrap();
}

#[test]
fn too_long_a_key_is_refused() {
    let s = Socket::new(Domain::IPV4, Type::STREAM, None).unwrap();
    assert!(set_md5_key(s.as_fd(), false, LOCAL, None, &[b'x'; 81]).is_err());
}
