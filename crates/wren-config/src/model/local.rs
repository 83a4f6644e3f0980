//! The local protocols: `kernel` (FIB sync), `device` (interfaces),
//! `direct` (connected prefixes) and `static`.

use super::{inherit_fields, inherit_lists};
use crate::filter::Filter;
use crate::pattern::glob_match;
use crate::span::Spanned;
use std::net::IpAddr;
use std::sync::Arc;
use wren_wire::Prefix;

/// `learn [all|on|off]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Learn {
    /// Do not learn alien routes.
    Off,
    /// Learn routes of other daemons and the administrator.
    On,
    /// Also routes the kernel made itself (`proto kernel`).
    All,
}

/// `merge paths [on|off] [limit N]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MergePaths {
    /// Whether ECMP merging is on.
    pub on: bool,
    /// Most next hops merged.
    pub limit: Option<u32>,
}

/// `protocol kernel`
#[derive(Clone, Debug, Default)]
pub struct Kernel {
    /// `learn`
    pub learn: Option<Spanned<Learn>>,
    /// `persist`
    pub persist: Option<Spanned<bool>>,
    /// `scan time N`
    pub scan_time: Option<Spanned<u32>>,
    /// `merge paths ...`
    pub merge_paths: Option<Spanned<MergePaths>>,
    /// `graceful restart`
    pub graceful_restart: Option<Spanned<bool>>,
    /// `metric N`
    pub metric: Option<Spanned<u32>>,
    /// `device routes`
    pub device_routes: Option<Spanned<bool>>,
    /// `kernel table N`
    pub kernel_table: Option<Spanned<u32>>,
    /// `nexthop objects [on|off]` (Wren's own): routes name shared kernel
    /// nexthop objects; on unless turned off.
    pub nexthop_objects: Option<Spanned<bool>>,
}

impl Kernel {
    /// Fills unset options from a template.
    pub fn inherit(&mut self, p: &Kernel) {
        let me = self;
        inherit_fields!(me, p; learn, persist, scan_time, merge_paths, graceful_restart, metric,
            device_routes, kernel_table, nexthop_objects);
    }
}

/// An interface pattern: `"eth*"`, `-"cali*"`, optionally with a prefix
/// the interface's address must fall in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IfacePattern {
    /// `-"..."`: matching interfaces are excluded.
    pub exclude: bool,
    /// Shell-style pattern (`*`, `?`); `None` matches every name.
    pub glob: Option<String>,
    /// Address prefix.
    pub prefix: Option<Prefix>,
}

impl IfacePattern {
    /// Whether the interface `name` matches the pattern's name part.
    pub fn matches_name(&self, name: &str) -> bool {
        self.glob.as_deref().map_or(true, |g| glob_match(g, name))
    }

    /// BIRD's rule: the first pattern that matches decides; no match
    /// excludes the interface.
    pub fn accepts<'a>(patterns: impl IntoIterator<Item = &'a IfacePattern>, name: &str) -> bool {
        patterns
            .into_iter()
            .find(|p| p.matches_name(name))
            .is_some_and(|p| !p.exclude)
    }
}

/// `protocol device`
#[derive(Clone, Debug, Default)]
pub struct Device {
    /// `scan time N`
    pub scan_time: Option<Spanned<u32>>,
    /// `interface ...` (BIRD 2)
    pub interfaces: Vec<Spanned<IfacePattern>>,
}

impl Device {
    /// Fills unset options from a template.
    pub fn inherit(&mut self, p: &Device) {
        let me = self;
        inherit_fields!(me, p; scan_time);
        inherit_lists!(me, p; interfaces);
    }
}

/// `protocol direct`
#[derive(Clone, Debug, Default)]
pub struct Direct {
    /// `interface ...`, in order (the first match decides).
    pub interfaces: Vec<Spanned<IfacePattern>>,
    /// `check link`
    pub check_link: Option<Spanned<bool>>,
}

impl Direct {
    /// Fills unset options from a template.
    pub fn inherit(&mut self, p: &Direct) {
        let me = self;
        inherit_fields!(me, p; check_link);
        inherit_lists!(me, p; interfaces);
    }

    /// Whether connected prefixes of interface `name` are taken.
    pub fn accepts(&self, name: &str) -> bool {
        // No `interface` line: BIRD takes every interface.
        self.interfaces.is_empty()
            || IfacePattern::accepts(self.interfaces.iter().map(|p| &p.value), name)
    }
}

/// Where a static route goes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StaticTarget {
    /// `via ADDR [via ADDR ...]` (several: ECMP).
    Via(Vec<IpAddr>),
    /// `via "ifname"`
    Device(String),
    /// `recursive ADDR`
    Recursive(IpAddr),
    /// `blackhole` (also BIRD 1.x `drop`)
    Blackhole,
    /// `unreachable`
    Unreachable,
    /// `prohibit`
    Prohibit,
}

/// `route PREFIX TARGET [{ attributes }];`
#[derive(Clone, Debug)]
pub struct StaticRoute {
    /// The prefix.
    pub prefix: Prefix,
    /// Where it goes.
    pub target: StaticTarget,
    /// `{ bgp_local_pref = 100; ... }`: statements run on the route.
    pub attrs: Option<Arc<Filter>>,
}

/// `protocol static`
#[derive(Clone, Debug, Default)]
pub struct Static {
    /// Routes, in order.
    pub routes: Vec<Spanned<StaticRoute>>,
    /// `check link`
    pub check_link: Option<Spanned<bool>>,
}

impl Static {
    /// Fills unset options from a template; the template's routes come first.
    pub fn inherit(&mut self, p: &Static) {
        let me = self;
        inherit_fields!(me, p; check_link);
        inherit_lists!(me, p; routes);
    }
}
