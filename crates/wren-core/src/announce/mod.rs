//! Turning table changes into packed UPDATEs for one peer.
//!
//! Changed prefixes are grouped by the attribute set they will carry, each
//! group is encoded once ([`AnnounceTemplate`]) and packed into as few
//! messages as the size limit allows; withdrawals are packed likewise.
//! The export rules run once per distinct (attributes, source, next hop),
//! not once per route.

mod add_path;

pub use add_path::tx_path_id;

use crate::export::{export_filtered, may_export, ExportTarget};
use crate::policy::{Policy, RouteView};
use crate::rib::{AttrStore, Attrs, Change, Hop, Path, SourceInfo, Sources};
use std::collections::HashMap;
use wren_wire::attributes::PathAttributes;
use wren_wire::update::{AnnounceTemplate, NextHop, Withdrawals};
use wren_wire::{Family, Negotiated, Nlri, Prefix};

fn family_of(p: Prefix) -> Family {
    if p.is_ipv6() {
        Family::Ipv6Unicast
    } else {
        Family::Ipv4Unicast
    }
}

/// Feeds `items` to `encode` through a bounded buffer, so packing a
/// million routes never holds a million [`Nlri`] at once. `encode` writes
/// one message from the front of its slice and returns how many routes it
/// took; 0 stops (nothing more fits).
fn pack(
    buf: &mut Vec<Nlri>,
    mut items: impl Iterator<Item = Nlri>,
    mut encode: impl FnMut(&[Nlri]) -> usize,
) {
    const CHUNK: usize = 8192;
    const LOW: usize = 2048;
    buf.clear();
    let mut start = 0;
    loop {
        if buf.len() - start < LOW {
            buf.drain(..start);
            start = 0;
            buf.extend(items.by_ref().take(CHUNK - buf.len()));
        }
        let rest = buf.get(start..).unwrap_or(&[]);
        if rest.is_empty() {
            return;
        }
        let n = encode(rest);
        if n == 0 {
            return;
        }
        start += n.min(rest.len());
    }
}

/// Writes the withdrawals (packed per family) and then the announcements
/// (packed per attribute group) of one run. `R` names a route: an index
/// into the changes, or the NLRI itself; `nlri` turns it into the NLRI.
/// `withdrawn` holds the IPv4 routes, then the IPv6 ones.
fn emit<R: Copy>(
    packed: &mut Vec<Nlri>,
    groups: &[(Attrs, NextHop, Family)],
    withdrawn: &[Vec<R>; 2],
    routes: &mut [(u32, R)],
    nlri: impl Fn(R) -> Option<Nlri>,
    neg: &Negotiated,
    out: &mut Vec<u8>,
) -> Built {
    let mut built = Built::default();
    // Withdrawals first, so a prefix never looks announced twice.
    for (family, routes) in [Family::Ipv4Unicast, Family::Ipv6Unicast]
        .into_iter()
        .zip(withdrawn)
    {
        // Straight from the changes into the message (a withdrawal is
        // its prefix alone: nothing to group or look up first).
        let mut items = routes.iter().filter_map(|&r| nlri(r));
        let mut next = items.next();
        while next.is_some() {
            let mut w = Withdrawals::begin(out, family, neg);
            while let Some(r) = &next {
                if !w.push(r) {
                    break;
                }
                next = items.next();
            }
            let n = w.finish();
            built.messages += 1;
            built.withdrawn += n;
            if n == 0 {
                break;
            }
        }
    }
    routes.sort_unstable_by_key(|(g, _)| *g);
    let mut i = 0;
    while let Some(&(g, _)) = routes.get(i) {
        let run = routes.get(i..).unwrap_or(&[]);
        let len = run.iter().take_while(|(x, _)| *x == g).count();
        i += len;
        let Some((attrs, nh, family)) = groups.get(g as usize) else {
            continue;
        };
        let tpl = AnnounceTemplate::new(attrs, *family, *nh, neg);
        let items = run.iter().take(len).filter_map(|&(_, r)| nlri(r));
        pack(packed, items, |rest| match tpl.encode(out, rest) {
            Ok(n) => {
                built.messages += usize::from(n > 0);
                built.announced += n;
                n
            }
            // Attributes too large for one message: these routes cannot
            // be sent to this peer.
            Err(_) => 0,
        });
    }
    built
}

type FastMap<K, V> = HashMap<K, V, ahash::RandomState>;

