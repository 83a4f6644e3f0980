//! Filter expressions, parsed straight into the compiled tree: names are
//! resolved as they are read (variables, `define`s, functions, route
//! attributes, enum constants) and constant parts are folded.
//!
//! Precedence follows BIRD: `&&` and `||` share the lowest level (left to
//! right), then comparisons and `~`, then `+ -`, then `* /`, then `!`,
//! then `.method`.

use super::lexer::Tok;
use super::parser::{const_type, Parser};
use crate::error::{Error, Result};
use crate::filter::attr::UNSUPPORTED;
use crate::filter::ir::{ArithOp, CmpOp, Expr, Method};
use crate::filter::value::ENUM_CONSTANTS;
use crate::filter::{Attr, Const};
use crate::span::Span;
use std::net::IpAddr;
use wren_wire::attributes::{ExtCommunity, LargeCommunity};
use wren_wire::{Ipv4Prefix, Ipv6Prefix, Prefix};

impl Parser {
    /// A full expression.
    pub fn expr(&mut self) -> Result<Expr> {
        let mut left = self.comparison()?;
        loop {
            if self.eat_punct("&&") {
                let right = self.comparison()?;
                left = Expr::And(Box::new(left), Box::new(right));
            } else if self.eat_punct("||") {
                let right = self.comparison()?;
                left = Expr::Or(Box::new(left), Box::new(right));
            } else {
                return Ok(left);
            }
        }
    }

    fn comparison(&mut self) -> Result<Expr> {
        let left = self.sum()?;
        let op = match self.peek() {
            Tok::Punct("=") | Tok::Punct("==") => Some(CmpOp::Eq),
            Tok::Punct("!=") => Some(CmpOp::Ne),
            Tok::Punct("<") => Some(CmpOp::Lt),
            Tok::Punct("<=") => Some(CmpOp::Le),
            Tok::Punct(">") => Some(CmpOp::Gt),
            Tok::Punct(">=") => Some(CmpOp::Ge),
            _ => None,
        };
        if let Some(op) = op {
            self.bump();
            let right = self.sum()?;
            return Ok(Expr::Cmp(op, Box::new(left), Box::new(right)));
        }
        let yes = match self.peek() {
            Tok::Punct("~") => true,
            Tok::Punct("!~") => false,
            _ => return Ok(left),
        };
        self.bump();
        let right = self.sum()?;
        Ok(Expr::Match(yes, Box::new(left), Box::new(right)))
    }

    fn sum(&mut self) -> Result<Expr> {
        let mut left = self.product()?;
        loop {
            let op = match self.peek() {
                Tok::Punct("+") => ArithOp::Add,
                Tok::Punct("-") => ArithOp::Sub,
                _ => return Ok(left),
            };
            self.bump();
            let right = self.product()?;
            left = fold_arith(op, left, right);
        }
    }

    fn product(&mut self) -> Result<Expr> {
        let mut left = self.unary()?;
        loop {
            let op = match self.peek() {
                Tok::Punct("*") => ArithOp::Mul,
                Tok::Punct("/") => ArithOp::Div,
                _ => return Ok(left),
            };
            self.bump();
            let right = self.unary()?;
            left = fold_arith(op, left, right);
        }
    }

    /// `!e` or a term with its methods (no binary operators: set elements
    /// use this so that `10.0.0.0/8+` keeps its `+`).
    pub fn unary(&mut self) -> Result<Expr> {
        if self.eat_punct("!") {
            let e = self.unary()?;
            return Ok(Expr::Not(Box::new(e)));
        }
        let mut e = self.primary()?;
        while self.is_punct(".") {
            self.bump();
            let span = self.span();
            let (name, _) = self.ident("a method name after '.'")?;
            let m = match name.as_str() {
                "len" => Method::Len,
                "ip" => Method::Ip,
                "first" => Method::First,
                "last" => Method::Last,
                "asn" => Method::Asn,
                "data" => Method::Data,
                "mask" => {
                    self.expect_punct("(")?;
                    let n = self.expr()?;
                    self.expect_punct(")")?;
                    e = Expr::Mask(Box::new(e), Box::new(n));
                    continue;
                }
                "add" | "delete" | "filter" | "prepend" | "empty" => {
                    return Err(Error::at(
                        &span,
                        format!("'.{name}' changes an attribute and must stand as a statement"),
                    ))
                }
                _ => return Err(Error::at(&span, format!("unknown method '.{name}'"))),
            };
            e = Expr::Method(m, Box::new(e));
        }
        Ok(e)
    }

