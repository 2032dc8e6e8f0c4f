//! Fuzzes `csprefix::invariants::script` (what it checks is documented there).

#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| csprefix::invariants::script(data));
