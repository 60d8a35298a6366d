//! The schema as written: Apple-format files and the project's overlays, read
//! but not yet bound, checked or resolved. `load` produces it; every later
//! stage reads it.
//!
//! Platforms, availability, string formats and severities are the runtime's
//! types: the generator and the validators share one definition of each.

use std::collections::BTreeMap;
use std::fmt;

pub use mobileconfig_runtime::availability::{Introduced, Platform};
pub use mobileconfig_runtime::format::Format;
pub use mobileconfig_runtime::schema::{CertificateForm, Severity};

/// `supportedOS` as the schema states it or as inherited: one entry per
/// platform named, in platform order, versions as written.
pub type Availability = mobileconfig_runtime::availability::Availability<String>;

/// A list of payload keys, named by where it was read from, so a list shared
/// through a YAML anchor and alias has one id and a recursive list refers to
/// itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct KeyListId(pub usize);

/// Every file of a schema, read but not yet checked.
#[derive(Debug, Clone, PartialEq)]
pub struct Schema {
    /// Apple-format files, sorted by name.
    pub files: Vec<SchemaFile>,
    /// Overlays, sorted by name.
    pub overlays: Vec<Overlay>,
}

/// A value with the line it was read from.
#[derive(Debug, Clone, PartialEq)]
pub struct Spanned<T> {
    pub value: T,
    pub line: usize,
}

impl<T> Spanned<T> {
    pub fn new(value: T, line: usize) -> Self {
        Spanned { value, line }
    }
}

/// The values of a list read with their lines, without the lines: what two
/// lists are compared by.
pub fn values_of<T>(list: &[Spanned<T>]) -> Vec<&T> {
    list.iter().map(|item| &item.value).collect()
}

/// One Apple-format file.
#[derive(Debug, Clone, PartialEq)]
pub struct SchemaFile {
    /// File name relative to the schema folder.
    pub path: String,
    pub title: String,
    pub description: Option<String>,
    /// `payloadtype`, or `declarationtype` for a declaration.
    pub payload_type: Option<Spanned<String>>,
    pub kind: FileKind,
    /// Apple's published file, not the project's: its problems are resolved
    /// rather than refused.
    pub published: bool,
    pub supported_os: Vec<Availability>,
    pub payload_keys: Option<KeyListId>,
    pub key_lists: BTreeMap<KeyListId, Vec<PayloadKey>>,
    /// The path at which each list was first reached, for messages.
    pub key_list_paths: BTreeMap<KeyListId, Vec<String>>,
    /// The other files of a payload Apple documents in parts (see
    /// `parts`), merged into this one.
    pub parts: Vec<String>,
}

impl SchemaFile {
    pub fn payload_type(&self) -> &str {
        self.payload_type
            .as_ref()
            .map_or(self.path.as_str(), |spanned| spanned.value.as_str())
    }

    pub fn keys(&self, list: KeyListId) -> &[PayloadKey] {
        self.key_lists.get(&list).map_or(&[], Vec::as_slice)
    }

    /// The file's stem: its name without folders and `.yaml`; for a payload
    /// merged from parts, its type, which names the whole.
    pub fn stem(&self) -> &str {
        if !self.parts.is_empty() {
            return self.payload_type();
        }
        let name = self.path.rsplit('/').next().unwrap_or(&self.path);
        name.strip_suffix(".yaml").unwrap_or(name)
    }
}

/// What a schema file describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum FileKind {
    /// A profile payload (`payloadtype`), or the profile envelope.
    Payload,
    /// A declaration of declarative device management (`declarationtype`),
    /// or the declaration envelope.
    Declaration,
}