    fn primary(&mut self) -> Result<Expr> {
        let span = self.span();
        match self.peek().clone() {
            Tok::Num(n) => {
                self.bump();
                let i = i64::try_from(n)
                    .map_err(|_| Error::at(&span, format!("number {n} is too large")))?;
                Ok(Expr::Const(Const::Int(i)))
            }
            Tok::Ip4(a) => {
                self.bump();
                self.maybe_prefix(IpAddr::V4(a), &span)
            }
            Tok::Ip6(a) => {
                self.bump();
                self.maybe_prefix(IpAddr::V6(a), &span)
            }
            Tok::Str(s) => {
                self.bump();
                Ok(Expr::Const(Const::Str(s.into())))
            }
            Tok::Punct("(") => self.paren(),
            Tok::Punct("[") => Ok(Expr::Const(self.set_literal()?)),
            Tok::Punct("[=") => Ok(Expr::Const(self.path_mask()?)),
            Tok::Punct("+empty+") => {
                self.bump();
                Ok(Expr::Const(Const::EmptyPath))
            }
            Tok::Punct("-empty-") => {
                self.bump();
                Ok(Expr::Const(Const::EmptyClist))
            }
            Tok::Punct("--empty--") => {
                self.bump();
                Ok(Expr::Const(Const::EmptyLclist))
            }
            Tok::Ident(name) => {
                self.bump();
                self.name_term(&name, &span)
            }
            _ => Err(self.expected("an expression")),
        }
    }

    fn maybe_prefix(&mut self, ip: IpAddr, span: &Span) -> Result<Expr> {
        if !self.is_punct("/") {
            return Ok(Expr::Const(Const::Ip(ip)));
        }
        self.bump();
        let Tok::Num(len) = self.peek().clone() else {
            return Err(self.expected("a prefix length"));
        };
        self.bump();
        let p = make_prefix(ip, len)
            .ok_or_else(|| Error::at(span, format!("invalid prefix {ip}/{len}")))?;
        Ok(Expr::Const(Const::Prefix(p)))
    }

    fn paren(&mut self) -> Result<Expr> {
        self.expect_punct("(")?;
        for (kw, sub) in [("rt", 2u8), ("ro", 3), ("generic", 0)] {
            if self.is_word(kw) && matches!(self.peek_at(1), Tok::Punct(",")) {
                self.bump();
                self.bump();
                let span = self.span();
                let a = self.number("an AS number")?;
                self.expect_punct(",")?;
                let b = self.number("a value")?;
                self.expect_punct(")")?;
                let asn = u16::try_from(a).map_err(|_| {
                    Error::at(
                        &span,
                        "Wren supports two-octet AS extended communities only",
                    )
                })?;
                return Ok(Expr::Const(Const::Ec(ExtCommunity::two_octet_as(
                    sub, asn, b,
                ))));
            }
        }
        let a = self.expr()?;
        if self.eat_punct(")") {
            return Ok(a);
        }
        self.expect_punct(",")?;
        let b = self.expr()?;
        if self.eat_punct(")") {
            return Ok(match (fold(&a), fold(&b)) {
                (Some(Const::Int(x)), Some(Const::Int(y))) => Expr::Const(Const::Pair(
                    to_u32(x, &self.span())?,
                    to_u32(y, &self.span())?,
                )),
                _ => Expr::Pair(Box::new(a), Box::new(b)),
            });
        }
        self.expect_punct(",")?;
        let c = self.expr()?;
        self.expect_punct(")")?;
        Ok(match (fold(&a), fold(&b), fold(&c)) {
            (Some(Const::Int(x)), Some(Const::Int(y)), Some(Const::Int(z))) => {
                let s = self.span();
                Expr::Const(Const::Lc(LargeCommunity {
                    global: to_u32(x, &s)?,
                    local1: to_u32(y, &s)?,
                    local2: to_u32(z, &s)?,
                }))
            }
            _ => Expr::Lc(Box::new(a), Box::new(b), Box::new(c)),
        })
    }

