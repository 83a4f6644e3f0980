//! Filter statements: `if`, `case`, `accept`/`reject`/`return`, `print`,
//! assignments to variables and attributes, list and path operations,
//! function calls.

use super::lexer::Tok;
use super::parser::Parser;
use crate::error::{Error, Result};
use crate::filter::ir::{CaseArm, Expr, ListAttr, ListOp, Stmt};
use crate::filter::value::ENUM_CONSTANTS;
use crate::filter::{Attr, Const};
use crate::span::Span;

impl Parser {
    pub(super) fn body_block(&mut self) -> Result<Vec<Stmt>> {
        if !self.is_punct("{") {
            return Err(self.expected("'{'"));
        }
        self.block()
    }

    /// `{ statements }`
    fn block(&mut self) -> Result<Vec<Stmt>> {
        self.expect_punct("{")?;
        let mut out = Vec::new();
        while !self.eat_punct("}") {
            if matches!(self.peek(), Tok::Eof) {
                return Err(self.expected("'}'"));
            }
            self.statement(&mut out)?;
        }
        Ok(out)
    }

    /// One statement, or a block, as after `then` and `else`.
    fn branch(&mut self) -> Result<Vec<Stmt>> {
        if self.is_punct("{") {
            return self.block();
        }
        let mut out = Vec::new();
        self.statement(&mut out)?;
        Ok(out)
    }

    fn statement(&mut self, out: &mut Vec<Stmt>) -> Result<()> {
        let span = self.span();
        let word = match self.peek().clone() {
            Tok::Punct(";") => {
                self.bump();
                return Ok(());
            }
            Tok::Punct("{") => {
                out.extend(self.block()?);
                return Ok(());
            }
            Tok::Ident(w) => w,
            _ => return Err(self.expected("a statement")),
        };
        if self.local_slot(&word).is_none() {
            match word.as_str() {
                "if" => return self.if_stmt(out),
                "case" => return self.case_stmt(out),
                "accept" | "reject" => {
                    self.bump();
                    if matches!(self.peek(), Tok::Str(_)) {
                        self.expr()?; // the message, as BIRD allows
                    }
                    self.end()?;
                    out.push(if word == "accept" {
                        Stmt::Accept
                    } else {
                        Stmt::Reject
                    });
                    return Ok(());
                }
                "return" => {
                    self.bump();
                    let e = if self.is_punct(";") {
                        None
                    } else {
                        Some(self.expr()?)
                    };
                    self.end()?;
                    out.push(Stmt::Return(e));
                    return Ok(());
                }
                "print" | "printn" => {
                    self.bump();
                    let mut es = vec![self.expr()?];
                    while self.eat_punct(",") {
                        es.push(self.expr()?);
                    }
                    self.end()?;
                    out.push(Stmt::Print(es, word == "print"));
                    return Ok(());
                }
                "unset" => {
                    self.bump();
                    self.expect_punct("(")?;
                    let (a, aspan) = self.ident("an attribute")?;
                    let attr = Attr::from_name(&a)
                        .filter(|a| a.unsettable())
                        .ok_or_else(|| Error::at(&aspan, format!("cannot unset '{a}'")))?;
                    self.expect_punct(")")?;
                    self.end()?;
                    out.push(Stmt::Unset(attr));
                    return Ok(());
                }
                _ if self.is_type() => {
                    self.bump();
                    self.eat_word("set");
                    let (v, vs) = self.ident("a variable name")?;
                    self.add_var(&v, &vs)?;
                    if self.eat_punct("=") {
                        let e = self.expr()?;
                        let slot = self.local_slot(&v).unwrap_or(0);
                        out.push(Stmt::SetLocal(slot, e));
                    }
                    return self.end();
                }
                _ => {}
            }
        }
        // `x = e`, `attr = e`, `attr.add(e)`, `f(args)`.
        if let Some(slot) = self.local_slot(&word) {
            if matches!(self.peek_at(1), Tok::Punct("=")) {
                self.bump();
                self.bump();
                let e = self.expr()?;
                self.end()?;
                out.push(Stmt::SetLocal(slot, e));
                return Ok(());
            }
        } else if let Some(attr) = Attr::from_name(&word) {
            if matches!(self.peek_at(1), Tok::Punct("=") | Tok::Punct(".")) {
                self.bump();
                return self.attr_stmt(attr, &span, out);
            }
        }
        let e = self.expr()?;
        if !matches!(e, Expr::Call(..)) {
            return Err(Error::at(
                &span,
                "expected a statement (an expression is not one)",
            ));
        }
        self.end()?;
        out.push(Stmt::Eval(e));
        Ok(())
    }

    fn if_stmt(&mut self, out: &mut Vec<Stmt>) -> Result<()> {
        self.bump();
        let cond = self.expr()?;
        self.expect_word("then")?;
        let yes = self.branch()?;
        let no = if self.eat_word("else") {
            self.branch()?
        } else {
            Vec::new()
        };
        out.push(Stmt::If(cond, yes, no));
        Ok(())
    }

