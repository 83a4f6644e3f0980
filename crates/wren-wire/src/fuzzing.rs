//! Properties checked by the fuzz targets (`fuzz/`), the proptest suite
//! and the corpus replay test. They panic when a property fails, which is
//! what a fuzzer needs; nothing in the daemon calls them.

use crate::family::{Family, FamilySet};
use crate::message::decode_message;
use crate::update::decode_update;
use crate::Negotiated;

/// A session chosen by one input octet, so that inputs reach every
/// combination of 2/4-octet AS, ADD-PATH, extended messages and iBGP.
pub fn session(selector: u8) -> Negotiated {
    let mut families = FamilySet::only(Family::Ipv4Unicast);
    if selector & 1 != 0 {
        families.insert(Family::Ipv6Unicast);
    }
    let add_path = if selector & 2 != 0 {
        families
    } else {
        FamilySet::EMPTY
    };
    Negotiated {
        four_octet_as: selector & 4 == 0,
        extended_message: selector & 8 != 0,
        families,
        add_path_rx: add_path,
        add_path_tx: add_path,
        ext_next_hop: if selector & 16 != 0 {
            families
        } else {
            FamilySet::EMPTY
        },
        ibgp: selector & 32 != 0,
    }
}

/// Decodes `data` as a whole message and as an UPDATE body, and walks
/// everything the result offers. Must not panic.
pub fn decode_any(data: &[u8]) {
    let Some((&sel, rest)) = data.split_first() else {
        return;
    };
    let neg = session(sel);
    if let Ok(crate::Message::Update(u)) = decode_message(rest, &neg) {
        let _ = (u.announced().count(), u.withdrawn().count());
    }
    if let Ok(u) = decode_update(rest, &neg) {
        let _ = (u.announced().count(), u.withdrawn().count(), u.end_of_rib());
        let _ = u
            .attributes()
            .map(|a| a.as_path.as_ref().map(|p| p.to_string()));
        for f in Family::ALL {
            let _ = u.next_hop(f);
        }
        // FlowSpec rules arrive as MP attributes of a non-prefix family.
        for (_, field) in u.other_reach().into_iter().chain(u.other_unreach()) {
            flow_field(field);
        }
    }
    // And the raw input as a FlowSpec NLRI field of its own.
    flow_field(rest);
}

/// Splits a FlowSpec NLRI field and prints each rule. Must not panic;
/// every rule [`crate::flowspec::rules`] accepts must print without its
/// "invalid" fallback.
#[allow(clippy::panic)] // a failed property must abort the fuzzer
fn flow_field(field: &[u8]) {
    if let Ok(rules) = crate::flowspec::rules(field) {
        for r in rules {
            let text = crate::flowspec::to_text(r);
            if text.contains("invalid") {
                panic!("an accepted rule does not print: {r:02x?}");
            }
        }
    }
}

/// An accepted UPDATE, re-encoded, decodes to the same routes and
/// attributes.
#[allow(clippy::panic)] // a failed property must abort the fuzzer
pub fn round_trip(data: &[u8]) {
    let Some((&sel, rest)) = data.split_first() else {
        return;
    };
    let neg = session(sel);
    let Ok(u) = decode_update(rest, &neg) else {
        return;
    };
    let Some(attrs) = u.attributes() else { return };
    let mut out = Vec::new();
    if crate::Message::Update(u.clone())
        .encode(&neg, &mut out)
        .is_err()
    {
        return; // grew past the limit (e.g. AS4_PATH added); nothing to compare
    }
    let again = match decode_update(out.get(19..).unwrap_or_default(), &neg) {
        Ok(a) => a,
        Err(e) => panic!("re-encoded UPDATE rejected: {e}"),
    };
    assert_eq!(again.attributes(), Some(attrs), "attributes changed");
    assert!(
        again.announced().eq(u.announced()),
        "announced routes changed"
    );
    assert!(
        again.withdrawn().eq(u.withdrawn()),
        "withdrawn routes changed"
    );
}
