//! A struct for a dictionary, in the pieces a reader meets them: the struct
//! and its field documentation, the required-keys type its constructor
//! takes, the constructor and accessors, `Debug` (redacting secrets), and
//! the serde impls that read and write the exact plist keys.

use proc_macro2::TokenStream;
use quote::quote;

use super::layout::separated;
use super::types::{accessor, boxed_value_type, field_type};
use super::{doc_attrs, ident, type_docs};
use crate::emit::facts::{self, Links};
use crate::ir::{Field, Module, ModuleKind, Scalar, Shape, StructDef, TypeDef};
use crate::naming::UNKNOWN_KEYS_FIELD;

/// Everything generated for one struct. `lookup` is the function that
/// finds the schema of a payload (or declaration) type, for `validate`.
pub fn struct_item(
    module: &Module,
    def: &TypeDef,
    struct_def: &StructDef,
    lookup: &TokenStream,
) -> TokenStream {
    let is_root = std::ptr::eq(def, module.root_type());
    separated([
        definition(module, def, struct_def),
        required_keys(module, def, struct_def),
        methods(module, def, struct_def, is_root, lookup),
        conversions(def, struct_def),
        debug(def, struct_def),
        serialize(def, struct_def),
        deserialize(def, struct_def),
    ])
}

/// A field's documentation: the key and its type, the prose, then a list of
/// facts.
fn field_docs(module: &Module, field: &Field) -> Vec<String> {
    let mut lines = vec![format!(
        "`{}`{}: {}.",
        field.key,
        if field.required { " (required)" } else { "" },
        facts::type_words(module, &field.value, Links::Rustdoc)
    )];
    let prose = facts::prose(&field.docs);
    if !prose.is_empty() {
        lines.push(String::new());
        lines.extend(prose);
    }
    let facts = facts::key_facts(field);
    if !facts.is_empty() {
        lines.push(String::new());
        lines.extend(facts.iter().map(|fact| format!("- {}", fact.sentence())));
    }
    lines
}

fn definition(module: &Module, def: &TypeDef, struct_def: &StructDef) -> TokenStream {
    let name = ident(&def.name);
    let docs = doc_attrs(&type_docs(def));
    let unknown = ident(UNKNOWN_KEYS_FIELD);
    let fields = struct_def.stored_fields().map(|field| {
        let field_name = ident(&field.name);
        let ty = field_type(module, field);
        if field.fixed.is_some() {
            // Read through its accessor, which carries the documentation.
            let doc = format!(
                " `{}`: see [`{}::{}`].",
                field.key,
                def.name,
                field.name.trim_start_matches("r#")
            );
            quote! {
                #[doc = #doc]
                #field_name: #ty
            }
        } else {
            let docs = doc_attrs(&field_docs(module, field));
            quote! {
                #docs
                pub #field_name: #ty
            }
        }
    });
    let derives = if has_secrets(struct_def.fields.iter()) {
        quote!(#[derive(Clone, PartialEq)])
    } else {
        quote!(#[derive(Debug, Clone, PartialEq)])
    };
    quote! {
        #docs
        #derives
        #[non_exhaustive]
        pub struct #name {
            #(#fields,)*
            /// Keys the schema does not describe, kept as read so that nothing is lost.
            pub #unknown: plist::Dictionary,
        }
    }
}

fn has_secrets<'a>(mut fields: impl Iterator<Item = &'a Field>) -> bool {
    fields.any(|field| field.sensitive)
}

