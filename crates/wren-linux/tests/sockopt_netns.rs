//! BGP socket options between two network namespaces joined by a veth:
//! TCP MD5 with matching and wrong keys over IPv4 and IPv6 (a range key
//! on the listener, as for dynamic neighbours), and TTL / minimum TTL
//! read back from the kernel.
#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::panic,
    missing_docs
)]

mod common;

use std::io::{Read, Write};
use std::net::{IpAddr, SocketAddr, TcpListener};
use std::os::fd::AsFd;
use std::time::Duration;

use common::{root, Netns};
use socket2::{Domain, Socket, Type};
use wren_linux::sockopt::{min_ttl, set_md5_key, set_min_ttl, set_ttl, ttl};

/// Two namespaces: `l` (198.18.0.1, 2001:db8::1) and `c` (.2, ::2).
fn pair(tag: &str) -> (Netns, Netns) {
    let l = Netns::new(&format!("{tag}l"));
    let c = Netns::new(&format!("{tag}c"));
    l.ip(&format!(
        "link add v0 type veth peer name v1 netns {}",
        c.name
    ));
    l.ip("addr add 198.18.0.1/24 dev v0");
    l.ip("addr add 2001:db8::1/64 dev v0 nodad");
    l.ip("link set v0 up");
    c.ip("addr add 198.18.0.2/24 dev v1");
    c.ip("addr add 2001:db8::2/64 dev v1 nodad");
    c.ip("link set v1 up");
    (l, c)
}

fn ip(s: &str) -> IpAddr {
    s.parse().unwrap()
}

/// Connects from inside `ns` to `to`, signing for `to` with `key`; a
/// segment without the right signature is dropped, so a bad key shows as
/// a timeout.
fn dial(ns: &Netns, to: SocketAddr, key: Option<&'static [u8]>) -> std::io::Result<()> {
    ns.thread(move || {
        let domain = if to.is_ipv6() {
            Domain::IPV6
        } else {
            Domain::IPV4
        };
        let s = Socket::new(domain, Type::STREAM, None)?;
        if let Some(k) = key {
            set_md5_key(s.as_fd(), to.is_ipv6(), to.ip(), None, k)?;
        }
        s.connect_timeout(&to.into(), Duration::from_millis(800))?;
        let mut s: std::net::TcpStream = s.into();
        s.write_all(b"OPEN")?;
        Ok(())
    })
}

#[test]
fn md5_between_namespaces() {
    if !root() {
        return;
    }
    let (l, c) = pair("md5");
    for (listen, peer, range) in [
        ("198.18.0.1:179", "198.18.0.2", None),
        ("[2001:db8::1]:179", "2001:db8::2", None),
        ("[2001:db8::1]:1179", "2001:db8::", Some(64)),
    ] {
        let listen: SocketAddr = listen.parse().unwrap();
        let peer = ip(peer);
        let listener = l.thread(move || {
            let s = TcpListener::bind(listen).unwrap();
            set_md5_key(s.as_fd(), listen.is_ipv6(), peer, range, b"calico-secret").unwrap();
            s
        });
        dial(&c, listen, Some(b"calico-secret")).unwrap();
        let (mut s, from) = listener.accept().unwrap();
        assert_eq!(
            from.ip(),
            if range.is_some() {
                ip("2001:db8::2")
            } else {
                peer
            }
        );
        let mut buf = [0u8; 4];
        s.read_exact(&mut buf).unwrap();
        assert_eq!(&buf, b"OPEN");
        let e = dial(&c, listen, Some(b"wrong")).unwrap_err();
        assert_eq!(e.kind(), std::io::ErrorKind::TimedOut, "{listen}: {e}");
        let e = dial(&c, listen, None).unwrap_err();
        assert_eq!(e.kind(), std::io::ErrorKind::TimedOut, "{listen}: {e}");
    }
}

#[test]
fn ttl_and_min_ttl_read_back() {
    if !root() {
        return;
    }
    let (l, _c) = pair("ttl");
    l.thread(|| {
        let s4 = Socket::new(Domain::IPV4, Type::STREAM, None).unwrap();
        set_ttl(s4.as_fd(), false, 1).unwrap();
        assert_eq!(ttl(s4.as_fd(), false).unwrap(), 1);
        assert_eq!(min_ttl(s4.as_fd(), false).unwrap(), 0);
        set_ttl(s4.as_fd(), false, 255).unwrap();
        set_min_ttl(s4.as_fd(), false, 254).unwrap();
        assert_eq!(ttl(s4.as_fd(), false).unwrap(), 255);
        assert_eq!(min_ttl(s4.as_fd(), false).unwrap(), 254);
        // std agrees on the TTL.
        let t: std::net::TcpStream = s4.into();
        assert_eq!(t.ttl().unwrap(), 255);

        let s6 = Socket::new(Domain::IPV6, Type::STREAM, None).unwrap();
        set_ttl(s6.as_fd(), true, 255).unwrap();
        set_min_ttl(s6.as_fd(), true, 253).unwrap();
        assert_eq!(ttl(s6.as_fd(), true).unwrap(), 255);
        assert_eq!(min_ttl(s6.as_fd(), true).unwrap(), 253);
        // The IPv4 options are set too, for IPv4-mapped peers.
        assert_eq!(ttl(s6.as_fd(), false).unwrap(), 255);
        assert_eq!(min_ttl(s6.as_fd(), false).unwrap(), 253);
        assert_eq!(s6.unicast_hops_v6().unwrap(), 255);
    });
}

#[test]
fn gtsm_across_a_veth() {
    if !root() {
        return;
    }
    // One hop: the client's TTL-255 SYN arrives with 255 (veth does not
    // decrement), so min TTL 255 accepts it and a TTL-254 sender fails.
    let (l, c) = pair("gtsm");
    let to: SocketAddr = "198.18.0.1:179".parse().unwrap();
    let listener = l.thread(move || {
        let s = TcpListener::bind(to).unwrap();
        set_min_ttl(s.as_fd(), false, 255).unwrap();
        s
    });
    let connect = |t: u8| {
        c.thread(move || {
            let s = Socket::new(Domain::IPV4, Type::STREAM, None).unwrap();
            set_ttl(s.as_fd(), false, t).unwrap();
            s.connect_timeout(&to.into(), Duration::from_millis(800))
        })
    };
    assert!(connect(255).is_ok());
    assert!(listener.accept().is_ok());
    assert!(connect(254).is_err());
}

#[test]
fn tcp_ao_key_is_taken_or_the_kernel_says_it_lacks_ao() {
    // This machine's kernel has CONFIG_TCP_AO off: then the only thing to
    // check is that the lack is reported as ENOPROTOOPT, which the daemon
    // turns into a clear configuration error.
    use wren_linux::sockopt::{add_ao_key, AoKey};
    let s = Socket::new(Domain::IPV4, Type::STREAM, None).unwrap();
    let key = AoKey {
        algorithm: "hmac(sha1)",
        send_id: 1,
        recv_id: 1,
        key: b"calico-secret",
    };
    match add_ao_key(s.as_fd(), ip("198.18.0.2"), None, &key) {
        Ok(()) => {}
        Err(e) if e.raw_os_error() == Some(libc::ENOPROTOOPT) => {
            eprintln!("TCP-AO is not in this kernel: {e}");
        }
        Err(e) => panic!("TCP-AO: {e}"),
    }
    let too_long = AoKey {
        key: &[0; 81],
        ..key
    };
    assert!(add_ao_key(s.as_fd(), ip("198.18.0.2"), None, &too_long).is_err());
}
