//! The BIRD dialect (1.x and 2.x, as wren-config reads it) mapped onto
//! what the daemon runs. wren-config keeps every option with where it was
//! written; here each becomes a session setting, or an error at that
//! place when Wren cannot honour it yet.

use crate::daemon::debug::DebugClasses;
use crate::daemon::spec::{
    DaemonSpec, DynamicSpec, Generation, IfaceFilter, KernelSpec, PeerSpec, StaticDest, StaticSpec,
};
use std::net::IpAddr;
use std::sync::Arc;
use wren_config::model::{
    AddPaths, Afi, Bgp, ChannelOpts, DebugFlags, FilterSpec, GracefulRestart as Gr, Hop, Learn,
    NextHopMode as Nh, PeerAs, Protocol, ProtocolKind, StaticTarget,
};
use wren_config::{Config, OptionValue, Spanned};
use wren_core::export::NextHopMode;
use wren_core::policy::{Policy, RejectAll};
use wren_core::session::{FamilyConfig, GracefulRestart, RemoteAs, SessionConfig};
use wren_wire::capability::AddPathMode;
use wren_wire::Family;

/// `at: what is not supported by Wren yet`.
fn unsupported<T>(s: &Spanned<T>, what: &str) -> String {
    format!("{}: {what} is not supported by Wren yet", s.span)
}

/// An option Wren does not honour yet: an error at its place if written.
fn refuse<T>(o: &Option<Spanned<T>>, what: &str) -> Result<(), String> {
    match o {
        Some(s) => Err(unsupported(s, what)),
        None => Ok(()),
    }
}

/// Maps a parsed BIRD configuration.
pub fn map(cfg: &Config) -> Result<DaemonSpec, String> {
    if let Some(f) = &cfg.router_id_from {
        return Err(unsupported(f, "`router id from`"));
    }
    let router_id = *cfg
        .router_id
        .val()
        .ok_or("the configuration has no `router id`")?;
    let listen = cfg.listen_bgp.val();
    let mut spec = DaemonSpec {
        router_id,
        listen_port: Some(listen.and_then(|l| l.port).unwrap_or(179)),
        listen_address: listen.and_then(|l| l.address),
        peers: Vec::new(),
        dynamic: Vec::new(),
        kernel: None,
        connected: None,
        statics: Vec::new(),
        // A configuration without a channel block anywhere is written for
        // BIRD 1.x (seed 000, Calico's confd output), and its users' tools
        // read 1.x's output.
        output: if cfg
            .protocols
            .iter()
            .chain(&cfg.templates)
            .any(|p| !p.channels.is_empty())
        {
            Generation::Bird2
        } else {
            Generation::Bird1
        },
        symbols: symbols(cfg),
        log: cfg.log.iter().map(|l| l.value.clone()).collect(),
        bird: Arc::new(cfg.clone()),
    };
    for p in &cfg.protocols {
        if p.disabled.val() == Some(&true) {
            continue;
        }
        match &p.kind {
            ProtocolKind::Bgp(b) => bgp(&mut spec, p, b, &cfg.debug_protocols)?,
            ProtocolKind::Kernel(k) => {
                if spec.kernel.is_some() {
                    return Err(unsupported(&p.name, "a second `protocol kernel`"));
                }
                if let Some(d) = k.device_routes.as_ref().filter(|d| d.value) {
                    return Err(unsupported(
                        d,
                        "`device routes` (direct routes into the kernel)",
                    ));
                }
                // `graceful restart`: under `wrend -R` our kernel routes
                // stay through recovery and are reconciled without being
                // removed and re-added, with or without it.
                let ch = p.channel_for(Afi::Ipv4).unwrap_or_default();
                spec.kernel = Some(KernelSpec {
                    table: k.kernel_table.val().copied().unwrap_or(254),
                    protocol: 12,
                    metric: k.metric.val().copied().unwrap_or(32),
                    persist: k.persist.val().copied().unwrap_or(false),
                    export: policy(&ch, false, false),
                    merge_paths: match k.merge_paths.val() {
                        Some(m) if m.on => m.limit.map_or(16, |l| l as usize).max(1),
                        _ => 1,
                    },
                    learn: match k.learn.val() {
                        Some(Learn::On) => Some(false),
                        Some(Learn::All) => Some(true),
                        Some(Learn::Off) | None => None,
                    },
                    scan_time: k.scan_time_or_default(),
                    nexthop_objects: k.nexthop_objects.val().copied().unwrap_or(true),
                });
            }
            ProtocolKind::Device(_) => {}
            ProtocolKind::Direct(d) => {
                let d = d.clone();
                spec.connected = Some(IfaceFilter(Arc::new(move |name: &str| d.accepts(name))));
            }
            ProtocolKind::Static(s) => {
                for r in &s.routes {
                    let dest = match &r.value.target {
                        StaticTarget::Via(v) if v.len() == 1 => {
                            StaticDest::Via(*v.first().ok_or("empty via")?)
                        }
                        StaticTarget::Blackhole => StaticDest::Blackhole,
                        StaticTarget::Unreachable => StaticDest::Unreachable,
                        StaticTarget::Prohibit => StaticDest::Prohibit,
                        _ => return Err(unsupported(r, "this kind of static route")),
                    };
                    spec.statics.push(StaticSpec {
                        prefix: r.value.prefix,
                        dest,
                        attrs: r
                            .value
                            .attrs
                            .clone()
                            .map(|f| Arc::new(Statements(f)) as Arc<dyn wren_core::policy::Policy>),
                    });
                }
            }
        }
    }
    Ok(spec)
}

