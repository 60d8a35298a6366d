//! Generates crates from whole schema folders and builds them with cargo:
//! the project's own `schema/`, the small fixture, and Apple's published
//! profiles corpus (ios18.1 and ios17.0).

use std::path::{Path, PathBuf};
use std::process::Command;

use mobileconfig_codegen::load::read_sources;
use mobileconfig_codegen::output::{Mode, sync};
use mobileconfig_codegen::{CrateOptions, generate};
use mobileconfig_tests::{fixture_dir, require_apple_corpus, sources, workspace_root};

/// Generates a standalone crate from `schema` (plus `overlays`) into a fresh
/// folder under the target directory and runs `cargo build` on it.
fn generate_and_build(name: &str, schema: &Path, overlays: Option<&Path>) -> usize {
    let root = workspace_root();
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target"));
    let out = target.join("generated-crates").join(name);
    let _ = std::fs::remove_dir_all(&out);
    let all_sources = read_sources(schema, overlays).unwrap_or_else(|error| panic!("{error}"));
    let runtime = std::fs::canonicalize(root.join("runtime")).expect("runtime crate");
    let crate_name = format!("generated-{}", name.replace('.', "-"));
    let options = CrateOptions::standalone(&crate_name, &runtime, schema);
    let files = generate(&all_sources, &options).unwrap_or_else(|errors| panic!("{errors}"));
    sync(&out, &files, Mode::Write).expect("write the generated crate");
    // One shared target folder for every generated crate keeps the
    // dependencies built once.
    let status = Command::new(env!("CARGO"))
        .args(["build", "--quiet", "--offline", "--manifest-path"])
        .arg(out.join("Cargo.toml"))
        .env("CARGO_TARGET_DIR", target.join("generated-crates-target"))
        .env("RUSTFLAGS", "-D warnings")
        .status()
        .expect("run cargo");
    assert!(
        status.success(),
        "the crate generated from {} does not build",
        schema.display()
    );
    // Every description must survive rustdoc: no bare URLs, no stray HTML,
    // no broken links.
    let status = Command::new(env!("CARGO"))
        .args([
            "doc",
            "--quiet",
            "--offline",
            "--no-deps",
            "--manifest-path",
        ])
        .arg(out.join("Cargo.toml"))
        .env("CARGO_TARGET_DIR", target.join("generated-crates-target"))
        .env("RUSTDOCFLAGS", "-D warnings")
        .status()
        .expect("run cargo doc");
    assert!(
        status.success(),
        "rustdoc warns on the crate generated from {}",
        schema.display()
    );
    // The JSON Schemas are valid draft 2020-12 and compile; every payload
    // has a reference page.
    let mut schemas = 0;
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
        schemas += 1;
    }
    let pages = files
        .iter()
        .filter(|file| file.path.starts_with("docs/"))
        .count();
    let modules = files
        .iter()
        .filter(|file| file.path.starts_with("src/"))
        .count()
        - 2;
    assert_eq!(pages, modules + 1, "a page per module and an index");
    assert!(
        schemas >= modules.saturating_sub(1),
        "{schemas} schemas for {modules} modules"
    );
    files.len()
}

#[test]
fn small_fixture_builds() {
    generate_and_build("small", &fixture_dir("small"), None);
}

#[test]
fn ios18_1_profiles_corpus_generates_and_builds() {
    let corpus = require_apple_corpus("ios18.1").join("mdm/profiles");
    let overlays = workspace_root().join("tests/corpus-overlays/ios18.1");
    let files = generate_and_build("ios18.1", &corpus, Some(&overlays));
    // Per payload file but CommonPayloadKeys: a module, a reference page and
    // a JSON Schema (the profile's is profile.schema.json); plus lib, payload
    // dispatch, the manifest and the reference index.
    let modules = sources(&corpus).len() - 1;
    assert_eq!(files, modules * 3 + 4);
}

#[test]
fn ios17_0_profiles_corpus_generates_and_builds() {
    let corpus = require_apple_corpus("ios17.0").join("mdm/profiles");
    let overlays = workspace_root().join("tests/corpus-overlays/ios17.0");
    generate_and_build("ios17.0", &corpus, Some(&overlays));
}

#[test]
fn recursive_home_screen_layout_loads() {
    let corpus = require_apple_corpus("ios18.1").join("mdm/profiles");
    let text = std::fs::read_to_string(corpus.join("com.apple.homescreenlayout.yaml")).unwrap();
    let ir = mobileconfig_codegen::compile(&[mobileconfig_tests::source(
        "com.apple.homescreenlayout.yaml",
        &text,
    )])
    .unwrap_or_else(|errors| panic!("{errors}"));
    let module = &ir.modules[0];
    assert!(module.types.iter().any(|def| def.name == "IconItem"));
}
