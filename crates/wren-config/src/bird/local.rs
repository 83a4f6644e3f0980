//! Options of the local protocols: `kernel`, `device`, `direct`, `static`.

use super::lexer::Tok;
use super::parser::Parser;
use crate::error::{Error, Result};
use crate::filter::Const;
use crate::model::{
    Device, Direct, IfacePattern, Kernel, Learn, MergePaths, Static, StaticRoute, StaticTarget,
};
use crate::span::Spanned;
use std::net::IpAddr;

impl Parser {
    /// One kernel option (without its `;`).
    pub fn kernel_option(&mut self, k: &mut Kernel) -> Result<bool> {
        let span = self.span();
        macro_rules! sp {
            ($v:expr) => {
                Spanned::new($v, span.clone())
            };
        }
        if self.eat_word("learn") {
            let l = if self.eat_word("all") {
                Learn::All
            } else if self.switch()? {
                Learn::On
            } else {
                Learn::Off
            };
            k.learn = Some(sp!(l));
        } else if self.eat_word("persist") {
            k.persist = Some(sp!(self.switch()?));
        } else if self.eat_words(&["scan", "time"]) {
            k.scan_time = Some(sp!(self.number("a time in seconds")?));
        } else if self.eat_words(&["merge", "paths"]) {
            let on = if self.is_word("limit") {
                true
            } else {
                self.switch()?
            };
            let limit = if self.eat_word("limit") {
                Some(self.number("a path count")?)
            } else {
                None
            };
            k.merge_paths = Some(sp!(MergePaths { on, limit }));
        } else if self.eat_words(&["graceful", "restart"]) {
            k.graceful_restart = Some(sp!(self.switch()?));
        } else if self.eat_word("metric") {
            k.metric = Some(sp!(self.number("a metric")?));
        } else if self.eat_words(&["device", "routes"]) {
            k.device_routes = Some(sp!(self.switch()?));
        } else if self.eat_words(&["nexthop", "objects"]) {
            k.nexthop_objects = Some(sp!(self.switch()?));
        } else if self.eat_words(&["kernel", "table"]) {
            k.kernel_table = Some(sp!(self.number("a kernel table number")?));
        } else {
            return Ok(false);
        }
        Ok(true)
    }

    /// One device option.
    pub fn device_option(&mut self, d: &mut Device) -> Result<bool> {
        let span = self.span();
        if self.eat_words(&["scan", "time"]) {
            d.scan_time = Some(Spanned::new(self.number("a time in seconds")?, span));
        } else if self.eat_word("interface") {
            d.interfaces.extend(self.iface_patterns()?);
            if self.is_punct("{") {
                return Err(
                    self.err("per-interface options of protocol device are not supported by Wren")
                );
            }
        } else {
            return Ok(false);
        }
        Ok(true)
    }

    /// One direct option.
    pub fn direct_option(&mut self, d: &mut Direct) -> Result<bool> {
        let span = self.span();
        if self.eat_word("interface") {
            d.interfaces.extend(self.iface_patterns()?);
        } else if self.eat_words(&["check", "link"]) {
            d.check_link = Some(Spanned::new(self.switch()?, span));
        } else {
            return Ok(false);
        }
        Ok(true)
    }

    /// `[-] "glob" [prefix] | [-] prefix`, comma separated.
    pub fn iface_patterns(&mut self) -> Result<Vec<Spanned<IfacePattern>>> {
        let mut out = Vec::new();
        loop {
            let span = self.span();
            let exclude = self.eat_punct("-");
            let glob = match self.peek().clone() {
                Tok::Str(s) => {
                    self.bump();
                    Some(s)
                }
                _ => None,
            };
            let prefix = if matches!(self.peek(), Tok::Ip4(_) | Tok::Ip6(_)) {
                match self.const_term("an interface prefix")? {
                    Const::Prefix(p) => Some(p),
                    _ => return Err(Error::at(&span, "expected an interface prefix")),
                }
            } else {
                None
            };
            if glob.is_none() && prefix.is_none() {
                return Err(self.expected("an interface pattern in quotes"));
            }
            out.push(Spanned::new(
                IfacePattern {
                    exclude,
                    glob,
                    prefix,
                },
                span,
            ));
            if !self.eat_punct(",") {
                return Ok(out);
            }
        }
    }

    /// One static option.
    pub fn static_option(&mut self, s: &mut Static, proto: &str) -> Result<bool> {
        let span = self.span();
        if self.eat_words(&["check", "link"]) {
            s.check_link = Some(Spanned::new(self.switch()?, span));
            return Ok(true);
        }
        if !self.eat_word("route") {
            return Ok(false);
        }
        let pspan = self.span();
        let prefix = match self.const_term("a prefix")? {
            Const::Prefix(p) => p,
            _ => return Err(Error::at(&pspan, "expected a prefix after 'route'")),
        };
        let tspan = self.span();
        let target = if self.eat_word("via") {
            if let Tok::Str(ifname) = self.peek().clone() {
                self.bump();
                StaticTarget::Device(ifname)
            } else {
                let mut hops = vec![self.gateway()?];
                while self.eat_word("via") {
                    hops.push(self.gateway()?);
                }
                StaticTarget::Via(hops)
            }
        } else if self.eat_word("recursive") {
            StaticTarget::Recursive(self.gateway()?)
        } else if self.eat_word("blackhole") || self.eat_word("drop") {
            StaticTarget::Blackhole
        } else if self.eat_word("unreachable") {
            StaticTarget::Unreachable
        } else if self.eat_word("prohibit") {
            StaticTarget::Prohibit
        } else {
            return Err(
                self.expected("'via', 'recursive', 'blackhole', 'unreachable' or 'prohibit'")
            );
        };
        if let Tok::Ident(w) = self.peek().clone() {
            return Err(self.err(format!(
                "static route option '{w}' is not supported by Wren"
            )));
        }
        let attrs = if self.is_punct("{") {
            let name = format!("<{proto} route {prefix}>");
            Some(self.inline_filter(name, tspan)?)
        } else {
            None
        };
        s.routes.push(Spanned::new(
            StaticRoute {
                prefix,
                target,
                attrs,
            },
            span,
        ));
        Ok(true)
    }

    fn gateway(&mut self) -> Result<IpAddr> {
        match self.peek().clone() {
            Tok::Ip4(a) => {
                self.bump();
                Ok(IpAddr::V4(a))
            }
            Tok::Ip6(a) => {
                self.bump();
                Ok(IpAddr::V6(a))
            }
            _ => self.address("a gateway address"),
        }
    }
}
