//! Stage 3: decide which Rust types each schema file needs, and what shape
//! each key's value has. One struct per dictionary with named keys (one YAML
//! node: a dictionary shared through an anchor is one type), one enum per
//! list of allowed strings (two keys with the same name and values share
//! it), arrays and maps of those, recorded with every path that reaches
//! them. [`naming`](crate::naming) names these types, [`lower`](crate::lower)
//! fills them in; neither walks the schema to find them again.
//!
//! [`value_shape`] and [`fixed_value`] are the only places a key's shape is
//! decided, [`constructor_takes`] the only place what a constructor takes.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use crate::bind::{Bindings, FileId, KeyId};
use crate::conventions::{
    ANY_KEY, DECLARATION_PAYLOAD_KEY, DECLARATION_TYPE_KEY, FileRole, PAYLOAD_CONTENT, PAYLOAD_TYPE,
};
use crate::error::{SchemaError, overlay_key_path};
use crate::ident;
use crate::schema::{
    Availability, KeyListId, KeyOverlay, KeyType, PayloadKey, Presence, Scalar, SchemaFile,
};

/// How deeply arrays and `ANY` maps may nest without a struct in between
/// (Apple's deepest is two: an array of arrays).
const MAX_NESTED_CONTAINERS: usize = 16;

/// Index of a type in its module's [`ModulePlan::types`] (and, after
/// lowering, in the IR module's types).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TypeId(pub usize);

impl TypeId {
    /// The payload's own dictionary: always the first type of a module.
    pub const ROOT: TypeId = TypeId(0);
}

/// The types of every module, one module per schema file but the common
/// payload keys.
#[derive(Debug)]
pub struct TypePlan<'s> {
    pub modules: Vec<ModulePlan<'s>>,
    /// Shapes that have no Rust type (containers that contain themselves).
    pub problems: Vec<SchemaError>,
}

/// The types one schema file needs.
#[derive(Debug)]
pub struct ModulePlan<'s> {
    pub file: FileId,
    /// The root struct first, then in order of first use.
    pub types: Vec<PlannedType<'s>>,
    /// The struct of each dictionary with named keys.
    pub structs: BTreeMap<KeyListId, TypeId>,
    /// The enum of each key whose value is a list of allowed strings.
    pub enums: BTreeMap<KeyId, TypeId>,
    /// Keys of Apple's published files whose value has no finite Rust type
    /// (a container that contains itself): they hold any value.
    pub untyped: BTreeSet<KeyId>,
}

impl<'s> ModulePlan<'s> {
    pub fn get(&self, id: TypeId) -> &PlannedType<'s> {
        &self.types[id.0]
    }

    pub fn struct_of(&self, list: KeyListId) -> Option<TypeId> {
        self.structs.get(&list).copied()
    }

    pub fn enum_of(&self, key: KeyId) -> Option<TypeId> {
        self.enums.get(&key).copied()
    }
}

/// One Rust type to generate.
#[derive(Debug)]
pub struct PlannedType<'s> {
    pub kind: PlannedKind,
    /// The key that first reaches the type; `None` for the payload's own
    /// dictionary.
    pub key: Option<KeyId>,
    /// The key path it is first reached at, payload type first.
    pub origin: Vec<String>,
    /// The other key paths that reach it (a shape Apple shares).
    pub also_at: Vec<Vec<String>>,
    /// Names to try in order: the plain name, then qualified by each
    /// enclosing struct in turn. An overlay's `rust_type` is the only one.
    pub candidates: Vec<String>,
    /// The line of the key it comes from, for messages.
    pub line: usize,
    /// Apple's `subkeytype` in force, when the schema names the shape.
    pub subkeytype: Option<String>,
    /// The overlay entry that names the type and its variants.
    pub overlay: Option<&'s KeyOverlay>,
    /// For a struct: the `supportedOS` its keys inherit on the first path
    /// that reaches it.
    pub inherited: Vec<Availability>,
    /// For a struct: whether its keys inherit a different `supportedOS` on
    /// different paths (a shared dictionary under keys of different
    /// availability, or inside one).
    pub availability_by_path: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub enum PlannedKind {
    /// A dictionary with named keys.
    Struct { list: KeyListId },
    /// A string with a list of allowed values.
    Enum { values: Vec<String> },
}

