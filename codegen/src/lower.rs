//! Stage 3: turn a checked schema into the [`Ir`]: one module per payload
//! file, types shared where the schema shares them (one YAML node, or one
//! `subkeytype`), names decided, `supportedOS` inherited, overlays applied,
//! recursive references boxed.
//!
//! Apple's conventions this stage knows:
//! - `CommonPayloadKeys` is not a payload: its keys open every payload.
//! - `TopLevel` is the profile envelope; its `PayloadContent` holds payloads.
//! - A key named `ANY` stands for "any other key": a dictionary whose only
//!   key is `ANY` is a map; elsewhere `ANY` keys are kept as unknown keys.

use std::collections::{BTreeMap, BTreeSet};

use heck::ToShoutySnakeCase;

use crate::check::{overlay_target, resolve_overlay_path, rule_dictionary};
use crate::error::SchemaError;
use crate::ir::{
    Availability, Constraints, Docs, EnumDef, Field, Ir, Module, ModuleKind, PlatformLimit, Rule,
    Shape, StructDef, TypeDef, TypeId, TypeKind, Value, Variant,
};
use crate::load::LoadedSchema;
use crate::model::{
    ConditionSpec, KeyListId, KeyOverlay, KeyType, Overlay, PayloadKey, Presence, Scalar,
    SchemaFile, SupportedOs, ValueFormat,
};
use crate::naming;

pub const COMMON_PAYLOAD_KEYS: &str = "CommonPayloadKeys";
pub const TOP_LEVEL: &str = "TopLevel";
/// The key Apple uses for "any other key".
pub const ANY_KEY: &str = "ANY";
/// The field every struct has for keys the schema does not name.
pub const UNKNOWN_KEYS_FIELD: &str = "unknown_keys";
/// How deeply arrays and `ANY` maps may nest without a struct in between
/// (Apple's deepest is two: an array of arrays).
const MAX_NESTED_CONTAINERS: usize = 16;

/// Names a generated type must not take: they would hide the prelude types
/// and traits the generated code uses.
const RESERVED_TYPE_NAMES: &[&str] = &[
    "Option",
    "Some",
    "None",
    "Result",
    "Ok",
    "Err",
    "String",
    "Vec",
    "Box",
    "Default",
    "Clone",
    "Debug",
    "PartialEq",
    "From",
    "Into",
    "ToString",
    "Serialize",
    "Deserialize",
];
/// Table names (a type's name in SHOUTY_CASE) the schema module uses for
/// itself.
const RESERVED_TABLE_NAMES: &[&str] = &["PAYLOAD", "PAYLOAD_AVAILABILITY"];
/// Module names the crate root uses for itself.
const RESERVED_MODULE_NAMES: &[&str] = &["payload", "runtime"];

/// Lowers a checked schema.
pub fn lower(schema: &LoadedSchema) -> Result<Ir, Vec<SchemaError>> {
    let common = schema
        .files
        .iter()
        .find(|file| file.payload_type() == COMMON_PAYLOAD_KEYS);
    // The common keys' own overlay, by key name (its paths are one key long).
    let common_overlay: BTreeMap<&str, &KeyOverlay> = schema
        .overlays
        .iter()
        .filter(|overlay| {
            overlay_target(schema, overlay).is_some_and(|target| Some(target) == common)
        })
        .flat_map(|overlay| &overlay.keys)
        .filter_map(|entry| match entry.path.as_slice() {
            [key] => Some((key.as_str(), entry)),
            _ => None,
        })
        .collect();
    let mut modules = Vec::new();
    let mut errors = Vec::new();
    let mut dispatched_types = BTreeSet::new();
    // Files whose stem is their payload type go first, so they are the ones
    // `PayloadContent` decodes into when several files share a type.
    let mut files: Vec<&SchemaFile> = schema
        .files
        .iter()
        .filter(|file| file.payload_type() != COMMON_PAYLOAD_KEYS)
        .collect();
    files.sort_by_key(|file| (file.stem() != file.payload_type(), file.path.clone()));
    for file in files {
        let overlay = schema.overlays.iter().find(|overlay| {
            overlay_target(schema, overlay).is_some_and(|target| target.path == file.path)
        });
        let is_profile = file.payload_type() == TOP_LEVEL;
        let dispatched = !is_profile && dispatched_types.insert(file.payload_type().to_owned());
        let common = if is_profile { None } else { common };
        let fixed_name = overlay.is_some_and(|overlay| overlay.rust_module.is_some());
        match ModuleBuilder::new(file, overlay, common, &common_overlay).build(dispatched) {
            Ok(module) => modules.push((module, fixed_name)),
            Err(problems) => errors.extend(problems),
        }
    }
    name_modules(&mut modules, &mut errors);
    let mut modules: Vec<Module> = modules.into_iter().map(|(module, _)| module).collect();
    if !errors.is_empty() {
        return Err(errors);
    }
    modules.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(Ir { modules })
}

