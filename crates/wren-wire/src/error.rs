//! The error every decoder returns when a message must end the session.

use crate::notification::Notification;

/// A message that cannot be accepted: the session must be reset with
/// [`DecodeError::notification`] (RFC 4271 §6). Softer outcomes of an
/// UPDATE (RFC 7606 treat-as-withdraw and friends) are not errors; they are
/// the [`Verdict`](crate::Verdict) of a decoded [`Update`](crate::Update).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{reason} (offset {offset}; {notification})")]
pub struct DecodeError {
    /// The NOTIFICATION to send before closing.
    pub notification: Notification,
    /// Offset in the message where the fault was found, for logs.
    pub offset: usize,
    /// What was wrong, for logs.
    pub reason: &'static str,
}

impl DecodeError {
    /// An error with NOTIFICATION `code`/`subcode` and no data.
    pub fn new(code: u8, subcode: u8, offset: usize, reason: &'static str) -> Self {
        DecodeError {
            notification: Notification::new(code, subcode, Vec::new()),
            offset,
            reason,
        }
    }

    /// The same, with data for the NOTIFICATION.
    pub fn with_data(
        code: u8,
        subcode: u8,
        data: Vec<u8>,
        offset: usize,
        reason: &'static str,
    ) -> Self {
        DecodeError {
            notification: Notification::new(code, subcode, data),
            offset,
            reason,
        }
    }
}