/// One entry of `payloadkeys` or `subkeys`.
#[derive(Debug, Clone, PartialEq)]
pub struct PayloadKey {
    pub key: String,
    pub line: usize,
    pub title: Option<String>,
    pub type_name: Option<Spanned<String>>,
    pub subtype: Option<String>,
    pub presence: Presence,
    pub rangelist: Option<Vec<Spanned<Scalar>>>,
    pub range: Option<Range>,
    pub default: Option<Spanned<Scalar>>,
    pub format: Option<PatternSpec>,
    pub repetition: Option<Repetition>,
    pub content: Option<String>,
    pub supported_os: Vec<Availability>,
    pub subkeytype: Option<String>,
    pub subkeys: Option<KeyListId>,
    /// The overlay that adds the key (its `add`), when Apple's file does not
    /// have it: the project's own, held to the strict check.
    pub added_by: Option<String>,
}

impl PayloadKey {
    /// The `rangelist` values, without their lines.
    pub fn allowed_values(&self) -> Option<Vec<&Scalar>> {
        self.rangelist.as_deref().map(values_of)
    }

    pub fn new(key: String, line: usize) -> Self {
        PayloadKey {
            key,
            line,
            title: None,
            type_name: None,
            subtype: None,
            presence: Presence::Optional,
            rangelist: None,
            range: None,
            default: None,
            format: None,
            repetition: None,
            content: None,
            supported_os: Vec::new(),
            subkeytype: None,
            subkeys: None,
            added_by: None,
        }
    }

    pub fn key_type(&self) -> Option<KeyType> {
        self.type_name
            .as_ref()
            .and_then(|name| KeyType::from_name(&name.value))
    }
}

/// The `type` of a payload key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum KeyType {
    String,
    Integer,
    Real,
    Boolean,
    Date,
    Data,
    Array,
    Dictionary,
    Any,
}

impl KeyType {
    pub const NAMES: &[&str] = &[
        "<string>",
        "<integer>",
        "<real>",
        "<boolean>",
        "<date>",
        "<data>",
        "<array>",
        "<dictionary>",
        "<any>",
    ];

    pub fn from_name(name: &str) -> Option<Self> {
        Some(match name {
            "<string>" => KeyType::String,
            "<integer>" => KeyType::Integer,
            "<real>" => KeyType::Real,
            "<boolean>" => KeyType::Boolean,
            "<date>" => KeyType::Date,
            "<data>" => KeyType::Data,
            "<array>" => KeyType::Array,
            "<dictionary>" => KeyType::Dictionary,
            "<any>" => KeyType::Any,
            _ => return None,
        })
    }

    pub fn name(self) -> &'static str {
        match self {
            KeyType::String => "<string>",
            KeyType::Integer => "<integer>",
            KeyType::Real => "<real>",
            KeyType::Boolean => "<boolean>",
            KeyType::Date => "<date>",
            KeyType::Data => "<data>",
            KeyType::Array => "<array>",
            KeyType::Dictionary => "<dictionary>",
            KeyType::Any => "<any>",
        }
    }

    /// "an `<array>`", "a `<string>`": for messages.
    pub fn with_article(self) -> String {
        let article = match self {
            KeyType::Integer | KeyType::Array | KeyType::Any => "an",
            _ => "a",
        };
        format!("{article} {}", self.name())
    }

    pub fn is_container(self) -> bool {
        matches!(self, KeyType::Array | KeyType::Dictionary)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Presence {
    Required,
    #[default]
    Optional,
}

/// A YAML scalar as Apple's files use them: plain scalars that read as
/// numbers or booleans are those; everything else is a string.
#[derive(Debug, Clone, PartialEq)]
pub enum Scalar {
    String(String),
    Integer(i64),
    Real(f64),
    Boolean(bool),
    Null,
}

impl Scalar {
    /// Types a YAML scalar by the YAML 1.2 core schema.
    pub fn from_yaml(text: &str, plain: bool) -> Self {
        if !plain {
            return Scalar::String(text.to_owned());
        }
        match text {
            "true" | "True" | "TRUE" => return Scalar::Boolean(true),
            "false" | "False" | "FALSE" => return Scalar::Boolean(false),
            "~" | "null" | "Null" | "NULL" | "" => return Scalar::Null,
            _ => {}
        }
        let looks_numeric = text
            .trim_start_matches(['-', '+'])
            .starts_with(|c: char| c.is_ascii_digit() || c == '.');
        if looks_numeric {
            if let Ok(integer) = text.parse::<i64>() {
                return Scalar::Integer(integer);
            }
            // A number too large for a double (`1e999`) stays text, and is
            // reported wherever a number is expected.
            if let Some(real) = text.parse::<f64>().ok().filter(|real| real.is_finite()) {
                return Scalar::Real(real);
            }
        }
        Scalar::String(text.to_owned())
    }

    /// "the string `abc`", "the integer 3": for messages.
    pub fn describe(&self) -> String {
        match self {
            Scalar::String(text) => format!("the string `{text}`"),
            Scalar::Integer(value) => format!("the integer {value}"),
            Scalar::Real(value) => format!("the number {value}"),
            Scalar::Boolean(value) => format!("the boolean {value}"),
            Scalar::Null => "an empty value".to_owned(),
        }
    }

    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Scalar::Integer(value) => Some(*value as f64),
            Scalar::Real(value) => Some(*value),
            _ => None,
        }
    }
}