/// Gives each module the first free name among its candidates: the file
/// stem without `com.apple.`, then the whole stem (`loginwindow.yaml` and
/// `com.apple.loginwindow.yaml` become `loginwindow` and
/// `com_apple_loginwindow`). An overlay's `rust_module` is the only candidate.
fn name_modules(modules: &mut [(Module, bool)], errors: &mut Vec<SchemaError>) {
    let candidates: Vec<Vec<String>> = modules
        .iter()
        .map(|(module, fixed)| {
            let mut names = vec![module.name.clone()];
            let stem = module.source_files[0].trim_end_matches(".yaml");
            let full = naming::field_name(stem);
            if module.kind == ModuleKind::Payload && !names.contains(&full) && !fixed {
                names.push(full);
            }
            names
        })
        .collect();
    let mut level = vec![0usize; modules.len()];
    loop {
        let mut wanted: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
        for (index, names) in candidates.iter().enumerate() {
            wanted
                .entry(names[level[index]].as_str())
                .or_default()
                .push(index);
        }
        let clashes: Vec<Vec<usize>> = wanted
            .into_iter()
            .filter(|(name, users)| users.len() > 1 || RESERVED_MODULE_NAMES.contains(name))
            .map(|(_, users)| users)
            .collect();
        if clashes.is_empty() {
            break;
        }
        let mut stuck = false;
        for users in clashes {
            let movable: Vec<usize> = users
                .iter()
                .copied()
                .filter(|&index| level[index] + 1 < candidates[index].len())
                .collect();
            if movable.is_empty() {
                stuck = true;
                for &index in &users {
                    let name = &candidates[index][level[index]];
                    let why = if users.len() == 1 {
                        "is one the generated crate uses for itself"
                    } else {
                        "is also derived from another schema file"
                    };
                    errors.push(SchemaError::new(
                        &modules[index].0.source_files[0],
                        format!(
                            "the module name `{name}` {why}; give this file `rust_module` in \
                             an overlay"
                        ),
                    ));
                }
            }
            for index in movable {
                level[index] += 1;
            }
        }
        if stuck {
            return;
        }
    }
    for ((module, _), (names, level)) in modules.iter_mut().zip(candidates.iter().zip(level)) {
        module.name = names[level].clone();
    }
}

/// A type whose name is not decided yet.
struct Pending {
    /// Names to try in order: the plain name, then qualified by each
    /// enclosing struct in turn. An overlay's `rust_type` is the only one.
    candidates: Vec<String>,
    /// The line of the key the type comes from.
    line: usize,
    def: TypeDef,
}

struct ModuleBuilder<'a> {
    file: &'a SchemaFile,
    overlay: Option<&'a Overlay>,
    common: Option<&'a SchemaFile>,
    common_overlay: &'a BTreeMap<&'a str, &'a KeyOverlay>,
    /// Overlay entries by the list and key they name.
    key_overlays: BTreeMap<(KeyListId, String), &'a KeyOverlay>,
    types: Vec<Pending>,
    structs: BTreeMap<KeyListId, TypeId>,
    /// The `supportedOS` each struct's keys inherited where it was lowered.
    struct_availability: BTreeMap<KeyListId, SupportedOs>,
    /// Enums by plain name and values, so equal enums are one type.
    enums: BTreeMap<(String, Vec<String>), TypeId>,
    /// Structs whose fields are still to be lowered.
    queue: Vec<StructJob>,
    /// The arrays and maps being lowered, innermost last, to find one that
    /// contains itself.
    open_containers: Vec<KeyListId>,
    errors: Vec<SchemaError>,
}

