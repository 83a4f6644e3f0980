//! BIRD's filter language, compiled. The BIRD front end parses filters
//! and functions straight into the resolved tree of [`ir`]; a [`Filter`]
//! is a [`Policy`] the core runs on each route.

pub mod attr;
pub mod eval;
pub mod ir;
pub mod ops;
pub mod set;
pub mod value;

pub use attr::Attr;
pub use set::{PathMask, PrefixPat, Set};
pub use value::{Const, EnumKind, Value};

use crate::span::Span;
use eval::{run_body, Flow, Stop};
use ir::Stmt;
use std::fmt;
use std::sync::OnceLock;
use wren_core::policy::{Policy, RouteView};

/// Where `print` output goes when a filter runs as a [`Policy`] (the
/// daemon points it at its log). Unset: output is dropped.
static PRINT_HOOK: OnceLock<fn(&str)> = OnceLock::new();

/// Sets where `print` goes; the first call wins.
pub fn set_print_hook(f: fn(&str)) {
    let _ = PRINT_HOOK.set(f);
}

fn hook(s: &str) {
    if let Some(f) = PRINT_HOOK.get() {
        f(s);
    }
}

/// A user function: `function name(int a, bool b) { ... }`.
pub struct Function {
    pub(crate) name: String,
    pub(crate) params: Vec<String>,
    pub(crate) body: Vec<Stmt>,
    pub(crate) span: Span,
}

impl Function {
    /// Its name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Names of its parameters.
    pub fn params(&self) -> &[String] {
        &self.params
    }

    /// Where it was defined.
    pub fn span(&self) -> &Span {
        &self.span
    }
}

/// The name and the compiled body: two functions print the same exactly
/// when they do the same (a reload compares filters this way).
impl fmt::Debug for Function {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Function({}, {:?}, {:?})",
            self.name, self.params, self.body
        )
    }
}

/// A compiled filter: named (`filter NAME { ... }`), inline
/// (`filter { ... }`), `where EXPR`, or a static route's attribute block.
pub struct Filter {
    pub(crate) name: String,
    pub(crate) inline: bool,
    pub(crate) body: Vec<Stmt>,
    pub(crate) span: Span,
}

/// What a filter decided.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// `accept`
    Accept,
    /// `reject`
    Reject,
    /// Ran to its end without deciding (BIRD rejects such routes).
    Fallthrough,
    /// A run-time error (the route is rejected).
    Error(&'static str),
}

impl Filter {
    /// Its name (inline filters are named after the protocol and place).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// True for `filter { ... }` and `where` filters.
    pub fn is_inline(&self) -> bool {
        self.inline
    }

    /// Where it was defined.
    pub fn span(&self) -> &Span {
        &self.span
    }

    /// Runs the filter, sending `print` output to `out`.
    pub fn run_with(&self, route: &mut RouteView<'_>, out: &mut dyn FnMut(&str)) -> Verdict {
        match run_body(&self.body, &[], route, out) {
            Ok(Flow::Normal) | Ok(Flow::Return(_)) => Verdict::Fallthrough,
            Err(Stop::Accept) => Verdict::Accept,
            Err(Stop::Reject) => Verdict::Reject,
            Err(Stop::Error(e)) => Verdict::Error(e),
        }
    }
}

/// The name and the compiled body (see [`Function`]'s).
impl fmt::Debug for Filter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Filter({}, {:?})", self.name, self.body)
    }
}

impl Policy for Filter {
    fn run(&self, route: &mut RouteView<'_>) -> bool {
        match self.run_with(route, &mut hook) {
            Verdict::Accept => true,
            Verdict::Reject => false,
            Verdict::Fallthrough => {
                hook(&format!(
                    "Filter {} did not return accept nor reject",
                    self.name
                ));
                false
            }
            Verdict::Error(e) => {
                hook(&format!("Filter {} runtime error: {e}", self.name));
                false
            }
        }
    }
}
