//! Address families: AFI/SAFI pairs as they appear on the wire (RFC 4760),
//! and the subset whose NLRI Wren understands.

use std::fmt;

/// Address Family Identifier (IANA "Address Family Numbers").
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Afi(pub u16);

impl Afi {
    /// IPv4.
    pub const IPV4: Afi = Afi(1);
    /// IPv6.
    pub const IPV6: Afi = Afi(2);
}

/// Subsequent Address Family Identifier (IANA "SAFI Values").
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Safi(pub u8);

impl Safi {
    /// Unicast forwarding.
    pub const UNICAST: Safi = Safi(1);
    /// Multicast RPF.
    pub const MULTICAST: Safi = Safi(2);
    /// Labeled unicast (RFC 8277).
    pub const MPLS_LABEL: Safi = Safi(4);
    /// L3VPN (RFC 4364).
    pub const MPLS_VPN: Safi = Safi(128);
    /// Flow specification (RFC 8955).
    pub const FLOWSPEC: Safi = Safi(133);
}

/// An AFI/SAFI pair: the key of every per-family negotiation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AfiSafi {
    /// Address family.
    pub afi: Afi,
    /// Subsequent address family.
    pub safi: Safi,
}

impl AfiSafi {
    /// IPv4 unicast.
    pub const IPV4_UNICAST: AfiSafi = AfiSafi::new(Afi::IPV4, Safi::UNICAST);
    /// IPv6 unicast.
    pub const IPV6_UNICAST: AfiSafi = AfiSafi::new(Afi::IPV6, Safi::UNICAST);

    /// Pairs an AFI with a SAFI.
    pub const fn new(afi: Afi, safi: Safi) -> Self {
        AfiSafi { afi, safi }
    }

    /// The family, if Wren parses its NLRI.
    pub fn family(self) -> Option<Family> {
        Family::ALL.into_iter().find(|f| f.afi_safi() == self)
    }
}

impl fmt::Display for AfiSafi {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.family() {
            Some(fam) => write!(f, "{fam}"),
            None => write!(f, "afi {} safi {}", self.afi.0, self.safi.0),
        }
    }
}

/// The families whose NLRI are plain prefixes, which Wren decodes into
/// [`crate::Prefix`]. Other AFI/SAFIs are negotiated but carried as bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Family {
    /// IPv4 unicast (AFI 1, SAFI 1).
    Ipv4Unicast,
    /// IPv6 unicast (AFI 2, SAFI 1).
    Ipv6Unicast,
    /// IPv4 multicast (AFI 1, SAFI 2).
    Ipv4Multicast,
    /// IPv6 multicast (AFI 2, SAFI 2).
    Ipv6Multicast,
}

impl Family {
    /// Every family, in a fixed order (also their bit positions in [`FamilySet`]).
    pub const ALL: [Family; 4] = [
        Family::Ipv4Unicast,
        Family::Ipv6Unicast,
        Family::Ipv4Multicast,
        Family::Ipv6Multicast,
    ];

    /// The wire AFI/SAFI.
    pub const fn afi_safi(self) -> AfiSafi {
        match self {
            Family::Ipv4Unicast => AfiSafi::new(Afi::IPV4, Safi::UNICAST),
            Family::Ipv6Unicast => AfiSafi::new(Afi::IPV6, Safi::UNICAST),
            Family::Ipv4Multicast => AfiSafi::new(Afi::IPV4, Safi::MULTICAST),
            Family::Ipv6Multicast => AfiSafi::new(Afi::IPV6, Safi::MULTICAST),
        }
    }

    /// True for the IPv6 families.
    pub const fn is_ipv6(self) -> bool {
        matches!(self, Family::Ipv6Unicast | Family::Ipv6Multicast)
    }

    const fn bit(self) -> u8 {
        1 << (self as u8)
    }
}

impl fmt::Display for Family {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Family::Ipv4Unicast => "ipv4-unicast",
            Family::Ipv6Unicast => "ipv6-unicast",
            Family::Ipv4Multicast => "ipv4-multicast",
            Family::Ipv6Multicast => "ipv6-multicast",
        })
    }
}

/// A set of [`Family`] values, as one byte.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct FamilySet(u8);

impl FamilySet {
    /// The empty set.
    pub const EMPTY: FamilySet = FamilySet(0);

    /// A set holding one family.
    pub const fn only(f: Family) -> Self {
        FamilySet(f.bit())
    }

    /// Adds a family.
    pub fn insert(&mut self, f: Family) {
        self.0 |= f.bit();
    }

    /// Membership.
    pub const fn contains(self, f: Family) -> bool {
        self.0 & f.bit() != 0
    }

    /// No family at all.
    pub const fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// Iterates the members in [`Family::ALL`] order.
    pub fn iter(self) -> impl Iterator<Item = Family> {
        Family::ALL.into_iter().filter(move |f| self.contains(*f))
    }
}

impl FromIterator<Family> for FamilySet {
    fn from_iter<T: IntoIterator<Item = Family>>(iter: T) -> Self {
        let mut s = FamilySet::EMPTY;
        for f in iter {
            s.insert(f);
        }
        s
    }
}