struct StructJob {
    id: TypeId,
    list: KeyListId,
    path: Vec<String>,
    /// Names of the enclosing structs, innermost last, for qualified names.
    scope: Vec<String>,
    availability: SupportedOs,
}

impl<'a> ModuleBuilder<'a> {
    fn new(
        file: &'a SchemaFile,
        overlay: Option<&'a Overlay>,
        common: Option<&'a SchemaFile>,
        common_overlay: &'a BTreeMap<&'a str, &'a KeyOverlay>,
    ) -> Self {
        let mut key_overlays = BTreeMap::new();
        for entry in overlay.iter().flat_map(|overlay| &overlay.keys) {
            if let Ok((list, key)) = resolve_overlay_path(file, &entry.path) {
                key_overlays.insert((list, key.key.clone()), entry);
            }
        }
        ModuleBuilder {
            file,
            overlay,
            common,
            common_overlay,
            key_overlays,
            types: Vec::new(),
            structs: BTreeMap::new(),
            struct_availability: BTreeMap::new(),
            enums: BTreeMap::new(),
            queue: Vec::new(),
            open_containers: Vec::new(),
            errors: Vec::new(),
        }
    }

    fn error(&mut self, line: usize, path: &[String], message: String) {
        self.errors.push(
            SchemaError::new(&self.file.path, message)
                .at_line(line)
                .at_path(path),
        );
    }

    fn build(mut self, dispatched: bool) -> Result<Module, Vec<SchemaError>> {
        let file = self.file;
        let is_profile = file.payload_type() == TOP_LEVEL;
        let stem = file.stem();
        let module_name = self
            .overlay
            .and_then(|overlay| overlay.rust_module.clone())
            .unwrap_or_else(|| {
                if is_profile {
                    "profile".to_owned()
                } else {
                    naming::module_name(stem)
                }
            });
        let root_name = self
            .overlay
            .and_then(|overlay| overlay.rust_name.clone())
            .unwrap_or_else(|| {
                if is_profile {
                    "Profile".to_owned()
                } else {
                    naming::type_name(stem.strip_prefix("com.apple.").unwrap_or(stem))
                }
            });
        let path = vec![file.payload_type().to_owned()];
        let root = self.add_type(
            vec![root_name.clone()],
            1,
            TypeDef {
                name: String::new(),
                origin: path.clone(),
                also_at: Vec::new(),
                availability_by_path: false,
                subkeytype: None,
                docs: Docs {
                    title: Some(file.title.clone()),
                    description: file.description.clone(),
                },
                kind: TypeKind::Struct(StructDef {
                    fields: Vec::new(),
                    rules: Vec::new(),
                }),
            },
        );
        let mut fields = Vec::new();
        if let Some(common) = self.common {
            let own: BTreeSet<&str> = file
                .payload_keys
                .map(|list| file.keys(list).iter().map(|key| key.key.as_str()).collect())
                .unwrap_or_default();
            let list = common.payload_keys.unwrap_or_default();
            for key in common.keys(list) {
                if own.contains(key.key.as_str()) {
                    continue; // the payload's own definition wins
                }
                let mut field = self.lower_common_field(key, &path, &file.supported_os);
                field.common = true;
                fields.push(field);
            }
        }
        if let Some(list) = file.payload_keys {
            let scope = vec![root_name];
            fields.extend(self.lower_fields(list, &path, &scope, &file.supported_os, is_profile));
        }
        self.set_fields(root, fields);
        while let Some(job) = self.queue.pop() {
            let fields =
                self.lower_fields(job.list, &job.path, &job.scope, &job.availability, false);
            self.set_fields(job.id, fields);
        }
        self.attach_rules(root);
        let types = self.resolve_names();
        if !self.errors.is_empty() {
            return Err(self.errors);
        }
        let mut types = types;
        mark_boxed_fields(&mut types);
        spread_availability_by_path(&mut types);
        let mut source_files = vec![file.path.clone()];
        source_files.extend(self.overlay.map(|overlay| overlay.path.clone()));
        if let Some(common) = self.common {
            source_files.push(common.path.clone());
        }
        Ok(Module {
            name: module_name,
            kind: if is_profile {
                ModuleKind::Profile
            } else {
                ModuleKind::Payload
            },
            payload_type: file.payload_type().to_owned(),
            dispatched,
            title: file.title.clone(),
            description: file.description.clone(),
            source_files,
            supported_os: availability(&file.supported_os),
            root,
            types,
        })
    }

