//! GoBGP's TOML configuration (gobgpd.conf), as seed 004 and Cilium's
//! and kube-router's users write it. Unknown keys are errors, never
//! silently ignored; known keys Wren cannot honour yet are errors that
//! say so.

use crate::daemon::debug::DebugClasses;
use crate::daemon::spec::{DaemonSpec, DynamicSpec, IfaceFilter, KernelSpec, PeerSpec};
use serde::Deserialize;
use std::net::{IpAddr, Ipv4Addr};
use std::sync::Arc;
use wren_core::export::NextHopMode;
use wren_core::policy::AcceptAll;
use wren_core::session::{FamilyConfig, GracefulRestart, RemoteAs, SessionConfig};
use wren_wire::capability::AddPathMode;
use wren_wire::{Family, Prefix};

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct File {
    global: Global,
    #[serde(default)]
    neighbors: Vec<Neighbor>,
    #[serde(default)]
    peer_groups: Vec<Neighbor>,
    #[serde(default)]
    dynamic_neighbors: Vec<DynamicNeighbor>,
    zebra: Option<Zebra>,
    defined_sets: Option<super::gobgp_policy::DefinedSets>,
    #[serde(default)]
    policy_definitions: Vec<super::gobgp_policy::PolicyDefinition>,
}

/// `[zebra.config]`: GoBGP hands routes to FRR's zebra, which installs
/// them with protocol `bgp`. Wren has no zebra: it programs the kernel
/// itself, the same way, and takes connected prefixes from the interfaces.
#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct Zebra {
    config: ZebraConfig,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct ZebraConfig {
    enabled: bool,
    /// Where zebra listens; Wren needs no zebra, so it is only recorded.
    #[allow(dead_code)]
    url: Option<String>,
    #[serde(default)]
    redistribute_route_type_list: Vec<String>,
    /// The zapi version; irrelevant without zebra.
    #[allow(dead_code)]
    version: Option<u8>,
    #[serde(default)]
    nexthop_trigger_enable: Option<bool>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct DynamicNeighbor {
    config: DynamicNeighborConfig,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct DynamicNeighborConfig {
    prefix: String,
    peer_group: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct Global {
    config: GlobalConfig,
    apply_policy: Option<super::gobgp_policy::ApplyPolicy>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct GlobalConfig {
    #[serde(rename = "as")]
    asn: u32,
    router_id: Ipv4Addr,
    port: Option<i32>,
    #[serde(default)]
    local_address_list: Vec<IpAddr>,
}

#[derive(Deserialize, Default, Clone)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct Neighbor {
    #[serde(default)]
    config: NeighborConfig,
    transport: Option<Transport>,
    timers: Option<Timers>,
    ebgp_multihop: Option<Multihop>,
    ttl_security: Option<TtlSecurity>,
    as_path_options: Option<AsPathOptions>,
    route_reflector: Option<RouteReflector>,
    #[serde(default)]
    afi_safis: Vec<AfiSafi>,
    graceful_restart: Option<GracefulRestartCfg>,
    add_paths: Option<AddPathsCfg>,
}

#[derive(Deserialize, Default, Clone)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct NeighborConfig {
    neighbor_address: Option<IpAddr>,
    /// BGP unnumbered: peer with whoever is on this interface.
    neighbor_interface: Option<String>,
    peer_as: Option<u32>,
    local_as: Option<u32>,
    auth_password: Option<String>,
    peer_group: Option<String>,
    peer_group_name: Option<String>,
    description: Option<String>,
    admin_down: Option<bool>,
}

#[derive(Deserialize, Default, Clone)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct Transport {
    config: TransportConfig,
}

#[derive(Deserialize, Default, Clone)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct TransportConfig {
    passive_mode: Option<bool>,
    local_address: Option<IpAddr>,
    remote_port: Option<u16>,
}

#[derive(Deserialize, Default, Clone)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct Timers {
    config: TimersConfig,
}

#[derive(Deserialize, Default, Clone)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct TimersConfig {
    hold_time: Option<f64>,
    keepalive_interval: Option<f64>,
    connect_retry: Option<f64>,
    idle_hold_time_after_reset: Option<f64>,
}

