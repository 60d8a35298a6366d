//! Support code for the generated configuration-profile types.
//!
//! The generated crate (`mobileconfig`) describes each payload as a struct;
//! this crate holds the few pieces every struct shares, written by hand once:
//!
//! - [`DictionaryReader`] and [`DictionaryWriter`], which the generated serde
//!   impls use to read and write a plist dictionary key by key and to keep
//!   every key the schema does not name (so nothing is lost on a round trip);
//! - [`IntegerFlag`], a `bool` that Apple's schema types as the integer 0 or 1;
//! - the vocabulary the generator and the validators share, defined once:
//!   [`availability`] (platforms and Apple's `supportedOS` inheritance),
//!   [`format`](mod@format) (the well-known string formats) and [`pattern`] (what a
//!   `format` pattern matches);
//! - with the `certificates` feature, `certificate`: what the certificates
//!   and PKCS#12 files of certificate payloads hold;
//! - [`signed`]: signed profiles (a CMS envelope around the plist), read
//!   and verified with the `signed` feature, which also signs them.
//!
//! The generated impls go through [`plist::Dictionary`] rather than
//! `#[serde(flatten)]`: flattening buffers values in a form that loses plist
//! dates, and the plist deserializer rejects it for nested dictionaries.

#![forbid(unsafe_code)]

pub use plist;

/// The map type of dictionaries whose keys are not named by the schema
/// (Apple's `ANY`): it keeps the keys in the order they were read.
pub use indexmap::IndexMap;

pub mod availability;
#[cfg(feature = "certificates")]
pub mod certificate;
mod contents;
mod dictionary;
mod flag;
pub mod format;
mod from_value;
pub mod io;
mod location;
pub mod pattern;
pub mod rules;
pub mod schema;
pub mod signed;
pub mod validate;

pub use dictionary::{
    DictionaryReader, DictionaryWriter, Dispatched, decode_payload, error_message,
};
pub use flag::IntegerFlag;
pub use from_value::{ValueDeserializer, from_value, read_dictionary};
pub use schema::Severity;
pub use validate::{Coverage, Diagnostic, Target, UNKNOWN_PAYLOAD_TYPE, Version};

/// Shows whether a sensitive field holds a value, never the value: what the
/// generated `Debug` impls print for secrets.
#[derive(Clone, Copy)]
pub struct Redacted(bool);

impl Redacted {
    /// What a required sensitive field shows.
    pub const HIDDEN: Redacted = Redacted(true);

    /// What an optional sensitive field shows.
    pub fn of<T>(value: &Option<T>) -> Self {
        Redacted(value.is_some())
    }
}

impl std::fmt::Debug for Redacted {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str(if self.0 { "Some(<redacted>)" } else { "None" })
    }
}
