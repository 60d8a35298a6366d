//! Stage 4: the naming pass. Decides every identifier of the generated code
//! (module, type, table, required-keys struct, field, variant, `Payload`
//! variant) from the planned types and the overlays, and records every
//! clash as a problem. Nothing else makes an identifier: [`check`] reports
//! the problems, [`lower`] uses the names.
//!
//! How one schema name becomes an identifier is [`ident`]'s job; this pass
//! decides which name each thing gets when names meet.
//!
//! [`check`]: crate::check
//! [`lower`]: crate::lower

use std::collections::BTreeMap;

use crate::bind::{Bindings, FileId, KeyId};
use crate::conventions::FileRole;
use crate::error::{SchemaError, overlay_key_path};
use crate::ident;
use crate::schema::{KeyOverlay, Overlay};
use crate::types::{ModulePlan, PlannedKind, TypeId, TypePlan, constructor_takes, fixed_value};

/// The field every struct has for the keys the schema does not name.
pub const UNKNOWN_KEYS_FIELD: &str = "unknown_keys";

/// What a struct's required-keys type adds to the struct's name.
pub const REQUIRED_SUFFIX: &str = "Required";

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

/// Constant names the schema tables use for themselves, besides the
/// numbered `AVAILABILITY_<n>`.
const RESERVED_TABLE_NAMES: &[&str] = &["PAYLOAD", "PAYLOAD_AVAILABILITY"];

/// Module names the crate root uses for itself, and the names of its
/// feature families (a module's feature is its name; see
/// `emit::rust::features`).
const RESERVED_MODULE_NAMES: &[&str] = &[
    "lib",
    "payload",
    "runtime",
    "default",
    "full",
    "profiles",
    "declarations",
    "certificates",
    "signed",
];

/// Methods every generated struct has; a read-only accessor must not take
/// their names.
const RESERVED_METHODS: &[&str] = &["new", "validate"];

/// The catch-all variant of `Payload`.
const OTHER_PAYLOAD: &str = "Other";

/// Every identifier of the generated crate.
#[derive(Debug, Default)]
pub struct Names {
    /// One per planned module, in the plan's order.
    pub modules: Vec<ModuleNames>,
    /// Clashes, and names an overlay gives that are not identifiers.
    pub problems: Vec<SchemaError>,
}

/// The names of one module.
#[derive(Debug, Clone, PartialEq)]
pub struct ModuleNames {
    pub module: String,
    /// The variant of `Payload` that holds this module's payloads.
    pub payload_variant: String,
    /// One per planned type.
    pub types: Vec<TypeNames>,
}

/// The names of one type.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct TypeNames {
    pub name: String,
    /// Its schema table (structs): the name in SHOUTY_CASE.
    pub table: String,
    /// Its required-keys type, for a struct whose constructor takes keys.
    pub required: Option<String>,
    /// Its variants (enums), in the order of the allowed values.
    pub variants: Vec<String>,
    /// Its catch-all variant (enums).
    pub other: String,
    /// Its fields (structs): each key of the dictionary, in schema order,
    /// with its field name.
    pub fields: Vec<(KeyId, String)>,
}

/// Names everything the plan holds.
pub fn name(bindings: &Bindings, plan: &TypePlan) -> Names {
    let mut names = Names::default();
    for overlay in &bindings.schema.overlays {
        check_overlay_identifiers(overlay, &mut names.problems);
    }
    let module_names = name_modules(bindings, plan, &mut names.problems);
    for (module, module_name) in plan.modules.iter().zip(module_names) {
        let mut types = name_types(bindings, module, &mut names.problems);
        name_fields(bindings, module, &mut types, &mut names.problems);
        let payload_variant = ident::type_name(&module_name);
        names.modules.push(ModuleNames {
            module: module_name,
            payload_variant,
            types,
        });
    }
    check_payload_variants(bindings, plan, &mut names);
    names
}

