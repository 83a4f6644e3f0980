//! The BIRD lexer: text to tokens that keep file:line:column.
//!
//! Keywords are not reserved here: BIRD lets `table`, `source` or `from`
//! mean different things in different places, so the parser decides. IP
//! addresses are tokens of their own (as in BIRD), which is why `1.2.3.4`
//! and `fd00::1` never reach the parser as numbers and dots.

use crate::error::{Error, Result};
use crate::span::Span;
use std::net::{Ipv4Addr, Ipv6Addr};
use std::sync::Arc;

/// A token.
#[derive(Clone, Debug, PartialEq)]
pub enum Tok {
    /// A name or keyword (also `'quoted names'`).
    Ident(String),
    /// A number.
    Num(u64),
    /// An IPv4 address.
    Ip4(Ipv4Addr),
    /// An IPv6 address.
    Ip6(Ipv6Addr),
    /// A string literal, unescaped.
    Str(String),
    /// Punctuation and operators.
    Punct(&'static str),
    /// End of input.
    Eof,
}

impl Tok {
    /// How the token reads in an error message.
    pub fn describe(&self) -> String {
        match self {
            Tok::Ident(s) => format!("'{s}'"),
            Tok::Num(n) => format!("number {n}"),
            Tok::Ip4(a) => format!("address {a}"),
            Tok::Ip6(a) => format!("address {a}"),
            Tok::Str(s) => format!("string \"{s}\""),
            Tok::Punct(p) => format!("'{p}'"),
            Tok::Eof => "end of file".into(),
        }
    }
}

/// A token and where it starts.
#[derive(Clone, Debug, PartialEq)]
pub struct Token {
    /// The token.
    pub tok: Tok,
    /// Its first character.
    pub span: Span,
}

/// Operators, longest first so that `!=` wins over `!`.
const PUNCT: &[&str] = &[
    "--empty--",
    "-empty-",
    "+empty+",
    "[=",
    "=]",
    "==",
    "!=",
    "<=",
    ">=",
    "!~",
    "&&",
    "||",
    "..",
    "->",
    "{",
    "}",
    "(",
    ")",
    "[",
    "]",
    ";",
    ",",
    ".",
    "=",
    "<",
    ">",
    "~",
    "!",
    "+",
    "-",
    "*",
    "/",
    ":",
    "%",
    "?",
    "&",
    "|",
];

struct Lexer {
    chars: Vec<char>,
    pos: usize,
    line: u32,
    col: u32,
    file: Arc<str>,
}

/// Splits `text` (from `file`) into tokens, ending with [`Tok::Eof`].
pub fn lex(file: &Arc<str>, text: &str) -> Result<Vec<Token>> {
    let mut lx = Lexer {
        chars: text.chars().collect(),
        pos: 0,
        line: 1,
        col: 1,
        file: file.clone(),
    };
    let mut out = Vec::new();
    loop {
        lx.skip_blank()?;
        let span = lx.span();
        let Some(c) = lx.peek(0) else {
            out.push(Token {
                tok: Tok::Eof,
                span,
            });
            return Ok(out);
        };
        let tok = lx.token(c, &span)?;
        out.push(Token { tok, span });
    }
}

impl Lexer {
    fn peek(&self, k: usize) -> Option<char> {
        self.chars.get(self.pos + k).copied()
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.peek(0)?;
        self.pos += 1;
        if c == '\n' {
            self.line += 1;
            self.col = 1;
        } else {
            self.col += 1;
        }
        Some(c)
    }

    fn span(&self) -> Span {
        Span {
            file: self.file.clone(),
            line: self.line,
            column: self.col,
        }
    }

    fn skip_blank(&mut self) -> Result<()> {
        loop {
            match (self.peek(0), self.peek(1)) {
                (Some(c), _) if c.is_whitespace() => {
                    self.bump();
                }
                (Some('#'), _) => {
                    while self.peek(0).is_some_and(|c| c != '\n') {
                        self.bump();
                    }
                }
                (Some('/'), Some('*')) => {
                    let start = self.span();
                    self.bump();
                    self.bump();
                    loop {
                        match (self.peek(0), self.peek(1)) {
                            (Some('*'), Some('/')) => {
                                self.bump();
                                self.bump();
                                break;
                            }
                            (Some(_), _) => {
                                self.bump();
                            }
                            (None, _) => return Err(Error::at(&start, "unterminated comment")),
                        }
                    }
                }
                _ => return Ok(()),
            }
        }
    }

    fn token(&mut self, c: char, span: &Span) -> Result<Tok> {
        if c == '"' {
            return self.string(span);
        }
        if c == '\'' {
            return self.quoted_name(span);
        }
        if let Some(t) = self.ipv6() {
            return Ok(t);
        }
        if c.is_ascii_digit() {
            return self.number(span);
        }
        if c.is_ascii_alphabetic() || c == '_' {
            let mut s = String::new();
            while let Some(c) = self
                .peek(0)
                .filter(|c| c.is_ascii_alphanumeric() || *c == '_')
            {
                s.push(c);
                self.bump();
            }
            return Ok(Tok::Ident(s));
        }
        for p in PUNCT {
            if p.chars()
                .enumerate()
                .all(|(i, pc)| self.peek(i) == Some(pc))
            {
                for _ in 0..p.chars().count() {
                    self.bump();
                }
                return Ok(Tok::Punct(p));
            }
        }
        Err(Error::at(span, format!("unexpected character '{c}'")))
    }

