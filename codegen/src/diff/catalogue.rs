//! What a compiled schema promises, flattened for comparison: each payload
//! by its type, each key by its path, each rule by its code, with the facts
//! a change log reports and the Rust names downstream code spells.

use std::collections::{BTreeMap, BTreeSet};

use crate::emit::facts::{bounds_words, items_words, literal};
use crate::ir::{
    Availability, Field, Ir, Module, ModuleKind, Platform, Shape, TypeId, TypeKind, Value,
};
use mobileconfig_runtime::availability::Introduced;

/// A payload as both sides name it: what it is and its type.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
pub struct PayloadId {
    /// "payload", "declaration", "profile", or "common payload keys".
    pub kind: String,
    /// `PayloadType`, a declaration's type, or the envelope's name.
    pub name: String,
}

impl std::fmt::Display for PayloadId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} `{}`", self.kind, self.name)
    }
}

/// The name the keys every payload shares are reported under, once.
pub const COMMON_KEYS: &str = "CommonPayloadKeys";

/// One payload's promises.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PayloadFacts {
    /// The Rust module.
    pub module: String,
    /// `supportedOS`, in words, per platform.
    pub availability: BTreeMap<String, String>,
    /// By key path from the payload's dictionary (`IKEv2.MTU`).
    pub keys: BTreeMap<String, KeyFacts>,
    pub rules: BTreeMap<String, RuleFacts>,
}

/// One key's promises.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct KeyFacts {
    /// The Rust field name.
    pub field: String,
    /// The value's Rust-facing shape without type names: `string`,
    /// `integer`, `array of dictionary`. A change here changes the field's
    /// type.
    pub shape: String,
    /// The generated struct or enum the value holds (through arrays and
    /// maps), if any.
    pub type_name: Option<String>,
    pub required: bool,
    /// The allowed values, as written.
    pub values: Vec<String>,
    /// For a generated enum: its variant for each value.
    pub variants: BTreeMap<String, String>,
    pub range: Option<String>,
    pub default: Option<String>,
    pub items: Option<String>,
    /// `format`, or the pattern a string matches.
    pub format: Option<String>,
    /// The key's own `supportedOS`, in words, per platform.
    pub availability: BTreeMap<String, String>,
}

/// One cross-field rule.
#[derive(Debug, Clone, PartialEq)]
pub struct RuleFacts {
    /// The dictionary it applies to (empty: the payload's).
    pub at: String,
    pub severity: String,
    pub message: String,
    /// What it tests, in a form two sides compare.
    pub logic: String,
}

/// Every payload of a compiled schema.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Catalogue {
    pub payloads: BTreeMap<PayloadId, PayloadFacts>,
}

impl Catalogue {
    pub fn of(ir: &Ir) -> Catalogue {
        let mut payloads = BTreeMap::new();
        for module in &ir.modules {
            let kind = match module.kind {
                ModuleKind::Payload => "payload",
                ModuleKind::Declaration => "declaration",
                ModuleKind::Profile | ModuleKind::DeclarationEnvelope => "envelope",
            };
            let mut id = PayloadId {
                kind: kind.to_owned(),
                name: module.payload_type.clone(),
            };
            if payloads.contains_key(&id) {
                // Two files of one type that stay apart: the later one by
                // its file's name.
                id.name = format!("{} ({})", module.payload_type, module.stem);
            }
            let include_common = module.kind != ModuleKind::Payload;
            payloads.insert(id, payload_facts(module, include_common));
        }
        // The common keys, once, from the first payload that has them.
        if let Some(module) = ir.payloads().find(|module| {
            module
                .struct_at(&[])
                .is_some_and(|def| def.fields.iter().any(|field| field.common))
        }) {
            let mut facts = PayloadFacts {
                module: String::new(),
                ..PayloadFacts::default()
            };
            if let Some(def) = module.struct_at(&[]) {
                for field in def.fields.iter().filter(|field| field.common) {
                    facts
                        .keys
                        .insert(field.key.clone(), key_facts(module, field));
                }
            }
            payloads.insert(
                PayloadId {
                    kind: "keys of every payload".to_owned(),
                    name: COMMON_KEYS.to_owned(),
                },
                facts,
            );
        }
        Catalogue { payloads }
    }
}

fn payload_facts(module: &Module, include_common: bool) -> PayloadFacts {
    // A payload's `supportedOS` lists the platforms it supports: one it
    // leaves out is one it is not available on (a key's, by contrast,
    // inherits).
    let mut availability = availability_by_platform(&module.availability);
    if !availability.is_empty() {
        for platform in Platform::ALL {
            availability
                .entry(platform.name().to_owned())
                .or_insert_with(|| NOT_AVAILABLE.to_owned());
        }
    }
    let mut facts = PayloadFacts {
        module: module.name.clone(),
        availability,
        ..PayloadFacts::default()
    };
    let mut stack = vec![module.root];
    walk(
        module,
        module.root,
        "",
        include_common,
        &mut stack,
        &mut facts,
    );
    facts
}

