//! The words for every key, type and payload, written once: each rendering
//! (rustdoc, the Markdown reference, JSON Schema descriptions) shows these
//! facts in these words, and differs only in layout and in how it links to
//! a type.

use crate::ir::{
    Availability, ConditionSpec, ContentsSpec, Field, Module, Repetition, Rule, Scalar, Shape,
    ShownAvailability, TypeDef, TypeKind, Value,
};
use crate::schema::Introduced;

/// Schema prose made safe for rustdoc and Markdown: lines trimmed (an
/// indented line would become a code block), brackets escaped (they would
/// become links), bare URLs wrapped in `<…>`, HTML-looking text escaped.
pub fn sanitize(text: &str) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    for line in text.lines().map(str::trim).filter(|line| !line.is_empty()) {
        let mut sanitized = String::with_capacity(line.len() + line.len() / 8);
        for (index, word) in line.split(' ').enumerate() {
            if index > 0 {
                sanitized.push(' ');
            }
            sanitize_word(word, &mut sanitized);
        }
        // Apple's line breaks separate paragraphs; list items stay together.
        let in_list =
            is_list_item(&sanitized) && lines.last().is_some_and(|previous| is_list_item(previous));
        if !lines.is_empty() && !in_list {
            lines.push(String::new());
        }
        lines.push(sanitized);
    }
    lines
}

fn is_list_item(line: &str) -> bool {
    line.starts_with("* ") || line.starts_with("- ")
}

/// Appends `word` to `out`, made safe.
fn sanitize_word(word: &str, out: &mut String) {
    if word == "*" {
        out.push_str(word); // a list bullet
        return;
    }
    // (The colon test first: most words have none, and it is cheap.)
    let url_start = || word.find("https://").or_else(|| word.find("http://"));
    let Some(start) = word.contains(':').then(url_start).flatten() else {
        escape(word, out);
        return;
    };
    // A URL becomes an autolink; text around it (quotes, brackets, a full
    // stop) stays outside.
    let (before, rest) = word.split_at(start);
    let end = rest
        .find(['\'', '"', '(', ')', '<', '>', '[', ']'])
        .unwrap_or(rest.len());
    let (url, after) = rest.split_at(end);
    let bare = url.trim_end_matches(['.', ',', ';', ':', '!', '?']);
    let trailing = &url[bare.len()..];
    escape(before, out);
    out.push('<');
    out.push_str(bare);
    out.push('>');
    escape(trailing, out);
    sanitize_word(after, out);
}

/// Appends `text` to `out`, escaping what Markdown would read as links,
/// HTML, code or emphasis.
fn escape(text: &str, out: &mut String) {
    for c in text.chars() {
        if matches!(c, '[' | ']' | '<' | '>' | '`' | '*') {
            out.push('\\');
        }
        out.push(c);
    }
}

/// How a rendering refers to a generated type in running text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Links {
    /// Rustdoc intra-doc links: ``[`IkeV2`]``.
    Rustdoc,
    /// The Markdown reference: a link to the dictionary's section.
    Markdown,
    /// Plain text (JSON Schema descriptions): the name in backticks.
    Plain,
}

impl Links {
    fn to_type(self, def: &TypeDef) -> String {
        match (self, &def.kind) {
            (Links::Rustdoc, _) => format!("[`{}`]", def.name),
            (Links::Markdown, TypeKind::Struct(_)) => format!("[{}](#{})", def.name, anchor(def)),
            (Links::Markdown | Links::Plain, _) => format!("`{}`", def.name),
        }
    }

    fn to_payloads(self) -> &'static str {
        match self {
            Links::Rustdoc => "array of payloads ([`Payload`](crate::Payload))",
            Links::Markdown | Links::Plain => "array of payloads",
        }
    }

    fn to_declaration_payload(self) -> &'static str {
        match self {
            Links::Rustdoc => "the payload of the declaration's `Type` ([`DeclarationPayload`])",
            Links::Markdown | Links::Plain => "the payload of the declaration's `Type`",
        }
    }
}

