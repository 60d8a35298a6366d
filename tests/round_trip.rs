//! Profiles through the generated types: typed access, unknown keys and
//! payloads kept, dates and data intact, flags written as integers.

use mobileconfig::profile::ProfileRequired;
use mobileconfig::vpn_managed::{
    IkeV2, IkeV2AuthenticationMethod, IkeV2Required, VpnManaged, VpnManagedRequired, VpnType,
};
use mobileconfig::{Payload, Profile};

const PROFILE: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0">
<dict>
	<key>PayloadContent</key>
	<array>
		<dict>
			<key>IKEv2</key>
			<dict>
				<key>AuthenticationMethod</key>
				<string>SharedSecret</string>
				<key>DisableMOBIKE</key>
				<true/>
				<key>EnablePFS</key>
				<integer>1</integer>
				<key>FutureKey</key>
				<date>2030-01-01T00:00:00Z</date>
				<key>IKESecurityAssociationParameters</key>
				<dict>
					<key>EncryptionAlgorithm</key>
					<string>AES-512-FUTURE</string>
					<key>DiffieHellmanGroup</key>
					<integer>19</integer>
				</dict>
				<key>LocalIdentifier</key>
				<string>client.example.com</string>
				<key>PPK</key>
				<data>AAECAw==</data>
				<key>RemoteAddress</key>
				<string>vpn.example.com</string>
				<key>RemoteIdentifier</key>
				<string>vpn.example.com</string>
				<key>SharedSecret</key>
				<string>s3cret</string>
			</dict>
			<key>PayloadIdentifier</key>
			<string>com.example.vpn</string>
			<key>PayloadType</key>
			<string>com.apple.vpn.managed</string>
			<key>PayloadUUID</key>
			<string>5C2F6E8A-1F3B-4B6E-9D7C-0A1B2C3D4E5F</string>
			<key>PayloadVersion</key>
			<integer>1</integer>
			<key>UserDefinedName</key>
			<string>Example VPN</string>
			<key>VPNType</key>
			<string>IKEv2</string>
		</dict>
		<dict>
			<key>PayloadType</key>
			<string>com.example.unknown</string>
			<key>Anything</key>
			<array><integer>1</integer><real>2.5</real></array>
		</dict>
	</array>
	<key>PayloadIdentifier</key>
	<string>com.example.profile</string>
	<key>PayloadType</key>
	<string>Configuration</string>
	<key>PayloadUUID</key>
	<string>0F1E2D3C-4B5A-6978-8796-A5B4C3D2E1F0</string>
	<key>PayloadVersion</key>
	<integer>1</integer>
	<key>TopLevelExtra</key>
	<string>kept</string>
</dict>
</plist>
"#;

fn read(bytes: &[u8]) -> Profile {
    plist::from_bytes(bytes).unwrap_or_else(|error| panic!("{error}"))
}

fn write(profile: &Profile) -> Vec<u8> {
    let mut out = Vec::new();
    plist::to_writer_xml(&mut out, profile).expect("write");
    out
}

#[test]
fn a_profile_reads_into_typed_payloads() {
    let profile = read(PROFILE.as_bytes());
    assert_eq!(
        profile.payload_identifier.as_deref(),
        Some("com.example.profile")
    );
    let payloads = profile.payload_content.as_deref().unwrap_or_default();
    let Payload::VpnManaged(vpn) = &payloads[0] else {
        panic!("the first payload is a VPN payload");
    };
    assert_eq!(vpn.vpn_type, Some(VpnType::IkeV2));
    let ikev2 = vpn.ikev2.as_ref().expect("IKEv2 dictionary");
    assert_eq!(
        ikev2.authentication_method,
        Some(IkeV2AuthenticationMethod::SharedSecret)
    );
    assert_eq!(ikev2.disable_mobike, Some(true), "<true/> reads as a flag");
    assert_eq!(ikev2.enable_pfs, Some(true));
    assert_eq!(
        ikev2.ppk.as_ref().map(|data| data.as_ref().to_vec()),
        Some(vec![0, 1, 2, 3])
    );
    let sa = ikev2.ike_security_association_parameters.as_ref().unwrap();
    assert_eq!(sa.diffie_hellman_group, Some(19));
    assert_eq!(
        sa.encryption_algorithm
            .as_ref()
            .map(|algorithm| algorithm.as_str()),
        Some("AES-512-FUTURE"),
        "a value newer than the schema is kept"
    );
    assert!(ikev2.unknown_keys.contains_key("FutureKey"));
    assert!(matches!(&payloads[1], Payload::Other(_)));
    assert_eq!(payloads[1].payload_type(), Some("com.example.unknown"));
    assert!(profile.unknown_keys.contains_key("TopLevelExtra"));
}

