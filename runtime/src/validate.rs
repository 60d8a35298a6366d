//! The validation engine: walks a plist value against the generated schema
//! tables and reports every finding (it never stops at the first).
//!
//! It works on [`plist::Value`] rather than the typed structs so that it sees
//! a profile as written: a flag written `<true/>`, a key of the wrong type, a
//! key newer than the schema.

use std::collections::BTreeMap;
use std::fmt;
use std::time::SystemTime;

use plist::Value;

use crate::location::Location;
use crate::rules::{self, literal_matches, number};
use crate::schema::{
    Availability, DictSchema, Introduced, KeySchema, Literal, PayloadSchema, Platform,
    RetiredValue, Rule, Severity, ValueKind, ValueSchema,
};

/// The device a profile is meant for: a platform and, optionally, its OS
/// version. Without a target, availability is not checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub platform: Platform,
    pub version: Option<Version>,
}

/// An OS version such as `17.4` or `10.15.7`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Version(pub Vec<u64>);

impl Version {
    /// Reads `17`, `17.4`, `10.15.7`; `None` for anything else.
    pub fn parse(text: &str) -> Option<Version> {
        let parts: Option<Vec<u64>> = text
            .trim()
            .split('.')
            .map(|part| part.parse().ok())
            .collect();
        parts.filter(|parts| !parts.is_empty()).map(|mut parts| {
            while parts.len() > 1 && parts.last() == Some(&0) {
                parts.pop();
            }
            Version(parts)
        })
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parts: Vec<String> = self.0.iter().map(u64::to_string).collect();
        write!(f, "{}", parts.join("."))
    }
}

/// One finding. Serializes as `{"path", "severity", "code", "message"}`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
pub struct Diagnostic {
    /// The key path (`PayloadContent[0].IKEv2.MTU`).
    pub path: String,
    pub severity: Severity,
    /// A stable machine-readable code (`range`, `vpn.ikev2.ppk-pair`).
    pub code: String,
    /// What is wrong and what is allowed. Never a sensitive value.
    pub message: String,
}

impl Diagnostic {
    /// A value that could not be turned into a plist to be checked.
    pub fn encoding(error: impl fmt::Display) -> Diagnostic {
        Diagnostic {
            path: String::new(),
            severity: Severity::Error,
            code: "encode".to_owned(),
            message: format!("the value cannot be written as a plist: {error}"),
        }
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let path = if self.path.is_empty() {
            "(profile)"
        } else {
            &self.path
        };
        write!(
            f,
            "{path}: {}[{}]: {}",
            self.severity.name(),
            self.code,
            self.message
        )
    }
}

/// The code of the note on a payload whose type has no schema.
pub const UNKNOWN_PAYLOAD_TYPE: &str = "unknown-payload-type";

/// How many of a profile's payloads were checked against a schema, and how
/// many were not (their type has none): what a summary reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
pub struct Coverage {
    pub checked: usize,
    pub unchecked: usize,
}

impl Coverage {
    /// The coverage of `profile`'s `PayloadContent`, from the findings its
    /// validation made.
    pub fn of(profile: &Value, diagnostics: &[Diagnostic]) -> Coverage {
        let payloads = profile
            .as_dictionary()
            .and_then(|profile| profile.get("PayloadContent"))
            .and_then(Value::as_array)
            .map_or(0, |items| {
                items
                    .iter()
                    .filter(|item| {
                        item.as_dictionary()
                            .is_some_and(|item| item.contains_key("PayloadType"))
                    })
                    .count()
            });
        let unchecked = diagnostics
            .iter()
            .filter(|diagnostic| diagnostic.code == UNKNOWN_PAYLOAD_TYPE)
            .count();
        Coverage {
            checked: payloads.saturating_sub(unchecked),
            unchecked,
        }
    }
}

impl std::ops::AddAssign for Coverage {
    fn add_assign(&mut self, other: Coverage) {
        self.checked += other.checked;
        self.unchecked += other.unchecked;
    }
}

/// Where validators and readers find the schema of a payload (or
/// declaration) type: the generated crate's catalogue of the types it was
/// built with, and the Cargo feature of each type a build may leave out.
#[derive(Debug, Clone, Copy)]
pub struct PayloadLookup {
    /// The schema of a type this build has.
    pub schema: fn(&str) -> Option<&'static PayloadSchema>,
    /// The Cargo feature that holds a type's schema, for every type the
    /// crate knows (whether or not this build has it).
    pub feature: fn(&str) -> Option<&'static str>,
}

