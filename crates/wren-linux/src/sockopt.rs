//! Socket options a BGP session needs that the standard library and
//! socket2 do not offer: TCP MD5 signatures (RFC 2385) and the minimum
//! TTL of GTSM (RFC 5082); with them, the outgoing TTL for both families
//! in one call. nix, rustix and socket2 were checked: none exposes
//! `TCP_MD5SIG` or `IP_MINTTL`. They are `setsockopt` calls with kernel
//! structures, so this is the one module of Wren with `unsafe`; each call
//! passes a pointer to a value that lives across the call and its exact
//! size.
#![allow(unsafe_code)]

use std::io;
use std::net::{IpAddr, Ipv6Addr};
use std::os::fd::{AsRawFd, BorrowedFd};

/// Longest key the kernel takes (`TCP_MD5SIG_MAXKEYLEN`).
pub const MD5_MAX_KEY: usize = 80;

/// `struct tcp_md5sig` of linux/tcp.h.
#[repr(C)]
struct TcpMd5Sig {
    addr: libc::sockaddr_storage,
    flags: u8,
    prefix_len: u8,
    key_len: u16,
    ifindex: libc::c_int,
    key: [u8; MD5_MAX_KEY],
}

/// `TCP_MD5SIG_FLAG_PREFIX`: the key covers `prefix_len` bits of `addr`.
const FLAG_PREFIX: u8 = 1;

/// The address as the socket's family sees it: an IPv4 peer of an IPv6
/// (dual-stack) socket is its v4-mapped address.
fn storage(addr: IpAddr, socket_v6: bool) -> libc::sockaddr_storage {
    // SAFETY: sockaddr_storage is plain old data; all-zero is a valid value.
    let mut ss: libc::sockaddr_storage = unsafe { std::mem::zeroed() };
    match (addr, socket_v6) {
        (IpAddr::V4(a), false) => {
            let sin = libc::sockaddr_in {
                sin_family: libc::AF_INET as libc::sa_family_t,
                sin_port: 0,
                sin_addr: libc::in_addr {
                    s_addr: u32::from_ne_bytes(a.octets()),
                },
                sin_zero: [0; 8],
            };
            // SAFETY: sockaddr_storage is larger than and aligned for
            // sockaddr_in; we write one whole value at its start.
            unsafe { std::ptr::write((&mut ss as *mut libc::sockaddr_storage).cast(), sin) };
        }
        (a, _) => {
            let v6: Ipv6Addr = match a {
                IpAddr::V4(a) => a.to_ipv6_mapped(),
                IpAddr::V6(a) => a,
            };
            let sin6 = libc::sockaddr_in6 {
                sin6_family: libc::AF_INET6 as libc::sa_family_t,
                sin6_port: 0,
                sin6_flowinfo: 0,
                sin6_addr: libc::in6_addr {
                    s6_addr: v6.octets(),
                },
                sin6_scope_id: 0,
            };
            // SAFETY: as above, for sockaddr_in6.
            unsafe { std::ptr::write((&mut ss as *mut libc::sockaddr_storage).cast(), sin6) };
        }
    }
    ss
}

fn setsockopt<T>(
    fd: BorrowedFd<'_>,
    level: libc::c_int,
    name: libc::c_int,
    value: &T,
) -> io::Result<()> {
    let len = libc::socklen_t::try_from(std::mem::size_of::<T>())
        .map_err(|_| io::Error::from(io::ErrorKind::InvalidInput))?;
    // SAFETY: `value` points to a live T of exactly `len` octets for the
    // duration of the call; the kernel copies it and keeps no pointer.
    let rc =
        unsafe { libc::setsockopt(fd.as_raw_fd(), level, name, (value as *const T).cast(), len) };
    if rc == 0 {
        Ok(())
    } else {
        Err(io::Error::last_os_error())
    }
}

