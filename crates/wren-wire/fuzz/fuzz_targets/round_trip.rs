//! Accepted UPDATEs re-encode to the same routes and attributes.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| wren_wire::fuzzing::round_trip(data));
