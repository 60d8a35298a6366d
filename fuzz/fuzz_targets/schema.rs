//! Arbitrary bytes as a bundle of schema and overlay files, compiled into a crate or refused with schema errors.
//! The invariants are documented on `mobileconfig_fuzz_support::schema`.

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| mobileconfig_fuzz_support::schema::run(bytes));