    fn string(&mut self, span: &Span) -> Result<Tok> {
        self.bump();
        let mut s = String::new();
        loop {
            match self.bump() {
                Some('"') => return Ok(Tok::Str(s)),
                Some('\\') => match self.bump() {
                    Some('n') => s.push('\n'),
                    Some('t') => s.push('\t'),
                    Some(c) if c != '\n' => s.push(c),
                    _ => return Err(Error::at(span, "unterminated string")),
                },
                Some('\n') | None => return Err(Error::at(span, "unterminated string")),
                Some(c) => s.push(c),
            }
        }
    }

    fn quoted_name(&mut self, span: &Span) -> Result<Tok> {
        self.bump();
        let mut s = String::new();
        loop {
            match self.bump() {
                Some('\'') if !s.is_empty() => return Ok(Tok::Ident(s)),
                Some(c) if c.is_ascii_alphanumeric() || "_-.:".contains(c) => s.push(c),
                _ => return Err(Error::at(span, "bad quoted symbol name")),
            }
        }
    }

    fn number(&mut self, span: &Span) -> Result<Tok> {
        let run: String = self.run(|c| c.is_ascii_alphanumeric() || c == '.');
        // An IPv4 address is exactly four dotted decimal parts; anything
        // else that starts with a digit is a number (`2..5` stops at `..`).
        let dotted: Vec<&str> = run.split('.').collect();
        if dotted.len() >= 4 && dotted.iter().take(4).all(|p| is_decimal(p)) {
            let text = dotted.get(..4).map(|d| d.join(".")).unwrap_or_default();
            if let Ok(a) = text.parse::<Ipv4Addr>() {
                self.advance(text.chars().count());
                return Ok(Tok::Ip4(a));
            }
            return Err(Error::at(span, format!("bad IPv4 address '{text}'")));
        }
        let digits: String = if let Some(hex) = run.strip_prefix("0x") {
            let h: String = hex.chars().take_while(char::is_ascii_hexdigit).collect();
            self.advance(2 + h.chars().count());
            return u64::from_str_radix(&h, 16)
                .map(Tok::Num)
                .map_err(|_| Error::at(span, "bad hexadecimal number"));
        } else {
            run.chars().take_while(char::is_ascii_digit).collect()
        };
        self.advance(digits.chars().count());
        if self
            .peek(0)
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        {
            return Err(Error::at(span, format!("bad number '{run}'")));
        }
        digits
            .parse::<u64>()
            .map(Tok::Num)
            .map_err(|_| Error::at(span, format!("number '{digits}' is too large")))
    }

    /// BIRD's rule: an IPv6 address has `::` or at least three colons.
    fn ipv6(&mut self) -> Option<Tok> {
        let run: String = self.run(|c| c.is_ascii_hexdigit() || c == ':' || c == '.');
        let mut n = run.chars().count();
        while n > 1 {
            let cand: String = run.chars().take(n).collect();
            if !(cand.contains("::") || cand.matches(':').count() >= 3) {
                return None;
            }
            if let Ok(a) = cand.parse::<Ipv6Addr>() {
                let next = self.peek(n);
                if next.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_') {
                    return None;
                }
                self.advance(n);
                return Some(Tok::Ip6(a));
            }
            n -= 1;
        }
        None
    }

    fn run(&self, f: impl Fn(char) -> bool) -> String {
        self.chars
            .get(self.pos..)
            .unwrap_or_default()
            .iter()
            .take_while(|c| f(**c))
            .collect()
    }

    fn advance(&mut self, n: usize) {
        for _ in 0..n {
            self.bump();
        }
    }
}

fn is_decimal(s: &str) -> bool {
    !s.is_empty() && s.len() <= 3 && s.chars().all(|c| c.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::{lex, Tok};
    use std::sync::Arc;

    fn toks(s: &str) -> Vec<Tok> {
        lex(&Arc::from("t"), s)
            .unwrap()
            .into_iter()
            .map(|t| t.tok)
            .collect()
    }

    #[test]
    fn addresses_numbers_and_operators() {
        use Tok::*;
        assert_eq!(
            toks("10.0.0.0/8+ 2..5 fd00::/8 ::/0 2001:db8:0:1::1 0x10"),
            vec![
                Ip4("10.0.0.0".parse().unwrap()),
                Punct("/"),
                Num(8),
                Punct("+"),
                Num(2),
                Punct(".."),
                Num(5),
                Ip6("fd00::".parse().unwrap()),
                Punct("/"),
                Num(8),
                Ip6("::".parse().unwrap()),
                Punct("/"),
                Num(0),
                Ip6("2001:db8:0:1::1".parse().unwrap()),
                Num(16),
                Eof
            ]
        );
        assert_eq!(
            toks("[= * 1 =] != !~ -empty- 'a-b.c' \"s\\\"t\" # c\n/* x */ beef"),
            vec![
                Punct("[="),
                Punct("*"),
                Num(1),
                Punct("=]"),
                Punct("!="),
                Punct("!~"),
                Punct("-empty-"),
                Ident("a-b.c".into()),
                Str("s\"t".into()),
                Ident("beef".into()),
                Eof
            ]
        );
        // A case label `1:` is a number and a colon, not an address.
        assert_eq!(
            toks("1: x"),
            vec![Num(1), Punct(":"), Ident("x".into()), Eof]
        );
    }

    #[test]
    fn positions() {
        let t = lex(&Arc::from("f.conf"), "a\n  bc \"d\"").unwrap();
        let at: Vec<(u32, u32)> = t.iter().map(|t| (t.span.line, t.span.column)).collect();
        assert_eq!(at, vec![(1, 1), (2, 3), (2, 6), (2, 9)]);
    }
}
