//! Options of `protocol bgp`, in both dialects: BIRD 1.x's `local as N`
//! and BIRD 2's `local 192.168.1.1 as 64512`, `neighbor ... internal`.

use super::lexer::Tok;
use super::parser::Parser;
use crate::error::{Error, Result};
use crate::filter::Const;
use crate::model::{
    AddPaths, Bgp, ChannelOpts, Gateway, GracefulRestart, Hop, Neighbor, NextHopMode, PeerAs,
};
use crate::span::{Span, Spanned};
use std::net::{IpAddr, Ipv4Addr};

impl Parser {
    /// One BGP option (without its `;`); false when the word is not one.
    pub fn bgp_option(&mut self, b: &mut Bgp) -> Result<bool> {
        let span = self.span();
        macro_rules! sp {
            ($v:expr) => {
                Spanned::new($v, span.clone())
            };
        }
        if self.eat_word("local") {
            self.local(b, &span)?;
        } else if self.eat_word("neighbor") {
            b.neighbor = Some(sp!(
                self.neighbor(b.neighbor.as_ref().map(|n| n.value.clone()))?
            ));
        } else if self.eat_word("interface") {
            b.interface = Some(sp!(self.string("an interface name in quotes")?));
        } else if self.eat_word("passive") {
            b.passive = Some(sp!(self.switch()?));
        } else if self.eat_word("direct") {
            b.hop = Some(sp!(Hop::Direct));
        } else if self.eat_word("multihop") {
            let ttl = if self.is_punct(";") {
                None
            } else {
                let s = self.span();
                let n = self.number("a TTL")?;
                Some(u8::try_from(n).ok().filter(|n| *n > 0).ok_or_else(|| {
                    Error::at(&s, format!("multihop TTL {n} is out of range (1..255)"))
                })?)
            };
            b.hop = Some(sp!(Hop::Multihop(ttl)));
        } else if self.eat_words(&["ttl", "security"]) {
            b.ttl_security = Some(sp!(self.switch()?));
        } else if self.eat_word("password") {
            b.password = Some(sp!(self.string("a password in quotes")?));
        } else if self.eat_words(&["source", "address"]) {
            b.source_address = Some(sp!(self.address("a source address")?));
        } else if self.eat_words(&["connect", "delay", "time"]) {
            b.connect_delay_time = Some(sp!(self.number("a time in seconds")?));
        } else if self.eat_words(&["connect", "retry", "time"]) {
            b.connect_retry_time = Some(sp!(self.number("a time in seconds")?));
        } else if self.eat_words(&["error", "wait", "time"]) {
            let a = self.number("a time in seconds")?;
            self.expect_punct(",")?;
            let z = self.number("a time in seconds")?;
            if a > z {
                return Err(Error::at(
                    &span,
                    "error wait time: the minimum exceeds the maximum",
                ));
            }
            b.error_wait_time = Some(sp!((a, z)));
        } else if self.eat_words(&["error", "forget", "time"]) {
            b.error_forget_time = Some(sp!(self.number("a time in seconds")?));
        } else if self.eat_words(&["send", "hold", "time"]) {
            b.send_hold_time = Some(sp!(self.number("a time in seconds")?));
        } else if self.eat_words(&["startup", "hold", "time"]) {
            b.startup_hold_time = Some(sp!(self.hold_time()?));
        } else if self.eat_words(&["hold", "time"]) {
            b.hold_time = Some(sp!(self.hold_time()?));
        } else if self.eat_words(&["keepalive", "time"]) {
            b.keepalive_time = Some(sp!(self.number("a time in seconds")?));
        } else if self.eat_words(&["graceful", "restart", "time"]) {
            b.graceful_restart_time = Some(sp!(self.number("a time in seconds")?));
        } else if self.eat_words(&["graceful", "restart"]) {
            let gr = if self.eat_word("aware") {
                GracefulRestart::Aware
            } else if self.switch()? {
                GracefulRestart::On
            } else {
                GracefulRestart::Off
            };
            b.graceful_restart = Some(sp!(gr));
        } else if self.eat_words(&["rr", "client"]) {
            b.rr_client = Some(sp!(self.switch()?));
        } else if self.eat_words(&["rr", "cluster", "id"]) {
            let s = self.span();
            let id = match self.const_expr("a cluster id")? {
                Const::Ip(IpAddr::V4(a)) | Const::Quad(a) => a,
                Const::Int(i) => Ipv4Addr::from(
                    u32::try_from(i).map_err(|_| Error::at(&s, "cluster id out of range"))?,
                ),
                _ => {
                    return Err(Error::at(
                        &s,
                        "expected a cluster id (IPv4 address or number)",
                    ))
                }
            };
            b.rr_cluster_id = Some(sp!(id));
        } else if self.eat_words(&["allow", "local", "as"]) {
            let n = if self.is_punct(";") {
                None
            } else {
                Some(self.number("a count")?)
            };
            b.allow_local_as = Some(sp!(n));
        } else if self.eat_words(&["interpret", "communities"]) {
            b.interpret_communities = Some(sp!(self.switch()?));
        } else if self.eat_words(&["enable", "route", "refresh"]) {
            b.enable_route_refresh = Some(sp!(self.switch()?));
        } else if self.eat_words(&["enable", "as4"]) {
            b.enable_as4 = Some(sp!(self.switch()?));
        } else if self.eat_word("capabilities") {
            b.capabilities = Some(sp!(self.switch()?));
        } else if self.eat_words(&["default", "bgp_local_pref"]) {
            b.default_local_pref = Some(sp!(self.number("a local preference")?));
        } else if self.eat_words(&["default", "bgp_med"]) {
            b.default_med = Some(sp!(self.number("a MED")?));
        } else if self.eat_words(&["deterministic", "med"]) {
            b.deterministic_med = Some(sp!(self.switch()?));
        } else if self.eat_words(&["prefer", "older"]) {
            b.prefer_older = Some(sp!(self.switch()?));
        } else if self.eat_words(&["med", "metric"]) {
            b.med_metric = Some(sp!(self.switch()?));
        } else if self.eat_words(&["igp", "metric"]) {
            b.igp_metric = Some(sp!(self.switch()?));
        } else if self.eat_words(&["advertise", "ipv4"]) {
            b.advertise_ipv4 = Some(sp!(self.switch()?));
        } else {
            return Ok(false);
        }
        Ok(true)
    }

