//! The `structured` target: profiles shaped by the payload schemas.
//!
//! Random bytes rarely spell a plist whose payloads have a real
//! `PayloadType`, let alone keys of that payload with values its rules
//! compare, so the `profile` target seldom reaches the rules. Here the bytes
//! are choices ([`arbitrary::Unstructured`]) that steer a walk over the
//! generated schema tables instead: the envelope's keys, then payloads of
//! real types (most often those whose overlays carry rules: VPN, Wi-Fi, DNS
//! settings, certificates), each key present or not, and each value either
//! fitting its key (an allowed value, a bound or a step past it, a value a
//! rule compares, a `PayloadUUID` of another payload of the profile) or any
//! plist at all. The profile is validated, for no target or one platform
//! and release, and then written as a binary plist and put through the
//! `profile` target's checks.
//!
//! What must hold: validation never panics, and the `profile` target's
//! invariants hold for the profile (it decodes or is refused; what decodes
//! round-trips).

use std::collections::BTreeMap;
use std::sync::OnceLock;

use arbitrary::{Result, Unstructured};
use mobileconfig::runtime::availability::Platform;
use mobileconfig::runtime::format::Format;
use mobileconfig::runtime::schema::{
    Condition, DictSchema, KeySchema, Literal, Operand, PayloadSchema, ValueKind, ValueSchema,
};
use mobileconfig::runtime::{Target, Version};
use plist::{Dictionary, Value};

/// How many values one profile holds at most; keeps an input's run short.
const MAX_VALUES: usize = 2_000;

/// How deep the walk goes; deeper dictionaries are left empty.
const MAX_DEPTH: usize = 10;

/// The `PayloadUUID`s a profile's payloads take, so that a key referring to
/// another payload can name one.
const UUIDS: &[&str] = &[
    "9F4D0A2C-6A11-4E5B-9C2D-0B6F7E1A3C55",
    "2B8E7C41-D3F9-4A60-8E15-57C9A4B0D2E7",
    "E06A5F13-8B2C-4D7E-A1F4-3C9B6D0E8A21",
    "not-a-uuid",
];

/// Runs one input of the `structured` target.
pub fn run(bytes: &[u8]) {
    let mut input = Unstructured::new(bytes);
    let Ok((profile, target)) = build(&mut input) else {
        return;
    };
    mobileconfig::validate_profile(&profile, target.as_ref());
    let mut written = Vec::new();
    profile
        .to_writer_binary(&mut written)
        .unwrap_or_else(|error| panic!("a built profile cannot be written: {error}"));
    crate::profile::run(&written);
}

/// A profile and the target to validate it for.
pub fn build(input: &mut Unstructured) -> Result<(Value, Option<Target>)> {
    let mut builder = Builder {
        input,
        values_left: MAX_VALUES,
    };
    let target = builder.target()?;
    let envelope = &mobileconfig::profile::schema::PAYLOAD;
    let profile = builder.payload(envelope, 0)?;
    Ok((profile, target))
}

struct Builder<'a, 'b> {
    input: &'b mut Unstructured<'a>,
    values_left: usize,
}

impl Builder<'_, '_> {
    fn target(&mut self) -> Result<Option<Target>> {
        if self.input.ratio(1, 3)? {
            return Ok(None);
        }
        let platform = *self.input.choose(&Platform::ALL)?;
        let version = if self.input.ratio(1, 2)? {
            let major = self.input.int_in_range(9..=27)?;
            let minor = self.input.int_in_range(0..=7)?;
            Some(Version(vec![major, minor]))
        } else {
            None
        };
        Ok(Some(Target { platform, version }))
    }

    /// A payload of `schema`: its dictionary, with its `PayloadType` set
    /// (nearly always) to the schema's.
    fn payload(&mut self, schema: &'static PayloadSchema, depth: usize) -> Result<Value> {
        let hints = hints_for(schema);
        let mut dict = self.dictionary(schema.root, hints, depth)?;
        if !self.input.ratio(1, 16)? {
            dict.insert(
                "PayloadType".to_owned(),
                Value::String(schema.payload_type.to_owned()),
            );
        }
        Ok(Value::Dictionary(dict))
    }

