//! Top-level statements: `router id`, `log`, `debug`, `define`, `table`,
//! `timeformat`, `listen bgp`, filters, functions, protocols, templates.

use super::lexer::Tok;
use super::parser::Parser;
use crate::error::{Error, Result};
use crate::model::{Afi, Define, ListenBgp, LogDest, LogTarget, TableDef};
use crate::span::Spanned;
use std::net::IpAddr;

/// Top-level keywords of BIRD that Wren does not implement.
const UNSUPPORTED_TOP: &[&str] = &[
    "attribute",
    "roa",
    "roa4",
    "roa6",
    "mrtdump",
    "watchdog",
    "cli",
    "hostname",
    "eval",
    "mpls",
    "vpn4",
    "vpn6",
    "flow4",
    "flow6",
    "vrf",
    "ipv4",
    "ipv6",
];

impl Parser {
    /// Parses statements until the end of input.
    pub fn top(&mut self) -> Result<()> {
        loop {
            let span = self.span();
            let word = match self.peek().clone() {
                Tok::Eof => return Ok(()),
                Tok::Punct(";") => {
                    self.bump();
                    continue;
                }
                Tok::Ident(w) => w,
                t => return Err(self.err(format!("expected a statement, found {}", t.describe()))),
            };
            match word.as_str() {
                "router" if self.is_word_at(1, "id") => {
                    self.bump();
                    self.bump();
                    self.router_id(&span)?;
                }
                "log" => {
                    self.bump();
                    let t = self.log()?;
                    self.cfg.log.push(Spanned::new(t, span));
                    self.end()?;
                }
                "debug" if self.is_word_at(1, "protocols") => {
                    self.bump();
                    self.bump();
                    let d = self.debug_flags()?;
                    self.cfg.debug_protocols = Some(Spanned::new(d, span));
                    self.end()?;
                }
                "debug" if self.is_word_at(1, "commands") => {
                    self.bump();
                    self.bump();
                    let n = self.number("a debug level")?;
                    self.cfg.debug_commands = Some(Spanned::new(n, span));
                    self.end()?;
                }
                "define" => {
                    self.bump();
                    let (name, ns) = self.ident("a constant name")?;
                    self.declare(&name, &ns, "constant")?;
                    self.expect_punct("=")?;
                    let value = self.const_expr("a constant value")?;
                    self.end()?;
                    self.defines.insert(name.clone(), value.clone());
                    self.cfg
                        .defines
                        .push(Spanned::new(Define { name, value }, ns));
                }
                "filter" => {
                    self.bump();
                    self.filter_def()?;
                }
                "function" => {
                    self.bump();
                    self.function_def()?;
                }
                "protocol" => {
                    self.bump();
                    self.protocol(span, false)?;
                }
                "template" => {
                    self.bump();
                    self.protocol(span, true)?;
                }
                "table" => {
                    self.bump();
                    self.table(None, span)?;
                }
                "ipv4" | "ipv6" if self.is_word_at(1, "table") => {
                    self.bump();
                    self.bump();
                    let afi = if word == "ipv4" { Afi::Ipv4 } else { Afi::Ipv6 };
                    self.table(Some(afi), span)?;
                }
                "timeformat" => {
                    self.bump();
                    let mut words = Vec::new();
                    while !self.is_punct(";") {
                        match self.bump() {
                            Tok::Ident(w) | Tok::Str(w) => words.push(w),
                            Tok::Num(n) => words.push(n.to_string()),
                            _ => return Err(self.expected("a time format")),
                        }
                    }
                    self.cfg.timeformat.push(Spanned::new(words, span));
                    self.end()?;
                }
                "listen" if self.is_word_at(1, "bgp") => {
                    self.bump();
                    self.bump();
                    let l = self.listen()?;
                    self.cfg.listen_bgp = Some(Spanned::new(l, span));
                    self.end()?;
                }
                "graceful" if self.is_word_at(1, "restart") => {
                    self.bump();
                    self.bump();
                    self.expect_word("wait")?;
                    let n = self.number("a time in seconds")?;
                    self.cfg.graceful_restart_wait = Some(Spanned::new(n, span));
                    self.end()?;
                }
                w if UNSUPPORTED_TOP.contains(&w) => {
                    return Err(self.err(format!("'{w}' is not supported by Wren")))
                }
                w => return Err(self.err(format!("unknown statement '{w}'"))),
            }
        }
    }

