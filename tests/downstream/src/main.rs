//! A small tool of the kind an MDM server or a VPN-profile generator is built
//! around: it writes the profile a company sends to its phones (its root
//! certificate, each device's identity, an IKEv2 VPN and an EAP-TLS Wi-Fi
//! network that both sign in with that identity), checks it, writes it as
//! XML, reads the XML back and describes what it read.
//!
//! It uses the generated crate only as code outside this repository can:
//! `new` with the required keys named, optional keys set as public fields,
//! a wildcard arm in every match on a generated enum, fields read back. Run it with the
//! folder that holds `root-ca.der`, `client.p12` and `client.p12.password`
//! (`tests/profiles/certs/`); it prints a line per payload and fails, with
//! the reason, if anything is not as written.

#![forbid(unsafe_code)]

use std::error::Error;
use std::path::{Path, PathBuf};

use mobileconfig::profile::ProfileRequired;
use mobileconfig::runtime::io::{self, OutputFormat};
use mobileconfig::runtime::plist;
use mobileconfig::runtime::schema::Platform;
use mobileconfig::runtime::{Diagnostic, Severity, Target, Version};
use mobileconfig::security_pkcs12::{SecurityPkcs12, SecurityPkcs12Required};
use mobileconfig::security_root::{SecurityRoot, SecurityRootRequired};
use mobileconfig::vpn_managed::{
    CertificateType, DeadPeerDetectionRate, EncryptionAlgorithm, IkeV2, IkeV2AuthenticationMethod,
    IkeV2Required, IntegrityAlgorithm, InterfaceTypeMatch, OnDemandRulesElement,
    OnDemandRulesElementAction, OnDemandRulesElementRequired, SecurityAssociationParameters,
    VpnManaged, VpnManagedRequired, VpnType,
};
use mobileconfig::wifi_managed::{
    EapClientConfiguration, EapClientConfigurationRequired, EncryptionType, WifiManaged,
    WifiManagedRequired,
};
use mobileconfig::{Payload, Profile};

type Result<T> = std::result::Result<T, Box<dyn Error>>;

const ROOT_UUID: &str = "6A1C2F4E-0B7D-4C55-9E21-3F8A7B6D5C01";
const IDENTITY_UUID: &str = "D3B9E0A2-58F1-4E7C-A6B4-2C9D1E0F7A02";
const VPN_UUID: &str = "91E4C7B0-3D2A-4F68-8B15-7A6C5D4E3F03";
const WIFI_UUID: &str = "0C5D8E7F-A1B2-4C3D-9E4F-5A6B7C8D9E04";
const PROFILE_UUID: &str = "F7E6D5C4-B3A2-4918-8776-655443322105";

const VPN_SERVER: &str = "vpn.example.com";
const DEVICE: &str = "device-0001.example.com";
const OFFICE_SSID: &str = "Example Corp";
/// EAP-TLS, by its IANA number.
const EAP_TLS: i64 = 13;

/// The certificate files the profile carries.
struct Certificates {
    root: Vec<u8>,
    identity: Vec<u8>,
    identity_password: String,
}

impl Certificates {
    fn read(folder: &Path) -> Result<Certificates> {
        let read = |name: &str| {
            std::fs::read(folder.join(name))
                .map_err(|error| format!("{}: {error}", folder.join(name).display()))
        };
        Ok(Certificates {
            root: read("root-ca.der")?,
            identity: read("client.p12")?,
            identity_password: String::from_utf8(read("client.p12.password")?)?
                .trim()
                .to_owned(),
        })
    }
}

fn root_payload(certificates: &Certificates) -> SecurityRoot {
    let mut root = SecurityRoot::new(SecurityRootRequired {
        payload_identifier: "com.example.mdm.root".into(),
        payload_uuid: ROOT_UUID.into(),
        payload_content: plist::Data::new(certificates.root.clone()),
    });
    root.payload_display_name = Some("Example Root CA".into());
    root.payload_certificate_file_name = Some("root-ca.der".into());
    root
}

fn identity_payload(certificates: &Certificates) -> SecurityPkcs12 {
    let mut identity = SecurityPkcs12::new(SecurityPkcs12Required {
        payload_identifier: "com.example.mdm.identity".into(),
        payload_uuid: IDENTITY_UUID.into(),
        payload_content: plist::Data::new(certificates.identity.clone()),
    });
    identity.payload_display_name = Some("Device identity".into());
    identity.payload_certificate_file_name = Some("client.p12".into());
    identity.password = Some(certificates.identity_password.clone());
    identity
}

fn security_association() -> SecurityAssociationParameters {
    let mut parameters = SecurityAssociationParameters::new();
    parameters.encryption_algorithm = Some(EncryptionAlgorithm::Aes256Gcm);
    parameters.integrity_algorithm = Some(IntegrityAlgorithm::Sha2_384);
    parameters.diffie_hellman_group = Some(20);
    parameters.life_time_in_minutes = Some(1440);
    parameters
}

