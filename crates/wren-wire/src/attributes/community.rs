//! Communities: standard (RFC 1997), extended (RFC 4360) and large
//! (RFC 8092). Plain values; policy lives in the filter engine.

use std::fmt;

/// A standard community, `ASN:value`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Community(pub u32);

impl Community {
    /// NO_EXPORT (RFC 1997).
    pub const NO_EXPORT: Community = Community(0xffff_ff01);
    /// NO_ADVERTISE (RFC 1997).
    pub const NO_ADVERTISE: Community = Community(0xffff_ff02);
    /// NO_EXPORT_SUBCONFED (RFC 1997).
    pub const NO_EXPORT_SUBCONFED: Community = Community(0xffff_ff03);
    /// GRACEFUL_SHUTDOWN (RFC 8326).
    pub const GRACEFUL_SHUTDOWN: Community = Community(0xffff_0000);
    /// BLACKHOLE (RFC 7999).
    pub const BLACKHOLE: Community = Community(0xffff_029a);

    /// From the two halves.
    pub fn new(asn: u16, value: u16) -> Self {
        Community((u32::from(asn) << 16) | u32::from(value))
    }

    /// High half.
    pub fn asn(self) -> u16 {
        u16::try_from(self.0 >> 16).unwrap_or(0)
    }

    /// Low half.
    pub fn value(self) -> u16 {
        u16::try_from(self.0 & 0xffff).unwrap_or(0)
    }
}

impl fmt::Display for Community {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "({},{})", self.asn(), self.value())
    }
}

/// An extended community: eight octets, type first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ExtCommunity(pub [u8; 8]);

impl ExtCommunity {
    /// Type high octet.
    pub fn kind(&self) -> u8 {
        self.0[0]
    }

    /// Subtype octet.
    pub fn subtype(&self) -> u8 {
        self.0[1]
    }

    /// Whether it may cross AS borders (bit 0x40 of the type clear).
    pub fn is_transitive(&self) -> bool {
        self.0[0] & 0x40 == 0
    }

    /// A two-octet-AS specific community, e.g. route target `(rt, 65000, 1)`.
    pub fn two_octet_as(subtype: u8, asn: u16, value: u32) -> Self {
        let mut b = [0u8; 8];
        b[1] = subtype;
        b[2..4].copy_from_slice(&asn.to_be_bytes());
        b[4..8].copy_from_slice(&value.to_be_bytes());
        ExtCommunity(b)
    }
}

impl fmt::Display for ExtCommunity {
    /// BIRD's form for the common route target / origin types, hex otherwise.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let b = &self.0;
        let name = match b[1] {
            2 => "rt",
            3 => "ro",
            _ => "generic",
        };
        let hi = u32::from_be_bytes([b[4], b[5], b[6], b[7]]);
        match (b[0] & 0x3f, name) {
            (0, n) if n != "generic" => {
                write!(f, "({n}, {}, {hi})", u16::from_be_bytes([b[2], b[3]]))
            }
            (2, n) if n != "generic" => write!(
                f,
                "({n}, {}, {})",
                u32::from_be_bytes([b[2], b[3], b[4], b[5]]),
                u16::from_be_bytes([b[6], b[7]])
            ),
            _ => write!(
                f,
                "(generic, 0x{:08x}, 0x{hi:08x})",
                u32::from_be_bytes([b[0], b[1], b[2], b[3]])
            ),
        }
    }
}

/// A large community, `global:local1:local2`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct LargeCommunity {
    /// Global administrator (an ASN).
    pub global: u32,
    /// First local data part.
    pub local1: u32,
    /// Second local data part.
    pub local2: u32,
}

impl fmt::Display for LargeCommunity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "({}, {}, {})", self.global, self.local1, self.local2)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display() {
        assert_eq!(Community::new(65000, 100).to_string(), "(65000,100)");
        assert_eq!(
            ExtCommunity::two_octet_as(2, 65000, 1).to_string(),
            "(rt, 65000, 1)"
        );
        let l = LargeCommunity {
            global: 4_200_000_000,
            local1: 1,
            local2: 2,
        };
        assert_eq!(l.to_string(), "(4200000000, 1, 2)");
        assert!(ExtCommunity::two_octet_as(2, 1, 1).is_transitive());
    }
}