    fn dictionary(
        &mut self,
        schema: &'static DictSchema,
        hints: &Hints,
        depth: usize,
    ) -> Result<Dictionary> {
        let mut dict = Dictionary::new();
        if depth > MAX_DEPTH {
            return Ok(dict);
        }
        for key in schema.keys {
            let present = if key.required {
                !self.input.ratio(1, 8)?
            } else {
                self.input.ratio(1, 3)?
            };
            if present && self.spend() {
                let value = self.value_for(key, &key.value, hints, depth)?;
                dict.insert(key.key.to_owned(), value);
            }
        }
        // Keys the schema does not name.
        for _ in 0..self.input.int_in_range(0..=2)? {
            if self.input.ratio(1, 4)? && self.spend() {
                let name = self.text()?;
                let value = self.any(depth + 1)?;
                dict.insert(name, value);
            }
        }
        Ok(dict)
    }

    /// A value for `key` (whose value or item schema is `schema`): mostly
    /// one that fits, sometimes any plist.
    fn value_for(
        &mut self,
        key: &'static KeySchema,
        schema: &'static ValueSchema,
        hints: &Hints,
        depth: usize,
    ) -> Result<Value> {
        if self.input.ratio(1, 10)? {
            return self.any(depth + 1);
        }
        let value = match schema.kind {
            ValueKind::String => Value::String(self.string_for(key, schema, hints)?),
            ValueKind::Integer => Value::Integer(self.number_for(key, schema, hints)?.into()),
            ValueKind::IntegerFlag => match self.input.int_in_range(0..=3)? {
                0 => Value::Integer(0.into()),
                1 => Value::Integer(1.into()),
                2 => Value::Boolean(self.input.arbitrary()?),
                _ => Value::Integer(self.input.arbitrary::<i64>()?.into()),
            },
            ValueKind::Real => {
                if self.input.ratio(1, 4)? {
                    Value::Real(self.input.arbitrary()?)
                } else {
                    Value::Real(self.number_for(key, schema, hints)? as f64)
                }
            }
            ValueKind::Boolean => match self.literal_for(key, schema, hints)? {
                Some(Literal::Bool(flag)) => Value::Boolean(flag),
                _ if self.input.ratio(1, 6)? => {
                    Value::Integer(self.input.int_in_range(0..=2)?.into())
                }
                _ => Value::Boolean(self.input.arbitrary()?),
            },
            ValueKind::Date => Value::Date(self.date()?),
            ValueKind::Data => Value::Data(self.data()?),
            ValueKind::Any => self.any(depth + 1)?,
            ValueKind::Array(item) => {
                let most = schema.max_items.unwrap_or(3).min(4) + 1;
                let count = self.input.int_in_range(0..=most)?;
                let mut items = Vec::new();
                for _ in 0..count {
                    if self.spend() {
                        items.push(self.value_for(key, item, hints, depth + 1)?);
                    }
                }
                Value::Array(items)
            }
            ValueKind::Map(item) => {
                let mut map = Dictionary::new();
                for _ in 0..self.input.int_in_range(0..=3)? {
                    if self.spend() {
                        let name = self.text()?;
                        let value = self.value_for(key, item, hints, depth + 1)?;
                        map.insert(name, value);
                    }
                }
                Value::Dictionary(map)
            }
            ValueKind::Dict(dict) => Value::Dictionary(self.dictionary(dict, hints, depth + 1)?),
            ValueKind::Payloads => {
                let mut payloads = Vec::new();
                for _ in 0..self.input.int_in_range(0..=4)? {
                    if self.spend() {
                        let schema = self.payload_schema()?;
                        payloads.push(self.payload(schema, depth + 1)?);
                    }
                }
                Value::Array(payloads)
            }
            ValueKind::TypedBy(_) => self.any(depth + 1)?,
        };
        Ok(value)
    }

