//! The JSON Schema rendering (draft 2020-12): one self-contained schema per
//! payload, and `profile.schema.json` for a whole profile in the JSON form
//! `cargo xtask convert --to json` writes (dates as RFC 3339 strings, data as
//! base64 strings).
//!
//! Everything the schema says that JSON Schema can say is in it; the rest
//! (the facts that need a target platform, the checks across payloads, rules
//! that compare two values, warnings) is kept in `x-` annotations and listed
//! in `docs/json-schema.md`.

use std::collections::BTreeMap;

use serde_json::{Map, Value as Json, json};

use super::GeneratedFile;
use super::facts;
use crate::conventions::{DECLARATION_PAYLOAD_KEY, DECLARATION_TYPE_KEY, PAYLOAD_TYPE};
use crate::ir::{
    Availability, ConditionSpec, Field, Format, Ir, Module, ModuleKind, Rule, Scalar, Severity,
    Shape, ShownAvailability, StructDef, TypeId, TypeKind, Value,
};
use crate::parallel;
use crate::schema::Introduced;

const DRAFT: &str = "https://json-schema.org/draft/2020-12/schema";

/// An RFC 3339 date-time, the form JSON profiles write dates in, as the
/// reader parses it (`T`, `t` or a space between date and time; no leap
/// second). A day past the end of its month still matches.
const DATE_TIME: &str = r"^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])[Tt ]([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\.[0-9]+)?([Zz]|[+-]([01][0-9]|2[0-3]):[0-5][0-9])$";

/// Standard base64 with padding, the form JSON profiles write data in.
const BASE64: &str = r"^([A-Za-z0-9+/]{4})*([A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$";

/// The file name of a module's schema: the Apple file's name.
pub fn schema_file_name(module: &Module) -> String {
    format!("{}.schema.json", module.stem)
}

/// Every schema file, under `json-schema/`.
pub fn emit(ir: &Ir, command: &str) -> Vec<GeneratedFile> {
    // A schema per payload and declaration; the envelopes' are whole
    // profiles' and whole declarations', below.
    let payloads: Vec<&Module> = ir
        .modules
        .iter()
        .filter(|module| {
            !matches!(
                module.kind,
                ModuleKind::Profile | ModuleKind::DeclarationEnvelope
            )
        })
        .collect();
    let mut files = parallel::map(&payloads, |module| {
        let mut defs = Map::new();
        let root = Definitions::new(module, "").collect(&mut defs);
        let mut schema = header(command, &module.source_files);
        schema.insert("title".into(), json!(module.title));
        if let Some(description) = &module.description {
            schema.insert("description".into(), json!(description.trim()));
        }
        schema.insert("x-payloadType".into(), json!(module.payload_type));
        schema.insert("x-supportedOS".into(), supported_os(&module.availability));
        schema.extend(root);
        if !defs.is_empty() {
            schema.insert("$defs".into(), Json::Object(defs));
        }
        file(&format!("json-schema/{}", schema_file_name(module)), schema)
    });
    if let Some(profile) = ir.profile() {
        files.push(file(
            &format!("json-schema/{}", envelope_schema_file_name(profile)),
            profile_schema(ir, profile, command),
        ));
    }
    if let Some(envelope) = ir.declaration_envelope() {
        files.push(file(
            &format!("json-schema/{}", envelope_schema_file_name(envelope)),
            declaration_schema(ir, envelope, command),
        ));
    }
    files
}

/// The file name of a whole profile's or declaration's schema.
pub fn envelope_schema_file_name(envelope: &Module) -> &'static str {
    match envelope.kind {
        ModuleKind::DeclarationEnvelope => "declaration.schema.json",
        _ => "profile.schema.json",
    }
}

