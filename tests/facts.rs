//! Rustdoc, the Markdown reference and the JSON Schema describe every key
//! of a payload from one set of facts, in the same words: checked on the
//! rendered files of `com.apple.vpn.managed`, key by key.

use mobileconfig_codegen::GeneratedFile;
use mobileconfig_codegen::emit::facts::{self, FactKind, Links};
use mobileconfig_codegen::ir::{Field, Module, TypeKind};
use mobileconfig_tests::{compiled, generated, sources, workspace_root};
use serde_json::Value as Json;

struct Rendered {
    rust: String,
    markdown: String,
    json: Json,
}

fn rendered() -> (Module, Rendered) {
    let schema = sources(&workspace_root().join("schema"));
    let ir = compiled(&schema);
    let module = ir.module("vpn_managed").expect("the VPN module").clone();
    let files = generated(&schema, &mobileconfig_tests::workspace_options());
    let file = |path: &str| -> String {
        files
            .iter()
            .find(|file: &&GeneratedFile| file.path == path)
            .unwrap_or_else(|| panic!("no {path}"))
            .contents
            .clone()
    };
    let rendered = Rendered {
        rust: file("src/vpn_managed.rs"),
        markdown: file("docs/com.apple.vpn.managed.md"),
        json: serde_json::from_str(&file("json-schema/com.apple.vpn.managed.schema.json")).unwrap(),
    };
    (module, rendered)
}

/// The `///` lines above a field of `type_name` (or, for a key with one
/// value, above its accessor), without the slashes.
fn rustdoc(rust: &str, type_name: &str, field: &Field) -> String {
    let lines: Vec<&str> = rust.lines().collect();
    let name = field.name.trim_start_matches("r#");
    let (start, item) = if field.fixed.is_some() {
        (
            format!("impl {type_name} {{"),
            format!("pub fn {name}(&self)"),
        )
    } else {
        (
            format!("pub struct {type_name} {{"),
            format!("pub {}: ", field.name),
        )
    };
    let opening = lines
        .iter()
        .position(|line| line.trim() == start)
        .unwrap_or_else(|| panic!("no `{start}`"));
    let at = opening
        + lines[opening..]
            .iter()
            .position(|line| line.trim().starts_with(&item))
            .unwrap_or_else(|| panic!("no `{item}` in {type_name}"));
    let mut docs: Vec<&str> = lines[..at]
        .iter()
        .rev()
        .take_while(|line| line.trim().starts_with("///"))
        .map(|line| line.trim().trim_start_matches("///").trim())
        .collect();
    docs.reverse();
    docs.join("\n")
}

/// A key's row in its dictionary's table.
fn markdown_row<'a>(markdown: &'a str, type_name: &str, key: &str) -> &'a str {
    let section = markdown
        .split("\n## ")
        .find(|section| section.starts_with(&format!("{type_name}\n")))
        .unwrap_or_else(|| panic!("no section for {type_name}"));
    let row_start = format!("| `{key}` |");
    section
        .lines()
        .find(|line| line.starts_with(&row_start))
        .unwrap_or_else(|| panic!("no row for {key} in {type_name}"))
}

