//! BGP unnumbered: a peer named by interface (GoBGP's
//! `neighbor-interface`, FRR's `neighbor eth0 interface`). Its address is
//! the IPv6 link-local one of whatever router is on the other end of the
//! link, heard in that router's advertisements (or from the connection it
//! opens to us); ours reaches it in the advertisements we send. IPv4
//! routes then travel with IPv6 next hops (RFC 8950) and enter the kernel
//! as `via inet6 fe80::… dev IF`.

use super::net::NetEvent;
use super::Daemon;
use std::net::{SocketAddr, SocketAddrV6};
use std::time::Duration;
use tracing::{info, warn};
use wren_linux::nd::{if_index, RouterAdverts, RouterHeard};

/// Between our advertisements once started; FRR sends its own every 10
/// seconds on unnumbered links.
const ADVERTISE_EVERY: Duration = Duration::from_secs(10);
/// Quick ones first, so a peer that starts with us hears us at once.
const EARLY: usize = 3;

impl Daemon {
    /// Opens the advertisement socket and starts advertising on the
    /// interfaces of unnumbered peers (and listening on all), if any.
    pub(super) fn start_unnumbered(&mut self) {
        let names: Vec<String> = self
            .peers
            .iter()
            .filter_map(|p| p.spec.interface.clone())
            .collect();
        if names.is_empty() {
            return;
        }
        let (rx, tx) = match RouterAdverts::open().and_then(|a| Ok((a.try_clone()?, a))) {
            Ok(pair) => pair,
            Err(e) => {
                return warn!(error = %e, "cannot open the ICMPv6 socket: unnumbered peers stay down")
            }
        };
        // Receiving blocks: a thread of its own, events to the main loop.
        let events = self.events_tx.clone();
        std::thread::spawn(move || loop {
            match rx.recv() {
                Ok(Some(heard)) => {
                    if events.blocking_send(NetEvent::Router(heard)).is_err() {
                        return;
                    }
                }
                Ok(None) => {}
                Err(e) => return warn!(error = %e, "ICMPv6 socket failed"),
            }
        });
        match tx.try_clone() {
            Ok(sender) => {
                tokio::spawn(async move {
                    for round in 0usize.. {
                        for name in &names {
                            // By name each time: the interface may come later.
                            let Some(i) = if_index(name) else { continue };
                            if round < EARLY {
                                let _ = sender.solicit(i);
                            }
                            let _ = sender.advertise(i);
                        }
                        let pause = if round < EARLY {
                            Duration::from_secs(1)
                        } else {
                            ADVERTISE_EVERY
                        };
                        tokio::time::sleep(pause).await;
                    }
                });
            }
            Err(e) => warn!(error = %e, "cannot advertise on unnumbered interfaces"),
        }
        self.adverts = Some(tx);
    }

    /// A router was heard on an interface: an unnumbered peer on it now
    /// has an address; one that solicits gets our advertisement at once.
    pub(super) fn on_router(&mut self, heard: RouterHeard) {
        let ours = std::net::IpAddr::V6(heard.addr);
        if self.device.addresses.iter().any(|a| a.addr == ours) {
            return;
        }
        let Some(i) = self.peers.iter().position(|p| {
            p.spec.interface.as_deref().is_some_and(|n| {
                self.device.index(n).or_else(|| if_index(n)) == Some(heard.ifindex)
            })
        }) else {
            return;
        };
        if heard.solicited {
            if let Some(a) = &self.adverts {
                let _ = a.advertise(heard.ifindex);
            }
        }
        self.set_link(i, heard.addr, heard.ifindex);
    }

    /// The unnumbered peer a connection from `from` belongs to: a
    /// link-local source on that peer's interface.
    pub(super) fn unnumbered_from(&mut self, from: SocketAddr) -> Option<usize> {
        let SocketAddr::V6(v6) = from else {
            return None;
        };
        if v6.scope_id() == 0 {
            return None;
        }
        let i = self.peers.iter().position(|p| {
            !p.removed
                && p.spec.interface.as_deref().is_some_and(|n| {
                    self.device.index(n).or_else(|| if_index(n)) == Some(v6.scope_id())
                })
        })?;
        self.set_link(i, *v6.ip(), v6.scope_id());
        Some(i)
    }

    fn set_link(&mut self, i: usize, addr: std::net::Ipv6Addr, ifindex: u32) {
        let Some(p) = self.peers.get_mut(i) else {
            return;
        };
        let link = SocketAddrV6::new(addr, p.spec.port, 0, ifindex);
        if p.link == Some(link) {
            return;
        }
        info!(peer = %p.spec.name, address = %addr, "unnumbered peer heard");
        p.link = Some(link);
        self.link_dev.insert(p.source, ifindex);
        if let Some(wren_core::rib::SourceKind::Bgp(b)) =
            self.sources.get_mut(p.source).map(|s| &mut s.kind)
        {
            b.address = std::net::IpAddr::V6(addr);
        }
    }
}