/// Gives each module the first free name among its candidates: the file
/// stem without `com.apple.`, then the whole stem (`loginwindow.yaml` and
/// `com.apple.loginwindow.yaml` become `loginwindow` and
/// `com_apple_loginwindow`). An overlay's `rust_module` is the only candidate.
fn name_modules(
    bindings: &Bindings,
    plan: &TypePlan,
    problems: &mut Vec<SchemaError>,
) -> Vec<String> {
    let mut candidates: Vec<Vec<String>> = plan
        .modules
        .iter()
        .map(|module| {
            let binding = bindings.file(module.file);
            let stem = binding.file.stem();
            if let Some(name) = binding
                .overlay
                .and_then(|overlay| overlay.rust_module.clone())
            {
                return vec![name];
            }
            match binding.role {
                FileRole::Profile => return vec!["profile".to_owned()],
                FileRole::DeclarationEnvelope => return vec!["declaration".to_owned()],
                // A declaration is named by its type, which says what it is
                // (`configuration_passcode_settings`, `asset_data`).
                FileRole::Declaration => {
                    let declaration_type = binding.file.payload_type();
                    return vec![
                        ident::module_name(declaration_type),
                        ident::file_safe(ident::field_name(declaration_type)),
                    ];
                }
                FileRole::Payload | FileRole::CommonKeys => {}
            }
            let mut names = vec![ident::module_name(stem)];
            let full = ident::field_name(stem);
            if !names.contains(&full) {
                names.push(full);
            }
            names
        })
        .collect();
    let mut level = vec![0usize; candidates.len()];
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
        let mut renames = Vec::new();
        for users in clashes {
            let movable: Vec<usize> = users
                .iter()
                .copied()
                .filter(|&index| level[index] + 1 < candidates[index].len())
                .collect();
            if movable.is_empty() {
                let reserved = users.len() == 1;
                let why = if reserved {
                    "is one the generated crate uses for itself"
                } else {
                    "is also derived from another schema file"
                };
                // A reserved name moves; of clashing ones, the first stays.
                let stays = if reserved {
                    None
                } else {
                    users.first().copied()
                };
                for &index in &users {
                    if Some(index) == stays {
                        continue;
                    }
                    let binding = bindings.file(plan.modules[index].file);
                    let name = candidates[index][level[index]].clone();
                    let message = format!(
                        "the module name `{name}` {why}; give this file `rust_module` in an \
                         overlay"
                    );
                    let chosen = binding
                        .overlay
                        .and_then(|overlay| overlay.rust_module.as_ref());
                    if binding.file.published && chosen.is_none() {
                        let taken: Vec<&String> = candidates
                            .iter()
                            .zip(&level)
                            .map(|(names, level)| &names[*level])
                            .collect();
                        let renamed = numbered(&candidates[index][0], "_", |candidate| {
                            taken.iter().any(|name| *name == candidate)
                                || RESERVED_MODULE_NAMES.contains(&candidate)
                        });
                        problems.push(
                            SchemaError::new(&binding.file.path, message)
                                .resolved(&format!("the module is named `{renamed}`")),
                        );
                        renames.push((index, renamed));
                    } else {
                        stuck = true;
                        problems.push(SchemaError::new(&binding.file.path, message));
                    }
                }
            }
            for index in movable {
                level[index] += 1;
            }
        }
        // A renamed module's new name is its last candidate.
        for (index, renamed) in renames {
            candidates[index].push(renamed);
            level[index] = candidates[index].len() - 1;
        }
        if stuck {
            break;
        }
    }
    candidates
        .into_iter()
        .zip(level)
        .map(|(names, level)| names[level].clone())
        .collect()
}

/// Whether a struct's constructor takes required keys: a required key with
/// no fixed value.
fn has_required_parameters(bindings: &Bindings, module: &ModulePlan, id: TypeId) -> bool {
    let PlannedKind::Struct { list } = module.get(id).kind else {
        return false;
    };
    bindings
        .named_keys(module.file, list)
        .into_iter()
        .any(|key| constructor_takes(bindings, module.file, key))
}

