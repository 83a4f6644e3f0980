//! Interned path attributes: one shared copy per distinct attribute set.
//!
//! A million routes usually carry a few thousand attribute sets, so the
//! RIB stores a reference-counted pointer per route and compares sets by
//! pointer.
//!
//! The count is `Rc`'s, not `Arc`'s: the table, its paths and the change
//! records live on the daemon's one thread (the compiler checks it: an
//! `Rc` cannot be sent), and every path copied into or dropped out of a
//! change record moves two counts. As atomic operations those were the
//! two hottest instructions of a full-table update (perf: half of
//! `ChangeLog::mark`), each a locked read-modify-write on the one line
//! that a million paths share.

use std::collections::HashSet;
use wren_wire::attributes::PathAttributes;
use wren_wire::update::NextHop;

/// A shared, immutable attribute set.
pub type Attrs = std::rc::Rc<PathAttributes>;

/// A shared next hop.
pub type Hop = std::rc::Rc<NextHop>;

/// The interner.
#[derive(Debug, Default)]
pub struct AttrStore {
    set: HashSet<Attrs, ahash::RandomState>,
    hops: HashSet<Hop, ahash::RandomState>,
}

impl AttrStore {
    /// The shared copy of `attrs`, stored on first sight.
    pub fn intern(&mut self, attrs: PathAttributes) -> Attrs {
        if let Some(a) = self.set.get(&attrs) {
            return a.clone();
        }
        let a = Attrs::new(attrs);
        self.set.insert(a.clone());
        a
    }

    /// The shared copy of `attrs` if it is stored, without cloning it.
    pub fn lookup(&self, attrs: &PathAttributes) -> Option<Attrs> {
        self.set.get(attrs).cloned()
    }

    /// The shared copy of next hop `nh`.
    pub fn hop(&mut self, nh: NextHop) -> Hop {
        if let Some(h) = self.hops.get(&nh) {
            return h.clone();
        }
        let h = Hop::new(nh);
        self.hops.insert(h.clone());
        h
    }

    /// Drops sets and next hops no route uses any more; returns how many
    /// sets were dropped.
    pub fn collect_garbage(&mut self) -> usize {
        let before = self.set.len();
        self.set.retain(|a| Attrs::strong_count(a) > 1);
        self.hops.retain(|h| Hop::strong_count(h) > 1);
        before - self.set.len()
    }

    /// Distinct sets stored.
    pub fn len(&self) -> usize {
        self.set.len()
    }

    /// Whether nothing is stored.
    pub fn is_empty(&self) -> bool {
        self.set.is_empty()
    }
}