    /// Gives each overlay rule to the struct of the dictionary it reads.
    fn attach_rules(&mut self, root: TypeId) {
        let Some(overlay) = self.overlay else {
            return;
        };
        for spec in &overlay.rules {
            let Ok(list) = rule_dictionary(self.file, &spec.within) else {
                continue; // reported by `check`
            };
            let id = if Some(list) == self.file.payload_keys {
                root
            } else {
                match self.structs.get(&list) {
                    Some(&id) => id,
                    None => continue,
                }
            };
            let mut used = spec.check.rankings();
            used.extend(spec.when.iter().flat_map(ConditionSpec::rankings));
            let rankings = used
                .into_iter()
                .filter_map(|name| {
                    overlay
                        .rankings
                        .get(name)
                        .map(|groups| (name.to_owned(), groups.clone()))
                })
                .collect();
            let rule = Rule {
                code: spec.code.clone(),
                severity: spec.severity,
                when: spec.when.clone(),
                check: spec.check.clone(),
                message: spec.message.clone(),
                at: spec.at.clone(),
                rankings,
            };
            if let TypeKind::Struct(def) = &mut self.types[id.0].def.kind {
                def.rules.push(rule);
            }
        }
    }

    fn add_type(&mut self, candidates: Vec<String>, line: usize, def: TypeDef) -> TypeId {
        self.types.push(Pending {
            candidates,
            line,
            def,
        });
        TypeId(self.types.len() - 1)
    }

    fn set_fields(&mut self, id: TypeId, fields: Vec<Field>) {
        if let TypeKind::Struct(def) = &mut self.types[id.0].def.kind {
            def.fields = fields;
        }
    }

    /// A common payload key: scalars only, lowered without this file's
    /// overlays or types.
    fn lower_common_field(
        &mut self,
        key: &PayloadKey,
        path: &[String],
        inherited: &SupportedOs,
    ) -> Field {
        let mut key_path = path.to_vec();
        key_path.push(key.key.clone());
        let supported = key.supported_os.inherit(inherited);
        let value = match key.key_type() {
            Some(KeyType::Integer) if is_flag(key) => Shape::IntegerFlag,
            Some(KeyType::Integer) => Shape::Integer,
            Some(KeyType::Real) => Shape::Real,
            Some(KeyType::Boolean) => Shape::Boolean,
            Some(KeyType::Date) => Shape::Date,
            Some(KeyType::Data) => Shape::Data,
            Some(KeyType::String) => Shape::String,
            _ => Shape::Any,
        };
        let mut constraints = constraints_of(key);
        constraints.allowed = key
            .rangelist
            .iter()
            .flatten()
            .map(|value| value.value.clone())
            .collect();
        let overlay = self.common_overlay.get(key.key.as_str()).copied();
        if let Some(format) = overlay.and_then(|overlay| overlay.valuetype) {
            constraints.format = Some(format);
        }
        let mut field = Field {
            key: key.key.clone(),
            name: naming::field_name(&key.key),
            required: key.presence == Presence::Required,
            value: Value {
                shape: value,
                constraints,
            },
            docs: docs_of(key),
            availability: availability(&supported),
            declared_availability: availability(&key.supported_os),
            sensitive: false,
            boxed: false,
            common: true,
            platform_limits: Vec::new(),
            references: None,
        };
        apply_overlay(&mut field, overlay);
        field
    }

