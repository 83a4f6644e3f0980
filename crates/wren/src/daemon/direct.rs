//! BIRD's `device` and `direct` protocols (zebra's `connect`): the
//! interfaces and their addresses, kept current from netlink events, and
//! the connected prefixes of the interfaces the configuration accepts as
//! routes to announce. An interface that goes down takes its prefixes
//! out of the table; one that comes up (or gains an address) puts them in.

use super::Daemon;
use std::collections::{HashMap, HashSet};
use tracing::warn;
use wren_core::rib::{Path, SourceInfo, SourceKind};
use wren_linux::{Address, Interfaces, Link};
use wren_wire::attributes::{AsPath, Origin, PathAttributes};
use wren_wire::Prefix;

/// What the daemon knows of the interfaces.
#[derive(Debug, Default)]
pub struct Device {
    /// Interfaces by index.
    pub links: HashMap<u32, Link>,
    /// Every address (for next hops of the other family, see
    /// [`super::kernel::sibling`], and for `direct`).
    pub addresses: Vec<Address>,
    /// The connected prefixes now in the table.
    announced: HashSet<Prefix>,
    /// The `direct` source, once there is one.
    source: Option<wren_core::rib::SourceId>,
}

impl Device {
    /// The index of the interface called `name`.
    pub fn index(&self, name: &str) -> Option<u32> {
        self.links
            .iter()
            .find(|(_, l)| l.name == name)
            .map(|(i, _)| *i)
    }

    fn link(&mut self, l: &Link) {
        self.links.insert(l.index, l.clone());
    }

    fn address(&mut self, a: Address, add: bool) {
        let same = |x: &Address| x.index == a.index && x.addr == a.addr;
        self.addresses.retain(|x| !same(x));
        if add {
            self.addresses.push(a);
        }
    }
}

/// The network of an address.
fn network(a: &Address) -> Option<Prefix> {
    super::igp::network_of(a.addr, a.prefix_len)
}

impl Daemon {
    /// Reads interfaces and addresses once, at start; events keep them
    /// current afterwards.
    pub(super) async fn read_interfaces(&mut self) {
        let mut ifs = match Interfaces::open() {
            Ok(i) => i,
            Err(e) => return warn!(error = %e, "cannot read interfaces"),
        };
        match (ifs.links().await, ifs.addresses().await) {
            (Ok(links), Ok(addrs)) => {
                for l in &links {
                    self.device.link(l);
                }
                self.device.addresses = addrs;
            }
            (Err(e), _) | (_, Err(e)) => warn!(error = %e, "cannot read interfaces"),
        }
        self.sync_direct();
    }

    /// An interface appeared or changed.
    pub(super) fn on_link(&mut self, l: &Link, present: bool) {
        let usable = |l: &Link| l.up && l.lower_up;
        let was = self.device.links.get(&l.index).is_some_and(usable);
        self.kernel_link_changed(l.index, was, present && usable(l));
        if present {
            self.device.link(l);
        } else {
            self.device.links.remove(&l.index);
            self.device.addresses.retain(|a| a.index != l.index);
        }
        self.sync_direct();
    }

    /// An address was added or removed.
    pub(super) fn on_address(&mut self, a: Address, add: bool) {
        self.device.address(a, add);
        self.sync_direct();
    }

    /// Makes the table's connected routes those of the global-scope
    /// addresses on accepted interfaces that are up.
    fn sync_direct(&mut self) {
        let Some(accept) = self.spec.connected.clone() else {
            return;
        };
        let want: HashSet<Prefix> = self
            .device
            .addresses
            .iter()
            .filter(|a| a.scope == 0)
            .filter(|a| {
                self.device
                    .links
                    .get(&a.index)
                    .is_some_and(|l| l.up && (accept.0)(&l.name))
            })
            .filter_map(network)
            .collect();
        if want == self.device.announced {
            return;
        }
        let source = match self.device.source {
            Some(s) => s,
            None => {
                let s = self.sources.add(SourceInfo {
                    name: "direct1".into(),
                    kind: SourceKind::Direct,
                    preference: 240,
                });
                self.device.source = Some(s);
                s
            }
        };
        for gone in self.device.announced.difference(&want) {
            self.table.withdraw(*gone, source, 0, &self.sources);
        }
        let attrs = self.store.intern(PathAttributes {
            origin: Some(Origin::Igp),
            as_path: Some(AsPath::sequence(&[])),
            med: Some(0),
            ..PathAttributes::default()
        });
        for new in want.difference(&self.device.announced) {
            let path = Path::new(source, 0, attrs.clone(), None);
            self.table.update(*new, path, &self.sources);
        }
        self.device.announced = want;
    }
}