fn on_demand_rule(action: OnDemandRulesElementAction) -> OnDemandRulesElement {
    OnDemandRulesElement::new(OnDemandRulesElementRequired { action })
}

fn vpn_payload() -> VpnManaged {
    let mut ikev2 = IkeV2::new(IkeV2Required {
        authentication_method: IkeV2AuthenticationMethod::Certificate,
        local_identifier: DEVICE.into(),
        remote_address: VPN_SERVER.into(),
        remote_identifier: VPN_SERVER.into(),
    });
    ikev2.certificate_type = Some(CertificateType::Rsa);
    ikev2.payload_certificate_uuid = Some(IDENTITY_UUID.into());
    ikev2.server_certificate_issuer_common_name = Some("Example Root CA".into());
    ikev2.dead_peer_detection_rate = Some(DeadPeerDetectionRate::Medium);
    ikev2.enable_pfs = Some(true);
    ikev2.mtu = Some(1400);
    ikev2.ike_security_association_parameters = Some(security_association());
    ikev2.child_security_association_parameters = Some(security_association());
    // On the office network the tunnel stays down; anywhere else it comes
    // up. (No `EvaluateConnection` rule: its `ActionParameters` changed from
    // a dictionary to an array of dictionaries between Apple's ios17.0 and
    // ios18.1 files, a type change no generated API can hide.)
    let mut at_the_office = on_demand_rule(OnDemandRulesElementAction::Disconnect);
    at_the_office.ssid_match = Some(vec![OFFICE_SSID.into()]);
    let mut on_wifi = on_demand_rule(OnDemandRulesElementAction::Connect);
    on_wifi.interface_type_match = Some(InterfaceTypeMatch::Wifi);
    let mut on_cellular = on_demand_rule(OnDemandRulesElementAction::Connect);
    on_cellular.interface_type_match = Some(InterfaceTypeMatch::Cellular);
    ikev2.on_demand_enabled = Some(true);
    ikev2.on_demand_rules = Some(vec![at_the_office, on_wifi, on_cellular]);

    let mut vpn = VpnManaged::new(VpnManagedRequired {
        payload_identifier: "com.example.mdm.vpn".into(),
        payload_uuid: VPN_UUID.into(),
        vpn_type: VpnType::IkeV2,
        user_defined_name: "Example VPN".into(),
    });
    vpn.payload_display_name = Some("VPN".into());
    vpn.ikev2 = Some(ikev2);
    vpn
}

fn wifi_payload() -> WifiManaged {
    let mut eap = EapClientConfiguration::new(EapClientConfigurationRequired {
        accept_eap_types: vec![EAP_TLS],
    });
    eap.payload_certificate_anchor_uuid = Some(vec![ROOT_UUID.into()]);
    eap.tls_trusted_server_names = Some(vec!["radius.example.com".into()]);

    let mut wifi = WifiManaged::new(WifiManagedRequired {
        payload_identifier: "com.example.mdm.wifi".into(),
        payload_uuid: WIFI_UUID.into(),
    });
    wifi.payload_display_name = Some("Office Wi-Fi".into());
    wifi.ssid_str = Some(OFFICE_SSID.into());
    wifi.encryption_type = Some(EncryptionType::Wpa2);
    wifi.auto_join = Some(true);
    wifi.payload_certificate_uuid = Some(IDENTITY_UUID.into());
    wifi.eap_client_configuration = Some(eap);
    wifi
}

fn build(certificates: &Certificates) -> Profile {
    let mut profile = Profile::new(ProfileRequired {
        payload_identifier: "com.example.mdm".into(),
        payload_uuid: PROFILE_UUID.into(),
        payload_content: vec![
            Payload::SecurityRoot(Box::new(root_payload(certificates))),
            Payload::SecurityPkcs12(Box::new(identity_payload(certificates))),
            Payload::VpnManaged(Box::new(vpn_payload())),
            Payload::WifiManaged(Box::new(wifi_payload())),
        ],
    });
    profile.payload_display_name = Some("Example Corp network".into());
    profile.payload_organization = Some("Example Corp".into());
    profile
}

/// Prints every finding and fails on an error: warnings and notes are the
/// validators' advice, errors mean a device would refuse the profile.
fn no_errors(what: &str, findings: &[Diagnostic]) -> Result<()> {
    for finding in findings {
        println!("{what}: {finding}");
    }
    let errors = findings
        .iter()
        .filter(|finding| finding.severity == Severity::Error)
        .count();
    if errors > 0 {
        return Err(format!("{what}: {errors} error(s)").into());
    }
    Ok(())
}

