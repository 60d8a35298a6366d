//! The IKEv2 transcription in `schema/` checked against Apple's reference
//! page (`VPN.IKEv2.txt`): every property present, with the page's type and
//! required flag.

use std::path::PathBuf;

use mobileconfig_codegen::ir::{Field, Module, Shape};
use mobileconfig_tests::{sources, workspace_root};

fn reference_page() -> String {
    let dir = std::env::var_os("REFERENCE_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join("../shared/reference"));
    let path = dir.join("VPN.IKEv2.txt");
    std::fs::read_to_string(&path).unwrap_or_else(|error| {
        panic!(
            "{}: {error} (set REFERENCE_DIR to the folder holding VPN.IKEv2.txt)",
            path.display()
        )
    })
}

/// A property row of the page: `NameType` or `Name RequiredType`, written
/// without a separator between name and type.
#[derive(Debug)]
struct Property {
    name: String,
    required: bool,
    page_type: String,
}

fn page_properties(page: &str) -> Vec<Property> {
    const TYPES: &[&str] = &["integer", "string", "data", "boolean", "real", "date"];
    let start = page
        .find("NameTypeDescription")
        .expect("the page's property table");
    let end = page.find("\nTopics").unwrap_or(page.len());
    let mut properties = Vec::new();
    for line in page[start..end].lines().skip(1) {
        let (line, required) = match line.split_once(" Required") {
            Some((name, page_type)) => (format!("{name}{page_type}"), true),
            None => (line.to_owned(), false),
        };
        if line.is_empty() || line.contains(' ') {
            continue; // description text
        }
        let object = [line.find("VPN."), line.find('[')]
            .into_iter()
            .flatten()
            .min();
        let split = if let Some(index) = object {
            Some(index)
        } else {
            TYPES
                .iter()
                .find(|page_type| line.ends_with(*page_type))
                .map(|page_type| line.len() - page_type.len())
        };
        if let Some(index) = split {
            properties.push(Property {
                name: line[..index].to_owned(),
                required,
                page_type: line[index..].to_owned(),
            });
        }
    }
    properties
}

fn vpn_module() -> Module {
    let ir = mobileconfig_tests::compiled(&sources(&workspace_root().join("schema")));
    ir.module("vpn_managed").expect("the VPN payload").clone()
}

fn ikev2_fields(module: &Module) -> Vec<Field> {
    module
        .struct_at(&["IKEv2"])
        .expect("IKEv2 is a dictionary")
        .fields
        .clone()
}

#[test]
fn every_property_of_the_page_is_transcribed_with_its_type_and_presence() {
    let properties = page_properties(&reference_page());
    assert!(
        properties.len() >= 45,
        "parsed only {} properties",
        properties.len()
    );
    let module = vpn_module();
    let fields = ikev2_fields(&module);
    for property in &properties {
        let field = fields
            .iter()
            .find(|field| field.key == property.name)
            .unwrap_or_else(|| panic!("{} is missing from the schema", property.name));
        // LocalIdentifier: the page requires it; the project makes it
        // optional (deployed EAP profiles leave it out and connect) and
        // checks it with the rules vpn.ikev2.local-identifier-missing*.
        let required = property.required && property.name != "LocalIdentifier";
        assert_eq!(field.required, required, "{}: required flag", property.name);
        let type_fits = match property.page_type.as_str() {
            "string" => matches!(field.value.shape, Shape::String | Shape::Enum(_)),
            "integer" => matches!(field.value.shape, Shape::Integer | Shape::IntegerFlag),
            "data" => field.value.shape == Shape::Data,
            page_type if page_type.starts_with('[') => matches!(field.value.shape, Shape::Array(_)),
            page_type if page_type.starts_with("VPN.") => {
                matches!(field.value.shape, Shape::Struct(_))
            }
            other => panic!("{}: unexpected page type {other}", property.name),
        };
        assert!(
            type_fits,
            "{}: page says {}, schema has {:?}",
            property.name, property.page_type, field.value.shape
        );
    }
    assert_eq!(
        fields.len(),
        properties.len(),
        "the schema has IKEv2 keys the page does not list"
    );
}

#[test]
fn the_security_association_parameters_are_one_shared_type() {
    let module = vpn_module();
    let fields = ikev2_fields(&module);
    let shape_of = |key: &str| {
        fields
            .iter()
            .find(|field| field.key == key)
            .unwrap()
            .value
            .shape
            .clone()
    };
    let ike = shape_of("IKESecurityAssociationParameters");
    assert_eq!(ike, shape_of("ChildSecurityAssociationParameters"));
    let Shape::Struct(id) = ike else {
        panic!("a struct")
    };
    let shared = module.get(id);
    assert_eq!(shared.name, "SecurityAssociationParameters");
    // Shared by two keys, it takes neither key's title.
    assert_eq!(
        shared.docs.title.as_deref(),
        Some("Security Association Parameters")
    );
    let methods = module
        .field_at(&[
            "IKEv2",
            "IKESecurityAssociationParameters",
            "PostQuantumKeyExchangeMethods",
        ])
        .unwrap();
    assert_eq!(methods.value.constraints.repetition.map(|r| r.max), Some(7));
}

#[test]
fn on_demand_rules_use_the_shared_element_type() {
    let module = vpn_module();
    let fields = ikev2_fields(&module);
    let rules = fields
        .iter()
        .find(|field| field.key == "OnDemandRules")
        .unwrap();
    let Shape::Array(element) = &rules.value.shape else {
        panic!("an array")
    };
    let Shape::Struct(id) = element.shape else {
        panic!("of dictionaries")
    };
    assert_eq!(module.get(id).name, "OnDemandRulesElement");
    // A key path steps through the array to its elements' keys.
    let action = module
        .field_at(&["IKEv2", "OnDemandRules", "Action"])
        .unwrap();
    assert!(matches!(action.value.shape, Shape::Enum(_)));
}

#[test]
fn facts_from_the_page_are_in_the_schema() {
    let module = vpn_module();
    let fields = ikev2_fields(&module);
    let field = |key: &str| {
        fields
            .iter()
            .find(|field| field.key == key)
            .unwrap()
            .clone()
    };
    let nat = field("NATKeepAliveInterval");
    let min = nat.value.constraints.bounds.and_then(|bounds| bounds.min);
    assert_eq!(min, Some(20.0));
    assert_eq!(field("DisableMOBIKE").name, "disable_mobike");
    assert_eq!(field("DisableMOBIKE").value.shape, Shape::IntegerFlag);
    assert!(field("SharedSecret").sensitive);
    assert!(field("PPK").sensitive);
    assert_eq!(field("PPKIdentifier").name, "ppk_identifier");
}
