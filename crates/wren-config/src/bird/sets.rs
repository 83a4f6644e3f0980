//! Set literals (`[ 10.0.0.0/8+, (65000, *), RTS_BGP, 1..5 ]`), `case`
//! labels and AS path masks (`[= * 65000 ? =]`). All are constants.

use super::lexer::Tok;
use super::parser::{const_type, Parser};
use crate::error::{Error, Result};
use crate::filter::set::{MaskItem, PathMask, PrefixPat, Range, Set};
use crate::filter::Const;
use crate::span::Span;
use std::sync::Arc;

/// One element as written, before the set's type is known.
enum Elem {
    Const(Const, Span),
    IntRange(i64, i64),
    Prefix(PrefixPat),
    Pair(Range, Range),
    Lc(Range, Range, Range),
}

impl Parser {
    /// `[ elem, ... ]`
    pub fn set_literal(&mut self) -> Result<Const> {
        let span = self.span();
        self.expect_punct("[")?;
        let mut elems = Vec::new();
        if !self.eat_punct("]") {
            loop {
                elems.push(self.set_elem()?);
                if self.eat_punct("]") {
                    break;
                }
                if !self.eat_punct(",") {
                    return Err(self.expected("',' or ']'"));
                }
            }
        }
        build_set(elems, &span).map(|s| Const::Set(Arc::new(s)))
    }

    /// Labels of a `case` arm up to its `:`, as a set.
    pub fn case_labels(&mut self) -> Result<Const> {
        let span = self.span();
        let mut elems = Vec::new();
        loop {
            elems.push(self.set_elem()?);
            if self.eat_punct(":") {
                break;
            }
            if !self.eat_punct(",") {
                return Err(self.expected("',' or ':'"));
            }
        }
        build_set(elems, &span).map(|s| Const::Set(Arc::new(s)))
    }

    fn set_elem(&mut self) -> Result<Elem> {
        if self.is_punct("(") {
            return self.pair_pattern();
        }
        let span = self.span();
        let c = self.const_term("a set element")?;
        if self.eat_punct("..") {
            let lo = self.const_int(&c, &span, "a number")?;
            let s2 = self.span();
            let hi_c = self.const_term("a range end")?;
            let hi = self.const_int(&hi_c, &s2, "a number")?;
            return Ok(Elem::IntRange(lo, hi));
        }
        if let Const::Prefix(p) = c {
            let max = if p.is_ipv6() { 128 } else { 32 };
            let (low, high) = if self.eat_punct("+") {
                (p.len(), max)
            } else if self.eat_punct("-") {
                (0, p.len())
            } else if self.eat_punct("{") {
                let a = self.number("a prefix length")?;
                self.expect_punct(",")?;
                let b = self.number("a prefix length")?;
                self.expect_punct("}")?;
                let ok = |x: u32| u8::try_from(x).ok().filter(|x| *x <= max);
                match (ok(a), ok(b)) {
                    (Some(a), Some(b)) if a <= b => (a, b),
                    _ => {
                        return Err(Error::at(
                            &span,
                            format!("invalid prefix length range {{{a},{b}}}"),
                        ))
                    }
                }
            } else {
                (p.len(), p.len())
            };
            return Ok(Elem::Prefix(PrefixPat {
                prefix: p,
                low,
                high,
            }));
        }
        Ok(Elem::Const(c, span))
    }

    /// `(a, b)` / `(a, b, c)` where each part is a number, `*` or `lo..hi`.
    fn pair_pattern(&mut self) -> Result<Elem> {
        let span = self.span();
        self.expect_punct("(")?;
        if matches!(self.peek(), Tok::Ident(s) if s == "rt" || s == "ro" || s == "generic") {
            return Err(Error::at(
                &span,
                "extended community patterns in sets are not supported by Wren",
            ));
        }
        let mut parts = Vec::new();
        loop {
            parts.push(self.range_part()?);
            if self.eat_punct(")") {
                break;
            }
            if !self.eat_punct(",") {
                return Err(self.expected("',' or ')'"));
            }
        }
        match parts.as_slice() {
            [a, b] => {
                // `*` in a pair means any 16-bit value.
                let clamp = |r: &Range| if r.1 == u32::MAX { (r.0, 0xffff) } else { *r };
                let (a, b) = (&clamp(a), &clamp(b));
                if a.1 > 0xffff || b.1 > 0xffff {
                    return Err(Error::at(&span, "pair parts must be 0..65535"));
                }
                Ok(Elem::Pair(*a, *b))
            }
            [a, b, c] => Ok(Elem::Lc(*a, *b, *c)),
            _ => Err(Error::at(
                &span,
                "expected a pair (a, b) or a large community (a, b, c)",
            )),
        }
    }

