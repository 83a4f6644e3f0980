//! The typed configuration model. Front ends (the BIRD dialect today,
//! GoBGP TOML next) produce a [`Config`]; the daemon reads only this.
//!
//! Options are `Option<Spanned<T>>`: `None` when the file did not write
//! the option (the daemon applies BIRD's default), otherwise the value and
//! where it was written. Templates are already resolved: a protocol
//! declared `from` a template carries the template's options under its own.

mod bgp;
mod channel;
pub mod defaults;
mod local;

pub use bgp::{AddPaths, Bgp, Gateway, GracefulRestart, Hop, Neighbor, NextHopMode, PeerAs};
pub use channel::{Afi, Channel, ChannelOpts, FilterSpec, Limit, LimitAction};
pub use local::{
    Device, Direct, IfacePattern, Kernel, Learn, MergePaths, Static, StaticRoute, StaticTarget,
};

use crate::filter::{Const, Filter, Function};
use crate::span::{Span, Spanned};
use std::net::{IpAddr, Ipv4Addr};
use std::sync::Arc;

/// A whole configuration.
#[derive(Clone, Debug, Default)]
pub struct Config {
    /// `router id A;`
    pub router_id: Option<Spanned<Ipv4Addr>>,
    /// `router id from "eth*", -"lo";`: take the id from a matching interface.
    pub router_id_from: Option<Spanned<Vec<IfacePattern>>>,
    /// `log ...;` lines, in order.
    pub log: Vec<Spanned<LogTarget>>,
    /// `debug protocols ...;`
    pub debug_protocols: Option<Spanned<DebugFlags>>,
    /// `debug commands N;`
    pub debug_commands: Option<Spanned<u32>>,
    /// `timeformat ...;` words, kept for `show` output.
    pub timeformat: Vec<Spanned<Vec<String>>>,
    /// `listen bgp [address A] [port N];` (BIRD 1.x).
    pub listen_bgp: Option<Spanned<ListenBgp>>,
    /// `graceful restart wait N;`
    pub graceful_restart_wait: Option<Spanned<u32>>,
    /// Routing tables declared with `table NAME;` / `ipv4 table NAME;`.
    pub tables: Vec<Spanned<TableDef>>,
    /// `define NAME = value;`
    pub defines: Vec<Spanned<Define>>,
    /// Named filters, in order.
    pub filters: Vec<Arc<Filter>>,
    /// Functions, in order.
    pub functions: Vec<Arc<Function>>,
    /// Templates (kept for reference; protocols already include them).
    pub templates: Vec<Protocol>,
    /// Protocols, in order, templates applied.
    pub protocols: Vec<Protocol>,
}

impl Config {
    /// The protocol called `name`.
    pub fn protocol(&self, name: &str) -> Option<&Protocol> {
        self.protocols.iter().find(|p| p.name.value == name)
    }

    /// The named filter.
    pub fn filter(&self, name: &str) -> Option<&Arc<Filter>> {
        self.filters.iter().find(|f| f.name() == name)
    }

    /// The function called `name`.
    pub fn function(&self, name: &str) -> Option<&Arc<Function>> {
        self.functions.iter().find(|f| f.name() == name)
    }

    /// BGP protocols with their names.
    pub fn bgp(&self) -> impl Iterator<Item = (&Protocol, &Bgp)> {
        self.protocols.iter().filter_map(|p| match &p.kind {
            ProtocolKind::Bgp(b) => Some((p, &**b)),
            _ => None,
        })
    }
}

/// `define NAME = value;`
#[derive(Clone, Debug, PartialEq)]
pub struct Define {
    /// Name.
    pub name: String,
    /// Constant value.
    pub value: Const,
}

/// `listen bgp ...;`
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ListenBgp {
    /// Address to bind.
    pub address: Option<IpAddr>,
    /// Port.
    pub port: Option<u16>,
}

/// A routing table declaration.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TableDef {
    /// Name.
    pub name: String,
    /// Family (BIRD 2 `ipv4 table t;`); `None` in BIRD 1.x.
    pub afi: Option<Afi>,
}

/// Where `log` writes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LogDest {
    /// `syslog [name "x"]`
    Syslog(Option<String>),
    /// `stderr`
    Stderr,
    /// `"file" [size N "backup"]`
    File {
        /// Path.
        path: String,
        /// Rotation size and backup name.
        rotate: Option<(u64, String)>,
    },
}

