//! The compiled form of filters and functions: a tree whose names are
//! already resolved (variables to frame slots, functions to their compiled
//! bodies, attributes to [`Attr`], constants folded), built once at
//! configuration time and walked by `eval` for each route.

use super::attr::Attr;
use super::value::Const;
use super::Function;
use std::sync::Arc;

/// Comparison operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CmpOp {
    /// `=` / `==`
    Eq,
    /// `!=`
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
}

/// Arithmetic operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ArithOp {
    /// `+`
    Add,
    /// `-`
    Sub,
    /// `*`
    Mul,
    /// `/`
    Div,
}

/// Value methods: `net.len`, `bgp_path.first`, ...
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    /// `.len`
    Len,
    /// `.ip`
    Ip,
    /// `.first`
    First,
    /// `.last`
    Last,
    /// `.asn` (of a large community or pair)
    Asn,
    /// `.data` (second part of a pair)
    Data,
}

/// An expression.
#[derive(Clone, Debug)]
pub enum Expr {
    /// A constant.
    Const(Const),
    /// A variable or argument (frame slot).
    Local(u16),
    /// A route attribute.
    Attr(Attr),
    /// `defined(e)`
    Defined(Box<Expr>),
    /// `!e`
    Not(Box<Expr>),
    /// `a && b`
    And(Box<Expr>, Box<Expr>),
    /// `a || b`
    Or(Box<Expr>, Box<Expr>),
    /// Comparisons.
    Cmp(CmpOp, Box<Expr>, Box<Expr>),
    /// `a ~ b` (false: `a !~ b`)
    Match(bool, Box<Expr>, Box<Expr>),
    /// Arithmetic.
    Arith(ArithOp, Box<Expr>, Box<Expr>),
    /// `(a, b)` built from expressions.
    Pair(Box<Expr>, Box<Expr>),
    /// `(a, b, c)` built from expressions.
    Lc(Box<Expr>, Box<Expr>, Box<Expr>),
    /// `e.method`
    Method(Method, Box<Expr>),
    /// `ip.mask(n)`
    Mask(Box<Expr>, Box<Expr>),
    /// A function call.
    Call(Arc<Function>, Vec<Expr>),
}

/// Community list attributes, for `add`/`delete`/`filter`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ListAttr {
    /// `bgp_community`
    Community,
    /// `bgp_ext_community`
    Ext,
    /// `bgp_large_community`
    Large,
}

/// What to do to a list.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ListOp {
    /// Add members (not already present).
    Add,
    /// Remove matching members.
    Delete,
    /// Keep only matching members.
    Filter,
}

/// One arm of `case`.
#[derive(Clone, Debug)]
pub struct CaseArm {
    /// The labels, as a set.
    pub labels: Const,
    /// Statements.
    pub body: Vec<Stmt>,
}

/// A statement.
#[derive(Clone, Debug)]
pub enum Stmt {
    /// `accept`
    Accept,
    /// `reject`
    Reject,
    /// `return [e]`
    Return(Option<Expr>),
    /// `if c then a else b`
    If(Expr, Vec<Stmt>, Vec<Stmt>),
    /// `case e { ... }`
    Case(Expr, Vec<CaseArm>, Vec<Stmt>),
    /// `x = e` for a variable.
    SetLocal(u16, Expr),
    /// `attr = e`
    SetAttr(Attr, Expr),
    /// `unset(attr)`
    Unset(Attr),
    /// `bgp_community.add(e)` and friends.
    List(ListAttr, ListOp, Expr),
    /// `bgp_path.prepend(e)`
    Prepend(Expr),
    /// `print ...` (true: with a newline) / `printn ...`.
    Print(Vec<Expr>, bool),
    /// An expression for its effect (a function call).
    Eval(Expr),
}
