//! Definitions that hold filter code: `filter NAME { ... }`, `function
//! NAME(args) { ... }`, inline `filter { ... }` and `where EXPR`. Both
//! BIRD 1.x forms (`function f(int a; int b) int x; {`) and 2.x forms
//! (`function f(int a, int b) { int x = 1; ... }`) are read.

use super::lexer::Tok;
use super::parser::{Parser, Scope};
use crate::error::{Error, Result};
use crate::filter::eval::MAX_LOCALS;
use crate::filter::ir::Stmt;
use crate::filter::{Filter, Function};
use crate::span::Span;
use std::sync::Arc;

/// Type names of the filter language.
pub const TYPES: &[&str] = &[
    "int", "bool", "ip", "prefix", "pair", "quad", "ec", "lc", "string", "bgppath", "bgpmask",
    "clist", "eclist", "lclist", "rd", "enum",
];

impl Parser {
    /// `filter NAME [decls] { ... }` at the top level.
    pub fn filter_def(&mut self) -> Result<()> {
        let (name, span) = self.ident("a filter name")?;
        self.declare(&name, &span, "filter")?;
        self.scope = Some(Scope::default());
        self.old_style_locals()?;
        let body = self.body_block();
        self.scope = None;
        let f = Arc::new(Filter {
            name: name.clone(),
            inline: false,
            body: body?,
            span,
        });
        self.filters.insert(name, f.clone());
        self.cfg.filters.push(f);
        Ok(())
    }

    /// `function NAME(type a, ...) [-> type] [decls] { ... }`
    pub fn function_def(&mut self) -> Result<()> {
        let (name, span) = self.ident("a function name")?;
        self.declare(&name, &span, "function")?;
        self.scope = Some(Scope::default());
        let res = self.function_rest();
        self.scope = None;
        let (params, body) = res?;
        let f = Arc::new(Function {
            name: name.clone(),
            params,
            body,
            span,
        });
        self.functions.insert(name, f.clone());
        self.cfg.functions.push(f);
        Ok(())
    }

    fn function_rest(&mut self) -> Result<(Vec<String>, Vec<Stmt>)> {
        self.expect_punct("(")?;
        let mut params = Vec::new();
        if !self.eat_punct(")") {
            loop {
                self.type_name()?;
                let (p, ps) = self.ident("a parameter name")?;
                self.add_var(&p, &ps)?;
                params.push(p);
                if self.eat_punct(")") {
                    break;
                }
                if !(self.eat_punct(",") || self.eat_punct(";")) {
                    return Err(self.expected("',' or ')'"));
                }
            }
        }
        if self.eat_punct("->") {
            self.type_name()?;
        }
        self.old_style_locals()?;
        Ok((params, self.body_block()?))
    }

    /// BIRD 1.x: `int x; prefix p;` between the header and the body.
    pub(super) fn old_style_locals(&mut self) -> Result<()> {
        while self.is_type() {
            self.type_name()?;
            let (v, vs) = self.ident("a variable name")?;
            self.add_var(&v, &vs)?;
            self.end()?;
        }
        Ok(())
    }

    pub(super) fn is_type(&self) -> bool {
        matches!(self.peek(), Tok::Ident(s) if TYPES.contains(&s.as_str()))
            && self
                .local_slot(match self.peek() {
                    Tok::Ident(s) => s,
                    _ => "",
                })
                .is_none()
    }

    fn type_name(&mut self) -> Result<()> {
        if !self.is_type() {
            return Err(self.expected("a type (int, bool, ip, prefix, ...)"));
        }
        self.bump();
        self.eat_word("set");
        Ok(())
    }

    pub(super) fn add_var(&mut self, name: &str, span: &Span) -> Result<()> {
        let Some(scope) = self.scope.as_mut() else {
            return Err(Error::at(
                span,
                "variables exist only inside filters and functions",
            ));
        };
        if scope.vars.len() >= MAX_LOCALS {
            return Err(Error::at(
                span,
                format!("too many variables (Wren allows {MAX_LOCALS} per function)"),
            ));
        }
        scope.vars.push(name.to_string());
        Ok(())
    }

    /// `filter { ... }` inside a protocol: an unnamed filter.
    pub fn inline_filter(&mut self, name: String, span: Span) -> Result<Arc<Filter>> {
        self.scope = Some(Scope::default());
        let body = self.body_block();
        self.scope = None;
        Ok(Arc::new(Filter {
            name,
            inline: true,
            body: body?,
            span,
        }))
    }

    /// `where EXPR`: accept when true.
    pub fn where_filter(&mut self, name: String, span: Span) -> Result<Arc<Filter>> {
        self.scope = Some(Scope::default());
        let e = self.expr();
        self.scope = None;
        Ok(Arc::new(Filter {
            name,
            inline: true,
            body: vec![Stmt::If(e?, vec![Stmt::Accept], vec![Stmt::Reject])],
            span,
        }))
    }
}
