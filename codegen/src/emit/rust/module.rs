//! One payload's file: its documentation, `PAYLOAD_TYPE`, its types, and its
//! schema tables (the profile's also `read_profile` and `validate_profile`).

use proc_macro2::TokenStream;
use quote::quote;

use super::layout::{blank_line, separated};
use super::{enums, ident, inner_doc_attrs, structs};
use crate::emit::{facts, tables};
use crate::ir::{Module, ModuleKind, TypeKind};

pub fn module_rs(module: &Module) -> TokenStream {
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
    let types = module.types.iter().map(|def| match &def.kind {
        TypeKind::Struct(struct_def) => structs::struct_item(module, def, struct_def),
        TypeKind::Enum(enum_def) => enums::enum_item(def, enum_def),
    });
    let profile_functions = (module.kind == ModuleKind::Profile).then(|| profile_functions(module));
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
        .chain(profile_functions)
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

/// `read_profile` and `validate_profile`, in the profile module.
fn profile_functions(module: &Module) -> TokenStream {
    let root = ident(&module.root_type().name);
    separated([
        quote! {
            /// Reads a `.mobileconfig` (XML or binary plist). Values written in a type
            /// devices accept but the schema does not (`<true/>` for a 0/1 integer flag,
            /// `<real>1</real>` for an integer) are read, reported in `warnings`, and
            /// written back in the schema's type.
            pub fn read_profile(
                bytes: &[u8],
            ) -> Result<crate::runtime::io::Decoded<#root>, crate::runtime::io::ReadError> {
                crate::runtime::io::read_profile(bytes, &schema::PAYLOAD, crate::payload::schema_for)
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
                    crate::payload::schema_for,
                    profile,
                    target,
                )
            }
        },
    ])
}
