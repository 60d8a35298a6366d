//! Code written against the generated crate keeps compiling when Apple
//! publishes a new release. The program in `tests/downstream/` (a Cargo
//! package of its own, outside the workspace) uses the crate as a dependent
//! crate does; it is placed next to a crate generated straight from
//! `ios17.0`, as `cargo xtask codegen --schema … --out …` generates it, then
//! compiled and run; then the same files are placed next to a crate
//! generated from `ios18.1`, compiled and run again.
//!
//! It runs rather than only checks: `cargo build` reuses the dependencies
//! `corpus` builds in the same target folder (`cargo check` would need its
//! own metadata build of every one of them), so the two runs cost little
//! more than the two compilations, and they prove the profile still writes,
//! reads back and validates without an error against each release.

use std::path::{Path, PathBuf};

use mobileconfig_codegen::load::read_sources;
use mobileconfig_codegen::output::{Mode, sync};
use mobileconfig_codegen::{CrateOptions, generate};
use mobileconfig_tests::{cargo_on_generated, require_apple_corpus, target_dir, workspace_root};

/// The dependent program's folder in the repository.
fn program_source() -> PathBuf {
    workspace_root().join("tests").join("downstream")
}

/// Generates the crate from `release` into `<folder>/mobileconfig`, as
/// `cargo xtask codegen --schema <release> --out …` does (crate
/// `mobileconfig`, no overlay), and copies the program to
/// `<folder>/downstream`, where its `../mobileconfig` dependency finds the
/// crate. Files are written only when their content changed, so cargo
/// rebuilds only what did. Returns the program's manifest.
fn place(release: &str, folder: &Path) -> PathBuf {
    let schema = require_apple_corpus(release);
    let sources = read_sources(&schema, None, true).unwrap_or_else(|error| panic!("{error}"));
    let runtime = std::fs::canonicalize(workspace_root().join("runtime")).expect("runtime crate");
    let options = CrateOptions::standalone("mobileconfig", &runtime, &schema);
    let generated = generate(&sources, &options).unwrap_or_else(|errors| panic!("{errors}"));
    sync(&folder.join("mobileconfig"), &generated.files, Mode::Write)
        .expect("write the generated crate");
    let program = folder.join("downstream");
    mirror(&program_source(), &program);
    program.join("Cargo.toml")
}

/// What cargo leaves in a package folder, which is not the program's.
const CARGO_OUTPUT: [&str; 2] = ["target", "Cargo.lock"];

/// Makes `to` hold the files under `from`: copies those that differ, leaves
/// alone those that already hold the same bytes (so cargo does not rebuild
/// them), and removes those `from` no longer has.
fn mirror(from: &Path, to: &Path) {
    let names = |folder: &Path| -> Vec<std::ffi::OsString> {
        let entries = std::fs::read_dir(folder)
            .unwrap_or_else(|error| panic!("{}: {error}", folder.display()));
        entries
            .map(|entry| entry.expect("a folder entry").file_name())
            .filter(|name| !CARGO_OUTPUT.iter().any(|output| name == output))
            .collect()
    };
    std::fs::create_dir_all(to).unwrap_or_else(|error| panic!("{}: {error}", to.display()));
    let wanted = names(from);
    for name in names(to).iter().filter(|name| !wanted.contains(name)) {
        let path = to.join(name);
        let removed = if path.is_dir() {
            std::fs::remove_dir_all(&path)
        } else {
            std::fs::remove_file(&path)
        };
        removed.unwrap_or_else(|error| panic!("{}: {error}", path.display()));
    }
    for name in &wanted {
        let (source, destination) = (from.join(name), to.join(name));
        if source.is_dir() {
            mirror(&source, &destination);
            continue;
        }
        let bytes = std::fs::read(&source).expect("read a file of the program");
        if std::fs::read(&destination).ok() != Some(bytes.clone()) {
            std::fs::write(&destination, bytes).expect("copy a file of the program");
        }
    }
}

/// Builds and runs the program at `manifest` on the certificate fixtures;
/// returns what it printed, or fails with what cargo or the program said.
fn build_and_run(release: &str, manifest: &Path) -> String {
    let certificates = workspace_root()
        .join("tests")
        .join("profiles")
        .join("certs");
    let output = cargo_on_generated(&["run"], manifest)
        .arg("--")
        .arg(&certificates)
        .output()
        .expect("run cargo");
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.status.success(),
        "the program in tests/downstream fails against the crate generated from {release} \
         ({}):\n{}\n{stdout}",
        manifest.display(),
        String::from_utf8_lossy(&output.stderr)
    );
    stdout
}

#[test]
fn a_dependent_program_compiles_and_runs_unchanged_across_releases() {
    let scratch = target_dir().join("generated-crates").join("downstream");
    for release in ["ios17.0", "ios18.1"] {
        let manifest = place(release, &scratch.join(release));
        let printed = build_and_run(release, &manifest);
        for line in [
            "VPN `Example VPN` to vpn.example.com with a certificate",
            "Wi-Fi `Example Corp` with WPA2, EAP types [13]",
            "4 payloads",
        ] {
            assert!(
                printed.contains(line),
                "{release}: the program did not print `{line}`:\n{printed}"
            );
        }
    }
}