impl fmt::Display for Scalar {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Scalar::String(text) => write!(f, "{text}"),
            Scalar::Integer(value) => write!(f, "{value}"),
            Scalar::Real(value) => write!(f, "{value}"),
            Scalar::Boolean(value) => write!(f, "{value}"),
            Scalar::Null => write!(f, "null"),
        }
    }
}

/// `range`: inclusive bounds for a number.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Range {
    pub min: Option<Scalar>,
    pub max: Option<Scalar>,
}

/// `format`: a regular expression a whole string must match, as written,
/// with the form the validators and JSON Schema read alike (or why it has
/// none), worked out once when the file is read.
#[derive(Debug, Clone, PartialEq)]
pub struct PatternSpec {
    pub written: String,
    pub portable: Result<String, String>,
}

impl PatternSpec {
    pub fn new(written: String) -> Self {
        PatternSpec {
            portable: crate::pattern::portable(&written),
            written,
        }
    }
}

/// Inclusive numeric bounds; either may be open.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Bounds {
    pub min: Option<f64>,
    pub max: Option<f64>,
}

impl Bounds {
    /// Whether `value` lies within the bounds.
    pub fn contains(&self, value: f64) -> bool {
        self.min.is_none_or(|min| value >= min) && self.max.is_none_or(|max| value <= max)
    }
}

impl Range {
    /// The bounds as numbers (a bound that is not a number is reported by
    /// the loader and left open here).
    pub fn bounds(&self) -> Bounds {
        Bounds {
            min: self.min.as_ref().and_then(Scalar::as_f64),
            max: self.max.as_ref().and_then(Scalar::as_f64),
        }
    }
}

/// `repetition`: how many items an array holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Repetition {
    pub min: i64,
    pub max: i64,
}

/// One overlay file: the project's additions to one payload.
#[derive(Debug, Clone, PartialEq)]
pub struct Overlay {
    pub path: String,
    /// The line of `payload:` (or of `file:` when given), for messages about
    /// the overlay as a whole.
    pub line: usize,
    /// The payload type it applies to.
    pub payload: String,
    /// The schema file it applies to, when several files share the payload
    /// type (Apple splits `com.apple.MCX` over several files).
    pub file: Option<String>,
    /// Module and type name for the payload, instead of the derived ones.
    pub rust_module: Option<String>,
    pub rust_name: Option<String>,
    /// The payload's description, in the project's words.
    pub description: Option<String>,
    /// Corrections to the payload's availability (`supportedOS` only).
    pub facts: Option<Correction>,
    pub keys: Vec<KeyOverlay>,
    /// Keys Apple's files do not have (yet), to merge into them.
    pub additions: Vec<Addition>,
    /// Named orders of string values, for `ranks_at_most` conditions.
    pub rankings: BTreeMap<String, Vec<Vec<String>>>,
    /// Cross-field rules.
    pub rules: Vec<RuleSpec>,
}