    fn router_id(&mut self, span: &crate::span::Span) -> Result<()> {
        if self.eat_word("from") {
            let pats = self.iface_patterns()?;
            let pats = pats.into_iter().map(|p| p.value).collect();
            self.cfg.router_id_from = Some(Spanned::new(pats, span.clone()));
            return self.end();
        }
        let s = self.span();
        let id = match self.address("a router id (an IPv4 address)")? {
            IpAddr::V4(a) => a,
            IpAddr::V6(_) => return Err(Error::at(&s, "a router id is an IPv4 address")),
        };
        self.cfg.router_id = Some(Spanned::new(id, span.clone()));
        self.end()
    }

    fn log(&mut self) -> Result<LogTarget> {
        let dest = match self.peek().clone() {
            Tok::Str(path) => {
                self.bump();
                let rotate = if self.eat_word("size") {
                    let n = self.number("a log size")?;
                    Some((u64::from(n), self.string("a backup file name")?))
                } else {
                    None
                };
                LogDest::File { path, rotate }
            }
            Tok::Ident(w) if w == "syslog" => {
                self.bump();
                let name = if self.eat_word("name") {
                    Some(self.string("a syslog name")?)
                } else {
                    None
                };
                LogDest::Syslog(name)
            }
            Tok::Ident(w) if w == "stderr" => {
                self.bump();
                LogDest::Stderr
            }
            Tok::Ident(w) if w == "udp" => {
                return Err(self.err("logging over UDP is not supported by Wren"))
            }
            _ => return Err(self.expected("a log destination (a file name, syslog or stderr)")),
        };
        let classes = if self.eat_word("all") {
            vec!["all".to_string()]
        } else {
            self.expect_punct("{")?;
            let mut v = Vec::new();
            loop {
                let (c, cs) = self.ident("a log class")?;
                const CLASSES: &[&str] = &[
                    "debug", "trace", "info", "remote", "warning", "error", "auth", "fatal", "bug",
                ];
                if !CLASSES.contains(&c.as_str()) {
                    return Err(Error::at(&cs, format!("unknown log class '{c}'")));
                }
                v.push(c);
                if self.eat_punct("}") {
                    break v;
                }
                self.expect_punct(",")?;
            }
        };
        Ok(LogTarget { dest, classes })
    }

    fn table(&mut self, afi: Option<Afi>, span: crate::span::Span) -> Result<()> {
        let (name, ns) = self.ident("a table name")?;
        self.declare(&name, &ns, "table")?;
        if let Tok::Ident(w) = self.peek().clone() {
            return Err(self.err(format!("table option '{w}' is not supported by Wren")));
        }
        self.end()?;
        self.cfg
            .tables
            .push(Spanned::new(TableDef { name, afi }, span));
        Ok(())
    }

    fn listen(&mut self) -> Result<ListenBgp> {
        let mut l = ListenBgp::default();
        while !self.is_punct(";") {
            if self.eat_word("address") {
                l.address = Some(self.address("a listen address")?);
            } else if self.eat_word("port") {
                let s = self.span();
                let n = self.number("a port")?;
                l.port = Some(u16::try_from(n).map_err(|_| Error::at(&s, "port out of range"))?);
            } else if self.eat_word("v6only") || self.eat_word("dual") {
            } else {
                return Err(self.expected("'address', 'port' or ';'"));
            }
        }
        Ok(l)
    }
}
