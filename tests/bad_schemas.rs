//! The bad-schema catalogue: every folder under `tests/fixtures/bad` is a
//! tiny schema folder that must fail to compile, with exactly the errors in
//! its `expected.txt` (the `Display` of [`SchemaErrors`]).
//!
//! To regenerate the expected output after a deliberate change to the
//! messages, run with `UPDATE_EXPECTED=1`, then read every changed
//! `expected.txt` before committing it: each message must say what is wrong
//! and name the file, the key path and the line where there is one.

use std::path::Path;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use mobileconfig_codegen::ir::{Shape, TypeKind};
use mobileconfig_codegen::{SchemaErrors, SourceFile, compile};
use mobileconfig_tests::{fixture_dir, source, sources};

/// Cases that must exist, so deleting fixtures cannot make the catalogue
/// pass by testing nothing.
const REQUIRED_CASES: &[&str] = &[
    "yaml_syntax_error",
    "unknown_type",
    "dictionary_without_subkeys",
    "array_without_subkeys",
    "array_with_two_item_types",
    "default_outside_rangelist",
    "default_outside_range",
    "rangelist_wrong_type",
    "duplicate_key_names",
    "duplicate_yaml_mapping_key",
    "unknown_property",
    "missing_type",
    "overlay_missing_key",
    "overlay_unknown_payload",
    "overlay_unknown_field",
    "field_name_collision",
    "variant_collision",
    "subkeytype_two_shapes",
    "alias_bomb",
    "multiple_problems",
    // Beyond the list above.
    "key_name_not_a_string",
    "missing_title_and_payloadtype",
    "multiple_load_problems",
    "overlay_path_through_scalar",
    "overlay_unknown_valuetype",
    "overlay_wrong_file",
    "problems_in_two_files",
    "range_min_above_max",
    "repetition_min_above_max",
    "subtype_on_integer",
    "two_overlays_for_one_file",
    "type_name_collision",
    "unknown_os",
    "unknown_presence",
    "recursive_array_without_dictionary",
    "recursive_map_without_dictionary",
    "reserved_field_name",
    "format_not_a_regex",
    "ranking_value_not_allowed",
    "number_test_on_string",
    "rule_code_in_two_overlays",
    "range_not_finite",
    "reserved_module_name",
    "containers_nested_too_deep",
    "format_not_portable",
    "rule_on_any_key",
    "required_keys_name_taken",
    "fixed_key_reads_as_a_method",
    "payload_variant_collision",
    "overlay_module_not_an_identifier",
    "overlay_facts_that_do_not_fit",
    "overlay_entry_twice",
    "shared_type_named_twice",
    "reserved_root_type_name",
];

/// When to stop waiting for one case. Not a speed target: every case is a
/// few lines of YAML and takes milliseconds; a case still running after a
/// minute is stuck (an alias expanded, a cycle followed forever), and the
/// catalogue reports it instead of hanging.
const CASE_TIME_LIMIT: Duration = Duration::from_secs(60);

const EXPECTED_FILE: &str = "expected.txt";

