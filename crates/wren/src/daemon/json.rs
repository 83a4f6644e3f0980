//! JSON views for `wrenc --json` (the control socket's `json show ...`
//! extension). The schema is in docs/wrenc.md; fields are only ever added.

use super::Daemon;
use serde_json::{json, Value};
use wren_core::export::export_filtered;
use wren_core::rib::Path;
use wren_core::session::State;
use wren_wire::attributes::{Origin, PathAttributes};
use wren_wire::update::NextHop;
use wren_wire::Prefix;

impl Daemon {
    /// Every BGP session.
    pub(crate) fn json_protocols(&self) -> String {
        let now = self.now();
        let peers: Vec<Value> = self
            .peers
            .iter()
            .filter(|p| !p.removed)
            .map(|p| {
                let state = p.session.state();
                let up = state == State::Established;
                json!({
                    "name": p.spec.name,
                    "neighbor": p.neighbor_address().to_string(),
                    "local_as": p.session.config().local_as,
                    "peer_as": p.up.as_ref().map(|u| u.remote.asn()),
                    "state": state.to_string(),
                    "uptime_seconds": up.then(|| now.since(p.session.since()).as_secs()),
                    "last_error": p.session.last_down().map(|d| d.to_string()),
                    "prefixes_accepted": p.stats.imported,
                    "prefixes_exported": p.stats.exported,
                    "updates_received": p.stats.updates_in,
                    "updates_sent": p.stats.updates_out,
                    "flaps": p.stats.flaps,
                })
            })
            .collect();
        json!({ "protocols": peers }).to_string()
    }

    /// The table, or one prefix of it; best path first.
    pub(crate) fn json_routes(&self, only: Option<Prefix>) -> String {
        let mut nets: Vec<Prefix> = match only {
            Some(p) => vec![p],
            None => self.table.iter().map(|(k, _)| k).collect(),
        };
        nets.sort_unstable();
        let routes: Vec<Value> = nets
            .iter()
            .filter_map(|n| self.table.get(n).map(|e| (n, e)))
            .map(|(n, e)| {
                let paths: Vec<Value> = e
                    .paths
                    .iter()
                    .enumerate()
                    .map(|(i, p)| {
                        let from = self.sources.get(p.source).map(|s| s.name.as_str());
                        path_json(&p.attrs, p.next_hop(), from, i == 0 && p.reachable, p.stale)
                    })
                    .collect();
                json!({ "prefix": n.to_string(), "paths": paths })
            })
            .collect();
        json!({ "routes": routes }).to_string()
    }

    /// What the table sends peer `name` (or the peer at that address)
    /// now: each best path after the export rules and the export filter,
    /// as `json_routes` shapes it. `None` unless the session is up.
    pub(crate) fn json_adj_out(&self, name: &str) -> Option<String> {
        let p = self
            .peers
            .iter()
            .filter(|p| !p.removed)
            .find(|p| p.spec.name == name || p.neighbor_address().to_string() == name)?;
        let up = p.up.as_ref()?;
        let mut nets: Vec<(Prefix, &Path)> = self
            .table
            .iter()
            .filter_map(|(k, e)| e.best().map(|b| (k, b)))
            .collect();
        nets.sort_unstable_by_key(|(k, _)| *k);
        let routes: Vec<Value> = nets
            .into_iter()
            .filter_map(|(prefix, path)| {
                let src = self.sources.get(path.source)?;
                let (modified, filter_nh) = self.offer(p, prefix, path)??;
                let filtered = modified.as_ref().unwrap_or(&path.attrs);
                let family = super::show_route::family_of(prefix);
                let (a, nh) = export_filtered(path, filtered, filter_nh, src, &up.target, family)?;
                Some(json!({
                    "prefix": prefix.to_string(),
                    "paths": [path_json(&a, Some(nh), Some(&src.name), true, false)],
                }))
            })
            .collect();
        Some(json!({ "routes": routes }).to_string())
    }
}

/// One path in the shape docs/wrenc.md gives, for the table and adj-out
/// views alike.
fn path_json(
    a: &PathAttributes,
    next_hop: Option<NextHop>,
    from: Option<&str>,
    best: bool,
    stale: bool,
) -> Value {
    json!({
        "best": best,
        "from": from,
        "next_hop": next_hop.map(|h| match h {
            NextHop::V4(a) => a.to_string(),
            NextHop::V6 { global, .. } => global.to_string(),
        }),
        "as_path": a.as_path.as_ref().map(|p| p.to_string()).unwrap_or_default(),
        "origin": match a.origin {
            Some(Origin::Igp) | None => "igp",
            Some(Origin::Egp) => "egp",
            Some(Origin::Incomplete) => "incomplete",
        },
        "local_pref": a.local_pref,
        "med": a.med,
        "communities": a.communities.iter().map(|c| c.to_string()).collect::<Vec<_>>(),
        "large_communities": a.large_communities.iter().map(|c| c.to_string()).collect::<Vec<_>>(),
        "stale": stale,
    })
}
