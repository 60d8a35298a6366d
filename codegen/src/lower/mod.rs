//! Stage 6: build the [`Ir`] from a checked schema: the planned types filled
//! in with their fields and variants, under the names the naming pass
//! decided, with `supportedOS` inherited, overlay facts attached and every
//! fact normalised. Nothing is decided here that another stage decides:
//! shapes come from [`types`](crate::types), identifiers from
//! [`naming`](crate::naming), references from [`bind`](crate::bind).
//!
//! Lowering runs only on a schema `check` found no problem in, so it cannot
//! fail.

mod boxing;

use std::collections::BTreeMap;

use crate::bind::{Bindings, BoundRule, FileBinding, KeyId};
use crate::conventions::{FileRole, PAYLOAD_TYPE};
use crate::ident;
use crate::ir::{
    Constraints, Docs, EnumDef, Field, Ir, Module, ModuleKind, Pattern, PlatformLimit, Rule, Shape,
    ShownAvailability, StructDef, TypeDef, TypeKind, Value, Variant,
};
use crate::naming::{ModuleNames, Names};
use crate::schema::{Availability, ConditionSpec, Format, KeyListId, KeyOverlay, Presence};
use crate::types::{
    KeyShape, ModulePlan, PlannedKind, PlannedType, TypeId, TypePlan, element_overlay, fixed_value,
    value_shape,
};

/// Lowers every planned module.
pub fn lower(bindings: &Bindings, plan: &TypePlan, names: &Names) -> Ir {
    let mut modules: Vec<Module> = plan
        .modules
        .iter()
        .zip(&names.modules)
        .map(|(module, module_names)| {
            ModuleLowerer {
                bindings,
                binding: bindings.file(module.file),
                plan: module,
                module_names,
            }
            .lower()
        })
        .collect();
    modules.sort_by(|a, b| a.name.cmp(&b.name));
    Ir { modules }
}

struct ModuleLowerer<'a, 's> {
    bindings: &'a Bindings<'s>,
    binding: &'a FileBinding<'s>,
    plan: &'a ModulePlan<'s>,
    module_names: &'a ModuleNames,
}

impl ModuleLowerer<'_, '_> {
    fn lower(&self) -> Module {
        let file = self.binding.file;
        let mut types: Vec<TypeDef> = self
            .plan
            .types
            .iter()
            .enumerate()
            .map(|(index, planned)| self.type_def(TypeId(index), planned))
            .collect();
        boxing::mark_boxed_fields(&mut types);
        let kind = match self.binding.role {
            FileRole::Profile => ModuleKind::Profile,
            FileRole::Declaration => ModuleKind::Declaration,
            FileRole::DeclarationEnvelope => ModuleKind::DeclarationEnvelope,
            FileRole::Payload | FileRole::CommonKeys => ModuleKind::Payload,
        };
        Module {
            name: self.module_names.module.clone(),
            kind,
            payload_type: payload_type(kind, file, &types),
            dispatched: self.binding.dispatched,
            payload_variant: self.module_names.payload_variant.clone(),
            title: file.title.clone(),
            description: self
                .binding
                .overlay
                .and_then(|overlay| overlay.description.clone())
                .or_else(|| file.description.clone()),
            source_files: self.source_files(),
            // A declaration's page and JSON Schema are named after its type,
            // which its file name (`settings.yaml`) does not always say.
            stem: match kind {
                ModuleKind::Declaration => file.payload_type().to_owned(),
                _ => file.stem().to_owned(),
            },
            availability: file.supported_os.clone(),
            root: TypeId::ROOT,
            types,
        }
    }

    /// The Apple-format file, its overlay, and (for a payload) the common
    /// keys and their overlay.
    fn source_files(&self) -> Vec<String> {
        let mut files = vec![self.binding.file.path.clone()];
        files.extend(self.binding.file.parts.iter().cloned());
        files.extend(self.binding.overlay.map(|overlay| overlay.path.clone()));
        if self.binding.role == FileRole::Payload
            && let Some(common) = self.bindings.common.map(|id| self.bindings.file(id))
        {
            files.push(common.file.path.clone());
            files.extend(common.overlay.map(|overlay| overlay.path.clone()));
        }
        files
    }