/// What a value position holds, decided from its key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyShape {
    String,
    Integer,
    Real,
    Boolean,
    /// An `<integer>` whose allowed values are exactly 0 and 1.
    IntegerFlag,
    Date,
    Data,
    /// `<any>`, or a dictionary whose contents are not described.
    Any,
    /// A string with a list of allowed values.
    Enum,
    /// A dictionary with named keys.
    Struct(KeyListId),
    /// A dictionary of any keys, with values described by its `ANY` key.
    Map(KeyId),
    /// An array, with its element when the schema describes it.
    Array(Option<KeyId>),
    /// The profile's `PayloadContent`: payloads decoded by their type.
    Payloads,
    /// The declaration envelope's `Type`: it names the payload's type, so it
    /// is the payload's, not a field of its own.
    DeclarationType,
    /// The declaration envelope's `Payload`: decoded by its `Type`.
    DeclarationPayload,
}

/// The shape of the value at `key`. The common payload keys are scalars:
/// they are the same in every payload and never define types.
pub fn value_shape(bindings: &Bindings, key: KeyId) -> KeyShape {
    let binding = bindings.file(key.file);
    let schema_key = bindings.key(key);
    let file = binding.file;
    let in_root = Some(key.list) == file.payload_keys;
    if binding.role == FileRole::Profile && in_root && schema_key.key == PAYLOAD_CONTENT {
        return KeyShape::Payloads;
    }
    if binding.role == FileRole::DeclarationEnvelope && in_root {
        match schema_key.key.as_str() {
            DECLARATION_TYPE_KEY => return KeyShape::DeclarationType,
            DECLARATION_PAYLOAD_KEY => return KeyShape::DeclarationPayload,
            _ => {}
        }
    }
    let common = binding.role == FileRole::CommonKeys;
    match schema_key.key_type() {
        Some(KeyType::String) if !common && has_allowed_values(schema_key) => KeyShape::Enum,
        Some(KeyType::String) => KeyShape::String,
        Some(KeyType::Integer) if is_flag(schema_key) => KeyShape::IntegerFlag,
        Some(KeyType::Integer) => KeyShape::Integer,
        Some(KeyType::Real) => KeyShape::Real,
        Some(KeyType::Boolean) => KeyShape::Boolean,
        Some(KeyType::Date) => KeyShape::Date,
        Some(KeyType::Data) => KeyShape::Data,
        Some(KeyType::Any) | None => KeyShape::Any,
        Some(_) if common => KeyShape::Any,
        Some(KeyType::Array) => KeyShape::Array(schema_key.subkeys.and_then(|list| {
            (!file.keys(list).is_empty()).then_some(KeyId {
                file: key.file,
                list,
                index: 0,
            })
        })),
        Some(KeyType::Dictionary) => match schema_key.subkeys {
            None => KeyShape::Any,
            Some(list) => {
                let keys = file.keys(list);
                if keys.len() == 1 && keys[0].key == ANY_KEY {
                    KeyShape::Map(KeyId {
                        file: key.file,
                        list,
                        index: 0,
                    })
                } else {
                    KeyShape::Struct(list)
                }
            }
        },
    }
}

/// A key whose value can only be one thing.
#[derive(Debug, Clone, PartialEq)]
pub struct Fixed {
    pub value: Scalar,
    /// The scalar shape it is held in.
    pub shape: KeyShape,
}

/// The value a key of the dictionary always has, when there is only one: a
/// required string, number or boolean whose `rangelist` allows one value
/// (`PayloadVersion`), or the `PayloadType` of a payload's own dictionary.
/// Such a key is set by the constructor and read-only in the generated API.
pub fn fixed_value(bindings: &Bindings, module: FileId, key: KeyId) -> Option<Fixed> {
    let schema_key = bindings.key(key);
    if schema_key.presence != Presence::Required {
        return None;
    }
    let shape = match schema_key.key_type()? {
        KeyType::String => KeyShape::String,
        KeyType::Integer => KeyShape::Integer,
        KeyType::Real => KeyShape::Real,
        KeyType::Boolean => KeyShape::Boolean,
        _ => return None,
    };
    let module_file = bindings.file(module);
    let in_root = (key.file == module && Some(key.list) == module_file.file.payload_keys)
        || bindings.is_common(key);
    if in_root
        && module_file.role == FileRole::Payload
        && schema_key.key == PAYLOAD_TYPE
        && shape == KeyShape::String
    {
        let value = Scalar::String(module_file.file.payload_type().to_owned());
        return Some(Fixed { value, shape });
    }
    match schema_key.rangelist.as_deref() {
        Some([only]) => Some(Fixed {
            value: only.value.clone(),
            shape,
        }),
        _ => None,
    }
}

