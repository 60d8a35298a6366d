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

use crate::bind::{Bindings, FileBinding, KeyId};
use crate::conventions::FileRole;
use crate::ident;
use crate::ir::{
    Constraints, Docs, EnumDef, Field, Ir, Module, ModuleKind, Pattern, PlatformLimit, Rule, Shape,
    ShownAvailability, StructDef, TypeDef, TypeKind, Value, Variant,
};
use crate::naming::{ModuleNames, Names};
use crate::schema::{
    Availability, ConditionSpec, Format, KeyListId, KeyOverlay, KeyType, Presence,
};
use crate::types::{
    KeyShape, ModulePlan, PlannedKind, PlannedType, TypeId, TypePlan, fixed_value, value_shape,
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
                names,
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
    names: &'a Names,
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
        Module {
            name: self.module_names.module.clone(),
            kind: match self.binding.role {
                FileRole::Profile => ModuleKind::Profile,
                _ => ModuleKind::Payload,
            },
            payload_type: file.payload_type().to_owned(),
            dispatched: self.binding.dispatched,
            payload_variant: self.module_names.payload_variant.clone(),
            title: file.title.clone(),
            description: file.description.clone(),
            source_files: self.source_files(),
            availability: file.supported_os.clone(),
            root: TypeId::ROOT,
            types,
        }
    }

    /// The Apple-format file, its overlay, and (for a payload) the common
    /// keys and their overlay.
    fn source_files(&self) -> Vec<String> {
        let mut files = vec![self.binding.file.path.clone()];
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
                let fields: Vec<Field> = self
                    .bindings
                    .named_keys(self.plan.file, *list)
                    .into_iter()
                    .map(|key| self.field(key, planned))
                    .collect();
                let has_parameters = fields
                    .iter()
                    .any(|field| field.required && field.fixed.is_none());
                TypeKind::Struct(StructDef {
                    table: names.table.clone(),
                    required: has_parameters.then(|| names.required.clone()),
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
            return Docs {
                title: Some(file.title.clone()),
                description: file.description.clone(),
            };
        }
        let shared = !planned.also_at.is_empty();
        match (planned.key.map(|key| self.bindings.key(key)), shared) {
            (Some(key), false) => Docs {
                title: key.title.clone(),
                description: key.content.clone(),
            },
            (Some(key), true) if matches!(planned.kind, PlannedKind::Struct { .. }) => Docs {
                title: Some(
                    ident::split_words(planned.subkeytype.as_deref().unwrap_or(&key.key)).join(" "),
                ),
                description: None,
            },
            (Some(key), true) => Docs {
                title: key.title.clone(),
                description: key.content.clone(),
            },
            (None, _) => Docs::default(),
        }
    }

    fn field(&self, key: KeyId, owner: &PlannedType) -> Field {
        let schema_key = self.bindings.key(key);
        let overlay = self.bindings.key_overlay(key);
        let availability = Availability::inherit(&schema_key.supported_os, &owner.inherited);
        let declared_availability = schema_key.supported_os.clone();
        let fixed = fixed_value(self.bindings, self.plan.file, key);
        let value = if fixed.is_some() {
            self.fixed_value(key, overlay)
        } else {
            self.value(key, overlay)
        };
        let shown_availability = if owner.availability_by_path {
            (!declared_availability.is_empty())
                .then(|| ShownAvailability::Own(declared_availability.clone()))
        } else {
            (availability != self.binding.file.supported_os)
                .then(|| ShownAvailability::InForce(availability.clone()))
        };
        Field {
            key: schema_key.key.clone(),
            name: self.names.field(key).to_owned(),
            required: schema_key.presence == Presence::Required,
            fixed,
            value,
            docs: Docs {
                title: schema_key.title.clone(),
                description: schema_key.content.clone(),
            },
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
        }
    }

    /// A key with one possible value holds it as its plain scalar type.
    fn fixed_value(&self, key: KeyId, overlay: Option<&KeyOverlay>) -> Value {
        let shape = match self.bindings.key(key).key_type() {
            Some(KeyType::Integer) => Shape::Integer,
            Some(KeyType::Real) => Shape::Real,
            Some(KeyType::Boolean) => Shape::Boolean,
            _ => Shape::String,
        };
        Value {
            shape,
            constraints: self.constraints(key, overlay),
        }
    }

    fn value(&self, key: KeyId, overlay: Option<&KeyOverlay>) -> Value {
        let missing = Shape::Any; // a planned type always exists after `check`
        let mut constraints = self.constraints(key, overlay);
        let shape = match value_shape(self.bindings, key) {
            KeyShape::String => Shape::String,
            KeyShape::Integer => Shape::Integer,
            KeyShape::Real => Shape::Real,
            KeyShape::Boolean => Shape::Boolean,
            KeyShape::IntegerFlag => Shape::IntegerFlag,
            KeyShape::Date => Shape::Date,
            KeyShape::Data => Shape::Data,
            KeyShape::Any => Shape::Any,
            KeyShape::Payloads => Shape::Payloads,
            KeyShape::Enum => self.plan.enum_of(key).map_or(missing, Shape::Enum),
            KeyShape::Struct(list) => self.plan.struct_of(list).map_or(missing, Shape::Struct),
            KeyShape::Map(any) => {
                let item = self.value(any, None);
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
                let element_overlay = self
                    .bindings
                    .key_overlay(element)
                    .or(overlay.filter(|overlay| overlay.rust_type.is_some()));
                // Apple writes an array's item count on the array or on its
                // element.
                if constraints.repetition.is_none() {
                    constraints.repetition = self.bindings.key(element).repetition;
                }
                Shape::Array(Box::new(self.value(element, element_overlay)))
            }
        };
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
            format: overlay
                .and_then(|overlay| overlay.valuetype)
                .or_else(|| schema_key.subtype.as_deref().and_then(Format::from_subtype)),
        }
    }

    /// The overlay's rules that read this dictionary.
    fn rules(&self, list: KeyListId) -> Vec<Rule> {
        let Some(overlay) = self.binding.overlay else {
            return Vec::new();
        };
        self.binding
            .rules
            .iter()
            .filter(|rule| rule.dictionary == list)
            .map(|rule| {
                let spec = rule.spec;
                let mut used = spec.check.rankings();
                used.extend(spec.when.iter().flat_map(ConditionSpec::rankings));
                let rankings: BTreeMap<String, Vec<Vec<String>>> = used
                    .into_iter()
                    .filter_map(|name| {
                        overlay
                            .rankings
                            .get(name)
                            .map(|groups| (name.to_owned(), groups.clone()))
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
                }
            })
            .collect()
    }
}