/// Gives every type the first candidate name no other type wants, trying
/// longer (qualified) candidates for names two types want. A name clashes
/// with another when their table names (SHOUTY_CASE) do, and a struct's
/// required-keys type takes a name too.
fn name_types(
    bindings: &Bindings,
    module: &ModulePlan,
    problems: &mut Vec<SchemaError>,
) -> Vec<TypeNames> {
    let binding = bindings.file(module.file);
    let file = &binding.file.path;
    let with_required: Vec<bool> = (0..module.types.len())
        .map(|index| has_required_parameters(bindings, module, TypeId(index)))
        .collect();
    // Names a clash in Apple's published file is resolved with go after the
    // plan's candidates.
    let mut candidates: Vec<Vec<String>> = module
        .types
        .iter()
        .map(|planned| planned.candidates.clone())
        .collect();
    // Names the project chose (an overlay's `rust_type` or `rust_name`)
    // are never changed.
    let chosen: Vec<bool> = module
        .types
        .iter()
        .enumerate()
        .map(|(index, planned)| {
            let root_named = index == 0
                && binding
                    .overlay
                    .is_some_and(|overlay| overlay.rust_name.is_some());
            root_named
                || planned
                    .overlay
                    .is_some_and(|overlay| overlay.rust_type.is_some())
        })
        .collect();
    // The names a type takes at a candidate: its own, and its required-keys
    // type's.
    let taken = |candidates: &[Vec<String>], index: usize, level: usize| -> Vec<String> {
        let name = &candidates[index][level];
        let mut names = vec![name.clone()];
        if with_required[index] {
            names.push(format!("{name}{REQUIRED_SUFFIX}"));
        }
        names
    };
    let mut level = vec![0usize; module.types.len()];
    loop {
        let mut wanted: BTreeMap<String, Vec<usize>> = BTreeMap::new();
        for (index, &at) in level.iter().enumerate() {
            for name in taken(&candidates, index, at) {
                let users = wanted.entry(ident::constant_name(&name)).or_default();
                if !users.contains(&index) {
                    users.push(index);
                }
            }
        }
        let mut moved = false;
        let mut stuck = false;
        // A type that moves on this round wants other names now; its entries
        // further down this (older) map no longer hold.
        let mut moved_this_round: Vec<usize> = Vec::new();
        let mut renames: Vec<(usize, String)> = Vec::new();
        for (table, users) in &wanted {
            let users: Vec<usize> = users
                .iter()
                .copied()
                .filter(|index| !moved_this_round.contains(index))
                .collect();
            if users.is_empty() {
                continue;
            }
            let reserved = users.iter().any(|&index| {
                RESERVED_TYPE_NAMES.contains(&candidates[index][level[index]].as_str())
            }) || is_reserved_table(table);
            if users.len() < 2 && !reserved {
                continue;
            }
            // Types with a longer candidate move on; the root keeps its name.
            // Whoever cannot move keeps the name, if alone.
            let (staying, moving): (Vec<usize>, Vec<usize>) = users
                .iter()
                .partition(|&&index| index == 0 || level[index] + 1 >= candidates[index].len());
            for &index in &moving {
                level[index] += 1;
                moved = true;
                moved_this_round.push(index);
            }
            let clash = staying.len() > 1 || (reserved && !staying.is_empty());
            if !clash {
                continue;
            }
            // Each type's name at this table: its own or its required-keys
            // type's.
            let clashing: Vec<(usize, String)> = staying
                .iter()
                .map(|&index| {
                    let name = taken(&candidates, index, level[index])
                        .into_iter()
                        .find(|name| ident::constant_name(name) == *table)
                        .unwrap_or_default();
                    (index, name)
                })
                .collect();
            if binding.file.published {
                // Apple's file: of clashing names the first stays (a reserved
                // one moves too) and the others take a number.
                let first = (!reserved).then(|| staying[0]);
                let current: Vec<String> = (0..candidates.len())
                    .map(|index| candidates[index][level[index]].clone())
                    .collect();
                for &(index, _) in clashing.iter().filter(|(index, _)| Some(*index) != first) {
                    if chosen[index] {
                        continue;
                    }
                    let own = &candidates[index][level[index]];
                    let renamed = numbered(own, "", |candidate| {
                        current.iter().any(|name| name == candidate)
                            || renames.iter().any(|(_, name)| name == candidate)
                            || RESERVED_TYPE_NAMES.contains(&candidate)
                    });
                    problems.push(
                        SchemaError::new(file, format!("the type name `{own}` is taken"))
                            .at_line(module.types[index].line)
                            .at_path(&module.types[index].origin)
                            .resolved(&format!("the type is named `{renamed}`")),
                    );
                    renames.push((index, renamed));
                }
                if clashing
                    .iter()
                    .filter(|(index, _)| Some(*index) != first)
                    .all(|(index, _)| !chosen[*index])
                {
                    continue;
                }
            }
            stuck = true;
            report_type_clash(
                module,
                file,
                &candidates,
                &level,
                &clashing,
                reserved,
                problems,
            );
        }
        for (index, renamed) in renames {
            candidates[index].push(renamed);
            level[index] = candidates[index].len() - 1;
            moved = true;
        }
        if stuck || !moved {
            break;
        }
    }
    (0..module.types.len())
        .map(|index| {
            let planned = &module.types[index];
            let name = candidates[index][level[index]].clone();
            let mut names = TypeNames {
                table: ident::constant_name(&name),
                required: with_required[index].then(|| format!("{name}{REQUIRED_SUFFIX}")),
                name,
                ..TypeNames::default()
            };
            if let PlannedKind::Enum { values } = &planned.kind {
                let (variants, other) =
                    name_variants(bindings, module, TypeId(index), values, problems);
                names.variants = variants;
                names.other = other;
            }
            names
        })
        .collect()
}

