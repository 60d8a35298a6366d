//! Bytes steering the construction of a profile of real payload types and their keys, validated and round-tripped.
//! The invariants are documented on `mobileconfig_fuzz_support::structured`.

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| mobileconfig_fuzz_support::structured::run(bytes));
