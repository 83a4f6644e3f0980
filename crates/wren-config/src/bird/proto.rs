//! `protocol TYPE [NAME] [from TEMPLATE] { ... }` and `template ...`: the
//! header, the options every protocol has, and channels (`ipv4 { ... }`
//! in BIRD 2; `import`/`export` straight in the body in BIRD 1.x).
//!
//! A protocol `from` a template starts as a copy of it and its body is read
//! over the copy: written options override, lists (interfaces, routes)
//! append, and a channel block for a family the template has edits it.

use super::lexer::Tok;
use super::parser::Parser;
use crate::error::{Error, Result};
use crate::filter::Filter;
use crate::model::{
    Afi, Channel, ChannelOpts, DebugFlags, Device, Direct, FilterSpec, Limit, LimitAction,
    Protocol, ProtocolKind, Static,
};
use crate::span::{Span, Spanned};
use std::sync::Arc;

/// BIRD options Wren knows but does not implement (an error says so).
pub const UNSUPPORTED_OPTIONS: &[&str] = &[
    "bfd",
    "vrf",
    "mrtdump",
    "confederation",
    "missing",
    "long",
    "setkey",
    "check",
    "cost",
    "igp",
    "secondary",
    "rpki",
    "aigp",
    "dynamic",
    "enforce",
    "require",
    "strict",
    "free",
    "net",
    "mpls",
    "primary",
    "krt",
    "netlink",
    "min",
    "max",
    "route",
    "aspa",
];

/// Protocol types BIRD has that Wren does not.
const OTHER_PROTOCOLS: &[&str] = &[
    "ospf",
    "rip",
    "babel",
    "bfd",
    "pipe",
    "radv",
    "rpki",
    "mrt",
    "perf",
    "bmp",
    "l3vpn",
    "aggregator",
    "static6",
];

impl Parser {
    /// After `protocol` or `template` (the keyword at `span`).
    pub fn protocol(&mut self, span: Span, template: bool) -> Result<()> {
        let tspan = self.span();
        let (ty, _) = self.ident("a protocol type (bgp, kernel, device, direct, static)")?;
        let kind = match ty.as_str() {
            "bgp" => ProtocolKind::Bgp(Box::default()),
            "kernel" => ProtocolKind::Kernel(Box::default()),
            "device" => ProtocolKind::Device(Device::default()),
            "direct" => ProtocolKind::Direct(Direct::default()),
            "static" => ProtocolKind::Static(Static::default()),
            t if OTHER_PROTOCOLS.contains(&t) => {
                return Err(Error::at(
                    &tspan,
                    format!("protocol '{t}' is not supported by Wren"),
                ))
            }
            t => return Err(Error::at(&tspan, format!("unknown protocol type '{t}'"))),
        };
        let type_name = kind.type_name();
        let name = match self.peek().clone() {
            Tok::Ident(n) if n != "from" => {
                let s = self.span();
                self.bump();
                Some(Spanned::new(n, s))
            }
            _ => None,
        };
        let name = match name {
            Some(n) => n,
            None if template => return Err(self.expected("a template name")),
            None => {
                let c = self.counters.entry(type_name).or_insert(0);
                *c += 1;
                Spanned::new(format!("{type_name}{c}"), tspan.clone())
            }
        };
        let what = if template { "template" } else { "protocol" };
        self.declare(&name.value, &name.span, what)?;
        let mut p = Protocol {
            name: name.clone(),
            span: span.clone(),
            from: None,
            description: None,
            debug: None,
            disabled: None,
            router_id: None,
            channel: ChannelOpts::default(),
            channels: Vec::new(),
            kind,
        };
        if self.eat_word("from") {
            let (t, ts) = self.ident("a template name")?;
            let Some(base) = self.templates.get(&t) else {
                return Err(Error::at(&ts, format!("unknown template '{t}'")));
            };
            if base.type_name() != type_name {
                return Err(Error::at(
                    &ts,
                    format!(
                        "template '{t}' is a {} template, not {type_name}",
                        base.type_name()
                    ),
                ));
            }
            p = base.clone();
            p.name = name;
            p.span = span;
            p.from = Some(Spanned::new(t, ts));
        }
        self.expect_punct("{")?;
        while !self.eat_punct("}") {
            if matches!(self.peek(), Tok::Eof) {
                return Err(self.expected("'}'"));
            }
            self.proto_option(&mut p)?;
        }
        if template {
            self.templates.insert(p.name.value.clone(), p.clone());
            self.cfg.templates.push(p);
        } else {
            self.cfg.protocols.push(p);
        }
        Ok(())
    }