/// The anchor of a dictionary's section in the Markdown reference.
pub fn anchor(def: &TypeDef) -> String {
    def.name.to_lowercase()
}

/// What a value is: "integer", "array of string", ``string ([`VpnType`])``,
/// ``[`IkeV2`]``.
pub fn type_words(module: &Module, value: &Value, links: Links) -> String {
    match &value.shape {
        Shape::String => "string".to_owned(),
        Shape::Integer => "integer".to_owned(),
        Shape::Real => "real number".to_owned(),
        Shape::Boolean => "boolean".to_owned(),
        Shape::IntegerFlag => "integer flag (0 or 1)".to_owned(),
        Shape::Date => "date".to_owned(),
        Shape::Data => "data".to_owned(),
        Shape::Any => "any value".to_owned(),
        Shape::Map(item) => format!("dictionary of {}", type_words(module, item, links)),
        Shape::Array(item) => format!("array of {}", type_words(module, item, links)),
        Shape::Struct(id) => links.to_type(module.get(*id)),
        Shape::Enum(id) => format!("string ({})", links.to_type(module.get(*id))),
        Shape::Payloads => links.to_payloads().to_owned(),
        Shape::DeclarationType => "string: the type of the declaration's payload".to_owned(),
        Shape::DeclarationPayload => links.to_declaration_payload().to_owned(),
    }
}

/// One fact about a key: "Default: `1400`".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fact {
    pub kind: FactKind,
    /// The fact without its label: "`1400`".
    pub text: String,
}

/// What a fact is about; its label in every rendering.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FactKind {
    Value,
    Allowed,
    /// A value Apple no longer accepts.
    Retired,
    Range,
    Default,
    Items,
    /// What each item of an array (or value of a map) may be.
    EachItem,
    Format,
    Pattern,
    PlatformLimit(crate::ir::Platform),
    References,
    /// What a `<data>` key's bytes hold.
    Contents,
    /// Where devices accept less than Apple documents.
    Tolerated,
    Availability,
    Sensitive,
    /// What the documentation says that no profile check can verify.
    NotChecked,
}

impl FactKind {
    pub fn label(self) -> String {
        match self {
            FactKind::Value => "Value".to_owned(),
            FactKind::Allowed => "Allowed values".to_owned(),
            FactKind::Retired => "No longer accepted".to_owned(),
            FactKind::Range => "Range".to_owned(),
            FactKind::Default => "Default".to_owned(),
            FactKind::Items => "Items".to_owned(),
            FactKind::EachItem => "Each item".to_owned(),
            FactKind::Format => "Format".to_owned(),
            FactKind::Pattern => "Pattern".to_owned(),
            FactKind::PlatformLimit(platform) => format!("On {}", platform.name()),
            FactKind::References => "Refers to".to_owned(),
            FactKind::Contents => "Holds".to_owned(),
            FactKind::Tolerated => "In practice".to_owned(),
            FactKind::Availability => "Availability".to_owned(),
            FactKind::Sensitive => "Sensitive".to_owned(),
            FactKind::NotChecked => "Also".to_owned(),
        }
    }

    /// Facts that constrain the value itself (the Markdown reference puts
    /// them in its "allowed" column).
    pub fn is_constraint(self) -> bool {
        matches!(
            self,
            FactKind::Value
                | FactKind::Allowed
                | FactKind::Range
                | FactKind::Items
                | FactKind::EachItem
                | FactKind::Format
                | FactKind::Pattern
        )
    }
}

impl Fact {
    fn new(kind: FactKind, text: String) -> Self {
        Fact { kind, text }
    }

    /// The fact as a sentence: "Default: `1400`."
    pub fn sentence(&self) -> String {
        format!("{}: {}.", self.kind.label(), self.text)
    }
}

