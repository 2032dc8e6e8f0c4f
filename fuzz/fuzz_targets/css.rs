//! Fuzzes `csprefix::invariants::stylesheet` (what it checks is documented there).

#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| csprefix::invariants::stylesheet(data));