/// A cross-field rule: in the dictionary at `within`, where `when` holds,
/// `check` must hold; otherwise a finding of `severity` at `at`.
#[derive(Debug, Clone, PartialEq)]
pub struct RuleSpec {
    pub code: String,
    pub line: usize,
    /// Key names from the payload down to the dictionary the rule reads
    /// (empty: the payload itself).
    pub within: Vec<String>,
    pub severity: Severity,
    pub when: Option<ConditionSpec>,
    pub check: ConditionSpec,
    pub message: String,
    /// The key the finding points at, relative to `within`.
    pub at: Vec<String>,
}

/// A condition of the rule language; paths are relative to the rule's
/// dictionary.
#[derive(Debug, Clone, PartialEq)]
pub enum ConditionSpec {
    Present(Vec<String>),
    Absent(Vec<String>),
    Equals(Vec<String>, Scalar),
    OneOf(Vec<String>, Vec<Scalar>),
    NoneOf(Vec<String>, Vec<Scalar>),
    AtLeast(Vec<String>, f64),
    AtMost(Vec<String>, f64),
    RanksAtMost {
        lower: Vec<String>,
        upper: Vec<String>,
        ranking: String,
    },
    All(Vec<ConditionSpec>),
    Any(Vec<ConditionSpec>),
    Not(Box<ConditionSpec>),
}

impl ConditionSpec {
    /// Every key path the condition reads, with the literals compared to it.
    pub fn paths(&self) -> Vec<(&[String], Vec<&Scalar>)> {
        match self {
            ConditionSpec::Present(path)
            | ConditionSpec::Absent(path)
            | ConditionSpec::AtLeast(path, _)
            | ConditionSpec::AtMost(path, _) => vec![(path, Vec::new())],
            ConditionSpec::Equals(path, value) => vec![(path, vec![value])],
            ConditionSpec::OneOf(path, values) | ConditionSpec::NoneOf(path, values) => {
                vec![(path, values.iter().collect())]
            }
            ConditionSpec::RanksAtMost { lower, upper, .. } => {
                vec![(lower, Vec::new()), (upper, Vec::new())]
            }
            ConditionSpec::All(conditions) | ConditionSpec::Any(conditions) => {
                conditions.iter().flat_map(ConditionSpec::paths).collect()
            }
            ConditionSpec::Not(condition) => condition.paths(),
        }
    }

    /// The key paths the condition compares (reading their effective value,
    /// default included), as opposed to testing their presence.
    pub fn compared_paths(&self) -> Vec<&[String]> {
        match self {
            ConditionSpec::Present(_) | ConditionSpec::Absent(_) => Vec::new(),
            ConditionSpec::Equals(path, _)
            | ConditionSpec::OneOf(path, _)
            | ConditionSpec::NoneOf(path, _)
            | ConditionSpec::AtLeast(path, _)
            | ConditionSpec::AtMost(path, _) => vec![path],
            ConditionSpec::RanksAtMost { lower, upper, .. } => vec![lower, upper],
            ConditionSpec::All(conditions) | ConditionSpec::Any(conditions) => conditions
                .iter()
                .flat_map(ConditionSpec::compared_paths)
                .collect(),
            ConditionSpec::Not(condition) => condition.compared_paths(),
        }
    }

    /// The ranking names the condition uses.
    pub fn rankings(&self) -> Vec<&str> {
        match self {
            ConditionSpec::RanksAtMost { ranking, .. } => vec![ranking],
            ConditionSpec::All(conditions) | ConditionSpec::Any(conditions) => conditions
                .iter()
                .flat_map(ConditionSpec::rankings)
                .collect(),
            ConditionSpec::Not(condition) => condition.rankings(),
            _ => Vec::new(),
        }
    }
}

/// Keys an overlay adds to a dictionary of its schema file.
#[derive(Debug, Clone, PartialEq)]
pub struct Addition {
    /// The dictionary they join, as an overlay path (empty: the payload's).
    pub within: Vec<String>,
    pub line: usize,
    /// The keys, read in Apple's format.
    pub keys: KeysRead,
}