/// The names of the case folders, sorted.
fn case_names(root: &Path) -> Vec<String> {
    let entries = std::fs::read_dir(root)
        .unwrap_or_else(|error| panic!("cannot read {}: {error}", root.display()));
    let mut names: Vec<String> = entries
        .map(|entry| {
            entry.unwrap_or_else(|error| panic!("cannot read {}: {error}", root.display()))
        })
        .filter(|entry| entry.path().is_dir())
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// How compiling one case ended.
enum Outcome {
    Failed(SchemaErrors),
    Compiled,
    Panicked,
    TimedOut,
}

/// Compiles `files` on a thread of its own, so a panic or a hang in the
/// generator is reported as that case's failure instead of ending (or
/// stalling) the whole catalogue. A stack overflow cannot be caught this
/// way: it aborts the whole test binary.
fn compile_guarded(files: Vec<SourceFile>) -> (Outcome, Duration) {
    let (sender, receiver) = mpsc::channel();
    let started = Instant::now();
    std::thread::spawn(move || {
        let result = compile(&files);
        // The receiver is gone only if the case already timed out.
        let _ = sender.send(result.err());
    });
    let outcome = match receiver.recv_timeout(CASE_TIME_LIMIT) {
        Ok(Some(errors)) => Outcome::Failed(errors),
        Ok(None) => Outcome::Compiled,
        Err(mpsc::RecvTimeoutError::Disconnected) => Outcome::Panicked,
        Err(mpsc::RecvTimeoutError::Timeout) => Outcome::TimedOut,
    };
    (outcome, started.elapsed())
}

fn update_requested() -> bool {
    std::env::var("UPDATE_EXPECTED").is_ok_and(|value| value == "1")
}

/// Runs one case; `Err` says how it went wrong.
fn run_case(dir: &Path, update: bool) -> Result<(), String> {
    let files = sources(dir);
    if files.is_empty() {
        return Err("the folder holds no *.yaml file".to_owned());
    }
    let expected_path = dir.join(EXPECTED_FILE);
    let actual = match compile_guarded(files) {
        (Outcome::Failed(errors), _) => errors.to_string(),
        (Outcome::Compiled, _) => return Err("the schema compiled without errors".to_owned()),
        (Outcome::Panicked, _) => return Err("the generator panicked".to_owned()),
        (Outcome::TimedOut, elapsed) => {
            return Err(format!(
                "no result after {elapsed:?}; the generator is stuck"
            ));
        }
    };
    if update {
        std::fs::write(&expected_path, format!("{actual}\n"))
            .map_err(|error| format!("cannot write {}: {error}", expected_path.display()))?;
        return Ok(());
    }
    let expected = std::fs::read_to_string(&expected_path).map_err(|error| {
        format!(
            "cannot read {} ({error}); run with UPDATE_EXPECTED=1 to create it",
            expected_path.display()
        )
    })?;
    let expected = expected.trim_end_matches('\n');
    if expected == actual {
        Ok(())
    } else {
        Err(format!(
            "the errors differ from {EXPECTED_FILE}\n--- expected\n{expected}\n--- actual\n{actual}"
        ))
    }
}

#[test]
fn every_bad_schema_fails_with_its_expected_errors() {
    let root = fixture_dir("bad");
    let cases = case_names(&root);
    assert!(!cases.is_empty(), "no cases under {}", root.display());
    let missing: Vec<&&str> = REQUIRED_CASES
        .iter()
        .filter(|name| !cases.iter().any(|case| case == **name))
        .collect();
    assert!(
        missing.is_empty(),
        "required cases are missing from {}: {missing:?}",
        root.display()
    );

    let update = update_requested();
    let failures: Vec<String> = cases
        .iter()
        .filter_map(|case| {
            run_case(&root.join(case), update)
                .err()
                .map(|problem| format!("case `{case}`: {problem}"))
        })
        .collect();
    assert!(
        failures.is_empty(),
        "{} of {} bad-schema cases failed:\n\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n\n")
    );
}

#[test]
fn an_alias_bomb_is_refused_not_expanded() {
    // Expanding this bomb would take hours and all memory; refusing it
    // means counting each node once. `compile_guarded` reports a hang.
    let files = sources(&fixture_dir("bad").join("alias_bomb"));
    let (outcome, elapsed) = compile_guarded(files);
    match outcome {
        Outcome::Failed(errors) => {
            assert!(errors.to_string().contains("alias bomb"), "{errors}");
            println!("alias bomb refused in {elapsed:?}");
        }
        _ => panic!("the alias bomb was not refused"),
    }
}

/// Found while checking how the `schema` fuzz target's inputs scale
/// (README, "Fuzzing"): repeats in a `rangelist` were found, and its values
/// named as variants, by comparing each value with every one before it, so
/// 100,000 values took 20 seconds to compile. Both are one pass now.
#[test]
fn a_long_rangelist_is_checked_in_one_pass() {
    let schema = |values: &[String]| {
        source(
            "com.example.widget.yaml",
            &format!(
                "title: Widget\npayload:\n  payloadtype: com.example.widget\n  supportedOS:\n    \
                 iOS:\n      introduced: '17.0'\npayloadkeys:\n- key: Mode\n  type: <string>\n  \
                 presence: optional\n  rangelist: [{}]\n",
                values.join(", ")
            ),
        )
    };
    let mut values: Vec<String> = (0..50_000).map(|index| format!("mode{index}")).collect();
    let (outcome, elapsed) = compile_guarded(vec![schema(&values)]);
    assert!(
        matches!(outcome, Outcome::Compiled),
        "50,000 distinct values must compile"
    );
    assert!(
        elapsed < Duration::from_secs(10),
        "50,000 allowed values took {elapsed:?}"
    );
    values.push("mode7".to_owned());
    match compile_guarded(vec![schema(&values)]) {
        (Outcome::Failed(errors), elapsed) => {
            assert!(errors.to_string().contains("`mode7` twice"), "{errors}");
            assert!(
                elapsed < Duration::from_secs(10),
                "50,001 allowed values took {elapsed:?}"
            );
        }
        _ => panic!("a repeated allowed value must be an error"),
    }
}