impl PayloadLookup {
    /// A catalogue with no types (for declarations of a crate that has no
    /// declaration envelope).
    pub const NONE: PayloadLookup = PayloadLookup {
        schema: |_| None,
        feature: |_| None,
    };

    /// The schema of `kind`, if this build has it.
    pub fn schema_for(&self, kind: &str) -> Option<&'static PayloadSchema> {
        (self.schema)(kind)
    }

    /// Why a type has no schema in this build, for a finding's message.
    fn unchecked_because(&self, kind: &str) -> String {
        match (self.feature)(kind) {
            Some(feature) => format!(
                "`{kind}` is described by this crate's `{feature}` feature, which this build \
                 leaves out"
            ),
            None => format!(
                "`{kind}` is a type these schemas do not describe (a custom preference \
                 domain, or a type newer than the schemas)"
            ),
        }
    }
}

/// Validates a whole profile: the envelope against `envelope`, each
/// `PayloadContent` item against its payload type's schema, then the checks
/// that span payloads (unique `PayloadUUID`s, certificate references).
pub fn validate_profile(
    envelope: &'static PayloadSchema,
    lookup: PayloadLookup,
    profile: &Value,
    target: Option<&Target>,
) -> Vec<Diagnostic> {
    validate_profile_as_of(envelope, lookup, profile, target, SystemTime::now())
}

/// [`validate_profile`] as of `moment`: certificates are judged valid or
/// expired then (to check a profile for a deployment date, or to make
/// findings reproducible).
pub fn validate_profile_as_of(
    envelope: &'static PayloadSchema,
    lookup: PayloadLookup,
    profile: &Value,
    target: Option<&Target>,
    moment: SystemTime,
) -> Vec<Diagnostic> {
    let mut walker = Walker::new(lookup, target);
    walker.moment = moment;
    walker.payload(envelope, profile, &Location::Root);
    walker.check_references();
    walker.diagnostics
}

/// Validates a typed profile (anything that serializes to one).
pub fn validate_profile_of<T: serde::Serialize>(
    envelope: &'static PayloadSchema,
    lookup: PayloadLookup,
    profile: &T,
    target: Option<&Target>,
) -> Vec<Diagnostic> {
    match plist::to_value(profile) {
        Ok(value) => validate_profile(envelope, lookup, &value, target),
        Err(error) => vec![Diagnostic::encoding(error)],
    }
}

/// Validates a typed payload (anything that serializes to one).
pub fn validate_payload_of<T: serde::Serialize>(
    schema: &'static PayloadSchema,
    lookup: PayloadLookup,
    payload: &T,
    target: Option<&Target>,
) -> Vec<Diagnostic> {
    match plist::to_value(payload) {
        Ok(value) => validate_payload(schema, lookup, &value, target),
        Err(error) => vec![Diagnostic::encoding(error)],
    }
}

/// Validates one payload dictionary on its own.
pub fn validate_payload(
    schema: &'static PayloadSchema,
    lookup: PayloadLookup,
    payload: &Value,
    target: Option<&Target>,
) -> Vec<Diagnostic> {
    let mut walker = Walker::new(lookup, target);
    walker.payload(schema, payload, &Location::Root);
    walker.diagnostics
}

struct Walker<'a, 'v> {
    lookup: PayloadLookup,
    target: Option<&'a Target>,
    diagnostics: Vec<Diagnostic>,
    /// (path, UUID, payload-type prefix) of every reference to a payload.
    references: Vec<(String, &'v str, &'static [&'static str])>,
    /// (path, PayloadUUID, PayloadType) of the envelope and each payload.
    uuids: Vec<(String, &'v str, &'v str)>,
    /// When certificates must be valid.
    moment: SystemTime,
}

/// The warning on a value written in a type devices accept but the schema
/// does not: the validators and the lenient reader give the same one.
pub(crate) fn coerced(path: &str, value: &Value, kind: &ValueKind) -> Diagnostic {
    let expected = kind.name();
    let written = match value {
        Value::Boolean(boolean) => format!("<{boolean}/>"),
        Value::Real(real) => format!("<real>{real}</real>"),
        other => type_name(other).to_owned(),
    };
    Diagnostic {
        path: path.to_owned(),
        severity: Severity::Warning,
        code: TYPE_COERCED.to_owned(),
        message: format!(
            "written as {written}; the schema types it {expected}, and it is written back as \
             {expected} (devices accept both, strict consumers such as Apple Business Manager do \
             not)"
        ),
    }
}

/// The code of the warning on a leniently typed value.
pub const TYPE_COERCED: &str = "type-coerced";

pub(crate) fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_owned()
    } else {
        format!("{path}.{key}")
    }
}