    fn proto_option(&mut self, p: &mut Protocol) -> Result<()> {
        let span = self.span();
        if self.eat_punct(";") {
            return Ok(());
        }
        if self.eat_word("description") {
            p.description = Some(Spanned::new(self.string("a description in quotes")?, span));
        } else if self.eat_word("debug") {
            p.debug = Some(Spanned::new(self.debug_flags()?, span));
        } else if self.eat_word("disabled") {
            p.disabled = Some(Spanned::new(self.switch()?, span));
        } else if self.eat_words(&["router", "id"]) {
            let a = self.address("a router id")?;
            let std::net::IpAddr::V4(a) = a else {
                return Err(Error::at(&span, "a router id is an IPv4 address"));
            };
            p.router_id = Some(Spanned::new(a, span));
        } else if self.is_word("ipv4") || self.is_word("ipv6") {
            return self.channel_block(p);
        } else {
            let bgp = matches!(p.kind, ProtocolKind::Bgp(_));
            if self.channel_option(&mut p.channel, bgp)? {
                return self.end();
            }
            let done = match &mut p.kind {
                ProtocolKind::Bgp(b) => self.bgp_option(b)?,
                ProtocolKind::Kernel(k) => self.kernel_option(k)?,
                ProtocolKind::Device(d) => self.device_option(d)?,
                ProtocolKind::Direct(d) => self.direct_option(d)?,
                ProtocolKind::Static(s) => self.static_option(s, &p.name.value)?,
            };
            if !done {
                return Err(self.unknown_option(p.type_name()));
            }
        }
        self.end()
    }

    /// The error for an option nobody took.
    pub fn unknown_option(&self, ty: &str) -> Error {
        match self.peek() {
            Tok::Ident(w) if UNSUPPORTED_OPTIONS.contains(&w.as_str()) => self.err(format!(
                "option '{w}' of protocol {ty} is not supported by Wren"
            )),
            Tok::Ident(w) => self.err(format!("unknown option '{w}' in protocol {ty}")),
            t => self.err(format!(
                "expected an option of protocol {ty}, found {}",
                t.describe()
            )),
        }
    }

    fn channel_block(&mut self, p: &mut Protocol) -> Result<()> {
        let span = self.span();
        let afi = if self.eat_word("ipv4") {
            Afi::Ipv4
        } else {
            self.expect_word("ipv6")?;
            Afi::Ipv6
        };
        if let Tok::Ident(w) = self.peek().clone() {
            return Err(self.err(format!("channel type '{w}' is not supported by Wren")));
        }
        let i = match p.channels.iter().position(|c| c.afi.value == afi) {
            Some(i) => i,
            None => {
                p.channels.push(Channel {
                    afi: Spanned::new(afi, span),
                    opts: ChannelOpts::default(),
                });
                p.channels.len() - 1
            }
        };
        let bgp = matches!(p.kind, ProtocolKind::Bgp(_));
        if self.eat_punct("{") {
            let mut opts = p
                .channels
                .get(i)
                .map(|c| c.opts.clone())
                .unwrap_or_default();
            while !self.eat_punct("}") {
                if self.eat_punct(";") {
                    continue;
                }
                if !self.channel_option(&mut opts, bgp)? {
                    return Err(match self.peek() {
                        Tok::Ident(w) => self.err(format!("unknown channel option '{w}'")),
                        t => self.err(format!("expected a channel option, found {}", t.describe())),
                    });
                }
                self.end()?;
            }
            if let Some(c) = p.channels.get_mut(i) {
                c.opts = opts;
            }
            self.eat_punct(";");
            return Ok(());
        }
        self.end()
    }

