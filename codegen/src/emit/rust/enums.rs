//! An enum for a list of allowed strings: a variant per value and a
//! catch-all that keeps values newer than the schema.

use proc_macro2::TokenStream;
use quote::quote;

use super::layout::separated;
use super::{doc_attrs, ident, type_docs};
use crate::ir::{EnumDef, TypeDef};

pub fn enum_item(def: &TypeDef, enum_def: &EnumDef) -> TokenStream {
    let name = ident(&def.name);
    let docs = doc_attrs(&type_docs(def));
    let other = ident(&enum_def.other);
    let variants = enum_def.variants.iter().map(|variant| {
        let variant_name = ident(&variant.name);
        let doc = format!(" `{}`", variant.value);
        quote!(#[doc = #doc] #variant_name)
    });
    let as_str_arms = enum_def.variants.iter().map(|variant| {
        let variant_name = ident(&variant.name);
        let value = &variant.value;
        quote!(#name::#variant_name => #value)
    });
    let from_arms = enum_def.variants.iter().map(|variant| {
        let variant_name = ident(&variant.name);
        let value = &variant.value;
        quote!(#value => #name::#variant_name)
    });
    separated([
        quote! {
            #docs
            #[derive(Debug, Clone, PartialEq, Eq, Hash)]
            #[non_exhaustive]
            pub enum #name {
                #(#variants,)*
                /// A value this version of the schema does not list, kept as written.
                #other(String),
            }
        },
        quote! {
            impl #name {
                /// The value as written in a profile.
                pub fn as_str(&self) -> &str {
                    match self {
                        #(#as_str_arms,)*
                        #name::#other(value) => value,
                    }
                }
            }
        },
        quote! {
            impl From<&str> for #name {
                fn from(value: &str) -> Self {
                    match value {
                        #(#from_arms,)*
                        other => #name::#other(other.to_owned()),
                    }
                }
            }
        },
        quote! {
            impl Serialize for #name {
                fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                    serializer.serialize_str(self.as_str())
                }
            }
        },
        quote! {
            impl<'de> Deserialize<'de> for #name {
                fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                    String::deserialize(deserializer).map(|value| #name::from(value.as_str()))
                }
            }
        },
    ])
}
