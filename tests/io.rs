//! Reading and writing `.mobileconfig` files: XML and binary read alike,
//! lenient values are read with a warning and written exactly, bad input is a
//! clear error, and decode → encode → decode is the identity (property tests).

use mobileconfig::profile::ProfileRequired;
use mobileconfig::runtime::io::{self, OutputFormat, ReadError};
use mobileconfig::runtime::plist::{self, Dictionary, Value};
use mobileconfig::vpn_managed::{
    IkeV2, IkeV2AuthenticationMethod, IkeV2Required, VpnManaged, VpnManagedRequired, VpnType,
};
use mobileconfig::{Payload, Profile};
use mobileconfig_tests::workspace_root;
use proptest::prelude::*;

fn fixture_bytes(name: &str) -> Vec<u8> {
    let path = workspace_root().join("tests/profiles").join(name);
    std::fs::read(&path).unwrap_or_else(|error| panic!("{}: {error}", path.display()))
}

fn read(bytes: &[u8]) -> Profile {
    mobileconfig::read_profile(bytes)
        .unwrap_or_else(|error| panic!("{error}"))
        .value
}

#[test]
fn binary_and_xml_read_into_the_same_profile() {
    for name in ["ikev2-certificate", "ikev2-eap"] {
        let xml = read(&fixture_bytes(&format!("{name}.mobileconfig")));
        let binary = read(&fixture_bytes(&format!("{name}.binary.mobileconfig")));
        assert_eq!(xml, binary, "{name}");
    }
}

#[test]
fn lenient_values_are_read_with_warnings_and_written_exactly() {
    let decoded = mobileconfig::read_profile(&fixture_bytes("real-world-lenient.mobileconfig"))
        .expect("reads");
    let mut paths: Vec<&str> = decoded.warnings.iter().map(|w| w.path.as_str()).collect();
    paths.sort_unstable();
    assert_eq!(
        paths,
        [
            "PayloadContent[0].IKEv2.DisableMOBIKE",
            "PayloadContent[0].IKEv2.DisableRedirect",
            "PayloadContent[0].PayloadVersion",
            "PayloadVersion",
        ]
    );
    assert!(decoded.warnings.iter().all(|w| w.code == "type-coerced"));
    let profile = decoded.value;
    assert_eq!(profile.payload_version(), Some(1));
    let written: Value =
        plist::from_bytes(&io::write(&profile, OutputFormat::Xml).unwrap()).unwrap();
    let envelope = written.as_dictionary().unwrap();
    assert_eq!(envelope["PayloadVersion"], Value::Integer(1.into()));
    let vpn = envelope["PayloadContent"].as_array().unwrap()[0]
        .as_dictionary()
        .unwrap();
    assert_eq!(vpn["PayloadVersion"], Value::Integer(1.into()));
    let ikev2 = vpn["IKEv2"].as_dictionary().unwrap();
    assert_eq!(ikev2["DisableMOBIKE"], Value::Integer(0.into()));
    assert_eq!(ikev2["DisableRedirect"], Value::Integer(1.into()));
    // What the schema does not describe is kept as it was.
    assert_eq!(
        ikev2["FutureIKEv2Setting"],
        Value::String("kept as written".into())
    );
    assert_eq!(envelope["TopLevelFutureKey"], Value::Boolean(true));
    let future = envelope["PayloadContent"].as_array().unwrap()[1]
        .as_dictionary()
        .unwrap();
    let settings = future["Settings"].as_dictionary().unwrap();
    assert!(matches!(settings["When"], Value::Date(_)));
    assert_eq!(settings["Blob"], Value::Data(vec![0, 1, 2, 3, 4]));
    // A second pass has nothing left to coerce.
    let again =
        mobileconfig::read_profile(&io::write(&profile, OutputFormat::Binary).unwrap()).unwrap();
    assert!(again.warnings.is_empty(), "{:?}", again.warnings);
    assert_eq!(again.value, profile);
}

