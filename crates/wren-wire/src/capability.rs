//! Capabilities (RFC 5492) that Wren understands; any other is kept as bytes.
//!
//! A capability that changes how messages are encoded (multiprotocol,
//! 4-octet AS, ADD-PATH, extended next hop, graceful restart) must be
//! well-formed or the OPEN is rejected. Informational ones (FQDN, software
//! version) are kept as [`Capability::Unknown`] when malformed: a bad
//! hostname is no reason to drop a session, and reading one must never
//! crash (GoBGP CVE-2025-43971 was a zero-length software version).

use crate::family::{Afi, AfiSafi, Safi};
use crate::notification::{code, open_error};
use crate::reader::Reader;
use crate::DecodeError;

/// Capability codes (IANA "Capability Codes").
pub mod code_point {
    /// Multiprotocol Extensions (RFC 4760).
    pub const MULTIPROTOCOL: u8 = 1;
    /// Route Refresh (RFC 2918).
    pub const ROUTE_REFRESH: u8 = 2;
    /// Extended Next Hop Encoding (RFC 8950).
    pub const EXTENDED_NEXT_HOP: u8 = 5;
    /// Extended Message (RFC 8654).
    pub const EXTENDED_MESSAGE: u8 = 6;
    /// BGP Role (RFC 9234).
    pub const ROLE: u8 = 9;
    /// Graceful Restart (RFC 4724).
    pub const GRACEFUL_RESTART: u8 = 64;
    /// 4-octet AS number (RFC 6793).
    pub const FOUR_OCTET_AS: u8 = 65;
    /// ADD-PATH (RFC 7911).
    pub const ADD_PATH: u8 = 69;
    /// Enhanced Route Refresh (RFC 7313).
    pub const ENHANCED_ROUTE_REFRESH: u8 = 70;
    /// FQDN (draft-walton-bgp-hostname-capability).
    pub const FQDN: u8 = 73;
    /// Software Version (draft-abraitis-bgp-version-capability).
    pub const SOFTWARE_VERSION: u8 = 75;
}

/// ADD-PATH Send/Receive field (RFC 7911 §4).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct AddPathMode(pub u8);

impl AddPathMode {
    /// Able to receive multiple paths.
    pub const RECEIVE: AddPathMode = AddPathMode(1);
    /// Able to send multiple paths.
    pub const SEND: AddPathMode = AddPathMode(2);
    /// Both.
    pub const BOTH: AddPathMode = AddPathMode(3);

    /// Receive bit set.
    pub fn receive(self) -> bool {
        self.0 & 1 != 0
    }

    /// Send bit set.
    pub fn send(self) -> bool {
        self.0 & 2 != 0
    }
}

/// One family in a Graceful Restart capability.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct GracefulRestartFamily {
    /// The family.
    pub afi_safi: AfiSafi,
    /// Forwarding state preserved (F bit) plus the reserved bits as sent.
    pub flags: u8,
}

impl GracefulRestartFamily {
    /// F bit.
    pub fn forwarding_preserved(&self) -> bool {
        self.flags & 0x80 != 0
    }
}

/// A capability.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Capability {
    /// Multiprotocol extensions for one family.
    Multiprotocol(AfiSafi),
    /// Route refresh.
    RouteRefresh,
    /// Extended next hop: (NLRI family, next-hop AFI) pairs.
    ExtendedNextHop(Vec<(AfiSafi, Afi)>),
    /// Extended messages (up to 65535 octets).
    ExtendedMessage,
    /// BGP role (RFC 9234).
    Role(u8),
    /// Graceful restart.
    GracefulRestart {
        /// The four flag bits (R = 0x8, N = 0x4).
        flags: u8,
        /// Restart time in seconds (12 bits).
        time: u16,
        /// Families with preserved state.
        families: Vec<GracefulRestartFamily>,
    },
    /// The speaker's 4-octet AS number.
    FourOctetAs(u32),
    /// ADD-PATH per family.
    AddPath(Vec<(AfiSafi, AddPathMode)>),
    /// Enhanced route refresh.
    EnhancedRouteRefresh,
    /// Host and domain name.
    Fqdn {
        /// Host name.
        hostname: String,
        /// Domain name.
        domain: String,
    },
    /// Software version string.
    SoftwareVersion(String),
    /// Anything else, or a malformed informational capability.
    Unknown {
        /// Capability code.
        code: u8,
        /// Value octets.
        value: Vec<u8>,
    },
}

