//! Failing and passing cases for every rule the validators apply, each a
//! small change to a clean fixture profile. Shared by the validation tests
//! and the JSON Schema agreement test.

use mobileconfig::runtime::plist::{Dictionary, Value};
use mobileconfig::runtime::schema::Platform;
use mobileconfig::runtime::{Severity, Target, Version};

use crate::workspace_root;

mod files;

pub use files::{Edits, case_files};

/// A fixture profile from `tests/profiles`, as a plist value.
pub fn fixture(name: &str) -> Value {
    let path = workspace_root().join("tests/profiles").join(name);
    let bytes = std::fs::read(&path).unwrap_or_else(|error| panic!("{}: {error}", path.display()));
    mobileconfig::runtime::io::parse(&bytes)
        .unwrap_or_else(|error| panic!("{}: {error}", path.display()))
}

pub fn payload(profile: &mut Value, index: usize) -> &mut Dictionary {
    profile.as_dictionary_mut().unwrap()["PayloadContent"]
        .as_array_mut()
        .unwrap()[index]
        .as_dictionary_mut()
        .unwrap()
}

/// The IKEv2 dictionary of the VPN payload at `index`.
pub fn ikev2(profile: &mut Value, index: usize) -> &mut Dictionary {
    payload(profile, index)["IKEv2"]
        .as_dictionary_mut()
        .unwrap()
}

/// The first `SystemPolicyAllFiles` entry of the TCC payload at index 0.
pub fn tcc_entry(profile: &mut Value) -> &mut Dictionary {
    payload(profile, 0)["Services"].as_dictionary_mut().unwrap()["SystemPolicyAllFiles"]
        .as_array_mut()
        .unwrap()[0]
        .as_dictionary_mut()
        .unwrap()
}

pub fn set(dictionary: &mut Dictionary, key: &str, value: impl Into<Value>) {
    dictionary.insert(key.to_owned(), value.into());
}

pub fn int(value: i64) -> Value {
    Value::Integer(value.into())
}

pub fn target(platform: Platform, version: &str) -> Target {
    Target {
        platform,
        version: Version::parse(version),
    }
}

/// A rule's failing and passing case.
#[derive(Debug)]
pub struct Case {
    pub code: String,
    /// Where the failing case's finding points.
    pub path: String,
    pub severity: Severity,
    pub fixture: String,
    pub target: Option<Target>,
    pub failing: Change,
    /// A change under which the rule applies and holds.
    pub passing: Change,
}

/// A change to a fixture: written in Rust, or read from a case file.
#[derive(Debug)]
pub enum Change {
    Code(fn(&mut Value)),
    Edits(Edits),
}

impl Change {
    fn apply(&self, profile: &mut Value) {
        match self {
            Change::Code(change) => change(profile),
            Change::Edits(edits) => edits.apply(profile),
        }
    }
}

impl Case {
    /// The failing profile.
    pub fn failing_profile(&self) -> Value {
        let mut profile = fixture(&self.fixture);
        self.failing.apply(&mut profile);
        profile
    }

    /// The passing profile.
    pub fn passing_profile(&self) -> Value {
        let mut profile = fixture(&self.fixture);
        self.passing.apply(&mut profile);
        profile
    }
}

/// A case written in Rust (for changes a case file cannot say).
#[allow(clippy::too_many_arguments)]
struct Coded {
    code: &'static str,
    path: &'static str,
    severity: Severity,
    fixture: &'static str,
    target: Option<Target>,
    failing: fn(&mut Value),
    passing: fn(&mut Value),
}

impl From<Coded> for Case {
    fn from(coded: Coded) -> Self {
        Case {
            code: coded.code.to_owned(),
            path: coded.path.to_owned(),
            severity: coded.severity,
            fixture: coded.fixture.to_owned(),
            target: coded.target,
            failing: Change::Code(coded.failing),
            passing: Change::Code(coded.passing),
        }
    }
}

/// Every case: those written in Rust below and those of the case files
/// (`tests/rule-cases/*.yaml`).
pub fn cases() -> Vec<Case> {
    let mut cases: Vec<Case> = coded_cases().into_iter().map(Case::from).collect();
    cases.extend(case_files());
    cases
}