#[test]
fn json_output_is_plain_json() {
    let profile = read(&fixture_bytes("real-world-lenient.mobileconfig"));
    let json: serde_json::Value =
        serde_json::from_slice(&io::write(&profile, OutputFormat::Json).unwrap()).unwrap();
    assert_eq!(json["PayloadVersion"], 1);
    let settings = &json["PayloadContent"][1]["Settings"];
    assert_eq!(settings["When"], "2030-01-01T00:00:00Z");
    assert_eq!(settings["Blob"], "AAECAwQ=");
    assert_eq!(json["PayloadContent"][0]["IKEv2"]["DisableRedirect"], 1);
}

fn read_error(bytes: &[u8]) -> ReadError {
    match mobileconfig::read_profile(bytes) {
        Ok(_) => panic!("{} bytes read as a profile", bytes.len()),
        Err(error) => error,
    }
}

#[test]
fn bad_input_is_a_clear_error() {
    assert!(matches!(
        read_error(b"PK\x03\x04 not a plist"),
        ReadError::NotAPlist(_)
    ));
    assert!(matches!(read_error(b""), ReadError::NotAPlist(_)));
    let xml = fixture_bytes("ikev2-eap.mobileconfig");
    assert!(
        matches!(read_error(&xml[..xml.len() / 2]), ReadError::NotAPlist(_)),
        "truncated XML"
    );
    let binary = fixture_bytes("ikev2-eap.binary.mobileconfig");
    assert!(
        matches!(
            read_error(&binary[..binary.len() - 40]),
            ReadError::NotAPlist(_)
        ),
        "truncated binary"
    );
    let array =
        br#"<?xml version="1.0"?><plist version="1.0"><array><string>x</string></array></plist>"#;
    let error = read_error(array);
    assert_eq!(
        error.to_string(),
        "a profile is a <dictionary>, this file holds an <array>"
    );
    let wrong = String::from_utf8(xml.clone())
        .unwrap()
        .replace("<integer>1400</integer>", "<string>1400</string>");
    match read_error(wrong.as_bytes()) {
        ReadError::Invalid(problems) => {
            assert_eq!(problems.len(), 1, "{problems:?}");
            assert_eq!(problems[0].path, "PayloadContent[0].IKEv2.MTU");
            assert_eq!(problems[0].code, "type");
        }
        other => panic!("{other}"),
    }
}

/// An XML plist of `depth` nested collections, each opened with `open` and
/// closed with `close`.
fn nested_xml(open: &str, close: &str, depth: usize) -> String {
    format!(
        r#"<?xml version="1.0"?><plist version="1.0">{}{}</plist>"#,
        open.repeat(depth),
        close.repeat(depth)
    )
}

#[test]
fn deep_nesting_is_refused_before_it_is_built() {
    let xml = nested_xml("<array>", "</array>", 200_000);
    assert_eq!(
        read_error(xml.as_bytes()),
        ReadError::TooDeep {
            limit: io::MAX_NESTING
        }
    );

    // The same in binary: each array holds the next.
    let mut nested = Value::Array(Vec::new());
    for _ in 0..200 {
        nested = Value::Array(vec![nested]);
    }
    let mut binary = Vec::new();
    nested.to_writer_binary(&mut binary).unwrap();
    assert_eq!(
        read_error(&binary),
        ReadError::TooDeep {
            limit: io::MAX_NESTING
        }
    );
}

/// A dictionary holding `depth - 1` nested arrays: `depth` levels in all.
fn nested_value(depth: usize) -> Value {
    let mut nested = Value::Array(Vec::new());
    for _ in 2..depth {
        nested = Value::Array(vec![nested]);
    }
    Value::Dictionary(Dictionary::from_iter([("Deep".to_owned(), nested)]))
}