    fn lower_fields(
        &mut self,
        list: KeyListId,
        path: &[String],
        scope: &[String],
        inherited: &SupportedOs,
        is_profile: bool,
    ) -> Vec<Field> {
        let file = self.file;
        let mut fields = Vec::new();
        for key in file.keys(list) {
            if key.key == ANY_KEY {
                continue; // kept with the unknown keys
            }
            let mut key_path = path.to_vec();
            key_path.push(key.key.clone());
            let supported = key.supported_os.inherit(inherited);
            let overlay = self.key_overlays.get(&(list, key.key.clone())).copied();
            let value = if is_profile && key.key == "PayloadContent" {
                Value::of(Shape::Payloads)
            } else {
                self.lower_value(key, overlay, &key_path, scope, &supported)
            };
            let mut field = Field {
                key: key.key.clone(),
                name: naming::field_name(&key.key),
                required: key.presence == Presence::Required,
                value,
                docs: docs_of(key),
                availability: availability(&supported),
                declared_availability: availability(&key.supported_os),
                sensitive: false,
                boxed: false,
                common: false,
                platform_limits: Vec::new(),
                references: None,
            };
            apply_overlay(&mut field, overlay);
            fields.push(field);
        }
        fields
    }

    fn lower_value(
        &mut self,
        key: &PayloadKey,
        overlay: Option<&KeyOverlay>,
        path: &[String],
        scope: &[String],
        supported: &SupportedOs,
    ) -> Value {
        // An array or `ANY` map whose contents lead back to itself with no
        // struct in between (structs are lowered later, from the queue) has
        // no finite Rust type.
        let container = key
            .subkeys
            .filter(|_| key.key_type() != Some(KeyType::Dictionary) || self.is_map(key));
        if let Some(list) = container {
            if self.open_containers.len() >= MAX_NESTED_CONTAINERS {
                let message = format!(
                    "arrays and dictionaries of any keys nest more than \
                     {MAX_NESTED_CONTAINERS} deep here with no dictionary of named keys in \
                     between; the Rust type would be unreadable"
                );
                self.error(key.line, path, message);
                return Value::of(Shape::Any);
            }
            if self.open_containers.contains(&list) {
                let message = "this array or dictionary contains itself with no dictionary of \
                               named keys in between, so it has no finite type; put such a \
                               dictionary in the cycle"
                    .to_owned();
                self.error(key.line, path, message);
                return Value::of(Shape::Any);
            }
            self.open_containers.push(list);
        }
        let value = self.lower_value_inner(key, overlay, path, scope, supported);
        if container.is_some() {
            self.open_containers.pop();
        }
        value
    }

    /// A dictionary whose only key is `ANY`: a map.
    fn is_map(&self, key: &PayloadKey) -> bool {
        key.subkeys.is_some_and(|list| {
            let keys = self.file.keys(list);
            keys.len() == 1 && keys[0].key == ANY_KEY
        })
    }

    fn lower_value_inner(
        &mut self,
        key: &PayloadKey,
        overlay: Option<&KeyOverlay>,
        path: &[String],
        scope: &[String],
        supported: &SupportedOs,
    ) -> Value {
        let mut constraints = constraints_of(key);
        if let Some(format) = overlay.and_then(|overlay| overlay.valuetype) {
            constraints.format = Some(format);
        }
        let numbers = || -> Vec<Scalar> {
            key.rangelist
                .iter()
                .flatten()
                .map(|value| value.value.clone())
                .collect()
        };
        let shape = match key.key_type() {
            Some(KeyType::String)
                if key.rangelist.as_ref().is_some_and(|list| !list.is_empty()) =>
            {
                Shape::Enum(self.lower_enum(key, overlay, path, scope))
            }
            Some(KeyType::String) => Shape::String,
            Some(KeyType::Integer) if is_flag(key) => Shape::IntegerFlag,
            Some(KeyType::Integer) => {
                constraints.allowed = numbers();
                Shape::Integer
            }
            Some(KeyType::Real) => {
                constraints.allowed = numbers();
                Shape::Real
            }
            Some(KeyType::Boolean) => Shape::Boolean,
            Some(KeyType::Date) => Shape::Date,
            Some(KeyType::Data) => Shape::Data,
            Some(KeyType::Any) | None => Shape::Any,
            Some(KeyType::Array) => {
                let element = key
                    .subkeys
                    .and_then(|list| self.file.keys(list).first().map(|element| (list, element)));
                match element {
                    Some((list, element)) => {
                        let element_overlay =
                            self.key_overlays.get(&(list, element.key.clone())).copied();
                        let mut element_path = path.to_vec();
                        element_path.push(element.key.clone());
                        // An element has the availability of its array: the
                        // validators check availability per key, and an
                        // element is not a key (Apple's few element-level
                        // `supportedOS` entries are left out).
                        let element_supported = supported.clone();
                        // The array's `subkeytype` and overlay name its
                        // element's type.
                        let mut element_key = element.clone();
                        if element_key.subkeytype.is_none() {
                            element_key.subkeytype = key.subkeytype.clone();
                        }
                        let element_overlay =
                            element_overlay.or(overlay.filter(|o| o.rust_type.is_some()));
                        // Elements are qualified by their array's name when
                        // their own name is taken.
                        let mut element_scope = scope.to_vec();
                        element_scope.push(naming::type_name(&key.key));
                        let value = self.lower_value(
                            &element_key,
                            element_overlay,
                            &element_path,
                            &element_scope,
                            &element_supported,
                        );
                        // Apple writes an array's item count on the array
                        // or on its element.
                        if constraints.repetition.is_none() {
                            constraints.repetition = element.repetition;
                        }
                        Shape::Array(Box::new(value))
                    }
                    None => Shape::Array(Box::new(Value::of(Shape::Any))),
                }
            }
            Some(KeyType::Dictionary) => match key.subkeys {
                None => Shape::Any,
                Some(list) => {
                    if self.is_map(key) {
                        let any = &self.file.keys(list)[0];
                        let mut value_path = path.to_vec();
                        value_path.push(ANY_KEY.to_owned());
                        let value = self.lower_value(any, None, &value_path, scope, supported);
                        if value.shape == Shape::Any {
                            Shape::Any
                        } else {
                            Shape::Map(Box::new(value))
                        }
                    } else {
                        Shape::Struct(self.lower_struct(key, list, overlay, path, scope, supported))
                    }
                }
            },
        };
        Value { shape, constraints }
    }