/// Everything said about a key beyond its name, type and prose, in the
/// order every rendering shows it.
pub fn key_facts(field: &Field) -> Vec<Fact> {
    let mut facts = Vec::new();
    if let Some(fixed) = &field.fixed {
        facts.push(Fact::new(
            FactKind::Value,
            format!("always {}", literal(fixed)),
        ));
        facts.extend(
            value_facts(&field.value)
                .into_iter()
                .filter(|fact| fact.kind != FactKind::Allowed),
        );
    } else {
        facts.extend(value_facts(&field.value));
    }
    for limit in &field.platform_limits {
        facts.push(Fact::new(
            FactKind::PlatformLimit(limit.platform),
            bounds_words(limit.bounds.min, limit.bounds.max),
        ));
    }
    for (platform, values) in &field.platform_values {
        let values: Vec<String> = values.iter().map(literal).collect();
        facts.push(Fact::new(
            FactKind::PlatformLimit(*platform),
            format!("only {}", values.join(", ")),
        ));
    }
    if let Some(types) = &field.references {
        facts.push(Fact::new(
            FactKind::References,
            format!(
                "the `PayloadUUID` of a {} payload of the same profile",
                either(types)
            ),
        ));
    }
    if let Some(reason) = &field.tolerated {
        facts.push(Fact::new(
            FactKind::Tolerated,
            format!(
                "a missing key or a value outside the list is a warning, not an error: {}",
                reason.trim().trim_end_matches('.')
            ),
        ));
    }
    if let Some(contents) = &field.contents {
        let text = match contents {
            ContentsSpec::Certificate(form) => format!(
                "one X.509 certificate as {} (read and checked by the validators)",
                form.name()
            ),
            ContentsSpec::Pkcs12 {
                password: Some(key),
            } => format!(
                "a PKCS#12 identity; the validators open it with `{key}` when the payload has it"
            ),
            ContentsSpec::Pkcs12 { password: None } => {
                "a PKCS#12 identity (its structure is checked)".to_owned()
            }
        };
        facts.push(Fact::new(FactKind::Contents, text));
    }
    for statement in &field.docs.unchecked {
        facts.push(Fact::new(
            FactKind::NotChecked,
            format!(
                "{} (not checked: {})",
                statement.says.trim().trim_end_matches('.'),
                statement.reason.trim().trim_end_matches('.')
            ),
        ));
    }
    if let Some(text) = shown_availability(field) {
        facts.push(Fact::new(FactKind::Availability, text));
    }
    if field.sensitive {
        facts.push(Fact::new(
            FactKind::Sensitive,
            "the value is a secret and is never shown in findings".to_owned(),
        ));
    }
    facts
}

/// "`A`", "`A` or `B`", "`A`, `B` or `C`".
fn either(items: &[String]) -> String {
    let quoted: Vec<String> = items.iter().map(|item| format!("`{item}`")).collect();
    match quoted.as_slice() {
        [rest @ .., last] if !rest.is_empty() => format!("{} or {last}", rest.join(", ")),
        _ => quoted.join(""),
    }
}

