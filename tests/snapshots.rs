//! Snapshots of the emitted Rust for the small fixture schema, and the
//! generator's determinism.

use mobileconfig_codegen::output::{Mode, sync};
use mobileconfig_codegen::release::Release;
use mobileconfig_codegen::{CrateOptions, GeneratedFile};
use mobileconfig_tests::{fixture_dir, generated, sources};

/// The options the snapshots are taken with: the workspace's, naming the
/// fixture folder.
fn options() -> CrateOptions {
    CrateOptions {
        crate_name: "fixture".to_owned(),
        runtime_dependency: "{ path = \"../runtime\" }".to_owned(),
        standalone: false,
        command: "cargo xtask codegen".to_owned(),
        schema_label: "tests/fixtures/small/".to_owned(),
        release: Release::of_folder(&fixture_dir("small")),
    }
}

fn small_crate() -> Vec<GeneratedFile> {
    generated(&sources(&fixture_dir("small")), &options())
}

fn file<'a>(files: &'a [GeneratedFile], path: &str) -> &'a str {
    &files
        .iter()
        .find(|file| file.path == path)
        .unwrap_or_else(|| panic!("no generated file {path}"))
        .contents
}

#[test]
fn payload_module() {
    let files = small_crate();
    insta::assert_snapshot!("payload_module", file(&files, "src/com_example_widget.rs"));
}

#[test]
fn payload_dispatch() {
    let files = small_crate();
    insta::assert_snapshot!("payload_dispatch", file(&files, "src/payload.rs"));
}

#[test]
fn crate_root_and_manifest() {
    let files = small_crate();
    insta::assert_snapshot!("crate_root", file(&files, "src/lib.rs"));
    insta::assert_snapshot!("manifest", file(&files, "Cargo.toml"));
}

#[test]
fn json_schema() {
    let files = small_crate();
    insta::assert_snapshot!(
        "json_schema",
        file(&files, "json-schema/com.example.widget.schema.json")
    );
}

#[test]
fn markdown_reference() {
    let files = small_crate();
    insta::assert_snapshot!("reference_page", file(&files, "docs/com.example.widget.md"));
    insta::assert_snapshot!("reference_index", file(&files, "docs/README.md"));
}

#[test]
fn output_is_byte_identical_across_runs() {
    let first = small_crate();
    let second = small_crate();
    assert_eq!(first, second);
    let schema = mobileconfig_tests::workspace_root().join("schema");
    let runs: Vec<Vec<GeneratedFile>> = (0..2)
        .map(|_| generated(&sources(&schema), &options()))
        .collect();
    assert_eq!(runs[0], runs[1]);
}

#[test]
fn source_order_does_not_matter() {
    let mut reversed = sources(&fixture_dir("small"));
    reversed.reverse();
    let files = generated(&reversed, &options());
    assert_eq!(files, small_crate());
}

#[test]
fn recursive_fields_are_boxed_only_without_a_collection_between() {
    let files = small_crate();
    let module = file(&files, "src/com_example_widget.rs");
    // `Folder.Children` recurses through a Vec: no Box needed.
    assert!(
        module.contains("pub children: Option<Vec<Folder>>"),
        "{module}"
    );
    // `Link.Next` holds a `Link` directly: boxed.
    assert!(module.contains("pub next: Option<Box<Link>>"), "{module}");
    assert!(module.contains("pub chain: Option<Link>"), "{module}");
}

/// `generated/` is what `schema/` produces: the same check as
/// `cargo xtask codegen --check` (the same function does both), run by the
/// test command too. A file the schema no longer produces is stale as well.
#[test]
fn the_committed_crate_is_fresh() {
    let root = mobileconfig_tests::workspace_root();
    let files = generated(
        &sources(&root.join("schema")),
        &mobileconfig_tests::workspace_options(),
    );
    let report = sync(&root.join("generated"), &files, Mode::Check).expect("read generated/");
    assert!(
        report.is_fresh(),
        "{}",
        report.stale_message("cargo xtask codegen")
    );
}

/// The common keys open every payload: their overlay's rules reach every
/// payload's dictionary, and a payload's own rules can name them.
#[test]
fn common_keys_and_their_rules_reach_every_payload() {
    use mobileconfig_tests::source;
    let common = "title: Common\npayload:\n  payloadtype: CommonPayloadKeys\npayloadkeys:\n\
                  - key: PayloadType\n  type: <string>\n  presence: required\n\
                  - key: PayloadDisplayName\n  type: <string>\n  presence: optional\n";
    let common_overlay = "payload: CommonPayloadKeys\nrules:\n  - code: common.named\n    \
                          severity: warning\n    check: { present: PayloadDisplayName }\n    \
                          message: A payload without a name is hard to find.\n";
    let widget = "title: Widget\npayload:\n  payloadtype: com.example.widget\npayloadkeys:\n\
                  - key: Size\n  type: <integer>\n  presence: optional\n";
    let widget_overlay = "payload: com.example.widget\nrules:\n  - code: widget.sized-and-named\n    \
                          severity: error\n    when: { present: Size }\n    \
                          check: { present: PayloadDisplayName }\n    \
                          message: A sized widget needs a name.\n";
    let ir = mobileconfig_tests::compiled(&[
        source("CommonPayloadKeys.yaml", common),
        source("CommonPayloadKeys.overlay.yaml", common_overlay),
        source("com.example.widget.yaml", widget),
        source("com.example.widget.overlay.yaml", widget_overlay),
    ]);
    let widget = ir.module("com_example_widget").expect("the widget");
    let root = widget.struct_at(&[]).expect("its dictionary");
    let codes: Vec<&str> = root.rules.iter().map(|rule| rule.code.as_str()).collect();
    assert_eq!(codes, ["widget.sized-and-named", "common.named"]);
    let keys: Vec<&str> = root.fields.iter().map(|field| field.key.as_str()).collect();
    assert_eq!(keys, ["PayloadType", "PayloadDisplayName", "Size"]);
}