/// How a value is shown in a message: never a sensitive one.
pub(crate) fn shown(value: &Value, sensitive: bool) -> String {
    if sensitive {
        return "the value (hidden: the key is sensitive)".to_owned();
    }
    match value {
        Value::String(text) => format!("`{text}`"),
        Value::Integer(integer) => integer.to_string(),
        Value::Real(real) => real.to_string(),
        Value::Boolean(boolean) => format!("<{boolean}/>"),
        other => type_name(other).to_owned(),
    }
}

/// The schema's name for a plist value's type.
pub(crate) fn type_name(value: &Value) -> &'static str {
    match value {
        Value::String(_) => "<string>",
        Value::Integer(_) => "<integer>",
        Value::Real(_) => "<real>",
        Value::Boolean(_) => "<boolean>",
        Value::Date(_) => "<date>",
        Value::Data(_) => "<data>",
        Value::Array(_) => "<array>",
        Value::Dictionary(_) => "<dictionary>",
        _ => "a value of another plist type",
    }
}

/// "from 1 to 3", "at least 20", "at most 15".
fn bounds<T: fmt::Display>(min: Option<T>, max: Option<T>) -> String {
    match (min, max) {
        (Some(min), Some(max)) => format!("from {min} to {max}"),
        (Some(min), None) => format!("at least {min}"),
        (None, Some(max)) => format!("at most {max}"),
        (None, None) => "anything".to_owned(),
    }
}

/// The allowed values, "`A`, `B`, `C`", written straight into a message.
fn format_list(literals: &[Literal]) -> impl fmt::Display + '_ {
    struct Listed<'a>(&'a [Literal]);
    impl fmt::Display for Listed<'_> {
        fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
            for (index, literal) in self.0.iter().enumerate() {
                if index > 0 {
                    formatter.write_str(", ")?;
                }
                write!(formatter, "{literal}")?;
            }
            Ok(())
        }
    }
    Listed(literals)
}

impl<'a, 'v> Walker<'a, 'v> {
    fn new(lookup: PayloadLookup, target: Option<&'a Target>) -> Self {
        Walker {
            lookup,
            target,
            diagnostics: Vec::new(),
            references: Vec::new(),
            uuids: Vec::new(),
            moment: SystemTime::now(),
        }
    }

    /// A finding at `at`, whose key path is written out now.
    fn report(&mut self, at: &Location<'_>, severity: Severity, code: &str, message: String) {
        self.report_path(at.path(), severity, code, message);
    }

    fn report_path(&mut self, path: String, severity: Severity, code: &str, message: String) {
        self.diagnostics.push(Diagnostic {
            path,
            severity,
            code: code.to_owned(),
            message,
        });
    }

    fn payload(&mut self, schema: &'static PayloadSchema, value: &'v Value, at: &Location<'_>) {
        if let Some(target) = self.target
            && let Some(problem) = unavailable(schema.availability, target, Unlisted::NotAvailable)
        {
            let message = format!("the `{}` payload {problem}", schema.payload_type);
            self.report(at, Severity::Error, "unsupported-payload", message);
        }
        if let Value::Dictionary(dictionary) = value {
            let uuid = dictionary.get("PayloadUUID").and_then(Value::as_string);
            let payload_type = dictionary.get("PayloadType").and_then(Value::as_string);
            if let Some(uuid) = uuid {
                self.uuids.push((
                    at.key("PayloadUUID").path(),
                    uuid,
                    payload_type.unwrap_or_default(),
                ));
            }
        }
        self.dict(schema.root, value, at, schema.availability);
    }

