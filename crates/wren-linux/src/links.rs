//! Interfaces and their addresses: what BIRD's `device` protocol scans
//! and `direct` turns into routes.

use std::net::IpAddr;

use netlink_packet_route::address::{AddressAttribute, AddressMessage};
use netlink_packet_route::link::{LinkAttribute, LinkFlags, LinkInfo, LinkMessage};
use netlink_packet_route::{AddressFamily, RouteNetlinkMessage};

use crate::error::Error;
use crate::netlink::NlSocket;

/// One network interface.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    /// Interface index, what routes name.
    pub index: u32,
    /// Name (`eth0`, `cali1234`).
    pub name: String,
    /// Administratively up (`IFF_UP`).
    pub up: bool,
    /// Carrier present (`IFF_LOWER_UP`): up and able to pass packets.
    pub lower_up: bool,
    /// All `IFF_*` flags.
    pub flags: u32,
    /// MTU in octets.
    pub mtu: u32,
    /// Link kind (`veth`, `bridge`, `vxlan`), when the kernel says.
    pub kind: Option<String>,
    /// Hardware address, if any.
    pub mac: Vec<u8>,
    /// Index of the controlling device (bridge, VRF), if enslaved.
    pub master: Option<u32>,
}

impl Link {
    /// A loopback interface (`IFF_LOOPBACK`).
    pub fn is_loopback(&self) -> bool {
        self.flags & LinkFlags::Loopback.bits() != 0
    }
}

/// One address on an interface.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Address {
    /// Interface index.
    pub index: u32,
    /// Our address (`IFA_LOCAL`, or `IFA_ADDRESS` when there is no local).
    pub addr: IpAddr,
    /// Prefix length of the connected network.
    pub prefix_len: u8,
    /// The other end of a point-to-point link.
    pub peer: Option<IpAddr>,
    /// `RT_SCOPE_*`: 0 global, 253 link, 254 host.
    pub scope: u8,
    /// `IFA_F_*` flags (secondary, tentative, deprecated…).
    pub flags: u32,
    /// The IPv4 label (`eth0:1`), if set.
    pub label: Option<String>,
}

/// Lists interfaces and addresses in the calling thread's namespace.
pub struct Interfaces {
    sock: NlSocket,
}

impl Interfaces {
    /// Opens a netlink socket. Needs a tokio runtime.
    pub fn open() -> Result<Self, Error> {
        Ok(Interfaces {
            sock: NlSocket::open(&[])?,
        })
    }

    /// Every interface.
    pub async fn links(&mut self) -> Result<Vec<Link>, Error> {
        let req = RouteNetlinkMessage::GetLink(LinkMessage::default());
        self.sock
            .dump(req, |m| match m {
                RouteNetlinkMessage::NewLink(l) => Some(decode_link(&l)),
                _ => None,
            })
            .await
    }

    /// Every IPv4 and IPv6 address.
    pub async fn addresses(&mut self) -> Result<Vec<Address>, Error> {
        let req = RouteNetlinkMessage::GetAddress(AddressMessage::default());
        self.sock
            .dump(req, |m| match m {
                RouteNetlinkMessage::NewAddress(a) => decode_address(&a),
                _ => None,
            })
            .await
    }
}

/// Reads a link message from a dump or a notification.
pub(crate) fn decode_link(m: &LinkMessage) -> Link {
    let flags = m.header.flags;
    let mut link = Link {
        index: m.header.index,
        name: String::new(),
        up: flags.contains(LinkFlags::Up),
        lower_up: flags.contains(LinkFlags::LowerUp),
        flags: flags.bits(),
        mtu: 0,
        kind: None,
        mac: Vec::new(),
        master: None,
    };
    for a in &m.attributes {
        match a {
            LinkAttribute::IfName(n) => link.name.clone_from(n),
            LinkAttribute::Mtu(v) => link.mtu = *v,
            LinkAttribute::Address(mac) => link.mac.clone_from(mac),
            LinkAttribute::Controller(i) => link.master = Some(*i),
            LinkAttribute::LinkInfo(infos) => {
                link.kind = infos.iter().find_map(|i| match i {
                    LinkInfo::Kind(k) => Some(k.to_string()),
                    _ => None,
                });
            }
            _ => {}
        }
    }
    link
}

/// Reads an address message; `None` for families other than IPv4/IPv6.
pub(crate) fn decode_address(m: &AddressMessage) -> Option<Address> {
    if !matches!(m.header.family, AddressFamily::Inet | AddressFamily::Inet6) {
        return None;
    }
    let (mut local, mut address, mut label) = (None, None, None);
    let mut flags = u32::from(m.header.flags.bits());
    for a in &m.attributes {
        match a {
            AddressAttribute::Local(l) => local = Some(*l),
            AddressAttribute::Address(l) => address = Some(*l),
            AddressAttribute::Label(l) => label = Some(l.clone()),
            AddressAttribute::Flags(f) => flags = f.bits(),
            _ => {}
        }
    }
    let addr = local.or(address)?;
    Some(Address {
        index: m.header.index,
        addr,
        prefix_len: m.header.prefix_len,
        peer: address.filter(|a| *a != addr),
        scope: u8::from(m.header.scope),
        flags,
        label,
    })
}
