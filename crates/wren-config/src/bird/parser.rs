//! The parser's state and its token cursor: the helpers every part of the
//! grammar uses to look ahead, take tokens and say what it expected.

use super::lexer::{Tok, Token};
use crate::error::{Error, Result};
use crate::filter::{Const, Filter, Function};
use crate::model::{Config, Protocol};
use crate::span::Span;
use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Arc;

/// Variables of the filter or function being parsed.
#[derive(Default)]
pub struct Scope {
    /// Names by slot (arguments first).
    pub vars: Vec<String>,
}

/// Parser state. Symbols are visible from their definition on, as in BIRD.
pub struct Parser {
    toks: Vec<Token>,
    pos: usize,
    /// The configuration being built.
    pub cfg: Config,
    /// `define`d constants.
    pub defines: HashMap<String, Const>,
    /// Functions.
    pub functions: HashMap<String, Arc<Function>>,
    /// Named filters.
    pub filters: HashMap<String, Arc<Filter>>,
    /// Templates by name.
    pub templates: HashMap<String, Protocol>,
    /// Every global name and where it was defined.
    pub symbols: HashMap<String, Span>,
    /// Automatic protocol names: next number per type.
    pub counters: HashMap<&'static str, u32>,
    /// Inside a filter or function.
    pub scope: Option<Scope>,
}

impl Parser {
    /// A parser over `toks` (which end with [`Tok::Eof`]).
    pub fn new(toks: Vec<Token>) -> Self {
        Parser {
            toks,
            pos: 0,
            cfg: Config::default(),
            defines: HashMap::new(),
            functions: HashMap::new(),
            filters: HashMap::new(),
            templates: HashMap::new(),
            symbols: HashMap::new(),
            counters: HashMap::new(),
            scope: None,
        }
    }

    /// The token `k` ahead.
    pub fn peek_at(&self, k: usize) -> &Tok {
        self.toks
            .get(self.pos + k)
            .or(self.toks.last())
            .map_or(&Tok::Eof, |t| &t.tok)
    }

    /// The next token.
    pub fn peek(&self) -> &Tok {
        self.peek_at(0)
    }

    /// Where the next token is.
    pub fn span(&self) -> Span {
        self.toks
            .get(self.pos)
            .or(self.toks.last())
            .map_or_else(Span::synthetic, |t| t.span.clone())
    }

    /// Takes the next token.
    pub fn bump(&mut self) -> Tok {
        let t = self.peek().clone();
        if self.pos < self.toks.len() {
            self.pos += 1;
        }
        t
    }

    /// An error at the next token.
    pub fn err(&self, msg: impl Into<String>) -> Error {
        Error::at(&self.span(), msg)
    }

    /// "expected X, found Y" at the next token.
    pub fn expected(&self, what: &str) -> Error {
        self.err(format!("expected {what}, found {}", self.peek().describe()))
    }

    /// Whether the next token is the word `w`.
    pub fn is_word(&self, w: &str) -> bool {
        self.is_word_at(0, w)
    }

    /// Whether the token `k` ahead is the word `w`.
    pub fn is_word_at(&self, k: usize, w: &str) -> bool {
        matches!(self.peek_at(k), Tok::Ident(s) if s == w)
    }

    /// Whether the next token is punctuation `p`.
    pub fn is_punct(&self, p: &str) -> bool {
        matches!(self.peek(), Tok::Punct(q) if *q == p)
    }

    /// Takes the word `w` if it is next.
    pub fn eat_word(&mut self, w: &str) -> bool {
        let yes = self.is_word(w);
        if yes {
            self.bump();
        }
        yes
    }

    /// Takes the words `ws` if they are all next.
    pub fn eat_words(&mut self, ws: &[&str]) -> bool {
        let yes = ws.iter().enumerate().all(|(i, w)| self.is_word_at(i, w));
        if yes {
            for _ in ws {
                self.bump();
            }
        }
        yes
    }

