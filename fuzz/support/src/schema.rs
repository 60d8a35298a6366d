//! The `schema` target: arbitrary bytes as a folder of schema files.
//!
//! An input is a *bundle*: text in which a line starting with
//! [`FILE_MARKER`] begins a file whose name is the rest of that line (text
//! before the first marker is a file named [`FIRST_FILE`]). Names decide
//! what the generator makes of a file, as in a schema folder: one ending in
//! `.overlay.yaml` is an overlay, any other an Apple-format file; one under
//! `apple/` is Apple's published file (whose problems are resolved with
//! warnings), any other the project's own (whose problems are errors). So
//! the fuzzer reaches both the strict check and the repairs, and overlays
//! that name, or fail to name, the files beside them. Bytes that are not
//! UTF-8 are read lossily rather than thrown away.
//!
//! What must hold for every input: [`generate`] returns files or schema
//! errors, never panics, and an error names a problem. The loader's limits
//! (nesting depth, expanded size of aliases) are what keeps deep and
//! self-referring input from overflowing the stack or running for ever.

use mobileconfig_codegen::load::Origin;
use mobileconfig_codegen::release::{AppleRelease, Release, Version};
use mobileconfig_codegen::{CrateOptions, SourceFile, generate};

/// Starts a file of a bundle; the rest of the line is its name.
pub const FILE_MARKER: &str = "#%% ";

/// The name of the text before the first marker.
pub const FIRST_FILE: &str = "schema.yaml";

/// More files than any case needs; the rest of the input is ignored.
const MAX_FILES: usize = 16;

/// Runs one input of the `schema` target.
pub fn run(bytes: &[u8]) {
    let text = String::from_utf8_lossy(bytes);
    let sources = bundle(&text);
    match generate(&sources, &options()) {
        Ok(generated) => assert!(
            !generated.files.is_empty(),
            "a schema compiled into no files"
        ),
        Err(errors) => {
            assert!(!errors.0.is_empty(), "generation failed with no error");
            assert!(
                !errors.to_string().trim().is_empty(),
                "generation failed with an empty message"
            );
        }
    }
}

/// The files of a bundle, in order.
pub fn bundle(text: &str) -> Vec<SourceFile> {
    let mut files: Vec<(String, String)> = Vec::new();
    let mut name = FIRST_FILE.to_owned();
    let mut body = String::new();
    // Whether the current file is the unnamed text before any marker, which
    // counts as a file only when it holds something.
    let mut unnamed = true;
    for line in text.split_inclusive('\n') {
        if let Some(next) = line.strip_prefix(FILE_MARKER) {
            if !(unnamed && body.is_empty()) {
                files.push((name, std::mem::take(&mut body)));
            }
            name = next.trim().to_owned();
            unnamed = false;
            continue;
        }
        body.push_str(line);
    }
    files.push((name, body));
    files.truncate(MAX_FILES);
    files
        .into_iter()
        .map(|(name, text)| SourceFile {
            origin: if name.starts_with("apple/") {
                Origin::Published
            } else {
                Origin::Project
            },
            name,
            text,
        })
        .collect()
}

/// The inverse of [`bundle`]: the text of a bundle of `(name, text)` files
/// (for making seeds from the repository's schema folders).
pub fn write_bundle<'a>(files: impl IntoIterator<Item = (&'a str, &'a str)>) -> String {
    let mut out = String::new();
    for (name, text) in files {
        out.push_str(FILE_MARKER);
        out.push_str(name);
        out.push('\n');
        out.push_str(text);
        if !text.is_empty() && !text.ends_with('\n') {
            out.push('\n');
        }
    }
    out
}

/// The options of a crate built outside this workspace; they name nothing
/// the input controls.
fn options() -> CrateOptions {
    CrateOptions {
        crate_name: "fuzzed".to_owned(),
        runtime_dependency: "{ path = \"../runtime\" }".to_owned(),
        standalone: true,
        command: "cargo fuzz run schema".to_owned(),
        schema_label: "fuzz/".to_owned(),
        release: Release {
            version: Version {
                major: 0,
                minor: 1,
                patch: 0,
            },
            apple: AppleRelease {
                name: "fuzz".to_owned(),
                commit: None,
            },
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bundle_splits_at_its_markers() {
        let text = write_bundle([
            ("apple/a.yaml", "title: A\n"),
            ("a.overlay.yaml", "payload: a"),
        ]);
        let files = bundle(&text);
        let names: Vec<(&str, &str, Origin)> = files
            .iter()
            .map(|file| (file.name.as_str(), file.text.as_str(), file.origin))
            .collect();
        assert_eq!(
            names,
            [
                ("apple/a.yaml", "title: A\n", Origin::Published),
                ("a.overlay.yaml", "payload: a\n", Origin::Project),
            ]
        );
    }

    #[test]
    fn text_without_a_marker_is_one_file() {
        let files = bundle("title: A\n");
        assert_eq!(files.len(), 1);
        assert_eq!(files[0].name, FIRST_FILE);
        assert_eq!(files[0].origin, Origin::Project);
    }
}