/// One line per payload of a profile as read, from its fields.
fn describe(profile: &Profile) -> Result<Vec<String>> {
    let mut lines = Vec::new();
    for payload in profile.payload_content.iter().flatten() {
        let line = match payload {
            Payload::VpnManaged(vpn) => {
                let ikev2 = vpn.ikev2.as_ref().ok_or("the VPN has no IKEv2 settings")?;
                let method = match &ikev2.authentication_method {
                    Some(IkeV2AuthenticationMethod::Certificate) => "a certificate",
                    Some(IkeV2AuthenticationMethod::SharedSecret) => "a shared secret",
                    Some(_) => "another method",
                    None => "no method",
                };
                let rules: Vec<&str> = ikev2
                    .on_demand_rules
                    .iter()
                    .flatten()
                    .map(|rule| match &rule.action {
                        Some(OnDemandRulesElementAction::Connect) => "connect",
                        Some(OnDemandRulesElementAction::Disconnect) => "disconnect",
                        Some(_) => "other",
                        None => "none",
                    })
                    .collect();
                format!(
                    "VPN `{}` to {} with {method}; on demand: {}",
                    vpn.user_defined_name.as_deref().unwrap_or_default(),
                    ikev2.remote_address.as_deref().unwrap_or_default(),
                    rules.join(", ")
                )
            }
            Payload::WifiManaged(wifi) => {
                let security = match &wifi.encryption_type {
                    Some(EncryptionType::Wpa2) => "WPA2",
                    Some(EncryptionType::Wpa3) => "WPA3",
                    Some(_) => "another security",
                    None => "no security",
                };
                let eap_types = wifi
                    .eap_client_configuration
                    .as_ref()
                    .and_then(|eap| eap.accept_eap_types.clone())
                    .unwrap_or_default();
                format!(
                    "Wi-Fi `{}` with {security}, EAP types {eap_types:?}",
                    wifi.ssid_str.as_deref().unwrap_or_default()
                )
            }
            Payload::SecurityPkcs12(identity) => format!(
                "identity `{}` of {} bytes",
                identity
                    .payload_certificate_file_name
                    .as_deref()
                    .unwrap_or_default(),
                identity
                    .payload_content
                    .as_ref()
                    .map_or(0, |data| data.as_ref().len())
            ),
            Payload::SecurityRoot(root) => format!(
                "root certificate `{}` of {} bytes",
                root.payload_certificate_file_name
                    .as_deref()
                    .unwrap_or_default(),
                root.payload_content
                    .as_ref()
                    .map_or(0, |data| data.as_ref().len())
            ),
            other => format!(
                "a payload of type {}",
                other.payload_type().unwrap_or("(none)")
            ),
        };
        lines.push(line);
    }
    Ok(lines)
}

fn run(folder: &Path) -> Result<()> {
    let certificates = Certificates::read(folder)?;
    let profile = build(&certificates);
    let iphone = Target {
        platform: Platform::IOs,
        version: Version::parse("17.0"),
    };
    no_errors("as built", &profile.validate(None))?;
    no_errors("as built, for iOS 17", &profile.validate(Some(&iphone)))?;

    let xml = io::write(&profile, OutputFormat::Xml)?;
    let read = mobileconfig::read_profile(&xml)?;
    if !read.warnings.is_empty() {
        return Err(format!("the XML reads back with warnings: {:?}", read.warnings).into());
    }
    if read.value != profile {
        return Err("the profile read back differs from the one written".into());
    }
    let as_plist = plist::Value::from_reader_xml(xml.as_slice())?;
    no_errors(
        "as read, for iOS 17",
        &mobileconfig::validate_profile(&as_plist, Some(&iphone)),
    )?;

    let lines = describe(&read.value)?;
    let expected = [
        "root certificate `root-ca.der` of ".to_owned(),
        "identity `client.p12` of ".to_owned(),
        format!(
            "VPN `Example VPN` to {VPN_SERVER} with a certificate; on demand: disconnect, connect, connect"
        ),
        format!("Wi-Fi `{OFFICE_SSID}` with WPA2, EAP types [{EAP_TLS}]"),
    ];
    if lines.len() != expected.len()
        || !lines
            .iter()
            .zip(&expected)
            .all(|(line, start)| line.starts_with(start.as_str()))
    {
        return Err(format!("the profile as read is described as {lines:#?}").into());
    }
    for line in &lines {
        println!("{line}");
    }
    println!("{} bytes of XML, {} payloads", xml.len(), lines.len());
    Ok(())
}

fn main() -> Result<()> {
    let folder = std::env::args_os().nth(1).map(PathBuf::from).ok_or(
        "usage: downstream FOLDER (the folder of root-ca.der, client.p12, client.p12.password)",
    )?;
    run(&folder)
}