    fn lower_struct(
        &mut self,
        key: &PayloadKey,
        list: KeyListId,
        overlay: Option<&KeyOverlay>,
        path: &[String],
        scope: &[String],
        supported: &SupportedOs,
    ) -> TypeId {
        if let Some(&id) = self.structs.get(&list) {
            let varies = self.struct_availability.get(&list) != Some(supported);
            let def = &mut self.types[id.0].def;
            if def.origin != path && !def.also_at.iter().any(|known| known == path) {
                def.also_at.push(path.to_vec());
            }
            def.availability_by_path |= varies;
            return id;
        }
        let base = key.subkeytype.as_deref().unwrap_or(&key.key);
        let candidates = match overlay.and_then(|overlay| overlay.rust_type.clone()) {
            Some(name) => vec![name],
            None => qualified_candidates(base, scope),
        };
        let id = self.add_type(
            candidates,
            key.line,
            TypeDef {
                name: String::new(),
                origin: path.to_vec(),
                also_at: Vec::new(),
                availability_by_path: false,
                subkeytype: key.subkeytype.clone(),
                docs: docs_of(key),
                kind: TypeKind::Struct(StructDef {
                    fields: Vec::new(),
                    rules: Vec::new(),
                }),
            },
        );
        self.structs.insert(list, id);
        self.struct_availability.insert(list, supported.clone());
        let mut inner_scope = scope.to_vec();
        inner_scope.push(naming::type_name(base));
        self.queue.push(StructJob {
            id,
            list,
            path: path.to_vec(),
            scope: inner_scope,
            availability: supported.clone(),
        });
        id
    }

