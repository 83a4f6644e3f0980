//! Our OPEN, and the checks a peer's OPEN must pass (RFC 4271 §6.2).

use super::config::SessionConfig;
use wren_wire::capability::{Capability, GracefulRestartFamily};
use wren_wire::notification::{code, open_error};
use wren_wire::open::Open;
use wren_wire::{Afi, Notification};

/// Builds our OPEN. `bare` leaves out every capability: BIRD's answer to a
/// peer that rejected our optional parameters (an RFC 3392-era speaker).
pub fn local_open(cfg: &SessionConfig, bare: bool) -> Open {
    let mut caps = Vec::new();
    if !bare {
        for f in &cfg.families {
            caps.push(Capability::Multiprotocol(f.family.afi_safi()));
        }
        for a in &cfg.other_families {
            caps.push(Capability::Multiprotocol(*a));
        }
        if cfg.route_refresh {
            caps.push(Capability::RouteRefresh);
        }
        let enh: Vec<_> = cfg
            .families
            .iter()
            .filter(|f| f.extended_next_hop && !f.family.is_ipv6())
            .map(|f| (f.family.afi_safi(), Afi::IPV6))
            .collect();
        if !enh.is_empty() {
            caps.push(Capability::ExtendedNextHop(enh));
        }
        if cfg.extended_message {
            caps.push(Capability::ExtendedMessage);
        }
        if let Some(gr) = cfg.graceful_restart {
            let families = if gr.aware_only {
                Vec::new()
            } else {
                cfg.families
                    .iter()
                    .map(|f| GracefulRestartFamily {
                        afi_safi: f.family.afi_safi(),
                        flags: if gr.restarting { 0x80 } else { 0 },
                    })
                    .collect()
            };
            caps.push(Capability::GracefulRestart {
                flags: if gr.restarting { 0x8 } else { 0 },
                time: gr.restart_time.min(4095),
                families,
            });
        }
        if cfg.four_octet_as {
            caps.push(Capability::FourOctetAs(cfg.local_as));
        }
        let add_path: Vec<_> = cfg
            .families
            .iter()
            .filter_map(|f| f.add_path.map(|m| (f.family.afi_safi(), m)))
            .collect();
        if !add_path.is_empty() {
            caps.push(Capability::AddPath(add_path));
        }
        if cfg.route_refresh {
            caps.push(Capability::EnhancedRouteRefresh);
        }
    }
    let mut open = Open::new(cfg.local_as, cfg.hold_time, cfg.router_id, caps);
    if bare {
        open.params.clear();
    }
    open
}

fn reject(subcode: u8) -> Notification {
    Notification::new(code::OPEN_MESSAGE, subcode, Vec::new())
}

/// Checks the peer's OPEN against the session; `Err` is the NOTIFICATION
/// to send. Returns the negotiated hold time.
pub fn check_remote_open(cfg: &SessionConfig, open: &Open) -> Result<u16, Notification> {
    let asn = open.asn();
    if !cfg.accepts_as(asn) {
        let mut data = Vec::new();
        data.extend_from_slice(&open.my_as.to_be_bytes());
        return Err(Notification::new(
            code::OPEN_MESSAGE,
            open_error::BAD_PEER_AS,
            data,
        ));
    }
    // RFC 6286 §2.2: the identifier must be non-zero, and on iBGP differ
    // from ours.
    let id = open.bgp_id;
    if id.is_unspecified() || (asn == cfg.local_as && id == cfg.router_id) {
        return Err(reject(open_error::BAD_BGP_IDENTIFIER));
    }
    if open.hold_time == 1 || open.hold_time == 2 {
        return Err(reject(open_error::UNACCEPTABLE_HOLD_TIME));
    }
    Ok(cfg.hold_time.min(open.hold_time))
}