    /// `inherited`: the `supportedOS` in force for the dictionary's keys.
    fn dict(
        &mut self,
        schema: &'static DictSchema,
        value: &'v Value,
        at: &Location<'_>,
        inherited: &[Availability],
    ) {
        let Value::Dictionary(dictionary) = value else {
            let message = format!("expected a <dictionary>, found {}", type_name(value));
            return self.report(at, Severity::Error, "type", message);
        };
        // The profile's keys, each found in the schema by name (keys the
        // schema does not name are kept, not checked), then visited in the
        // schema's order, which findings follow.
        let written = schema.arrange(dictionary);
        for (key, written) in schema.keys.iter().zip(&written) {
            let key_at = at.key(key.key);
            match written {
                None if key.required => match key.tolerated {
                    None => {
                        let message = format!("the required key `{}` is missing", key.key);
                        self.report(&key_at, Severity::Error, "required", message);
                    }
                    Some(reason) => {
                        let message = format!(
                            "`{}` is missing; Apple documents it as required, but {reason}",
                            key.key
                        );
                        self.report(&key_at, Severity::Warning, "required", message);
                    }
                },
                None => {}
                Some(value) => {
                    self.key(key, value, &key_at, inherited);
                    if let Some(contents) = key.contents {
                        let moment = self.moment;
                        for finding in crate::contents::check(contents, value, dictionary, moment) {
                            self.report(&key_at, finding.severity, finding.code, finding.message);
                        }
                    }
                    if let ValueKind::TypedBy(by) = key.value.kind {
                        self.typed_by(by, dictionary, value, &key_at);
                    }
                }
            }
        }
        let keys = rules::Keys::found(dictionary, schema, &written);
        for rule in schema.rules {
            self.rule(rule, keys, at);
        }
    }

    fn key(
        &mut self,
        key: &'static KeySchema,
        value: &'v Value,
        at: &Location<'_>,
        inherited: &[Availability],
    ) {
        // A key's own `supportedOS` overrides what it inherits, per OS and
        // per field (Apple's rule), on whichever path it is reached. Only a
        // target reads it: without one it is not worked out.
        let availability: std::borrow::Cow<'_, [Availability]> =
            if key.availability.is_empty() || self.target.is_none() {
                std::borrow::Cow::Borrowed(inherited)
            } else {
                std::borrow::Cow::Owned(Availability::inherit(key.availability, inherited))
            };
        if let Some(target) = self.target {
            if let Some(problem) = unavailable(&availability, target, Unlisted::Inherited) {
                let message = format!("`{}` {problem}; the device ignores it", key.key);
                self.report(at, Severity::Warning, "unavailable", message);
            }
            for values in key
                .platform_values
                .iter()
                .filter(|values| values.platform == target.platform)
            {
                let items: Vec<&Value> = match value {
                    Value::Array(items) => items.iter().collect(),
                    other => vec![other],
                };
                for item in items {
                    if !values
                        .allowed
                        .iter()
                        .any(|allowed| literal_matches(allowed, item))
                    {
                        let message = format!(
                            "{} is not accepted on {}: only {} is",
                            shown(item, key.sensitive),
                            values.platform.name(),
                            format_list(values.allowed)
                        );
                        self.report(at, Severity::Error, "platform-value", message);
                    }
                }
            }
            for limit in key
                .platform_limits
                .iter()
                .filter(|limit| limit.platform == target.platform)
            {
                if let Some(actual) = number(value) {
                    let below = limit.min.is_some_and(|min| actual < min);
                    let above = limit.max.is_some_and(|max| actual > max);
                    if below || above {
                        let bound = bounds(limit.min, limit.max);
                        let message = format!(
                            "{} is out of range on {}: it must be {bound}",
                            shown(value, key.sensitive),
                            limit.platform.name()
                        );
                        self.report(at, Severity::Error, "platform-range", message);
                    }
                }
            }
        }
        if let Some(types) = key.references {
            match value {
                Value::String(uuid) => self.references.push((at.path(), uuid, types)),
                Value::Array(items) => {
                    for (index, item) in items.iter().enumerate() {
                        if let Value::String(uuid) = item {
                            let item_path = at.item(index).path();
                            self.references.push((item_path, uuid, types));
                        }
                    }
                }
                _ => {}
            }
        }
        let before = self.diagnostics.len();
        self.value(&key.value, value, at, key.sensitive, &availability);
        // A value devices accept although the documentation rules it out.
        if let Some(reason) = key.tolerated
            && self.diagnostics.len() > before
        {
            let path = at.path();
            for finding in &mut self.diagnostics[before..] {
                if finding.path == path && finding.code == "rangelist" {
                    finding.severity = Severity::Warning;
                    finding.message = format!(
                        "{}; Apple documents only these, but {reason}",
                        finding.message
                    );
                }
            }
        }
    }