#[test]
fn nesting_up_to_the_limit_reads_in_xml_and_binary() {
    for depth in [io::MAX_NESTING, io::MAX_NESTING + 1] {
        let value = nested_value(depth);
        let mut xml = Vec::new();
        value.to_writer_xml(&mut xml).unwrap();
        let mut binary = Vec::new();
        value.to_writer_binary(&mut binary).unwrap();
        for (encoding, bytes) in [("XML", xml), ("binary", binary)] {
            match io::parse(&bytes) {
                Ok(read) if depth <= io::MAX_NESTING => assert_eq!(read, value, "{encoding}"),
                Err(ReadError::TooDeep { limit }) if depth > io::MAX_NESTING => {
                    assert_eq!(limit, io::MAX_NESTING, "{encoding}")
                }
                other => panic!("{encoding}, {depth} levels: {other:?}"),
            }
        }
    }
}

#[test]
fn nesting_is_judged_past_a_structural_error() {
    // The builder refuses the key that is not a string before the nesting
    // passes the limit; the input is still refused for its depth.
    let xml = format!(
        r#"<?xml version="1.0"?><plist version="1.0"><dict><integer>1</integer>{}{}</dict></plist>"#,
        "<array>".repeat(200),
        "</array>".repeat(200)
    );
    assert_eq!(
        read_error(xml.as_bytes()),
        ReadError::TooDeep {
            limit: io::MAX_NESTING
        }
    );
    // Without the depth, the structural error is what is said.
    let shallow = r#"<?xml version="1.0"?><plist version="1.0"><dict><integer>1</integer><string>x</string></dict></plist>"#;
    assert!(matches!(
        read_error(shallow.as_bytes()),
        ReadError::NotAPlist(_)
    ));
}

#[test]
fn very_large_input_is_refused() {
    let huge = vec![b' '; io::MAX_INPUT_BYTES + 1];
    assert!(matches!(read_error(&huge), ReadError::TooLarge { .. }));
}

// Property tests: arbitrary profiles, including keys and payloads the schema
// does not know, survive decode → encode → decode in both encodings.

fn arb_plist(depth: u32) -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        "[a-zA-Z0-9 ._-]{0,12}".prop_map(Value::String),
        any::<i64>().prop_map(|value| Value::Integer(value.into())),
        (-1.0e9f64..1.0e9).prop_map(Value::Real),
        any::<bool>().prop_map(Value::Boolean),
        proptest::collection::vec(any::<u8>(), 0..16).prop_map(Value::Data),
        (0u64..4_000_000_000).prop_map(|seconds| {
            Value::Date(plist::Date::from(
                std::time::UNIX_EPOCH + std::time::Duration::from_secs(seconds),
            ))
        }),
    ];
    leaf.prop_recursive(depth, 24, 4, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            proptest::collection::btree_map("X[a-zA-Z]{1,6}", inner, 0..4)
                .prop_map(|entries| Value::Dictionary(entries.into_iter().collect())),
        ]
    })
}

/// Keys that no schema names (they start with `X`), with arbitrary values.
fn arb_unknown_keys() -> impl Strategy<Value = Dictionary> {
    proptest::collection::btree_map("X[a-zA-Z]{1,8}", arb_plist(2), 0..3)
        .prop_map(|entries| entries.into_iter().collect())
}

fn arb_text() -> impl Strategy<Value = String> {
    "[a-zA-Z0-9 .:@_-]{0,16}"
}

prop_compose! {
    fn arb_ikev2()(
        local in arb_text(),
        remote in arb_text(),
        method in prop_oneof![
            Just(IkeV2AuthenticationMethod::None),
            Just(IkeV2AuthenticationMethod::SharedSecret),
            Just(IkeV2AuthenticationMethod::Certificate),
            "[A-Z][a-z]{3,8}".prop_map(|value| IkeV2AuthenticationMethod::from(value.as_str())),
        ],
        mtu in proptest::option::of(1280i64..1401),
        mobike in proptest::option::of(any::<bool>()),
        ppk in proptest::option::of(proptest::collection::vec(any::<u8>(), 1..8)),
        unknown in arb_unknown_keys(),
    ) -> IkeV2 {
        let mut ikev2 = IkeV2::new(IkeV2Required {
            authentication_method: method,
            remote_address: remote.clone(),
            remote_identifier: remote,
        });
        ikev2.local_identifier = Some(local);
        ikev2.mtu = mtu;
        ikev2.disable_mobike = mobike;
        ikev2.ppk = ppk.map(plist::Data::new);
        ikev2.unknown_keys = unknown;
        ikev2
    }
}

