//! IPv4 route notifications from a namespace's kernel, read raw.
//!
//! The kernel scenarios stop their clocks on what the kernel says, not on
//! what a router reports: a thread of ours enters the namespace
//! (`setns(2)`), opens a `NETLINK_ROUTE` socket subscribed to
//! `RTMGRP_IPV4_ROUTE`, and reads `RTM_NEWROUTE` / `RTM_DELROUTE` until
//! told to stop. The thread stays in the namespace for its life; the
//! benchmark's other threads stay where they are.
//!
//! Messages are decoded by hand (header, `rtmsg`, three attributes)
//! rather than by netlink-packet-route: a million notifications must cost
//! the listener far less than they cost the router that caused them, on
//! the same two cores. The receive buffer is forced large
//! (`SO_RCVBUFFORCE`) so that a burst the listener falls behind on waits
//! in the queue; should the kernel drop notifications anyway (`ENOBUFS`)
//! the listener fails, and with it the run, rather than leave a count that
//! can never be reached.
//!
//! How the thread waits matters to the router, not only to us: the kernel
//! sends a notification from inside the router's own `sendmsg`, so if our
//! thread sleeps in `recv` the router pays for waking it, once per route.
//! On this VM that wake-up (an IPI to the idle vCPU) was 16 % of wrend's
//! CPU time in `kernel-fib` (perf: `sock_def_readable`). [`Wait::Poll`]
//! drains the socket without blocking and then sleeps on its own timer,
//! so the router never finds a sleeper to wake; [`Wait::Block`] keeps
//! the exact read time for the mesh's one-route events.

use anyhow::{anyhow, bail, Context, Result};
use nix::errno::Errno;
use nix::sched::{setns, CloneFlags};
use nix::sys::socket::{self, sockopt, AddressFamily, MsgFlags, SockFlag, SockProtocol, SockType};
use nix::sys::time::TimeVal;
use std::net::Ipv4Addr;
use std::os::fd::AsRawFd;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc};
use std::thread::JoinHandle;
use std::time::Instant;

/// `RTMGRP_IPV4_ROUTE`: the legacy group bit of IPv4 route changes.
const RTMGRP_IPV4_ROUTE: u32 = 0x40;
/// `RTM_NEWROUTE` and `RTM_DELROUTE` message types.
const RTM_NEWROUTE: u16 = 24;
const RTM_DELROUTE: u16 = 25;
/// `struct nlmsghdr` and `struct rtmsg` lengths.
const NLMSG_HDR: usize = 16;
const RTMSG: usize = 12;
/// Attribute types: destination, metric, table id.
const RTA_DST: u16 = 1;
const RTA_PRIORITY: u16 = 6;
const RTA_TABLE: u16 = 15;
/// `AF_INET` in `rtm_family`.
const FAMILY_INET: u8 = 2;
/// How long a read waits before the thread looks at its stop flag (and
/// calls the handler with no events, so it can publish what it holds).
const TICK_MS: i64 = 50;
/// Read buffer: a notification is one datagram of about 100 octets.
const READ_BUF: usize = 64 * 1024;

/// How the listener thread waits for the next notification.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Wait {
    /// Sleep in `recv`: each notification is read (and timed) the moment
    /// it is sent, and its sender pays to wake us. For a few routes.
    Block,
    /// Drain what is queued, then sleep this long: a read time is at most
    /// this late, and the sender never wakes us. For a full table.
    Poll(std::time::Duration),
}

/// One route added to or removed from the kernel.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RouteEvent {
    /// `RTM_NEWROUTE` (added or replaced) rather than `RTM_DELROUTE`.
    pub added: bool,
    /// Destination address.
    pub dst: Ipv4Addr,
    /// Destination prefix length.
    pub len: u8,
    /// Table id (254 is main).
    pub table: u32,
    /// `rtm_protocol`: who installed it (2 kernel, 12 bird, 186 bgp…).
    pub protocol: u8,
    /// Metric.
    pub priority: u32,
}

/// A listener thread, stopped and joined on drop.
#[derive(Debug)]
pub struct Listener {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<Result<()>>>,
}

