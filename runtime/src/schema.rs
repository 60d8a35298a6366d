//! The schema as data: what the generator knows about each payload, emitted
//! as `static` tables in every generated module, and read by the
//! [`validate`](crate::validate) engine and the lenient reader.
//!
//! Nothing here is written per payload: the tables are generated from the
//! same IR as the Rust types, and one engine interprets them.

pub use crate::availability::{Availability, Introduced, Platform};
pub use crate::format::Format;

/// One payload type.
#[derive(Debug)]
pub struct PayloadSchema {
    pub payload_type: &'static str,
    pub title: &'static str,
    pub availability: &'static [Availability],
    pub root: &'static DictSchema,
}

impl PayloadSchema {
    /// Every cross-field rule of the payload, with the key path of the
    /// dictionary it applies to (empty: the payload's). A dictionary reached
    /// on several paths, or inside itself, is visited once, on the first.
    pub fn rules(&self) -> Vec<(Vec<&'static str>, &'static Rule)> {
        let mut found = Vec::new();
        let mut seen: Vec<&'static DictSchema> = Vec::new();
        let mut pending: Vec<(Vec<&'static str>, &'static DictSchema)> =
            vec![(Vec::new(), self.root)];
        while let Some((path, dict)) = pending.pop() {
            if seen.iter().any(|known| std::ptr::eq(*known, dict)) {
                continue;
            }
            seen.push(dict);
            found.extend(dict.rules.iter().map(|rule| (path.clone(), rule)));
            for key in dict.keys.iter().rev() {
                if let Some(inner) = key.value.innermost_dict() {
                    let mut inner_path = path.clone();
                    inner_path.push(key.key);
                    pending.push((inner_path, inner));
                }
            }
        }
        found
    }
}

/// A dictionary with named keys, and the rules that relate them.
#[derive(Debug)]
pub struct DictSchema {
    /// The Rust type name, for messages about the shape.
    pub name: &'static str,
    /// The keys in the schema's order, which is the order findings follow.
    pub keys: &'static [KeySchema],
    /// A hash index of `keys`, so a key of a profile is found in a step
    /// or two instead of the profile being searched for each of the
    /// schema's keys: a power-of-two number of slots, each empty (0) or
    /// holding a key's position plus one. A key is placed at
    /// [`DictSchema::slot_of`] its name, or in the first empty slot after
    /// it. The generator fills it and leaves at least one slot empty.
    pub index: &'static [usize],
    pub rules: &'static [Rule],
}

