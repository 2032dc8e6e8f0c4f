//! Fuzzes `csprefix::invariants::document` (what it checks is documented there).

#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| csprefix::invariants::document(data));
