//! One payload's file: its documentation, `PAYLOAD_TYPE`, its types, and its
//! schema tables (the profile's also `read_profile` and `validate_profile`).

use proc_macro2::TokenStream;
use quote::quote;

use super::layout::{blank_line, separated};
use super::{enums, features, ident, inner_doc_attrs, structs};
use crate::emit::{facts, tables};
use crate::ir::{Ir, Module, ModuleKind, TypeKind};

pub fn module_rs(ir: &Ir, module: &Module) -> TokenStream {
    let title = facts::sanitize(&module.title).join(" ");
    let mut lines = vec![match module.kind {
        ModuleKind::Payload | ModuleKind::Declaration => format!(
            "{title}: the `{}` {}.",
            module.payload_type,
            module.kind.noun()
        ),
        ModuleKind::Profile => format!(
            "{title}: a whole profile, whose `PayloadType` is `{}`.",
            module.payload_type
        ),
        ModuleKind::DeclarationEnvelope => {
            format!("{title}: the keys every declaration has around its payload.")
        }
    }];
    if let Some(description) = &module.description
        && !description.trim().is_empty()
    {
        lines.push(String::new());
        lines.extend(facts::sanitize(description));
    } else if let Some(reference) = facts::reference(&module.root_type().docs) {
        lines.push(String::new());
        lines.push(reference);
    }
    if let Some(availability) = facts::availability_words(&module.availability) {
        lines.push(String::new());
        lines.push(format!("Availability: {availability}."));
    }
    let module_docs = inner_doc_attrs(&lines);
    let payload_type = &module.payload_type;
    let payload_type_doc = match module.kind {
        ModuleKind::Payload => " The `PayloadType` of this payload.",
        ModuleKind::Profile => " The `PayloadType` of a profile.",
        ModuleKind::Declaration => " The `Type` of this declaration.",
        ModuleKind::DeclarationEnvelope => " The schema's name for the declaration envelope.",
    };
    let type_constant = quote::format_ident!("{}", module.kind.type_constant());
    let lookup = lookup_path(ir, module);
    let types = module.types.iter().map(|def| match &def.kind {
        TypeKind::Struct(struct_def) => structs::struct_item(module, def, struct_def, &lookup),
        TypeKind::Enum(enum_def) => enums::enum_item(def, enum_def),
    });
    let envelope_items = match module.kind {
        ModuleKind::Profile => Some(profile_functions(module)),
        ModuleKind::DeclarationEnvelope => Some(declaration_items(ir, module)),
        ModuleKind::Payload | ModuleKind::Declaration => None,
    };
    let items = separated(
        [
            quote! {
                use serde::{Deserialize, Serialize};
                use crate::runtime::plist;
            },
            quote! {
                #[doc = #payload_type_doc]
                pub const #type_constant: &str = #payload_type;
            },
        ]
        .into_iter()
        .chain(envelope_items)
        .chain(types)
        .chain([tables::schema_module(module)]),
    );
    let blank = blank_line();
    quote! {
        #module_docs
        #blank
        #items
    }
}

