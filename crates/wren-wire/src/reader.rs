//! A bounds-checked cursor over a byte slice.
//!
//! Every decoder in this crate reads through [`Reader`], so that a short or
//! lying length field turns into `None` (and then into an RFC-defined error)
//! rather than an out-of-bounds panic. The reader also knows its absolute
//! offset in the message, which decode errors report.

/// A cursor over `buf`, whose first byte sits at `base` within the message.
#[derive(Clone, Copy, Debug)]
pub struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
    base: usize,
}

impl<'a> Reader<'a> {
    /// A reader over a whole message (offsets count from its first byte).
    pub fn new(buf: &'a [u8]) -> Self {
        Reader {
            buf,
            pos: 0,
            base: 0,
        }
    }

    /// A reader over `buf`, which starts `base` bytes into the message.
    pub fn at(buf: &'a [u8], base: usize) -> Self {
        Reader { buf, pos: 0, base }
    }

    /// Absolute offset of the next byte within the message.
    pub fn offset(&self) -> usize {
        self.base + self.pos
    }

    /// Bytes not yet read.
    pub fn remaining(&self) -> usize {
        self.buf.len().saturating_sub(self.pos)
    }

    /// True when every byte has been read.
    pub fn is_empty(&self) -> bool {
        self.remaining() == 0
    }

    /// The unread bytes, without consuming them.
    pub fn rest(&self) -> &'a [u8] {
        self.buf.get(self.pos..).unwrap_or(&[])
    }

    /// Takes the next `n` bytes, or `None` (consuming nothing) if fewer remain.
    pub fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let end = self.pos.checked_add(n)?;
        let out = self.buf.get(self.pos..end)?;
        self.pos = end;
        Some(out)
    }

    /// Takes the next `n` bytes as a sub-reader that keeps absolute offsets.
    pub fn sub(&mut self, n: usize) -> Option<Reader<'a>> {
        let base = self.offset();
        self.take(n).map(|b| Reader::at(b, base))
    }

    /// Reads one octet.
    pub fn u8(&mut self) -> Option<u8> {
        let b = *self.buf.get(self.pos)?;
        self.pos += 1;
        Some(b)
    }

    /// Reads a big-endian 16-bit integer.
    pub fn u16(&mut self) -> Option<u16> {
        self.array::<2>().map(u16::from_be_bytes)
    }

    /// Reads a big-endian 32-bit integer.
    pub fn u32(&mut self) -> Option<u32> {
        self.array::<4>().map(u32::from_be_bytes)
    }

    /// Reads `N` octets into an array.
    pub fn array<const N: usize>(&mut self) -> Option<[u8; N]> {
        self.take(N)?.try_into().ok()
    }

    /// Peeks at the next octet without consuming it.
    pub fn peek(&self) -> Option<u8> {
        self.buf.get(self.pos).copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_past_end_return_none_and_consume_nothing() {
        let mut r = Reader::at(&[1, 2, 3], 10);
        assert_eq!(r.u16(), Some(0x0102));
        assert_eq!(r.offset(), 12);
        assert_eq!(r.u16(), None);
        assert_eq!(r.remaining(), 1);
        assert_eq!(r.take(usize::MAX), None);
        assert_eq!(r.u8(), Some(3));
        assert!(r.is_empty());
    }
}