/// Adds a definition for each module (prefixed with its name), and returns
/// the `if`/`then` that sends an instance whose `key` is the module's type to
/// it, wrapped as `wrap` says.
fn dispatch_to<'a>(
    modules: impl Iterator<Item = &'a Module>,
    key: &str,
    defs: &mut Map<String, Json>,
    wrap: impl Fn(Json) -> Json,
) -> Vec<Json> {
    let mut dispatch = Vec::new();
    for module in modules {
        let prefix = format!("{}.", module.name);
        let module_root = Definitions::new(module, &prefix).collect(defs);
        let mut definition = Map::new();
        definition.insert("title".into(), json!(module.title));
        definition.insert("x-payloadType".into(), json!(module.payload_type));
        definition.extend(module_root);
        defs.insert(module.name.clone(), Json::Object(definition));
        dispatch.push(json!({
            "if": {
                "properties": { key: { "const": module.payload_type } },
                "required": [key]
            },
            "then": wrap(json!({ "$ref": format!("#/$defs/{}", module.name) }))
        }));
    }
    dispatch
}

/// The head of an envelope's schema: header, title, description, its own
/// keys.
fn envelope_head(
    ir: &Ir,
    envelope: &Module,
    command: &str,
    root: Map<String, Json>,
) -> Map<String, Json> {
    let mut sources: Vec<String> = ir
        .source_files()
        .iter()
        .map(|source| source.to_string())
        .collect();
    sources.sort();
    let mut schema = header(command, &sources);
    schema.insert("title".into(), json!(envelope.title));
    if let Some(description) = &envelope.description
        && !description.trim().is_empty()
    {
        schema.insert("description".into(), json!(description.trim()));
    }
    schema.extend(root);
    schema
}

/// A whole declaration: the envelope, with `Payload` checked against the
/// declaration schema its `Type` names.
fn declaration_schema(ir: &Ir, envelope: &Module, command: &str) -> Map<String, Json> {
    let mut defs = Map::new();
    let root = Definitions::new(envelope, "").collect(&mut defs);
    let dispatch = dispatch_to(
        ir.declarations(),
        DECLARATION_TYPE_KEY,
        &mut defs,
        |then| json!({ "properties": { DECLARATION_PAYLOAD_KEY: then } }),
    );
    let mut schema = envelope_head(ir, envelope, command, root);
    schema.insert("allOf".into(), json!(dispatch));
    schema.insert("$defs".into(), Json::Object(defs));
    schema
}

fn file(path: &str, schema: Map<String, Json>) -> GeneratedFile {
    let mut contents = serde_json::to_string_pretty(&Json::Object(schema)).unwrap_or_default();
    contents.push('\n');
    GeneratedFile {
        path: path.to_owned(),
        contents,
    }
}

fn header(command: &str, sources: &[String]) -> Map<String, Json> {
    let mut schema = Map::new();
    schema.insert("$schema".into(), json!(DRAFT));
    schema.insert(
        "$comment".into(),
        json!(format!(
            "@generated by `{command}` from {}. Do not edit: change the schema and regenerate.",
            sources.join(", ")
        )),
    );
    schema
}

/// The profile: its envelope, with `PayloadContent` items checked against
/// the payload schema their `PayloadType` names.
fn profile_schema(ir: &Ir, profile: &Module, command: &str) -> Map<String, Json> {
    let mut defs = Map::new();
    let root = Definitions::new(profile, "").collect(&mut defs);
    let payloads = ir.payloads().filter(|module| module.dispatched);
    let dispatch = dispatch_to(payloads, PAYLOAD_TYPE, &mut defs, |then| then);
    defs.insert(
        "payload".into(),
        json!({
            "description": "One entry of PayloadContent: checked against the schema of its PayloadType when this schema knows it; other payload types are allowed as they are.",
            "type": "object",
            "required": [PAYLOAD_TYPE],
            "properties": { PAYLOAD_TYPE: { "type": "string" } },
            "allOf": dispatch
        }),
    );
    let mut schema = envelope_head(ir, profile, command, root);
    schema.insert("$defs".into(), Json::Object(defs));
    schema
}

/// Builds the definitions of one module, named with `prefix`.
struct Definitions<'a> {
    module: &'a Module,
    prefix: &'a str,
}

impl<'a> Definitions<'a> {
    fn new(module: &'a Module, prefix: &'a str) -> Self {
        Definitions { module, prefix }
    }

    fn def_name(&self, id: TypeId) -> String {
        format!("{}{}", self.prefix, self.module.get(id).name)
    }

