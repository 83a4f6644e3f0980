//! OPEN (RFC 4271 §4.2) with capability optional parameters (RFC 5492) and
//! the extended optional parameters length of RFC 9072.
//!
//! ```text
//! Version(1) My AS(2) Hold Time(2) BGP Identifier(4) Opt Parm Len(1)
//! then either  Type(1) Len(1) Value           -- classic parameters
//! or           255 255 ExtLen(2), Type(1) Len(2) Value  -- RFC 9072
//! ```
//!
//! Truncated parameter lengths crashed FRR (CVE-2022-40302, -40318, -43681);
//! here every length is checked against what is actually there, and the
//! declared lengths must add up exactly.

use crate::capability::Capability;
use crate::header::{self, MessageType};
use crate::notification::{code, open_error};
use crate::reader::Reader;
use crate::DecodeError;
use std::net::Ipv4Addr;

/// AS_TRANS (RFC 6793): the 2-octet stand-in for a 4-octet AS number.
pub const AS_TRANS: u16 = 23456;

/// Optional parameter type for capabilities (RFC 5492).
const PARAM_CAPABILITIES: u8 = 2;
/// Marker of the extended parameters length (RFC 9072).
const PARAM_EXTENDED: u8 = 255;

/// An OPEN message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Open {
    /// The 2-octet My AS field (AS_TRANS for 4-octet speakers).
    pub my_as: u16,
    /// Proposed hold time in seconds (0, or at least 3).
    pub hold_time: u16,
    /// BGP identifier.
    pub bgp_id: Ipv4Addr,
    /// Capabilities, grouped as they were in optional parameters; a speaker
    /// may send one parameter per capability or one for all, and both are
    /// kept so that re-encoding gives the same octets.
    pub params: Vec<Vec<Capability>>,
    /// Whether the RFC 9072 extended parameter encoding is used.
    pub extended_params: bool,
}

fn open_err(subcode: u8, offset: usize, reason: &'static str) -> DecodeError {
    DecodeError::new(code::OPEN_MESSAGE, subcode, offset, reason)
}

impl Open {
    /// An OPEN for AS `asn` carrying `caps` in one parameter. `my_as` is
    /// AS_TRANS when `asn` does not fit in two octets; the caller includes
    /// [`Capability::FourOctetAs`] as it wishes.
    pub fn new(asn: u32, hold_time: u16, bgp_id: Ipv4Addr, caps: Vec<Capability>) -> Self {
        Open {
            my_as: u16::try_from(asn).unwrap_or(AS_TRANS),
            hold_time,
            bgp_id,
            params: vec![caps],
            extended_params: false,
        }
    }

    /// All capabilities in order.
    pub fn capabilities(&self) -> impl Iterator<Item = &Capability> {
        self.params.iter().flatten()
    }

    /// The speaker's AS: from the 4-octet AS capability if present.
    pub fn asn(&self) -> u32 {
        self.capabilities()
            .find_map(|c| match c {
                Capability::FourOctetAs(a) => Some(*a),
                _ => None,
            })
            .unwrap_or(u32::from(self.my_as))
    }