/// Signs (and requires signatures on) TCP segments to and from `peer`
/// with `key` (RFC 2385). On a listening socket it applies to every
/// connection accepted from `peer`; with `prefix_len` the key covers a
/// whole range (dynamic neighbours). An empty key removes it.
/// `socket_v6` says whether the socket is IPv6 (dual-stack).
pub fn set_md5_key(
    fd: BorrowedFd<'_>,
    socket_v6: bool,
    peer: IpAddr,
    prefix_len: Option<u8>,
    key: &[u8],
) -> io::Result<()> {
    if key.len() > MD5_MAX_KEY {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("TCP MD5 keys are at most {MD5_MAX_KEY} octets"),
        ));
    }
    let mut sig = TcpMd5Sig {
        addr: storage(peer, socket_v6),
        flags: 0,
        prefix_len: 0,
        key_len: u16::try_from(key.len()).unwrap_or(0),
        ifindex: 0,
        key: [0; MD5_MAX_KEY],
    };
    if let Some(k) = sig.key.get_mut(..key.len()) {
        k.copy_from_slice(key);
    }
    let name = match prefix_len {
        Some(len) => {
            // A v4 range on a v6 socket is a range of mapped addresses.
            let mapped = socket_v6 && peer.is_ipv4();
            sig.flags = FLAG_PREFIX;
            sig.prefix_len = if mapped { len.saturating_add(96) } else { len };
            libc::TCP_MD5SIG_EXT
        }
        None => libc::TCP_MD5SIG,
    };
    setsockopt(fd, libc::IPPROTO_TCP, name, &sig)
}

fn getsockopt_int(fd: BorrowedFd<'_>, level: libc::c_int, name: libc::c_int) -> io::Result<i32> {
    let mut v: libc::c_int = 0;
    let mut len = libc::socklen_t::try_from(std::mem::size_of::<libc::c_int>())
        .map_err(|_| io::Error::from(io::ErrorKind::InvalidInput))?;
    // SAFETY: `v` and `len` live across the call; `len` is v's size, and
    // the kernel writes at most `len` octets to `v` and updates `len`.
    let rc = unsafe {
        libc::getsockopt(
            fd.as_raw_fd(),
            level,
            name,
            (&mut v as *mut libc::c_int).cast(),
            &mut len,
        )
    };
    if rc == 0 {
        Ok(v)
    } else {
        Err(io::Error::last_os_error())
    }
}

/// Sends with TTL (IPv4) or hop limit (IPv6) `ttl`: 1 for a directly
/// connected eBGP peer, the multihop count, 255 under GTSM. A dual-stack
/// IPv6 socket gets both, since its IPv4-mapped peers use the IPv4 one.
pub fn set_ttl(fd: BorrowedFd<'_>, socket_v6: bool, ttl: u8) -> io::Result<()> {
    let v = libc::c_int::from(ttl);
    if socket_v6 {
        setsockopt(fd, libc::IPPROTO_IPV6, libc::IPV6_UNICAST_HOPS, &v)?;
        let _ = setsockopt(fd, libc::IPPROTO_IP, libc::IP_TTL, &v);
        Ok(())
    } else {
        setsockopt(fd, libc::IPPROTO_IP, libc::IP_TTL, &v)
    }
}

/// The TTL (hop limit) the socket sends with.
pub fn ttl(fd: BorrowedFd<'_>, socket_v6: bool) -> io::Result<u8> {
    let v = if socket_v6 {
        getsockopt_int(fd, libc::IPPROTO_IPV6, libc::IPV6_UNICAST_HOPS)?
    } else {
        getsockopt_int(fd, libc::IPPROTO_IP, libc::IP_TTL)?
    };
    u8::try_from(v).map_err(|_| io::Error::other(format!("TTL {v} out of range")))
}

/// The minimum TTL (hop limit) the socket accepts; 0 when GTSM is off.
pub fn min_ttl(fd: BorrowedFd<'_>, socket_v6: bool) -> io::Result<u8> {
    let v = if socket_v6 {
        getsockopt_int(fd, libc::IPPROTO_IPV6, libc::IPV6_MINHOPCOUNT)?
    } else {
        getsockopt_int(fd, libc::IPPROTO_IP, libc::IP_MINTTL)?
    };
    u8::try_from(v).map_err(|_| io::Error::other(format!("minimum TTL {v} out of range")))
}