    /// A payload type: three times in four one whose schema has rules.
    fn payload_schema(&mut self) -> Result<&'static PayloadSchema> {
        let (with_rules, all) = payload_schemas();
        let pool = if self.input.ratio(3, 4)? {
            with_rules
        } else {
            all
        };
        Ok(*self.input.choose(pool)?)
    }

    fn literal_for(
        &mut self,
        key: &'static KeySchema,
        schema: &'static ValueSchema,
        hints: &Hints,
    ) -> Result<Option<Literal>> {
        let compared = hints.get(key.key).map(Vec::as_slice).unwrap_or_default();
        let allowed = schema.allowed;
        let retired: Vec<Literal> = schema.retired.iter().map(|retired| retired.value).collect();
        let platform = key.platform_values.iter().flat_map(|values| values.allowed);
        let candidates: Vec<Literal> = allowed
            .iter()
            .chain(compared)
            .chain(platform)
            .copied()
            .chain(retired)
            .collect();
        if candidates.is_empty() || self.input.ratio(1, 5)? {
            return Ok(None);
        }
        Ok(Some(*self.input.choose(&candidates)?))
    }

    fn string_for(
        &mut self,
        key: &'static KeySchema,
        schema: &'static ValueSchema,
        hints: &Hints,
    ) -> Result<String> {
        if let Some(Literal::Str(text)) = self.literal_for(key, schema, hints)? {
            return Ok(text.to_owned());
        }
        if (key.references.is_some() || key.key == "PayloadUUID") && self.input.ratio(3, 4)? {
            return Ok((*self.input.choose(UUIDS)?).to_owned());
        }
        if let Some(format) = schema.format
            && self.input.ratio(3, 4)?
        {
            return Ok((*self.input.choose(samples(format))?).to_owned());
        }
        self.text()
    }

    /// An integer near what the key allows: an allowed or compared value,
    /// a bound or one past it, or any.
    fn number_for(
        &mut self,
        key: &'static KeySchema,
        schema: &'static ValueSchema,
        hints: &Hints,
    ) -> Result<i64> {
        match self.literal_for(key, schema, hints)? {
            Some(Literal::Int(value)) => return Ok(value),
            Some(Literal::Real(value)) => return Ok(value as i64),
            _ => {}
        }
        let limits = key
            .platform_limits
            .iter()
            .flat_map(|limit| [limit.min, limit.max]);
        let bounds: Vec<f64> = [schema.min, schema.max]
            .into_iter()
            .chain(limits)
            .flatten()
            .collect();
        if !bounds.is_empty() && self.input.ratio(3, 4)? {
            let bound = *self.input.choose(&bounds)? as i64;
            let step = self.input.int_in_range(-1..=1)?;
            return Ok(bound.saturating_add(step));
        }
        if self.input.ratio(1, 2)? {
            return self.input.int_in_range(-2..=100);
        }
        self.input.arbitrary()
    }

    /// Any plist value, of any type.
    fn any(&mut self, depth: usize) -> Result<Value> {
        let choices = if depth > MAX_DEPTH || self.values_left == 0 {
            7
        } else {
            9
        };
        Ok(match self.input.int_in_range(0..=choices - 1)? {
            0 => Value::String(self.text()?),
            1 => Value::Integer(self.input.arbitrary::<i64>()?.into()),
            2 => Value::Integer(self.input.arbitrary::<u64>()?.into()),
            3 => Value::Real(self.input.arbitrary()?),
            4 => Value::Boolean(self.input.arbitrary()?),
            5 => Value::Date(self.date()?),
            6 => Value::Data(self.data()?),
            7 => {
                let mut items = Vec::new();
                for _ in 0..self.input.int_in_range(0..=3)? {
                    if self.spend() {
                        items.push(self.any(depth + 1)?);
                    }
                }
                Value::Array(items)
            }
            _ => {
                let mut dict = Dictionary::new();
                for _ in 0..self.input.int_in_range(0..=3)? {
                    if self.spend() {
                        let name = self.text()?;
                        let value = self.any(depth + 1)?;
                        dict.insert(name, value);
                    }
                }
                Value::Dictionary(dict)
            }
        })
    }

    fn text(&mut self) -> Result<String> {
        let length = self.input.int_in_range(0..=24)?;
        let mut text = String::new();
        for _ in 0..length {
            text.push(self.input.arbitrary()?);
        }
        Ok(text)
    }

    fn data(&mut self) -> Result<Vec<u8>> {
        let length = self.input.int_in_range(0..=64)?;
        Ok(self.input.bytes(length).unwrap_or_default().to_vec())
    }

    fn date(&mut self) -> Result<plist::Date> {
        // Seconds around the plist epoch (2001), a century either way.
        let seconds: i32 = self.input.arbitrary()?;
        let since_unix = 978_307_200 + i64::from(seconds) * 2;
        let time = if since_unix >= 0 {
            std::time::UNIX_EPOCH + std::time::Duration::from_secs(since_unix.unsigned_abs())
        } else {
            std::time::UNIX_EPOCH - std::time::Duration::from_secs(since_unix.unsigned_abs())
        };
        Ok(time.into())
    }

    /// Takes one value from the budget; false once it is spent.
    fn spend(&mut self) -> bool {
        if self.values_left == 0 {
            return false;
        }
        self.values_left -= 1;
        true
    }
}