#[derive(Deserialize, Default, Clone)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct Multihop {
    config: MultihopConfig,
}

#[derive(Deserialize, Default, Clone)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct MultihopConfig {
    enabled: bool,
    multihop_ttl: Option<u8>,
}

/// `allow-own-as` (BIRD's `allow local as N`) and `replace-peer-as` (AS
/// override towards the neighbour).
#[derive(Deserialize, Default, Clone)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct AsPathOptions {
    config: AsPathOptionsConfig,
}

#[derive(Deserialize, Default, Clone)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct AsPathOptionsConfig {
    allow_own_as: Option<u8>,
    replace_peer_as: Option<bool>,
}

/// GTSM (RFC 5082): `ttl-min` is the lowest TTL accepted, 255 for a
/// directly connected neighbour.
#[derive(Deserialize, Default, Clone)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct TtlSecurity {
    config: TtlSecurityConfig,
}

#[derive(Deserialize, Default, Clone)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct TtlSecurityConfig {
    enabled: bool,
    ttl_min: Option<u8>,
}

#[derive(Deserialize, Default, Clone)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RouteReflector {
    config: RouteReflectorConfig,
}

#[derive(Deserialize, Default, Clone)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RouteReflectorConfig {
    route_reflector_client: bool,
    route_reflector_cluster_id: Option<Ipv4Addr>,
}

#[derive(Deserialize, Default, Clone)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct AfiSafi {
    config: AfiSafiConfig,
    add_paths: Option<AddPathsCfg>,
}

#[derive(Deserialize, Default, Clone)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct AfiSafiConfig {
    afi_safi_name: String,
    enabled: Option<bool>,
}

#[derive(Deserialize, Default, Clone)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct AddPathsCfg {
    config: AddPathsConfig,
}

#[derive(Deserialize, Default, Clone)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct AddPathsConfig {
    receive: Option<bool>,
    send_max: Option<u8>,
}

#[derive(Deserialize, Default, Clone)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct GracefulRestartCfg {
    config: GracefulRestartConfig,
}

#[derive(Deserialize, Default, Clone)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct GracefulRestartConfig {
    enabled: bool,
    restart_time: Option<u16>,
    helper_only: Option<bool>,
}