/// Whether a struct's constructor takes the key: a required key with no
/// fixed value, that its payload does not name (a declaration's `Type`).
pub fn constructor_takes(bindings: &Bindings, module: FileId, key: KeyId) -> bool {
    bindings.key(key).presence == Presence::Required
        && fixed_value(bindings, module, key).is_none()
        && value_shape(bindings, key) != KeyShape::DeclarationType
}

/// The overlay entry in force for an array's element: its own, or the
/// array's when the array's entry names the element type (`rust_type`).
pub fn element_overlay<'s>(
    bindings: &Bindings<'s>,
    array_overlay: Option<&'s KeyOverlay>,
    element: KeyId,
) -> Option<&'s KeyOverlay> {
    bindings
        .key_overlay(element)
        .or(array_overlay.filter(|overlay| overlay.rust_type.is_some()))
}

fn has_allowed_values(key: &PayloadKey) -> bool {
    key.rangelist.as_ref().is_some_and(|list| !list.is_empty())
}

/// An `<integer>` whose allowed values are exactly 0 and 1.
fn is_flag(key: &PayloadKey) -> bool {
    let Some(mut values) = key.allowed_values() else {
        return false;
    };
    values.sort_by_key(|value| value.to_string());
    values == [&Scalar::Integer(0), &Scalar::Integer(1)]
}

/// Plans the types of every module.
pub fn plan<'s>(bindings: &Bindings<'s>) -> TypePlan<'s> {
    let mut modules = Vec::new();
    let mut problems = Vec::new();
    for binding in &bindings.files {
        // A file without `payloadkeys` is refused when it is read.
        let Some(list) = binding.file.payload_keys else {
            continue;
        };
        if binding.role == FileRole::CommonKeys {
            continue;
        }
        let mut planner = Planner::new(bindings, binding.id);
        planner.plan(list);
        problems.append(&mut planner.problems);
        modules.push(planner.module);
    }
    TypePlan { modules, problems }
}

/// The candidate name of a payload's own dictionary: an overlay's
/// `rust_name`, `Profile` for the envelope, else the file stem without
/// Apple's prefix.
pub fn root_type_name(bindings: &Bindings, file: FileId) -> String {
    let binding = bindings.file(file);
    if let Some(name) = binding
        .overlay
        .and_then(|overlay| overlay.rust_name.clone())
    {
        return name;
    }
    match binding.role {
        FileRole::Profile => "Profile".to_owned(),
        FileRole::DeclarationEnvelope => "Declaration".to_owned(),
        // `com.apple.configuration.passcode.settings`: `PasscodeSettings`,
        // its kind (configuration, asset…) is the module's name.
        FileRole::Declaration => {
            let declaration_type = ident::strip_apple_prefix(binding.file.payload_type());
            let name = declaration_type
                .split_once('.')
                .map_or(declaration_type, |(_, rest)| rest);
            ident::type_name(name)
        }
        _ => ident::type_name(ident::strip_apple_prefix(binding.file.stem())),
    }
}

/// A struct whose keys are still to be walked.
struct Job {
    list: KeyListId,
    path: Vec<String>,
    /// Plain names of the enclosing structs, innermost last.
    scope: Vec<String>,
    inherited: Vec<Availability>,
}

/// What a value position is reached with.
struct Position<'a, 's> {
    path: &'a [String],
    scope: &'a [String],
    inherited: &'a [Availability],
    /// The overlay entry in force (an array's, when it names the type of its
    /// elements).
    overlay: Option<&'s KeyOverlay>,
    /// The `subkeytype` in force (an array's, for its element).
    subkeytype: Option<&'a str>,
}