impl Listener {
    /// Subscribes to `ns`'s IPv4 route changes and calls `on` with each
    /// datagram's events and the moment it was read, and with no events
    /// every [`TICK_MS`] of quiet. Returns once the subscription is in
    /// place: every change after that is seen. `rcvbuf` is the socket
    /// receive buffer in octets.
    pub fn start(
        ns: &str,
        rcvbuf: usize,
        wait: Wait,
        on: impl FnMut(&[RouteEvent], Instant) + Send + 'static,
    ) -> Result<Self> {
        let path = format!("/run/netns/{ns}");
        let stop = Arc::new(AtomicBool::new(false));
        let (ready_tx, ready) = mpsc::channel();
        let flag = stop.clone();
        let thread = std::thread::Builder::new()
            .name(format!("rtnl-{ns}"))
            .spawn(move || listen(&path, rcvbuf, wait, &flag, &ready_tx, on))?;
        match ready.recv() {
            Ok(Ok(())) => Ok(Listener {
                stop,
                thread: Some(thread),
            }),
            Ok(Err(e)) => Err(e.context(format!("watching the kernel of {ns}"))),
            Err(_) => match thread.join() {
                Ok(Err(e)) => Err(e),
                _ => bail!("the netlink thread for {ns} ended before it was ready"),
            },
        }
    }

    /// Why the listener stopped on its own (an overrun), if it did.
    pub fn failure(&self) -> Option<String> {
        self.thread
            .as_ref()
            .filter(|t| t.is_finished())
            .map(|_| "the kernel route listener stopped (notifications lost?)".to_string())
    }

    /// Stops the thread; its error, if it failed.
    pub fn stop(mut self) -> Result<()> {
        self.halt()
    }

    /// Tells the thread to stop without waiting for it: many listeners
    /// are told first and then joined, each within one [`TICK_MS`].
    pub fn signal(&self) {
        self.stop.store(true, Ordering::Relaxed);
    }

    fn halt(&mut self) -> Result<()> {
        self.signal();
        match self.thread.take().map(JoinHandle::join) {
            Some(Ok(r)) => r,
            Some(Err(_)) => Err(anyhow!("the netlink thread panicked")),
            None => Ok(()),
        }
    }
}

impl Drop for Listener {
    fn drop(&mut self) {
        let _ = self.halt();
    }
}

/// The thread: enter the namespace, open the socket, say so, read.
fn listen(
    path: &str,
    rcvbuf: usize,
    wait: Wait,
    stop: &AtomicBool,
    ready: &mpsc::Sender<Result<()>>,
    mut on: impl FnMut(&[RouteEvent], Instant),
) -> Result<()> {
    let opened = (|| -> Result<_> {
        let f = std::fs::File::open(path).with_context(|| format!("opening {path}"))?;
        setns(&f, CloneFlags::CLONE_NEWNET).with_context(|| format!("entering {path}"))?;
        let fd = socket::socket(
            AddressFamily::Netlink,
            SockType::Raw,
            SockFlag::SOCK_CLOEXEC,
            SockProtocol::NetlinkRoute,
        )?;
        // Forced past rmem_max: we are root.
        socket::setsockopt(&fd, sockopt::RcvBufForce, &rcvbuf)?;
        socket::setsockopt(
            &fd,
            sockopt::ReceiveTimeout,
            &TimeVal::new(0, TICK_MS * 1_000),
        )?;
        socket::bind(
            fd.as_raw_fd(),
            &socket::NetlinkAddr::new(0, RTMGRP_IPV4_ROUTE),
        )?;
        Ok(fd)
    })();
    let fd = match opened {
        Ok(fd) => {
            let _ = ready.send(Ok(()));
            fd
        }
        Err(e) => {
            let _ = ready.send(Err(e));
            return Ok(());
        }
    };
    let mut buf = vec![0u8; READ_BUF];
    let mut events = Vec::new();
    let flags = match wait {
        Wait::Block => MsgFlags::empty(),
        Wait::Poll(_) => MsgFlags::MSG_DONTWAIT,
    };
    // Poll mode: when the quiet call was last made, so that an idle
    // socket is reported every TICK_MS, not on every poll.
    let mut quiet_since: Option<Instant> = None;
    while !stop.load(Ordering::Relaxed) {
        match socket::recv(fd.as_raw_fd(), &mut buf, flags) {
            Ok(n) => {
                let at = Instant::now();
                events.clear();
                parse(buf.get(..n).unwrap_or_default(), &mut events);
                on(&events, at);
                quiet_since = None;
            }
            Err(Errno::EAGAIN | Errno::EINTR) => match wait {
                Wait::Block => on(&[], Instant::now()),
                Wait::Poll(pause) => {
                    let now = Instant::now();
                    let due = quiet_since.map_or(true, |t| {
                        now.duration_since(t) >= std::time::Duration::from_millis(TICK_MS as u64)
                    });
                    if due {
                        on(&[], now);
                        quiet_since = Some(now);
                    }
                    std::thread::sleep(pause);
                }
            },
            Err(Errno::ENOBUFS) => bail!("the kernel dropped route notifications (ENOBUFS)"),
            Err(e) => return Err(e.into()),
        }
    }
    Ok(())
}

