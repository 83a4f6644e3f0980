//! What a BGP session needs to know about its peer, with BIRD's defaults.
//!
//! The daemon maps its configuration (BIRD dialect or GoBGP TOML) onto
//! this; the session itself knows nothing of config files.

use std::net::Ipv4Addr;
use wren_wire::capability::AddPathMode;
use wren_wire::Family;

/// The AS a peer must present in its OPEN.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RemoteAs {
    /// Exactly this AS.
    Exact(u32),
    /// Our own AS (BIRD `neighbor … internal`).
    Internal,
    /// Any AS but ours (BIRD `neighbor … external`).
    External,
}

/// Graceful restart settings (RFC 4724).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GracefulRestart {
    /// Restart time we advertise, seconds (BIRD default 120).
    pub restart_time: u16,
    /// We are restarting now: set the R bit and keep forwarding state.
    pub restarting: bool,
    /// Only helper ("aware"): advertise the capability without families.
    pub aware_only: bool,
}

/// One family of the session and whether it uses ADD-PATH.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FamilyConfig {
    /// The family.
    pub family: Family,
    /// ADD-PATH directions we offer, if any.
    pub add_path: Option<AddPathMode>,
    /// Offer IPv6 next hops for this (IPv4) family (RFC 8950).
    pub extended_next_hop: bool,
}

/// Configuration of one session. Times are in seconds; the defaults are
/// BIRD 2's, so a BIRD config that leaves a timer unset behaves the same.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SessionConfig {
    /// Our AS.
    pub local_as: u32,
    /// The AS the peer must have.
    pub remote_as: RemoteAs,
    /// Our BGP identifier.
    pub router_id: Ipv4Addr,
    /// Hold time we propose (BIRD `hold time`, default 240).
    pub hold_time: u16,
    /// Keepalive interval; `None` means a third of the negotiated hold time.
    pub keepalive_time: Option<u16>,
    /// Hold time while waiting for the peer's OPEN (BIRD `startup hold
    /// time`, default 240; RFC 4271 suggests 4 minutes).
    pub startup_hold_time: u16,
    /// Delay before the first outgoing connection (`connect delay time`, 5).
    pub connect_delay_time: u32,
    /// Delay between outgoing attempts (`connect retry time`, 120).
    pub connect_retry_time: u32,
    /// After an error, wait this long before starting again; doubles on
    /// repeated errors up to the maximum (`error wait time`, 60, 300).
    pub error_wait_time: (u32, u32),
    /// An error this long after the previous one resets the backoff
    /// (`error forget time`, 300).
    pub error_forget_time: u32,
    /// Wait for the peer's OPEN this long before sending ours (RFC 4271
    /// DelayOpen); `None` sends at once.
    pub delay_open_time: Option<u32>,
    /// Never connect out; only accept (BIRD `passive`).
    pub passive: bool,
    /// Families, in the order their capabilities are sent.
    pub families: Vec<FamilyConfig>,
    /// Families whose NLRI are not prefixes (FlowSpec), offered after
    /// those: their routes are kept and shown by the daemon, not routed.
    pub other_families: Vec<wren_wire::AfiSafi>,
    /// Advertise route refresh (RFC 2918) and enhanced route refresh.
    pub route_refresh: bool,
    /// Advertise 4-octet AS support (BIRD `enable as4`, default on).
    pub four_octet_as: bool,
    /// Advertise extended messages (BIRD `enable extended messages`, off).
    pub extended_message: bool,
    /// Graceful restart, when enabled.
    pub graceful_restart: Option<GracefulRestart>,
    /// Close a connection we cannot write to for this long (RFC 9687 send
    /// hold timer); `None` uses max(8 minutes, twice the hold time).
    pub send_hold_time: Option<u32>,
}

impl SessionConfig {
    /// A session with BIRD's defaults, IPv4 unicast only.
    pub fn new(local_as: u32, remote_as: RemoteAs, router_id: Ipv4Addr) -> Self {
        SessionConfig {
            local_as,
            remote_as,
            router_id,
            hold_time: 240,
            keepalive_time: None,
            startup_hold_time: 240,
            connect_delay_time: 5,
            connect_retry_time: 120,
            error_wait_time: (60, 300),
            error_forget_time: 300,
            delay_open_time: None,
            passive: false,
            families: vec![FamilyConfig {
                family: Family::Ipv4Unicast,
                add_path: None,
                extended_next_hop: false,
            }],
            other_families: Vec::new(),
            route_refresh: true,
            four_octet_as: true,
            extended_message: false,
            graceful_restart: None,
            send_hold_time: None,
        }
    }

    /// Whether `asn` is acceptable as the peer's AS.
    pub fn accepts_as(&self, asn: u32) -> bool {
        match self.remote_as {
            RemoteAs::Exact(a) => a == asn,
            RemoteAs::Internal => asn == self.local_as,
            RemoteAs::External => asn != self.local_as,
        }
    }
}
