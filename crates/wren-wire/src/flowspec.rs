//! Flow specification NLRI for IPv4 (RFC 8955): a rule is a list of
//! components (destination and source prefix, protocol, ports, ICMP type
//! and code, TCP flags, packet length, DSCP, fragment), each a prefix or a
//! list of operator/value terms. Wren negotiates the family, keeps and
//! shows the rules, and installs nothing; so this module checks a rule's
//! form and prints it, and the rule itself stays the octets it came as.

use std::fmt::{self, Write};
use std::net::Ipv4Addr;

/// Why a flow NLRI is refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FlowError(pub &'static str);

impl fmt::Display for FlowError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

/// Splits an MP_REACH/MP_UNREACH NLRI field into rules, each checked.
/// One bad rule spoils the field: its length cannot be trusted for the
/// next (RFC 8955 §4.2: the whole NLRI is then malformed).
pub fn rules(mut field: &[u8]) -> Result<Vec<&[u8]>, FlowError> {
    let mut out = Vec::new();
    while let Some((&b0, rest)) = field.split_first() {
        let (len, rest) = if b0 < 0xf0 {
            (usize::from(b0), rest)
        } else {
            let (&b1, rest) = rest.split_first().ok_or(FlowError("length cut short"))?;
            ((usize::from(b0 & 0x0f) << 8) | usize::from(b1), rest)
        };
        if len == 0 || len > rest.len() {
            return Err(FlowError("rule length past the field"));
        }
        let (rule, tail) = rest.split_at(len);
        check(rule)?;
        out.push(rule);
        field = tail;
    }
    Ok(out)
}

/// Component types, in the order a rule must list them.
const NAMES: [&str; 12] = [
    "dst",
    "src",
    "proto",
    "port",
    "dport",
    "sport",
    "icmp type",
    "icmp code",
    "tcp flags",
    "length",
    "dscp",
    "fragment",
];

/// Bitmask components (TCP flags, fragment); the others with terms are
/// numeric.
fn is_bitmask(t: u8) -> bool {
    t == 9 || t == 12
}

/// Walks a rule: types strictly increasing, known, prefixes and terms
/// complete; calls `each(type, body)` per component.
fn walk<'a>(mut r: &'a [u8], mut each: impl FnMut(u8, &'a [u8])) -> Result<(), FlowError> {
    let mut last = 0u8;
    while let Some((&t, rest)) = r.split_first() {
        if t <= last || usize::from(t) > NAMES.len() {
            return Err(FlowError("component types not known and increasing"));
        }
        last = t;
        let used = if t <= 2 {
            let (&bits, _) = rest.split_first().ok_or(FlowError("prefix cut short"))?;
            if bits > 32 {
                return Err(FlowError("prefix longer than 32 bits"));
            }
            1 + usize::from(bits).div_ceil(8)
        } else {
            terms_len(rest, is_bitmask(t))?
        };
        let body = rest.get(..used).ok_or(FlowError("component cut short"))?;
        each(t, body);
        r = rest.get(used..).unwrap_or_default();
    }
    if last == 0 {
        return Err(FlowError("empty rule"));
    }
    Ok(())
}

/// Length of an operator/value list, up to and with its end-of-list term.
fn terms_len(r: &[u8], bitmask: bool) -> Result<usize, FlowError> {
    let mut at = 0;
    loop {
        let op = *r.get(at).ok_or(FlowError("terms without end-of-list"))?;
        let len = 1usize << ((op >> 4) & 3);
        if op & 0x08 != 0 || (bitmask && op & 0x04 != 0) {
            return Err(FlowError("reserved operator bit set"));
        }
        at += 1 + len;
        if at > r.len() {
            return Err(FlowError("term value cut short"));
        }
        if op & 0x80 != 0 {
            return Ok(at);
        }
    }
}

/// Checks a rule's form.
pub fn check(rule: &[u8]) -> Result<(), FlowError> {
    walk(rule, |_, _| {})
}