/// Reusable buffers for [`Announcer::build`], so a steady stream of
/// changes allocates nothing per route.
#[derive(Debug, Default)]
pub struct Announcer {
    /// (group, index into the changes) of the routes to announce.
    routes: Vec<(u32, u32)>,
    /// Indexes into the changes of the routes to withdraw.
    /// (IPv4 and IPv6 apart, so each family's packing reads only its own).
    withdrawn: [Vec<u32>; 2],
    groups: Vec<(Attrs, NextHop, Family)>,
    /// Export-rule results (the group, if exported) per (source attrs,
    /// source, next hop, family).
    rule_cache: FastMap<RuleKey, Option<u32>>,
    /// Attribute sets as sent in this build that the store does not hold.
    sent: std::collections::HashSet<Attrs, ahash::RandomState>,
    /// The last route's key and result when the filter left it as it
    /// was, and the address of its interned next hop (0: none).
    last: Option<(RuleKey, usize, Option<u32>)>,
    /// Group index per (exported attrs, next hop, family).
    group_index: FastMap<(usize, NextHop, Family), u32>,
    packed: Vec<Nlri>,
    /// ADD-PATH send: (group, route) and withdrawn routes, with path ids.
    ap_routes: Vec<(u32, Nlri)>,
    ap_withdrawn: [Vec<Nlri>; 2],
}

/// Counts of one [`Announcer::build`] run.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Built {
    /// Routes announced.
    pub announced: usize,
    /// Routes withdrawn.
    pub withdrawn: usize,
    /// UPDATE messages written.
    pub messages: usize,
}

impl Announcer {
    /// Appends to `out` the UPDATEs that bring `to` up to date with
    /// `changes` in `table`.
    #[allow(clippy::too_many_arguments)]
    pub fn build(
        &mut self,
        changes: &[Change],
        sources: &Sources,
        to: &ExportTarget,
        policy: &dyn Policy,
        neg: &Negotiated,
        store: &mut AttrStore,
        out: &mut Vec<u8>,
    ) -> Built {
        self.reset();
        for (index, change) in changes.iter().enumerate() {
            let Ok(index) = u32::try_from(index) else {
                break;
            };
            let prefix = change.prefix;
            let family = if prefix.is_ipv6() {
                Family::Ipv6Unicast
            } else {
                Family::Ipv4Unicast
            };
            if !neg.families.contains(family) {
                continue;
            }
            let best = change.new.as_ref();
            if let Some(g) =
                best.and_then(|b| self.exported(prefix, b, family, sources, to, policy, store))
            {
                self.routes.push((g, index));
            } else if change.old.as_ref().is_some_and(|old| {
                self.exported(prefix, old, family, sources, to, policy, store)
                    .is_some()
            }) {
                // Withdraw only what this peer was sent.
                if let Some(w) = self.withdrawn.get_mut(usize::from(prefix.is_ipv6())) {
                    w.push(index);
                }
            }
        }
        // Best path only; to an ADD-PATH receiver it is path 1.
        let nlri = |i: u32| {
            changes.get(i as usize).map(|c| Nlri {
                prefix: c.prefix,
                path_id: neg.add_path_tx.contains(family_of(c.prefix)).then_some(1),
            })
        };
        emit(
            &mut self.packed,
            &self.groups,
            &self.withdrawn,
            &mut self.routes,
            nlri,
            neg,
            out,
        )
    }

    /// Empties the per-run buffers, keeping their capacity.
    fn reset(&mut self) {
        self.routes.clear();
        self.withdrawn.iter_mut().for_each(Vec::clear);
        self.ap_routes.clear();
        self.ap_withdrawn.iter_mut().for_each(Vec::clear);
        self.groups.clear();
        self.rule_cache.clear();
        self.group_index.clear();
        self.sent.clear();
        self.last = None;
    }