fn malformed(offset: usize, reason: &'static str) -> DecodeError {
    DecodeError::new(code::OPEN_MESSAGE, open_error::UNSPECIFIC, offset, reason)
}

fn read_afi_safi16(r: &mut Reader<'_>) -> Option<AfiSafi> {
    let afi = r.u16()?;
    let safi = r.u16()?;
    Some(AfiSafi::new(Afi(afi), Safi(u8::try_from(safi).ok()?)))
}

impl Capability {
    /// The capability code.
    pub fn code(&self) -> u8 {
        use code_point::*;
        match self {
            Capability::Multiprotocol(_) => MULTIPROTOCOL,
            Capability::RouteRefresh => ROUTE_REFRESH,
            Capability::ExtendedNextHop(_) => EXTENDED_NEXT_HOP,
            Capability::ExtendedMessage => EXTENDED_MESSAGE,
            Capability::Role(_) => ROLE,
            Capability::GracefulRestart { .. } => GRACEFUL_RESTART,
            Capability::FourOctetAs(_) => FOUR_OCTET_AS,
            Capability::AddPath(_) => ADD_PATH,
            Capability::EnhancedRouteRefresh => ENHANCED_ROUTE_REFRESH,
            Capability::Fqdn { .. } => FQDN,
            Capability::SoftwareVersion(_) => SOFTWARE_VERSION,
            Capability::Unknown { code, .. } => *code,
        }
    }

    /// A short name for traces.
    pub fn name(&self) -> String {
        match self {
            Capability::Multiprotocol(f) => format!("mp:{f}"),
            Capability::RouteRefresh => "route-refresh".into(),
            Capability::ExtendedNextHop(_) => "extended-nexthop".into(),
            Capability::ExtendedMessage => "extended-message".into(),
            Capability::Role(r) => format!("role:{r}"),
            Capability::GracefulRestart { time, .. } => format!("graceful-restart:{time}s"),
            Capability::FourOctetAs(a) => format!("as4:{a}"),
            Capability::AddPath(_) => "add-path".into(),
            Capability::EnhancedRouteRefresh => "enhanced-route-refresh".into(),
            Capability::Fqdn { hostname, .. } => format!("fqdn:{hostname}"),
            Capability::SoftwareVersion(v) => format!("version:{v}"),
            Capability::Unknown { code, .. } => format!("cap-{code}"),
        }
    }

