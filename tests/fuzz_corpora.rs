//! The fuzz targets' saved inputs, replayed on the stable toolchain.
//!
//! `cargo fuzz` (README, "Fuzzing") needs a nightly feature set and runs for
//! minutes; what it learns is kept as files: each target's corpus
//! (`fuzz/corpus/<target>/`, the repository's fixtures it was seeded with
//! and the inputs that reached new code) and the inputs that once broke an
//! invariant (`fuzz/regressions/<target>/`). Each file goes through the same
//! function the fuzz target calls (`mobileconfig_fuzz_support`), so a change
//! that breaks what fuzzing once checked fails here, in `cargo test`.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};

use mobileconfig_fuzz_support::TARGETS;
use mobileconfig_tests::workspace_root;

/// Every file of `folder`, sorted; none when it does not exist.
fn inputs(folder: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(folder) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = entries
        .map(|entry| {
            entry
                .unwrap_or_else(|error| panic!("cannot read {}: {error}", folder.display()))
                .path()
        })
        .filter(|path| path.is_file())
        .collect();
    files.sort();
    files
}

/// Runs every saved input of `target`; fails naming each input that
/// panicked.
fn replay(target: &str) {
    let (_, run) = TARGETS
        .iter()
        .find(|(name, _)| *name == target)
        .unwrap_or_else(|| panic!("no fuzz target `{target}`"));
    let fuzz = workspace_root().join("fuzz");
    let corpus = inputs(&fuzz.join("corpus").join(target));
    assert!(
        corpus.len() >= 10,
        "fuzz/corpus/{target} holds {} files; the corpus is missing",
        corpus.len()
    );
    let regressions = inputs(&fuzz.join("regressions").join(target));
    let failed: Vec<String> = corpus
        .iter()
        .chain(&regressions)
        .filter_map(|path| {
            let bytes = std::fs::read(path)
                .unwrap_or_else(|error| panic!("cannot read {}: {error}", path.display()));
            catch_unwind(AssertUnwindSafe(|| run(&bytes)))
                .err()
                .map(|_| path.display().to_string())
        })
        .collect();
    assert!(
        failed.is_empty(),
        "{} saved input(s) of the `{target}` fuzz target break its invariants (the panic of \
         each is printed above; `cargo fuzz run {target} <file>` runs one under the fuzzer):\n{}",
        failed.len(),
        failed.join("\n")
    );
}

#[test]
fn every_target_has_a_replay_test() {
    let names: Vec<&str> = TARGETS.iter().map(|(name, _)| *name).collect();
    assert_eq!(names, ["profile", "schema", "structured"]);
}

#[test]
fn profile_corpus() {
    replay("profile");
}

#[test]
fn schema_corpus() {
    replay("schema");
}

#[test]
fn structured_corpus() {
    replay("structured");
}
