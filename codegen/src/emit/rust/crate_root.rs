//! The crate's own files: `lib.rs` (the module list and the re-exports) and
//! `payload.rs` (the `Payload` enum that decodes `PayloadContent` by type).

use proc_macro2::TokenStream;
use quote::quote;

use super::layout::{blank_line, separated};
use super::{features, ident, inner_doc_attrs};
use crate::emit::facts;
use crate::ir::{Ir, Module};
use crate::release::Release;

pub fn lib_rs(ir: &Ir, release: &Release) -> TokenStream {
    let mut lines = vec![
        "Typed Apple configuration-profile payloads.".to_owned(),
        String::new(),
        "Each module is one payload of Apple's device-management schema: a struct per dictionary, \
         an enum per list of allowed string values, serde impls that read and write the exact plist \
         keys and keep every key the schema does not name."
            .to_owned(),
    ];
    if ir.profile().is_some() {
        lines.push(String::new());
        lines.push(
            "Start from [`Profile`]: a whole `.mobileconfig`, whose `PayloadContent` decodes each \
             payload by its `PayloadType` into [`Payload`]."
                .to_owned(),
        );
    }
    lines.push(String::new());
    lines.push("# Source".to_owned());
    lines.push(String::new());
    lines.push(format!(
        "Version {} of the crate. The facts of each key (type, allowed values, range, default, \
         availability) come from Apple's `apple/device-management`, {}, with the corrections \
         and additions the schema's overlays cite; [`APPLE_RELEASE`] and [`APPLE_COMMIT`] say \
         the same in code.",
        release.version,
        release.apple_words()
    ));
    lines.push(String::new());
    lines.push("# Features".to_owned());
    lines.push(String::new());
    lines.push(format!(
        "Each payload and each declarative configuration is a Cargo feature named as its module, \
         so a crate that needs one payload compiles only that one. `{profiles}` (the default) \
         turns on every profile payload, `{declarations}` every declarative configuration, \
         `{full}` both. A payload whose feature is off reads as `Payload::Other`, and \
         validation notes that it was not checked and which feature would check it.",
        profiles = features::PROFILES,
        declarations = features::DECLARATIONS,
        full = features::FULL,
    ));
    lines.push(String::new());
    lines.push(format!(
        "Two more features are on by default: `{certificates}` reads the certificates and \
         PKCS#12 files of certificate payloads so the validators can check them, and \
         `{signed}` reads signed profiles (a CMS envelope around the plist), checks their \
         signature, and signs profiles (`runtime::signed`).",
        certificates = features::CERTIFICATES,
        signed = features::SIGNED,
    ));
    lines.push(String::new());
    lines.push("| module | payload type | title | feature |".to_owned());
    lines.push("|---|---|---|---|".to_owned());
    for module in &ir.modules {
        // A module its feature leaves out cannot be linked to.
        let (name, feature) = match features::feature(module) {
            Some(feature) => (format!("`{}`", module.name), format!("`{feature}`")),
            None => (format!("[`{}`]", module.name), "always".to_owned()),
        };
        lines.push(format!(
            "| {name} | `{}` | {} | {feature} |",
            module.payload_type,
            facts::sanitize(&module.title).join(" ")
        ));
    }
    let docs = inner_doc_attrs(&lines);
    // Generated modules are laid out by prettyplease; `cargo fmt` must not
    // re-lay them, or `cargo xtask codegen --check` would see them as stale.
    let modules = ir.modules.iter().map(|module| {
        let name = ident(&module.name);
        let cfg = features::cfg(module);
        quote!(#cfg #[rustfmt::skip] pub mod #name;)
    });
    // Only declarations here: `cargo fmt` formats this file, and the two
    // printers agree on declarations.
    let profile = ir.profile().map(|module| {
        let module_name = ident(&module.name);
        let root = ident(&module.root_type().name);
        let signed = features::SIGNED;
        // In the order `cargo fmt` sorts them.
        quote! {
            #[cfg(feature = #signed)]
            pub use #module_name::read_profile_unwrapped;
            pub use #module_name::{#root, read_profile, validate_profile};
        }
    });
    let declaration = ir.declaration_envelope().map(|module| {
        let module_name = ident(&module.name);
        let root = ident(&module.root_type().name);
        // One item a line: `cargo fmt` and the generator's printer wrap a
        // long list differently.
        quote! {
            pub use #module_name::#root;
            pub use #module_name::DeclarationPayload;
            pub use #module_name::read_declaration;
            pub use #module_name::validate_declaration;
        }
    });
    let apple_release = &release.apple.name;
    let apple_commit = match &release.apple.commit {
        Some(commit) => quote!(Some(#commit)),
        None => quote!(None),
    };
    let items = separated([
        quote!(
            pub use mobileconfig_runtime as runtime;
        ),
        quote! {
            /// The release of Apple's `apple/device-management` this crate's facts come from.
            pub const APPLE_RELEASE: &str = #apple_release;
            /// The commit of that release, when the import recorded one.
            pub const APPLE_COMMIT: Option<&str> = #apple_commit;
        },
        quote! {
            #[rustfmt::skip]
            pub mod payload;
            #(#modules)*
        },
        // In the order `cargo fmt` sorts them: it formats this file.
        quote! {
            #declaration
            pub use payload::Payload;
            #profile
        },
    ]);
    let blank = blank_line();
    quote! {
        #docs
        #![forbid(unsafe_code)]
        #blank
        #items
    }
}

pub fn payload_rs(ir: &Ir) -> TokenStream {
    let dispatched: Vec<&Module> = ir.payloads().filter(|module| module.dispatched).collect();
    let variant = |module: &Module| ident(&module.payload_variant);
    let variants = dispatched.iter().map(|module| {
        let name = variant(module);
        let module_name = ident(&module.name);
        let root = ident(&module.root_type().name);
        let doc = format!(
            " `{}`: {}.",
            module.payload_type,
            facts::sanitize(&module.title).join(" ")
        );
        let cfg = features::cfg(module);
        quote! {
            #[doc = #doc]
            #cfg
            #name(Box<crate::#module_name::#root>)
        }
    });
    let type_arms = dispatched.iter().map(|module| {
        let name = variant(module);
        let module_name = ident(&module.name);
        let cfg = features::cfg(module);
        quote!(#cfg Payload::#name(_) => Some(crate::#module_name::PAYLOAD_TYPE))
    });
    let serialize_arms = dispatched.iter().map(|module| {
        let name = variant(module);
        let cfg = features::cfg(module);
        quote!(#cfg Payload::#name(payload) => payload.serialize(serializer))
    });
    let deserialize_arms = dispatched.iter().map(|module| {
        let name = variant(module);
        let module_name = ident(&module.name);
        let cfg = features::cfg(module);
        quote! {
            #cfg
            Some(crate::#module_name::PAYLOAD_TYPE) => {
                crate::runtime::decode_payload(dictionary).map(|payload| Payload::#name(Box::new(payload)))
            }
        }
    });
    let payload_type_key = crate::conventions::PAYLOAD_TYPE;
    let items = separated([
        quote! {
            use serde::{Deserialize, Serialize};

            use crate::runtime::plist;
        },
        quote! {
            /// One entry of `PayloadContent`.
            ///
            /// A payload whose type this crate knows is decoded into its struct; any other
            /// payload is kept as it was read, so a profile newer than the schema round-trips
            /// unchanged.
            #[derive(Debug, Clone, PartialEq)]
            #[non_exhaustive]
            pub enum Payload {
                #(#variants,)*
                /// A payload of a type this crate does not describe, kept as it was read.
                Other(plist::Dictionary),
            }
        },
        quote! {
            impl Payload {
                /// The payload's `PayloadType`, if it has one.
                pub fn payload_type(&self) -> Option<&str> {
                    match self {
                        #(#type_arms,)*
                        Payload::Other(dictionary) => dictionary
                            .get(#payload_type_key)
                            .and_then(plist::Value::as_string),
                    }
                }
            }
        },
        quote! {
            impl Serialize for Payload {
                fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                    match self {
                        #(#serialize_arms,)*
                        Payload::Other(dictionary) => dictionary.serialize(serializer),
                    }
                }
            }
        },
        quote! {
            impl<'de> Deserialize<'de> for Payload {
                fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                    let dictionary = crate::runtime::read_dictionary(deserializer)?;
                    let payload_type = dictionary
                        .get(#payload_type_key)
                        .and_then(plist::Value::as_string)
                        .map(str::to_owned);
                    match payload_type.as_deref() {
                        #(#deserialize_arms,)*
                        _ => Ok(Payload::Other(dictionary)),
                    }
                }
            }
        },
        features::catalogue(&dispatched, "PAYLOAD_TYPE", "payload"),
    ]);
    let blank = blank_line();
    quote! {
        //! The payloads of a profile's `PayloadContent`, decoded by their `PayloadType`.
        #blank
        #items
    }
}
