//! Shared helpers for the integration tests.

#![forbid(unsafe_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

use mobileconfig_codegen::ir::Ir;
use mobileconfig_codegen::load::Origin;
use mobileconfig_codegen::{CrateOptions, GeneratedFile, SourceFile};

pub mod rule_cases;

/// The workspace root.
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default()
}

/// The folder cargo builds the workspace into; the tests keep the crates
/// they generate under it.
pub fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join("target"))
}

/// A cargo command (`args`) on a crate the tests generate or place, at
/// `manifest`: offline, warnings denied, and building into the one target
/// folder all such crates share, so that their dependencies build once
/// whichever test comes first.
pub fn cargo_on_generated(args: &[&str], manifest: &Path) -> Command {
    let mut command = Command::new(env!("CARGO"));
    command
        .args(args)
        .args(["--quiet", "--offline", "--manifest-path"])
        .arg(manifest)
        .env(
            "CARGO_TARGET_DIR",
            target_dir().join("generated-crates-target"),
        )
        .env("RUSTFLAGS", "-D warnings")
        .env("RUSTDOCFLAGS", "-D warnings");
    command
}

/// A folder under `tests/fixtures`.
pub fn fixture_dir(name: &str) -> PathBuf {
    workspace_root().join("tests").join("fixtures").join(name)
}

/// Apple's published device-management YAML at one release (`ios18.1`),
/// from `APPLE_DM_DIR` (set by `.ci/run`), else `../shared/apple-device-management`
/// beside the workspace. `None` when neither exists.
pub fn apple_corpus(release: &str) -> Option<PathBuf> {
    let base = std::env::var_os("APPLE_DM_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join("../shared/apple-device-management"));
    let dir = base.join(release);
    dir.is_dir().then_some(dir)
}

/// Like [`apple_corpus`], but fails the test with a message saying how to
/// provide the corpus (CI always has it).
pub fn require_apple_corpus(release: &str) -> PathBuf {
    apple_corpus(release).unwrap_or_else(|| {
        panic!(
            "Apple's corpus for {release} is missing: set APPLE_DM_DIR to a folder holding \
             {release}/ (a checkout of apple/device-management per release)"
        )
    })
}

/// The real-world profiles (`profiles/` of the corpus gathered from public
/// projects), from `REALWORLD_DIR` (set by `.ci/run`), else
/// `../shared/realworld` beside the workspace; fails the test with a message
/// saying how to provide them.
pub fn require_realworld_profiles() -> PathBuf {
    let base = std::env::var_os("REALWORLD_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join("../shared/realworld"));
    let dir = base.join("profiles");
    assert!(
        dir.is_dir(),
        "the real-world profiles are missing: set REALWORLD_DIR to a folder holding profiles/"
    );
    dir
}

/// Reads every `*.yaml` in `dir` as sources.
pub fn sources(dir: &Path) -> Vec<SourceFile> {
    mobileconfig_codegen::load::read_schema_dir(dir)
        .unwrap_or_else(|error| panic!("cannot read {}: {error}", dir.display()))
}

/// One source of the project's own, from text, for tests that build
/// schemas inline.
pub fn source(name: &str, text: &str) -> SourceFile {
    SourceFile {
        name: name.to_owned(),
        text: text.to_owned(),
        origin: Origin::Project,
    }
}

/// The IR of sources that must compile (warnings allowed).
pub fn compiled(sources: &[SourceFile]) -> Ir {
    mobileconfig_codegen::compile(sources)
        .unwrap_or_else(|errors| panic!("{errors}"))
        .ir
}

/// The files generated from sources that must compile (warnings allowed).
pub fn generated(sources: &[SourceFile], options: &CrateOptions) -> Vec<GeneratedFile> {
    mobileconfig_codegen::generate(sources, options)
        .unwrap_or_else(|errors| panic!("{errors}"))
        .files
}

/// The options `cargo xtask codegen` builds `generated/` with, its release
/// record read from `schema/release.yaml`.
pub fn workspace_options() -> CrateOptions {
    let release = mobileconfig_codegen::release::Release::read(&workspace_root().join("schema"))
        .expect("schema/release.yaml reads")
        .expect("schema/release.yaml exists");
    CrateOptions::workspace(release)
}
