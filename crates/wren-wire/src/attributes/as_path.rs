//! AS_PATH and AS4_PATH (RFC 4271 §4.3, §5.1.2; RFC 6793; RFC 5065).
//!
//! A path is a list of segments; each segment is a type and 1..=255 AS
//! numbers. Inside Wren AS numbers are always 4 octets: a 2-octet session
//! is converted at the edge, with AS_TRANS and AS4_PATH (RFC 6793 §4.2).

use crate::open::AS_TRANS;
use crate::reader::Reader;

/// Segment types.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SegmentType {
    /// AS_SET (1): unordered; counts as one hop.
    Set = 1,
    /// AS_SEQUENCE (2): ordered, nearest AS first.
    Sequence = 2,
    /// AS_CONFED_SEQUENCE (3, RFC 5065): does not count in path length.
    ConfedSequence = 3,
    /// AS_CONFED_SET (4, RFC 5065).
    ConfedSet = 4,
}

impl SegmentType {
    fn from_code(c: u8) -> Option<Self> {
        Some(match c {
            1 => SegmentType::Set,
            2 => SegmentType::Sequence,
            3 => SegmentType::ConfedSequence,
            4 => SegmentType::ConfedSet,
            _ => return None,
        })
    }

    /// True for the confederation segment types.
    pub fn is_confed(self) -> bool {
        matches!(self, SegmentType::ConfedSequence | SegmentType::ConfedSet)
    }
}

/// Most AS numbers one segment can hold.
pub const MAX_SEGMENT_LEN: usize = 255;

/// One segment.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Segment {
    /// Segment type.
    pub kind: SegmentType,
    /// AS numbers, never empty on the wire.
    pub asns: Vec<u32>,
}

impl Segment {
    /// Hops this segment adds to the path length (RFC 4271 §9.1.2.2 a).
    pub fn hops(&self) -> usize {
        match self.kind {
            SegmentType::Sequence => self.asns.len(),
            SegmentType::Set => 1,
            SegmentType::ConfedSequence | SegmentType::ConfedSet => 0,
        }
    }
}

/// An AS path.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct AsPath {
    /// Segments, nearest first.
    pub segments: Vec<Segment>,
}

/// Why an AS path was rejected.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AsPathError {
    /// Offset of the faulty segment.
    pub offset: usize,
    /// What was wrong.
    pub reason: &'static str,
}

impl AsPath {
    /// A path of one AS_SEQUENCE.
    pub fn sequence(asns: &[u32]) -> Self {
        let mut p = AsPath::default();
        for a in asns.iter().rev() {
            p.prepend(*a);
        }
        p
    }

    /// Path length for best-path selection.
    pub fn hops(&self) -> usize {
        self.segments.iter().map(Segment::hops).sum()
    }

    /// The neighbouring AS: first AS of a leading AS_SEQUENCE.
    pub fn first(&self) -> Option<u32> {
        let s = self.segments.first()?;
        (s.kind == SegmentType::Sequence).then(|| s.asns.first().copied())?
    }

    /// The originating AS: last AS of a trailing AS_SEQUENCE.
    pub fn last(&self) -> Option<u32> {
        let s = self.segments.last()?;
        (s.kind == SegmentType::Sequence).then(|| s.asns.last().copied())?
    }

    /// Whether `asn` appears anywhere (for loop detection).
    pub fn contains(&self, asn: u32) -> bool {
        self.segments.iter().any(|s| s.asns.contains(&asn))
    }

    /// How many times `asn` appears outside confederation segments.
    pub fn count(&self, asn: u32) -> usize {
        self.segments
            .iter()
            .filter(|s| !s.kind.is_confed())
            .map(|s| s.asns.iter().filter(|a| **a == asn).count())
            .sum()
    }