impl DictSchema {
    /// The key named `name`, if the dictionary has one.
    pub fn key(&self, name: &str) -> Option<&'static KeySchema> {
        self.position(name).map(|position| &self.keys[position])
    }

    /// Where the key named `name` stands in [`keys`](Self::keys).
    pub fn position(&self, name: &str) -> Option<usize> {
        let slots = self.index.len();
        let mut slot = Self::slot_of(name, slots)?;
        for _ in 0..slots {
            let position = self.index[slot].checked_sub(1)?;
            if self.keys.get(position).is_some_and(|key| key.key == name) {
                return Some(position);
            }
            slot = if slot + 1 == slots { 0 } else { slot + 1 };
        }
        None
    }

    /// The values of a profile's dictionary, each at its key's position in
    /// [`keys`](Self::keys) (`None` where the profile leaves a key out);
    /// entries the schema does not name are left aside. `entries` is the
    /// dictionary's `iter()` or `iter_mut()`.
    pub fn arrange<'d, T>(
        &self,
        entries: impl IntoIterator<Item = (&'d String, T)>,
    ) -> Vec<Option<T>> {
        let mut arranged: Vec<Option<T>> = self.keys.iter().map(|_| None).collect();
        for (name, value) in entries {
            if let Some(position) = self.position(name) {
                arranged[position] = Some(value);
            }
        }
        arranged
    }

    /// The [`index`](Self::index) of a dictionary whose keys are named
    /// `names`, in order: twice as many slots as keys, rounded up to a power
    /// of two, each key at its [`slot_of`](Self::slot_of) or in the first
    /// empty slot after it. The generator writes it into every table.
    pub fn index_for(names: &[&str]) -> Vec<usize> {
        let slots = (2 * names.len()).max(1).next_power_of_two();
        let mut index = vec![0; slots];
        for (position, name) in names.iter().enumerate() {
            let mut slot = Self::slot_of(name, slots).unwrap_or_default();
            while index[slot] != 0 {
                slot = if slot + 1 == slots { 0 } else { slot + 1 };
            }
            index[slot] = position + 1;
        }
        index
    }

    /// The slot of an index of `slots` slots where the search for `name`
    /// starts (`None` for an empty index). The hash mixes the name's
    /// length with its first and last eight bytes: cheap, and enough to
    /// tell apart the keys of one dictionary, which differ at one end or
    /// the other, or in length.
    pub fn slot_of(name: &str, slots: usize) -> Option<usize> {
        if slots == 0 {
            return None;
        }
        let bytes = name.as_bytes();
        let width = bytes.len().min(8);
        let mut head = [0u8; 8];
        head[..width].copy_from_slice(&bytes[..width]);
        let mut tail = [0u8; 8];
        tail[8 - width..].copy_from_slice(&bytes[bytes.len() - width..]);
        let mixed = (u64::from_le_bytes(head)
            ^ u64::from_le_bytes(tail).rotate_left(29)
            ^ bytes.len() as u64)
            .wrapping_mul(0x9E37_79B9_7F4A_7C15);
        // The high bits are the best mixed; the mask keeps the slot in
        // range (and, for a power of two, uses every slot).
        Some((mixed >> 32) as usize & (slots - 1))
    }
}

/// One key of a dictionary.
#[derive(Debug)]
pub struct KeySchema {
    pub key: &'static str,
    pub required: bool,
    pub value: ValueSchema,
    /// The key's own `supportedOS`, as the schema writes it; the engine
    /// applies it over what the key inherits from its dictionary's key and
    /// payload.
    pub availability: &'static [Availability],
    /// The value is a secret: never shown in messages.
    pub sensitive: bool,
    /// Bounds that hold on one platform only (watchOS: at most 15).
    pub platform_limits: &'static [PlatformLimit],
    /// The value is the `PayloadUUID` of another payload of the profile, of
    /// one of these `PayloadType`s.
    pub references: Option<&'static [&'static str]>,
    /// What the key's bytes hold, checked when the `certificates` feature
    /// is on.
    pub contents: Option<Contents>,
    /// Why devices accept the key missing, or with a value outside its
    /// allowed values, although Apple's documentation rules that out: the
    /// findings are warnings that give this reason.
    pub tolerated: Option<&'static str>,
    /// The only values one platform accepts, where it accepts fewer than the
    /// allowed values; checked when a target is given.
    pub platform_values: &'static [PlatformValues],
}

/// The values one platform accepts.
#[derive(Debug, Clone, Copy)]
pub struct PlatformValues {
    pub platform: Platform,
    pub allowed: &'static [Literal],
}

/// What the bytes of a `<data>` key hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Contents {
    /// One X.509 certificate, written in this form (the other form is read
    /// too, with a warning).
    Certificate(CertificateForm),
    /// A PKCS#12 identity; `password` names the key of the same dictionary
    /// that holds its password, if the payload has one.
    Pkcs12 { password: Option<&'static str> },
}

/// How a certificate's bytes are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CertificateForm {
    /// Binary DER.
    Der,
    /// PEM text (`-----BEGIN CERTIFICATE-----`).
    Pem,
}

impl CertificateForm {
    pub fn name(self) -> &'static str {
        match self {
            CertificateForm::Der => "DER",
            CertificateForm::Pem => "PEM text",
        }
    }
}

