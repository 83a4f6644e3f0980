//! BIRD's defaults for options a configuration leaves out, so the daemon
//! behaves like BIRD on the same file. Values from the BIRD 2 user guide.

use super::{Bgp, Kernel};
use crate::span::OptionValue;

/// BGP timers and limits.
pub mod bgp {
    /// `hold time` (seconds).
    pub const HOLD_TIME: u32 = 240;
    /// `startup hold time` (seconds).
    pub const STARTUP_HOLD_TIME: u32 = 240;
    /// `connect delay time` (seconds).
    pub const CONNECT_DELAY_TIME: u32 = 5;
    /// `connect retry time` (seconds).
    pub const CONNECT_RETRY_TIME: u32 = 120;
    /// `error wait time` (seconds, min and max).
    pub const ERROR_WAIT_TIME: (u32, u32) = (60, 300);
    /// `error forget time` (seconds).
    pub const ERROR_FORGET_TIME: u32 = 300;
    /// `graceful restart time` (seconds).
    pub const GRACEFUL_RESTART_TIME: u32 = 120;
    /// `default bgp_local_pref`.
    pub const LOCAL_PREF: u32 = 100;
    /// Route preference of BGP routes.
    pub const PREFERENCE: u32 = 100;
    /// Multihop TTL when `multihop` gives none.
    pub const MULTIHOP_TTL: u8 = 64;
}

/// Route preferences of the local protocols.
pub mod preference {
    /// `direct`
    pub const DIRECT: u32 = 240;
    /// `static`
    pub const STATIC: u32 = 200;
    /// `kernel`
    pub const KERNEL: u32 = 10;
}

/// `scan time` of kernel and device protocols (seconds).
pub const SCAN_TIME: u32 = 60;

impl Bgp {
    /// Hold time in force.
    pub fn hold_time_or_default(&self) -> u32 {
        self.hold_time.val().copied().unwrap_or(bgp::HOLD_TIME)
    }

    /// Keepalive time in force: written, else a third of the hold time.
    pub fn keepalive_time_or_default(&self) -> u32 {
        self.keepalive_time
            .val()
            .copied()
            .unwrap_or(self.hold_time_or_default() / 3)
    }

    /// Connect retry time in force.
    pub fn connect_retry_time_or_default(&self) -> u32 {
        self.connect_retry_time
            .val()
            .copied()
            .unwrap_or(bgp::CONNECT_RETRY_TIME)
    }

    /// Connect delay time in force.
    pub fn connect_delay_time_or_default(&self) -> u32 {
        self.connect_delay_time
            .val()
            .copied()
            .unwrap_or(bgp::CONNECT_DELAY_TIME)
    }

    /// Error wait time in force.
    pub fn error_wait_time_or_default(&self) -> (u32, u32) {
        self.error_wait_time
            .val()
            .copied()
            .unwrap_or(bgp::ERROR_WAIT_TIME)
    }
}

impl Kernel {
    /// Scan time in force.
    pub fn scan_time_or_default(&self) -> u32 {
        self.scan_time.val().copied().unwrap_or(SCAN_TIME)
    }
}
