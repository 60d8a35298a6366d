//! The resolved model every emitter reads: one module per payload, each with
//! its types in a small arena, names decided, `supportedOS` inherited, overlay
//! facts attached. Everything is ordered (schema order for keys and values,
//! sorted for modules), so emitting it twice gives the same bytes.

use std::collections::BTreeMap;

use crate::model::{
    ConditionSpec, Os, OsSupport, Range, Repetition, RuleSeverity, Scalar, ValueFormat,
};

/// The whole schema, lowered.
#[derive(Debug, Clone, PartialEq)]
pub struct Ir {
    /// Sorted by module name; the profile envelope (if any) among them.
    pub modules: Vec<Module>,
}

impl Ir {
    /// The module of the profile envelope (`TopLevel`), if the schema has one.
    pub fn profile(&self) -> Option<&Module> {
        self.modules
            .iter()
            .find(|module| module.kind == ModuleKind::Profile)
    }

    pub fn payloads(&self) -> impl Iterator<Item = &Module> {
        self.modules
            .iter()
            .filter(|module| module.kind == ModuleKind::Payload)
    }

    /// Every schema file the IR was built from, sorted.
    pub fn source_files(&self) -> Vec<&str> {
        let mut files: Vec<&str> = self
            .modules
            .iter()
            .flat_map(|module| module.source_files.iter().map(String::as_str))
            .collect();
        files.sort_unstable();
        files.dedup();
        files
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ModuleKind {
    /// A payload, decoded from `PayloadContent` by its `PayloadType`.
    Payload,
    /// The profile envelope (Apple's `TopLevel`).
    Profile,
}

/// One payload (or the profile envelope) and the types it defines.
#[derive(Debug, Clone, PartialEq)]
pub struct Module {
    /// The Rust module name (`vpn_managed`).
    pub name: String,
    pub kind: ModuleKind,
    pub payload_type: String,
    /// Whether `PayloadContent` entries of `payload_type` decode into this
    /// module's root type. False for the second and later files that share a
    /// payload type (Apple splits `com.apple.MCX` over several files).
    pub dispatched: bool,
    pub title: String,
    pub description: Option<String>,
    /// The Apple-format file and overlay this module comes from.
    pub source_files: Vec<String>,
    pub supported_os: Availability,
    /// The type of the payload dictionary itself.
    pub root: TypeId,
    /// Types in order of first use from the root.
    pub types: Vec<TypeDef>,
}

impl Module {
    pub fn get(&self, id: TypeId) -> &TypeDef {
        &self.types[id.0]
    }

    pub fn root_type(&self) -> &TypeDef {
        self.get(self.root)
    }
}

/// Index of a type in its module's [`Module::types`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TypeId(pub usize);

#[derive(Debug, Clone, PartialEq)]
pub struct TypeDef {
    /// The Rust type name.
    pub name: String,
    /// The key path it was first reached at (payload type first).
    pub origin: Vec<String>,
    /// The other key paths that reach it (a shape Apple shares).
    pub also_at: Vec<Vec<String>>,
    /// Whether its keys inherit a different `supportedOS` on different paths
    /// (a shared dictionary under keys of different availability): then
    /// documentation shows each key's own `supportedOS`, not one inherited
    /// through the first path.
    pub availability_by_path: bool,
    /// Apple's `subkeytype`, when the schema names the shape.
    pub subkeytype: Option<String>,
    pub docs: Docs,
    pub kind: TypeKind,
}

#[derive(Debug, Clone, PartialEq)]
pub enum TypeKind {
    /// A dictionary with known keys.
    Struct(StructDef),
    /// A string with a list of allowed values.
    Enum(EnumDef),
}

#[derive(Debug, Clone, PartialEq)]
pub struct StructDef {
    pub fields: Vec<Field>,
    /// Cross-field rules over this dictionary's keys, from the overlay.
    pub rules: Vec<Rule>,
}

/// A cross-field rule: where `when` holds, `check` must.
#[derive(Debug, Clone, PartialEq)]
pub struct Rule {
    pub code: String,
    pub severity: RuleSeverity,
    pub when: Option<ConditionSpec>,
    pub check: ConditionSpec,
    pub message: String,
    /// The key a finding points at, relative to the dictionary.
    pub at: Vec<String>,
    /// The rankings the conditions use, by name.
    pub rankings: BTreeMap<String, Vec<Vec<String>>>,
}

/// A bound that holds on one platform only.
#[derive(Debug, Clone, PartialEq)]
pub struct PlatformLimit {
    pub os: Os,
    pub min: Option<f64>,
    pub max: Option<f64>,
}

impl StructDef {
    pub fn required_fields(&self) -> impl Iterator<Item = &Field> {
        self.fields.iter().filter(|field| field.required)
    }
}

/// One key of a dictionary.
#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    /// The plist key, exactly.
    pub key: String,
    /// The Rust field name.
    pub name: String,
    pub required: bool,
    pub value: Value,
    pub docs: Docs,
    /// `supportedOS` in force for the key: inherited from its payload and
    /// enclosing keys (through the first path that reaches a shared
    /// dictionary), overridden by its own. For documentation.
    pub availability: Availability,
    /// The key's own `supportedOS`, as written. The validators inherit it at
    /// run time along the path they walk, so a shared dictionary is right on
    /// every path.
    pub declared_availability: Availability,
    /// The value must never be shown (overlay `sensitive`).
    pub sensitive: bool,
    /// The field's type refers back to its own struct without a collection
    /// in between, so it needs a `Box`.
    pub boxed: bool,
    /// The key comes from `CommonPayloadKeys`.
    pub common: bool,
    pub platform_limits: Vec<PlatformLimit>,
    /// The value is the `PayloadUUID` of a payload of this profile whose
    /// type starts with this prefix.
    pub references: Option<String>,
}

/// What a value position (a field, an array item, a map value) holds, and
/// the schema's constraints on it.
#[derive(Debug, Clone, PartialEq)]
pub struct Value {
    pub shape: Shape,
    pub constraints: Constraints,
}

impl Value {
    /// A value of `shape` with no constraints.
    pub fn of(shape: Shape) -> Self {
        Value {
            shape,
            constraints: Constraints::default(),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Shape {
    String,
    Integer,
    Real,
    Boolean,
    /// An `<integer>` whose values are 0 and 1: a `bool` written as 0 or 1.
    IntegerFlag,
    Date,
    Data,
    /// `<any>`, or a dictionary without named keys.
    Any,
    /// A `<dictionary>` that allows any keys (`ANY`), with values of one shape.
    Map(Box<Value>),
    Array(Box<Value>),
    Struct(TypeId),
    Enum(TypeId),
    /// The profile's `PayloadContent`: payloads decoded by their type.
    Payloads,
}

/// What the schema says a value may be, beyond its shape.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Constraints {
    /// `rangelist`, for values not turned into an enum (numbers).
    pub allowed: Vec<Scalar>,
    pub range: Option<Range>,
    pub default: Option<Scalar>,
    /// `format`: a regular expression.
    pub pattern: Option<String>,
    pub repetition: Option<Repetition>,
    pub format: Option<ValueFormat>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct EnumDef {
    pub variants: Vec<Variant>,
    /// The name of the catch-all variant that keeps values newer than the
    /// schema.
    pub other: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Variant {
    /// The Rust variant name.
    pub name: String,
    /// The plist string.
    pub value: String,
}

/// Documentation carried from the schema to every rendering.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Docs {
    pub title: Option<String>,
    pub description: Option<String>,
}

/// `supportedOS` after inheritance, for each OS the schema mentions.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Availability(pub Vec<(Os, OsSupport)>);
