//! NOTIFICATION (RFC 4271 §4.5, §6) with the Cease subcodes of RFC 4486 and
//! the shutdown communication of RFC 9003.

use crate::header::{self, MessageType};
use crate::reader::Reader;
use std::fmt;

/// Error codes (RFC 4271 §4.5, RFC 7313).
pub mod code {
    /// Message Header Error.
    pub const MESSAGE_HEADER: u8 = 1;
    /// OPEN Message Error.
    pub const OPEN_MESSAGE: u8 = 2;
    /// UPDATE Message Error.
    pub const UPDATE_MESSAGE: u8 = 3;
    /// Hold Timer Expired.
    pub const HOLD_TIMER_EXPIRED: u8 = 4;
    /// Finite State Machine Error.
    pub const FSM: u8 = 5;
    /// Cease.
    pub const CEASE: u8 = 6;
    /// ROUTE-REFRESH Message Error (RFC 7313).
    pub const ROUTE_REFRESH: u8 = 7;
    /// Send Hold Timer Expired (RFC 9687).
    pub const SEND_HOLD_TIMER_EXPIRED: u8 = 8;
}

/// Message Header Error subcodes.
pub mod header_error {
    /// Connection Not Synchronized (bad marker).
    pub const CONNECTION_NOT_SYNCHRONIZED: u8 = 1;
    /// Bad Message Length.
    pub const BAD_MESSAGE_LENGTH: u8 = 2;
    /// Bad Message Type.
    pub const BAD_MESSAGE_TYPE: u8 = 3;
}

/// OPEN Message Error subcodes.
pub mod open_error {
    /// No more specific subcode applies.
    pub const UNSPECIFIC: u8 = 0;
    /// Unsupported Version Number.
    pub const UNSUPPORTED_VERSION: u8 = 1;
    /// Bad Peer AS.
    pub const BAD_PEER_AS: u8 = 2;
    /// Bad BGP Identifier.
    pub const BAD_BGP_IDENTIFIER: u8 = 3;
    /// Unsupported Optional Parameter.
    pub const UNSUPPORTED_OPTIONAL_PARAMETER: u8 = 4;
    /// Unacceptable Hold Time.
    pub const UNACCEPTABLE_HOLD_TIME: u8 = 6;
    /// Unsupported Capability (RFC 5492).
    pub const UNSUPPORTED_CAPABILITY: u8 = 7;
    /// Role Mismatch (RFC 9234).
    pub const ROLE_MISMATCH: u8 = 11;
}

/// Finite State Machine Error subcodes (RFC 6608).
pub mod fsm_error {
    /// Receive Unexpected Message in OpenSent State.
    pub const UNEXPECTED_IN_OPEN_SENT: u8 = 1;
    /// Receive Unexpected Message in OpenConfirm State.
    pub const UNEXPECTED_IN_OPEN_CONFIRM: u8 = 2;
    /// Receive Unexpected Message in Established State.
    pub const UNEXPECTED_IN_ESTABLISHED: u8 = 3;
}

/// UPDATE Message Error subcodes.
pub mod update_error {
    /// Malformed Attribute List.
    pub const MALFORMED_ATTRIBUTE_LIST: u8 = 1;
    /// Unrecognized Well-known Attribute.
    pub const UNRECOGNIZED_WELL_KNOWN: u8 = 2;
    /// Missing Well-known Attribute.
    pub const MISSING_WELL_KNOWN: u8 = 3;
    /// Attribute Flags Error.
    pub const ATTRIBUTE_FLAGS: u8 = 4;
    /// Attribute Length Error.
    pub const ATTRIBUTE_LENGTH: u8 = 5;
    /// Invalid ORIGIN Attribute.
    pub const INVALID_ORIGIN: u8 = 6;
    /// Invalid NEXT_HOP Attribute.
    pub const INVALID_NEXT_HOP: u8 = 8;
    /// Optional Attribute Error.
    pub const OPTIONAL_ATTRIBUTE: u8 = 9;
    /// Invalid Network Field.
    pub const INVALID_NETWORK_FIELD: u8 = 10;
    /// Malformed AS_PATH.
    pub const MALFORMED_AS_PATH: u8 = 11;
}