/// Parses gobgpd.conf text; `name` prefixes error locations.
pub fn parse(name: &str, text: &str) -> Result<DaemonSpec, String> {
    let file: File = toml::from_str(text).map_err(|e| locate(name, text, &e))?;
    let unsupported = |what: &str| {
        let line = text
            .lines()
            .position(|l| l.contains(what))
            .map_or(1, |i| i + 1);
        format!("{name}:{line}:1: `{what}` is not supported by Wren yet")
    };
    let zebra = file.zebra.as_ref().map(|z| &z.config).filter(|z| z.enabled);
    let mut connected = false;
    for t in zebra
        .map(|z| z.redistribute_route_type_list.as_slice())
        .unwrap_or_default()
    {
        match t.as_str() {
            "connect" | "directly-connected" => connected = true,
            // Only connected routes can be redistributed so far.
            other => return Err(unsupported(other)),
        }
    }
    if zebra.is_some_and(|z| z.nexthop_trigger_enable == Some(true)) {
        return Err(unsupported("nexthop-trigger-enable"));
    }
    let g = &file.global.config;
    let mut peers = Vec::new();
    for n in &file.neighbors {
        let merged = match &n.config.peer_group {
            Some(pg) => {
                let Some(group) = file
                    .peer_groups
                    .iter()
                    .find(|g| g.config.peer_group_name.as_deref() == Some(pg))
                else {
                    return Err(format!("{name}: peer group `{pg}` is not defined"));
                };
                merge(group, n)
            }
            None => n.clone(),
        };
        peers.push(peer(name, g, &merged, &unsupported)?);
    }
    let mut dynamic = Vec::new();
    for d in &file.dynamic_neighbors {
        let c = &d.config;
        let prefix: Prefix = c.prefix.parse().map_err(|_| {
            format!(
                "{name}: dynamic neighbor prefix `{}` is not a prefix",
                c.prefix
            )
        })?;
        let Some(group) = file
            .peer_groups
            .iter()
            .find(|g| g.config.peer_group_name.as_deref() == Some(c.peer_group.as_str()))
        else {
            return Err(format!(
                "{name}: peer group `{}` is not defined",
                c.peer_group
            ));
        };
        let mut n = group.clone();
        n.config.neighbor_address = Some(prefix_addr(prefix));
        let mut template = peer(name, g, &n, &unsupported)?;
        // GoBGP accepts dynamic neighbours only; it never connects to them.
        template.session.passive = true;
        template.name = c.peer_group.clone();
        dynamic.push(DynamicSpec { prefix, template });
    }
    // One cluster id for the whole router (RFC 4456 §7): the first one a
    // client's route-reflector block names, else the router id. Every
    // iBGP peer needs it, because routes from clients are reflected to
    // non-clients too.
    let cluster_id = peers
        .iter()
        .find_map(|p| p.cluster_id)
        .unwrap_or(g.router_id);
    for p in peers
        .iter_mut()
        .chain(dynamic.iter_mut().map(|d| &mut d.template))
    {
        p.cluster_id = Some(cluster_id);
    }
    let (import, export) = super::gobgp_policy::compile(
        file.defined_sets.as_ref(),
        &file.policy_definitions,
        file.global.apply_policy.as_ref(),
        &unsupported,
    )
    .map_err(|e| locate_named(name, text, &e))?;
    if let Some(p) = import {
        let p: Arc<dyn wren_core::policy::Policy> = Arc::new(p);
        for s in peers
            .iter_mut()
            .chain(dynamic.iter_mut().map(|d| &mut d.template))
        {
            s.import = p.clone();
        }
    }
    if let Some(p) = export {
        if p.per_peer() && !dynamic.is_empty() {
            return Err(unsupported("neighbor-set"));
        }
        let shared: Arc<dyn wren_core::policy::Policy> = Arc::new(p.for_peer_none());
        for s in peers
            .iter_mut()
            .chain(dynamic.iter_mut().map(|d| &mut d.template))
        {
            s.export = if p.per_peer() {
                Arc::new(p.for_peer(s.address))
            } else {
                shared.clone()
            };
        }
    }
    let mut spec = DaemonSpec {
        router_id: g.router_id,
        listen_port: match g.port {
            Some(p) if p < 0 => None,
            Some(p) => {
                Some(u16::try_from(p).map_err(|_| format!("{name}: port {p} out of range"))?)
            }
            None => Some(179),
        },
        listen_address: g.local_address_list.first().copied(),
        peers,
        dynamic,
        // zebra installs BGP routes with protocol bgp and metric 20 (its
        // distance for eBGP), as seed 004's `ip route list proto bgp` shows.
        kernel: zebra.map(|_| KernelSpec {
            table: 254,
            protocol: 186,
            metric: 20,
            persist: false,
            export: Arc::new(AcceptAll),
            merge_paths: 1,
            learn: None,
            scan_time: 60,
            // zebra itself writes nexthop objects.
            nexthop_objects: true,
        }),
        // zebra's `connect`: every interface, loopback included (a
        // router's /32 on lo is the usual thing to announce); host-scope
        // addresses such as 127.0.0.1 are never connected routes.
        connected: connected.then(|| IfaceFilter(Arc::new(|_: &str| true))),
        statics: Vec::new(),
        output: Default::default(),
        symbols: Vec::new(),
        log: Vec::new(),
        bird: Arc::default(),
    };
    // What BIRD would call them: a protocol per neighbour, the two tables.
    spec.symbols = spec
        .peers
        .iter()
        .map(|p| (p.name.clone(), "protocol"))
        .chain(
            spec.dynamic
                .iter()
                .map(|d| (d.template.name.clone(), "template")),
        )
        .chain([
            ("master4".to_string(), "routing table"),
            ("master6".to_string(), "routing table"),
        ])
        .collect();
    Ok(spec)
}

/// `name:line:1: error` for a policy error that names something in
/// backticks: the line where that name first appears.
fn locate_named(name: &str, text: &str, e: &str) -> String {
    if e.starts_with(name) {
        return e.to_string();
    }
    let token = e.split('`').nth(1).unwrap_or("");
    let line = text
        .lines()
        .position(|l| !token.is_empty() && l.contains(token))
        .map_or(1, |i| i + 1);
    format!("{name}:{line}:1: {e}")
}

