//! Channels: what connects a protocol to a routing table, with the import
//! and export filters. BIRD 2 writes them as `ipv4 { ... }` blocks; BIRD
//! 1.x writes the same options straight in the protocol.

use super::{inherit_fields, AddPaths, Gateway, NextHopMode};
use crate::filter::Filter;
use crate::span::Spanned;
use std::sync::Arc;
use wren_core::policy::{AcceptAll, Policy, RejectAll};

/// Address family of a channel.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Afi {
    /// `ipv4`
    Ipv4,
    /// `ipv6`
    Ipv6,
}

/// A channel block.
#[derive(Clone, Debug)]
pub struct Channel {
    /// Family.
    pub afi: Spanned<Afi>,
    /// Options inside the block.
    pub opts: ChannelOpts,
}

/// `import ...` / `export ...`.
#[derive(Clone, Debug)]
pub enum FilterSpec {
    /// `all`
    All,
    /// `none`
    None,
    /// `filter NAME`, `filter { ... }` or `where EXPR`.
    Filter(Arc<Filter>),
}

impl FilterSpec {
    /// The policy the core runs.
    pub fn policy(&self) -> Arc<dyn Policy> {
        match self {
            FilterSpec::All => Arc::new(AcceptAll),
            FilterSpec::None => Arc::new(RejectAll),
            FilterSpec::Filter(f) => f.clone(),
        }
    }

    /// The filter's name (`filter NAME`), if it has one.
    pub fn name(&self) -> Option<&str> {
        match self {
            FilterSpec::Filter(f) if !f.is_inline() => Some(f.name()),
            _ => None,
        }
    }
}

/// What a limit does when hit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LimitAction {
    /// `warn` (log only).
    Warn,
    /// `block` (drop further routes).
    Block,
    /// `restart` the protocol.
    Restart,
    /// `disable` the protocol (BIRD's default).
    Disable,
}

/// `import limit N [action A]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limit {
    /// Route count; `None` for `off`.
    pub limit: Option<u32>,
    /// Action.
    pub action: LimitAction,
}

/// Options of one channel (or of the BIRD 1.x implicit channel).
#[derive(Clone, Debug, Default)]
pub struct ChannelOpts {
    /// `table NAME`
    pub table: Option<Spanned<String>>,
    /// `import ...`
    pub import: Option<Spanned<FilterSpec>>,
    /// `export ...`
    pub export: Option<Spanned<FilterSpec>>,
    /// `import limit`
    pub import_limit: Option<Spanned<Limit>>,
    /// `receive limit`
    pub receive_limit: Option<Spanned<Limit>>,
    /// `export limit`
    pub export_limit: Option<Spanned<Limit>>,
    /// `preference N`
    pub preference: Option<Spanned<u32>>,
    /// `import keep filtered`
    pub import_keep_filtered: Option<Spanned<bool>>,
    /// BGP: `next hop self|keep|address A`
    pub next_hop: Option<Spanned<NextHopMode>>,
    /// BGP: `gateway direct|recursive`
    pub gateway: Option<Spanned<Gateway>>,
    /// BGP: `add paths ...`
    pub add_paths: Option<Spanned<AddPaths>>,
    /// BGP: `import table`
    pub import_table: Option<Spanned<bool>>,
    /// BGP: `extended next hop`
    pub extended_next_hop: Option<Spanned<bool>>,
}

impl ChannelOpts {
    /// Fills what is unset from `parent` (a template, or the protocol body).
    pub fn inherit(&mut self, parent: &ChannelOpts) {
        let me = self;
        inherit_fields!(me, parent; table, import, export, import_limit, receive_limit,
            export_limit, preference, import_keep_filtered, next_hop, gateway, add_paths,
            import_table, extended_next_hop);
    }
}