    fn value(
        &mut self,
        schema: &'static ValueSchema,
        value: &'v Value,
        at: &Location<'_>,
        sensitive: bool,
        inherited: &[Availability],
    ) {
        if !self.kind(schema, value, at) {
            return;
        }
        if !schema.allowed.is_empty()
            && matches!(
                value,
                Value::String(_) | Value::Integer(_) | Value::Real(_) | Value::Boolean(_)
            )
            && !matches!(schema.kind, ValueKind::IntegerFlag)
            && !schema
                .allowed
                .iter()
                .any(|literal| literal_matches(literal, value))
        {
            let allowed = format_list(schema.allowed);
            let shown = shown(value, sensitive);
            match schema
                .retired
                .iter()
                .find(|retired| literal_matches(&retired.value, value))
            {
                Some(retired) => {
                    let message = format!(
                        "{shown} is no longer supported: {}; allowed: {allowed}",
                        retired_in(retired)
                    );
                    self.report(at, Severity::Error, "retired-value", message);
                }
                None => {
                    let message = format!("{shown} is not an allowed value; allowed: {allowed}");
                    self.report(at, Severity::Error, "rangelist", message);
                }
            }
        }
        if let Some(actual) =
            number(value).filter(|_| !matches!(schema.kind, ValueKind::IntegerFlag))
        {
            let below = schema.min.is_some_and(|min| actual < min);
            let above = schema.max.is_some_and(|max| actual > max);
            if below || above {
                let bound = bounds(schema.min, schema.max);
                let message = format!(
                    "{} is out of range: it must be {bound}",
                    shown(value, sensitive)
                );
                self.report(at, Severity::Error, "range", message);
            }
        }
        if let Value::String(text) = value {
            if let Some(pattern) = schema.pattern
                && !crate::pattern::full_match(pattern, text)
            {
                let message = format!(
                    "{} does not match the required format `{pattern}`",
                    shown(value, sensitive)
                );
                self.report(at, Severity::Error, "format", message);
            }
            if let Some(format) = schema.format
                && !format.accepts(text)
            {
                let message = format!(
                    "{} is not {}",
                    shown(value, sensitive),
                    format.description()
                );
                self.report(at, Severity::Warning, "valuetype", message);
            }
        }
        match (&schema.kind, value) {
            (ValueKind::Array(item), Value::Array(items)) => {
                let count = items.len() as u64;
                let few = schema.min_items.is_some_and(|min| count < min);
                let many = schema.max_items.is_some_and(|max| count > max);
                if few || many {
                    let bound = bounds(schema.min_items, schema.max_items);
                    let message = format!("the array holds {count} items; it may hold {bound}");
                    self.report(at, Severity::Error, "repetition", message);
                }
                for (index, element) in items.iter().enumerate() {
                    self.value(item, element, &at.item(index), sensitive, inherited);
                }
            }
            (ValueKind::Map(item), Value::Dictionary(entries)) => {
                for (key, element) in entries {
                    self.value(item, element, &at.key(key), sensitive, inherited);
                }
            }
            (ValueKind::Dict(dict), _) => self.dict(dict, value, at, inherited),
            (ValueKind::Payloads, Value::Array(items)) => {
                for (index, item) in items.iter().enumerate() {
                    let item_at = at.item(index);
                    let payload_type = match item {
                        Value::Dictionary(dictionary) => {
                            dictionary.get("PayloadType").and_then(Value::as_string)
                        }
                        other => {
                            let message = format!(
                                "a payload must be a <dictionary>, found {}",
                                type_name(other)
                            );
                            self.report(&item_at, Severity::Error, "type", message);
                            continue;
                        }
                    };
                    match payload_type.and_then(|kind| self.lookup.schema_for(kind)) {
                        Some(schema) => self.payload(schema, item, &item_at),
                        None => {
                            // An unknown payload type: only the common keys
                            // can be checked.
                            if let Value::Dictionary(dictionary) = item {
                                if let Some(uuid) =
                                    dictionary.get("PayloadUUID").and_then(Value::as_string)
                                {
                                    self.uuids.push((
                                        item_at.key("PayloadUUID").path(),
                                        uuid,
                                        payload_type.unwrap_or_default(),
                                    ));
                                }
                                match payload_type {
                                    None => {
                                        let message = "the payload has no `PayloadType`".to_owned();
                                        self.report(
                                            &item_at.key("PayloadType"),
                                            Severity::Error,
                                            "required",
                                            message,
                                        );
                                    }
                                    Some(kind) => {
                                        let message = format!(
                                            "{}: the payload is kept as read, but not checked",
                                            self.lookup.unchecked_because(kind)
                                        );
                                        self.report(
                                            &item_at,
                                            Severity::Info,
                                            UNKNOWN_PAYLOAD_TYPE,
                                            message,
                                        );
                                    }
                                }
                            }
                        }
                    }
                }
            }
            _ => {}
        }
    }

