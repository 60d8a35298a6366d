//! The Rust type of a value: the one mapping from the IR's shapes to the
//! types of the generated fields.

use proc_macro2::TokenStream;
use quote::quote;

use super::ident;
use crate::ir::{Field, Module, Shape, Value};

/// The Rust type of a value. Flags are `bool` in fields (read and written
/// through the runtime's flag helpers) and `IntegerFlag` inside collections.
pub fn value_type(module: &Module, value: &Value, in_collection: bool) -> TokenStream {
    match &value.shape {
        Shape::String => quote!(String),
        Shape::Integer => quote!(i64),
        Shape::Real => quote!(f64),
        Shape::Boolean => quote!(bool),
        Shape::IntegerFlag if in_collection => quote!(crate::runtime::IntegerFlag),
        Shape::IntegerFlag => quote!(bool),
        Shape::Date => quote!(plist::Date),
        Shape::Data => quote!(plist::Data),
        Shape::Any => quote!(plist::Value),
        Shape::Map(item) => {
            let item = value_type(module, item, true);
            quote!(crate::runtime::IndexMap<String, #item>)
        }
        Shape::Array(item) => {
            let item = value_type(module, item, true);
            quote!(Vec<#item>)
        }
        Shape::Struct(id) | Shape::Enum(id) => {
            let name = ident(&module.get(*id).name);
            quote!(#name)
        }
        Shape::Payloads => quote!(Vec<crate::payload::Payload>),
        // Held by the payload; a field never has this type.
        Shape::DeclarationType => quote!(String),
        Shape::DeclarationPayload => quote!(DeclarationPayload),
    }
}

/// The type of the value alone, boxed where the type recurses.
pub fn boxed_value_type(module: &Module, field: &Field) -> TokenStream {
    let ty = value_type(module, &field.value, false);
    if field.boxed { quote!(Box<#ty>) } else { ty }
}

/// The type of a struct field: an `Option` for every key that may be absent
/// (see [`Field::may_be_absent`]).
pub fn field_type(module: &Module, field: &Field) -> TokenStream {
    let ty = boxed_value_type(module, field);
    if field.may_be_absent() {
        quote!(Option<#ty>)
    } else {
        ty
    }
}

/// How a read-only accessor returns a fixed key's value (absent when the
/// dictionary as read left it out), and the expression that reads it from
/// `self`.
pub fn accessor(field: &Field) -> (TokenStream, TokenStream) {
    let name = ident(&field.name);
    match field.value.shape {
        Shape::String => (quote!(Option<&str>), quote!(self.#name.as_deref())),
        Shape::Integer => (quote!(Option<i64>), quote!(self.#name)),
        Shape::Real => (quote!(Option<f64>), quote!(self.#name)),
        Shape::Boolean => (quote!(Option<bool>), quote!(self.#name)),
        _ => {
            let ty = quote!(plist::Value);
            (quote!(Option<&#ty>), quote!(self.#name.as_ref()))
        }
    }
}
