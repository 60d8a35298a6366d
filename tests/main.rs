//! The integration tests, one module a suite, in one binary.
//!
//! - [`architecture`]: the generator's modules depend on each other
//!   without a cycle;
//! - [`bad_schemas`]: every kind of schema mistake fails with its message;
//! - [`snapshots`]: the emitted files for a fixture schema, determinism and
//!   freshness of `generated/`;
//! - [`corpus`]: Apple's published corpora generate, build and document;
//! - [`diff`]: the change log between two schemas and its semver table;
//! - [`downstream`]: a program that depends on the generated crate compiles
//!   and runs unchanged against the crates of two Apple releases;
//! - [`facts`]: rustdoc, Markdown and JSON Schema say the same about a key;
//! - [`transcription`] and [`meta_schema`]: `schema/` against Apple's page and
//!   format; [`own_words`]: the project's prose is not Apple's;
//! - [`validation`], [`io`], [`round_trip`], [`json_schema`], [`instances`]:
//!   the generated crate at work;
//! - [`realworld`]: the generated crate on real profiles from public
//!   projects;
//! - [`signed`]: signed profiles against OpenSSL, both ways;
//! - [`fuzz_corpora`]: the fuzz targets' saved inputs, replayed without
//!   libFuzzer.

mod architecture;
mod bad_schemas;
mod corpus;
mod diff;
mod downstream;
mod facts;
mod fuzz_corpora;
mod instances;
mod io;
mod json_schema;
mod meta_schema;
mod own_words;
mod realworld;
mod round_trip;
mod signed;
mod snapshots;
mod transcription;
mod validation;