/// What the schema says a value may be: its allowed values, range, default,
/// item count, format and pattern, and for an array or a map, what each item
/// may be.
fn value_facts(value: &Value) -> Vec<Fact> {
    let constraints = &value.constraints;
    let mut facts = Vec::new();
    if !constraints.allowed.is_empty() {
        let values: Vec<String> = constraints.allowed.iter().map(literal).collect();
        facts.push(Fact::new(FactKind::Allowed, values.join(", ")));
    }
    if let Some(bounds) = constraints.bounds
        && (bounds.min.is_some() || bounds.max.is_some())
    {
        facts.push(Fact::new(
            FactKind::Range,
            bounds_words(bounds.min, bounds.max),
        ));
    }
    for retired in &constraints.retired {
        let releases: Vec<String> = retired
            .removed
            .iter()
            .map(|(platform, version)| format!("{} {version}", platform.name()))
            .collect();
        facts.push(Fact::new(
            FactKind::Retired,
            format!(
                "{}, removed in {}",
                literal(&retired.value),
                releases.join(", ")
            ),
        ));
    }
    if let Some(default) = &constraints.default {
        let text = match (&value.shape, default) {
            (Shape::IntegerFlag, Scalar::Integer(flag)) => {
                format!("{} ({})", literal(default), *flag == 1)
            }
            _ => literal(default),
        };
        facts.push(Fact::new(FactKind::Default, text));
    }
    if let Some(repetition) = constraints.repetition {
        facts.push(Fact::new(FactKind::Items, items_words(repetition)));
    }
    if let Some(format) = constraints.format {
        facts.push(Fact::new(FactKind::Format, format.description().to_owned()));
    }
    if let Some(pattern) = &constraints.pattern {
        facts.push(Fact::new(
            FactKind::Pattern,
            format!("matches `{}`", pattern.written),
        ));
    }
    if let Shape::Array(item) | Shape::Map(item) = &value.shape {
        let each: Vec<String> = value_facts(item)
            .into_iter()
            .filter(|fact| fact.kind != FactKind::Default)
            .map(|fact| match fact.kind {
                FactKind::Items => format!("holds {} items", fact.text),
                FactKind::EachItem => format!("each of its items: {}", fact.text),
                kind => format!("{} {}", kind.label().to_lowercase(), fact.text),
            })
            .collect();
        if !each.is_empty() {
            facts.push(Fact::new(FactKind::EachItem, each.join("; ")));
        }
    }
    facts
}

/// The availability a key's documentation shows, in words.
fn shown_availability(field: &Field) -> Option<String> {
    match field.shown_availability.as_ref()? {
        ShownAvailability::InForce(availability) => availability_words(availability),
        ShownAvailability::Own(availability) => availability_words(availability).map(|words| {
            format!("{words} (its own; otherwise as the key the dictionary is reached through)")
        }),
    }
}

/// "exactly 2", "1 to 4": how many items an array holds.
pub fn items_words(repetition: Repetition) -> String {
    if repetition.min == repetition.max {
        format!("exactly {}", repetition.min)
    } else {
        format!("{} to {}", repetition.min, repetition.max)
    }
}

/// "at least 20", "1280 to 1400".
pub fn bounds_words(min: Option<f64>, max: Option<f64>) -> String {
    match (min, max) {
        (Some(min), Some(max)) => format!("{min} to {max}"),
        (Some(min), None) => format!("at least {min}"),
        (None, Some(max)) => format!("at most {max}"),
        (None, None) => "any".to_owned(),
    }
}

/// A value as the documentation shows it: `1400`, `Certificate`, the empty
/// string.
pub fn literal(value: &Scalar) -> String {
    match value {
        Scalar::String(text) if text.is_empty() => "the empty string".to_owned(),
        other => format!("`{other}`"),
    }
}

/// "iOS 9.0+, macOS 10.7+; not available on watchOS".
pub fn availability_words(availability: &[Availability]) -> Option<String> {
    if availability.is_empty() {
        return None;
    }
    let mut available = Vec::new();
    let mut unavailable = Vec::new();
    for entry in availability {
        let name = entry.platform.name();
        match &entry.introduced {
            Introduced::NotAvailable => unavailable.push(name.to_owned()),
            Introduced::Since(_) | Introduced::Unstated => {
                let mut text = match &entry.introduced {
                    Introduced::Since(version) => format!("{name} {version}+"),
                    _ => name.to_owned(),
                };
                if let Some(deprecated) = &entry.deprecated {
                    text.push_str(&format!(" (deprecated in {deprecated})"));
                }
                if let Some(removed) = &entry.removed {
                    text.push_str(&format!(" (removed in {removed})"));
                }
                available.push(text);
            }
        }
    }
    let mut words = available.join(", ");
    if !unavailable.is_empty() {
        if !words.is_empty() {
            words.push_str("; ");
        }
        words.push_str(&format!("not available on {}", unavailable.join(", ")));
    }
    Some(words)
}

