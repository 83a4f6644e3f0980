//! Any input: decoding must not panic.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| wren_wire::fuzzing::decode_any(data));