    /// All AS numbers in order.
    pub fn asns(&self) -> impl Iterator<Item = u32> + '_ {
        self.segments.iter().flat_map(|s| s.asns.iter().copied())
    }

    /// Every `from` in the path becomes `to` (GoBGP's `replace-peer-as`,
    /// an AS override).
    pub fn replace(&mut self, from: u32, to: u32) {
        for s in &mut self.segments {
            for a in &mut s.asns {
                if *a == from {
                    *a = to;
                }
            }
        }
    }

    /// Prepends `asn` to the leading AS_SEQUENCE, opening a new one when the
    /// path starts otherwise or the segment is full (RFC 4271 §5.1.2).
    pub fn prepend(&mut self, asn: u32) {
        match self.segments.first_mut() {
            Some(s) if s.kind == SegmentType::Sequence && s.asns.len() < MAX_SEGMENT_LEN => {
                s.asns.insert(0, asn)
            }
            _ => self.segments.insert(
                0,
                Segment {
                    kind: SegmentType::Sequence,
                    asns: vec![asn],
                },
            ),
        }
    }

    /// Whether any AS number needs four octets.
    pub fn needs_four_octets(&self) -> bool {
        self.asns().any(|a| a > u32::from(u16::MAX))
    }

    /// Decodes and validates (RFC 7606 §7.2, RFC 7607): a segment type
    /// outside 1..=4, a segment of zero ASes, a segment that overruns, a
    /// trailing octet, or AS 0 anywhere is an error.
    pub fn decode(mut r: Reader<'_>, four_octet: bool) -> Result<AsPath, AsPathError> {
        let mut segments = Vec::new();
        let width = if four_octet { 4 } else { 2 };
        while !r.is_empty() {
            let offset = r.offset();
            let err = |reason| AsPathError { offset, reason };
            let (Some(ty), Some(n)) = (r.u8(), r.u8()) else {
                return Err(err("segment header cut short"));
            };
            let kind = SegmentType::from_code(ty).ok_or(err("unknown segment type"))?;
            if n == 0 {
                return Err(err("segment with no AS numbers"));
            }
            let body = r
                .take(usize::from(n) * width)
                .ok_or(err("segment runs past the attribute"))?;
            let asns: Vec<u32> = if four_octet {
                body.chunks_exact(4)
                    .map(|c| <[u8; 4]>::try_from(c).map_or(0, u32::from_be_bytes))
                    .collect()
            } else {
                body.chunks_exact(2)
                    .map(|c| <[u8; 2]>::try_from(c).map_or(0, |b| u32::from(u16::from_be_bytes(b))))
                    .collect()
            };
            if asns.contains(&0) {
                return Err(err("AS number 0 in path (RFC 7607)"));
            }
            segments.push(Segment { kind, asns });
        }
        Ok(AsPath { segments })
    }

    /// Appends the wire form; with `four_octet` false, numbers above 65535
    /// become AS_TRANS. Segments longer than 255 are split.
    pub fn encode(&self, four_octet: bool, out: &mut Vec<u8>) {
        self.encode_filtered(four_octet, true, out)
    }

    /// Appends the wire form of the AS4_PATH for a 2-octet peer: 4-octet
    /// numbers, confederation segments left out (RFC 6793 §3).
    pub fn encode_as4(&self, out: &mut Vec<u8>) {
        self.encode_filtered(true, false, out)
    }

    fn encode_filtered(&self, four_octet: bool, confed: bool, out: &mut Vec<u8>) {
        for s in self
            .segments
            .iter()
            .filter(|s| confed || !s.kind.is_confed())
        {
            for chunk in s.asns.chunks(MAX_SEGMENT_LEN) {
                out.push(s.kind as u8);
                out.push(u8::try_from(chunk.len()).unwrap_or(u8::MAX));
                for a in chunk {
                    if four_octet {
                        out.extend_from_slice(&a.to_be_bytes());
                    } else {
                        let two = u16::try_from(*a).unwrap_or(AS_TRANS);
                        out.extend_from_slice(&two.to_be_bytes());
                    }
                }
            }
        }
    }

    /// Rebuilds the true path from a 2-octet AS_PATH and an AS4_PATH
    /// (RFC 6793 §4.2.3): when AS_PATH has at least as many hops, its leading
    /// `hops(AS_PATH) - hops(AS4_PATH)` hops are kept and AS4_PATH follows;
    /// otherwise AS4_PATH is ignored. Confederation segments of AS4_PATH are
    /// dropped first (RFC 6793 §6).
    pub fn merge_as4(&self, as4: &AsPath) -> AsPath {
        let as4: Vec<&Segment> = as4
            .segments
            .iter()
            .filter(|s| !s.kind.is_confed())
            .collect();
        let m: usize = as4.iter().map(|s| s.hops()).sum();
        let n = self.hops();
        if n < m {
            return self.clone();
        }
        let mut keep = n - m;
        let mut out = AsPath::default();
        for s in &self.segments {
            if keep == 0 && !s.kind.is_confed() {
                break;
            }
            match s.kind {
                SegmentType::Sequence => {
                    let take = keep.min(s.asns.len());
                    keep -= take;
                    out.push_segment(
                        SegmentType::Sequence,
                        s.asns.get(..take).unwrap_or_default(),
                    );
                }
                SegmentType::Set => {
                    keep -= 1;
                    out.push_segment(SegmentType::Set, &s.asns);
                }
                _ => out.push_segment(s.kind, &s.asns),
            }
        }
        for s in as4 {
            out.push_segment(s.kind, &s.asns);
        }
        out
    }

    /// Appends a segment, joining it to a preceding AS_SEQUENCE where the
    /// result still fits in one segment, so a merged path encodes as the
    /// sender encoded it.
    fn push_segment(&mut self, kind: SegmentType, asns: &[u32]) {
        if asns.is_empty() {
            return;
        }
        if let Some(last) = self.segments.last_mut() {
            if kind == SegmentType::Sequence
                && last.kind == SegmentType::Sequence
                && last.asns.len() + asns.len() <= MAX_SEGMENT_LEN
            {
                last.asns.extend_from_slice(asns);
                return;
            }
        }
        self.segments.push(Segment {
            kind,
            asns: asns.to_vec(),
        });
    }
}