    fn lower_enum(
        &mut self,
        key: &PayloadKey,
        overlay: Option<&KeyOverlay>,
        path: &[String],
        scope: &[String],
    ) -> TypeId {
        let values: Vec<String> = key
            .rangelist
            .iter()
            .flatten()
            .map(|value| value.value.to_string())
            .collect();
        let base = key.subkeytype.as_deref().unwrap_or(&key.key).to_owned();
        let candidates = match overlay.and_then(|overlay| overlay.rust_type.clone()) {
            Some(name) => vec![name],
            None => qualified_candidates(&base, scope),
        };
        let signature = (candidates[0].clone(), values.clone());
        if let Some(&id) = self.enums.get(&signature) {
            let def = &mut self.types[id.0].def;
            if def.origin != path && !def.also_at.iter().any(|known| known == path) {
                def.also_at.push(path.to_vec());
            }
            return id;
        }
        let renames = overlay.map(|overlay| &overlay.rust_variants);
        // Clashing variant names are reported by `check`.
        let variants: Vec<Variant> = values
            .iter()
            .map(|value| Variant {
                name: renames
                    .and_then(|renames| renames.get(value).cloned())
                    .unwrap_or_else(|| naming::type_name(value)),
                value: value.clone(),
            })
            .collect();
        let other = ["Other", "OtherValue", "UnlistedValue"]
            .into_iter()
            .find(|name| variants.iter().all(|variant| variant.name != *name))
            .unwrap_or("UnlistedValue")
            .to_owned();
        let id = self.add_type(
            candidates,
            key.line,
            TypeDef {
                name: String::new(),
                origin: path.to_vec(),
                also_at: Vec::new(),
                availability_by_path: false,
                subkeytype: None,
                docs: docs_of(key),
                kind: TypeKind::Enum(EnumDef { variants, other }),
            },
        );
        self.enums.insert(signature, id);
        id
    }

    /// Gives every type the first candidate name no other type wants, trying
    /// longer (qualified) candidates for names two types want.
    fn resolve_names(&mut self) -> Vec<TypeDef> {
        let mut level = vec![0usize; self.types.len()];
        loop {
            // Names clash when their table names (SHOUTY_CASE) do, too.
            let mut wanted: BTreeMap<String, Vec<usize>> = BTreeMap::new();
            for (index, pending) in self.types.iter().enumerate() {
                let name = pending.candidates[level[index]].to_shouty_snake_case();
                wanted.entry(name).or_default().push(index);
            }
            let mut moved = false;
            let mut stuck = false;
            for (table, users) in &wanted {
                let name = self.types[users[0]].candidates[level[users[0]]].clone();
                let reserved = RESERVED_TYPE_NAMES.contains(&name.as_str())
                    || RESERVED_TABLE_NAMES.contains(&table.as_str());
                if users.len() < 2 && !reserved {
                    continue;
                }
                // Types with a longer candidate move on; the root keeps its
                // name. Whoever cannot move keeps the name, if alone.
                let (staying, moving): (Vec<usize>, Vec<usize>) =
                    users.iter().partition(|&&index| {
                        index == 0 || level[index] + 1 >= self.types[index].candidates.len()
                    });
                for &index in &moving {
                    level[index] += 1;
                    moved = true;
                }
                let clash =
                    staying.len() > 1 || (reserved && staying.iter().any(|&index| index != 0));
                if clash {
                    stuck = true;
                    self.report_name_clash(&name, &staying, reserved);
                }
            }
            if stuck {
                return Vec::new();
            }
            if !moved {
                break;
            }
        }
        self.types
            .iter()
            .enumerate()
            .map(|(index, pending)| {
                let mut def = pending.def.clone();
                def.name = pending.candidates[level[index]].clone();
                def
            })
            .collect()
    }

    fn report_name_clash(&mut self, name: &str, users: &[usize], reserved: bool) {
        for &index in users.iter().filter(|&&index| index != 0) {
            let pending = &self.types[index];
            let others: Vec<String> = users
                .iter()
                .filter(|&&other| other != index)
                .map(|&other| format!("`{}`", self.types[other].def.origin.join(" › ")))
                .collect();
            let plain = &pending.candidates[0];
            let reason = if others.is_empty() {
                debug_assert!(reserved);
                format!("`{name}` is a name the generated code needs")
            } else {
                format!("so is the type of {}", others.join(" and "))
            };
            let named = if plain == name {
                format!("the type of this key would be named `{name}`")
            } else {
                format!(
                    "the type of this key would be named `{plain}` and, qualified by its \
                     enclosing types, `{name}`"
                )
            };
            let message = format!(
                "{named}; {reason}; give one of them a different `rust_type` in the overlay"
            );
            let error = SchemaError::new(&self.file.path, message)
                .at_line(pending.line)
                .at_path(&pending.def.origin);
            self.errors.push(error);
        }
    }
}

