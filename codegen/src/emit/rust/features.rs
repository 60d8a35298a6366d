//! The crate's Cargo features: one per payload and per declarative
//! configuration (named as its module), and a family for each kind, so a
//! crate that needs one payload compiles only that one. The profile and the
//! declaration envelope are always built. Every `#[cfg]` of the generated
//! crate comes from here.

use proc_macro2::TokenStream;
use quote::quote;

use crate::ir::{Ir, Module, ModuleKind};

/// The family of every profile payload; on by default.
pub const PROFILES: &str = "profiles";
/// The family of every declarative configuration.
pub const DECLARATIONS: &str = "declarations";
/// Both families.
pub const FULL: &str = "full";

/// The feature that builds `module`, if it is optional.
pub fn feature(module: &Module) -> Option<&str> {
    match module.kind {
        ModuleKind::Payload | ModuleKind::Declaration => Some(&module.name),
        ModuleKind::Profile | ModuleKind::DeclarationEnvelope => None,
    }
}

/// `#[cfg(feature = "…")]` for an item that needs `module`, or nothing.
pub fn cfg(module: &Module) -> TokenStream {
    match feature(module) {
        Some(name) => quote!(#[cfg(feature = #name)]),
        None => TokenStream::new(),
    }
}

/// The `[features]` table of `Cargo.toml`. Profile payloads are on by
/// default: reading a `.mobileconfig` is the crate's first use, and a
/// payload compiled out is read as `Payload::Other` and not checked, which a
/// default build must not do silently. Declarations, a protocol of their
/// own, are opted into.
pub fn cargo_features(ir: &Ir) -> String {
    let names = |modules: &mut dyn Iterator<Item = &Module>| -> Vec<String> {
        let mut names: Vec<String> = modules
            .filter_map(|module| feature(module).map(str::to_owned))
            .collect();
        names.sort();
        names
    };
    let profiles = names(&mut ir.payloads());
    let declarations = names(&mut ir.declarations());
    let list = |names: &[String]| {
        let lines: String = names
            .iter()
            .map(|name| format!("    \"{name}\",\n"))
            .collect();
        format!("[\n{lines}]")
    };
    let mut out = String::from("[features]\n");
    out.push_str(&format!("default = [\"{PROFILES}\"]\n"));
    out.push_str(&format!("{FULL} = [\"{PROFILES}\", \"{DECLARATIONS}\"]\n"));
    out.push_str(&format!("{PROFILES} = {}\n", list(&profiles)));
    out.push_str(&format!("{DECLARATIONS} = {}\n", list(&declarations)));
    let mut every: Vec<&String> = profiles.iter().chain(&declarations).collect();
    every.sort();
    for name in every {
        out.push_str(&format!("{name} = []\n"));
    }
    out
}
