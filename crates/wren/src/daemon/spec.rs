//! What the daemon runs: the configuration after it has been mapped from a
//! config file dialect onto wren-core's terms.

use std::net::{IpAddr, Ipv4Addr};
use std::sync::Arc;
use wren_core::export::NextHopMode;
use wren_core::policy::Policy;
use wren_core::session::SessionConfig;

/// One configured BGP peer.
#[derive(Clone, Debug)]
pub struct PeerSpec {
    /// Protocol name (`Mesh_192_168_0_80`, `peer_r2`).
    pub name: String,
    /// Neighbour address.
    pub address: IpAddr,
    /// TCP port of the neighbour (179).
    pub port: u16,
    /// Our address for the session (`source address` / `local`).
    pub source_address: Option<IpAddr>,
    /// Session settings.
    pub session: SessionConfig,
    /// TCP MD5 key (RFC 2385).
    pub password: Option<String>,
    /// TTL of our packets: `Some(n)` multihop, `None` direct (TTL 1 for
    /// eBGP, 64 for iBGP, like BIRD).
    pub multihop: Option<u8>,
    /// GTSM (RFC 5082): send TTL 255 and require at least 255 - hops + 1.
    pub ttl_security: bool,
    /// The peer is our route reflector client.
    pub rr_client: bool,
    /// Our cluster id (RFC 4456), checked in received CLUSTER_LISTs and
    /// prepended when we reflect; `None` turns reflection off.
    pub cluster_id: Option<Ipv4Addr>,
    /// Next-hop choice on export.
    pub next_hop_mode: NextHopMode,
    /// How often our AS may appear in received paths.
    pub allow_local_as: usize,
    /// Import filter.
    pub import: Arc<dyn Policy>,
    /// Export filter.
    pub export: Arc<dyn Policy>,
    /// Maximum accepted prefixes; beyond it the session is reset with
    /// Cease/1 (BIRD `import limit N action restart`).
    pub import_limit: Option<usize>,
    /// BGP unnumbered: the peer is whoever answers on this interface; its
    /// link-local address comes from its router advertisements (`address`
    /// is then unspecified).
    pub interface: Option<String>,
    /// Protocol debug classes (`debug { … }`, `debug protocols`).
    pub debug: super::debug::DebugClasses,
    /// AS override towards this peer (GoBGP's `replace-peer-as`).
    pub replace_peer_as: bool,
}

/// The whole daemon.
#[derive(Clone, Debug)]
pub struct DaemonSpec {
    /// Router id.
    pub router_id: Ipv4Addr,
    /// Port to listen on (179); `None` disables listening.
    pub listen_port: Option<u16>,
    /// Address to listen on (all when `None`).
    pub listen_address: Option<IpAddr>,
    /// BGP peers.
    pub peers: Vec<PeerSpec>,
    /// Ranges from which any peer is accepted (GoBGP's dynamic neighbors).
    pub dynamic: Vec<DynamicSpec>,
    /// Best routes go into this kernel table (BIRD's `kernel` protocol,
    /// GoBGP's zebra).
    pub kernel: Option<KernelSpec>,
    /// Connected prefixes of the interfaces this accepts are announced
    /// (BIRD's `direct`, GoBGP's `redistribute-route-type-list =
    /// ["connect"]`).
    pub connected: Option<IfaceFilter>,
    /// Static routes (BIRD's `static`).
    pub statics: Vec<StaticSpec>,
    /// Which BIRD generation's output the control socket imitates: the
    /// generation the configuration is written for (Calico's status code
    /// insists on 1.x's lowercase `show protocols` header).
    pub output: Generation,
    /// The configuration's names and what they name (`protocol`,
    /// `filter`, `function`, `routing table`, `template`, `constant`),
    /// for `show symbols`.
    pub symbols: Vec<(String, &'static str)>,
    /// Where the log goes (`log` statements; none: stderr).
    pub log: Vec<wren_config::model::LogTarget>,
    /// The BIRD-dialect configuration as read (empty for GoBGP's): `show
    /// route where|filter` compile against its constants, functions and
    /// filters.
    pub bird: Arc<wren_config::Config>,
}

/// Which interfaces count, by name.
#[derive(Clone)]
pub struct IfaceFilter(pub Arc<dyn Fn(&str) -> bool + Send + Sync>);

impl std::fmt::Debug for IfaceFilter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("IfaceFilter")
    }
}

/// A BIRD generation, for the control socket's output.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Generation {
    /// BIRD 1.x: `name proto table state since info`, one table `master`.
    Bird1,
    /// BIRD 2.x: `Name Proto Table State Since Info`, channels.
    #[default]
    Bird2,
}

/// One static route.
#[derive(Clone, Debug)]
pub struct StaticSpec {
    /// The prefix.
    pub prefix: wren_wire::Prefix,
    /// Where it leads.
    pub dest: StaticDest,
    /// BIRD's `route … { bgp_local_pref = 200; … };`: statements run
    /// once on the route as it is originated (false: `reject`ed).
    pub attrs: Option<Arc<dyn Policy>>,
}

/// Where a static route leads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StaticDest {
    /// Via a gateway.
    Via(IpAddr),
    /// Dropped.
    Blackhole,
    /// Dropped with ICMP unreachable.
    Unreachable,
    /// Dropped with ICMP prohibited.
    Prohibit,
}

/// Where and how routes go into the kernel.
#[derive(Clone, Debug)]
pub struct KernelSpec {
    /// Table id (254 = main).
    pub table: u32,
    /// Protocol number on our routes (12 bird, 186 bgp).
    pub protocol: u8,
    /// Route metric.
    pub metric: u32,
    /// Leave our routes in the kernel when wrend exits.
    pub persist: bool,
    /// Which routes go in (BIRD's kernel `export` filter).
    pub export: Arc<dyn Policy>,
    /// ECMP: up to this many equal BGP paths become one multipath route
    /// (BIRD's `merge paths on [limit N]`); 1 is off.
    pub merge_paths: usize,
    /// `learn`: import routes other programs put in the table (`Some(true)`
    /// also the kernel's own, `learn all`).
    pub learn: Option<bool>,
    /// Seconds between checks of our routes in the kernel (BIRD's `scan
    /// time`): routes someone removed are put back.
    pub scan_time: u32,
    /// Routes name shared nexthop objects (`nexthop objects`, on by
    /// default) rather than carrying their next hop as BIRD's do.
    pub nexthop_objects: bool,
}

/// Accept sessions from any address in `prefix`, with `template`'s
/// settings (its address and name are replaced by the peer's).
#[derive(Clone, Debug)]
pub struct DynamicSpec {
    /// The range.
    pub prefix: wren_wire::Prefix,
    /// Settings of peers from the range; always passive.
    pub template: PeerSpec,
}
