//! The resolved model every emitter reads: one module per payload, each with
//! its types in a small arena, every identifier decided, `supportedOS`
//! inherited, overlay facts attached, and every fact normalised once (a
//! pattern in its portable form, bounds as numbers, the allowed values of
//! any shape in one list, the availability worth showing). Everything is
//! ordered (schema order for keys and values, sorted for modules), so
//! emitting it twice gives the same bytes.

use std::collections::BTreeMap;

pub use crate::schema::Platform;
pub use crate::schema::{
    Availability, Bounds, CertificateForm, ConditionSpec, ContentsSpec, Format, Repetition,
    RetiredSpec, Scalar, Severity, UncheckedSpec,
};
pub use crate::types::TypeId;

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

    /// The module of the declaration envelope (`DeclarationBase`), if any.
    pub fn declaration_envelope(&self) -> Option<&Module> {
        self.modules
            .iter()
            .find(|module| module.kind == ModuleKind::DeclarationEnvelope)
    }

    pub fn declarations(&self) -> impl Iterator<Item = &Module> {
        self.modules
            .iter()
            .filter(|module| module.kind == ModuleKind::Declaration)
    }

    /// The module with this Rust name.
    pub fn module(&self, name: &str) -> Option<&Module> {
        self.modules.iter().find(|module| module.name == name)
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
    /// A declaration's payload, named by its `declarationtype`.
    Declaration,
    /// The declaration envelope (Apple's `DeclarationBase`).
    DeclarationEnvelope,
}

impl ModuleKind {
    /// What one of the module's dictionaries is, in prose: "payload",
    /// "profile", "declaration".
    pub fn noun(self) -> &'static str {
        match self {
            ModuleKind::Payload => "payload",
            ModuleKind::Profile => "profile",
            ModuleKind::Declaration | ModuleKind::DeclarationEnvelope => "declaration",
        }
    }

    /// The name of the constant that holds the module's type
    /// (`PAYLOAD_TYPE`, `DECLARATION_TYPE`).
    pub fn type_constant(self) -> &'static str {
        match self {
            ModuleKind::Payload | ModuleKind::Profile => "PAYLOAD_TYPE",
            ModuleKind::Declaration | ModuleKind::DeclarationEnvelope => "DECLARATION_TYPE",
        }
    }
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
    /// The variant of `Payload` that holds this module's payloads.
    pub payload_variant: String,
    pub title: String,
    pub description: Option<String>,
    /// The Apple-format file first, then the overlays and common keys it
    /// takes facts from.
    pub source_files: Vec<String>,
    /// What its reference page and JSON Schema are named after: the
    /// Apple-format file's name without `.yaml`, or a declaration's type.
    pub stem: String,
    /// The payload's `supportedOS`.
    pub availability: Vec<Availability>,
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

    /// The dictionary (struct) the value at a key path holds, through arrays
    /// and maps; the payload's own for an empty path.
    pub fn struct_at(&self, path: &[&str]) -> Option<&StructDef> {
        let id = match path {
            [] => self.root,
            _ => self.field_at(path)?.value.innermost_type()?,
        };
        match &self.get(id).kind {
            TypeKind::Struct(def) => Some(def),
            TypeKind::Enum(_) => None,
        }
    }

    /// The field at a key path from the payload's dictionary, through
    /// dictionaries and the elements of arrays and maps:
    /// `["IKEv2", "OnDemandRules", "Action"]`.
    pub fn field_at(&self, path: &[&str]) -> Option<&Field> {
        let (first, rest) = path.split_first()?;
        let mut field = self.root_type().field(first)?;
        for key in rest {
            let TypeKind::Struct(def) = &self.get(field.value.innermost_type()?).kind else {
                return None;
            };
            field = def.fields.iter().find(|field| field.key == *key)?;
        }
        Some(field)
    }
}

/// One generated type: a struct or an enum.
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
    /// The availability its keys inherit, when it says more than the
    /// payload's (a dictionary only some platforms support); shown on the
    /// type, so its keys need not repeat it.
    pub shown_availability: Option<Vec<Availability>>,
    /// Apple's `subkeytype`, when the schema names the shape.
    pub subkeytype: Option<String>,
    pub docs: Docs,
    pub kind: TypeKind,
}

impl TypeDef {
    /// The field for a plist key, if this is a struct that has it.
    pub fn field(&self, key: &str) -> Option<&Field> {
        match &self.kind {
            TypeKind::Struct(def) => def.fields.iter().find(|field| field.key == key),
            TypeKind::Enum(_) => None,
        }
    }
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
    /// The name of its schema table.
    pub table: String,
    /// The type the constructor takes the required keys in, when there are
    /// required keys to give.
    pub required: Option<String>,
    pub fields: Vec<Field>,
    /// Cross-field rules over this dictionary's keys, from the overlay.
    pub rules: Vec<Rule>,
}

impl StructDef {
    pub fn required_fields(&self) -> impl Iterator<Item = &Field> {
        self.fields.iter().filter(|field| field.required)
    }

    /// The required keys the constructor takes: required, not fixed, not
    /// held by another field (see `types::constructor_takes`).
    pub fn parameters(&self) -> impl Iterator<Item = &Field> {
        self.fields
            .iter()
            .filter(|field| field.required && field.fixed.is_none() && !field.is_held_elsewhere())
    }

    /// The fields the struct stores: all but a key another field holds.
    pub fn stored_fields(&self) -> impl Iterator<Item = &Field> {
        self.fields
            .iter()
            .filter(|field| !field.is_held_elsewhere())
    }
}