/// Cease subcodes (RFC 4486, RFC 8203/9003).
pub mod cease {
    /// Maximum Number of Prefixes Reached.
    pub const MAX_PREFIXES: u8 = 1;
    /// Administrative Shutdown.
    pub const ADMINISTRATIVE_SHUTDOWN: u8 = 2;
    /// Peer De-configured.
    pub const PEER_DECONFIGURED: u8 = 3;
    /// Administrative Reset.
    pub const ADMINISTRATIVE_RESET: u8 = 4;
    /// Connection Rejected.
    pub const CONNECTION_REJECTED: u8 = 5;
    /// Other Configuration Change.
    pub const OTHER_CONFIGURATION_CHANGE: u8 = 6;
    /// Connection Collision Resolution.
    pub const CONNECTION_COLLISION: u8 = 7;
    /// Out of Resources.
    pub const OUT_OF_RESOURCES: u8 = 8;
    /// Hard Reset (RFC 8538).
    pub const HARD_RESET: u8 = 9;
    /// BFD Down (RFC 9384).
    pub const BFD_DOWN: u8 = 10;
}

/// ROUTE-REFRESH Message Error subcodes (RFC 7313).
pub mod route_refresh_error {
    /// Invalid Message Length.
    pub const INVALID_MESSAGE_LENGTH: u8 = 1;
}

/// Longest shutdown communication, in octets (RFC 9003 §2).
pub const MAX_SHUTDOWN_MESSAGE: usize = 255;

/// A NOTIFICATION message.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Notification {
    /// Error code.
    pub code: u8,
    /// Error subcode.
    pub subcode: u8,
    /// Diagnostic data.
    pub data: Vec<u8>,
}

impl Notification {
    /// A notification.
    pub fn new(code: u8, subcode: u8, data: Vec<u8>) -> Self {
        Notification {
            code,
            subcode,
            data,
        }
    }

    /// Cease with an RFC 9003 shutdown communication (`subcode` should be
    /// Administrative Shutdown or Reset). The text is cut at a character
    /// boundary to the 255 octets the length byte allows.
    pub fn cease_with_message(subcode: u8, text: &str) -> Self {
        let mut end = text.len().min(MAX_SHUTDOWN_MESSAGE);
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        let msg = text.get(..end).unwrap_or_default();
        let mut data = Vec::with_capacity(1 + msg.len());
        data.push(u8::try_from(msg.len()).unwrap_or(u8::MAX));
        data.extend_from_slice(msg.as_bytes());
        Notification::new(code::CEASE, subcode, data)
    }

    /// The RFC 9003 shutdown communication, if this is a Cease/2 or Cease/4
    /// that carries a well-formed one (length byte matching, valid UTF-8).
    pub fn shutdown_message(&self) -> Option<&str> {
        if self.code != code::CEASE
            || !matches!(
                self.subcode,
                cease::ADMINISTRATIVE_SHUTDOWN | cease::ADMINISTRATIVE_RESET
            )
        {
            return None;
        }
        let (&len, rest) = self.data.split_first()?;
        let text = rest.get(..usize::from(len))?;
        std::str::from_utf8(text).ok()
    }

    /// Decodes a NOTIFICATION body (after the header). Never fails: any body
    /// of two or more octets is a notification (RFC 4271 §6.4 forbids
    /// answering one with another).
    pub fn decode_body(body: &[u8]) -> Option<Self> {
        let mut r = Reader::new(body);
        let code = r.u8()?;
        let subcode = r.u8()?;
        Some(Notification::new(code, subcode, r.rest().to_vec()))
    }

    /// Appends the complete message, header included. Data that would make
    /// the message longer than 4096 octets is cut.
    pub fn encode(&self, out: &mut Vec<u8>) {
        let room = header::MAX_MESSAGE_LEN - header::HEADER_LEN - 2;
        let data = self
            .data
            .get(..self.data.len().min(room))
            .unwrap_or_default();
        let start = header::begin(out, MessageType::Notification);
        out.push(self.code);
        out.push(self.subcode);
        out.extend_from_slice(data);
        header::finish(out, start);
    }

