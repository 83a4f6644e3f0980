//! The seam between the RIB and the filter language: import and export
//! filters are [`Policy`] objects. The filters themselves (BIRD's language,
//! GoBGP policies) compile elsewhere; the core only runs them.

use crate::rib::{Attrs, SourceInfo};
use wren_wire::attributes::PathAttributes;
use wren_wire::update::NextHop;
use wren_wire::Prefix;

/// A route as a filter sees it. Attributes are copied only when a filter
/// writes them, so the common accept/reject filter allocates nothing.
#[derive(Debug)]
pub struct RouteView<'a> {
    /// The prefix.
    pub prefix: Prefix,
    /// The route's source.
    pub source: &'a SourceInfo,
    /// Next hop (filters may set `bgp_next_hop`).
    pub next_hop: Option<NextHop>,
    base: &'a Attrs,
    modified: Option<PathAttributes>,
}

impl<'a> RouteView<'a> {
    /// A view of a route with shared attributes `base`.
    pub fn new(
        prefix: Prefix,
        source: &'a SourceInfo,
        base: &'a Attrs,
        next_hop: Option<NextHop>,
    ) -> Self {
        RouteView {
            prefix,
            source,
            next_hop,
            base,
            modified: None,
        }
    }

    /// The attributes as they stand.
    pub fn attrs(&self) -> &PathAttributes {
        self.modified.as_ref().unwrap_or(self.base)
    }

    /// The attributes, for writing (copied on first write).
    pub fn attrs_mut(&mut self) -> &mut PathAttributes {
        self.modified.get_or_insert_with(|| (**self.base).clone())
    }

    /// The written attributes, if any write happened.
    pub fn into_modified(self) -> Option<PathAttributes> {
        self.modified
    }
}

/// An import or export filter.
pub trait Policy: std::fmt::Debug + Send + Sync {
    /// Runs the filter; true accepts the route (possibly modified).
    fn run(&self, route: &mut RouteView<'_>) -> bool;
}

/// BIRD's `all`.
#[derive(Clone, Copy, Debug)]
pub struct AcceptAll;

impl Policy for AcceptAll {
    fn run(&self, _: &mut RouteView<'_>) -> bool {
        true
    }
}

/// BIRD's `none`.
#[derive(Clone, Copy, Debug)]
pub struct RejectAll;

impl Policy for RejectAll {
    fn run(&self, _: &mut RouteView<'_>) -> bool {
        false
    }
}