    /// A dictionary whose schema its sibling `by` names (a declaration's
    /// payload): checked against that schema, or reported as not checked.
    fn typed_by(
        &mut self,
        by: &str,
        parent: &plist::Dictionary,
        value: &'v Value,
        at: &Location<'_>,
    ) {
        if !matches!(value, Value::Dictionary(_)) {
            return; // its type was reported
        }
        let Some(kind) = parent.get(by).and_then(Value::as_string) else {
            return; // the missing or mistyped key is reported where it stands
        };
        match self.lookup.schema_for(kind) {
            Some(schema) => self.payload(schema, value, at),
            None => {
                let message = format!(
                    "`{by}`: {}: the value is kept as read, but not checked",
                    self.lookup.unchecked_because(kind)
                );
                self.report(at, Severity::Info, "unknown-type", message);
            }
        }
    }

    /// Checks the value's plist type against the schema's; returns whether
    /// the value's contents can be checked further.
    fn kind(&mut self, schema: &'static ValueSchema, value: &Value, at: &Location<'_>) -> bool {
        let expected = schema.kind.name();
        if schema.kind.fits(value) {
            if matches!(schema.kind, ValueKind::IntegerFlag)
                && !matches!(number(value), Some(0.0 | 1.0))
            {
                let message = format!("{} is not 0 or 1", shown(value, false));
                self.report(at, Severity::Error, "rangelist", message);
            }
            return true;
        }
        if schema.kind.coerce(value).is_some() {
            self.diagnostics
                .push(coerced(&at.path(), value, &schema.kind));
            return true;
        }
        let message = format!("expected {expected}, found {}", type_name(value));
        self.report(at, Severity::Error, "type", message);
        false
    }

    /// Where `when` holds and `check` does not: a finding at the rule's
    /// `at`, or at each value the check blames, or at the dictionary.
    fn rule(&mut self, rule: &'static Rule, keys: rules::Keys<'_>, at: &Location<'_>) {
        let applies = rule
            .when
            .as_ref()
            .is_none_or(|when| rules::holds(when, keys));
        if !applies {
            return;
        }
        let Some(culprits) = rules::failures(&rule.check, keys) else {
            return;
        };
        let under = |keys: &[&str]| keys.iter().fold(at.path(), |path, key| join(&path, key));
        if !rule.at.is_empty() || culprits.is_empty() {
            let message = rules::message(rule, culprits.first());
            return self.report_path(under(rule.at), rule.severity, rule.code, message);
        }
        for culprit in &culprits {
            let message = rules::message(rule, Some(culprit));
            self.report_path(under(culprit.path.keys), rule.severity, rule.code, message);
        }
    }

    fn check_references(&mut self) {
        let mut seen: BTreeMap<&str, &str> = BTreeMap::new();
        let mut duplicates = Vec::new();
        for (path, uuid, _) in &self.uuids {
            let first = *seen.entry(uuid).or_insert(path);
            if first != path {
                let first = if first == "PayloadUUID" {
                    "the profile's own PayloadUUID"
                } else {
                    first
                };
                duplicates.push((path.clone(), format!(
                    "`{uuid}` is also the PayloadUUID at {first}; every PayloadUUID of a profile must be unique"
                )));
            }
        }
        for (path, message) in duplicates {
            self.report_path(path, Severity::Error, "duplicate-uuid", message);
        }
        let references = std::mem::take(&mut self.references);
        for (path, uuid, types) in references {
            let target = self
                .uuids
                .iter()
                .find(|(_, candidate, _)| *candidate == uuid);
            let wanted = one_of_types(types);
            let message = match target {
                None => format!(
                    "no payload of this profile has the PayloadUUID `{uuid}`; it must name {wanted}"
                ),
                Some((_, _, payload_type)) if !types.contains(payload_type) => format!(
                    "`{uuid}` is the PayloadUUID of a `{payload_type}` payload; it must name {wanted}"
                ),
                Some(_) => continue,
            };
            self.report_path(path, Severity::Error, "reference", message);
        }
    }
}

