//! The RFC 7606 outcome of decoding an UPDATE.

use crate::attributes::AttrSet;
use crate::AfiSafi;

/// What the receiver must do with a decoded UPDATE, strongest last.
/// Session reset, the strongest outcome, is not a verdict but an `Err`
/// from the decoder, so that it cannot be overlooked.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Verdict {
    /// Well-formed: install the announced routes, remove the withdrawn.
    Accept,
    /// Some attributes were malformed and dropped (see
    /// [`Update::discarded`](crate::Update::discarded)); the rest is sound.
    AttributeDiscard,
    /// Treat every route of the message as withdrawn (RFC 7606 §2).
    TreatAsWithdraw,
    /// The MP attribute of this family could not be parsed: stop using the
    /// family on this session (RFC 7606 §5.3, RFC 4760 §7); the message's
    /// other routes are treated as withdrawn.
    AfiSafiDisable(AfiSafi),
}

impl Verdict {
    fn rank(self) -> u8 {
        match self {
            Verdict::Accept => 0,
            Verdict::AttributeDiscard => 1,
            Verdict::TreatAsWithdraw => 2,
            Verdict::AfiSafiDisable(_) => 3,
        }
    }

    /// Whether the announced routes may be installed.
    pub fn installs(self) -> bool {
        self.rank() <= 1
    }
}

/// The first fault found at the verdict's strength, for the log.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct UpdateError {
    /// The UPDATE Message Error subcode RFC 4271 would have sent.
    pub subcode: u8,
    /// The attribute at fault, if any.
    pub attr_type: Option<u8>,
    /// Offset in the message.
    pub offset: usize,
    /// What was wrong.
    pub reason: &'static str,
}

/// Accumulates the outcome while a message is decoded.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Outcome {
    pub verdict: Verdict,
    pub error: Option<UpdateError>,
    pub discarded: AttrSet,
}

impl Default for Outcome {
    fn default() -> Self {
        Outcome {
            verdict: Verdict::Accept,
            error: None,
            discarded: AttrSet::default(),
        }
    }
}

impl Outcome {
    /// Raises the verdict to `v` if stronger, keeping the error that
    /// explains the strongest verdict.
    pub fn escalate(&mut self, v: Verdict, e: UpdateError) {
        if v.rank() > self.verdict.rank() || self.error.is_none() {
            if v.rank() >= self.verdict.rank() {
                self.verdict = v;
            }
            self.error = Some(e);
        }
    }

    /// Records a discarded attribute.
    pub fn discard(&mut self, e: UpdateError) {
        if let Some(t) = e.attr_type {
            self.discarded.insert(t);
        }
        self.escalate(Verdict::AttributeDiscard, e);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn e(reason: &'static str) -> UpdateError {
        UpdateError {
            subcode: 0,
            attr_type: None,
            offset: 0,
            reason,
        }
    }

    #[test]
    fn strongest_wins_and_explains() {
        let mut o = Outcome::default();
        o.discard(e("a"));
        o.escalate(Verdict::TreatAsWithdraw, e("b"));
        o.discard(e("c"));
        assert_eq!(o.verdict, Verdict::TreatAsWithdraw);
        assert_eq!(o.error.map(|e| e.reason), Some("b"));
        assert!(!o.verdict.installs());
    }
}