struct Planner<'b, 's> {
    bindings: &'b Bindings<'s>,
    file: &'s SchemaFile,
    module: ModulePlan<'s>,
    /// Enums by plain name and values, so equal enums are one type.
    enum_signatures: BTreeMap<(String, Vec<String>), TypeId>,
    /// Structs whose keys are still to be walked, first reached first.
    queue: VecDeque<Job>,
    /// The arrays and maps being walked, innermost last, to find one that
    /// contains itself.
    open_containers: Vec<KeyListId>,
    problems: Vec<SchemaError>,
}

impl<'b, 's> Planner<'b, 's> {
    fn new(bindings: &'b Bindings<'s>, file: FileId) -> Self {
        Planner {
            bindings,
            file: bindings.file(file).file,
            module: ModulePlan {
                file,
                types: Vec::new(),
                structs: BTreeMap::new(),
                enums: BTreeMap::new(),
                untyped: BTreeSet::new(),
            },
            enum_signatures: BTreeMap::new(),
            queue: VecDeque::new(),
            open_containers: Vec::new(),
            problems: Vec::new(),
        }
    }

    /// Plans the payload's dictionary, `list`, and everything it holds.
    fn plan(&mut self, list: KeyListId) {
        let file = self.file;
        let root_name = root_type_name(self.bindings, self.module.file);
        let path = vec![file.payload_type().to_owned()];
        self.module.types.push(PlannedType {
            kind: PlannedKind::Struct { list },
            key: None,
            origin: path.clone(),
            also_at: Vec::new(),
            candidates: vec![root_name.clone()],
            line: 1,
            subkeytype: None,
            overlay: None,
            inherited: file.supported_os.clone(),
            availability_by_path: false,
        });
        self.module.structs.insert(list, TypeId::ROOT);
        self.walk_fields(
            list,
            &path,
            std::slice::from_ref(&root_name),
            &file.supported_os,
        );
        while let Some(job) = self.queue.pop_front() {
            self.walk_fields(job.list, &job.path, &job.scope, &job.inherited);
        }
        spread_availability_by_path(&mut self.module, self.bindings);
    }

    fn walk_fields(
        &mut self,
        list: KeyListId,
        path: &[String],
        scope: &[String],
        inherited: &[Availability],
    ) {
        let module = self.module.file;
        for key in self.bindings.named_keys(module, list) {
            if self.bindings.is_common(key) || fixed_value(self.bindings, module, key).is_some() {
                continue; // scalars: no types
            }
            let schema_key = self.bindings.key(key);
            let mut key_path = path.to_vec();
            key_path.push(schema_key.key.clone());
            let supported = Availability::inherit(&schema_key.supported_os, inherited);
            let position = Position {
                path: &key_path,
                scope,
                inherited: &supported,
                overlay: self.bindings.key_overlay(key),
                subkeytype: schema_key.subkeytype.as_deref(),
            };
            self.walk_value(key, &position);
        }
    }