fn is_reserved_table(table: &str) -> bool {
    RESERVED_TABLE_NAMES.contains(&table)
        || table
            .strip_prefix("AVAILABILITY_")
            .is_some_and(|number| number.chars().all(|c| c.is_ascii_digit()))
}

fn report_type_clash(
    module: &ModulePlan,
    file: &str,
    candidates: &[Vec<String>],
    level: &[usize],
    users: &[(usize, String)],
    reserved: bool,
    problems: &mut Vec<SchemaError>,
) {
    // The payload's own dictionary cannot move; another type clashing with
    // it is asked to, and it is asked only when it clashes alone.
    let alone = users.len() == 1;
    for (index, name) in users.iter().filter(|(index, _)| *index != 0 || alone) {
        let planned = &module.types[*index];
        if *index == 0 {
            problems.push(
                SchemaError::new(
                    file,
                    format!(
                        "the payload's own dictionary would be named `{}`, and `{name}` is a \
                         name the generated code needs; give the payload a `rust_name` in its \
                         overlay",
                        candidates[0][0]
                    ),
                )
                .at_path(&planned.origin),
            );
            continue;
        }
        let others: Vec<String> = users
            .iter()
            .filter(|(other, _)| other != index)
            .map(|(other, other_name)| {
                let planned = &module.types[*other];
                let what = if *other_name == candidates[*other][level[*other]] {
                    "the type"
                } else {
                    "the required-keys type"
                };
                format!("{what} of `{}`", planned.origin.join(" › "))
            })
            .collect();
        let plain = &candidates[*index][0];
        let own = &candidates[*index][level[*index]];
        let reason = if others.is_empty() {
            debug_assert!(reserved);
            format!("`{name}` is a name the generated code needs")
        } else {
            format!("so is {}", others.join(" and "))
        };
        let mut named = if plain == own {
            format!("the type of this key would be named `{own}`")
        } else {
            format!(
                "the type of this key would be named `{plain}` and, qualified by its enclosing \
                 types, `{own}`"
            )
        };
        if name != own {
            named.push_str(&format!(", and its required keys `{name}`"));
        }
        problems.push(
            SchemaError::new(
                file,
                format!(
                    "{named}; {reason}; give one of them a different `rust_type` in the overlay"
                ),
            )
            .at_line(planned.line)
            .at_path(&planned.origin),
        );
    }
}