impl std::fmt::Display for AsPath {
    /// BIRD's notation: `65001 {65002 65003} (65010)`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut first = true;
        for s in &self.segments {
            let (open, close) = match s.kind {
                SegmentType::Sequence => ("", ""),
                SegmentType::Set => ("{", "}"),
                SegmentType::ConfedSequence => ("(", ")"),
                SegmentType::ConfedSet => ("({", "})"),
            };
            if !first {
                f.write_str(" ")?;
            }
            first = false;
            f.write_str(open)?;
            for (i, a) in s.asns.iter().enumerate() {
                if i > 0 {
                    f.write_str(" ")?;
                }
                write!(f, "{a}")?;
            }
            f.write_str(close)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dec(b: &[u8], four: bool) -> Result<AsPath, AsPathError> {
        AsPath::decode(Reader::new(b), four)
    }

    #[test]
    fn round_trip_both_widths() {
        let p = AsPath {
            segments: vec![
                Segment {
                    kind: SegmentType::ConfedSequence,
                    asns: vec![65010],
                },
                Segment {
                    kind: SegmentType::Sequence,
                    asns: vec![65001, 65002],
                },
                Segment {
                    kind: SegmentType::Set,
                    asns: vec![65003, 65004],
                },
            ],
        };
        for four in [false, true] {
            let mut out = Vec::new();
            p.encode(four, &mut out);
            assert_eq!(dec(&out, four), Ok(p.clone()));
        }
        assert_eq!(p.hops(), 3);
        assert_eq!(p.to_string(), "(65010) 65001 65002 {65003 65004}");
    }

    #[test]
    fn malformations() {
        assert!(dec(&[2], true).is_err()); // one octet left
        assert!(dec(&[2, 0], true).is_err()); // zero-length segment
        assert!(dec(&[5, 1, 0, 0, 0, 1], true).is_err()); // bad type
        assert!(dec(&[2, 2, 0, 0, 0, 1], true).is_err()); // overrun
        assert!(dec(&[2, 1, 0, 0, 0, 0], true).is_err()); // AS 0
        assert!(dec(&[2, 1, 0, 0], false).is_err()); // AS 0, 2-octet
        assert_eq!(dec(&[], true), Ok(AsPath::default()));
    }

    #[test]
    fn long_paths_split_into_segments() {
        let mut p = AsPath::default();
        for a in 1..=300 {
            p.prepend(a);
        }
        assert_eq!(p.segments.len(), 2);
        assert_eq!(p.hops(), 300);
        assert_eq!(p.first(), Some(300));
        assert_eq!(p.last(), Some(1));
    }

    #[test]
    fn as4_merge_rfc6793() {
        // A 2-octet speaker (65002) prepended itself in front of a path that
        // a 4-octet speaker encoded with AS_TRANS.
        let two = AsPath::sequence(&[65002, u32::from(AS_TRANS), 65001]);
        let four = AsPath::sequence(&[4_200_000_001, 65001]);
        assert_eq!(
            two.merge_as4(&four),
            AsPath::sequence(&[65002, 4_200_000_001, 65001])
        );
        // AS4_PATH longer than AS_PATH: ignored.
        let long = AsPath::sequence(&[1, 2, 3, 4]);
        assert_eq!(two.merge_as4(&long), two);
        // An AS_SET counts as one hop.
        let with_set = AsPath {
            segments: vec![
                Segment {
                    kind: SegmentType::Sequence,
                    asns: vec![65002],
                },
                Segment {
                    kind: SegmentType::Set,
                    asns: vec![u32::from(AS_TRANS), 65005],
                },
            ],
        };
        let as4 = AsPath {
            segments: vec![Segment {
                kind: SegmentType::Set,
                asns: vec![4_200_000_001, 65005],
            }],
        };
        let merged = with_set.merge_as4(&as4);
        assert_eq!(merged.to_string(), "65002 {4200000001 65005}");
    }

    #[test]
    fn two_octet_encoding_uses_as_trans() {
        let p = AsPath::sequence(&[4_200_000_001, 65001]);
        let mut out = Vec::new();
        p.encode(false, &mut out);
        assert_eq!(out, vec![2, 2, 0x5b, 0xa0, 0xfd, 0xe9]);
        assert!(p.needs_four_octets());
    }
}