#[test]
fn writing_back_loses_nothing_and_writes_flags_as_integers() {
    let profile = read(PROFILE.as_bytes());
    let written = write(&profile);
    let again = read(&written);
    assert_eq!(profile, again);
    let original: plist::Value = plist::from_bytes(PROFILE.as_bytes()).unwrap();
    let mut expected = original.clone();
    // The one intended change: the <true/> flag is written as the schema's <integer>.
    expected.as_dictionary_mut().unwrap()["PayloadContent"]
        .as_array_mut()
        .unwrap()[0]
        .as_dictionary_mut()
        .unwrap()["IKEv2"]
        .as_dictionary_mut()
        .unwrap()
        .insert("DisableMOBIKE".to_owned(), plist::Value::Integer(1.into()));
    let written_value: plist::Value = plist::from_bytes(&written).unwrap();
    assert_eq!(written_value, expected);
    let text = String::from_utf8(written).unwrap();
    assert!(
        text.contains("<date>2030-01-01T00:00:00Z</date>"),
        "dates stay dates"
    );
}

#[test]
fn profiles_are_built_from_required_keys() {
    let ikev2 = IkeV2::new(IkeV2Required {
        authentication_method: IkeV2AuthenticationMethod::Certificate,
        remote_address: "vpn.example.com".into(),
        remote_identifier: "server".into(),
    });
    assert_eq!(ikev2.remote_identifier.as_deref(), Some("server"));
    assert_eq!(ikev2.remote_address.as_deref(), Some("vpn.example.com"));
    let mut vpn = VpnManaged::new(VpnManagedRequired {
        payload_identifier: "com.example.vpn".into(),
        payload_uuid: "UUID-1".into(),
        vpn_type: VpnType::IkeV2,
        user_defined_name: "Example".into(),
    });
    vpn.ikev2 = Some(ikev2);
    // Keys with one possible value are set by the constructor and read-only.
    assert_eq!(vpn.payload_type(), Some("com.apple.vpn.managed"));
    assert_eq!(vpn.payload_version(), Some(1));
    let profile: Profile = ProfileRequired {
        payload_identifier: "com.example".into(),
        payload_uuid: "UUID-0".into(),
        payload_content: vec![Payload::VpnManaged(Box::new(vpn))],
    }
    .into();
    assert_eq!(profile.payload_type(), Some("Configuration"));
    let again = read(&write(&profile));
    assert_eq!(again, profile);
}

/// The README's example, as written there.
#[test]
fn the_readme_example_runs() -> Result<(), Box<dyn std::error::Error>> {
    use mobileconfig::runtime::io::{self, OutputFormat};

    let mut ikev2 = IkeV2::new(IkeV2Required {
        authentication_method: IkeV2AuthenticationMethod::Certificate,
        remote_address: "vpn.example.com".into(),
        remote_identifier: "vpn.example.com".into(),
    });
    ikev2.local_identifier = Some("client.example.com".into());
    ikev2.mtu = Some(1400);
    let mut vpn = VpnManaged::new(VpnManagedRequired {
        payload_identifier: "com.example.vpn".into(),
        payload_uuid: "5C2F…".into(),
        vpn_type: VpnType::IkeV2,
        user_defined_name: "Example VPN".into(),
    });
    vpn.ikev2 = Some(ikev2);
    let profile = Profile::new(ProfileRequired {
        payload_identifier: "com.example".into(),
        payload_uuid: "0F1E…".into(),
        payload_content: vec![Payload::VpnManaged(Box::new(vpn))],
    });
    assert_eq!(profile.payload_version(), Some(1)); // set by new(), read-only

    let findings = profile.validate(None);
    // Certificate authentication without a certificate payload, and UUIDs that
    // are not UUIDs.
    assert!(
        findings
            .iter()
            .any(|f| f.code == "vpn.ikev2.certificate-missing"),
        "{findings:#?}"
    );
    assert!(
        findings.iter().any(|f| f.code == "valuetype"),
        "{findings:#?}"
    );
    let xml = io::write(&profile, OutputFormat::Xml)?;
    let read_back = mobileconfig::read_profile(&xml)?;
    assert_eq!(read_back.value, profile);
    assert!(read_back.warnings.is_empty());
    Ok(())
}

#[test]
fn a_wrong_value_type_names_its_key_path() {
    let bad = PROFILE.replace("<integer>19</integer>", "<string>nineteen</string>");
    let error = plist::from_bytes::<Profile>(bad.as_bytes())
        .unwrap_err()
        .to_string();
    assert!(error.contains("IKEv2"), "{error}");
    assert!(
        error.contains("IKESecurityAssociationParameters"),
        "{error}"
    );
    assert!(error.contains("DiffieHellmanGroup"), "{error}");
}