    /// Takes punctuation `p` if it is next.
    pub fn eat_punct(&mut self, p: &str) -> bool {
        let yes = self.is_punct(p);
        if yes {
            self.bump();
        }
        yes
    }

    /// Requires punctuation `p`.
    pub fn expect_punct(&mut self, p: &str) -> Result<()> {
        if self.eat_punct(p) {
            Ok(())
        } else {
            Err(self.expected(&format!("'{p}'")))
        }
    }

    /// Requires the word `w`.
    pub fn expect_word(&mut self, w: &str) -> Result<()> {
        if self.eat_word(w) {
            Ok(())
        } else {
            Err(self.expected(&format!("'{w}'")))
        }
    }

    /// Requires a name.
    pub fn ident(&mut self, what: &str) -> Result<(String, Span)> {
        let span = self.span();
        match self.peek().clone() {
            Tok::Ident(s) => {
                self.bump();
                Ok((s, span))
            }
            _ => Err(self.expected(what)),
        }
    }

    /// Requires a string literal.
    pub fn string(&mut self, what: &str) -> Result<String> {
        match self.peek().clone() {
            Tok::Str(s) => {
                self.bump();
                Ok(s)
            }
            _ => Err(self.expected(what)),
        }
    }

    /// Requires a number, a `define`d number or a constant expression.
    pub fn number(&mut self, what: &str) -> Result<u32> {
        let span = self.span();
        match self.const_expr(what)? {
            Const::Int(i) => u32::try_from(i)
                .map_err(|_| Error::at(&span, format!("{what} {i} is out of range"))),
            other => Err(Error::at(
                &span,
                format!("expected {what}, found a {}", const_type(&other)),
            )),
        }
    }

    /// Requires an address (or a `define`d one).
    pub fn address(&mut self, what: &str) -> Result<IpAddr> {
        let span = self.span();
        match self.const_expr(what)? {
            Const::Ip(a) => Ok(a),
            Const::Quad(q) => Ok(IpAddr::V4(q)),
            other => Err(Error::at(
                &span,
                format!("expected {what}, found a {}", const_type(&other)),
            )),
        }
    }

    /// Requires `on`/`off` and the like, or nothing (meaning on).
    pub fn switch(&mut self) -> Result<bool> {
        for (w, v) in [
            ("on", true),
            ("yes", true),
            ("true", true),
            ("off", false),
            ("no", false),
            ("false", false),
        ] {
            if self.eat_word(w) {
                return Ok(v);
            }
        }
        if self.is_punct(";") {
            return Ok(true);
        }
        Err(self.expected("'on', 'off' or ';'"))
    }

    /// Requires the `;` that ends an option.
    pub fn end(&mut self) -> Result<()> {
        if self.eat_punct(";") {
            Ok(())
        } else {
            Err(self.expected("';'"))
        }
    }

    /// Registers a global name, refusing duplicates.
    pub fn declare(&mut self, name: &str, span: &Span, what: &str) -> Result<()> {
        if let Some(prev) = self.symbols.get(name) {
            return Err(Error::at(
                span,
                format!("{what} '{name}': the name is already defined at {prev}"),
            ));
        }
        self.symbols.insert(name.to_string(), span.clone());
        Ok(())
    }
}

/// A constant's type name, for messages.
pub fn const_type(c: &Const) -> &'static str {
    match c {
        Const::Bool(_) => "bool",
        Const::Int(_) => "number",
        Const::Ip(_) => "address",
        Const::Prefix(_) => "prefix",
        Const::Pair(..) => "pair",
        Const::Quad(_) => "quad",
        Const::Lc(_) => "large community",
        Const::Ec(_) => "extended community",
        Const::Str(_) => "string",
        Const::Enum(..) => "enum",
        Const::Set(_) => "set",
        Const::PathMask(_) => "path mask",
        Const::EmptyPath => "empty path",
        Const::EmptyClist | Const::EmptyLclist => "empty list",
    }
}