impl KeySchema {
    /// An optional key with no overlay facts (the base for generated tables).
    pub const fn optional(
        key: &'static str,
        value: ValueSchema,
        availability: &'static [Availability],
    ) -> Self {
        KeySchema {
            key,
            required: false,
            value,
            availability,
            sensitive: false,
            platform_limits: &[],
            references: None,
            contents: None,
            tolerated: None,
            platform_values: &[],
        }
    }

    /// A required key with no overlay facts.
    pub const fn required(
        key: &'static str,
        value: ValueSchema,
        availability: &'static [Availability],
    ) -> Self {
        KeySchema {
            required: true,
            ..KeySchema::optional(key, value, availability)
        }
    }
}

/// What a value position holds and its constraints.
#[derive(Debug)]
pub struct ValueSchema {
    pub kind: ValueKind,
    /// `rangelist`: the allowed values.
    pub allowed: &'static [Literal],
    /// `range`: inclusive bounds.
    pub min: Option<f64>,
    pub max: Option<f64>,
    /// `repetition`: how many items an array holds.
    pub min_items: Option<u64>,
    pub max_items: Option<u64>,
    /// `format`: a regular expression the whole string must match.
    pub pattern: Option<&'static str>,
    /// What the string holds: `uuid`, `url`, …
    pub format: Option<Format>,
    /// Values Apple has retired from the `rangelist`, with the releases
    /// that dropped them: a profile that still uses one is told so.
    pub retired: &'static [RetiredValue],
}

impl ValueSchema {
    /// A value of `kind` with no constraints (the base for generated tables).
    pub const fn of(kind: ValueKind) -> Self {
        ValueSchema {
            kind,
            allowed: &[],
            min: None,
            max: None,
            min_items: None,
            max_items: None,
            pattern: None,
            format: None,
            retired: &[],
        }
    }
}