/// Apple's home-screen layout nests folders in folders: an array of item
/// dictionaries whose `Pages` key lists the same items again, written as an
/// alias to the enclosing anchor. That cycle is a recursive type, not an
/// error.
#[test]
fn a_recursive_schema_compiles() {
    let text = r#"
title: Home Screen Layout
description: Sets the layout of apps, folders and web clips on the Home Screen.
payload:
  payloadtype: com.apple.homescreenlayout
  supportedOS:
    iOS:
      introduced: '9.3'
payloadkeys:
- key: Dock
  title: Dock
  type: <array>
  presence: optional
  subkeytype: Item
  subkeys: &items
  - key: Item
    type: <dictionary>
    subkeys:
    - key: Type
      type: <string>
      presence: required
      rangelist:
      - Application
      - Folder
      - WebClip
    - key: DisplayName
      type: <string>
      presence: optional
    - key: Pages
      title: Folder Pages
      type: <array>
      presence: optional
      subkeytype: Item
      subkeys: *items
"#;
    let ir = match compile(&[source("com.apple.homescreenlayout.yaml", text)]) {
        Ok(compiled) => compiled.ir,
        Err(errors) => panic!("the recursive schema did not compile:\n{errors}"),
    };
    let module = ir
        .payloads()
        .find(|module| module.payload_type == "com.apple.homescreenlayout")
        .expect("a module for the payload");
    // `Dock` is an array of items, and an item's `Pages` is an array of the
    // same item type: the recursion is one type, not an endless chain.
    let element_of = |shape: &Shape| match shape {
        Shape::Array(element) => match element.shape {
            Shape::Struct(id) => id,
            ref other => panic!("expected an array of structs, found {other:?}"),
        },
        other => panic!("expected an array, found {other:?}"),
    };
    let TypeKind::Struct(root) = &module.root_type().kind else {
        panic!("the payload's root type is not a struct");
    };
    let dock = root
        .fields
        .iter()
        .find(|field| field.key == "Dock")
        .expect("a `Dock` field");
    let item = element_of(&dock.value.shape);
    let TypeKind::Struct(item_def) = &module.get(item).kind else {
        panic!("the item type is not a struct");
    };
    let pages = item_def
        .fields
        .iter()
        .find(|field| field.key == "Pages")
        .expect("a `Pages` field");
    assert_eq!(element_of(&pages.value.shape), item);
}

/// The same mistakes in Apple's published files are not refused: each is
/// resolved as its warning says, and the schema compiles.
#[test]
fn problems_in_published_files_are_resolved_not_refused() {
    use mobileconfig_codegen::Level;
    use mobileconfig_codegen::load::{Origin, SourceKind};
    let root = fixture_dir("bad");
    let mut resolved = 0;
    for case in case_names(&root) {
        let mut files = sources(&root.join(&case));
        // Overlays are the project's own: their mistakes stay errors.
        if files.iter().any(|file| file.kind() == SourceKind::Overlay) {
            continue;
        }
        for file in &mut files {
            file.origin = Origin::Published;
        }
        let compiled = match mobileconfig_codegen::compile(&files) {
            Ok(compiled) => compiled,
            Err(errors) => panic!("case `{case}` is refused as published:\n{errors}"),
        };
        assert!(!compiled.warnings.is_empty(), "case `{case}`: no warning");
        for warning in &compiled.warnings {
            assert_eq!(warning.level, Level::Warning, "case `{case}`: {warning}");
            assert!(
                warning.message.contains("taken as published: "),
                "case `{case}`: the warning says no resolution: {warning}"
            );
        }
        resolved += 1;
    }
    assert!(
        resolved >= 30,
        "only {resolved} cases were tried as published"
    );
}

/// A payload Apple documents in several files, none named after its type,
/// is one payload: one module with the keys of every part, a key two parts
/// describe differently kept as the first says, each merge reported.
#[test]
fn a_payload_documented_in_parts_is_one_payload() {
    use mobileconfig_codegen::load::Origin;
    let part = |name: &str, keys: &str| {
        let mut file = mobileconfig_tests::source(
            name,
            &format!(
                "title: {name}\npayload:\n  payloadtype: com.example.parts\npayloadkeys:\n{keys}"
            ),
        );
        file.origin = Origin::Published;
        file
    };
    let files = [
        part(
            "com.example.parts(One).yaml",
            "- key: Alpha\n  type: <string>\n- key: Shared\n  type: <integer>\n",
        ),
        part(
            "com.example.parts(Two).yaml",
            "- key: Beta\n  type: <boolean>\n- key: Shared\n  type: <string>\n",
        ),
    ];
    let compiled =
        mobileconfig_codegen::compile(&files).unwrap_or_else(|errors| panic!("{errors}"));
    assert_eq!(compiled.ir.modules.len(), 1, "one payload");
    let module = &compiled.ir.modules[0];
    assert_eq!(
        module.name, "com_example_parts",
        "named after the payload type"
    );
    let keys: Vec<&str> = module
        .root_type()
        .field("Alpha")
        .into_iter()
        .chain(module.root_type().field("Beta"))
        .map(|field| field.key.as_str())
        .collect();
    assert_eq!(keys, ["Alpha", "Beta"]);
    let shared = module.root_type().field("Shared").unwrap();
    assert_eq!(shared.value.shape, mobileconfig_codegen::ir::Shape::Integer);
    let warnings: Vec<String> = compiled.warnings.iter().map(|w| w.to_string()).collect();
    assert!(
        warnings.iter().any(|w| w.contains("documented in 2 files")),
        "{warnings:?}"
    );
    assert!(
        warnings
            .iter()
            .any(|w| w.contains("`Shared` is described otherwise here")),
        "{warnings:?}"
    );
}