    fn type_def(&self, id: TypeId, planned: &PlannedType) -> TypeDef {
        let names = &self.module_names.types[id.0];
        let kind = match &planned.kind {
            PlannedKind::Struct { list } => {
                let fields: Vec<Field> = names
                    .fields
                    .iter()
                    .map(|(key, name)| self.field(*key, name, planned))
                    .collect();
                TypeKind::Struct(StructDef {
                    table: names.table.clone(),
                    required: names.required.clone(),
                    fields,
                    rules: self.rules(*list),
                })
            }
            PlannedKind::Enum { values } => TypeKind::Enum(EnumDef {
                variants: values
                    .iter()
                    .zip(&names.variants)
                    .map(|(value, name)| Variant {
                        name: name.clone(),
                        value: value.clone(),
                    })
                    .collect(),
                other: names.other.clone(),
            }),
        };
        TypeDef {
            name: names.name.clone(),
            origin: planned.origin.clone(),
            also_at: planned.also_at.clone(),
            availability_by_path: planned.availability_by_path,
            shown_availability: (id != TypeId::ROOT
                && !planned.availability_by_path
                && planned.inherited != self.binding.file.supported_os)
                .then(|| planned.inherited.clone()),
            subkeytype: planned.subkeytype.clone(),
            docs: self.type_docs(id, planned),
            kind,
        }
    }

    /// A type's title and description: the payload's for its own
    /// dictionary, the key's for a type one key reaches. A dictionary that
    /// several keys share takes none of theirs (each key's words stay on its
    /// field); its title is the name the schema gives the shape.
    fn type_docs(&self, id: TypeId, planned: &PlannedType) -> Docs {
        let file = self.binding.file;
        if id == TypeId::ROOT {
            let description = self
                .binding
                .overlay
                .and_then(|overlay| overlay.description.clone())
                .or_else(|| file.description.clone());
            return Docs {
                title: Some(file.title.clone()),
                described_elsewhere: (description.is_none() && file.published)
                    .then(|| vec![file.payload_type().to_owned()]),
                description,
                unchecked: Vec::new(),
            };
        }
        let shared = !planned.also_at.is_empty();
        match (planned.key, shared) {
            (Some(key), true) if matches!(planned.kind, PlannedKind::Struct { .. }) => Docs {
                title: Some(
                    ident::split_words(
                        planned
                            .subkeytype
                            .as_deref()
                            .unwrap_or(&self.bindings.key(key).key),
                    )
                    .join(" "),
                ),
                description: None,
                described_elsewhere: None,
                unchecked: Vec::new(),
            },
            (Some(key), _) => self.key_docs(key, &planned.origin),
            (None, _) => Docs::default(),
        }
    }

    /// A key's title and description: the project's words (its overlay),
    /// else Apple's where the schema carries them (a checkout of Apple's
    /// repository); else it says where Apple describes the key.
    fn key_docs(&self, key: KeyId, path: &[String]) -> Docs {
        let schema_key = self.bindings.key(key);
        let description = self
            .bindings
            .key_overlay(key)
            .and_then(|overlay| overlay.description.clone())
            .or_else(|| schema_key.content.clone());
        Docs {
            title: schema_key.title.clone(),
            // Apple's published keys point to Apple's text, which the
            // imported files leave out; a key of the project's has none.
            described_elsewhere: (description.is_none()
                && schema_key.added_by.is_none()
                && self.binding.file.published)
                .then(|| path.to_vec()),
            description,
            unchecked: self
                .bindings
                .key_overlay(key)
                .map(|overlay| overlay.unchecked.clone())
                .unwrap_or_default(),
        }
    }