#[derive(Debug, Clone, Copy)]
pub enum ValueKind {
    String,
    Integer,
    Real,
    Boolean,
    /// An `<integer>` that is 0 or 1.
    IntegerFlag,
    Date,
    Data,
    Any,
    Array(&'static ValueSchema),
    /// A dictionary of any keys with values of one schema.
    Map(&'static ValueSchema),
    Dict(&'static DictSchema),
    /// `PayloadContent`: payloads checked by their `PayloadType`.
    Payloads,
    /// A dictionary whose schema the sibling key named here gives: a
    /// declaration's `Payload`, whose schema its `Type` names.
    TypedBy(&'static str),
}

impl ValueSchema {
    /// The dictionary the value holds, through arrays and maps.
    pub fn innermost_dict(&self) -> Option<&'static DictSchema> {
        match self.kind {
            ValueKind::Dict(dict) => Some(dict),
            ValueKind::Array(item) | ValueKind::Map(item) => item.innermost_dict(),
            _ => None,
        }
    }
}

impl ValueKind {
    /// Whether `value` has exactly this kind's plist type.
    pub fn fits(&self, value: &plist::Value) -> bool {
        use plist::Value;
        matches!(
            (self, value),
            (ValueKind::Any, _)
                | (ValueKind::String, Value::String(_))
                | (
                    ValueKind::Integer | ValueKind::IntegerFlag,
                    Value::Integer(_)
                )
                | (ValueKind::Real, Value::Real(_))
                | (ValueKind::Boolean, Value::Boolean(_))
                | (ValueKind::Date, Value::Date(_))
                | (ValueKind::Data, Value::Data(_))
                | (ValueKind::Array(_) | ValueKind::Payloads, Value::Array(_))
                | (
                    ValueKind::Map(_) | ValueKind::Dict(_) | ValueKind::TypedBy(_),
                    Value::Dictionary(_)
                )
        )
    }

    /// The value in this kind's exact type, for a value written in another
    /// type that devices accept: `<true/>`/`<false/>` (or a whole `<real>`)
    /// for a 0/1 integer flag, a 0/1 `<integer>` for a boolean, a whole
    /// `<real>` for an integer, an `<integer>` for a real. The one place
    /// leniency is defined: the validators warn about exactly these values,
    /// and the reader converts exactly these.
    pub fn coerce(&self, value: &plist::Value) -> Option<plist::Value> {
        use plist::Value;
        /// Whole numbers up to 2^53 convert exactly.
        const EXACT: f64 = 9_007_199_254_740_992.0;
        match (self, value) {
            (ValueKind::IntegerFlag, Value::Boolean(flag)) => {
                Some(Value::Integer(i64::from(*flag).into()))
            }
            (ValueKind::IntegerFlag, Value::Real(real)) if *real == 0.0 || *real == 1.0 => {
                Some(Value::Integer((*real as i64).into()))
            }
            // macOS reads a 0/1 integer as a boolean preference (profiles
            // from security vendors write TCC flags so).
            (ValueKind::Boolean, Value::Integer(integer))
                if matches!(integer.as_signed(), Some(0 | 1)) =>
            {
                Some(Value::Boolean(integer.as_signed() == Some(1)))
            }
            (ValueKind::Integer, Value::Real(real))
                if real.fract() == 0.0 && real.abs() <= EXACT =>
            {
                Some(Value::Integer((*real as i64).into()))
            }
            (ValueKind::Real, Value::Integer(integer)) => integer
                .as_signed()
                .map(|integer| Value::Real(integer as f64)),
            _ => None,
        }
    }

    /// The schema's name for the kind, for messages.
    pub fn name(&self) -> &'static str {
        match self {
            ValueKind::String => "<string>",
            ValueKind::Integer | ValueKind::IntegerFlag => "<integer>",
            ValueKind::Real => "<real>",
            ValueKind::Boolean => "<boolean>",
            ValueKind::Date => "<date>",
            ValueKind::Data => "<data>",
            ValueKind::Any => "<any>",
            ValueKind::Array(_) | ValueKind::Payloads => "<array>",
            ValueKind::Map(_) | ValueKind::Dict(_) | ValueKind::TypedBy(_) => "<dictionary>",
        }
    }
}

/// A constant in a table: an allowed value, a rule's operand.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Literal {
    Str(&'static str),
    Int(i64),
    Real(f64),
    Bool(bool),
}

impl std::fmt::Display for Literal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Literal::Str(text) => write!(f, "`{text}`"),
            Literal::Int(value) => write!(f, "{value}"),
            Literal::Real(value) => write!(f, "{value}"),
            Literal::Bool(value) => write!(f, "{value}"),
        }
    }
}

/// A value Apple no longer accepts, and where it was removed.
#[derive(Debug)]
pub struct RetiredValue {
    pub value: Literal,
    /// The platforms and releases that removed it (`removed` of each entry).
    pub removed: &'static [Availability],
}

/// A bound that holds on one platform.
#[derive(Debug, Clone, Copy)]
pub struct PlatformLimit {
    pub platform: Platform,
    pub min: Option<f64>,
    pub max: Option<f64>,
}

/// How bad a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Not a problem: something the validators could not look at (a
    /// payload of a type they have no schema for).
    Info,
    /// A key that has no effect, is ignored, or was read leniently.
    Warning,
    /// The device rejects the payload, or it cannot work as written.
    Error,
}

impl Severity {
    pub fn name(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

/// A cross-field rule from an overlay: where `when` holds, `check` must.
#[derive(Debug)]
pub struct Rule {
    /// A stable, machine-readable code (`vpn.ikev2.ppk-needs-identifier`).
    pub code: &'static str,
    pub severity: Severity,
    pub when: Option<Condition>,
    pub check: Condition,
    /// What a finding says; `{key}` stands for the path of the value that
    /// failed (relative to the dictionary) and `{value}` for that value.
    pub message: &'static str,
    /// The key (relative to the dictionary) a finding points at; empty: at
    /// each value that made the check fail (see [`Condition`]), or at the
    /// dictionary when no single value did.
    pub at: &'static [&'static str],
}

/// A key path relative to the rule's dictionary, with the position of its
/// first key in that dictionary's [`keys`](DictSchema::keys): the generator
/// resolves it, so a rule reads its operands without searching for them.
/// The validators check the name found there; a wrong position in a table
/// written by hand costs a search, never a wrong value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeyPath {
    pub position: usize,
    pub keys: &'static [&'static str],
}