/// A cross-field rule: where `when` holds, `check` must.
#[derive(Debug, Clone, PartialEq)]
pub struct Rule {
    pub code: String,
    pub severity: Severity,
    pub when: Option<ConditionSpec>,
    pub check: ConditionSpec,
    pub message: String,
    /// The key a finding points at, relative to the dictionary.
    pub at: Vec<String>,
    /// The rankings the conditions use, by name.
    pub rankings: BTreeMap<String, Vec<Vec<String>>>,
    /// Apple's documented default of each compared key that has one: what
    /// a comparison reads where the key is absent.
    pub defaults: BTreeMap<Vec<String>, Scalar>,
}

/// A bound that holds on one platform only.
#[derive(Debug, Clone, PartialEq)]
pub struct PlatformLimit {
    pub platform: Platform,
    pub bounds: Bounds,
}

/// One key of a dictionary.
#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    /// The plist key, exactly.
    pub key: String,
    /// The Rust field name.
    pub name: String,
    pub required: bool,
    /// The only value a required key can have: the constructor sets it, and
    /// the generated API reads it through a method rather than a public
    /// field.
    pub fixed: Option<Scalar>,
    pub value: Value,
    pub docs: Docs,
    /// `supportedOS` in force for the key: inherited from its payload and
    /// enclosing keys (through the first path that reaches a shared
    /// dictionary), overridden by its own.
    pub availability: Vec<Availability>,
    /// The key's own `supportedOS`, as written. The validators inherit it at
    /// run time along the path they walk, so a shared dictionary is right on
    /// every path.
    pub declared_availability: Vec<Availability>,
    /// The availability every rendering shows for the key, if any.
    pub shown_availability: Option<ShownAvailability>,
    /// The value must never be shown (overlay `sensitive`).
    pub sensitive: bool,
    /// The field's type refers back to its own struct without a collection
    /// in between, so it needs a `Box`.
    pub boxed: bool,
    /// The key comes from `CommonPayloadKeys`.
    pub common: bool,
    pub platform_limits: Vec<PlatformLimit>,
    /// The value is the `PayloadUUID` of a payload of this profile of one
    /// of these types.
    pub references: Option<Vec<String>>,
    /// What the key's `<data>` holds, for the validators to read.
    pub contents: Option<ContentsSpec>,
    /// Why devices accept the key missing or outside its `rangelist`
    /// (overlay `tolerated`): such findings are warnings.
    pub tolerated: Option<String>,
    /// The only values one platform accepts (overlay `platform_values`).
    pub platform_values: Vec<(Platform, Vec<Scalar>)>,
}

impl Field {
    /// A key whose value another field holds (a declaration's `Type`, which
    /// its payload says): it has no field of its own.
    pub fn is_held_elsewhere(&self) -> bool {
        self.value.shape == Shape::DeclarationType
    }

    /// Whether the field may be absent from a dictionary as read, and so
    /// holds an `Option`: every key, required ones too, since real profiles
    /// leave required keys out and must still read (the validators report
    /// each missing key); the constructor takes the required ones. The
    /// exception is a declaration's payload, which its reading dispatches on.
    pub fn may_be_absent(&self) -> bool {
        self.value.shape != Shape::DeclarationPayload
    }
}

/// The availability a key's documentation shows: only what a reader cannot
/// take from the payload's.
#[derive(Debug, Clone, PartialEq)]
pub enum ShownAvailability {
    /// What is in force for the key, where it differs from the payload's.
    InForce(Vec<Availability>),
    /// What the key states itself, in a dictionary whose keys inherit
    /// different availability on different paths.
    Own(Vec<Availability>),
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

    /// The struct or enum the value holds, through arrays and maps.
    pub fn innermost_type(&self) -> Option<TypeId> {
        match &self.shape {
            Shape::Struct(id) | Shape::Enum(id) => Some(*id),
            Shape::Array(item) | Shape::Map(item) => item.innermost_type(),
            _ => None,
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
    /// The declaration envelope's `Type`: the type its payload has, so held
    /// by the payload, not by a field.
    DeclarationType,
    /// The declaration envelope's `Payload`: decoded by the `Type`.
    DeclarationPayload,
}

/// What the schema says a value may be, beyond its shape.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Constraints {
    /// `rangelist`: the allowed values, whatever the shape (an enum's
    /// strings, numbers); a flag's 0 and 1 are its shape's.
    pub allowed: Vec<Scalar>,
    /// `range`, as numbers.
    pub bounds: Option<Bounds>,
    pub default: Option<Scalar>,
    /// `format`: a regular expression the whole string matches.
    pub pattern: Option<Pattern>,
    /// How many items an array holds.
    pub repetition: Option<Repetition>,
    /// What a string holds (a UUID, a URL…).
    pub format: Option<Format>,
    /// Values Apple retired from the `rangelist`.
    pub retired: Vec<RetiredSpec>,
}

/// A `format` pattern, as written and in the form both the validators and
/// JSON Schema read alike.
#[derive(Debug, Clone, PartialEq)]
pub struct Pattern {
    pub written: String,
    pub portable: String,
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
    /// The project's words (or Apple's, generating from Apple's checkout).
    pub description: Option<String>,
    /// With no description: the key path where Apple's documentation
    /// describes the key (payload type first).
    pub described_elsewhere: Option<Vec<String>>,
    /// What the documentation says that no profile check can verify.
    pub unchecked: Vec<UncheckedSpec>,
}
