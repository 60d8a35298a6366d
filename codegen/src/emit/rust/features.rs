//! The crate's Cargo features: one per payload and per declarative
//! configuration (named as its module), and a family for each kind, so a
//! crate that needs one payload compiles only that one. The profile and the
//! declaration envelope are always built. Every `#[cfg]` of the generated
//! crate comes from here.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::ident;
use super::layout::separated;
use crate::ir::{Ir, Module, ModuleKind};

/// The family of every profile payload; on by default.
pub const PROFILES: &str = "profiles";
/// The family of every declarative configuration.
pub const DECLARATIONS: &str = "declarations";
/// Both families.
pub const FULL: &str = "full";
/// Reads the certificates and PKCS#12 files of certificate payloads, so the
/// validators can check them (the runtime's feature of the same name).
pub const CERTIFICATES: &str = "certificates";
/// Reads, verifies and writes signed profiles (the runtime's feature of the
/// same name), which needs the certificates read; on by default, since most
/// profiles that reach devices are signed.
pub const SIGNED: &str = "signed";

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
    out.push_str(&format!(
        "default = [\"{PROFILES}\", \"{CERTIFICATES}\", \"{SIGNED}\"]\n"
    ));
    out.push_str(&format!(
        "{FULL} = [\"{PROFILES}\", \"{DECLARATIONS}\", \"{CERTIFICATES}\", \"{SIGNED}\"]\n"
    ));
    out.push_str(&format!(
        "{CERTIFICATES} = [\"mobileconfig-runtime/{CERTIFICATES}\"]\n"
    ));
    out.push_str(&format!(
        "{SIGNED} = [\"{CERTIFICATES}\", \"mobileconfig-runtime/{SIGNED}\"]\n"
    ));
    out.push_str(&format!("{PROFILES} = {}\n", list(&profiles)));
    out.push_str(&format!("{DECLARATIONS} = {}\n", list(&declarations)));
    let mut every: Vec<&String> = profiles.iter().chain(&declarations).collect();
    every.sort();
    for name in every {
        out.push_str(&format!("{name} = []\n"));
    }
    out
}

/// The catalogue of the types `modules` describe (payloads or
/// declarations, named by each module's `constant`): `schema_for` and
/// `schemas` (the types this build has), `feature_for` (every type, and the feature that
/// builds it) and `LOOKUP`, which readers and validators take.
pub fn catalogue(modules: &[&Module], constant: &str, noun: &str) -> TokenStream {
    let constant = format_ident!("{constant}");
    let parameter = format_ident!("{noun}_type");
    let schema_arms = modules.iter().map(|module| {
        let module_name = ident(&module.name);
        let cfg = cfg(module);
        quote!(#cfg crate::#module_name::#constant => Some(&crate::#module_name::schema::PAYLOAD))
    });
    let feature_arms = modules.iter().filter_map(|module| {
        let feature = feature(module)?;
        let type_name = &module.payload_type;
        Some(quote!(#type_name => Some(#feature)))
    });
    let pushes = modules.iter().map(|module| {
        let module_name = ident(&module.name);
        let cfg = cfg(module);
        quote!(#cfg all.push(&crate::#module_name::schema::PAYLOAD);)
    });
    let all_doc =
        format!(" The schema tables of every {noun} type this build has, in module order.");
    let schema_doc = format!(" The schema tables of a {noun} type this build has.");
    let feature_doc = format!(" The Cargo feature that builds a {noun} type this crate knows.");
    let lookup_doc = format!(" Where readers and validators find {noun} schemas.");
    separated([
        quote! {
            #[doc = #schema_doc]
            pub fn schema_for(#parameter: &str) -> Option<&'static crate::runtime::schema::PayloadSchema> {
                match #parameter {
                    #(#schema_arms,)*
                    _ => None,
                }
            }
        },
        quote! {
            #[doc = #all_doc]
            #[allow(clippy::vec_init_then_push)]
            pub fn schemas() -> Vec<&'static crate::runtime::schema::PayloadSchema> {
                #[allow(unused_mut)]
                let mut all = Vec::new();
                #(#pushes)*
                all
            }
        },
        quote! {
            #[doc = #feature_doc]
            pub fn feature_for(#parameter: &str) -> Option<&'static str> {
                match #parameter {
                    #(#feature_arms,)*
                    _ => None,
                }
            }
        },
        quote! {
            #[doc = #lookup_doc]
            pub const LOOKUP: crate::runtime::validate::PayloadLookup =
                crate::runtime::validate::PayloadLookup {
                    schema: schema_for,
                    feature: feature_for,
                };
        },
    ])
}