/// Where the module's dictionaries find the schema of a type they can hold: a payload type for profiles, a declaration type for
/// declarations.
fn lookup_path(ir: &Ir, module: &Module) -> TokenStream {
    match module.kind {
        ModuleKind::Payload | ModuleKind::Profile => quote!(crate::payload::LOOKUP),
        ModuleKind::Declaration | ModuleKind::DeclarationEnvelope => {
            match ir.declaration_envelope() {
                Some(envelope) => {
                    let envelope = ident(&envelope.name);
                    quote!(crate::#envelope::LOOKUP)
                }
                None => quote!(crate::runtime::validate::PayloadLookup::NONE),
            }
        }
    }
}

/// In the declaration envelope's module: the payload a declaration holds
/// (decoded by its `Type`), the lookup of declaration schemas, and
/// `read_declaration` and `validate_declaration`.
fn declaration_items(ir: &Ir, envelope: &Module) -> TokenStream {
    let root = ident(&envelope.root_type().name);
    let declarations: Vec<&Module> = ir.declarations().collect();
    let variant = |module: &Module| ident(&module.payload_variant);
    let variants = declarations.iter().map(|module| {
        let name = variant(module);
        let module_name = ident(&module.name);
        let payload = ident(&module.root_type().name);
        let cfg = features::cfg(module);
        let doc = format!(
            " `{}`: {}.",
            module.payload_type,
            facts::sanitize(&module.title).join(" ")
        );
        quote! {
            #[doc = #doc]
            #cfg
            #name(Box<crate::#module_name::#payload>)
        }
    });
    let type_arms = declarations.iter().map(|module| {
        let name = variant(module);
        let module_name = ident(&module.name);
        let cfg = features::cfg(module);
        quote!(#cfg DeclarationPayload::#name(_) => crate::#module_name::DECLARATION_TYPE)
    });
    let serialize_arms = declarations.iter().map(|module| {
        let name = variant(module);
        let cfg = features::cfg(module);
        quote!(#cfg DeclarationPayload::#name(payload) => payload.serialize(serializer))
    });
    let decode_arms = declarations.iter().map(|module| {
        let name = variant(module);
        let module_name = ident(&module.name);
        let cfg = features::cfg(module);
        quote! {
            #cfg
            crate::#module_name::DECLARATION_TYPE => crate::runtime::from_value(value)
                .map(|payload| DeclarationPayload::#name(Box::new(payload)))
                .map_err(|error| crate::runtime::error_message(&error))
        }
    });
    separated([
        quote! {
            /// What a declaration holds: its payload, of the type its `Type` names.
            ///
            /// A payload whose type this crate knows is decoded into its struct; any
            /// other is kept as it was read, so a declaration newer than the schema
            /// round-trips unchanged.
            #[derive(Debug, Clone, PartialEq)]
            #[non_exhaustive]
            pub enum DeclarationPayload {
                #(#variants,)*
                /// A payload of a type this crate does not describe, kept as it was read.
                Other {
                    /// The declaration's `Type`.
                    declaration_type: String,
                    /// The payload as read.
                    payload: plist::Dictionary,
                },
            }
        },
        quote! {
            impl DeclarationPayload {
                /// The declaration's `Type`, which the payload's type says.
                pub fn declaration_type(&self) -> &str {
                    match self {
                        #(#type_arms,)*
                        DeclarationPayload::Other { declaration_type, .. } => declaration_type,
                    }
                }
            }
        },
        quote! {
            impl Serialize for DeclarationPayload {
                fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                    match self {
                        #(#serialize_arms,)*
                        DeclarationPayload::Other { payload, .. } => payload.serialize(serializer),
                    }
                }
            }
        },
        quote! {
            impl crate::runtime::Dispatched for DeclarationPayload {
                fn decode(kind: &str, value: plist::Value) -> Result<Self, String> {
                    match kind {
                        #(#decode_arms,)*
                        other => match value {
                            plist::Value::Dictionary(payload) => Ok(DeclarationPayload::Other {
                                declaration_type: other.to_owned(),
                                payload,
                            }),
                            _ => Err("the payload must be a dictionary".to_owned()),
                        },
                    }
                }
            }
        },
        features::catalogue(&declarations, "DECLARATION_TYPE", "declaration"),
        quote! {
            /// Reads a declaration (JSON, as the declarative device management protocol
            /// carries it), with warnings for values read leniently.
            pub fn read_declaration(
                bytes: &[u8],
            ) -> Result<crate::runtime::io::Decoded<#root>, crate::runtime::io::ReadError> {
                crate::runtime::io::read_declaration(bytes, &schema::PAYLOAD, LOOKUP)
            }
        },
        quote! {
            /// Checks a declaration as read, before any decoding: every finding with its
            /// key path, severity and code.
            pub fn validate_declaration(
                declaration: &plist::Value,
                target: Option<&crate::runtime::Target>,
            ) -> Vec<crate::runtime::Diagnostic> {
                crate::runtime::validate::validate_payload(
                    &schema::PAYLOAD,
                    LOOKUP,
                    declaration,
                    target,
                )
            }
        },
    ])
}

/// `read_profile`, `read_profile_unwrapped` and `validate_profile`, in the
/// profile module.
fn profile_functions(module: &Module) -> TokenStream {
    let root = ident(&module.root_type().name);
    let signed = features::SIGNED;
    separated([
        quote! {
            /// Reads a `.mobileconfig` (XML or binary plist, signed or not). Values written
            /// in a type devices accept but the schema does not (`<true/>` for a 0/1 integer
            /// flag, `<real>1</real>` for an integer) are read, reported in `warnings`, and
            /// written back in the schema's type. A signed profile's signature must hold
            /// over its content; `read_profile_unwrapped` also says who signed.
            pub fn read_profile(
                bytes: &[u8],
            ) -> Result<crate::runtime::io::Decoded<#root>, crate::runtime::io::ReadError> {
                crate::runtime::io::read_profile(bytes, &schema::PAYLOAD, crate::payload::LOOKUP)
            }
        },
        quote! {
            /// Reads a `.mobileconfig` as `read_profile` does, and hands back the envelope
            /// of a signed one: who signed, how, with which certificates. Whether the
            /// signer is trusted is asked of the envelope (`check_trust`).
            #[cfg(feature = #signed)]
            pub fn read_profile_unwrapped(
                bytes: &[u8],
            ) -> Result<
                crate::runtime::signed::Unwrapped<crate::runtime::io::Decoded<#root>>,
                crate::runtime::io::ReadError,
            > {
                crate::runtime::io::read_profile_unwrapped(
                    bytes,
                    &schema::PAYLOAD,
                    crate::payload::LOOKUP,
                )
            }
        },
        quote! {
            /// Checks a profile as read, before any decoding: every finding with its key
            /// path, severity and code. Use this on untrusted input, which may not decode.
            pub fn validate_profile(
                profile: &plist::Value,
                target: Option<&crate::runtime::Target>,
            ) -> Vec<crate::runtime::Diagnostic> {
                crate::runtime::validate::validate_profile(
                    &schema::PAYLOAD,
                    crate::payload::LOOKUP,
                    profile,
                    target,
                )
            }
        },
    ])
}