/// A session's filter in one direction: its channel's, or, when its
/// `ipv4` and `ipv6` channels differ, each family's own.
fn channel_policies(p: &Protocol, afis: &[Afi], import: bool) -> Arc<dyn Policy> {
    let of = |afi: Afi| policy(&p.channel_for(afi).unwrap_or_default(), import, import);
    match afis {
        [a, b, ..] if a != b => {
            let (v4, v6) = (of(Afi::Ipv4), of(Afi::Ipv6));
            if format!("{v4:?}") == format!("{v6:?}") {
                v4
            } else {
                Arc::new(wren_core::policy::PerFamily { v4, v6 })
            }
        }
        [a, ..] => of(*a),
        [] => of(Afi::Ipv4),
    }
}

/// The filter of a channel direction; BIRD's defaults are `import all`
/// and `export none`.
fn policy(ch: &ChannelOpts, import: bool, default_all: bool) -> Arc<dyn Policy> {
    let f = if import { &ch.import } else { &ch.export };
    match f.val() {
        Some(f) => f.policy(),
        None if default_all => FilterSpec::All.policy(),
        None => Arc::new(RejectAll),
    }
}

fn bgp(
    spec: &mut DaemonSpec,
    p: &Protocol,
    b: &Bgp,
    debug_all: &Option<Spanned<DebugFlags>>,
) -> Result<(), String> {
    if let Some(i) = &b.interface {
        return Err(unsupported(i, "a BGP session on an interface (unnumbered)"));
    }
    refuse(&b.default_local_pref, "`default bgp_local_pref`")?;
    refuse(&b.default_med, "`default bgp_med`")?;
    refuse(&b.deterministic_med, "`deterministic med`")?;
    refuse(&b.prefer_older, "`prefer older`")?;
    refuse(&b.med_metric, "`med metric`")?;
    refuse(&b.igp_metric, "`igp metric`")?;
    refuse(&b.advertise_ipv4, "`advertise ipv4`")?;
    for (opt, what) in [
        (&b.enable_as4, "`enable as4 off`"),
        (&b.capabilities, "`capabilities off`"),
        (&b.enable_route_refresh, "`enable route refresh off`"),
        (&b.interpret_communities, "`interpret communities off`"),
    ] {
        if let Some(s) = opt.as_ref().filter(|s| !s.value) {
            return Err(unsupported(s, what));
        }
    }
    let local_as = *b
        .local_as
        .val()
        .ok_or_else(|| format!("{}: protocol {} has no `local as`", p.span, p.name.value))?;
    let n = b
        .neighbor
        .as_ref()
        .ok_or_else(|| format!("{}: protocol {} has no `neighbor`", p.span, p.name.value))?;
    let remote = match n.value.asn {
        Some(PeerAs::Num(a)) => RemoteAs::Exact(a),
        Some(PeerAs::Internal) => RemoteAs::Internal,
        Some(PeerAs::External) => RemoteAs::External,
        None => return Err(format!("{}: the neighbor has no AS", n.span)),
    };
    let mut s = SessionConfig::new(local_as, remote, spec.router_id);
    if let Some(&h) = b.hold_time.val() {
        s.hold_time = u16::try_from(h).map_err(|_| format!("{}: hold time too large", p.span))?;
    }
    if let Some(&k) = b.keepalive_time.val() {
        s.keepalive_time = u16::try_from(k).ok();
    }
    if let Some(&h) = b.send_hold_time.val() {
        s.send_hold_time = Some(h);
    }
    if let Some(&h) = b.startup_hold_time.val() {
        s.startup_hold_time = u16::try_from(h).unwrap_or(u16::MAX);
    }
    if let Some(&d) = b.connect_delay_time.val() {
        s.connect_delay_time = d;
    }
    if let Some(&r) = b.connect_retry_time.val() {
        s.connect_retry_time = r.max(1);
    }
    if let Some(&w) = b.error_wait_time.val() {
        s.error_wait_time = w;
    }
    if let Some(&f) = b.error_forget_time.val() {
        s.error_forget_time = f;
    }
    s.passive = b.passive.val().copied().unwrap_or(false);
    s.graceful_restart = match b.graceful_restart.val() {
        Some(Gr::Off) => None,
        Some(Gr::On) => Some(GracefulRestart {
            restart_time: b
                .graceful_restart_time
                .val()
                .map_or(120, |&t| u16::try_from(t).unwrap_or(4095)),
            restarting: false,
            aware_only: false,
        }),
        // BIRD's default: aware (the capability without restart support).
        Some(Gr::Aware) | None => Some(GracefulRestart {
            restart_time: 120,
            restarting: false,
            aware_only: true,
        }),
    };
    // Families: BIRD 2 channel blocks; a BIRD 1.x protocol has one
    // implicit channel of the neighbour's family.
    let v6 = n
        .value
        .address
        .or(n.value.range.map(|r| match r {
            wren_wire::Prefix::V4(p) => IpAddr::V4(p.addr()),
            wren_wire::Prefix::V6(p) => IpAddr::V6(p.addr()),
        }))
        .is_some_and(|a| a.is_ipv6());
    let afis: Vec<Afi> = if p.channels.is_empty() {
        vec![if v6 { Afi::Ipv6 } else { Afi::Ipv4 }]
    } else {
        p.channels.iter().map(|c| c.afi.value).collect()
    };
    let mut families = Vec::new();
    let mut first: Option<ChannelOpts> = None;
    for &afi in &afis {
        let ch = p.channel_for(afi).unwrap_or_default();
        let add_path = match ch.add_paths.val() {
            Some(AddPaths::Rx) => Some(AddPathMode::RECEIVE),
            Some(AddPaths::Tx) => Some(AddPathMode::SEND),
            Some(AddPaths::On) => Some(AddPathMode::BOTH),
            Some(AddPaths::Off) | None => None,
        };
        families.push(FamilyConfig {
            family: if afi == Afi::Ipv6 {
                Family::Ipv6Unicast
            } else {
                Family::Ipv4Unicast
            },
            add_path,
            extended_next_hop: ch.extended_next_hop.val().copied().unwrap_or(false),
        });
        first.get_or_insert(ch);
    }
    s.families = families;
    let ch = first.unwrap_or_default();
    let next_hop_mode = match ch.next_hop.val() {
        Some(Nh::SelfOn(true)) => NextHopMode::SelfAlways,
        Some(Nh::Keep(true)) => NextHopMode::Keep,
        Some(Nh::SelfOn(false) | Nh::Keep(false)) | None => NextHopMode::Default,
        Some(Nh::Address(_)) => {
            return Err(unsupported(
                ch.next_hop.as_ref().ok_or("next hop")?,
                "`next hop address`",
            ))
        }
    };
    let peer = PeerSpec {
        name: p.name.value.clone(),
        address: n
            .value
            .address
            .unwrap_or(IpAddr::V4(std::net::Ipv4Addr::UNSPECIFIED)),
        port: n.value.port.unwrap_or(179),
        source_address: b.source_address.val().or(b.local_address.val()).copied(),
        session: s,
        password: b.password.val().cloned(),
        multihop: match b.hop.val() {
            Some(Hop::Multihop(t)) => Some(t.unwrap_or(64)),
            Some(Hop::Direct) | None => None,
        },
        ttl_security: b.ttl_security.val().copied().unwrap_or(false),
        rr_client: b.rr_client.val().copied().unwrap_or(false),
        cluster_id: Some(b.rr_cluster_id.val().copied().unwrap_or(spec.router_id)),
        next_hop_mode,
        allow_local_as: match b.allow_local_as.val() {
            Some(Some(n)) => *n as usize,
            Some(None) => usize::MAX,
            None => 0,
        },
        import: channel_policies(p, &afis, true),
        export: channel_policies(p, &afis, false),
        import_limit: ch
            .import_limit
            .val()
            .and_then(|l| l.limit)
            .map(|l| l as usize),
        interface: None,
        debug: p
            .debug
            .val()
            .or(debug_all.val())
            .map(DebugClasses::of)
            .unwrap_or_default(),
        replace_peer_as: false,
    };
    match n.value.range {
        Some(prefix) => spec.dynamic.push(DynamicSpec {
            prefix,
            template: PeerSpec {
                session: SessionConfig {
                    passive: true,
                    ..peer.session.clone()
                },
                ..peer
            },
        }),
        None => spec.peers.push(peer),
    }
    Ok(())
}