    /// The group `path` to `prefix` goes out in when sent to `to` (its
    /// attributes and next hop as sent), or `None` when it is not sent
    /// there.
    #[allow(clippy::too_many_arguments)]
    fn exported(
        &mut self,
        prefix: Prefix,
        path: &Path,
        family: Family,
        sources: &Sources,
        to: &ExportTarget,
        policy: &dyn Policy,
        store: &mut AttrStore,
    ) -> Option<u32> {
        // The rules' result depends on the attributes the filter left (an
        // interned set, so a pointer names them), on the table's own (a
        // MED the filter wrote stays), the source and the next hops.
        // The key without the filter's result: what the memo compares.
        let key = |filter_nh| RuleKey {
            filtered: 0,
            stored: Attrs::as_ptr(&path.attrs) as usize,
            source: path.source.0,
            next_hop: path.next_hop(),
            filter_nh,
            family,
        };
        // Neighbouring routes mostly share all of it: then the last
        // answer stands, without hashing the key or touching a count.
        // With no filter to run, that holds before the export rules too:
        // they read only what the key names (the attributes, the source)
        // and the path's own reachability and origin.
        // Compared by address: an interned next hop is the same next hop
        // when it is the same pointer (a word, where the key holds up to
        // 34 octets of it); an equal one elsewhere only misses the memo.
        let accept_all = policy.accepts_everything();
        let hop = path.hop.as_ref().map_or(0, |h| Hop::as_ptr(h) as usize);
        if accept_all && path.reachable && path.source != to.source {
            if let Some((k, h, g)) = &self.last {
                if *h == hop
                    && k.stored == Attrs::as_ptr(&path.attrs) as usize
                    && k.source == path.source.0
                    && k.family == family
                    && k.filtered == 0
                    && k.filter_nh.is_none()
                {
                    return *g;
                }
            }
        }
        let src: &SourceInfo = sources.get(path.source)?;
        may_export(path, src, to)?;
        let (modified, filter_nh) = if accept_all {
            (None, None)
        } else {
            run_export_filter(prefix, src, path, policy)?
        };
        let unfiltered = key(filter_nh);
        let untouched = modified.is_none() && filter_nh.is_none();
        if untouched && !accept_all {
            if let Some((k, _, g)) = &self.last {
                if *k == unfiltered {
                    return *g;
                }
            }
        }
        let base = match modified {
            Some(m) => store.intern(*m),
            None => path.attrs.clone(),
        };
        let key = RuleKey {
            filtered: Attrs::as_ptr(&base) as usize,
            ..unfiltered
        };
        let g = match self.rule_cache.get(&key) {
            Some(g) => *g,
            None => {
                // The set as sent lives as long as this build: shared with
                // the store when it holds an equal one, else with the
                // build's other equal sets (routes whose MEDs differ go
                // out to eBGP as one group), never added to the store
                // (with distinct attributes per route, interning every
                // exported set doubled the attribute memory until the
                // next sweep).
                let g =
                    export_filtered(path, &base, filter_nh, src, to, family).and_then(|(a, nh)| {
                        let a = match store.lookup(&a) {
                            Some(a) => a,
                            None => match self.sent.get(&a) {
                                Some(a) => a.clone(),
                                None => {
                                    let a = Attrs::new(a);
                                    self.sent.insert(a.clone());
                                    a
                                }
                            },
                        };
                        self.group(a, nh, family)
                    });
                self.rule_cache.insert(key, g);
                g
            }
        };
        if untouched {
            self.last = Some((unfiltered, hop, g));
        }
        g
    }

    /// The group of routes sharing (`attrs`, `nh`, `family`).
    fn group(&mut self, attrs: Attrs, nh: NextHop, family: Family) -> Option<u32> {
        let gkey = (Attrs::as_ptr(&attrs) as usize, nh, family);
        if let Some(g) = self.group_index.get(&gkey) {
            return Some(*g);
        }
        let g = u32::try_from(self.groups.len()).ok()?;
        self.groups.push((attrs, nh, family));
        self.group_index.insert(gkey, g);
        Some(g)
    }
}

/// The export filter on `path` as the table holds it (BIRD's order: the
/// filter first, then the protocol's rules, [`export_filtered`]): `None`
/// if it rejects, else the attributes it wrote (if any) and the next hop
/// it set (if it set one). What `Announcer` sends and what `show route
/// export` and adj-out report all come from here.
pub fn run_export_filter(
    prefix: Prefix,
    src: &SourceInfo,
    path: &Path,
    policy: &dyn Policy,
) -> Option<(Option<Box<PathAttributes>>, Option<NextHop>)> {
    let stored = path.next_hop();
    let mut view = RouteView::new(prefix, src, &path.attrs, stored);
    if !policy.run(&mut view) {
        return None;
    }
    let set = view.next_hop.filter(|nh| Some(*nh) != stored);
    Some((view.into_modified_boxed(), set))
}

/// Key of the export-rule cache: what makes two routes' export-rule
/// results the same.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
struct RuleKey {
    filtered: usize,
    stored: usize,
    source: u32,
    next_hop: Option<NextHop>,
    filter_nh: Option<NextHop>,
    family: Family,
}