    fn walk_value(&mut self, key: KeyId, at: &Position<'_, 's>) {
        let shape = value_shape(self.bindings, key);
        // An array or `ANY` map whose contents lead back to itself with no
        // struct in between (structs are walked later, from the queue) has no
        // finite Rust type.
        let container = match shape {
            KeyShape::Array(Some(element)) => Some(element.list),
            KeyShape::Map(any) => Some(any.list),
            _ => None,
        };
        if let Some(list) = container {
            let line = self.bindings.key(key).line;
            if self.open_containers.len() >= MAX_NESTED_CONTAINERS {
                let message = format!(
                    "arrays and dictionaries of any keys nest more than \
                     {MAX_NESTED_CONTAINERS} deep here with no dictionary of named keys in \
                     between; the Rust type would be unreadable"
                );
                self.untypeable(key, line, at.path, message);
                return;
            }
            if self.open_containers.contains(&list) {
                let message = "this array or dictionary contains itself with no dictionary of \
                               named keys in between, so it has no finite type; put such a \
                               dictionary in the cycle"
                    .to_owned();
                self.untypeable(key, line, at.path, message);
                return;
            }
            self.open_containers.push(list);
        }
        match shape {
            KeyShape::Enum => self.plan_enum(key, at),
            KeyShape::Struct(list) => self.plan_struct(key, list, at),
            KeyShape::Array(Some(element)) => {
                let array = self.bindings.key(key);
                let element_key = self.bindings.key(element);
                let mut element_path = at.path.to_vec();
                element_path.push(element_key.key.clone());
                // Elements are qualified by their array's name when their
                // own name is taken.
                let mut element_scope = at.scope.to_vec();
                element_scope.push(ident::type_name(&array.key));
                // The element has its array's availability: the validators
                // check availability per key, and an element is not a key.
                let element_overlay = element_overlay(self.bindings, at.overlay, element);
                let position = Position {
                    path: &element_path,
                    scope: &element_scope,
                    inherited: at.inherited,
                    overlay: element_overlay,
                    subkeytype: element_key.subkeytype.as_deref().or(at.subkeytype),
                };
                self.walk_value(element, &position);
            }
            KeyShape::Map(any) => {
                let mut value_path = at.path.to_vec();
                value_path.push(ANY_KEY.to_owned());
                let position = Position {
                    path: &value_path,
                    scope: at.scope,
                    inherited: at.inherited,
                    overlay: None,
                    subkeytype: self.bindings.key(any).subkeytype.as_deref(),
                };
                self.walk_value(any, &position);
            }
            _ => {}
        }
        if container.is_some() {
            self.open_containers.pop();
        }
    }

    fn plan_struct(&mut self, key: KeyId, list: KeyListId, at: &Position<'_, 's>) {
        if let Some(id) = self.module.struct_of(list) {
            let def = &mut self.module.types[id.0];
            if def.origin != at.path && !def.also_at.iter().any(|known| known == at.path) {
                def.also_at.push(at.path.to_vec());
            }
            def.availability_by_path |= def.inherited != at.inherited;
            self.adopt_overlay(id, at, |overlay| overlay.rust_type.is_some(), "rust_type");
            return;
        }
        let schema_key = self.bindings.key(key);
        let base = at.subkeytype.unwrap_or(&schema_key.key);
        let id = self.add(PlannedType {
            kind: PlannedKind::Struct { list },
            key: Some(key),
            origin: at.path.to_vec(),
            also_at: Vec::new(),
            candidates: candidates(base, at.scope, at.overlay),
            line: schema_key.line,
            subkeytype: at.subkeytype.map(str::to_owned),
            overlay: at.overlay,
            inherited: at.inherited.to_vec(),
            availability_by_path: false,
        });
        self.module.structs.insert(list, id);
        let mut scope = at.scope.to_vec();
        scope.push(ident::type_name(base));
        self.queue.push_back(Job {
            list,
            path: at.path.to_vec(),
            scope,
            inherited: at.inherited.to_vec(),
        });
    }

    fn plan_enum(&mut self, key: KeyId, at: &Position<'_, 's>) {
        let schema_key = self.bindings.key(key);
        let values: Vec<String> = schema_key
            .rangelist
            .iter()
            .flatten()
            .map(|value| value.value.to_string())
            .collect();
        let base = at.subkeytype.unwrap_or(&schema_key.key);
        let candidates = candidates(base, at.scope, at.overlay);
        let signature = (candidates[0].clone(), values.clone());
        if let Some(&id) = self.enum_signatures.get(&signature) {
            let def = &mut self.module.types[id.0];
            if def.origin != at.path && !def.also_at.iter().any(|known| known == at.path) {
                def.also_at.push(at.path.to_vec());
            }
            self.module.enums.entry(key).or_insert(id);
            self.adopt_overlay(
                id,
                at,
                |overlay| !overlay.rust_variants.is_empty(),
                "rust_variants",
            );
            return;
        }
        let id = self.add(PlannedType {
            kind: PlannedKind::Enum { values },
            key: Some(key),
            origin: at.path.to_vec(),
            also_at: Vec::new(),
            candidates,
            line: schema_key.line,
            subkeytype: None,
            overlay: at.overlay,
            inherited: Vec::new(),
            availability_by_path: false,
        });
        self.enum_signatures.insert(signature, id);
        self.module.enums.entry(key).or_insert(id);
    }