fn u16_at(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_ne_bytes(b.get(at..at + 2)?.try_into().ok()?))
}

fn u32_at(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_ne_bytes(b.get(at..at + 4)?.try_into().ok()?))
}

/// Netlink lengths are padded to 4 octets.
fn align(len: usize) -> usize {
    (len + 3) & !3
}

/// Appends the IPv4 route messages of one datagram to `out`.
pub fn parse(datagram: &[u8], out: &mut Vec<RouteEvent>) {
    let mut at = 0;
    while let (Some(len), Some(kind)) = (u32_at(datagram, at), u16_at(datagram, at + 4)) {
        let len = len as usize;
        let Some(msg) = datagram.get(at..at + len).filter(|_| len >= NLMSG_HDR) else {
            break;
        };
        if kind == RTM_NEWROUTE || kind == RTM_DELROUTE {
            if let Some(e) = route(
                kind == RTM_NEWROUTE,
                msg.get(NLMSG_HDR..).unwrap_or_default(),
            ) {
                out.push(e);
            }
        }
        at += align(len);
    }
}

/// One `rtmsg` and its attributes, if it is an IPv4 route.
fn route(added: bool, body: &[u8]) -> Option<RouteEvent> {
    let rtm = body.get(..RTMSG)?;
    if rtm.first() != Some(&FAMILY_INET) {
        return None;
    }
    let mut e = RouteEvent {
        added,
        dst: Ipv4Addr::UNSPECIFIED,
        len: *rtm.get(1)?,
        table: u32::from(*rtm.get(4)?),
        protocol: *rtm.get(5)?,
        priority: 0,
    };
    let mut at = RTMSG;
    while let (Some(len), Some(kind)) = (u16_at(body, at), u16_at(body, at + 2)) {
        let len = usize::from(len);
        if len < 4 {
            break;
        }
        let value = body.get(at + 4..at + len)?;
        match kind {
            RTA_DST => e.dst = <[u8; 4]>::try_from(value).ok()?.into(),
            RTA_PRIORITY => e.priority = u32_at(value, 0)?,
            RTA_TABLE => e.table = u32_at(value, 0)?,
            _ => {}
        }
        at += align(len);
    }
    Some(e)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An `RTM_NEWROUTE` as the kernel sends it: header, rtmsg, RTA_TABLE,
    /// RTA_DST, RTA_PRIORITY, RTA_GATEWAY.
    fn message(kind: u16, dst: [u8; 4], len: u8, table: u32) -> Vec<u8> {
        let mut body = vec![FAMILY_INET, len, 0, 0, 254, 12, 0, 1, 0, 0, 0, 0];
        let mut attr = |t: u16, v: &[u8]| {
            body.extend(u16::try_from(4 + v.len()).unwrap().to_ne_bytes());
            body.extend(t.to_ne_bytes());
            body.extend(v);
            body.resize(align(body.len()), 0);
        };
        attr(RTA_TABLE, &table.to_ne_bytes());
        attr(RTA_DST, &dst);
        attr(RTA_PRIORITY, &32u32.to_ne_bytes());
        attr(5, &[198, 18, 1, 0]);
        let mut m = Vec::new();
        m.extend(u32::try_from(NLMSG_HDR + body.len()).unwrap().to_ne_bytes());
        m.extend(kind.to_ne_bytes());
        m.extend([0u8; 10]);
        m.extend(body);
        m
    }

    #[test]
    fn parses_route_notifications() {
        let mut d = message(RTM_NEWROUTE, [11, 0, 1, 0], 24, 254);
        d.extend(message(RTM_DELROUTE, [10, 244, 7, 0], 24, 1000));
        d.extend(message(3, [0; 4], 0, 0)); // NLMSG_DONE: not a route
        let mut out = Vec::new();
        parse(&d, &mut out);
        assert_eq!(
            out,
            vec![
                RouteEvent {
                    added: true,
                    dst: Ipv4Addr::new(11, 0, 1, 0),
                    len: 24,
                    table: 254,
                    protocol: 12,
                    priority: 32,
                },
                RouteEvent {
                    added: false,
                    dst: Ipv4Addr::new(10, 244, 7, 0),
                    len: 24,
                    table: 1000,
                    protocol: 12,
                    priority: 32,
                },
            ]
        );
    }

    #[test]
    fn truncated_messages_are_skipped() {
        let d = message(RTM_NEWROUTE, [11, 0, 1, 0], 24, 254);
        let mut out = Vec::new();
        parse(d.get(..d.len() - 3).unwrap(), &mut out);
        parse(&d[..20], &mut out);
        assert!(out.is_empty());
    }
}