/// The dictionaries inside one whose keys' availability depends on the
/// path inherit that dependence.
fn spread_availability_by_path(types: &mut [TypeDef]) {
    fn structs_in(shape: &Shape, found: &mut Vec<TypeId>) {
        match shape {
            Shape::Struct(id) => found.push(*id),
            Shape::Array(item) | Shape::Map(item) => structs_in(&item.shape, found),
            _ => {}
        }
    }
    let mut pending: Vec<TypeId> = (0..types.len())
        .map(TypeId)
        .filter(|id| types[id.0].availability_by_path)
        .collect();
    while let Some(id) = pending.pop() {
        let mut inner = Vec::new();
        if let TypeKind::Struct(def) = &types[id.0].kind {
            for field in &def.fields {
                structs_in(&field.value.shape, &mut inner);
            }
        }
        for child in inner {
            if !types[child.0].availability_by_path {
                types[child.0].availability_by_path = true;
                pending.push(child);
            }
        }
    }
}

/// What an overlay entry says about a field beyond its value (the value's
/// `valuetype` is applied where the value is lowered).
fn apply_overlay(field: &mut Field, overlay: Option<&KeyOverlay>) {
    let Some(overlay) = overlay else {
        return;
    };
    if let Some(name) = &overlay.rust_name {
        field.name = name.clone();
    }
    field.sensitive = overlay.sensitive;
    field.references = overlay.references.clone();
    field.platform_limits = overlay
        .platform_range
        .iter()
        .map(|(os, (min, max))| PlatformLimit {
            os: *os,
            min: *min,
            max: *max,
        })
        .collect();
}

/// `Name`, then `ParentName`, `GrandParentParentName`, … from the enclosing
/// structs, innermost first.
fn qualified_candidates(base: &str, scope: &[String]) -> Vec<String> {
    let plain = naming::type_name(base);
    let mut candidates = vec![plain.clone()];
    let mut qualified = plain;
    for enclosing in scope.iter().rev() {
        qualified = format!("{enclosing}{qualified}");
        candidates.push(qualified.clone());
    }
    candidates
}

/// An `<integer>` whose allowed values are exactly 0 and 1.
fn is_flag(key: &PayloadKey) -> bool {
    let Some(rangelist) = &key.rangelist else {
        return false;
    };
    let mut values: Vec<&Scalar> = rangelist.iter().map(|value| &value.value).collect();
    values.sort_by_key(|value| value.to_string());
    values == [&Scalar::Integer(0), &Scalar::Integer(1)]
}

fn constraints_of(key: &PayloadKey) -> Constraints {
    Constraints {
        allowed: Vec::new(),
        range: key.range.clone(),
        default: key.default.as_ref().map(|default| default.value.clone()),
        pattern: key.format.clone(),
        repetition: key.repetition,
        format: key.subtype.as_deref().and_then(ValueFormat::from_subtype),
    }
}

fn docs_of(key: &PayloadKey) -> Docs {
    Docs {
        title: key.title.clone(),
        description: key.content.clone(),
    }
}

fn availability(supported: &SupportedOs) -> Availability {
    Availability(
        supported
            .0
            .iter()
            .map(|(os, support)| (*os, support.clone()))
            .collect(),
    )
}

/// Boxes each field whose struct type leads back to the field's own struct
/// through struct fields alone (a collection in between is indirection
/// enough).
fn mark_boxed_fields(types: &mut [TypeDef]) {
    let direct = |def: &TypeDef| -> Vec<TypeId> {
        match &def.kind {
            TypeKind::Struct(def) => def
                .fields
                .iter()
                .filter_map(|field| match field.value.shape {
                    Shape::Struct(target) => Some(target),
                    _ => None,
                })
                .collect(),
            TypeKind::Enum(_) => Vec::new(),
        }
    };
    let edges: Vec<Vec<TypeId>> = types.iter().map(direct).collect();
    let reaches = |from: TypeId, to: TypeId| -> bool {
        let mut seen = BTreeSet::new();
        let mut pending = vec![from];
        while let Some(id) = pending.pop() {
            if id == to {
                return true;
            }
            if seen.insert(id) {
                pending.extend(edges[id.0].iter().copied());
            }
        }
        false
    };
    for (index, def) in types.iter_mut().enumerate() {
        let owner = TypeId(index);
        if let TypeKind::Struct(def) = &mut def.kind {
            for field in &mut def.fields {
                field.boxed =
                    matches!(field.value.shape, Shape::Struct(target) if reaches(target, owner));
            }
        }
    }
}