/// `log DEST CLASSES;`
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogTarget {
    /// Destination.
    pub dest: LogDest,
    /// Classes (`all` is every class).
    pub classes: Vec<String>,
}

/// `debug { states, routes, ... }`, `debug all`, `debug off`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DebugFlags {
    /// states
    pub states: bool,
    /// routes
    pub routes: bool,
    /// filters
    pub filters: bool,
    /// interfaces
    pub interfaces: bool,
    /// events
    pub events: bool,
    /// packets
    pub packets: bool,
}

impl DebugFlags {
    /// `debug all`.
    pub fn all() -> Self {
        DebugFlags {
            states: true,
            routes: true,
            filters: true,
            interfaces: true,
            events: true,
            packets: true,
        }
    }
}

/// A protocol instance (or a template).
#[derive(Clone, Debug)]
pub struct Protocol {
    /// Name: written, or BIRD's automatic `kernel1`, `static1`, ...
    pub name: Spanned<String>,
    /// Where `protocol`/`template` was written.
    pub span: Span,
    /// `from TEMPLATE`.
    pub from: Option<Spanned<String>>,
    /// `description "..."`
    pub description: Option<Spanned<String>>,
    /// `debug ...`
    pub debug: Option<Spanned<DebugFlags>>,
    /// `disabled`
    pub disabled: Option<Spanned<bool>>,
    /// `router id` for this protocol.
    pub router_id: Option<Spanned<Ipv4Addr>>,
    /// Channel options written directly in the protocol (BIRD 1.x style:
    /// `import all; export filter f;`, also `next hop self`, `gateway`).
    pub channel: ChannelOpts,
    /// Channel blocks (BIRD 2: `ipv4 { ... };`), in order.
    pub channels: Vec<Channel>,
    /// The protocol-specific part.
    pub kind: ProtocolKind,
}

impl Protocol {
    /// The effective options of the channel for `afi`: the channel block's
    /// own, then what the protocol body said. BIRD 1.x configs have no
    /// channel blocks; their one implicit channel answers for any family.
    pub fn channel_for(&self, afi: Afi) -> Option<ChannelOpts> {
        if self.channels.is_empty() {
            return Some(self.channel.clone());
        }
        let c = self.channels.iter().find(|c| c.afi.value == afi)?;
        let mut o = c.opts.clone();
        o.inherit(&self.channel);
        Some(o)
    }

    /// The protocol type keyword (`bgp`, `kernel`, ...).
    pub fn type_name(&self) -> &'static str {
        self.kind.type_name()
    }
}

/// What a protocol is.
#[derive(Clone, Debug)]
pub enum ProtocolKind {
    /// `protocol bgp`
    Bgp(Box<Bgp>),
    /// `protocol kernel`
    Kernel(Box<Kernel>),
    /// `protocol device`
    Device(Device),
    /// `protocol direct`
    Direct(Direct),
    /// `protocol static`
    Static(Static),
}

impl ProtocolKind {
    /// The protocol type keyword.
    pub fn type_name(&self) -> &'static str {
        match self {
            ProtocolKind::Bgp(_) => "bgp",
            ProtocolKind::Kernel(_) => "kernel",
            ProtocolKind::Device(_) => "device",
            ProtocolKind::Direct(_) => "direct",
            ProtocolKind::Static(_) => "static",
        }
    }
}

/// Fills unset options of `$me` from `$parent` (for front ends that merge
/// models, e.g. GoBGP peer groups; the BIRD parser reads a protocol's
/// body over a copy of its template instead).
macro_rules! inherit_fields {
    ($me:ident, $parent:ident; $($f:ident),* $(,)?) => {
        $( if $me.$f.is_none() { $me.$f = $parent.$f.clone(); } )*
    };
}
pub(crate) use inherit_fields;

/// Puts `$parent`'s list items before `$me`'s.
macro_rules! inherit_lists {
    ($me:ident, $parent:ident; $($f:ident),* $(,)?) => {
        $( {
            let mine = std::mem::take(&mut $me.$f);
            $me.$f = $parent.$f.clone();
            $me.$f.extend(mine);
        } )*
    };
}
pub(crate) use inherit_lists;
