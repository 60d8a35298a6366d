//! The project's prose is its own: no description, rule message, statement
//! of what is not checked, or overlay comment shares a run of
//! [`RUN`] consecutive words with Apple's documentation (its YAML at both
//! releases, and the IKEv2 reference page). Facts may come from Apple;
//! sentences may not.

use std::collections::HashSet;
use std::path::Path;

use mobileconfig_codegen::ir::{TypeKind, UncheckedSpec};
use mobileconfig_tests::{compiled, require_apple_corpus, sources, workspace_root};

/// Eight words in a row is a copied phrase, not a shared technical term
/// ("the PayloadUUID of a certificate payload" is six).
const RUN: usize = 8;

fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|word| !word.is_empty())
        .map(str::to_ascii_lowercase)
        .collect()
}

/// Runs of [`RUN`] words that read as prose: a run with two numbers or
/// more is a list of facts (EAP type numbers, key sizes, an OID, versions
/// per platform), which the project may state as Apple does.
fn runs(text: &str) -> Vec<Vec<String>> {
    let is_number = |word: &String| word.chars().all(|c| c.is_ascii_digit());
    words(text)
        .windows(RUN)
        .filter(|run| run.iter().filter(|word| is_number(word)).count() < 2)
        .map(<[String]>::to_vec)
        .collect()
}

fn yaml_files(dir: &Path, found: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("a readable folder").flatten() {
        let path = entry.path();
        if path.is_dir() {
            yaml_files(&path, found);
        } else if path
            .extension()
            .is_some_and(|extension| extension == "yaml")
        {
            found.push(path);
        }
    }
}

/// Every run of words of Apple's prose.
fn apple_runs() -> HashSet<Vec<String>> {
    let mut files = Vec::new();
    for release in ["ios18.1", "ios17.0"] {
        yaml_files(&require_apple_corpus(release), &mut files);
    }
    let reference = std::env::var_os("REFERENCE_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| workspace_root().join("../shared/reference"));
    files.push(reference.join("VPN.IKEv2.txt"));
    let mut found = HashSet::new();
    for file in files {
        let text = std::fs::read_to_string(&file)
            .unwrap_or_else(|error| panic!("{}: {error}", file.display()));
        found.extend(runs(&text));
    }
    found
}

/// Every piece of the project's prose, with where it stands.
fn own_prose() -> Vec<(String, String)> {
    let schema = workspace_root().join("schema");
    let ir = compiled(&sources(&schema));
    let mut prose = Vec::new();
    for module in &ir.modules {
        let payload = &module.payload_type;
        prose.extend(
            module
                .description
                .clone()
                .map(|text| (payload.clone(), text)),
        );
        for def in &module.types {
            let TypeKind::Struct(struct_def) = &def.kind else {
                continue;
            };
            for field in &struct_def.fields {
                let at = format!("{payload} {}.{}", def.name, field.key);
                prose.extend(
                    field
                        .docs
                        .description
                        .clone()
                        .map(|text| (at.clone(), text)),
                );
                for UncheckedSpec { says, reason } in &field.docs.unchecked {
                    prose.push((at.clone(), format!("{says} {reason}")));
                }
            }
            for rule in &struct_def.rules {
                prose.push((format!("rule {}", rule.code), rule.message.clone()));
            }
        }
    }
    // Comments, a block of them at a time.
    for entry in std::fs::read_dir(&schema).expect("schema/").flatten() {
        let path = entry.path();
        if !path.to_string_lossy().ends_with(".overlay.yaml") {
            continue;
        }
        let text = std::fs::read_to_string(&path).expect("an overlay");
        let comments: Vec<&str> = text
            .lines()
            .filter_map(|line| line.trim_start().strip_prefix('#'))
            .collect();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        prose.push((format!("{name} comments"), comments.join(" ")));
    }
    prose
}

#[test]
fn no_sentence_of_apples_documentation_is_copied() {
    let apple = apple_runs();
    let mut copied = Vec::new();
    for (at, text) in own_prose() {
        if let Some(run) = runs(&text).into_iter().find(|run| apple.contains(run)) {
            copied.push(format!("{at}: \"{}\"", run.join(" ")));
        }
    }
    assert!(
        copied.is_empty(),
        "{} passage(s) share {RUN} words in a row with Apple's documentation; say them in \
         the project's words:\n{}",
        copied.len(),
        copied.join("\n")
    );
}

#[test]
fn the_check_finds_a_copied_phrase() {
    let apple = apple_runs();
    // A sentence of Apple's IKEv2 page, lightly edited, is caught.
    let page = std::fs::read_to_string(
        std::env::var_os("REFERENCE_DIR")
            .map(std::path::PathBuf::from)
            .unwrap_or_else(|| workspace_root().join("../shared/reference"))
            .join("VPN.IKEv2.txt"),
    )
    .expect("the reference page");
    let sentence = page
        .split(". ")
        .find(|sentence| words(sentence).len() > 2 * RUN)
        .expect("a long sentence");
    let edited = format!("Note: {}", sentence.replacen("the", "THE", 1));
    assert!(runs(&edited).iter().any(|run| apple.contains(run)));
}
