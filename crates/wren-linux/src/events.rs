//! Kernel notifications: routes, links and addresses as they change.
//!
//! A daemon that programs the kernel must also hear when someone else
//! changes it (an admin's `ip route`, an interface going down, a new pod
//! veth). Notifications are best effort: when they arrive faster than
//! they are read the kernel drops some, and the stream says so with
//! [`KernelEvent::Overrun`]; the daemon then dumps and reconciles.

use std::collections::VecDeque;

use netlink_packet_route::RouteNetlinkMessage;

use crate::error::Error;
use crate::links::{decode_address, decode_link, Address, Link};
use crate::netlink::{frames, NlSocket};
use crate::routes::{decode_route, KernelRoute};

/// A multicast group of rtnetlink notifications.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Group {
    /// `RTNLGRP_LINK`: interfaces appear, change, go.
    Link,
    /// `RTNLGRP_IPV4_IFADDR`.
    Ipv4Addr,
    /// `RTNLGRP_IPV6_IFADDR`.
    Ipv6Addr,
    /// `RTNLGRP_IPV4_ROUTE`.
    Ipv4Route,
    /// `RTNLGRP_IPV6_ROUTE`.
    Ipv6Route,
}

impl Group {
    /// Every group this crate understands.
    pub const ALL: [Group; 5] = [
        Group::Link,
        Group::Ipv4Addr,
        Group::Ipv6Addr,
        Group::Ipv4Route,
        Group::Ipv6Route,
    ];

    /// The `RTNLGRP_*` number.
    fn number(self) -> u32 {
        match self {
            Group::Link => 1,
            Group::Ipv4Addr => 5,
            Group::Ipv4Route => 7,
            Group::Ipv6Addr => 9,
            Group::Ipv6Route => 11,
        }
    }
}

/// One change in the kernel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KernelEvent {
    /// A route was added or replaced (any table, any protocol).
    RouteAdded(KernelRoute),
    /// A route was removed.
    RouteRemoved(KernelRoute),
    /// An interface appeared or changed (flags, MTU, name…).
    LinkChanged(Link),
    /// An interface went away.
    LinkRemoved(Link),
    /// An address was added (or its flags changed).
    AddressAdded(Address),
    /// An address was removed.
    AddressRemoved(Address),
    /// Notifications were lost; state must be read again with a dump.
    Overrun,
}

/// Notifications from the calling thread's network namespace.
pub struct EventStream {
    sock: NlSocket,
    pending: VecDeque<KernelEvent>,
    skip_protocol: Option<u8>,
}

/// `RTM_NEWROUTE` and `RTM_DELROUTE`.
const ROUTE_KINDS: [u16; 2] = [24, 25];
/// Offset of `rtm_protocol` in `struct rtmsg`.
const RTM_PROTOCOL_AT: usize = 5;

impl EventStream {
    /// Subscribes to `groups`. Needs a tokio runtime. Events are queued by
    /// the kernel from this moment on.
    pub fn open(groups: &[Group]) -> Result<Self, Error> {
        let numbers: Vec<u32> = groups.iter().map(|g| g.number()).collect();
        Ok(EventStream {
            sock: NlSocket::open(&numbers)?,
            pending: VecDeque::new(),
            skip_protocol: None,
        })
    }

    /// Drops route notifications of `protocol` unread: a daemon's own
    /// routes come back to it as notifications, a million of them for a
    /// full table, and decoding each only to discard it made the reader
    /// fall behind and the kernel drop notifications (an overrun, then a
    /// full resync).
    /// The kernel drops them (a socket filter); should that fail, they
    /// are dropped here, unparsed.
    pub fn skip_routes_of(&mut self, protocol: u8) {
        if self.sock.skip_routes_of(protocol).is_err() {
            self.skip_protocol = Some(protocol);
        }
    }

    /// The next event, waiting for one if none is queued.
    pub async fn next(&mut self) -> Result<KernelEvent, Error> {
        loop {
            if let Some(e) = self.pending.pop_front() {
                return Ok(e);
            }
            match self.sock.recv().await {
                Ok(data) => {
                    let skip = self.skip_protocol;
                    let events = frames(data)
                        .filter(|f| {
                            skip.is_none()
                                || !ROUTE_KINDS.contains(&f.kind)
                                || f.payload.get(RTM_PROTOCOL_AT).copied() != skip
                        })
                        .filter_map(|f| f.parse().ok().and_then(event));
                    self.pending.extend(events);
                }
                Err(e) if e.raw_os_error() == Some(libc::ENOBUFS) => {
                    return Ok(KernelEvent::Overrun)
                }
                Err(e) => return Err(e.into()),
            }
        }
    }
}

fn event(m: RouteNetlinkMessage) -> Option<KernelEvent> {
    Some(match m {
        RouteNetlinkMessage::NewRoute(r) => KernelEvent::RouteAdded(decode_route(&r)?),
        RouteNetlinkMessage::DelRoute(r) => KernelEvent::RouteRemoved(decode_route(&r)?),
        RouteNetlinkMessage::NewLink(l) => KernelEvent::LinkChanged(decode_link(&l)),
        RouteNetlinkMessage::DelLink(l) => KernelEvent::LinkRemoved(decode_link(&l)),
        RouteNetlinkMessage::NewAddress(a) => KernelEvent::AddressAdded(decode_address(&a)?),
        RouteNetlinkMessage::DelAddress(a) => KernelEvent::AddressRemoved(decode_address(&a)?),
        _ => return None,
    })
}
