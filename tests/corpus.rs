//! Generates crates from whole schema folders and builds, lints and
//! documents them with cargo (`-D warnings` each time): the small fixture,
//! and each release of Apple's published YAML in `../shared`, whole (profile
//! payloads and declarations) and with no overlay.

use std::path::Path;

use mobileconfig_codegen::emit::rust::features;
use mobileconfig_codegen::load::read_sources;
use mobileconfig_codegen::output::{Mode, sync};
use mobileconfig_codegen::{CrateOptions, generate};
use mobileconfig_tests::{fixture_dir, require_apple_corpus, workspace_root};

/// Runs cargo with `args` on the crate at `manifest`, in the target folder
/// every generated crate shares (so the dependencies build once).
fn cargo(args: &[&str], manifest: &Path) {
    let status = mobileconfig_tests::cargo_on_generated(args, manifest)
        .status()
        .expect("run cargo");
    assert!(
        status.success(),
        "`cargo {}` fails on {}",
        args.join(" "),
        manifest.display()
    );
}

/// What a generated crate holds.
struct Crate {
    modules: usize,
    warnings: usize,
}

/// Generates a standalone crate from `schema` (Apple's, when `published`)
/// into a folder under the target directory, then builds, lints and
/// documents it, and checks its JSON Schemas and reference pages. `sync`
/// rewrites only the files that changed and removes those no longer
/// generated, so an unchanged crate is not rebuilt.
fn generate_and_build(name: &str, schema: &Path, published: bool) -> Crate {
    let root = workspace_root();
    let out = mobileconfig_tests::target_dir()
        .join("generated-crates")
        .join(name);
    let sources = read_sources(schema, None, published).unwrap_or_else(|error| panic!("{error}"));
    let runtime = std::fs::canonicalize(root.join("runtime")).expect("runtime crate");
    let crate_name = format!("generated-{}", name.replace('.', "-"));
    let options = CrateOptions::standalone(&crate_name, &runtime, schema);
    let generated = generate(&sources, &options).unwrap_or_else(|errors| panic!("{errors}"));
    let files = generated.files;
    sync(&out, &files, Mode::Write).expect("write the generated crate");
    let manifest = out.join("Cargo.toml");
    // Every module, whatever its feature.
    cargo(&["build", "--all-features"], &manifest);
    cargo(&["clippy", "--all-targets", "--all-features"], &manifest);
    // Every description must survive rustdoc: no bare URLs, no stray HTML,
    // no broken links.
    cargo(&["doc", "--no-deps", "--all-features"], &manifest);
    // The features cut cleanly: nothing but the profile and the envelope,
    // and one payload alone, build without a warning.
    cargo(&["check", "--no-default-features"], &manifest);
    if let Some(one) = mobileconfig_tests::compiled(&sources)
        .modules
        .iter()
        .find_map(|module| features::feature(module).map(str::to_owned))
    {
        cargo(
            &["check", "--no-default-features", "--features", &one],
            &manifest,
        );
    }
    // The JSON Schemas are valid draft 2020-12 and compile.
    for file in files
        .iter()
        .filter(|file| file.path.starts_with("json-schema/"))
    {
        let schema: serde_json::Value = serde_json::from_str(&file.contents)
            .unwrap_or_else(|error| panic!("{}: {error}", file.path));
        if let Err(error) = jsonschema::draft202012::meta::validate(&schema) {
            panic!("{}: not a valid draft 2020-12 schema: {error}", file.path);
        }
        jsonschema::draft202012::new(&schema)
            .unwrap_or_else(|error| panic!("{}: does not compile: {error}", file.path));
    }
    // Every module has a reference page and a JSON Schema (the profile's is
    // the whole profile's); the reference has an index and the list of
    // undescribed keys.
    let modules = mobileconfig_tests::compiled(&sources).modules.len();
    let count = |folder: &str| {
        files
            .iter()
            .filter(|file| file.path.starts_with(folder))
            .count()
    };
    assert_eq!(
        count("docs/"),
        modules + 2,
        "a page per module, an index and the undescribed keys"
    );
    assert_eq!(count("json-schema/"), modules, "a JSON Schema per module");
    Crate {
        modules,
        warnings: generated.warnings.len(),
    }
}

/// How many modules a release makes: a module per file that describes a
/// profile payload (but the common keys) or a declaration, where a payload
/// documented in parts (several files of one type, none named after it)
/// makes one.
fn modules_of(release: &Path) -> usize {
    let sources = read_sources(release, None, true).unwrap_or_else(|error| panic!("{error}"));
    let mut declarations = 0;
    let mut payloads: std::collections::BTreeMap<String, Vec<String>> = Default::default();
    for source in &sources {
        if source.text.contains("\n  declarationtype:") {
            declarations += 1;
            continue;
        }
        if source.name.ends_with("/CommonPayloadKeys.yaml") {
            continue;
        }
        let Some(payload_type) = source
            .text
            .lines()
            .find_map(|line| line.strip_prefix("  payloadtype: "))
        else {
            continue;
        };
        let stem = source
            .name
            .rsplit('/')
            .next()
            .unwrap()
            .trim_end_matches(".yaml");
        payloads
            .entry(payload_type.trim().to_owned())
            .or_default()
            .push(stem.to_owned());
    }
    let payload_modules: usize = payloads
        .iter()
        .map(|(payload_type, stems)| {
            if stems.len() > 1 && !stems.iter().any(|stem| stem == payload_type) {
                1
            } else {
                stems.len()
            }
        })
        .sum();
    payload_modules + declarations
}

#[test]
fn small_fixture_builds() {
    generate_and_build("small", &fixture_dir("small"), false);
}

/// Each release builds from Apple's files as published: no overlay, no
/// fixup; Apple's oddities are resolved with warnings.
#[test]
fn every_release_generates_and_builds_with_no_overlay() {
    for release in ["ios18.1", "ios17.0"] {
        let checkout = require_apple_corpus(release);
        let built = generate_and_build(release, &checkout, true);
        assert_eq!(
            built.modules,
            modules_of(&checkout),
            "{release}: a module per payload and declaration"
        );
        assert!(
            built.warnings > 0,
            "{release}: Apple's oddities are reported"
        );
    }
}

#[test]
fn recursive_home_screen_layout_loads() {
    let corpus = require_apple_corpus("ios18.1").join("mdm/profiles");
    let text = std::fs::read_to_string(corpus.join("com.apple.homescreenlayout.yaml")).unwrap();
    let ir = mobileconfig_tests::compiled(&[mobileconfig_tests::source(
        "com.apple.homescreenlayout.yaml",
        &text,
    )]);
    let module = &ir.modules[0];
    assert!(module.types.iter().any(|def| def.name == "IconItem"));
}
