//! UPDATE decoding: locate the three fields, decode the attributes, parse
//! the MP attributes, and settle the verdict.
//!
//! ```text
//! Withdrawn Routes Length (2) | Withdrawn Routes | Total Path Attribute Length (2)
//! | Path Attributes | NLRI (the rest of the message)
//! ```

use super::mp::{self, Mp};
use super::verdict::{Outcome, UpdateError, Verdict};
use super::Update;
use crate::attributes::attr_type;
use crate::attributes::decode::decode_attributes;
use crate::family::Family;
use crate::header::HEADER_LEN;
use crate::nlri::NlriSection;
use crate::notification::{code, update_error as ue};
use crate::reader::Reader;
use crate::session::Negotiated;
use crate::DecodeError;

fn reset(subcode: u8, offset: usize, reason: &'static str) -> DecodeError {
    DecodeError::new(code::UPDATE_MESSAGE, subcode, offset, reason)
}

/// Decodes an UPDATE body (the octets after the header). `Err` means the
/// session must be reset with the error's NOTIFICATION.
pub fn decode_update<'a>(body: &'a [u8], neg: &Negotiated) -> Result<Update<'a>, DecodeError> {
    let mut r = Reader::at(body, HEADER_LEN);
    let v4 = Family::Ipv4Unicast;
    let v4_add_path = neg.add_path_rx.contains(v4);
    // RFC 4271 §6.3: lengths that do not fit the message.
    let lengths = "withdrawn or attribute length exceeds the message";
    let wlen = r
        .u16()
        .ok_or(reset(ue::MALFORMED_ATTRIBUTE_LIST, HEADER_LEN, lengths))?;
    let withdrawn_r =
        r.sub(usize::from(wlen))
            .ok_or(reset(ue::MALFORMED_ATTRIBUTE_LIST, HEADER_LEN, lengths))?;
    let alen_at = r.offset();
    let alen = r
        .u16()
        .ok_or(reset(ue::MALFORMED_ATTRIBUTE_LIST, alen_at, lengths))?;
    let attrs_r =
        r.sub(usize::from(alen))
            .ok_or(reset(ue::MALFORMED_ATTRIBUTE_LIST, alen_at, lengths))?;
    let attr_bytes = attrs_r.rest();
    // RFC 7606 §5.3: prefixes that cannot be parsed cannot be withdrawn.
    let withdrawn = NlriSection::parse(withdrawn_r, v4, v4_add_path)
        .map_err(|e| reset(ue::INVALID_NETWORK_FIELD, e.offset, e.reason))?;
    let nlri = NlriSection::parse(r, v4, v4_add_path)
        .map_err(|e| reset(ue::INVALID_NETWORK_FIELD, e.offset, e.reason))?;

    let mut out = Outcome::default();
    let d = decode_attributes(attrs_r, neg, !nlri.is_empty(), &mut out)?;
    let mut ignored = None;
    let mut mp_reach = None;
    let mut mp_unreach = None;
    if let Some(raw) = &d.mp_reach {
        match mp::parse_reach(raw, neg, &mut out)? {
            Mp::Parsed(m) => mp_reach = Some(m),
            Mp::Ignored(f) => ignored = Some(f),
            Mp::Disabled => {}
        }
    }
    if let Some(raw) = &d.mp_unreach {
        match mp::parse_unreach(raw, neg, &mut out)? {
            Mp::Parsed(m) => mp_unreach = Some(m),
            Mp::Ignored(f) => ignored = Some(f),
            Mp::Disabled => {}
        }
    }
    let multiprotocol = neg.families.iter().any(|f| f != v4);
    if d.broken
        && nlri.is_empty()
        && d.mp_reach.is_none()
        && d.mp_unreach.is_none()
        && multiprotocol
    {
        // RFC 7606 §5.2/§5.3: the attribute section broke before any MP
        // attribute was found, and there is no NLRI field: the routes of
        // this message may be hidden behind the break. Only a reset is safe.
        return Err(reset(
            ue::MALFORMED_ATTRIBUTE_LIST,
            alen_at,
            "attribute section unparseable and its routes cannot be located",
        ));
    }
    let reaches = !nlri.is_empty() || mp_reach.is_some_and(|m| !m.nlri.is_empty());
    if reaches {
        let mut require = |t: u8, present: bool| {
            if !present && !d.seen.contains(t) {
                out.escalate(
                    Verdict::TreatAsWithdraw,
                    UpdateError {
                        subcode: ue::MISSING_WELL_KNOWN,
                        attr_type: Some(t),
                        offset: alen_at,
                        reason: "well-known mandatory attribute missing",
                    },
                );
            }
        };
        require(attr_type::ORIGIN, d.attrs.origin.is_some());
        require(attr_type::AS_PATH, d.attrs.as_path.is_some());
        if !nlri.is_empty() {
            require(attr_type::NEXT_HOP, d.attrs.next_hop.is_some());
        }
    }
    let end_of_rib = end_of_rib(body, &d.seen, &nlri, &withdrawn, mp_unreach, &out);
    Ok(Update {
        withdrawn,
        nlri,
        mp_reach,
        mp_unreach,
        attrs: d.attrs,
        attr_bytes,
        verdict: out.verdict,
        error: out.error,
        discarded: out.discarded,
        layout: d.layout,
        end_of_rib,
        ignored,
        other: [
            d.mp_reach.as_ref().and_then(|m| mp::other_nlri(m, true)),
            d.mp_unreach.as_ref().and_then(|m| mp::other_nlri(m, false)),
        ],
    })
}

/// End-of-RIB (RFC 4724 §2) is recognised only in its exact forms: for
/// IPv4 unicast an UPDATE of four zero octets; for other families an UPDATE
/// whose only content is an empty MP_UNREACH_NLRI. Anything else that
/// merely lacks routes (say, an unknown attribute and nothing the daemon
/// understood) is not End-of-RIB: FRR took such messages for one and
/// crashed (CVE-2023-46753, CVE-2023-47235).
fn end_of_rib(
    body: &[u8],
    seen: &crate::attributes::AttrSet,
    nlri: &NlriSection<'_>,
    withdrawn: &NlriSection<'_>,
    mp_unreach: Option<NlriSection<'_>>,
    out: &Outcome,
) -> Option<Family> {
    if out.verdict != Verdict::Accept || out.error.is_some() {
        return None;
    }
    if body == [0, 0, 0, 0] {
        return Some(Family::Ipv4Unicast);
    }
    let only_unreach = seen.iter().eq([attr_type::MP_UNREACH_NLRI]);
    match mp_unreach {
        Some(u) if only_unreach && u.is_empty() && nlri.is_empty() && withdrawn.is_empty() => {
            Some(u.family())
        }
        _ => None,
    }
}
