//! What two OPENs negotiate that changes how messages are encoded.
//!
//! A [`Negotiated`] is computed once per session and handed to every
//! decoder and encoder; it is small and `Copy`.

use crate::capability::Capability;
use crate::family::{Family, FamilySet};
use crate::header::{MAX_EXTENDED_MESSAGE_LEN, MAX_MESSAGE_LEN};
use crate::open::Open;
use crate::Afi;

/// Encoding parameters of one session, seen from the local side.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Negotiated {
    /// Both sides sent the 4-octet AS capability (RFC 6793).
    pub four_octet_as: bool,
    /// Both sides sent the extended message capability (RFC 8654).
    pub extended_message: bool,
    /// Families both sides support (RFC 4760); IPv4 unicast when neither
    /// sent a multiprotocol capability.
    pub families: FamilySet,
    /// Families in which the peer sends path identifiers to us (RFC 7911).
    pub add_path_rx: FamilySet,
    /// Families in which we send path identifiers to the peer.
    pub add_path_tx: FamilySet,
    /// Families whose NLRI may carry an IPv6 next hop (RFC 8950).
    pub ext_next_hop: FamilySet,
    /// Both sides are in the same AS: LOCAL_PREF, ORIGINATOR_ID and
    /// CLUSTER_LIST are accepted.
    pub ibgp: bool,
}

impl Default for Negotiated {
    /// Plain RFC 4271: 2-octet AS, IPv4 unicast only, eBGP, 4096 octets.
    fn default() -> Self {
        Negotiated {
            four_octet_as: false,
            extended_message: false,
            families: FamilySet::only(Family::Ipv4Unicast),
            add_path_rx: FamilySet::EMPTY,
            add_path_tx: FamilySet::EMPTY,
            ext_next_hop: FamilySet::EMPTY,
            ibgp: false,
        }
    }
}

/// Families an OPEN announces: its multiprotocol capabilities, or IPv4
/// unicast alone when it has none (RFC 4760 §8).
pub fn advertised_families(open: &Open) -> FamilySet {
    let mut set = FamilySet::EMPTY;
    let mut any = false;
    for c in open.capabilities() {
        if let Capability::Multiprotocol(f) = c {
            any = true;
            if let Some(fam) = f.family() {
                set.insert(fam);
            }
        }
    }
    if any {
        set
    } else {
        FamilySet::only(Family::Ipv4Unicast)
    }
}

fn has(open: &Open, code: u8) -> bool {
    open.capabilities().any(|c| c.code() == code)
}

fn add_path_modes(open: &Open, send: bool) -> FamilySet {
    let mut set = FamilySet::EMPTY;
    for c in open.capabilities() {
        if let Capability::AddPath(v) = c {
            for (f, m) in v {
                let on = if send { m.send() } else { m.receive() };
                if let (true, Some(fam)) = (on, f.family()) {
                    set.insert(fam);
                }
            }
        }
    }
    set
}

fn ext_next_hop(open: &Open) -> FamilySet {
    let mut set = FamilySet::EMPTY;
    for c in open.capabilities() {
        if let Capability::ExtendedNextHop(v) = c {
            for (f, nh) in v {
                if let (Afi::IPV6, Some(fam)) = (*nh, f.family()) {
                    set.insert(fam);
                }
            }
        }
    }
    set
}

fn intersect(a: FamilySet, b: FamilySet) -> FamilySet {
    a.iter().filter(|f| b.contains(*f)).collect()
}

impl Negotiated {
    /// What `local` and `remote` OPENs agree on, from the local side.
    pub fn negotiate(local: &Open, remote: &Open) -> Self {
        use crate::capability::code_point::*;
        let families = intersect(advertised_families(local), advertised_families(remote));
        let rx = intersect(add_path_modes(local, false), add_path_modes(remote, true));
        let tx = intersect(add_path_modes(local, true), add_path_modes(remote, false));
        Negotiated {
            four_octet_as: has(local, FOUR_OCTET_AS) && has(remote, FOUR_OCTET_AS),
            extended_message: has(local, EXTENDED_MESSAGE) && has(remote, EXTENDED_MESSAGE),
            families,
            add_path_rx: intersect(rx, families),
            add_path_tx: intersect(tx, families),
            ext_next_hop: intersect(
                intersect(ext_next_hop(local), ext_next_hop(remote)),
                families,
            ),
            ibgp: local.asn() == remote.asn(),
        }
    }

    /// Largest message this session may carry.
    pub fn max_message_len(&self) -> usize {
        if self.extended_message {
            MAX_EXTENDED_MESSAGE_LEN
        } else {
            MAX_MESSAGE_LEN
        }
    }

    /// The same session seen from the other side: what we send is what the
    /// peer receives. Used to decode our own output in tests and tools.
    pub fn mirrored(&self) -> Self {
        Negotiated {
            add_path_rx: self.add_path_tx,
            add_path_tx: self.add_path_rx,
            ..*self
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::capability::AddPathMode;
    use crate::AfiSafi;
    use std::net::Ipv4Addr;

    fn open(asn: u32, caps: Vec<Capability>) -> Open {
        Open::new(asn, 90, Ipv4Addr::new(10, 0, 0, 1), caps)
    }

    #[test]
    fn missing_capabilities_fall_back_to_rfc4271() {
        let rich = open(
            65001,
            vec![
                Capability::Multiprotocol(AfiSafi::IPV4_UNICAST),
                Capability::Multiprotocol(AfiSafi::IPV6_UNICAST),
                Capability::FourOctetAs(65001),
                Capability::ExtendedMessage,
                Capability::AddPath(vec![(AfiSafi::IPV4_UNICAST, AddPathMode::BOTH)]),
            ],
        );
        let bare = open(65002, vec![]);
        let n = Negotiated::negotiate(&rich, &bare);
        assert_eq!(n, Negotiated::default());
    }

    #[test]
    fn add_path_directions() {
        let a = open(
            65000,
            vec![
                Capability::FourOctetAs(65000),
                Capability::AddPath(vec![(AfiSafi::IPV4_UNICAST, AddPathMode::RECEIVE)]),
            ],
        );
        let b = open(
            65000,
            vec![
                Capability::FourOctetAs(65000),
                Capability::AddPath(vec![(AfiSafi::IPV4_UNICAST, AddPathMode::BOTH)]),
            ],
        );
        let n = Negotiated::negotiate(&a, &b);
        assert!(n.ibgp && n.four_octet_as);
        assert!(n.add_path_rx.contains(Family::Ipv4Unicast));
        assert!(!n.add_path_tx.contains(Family::Ipv4Unicast));
        assert_eq!(Negotiated::negotiate(&b, &a), n.mirrored());
    }

    #[test]
    fn extended_next_hop_needs_both_sides() {
        let enh = Capability::ExtendedNextHop(vec![(AfiSafi::IPV4_UNICAST, Afi::IPV6)]);
        let a = open(1, vec![enh.clone()]);
        let b = open(2, vec![enh]);
        let c = open(3, vec![]);
        assert!(Negotiated::negotiate(&a, &b)
            .ext_next_hop
            .contains(Family::Ipv4Unicast));
        assert!(!Negotiated::negotiate(&a, &c)
            .ext_next_hop
            .contains(Family::Ipv4Unicast));
    }
}