fn prefix_addr(p: Prefix) -> IpAddr {
    match p {
        Prefix::V4(p) => IpAddr::V4(p.addr()),
        Prefix::V6(p) => IpAddr::V6(p.addr()),
    }
}

/// A neighbour's settings over its peer group's.
fn merge(group: &Neighbor, n: &Neighbor) -> Neighbor {
    let c = &n.config;
    let gc = &group.config;
    Neighbor {
        config: NeighborConfig {
            neighbor_address: c.neighbor_address,
            neighbor_interface: c.neighbor_interface.clone(),
            peer_as: c.peer_as.or(gc.peer_as),
            local_as: c.local_as.or(gc.local_as),
            auth_password: c.auth_password.clone().or(gc.auth_password.clone()),
            peer_group: c.peer_group.clone(),
            peer_group_name: None,
            description: c.description.clone().or(gc.description.clone()),
            admin_down: c.admin_down.or(gc.admin_down),
        },
        transport: n.transport.clone().or(group.transport.clone()),
        timers: n.timers.clone().or(group.timers.clone()),
        ebgp_multihop: n.ebgp_multihop.clone().or(group.ebgp_multihop.clone()),
        ttl_security: n.ttl_security.clone().or(group.ttl_security.clone()),
        as_path_options: n.as_path_options.clone().or(group.as_path_options.clone()),
        route_reflector: n.route_reflector.clone().or(group.route_reflector.clone()),
        afi_safis: if n.afi_safis.is_empty() {
            group.afi_safis.clone()
        } else {
            n.afi_safis.clone()
        },
        graceful_restart: n
            .graceful_restart
            .clone()
            .or(group.graceful_restart.clone()),
        add_paths: n.add_paths.clone().or(group.add_paths.clone()),
    }
}

