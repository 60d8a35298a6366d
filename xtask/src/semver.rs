//! `cargo xtask semver OLD NEW`: generates the crate from each side, runs
//! `cargo semver-checks` between the two, and compares its verdict with the
//! change log's. The two look at different things: semver-checks at the
//! public API of the built crates, the change log at the schema facts
//! behind it (including what validation does, which no API check sees), so
//! they agree when the change log says "major" exactly when semver-checks
//! finds a breaking change.

use std::path::{Path, PathBuf};
use std::process::Command;

use mobileconfig_codegen::diff::{Effect, compare};
use mobileconfig_codegen::generate;
use mobileconfig_codegen::output::{Mode, sync};

use crate::diff::read_side;
use crate::{USAGE, workspace_root};

pub struct Options {
    pub old: String,
    pub new: String,
}

impl Options {
    pub fn parse(args: &[String]) -> Result<Options, String> {
        match args {
            [old, new] if !old.starts_with("--") && !new.starts_with("--") => Ok(Options {
                old: old.clone(),
                new: new.clone(),
            }),
            _ => Err(format!("semver takes two schemas, OLD and NEW\n\n{USAGE}")),
        }
    }
}

/// What `cargo semver-checks` concluded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Verdict {
    /// No lint at all fired.
    Nothing,
    /// Only additions (its minor-level lints).
    Minor,
    /// A breaking change.
    Major,
}

pub fn run(options: &Options) -> Result<(), String> {
    let scratch = crate::diff::Scratch::new()?;
    let old = read_side(&options.old, &scratch)?;
    let new = read_side(&options.new, &scratch)?;
    let log = compare(&old.name, &old.sources, &new.name, &new.sources)?;
    let folder = workspace_root().join("target/xtask-semver");
    let old_crate = generate_crate(&old.sources, &folder.join("old"))?;
    let new_crate = generate_crate(&new.sources, &folder.join("new"))?;
    let (verdict, report) = semver_checks(&old_crate, &new_crate, &folder.join("target"))?;
    let effect = log.effect();
    println!("{report}");
    println!(
        "change log: {}; cargo semver-checks: {}",
        effect.map_or("no change", Effect::name),
        match verdict {
            Verdict::Nothing => "no API change",
            Verdict::Minor => "additions only",
            Verdict::Major => "a breaking change",
        }
    );
    let agree = match effect {
        Some(Effect::Major) => verdict == Verdict::Major,
        // Validation-only changes leave the API as it was.
        Some(Effect::Minor) => verdict != Verdict::Major,
        Some(Effect::Patch) | None => verdict == Verdict::Nothing,
    };
    if agree {
        println!("they agree");
        Ok(())
    } else {
        Err(format!(
            "the change log and cargo semver-checks disagree: see `cargo xtask diff {} {}` \
             and the report above",
            options.old, options.new
        ))
    }
}

/// Generates a standalone crate from `sources` into `out`.
fn generate_crate(
    sources: &[mobileconfig_codegen::SourceFile],
    out: &Path,
) -> Result<PathBuf, String> {
    // Both crates carry the same version, so semver-checks judges the
    // change itself rather than the numbers.
    let options = crate::codegen::standalone_options(out)?;
    let generated = generate(sources, &options).map_err(|problems| problems.to_string())?;
    sync(out, &generated.files, Mode::Write).map_err(|error| error.to_string())?;
    Ok(out.to_path_buf())
}

/// Runs `cargo semver-checks` with every lint, as if the new crate were a
/// patch release, so additions are reported too; returns its verdict and
/// what it printed.
fn semver_checks(old: &Path, new: &Path, target: &Path) -> Result<(Verdict, String), String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let output = Command::new(cargo)
        .args(["semver-checks", "check-release", "--release-type", "patch"])
        .arg("--baseline-root")
        .arg(old)
        .arg("--manifest-path")
        .arg(new.join("Cargo.toml"))
        .env("CARGO_TARGET_DIR", target)
        .output()
        .map_err(|error| format!("cannot run cargo semver-checks: {error}"))?;
    let report = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    let summary = report
        .lines()
        .find(|line| line.trim_start().starts_with("Summary"))
        .ok_or_else(|| {
            format!(
                "cargo semver-checks gave no summary (is it installed? `cargo install --locked \
                 cargo-semver-checks`):\n{report}"
            )
        })?;
    let verdict = if summary.contains("new major version") {
        Verdict::Major
    } else if summary.contains("new minor version") {
        Verdict::Minor
    } else if summary.contains("no semver update required") {
        Verdict::Nothing
    } else {
        return Err(format!(
            "cannot read cargo semver-checks' summary: {summary}"
        ));
    };
    Ok((verdict, report))
}