    fn name_term(&mut self, name: &str, span: &Span) -> Result<Expr> {
        if let Some(slot) = self.local_slot(name) {
            return Ok(Expr::Local(slot));
        }
        match name {
            "true" => return Ok(Expr::Const(Const::Bool(true))),
            "false" => return Ok(Expr::Const(Const::Bool(false))),
            "defined" => {
                self.expect_punct("(")?;
                let e = self.expr()?;
                self.expect_punct(")")?;
                return Ok(Expr::Defined(Box::new(e)));
            }
            "prepend" | "add" | "delete" | "filter" => {
                return Err(Error::at(
                    span,
                    format!("'{name}(...)' is supported only as 'ATTR = {name}(ATTR, ...)'"),
                ))
            }
            _ => {}
        }
        if let Some(c) = self.defines.get(name) {
            return Ok(Expr::Const(c.clone()));
        }
        if let Some((_, k, v)) = ENUM_CONSTANTS.iter().find(|(n, _, _)| *n == name) {
            return Ok(Expr::Const(Const::Enum(*k, *v)));
        }
        if let Some(a) = Attr::from_name(name) {
            return Ok(Expr::Attr(a));
        }
        if let Some(f) = self.functions.get(name).cloned() {
            self.expect_punct("(")?;
            let mut args = Vec::new();
            if !self.eat_punct(")") {
                loop {
                    args.push(self.expr()?);
                    if self.eat_punct(")") {
                        break;
                    }
                    self.expect_punct(",")?;
                }
            }
            if args.len() != f.params().len() {
                return Err(Error::at(
                    span,
                    format!(
                        "function '{name}' takes {} argument(s), {} given",
                        f.params().len(),
                        args.len()
                    ),
                ));
            }
            return Ok(Expr::Call(f, args));
        }
        if UNSUPPORTED.contains(&name) {
            return Err(Error::at(
                span,
                format!("attribute '{name}' is not supported by Wren"),
            ));
        }
        if self.filters.contains_key(name) {
            return Err(Error::at(
                span,
                format!("'{name}' is a filter, not a value"),
            ));
        }
        Err(Error::at(span, format!("unknown symbol '{name}'")))
    }

    /// The slot of variable `name` in the current scope.
    pub fn local_slot(&self, name: &str) -> Option<u16> {
        let s = self.scope.as_ref()?;
        let i = s.vars.iter().rposition(|v| v == name)?;
        u16::try_from(i).ok()
    }

    /// An expression that must be constant (option values, `define`).
    pub fn const_expr(&mut self, what: &str) -> Result<Const> {
        let span = self.span();
        let e = self.expr().map_err(|e| {
            if e.message.starts_with("expected an expression") {
                Error::at(
                    &span,
                    format!("expected {what}, found {}", self.peek().describe()),
                )
            } else {
                e
            }
        })?;
        fold(&e).ok_or_else(|| Error::at(&span, format!("{what} must be a constant")))
    }

    /// A constant from a set element or label: no binary operators.
    pub fn const_term(&mut self, what: &str) -> Result<Const> {
        let span = self.span();
        let e = self.unary()?;
        fold(&e).ok_or_else(|| Error::at(&span, format!("{what} must be a constant")))
    }

    /// Checks a constant is a number and returns it.
    pub fn const_int(&self, c: &Const, span: &Span, what: &str) -> Result<i64> {
        match c {
            Const::Int(i) => Ok(*i),
            other => Err(Error::at(
                span,
                format!("expected {what}, found a {}", const_type(other)),
            )),
        }
    }
}

fn to_u32(i: i64, span: &Span) -> Result<u32> {
    u32::try_from(i).map_err(|_| Error::at(span, format!("{i} is out of range")))
}

/// `ip/len` as a prefix (host bits must be zero, as BIRD requires).
pub fn make_prefix(ip: IpAddr, len: u64) -> Option<Prefix> {
    let len = u8::try_from(len).ok()?;
    let p = match ip {
        IpAddr::V4(a) => Prefix::V4(Ipv4Prefix::new(a, len)?),
        IpAddr::V6(a) => Prefix::V6(Ipv6Prefix::new(a, len)?),
    };
    let back = match p {
        Prefix::V4(x) => IpAddr::V4(x.addr()),
        Prefix::V6(x) => IpAddr::V6(x.addr()),
    };
    (back == ip).then_some(p)
}

fn fold_arith(op: ArithOp, a: Expr, b: Expr) -> Expr {
    if let (Some(Const::Int(x)), Some(Const::Int(y))) = (fold(&a), fold(&b)) {
        let v = match op {
            ArithOp::Add => x.checked_add(y),
            ArithOp::Sub => x.checked_sub(y),
            ArithOp::Mul => x.checked_mul(y),
            ArithOp::Div => x.checked_div(y),
        };
        if let Some(v) = v {
            return Expr::Const(Const::Int(v));
        }
    }
    Expr::Arith(op, Box::new(a), Box::new(b))
}

/// The constant an expression folds to, if any.
pub fn fold(e: &Expr) -> Option<Const> {
    match e {
        Expr::Const(c) => Some(c.clone()),
        Expr::Not(x) => match fold(x)? {
            Const::Bool(b) => Some(Const::Bool(!b)),
            _ => None,
        },
        _ => None,
    }
}