    /// Adds every struct but the root to `defs`; returns the root's schema.
    fn collect(&self, defs: &mut Map<String, Json>) -> Map<String, Json> {
        for (index, def) in self.module.types.iter().enumerate() {
            let id = TypeId(index);
            if id == self.module.root {
                continue;
            }
            if let TypeKind::Struct(struct_def) = &def.kind {
                let mut schema = Map::new();
                if let Some(title) = &def.docs.title {
                    schema.insert("title".into(), json!(title));
                }
                if let Some(description) = &def.docs.description {
                    schema.insert("description".into(), json!(description.trim()));
                }
                schema.extend(self.struct_schema(id, struct_def));
                defs.insert(self.def_name(id), Json::Object(schema));
            }
        }
        match &self.module.root_type().kind {
            TypeKind::Struct(root) => self.struct_schema(self.module.root, root),
            TypeKind::Enum(_) => Map::new(),
        }
    }

    fn struct_schema(&self, id: TypeId, def: &StructDef) -> Map<String, Json> {
        let mut schema = Map::new();
        schema.insert("type".into(), json!("object"));
        let mut properties = Map::new();
        for field in &def.fields {
            properties.insert(field.key.clone(), Json::Object(self.field_schema(field)));
        }
        schema.insert("properties".into(), Json::Object(properties));
        // A tolerated key's absence is only a warning, so the schema does not
        // require it.
        let required: Vec<&str> = def
            .required_fields()
            .filter(|field| field.tolerated.is_none())
            .map(|field| field.key.as_str())
            .collect();
        if !required.is_empty() {
            schema.insert("required".into(), json!(required));
        }
        let mut dependent = Map::new();
        let mut all_of = Vec::new();
        let mut annotations = Vec::new();
        for rule in &def.rules {
            let in_schema = rule.severity == Severity::Error
                && match dependent_required(rule) {
                    Some((key, needed)) => {
                        let entry = dependent.entry(key).or_insert_with(|| json!([]));
                        if let Some(list) = entry.as_array_mut() {
                            list.push(json!(needed));
                        }
                        true
                    }
                    None => match self.rule_schema(id, rule) {
                        Some(schema) => {
                            all_of.push(schema);
                            true
                        }
                        None => false,
                    },
                };
            annotations.push(json!({
                "code": rule.code,
                "severity": rule.severity.name(),
                "message": rule.message,
                "inSchema": in_schema,
            }));
        }
        if !dependent.is_empty() {
            schema.insert("dependentRequired".into(), Json::Object(dependent));
        }
        if !all_of.is_empty() {
            schema.insert("allOf".into(), json!(all_of));
        }
        if !annotations.is_empty() {
            schema.insert("x-rules".into(), json!(annotations));
        }
        schema
    }

    fn field_schema(&self, field: &Field) -> Map<String, Json> {
        let mut schema = Map::new();
        if let Some(title) = &field.docs.title {
            schema.insert("title".into(), json!(title));
        }
        // The prose, then the same facts in the same words as rustdoc and
        // the reference pages.
        let sentences: Vec<String> = facts::key_facts(field)
            .iter()
            .map(facts::Fact::sentence)
            .collect();
        let description: Vec<String> = facts::plain_prose(&field.docs)
            .into_iter()
            .chain((!sentences.is_empty()).then(|| sentences.join("\n")))
            .collect();
        if !description.is_empty() {
            schema.insert("description".into(), json!(description.join("\n\n")));
        }
        schema.extend(self.value_schema(&field.value));
        if let Some(fixed) = &field.fixed {
            schema.remove("enum");
            schema.insert("const".into(), scalar(fixed));
        }
        if field.tolerated.is_some() {
            // A value outside the list is only a warning (overlay
            // `tolerated`): the list stays in the description, not in the
            // checks.
            schema.remove("enum");
            schema.remove("const");
            if let Some(Json::Object(items)) = schema.get_mut("items") {
                items.remove("enum");
            }
        }
        let everywhere_deprecated = !field.availability.is_empty()
            && field.availability.iter().all(|entry| {
                entry.deprecated.is_some()
                    || entry.removed.is_some()
                    || entry.introduced == Introduced::NotAvailable
            })
            && field
                .availability
                .iter()
                .any(|entry| entry.deprecated.is_some());
        if everywhere_deprecated {
            schema.insert("deprecated".into(), json!(true));
        }
        match &field.shown_availability {
            Some(
                ShownAvailability::InForce(availability) | ShownAvailability::Own(availability),
            ) => {
                schema.insert("x-supportedOS".into(), supported_os(availability));
            }
            None => {}
        }
        if field.sensitive {
            schema.insert("x-sensitive".into(), json!(true));
        }
        if !field.platform_limits.is_empty() {
            let mut limits = Map::new();
            for limit in &field.platform_limits {
                let mut bounds = Map::new();
                if let Some(min) = limit.bounds.min {
                    bounds.insert("minimum".into(), number(min));
                }
                if let Some(max) = limit.bounds.max {
                    bounds.insert("maximum".into(), number(max));
                }
                limits.insert(limit.platform.name().into(), Json::Object(bounds));
            }
            schema.insert("x-platformRange".into(), Json::Object(limits));
        }
        if !field.platform_values.is_empty() {
            let mut values = Map::new();
            for (platform, allowed) in &field.platform_values {
                let allowed: Vec<Json> = allowed.iter().map(scalar).collect();
                values.insert(platform.name().into(), Json::Array(allowed));
            }
            schema.insert("x-platformValues".into(), Json::Object(values));
        }
        if let Some(types) = &field.references {
            schema.insert("x-referencesPayloadTypes".into(), json!(types));
        }
        schema
    }

