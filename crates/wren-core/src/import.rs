//! What arriving routes must pass before any filter: loop detection
//! (RFC 4271 §9.1.2, RFC 4456 §8) and the attributes a session type may
//! not carry.

use std::net::Ipv4Addr;
use wren_wire::attributes::PathAttributes;

/// The receiving side of a session.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ImportRules {
    /// Our AS on the session.
    pub local_as: u32,
    /// Our router id.
    pub router_id: Ipv4Addr,
    /// Our cluster id when we reflect routes (RFC 4456).
    pub cluster_id: Option<Ipv4Addr>,
    /// How often our AS may appear in a path (BIRD `allow local as N`).
    pub allow_local_as: usize,
    /// Internal session.
    pub ibgp: bool,
}

/// Why a route was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refused {
    /// Our AS is in the AS_PATH.
    AsLoop,
    /// ORIGINATOR_ID is our router id.
    OriginatorLoop,
    /// Our cluster id is in the CLUSTER_LIST.
    ClusterLoop,
}

impl ImportRules {
    /// Checks for loops; `Err` means the route is ignored (as if withdrawn).
    pub fn check(&self, a: &PathAttributes) -> Result<(), Refused> {
        if let Some(p) = &a.as_path {
            if p.count(self.local_as) > self.allow_local_as {
                return Err(Refused::AsLoop);
            }
        }
        if self.ibgp {
            if a.originator_id == Some(self.router_id) {
                return Err(Refused::OriginatorLoop);
            }
            if let Some(c) = self.cluster_id {
                if a.cluster_list.contains(&c) {
                    return Err(Refused::ClusterLoop);
                }
            }
        }
        Ok(())
    }

    /// Whether `a` carries something an external peer may not set:
    /// LOCAL_PREF (RFC 4271 §5.1.5), ORIGINATOR_ID and CLUSTER_LIST
    /// (RFC 4456 §8). [`ImportRules::sanitize`] removes it.
    pub fn needs_sanitizing(&self, a: &PathAttributes) -> bool {
        !self.ibgp
            && (a.local_pref.is_some() || a.originator_id.is_some() || !a.cluster_list.is_empty())
    }

    /// Removes what [`ImportRules::needs_sanitizing`] found.
    pub fn sanitize(&self, a: &mut PathAttributes) {
        if !self.ibgp {
            a.local_pref = None;
            a.originator_id = None;
            a.cluster_list.clear();
        }
    }
}