/// Refuses packets that arrive with a TTL (hop limit) below `ttl`: GTSM
/// sets 255 - hops + 1 on top of sending with TTL 255 (RFC 5082).
pub fn set_min_ttl(fd: BorrowedFd<'_>, socket_v6: bool, ttl: u8) -> io::Result<()> {
    let v = libc::c_int::from(ttl);
    if socket_v6 {
        // IPv4-mapped peers of a dual-stack socket are checked with the
        // IPv4 option; set both.
        setsockopt(fd, libc::IPPROTO_IPV6, libc::IPV6_MINHOPCOUNT, &v)?;
        let _ = setsockopt(fd, libc::IPPROTO_IP, libc::IP_MINTTL, &v);
        Ok(())
    } else {
        setsockopt(fd, libc::IPPROTO_IP, libc::IP_MINTTL, &v)
    }
}

/// `TCP_AO_ADD_KEY` of linux/tcp.h (Linux 6.7+; absent from libc).
const TCP_AO_ADD_KEY: libc::c_int = 38;
/// `TCP_AO_MAXKEYLEN`.
pub const AO_MAX_KEY: usize = 80;

/// `struct tcp_ao_add` of linux/tcp.h. The two one-bit fields
/// `set_current` and `set_rnext` are the low bits of `flags`.
#[repr(C, align(8))]
struct TcpAoAdd {
    addr: libc::sockaddr_storage,
    alg_name: [u8; 64],
    ifindex: i32,
    flags: u32,
    reserved2: u16,
    prefix: u8,
    sndid: u8,
    rcvid: u8,
    maxmac: u8,
    keyflags: u8,
    keylen: u8,
    key: [u8; AO_MAX_KEY],
}

// The kernel checks the option's length against its own struct.
const _: () = assert!(std::mem::size_of::<TcpAoAdd>() == 288);

/// One TCP-AO master key tuple (RFC 5925 section 3.1).
#[derive(Debug, Clone, Copy)]
pub struct AoKey<'a> {
    /// Kernel crypto name of the MAC: `"hmac(sha1)"` (RFC 5926) or
    /// `"cmac(aes128)"`.
    pub algorithm: &'a str,
    /// KeyID we put in outgoing segments.
    pub send_id: u8,
    /// KeyID we accept on incoming segments.
    pub recv_id: u8,
    /// The secret.
    pub key: &'a [u8],
}

/// Adds a TCP-AO key (RFC 5925) for `peer` (or a range with
/// `prefix_len`) to a listening or not yet connected socket. The first
/// key becomes the current one. A socket takes MD5 or AO, not both.
///
/// Kernels built without `CONFIG_TCP_AO` (before 6.7, or configured
/// out) answer `ENOPROTOOPT`: report that as "TCP-AO not supported by
/// this kernel". Note: AO keys for IPv4 peers are always given as IPv4
/// addresses, also on a dual-stack socket (the kernel refuses mapped
/// ones).
pub fn add_ao_key(
    fd: BorrowedFd<'_>,
    peer: IpAddr,
    prefix_len: Option<u8>,
    key: &AoKey<'_>,
) -> io::Result<()> {
    let invalid = |what: &str| io::Error::new(io::ErrorKind::InvalidInput, what.to_string());
    if key.key.len() > AO_MAX_KEY {
        return Err(invalid("TCP-AO keys are at most 80 octets"));
    }
    let mut opt = TcpAoAdd {
        addr: storage(peer, peer.is_ipv6()),
        alg_name: [0; 64],
        ifindex: 0,
        flags: 0,
        reserved2: 0,
        prefix: prefix_len.unwrap_or(if peer.is_ipv6() { 128 } else { 32 }),
        sndid: key.send_id,
        rcvid: key.recv_id,
        maxmac: 0, // the algorithm's default MAC length
        keyflags: 0,
        keylen: u8::try_from(key.key.len()).unwrap_or(0),
        key: [0; AO_MAX_KEY],
    };
    // The name must leave room for its terminating NUL.
    match opt.alg_name.get_mut(..key.algorithm.len()) {
        Some(dst) if key.algorithm.len() < 64 => dst.copy_from_slice(key.algorithm.as_bytes()),
        _ => return Err(invalid("TCP-AO algorithm name too long")),
    }
    if let Some(dst) = opt.key.get_mut(..key.key.len()) {
        dst.copy_from_slice(key.key);
    }
    setsockopt(fd, libc::IPPROTO_TCP, TCP_AO_ADD_KEY, &opt)
}