    fn range_part(&mut self) -> Result<Range> {
        if self.eat_punct("*") {
            return Ok((0, u32::MAX));
        }
        let lo = self.number("a number or '*'")?;
        if self.eat_punct("..") {
            let hi = self.number("a range end")?;
            return Ok((lo, hi));
        }
        Ok((lo, lo))
    }

    /// `[= item item ... =]`
    pub fn path_mask(&mut self) -> Result<Const> {
        self.expect_punct("[=")?;
        let mut items = Vec::new();
        while !self.eat_punct("=]") {
            if self.eat_punct("*") {
                items.push(MaskItem::AnySeq);
            } else if self.eat_punct("?") {
                items.push(MaskItem::AnyOne);
            } else if matches!(self.peek(), Tok::Num(_) | Tok::Ident(_) | Tok::Punct("(")) {
                // Terms only: `*` after a number is the next item, not a product.
                let lo = self.mask_asn()?;
                let hi = if self.eat_punct("..") {
                    self.mask_asn()?
                } else {
                    lo
                };
                items.push(MaskItem::Asn(lo, hi));
            } else {
                return Err(self.expected("an AS number, '*', '?' or '=]'"));
            }
        }
        Ok(Const::PathMask(Arc::new(PathMask { items })))
    }
}

impl Parser {
    fn mask_asn(&mut self) -> Result<u32> {
        let span = self.span();
        let c = self.const_term("an AS number")?;
        let i = self.const_int(&c, &span, "an AS number")?;
        u32::try_from(i).map_err(|_| Error::at(&span, format!("AS number {i} is out of range")))
    }
}

fn kind(e: &Elem) -> &'static str {
    match e {
        Elem::Const(c, _) => const_type(c),
        Elem::IntRange(..) => "number",
        Elem::Prefix(_) => "prefix",
        Elem::Pair(..) => "pair",
        Elem::Lc(..) => "large community",
    }
}

fn build_set(elems: Vec<Elem>, at: &Span) -> Result<Set> {
    let Some(first) = elems.first() else {
        return Ok(Set::Empty);
    };
    let want = kind(first);
    let mut set = match first {
        Elem::Const(Const::Int(_), _) | Elem::IntRange(..) => Set::Int(Vec::new()),
        Elem::Prefix(_) => Set::Prefix(Vec::new()),
        Elem::Const(Const::Ip(_), _) => Set::Ip(Vec::new()),
        Elem::Pair(..) | Elem::Const(Const::Pair(..), _) => Set::Pair(Vec::new()),
        Elem::Lc(..) | Elem::Const(Const::Lc(..), _) => Set::Lc(Vec::new()),
        Elem::Const(Const::Ec(..), _) => Set::Ec(Vec::new()),
        Elem::Const(Const::Enum(..), _) => Set::Enum(Vec::new()),
        Elem::Const(Const::Str(..), _) => Set::Str(Vec::new()),
        Elem::Const(c, span) => {
            return Err(Error::at(
                span,
                format!("a set cannot hold a {}", const_type(c)),
            ))
        }
    };
    for e in elems {
        let got = kind(&e);
        let ok = match (&mut set, e) {
            (Set::Int(v), Elem::Const(Const::Int(i), _)) => {
                v.push((i, i));
                true
            }
            (Set::Int(v), Elem::IntRange(a, b)) => {
                v.push((a, b));
                true
            }
            (Set::Prefix(v), Elem::Prefix(p)) => {
                v.push(p);
                true
            }
            (Set::Ip(v), Elem::Const(Const::Ip(a), _)) => {
                v.push(a);
                true
            }
            (Set::Pair(v), Elem::Pair(a, b)) => {
                v.push((a, b));
                true
            }
            (Set::Pair(v), Elem::Const(Const::Pair(a, b), _)) => {
                v.push(((a, a), (b, b)));
                true
            }
            (Set::Lc(v), Elem::Lc(a, b, c)) => {
                v.push((a, b, c));
                true
            }
            (Set::Lc(v), Elem::Const(Const::Lc(l), _)) => {
                v.push((
                    (l.global, l.global),
                    (l.local1, l.local1),
                    (l.local2, l.local2),
                ));
                true
            }
            (Set::Ec(v), Elem::Const(Const::Ec(x), _)) => {
                v.push(x);
                true
            }
            (Set::Enum(v), Elem::Const(Const::Enum(k, x), _)) => {
                v.push((k, x));
                true
            }
            (Set::Str(v), Elem::Const(Const::Str(s), _)) => {
                v.push(s);
                true
            }
            _ => false,
        };
        if !ok {
            return Err(Error::at(
                at,
                format!("a set cannot mix {want} and {got} elements"),
            ));
        }
    }
    Ok(set)
}