/// "removed in iOS 10.0 and macOS 10.12".
fn retired_in(retired: &RetiredValue) -> String {
    let releases: Vec<String> = retired
        .removed
        .iter()
        .filter_map(|entry| {
            let version = entry.removed?;
            Some(format!("{} {version}", entry.platform.name()))
        })
        .collect();
    match releases.as_slice() {
        [] => "Apple has removed it".to_owned(),
        [only] => format!("removed in {only}"),
        [rest @ .., last] => format!("removed in {} and {last}", rest.join(", ")),
    }
}

/// "a `com.apple.security.root` payload", "a `A`, `B` or `C` payload".
fn one_of_types(types: &[&str]) -> String {
    let quoted: Vec<String> = types.iter().map(|kind| format!("`{kind}`")).collect();
    match quoted.as_slice() {
        [] => "a payload".to_owned(),
        [only] => format!("a {only} payload"),
        [rest @ .., last] => format!("a {} or {last} payload", rest.join(", ")),
    }
}

/// What an OS missing from a `supportedOS` list means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Unlisted {
    /// A payload's list names the OSes that have it.
    NotAvailable,
    /// A key's list is what it inherits, overridden; silence says nothing.
    Inherited,
}

/// Why something is not available on the target, if it is not.
fn unavailable(
    availability: &[Availability],
    target: &Target,
    unlisted: Unlisted,
) -> Option<String> {
    let platform = target.platform.name();
    let Some(entry) = availability
        .iter()
        .find(|entry| entry.platform == target.platform)
    else {
        return (unlisted == Unlisted::NotAvailable && !availability.is_empty())
            .then(|| format!("is not available on {platform}"));
    };
    let introduced = match entry.introduced {
        Introduced::NotAvailable => return Some(format!("is not available on {platform}")),
        Introduced::Since(version) => Some(version),
        Introduced::Unstated => None,
    };
    let version = target.version.as_ref()?;
    if let Some(since) = introduced.and_then(Version::parse)
        && *version < since
    {
        return Some(format!(
            "needs {platform} {since} or later (the target is {version})"
        ));
    }
    if let Some(removed) = entry.removed.and_then(Version::parse)
        && *version >= removed
    {
        return Some(format!(
            "was removed in {platform} {removed} (the target is {version})"
        ));
    }
    None
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_type_left_out_by_a_feature_says_which_feature() {
        let lookup = PayloadLookup {
            schema: |_| None,
            feature: |kind| (kind == "com.apple.vpn.managed").then_some("vpn_managed"),
        };
        let left_out = lookup.unchecked_because("com.apple.vpn.managed");
        assert!(left_out.contains("`vpn_managed` feature"), "{left_out}");
        let unknown = lookup.unchecked_because("com.example.custom");
        assert!(unknown.contains("do not describe"), "{unknown}");
    }

    use super::*;
    use crate::schema::{Format, KeySchema};

    static DIGITS: ValueSchema = ValueSchema {
        pattern: Some("[0-9]{3}"),
        ..ValueSchema::of(ValueKind::String)
    };
    static TABLE: DictSchema = DictSchema {
        name: "Table",
        keys: &[
            KeySchema::required(
                "Code",
                ValueSchema {
                    pattern: Some("[A-Z]{2}[0-9]{2}"),
                    ..ValueSchema::of(ValueKind::String)
                },
                &[],
            ),
            KeySchema::optional(
                "Id",
                ValueSchema {
                    format: Some(Format::Uuid),
                    ..ValueSchema::of(ValueKind::String)
                },
                &[],
            ),
            KeySchema::optional("Items", ValueSchema::of(ValueKind::Array(&DIGITS)), &[]),
            KeySchema::optional(
                "Ratio",
                ValueSchema {
                    min: Some(0.0),
                    max: Some(1.0),
                    ..ValueSchema::of(ValueKind::Real)
                },
                &[],
            ),
        ],
        index: &[3, 0, 0, 1, 0, 2, 0, 4],
        rules: &[],
    };
    static PAYLOAD: PayloadSchema = PayloadSchema {
        payload_type: "com.example.table",
        title: "Table",
        availability: &[],
        root: &TABLE,
    };

    fn findings(entries: &[(&str, Value)]) -> Vec<(String, String)> {
        let dictionary: plist::Dictionary = entries
            .iter()
            .map(|(key, value)| ((*key).to_owned(), value.clone()))
            .collect();
        validate_payload(
            &PAYLOAD,
            PayloadLookup::NONE,
            &Value::Dictionary(dictionary),
            None,
        )
        .into_iter()
        .map(|diagnostic| (diagnostic.path, diagnostic.code))
        .collect()
    }

    #[test]
    fn patterns_formats_items_and_ranges_are_checked() {
        let found = findings(&[
            ("Code", Value::String("AB1".into())),
            ("Id", Value::String("not-a-uuid".into())),
            (
                "Items",
                Value::Array(vec![
                    Value::String("123".into()),
                    Value::String("12a".into()),
                ]),
            ),
            ("Ratio", Value::Real(1.5)),
        ]);
        let expected = [
            ("Code", "format"),
            ("Id", "valuetype"),
            ("Items[1]", "format"),
            ("Ratio", "range"),
        ];
        let expected: Vec<(String, String)> = expected
            .iter()
            .map(|(path, code)| ((*path).to_owned(), (*code).to_owned()))
            .collect();
        assert_eq!(found, expected);
        assert!(findings(&[("Code", Value::String("AB12".into()))]).is_empty());
    }

    static SHARED: DictSchema = DictSchema {
        name: "Shared",
        keys: &[KeySchema::optional(
            "Size",
            ValueSchema::of(ValueKind::Integer),
            &[],
        )],
        index: &[0, 1],
        rules: &[],
    };
    static TWO_PATHS: DictSchema = DictSchema {
        name: "TwoPaths",
        keys: &[
            KeySchema::optional(
                "New",
                ValueSchema::of(ValueKind::Dict(&SHARED)),
                &[Availability::since(Platform::MacOs, "15.0")],
            ),
            KeySchema::optional("Old", ValueSchema::of(ValueKind::Dict(&SHARED)), &[]),
        ],
        index: &[1, 0, 0, 2],
        rules: &[],
    };
    static TWO_PATHS_PAYLOAD: PayloadSchema = PayloadSchema {
        payload_type: "com.example.two",
        title: "Two paths",
        availability: &[Availability::since(Platform::MacOs, "10.7")],
        root: &TWO_PATHS,
    };

    #[test]
    fn the_tables_written_here_carry_the_index_the_generator_would() {
        for table in [&TABLE, &SHARED, &TWO_PATHS] {
            let names: Vec<&str> = table.keys.iter().map(|key| key.key).collect();
            assert_eq!(table.index, DictSchema::index_for(&names), "{}", table.name);
        }
    }

    #[test]
    fn a_shared_dictionary_inherits_along_the_path_walked() {
        let size = Value::Dictionary(
            [("Size".to_owned(), Value::Integer(1.into()))]
                .into_iter()
                .collect(),
        );
        let payload = Value::Dictionary(
            [("New".to_owned(), size.clone()), ("Old".to_owned(), size)]
                .into_iter()
                .collect(),
        );
        let target = Target {
            platform: Platform::MacOs,
            version: Version::parse("14.0"),
        };
        let paths: Vec<String> = validate_payload(
            &TWO_PATHS_PAYLOAD,
            PayloadLookup::NONE,
            &payload,
            Some(&target),
        )
        .into_iter()
        .map(|diagnostic| diagnostic.path)
        .collect();
        assert_eq!(paths, ["New", "New.Size"]);
        // A payload that does not list the target's OS is not available there.
        let ios = Target {
            platform: Platform::IOs,
            version: None,
        };
        let codes: Vec<String> = validate_payload(
            &TWO_PATHS_PAYLOAD,
            PayloadLookup::NONE,
            &payload,
            Some(&ios),
        )
        .into_iter()
        .map(|diagnostic| diagnostic.code)
        .collect();
        assert_eq!(codes, ["unsupported-payload"]);
    }

    #[test]
    fn a_wrong_type_is_one_finding_and_stops_there() {
        let found = findings(&[("Code", Value::Integer(12.into()))]);
        assert_eq!(found, [("Code".to_owned(), "type".to_owned())]);
        let found = findings(&[]);
        assert_eq!(found, [("Code".to_owned(), "required".to_owned())]);
    }

    #[test]
    fn versions_compare_numerically() {
        let parse = |text| Version::parse(text).unwrap();
        assert!(parse("10.15") > parse("10.9"));
        assert_eq!(parse("17.0"), parse("17"));
        assert!(parse("17.4") < parse("18"));
        assert_eq!(Version::parse("n/a"), None);
    }
}