/// A static route's attribute block: statements, not a filter, so running
/// off its end keeps the route (a filter would reject it).
#[derive(Debug)]
struct Statements(Arc<wren_config::filter::Filter>);

impl wren_core::policy::Policy for Statements {
    fn run(&self, route: &mut wren_core::policy::RouteView<'_>) -> bool {
        let mut print = |s: &str| tracing::info!(target: "wren::filter", "{s}");
        !matches!(
            self.0.run_with(route, &mut print),
            wren_config::filter::Verdict::Reject | wren_config::filter::Verdict::Error(_)
        )
    }
}

/// The names a BIRD configuration defines, as `show symbols` lists them.
fn symbols(cfg: &wren_config::Config) -> Vec<(String, &'static str)> {
    let tables = ["master4", "master6"]
        .into_iter()
        .map(str::to_string)
        .chain(cfg.tables.iter().map(|t| t.value.name.clone()));
    cfg.protocols
        .iter()
        .map(|p| (p.name.value.clone(), "protocol"))
        .chain(
            cfg.templates
                .iter()
                .map(|p| (p.name.value.clone(), "template")),
        )
        .chain(cfg.filters.iter().map(|f| (f.name().to_string(), "filter")))
        .chain(
            cfg.functions
                .iter()
                .map(|f| (f.name().to_string(), "function")),
        )
        .chain(
            cfg.defines
                .iter()
                .map(|d| (d.value.name.clone(), "constant")),
        )
        .chain(tables.map(|t| (t, "routing table")))
        .collect()
}
