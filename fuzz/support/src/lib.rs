//! What each fuzz target does with one input, in one place.
//!
//! The cargo-fuzz targets in `fuzz/fuzz_targets/` are one line each: they
//! hand libFuzzer's bytes to a `run` function here. The integration test
//! `tests/fuzz_corpora.rs` hands the same functions every file saved under
//! `fuzz/corpus/<target>/` and `fuzz/regressions/<target>/`, on the stable
//! toolchain and without libFuzzer, so `cargo test --workspace` catches a
//! regression that fuzzing once found.
//!
//! A `run` function returns nothing: it panics when the code under test
//! breaks one of the target's invariants, which is what libFuzzer reports
//! as a crash and what fails the replay test.
//!
//! - [`profile`]: bytes read as a `.mobileconfig` (XML or binary), validated,
//!   written in both encodings and read again;
//! - [`schema`]: bytes read as a bundle of schema and overlay files and
//!   compiled into a crate, or refused with schema errors;
//! - [`structured`]: bytes steering the construction of a profile shaped by
//!   the payload schemas (real payload types, their keys, their allowed
//!   values and the values their rules compare), then validated.

#![forbid(unsafe_code)]

pub mod profile;
pub mod schema;
pub mod structured;

/// What a target does with one input; it panics when an invariant breaks.
pub type Run = fn(&[u8]);

/// The fuzz targets, by the name cargo-fuzz knows them by (and the name of
/// their folders under `fuzz/corpus/` and `fuzz/regressions/`), with the
/// function that runs one input.
pub const TARGETS: &[(&str, Run)] = &[
    ("profile", profile::run),
    ("schema", schema::run),
    ("structured", structured::run),
];
