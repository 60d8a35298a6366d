//! Apple's files validate against Apple's meta-schema (`docs/schema.yaml` of
//! the published corpus), the imported ones exactly as the published ones
//! do, and the interpreter of the meta-schema finds what it forbids.

use mobileconfig_codegen::load::meta_schema;
use mobileconfig_codegen::load::yaml::Document;
use mobileconfig_codegen::load::{IMPORTED_FOLDER, SourceKind};
use mobileconfig_tests::{require_apple_corpus, source, sources, workspace_root};

fn validate(meta: &Document, name: &str, text: &str) -> Vec<String> {
    let instance = Document::parse(text).unwrap_or_else(|error| panic!("{name}: {error:?}"));
    meta_schema::validate(meta, &instance)
        .into_iter()
        .map(|error| format!("{name}: {error}"))
        .collect()
}

fn meta_schema() -> Document {
    let path = require_apple_corpus("ios18.1").join("docs/schema.yaml");
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|error| panic!("{}: {error}", path.display()));
    Document::parse(&text).unwrap_or_else(|error| panic!("{}: {error:?}", path.display()))
}

/// A problem without its line (importing removes lines, so they shift).
fn without_line(problem: &str) -> String {
    match problem.split_once(": ") {
        Some((line, rest)) if line.starts_with("line ") => rest.to_owned(),
        _ => problem.to_owned(),
    }
}

/// The imported files (`schema/apple/`) are as valid as Apple's: each has
/// exactly the meta-schema problems of the file Apple published, so the
/// import adds none. Apple's own lapses (a property its meta-schema does not
/// list yet) are the loader's to resolve, with a warning.
#[test]
fn imported_files_keep_apples_meta_schema_standing() {
    let meta = meta_schema();
    let release = require_apple_corpus("ios18.1");
    let imported: Vec<_> = sources(&workspace_root().join("schema").join(IMPORTED_FOLDER))
        .into_iter()
        .filter(|file| file.kind() == SourceKind::Apple)
        .collect();
    assert!(
        imported.len() >= 150,
        "schema/apple holds {} Apple-format files",
        imported.len()
    );
    let mut differences = Vec::new();
    for file in &imported {
        let published = std::fs::read_to_string(release.join(&file.name))
            .unwrap_or_else(|error| panic!("{}: {error}", file.name));
        let problems = |text: &str| -> Vec<String> {
            let mut problems: Vec<String> = validate(&meta, &file.name, text)
                .iter()
                .map(|problem| {
                    without_line(problem.trim_start_matches(&format!("{}: ", file.name)))
                })
                .collect();
            problems.sort();
            problems
        };
        let (ours, apples) = (problems(&file.text), problems(&published));
        if ours != apples {
            differences.push(format!(
                "{}: imported {ours:?}, published {apples:?}",
                file.name
            ));
        }
    }
    assert!(differences.is_empty(), "{}", differences.join("\n"));
}

#[test]
fn apples_own_profiles_validate() {
    let meta = meta_schema();
    let corpus = require_apple_corpus("ios18.1").join("mdm/profiles");
    let errors: Vec<String> = sources(&corpus)
        .iter()
        .flat_map(|file| validate(&meta, &file.name, &file.text))
        .collect();
    assert!(errors.is_empty(), "{}", errors.join("\n"));
}

#[test]
fn the_validator_finds_what_the_meta_schema_forbids() {
    let meta = meta_schema();
    let bad = source(
        "bad.yaml",
        "title: Bad\npayload:\n  payloadtype: com.example.bad\n  colour: red\npayloadkeys:\n- key: A\n  type: <str>\n- title: no key\n",
    );
    let errors = validate(&meta, &bad.name, &bad.text);
    let text = errors.join("\n");
    assert!(
        text.contains("property `colour` is not in the meta-schema"),
        "{text}"
    );
    assert!(
        text.contains("`<str>` is not one of the meta-schema's values"),
        "{text}"
    );
    assert!(text.contains("lacks required `key`"), "{text}");
}

/// `schema/apple/` is exactly what importing the release gives: no file
/// edited by hand, none missing, none left over.
#[test]
fn the_imported_facts_are_what_the_import_gives() {
    use mobileconfig_codegen::import::{header, import};
    use mobileconfig_codegen::load::read_published_dir;
    let release = require_apple_corpus("ios18.1");
    let published = read_published_dir(&release).unwrap();
    let (files, _) = import(&published, Some(&meta_schema()), &header("ios18.1"));
    let committed = sources(&workspace_root().join("schema").join(IMPORTED_FOLDER));
    let committed_names: std::collections::BTreeSet<&str> =
        committed.iter().map(|file| file.name.as_str()).collect();
    let imported_names: std::collections::BTreeSet<&str> =
        files.iter().map(|file| file.name.as_str()).collect();
    assert_eq!(
        committed_names, imported_names,
        "schema/apple holds other files than the import gives: run `cargo xtask import`"
    );
    for file in &files {
        let ours = committed.iter().find(|c| c.name == file.name).unwrap();
        assert!(
            ours.text == file.text,
            "schema/apple/{} differs from what the import gives: run `cargo xtask import`",
            file.name
        );
    }
}
