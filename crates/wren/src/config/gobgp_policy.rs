//! GoBGP's routing policy: `[defined-sets]` (prefix, neighbor and
//! community sets), `[[policy-definitions]]` and the global
//! `[global.apply-policy]`, compiled into the core's [`Policy`] objects.
//!
//! GoBGP's evaluation: the statements of the listed policies in order;
//! the first whose conditions all hold applies its actions, and its
//! route disposition (`accept-route`, `reject-route`) ends the walk, while
//! `none` goes on to the next statement; past the last one the default
//! policy decides. A neighbor-set condition names the peer a route came
//! from on import and the peer it goes to on export, so an export policy
//! with one is built per peer (the others are shared, which keeps update
//! groups whole).

use serde::Deserialize;
use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Arc;
use wren_core::policy::{Policy, RouteView};
use wren_wire::attributes::Community;
use wren_wire::Prefix;

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(super) struct DefinedSets {
    #[serde(default)]
    prefix_sets: Vec<PrefixSet>,
    #[serde(default)]
    neighbor_sets: Vec<NeighborSet>,
    bgp_defined_sets: Option<BgpDefinedSets>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct PrefixSet {
    prefix_set_name: String,
    #[serde(default)]
    prefix_list: Vec<PrefixItem>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct PrefixItem {
    ip_prefix: String,
    masklength_range: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct NeighborSet {
    neighbor_set_name: String,
    #[serde(default)]
    neighbor_info_list: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct BgpDefinedSets {
    #[serde(default)]
    community_sets: Vec<CommunitySet>,
    as_path_sets: Option<toml::Value>,
    ext_community_sets: Option<toml::Value>,
    large_community_sets: Option<toml::Value>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct CommunitySet {
    community_set_name: String,
    #[serde(default)]
    community_list: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(super) struct PolicyDefinition {
    name: String,
    #[serde(default)]
    statements: Vec<Statement>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct Statement {
    #[allow(dead_code)]
    name: Option<String>,
    #[serde(default)]
    conditions: Conditions,
    #[serde(default)]
    actions: Actions,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct Conditions {
    match_prefix_set: Option<MatchPrefixSet>,
    match_neighbor_set: Option<MatchNeighborSet>,
    bgp_conditions: Option<BgpConditions>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct MatchPrefixSet {
    prefix_set: String,
    match_set_options: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct MatchNeighborSet {
    neighbor_set: String,
    match_set_options: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct BgpConditions {
    match_community_set: Option<MatchCommunitySet>,
    match_as_path_set: Option<toml::Value>,
    match_ext_community_set: Option<toml::Value>,
    match_large_community_set: Option<toml::Value>,
    as_path_length: Option<toml::Value>,
    route_type: Option<toml::Value>,
    rpki_validation_result: Option<toml::Value>,
    next_hop_in_list: Option<toml::Value>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct MatchCommunitySet {
    community_set: String,
    match_set_options: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct Actions {
    route_disposition: Option<String>,
    bgp_actions: Option<BgpActions>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct BgpActions {
    set_med: Option<toml::Value>,
    set_local_pref: Option<u32>,
    set_as_path_prepend: Option<Prepend>,
    set_community: Option<SetCommunity>,
    set_next_hop: Option<toml::Value>,
    set_ext_community: Option<toml::Value>,
    set_large_community: Option<toml::Value>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct Prepend {
    #[serde(rename = "as")]
    asn: toml::Value,
    repeat_n: Option<u8>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct SetCommunity {
    options: String,
    set_community_method: SetCommunityMethod,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct SetCommunityMethod {
    #[serde(default)]
    communities_list: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(super) struct ApplyPolicy {
    config: ApplyPolicyConfig,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct ApplyPolicyConfig {
    #[serde(default)]
    import_policy_list: Vec<String>,
    default_import_policy: Option<String>,
    #[serde(default)]
    export_policy_list: Vec<String>,
    default_export_policy: Option<String>,
}

/// A prefix-set entry: routes inside `net` with a length in `lens`.
#[derive(Clone, Debug, PartialEq)]
struct Range {
    net: Prefix,
    lens: (u8, u8),
}

/// How a set condition matches.
#[derive(Clone, Copy, Debug, PartialEq)]
enum SetMatch {
    Any,
    All,
    Invert,
}

/// What `set-community` does.
#[derive(Clone, Copy, Debug, PartialEq)]
enum CommunityOp {
    Add,
    Remove,
    Replace,
}

/// A compiled statement.
#[derive(Clone, Debug, Default, PartialEq)]
struct Compiled {
    prefixes: Option<(Vec<Range>, SetMatch)>,
    neighbors: Option<(Vec<Prefix>, SetMatch)>,
    communities: Option<(Vec<Community>, SetMatch)>,
    /// `Some(true)` accept, `Some(false)` reject, `None` go on.
    disposition: Option<bool>,
    /// (relative, value): `+N`/`-N` or `N`.
    med: Option<(bool, i64)>,
    local_pref: Option<u32>,
    prepend: Option<(u32, u8)>,
    community: Option<(CommunityOp, Vec<Community>)>,
}

/// The global import or export policy of a GoBGP configuration.
#[derive(Debug, PartialEq)]
pub struct GobgpPolicy {
    names: Vec<String>,
    statements: Arc<Vec<Compiled>>,
    default_accept: bool,
    /// The peer routes go to (export policies with neighbor conditions).
    to: Option<IpAddr>,
}

impl GobgpPolicy {
    /// Whether a neighbor-set condition makes this policy depend on the
    /// peer it exports to.
    pub fn per_peer(&self) -> bool {
        self.statements.iter().any(|s| s.neighbors.is_some())
    }

    /// This export policy for routes going to `to`.
    pub fn for_peer(&self, to: IpAddr) -> GobgpPolicy {
        GobgpPolicy {
            to: Some(to),
            ..self.for_peer_none()
        }
    }

    /// A copy without a destination (shared by every peer).
    pub fn for_peer_none(&self) -> GobgpPolicy {
        GobgpPolicy {
            names: self.names.clone(),
            statements: self.statements.clone(),
            default_accept: self.default_accept,
            to: None,
        }
    }
}

impl Compiled {
    fn matches(&self, r: &RouteView<'_>, neighbor: Option<IpAddr>) -> bool {
        let set = |hit: bool, all: bool, m: SetMatch| match m {
            SetMatch::Any => hit,
            SetMatch::All => all,
            SetMatch::Invert => !hit,
        };
        if let Some((ranges, m)) = &self.prefixes {
            let hit = ranges.iter().any(|x| {
                x.net.is_ipv6() == r.prefix.is_ipv6()
                    && (x.lens.0..=x.lens.1).contains(&r.prefix.len())
                    && x.net.contains(first_address(r.prefix))
            });
            if !set(hit, hit, *m) {
                return false;
            }
        }
        if let Some((nets, m)) = &self.neighbors {
            let hit = neighbor.is_some_and(|a| nets.iter().any(|n| n.contains(a)));
            if !set(hit, hit, *m) {
                return false;
            }
        }
        if let Some((cs, m)) = &self.communities {
            let have = &r.attrs().communities;
            let hit = cs.iter().any(|c| have.contains(c));
            let all = cs.iter().all(|c| have.contains(c));
            if !set(hit, all, *m) {
                return false;
            }
        }
        true
    }

    fn apply(&self, r: &mut RouteView<'_>) {
        if let Some((relative, v)) = self.med {
            let old = i64::from(r.attrs().med.unwrap_or(0));
            let new = if relative { old + v } else { v };
            r.attrs_mut().med = Some(u32::try_from(new.clamp(0, i64::from(u32::MAX))).unwrap_or(0));
        }
        if let Some(lp) = self.local_pref {
            r.attrs_mut().local_pref = Some(lp);
        }
        if let Some((asn, n)) = self.prepend {
            let a = r.attrs_mut();
            let path = a
                .as_path
                .get_or_insert_with(|| wren_wire::attributes::AsPath::sequence(&[]));
            for _ in 0..n {
                path.prepend(asn);
            }
        }
        if let Some((op, cs)) = &self.community {
            let list = &mut r.attrs_mut().communities;
            match op {
                CommunityOp::Add => {
                    for c in cs {
                        if !list.contains(c) {
                            list.push(*c);
                        }
                    }
                }
                CommunityOp::Remove => list.retain(|c| !cs.contains(c)),
                CommunityOp::Replace => *list = cs.clone(),
            }
        }
    }
}

fn first_address(p: Prefix) -> IpAddr {
    match p {
        Prefix::V4(x) => IpAddr::V4(x.addr()),
        Prefix::V6(x) => IpAddr::V6(x.addr()),
    }
}

impl Policy for GobgpPolicy {
    fn run(&self, r: &mut RouteView<'_>) -> bool {
        // Import: the peer the route came from; export: where it goes.
        let neighbor = self.to.or_else(|| r.source.bgp().map(|b| b.address));
        for s in self.statements.iter() {
            if !s.matches(r, neighbor) {
                continue;
            }
            s.apply(r);
            if let Some(accept) = s.disposition {
                return accept;
            }
        }
        self.default_accept
    }

    fn rejects_everything(&self) -> bool {
        !self.default_accept && self.statements.iter().all(|s| s.disposition == Some(false))
    }
}

/// The global import and export policies (`None`: accept everything, no
/// policy written). `refuse(what)` makes the error for what Wren cannot
/// do yet, at its line.
pub(super) fn compile(
    sets: Option<&DefinedSets>,
    defs: &[PolicyDefinition],
    apply: Option<&ApplyPolicy>,
    refuse: &dyn Fn(&str) -> String,
) -> Result<(Option<GobgpPolicy>, Option<GobgpPolicy>), String> {
    let empty = DefinedSets::default();
    let sets = sets.unwrap_or(&empty);
    let named = Sets::build(sets, refuse)?;
    let mut by_name = HashMap::new();
    for d in defs {
        let mut out = Vec::new();
        for s in &d.statements {
            out.push(named.statement(s, refuse)?);
        }
        by_name.insert(d.name.as_str(), out);
    }
    let Some(a) = apply.map(|a| &a.config) else {
        return Ok((None, None));
    };
    let one = |list: &[String], default: &Option<String>| -> Result<Option<GobgpPolicy>, String> {
        if list.is_empty() && default.is_none() {
            return Ok(None);
        }
        let mut statements = Vec::new();
        for n in list {
            let s = by_name
                .get(n.as_str())
                .ok_or_else(|| format!("policy `{n}` is not defined"))?;
            statements.extend(s.iter().cloned());
        }
        Ok(Some(GobgpPolicy {
            names: list.to_vec(),
            statements: Arc::new(statements),
            default_accept: disposition(default.as_deref().unwrap_or("accept-route"), refuse)?
                .unwrap_or(true),
            to: None,
        }))
    };
    Ok((
        one(&a.import_policy_list, &a.default_import_policy)?,
        one(&a.export_policy_list, &a.default_export_policy)?,
    ))
}

/// The defined sets by name.
struct Sets {
    prefixes: HashMap<String, Vec<Range>>,
    neighbors: HashMap<String, Vec<Prefix>>,
    communities: HashMap<String, Vec<Community>>,
}

impl Sets {
    fn build(d: &DefinedSets, refuse: &dyn Fn(&str) -> String) -> Result<Sets, String> {
        let mut prefixes = HashMap::new();
        for s in &d.prefix_sets {
            let mut v = Vec::new();
            for p in &s.prefix_list {
                let net: Prefix = p
                    .ip_prefix
                    .parse()
                    .map_err(|_| format!("`{}` is not a prefix", p.ip_prefix))?;
                let lens = match &p.masklength_range {
                    None => (net.len(), net.len()),
                    Some(r) => {
                        let (a, b) = r
                            .split_once("..")
                            .and_then(|(a, b)| {
                                Some((a.trim().parse().ok()?, b.trim().parse().ok()?))
                            })
                            .ok_or_else(|| format!("masklength-range `{r}` is not `MIN..MAX`"))?;
                        (a, b)
                    }
                };
                v.push(Range { net, lens });
            }
            prefixes.insert(s.prefix_set_name.clone(), v);
        }
        let mut neighbors = HashMap::new();
        for s in &d.neighbor_sets {
            let mut v = Vec::new();
            for a in &s.neighbor_info_list {
                let p = match a.parse::<IpAddr>() {
                    Ok(IpAddr::V4(x)) => format!("{x}/32").parse().ok(),
                    Ok(IpAddr::V6(x)) => format!("{x}/128").parse().ok(),
                    Err(_) => a.parse().ok(),
                };
                v.push(p.ok_or_else(|| format!("`{a}` is not an address or prefix"))?);
            }
            neighbors.insert(s.neighbor_set_name.clone(), v);
        }
        let mut communities = HashMap::new();
        if let Some(b) = &d.bgp_defined_sets {
            for (set, what) in [
                (&b.as_path_sets, "as-path-sets"),
                (&b.ext_community_sets, "ext-community-sets"),
                (&b.large_community_sets, "large-community-sets"),
            ] {
                if set.is_some() {
                    return Err(refuse(what));
                }
            }
            for s in &b.community_sets {
                let v = s
                    .community_list
                    .iter()
                    .map(|c| community(c, refuse))
                    .collect::<Result<_, _>>()?;
                communities.insert(s.community_set_name.clone(), v);
            }
        }
        Ok(Sets {
            prefixes,
            neighbors,
            communities,
        })
    }

    fn statement(
        &self,
        s: &Statement,
        refuse: &dyn Fn(&str) -> String,
    ) -> Result<Compiled, String> {
        let mut c = Compiled::default();
        let lookup = |kind: &str, name: &str| format!("{kind} `{name}` is not defined");
        if let Some(m) = &s.conditions.match_prefix_set {
            let v = self
                .prefixes
                .get(&m.prefix_set)
                .ok_or_else(|| lookup("prefix-set", &m.prefix_set))?;
            c.prefixes = Some((
                v.clone(),
                set_match(m.match_set_options.as_deref(), false, refuse)?,
            ));
        }
        if let Some(m) = &s.conditions.match_neighbor_set {
            let v = self
                .neighbors
                .get(&m.neighbor_set)
                .ok_or_else(|| lookup("neighbor-set", &m.neighbor_set))?;
            c.neighbors = Some((
                v.clone(),
                set_match(m.match_set_options.as_deref(), false, refuse)?,
            ));
        }
        if let Some(b) = &s.conditions.bgp_conditions {
            for (v, what) in [
                (&b.match_as_path_set, "match-as-path-set"),
                (&b.match_ext_community_set, "match-ext-community-set"),
                (&b.match_large_community_set, "match-large-community-set"),
                (&b.as_path_length, "as-path-length"),
                (&b.route_type, "route-type"),
                (&b.rpki_validation_result, "rpki-validation-result"),
                (&b.next_hop_in_list, "next-hop-in-list"),
            ] {
                if v.is_some() {
                    return Err(refuse(what));
                }
            }
            if let Some(m) = &b.match_community_set {
                let v = self
                    .communities
                    .get(&m.community_set)
                    .ok_or_else(|| lookup("community-set", &m.community_set))?;
                c.communities = Some((
                    v.clone(),
                    set_match(m.match_set_options.as_deref(), true, refuse)?,
                ));
            }
        }
        if let Some(d) = &s.actions.route_disposition {
            c.disposition = disposition(d, refuse)?;
        }
        if let Some(b) = &s.actions.bgp_actions {
            for (v, what) in [
                (&b.set_next_hop, "set-next-hop"),
                (&b.set_ext_community, "set-ext-community"),
                (&b.set_large_community, "set-large-community"),
            ] {
                if v.is_some() {
                    return Err(refuse(what));
                }
            }
            c.local_pref = b.set_local_pref;
            if let Some(m) = &b.set_med {
                let text = match m {
                    toml::Value::String(s) => s.clone(),
                    toml::Value::Integer(i) => i.to_string(),
                    _ => return Err("set-med must be a number or \"+N\"/\"-N\"".into()),
                };
                let relative = text.starts_with('+') || text.starts_with('-');
                let v: i64 = text
                    .trim_start_matches('+')
                    .parse()
                    .map_err(|_| format!("set-med `{text}` is not a number"))?;
                c.med = Some((relative, v));
            }
            if let Some(p) = &b.set_as_path_prepend {
                let asn = match &p.asn {
                    toml::Value::Integer(i) => u32::try_from(*i).ok(),
                    toml::Value::String(s) if s == "last-as" => return Err(refuse("last-as")),
                    toml::Value::String(s) => s.parse().ok(),
                    _ => None,
                }
                .ok_or("set-as-path-prepend: `as` is not an AS number")?;
                c.prepend = Some((asn, p.repeat_n.unwrap_or(1)));
            }
            if let Some(sc) = &b.set_community {
                let op = match sc.options.to_ascii_lowercase().as_str() {
                    "add" => CommunityOp::Add,
                    "remove" => CommunityOp::Remove,
                    "replace" => CommunityOp::Replace,
                    other => {
                        return Err(format!(
                            "set-community options `{other}`: add, remove or replace"
                        ))
                    }
                };
                let v = sc
                    .set_community_method
                    .communities_list
                    .iter()
                    .map(|x| community(x, refuse))
                    .collect::<Result<_, _>>()?;
                c.community = Some((op, v));
            }
        }
        Ok(c)
    }
}

fn set_match(
    o: Option<&str>,
    all_ok: bool,
    refuse: &dyn Fn(&str) -> String,
) -> Result<SetMatch, String> {
    match o.map(str::to_ascii_lowercase).as_deref() {
        None | Some("any") => Ok(SetMatch::Any),
        Some("invert") => Ok(SetMatch::Invert),
        Some("all") if all_ok => Ok(SetMatch::All),
        Some(other) => Err(refuse(other)),
    }
}

fn disposition(d: &str, refuse: &dyn Fn(&str) -> String) -> Result<Option<bool>, String> {
    match d {
        "accept-route" => Ok(Some(true)),
        "reject-route" => Ok(Some(false)),
        "none" => Ok(None),
        other => Err(refuse(other)),
    }
}

/// `65100:10`, or a well-known name; regular expressions are refused.
fn community(c: &str, refuse: &dyn Fn(&str) -> String) -> Result<Community, String> {
    match c.to_ascii_lowercase().as_str() {
        "no-export" => return Ok(Community::NO_EXPORT),
        "no-advertise" => return Ok(Community::NO_ADVERTISE),
        "no-export-subconfed" => return Ok(Community::NO_EXPORT_SUBCONFED),
        _ => {}
    }
    c.split_once(':')
        .and_then(|(a, b)| Some(Community::new(a.parse().ok()?, b.parse().ok()?)))
        .ok_or_else(|| refuse(c))
}
