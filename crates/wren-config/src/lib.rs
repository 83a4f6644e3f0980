//! Wren configuration: the typed model and its front ends.
//!
//! ```text
//! parse_bird_file(path) ──► Config { router_id, log, defines, filters, functions,
//!                                    protocols: [Protocol { name, channel, channels,
//!                                                 kind: Bgp | Kernel | Device | Direct | Static }] }
//! ```
//!
//! The BIRD front end ([`bird`]) reads BIRD 1.x (Calico's confd output:
//! `import all;` in the protocol body, `export filter NAME;`, `table`,
//! `router id from`) and BIRD 2.x (`ipv4 { ... };` channels, `local A as N`,
//! `neighbor range`, `internal`) into one model ([`model`]). Includes are
//! expanded like BIRD's (relative to the including file, globs sorted).
//! Templates are applied: a protocol `from` a template carries its options.
//!
//! Filters and functions are compiled while the file is read (names
//! resolved, constants folded) into the tree of [`filter::ir`]. A
//! [`filter::Filter`] is a [`wren_core::policy::Policy`]; evaluation does not
//! allocate unless the filter writes a community list or path, or prints.
//! [`model::FilterSpec::policy`] gives the policy for an `import`/`export`.
//!
//! Errors carry `file:line:column` and say what was expected; a BIRD option
//! or protocol Wren does not implement is an error that says so, never
//! ignored. Not implemented: protocols other than bgp/kernel/device/direct/
//! static, `bfd`, long-lived graceful restart, confederations, ROA tables,
//! custom `attribute`s, extended community sets, and assigning whole
//! paths or lists computed by expressions (`x = filter(...)` other than
//! on the attribute itself).

pub mod bird;
pub mod error;
pub mod filter;
pub mod model;
pub mod pattern;
pub mod span;

pub use error::{ConfigErrors, Error};
pub use model::Config;
pub use span::{OptionValue, Span, Spanned};

use std::path::Path;

/// Reads a BIRD configuration file (1.x or 2.x syntax) with its includes.
pub fn parse_bird_file(path: &Path) -> Result<Config, ConfigErrors> {
    bird::parse_file(path)
}

/// Reads BIRD configuration text; `name` names it in errors and anchors
/// relative includes.
pub fn parse_bird_str(name: &str, text: &str) -> Result<Config, ConfigErrors> {
    bird::parse_str(name, text)
}