/// Records the keys and rules of the struct `id`, reached at `prefix`, and
/// of every struct below it; `stack` holds the structs on the way, so a
/// dictionary that contains itself is walked once.
fn walk(
    module: &Module,
    id: TypeId,
    prefix: &str,
    include_common: bool,
    stack: &mut Vec<TypeId>,
    facts: &mut PayloadFacts,
) {
    let TypeKind::Struct(def) = &module.get(id).kind else {
        return;
    };
    for rule in &def.rules {
        facts.rules.insert(
            rule.code.clone(),
            RuleFacts {
                at: prefix.to_owned(),
                severity: rule.severity.name().to_owned(),
                message: rule.message.clone(),
                logic: format!("{:?} {:?} {:?}", rule.when, rule.check, rule.at),
            },
        );
    }
    for field in &def.fields {
        if field.common && !include_common {
            continue;
        }
        let path = if prefix.is_empty() {
            field.key.clone()
        } else {
            format!("{prefix}.{}", field.key)
        };
        facts.keys.insert(path.clone(), key_facts(module, field));
        if let Some(inner) = field.value.innermost_type()
            && !stack.contains(&inner)
        {
            stack.push(inner);
            walk(module, inner, &path, include_common, stack, facts);
            stack.pop();
        }
    }
}

fn key_facts(module: &Module, field: &Field) -> KeyFacts {
    let value = &field.value;
    let innermost = innermost(value);
    let type_name = value.innermost_type().map(|id| module.get(id).name.clone());
    let mut variants = BTreeMap::new();
    let mut values: Vec<String> = innermost
        .constraints
        .allowed
        .iter()
        .map(ToString::to_string)
        .collect();
    if let Shape::Enum(id) = innermost.shape
        && let TypeKind::Enum(def) = &module.get(id).kind
    {
        values = def
            .variants
            .iter()
            .map(|variant| variant.value.clone())
            .collect();
        variants = def
            .variants
            .iter()
            .map(|variant| (variant.value.clone(), variant.name.clone()))
            .collect();
    }
    let constraints = &value.constraints;
    let range = innermost
        .constraints
        .bounds
        .filter(|bounds| bounds.min.is_some() || bounds.max.is_some())
        .map(|bounds| bounds_words(bounds.min, bounds.max));
    let format = innermost
        .constraints
        .pattern
        .as_ref()
        .map(|pattern| format!("the pattern {}", pattern.written))
        .or_else(|| {
            innermost
                .constraints
                .format
                .map(|format| format.description().to_owned())
        });
    KeyFacts {
        field: field.name.clone(),
        shape: shape_words(&value.shape),
        type_name,
        required: field.required,
        values,
        variants,
        range,
        default: constraints
            .default
            .as_ref()
            .or(innermost.constraints.default.as_ref())
            .map(literal),
        items: constraints.repetition.map(items_words),
        format,
        availability: availability_by_platform(&field.declared_availability),
    }
}

/// The value inside arrays and maps.
fn innermost(value: &Value) -> &Value {
    match &value.shape {
        Shape::Array(item) | Shape::Map(item) => innermost(item),
        _ => value,
    }
}

/// A shape in words, as the generated field's type has it, without names.
fn shape_words(shape: &Shape) -> String {
    match shape {
        Shape::String => "string".to_owned(),
        Shape::Integer => "integer".to_owned(),
        Shape::Real => "real".to_owned(),
        Shape::Boolean => "boolean".to_owned(),
        Shape::IntegerFlag => "0 or 1 (a bool)".to_owned(),
        Shape::Date => "date".to_owned(),
        Shape::Data => "data".to_owned(),
        Shape::Any => "any value".to_owned(),
        Shape::Map(item) => format!("dictionary of {}", shape_words(&item.shape)),
        Shape::Array(item) => format!("array of {}", shape_words(&item.shape)),
        Shape::Struct(_) => "dictionary".to_owned(),
        Shape::Enum(_) => "string from a list (enum)".to_owned(),
        Shape::Payloads => "payloads".to_owned(),
        Shape::DeclarationType => "declaration type".to_owned(),
        Shape::DeclarationPayload => "declaration payload".to_owned(),
    }
}

const NOT_AVAILABLE: &str = "not available";

/// `supportedOS` per platform, in words: `14.0+`, `14.0+, deprecated in
/// 17.0`, `not available`.
fn availability_by_platform(availability: &[Availability]) -> BTreeMap<String, String> {
    availability
        .iter()
        .map(|entry| {
            let mut words = match &entry.introduced {
                Introduced::NotAvailable => NOT_AVAILABLE.to_owned(),
                Introduced::Since(version) => format!("{version}+"),
                Introduced::Unstated => "available".to_owned(),
            };
            if let Some(deprecated) = &entry.deprecated {
                words.push_str(&format!(", deprecated in {deprecated}"));
            }
            if let Some(removed) = &entry.removed {
                words.push_str(&format!(", removed in {removed}"));
            }
            (entry.platform.name().to_owned(), words)
        })
        .collect()
}

/// The keys of both sides, in order.
pub fn union<'a, V>(
    old: &'a BTreeMap<String, V>,
    new: &'a BTreeMap<String, V>,
) -> BTreeSet<&'a String> {
    old.keys().chain(new.keys()).collect()
}