    /// Decodes one capability value. `offset` is where the value starts in
    /// the message, for error reports.
    pub fn decode(code: u8, value: &[u8], offset: usize) -> Result<Capability, DecodeError> {
        use code_point::*;
        let mut r = Reader::at(value, offset);
        let exact = |r: &Reader<'_>, what| {
            if r.is_empty() {
                Ok(())
            } else {
                Err(malformed(r.offset(), what))
            }
        };
        let cap = match code {
            MULTIPROTOCOL => {
                let (Some(afi), Some(_reserved), Some(safi)) = (r.u16(), r.u8(), r.u8()) else {
                    return Err(malformed(offset, "multiprotocol capability too short"));
                };
                exact(&r, "multiprotocol capability too long")?;
                Capability::Multiprotocol(AfiSafi::new(Afi(afi), Safi(safi)))
            }
            ROUTE_REFRESH | EXTENDED_MESSAGE | ENHANCED_ROUTE_REFRESH => {
                exact(&r, "capability must be empty")?;
                match code {
                    ROUTE_REFRESH => Capability::RouteRefresh,
                    EXTENDED_MESSAGE => Capability::ExtendedMessage,
                    _ => Capability::EnhancedRouteRefresh,
                }
            }
            EXTENDED_NEXT_HOP => {
                if value.is_empty() || value.len() % 6 != 0 {
                    return Err(malformed(
                        offset,
                        "extended next hop length not a multiple of 6",
                    ));
                }
                let mut v = Vec::with_capacity(value.len() / 6);
                while !r.is_empty() {
                    let at = r.offset();
                    let fam = read_afi_safi16(&mut r)
                        .ok_or_else(|| malformed(at, "extended next hop SAFI out of range"))?;
                    let nh = r
                        .u16()
                        .ok_or_else(|| malformed(at, "extended next hop truncated"))?;
                    v.push((fam, Afi(nh)));
                }
                Capability::ExtendedNextHop(v)
            }
            ROLE => {
                let role = r
                    .u8()
                    .ok_or_else(|| malformed(offset, "role capability empty"))?;
                exact(&r, "role capability too long")?;
                Capability::Role(role)
            }
            GRACEFUL_RESTART => {
                let head = r
                    .u16()
                    .ok_or_else(|| malformed(offset, "graceful restart capability too short"))?;
                if r.remaining() % 4 != 0 {
                    return Err(malformed(
                        offset,
                        "graceful restart families not 4-octet tuples",
                    ));
                }
                let mut families = Vec::with_capacity(r.remaining() / 4);
                while let (Some(afi), Some(safi), Some(flags)) = (r.u16(), r.u8(), r.u8()) {
                    families.push(GracefulRestartFamily {
                        afi_safi: AfiSafi::new(Afi(afi), Safi(safi)),
                        flags,
                    });
                }
                Capability::GracefulRestart {
                    flags: u8::try_from(head >> 12).unwrap_or(0),
                    time: head & 0x0fff,
                    families,
                }
            }
            FOUR_OCTET_AS => {
                let asn = r
                    .u32()
                    .ok_or_else(|| malformed(offset, "4-octet AS capability too short"))?;
                exact(&r, "4-octet AS capability too long")?;
                Capability::FourOctetAs(asn)
            }
            ADD_PATH => {
                if value.is_empty() || value.len() % 4 != 0 {
                    return Err(malformed(offset, "ADD-PATH capability not 4-octet tuples"));
                }
                let mut v = Vec::with_capacity(value.len() / 4);
                while let (Some(afi), Some(safi), Some(mode)) = (r.u16(), r.u8(), r.u8()) {
                    v.push((AfiSafi::new(Afi(afi), Safi(safi)), AddPathMode(mode)));
                }
                Capability::AddPath(v)
            }
            FQDN => decode_fqdn(value).unwrap_or_else(|| unknown(code, value)),
            SOFTWARE_VERSION => decode_version(value).unwrap_or_else(|| unknown(code, value)),
            _ => unknown(code, value),
        };
        Ok(cap)
    }

    /// Appends code, length and value.
    pub fn encode(&self, out: &mut Vec<u8>) {
        out.push(self.code());
        let len_at = out.len();
        out.push(0);
        match self {
            Capability::Multiprotocol(f) => {
                out.extend_from_slice(&f.afi.0.to_be_bytes());
                out.push(0);
                out.push(f.safi.0);
            }
            Capability::RouteRefresh
            | Capability::ExtendedMessage
            | Capability::EnhancedRouteRefresh => {}
            Capability::ExtendedNextHop(v) => {
                for (f, nh) in v {
                    out.extend_from_slice(&f.afi.0.to_be_bytes());
                    out.extend_from_slice(&u16::from(f.safi.0).to_be_bytes());
                    out.extend_from_slice(&nh.0.to_be_bytes());
                }
            }
            Capability::Role(r) => out.push(*r),
            Capability::GracefulRestart {
                flags,
                time,
                families,
            } => {
                let head = (u16::from(*flags & 0xf) << 12) | (time & 0x0fff);
                out.extend_from_slice(&head.to_be_bytes());
                for f in families {
                    out.extend_from_slice(&f.afi_safi.afi.0.to_be_bytes());
                    out.push(f.afi_safi.safi.0);
                    out.push(f.flags);
                }
            }
            Capability::FourOctetAs(asn) => out.extend_from_slice(&asn.to_be_bytes()),
            Capability::AddPath(v) => {
                for (f, m) in v {
                    out.extend_from_slice(&f.afi.0.to_be_bytes());
                    out.push(f.safi.0);
                    out.push(m.0);
                }
            }
            Capability::Fqdn { hostname, domain } => {
                for s in [hostname, domain] {
                    let s = truncate(s, 255);
                    out.push(u8::try_from(s.len()).unwrap_or(u8::MAX));
                    out.extend_from_slice(s);
                }
            }
            Capability::SoftwareVersion(s) => {
                let s = truncate(s, 254);
                out.push(u8::try_from(s.len()).unwrap_or(u8::MAX));
                out.extend_from_slice(s);
            }
            Capability::Unknown { value, .. } => out.extend_from_slice(truncate_bytes(value, 255)),
        }
        let len = u8::try_from(out.len() - len_at - 1).unwrap_or(u8::MAX);
        if let Some(b) = out.get_mut(len_at) {
            *b = len;
        }
    }
}

fn unknown(code: u8, value: &[u8]) -> Capability {
    Capability::Unknown {
        code,
        value: value.to_vec(),
    }
}

