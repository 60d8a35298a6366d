//! Arbitrary bytes as a `.mobileconfig` file (XML or binary): read, validated, written in both encodings and read again.
//! The invariants are documented on `mobileconfig_fuzz_support::profile`.

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| mobileconfig_fuzz_support::profile::run(bytes));