/// The sentence on a dictionary's availability, when it says more than the
/// payload's (its keys do not repeat it).
pub fn type_availability(def: &TypeDef) -> Option<String> {
    let words = availability_words(def.shown_availability.as_deref()?)?;
    Some(format!("Availability: {words}."))
}

/// The sentences that place a type: where it is reached and what the schema
/// calls it.
pub fn type_placement(def: &TypeDef) -> Vec<String> {
    let at = |path: &[String]| format!("`{}`", path.join(" › "));
    let mut sentences = vec![match &def.kind {
        TypeKind::Struct(_) => format!("The dictionary at {}.", at(&def.origin)),
        TypeKind::Enum(_) => format!("The allowed values of {}.", at(&def.origin)),
    }];
    if !def.also_at.is_empty() {
        let others: Vec<String> = def.also_at.iter().map(|path| at(path)).collect();
        sentences.push(format!("Also at {}.", others.join(", ")));
    }
    if let Some(subkeytype) = &def.subkeytype {
        sentences.push(format!(
            "The schema names this shape `{subkeytype}` (its `subkeytype`)."
        ));
    }
    sentences
}

/// The prose of a key or type made safe for Markdown and rustdoc: its
/// description, or else its title and where Apple describes it.
pub fn prose(docs: &crate::ir::Docs) -> Vec<String> {
    match docs.description.as_deref().map(str::trim) {
        Some(text) if !text.is_empty() => sanitize(text),
        _ => {
            let mut lines: Vec<String> = docs
                .title
                .as_deref()
                .map(|title| sanitize(title).join(" "))
                .into_iter()
                .collect();
            if let Some(reference) = reference(docs) {
                if !lines.is_empty() {
                    lines.push(String::new());
                }
                lines.push(reference);
            }
            lines
        }
    }
}

/// The prose as written, for formats that take plain text.
pub fn plain_prose(docs: &crate::ir::Docs) -> Option<String> {
    match docs.description.as_deref().map(str::trim) {
        Some(text) if !text.is_empty() => Some(text.to_owned()),
        _ => {
            let parts: Vec<String> = docs.title.iter().cloned().chain(reference(docs)).collect();
            (!parts.is_empty()).then(|| parts.join("\n\n"))
        }
    }
}

/// Where Apple's documentation describes what the project has not yet
/// described in its own words.
pub fn reference(docs: &crate::ir::Docs) -> Option<String> {
    let path = docs.described_elsewhere.as_ref()?;
    let path: Vec<String> = path.iter().map(|key| format!("`{key}`")).collect();
    Some(format!(
        "Described in Apple's device-management documentation ({}).",
        path.join(" › ")
    ))
}

/// A rule in words: "**error** `code`: When …: …. Message".
pub fn rule_line(rule: &Rule) -> String {
    let words = Words(rule);
    let when = rule
        .when
        .as_ref()
        .map(|when| format!("When {}: ", words.condition(when)))
        .unwrap_or_default();
    // The message's stand-ins for the value a finding blames.
    let message = rule
        .message
        .trim()
        .replace("{key}", "`<key>`")
        .replace("{value}", "`<value>`");
    format!(
        "**{}** `{}`: {when}{}. {message}",
        rule.severity.name(),
        rule.code,
        words.condition(&rule.check),
    )
}

/// A rule's conditions in plain words, with the defaults its comparisons
/// read.
struct Words<'a>(&'a Rule);

