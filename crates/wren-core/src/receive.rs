//! Applying a received UPDATE to the table: withdrawals, loop checks, the
//! import filter, interning, and the paths themselves.

use crate::import::ImportRules;
use crate::policy::{Policy, RouteView};
use crate::rib::{AttrStore, Path, SourceId, Sources, Table};
use wren_wire::update::Update;
use wren_wire::Family;

/// What one UPDATE did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Received {
    /// Routes accepted into the table.
    pub accepted: usize,
    /// Routes the import filter or a loop check refused.
    pub refused: usize,
    /// Withdrawals (including treat-as-withdraw).
    pub withdrawn: usize,
    /// The message was an End-of-RIB marker for this family.
    pub end_of_rib: Option<Family>,
}

/// Everything [`receive_update`] needs about the session.
#[derive(Debug)]
pub struct Receiver<'a> {
    /// The session's source id.
    pub source: SourceId,
    /// Loop and sanitizing rules.
    pub rules: &'a ImportRules,
    /// The import filter.
    pub policy: &'a dyn Policy,
}

/// Applies `u` to `table`.
pub fn receive_update(
    u: &Update<'_>,
    rx: &Receiver<'_>,
    sources: &Sources,
    store: &mut AttrStore,
    table: &mut Table,
) -> Received {
    let mut r = Received {
        end_of_rib: u.end_of_rib(),
        ..Received::default()
    };
    for (_, n) in u.withdrawn() {
        table.withdraw(n.prefix, rx.source, n.path_id.unwrap_or(0), sources);
        r.withdrawn += 1;
    }
    let Some(attrs) = u.attributes() else {
        return r;
    };
    let Some(src) = sources.get(rx.source) else {
        return r;
    };
    let refused = rx.rules.check(attrs).is_err();
    let base = if refused {
        None
    } else if rx.rules.needs_sanitizing(attrs) {
        let mut a = attrs.clone();
        rx.rules.sanitize(&mut a);
        Some(store.intern(a))
    } else {
        Some(match store.lookup(attrs) {
            Some(a) => a,
            None => store.intern(attrs.clone()),
        })
    };
    // One shared next hop per UPDATE and family, unless a filter sets
    // another.
    let mut hop: Option<(Option<wren_wire::update::NextHop>, Option<crate::rib::Hop>)> = None;
    let accept_all = rx.policy.accepts_everything();
    for (family, n) in u.announced() {
        let id = n.path_id.unwrap_or(0);
        let Some(base) = &base else {
            table.withdraw(n.prefix, rx.source, id, sources);
            r.refused += 1;
            continue;
        };
        let (attrs, nh) = if accept_all {
            (base.clone(), u.next_hop(family))
        } else {
            let mut view = RouteView::new(n.prefix, src, base, u.next_hop(family));
            if !rx.policy.run(&mut view) {
                table.withdraw(n.prefix, rx.source, id, sources);
                r.refused += 1;
                continue;
            }
            let nh = view.next_hop;
            match view.into_modified_boxed() {
                Some(m) => (store.intern(*m), nh),
                None => (base.clone(), nh),
            }
        };
        let shared = match &hop {
            Some((k, h)) if *k == nh => h.clone(),
            _ => {
                let h = nh.map(|x| store.hop(x));
                hop = Some((nh, h.clone()));
                h
            }
        };
        table.update(
            n.prefix,
            Path::shared(rx.source, id, attrs, shared),
            sources,
        );
        r.accepted += 1;
    }
    r
}