    /// Decodes the body that follows the header. Offsets in errors count
    /// from the start of the message.
    pub fn decode_body(body: &[u8]) -> Result<Open, DecodeError> {
        let mut r = Reader::at(body, header::HEADER_LEN);
        let short = || open_err(open_error::UNSPECIFIC, header::HEADER_LEN, "OPEN too short");
        let version = r.u8().ok_or_else(short)?;
        let my_as = r.u16().ok_or_else(short)?;
        let hold_time = r.u16().ok_or_else(short)?;
        let bgp_id = r.u32().ok_or_else(short)?;
        let opt_len = r.u8().ok_or_else(short)?;
        if version != 4 {
            return Err(DecodeError::with_data(
                code::OPEN_MESSAGE,
                open_error::UNSUPPORTED_VERSION,
                vec![0, 4],
                header::HEADER_LEN,
                "only BGP version 4 is supported",
            ));
        }
        if hold_time == 1 || hold_time == 2 {
            return Err(open_err(
                open_error::UNACCEPTABLE_HOLD_TIME,
                header::HEADER_LEN + 3,
                "hold time must be 0 or at least 3 seconds",
            ));
        }
        if bgp_id == 0 {
            return Err(open_err(
                open_error::BAD_BGP_IDENTIFIER,
                header::HEADER_LEN + 5,
                "BGP identifier is zero",
            ));
        }
        let extended = opt_len == PARAM_EXTENDED && r.peek() == Some(PARAM_EXTENDED);
        let params_len = if extended {
            let at = r.offset();
            r.u8();
            usize::from(r.u16().ok_or_else(|| {
                open_err(
                    open_error::UNSPECIFIC,
                    at,
                    "extended parameters length cut short",
                )
            })?)
        } else {
            usize::from(opt_len)
        };
        if r.remaining() != params_len {
            return Err(open_err(
                open_error::UNSPECIFIC,
                r.offset(),
                "optional parameters length does not match the message",
            ));
        }
        let mut params = Vec::new();
        while !r.is_empty() {
            let at = r.offset();
            let ty = r.u8().ok_or_else(short)?;
            let len = if extended {
                r.u16()
            } else {
                r.u8().map(u16::from)
            };
            let value = len.and_then(|l| r.sub(usize::from(l))).ok_or_else(|| {
                open_err(
                    open_error::UNSPECIFIC,
                    at,
                    "optional parameter runs past the end",
                )
            })?;
            if ty != PARAM_CAPABILITIES {
                return Err(DecodeError::with_data(
                    code::OPEN_MESSAGE,
                    open_error::UNSUPPORTED_OPTIONAL_PARAMETER,
                    vec![ty],
                    at,
                    "optional parameter other than capabilities",
                ));
            }
            params.push(decode_capabilities(value)?);
        }
        Ok(Open {
            my_as,
            hold_time,
            bgp_id: Ipv4Addr::from(bgp_id),
            params,
            extended_params: extended,
        })
    }

    /// Appends the complete message. The RFC 9072 form is used when asked
    /// for or when the parameters do not fit in 255 octets.
    pub fn encode(&self, out: &mut Vec<u8>) {
        let mut encoded: Vec<Vec<u8>> = Vec::with_capacity(self.params.len());
        for p in &self.params {
            let mut v = Vec::new();
            for c in p {
                c.encode(&mut v);
            }
            encoded.push(v);
        }
        let classic_len: usize = encoded.iter().map(|v| v.len() + 2).sum();
        let extended =
            self.extended_params || classic_len > 255 || encoded.iter().any(|v| v.len() > 255);
        let start = header::begin(out, MessageType::Open);
        out.push(4);
        out.extend_from_slice(&self.my_as.to_be_bytes());
        out.extend_from_slice(&self.hold_time.to_be_bytes());
        out.extend_from_slice(&self.bgp_id.octets());
        if extended {
            let total: usize = encoded.iter().map(|v| v.len() + 3).sum();
            out.extend_from_slice(&[PARAM_EXTENDED, PARAM_EXTENDED]);
            out.extend_from_slice(&u16::try_from(total).unwrap_or(u16::MAX).to_be_bytes());
            for v in &encoded {
                out.push(PARAM_CAPABILITIES);
                out.extend_from_slice(&u16::try_from(v.len()).unwrap_or(u16::MAX).to_be_bytes());
                out.extend_from_slice(v);
            }
        } else {
            out.push(u8::try_from(classic_len).unwrap_or(u8::MAX));
            for v in &encoded {
                out.push(PARAM_CAPABILITIES);
                out.push(u8::try_from(v.len()).unwrap_or(u8::MAX));
                out.extend_from_slice(v);
            }
        }
        header::finish(out, start);
    }
}