/// Overlay facts for one key.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct KeyOverlay {
    /// Key names from the payload down; an array's element is skipped, so
    /// `[IKEv2, OnDemandRules, Action]` names `Action` in each rule.
    pub path: Vec<String>,
    pub line: usize,
    /// The key's description, in the project's words.
    pub description: Option<String>,
    /// Facts that replace Apple's for this key.
    pub facts: Option<Correction>,
    /// The value must never be shown (passwords, keys).
    pub sensitive: bool,
    /// What a string holds, beyond Apple's `subtype`.
    pub valuetype: Option<Format>,
    /// The Rust field name, instead of the derived one.
    pub rust_name: Option<String>,
    /// The Rust type name for the key's dictionary or enumeration.
    pub rust_type: Option<String>,
    /// Rust variant names for `rangelist` values.
    pub rust_variants: BTreeMap<String, String>,
    /// Bounds that hold on one platform only.
    pub platform_range: BTreeMap<Platform, Bounds>,
    /// The value names another payload of the profile by its `PayloadUUID`;
    /// that payload's `PayloadType` is one of these.
    pub references: Option<Vec<String>>,
    /// Values Apple's `rangelist` no longer has, with where they went.
    pub retired_values: Vec<RetiredSpec>,
    /// What the documentation says of the key that no profile check can
    /// verify, and why.
    pub unchecked: Vec<UncheckedSpec>,
    /// What the key's `<data>` holds, for the validators to read.
    pub contents: Option<ContentsSpec>,
    /// Why devices accept the key missing, or with a value outside its
    /// `rangelist`, although Apple's documentation rules it out: those
    /// findings become warnings that say so.
    pub tolerated: Option<String>,
    /// The only values one platform accepts, where it accepts fewer than the
    /// `rangelist` allows.
    pub platform_values: BTreeMap<Platform, Vec<Scalar>>,
}

/// What a `<data>` key holds (an overlay's `contents`).
#[derive(Debug, Clone, PartialEq)]
pub enum ContentsSpec {
    /// An X.509 certificate in this form.
    Certificate(CertificateForm),
    /// A PKCS#12 identity; `password` names the key of the same dictionary
    /// holding its password.
    Pkcs12 { password: Option<String> },
}

/// A value Apple retired: the releases that removed it, per platform, and
/// where that fact comes from.
#[derive(Debug, Clone, PartialEq)]
pub struct RetiredSpec {
    pub value: Scalar,
    pub removed: BTreeMap<Platform, String>,
    pub source: String,
    pub line: usize,
}

/// A statement of the documentation the validators cannot check from a
/// profile: what it says (in the project's words) and why.
#[derive(Debug, Clone, PartialEq)]
pub struct UncheckedSpec {
    pub says: String,
    pub reason: String,
}

/// Keys in Apple's format read from another file (an overlay's `add`): the
/// list of them, and every list of keys below it.
#[derive(Debug, Clone, PartialEq)]
pub struct KeysRead {
    pub list: KeyListId,
    pub key_lists: BTreeMap<KeyListId, Vec<PayloadKey>>,
    pub key_list_paths: BTreeMap<KeyListId, Vec<String>>,
}

/// Facts the project states in place of Apple's (an overlay's `facts`), in
/// Apple's format, with the source that gives them: what another page of
/// Apple's documents and the YAML does not (yet). Each property given
/// replaces Apple's; `supportedOS` lies over Apple's as a key's over its
/// parent's (per platform, per field).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Correction {
    pub line: usize,
    /// Where the facts come from (a page, a payload and key).
    pub source: String,
    pub supported_os: Option<Vec<Availability>>,
    pub presence: Option<Presence>,
    pub range: Option<Range>,
    pub rangelist: Option<Vec<Spanned<Scalar>>>,
    pub default: Option<Spanned<Scalar>>,
    /// A `format` pattern Apple's prose states and its YAML lacks.
    pub format: Option<PatternSpec>,
    /// The key's subkeys in place of Apple's (a structure Apple's YAML gets
    /// wrong), in Apple's format.
    pub subkeys: Option<KeysRead>,
}