/// The variants of an enum, from the overlay's `rust_variants` or the
/// values, and a catch-all name none of them takes.
fn name_variants(
    bindings: &Bindings,
    module: &ModulePlan,
    id: TypeId,
    values: &[String],
    problems: &mut Vec<SchemaError>,
) -> (Vec<String>, String) {
    let planned = module.get(id);
    let renames = planned.overlay.map(|overlay| &overlay.rust_variants);
    let key = planned.key.map(|key| bindings.key(key));
    let mut variants: Vec<String> = Vec::new();
    // Each variant name with the position of the value that took it, so a
    // long list of values is checked in one pass.
    let mut taken: BTreeMap<String, usize> = BTreeMap::new();
    for (position, value) in values.iter().enumerate() {
        let chosen = renames.and_then(|renames| renames.get(value).cloned());
        let mut name = chosen.clone().unwrap_or_else(|| ident::type_name(value));
        if let Some(&first) = taken.get(&name) {
            let line = key
                .and_then(|key| key.rangelist.as_ref())
                .and_then(|values| values.get(position))
                .map_or(planned.line, |value| value.line);
            let file = bindings.file(module.file).file;
            let error = SchemaError::new(
                &file.path,
                format!(
                    "the allowed values `{}` and `{value}` both become the Rust variant \
                     `{name}`; name one in the overlay's `rust_variants`",
                    values[first]
                ),
            )
            .at_line(line)
            .at_path(&planned.origin);
            if file.published && chosen.is_none() {
                let renamed = numbered(&name, "", |candidate| taken.contains_key(candidate));
                problems.push(error.resolved(&format!("`{value}` is the variant `{renamed}`")));
                name = renamed;
            } else {
                problems.push(error);
            }
        }
        taken.entry(name.clone()).or_insert(position);
        variants.push(name);
    }
    let other = ["Other", "OtherValue", "UnlistedValue"]
        .into_iter()
        .find(|name| !taken.contains_key(*name))
        .unwrap_or("UnlistedValue")
        .to_owned();
    (variants, other)
}

/// Field names within each struct must stay distinct, clear of
/// [`UNKNOWN_KEYS_FIELD`], and a read-only accessor clear of the methods.
fn name_fields(
    bindings: &Bindings,
    module: &ModulePlan,
    types: &mut [TypeNames],
    problems: &mut Vec<SchemaError>,
) {
    for (planned, type_names) in module.types.iter().zip(types) {
        let PlannedKind::Struct { list } = planned.kind else {
            continue;
        };
        let mut seen: Vec<(String, KeyId)> = Vec::new();
        for key in bindings.named_keys(module.file, list) {
            let schema_key = bindings.key(key);
            let chosen = bindings
                .key_overlay(key)
                .and_then(|overlay| overlay.rust_name.clone());
            let mut name = chosen
                .clone()
                .unwrap_or_else(|| ident::field_name(&schema_key.key));
            let file = bindings.file(key.file).file;
            // In Apple's file, a name that cannot stand takes a number.
            let resolvable = file.published && chosen.is_none();
            let mut rename = |name: &mut String, problem: SchemaError, seen: &[(String, KeyId)]| {
                if resolvable {
                    let renamed = numbered(name, "_", |candidate| {
                        candidate == UNKNOWN_KEYS_FIELD
                            || RESERVED_METHODS.contains(&candidate)
                            || seen.iter().any(|(other, _)| other == candidate)
                    });
                    problems.push(problem.resolved(&format!("the field is named `{renamed}`")));
                    *name = renamed;
                } else {
                    problems.push(problem);
                }
            };
            let error = |message: String| {
                let mut path = file
                    .key_list_paths
                    .get(&key.list)
                    .cloned()
                    .unwrap_or_default();
                path.push(schema_key.key.clone());
                SchemaError::new(&file.path, message)
                    .at_line(schema_key.line)
                    .at_path(&path)
            };
            if name == UNKNOWN_KEYS_FIELD {
                let problem = error(format!(
                    "the key `{}` becomes the Rust field `{name}`, which every generated struct \
                     uses for the keys the schema does not name; give the key a `rust_name` in \
                     the overlay",
                    schema_key.key
                ));
                rename(&mut name, problem, &seen);
            } else if let Some((_, first)) = seen
                .iter()
                .find(|(other, first)| *other == name && bindings.key(*first).key != schema_key.key)
            {
                let first = bindings.key(*first);
                let problem = error(format!(
                    "the keys `{}` (line {}) and `{}` both become the Rust field `{name}`; give \
                     one a `rust_name` in the overlay",
                    first.key, first.line, schema_key.key
                ));
                rename(&mut name, problem, &seen);
            } else if RESERVED_METHODS.contains(&name.as_str())
                && fixed_value(bindings, module.file, key).is_some()
            {
                let problem = error(format!(
                    "the key `{}` has one allowed value, so it is read through a method named \
                     after its field, `{name}`, which every generated struct already has; give \
                     the key a `rust_name` in the overlay",
                    schema_key.key
                ));
                rename(&mut name, problem, &seen);
            }
            seen.push((name.clone(), key));
            type_names.fields.push((key, name));
        }
    }
}