    /// A type reached again, on another path whose overlay entry names it
    /// (`names`): that entry holds for the type, whichever path came first;
    /// two entries that both name it must agree.
    fn adopt_overlay(
        &mut self,
        id: TypeId,
        at: &Position<'_, 's>,
        names: impl Fn(&KeyOverlay) -> bool,
        fact: &str,
    ) {
        let Some(overlay) = at.overlay.filter(|overlay| names(overlay)) else {
            return;
        };
        let def = &mut self.module.types[id.0];
        match def.overlay.filter(|existing| names(existing)) {
            None => {
                if let Some(name) = &overlay.rust_type {
                    def.candidates = vec![name.clone()];
                }
                def.overlay = Some(overlay);
            }
            Some(existing)
                if existing.rust_type != overlay.rust_type
                    || existing.rust_variants != overlay.rust_variants =>
            {
                let first = existing.path.join(" › ");
                let message = format!(
                    "this key shares its type with `{first}`, whose overlay entry (line {}) \
                     gives `{fact}` differently; give it in one entry only",
                    existing.line
                );
                let binding = self.bindings.file(self.module.file);
                let (file, payload) = binding.overlay.map_or(("", ""), |overlay| {
                    (overlay.path.as_str(), overlay.payload.as_str())
                });
                self.problems.push(
                    SchemaError::new(file, message)
                        .at_line(overlay.line)
                        .at_path(&overlay_key_path(payload, &overlay.path)),
                );
            }
            Some(_) => {}
        }
    }

    fn add(&mut self, planned: PlannedType<'s>) -> TypeId {
        self.module.types.push(planned);
        TypeId(self.module.types.len() - 1)
    }

    /// A value with no Rust type: an error in the project's files; in
    /// Apple's, the key holds any value.
    fn untypeable(&mut self, key: KeyId, line: usize, path: &[String], message: String) {
        let published = self.file.published;
        if published {
            self.module.untyped.insert(key);
        }
        self.problems.push(
            SchemaError::new(&self.file.path, message)
                .at_line(line)
                .at_path(path)
                .resolved_if(published, "the key holds any value"),
        );
    }
}

/// `Name`, then `ParentName`, `GrandParentParentName`, … from the enclosing
/// structs, innermost first; an overlay's `rust_type` alone when given.
fn candidates(base: &str, scope: &[String], overlay: Option<&KeyOverlay>) -> Vec<String> {
    if let Some(name) = overlay.and_then(|overlay| overlay.rust_type.clone()) {
        return vec![name];
    }
    let plain = ident::type_name(base);
    let mut candidates = vec![plain.clone()];
    let mut qualified = plain;
    for enclosing in scope.iter().rev() {
        qualified = format!("{enclosing}{qualified}");
        candidates.push(qualified.clone());
    }
    candidates
}

/// The structs inside one whose keys' availability depends on the path
/// inherit that dependence.
fn spread_availability_by_path(module: &mut ModulePlan, bindings: &Bindings) {
    let mut pending: Vec<TypeId> = (0..module.types.len())
        .map(TypeId)
        .filter(|id| module.types[id.0].availability_by_path)
        .collect();
    while let Some(id) = pending.pop() {
        let PlannedKind::Struct { list } = module.types[id.0].kind else {
            continue;
        };
        let inner: Vec<TypeId> = bindings
            .named_keys(module.file, list)
            .into_iter()
            .flat_map(|key| structs_in(bindings, module, key))
            .collect();
        for child in inner {
            if !module.types[child.0].availability_by_path {
                module.types[child.0].availability_by_path = true;
                pending.push(child);
            }
        }
    }
}

/// The structs a key's value holds directly or through arrays and maps.
fn structs_in(bindings: &Bindings, module: &ModulePlan, key: KeyId) -> Vec<TypeId> {
    let mut found = Vec::new();
    let mut pending = vec![key];
    let mut seen = Vec::new();
    while let Some(key) = pending.pop() {
        if seen.contains(&key) {
            continue;
        }
        seen.push(key);
        match value_shape(bindings, key) {
            KeyShape::Struct(list) => found.extend(module.struct_of(list)),
            KeyShape::Array(Some(inner)) | KeyShape::Map(inner) => pending.push(inner),
            _ => {}
        }
    }
    found
}