/// Needs root: `cargo test -p wren-bench -- --ignored rtnl`.
#[cfg(test)]
mod root_tests {
    use super::*;
    use std::io::Write;
    use std::process::{Command, Stdio};
    use std::sync::Mutex;

    #[test]
    #[ignore = "needs root (network namespaces)"]
    fn keeps_up_with_a_burst() {
        const NS: &str = "wbn-rtnl-test";
        const ROUTES: u32 = 200_000;
        let _ = Command::new("ip").args(["netns", "del", NS]).status();
        assert!(Command::new("ip")
            .args(["netns", "add", NS])
            .status()
            .unwrap()
            .success());
        let seen = Arc::new(Mutex::new((0u32, None::<Instant>)));
        let s = seen.clone();
        let l = Listener::start(
            NS,
            1 << 30,
            Wait::Poll(std::time::Duration::from_millis(1)),
            move |events, at| {
                let mut s = s.lock().unwrap();
                s.0 += events.iter().filter(|e| e.added && e.len == 24).count() as u32;
                if !events.is_empty() {
                    s.1 = Some(at);
                }
            },
        )
        .unwrap();
        let mut child = Command::new("ip")
            .args(["-n", NS, "-batch", "-"])
            .stdin(Stdio::piped())
            .spawn()
            .unwrap();
        let mut script = String::new();
        for i in 0..ROUTES {
            let p = crate::prefixes::v4(i);
            script.push_str(&format!("route add blackhole {p}\n"));
        }
        let started = Instant::now();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(script.as_bytes())
            .unwrap();
        assert!(child.wait().unwrap().success());
        let written = Instant::now();
        while seen.lock().unwrap().0 < ROUTES && written.elapsed().as_secs() < 30 {
            std::thread::sleep(std::time::Duration::from_millis(1));
        }
        let (count, last) = *seen.lock().unwrap();
        l.stop().unwrap();
        let _ = Command::new("ip").args(["netns", "del", NS]).status();
        let last = last.unwrap();
        eprintln!(
            "{count} routes; ip -batch took {:?}, the last notification was read {:?} after it ended",
            written - started,
            last.saturating_duration_since(written)
        );
        assert_eq!(count, ROUTES);
    }
}