    fn case_stmt(&mut self, out: &mut Vec<Stmt>) -> Result<()> {
        self.bump();
        let e = self.expr()?;
        self.expect_punct("{")?;
        let mut arms: Vec<CaseArm> = Vec::new();
        let mut default: Option<Vec<Stmt>> = None;
        loop {
            if self.eat_punct("}") {
                break;
            }
            if self.is_word("else") && matches!(self.peek_at(1), Tok::Punct(":")) {
                self.bump();
                self.bump();
                default = Some(Vec::new());
                continue;
            }
            if self.is_case_label() {
                let labels = self.case_labels()?;
                arms.push(CaseArm {
                    labels,
                    body: Vec::new(),
                });
                continue;
            }
            let target = match (&mut default, arms.last_mut()) {
                (Some(d), _) => d,
                (None, Some(a)) => &mut a.body,
                (None, None) => return Err(self.expected("a case label")),
            };
            let mut stmts = Vec::new();
            self.statement(&mut stmts)?;
            target.extend(stmts);
        }
        out.push(Stmt::Case(e, arms, default.unwrap_or_default()));
        Ok(())
    }

    fn is_case_label(&self) -> bool {
        match self.peek() {
            Tok::Num(_) | Tok::Ip4(_) | Tok::Ip6(_) | Tok::Str(_) => true,
            Tok::Punct("(") => true,
            Tok::Ident(s) => {
                (ENUM_CONSTANTS.iter().any(|(n, _, _)| n == s) || self.defines.contains_key(s))
                    && matches!(
                        self.peek_at(1),
                        Tok::Punct(":") | Tok::Punct(",") | Tok::Punct("..")
                    )
            }
            _ => false,
        }
    }

    fn attr_stmt(&mut self, attr: Attr, span: &Span, out: &mut Vec<Stmt>) -> Result<()> {
        let list = match attr {
            Attr::BgpCommunity => Some(ListAttr::Community),
            Attr::BgpExtCommunity => Some(ListAttr::Ext),
            Attr::BgpLargeCommunity => Some(ListAttr::Large),
            _ => None,
        };
        if self.eat_punct(".") {
            let mspan = self.span();
            let (m, _) = self.ident("a method")?;
            let stmt = match (m.as_str(), list) {
                ("add", Some(l)) => Stmt::List(l, ListOp::Add, self.paren_arg()?),
                ("delete", Some(l)) => Stmt::List(l, ListOp::Delete, self.paren_arg()?),
                ("filter", Some(l)) => Stmt::List(l, ListOp::Filter, self.paren_arg()?),
                ("prepend", None) if attr == Attr::BgpPath => Stmt::Prepend(self.paren_arg()?),
                ("empty", _) if attr == Attr::BgpPath || list.is_some() => Stmt::Unset(attr),
                _ => {
                    // A read like `net.len` cannot start a statement.
                    return Err(Error::at(
                        &mspan,
                        format!("'{}.{m}' is not a statement", attr.name()),
                    ));
                }
            };
            self.end()?;
            out.push(stmt);
            return Ok(());
        }
        self.expect_punct("=")?;
        if !attr.writable() {
            return Err(Error::at(
                span,
                format!("attribute '{}' is read-only", attr.name()),
            ));
        }
        // BIRD 1.x: `bgp_community = add(bgp_community, (1,2));`
        if let Tok::Ident(f) = self.peek().clone() {
            let op = match f.as_str() {
                "add" => Some(ListOp::Add),
                "delete" => Some(ListOp::Delete),
                "filter" => Some(ListOp::Filter),
                _ => None,
            };
            if (op.is_some() || f == "prepend") && matches!(self.peek_at(1), Tok::Punct("(")) {
                self.bump();
                self.bump();
                let aspan = self.span();
                let (a, _) = self.ident("the attribute itself")?;
                if a != attr.name() {
                    return Err(Error::at(
                        &aspan,
                        format!(
                            "Wren supports '{f}' only on the attribute assigned ('{}')",
                            attr.name()
                        ),
                    ));
                }
                self.expect_punct(",")?;
                let arg = self.expr()?;
                self.expect_punct(")")?;
                self.end()?;
                out.push(match (op, list) {
                    (Some(op), Some(l)) => Stmt::List(l, op, arg),
                    (None, None) if attr == Attr::BgpPath => Stmt::Prepend(arg),
                    _ => {
                        return Err(Error::at(
                            span,
                            format!("'{f}' does not apply to '{}'", attr.name()),
                        ))
                    }
                });
                return Ok(());
            }
        }
        let e = self.expr()?;
        self.end()?;
        out.push(match e {
            Expr::Const(Const::EmptyClist | Const::EmptyLclist | Const::EmptyPath)
                if list.is_some() || attr == Attr::BgpPath =>
            {
                Stmt::Unset(attr)
            }
            e => Stmt::SetAttr(attr, e),
        });
        Ok(())
    }

    fn paren_arg(&mut self) -> Result<Expr> {
        self.expect_punct("(")?;
        let e = self.expr()?;
        self.expect_punct(")")?;
        Ok(e)
    }
}