/// BIRD's way of writing a rule: `flow4 { dst 10.0.0.0/24; proto 6;
/// dport > 1023 && < 2048, 8080; }` (terms joined by `&&` are ANDed, by
/// `,` ORed). A rule that does not [`check`] prints as its octets.
pub fn to_text(rule: &[u8]) -> String {
    let mut out = String::from("flow4 {");
    let ok = walk(rule, |t, body| {
        let name = NAMES.get(usize::from(t) - 1).copied().unwrap_or("?");
        let _ = write!(out, " {name} ");
        if t <= 2 {
            let bits = body.first().copied().unwrap_or(0);
            let mut a = [0u8; 4];
            for (d, s) in a.iter_mut().zip(body.get(1..).unwrap_or_default()) {
                *d = *s;
            }
            let _ = write!(out, "{}/{bits}", Ipv4Addr::from(a));
        } else {
            terms(&mut out, body, is_bitmask(t));
        }
        out.push(';');
    });
    if ok.is_err() {
        return format!("flow4 {{ invalid {rule:02x?} }}");
    }
    out.push_str(" }");
    out
}

fn terms(out: &mut String, mut body: &[u8], bitmask: bool) {
    let mut first = true;
    while let Some((&op, rest)) = body.split_first() {
        let len = 1usize << ((op >> 4) & 3);
        let v = rest
            .get(..len)
            .unwrap_or_default()
            .iter()
            .fold(0u64, |a, b| (a << 8) | u64::from(*b));
        if !first {
            out.push_str(if op & 0x40 != 0 { " && " } else { ", " });
        }
        first = false;
        if bitmask {
            let not = if op & 0x02 != 0 { "!" } else { "" };
            let how = if op & 0x01 != 0 { "=" } else { "any" };
            let _ = write!(out, "{not}{how} 0x{v:x}");
        } else {
            let cmp = match op & 0x07 {
                0 => "false ",
                1 => "",
                2 => "> ",
                3 => ">= ",
                4 => "< ",
                5 => "<= ",
                6 => "!= ",
                _ => "true ",
            };
            let _ = write!(out, "{cmp}{v}");
        }
        body = rest.get(len..).unwrap_or_default();
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    /// dst 10.0.0.0/24; proto = 6; dport = 80 || (>= 1024 && <= 2048).
    const RULE: [u8; 17] = [
        0x01, 24, 10, 0, 0, // dst 10.0.0.0/24
        0x03, 0x81, 6, // proto == 6, end
        0x05, 0x01, 80, // dport == 80, or
        0x13, 0x04, 0x00, // >= 1024 (2 octets)
        0xd5, 0x08, 0x00, // && <= 2048, end
    ];

    #[test]
    fn a_rule_reads_as_bird_writes_it() {
        check(&RULE).unwrap();
        assert_eq!(
            to_text(&RULE),
            "flow4 { dst 10.0.0.0/24; proto 6; dport 80, >= 1024 && <= 2048; }"
        );
        let bits = [0x09, 0x81, 0x02, 0x0c, 0x80, 0x01];
        assert_eq!(
            to_text(&bits),
            "flow4 { tcp flags = 0x2; fragment any 0x1; }"
        );
    }

    #[test]
    fn fields_split_into_rules() {
        let mut field = vec![RULE.len() as u8];
        field.extend_from_slice(&RULE);
        field.extend_from_slice(&[0xf0, 3, 0x03, 0x81, 17]);
        let r = rules(&field).unwrap();
        assert_eq!(r.len(), 2);
        assert_eq!(to_text(r[1]), "flow4 { proto 17; }");
    }

    #[test]
    fn malformed_rules_are_refused() {
        for bad in [
            &[][..],
            &[0x03, 0x01, 6],                 // no end-of-list
            &[0x05, 0x81, 80, 0x03, 0x81, 6], // types decreasing
            &[0x01, 33, 1, 2, 3, 4, 5],       // prefix too long
            &[0x0d, 0x81, 1],                 // unknown type 13
            &[0x09, 0x84, 2],                 // lt bit in a bitmask
            &[0x03, 0x91, 6],                 // 2-octet value, one given
        ] {
            assert!(check(bad).is_err(), "{bad:02x?} accepted");
        }
        assert!(rules(&[5, 0x03, 0x81]).is_err());
        assert!(rules(&[0xf0]).is_err());
    }
}