/// For each key name of a payload, the values its rules compare it with
/// (`Equals`, `OneOf`, `NoneOf`, and the bounds of `AtLeast`/`AtMost`, with
/// the documented defaults), so that the walk hits the values that switch
/// rules on and off.
type Hints = BTreeMap<&'static str, Vec<Literal>>;

fn hints_for(schema: &'static PayloadSchema) -> &'static Hints {
    static HINTS: OnceLock<BTreeMap<&'static str, Hints>> = OnceLock::new();
    static NONE: Hints = BTreeMap::new();
    let all = HINTS.get_or_init(|| {
        let (_, all) = payload_schemas();
        all.iter()
            .chain([&&mobileconfig::profile::schema::PAYLOAD])
            .map(|schema| {
                let mut hints = Hints::new();
                for (_, rule) in schema.rules() {
                    for condition in rule.when.iter().chain([&rule.check]) {
                        collect_hints(condition, &mut hints);
                    }
                }
                (schema.payload_type, hints)
            })
            .collect()
    });
    all.get(schema.payload_type).unwrap_or(&NONE)
}

fn collect_hints(condition: &'static Condition, hints: &mut Hints) {
    let mut add = |operand: &'static Operand, values: &[Literal]| {
        if let Some(key) = operand.path.keys.last() {
            let entry = hints.entry(key).or_default();
            entry.extend(values.iter().copied().chain(operand.default));
        }
    };
    match condition {
        Condition::Present(_) | Condition::Absent(_) => {}
        Condition::Equals(operand, value) => add(operand, &[*value]),
        Condition::OneOf(operand, values) | Condition::NoneOf(operand, values) => {
            add(operand, values)
        }
        Condition::AtLeast(operand, bound) | Condition::AtMost(operand, bound) => add(
            operand,
            &[
                Literal::Real(*bound),
                Literal::Real(bound - 1.0),
                Literal::Real(bound + 1.0),
            ],
        ),
        Condition::RanksAtMost {
            lower,
            upper,
            ranking,
        } => {
            let values: Vec<Literal> = ranking
                .iter()
                .flat_map(|group| group.iter().map(|value| Literal::Str(value)))
                .collect();
            add(lower, &values);
            add(upper, &values);
        }
        Condition::All(conditions) | Condition::Any(conditions) => {
            for condition in *conditions {
                collect_hints(condition, hints);
            }
        }
        Condition::Not(condition) => collect_hints(condition, hints),
    }
}