fn truncate(s: &str, max: usize) -> &[u8] {
    truncate_bytes(s.as_bytes(), max)
}

fn truncate_bytes(b: &[u8], max: usize) -> &[u8] {
    b.get(..b.len().min(max)).unwrap_or_default()
}

fn decode_fqdn(value: &[u8]) -> Option<Capability> {
    let mut r = Reader::new(value);
    let hl = r.u8()?;
    let host = r.take(usize::from(hl))?;
    let dl = r.u8()?;
    let dom = r.take(usize::from(dl))?;
    if !r.is_empty() {
        return None;
    }
    Some(Capability::Fqdn {
        hostname: String::from_utf8_lossy(host).into_owned(),
        domain: String::from_utf8_lossy(dom).into_owned(),
    })
}

fn decode_version(value: &[u8]) -> Option<Capability> {
    let mut r = Reader::new(value);
    let len = r.u8()?;
    let text = r.take(usize::from(len))?;
    if !r.is_empty() {
        return None;
    }
    Some(Capability::SoftwareVersion(
        String::from_utf8_lossy(text).into_owned(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip(c: Capability) {
        let mut out = Vec::new();
        c.encode(&mut out);
        let (code, rest) = out.split_first().unwrap_or((&0, &[]));
        let value = rest.get(1..).unwrap_or_default();
        assert_eq!(rest.first().map(|l| usize::from(*l)), Some(value.len()));
        assert_eq!(Capability::decode(*code, value, 0), Ok(c));
    }

    #[test]
    fn round_trips() {
        round_trip(Capability::Multiprotocol(AfiSafi::IPV6_UNICAST));
        round_trip(Capability::RouteRefresh);
        round_trip(Capability::ExtendedNextHop(vec![(
            AfiSafi::IPV4_UNICAST,
            Afi::IPV6,
        )]));
        round_trip(Capability::ExtendedMessage);
        round_trip(Capability::Role(3));
        round_trip(Capability::GracefulRestart {
            flags: 0x8,
            time: 120,
            families: vec![GracefulRestartFamily {
                afi_safi: AfiSafi::IPV4_UNICAST,
                flags: 0x80,
            }],
        });
        round_trip(Capability::FourOctetAs(4_200_000_001));
        round_trip(Capability::AddPath(vec![(
            AfiSafi::IPV4_UNICAST,
            AddPathMode::BOTH,
        )]));
        round_trip(Capability::EnhancedRouteRefresh);
        round_trip(Capability::Fqdn {
            hostname: "node-1".into(),
            domain: String::new(),
        });
        round_trip(Capability::SoftwareVersion("Wren/0.1".into()));
        round_trip(Capability::Unknown {
            code: 71,
            value: vec![0, 1, 1, 0x80, 0, 0, 0x10],
        });
    }

    #[test]
    fn zero_length_software_version_is_kept_as_unknown() {
        // GoBGP CVE-2025-43971: a software version capability with no
        // length octet at all.
        assert_eq!(
            Capability::decode(code_point::SOFTWARE_VERSION, &[], 0),
            Ok(Capability::Unknown {
                code: 75,
                value: vec![]
            })
        );
        // A length octet that promises more than there is.
        assert!(matches!(
            Capability::decode(code_point::SOFTWARE_VERSION, &[9, b'x'], 0),
            Ok(Capability::Unknown { code: 75, .. })
        ));
    }

    #[test]
    fn truncated_fqdn_is_kept_as_unknown() {
        assert!(matches!(
            Capability::decode(code_point::FQDN, &[5, b'a'], 0),
            Ok(Capability::Unknown { code: 73, .. })
        ));
    }

    #[test]
    fn malformed_session_capabilities_are_open_errors() {
        for (code, value) in [
            (code_point::MULTIPROTOCOL, &[0u8, 1, 0][..]),
            (code_point::FOUR_OCTET_AS, &[0, 0, 1][..]),
            (code_point::ADD_PATH, &[0, 1, 1][..]),
            (code_point::ROUTE_REFRESH, &[1][..]),
            (code_point::EXTENDED_NEXT_HOP, &[0, 1, 0, 1, 0][..]),
            (code_point::GRACEFUL_RESTART, &[0][..]),
            (code_point::GRACEFUL_RESTART, &[0, 0, 0, 1, 1][..]),
        ] {
            let e = Capability::decode(code, value, 0).err();
            assert_eq!(e.map(|e| e.notification.code), Some(2), "code {code}");
        }
    }
}