impl KeyPath {
    /// `keys`, whose first key stands at `position` in the dictionary.
    pub const fn new(position: usize, keys: &'static [&'static str]) -> Self {
        KeyPath { position, keys }
    }

    /// The path of the dictionary that holds the last key (empty for a key
    /// of the rule's own dictionary).
    pub fn parent(&self) -> Option<KeyPath> {
        let (_, parents) = self.keys.split_last()?;
        Some(KeyPath {
            position: self.position,
            keys: parents,
        })
    }
}

/// A key a condition compares, with Apple's documented default: where the
/// key is absent and the dictionary holding it is present, the comparison
/// reads the default (the value the device uses).
#[derive(Debug)]
pub struct Operand {
    pub path: KeyPath,
    pub default: Option<Literal>,
}

impl Operand {
    /// An operand without a documented default.
    pub const fn at(path: KeyPath) -> Self {
        Operand {
            path,
            default: None,
        }
    }
}

/// The conditions of the rule language (see `docs/overlays.md`).
///
/// Comparisons read the effective value of their [`Operand`]. When a check
/// fails, the values to blame are: the key of a failing `Present`, `Absent`
/// or comparison (the `upper` of a ranking), and those of each failing part
/// of an `All`; a failing `Any` or `Not` blames no single value.
#[derive(Debug)]
pub enum Condition {
    Present(KeyPath),
    Absent(KeyPath),
    Equals(Operand, Literal),
    /// The value, if present, is one of these.
    OneOf(Operand, &'static [Literal]),
    /// The value, if present, is none of these (each item of an array too).
    NoneOf(Operand, &'static [Literal]),
    /// The value, if present, is at least this (each item of an array too).
    AtLeast(Operand, f64),
    AtMost(Operand, f64),
    /// The value at the first path ranks no higher than the value at the
    /// second in the ranking (lowest group first; values in one group rank
    /// equal). True where either is absent or unranked.
    RanksAtMost {
        lower: Operand,
        upper: Operand,
        ranking: &'static [&'static [&'static str]],
    },
    All(&'static [Condition]),
    Any(&'static [Condition]),
    Not(&'static Condition),
}

#[cfg(test)]
mod tests {
    use super::DictSchema;

    #[test]
    fn the_index_finds_every_key_and_nothing_else() {
        let names = [
            "PayloadDisplayName",
            "PayloadDescription",
            "OnDemandMatchDomainsAlways",
            "OnDemandMatchDomainsNever",
            "A",
            "",
        ];
        let index = DictSchema::index_for(&names);
        assert_eq!(index.len(), 16);
        let mut filled: Vec<usize> = index.iter().copied().filter(|&slot| slot != 0).collect();
        filled.sort_unstable();
        assert_eq!(filled, [1, 2, 3, 4, 5, 6]);
        let keys: &'static [super::KeySchema] = Box::leak(
            names
                .iter()
                .map(|name| {
                    let name: &'static str = Box::leak(name.to_string().into_boxed_str());
                    super::KeySchema::optional(
                        name,
                        super::ValueSchema::of(super::ValueKind::String),
                        &[],
                    )
                })
                .collect(),
        );
        let dict = DictSchema {
            name: "Probe",
            keys,
            index: Box::leak(index.into_boxed_slice()),
            rules: &[],
        };
        for (position, name) in names.iter().enumerate() {
            assert_eq!(dict.position(name), Some(position), "{name}");
        }
        for unknown in ["PayloadDisplayNames", "B", "OnDemandMatchDomainsSometimes"] {
            assert_eq!(dict.position(unknown), None, "{unknown}");
        }
        let empty = DictSchema {
            name: "Empty",
            keys: &[],
            index: &[],
            rules: &[],
        };
        assert_eq!(empty.position("A"), None);
    }
}
