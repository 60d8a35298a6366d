//! `cargo xtask`: the project's build tasks.
//!
//! - `cargo xtask codegen` regenerates `generated/` from `schema/`;
//! - `cargo xtask codegen --check` fails, naming the stale files, when
//!   `generated/` is not what the schema produces;
//! - `cargo xtask codegen --schema DIR --out DIR` generates a standalone
//!   crate from any folder of Apple-format YAML;
//! - `cargo xtask import CHECKOUT` brings a release of Apple's facts into
//!   `schema/apple/` and records it in `schema/release.yaml`;
//! - `cargo xtask diff OLD NEW` prints what changed and the release it
//!   needs; `--changelog` records it in `generated/CHANGELOG.md`;
//! - `cargo xtask semver OLD NEW` checks that verdict against `cargo
//!   semver-checks` on the two generated crates;
//! - `cargo xtask bench` runs the benchmarks and prints the table of
//!   ratios;
//! - `cargo xtask validate FILE...` and `cargo xtask convert FILE …` run the
//!   `mobileconfig` command-line tool (crate `cli/`), built from the
//!   generated crate. They are separate so that `codegen` never depends on
//!   the code it generates.

#![forbid(unsafe_code)]

use std::path::{Path, PathBuf};
use std::process::ExitCode;

mod bench;
mod codegen;
mod diff;
mod import;
mod semver;

const USAGE: &str = "\
usage: cargo xtask codegen [--check] [--warnings] [--schema DIR --out DIR [--overlays DIR]]
       cargo xtask import CHECKOUT [--release NAME]
       cargo xtask diff OLD NEW [--format markdown|json] [--changelog]
       cargo xtask semver OLD NEW
       cargo xtask bench [FILTER]
       cargo xtask validate FILE... [--platform P [--os-version X.Y]] [--format text|json]
       cargo xtask convert FILE --to xml|binary|json -o OUT

  codegen             regenerate generated/ from schema/
  --check             write nothing; fail if any generated file is stale
  --warnings          list each problem of Apple's files that was resolved
  --schema DIR        read Apple's published YAML from DIR: a checkout of
                      apple/device-management (its mdm/profiles and
                      declarative/declarations) or any folder of its files;
                      problems in them are resolved, with warnings
  --out DIR           write a standalone crate to DIR (with --schema)
  --overlays DIR      also read the project's *.overlay.yaml files from DIR

  import CHECKOUT     bring Apple's facts (not its prose) from a checkout of
                      apple/device-management into schema/apple/, then
                      regenerate generated/
  --release NAME      the release's name, for the record (default: the
                      checkout folder's name)

  diff OLD NEW        what changed from OLD to NEW, and the release it needs:
                      payloads, keys, types, requiredness, allowed values,
                      ranges, defaults, availability and rules. Each side is
                      a checkout of apple/device-management (or any folder
                      of its files), a schema folder like schema/, or
                      git:REV for schema/ as committed at REV
  --format FORMAT     markdown (default, for release notes) or json
  --changelog         NEW being schema/: put the log at the top of
                      generated/CHANGELOG.md, raise the version in
                      schema/release.yaml to what it needs, regenerate

  semver OLD NEW      generate the crate from each side, run cargo
                      semver-checks between them (install it with `cargo
                      install --locked cargo-semver-checks`), and fail if
                      its verdict and the change log's disagree

  bench [FILTER]      run the benchmarks (bench/) and print each median
                      beside its comparison's and their ratio; the rows also
                      go to target/bench.json";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("codegen") => {
            codegen::Options::parse(&args[1..]).and_then(|options| codegen::run(&options))
        }
        Some("import") => {
            import::Options::parse(&args[1..]).and_then(|options| import::run(&options))
        }
        Some("diff") => diff::Options::parse(&args[1..]).and_then(|options| diff::run(&options)),
        Some("bench") => bench::run(&args[1..]),
        Some("semver") => {
            semver::Options::parse(&args[1..]).and_then(|options| semver::run(&options))
        }
        Some(task @ ("validate" | "convert")) => return run_cli(task, &args[1..]),
        Some("help" | "--help" | "-h") | None => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Some(other) => Err(format!("unknown task `{other}`\n\n{USAGE}")),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("{message}");
            ExitCode::FAILURE
        }
    }
}

/// The commit a folder's Git checkout is at, if it is one (Apple's
/// repository as cloned); `None` for a plain folder.
pub fn git_commit(folder: &Path) -> Option<String> {
    if !folder.join(".git").exists() {
        return None;
    }
    let output = std::process::Command::new("git")
        .arg("-C")
        .arg(folder)
        .args(["rev-parse", "HEAD"])
        .output()
        .ok()?;
    let commit = String::from_utf8(output.stdout).ok()?.trim().to_owned();
    (output.status.success() && !commit.is_empty()).then_some(commit)
}

/// The workspace root (the folder above `xtask/`).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."))
}

/// Runs the `mobileconfig` tool with `task` and `args`, passing its exit
/// code through (0 clean, 1 errors found, 2 unreadable input).
fn run_cli(task: &str, args: &[String]) -> ExitCode {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    // The caller's working directory is kept, so relative file names work.
    let status = std::process::Command::new(cargo)
        .args([
            "run",
            "--quiet",
            "--package",
            "mobileconfig-cli",
            "--manifest-path",
        ])
        .arg(workspace_root().join("Cargo.toml"))
        .arg("--")
        .arg(task)
        .args(args)
        .status();
    match status {
        Ok(status) => match status.code() {
            Some(code) => ExitCode::from(u8::try_from(code).unwrap_or(2)),
            None => ExitCode::from(2),
        },
        Err(error) => {
            eprintln!("cannot run the mobileconfig tool: {error}");
            ExitCode::from(2)
        }
    }
}