prop_compose! {
    fn arb_profile()(
        ikev2 in proptest::option::of(arb_ikev2()),
        name in arb_text(),
        vpn_unknown in arb_unknown_keys(),
        envelope_unknown in arb_unknown_keys(),
        other in proptest::option::of(arb_unknown_keys()),
    ) -> Profile {
        let mut vpn = VpnManaged::new(VpnManagedRequired {
            payload_identifier: "com.example.vpn".into(),
            payload_uuid: "UUID-VPN".into(),
            vpn_type: VpnType::IkeV2,
            user_defined_name: name,
        });
        vpn.ikev2 = ikev2;
        vpn.unknown_keys = vpn_unknown;
        let mut content = vec![Payload::VpnManaged(Box::new(vpn))];
        if let Some(mut other) = other {
            other.insert("PayloadType".to_owned(), Value::String("com.example.unknown".to_owned()));
            content.push(Payload::Other(other));
        }
        let mut profile = Profile::new(ProfileRequired {
            payload_identifier: "com.example".into(),
            payload_uuid: "UUID-PROFILE".into(),
            payload_content: content,
        });
        profile.unknown_keys = envelope_unknown;
        profile
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn decode_encode_decode_is_the_identity(profile in arb_profile()) {
        for format in [OutputFormat::Xml, OutputFormat::Binary] {
            let bytes = io::write(&profile, format).unwrap();
            let decoded = mobileconfig::read_profile(&bytes).unwrap();
            prop_assert!(decoded.warnings.is_empty(), "{:?}", decoded.warnings);
            prop_assert_eq!(&decoded.value, &profile);
            let again = io::write(&decoded.value, format).unwrap();
            prop_assert_eq!(again, bytes);
        }
    }

    #[test]
    fn reading_arbitrary_bytes_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        let _ = mobileconfig::read_profile(&bytes);
        let mut plist = b"bplist00".to_vec();
        plist.extend_from_slice(&bytes);
        let _ = mobileconfig::read_profile(&plist);
    }
}

#[test]
fn shared_objects_cannot_expand_without_bound() {
    // a0 = [], a(i+1) = [a(i), a(i)]: 41 objects that stand for 2^41 values.
    let levels = 40usize;
    let mut objects: Vec<Vec<u8>> = vec![vec![0xA0]];
    for level in 1..=levels {
        let child = (level - 1) as u8;
        objects.push(vec![0xA2, child, child]);
    }
    let bytes = binary_plist(&objects, levels, 1);
    assert_eq!(
        read_error(&bytes),
        ReadError::TooLargeExpanded {
            limit: io::MAX_EXPANDED_SIZE
        }
    );
}

#[test]
fn other_plist_dialects_are_refused_before_parsing() {
    let nested = format!("{{X = {}{};}}", "(".repeat(100_000), ")".repeat(100_000));
    assert!(matches!(
        read_error(nested.as_bytes()),
        ReadError::NotAPlist(_)
    ));
    let xml = nested_xml("<a:array>", "</a:array>", 100_000);
    assert_eq!(
        read_error(xml.as_bytes()),
        ReadError::TooDeep {
            limit: io::MAX_NESTING
        }
    );
}

#[test]
fn nested_decode_errors_read_as_one_path() {
    let xml = String::from_utf8(fixture_bytes("ikev2-certificate.mobileconfig")).unwrap();
    let bad = xml.replace("<integer>19</integer>", "<string>nineteen</string>");
    let error = plist::from_bytes::<Profile>(bad.as_bytes()).unwrap_err();
    let value = mobileconfig::runtime::error_message(&error);
    assert!(
        value.contains("PayloadContent: com.apple.vpn.managed payload: IKEv2: IKESecurityAssociationParameters: DiffieHellmanGroup:"),
        "{value}"
    );
    assert!(!value.contains("Serde(\\\""), "{value}");
}