/// A key's JSON Schema description.
fn json_description(json: &Json, module: &Module, type_name: &str, key: &str) -> String {
    let dictionary = if type_name == module.root_type().name {
        json
    } else {
        &json["$defs"][type_name]
    };
    dictionary["properties"][key]["description"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

#[test]
fn every_key_is_described_in_the_same_words_everywhere() {
    let (module, rendered) = rendered();
    let mut checked = 0;
    for def in &module.types {
        let TypeKind::Struct(struct_def) = &def.kind else {
            continue;
        };
        for field in &struct_def.fields {
            let rust = rustdoc(&rendered.rust, &def.name, field);
            let row = markdown_row(&rendered.markdown, &def.name, &field.key);
            let json = json_description(&rendered.json, &module, &def.name, &field.key);
            let key = format!("{}.{}", def.name, field.key);
            // The type, in each rendering's way of linking.
            let rust_type = facts::type_words(&module, &field.value, Links::Rustdoc);
            assert!(
                rust.lines().next().unwrap_or_default().contains(&rust_type),
                "{key}: {rust}"
            );
            let markdown_type = facts::type_words(&module, &field.value, Links::Markdown);
            assert!(row.contains(&markdown_type), "{key}: {row}");
            // The prose.
            if let Some(first) = facts::prose(&field.docs).first() {
                assert!(
                    rust.contains(first.as_str()),
                    "{key}: rustdoc lacks its prose"
                );
                assert!(
                    row.contains(first.as_str()),
                    "{key}: the reference lacks its prose"
                );
            }
            if let Some(prose) = facts::plain_prose(&field.docs) {
                assert!(
                    json.starts_with(&prose),
                    "{key}: JSON Schema lacks its prose"
                );
            }
            // Every fact, in the same words.
            for fact in facts::key_facts(field) {
                let sentence = fact.sentence();
                assert!(
                    rust.contains(&format!("- {sentence}")),
                    "{key}: rustdoc lacks `{sentence}`:\n{rust}"
                );
                assert!(
                    json.contains(&sentence),
                    "{key}: JSON Schema lacks `{sentence}`"
                );
                let in_row = match fact.kind {
                    FactKind::Default | FactKind::Availability => fact.text.clone(),
                    kind if kind.is_constraint() => format!("{}: {}", kind.label(), fact.text),
                    _ => sentence.clone(),
                };
                assert!(
                    row.contains(&in_row.replace('|', "\\|")),
                    "{key}: the reference lacks `{in_row}`:\n{row}"
                );
                checked += 1;
            }
        }
    }
    assert!(checked > 60, "only {checked} facts checked");
}

#[test]
fn availability_is_shown_only_where_it_says_something() {
    let (module, rendered) = rendered();
    let payload = facts::availability_words(&module.availability).unwrap();
    // The payload's availability is said at the top, not on every key that
    // merely inherits it.
    assert!(
        rendered
            .rust
            .contains(&format!("//! Availability: {payload}."))
    );
    assert!(
        !rendered
            .rust
            .contains(&format!("- Availability: {payload}."))
    );
    let auth_name = module.field_at(&["IKEv2", "AuthName"]).unwrap();
    assert!(
        auth_name.shown_availability.is_none(),
        "{:?} {:?}",
        auth_name.shown_availability,
        auth_name.availability
    );
    let fallback = module.field_at(&["IKEv2", "EnableFallback"]).unwrap();
    assert!(fallback.shown_availability.is_some());
    // Platform limits and payload references reach rustdoc too.
    let timer = rustdoc(
        &rendered.rust,
        "IkeV2",
        module
            .field_at(&["IKEv2", "DisconnectOnIdleTimer"])
            .unwrap(),
    );
    assert!(timer.contains("- On watchOS: at most 15."), "{timer}");
    let certificate = rustdoc(
        &rendered.rust,
        "IkeV2",
        module
            .field_at(&["IKEv2", "PayloadCertificateUUID"])
            .unwrap(),
    );
    assert!(
        certificate.contains(
            "`com.apple.security.pkcs12`, `com.apple.security.scep` or `com.apple.security.acme` payload"
        ),
        "{certificate}"
    );
}

/// A dictionary whose keys inherit an availability other than the
/// payload's says it once, in rustdoc and on its reference page; its keys
/// that merely inherit it do not repeat it.
#[test]
fn a_dictionary_says_the_availability_its_keys_inherit() {
    let schema = sources(&workspace_root().join("schema"));
    let ir = compiled(&schema);
    let module = ir.module("app_lock").expect("the App Lock module");
    let options = module
        .struct_at(&["App", "Options"])
        .expect("App › Options");
    let def = module
        .types
        .iter()
        .find(|def| matches!(&def.kind, TypeKind::Struct(s) if std::ptr::eq(s, options)))
        .unwrap();
    let sentence = facts::type_availability(def).expect("the dictionary says its availability");
    assert_ne!(
        def.shown_availability.as_deref(),
        Some(&module.availability[..])
    );
    let inheriting: Vec<_> = options
        .fields
        .iter()
        .filter(|field| field.declared_availability.is_empty())
        .collect();
    assert!(!inheriting.is_empty());
    assert!(
        inheriting
            .iter()
            .all(|field| field.shown_availability.is_none()),
        "a key that inherits repeats it"
    );
    let files = generated(&schema, &mobileconfig_tests::workspace_options());
    let text = |path: &str| {
        files
            .iter()
            .find(|file| file.path == path)
            .unwrap_or_else(|| panic!("no {path}"))
            .contents
            .clone()
    };
    assert!(text("src/app_lock.rs").contains(&format!("/// {sentence}")));
    assert!(text("docs/com.apple.app.lock.md").contains(&format!("{sentence}\n")));
}
