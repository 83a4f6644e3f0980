//! IPv6 router advertisements as BGP unnumbered uses them: a router that
//! peers "by interface" (FRR's `neighbor eth0 interface`) learns the
//! link-local address of the router on the other end from that router's
//! advertisements, and sends its own so the other end learns it. Nothing
//! here configures hosts: the advertisements carry a router lifetime of
//! zero (not a default router) and no prefixes.
//!
//! One raw ICMPv6 socket serves every interface: sends name the interface
//! by the scope of the link-local multicast destination, and receives
//! report the interface in the source's scope.

use nix::sys::socket::{
    recvfrom, sendto, setsockopt, socket, sockopt, AddressFamily, MsgFlags, SockFlag, SockProtocol,
    SockType, SockaddrIn6,
};
use std::io;
use std::net::{Ipv6Addr, SocketAddrV6};
use std::os::fd::{AsRawFd, OwnedFd};

/// ICMPv6 Router Solicitation (RFC 4861 §4.1).
const ROUTER_SOLICITATION: u8 = 133;
/// ICMPv6 Router Advertisement (RFC 4861 §4.2).
const ROUTER_ADVERTISEMENT: u8 = 134;
/// All-nodes and all-routers, link scope.
const ALL_NODES: Ipv6Addr = Ipv6Addr::new(0xff02, 0, 0, 0, 0, 0, 0, 1);
const ALL_ROUTERS: Ipv6Addr = Ipv6Addr::new(0xff02, 0, 0, 0, 0, 0, 0, 2);

/// A router heard on an interface.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RouterHeard {
    /// Its link-local address.
    pub addr: Ipv6Addr,
    /// The interface it was heard on.
    pub ifindex: u32,
    /// It asked for advertisements (a solicitation) rather than sent one.
    pub solicited: bool,
}

/// The raw ICMPv6 socket for advertisements and solicitations.
#[derive(Debug)]
pub struct RouterAdverts {
    fd: OwnedFd,
}

impl RouterAdverts {
    /// Opens the socket (needs `CAP_NET_RAW`). Packets leave with hop
    /// limit 255, which receivers check (RFC 4861 §6.1.2).
    pub fn open() -> io::Result<Self> {
        let fd = socket(
            AddressFamily::Inet6,
            SockType::Raw,
            SockFlag::SOCK_CLOEXEC,
            SockProtocol::IcmpV6,
        )?;
        setsockopt(&fd, sockopt::Ipv6MulticastHops, &255)?;
        setsockopt(&fd, sockopt::Ipv6Ttl, &255)?;
        // Not our own advertisements back.
        socket2::SockRef::from(&fd).set_multicast_loop_v6(false)?;
        Ok(RouterAdverts { fd })
    }

    /// Another handle on the same socket (one thread receives, another
    /// sends).
    pub fn try_clone(&self) -> io::Result<Self> {
        Ok(RouterAdverts {
            fd: self.fd.try_clone()?,
        })
    }

    /// Sends a router advertisement to all nodes on `ifindex`. The
    /// kernel fills in the checksum of ICMPv6 raw sockets (RFC 3542 §3.1).
    pub fn advertise(&self, ifindex: u32) -> io::Result<()> {
        // Type, code, checksum, hop limit 64, no flags, router lifetime
        // 0, reachable time and retransmit timer unspecified.
        let mut ra = [0u8; 16];
        ra[0] = ROUTER_ADVERTISEMENT;
        ra[4] = 64;
        self.send(&ra, ALL_NODES, ifindex)
    }

    /// Asks the routers on `ifindex` to advertise now.
    pub fn solicit(&self, ifindex: u32) -> io::Result<()> {
        let mut rs = [0u8; 8];
        rs[0] = ROUTER_SOLICITATION;
        self.send(&rs, ALL_ROUTERS, ifindex)
    }

    fn send(&self, msg: &[u8], to: Ipv6Addr, ifindex: u32) -> io::Result<()> {
        let dst = SockaddrIn6::from(SocketAddrV6::new(to, 0, 0, ifindex));
        sendto(self.fd.as_raw_fd(), msg, &dst, MsgFlags::empty())?;
        Ok(())
    }

    /// Blocks until an ICMPv6 message arrives; `Some` for an advertisement
    /// or solicitation from a link-local address, `None` for anything else.
    pub fn recv(&self) -> io::Result<Option<RouterHeard>> {
        let mut buf = [0u8; 1500];
        let (n, from) = recvfrom::<SockaddrIn6>(self.fd.as_raw_fd(), &mut buf)?;
        let Some(from) = from else { return Ok(None) };
        let kind = buf.get(..n).and_then(|b| b.first()).copied();
        let solicited = match kind {
            Some(ROUTER_ADVERTISEMENT) => false,
            Some(ROUTER_SOLICITATION) => true,
            _ => return Ok(None),
        };
        let addr = from.ip();
        if !addr
            .segments()
            .first()
            .is_some_and(|s| s & 0xffc0 == 0xfe80)
        {
            return Ok(None);
        }
        Ok(Some(RouterHeard {
            addr,
            ifindex: from.scope_id(),
            solicited,
        }))
    }
}

/// The index of interface `name`, if it exists.
pub fn if_index(name: &str) -> Option<u32> {
    nix::net::if_::if_nametoindex(name).ok()
}