/// A binary plist from its objects (each already encoded), with 4-byte
/// offsets and references of `ref_size` bytes; `top` is the root object.
fn binary_plist(objects: &[Vec<u8>], top: usize, ref_size: u8) -> Vec<u8> {
    let mut bytes = b"bplist00".to_vec();
    let mut offsets = Vec::new();
    for object in objects {
        offsets.push(bytes.len() as u64);
        bytes.extend_from_slice(object);
    }
    let table = bytes.len() as u64;
    let offset_size = 4u8;
    for offset in offsets {
        bytes.extend_from_slice(&(offset as u32).to_be_bytes());
    }
    let mut trailer = vec![0u8; 6];
    trailer.push(offset_size);
    trailer.push(ref_size);
    trailer.extend_from_slice(&(objects.len() as u64).to_be_bytes());
    trailer.extend_from_slice(&(top as u64).to_be_bytes());
    trailer.extend_from_slice(&table.to_be_bytes());
    bytes.extend_from_slice(&trailer);
    bytes
}

#[test]
fn a_large_string_referred_to_many_times_is_refused() {
    // One 1 MiB string and an array that refers to it 300 times: 1.5 MiB of
    // file, 300 MiB of values.
    let length = 1 << 20;
    let mut string = vec![0x5F, 0x12];
    string.extend_from_slice(&(length as u32).to_be_bytes());
    string.extend(std::iter::repeat_n(b'x', length));
    let count = 300u16;
    let mut array = vec![0xAF, 0x11];
    array.extend_from_slice(&count.to_be_bytes());
    array.extend(std::iter::repeat_n(0u8, count as usize));
    let bytes = binary_plist(&[string, array], 1, 1);
    assert_eq!(
        read_error(&bytes),
        ReadError::TooLargeExpanded {
            limit: io::MAX_EXPANDED_SIZE
        }
    );
}

/// Found by the `profile` fuzz target
/// (`fuzz/regressions/profile/binary-string-length-overflows`): a string
/// whose length field says 2^64 - 1 bytes overflowed the sum that measures
/// a binary plist's expanded size (a panic in a debug build, a wrapped count
/// in a release build).
#[test]
fn a_binary_string_longer_than_the_file_is_damaged() {
    let mut string = vec![0x5F, 0x13];
    string.extend_from_slice(&u64::MAX.to_be_bytes());
    let bytes = binary_plist(&[string], 0, 1);
    assert_eq!(
        read_error(&bytes),
        ReadError::NotAPlist(
            "damaged binary plist: a string or data is longer than the file".to_owned()
        )
    );
}

/// Found by the `profile` fuzz target
/// (`fuzz/regressions/profile/binary-uid-has-no-xml-form`): a UID among a
/// profile's unknown keys was read, and then the profile could not be
/// written as XML.
#[test]
fn a_binary_plist_holding_a_uid_is_refused() {
    let dictionary = vec![0xD1, 1, 2];
    let key = vec![0x51, b'X'];
    let uid = vec![0x80, 0x07];
    let bytes = binary_plist(&[dictionary, key, uid], 0, 1);
    let ReadError::NotAPlist(message) = read_error(&bytes) else {
        panic!("a UID is not a profile value");
    };
    assert!(message.contains("UID"), "{message}");
}

#[test]
fn xml_tricks_do_not_hide_nesting() {
    for (open, close) in [
        (r#"<array a="/>">"#, "</array>"),
        ("<array><?x > </array>?>", "</array>"),
        ("<array><!-- </array> -->", "</array>"),
    ] {
        let xml = nested_xml(open, close, 50_000);
        let error = read_error(xml.as_bytes());
        assert!(
            matches!(error, ReadError::TooDeep { .. } | ReadError::NotAPlist(_)),
            "{open}: {error}"
        );
    }
}