    fn hold_time(&mut self) -> Result<u32> {
        let s = self.span();
        let n = self.number("a time in seconds")?;
        if n != 0 && !(3..=65535).contains(&n) {
            return Err(Error::at(
                &s,
                format!("hold time {n} must be 0 or 3..65535"),
            ));
        }
        Ok(n)
    }

    /// BGP options that BIRD 2 puts in channels and 1.x in the protocol.
    pub fn bgp_channel_option(&mut self, o: &mut ChannelOpts, span: &Span) -> Result<bool> {
        macro_rules! sp {
            ($v:expr) => {
                Spanned::new($v, span.clone())
            };
        }
        if self.eat_words(&["next", "hop", "self"]) {
            let on = if self.eat_word("ibgp") || self.eat_word("ebgp") {
                true
            } else {
                self.switch()?
            };
            o.next_hop = Some(sp!(NextHopMode::SelfOn(on)));
        } else if self.eat_words(&["next", "hop", "keep"]) {
            let on = if self.eat_word("ibgp") || self.eat_word("ebgp") {
                true
            } else {
                self.switch()?
            };
            o.next_hop = Some(sp!(NextHopMode::Keep(on)));
        } else if self.eat_words(&["next", "hop", "address"]) {
            o.next_hop = Some(sp!(NextHopMode::Address(
                self.address("a next hop address")?
            )));
        } else if self.eat_word("gateway") {
            let g = if self.eat_word("direct") {
                Gateway::Direct
            } else if self.eat_word("recursive") {
                Gateway::Recursive
            } else {
                return Err(self.expected("'direct' or 'recursive'"));
            };
            o.gateway = Some(sp!(g));
        } else if self.eat_words(&["add", "paths"]) {
            let a = if self.eat_word("rx") {
                AddPaths::Rx
            } else if self.eat_word("tx") {
                AddPaths::Tx
            } else if self.switch()? {
                AddPaths::On
            } else {
                AddPaths::Off
            };
            o.add_paths = Some(sp!(a));
        } else if self.eat_words(&["extended", "next", "hop"]) {
            o.extended_next_hop = Some(sp!(self.switch()?));
        } else {
            return Ok(false);
        }
        Ok(true)
    }

    /// `local [ADDR] [port N] [as N]`
    fn local(&mut self, b: &mut Bgp, span: &Span) -> Result<()> {
        let mut any = false;
        while !self.is_punct(";") {
            let s = self.span();
            if self.eat_word("as") {
                b.local_as = Some(Spanned::new(self.number("an AS number")?, s));
            } else if self.eat_word("port") {
                b.local_port = Some(Spanned::new(self.port()?, s));
            } else if matches!(self.peek(), Tok::Ip4(_) | Tok::Ip6(_) | Tok::Ident(_)) && !any {
                b.local_address = Some(Spanned::new(self.address("a local address")?, s));
            } else {
                return Err(self.expected("'as', 'port' or ';'"));
            }
            any = true;
        }
        if !any {
            return Err(Error::at(
                span,
                "'local' needs an address, a port or 'as N'",
            ));
        }
        Ok(())
    }

    fn port(&mut self) -> Result<u16> {
        let s = self.span();
        let n = self.number("a port")?;
        u16::try_from(n).map_err(|_| Error::at(&s, format!("port {n} is out of range")))
    }

    /// `neighbor [ADDR | range PREFIX] [port N] [as N | internal | external]`
    fn neighbor(&mut self, prev: Option<Neighbor>) -> Result<Neighbor> {
        let mut n = prev.unwrap_or(Neighbor {
            address: None,
            range: None,
            port: None,
            asn: None,
        });
        let mut any = false;
        while !self.is_punct(";") {
            let s = self.span();
            if self.eat_word("as") {
                n.asn = Some(PeerAs::Num(self.number("an AS number")?));
            } else if self.eat_word("port") {
                n.port = Some(self.port()?);
            } else if self.eat_word("internal") {
                n.asn = Some(PeerAs::Internal);
            } else if self.eat_word("external") {
                n.asn = Some(PeerAs::External);
            } else if self.eat_word("range") {
                match self.const_expr("a prefix")? {
                    Const::Prefix(p) => n.range = Some(p),
                    _ => return Err(Error::at(&s, "expected a prefix after 'range'")),
                }
                n.address = None;
            } else if matches!(self.peek(), Tok::Ip4(_) | Tok::Ip6(_) | Tok::Ident(_)) {
                n.address = Some(self.address("a neighbor address")?);
                n.range = None;
            } else {
                return Err(self.expected("an address, 'port', 'as' or ';'"));
            }
            any = true;
        }
        if !any {
            return Err(self.expected("a neighbor address"));
        }
        Ok(n)
    }
}