fn coded_cases() -> Vec<Coded> {
    const EAP: &str = "ikev2-eap.mobileconfig";
    const CERT: &str = "ikev2-certificate.mobileconfig";
    const DEMAND: &str = "ikev2-on-demand.mobileconfig";
    const TCC: &str = "tcc-with-consent.mobileconfig";
    vec![
        Coded {
            code: "tcc.allowed-or-authorization",
            path: "PayloadContent[0].Services.SystemPolicyAllFiles[0].Allowed",
            severity: Severity::Error,
            fixture: TCC,
            target: None,
            failing: |p| {
                tcc_entry(p).remove("Allowed");
            },
            // From macOS 11, Authorization replaces Allowed.
            passing: |p| {
                let entry = tcc_entry(p);
                entry.remove("Allowed");
                set(entry, "Authorization", "Allow");
            },
        },
        Coded {
            code: "vpn.ikev2.certificate-type-needs-issuer",
            path: "PayloadContent[0].IKEv2.ServerCertificateIssuerCommonName",
            severity: Severity::Error,
            fixture: EAP,
            target: None,
            failing: |p| {
                let d = ikev2(p, 0);
                set(d, "CertificateType", "RSA");
                d.remove("ServerCertificateIssuerCommonName");
            },
            passing: |p| set(ikev2(p, 0), "CertificateType", "RSA"),
        },
        Coded {
            code: "vpn.ikev2.ppk-needs-identifier",
            path: "PayloadContent[0].IKEv2.PPKIdentifier",
            severity: Severity::Error,
            fixture: DEMAND,
            target: None,
            failing: |p| set(ikev2(p, 0), "PPK", Value::Data(vec![1, 2, 3])),
            passing: |p| {
                set(ikev2(p, 0), "PPK", Value::Data(vec![1, 2, 3]));
                set(ikev2(p, 0), "PPKIdentifier", "ppk-1");
            },
        },
        Coded {
            code: "vpn.ikev2.ppk-identifier-needs-ppk",
            path: "PayloadContent[0].IKEv2.PPK",
            severity: Severity::Error,
            fixture: DEMAND,
            target: None,
            failing: |p| set(ikev2(p, 0), "PPKIdentifier", "ppk-1"),
            passing: |p| {
                set(ikev2(p, 0), "PPK", Value::Data(vec![1, 2, 3]));
                set(ikev2(p, 0), "PPKIdentifier", "ppk-1");
            },
        },
        Coded {
            code: "vpn.ikev2.ppk-mandatory-ignored",
            path: "PayloadContent[0].IKEv2.PPKMandatory",
            severity: Severity::Warning,
            fixture: DEMAND,
            target: None,
            failing: |p| set(ikev2(p, 0), "PPKMandatory", int(1)),
            passing: |p| {
                let d = ikev2(p, 0);
                set(d, "PPKMandatory", int(1));
                set(d, "PPK", Value::Data(vec![1, 2, 3]));
                set(d, "PPKIdentifier", "ppk-1");
            },
        },
        Coded {
            code: "vpn.ikev2.post-quantum-fallback-ignored",
            path: "PayloadContent[1].IKEv2.AllowPostQuantumKeyExchangeFallback",
            severity: Severity::Warning,
            fixture: CERT,
            target: None,
            failing: |p| set(ikev2(p, 1), "AllowPostQuantumKeyExchangeFallback", int(0)),
            passing: |p| {
                let d = ikev2(p, 1);
                set(d, "AllowPostQuantumKeyExchangeFallback", int(0));
                let child = d["ChildSecurityAssociationParameters"]
                    .as_dictionary_mut()
                    .unwrap();
                set(
                    child,
                    "PostQuantumKeyExchangeMethods",
                    Value::Array(vec![int(36)]),
                );
            },
        },
        Coded {
            code: "vpn.ikev2.idle-timer-ignored",
            path: "PayloadContent[0].IKEv2.DisconnectOnIdleTimer",
            severity: Severity::Warning,
            fixture: EAP,
            target: None,
            failing: |p| set(ikev2(p, 0), "DisconnectOnIdle", int(0)),
            passing: |p| set(ikev2(p, 0), "DisconnectOnIdle", int(1)),
        },
        Coded {
            code: "vpn.ikev2.enforce-routes-ignored",
            path: "PayloadContent[0].IKEv2.EnforceRoutes",
            severity: Severity::Warning,
            fixture: EAP,
            target: None,
            failing: |p| set(ikev2(p, 0), "EnforceRoutes", int(1)),
            passing: |p| {
                set(ikev2(p, 0), "EnforceRoutes", int(1));
                set(ikev2(p, 0), "IncludeAllNetworks", int(0));
                ikev2(p, 0).remove("ExcludeAPNs");
            },
        },
        Coded {
            code: "vpn.ikev2.exclude-apns-ignored",
            path: "PayloadContent[0].IKEv2.ExcludeAPNs",
            severity: Severity::Warning,
            fixture: EAP,
            target: None,
            failing: |p| set(ikev2(p, 0), "IncludeAllNetworks", int(0)),
            passing: |p| set(ikev2(p, 0), "IncludeAllNetworks", int(1)),
        },
        Coded {
            code: "vpn.ikev2.exclude-cellular-services-ignored",
            path: "PayloadContent[0].IKEv2.ExcludeCellularServices",
            severity: Severity::Warning,
            fixture: DEMAND,
            target: None,
            failing: |p| set(ikev2(p, 0), "ExcludeCellularServices", int(1)),
            passing: |p| {
                set(ikev2(p, 0), "ExcludeCellularServices", int(1));
                set(ikev2(p, 0), "IncludeAllNetworks", int(1));
            },
        },
        Coded {
            code: "vpn.ikev2.exclude-device-communication-ignored",
            path: "PayloadContent[0].IKEv2.ExcludeDeviceCommunication",
            severity: Severity::Warning,
            fixture: DEMAND,
            target: None,
            failing: |p| set(ikev2(p, 0), "ExcludeDeviceCommunication", int(1)),
            passing: |p| {
                set(ikev2(p, 0), "ExcludeDeviceCommunication", int(1));
                set(ikev2(p, 0), "IncludeAllNetworks", int(1));
            },
        },
        Coded {
            code: "vpn.ikev2.exclude-local-networks-ignored",
            path: "PayloadContent[0].IKEv2.ExcludeLocalNetworks",
            severity: Severity::Warning,
            fixture: DEMAND,
            target: None,
            failing: |p| set(ikev2(p, 0), "ExcludeLocalNetworks", int(1)),
            passing: |p| {
                // EnforceRoutes alone is enough for this one.
                set(ikev2(p, 0), "ExcludeLocalNetworks", int(1));
                set(ikev2(p, 0), "EnforceRoutes", int(1));
            },
        },
        Coded {
            code: "vpn.ikev2.shared-secret-missing",
            path: "PayloadContent[0].IKEv2.SharedSecret",
            severity: Severity::Error,
            fixture: DEMAND,
            target: None,
            failing: |p| {
                ikev2(p, 0).remove("SharedSecret");
            },
            passing: |_| {},
        },
        Coded {
            code: "vpn.ikev2.certificate-missing",
            path: "PayloadContent[1].IKEv2.PayloadCertificateUUID",
            severity: Severity::Error,
            fixture: CERT,
            target: None,
            failing: |p| {
                ikev2(p, 1).remove("PayloadCertificateUUID");
            },
            passing: |_| {},
        },
        Coded {
            code: "vpn.type-ikev2-needs-dictionary",
            path: "PayloadContent[0].IKEv2",
            severity: Severity::Error,
            fixture: DEMAND,
            target: None,
            failing: |p| {
                payload(p, 0).remove("IKEv2");
            },
            passing: |_| {},
        },
        Coded {
            code: "vpn.type-ikev2-subtype-empty",
            path: "PayloadContent[0].VPNSubType",
            severity: Severity::Error,
            fixture: DEMAND,
            target: None,
            failing: |p| set(payload(p, 0), "VPNSubType", "com.example.provider"),
            passing: |p| set(payload(p, 0), "VPNSubType", ""),
        },
        // The schema's own checks.
        Coded {
            code: "range",
            path: "PayloadContent[0].IKEv2.NATKeepAliveInterval",
            severity: Severity::Error,
            fixture: EAP,
            target: None,
            failing: |p| set(ikev2(p, 0), "NATKeepAliveInterval", int(19)),
            passing: |p| set(ikev2(p, 0), "NATKeepAliveInterval", int(20)),
        },
        Coded {
            code: "repetition",
            path: "PayloadContent[1].IKEv2.IKESecurityAssociationParameters.PostQuantumKeyExchangeMethods",
            severity: Severity::Error,
            fixture: CERT,
            target: None,
            failing: |p| {
                let ike = ikev2(p, 1)["IKESecurityAssociationParameters"]
                    .as_dictionary_mut()
                    .unwrap();
                set(
                    ike,
                    "PostQuantumKeyExchangeMethods",
                    Value::Array(vec![int(36); 8]),
                );
            },
            passing: |p| {
                let ike = ikev2(p, 1)["IKESecurityAssociationParameters"]
                    .as_dictionary_mut()
                    .unwrap();
                set(
                    ike,
                    "PostQuantumKeyExchangeMethods",
                    Value::Array(vec![int(36); 7]),
                );
            },
        },
        Coded {
            code: "platform-range",
            path: "PayloadContent[0].IKEv2.DisconnectOnIdleTimer",
            severity: Severity::Error,
            fixture: EAP,
            target: Some(target(Platform::WatchOs, "11.0")),
            failing: |p| set(ikev2(p, 0), "DisconnectOnIdleTimer", int(16)),
            passing: |p| set(ikev2(p, 0), "DisconnectOnIdleTimer", int(15)),
        },
        Coded {
            code: "rangelist",
            path: "PayloadContent[0].IKEv2.DeadPeerDetectionRate",
            severity: Severity::Error,
            fixture: EAP,
            target: None,
            failing: |p| set(ikev2(p, 0), "DeadPeerDetectionRate", "Sometimes"),
            passing: |p| set(ikev2(p, 0), "DeadPeerDetectionRate", "High"),
        },
        Coded {
            // The envelope's PayloadType must be `Configuration`.
            code: "rangelist",
            path: "PayloadType",
            severity: Severity::Error,
            fixture: CERT,
            target: None,
            failing: |p| set(p.as_dictionary_mut().unwrap(), "PayloadType", "Profile"),
            passing: |_| {},
        },
        Coded {
            code: "required",
            path: "PayloadContent[0].IKEv2.RemoteIdentifier",
            severity: Severity::Error,
            fixture: EAP,
            target: None,
            failing: |p| {
                ikev2(p, 0).remove("RemoteIdentifier");
            },
            passing: |_| {},
        },
        Coded {
            code: "type",
            path: "PayloadContent[0].IKEv2.MTU",
            severity: Severity::Error,
            fixture: EAP,
            target: None,
            failing: |p| set(ikev2(p, 0), "MTU", "1400"),
            passing: |p| set(ikev2(p, 0), "MTU", int(1400)),
        },
        Coded {
            code: "type-coerced",
            path: "PayloadContent[0].IKEv2.ExtendedAuthEnabled",
            severity: Severity::Warning,
            fixture: EAP,
            target: None,
            failing: |p| set(ikev2(p, 0), "ExtendedAuthEnabled", Value::Boolean(true)),
            passing: |p| set(ikev2(p, 0), "ExtendedAuthEnabled", int(1)),
        },
        Coded {
            code: "valuetype",
            path: "PayloadContent[0].IKEv2.OnDemandRules[1].ActionParameters[0].RequiredURLStringProbe",
            severity: Severity::Warning,
            fixture: DEMAND,
            target: None,
            failing: |p| {
                let rules = ikev2(p, 0)["OnDemandRules"].as_array_mut().unwrap();
                let parameters = rules[1].as_dictionary_mut().unwrap()["ActionParameters"]
                    .as_array_mut()
                    .unwrap();
                set(
                    parameters[0].as_dictionary_mut().unwrap(),
                    "RequiredURLStringProbe",
                    "intranet.example.com/health",
                );
            },
            passing: |_| {},
        },
        Coded {
            code: "unavailable",
            path: "PayloadContent[0].IKEv2.ExcludeAPNs",
            severity: Severity::Warning,
            fixture: EAP,
            target: Some(target(Platform::IOs, "16.0")),
            failing: |_| {},
            passing: |_| {},
        },
        Coded {
            code: "unsupported-payload",
            path: "PayloadContent[0]",
            severity: Severity::Error,
            fixture: DEMAND,
            target: Some(target(Platform::WatchOs, "9.0")),
            failing: |_| {},
            passing: |_| {},
        },
        Coded {
            code: "duplicate-uuid",
            path: "PayloadContent[0].PayloadUUID",
            severity: Severity::Error,
            fixture: DEMAND,
            target: None,
            failing: |p| {
                let envelope_uuid = p.as_dictionary().unwrap()["PayloadUUID"].clone();
                payload(p, 0).insert("PayloadUUID".to_owned(), envelope_uuid);
            },
            passing: |_| {},
        },
        Coded {
            code: "reference",
            path: "PayloadContent[1].IKEv2.PayloadCertificateUUID",
            severity: Severity::Error,
            fixture: CERT,
            target: None,
            failing: |p| {
                set(
                    ikev2(p, 1),
                    "PayloadCertificateUUID",
                    "3F0A9C7E-5B1D-4E2A-9C8F-7D6E5A4B3C21",
                )
            },
            passing: |_| {},
        },
    ]
}