    /// Options of a channel; true when one was read (without its `;`).
    fn channel_option(&mut self, o: &mut ChannelOpts, bgp: bool) -> Result<bool> {
        let span = self.span();
        if self.eat_word("table") {
            let (t, ts) = self.ident("a table name")?;
            let builtin = matches!(t.as_str(), "master" | "master4" | "master6");
            if !builtin && !self.cfg.tables.iter().any(|d| d.name == t) {
                return Err(Error::at(&ts, format!("unknown table '{t}'")));
            }
            o.table = Some(Spanned::new(t, span));
        } else if self.eat_words(&["import", "limit"]) {
            o.import_limit = Some(Spanned::new(self.limit()?, span));
        } else if self.eat_words(&["receive", "limit"]) {
            o.receive_limit = Some(Spanned::new(self.limit()?, span));
        } else if self.eat_words(&["export", "limit"]) {
            o.export_limit = Some(Spanned::new(self.limit()?, span));
        } else if self.eat_words(&["import", "keep", "filtered"]) {
            o.import_keep_filtered = Some(Spanned::new(self.switch()?, span));
        } else if bgp && self.eat_words(&["import", "table"]) {
            o.import_table = Some(Spanned::new(self.switch()?, span));
        } else if self.eat_word("import") {
            o.import = Some(Spanned::new(self.filter_spec("import", &span)?, span));
        } else if self.is_word("export") && !self.is_word_at(1, "table") {
            self.bump();
            o.export = Some(Spanned::new(self.filter_spec("export", &span)?, span));
        } else if self.eat_word("preference") {
            o.preference = Some(Spanned::new(self.number("a preference")?, span));
        } else if bgp && self.bgp_channel_option(o, &span)? {
        } else {
            return Ok(false);
        }
        Ok(true)
    }

    /// `where EXPR`, `filter NAME` or `filter { ... }`, then the end of
    /// the text (see [`super::command_filter`]).
    pub fn command_filter(&mut self) -> Result<Arc<Filter>> {
        let span = self.span();
        if !self.is_word("where") && !self.is_word("filter") {
            return Err(self.expected("'where' or 'filter'"));
        }
        let f = match self.filter_spec("show route", &span)? {
            FilterSpec::Filter(f) => f,
            _ => return Err(Error::at(&span, "expected a filter")),
        };
        match self.peek() {
            Tok::Eof => Ok(f),
            _ => Err(self.expected("the end of the command")),
        }
    }

    fn filter_spec(&mut self, dir: &str, span: &Span) -> Result<FilterSpec> {
        if self.eat_word("all") {
            return Ok(FilterSpec::All);
        }
        if self.eat_word("none") {
            return Ok(FilterSpec::None);
        }
        let name = format!("<{dir} filter at {}:{}>", span.line, span.column);
        if self.eat_word("where") {
            return Ok(FilterSpec::Filter(self.where_filter(name, span.clone())?));
        }
        if !self.eat_word("filter") {
            return Err(self.expected("'all', 'none', 'filter' or 'where'"));
        }
        if self.is_punct("{") {
            return Ok(FilterSpec::Filter(self.inline_filter(name, span.clone())?));
        }
        let (f, fs) = self.ident("a filter name or '{'")?;
        match self.filters.get(&f) {
            Some(x) => Ok(FilterSpec::Filter(x.clone())),
            None => Err(Error::at(&fs, format!("unknown filter '{f}'"))),
        }
    }

    fn limit(&mut self) -> Result<Limit> {
        let limit = if self.eat_word("off") {
            None
        } else {
            Some(self.number("a route limit")?)
        };
        let mut action = LimitAction::Disable;
        if self.eat_word("action") {
            let (w, ws) = self.ident("a limit action")?;
            action = match w.as_str() {
                "warn" => LimitAction::Warn,
                "block" => LimitAction::Block,
                "restart" => LimitAction::Restart,
                "disable" => LimitAction::Disable,
                w => {
                    return Err(Error::at(
                        &ws,
                        format!(
                            "unknown limit action '{w}' (expected warn, block, restart or disable)"
                        ),
                    ))
                }
            };
        }
        Ok(Limit { limit, action })
    }

    /// `debug all|off|{ states, routes, ... }`
    pub fn debug_flags(&mut self) -> Result<DebugFlags> {
        if self.eat_word("all") {
            return Ok(DebugFlags::all());
        }
        if self.eat_word("off") {
            return Ok(DebugFlags::default());
        }
        self.expect_punct("{")?;
        let mut d = DebugFlags::default();
        loop {
            let (w, s) = self.ident("a debug class")?;
            match w.as_str() {
                "states" => d.states = true,
                "routes" => d.routes = true,
                "filters" => d.filters = true,
                "interfaces" => d.interfaces = true,
                "events" => d.events = true,
                "packets" => d.packets = true,
                _ => return Err(Error::at(&s, format!("unknown debug class '{w}'"))),
            }
            if self.eat_punct("}") {
                return Ok(d);
            }
            self.expect_punct(",")?;
        }
    }
}