impl Words<'_> {
    /// "`Key`", or "`Key` (default `AES-256`)" for a compared key.
    fn key(&self, path: &[String], compared: bool) -> String {
        let name = format!("`{}`", path.join("."));
        match self.0.defaults.get(path) {
            Some(default) if compared => format!("{name} (default {})", literal(default)),
            _ => name,
        }
    }

    fn list(values: &[Scalar]) -> String {
        values.iter().map(literal).collect::<Vec<_>>().join(", ")
    }

    fn condition(&self, condition: &ConditionSpec) -> String {
        match condition {
            ConditionSpec::Present(path) => format!("{} is present", self.key(path, false)),
            ConditionSpec::Absent(path) => format!("{} is absent", self.key(path, false)),
            ConditionSpec::Equals(path, value) => {
                format!("{} is {}", self.key(path, true), literal(value))
            }
            ConditionSpec::OneOf(path, values) => format!(
                "{}, if set, is one of {}",
                self.key(path, true),
                Self::list(values)
            ),
            ConditionSpec::NoneOf(path, values) => format!(
                "{}, if set, is none of {}",
                self.key(path, true),
                Self::list(values)
            ),
            ConditionSpec::AtLeast(path, bound) => {
                format!("{}, if set, is at least {bound}", self.key(path, true))
            }
            ConditionSpec::AtMost(path, bound) => {
                format!("{}, if set, is at most {bound}", self.key(path, true))
            }
            ConditionSpec::RanksAtMost {
                lower,
                upper,
                ranking,
            } => format!(
                "{} ranks no higher than {} in the ranking `{ranking}`",
                self.key(lower, true),
                self.key(upper, true)
            ),
            ConditionSpec::All(conditions) => conditions
                .iter()
                .map(|inner| self.condition(inner))
                .collect::<Vec<_>>()
                .join(" and "),
            ConditionSpec::Any(conditions) => format!(
                "either {}",
                conditions
                    .iter()
                    .map(|inner| self.condition(inner))
                    .collect::<Vec<_>>()
                    .join(" or ")
            ),
            ConditionSpec::Not(inner) => format!("not ({})", self.condition(inner)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_become_autolinks_wherever_they_stand_in_a_word() {
        assert_eq!(
            sanitize("See https://example.com/a."),
            ["See <https://example.com/a>."]
        );
        assert_eq!(
            sanitize("('https://example.com/b')."),
            ["('<https://example.com/b>')."]
        );
        assert_eq!(
            sanitize("(<https://example.com/c>)"),
            ["(\\<<https://example.com/c>\\>)"]
        );
    }

    #[test]
    fn markdown_syntax_in_prose_is_escaped() {
        assert_eq!(
            sanitize("a [b] <c> *.d `e`"),
            ["a \\[b\\] \\<c\\> \\*.d \\`e\\`"]
        );
    }

    #[test]
    fn lines_are_paragraphs_and_list_items_stay_together() {
        assert_eq!(
            sanitize("One.\nTwo:\n* a\n* b\n    Indented."),
            ["One.", "", "Two:", "", "* a", "* b", "", "Indented."]
        );
    }

    #[test]
    fn conditions_read_as_words() {
        let path = |text: &str| text.split('.').map(str::to_owned).collect::<Vec<_>>();
        let rule = Rule {
            code: "example".to_owned(),
            severity: crate::ir::Severity::Error,
            when: None,
            check: ConditionSpec::Present(path("A")),
            message: String::new(),
            at: Vec::new(),
            rankings: Default::default(),
            defaults: [(path("Cipher"), Scalar::String("AES-256".to_owned()))].into(),
        };
        let words = |condition: &ConditionSpec| Words(&rule).condition(condition);
        let condition = ConditionSpec::All(vec![
            ConditionSpec::Present(path("CertificateType")),
            ConditionSpec::Equals(path("ExtendedAuthEnabled"), Scalar::Integer(1)),
        ]);
        assert_eq!(
            words(&condition),
            "`CertificateType` is present and `ExtendedAuthEnabled` is `1`"
        );
        let any = ConditionSpec::Any(vec![
            ConditionSpec::Present(path("A.B")),
            ConditionSpec::Not(Box::new(ConditionSpec::Absent(path("C")))),
        ]);
        assert_eq!(
            words(&any),
            "either `A.B` is present or not (`C` is absent)"
        );
        // A compared key shows the default it reads when absent.
        let compared =
            ConditionSpec::NoneOf(path("Cipher"), vec![Scalar::String("DES".to_owned())]);
        assert_eq!(
            words(&compared),
            "`Cipher` (default `AES-256`), if set, is none of `DES`"
        );
    }
}