fn peer(
    name: &str,
    g: &GlobalConfig,
    n: &Neighbor,
    unsupported: &dyn Fn(&str) -> String,
) -> Result<PeerSpec, String> {
    let c = &n.config;
    // Unnumbered peers get their address when their router
    // advertisements arrive.
    let address = match (&c.neighbor_address, &c.neighbor_interface) {
        (Some(a), None) => *a,
        (None, Some(_)) => IpAddr::V6(std::net::Ipv6Addr::UNSPECIFIED),
        (Some(_), Some(i)) => {
            return Err(format!(
                "{name}: neighbor on interface {i} has a neighbor-address too"
            ))
        }
        (None, None) => {
            return Err(format!(
                "{name}: a neighbor has neither neighbor-address nor neighbor-interface"
            ))
        }
    };
    let unnumbered = c.neighbor_interface.is_some();
    let peer_as = c
        .peer_as
        .ok_or_else(|| format!("{name}: neighbor {address} has no peer-as"))?;
    let local_as = c.local_as.unwrap_or(g.asn);
    let mut s = SessionConfig::new(local_as, RemoteAs::Exact(peer_as), g.router_id);
    // GoBGP's defaults: hold 90, keepalive 30, connect retry 120 — but it
    // connects at once, without BIRD's connect delay.
    s.hold_time = 90;
    s.connect_delay_time = 0;
    s.error_wait_time = (10, 60);
    if let Some(t) = n.timers.as_ref().map(|t| &t.config) {
        if let Some(h) = t.hold_time {
            s.hold_time = h as u16;
        }
        if let Some(k) = t.keepalive_interval {
            s.keepalive_time = Some(k as u16);
        }
        if let Some(r) = t.connect_retry {
            s.connect_retry_time = (r as u32).max(1);
        }
        if let Some(w) = t.idle_hold_time_after_reset {
            s.error_wait_time = (w as u32, (w as u32).max(60));
        }
    }
    let add_path_global = n.add_paths.as_ref().map(|a| &a.config);
    let mut families = Vec::new();
    for af in &n.afi_safis {
        if af.config.enabled == Some(false) {
            continue;
        }
        let family = match af.config.afi_safi_name.as_str() {
            "ipv4-unicast" => Family::Ipv4Unicast,
            "ipv6-unicast" => Family::Ipv6Unicast,
            // Negotiated, received, kept and shown; not installed.
            "ipv4-flowspec" => {
                s.other_families.push(wren_wire::AfiSafi::new(
                    wren_wire::Afi::IPV4,
                    wren_wire::Safi::FLOWSPEC,
                ));
                continue;
            }
            other => return Err(unsupported(other)),
        };
        let ap = af.add_paths.as_ref().map(|a| &a.config).or(add_path_global);
        let add_path = ap.and_then(|a| {
            let rx = a.receive.unwrap_or(false);
            let tx = a.send_max.unwrap_or(0) > 0;
            match (rx, tx) {
                (true, true) => Some(AddPathMode::BOTH),
                (true, false) => Some(AddPathMode::RECEIVE),
                (false, true) => Some(AddPathMode::SEND),
                _ => None,
            }
        });
        families.push(FamilyConfig {
            family,
            add_path,
            // IPv4 routes over an IPv6 link-local session (RFC 8950).
            extended_next_hop: unnumbered && family == Family::Ipv4Unicast,
        });
    }
    if !families.is_empty() {
        s.families = families;
    } else if unnumbered {
        if let Some(f) = s.families.first_mut() {
            f.extended_next_hop = true;
        }
    } else if address.is_ipv6() {
        if let Some(f) = s.families.first_mut() {
            f.family = Family::Ipv6Unicast;
        }
    }
    if let Some(gr) = n.graceful_restart.as_ref().map(|g| &g.config) {
        if gr.enabled {
            s.graceful_restart = Some(GracefulRestart {
                restart_time: gr.restart_time.unwrap_or(120),
                restarting: false,
                aware_only: gr.helper_only.unwrap_or(false),
            });
        }
    }
    let t = n.transport.as_ref().map(|t| &t.config);
    s.passive = t.and_then(|t| t.passive_mode).unwrap_or(false);
    let replace_peer_as = n
        .as_path_options
        .as_ref()
        .is_some_and(|o| o.config.replace_peer_as == Some(true));
    let gtsm = n
        .ttl_security
        .as_ref()
        .filter(|t| t.config.enabled)
        .map(|t| t.config.ttl_min.unwrap_or(255));
    let rr = n.route_reflector.as_ref().map(|r| &r.config);
    let rr_client = rr.is_some_and(|r| r.route_reflector_client);
    Ok(PeerSpec {
        name: c
            .description
            .clone()
            .or_else(|| c.neighbor_interface.clone())
            .unwrap_or_else(|| address.to_string()),
        address,
        port: t.and_then(|t| t.remote_port).unwrap_or(179),
        source_address: t.and_then(|t| t.local_address),
        session: s,
        password: c.auth_password.clone(),
        multihop: match gtsm {
            // Under GTSM the hop count comes from ttl-min.
            Some(min) if min < 255 => Some((255 - min).saturating_add(1)),
            Some(_) => None,
            None => n
                .ebgp_multihop
                .as_ref()
                .filter(|m| m.config.enabled)
                .map(|m| m.config.multihop_ttl.unwrap_or(255)),
        },
        ttl_security: gtsm.is_some(),
        rr_client,
        cluster_id: rr.and_then(|r| r.route_reflector_cluster_id),
        next_hop_mode: NextHopMode::Default,
        allow_local_as: usize::from(
            n.as_path_options
                .as_ref()
                .and_then(|o| o.config.allow_own_as)
                .unwrap_or(0),
        ),
        import: Arc::new(AcceptAll),
        export: Arc::new(AcceptAll),
        import_limit: None,
        interface: c.neighbor_interface.clone(),
        debug: DebugClasses::default(),
        replace_peer_as,
    })
}

/// `file:line:column: message` from a TOML error.
fn locate(name: &str, text: &str, e: &toml::de::Error) -> String {
    let (line, col) = e.span().map_or((1, 1), |s| {
        let before = text.get(..s.start).unwrap_or("");
        let line = before.matches('\n').count() + 1;
        let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        (line, col)
    });
    format!("{name}:{line}:{col}: {}", e.message())
}
