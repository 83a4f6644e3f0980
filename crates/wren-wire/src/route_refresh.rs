//! ROUTE-REFRESH (RFC 2918) and its enhanced subtypes (RFC 7313).
//!
//! ```text
//! AFI(2) Message Subtype(1) SAFI(1)
//! ```

use crate::family::{Afi, AfiSafi, Safi};
use crate::header::{self, MessageType, HEADER_LEN};
use crate::notification::{code, route_refresh_error};
use crate::reader::Reader;
use crate::DecodeError;

/// Message subtype: normal request.
pub const SUBTYPE_REQUEST: u8 = 0;
/// Message subtype: Beginning of Route Refresh (RFC 7313).
pub const SUBTYPE_BORR: u8 = 1;
/// Message subtype: End of Route Refresh (RFC 7313).
pub const SUBTYPE_EORR: u8 = 2;

/// A ROUTE-REFRESH message.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct RouteRefresh {
    /// The family to refresh.
    pub afi_safi: AfiSafi,
    /// Subtype; receivers ignore values other than 0, 1, 2 (RFC 7313 §5).
    pub subtype: u8,
}

impl RouteRefresh {
    /// A plain refresh request.
    pub fn request(afi_safi: AfiSafi) -> Self {
        RouteRefresh {
            afi_safi,
            subtype: SUBTYPE_REQUEST,
        }
    }

    /// Decodes a whole message (header included, for the error data):
    /// any length but 23 is a ROUTE-REFRESH Message Error carrying the
    /// message (RFC 7313 §5).
    pub fn decode(msg: &[u8]) -> Result<Self, DecodeError> {
        let mut r = Reader::at(msg.get(HEADER_LEN..).unwrap_or_default(), HEADER_LEN);
        if r.remaining() == 4 {
            if let (Some(afi), Some(subtype), Some(safi)) = (r.u16(), r.u8(), r.u8()) {
                return Ok(RouteRefresh {
                    afi_safi: AfiSafi::new(Afi(afi), Safi(safi)),
                    subtype,
                });
            }
        }
        Err(DecodeError::with_data(
            code::ROUTE_REFRESH,
            route_refresh_error::INVALID_MESSAGE_LENGTH,
            msg.to_vec(),
            16,
            "ROUTE-REFRESH length is not 23",
        ))
    }

    /// Appends the complete message.
    pub fn encode(&self, out: &mut Vec<u8>) {
        let start = header::begin(out, MessageType::RouteRefresh);
        out.extend_from_slice(&self.afi_safi.afi.0.to_be_bytes());
        out.push(self.subtype);
        out.push(self.afi_safi.safi.0);
        header::finish(out, start);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_length_error() {
        let rr = RouteRefresh {
            afi_safi: AfiSafi::IPV6_UNICAST,
            subtype: SUBTYPE_EORR,
        };
        let mut out = Vec::new();
        rr.encode(&mut out);
        assert_eq!(out.len(), 23);
        assert_eq!(RouteRefresh::decode(&out), Ok(rr));
        out.push(0);
        let e = RouteRefresh::decode(&out).err();
        assert_eq!(
            e.map(|e| (
                e.notification.code,
                e.notification.subcode,
                e.notification.data.len()
            )),
            Some((7, 1, 24))
        );
    }
}