    fn field(&self, key: KeyId, name: &str, owner: &PlannedType) -> Field {
        let schema_key = self.bindings.key(key);
        let overlay = self.bindings.key_overlay(key);
        let availability = Availability::inherit(&schema_key.supported_os, &owner.inherited);
        let declared_availability = schema_key.supported_os.clone();
        let fixed = fixed_value(self.bindings, self.plan.file, key);
        let value = match &fixed {
            Some(fixed) => Value {
                shape: scalar_shape(fixed.shape),
                constraints: self.constraints(key, overlay),
            },
            None => self.value(key, overlay),
        };
        let shown_availability = if owner.availability_by_path {
            (!declared_availability.is_empty())
                .then(|| ShownAvailability::Own(declared_availability.clone()))
        } else {
            // The type shows what its keys inherit; a key shows what it
            // changes.
            (availability != owner.inherited)
                .then(|| ShownAvailability::InForce(availability.clone()))
        };
        Field {
            key: schema_key.key.clone(),
            name: name.to_owned(),
            required: schema_key.presence == Presence::Required,
            fixed: fixed.map(|fixed| fixed.value),
            value,
            docs: self.key_docs(key, &{
                let mut path = owner.origin.clone();
                path.push(schema_key.key.clone());
                path
            }),
            availability,
            declared_availability,
            shown_availability,
            sensitive: overlay.is_some_and(|overlay| overlay.sensitive),
            boxed: false,
            common: self.bindings.is_common(key),
            platform_limits: overlay
                .map(|overlay| {
                    overlay
                        .platform_range
                        .iter()
                        .map(|(platform, bounds)| PlatformLimit {
                            platform: *platform,
                            bounds: *bounds,
                        })
                        .collect()
                })
                .unwrap_or_default(),
            references: overlay.and_then(|overlay| overlay.references.clone()),
            contents: overlay.and_then(|overlay| overlay.contents.clone()),
            tolerated: overlay.and_then(|overlay| overlay.tolerated.clone()),
            platform_values: overlay
                .map(|overlay| {
                    overlay
                        .platform_values
                        .iter()
                        .map(|(platform, values)| (*platform, values.clone()))
                        .collect()
                })
                .unwrap_or_default(),
        }
    }

    fn value(&self, key: KeyId, overlay: Option<&KeyOverlay>) -> Value {
        let missing = Shape::Any; // a planned type always exists after `check`
        let mut constraints = self.constraints(key, overlay);
        if self.plan.untyped.contains(&key) {
            return Value {
                shape: Shape::Any,
                constraints,
            };
        }
        let shape = match value_shape(self.bindings, key) {
            scalar @ (KeyShape::String
            | KeyShape::Integer
            | KeyShape::Real
            | KeyShape::Boolean
            | KeyShape::IntegerFlag
            | KeyShape::Date
            | KeyShape::Data
            | KeyShape::Any
            | KeyShape::Payloads
            | KeyShape::DeclarationType
            | KeyShape::DeclarationPayload) => scalar_shape(scalar),
            KeyShape::Enum => self.plan.enum_of(key).map_or(missing, Shape::Enum),
            KeyShape::Struct(list) => self.plan.struct_of(list).map_or(missing, Shape::Struct),
            KeyShape::Map(any) => {
                let item = self.value(any, self.bindings.key_overlay(any));
                if item.shape == Shape::Any {
                    Shape::Any
                } else {
                    Shape::Map(Box::new(item))
                }
            }
            KeyShape::Array(None) => Shape::Array(Box::new(Value::of(Shape::Any))),
            KeyShape::Array(Some(element)) => {
                // An array whose overlay names its elements' type speaks for
                // its elements.
                let mut item =
                    self.value(element, element_overlay(self.bindings, overlay, element));
                // Apple writes an array's item count on the array or on its
                // element; it belongs to the array. An element that is an
                // array keeps its own count (SCEP `Subject`: each pair has
                // two strings, the subject any number of names).
                if !matches!(item.shape, Shape::Array(_))
                    && let Some(repetition) = item.constraints.repetition.take()
                {
                    constraints.repetition.get_or_insert(repetition);
                }
                Shape::Array(Box::new(item))
            }
        };
        if shape == Shape::IntegerFlag {
            // The shape says its two values.
            constraints.allowed.clear();
        }
        Value { shape, constraints }
    }

    fn constraints(&self, key: KeyId, overlay: Option<&KeyOverlay>) -> Constraints {
        let schema_key = self.bindings.key(key);
        Constraints {
            allowed: schema_key
                .rangelist
                .iter()
                .flatten()
                .map(|value| value.value.clone())
                .collect(),
            bounds: schema_key.range.as_ref().map(|range| range.bounds()),
            default: schema_key
                .default
                .as_ref()
                .map(|default| default.value.clone()),
            // `check` has refused any pattern without a portable form.
            pattern: schema_key.format.as_ref().and_then(|format| {
                format.portable.as_ref().ok().map(|portable| Pattern {
                    written: format.written.clone(),
                    portable: portable.clone(),
                })
            }),
            repetition: schema_key.repetition,
            retired: overlay
                .map(|overlay| overlay.retired_values.clone())
                .unwrap_or_default(),
            format: overlay
                .and_then(|overlay| overlay.valuetype)
                .or_else(|| schema_key.subtype.as_deref().and_then(Format::from_subtype)),
        }
    }