/// The required keys a constructor takes, as a struct of named fields: a
/// caller names each key, so two strings cannot trade places unnoticed.
fn required_keys(module: &Module, def: &TypeDef, struct_def: &StructDef) -> TokenStream {
    let Some(required) = &struct_def.required else {
        return TokenStream::new();
    };
    let name = ident(required);
    let doc = format!(
        " The required keys of [`{0}`], for [`{0}::new`]. Keys with one possible value are \
         not here: the constructor sets them.",
        def.name
    );
    let fields = struct_def.parameters().map(|field| {
        let field_name = ident(&field.name);
        let ty = boxed_value_type(module, field);
        let doc = format!(
            " `{}`: {}. See [`{}::{}`].",
            field.key,
            facts::type_words(module, &field.value, Links::Rustdoc),
            def.name,
            field.name.trim_start_matches("r#")
        );
        quote! {
            #[doc = #doc]
            pub #field_name: #ty
        }
    });
    let derives = if has_secrets(struct_def.parameters()) {
        quote!(#[derive(Clone, PartialEq)])
    } else {
        quote!(#[derive(Debug, Clone, PartialEq)])
    };
    quote! {
        #[doc = #doc]
        #derives
        pub struct #name {
            #(#fields,)*
        }
    }
}

/// The value a fixed key's field starts with.
fn fixed_expression(field: &Field, value: &Scalar) -> TokenStream {
    match (value, &field.value.shape) {
        (Scalar::String(text), _) => quote!(#text.to_owned()),
        (Scalar::Integer(number), Shape::Real) => {
            let number = proc_macro2::Literal::f64_unsuffixed(*number as f64);
            quote!(#number)
        }
        (Scalar::Integer(number), _) => {
            let number = proc_macro2::Literal::i64_unsuffixed(*number);
            quote!(#number)
        }
        (Scalar::Real(number), _) => {
            let number = proc_macro2::Literal::f64_unsuffixed(*number);
            quote!(#number)
        }
        (Scalar::Boolean(flag), _) => quote!(#flag),
        (Scalar::Null, _) => quote!(plist::Value::String(String::new())),
    }
}

fn methods(
    module: &Module,
    def: &TypeDef,
    struct_def: &StructDef,
    is_root: bool,
    lookup: &TokenStream,
) -> TokenStream {
    let name = ident(&def.name);
    let unknown = ident(UNKNOWN_KEYS_FIELD);
    let initializers = struct_def.stored_fields().map(|field| {
        let field_name = ident(&field.name);
        match (&field.fixed, field.required) {
            (Some(value), _) => {
                let value = fixed_expression(field, value);
                quote!(#field_name: Some(#value))
            }
            (None, true) if field.may_be_absent() => {
                quote!(#field_name: Some(required.#field_name))
            }
            (None, true) => quote!(#field_name: required.#field_name),
            (None, false) => quote!(#field_name: None),
        }
    });
    let (parameter, new_doc) = match &struct_def.required {
        Some(required) => {
            let required = ident(required);
            (
                quote!(required: #required),
                " Creates the dictionary from its required keys; every optional key starts \
                 absent.",
            )
        }
        None => (
            TokenStream::new(),
            " Creates the dictionary; every optional key starts absent.",
        ),
    };
    let constructor = quote! {
        #[doc = #new_doc]
        pub fn new(#parameter) -> Self {
            #name {
                #(#initializers,)*
                #unknown: plist::Dictionary::new(),
            }
        }
    };
    let accessors = struct_def
        .fields
        .iter()
        .filter(|field| field.fixed.is_some())
        .map(|field| {
            let field_name = ident(&field.name);
            let docs = doc_attrs(&field_docs(module, field));
            let (ty, read) = accessor(field);
            quote! {
                #docs
                pub fn #field_name(&self) -> #ty {
                    #read
                }
            }
        });
    let validate = is_root.then(|| validate_method(module, lookup));
    let items = separated(
        std::iter::once(constructor)
            .chain(accessors)
            .chain(validate),
    );
    quote! {
        impl #name {
            #items
        }
    }
}

/// `From` the required keys, and `Default` where there are none.
fn conversions(def: &TypeDef, struct_def: &StructDef) -> TokenStream {
    let name = ident(&def.name);
    match &struct_def.required {
        Some(required) => {
            let required = ident(required);
            quote! {
                impl From<#required> for #name {
                    fn from(required: #required) -> Self {
                        #name::new(required)
                    }
                }
            }
        }
        None => quote! {
            impl Default for #name {
                fn default() -> Self {
                    #name::new()
                }
            }
        },
    }
}

/// `Debug` for a struct with secrets (and for its required keys): every
/// field but the sensitive ones, whose values are redacted.
fn debug(def: &TypeDef, struct_def: &StructDef) -> TokenStream {
    let mut items = Vec::new();
    if has_secrets(struct_def.fields.iter()) {
        items.push(debug_impl(&def.name, struct_def.stored_fields(), true));
    }
    if let Some(required) = &struct_def.required
        && has_secrets(struct_def.parameters())
    {
        items.push(debug_impl(required, struct_def.parameters(), false));
    }
    separated(items)
}

/// `Debug` for the struct itself (`stored`: its fields as stored, with the
/// unknown keys) or for its required keys (plain values).
fn debug_impl<'a>(
    type_name: &str,
    fields: impl Iterator<Item = &'a Field>,
    stored: bool,
) -> TokenStream {
    let name = ident(type_name);
    let entries = fields.map(|field| {
        let field_name = ident(&field.name);
        let label = field.name.trim_start_matches("r#");
        let holds_option = if stored { field.may_be_absent() } else { false };
        if field.sensitive && !holds_option {
            quote!(.field(#label, &crate::runtime::Redacted::HIDDEN))
        } else if field.sensitive {
            quote!(.field(#label, &crate::runtime::Redacted::of(&self.#field_name)))
        } else {
            quote!(.field(#label, &self.#field_name))
        }
    });
    let unknown = stored.then(|| {
        let unknown = ident(UNKNOWN_KEYS_FIELD);
        quote!(.field(#UNKNOWN_KEYS_FIELD, &self.#unknown))
    });
    quote! {
        /// Shows every field but the sensitive ones, whose values are redacted.
        impl std::fmt::Debug for #name {
            fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                formatter
                    .debug_struct(#type_name)
                    #(#entries)*
                    #unknown
                    .finish()
            }
        }
    }
}

/// The runtime's reader or writer method for a field: flags go through the
/// flag helpers, which read `<true/>` too and write 0 or 1.
fn access_method(field: &Field) -> TokenStream {
    match (
        field.value.shape == Shape::IntegerFlag,
        field.may_be_absent(),
    ) {
        (true, false) => quote!(required_flag),
        (true, true) => quote!(optional_flag),
        (false, false) => quote!(required),
        (false, true) => quote!(optional),
    }
}

/// The field that holds a declaration's payload, which also says the
/// declaration's `Type`.
fn payload_holder(struct_def: &StructDef) -> Option<&Field> {
    struct_def
        .fields
        .iter()
        .find(|field| field.value.shape == Shape::DeclarationPayload)
}

fn serialize(def: &TypeDef, struct_def: &StructDef) -> TokenStream {
    let name = ident(&def.name);
    let unknown = ident(UNKNOWN_KEYS_FIELD);
    let holder = payload_holder(struct_def).map(|field| ident(&field.name));
    let writes = struct_def.fields.iter().map(|field| {
        let field_name = ident(&field.name);
        let key = &field.key;
        let method = access_method(field);
        if let (true, Some(holder)) = (field.is_held_elsewhere(), &holder) {
            // The payload says the declaration's type.
            return quote!(dictionary.required(#key, self.#holder.declaration_type())?;);
        }
        if field.value.shape == Shape::IntegerFlag {
            quote!(dictionary.#method(#key, self.#field_name)?;)
        } else {
            quote!(dictionary.#method(#key, &self.#field_name)?;)
        }
    });
    // A dictionary of unnamed keys alone takes nothing one by one.
    let binding = if struct_def.fields.is_empty() {
        quote!(dictionary)
    } else {
        quote!(mut dictionary)
    };
    quote! {
        impl Serialize for #name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                let #binding = crate::runtime::DictionaryWriter::new(serializer)?;
                #(#writes)*
                dictionary.finish(&self.#unknown)
            }
        }
    }
}

fn deserialize(def: &TypeDef, struct_def: &StructDef) -> TokenStream {
    let name = ident(&def.name);
    let unknown = ident(UNKNOWN_KEYS_FIELD);
    // A declaration's `Type` is read first: it says how to read the payload.
    let declaration_type = struct_def
        .fields
        .iter()
        .find(|field| field.is_held_elsewhere())
        .map(|field| {
            let key = &field.key;
            quote!(let declaration_type: String = dictionary.required(#key)?;)
        });
    let reads = struct_def.stored_fields().map(|field| {
        let field_name = ident(&field.name);
        let key = &field.key;
        if field.value.shape == Shape::DeclarationPayload {
            return quote!(#field_name: dictionary.required_typed(#key, &declaration_type)?);
        }
        let method = access_method(field);
        quote!(#field_name: dictionary.#method(#key)?)
    });
    let binding = if struct_def.fields.is_empty() {
        quote!(dictionary)
    } else {
        quote!(mut dictionary)
    };
    quote! {
        impl<'de> Deserialize<'de> for #name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let #binding = crate::runtime::DictionaryReader::new(deserializer)?;
                #declaration_type
                Ok(#name {
                    #(#reads,)*
                    #unknown: dictionary.into_unknown_keys(),
                })
            }
        }
    }
}

/// `validate` on a payload's (or the profile's) own dictionary.
fn validate_method(module: &Module, lookup: &TokenStream) -> TokenStream {
    let checks_one = format!(
        " Checks the {} against every rule of its schema: types, required keys, allowed \
         values, ranges, formats, cross-field rules and, given a target, availability. Returns \
         all findings.",
        module.kind.noun()
    );
    let (doc, function) = match module.kind {
        ModuleKind::Payload | ModuleKind::Declaration | ModuleKind::DeclarationEnvelope => {
            (checks_one.as_str(), quote!(validate_payload_of))
        }
        ModuleKind::Profile => (
            " Checks the whole profile: the envelope, each payload against its schema, \
             and the checks across payloads (unique `PayloadUUID`s, certificate \
             references). Returns all findings.",
            quote!(validate_profile_of),
        ),
    };
    quote! {
        #[doc = #doc]
        pub fn validate(
            &self,
            target: Option<&crate::runtime::Target>,
        ) -> Vec<crate::runtime::Diagnostic> {
            crate::runtime::validate::#function(
                &schema::PAYLOAD,
                #lookup,
                self,
                target,
            )
        }
    }
}