/// The payload schemas whose overlays carry rules, and all of them.
fn payload_schemas() -> (
    &'static [&'static PayloadSchema],
    &'static [&'static PayloadSchema],
) {
    static SCHEMAS: OnceLock<(Vec<&'static PayloadSchema>, Vec<&'static PayloadSchema>)> =
        OnceLock::new();
    let (with_rules, all) = SCHEMAS.get_or_init(|| {
        let all = mobileconfig::payload::schemas();
        let with_rules = all
            .iter()
            .copied()
            .filter(|schema| !schema.rules().is_empty())
            .collect();
        (with_rules, all)
    });
    (with_rules, all)
}

/// Strings of a format, valid and not.
fn samples(format: Format) -> &'static [&'static str] {
    match format {
        Format::Uuid => &[
            "9F4D0A2C-6A11-4E5B-9C2D-0B6F7E1A3C55",
            "9f4d0a2c-6a11-4e5b-9c2d-0b6f7e1a3c55",
            "1234",
        ],
        Format::Hostname => &["vpn.example.com", "localhost", "-bad-.example", "a..b"],
        Format::Url => &[
            "https://example.com/path",
            "http://[::1]:8080/",
            "example.com",
            "ftp://x",
        ],
        Format::Email => &["user@example.com", "user@", "@example.com"],
        Format::Domain => &["example.com", "*.example.com", "example..com"],
        Format::Timestamp => &["2024-01-31T12:00:00Z", "2024-13-01", "yesterday"],
        Format::IpAddress => &["192.0.2.1", "2001:db8::1", "256.1.1.1", "::ffff:1.2.3.4"],
        Format::BundleIdentifier => &["com.example.app", "com.example.*", "com..example", "app"],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rule_payloads_are_the_documented_network_and_certificate_ones() {
        let (with_rules, _) = payload_schemas();
        let types: Vec<&str> = with_rules
            .iter()
            .map(|schema| schema.payload_type)
            .collect();
        for payload_type in ["com.apple.vpn.managed", "com.apple.wifi.managed"] {
            assert!(types.contains(&payload_type), "{types:?}");
        }
    }

    #[test]
    fn rules_give_hints_for_the_keys_they_compare() {
        let vpn = *payload_schemas()
            .1
            .iter()
            .find(|schema| schema.payload_type == "com.apple.vpn.managed")
            .expect("the VPN payload's schema");
        let hints = hints_for(vpn);
        assert!(
            hints
                .get("AuthenticationMethod")
                .is_some_and(|values| !values.is_empty()),
            "{hints:?}"
        );
    }

    /// The payload types of a built profile's `PayloadContent`.
    fn payload_types(profile: &Value) -> Vec<String> {
        let content = profile
            .as_dictionary()
            .and_then(|dict| dict.get("PayloadContent"))
            .and_then(Value::as_array);
        content
            .into_iter()
            .flatten()
            .filter_map(|payload| payload.as_dictionary()?.get("PayloadType")?.as_string())
            .map(str::to_owned)
            .collect()
    }

    #[test]
    fn built_profiles_carry_payloads_of_real_types() {
        let (_, all) = payload_schemas();
        let mut seen = Vec::new();
        for seed in 0..64u32 {
            let bytes: Vec<u8> = (0..4096u32)
                .map(|index| ((index + seed) * 7919 % 251) as u8)
                .collect();
            let (profile, _) = build(&mut Unstructured::new(&bytes)).expect("a profile");
            seen.extend(payload_types(&profile));
        }
        assert!(!seen.is_empty(), "no payload in 64 profiles");
        let real = seen
            .iter()
            .filter(|payload_type| {
                all.iter()
                    .any(|schema| schema.payload_type == **payload_type)
            })
            .count();
        assert!(real * 2 > seen.len(), "{seen:?}");
    }

    #[test]
    fn no_input_builds_a_dictionary() {
        let (profile, _) = build(&mut Unstructured::new(&[])).expect("a profile");
        assert!(profile.as_dictionary().is_some());
    }
}
