//! The validation rendering: each module's schema as `static` tables of the
//! runtime's [`schema`](https://docs.rs/mobileconfig-runtime) types, read by
//! the runtime's one validation engine. Nothing is checked by per-payload
//! code; everything the schema and overlay say is data here.

use mobileconfig_runtime::schema::DictSchema;
use proc_macro2::{Ident, Span, TokenStream};
use quote::quote;

use super::rust::layout::separated;
use crate::ir::{
    Availability, CertificateForm, ConditionSpec, ContentsSpec, Field, Format, Module, Platform,
    Rule, Scalar, Severity, Shape, StructDef, TypeDef, TypeId, TypeKind, Value,
};
use crate::schema::Introduced;

/// The name of a struct's table (the naming pass keeps these unique and
/// clear of the module's own `PAYLOAD` names).
fn table_name(struct_def: &StructDef) -> Ident {
    Ident::new(&struct_def.table, Span::call_site())
}

/// The table of the struct a value holds.
fn table_of(module: &Module, id: TypeId) -> TokenStream {
    match &module.get(id).kind {
        TypeKind::Struct(struct_def) => {
            let table = table_name(struct_def);
            quote!(&#table)
        }
        // The IR never holds an enum as a dictionary; if it ever did, the
        // generated crate says so rather than checking the wrong thing.
        TypeKind::Enum(_) => quote!(compile_error!("the IR holds an enum as a dictionary")),
    }
}

/// The distinct `supportedOS` sets of a module (the payload's, and each that
/// a key declares), each a named constant written once.
struct AvailabilitySets(Vec<Vec<Availability>>);

impl AvailabilitySets {
    fn collect(module: &Module) -> Self {
        let mut sets = vec![module.availability.clone()];
        for def in &module.types {
            if let TypeKind::Struct(struct_def) = &def.kind {
                for field in &struct_def.fields {
                    let declared = &field.declared_availability;
                    if !declared.is_empty() && !sets.contains(declared) {
                        sets.push(declared.clone());
                    }
                }
            }
        }
        AvailabilitySets(sets)
    }

    fn name(index: usize) -> Ident {
        if index == 0 {
            Ident::new("PAYLOAD_AVAILABILITY", Span::call_site())
        } else {
            Ident::new(&format!("AVAILABILITY_{index}"), Span::call_site())
        }
    }

    /// The constant for a set; a key that declares nothing gets `&[]`.
    fn reference(&self, availability: &[Availability]) -> TokenStream {
        match self.0.iter().position(|set| set == availability) {
            Some(index) if !availability.is_empty() => {
                let name = Self::name(index);
                quote!(#name)
            }
            _ => quote!(&[]),
        }
    }

    fn constants(&self) -> impl Iterator<Item = TokenStream> + '_ {
        self.0.iter().enumerate().map(|(index, set)| {
            let name = Self::name(index);
            let words =
                super::facts::availability_words(set).unwrap_or_else(|| "not stated".to_owned());
            let line = format!("Availability: {words}.");
            let doc = if index == 0 {
                format!(" The payload's `supportedOS`. {line}")
            } else {
                format!(" A `supportedOS` that keys declare, over what they inherit. {line}")
            };
            let entries = availability(set);
            quote! {
                #[doc = #doc]
                const #name: &[Availability] = #entries;
            }
        })
    }
}

/// `pub mod schema { … }` for a module.
pub fn schema_module(module: &Module) -> TokenStream {
    let title = &module.title;
    let sets = AvailabilitySets::collect(module);
    let payload_availability = AvailabilitySets::name(0);
    let root = table_of(module, module.root);
    let tables = module.types.iter().filter_map(|def| match &def.kind {
        TypeKind::Struct(struct_def) => Some(dict_table(module, def, struct_def, &sets)),
        TypeKind::Enum(_) => None,
    });
    let type_constant = quote::format_ident!("{}", module.kind.type_constant());
    let payload = quote! {
        /// The payload.
        pub static PAYLOAD: PayloadSchema = PayloadSchema {
            payload_type: super::#type_constant,
            title: #title,
            availability: #payload_availability,
            root: #root,
        };
    };
    let items = separated(
        [
            quote!(
                use crate::runtime::schema::*;
            ),
            payload,
        ]
        .into_iter()
        .chain(tables)
        .chain(sets.constants()),
    );
    quote! {
        /// This payload's schema as data, for the runtime's validation engine.
        pub mod schema {
            #items
        }
    }
}

fn dict_table(
    module: &Module,
    def: &TypeDef,
    struct_def: &StructDef,
    sets: &AvailabilitySets,
) -> TokenStream {
    let name = table_name(struct_def);
    let rust_name = &def.name;
    let doc = format!(" The keys and rules of [`{0}`](super::{0}).", def.name);
    let keys = struct_def
        .fields
        .iter()
        .map(|field| key_table(module, field, sets));
    let index = key_index(struct_def);
    let rules = struct_def.rules.iter().map(|spec| rule(spec, struct_def));
    quote! {
        #[doc = #doc]
        pub static #name: DictSchema = DictSchema {
            name: #rust_name,
            keys: &[#(#keys),*],
            index: &[#(#index),*],
            rules: &[#(#rules),*],
        };
    }
}

/// The hash index of the struct's keys (`DictSchema::index`).
fn key_index(struct_def: &StructDef) -> Vec<proc_macro2::Literal> {
    let names: Vec<&str> = struct_def
        .fields
        .iter()
        .map(|field| field.key.as_str())
        .collect();
    DictSchema::index_for(&names)
        .into_iter()
        .map(proc_macro2::Literal::usize_unsuffixed)
        .collect()
}

fn key_table(module: &Module, field: &Field, sets: &AvailabilitySets) -> TokenStream {
    let key = &field.key;
    let value = value_table(module, &field.value);
    let availability = sets.reference(&field.declared_availability);
    let constructor = if field.required {
        quote!(KeySchema::required)
    } else {
        quote!(KeySchema::optional)
    };
    let base = quote!(#constructor(#key, #value, #availability));
    let mut extras = Vec::new();
    if field.sensitive {
        extras.push(quote!(sensitive: true));
    }
    if !field.platform_limits.is_empty() {
        let limits = field.platform_limits.iter().map(|limit| {
            let platform = platform(limit.platform);
            let min = option_f64(limit.bounds.min);
            let max = option_f64(limit.bounds.max);
            quote!(PlatformLimit { platform: #platform, min: #min, max: #max })
        });
        extras.push(quote!(platform_limits: &[#(#limits),*]));
    }
    if let Some(types) = &field.references {
        extras.push(quote!(references: Some(&[#(#types),*])));
    }
    if !field.platform_values.is_empty() {
        let entries = field.platform_values.iter().map(|(platform, values)| {
            let platform = self::platform(*platform);
            let values = values.iter().map(literal);
            quote!(PlatformValues { platform: #platform, allowed: &[#(#values),*] })
        });
        extras.push(quote!(platform_values: &[#(#entries),*]));
    }
    if let Some(reason) = &field.tolerated {
        let reason = reason.trim();
        extras.push(quote!(tolerated: Some(#reason)));
    }
    if let Some(contents) = &field.contents {
        let contents = match contents {
            ContentsSpec::Certificate(CertificateForm::Der) => {
                quote!(Contents::Certificate(CertificateForm::Der))
            }
            ContentsSpec::Certificate(CertificateForm::Pem) => {
                quote!(Contents::Certificate(CertificateForm::Pem))
            }
            ContentsSpec::Pkcs12 { password } => {
                let password = option_str(password.as_deref());
                quote!(Contents::Pkcs12 { password: #password })
            }
        };
        extras.push(quote!(contents: Some(#contents)));
    }
    if extras.is_empty() {
        base
    } else {
        quote!(KeySchema { #(#extras,)* ..#base })
    }
}

fn value_table(module: &Module, value: &Value) -> TokenStream {
    let kind = match &value.shape {
        Shape::String | Shape::Enum(_) => quote!(ValueKind::String),
        Shape::Integer => quote!(ValueKind::Integer),
        Shape::Real => quote!(ValueKind::Real),
        Shape::Boolean => quote!(ValueKind::Boolean),
        Shape::IntegerFlag => quote!(ValueKind::IntegerFlag),
        Shape::Date => quote!(ValueKind::Date),
        Shape::Data => quote!(ValueKind::Data),
        Shape::Any => quote!(ValueKind::Any),
        Shape::Payloads => quote!(ValueKind::Payloads),
        Shape::DeclarationType => quote!(ValueKind::String),
        Shape::DeclarationPayload => {
            let by = crate::conventions::DECLARATION_TYPE_KEY;
            quote!(ValueKind::TypedBy(#by))
        }
        Shape::Array(item) => {
            let item = value_table(module, item);
            quote!(ValueKind::Array(&#item))
        }
        Shape::Map(item) => {
            let item = value_table(module, item);
            quote!(ValueKind::Map(&#item))
        }
        Shape::Struct(id) => {
            let table = table_of(module, *id);
            quote!(ValueKind::Dict(#table))
        }
    };
    let constraints = &value.constraints;
    let mut settings = Vec::new();
    if !constraints.allowed.is_empty() {
        let allowed = constraints.allowed.iter().map(literal);
        settings.push(quote!(allowed: &[#(#allowed),*]));
    }
    if let Some(bounds) = constraints.bounds {
        if let Some(min) = bounds.min {
            let min = real(min);
            settings.push(quote!(min: Some(#min)));
        }
        if let Some(max) = bounds.max {
            let max = real(max);
            settings.push(quote!(max: Some(#max)));
        }
    }
    if let Some(repetition) = constraints.repetition {
        let min = proc_macro2::Literal::u64_unsuffixed(repetition.min.max(0) as u64);
        let max = proc_macro2::Literal::u64_unsuffixed(repetition.max.max(0) as u64);
        settings.push(quote!(min_items: Some(#min)));
        settings.push(quote!(max_items: Some(#max)));
    }
    if let Some(pattern) = &constraints.pattern {
        let pattern = &pattern.portable;
        settings.push(quote!(pattern: Some(#pattern)));
    }
    if let Some(format) = constraints.format {
        let format = format_variant(format);
        settings.push(quote!(format: Some(Format::#format)));
    }
    if !constraints.retired.is_empty() {
        let retired = constraints.retired.iter().map(|retired| {
            let value = literal(&retired.value);
            let removed = retired.removed.iter().map(|(platform, version)| {
                let platform = self::platform(*platform);
                quote!(Availability { removed: Some(#version), ..Availability::unstated(#platform) })
            });
            quote!(RetiredValue { value: #value, removed: &[#(#removed),*] })
        });
        settings.push(quote!(retired: &[#(#retired),*]));
    }
    if settings.is_empty() {
        quote!(ValueSchema::of(#kind))
    } else {
        quote!(ValueSchema { #(#settings,)* ..ValueSchema::of(#kind) })
    }
}

fn format_variant(format: Format) -> Ident {
    let name = match format {
        Format::Uuid => "Uuid",
        Format::Hostname => "Hostname",
        Format::Url => "Url",
        Format::Email => "Email",
        Format::Domain => "Domain",
        Format::Timestamp => "Timestamp",
        Format::IpAddress => "IpAddress",
        Format::BundleIdentifier => "BundleIdentifier",
    };
    Ident::new(name, Span::call_site())
}

fn platform(platform: Platform) -> TokenStream {
    match platform {
        Platform::IOs => quote!(Platform::IOs),
        Platform::MacOs => quote!(Platform::MacOs),
        Platform::TvOs => quote!(Platform::TvOs),
        Platform::VisionOs => quote!(Platform::VisionOs),
        Platform::WatchOs => quote!(Platform::WatchOs),
    }
}

fn option_str(value: Option<&str>) -> TokenStream {
    match value {
        Some(text) => quote!(Some(#text)),
        None => quote!(None),
    }
}

fn option_f64(value: Option<f64>) -> TokenStream {
    match value {
        Some(number) => {
            let number = real(number);
            quote!(Some(#number))
        }
        None => quote!(None),
    }
}

fn availability(availability: &[Availability]) -> TokenStream {
    let entries = availability.iter().map(|entry| {
        let platform = platform(entry.platform);
        let base = match &entry.introduced {
            Introduced::NotAvailable => quote!(Availability::unavailable(#platform)),
            Introduced::Since(version) => quote!(Availability::since(#platform, #version)),
            Introduced::Unstated => quote!(Availability::unstated(#platform)),
        };
        if entry.deprecated.is_none() && entry.removed.is_none() {
            return base;
        }
        let deprecated = option_str(entry.deprecated.as_deref());
        let removed = option_str(entry.removed.as_deref());
        quote! {
            Availability {
                deprecated: #deprecated,
                removed: #removed,
                ..#base
            }
        }
    });
    quote!(&[#(#entries),*])
}

/// A number as a plain literal (`20`, `2.5`), not `20i64`.
fn int(value: i64) -> proc_macro2::Literal {
    proc_macro2::Literal::i64_unsuffixed(value)
}

fn real(value: f64) -> proc_macro2::Literal {
    proc_macro2::Literal::f64_unsuffixed(value)
}

fn literal(scalar: &Scalar) -> TokenStream {
    match scalar {
        Scalar::String(text) => quote!(Literal::Str(#text)),
        Scalar::Integer(value) => {
            let value = int(*value);
            quote!(Literal::Int(#value))
        }
        Scalar::Real(value) => {
            let value = real(*value);
            quote!(Literal::Real(#value))
        }
        Scalar::Boolean(value) => quote!(Literal::Bool(#value)),
        Scalar::Null => quote!(Literal::Str("")),
    }
}

fn path(keys: &[String]) -> TokenStream {
    quote!(&[#(#keys),*])
}

/// A key path a rule reads, with the position of its first key among the
/// struct's fields (the bound rule names only keys of its dictionary; the
/// runtime checks the name at the position either way).
fn key_path(keys: &[String], owner: &StructDef) -> TokenStream {
    let position = keys
        .first()
        .and_then(|first| owner.fields.iter().position(|field| field.key == *first))
        .unwrap_or_default();
    let position = proc_macro2::Literal::usize_unsuffixed(position);
    let keys = path(keys);
    quote!(KeyPath::new(#position, #keys))
}

/// A compared key path, with its documented default.
fn operand(keys: &[String], rule: &Rule, owner: &StructDef) -> TokenStream {
    let default = rule.defaults.get(keys);
    let keys = key_path(keys, owner);
    match default {
        Some(default) => {
            let default = literal(default);
            quote!(Operand { path: #keys, default: Some(#default) })
        }
        None => quote!(Operand::at(#keys)),
    }
}

fn rule(rule: &Rule, owner: &StructDef) -> TokenStream {
    let code = &rule.code;
    let severity = match rule.severity {
        Severity::Info => quote!(Severity::Info),
        Severity::Error => quote!(Severity::Error),
        Severity::Warning => quote!(Severity::Warning),
    };
    let when = match &rule.when {
        Some(condition) => {
            let condition = self::condition(condition, rule, owner);
            quote!(Some(#condition))
        }
        None => quote!(None),
    };
    let check = condition(&rule.check, rule, owner);
    let message = &rule.message;
    let at = path(&rule.at);
    quote! {
        Rule {
            code: #code,
            severity: #severity,
            when: #when,
            check: #check,
            message: #message,
            at: #at,
        }
    }
}

fn condition(condition: &ConditionSpec, rule: &Rule, owner: &StructDef) -> TokenStream {
    match condition {
        ConditionSpec::Present(keys) => {
            let keys = key_path(keys, owner);
            quote!(Condition::Present(#keys))
        }
        ConditionSpec::Absent(keys) => {
            let keys = key_path(keys, owner);
            quote!(Condition::Absent(#keys))
        }
        ConditionSpec::Equals(keys, value) => {
            let keys = operand(keys, rule, owner);
            let value = literal(value);
            quote!(Condition::Equals(#keys, #value))
        }
        ConditionSpec::OneOf(keys, values) => {
            let keys = operand(keys, rule, owner);
            let values = values.iter().map(literal);
            quote!(Condition::OneOf(#keys, &[#(#values),*]))
        }
        ConditionSpec::NoneOf(keys, values) => {
            let keys = operand(keys, rule, owner);
            let values = values.iter().map(literal);
            quote!(Condition::NoneOf(#keys, &[#(#values),*]))
        }
        ConditionSpec::AtLeast(keys, bound) => {
            let keys = operand(keys, rule, owner);
            let bound = real(*bound);
            quote!(Condition::AtLeast(#keys, #bound))
        }
        ConditionSpec::AtMost(keys, bound) => {
            let keys = operand(keys, rule, owner);
            let bound = real(*bound);
            quote!(Condition::AtMost(#keys, #bound))
        }
        ConditionSpec::RanksAtMost {
            lower,
            upper,
            ranking,
        } => {
            let lower = operand(lower, rule, owner);
            let upper = operand(upper, rule, owner);
            let groups = rule
                .rankings
                .get(ranking)
                .map(Vec::as_slice)
                .unwrap_or_default()
                .iter()
                .map(|group| quote!(&[#(#group),*]));
            quote!(Condition::RanksAtMost {
                lower: #lower,
                upper: #upper,
                ranking: &[#(#groups),*],
            })
        }
        ConditionSpec::All(conditions) => {
            let conditions = conditions
                .iter()
                .map(|inner| self::condition(inner, rule, owner));
            quote!(Condition::All(&[#(#conditions),*]))
        }
        ConditionSpec::Any(conditions) => {
            let conditions = conditions
                .iter()
                .map(|inner| self::condition(inner, rule, owner));
            quote!(Condition::Any(&[#(#conditions),*]))
        }
        ConditionSpec::Not(inner) => {
            let inner = self::condition(inner, rule, owner);
            quote!(Condition::Not(&#inner))
        }
    }
}