    fn value_schema(&self, value: &Value) -> Map<String, Json> {
        let mut schema = Map::new();
        let constraints = &value.constraints;
        match &value.shape {
            Shape::String => {
                schema.insert("type".into(), json!("string"));
            }
            Shape::Enum(_) => {
                schema.insert("type".into(), json!("string"));
            }
            Shape::Integer => {
                schema.insert("type".into(), json!("integer"));
            }
            Shape::IntegerFlag => {
                schema.insert("type".into(), json!("integer"));
                schema.insert("enum".into(), json!([0, 1]));
            }
            Shape::Real => {
                schema.insert("type".into(), json!("number"));
            }
            Shape::Boolean => {
                schema.insert("type".into(), json!("boolean"));
            }
            Shape::Date => {
                schema.insert("type".into(), json!("string"));
                schema.insert("format".into(), json!("date-time"));
                // `format` only annotates; the pattern checks the form.
                schema.insert("pattern".into(), json!(DATE_TIME));
            }
            Shape::Data => {
                schema.insert("type".into(), json!("string"));
                schema.insert("contentEncoding".into(), json!("base64"));
                schema.insert("pattern".into(), json!(BASE64));
            }
            Shape::Any => {}
            Shape::Array(item) => {
                schema.insert("type".into(), json!("array"));
                schema.insert("items".into(), Json::Object(self.value_schema(item)));
            }
            Shape::Map(item) => {
                schema.insert("type".into(), json!("object"));
                schema.insert(
                    "additionalProperties".into(),
                    Json::Object(self.value_schema(item)),
                );
            }
            Shape::Struct(id) => {
                schema.insert(
                    "$ref".into(),
                    json!(format!("#/$defs/{}", self.def_name(*id))),
                );
            }
            Shape::DeclarationType => {
                schema.insert("type".into(), json!("string"));
            }
            // Checked against the declaration its `Type` names, at the
            // envelope.
            Shape::DeclarationPayload => {
                schema.insert("type".into(), json!("object"));
            }
            Shape::Payloads => {
                schema.insert("type".into(), json!("array"));
                schema.insert("items".into(), json!({ "$ref": "#/$defs/payload" }));
            }
        }
        if !constraints.allowed.is_empty() {
            let values: Vec<Json> = constraints.allowed.iter().map(scalar).collect();
            schema.insert("enum".into(), json!(values));
        }
        if let Some(bounds) = constraints.bounds {
            if let Some(min) = bounds.min {
                schema.insert("minimum".into(), number(min));
            }
            if let Some(max) = bounds.max {
                schema.insert("maximum".into(), number(max));
            }
        }
        if let Some(repetition) = constraints.repetition {
            schema.insert("minItems".into(), json!(repetition.min.max(0)));
            schema.insert("maxItems".into(), json!(repetition.max.max(0)));
        }
        if let Some(pattern) = &constraints.pattern {
            // The validators match the whole string.
            let anchored = mobileconfig_runtime::pattern::anchored(&pattern.portable);
            schema.insert("pattern".into(), json!(anchored));
        }
        if let Some(format) = constraints.format {
            match format_keyword(format) {
                Some(keyword) => {
                    schema.insert("format".into(), json!(keyword));
                }
                None => {
                    schema.insert("x-valuetype".into(), json!(format.schema_name()));
                }
            }
        }
        if let Some(default) = &constraints.default {
            schema.insert("default".into(), scalar(default));
        }
        schema
    }