    /// The overlay's rules that read this dictionary; a payload's own
    /// dictionary also takes the rules of the common keys' overlay.
    fn rules(&self, list: KeyListId) -> Vec<Rule> {
        let mut sources = vec![(self.binding, list)];
        let is_payload_root =
            self.binding.role == FileRole::Payload && Some(list) == self.binding.file.payload_keys;
        if let (true, Some(common)) = (is_payload_root, self.bindings.common) {
            let common = self.bindings.file(common);
            if let Some(common_list) = common.file.payload_keys {
                sources.push((common, common_list));
            }
        }
        sources
            .into_iter()
            .flat_map(|(binding, list)| {
                binding
                    .rules
                    .iter()
                    .filter(move |rule| rule.dictionary == list)
                    .map(move |rule| lower_rule(self.bindings, binding, rule))
            })
            .collect()
    }
}

/// The `PayloadType` of the module's dictionaries: a payload's own; for the
/// profile, the one value its `PayloadType` key allows (`Configuration`),
/// not the schema's name for the envelope (`TopLevel`).
fn payload_type(kind: ModuleKind, file: &crate::schema::SchemaFile, types: &[TypeDef]) -> String {
    let fixed = types.first().and_then(|root| match &root.kind {
        TypeKind::Struct(def) => def
            .fields
            .iter()
            .find(|field| field.key == PAYLOAD_TYPE)
            .and_then(|field| match &field.fixed {
                Some(crate::schema::Scalar::String(value)) => Some(value.clone()),
                _ => None,
            }),
        TypeKind::Enum(_) => None,
    });
    match (kind, fixed) {
        (ModuleKind::Profile, Some(value)) => value,
        _ => file.payload_type().to_owned(),
    }
}

/// A rule, with the rankings its conditions use and the defaults of the
/// keys it compares.
fn lower_rule(bindings: &Bindings, binding: &FileBinding, rule: &BoundRule) -> Rule {
    let spec = rule.spec;
    let mut compared = spec.check.compared_paths();
    compared.extend(spec.when.iter().flat_map(ConditionSpec::compared_paths));
    let defaults = compared
        .into_iter()
        .filter_map(|path| {
            let key = bindings.key(rule.key(path)?);
            Some((path.to_vec(), key.default.as_ref()?.value.clone()))
        })
        .collect();
    let mut used = spec.check.rankings();
    used.extend(spec.when.iter().flat_map(ConditionSpec::rankings));
    let rankings: BTreeMap<String, Vec<Vec<String>>> = used
        .into_iter()
        .filter_map(|name| {
            let groups = binding.overlay?.rankings.get(name)?;
            Some((name.to_owned(), groups.clone()))
        })
        .collect();
    Rule {
        code: spec.code.clone(),
        severity: spec.severity,
        when: spec.when.clone(),
        check: spec.check.clone(),
        message: spec.message.clone(),
        at: spec.at.clone(),
        rankings,
        defaults,
    }
}

/// The IR shape of a key shape that holds no type.
fn scalar_shape(shape: KeyShape) -> Shape {
    match shape {
        KeyShape::String => Shape::String,
        KeyShape::Integer => Shape::Integer,
        KeyShape::Real => Shape::Real,
        KeyShape::Boolean => Shape::Boolean,
        KeyShape::IntegerFlag => Shape::IntegerFlag,
        KeyShape::Date => Shape::Date,
        KeyShape::Data => Shape::Data,
        KeyShape::Payloads => Shape::Payloads,
        KeyShape::DeclarationType => Shape::DeclarationType,
        KeyShape::DeclarationPayload => Shape::DeclarationPayload,
        KeyShape::Any
        | KeyShape::Enum
        | KeyShape::Struct(_)
        | KeyShape::Map(_)
        | KeyShape::Array(_) => Shape::Any,
    }
}
