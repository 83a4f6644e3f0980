//! UPDATE (RFC 4271 §4.3): decoding with RFC 7606 verdicts, and packing
//! encoders.
//!
//! A decoded [`Update`] borrows the message: prefixes are iterated straight
//! from the received octets, and only the attribute set is built (once per
//! message, never per prefix).
//!
//! The accessors enforce the verdict, so that a caller cannot install
//! routes from a message that must be treated as withdrawn: under
//! treat-as-withdraw [`Update::attributes`] is `None`, [`Update::announced`]
//! is empty and [`Update::withdrawn`] yields every route of the message.
//! Daemons crashed exactly there, after deciding to treat-as-withdraw and
//! then reading the attributes anyway (GoBGP CVE-2026-30405).

mod decode;
pub mod encode;
pub mod mp;
pub mod verdict;

pub use decode::decode_update;
pub use encode::{
    encode_end_of_rib, encode_update, encode_withdraw, AnnounceTemplate, EncodeError, UpdateParts,
    Withdrawals,
};
pub use mp::{MpReach, NextHop};
pub use verdict::{UpdateError, Verdict};

use crate::attributes::{AttrLayout, AttrSet, PathAttributes};
use crate::family::{AfiSafi, Family};
use crate::nlri::{Nlri, NlriSection};

/// A decoded UPDATE.
#[derive(Clone, Debug)]
pub struct Update<'a> {
    pub(crate) withdrawn: NlriSection<'a>,
    pub(crate) nlri: NlriSection<'a>,
    pub(crate) mp_reach: Option<MpReach<'a>>,
    pub(crate) mp_unreach: Option<NlriSection<'a>>,
    pub(crate) attrs: PathAttributes,
    pub(crate) attr_bytes: &'a [u8],
    pub(crate) verdict: Verdict,
    pub(crate) error: Option<UpdateError>,
    pub(crate) discarded: AttrSet,
    pub(crate) layout: AttrLayout,
    pub(crate) end_of_rib: Option<Family>,
    pub(crate) ignored: Option<AfiSafi>,
    /// NLRI fields of MP attributes of families whose NLRI are not
    /// prefixes (FlowSpec), for the caller to read: (family, reach,
    /// unreach).
    pub(crate) other: [Option<(AfiSafi, &'a [u8])>; 2],
}

impl<'a> Update<'a> {
    /// The RFC 7606 verdict.
    pub fn verdict(&self) -> Verdict {
        self.verdict
    }

    /// Why the verdict is what it is, if not Accept.
    pub fn error(&self) -> Option<UpdateError> {
        self.error
    }

    /// Attribute types dropped by attribute discard.
    pub fn discarded(&self) -> AttrSet {
        self.discarded
    }

    /// The attributes to install the announced routes with; `None` when
    /// the verdict forbids installing.
    pub fn attributes(&self) -> Option<&PathAttributes> {
        self.verdict.installs().then_some(&self.attrs)
    }

    /// Whatever attributes could be decoded, whatever the verdict: for
    /// logs and debugging only, never for routing.
    pub fn attributes_for_diagnostics(&self) -> &PathAttributes {
        &self.attrs
    }

    /// The raw attribute section (for interning by content).
    pub fn attribute_bytes(&self) -> &'a [u8] {
        self.attr_bytes
    }

    /// Order and flags of the received attributes.
    pub fn layout(&self) -> &AttrLayout {
        &self.layout
    }

    /// The family this message ends the initial update of (RFC 4724 §2):
    /// only for a message that is exactly an End-of-RIB marker.
    pub fn end_of_rib(&self) -> Option<Family> {
        self.end_of_rib
    }

    /// An MP attribute of a family the session did not negotiate, ignored.
    pub fn ignored_family(&self) -> Option<AfiSafi> {
        self.ignored
    }

    /// The NLRI field of MP_REACH_NLRI for a family that is not a
    /// [`Family`] (not prefixes: FlowSpec), with its family. Only the
    /// caller knows whether the session negotiated it.
    pub fn other_reach(&self) -> Option<(AfiSafi, &'a [u8])> {
        self.other[0]
    }

    /// The same for MP_UNREACH_NLRI.
    pub fn other_unreach(&self) -> Option<(AfiSafi, &'a [u8])> {
        self.other[1]
    }

    /// The next hop for routes of `family` in this message.
    pub fn next_hop(&self, family: Family) -> Option<NextHop> {
        if !self.verdict.installs() {
            return None;
        }
        match &self.mp_reach {
            Some(m) if m.family == family => Some(m.next_hop),
            _ if family == Family::Ipv4Unicast && !self.nlri.is_empty() => {
                self.attrs.next_hop.map(NextHop::V4)
            }
            _ => None,
        }
    }

    fn reach_sections(&self) -> [Option<NlriSection<'a>>; 2] {
        [Some(self.nlri), self.mp_reach.map(|m| m.nlri)]
    }

    /// Routes to install, with their family; empty unless the verdict
    /// allows installing.
    pub fn announced(&self) -> impl Iterator<Item = (Family, Nlri)> + 'a {
        let sections = if self.verdict.installs() {
            self.reach_sections()
        } else {
            [None, None]
        };
        flatten(sections)
    }

    /// Routes to remove: the withdrawn ones, and under treat-as-withdraw
    /// or AFI/SAFI disable also every announced one.
    pub fn withdrawn(&self) -> impl Iterator<Item = (Family, Nlri)> + 'a {
        let [a, b] = if self.verdict.installs() {
            [None, None]
        } else {
            self.reach_sections()
        };
        flatten([Some(self.withdrawn), self.mp_unreach, a, b])
    }

    /// Number of routes announced (before the verdict is applied).
    pub fn announced_count(&self) -> usize {
        self.nlri.len() + self.mp_reach.map_or(0, |m| m.nlri.len())
    }

    /// The IPv4 withdrawn routes field, as received.
    pub fn withdrawn_field(&self) -> NlriSection<'a> {
        self.withdrawn
    }

    /// The IPv4 NLRI field, as received.
    pub fn nlri_field(&self) -> NlriSection<'a> {
        self.nlri
    }

    /// MP_REACH_NLRI of a negotiated family, as received.
    pub fn mp_reach(&self) -> Option<MpReach<'a>> {
        self.mp_reach
    }

    /// MP_UNREACH_NLRI of a negotiated family, as received.
    pub fn mp_unreach(&self) -> Option<NlriSection<'a>> {
        self.mp_unreach
    }
}

fn flatten<'a, const N: usize>(
    sections: [Option<NlriSection<'a>>; N],
) -> impl Iterator<Item = (Family, Nlri)> + 'a {
    sections
        .into_iter()
        .flatten()
        .flat_map(|s| s.iter().map(move |n| (s.family(), n)))
}