    /// An error rule as `if`/`then` (or the check alone); `None` when a
    /// condition has no JSON Schema form.
    fn rule_schema(&self, id: TypeId, rule: &Rule) -> Option<Json> {
        let check = self.condition(id, &rule.check, &rule.defaults)?;
        let mut schema = Map::new();
        schema.insert(
            "$comment".into(),
            json!(format!("rule {}: {}", rule.code, rule.message)),
        );
        match &rule.when {
            Some(when) => {
                schema.insert("if".into(), self.condition(id, when, &rule.defaults)?);
                schema.insert("then".into(), check);
            }
            None => {
                schema.insert("allOf".into(), json!([check]));
            }
        }
        Some(Json::Object(schema))
    }

    /// The field a rule path names, from the struct `id`.
    fn field_at(&self, id: TypeId, path: &[String]) -> Option<&'a Field> {
        let (first, rest) = path.split_first()?;
        let TypeKind::Struct(def) = &self.module.get(id).kind else {
            return None;
        };
        let field = def.fields.iter().find(|field| &field.key == first)?;
        if rest.is_empty() {
            return Some(field);
        }
        match field.value.shape {
            Shape::Struct(inner) => self.field_at(inner, rest),
            _ => None,
        }
    }

    /// A condition in JSON Schema. A compared key with a documented
    /// default is read as the validators read it: where it is absent from a
    /// dictionary that is present, the default stands in for it (decided
    /// here, since the default is a constant).
    fn condition(
        &self,
        id: TypeId,
        condition: &ConditionSpec,
        defaults: &BTreeMap<Vec<String>, Scalar>,
    ) -> Option<Json> {
        // A test on the value at `path`; `absent` is what it gives when
        // there is no value, `on_default` what the default gives.
        let compare = |path: &[String],
                       test: Json,
                       absent: bool,
                       on_default: &dyn Fn(&Scalar) -> bool|
         -> Option<Json> {
            let field = self.field_at(id, path)?;
            let is_array = matches!(field.value.shape, Shape::Array(_));
            let test = if is_array {
                json!({ "items": test })
            } else {
                test
            };
            let tested = nest(path, test);
            let written_only = json!({ "allOf": [required(path), tested.clone()] });
            let written = if absent { tested } else { written_only.clone() };
            let default = defaults.get(path).filter(|_| !is_array);
            let Some(default) = default else {
                return Some(written);
            };
            let (last, parent) = path.split_last()?;
            let missing = nest(parent, json!({ "not": { "required": [last] } }));
            let with_default = on_default(default);
            if with_default == absent {
                // The default gives what an absent value gives: only a
                // written value is tested.
                return Some(written);
            }
            Some(if with_default {
                // Absent from a present dictionary: holds.
                let defaulted = if parent.is_empty() {
                    missing
                } else {
                    json!({ "allOf": [required(parent), missing] })
                };
                json!({ "anyOf": [written_only, defaulted] })
            } else {
                // Absent from a present dictionary: fails; holds where the
                // dictionary itself is absent.
                let no_dictionary = if parent.is_empty() {
                    json!(false)
                } else {
                    json!({ "not": required(parent) })
                };
                json!({ "anyOf": [written_only, no_dictionary] })
            })
        };
        let number_of = |value: &Scalar| match value {
            Scalar::Integer(value) => Some(*value as f64),
            Scalar::Real(value) => Some(*value),
            _ => None,
        };
        Some(match condition {
            ConditionSpec::Present(path) => required(path),
            ConditionSpec::Absent(path) => json!({ "not": required(path) }),
            ConditionSpec::Equals(path, value) => {
                compare(path, json!({ "const": scalar(value) }), false, &|default| {
                    default == value
                })?
            }
            ConditionSpec::OneOf(path, values) => {
                let list: Vec<Json> = values.iter().map(scalar).collect();
                compare(path, json!({ "enum": list }), true, &|default| {
                    values.contains(default)
                })?
            }
            ConditionSpec::NoneOf(path, values) => {
                let list: Vec<Json> = values.iter().map(scalar).collect();
                compare(path, json!({ "not": { "enum": list } }), true, &|default| {
                    !values.contains(default)
                })?
            }
            ConditionSpec::AtLeast(path, bound) => compare(
                path,
                json!({ "minimum": number(*bound) }),
                true,
                &|default| number_of(default).is_none_or(|value| value >= *bound),
            )?,
            ConditionSpec::AtMost(path, bound) => compare(
                path,
                json!({ "maximum": number(*bound) }),
                true,
                &|default| number_of(default).is_none_or(|value| value <= *bound),
            )?,
            ConditionSpec::RanksAtMost { .. } => return None,
            ConditionSpec::All(conditions) => json!({
                "allOf": conditions.iter().map(|c| self.condition(id, c, defaults)).collect::<Option<Vec<_>>>()?
            }),
            ConditionSpec::Any(conditions) => json!({
                "anyOf": conditions.iter().map(|c| self.condition(id, c, defaults)).collect::<Option<Vec<_>>>()?
            }),
            ConditionSpec::Not(inner) => json!({ "not": self.condition(id, inner, defaults)? }),
        })
    }
}