/// Each payload type `PayloadContent` decodes into has its own variant of
/// `Payload`, and none is the catch-all's.
fn check_payload_variants(bindings: &Bindings, plan: &TypePlan, names: &mut Names) {
    let mut seen: BTreeMap<String, FileId> = BTreeMap::new();
    for (module, module_names) in plan.modules.iter().zip(names.modules.iter_mut()) {
        let binding = bindings.file(module.file);
        if !binding.dispatched {
            continue;
        }
        let variant = module_names.payload_variant.clone();
        let clash = if variant == OTHER_PAYLOAD {
            Some("the variant `Payload` keeps for payload types it does not know".to_owned())
        } else {
            seen.get(&variant)
                .map(|first| format!("the variant of `{}` too", bindings.file(*first).file.path))
        };
        if let Some(clash) = clash {
            let problem = SchemaError::new(
                &binding.file.path,
                format!(
                    "the module `{}` holds payloads as the `Payload::{variant}` variant, which is \
                     {clash}; give this file another `rust_module` in an overlay",
                    module_names.module
                ),
            );
            let chosen = binding
                .overlay
                .is_some_and(|overlay| overlay.rust_module.is_some());
            if binding.file.published && !chosen {
                let renamed = numbered(&variant, "", |candidate| {
                    candidate == OTHER_PAYLOAD || seen.contains_key(candidate)
                });
                names
                    .problems
                    .push(problem.resolved(&format!("its variant is `Payload::{renamed}`")));
                module_names.payload_variant = renamed;
            } else {
                names.problems.push(problem);
            }
        }
        seen.insert(module_names.payload_variant.clone(), module.file);
    }
}

/// `base` with the first number from 2 on that makes a name not `taken`:
/// how a clash in Apple's published files is resolved.
fn numbered(base: &str, separator: &str, taken: impl Fn(&str) -> bool) -> String {
    (2..)
        .map(|number| format!("{base}{separator}{number}"))
        .find(|candidate| !taken(candidate))
        .unwrap_or_else(|| format!("{base}{separator}"))
}

/// Names an overlay gives must be usable as Rust identifiers.
fn check_overlay_identifiers(overlay: &Overlay, problems: &mut Vec<SchemaError>) {
    let file_level = overlay.rust_module.iter().chain(&overlay.rust_name);
    for name in file_level {
        if !ident::is_identifier(name) {
            problems.push(
                SchemaError::new(&overlay.path, format!("`{name}` is not a Rust identifier"))
                    .at_line(overlay.line),
            );
        }
    }
    for entry in &overlay.keys {
        check_entry_identifiers(overlay, entry, problems);
    }
}

fn check_entry_identifiers(overlay: &Overlay, entry: &KeyOverlay, problems: &mut Vec<SchemaError>) {
    let names = entry
        .rust_name
        .iter()
        .chain(&entry.rust_type)
        .chain(entry.rust_variants.values());
    for name in names {
        if !ident::is_identifier(name) {
            problems.push(
                SchemaError::new(&overlay.path, format!("`{name}` is not a Rust identifier"))
                    .at_line(entry.line)
                    .at_path(&overlay_key_path(&overlay.payload, &entry.path)),
            );
        }
    }
}