    /// The name of the code and subcode, as logs and `show protocols` print it.
    pub fn describe(&self) -> &'static str {
        use code::*;
        match (self.code, self.subcode) {
            (MESSAGE_HEADER, 1) => "Connection not synchronized",
            (MESSAGE_HEADER, 2) => "Bad message length",
            (MESSAGE_HEADER, 3) => "Bad message type",
            (MESSAGE_HEADER, _) => "Message header error",
            (OPEN_MESSAGE, 1) => "Unsupported version number",
            (OPEN_MESSAGE, 2) => "Bad peer AS",
            (OPEN_MESSAGE, 3) => "Bad BGP identifier",
            (OPEN_MESSAGE, 4) => "Unsupported optional parameter",
            (OPEN_MESSAGE, 6) => "Unacceptable hold time",
            (OPEN_MESSAGE, 7) => "Unsupported capability",
            (OPEN_MESSAGE, 11) => "Role mismatch",
            (OPEN_MESSAGE, _) => "OPEN message error",
            (UPDATE_MESSAGE, 1) => "Malformed attribute list",
            (UPDATE_MESSAGE, 2) => "Unrecognized well-known attribute",
            (UPDATE_MESSAGE, 3) => "Missing well-known attribute",
            (UPDATE_MESSAGE, 4) => "Attribute flags error",
            (UPDATE_MESSAGE, 5) => "Attribute length error",
            (UPDATE_MESSAGE, 6) => "Invalid ORIGIN attribute",
            (UPDATE_MESSAGE, 8) => "Invalid NEXT_HOP attribute",
            (UPDATE_MESSAGE, 9) => "Optional attribute error",
            (UPDATE_MESSAGE, 10) => "Invalid network field",
            (UPDATE_MESSAGE, 11) => "Malformed AS_PATH",
            (UPDATE_MESSAGE, _) => "UPDATE message error",
            (HOLD_TIMER_EXPIRED, _) => "Hold timer expired",
            (FSM, 1) => "Unexpected message in OpenSent state",
            (FSM, 2) => "Unexpected message in OpenConfirm state",
            (FSM, 3) => "Unexpected message in Established state",
            (FSM, _) => "Finite state machine error",
            (CEASE, 1) => "Maximum number of prefixes reached",
            (CEASE, 2) => "Administrative shutdown",
            (CEASE, 3) => "Peer de-configured",
            (CEASE, 4) => "Administrative reset",
            (CEASE, 5) => "Connection rejected",
            (CEASE, 6) => "Other configuration change",
            (CEASE, 7) => "Connection collision resolution",
            (CEASE, 8) => "Out of resources",
            (CEASE, 9) => "Hard reset",
            (CEASE, 10) => "BFD down",
            (CEASE, _) => "Cease",
            (ROUTE_REFRESH, 1) => "Invalid ROUTE-REFRESH message length",
            (ROUTE_REFRESH, _) => "ROUTE-REFRESH message error",
            (SEND_HOLD_TIMER_EXPIRED, _) => "Send hold timer expired",
            _ => "Unknown error",
        }
    }
}

impl fmt::Display for Notification {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({}/{})", self.describe(), self.code, self.subcode)?;
        if let Some(text) = self.shutdown_message() {
            write!(f, ": \"{}\"", text.escape_debug())?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shutdown_message_round_trip() {
        let n = Notification::cease_with_message(cease::ADMINISTRATIVE_SHUTDOWN, "maintenance 42");
        let mut out = Vec::new();
        n.encode(&mut out);
        let back = Notification::decode_body(out.get(19..).unwrap_or_default());
        assert_eq!(back.as_ref(), Some(&n));
        assert_eq!(n.shutdown_message(), Some("maintenance 42"));
        assert_eq!(
            n.to_string(),
            "Administrative shutdown (6/2): \"maintenance 42\""
        );
    }

    #[test]
    fn shutdown_message_is_cut_at_char_boundary() {
        let long = "é".repeat(200); // 400 octets
        let n = Notification::cease_with_message(cease::ADMINISTRATIVE_RESET, &long);
        let text = n.shutdown_message().unwrap_or_default();
        assert_eq!(text.len(), 254);
        assert_eq!(n.data.first().copied(), Some(254));
    }

    #[test]
    fn shutdown_message_with_lying_length_is_not_shown() {
        let n = Notification::new(code::CEASE, 2, vec![50, b'a', b'b']);
        assert_eq!(n.shutdown_message(), None);
        assert_eq!(n.to_string(), "Administrative shutdown (6/2)");
    }

    #[test]
    fn oversized_data_is_cut_to_4096() {
        let n = Notification::new(code::UPDATE_MESSAGE, 1, vec![0; 10_000]);
        let mut out = Vec::new();
        n.encode(&mut out);
        assert_eq!(out.len(), 4096);
    }
}