/// `when: present(A)`, `check: present(B)`, both keys of this dictionary.
fn dependent_required(rule: &Rule) -> Option<(String, String)> {
    match (&rule.when, &rule.check) {
        (Some(ConditionSpec::Present(when)), ConditionSpec::Present(then))
            if when.len() == 1 && then.len() == 1 =>
        {
            Some((when[0].clone(), then[0].clone()))
        }
        _ => None,
    }
}

/// The keys along `path` are all present.
fn required(path: &[String]) -> Json {
    match path.split_first() {
        None => json!({}),
        Some((first, [])) => json!({ "required": [first] }),
        Some((first, rest)) => json!({
            "required": [first],
            "properties": { first.as_str(): required(rest) }
        }),
    }
}

/// `test` applied to the value at `path`, where it is present.
fn nest(path: &[String], test: Json) -> Json {
    path.iter().rev().fold(
        test,
        |inner, key| json!({ "properties": { key.as_str(): inner } }),
    )
}

fn number(value: f64) -> Json {
    if value.fract() == 0.0 && value.abs() < 9.0e15 {
        json!(value as i64)
    } else {
        json!(value)
    }
}

fn scalar(value: &Scalar) -> Json {
    match value {
        Scalar::String(text) => json!(text),
        Scalar::Integer(value) => json!(value),
        Scalar::Real(value) => number(*value),
        Scalar::Boolean(value) => json!(value),
        Scalar::Null => Json::Null,
    }
}

/// The JSON Schema `format` for a value format, where there is one.
fn format_keyword(format: Format) -> Option<&'static str> {
    match format {
        Format::Uuid => Some("uuid"),
        Format::Hostname => Some("hostname"),
        Format::Url => Some("uri"),
        Format::Email => Some("email"),
        Format::Timestamp => Some("date-time"),
        Format::Domain | Format::IpAddress | Format::BundleIdentifier => None,
    }
}

/// `supportedOS` as an annotation: `{"iOS": {"introduced": "9.0"}, …}`.
fn supported_os(availability: &[Availability]) -> Json {
    let mut entries = Map::new();
    for entry in availability {
        let mut fields = Map::new();
        match &entry.introduced {
            Introduced::Since(version) => {
                fields.insert("introduced".into(), json!(version));
            }
            Introduced::NotAvailable => {
                fields.insert("introduced".into(), json!("n/a"));
            }
            Introduced::Unstated => {}
        }
        if let Some(deprecated) = &entry.deprecated {
            fields.insert("deprecated".into(), json!(deprecated));
        }
        if let Some(removed) = &entry.removed {
            fields.insert("removed".into(), json!(removed));
        }
        entries.insert(entry.platform.name().into(), Json::Object(fields));
    }
    Json::Object(entries)
}