fn decode_capabilities(mut r: Reader<'_>) -> Result<Vec<Capability>, DecodeError> {
    let mut caps = Vec::new();
    while !r.is_empty() {
        let at = r.offset();
        let code = r.u8();
        let value = r.u8().and_then(|l| r.take(usize::from(l)));
        let (Some(code), Some(value)) = (code, value) else {
            return Err(open_err(
                open_error::UNSPECIFIC,
                at,
                "capability runs past its parameter",
            ));
        };
        caps.push(Capability::decode(code, value, at + 2)?);
    }
    Ok(caps)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::capability::AddPathMode;
    use crate::AfiSafi;

    fn sample() -> Open {
        Open::new(
            4_200_000_001,
            90,
            Ipv4Addr::new(198, 18, 0, 1),
            vec![
                Capability::Multiprotocol(AfiSafi::IPV4_UNICAST),
                Capability::RouteRefresh,
                Capability::FourOctetAs(4_200_000_001),
                Capability::AddPath(vec![(AfiSafi::IPV4_UNICAST, AddPathMode::BOTH)]),
            ],
        )
    }

    fn body(msg: &[u8]) -> &[u8] {
        msg.get(19..).unwrap_or_default()
    }

    #[test]
    fn round_trip_classic_and_extended() {
        for extended in [false, true] {
            let mut o = sample();
            o.extended_params = extended;
            let mut out = Vec::new();
            o.encode(&mut out);
            assert_eq!(Open::decode_body(body(&out)), Ok(o.clone()));
            assert_eq!(o.asn(), 4_200_000_001);
            assert_eq!(o.my_as, AS_TRANS);
        }
    }

    #[test]
    fn many_capabilities_switch_to_extended_form() {
        let caps = (0..100)
            .map(|i| Capability::Unknown {
                code: 200,
                value: vec![i],
            })
            .collect();
        let o = Open::new(65001, 90, Ipv4Addr::new(1, 1, 1, 1), caps);
        let mut out = Vec::new();
        o.encode(&mut out);
        let back = Open::decode_body(body(&out));
        assert_eq!(back.map(|b| b.extended_params), Ok(true));
    }

    fn err_of(b: &[u8]) -> Option<(u8, u8)> {
        Open::decode_body(b)
            .err()
            .map(|e| (e.notification.code, e.notification.subcode))
    }

    const FIXED: [u8; 9] = [4, 0xfd, 0xe9, 0, 90, 198, 18, 0, 1];

    #[test]
    fn cut_after_option_length() {
        // FRR CVE-2022-40302/40318: the optional parameters length promises
        // parameters that are not there.
        let mut b = FIXED.to_vec();
        b.push(8);
        assert_eq!(err_of(&b), Some((2, 0)));
        b.extend_from_slice(&[2, 6, 1, 4]);
        assert_eq!(err_of(&b), Some((2, 0)));
    }

    #[test]
    fn broken_extended_length() {
        // FRR CVE-2022-43681: 255 255 and then nothing, or a length that lies.
        let mut b = FIXED.to_vec();
        b.extend_from_slice(&[255, 255]);
        assert_eq!(err_of(&b), Some((2, 0)));
        b.push(0);
        assert_eq!(err_of(&b), Some((2, 0)));
        b.extend_from_slice(&[10, 2, 0, 6]);
        assert_eq!(err_of(&b), Some((2, 0)));
    }

    #[test]
    fn capability_overrunning_its_parameter() {
        let mut b = FIXED.to_vec();
        b.extend_from_slice(&[4, 2, 2, 65, 4]);
        assert_eq!(err_of(&b), Some((2, 0)));
    }

    #[test]
    fn field_checks() {
        let mut b = FIXED.to_vec();
        b.push(0);
        assert!(Open::decode_body(&b).is_ok());
        let mut v3 = b.clone();
        v3[0] = 3;
        let e = Open::decode_body(&v3).err();
        assert_eq!(
            e.map(|e| (e.notification.subcode, e.notification.data)),
            Some((1, vec![0, 4]))
        );
        let mut hold = b.clone();
        hold[4] = 2;
        assert_eq!(err_of(&hold), Some((2, 6)));
        let mut id = b.clone();
        id[5..9].copy_from_slice(&[0; 4]);
        assert_eq!(err_of(&id), Some((2, 3)));
        let mut auth = b.clone();
        auth[9] = 2;
        auth.extend_from_slice(&[1, 0]);
        assert_eq!(err_of(&auth), Some((2, 4)));
    }
}
