//! Tests on throwaway material made by `testdata/make.sh`.

use std::time::{Duration, SystemTime};

use proptest::prelude::*;
use x509_cert::der::{Decode, Encode, pem::LineEnding};

use super::*;
use x509_cert::der::{self, DateTime};

const PASSWORD: &str = "throwaway-p12-secret";
const WRONG: &str = "throwaway-p12-secret-but-wrong";

const CA_DER: &[u8] = include_bytes!("testdata/ca.der");
const CA_PEM: &[u8] = include_bytes!("testdata/ca.pem");
const CLIENT_DER: &[u8] = include_bytes!("testdata/client.der");
const CHAIN_PEM: &[u8] = include_bytes!("testdata/chain.pem");
const EXPIRED_PEM: &[u8] = include_bytes!("testdata/expired.pem");
const FUTURE_PEM: &[u8] = include_bytes!("testdata/future.pem");
const MODERN_P12: &[u8] = include_bytes!("testdata/modern.p12");
const LEGACY_P12: &[u8] = include_bytes!("testdata/legacy.p12");
const LEGACY_NOMAC_P12: &[u8] = include_bytes!("testdata/legacy-nomac.p12");
const CERTS_ONLY_P12: &[u8] = include_bytes!("testdata/certs-only.p12");
const EMPTY_PASSWORD_P12: &[u8] = include_bytes!("testdata/empty-password.p12");
const RC4_P12: &[u8] = include_bytes!("testdata/rc4.p12");
const TRUNCATED_P12: &[u8] = include_bytes!("testdata/truncated.p12");
const GARBAGE: &[u8] = include_bytes!("testdata/garbage.bin");

const ALL_FILES: &[&[u8]] = &[
    CA_DER,
    CA_PEM,
    CLIENT_DER,
    CHAIN_PEM,
    EXPIRED_PEM,
    FUTURE_PEM,
    MODERN_P12,
    LEGACY_P12,
    LEGACY_NOMAC_P12,
    CERTS_ONLY_P12,
    EMPTY_PASSWORD_P12,
    RC4_P12,
    TRUNCATED_P12,
    GARBAGE,
];

const CA_NAME: &str = "CN=Example Root CA,O=Example";
const CLIENT_NAME: &str = "CN=Example Client,O=Example";

/// Midnight UTC on the first of January of `year`.
fn new_year(year: u16) -> SystemTime {
    DateTime::new(year, 1, 1, 0, 0, 0).unwrap().to_system_time()
}

fn assert_ca(summary: &CertificateSummary) {
    assert_eq!(summary.subject, CA_NAME);
    assert_eq!(summary.issuer, CA_NAME);
    assert!(summary.is_ca);
    assert!(summary.self_signed);
    assert_eq!(summary.not_before, new_year(2025));
    assert_eq!(summary.not_after, new_year(2125));
}

fn assert_client(summary: &CertificateSummary) {
    assert_eq!(summary.subject, CLIENT_NAME);
    assert_eq!(summary.issuer, CA_NAME);
    assert!(!summary.is_ca);
    assert!(!summary.self_signed);
    assert_eq!(summary.not_before, new_year(2025));
    assert_eq!(summary.not_after, new_year(2125));
}

// --- certificates ----------------------------------------------------------

#[test]
fn der_certificates_read_with_names_constraints_and_dates() {
    let ca = read_certificate(CA_DER).unwrap();
    assert_eq!(ca.encoding, CertificateEncoding::Der);
    assert_eq!(ca.count, 1);
    assert_ca(&ca);

    let client = read_certificate(CLIENT_DER).unwrap();
    assert_eq!(client.encoding, CertificateEncoding::Der);
    assert_client(&client);
}

#[test]
fn pem_certificate_reads_like_its_der() {
    let pem = read_certificate(CA_PEM).unwrap();
    assert_eq!(pem.encoding, CertificateEncoding::Pem);
    assert_eq!(pem.count, 1);
    assert_eq!(
        pem,
        CertificateSummary {
            encoding: CertificateEncoding::Pem,
            ..read_certificate(CA_DER).unwrap()
        }
    );
}

#[test]
fn pem_with_two_certificates_reads_the_first_and_counts_both() {
    let chain = read_certificate(CHAIN_PEM).unwrap();
    assert_eq!(chain.count, 2);
    assert_client(&chain);
}

#[test]
fn pem_tolerates_whitespace_crlf_and_text_around_blocks() {
    let text = std::str::from_utf8(CHAIN_PEM).unwrap();
    let crlf = text.replace('\n', "\r\n");
    let padded = format!("\n\n  \t{crlf}\r\n\n   \n");
    let summary = read_certificate(padded.as_bytes()).unwrap();
    assert_eq!(summary.count, 2);
    assert_client(&summary);

    // As `openssl pkcs12 -nokeys` prints it: attributes before each block.
    let annotated = text.replace(
        "-----BEGIN CERTIFICATE-----",
        "Bag Attributes\n    friendlyName: x\nsubject=CN=x\n-----BEGIN CERTIFICATE-----",
    );
    let summary = read_certificate(annotated.as_bytes()).unwrap();
    assert_eq!(summary.count, 2);
    assert_client(&summary);
}

#[test]
fn pem_finds_the_certificate_after_other_blocks() {
    let key = der::pem::encode_string("PUBLIC KEY", LineEnding::LF, b"\x30\x00").unwrap();
    let text = format!("{key}{}", std::str::from_utf8(CA_PEM).unwrap());
    let summary = read_certificate(text.as_bytes()).unwrap();
    assert_eq!(summary.count, 1);
    assert_ca(&summary);
}

#[test]
fn pem_without_a_certificate_block_says_what_it_holds() {
    let key = der::pem::encode_string("PRIVATE KEY", LineEnding::LF, b"\x30\x00").unwrap();
    let error = read_certificate(key.as_bytes()).unwrap_err();
    assert_eq!(
        error,
        CertificateError::NoCertificateBlock(vec!["PRIVATE KEY".to_owned()])
    );
    assert_eq!(
        error.to_string(),
        "PEM text holds no CERTIFICATE block (only PRIVATE KEY)"
    );
}

#[test]
fn pem_with_lines_wrapped_at_other_widths_reads() {
    let text = std::str::from_utf8(CA_PEM).unwrap();
    let body: String = text
        .lines()
        .filter(|line| !line.starts_with("-----"))
        .collect();
    for width in [76, 72, 100, body.len()] {
        let wrapped: Vec<&str> = body
            .as_bytes()
            .chunks(width)
            .map(|chunk| std::str::from_utf8(chunk).unwrap())
            .collect();
        let pem = format!(
            "-----BEGIN CERTIFICATE-----\r\n{}\r\n-----END CERTIFICATE-----\r\n",
            wrapped.join("\r\n")
        );
        assert_ca(&read_certificate(pem.as_bytes()).unwrap());
    }
}

#[test]
fn broken_pem_block_is_reported_as_such() {
    let text = std::str::from_utf8(CA_PEM).unwrap().replacen('M', "!", 1);
    let error = read_certificate(text.as_bytes()).unwrap_err();
    assert!(matches!(error, CertificateError::BadPem(_)), "{error:?}");
    assert!(
        error
            .to_string()
            .starts_with("the PEM CERTIFICATE block does not decode: ")
    );
}

#[test]
fn bytes_that_are_no_certificate_say_what_the_parser_said() {
    let error = read_certificate(GARBAGE).unwrap_err();
    // The garbage is text, but not Base64 (it has spaces and a comma).
    assert!(matches!(error, CertificateError::NotX509(_)), "{error:?}");
    assert!(
        error.to_string().starts_with("not an X.509 certificate: "),
        "{error}"
    );

    let error = read_certificate(&CA_DER[..CA_DER.len() - 1]).unwrap_err();
    assert!(matches!(error, CertificateError::NotX509(_)), "{error:?}");

    assert_eq!(read_certificate(b"").unwrap_err(), CertificateError::Empty);
    assert_eq!(
        read_certificate(b" \n").unwrap_err(),
        CertificateError::Empty
    );
}

#[test]
fn base64_without_pem_lines_is_recognised() {
    let text = std::str::from_utf8(CA_PEM).unwrap();
    let body: String = text
        .lines()
        .filter(|line| !line.starts_with("-----"))
        .map(|line| format!("{line}\n"))
        .collect();
    assert_eq!(
        read_certificate(body.as_bytes()).unwrap_err(),
        CertificateError::Base64Text
    );
}

#[test]
fn validity_at_tells_expired_current_and_future() {
    let now = SystemTime::now();
    let client = read_certificate(CLIENT_DER).unwrap();
    assert_eq!(client.validity_at(now), Validity::Valid);
    // Both ends of the period count as valid.
    assert_eq!(client.validity_at(new_year(2025)), Validity::Valid);
    assert_eq!(client.validity_at(new_year(2125)), Validity::Valid);
    let second = Duration::from_secs(1);
    assert_eq!(
        client.validity_at(new_year(2025) - second),
        Validity::NotYetValid {
            not_before: new_year(2025)
        }
    );
    assert_eq!(
        client.validity_at(new_year(2125) + second),
        Validity::Expired {
            not_after: new_year(2125)
        }
    );

    let expired = read_certificate(EXPIRED_PEM).unwrap();
    assert_eq!(expired.subject, "CN=Expired Client,O=Example");
    let validity = expired.validity_at(now);
    assert_eq!(
        validity,
        Validity::Expired {
            not_after: new_year(2001)
        }
    );
    assert_eq!(validity.to_string(), "expired on 2001-01-01T00:00:00Z");

    let future = read_certificate(FUTURE_PEM).unwrap();
    let validity = future.validity_at(now);
    assert_eq!(
        validity,
        Validity::NotYetValid {
            not_before: new_year(2120)
        }
    );
    assert_eq!(
        validity.to_string(),
        "not valid before 2120-01-01T00:00:00Z"
    );
}

// --- PKCS#12 ---------------------------------------------------------------

fn assert_client_identity(summary: &Pkcs12Summary, certificates: usize) {
    assert!(summary.opened);
    assert!(summary.has_private_key);
    assert_eq!(summary.certificates, certificates);
    let identity = summary.require_identity().unwrap();
    assert_client(identity);
    assert_eq!(identity.encoding, CertificateEncoding::Der);
}

#[test]
fn modern_pkcs12_opens() {
    // PBES2 (PBKDF2-HMAC-SHA-256, AES-256-CBC), HMAC-SHA-256.
    let summary = open_pkcs12(MODERN_P12, Some(PASSWORD)).unwrap();
    assert_client_identity(&summary, 2);
}

#[test]
fn legacy_pkcs12_opens() {
    // 40-bit RC2 for the certificates, triple DES for the key, HMAC-SHA-1.
    let summary = open_pkcs12(LEGACY_P12, Some(PASSWORD)).unwrap();
    assert_client_identity(&summary, 2);
}

#[test]
fn pkcs12_without_mac_opens() {
    let summary = open_pkcs12(LEGACY_NOMAC_P12, Some(PASSWORD)).unwrap();
    assert_client_identity(&summary, 1);
}

#[test]
fn empty_password_opens() {
    let summary = open_pkcs12(EMPTY_PASSWORD_P12, Some("")).unwrap();
    assert_client_identity(&summary, 1);
    assert_eq!(
        open_pkcs12(EMPTY_PASSWORD_P12, Some(PASSWORD)).unwrap_err(),
        Pkcs12Error::WrongPassword
    );
}

#[test]
fn wrong_password_is_told_apart_from_a_damaged_file() {
    for file in [MODERN_P12, LEGACY_P12, CERTS_ONLY_P12] {
        let error = open_pkcs12(file, Some(WRONG)).unwrap_err();
        assert_eq!(error, Pkcs12Error::WrongPassword);
        assert!(
            error
                .to_string()
                .starts_with("the PKCS#12 does not open with the given password")
        );
    }
    // With no MAC, a wrong password only shows as a failed decryption.
    let error = open_pkcs12(LEGACY_NOMAC_P12, Some(WRONG)).unwrap_err();
    assert_eq!(error, Pkcs12Error::DecryptionFailed);

    for file in [TRUNCATED_P12, GARBAGE, b"".as_slice(), CA_DER] {
        for password in [Some(PASSWORD), Some(WRONG), None] {
            let error = open_pkcs12(file, password).unwrap_err();
            assert!(matches!(error, Pkcs12Error::Malformed(_)), "{error:?}");
            assert!(
                error
                    .to_string()
                    .starts_with("not a readable PKCS#12 file: "),
                "{error}"
            );
        }
    }
}

#[test]
fn a_byte_changed_under_the_mac_fails_the_integrity_check() {
    // Alteration and a wrong password look alike to a MAC; the message says
    // both.
    let mut altered = LEGACY_P12.to_vec();
    let middle = altered.len() / 2;
    altered[middle] ^= 0x01;
    assert_eq!(
        open_pkcs12(&altered, Some(PASSWORD)).unwrap_err(),
        Pkcs12Error::WrongPassword
    );
}

#[test]
fn pkcs12_with_certificates_only_has_no_identity() {
    let summary = open_pkcs12(CERTS_ONLY_P12, Some(PASSWORD)).unwrap();
    assert!(summary.opened);
    assert!(!summary.has_private_key);
    assert_eq!(summary.certificates, 1);
    assert_eq!(summary.identity, None);
    let error = summary.require_identity().unwrap_err();
    assert_eq!(error, Pkcs12Error::NoPrivateKey);
    assert_eq!(error.to_string(), "the PKCS#12 holds no private key");
}

#[test]
fn without_a_password_only_the_structure_is_checked() {
    for file in [
        MODERN_P12,
        LEGACY_P12,
        LEGACY_NOMAC_P12,
        CERTS_ONLY_P12,
        EMPTY_PASSWORD_P12,
        RC4_P12,
    ] {
        let summary = open_pkcs12(file, None).unwrap();
        assert_eq!(summary, Pkcs12Summary::default());
        assert_eq!(
            summary.require_identity().unwrap_err(),
            Pkcs12Error::NotOpened
        );
    }
}

#[test]
fn rc4_is_reported_as_unsupported_with_its_oid() {
    let error = open_pkcs12(RC4_P12, Some(PASSWORD)).unwrap_err();
    assert_eq!(
        error,
        Pkcs12Error::Unsupported {
            what: "encryption algorithm",
            oid: "1.2.840.113549.1.12.1.1 (pbeWithSHAAnd128BitRC4)".to_owned(),
        }
    );
    assert_eq!(
        error.to_string(),
        "the PKCS#12 uses an unsupported encryption algorithm: \
         1.2.840.113549.1.12.1.1 (pbeWithSHAAnd128BitRC4)"
    );
}

#[test]
fn excessive_iteration_counts_are_refused_before_any_work() {
    let mut pfx = ::pkcs12::pfx::Pfx::from_der(LEGACY_P12).unwrap();
    pfx.mac_data.as_mut().unwrap().iterations = i32::MAX;
    let costly = pfx.to_der().unwrap();
    let error = open_pkcs12(&costly, Some(PASSWORD)).unwrap_err();
    assert!(matches!(error, Pkcs12Error::TooCostly(_)), "{error:?}");

    pfx.mac_data.as_mut().unwrap().iterations = -1;
    let negative = pfx.to_der().unwrap();
    let error = open_pkcs12(&negative, Some(PASSWORD)).unwrap_err();
    assert!(matches!(error, Pkcs12Error::Malformed(_)), "{error:?}");
}

#[test]
fn the_password_never_shows_in_errors_or_summaries() {
    let mut shown = Vec::new();
    for file in ALL_FILES {
        for password in [PASSWORD, WRONG] {
            match open_pkcs12(file, Some(password)) {
                Ok(summary) => shown.push(format!("{summary:?}")),
                Err(error) => {
                    shown.push(error.to_string());
                    shown.push(format!("{error:?}"));
                }
            }
        }
    }
    let mut damaged = LEGACY_NOMAC_P12.to_vec();
    let end = damaged.len() - 20;
    damaged[end] ^= 0xff;
    for password in [PASSWORD, WRONG] {
        if let Err(error) = open_pkcs12(&damaged, Some(password)) {
            shown.push(error.to_string());
            shown.push(format!("{error:?}"));
        }
    }
    assert!(shown.len() > 20);
    for text in shown {
        // WRONG begins with PASSWORD, so this covers both.
        assert!(!text.contains(PASSWORD), "{text}");
    }
}

// --- no panics on any input ------------------------------------------------

#[test]
fn every_truncation_of_every_file_is_an_error_not_a_panic() {
    for file in ALL_FILES {
        for end in 0..file.len() {
            let prefix = &file[..end];
            let _ = read_certificate(prefix);
            let _ = open_pkcs12(prefix, None);
            // Cut files fail before any key derivation, so this stays quick.
            let _ = open_pkcs12(prefix, Some(PASSWORD));
        }
    }
}

#[test]
fn changed_bytes_never_panic() {
    for file in [CA_DER, CLIENT_DER, CA_PEM] {
        for at in 0..file.len() {
            let mut changed = file.to_vec();
            changed[at] ^= 0x80;
            let _ = read_certificate(&changed);
        }
    }
    // Without a password nothing is derived, so every byte is tried. With
    // one, key derivation makes each try slow in a debug build: a sample of
    // bytes, denser for the file without a MAC, where changed bytes reach
    // the decryption.
    for (file, step) in [(LEGACY_NOMAC_P12, 23), (MODERN_P12, 97), (LEGACY_P12, 97)] {
        for at in 0..file.len() {
            let mut changed = file.to_vec();
            changed[at] ^= 0x80;
            let _ = open_pkcs12(&changed, None);
            if at % step == 0 {
                let _ = open_pkcs12(&changed, Some(PASSWORD));
            }
        }
    }
}

proptest! {
    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        let _ = read_certificate(&bytes);
        let _ = open_pkcs12(&bytes, None);
        let _ = open_pkcs12(&bytes, Some(PASSWORD));
    }

    #[test]
    fn arbitrary_pem_text_never_panics(
        text in "(-----(BEGIN|END) (CERTIFICATE|X)-----|[A-Za-z0-9+/=]{0,80}|\r?\n| ){0,12}"
    ) {
        let _ = read_certificate(text.as_bytes());
    }
}

// --- the real-world corpus -------------------------------------------------

/// Opens every PKCS#12 payload of the real-world profiles with the password
/// stored next to it, and reads every certificate payload. Ignored by
/// default: it needs the corpus, from `REALWORLD_DIR` or
/// `../shared/realworld` beside the workspace.
#[test]
#[ignore = "needs the real-world corpus; run with --ignored"]
fn realworld_certificate_payloads() {
    use plist::Value;

    let base = std::env::var_os("REALWORLD_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| {
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/realworld")
        });
    let dir = base.join("profiles");
    let mut paths: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|error| panic!("cannot read {}: {error}", dir.display()))
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "mobileconfig"))
        .collect();
    paths.sort();

    let (mut p12_total, mut p12_opened) = (0, 0);
    let (mut cert_total, mut cert_read) = (0, 0);
    let mut failures = Vec::new();
    for path in &paths {
        let name = path.file_name().unwrap().to_string_lossy();
        let profile = match Value::from_file(path) {
            Ok(profile) => profile,
            Err(error) => {
                // Not this module's concern: the profile tests report these.
                println!("skipped {name}: not a readable plist ({error})");
                continue;
            }
        };
        let payloads = profile
            .as_dictionary()
            .and_then(|profile| profile.get("PayloadContent"))
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        for payload in payloads.iter().filter_map(Value::as_dictionary) {
            let kind = payload
                .get("PayloadType")
                .and_then(Value::as_string)
                .unwrap_or("");
            let Some(data) = payload.get("PayloadContent").and_then(Value::as_data) else {
                continue;
            };
            match kind {
                "com.apple.security.pkcs12" => {
                    p12_total += 1;
                    let password = payload.get("Password").and_then(Value::as_string);
                    match open_pkcs12(data, password).and_then(|summary| {
                        summary
                            .require_identity()
                            .map(|identity| identity.subject.clone())
                    }) {
                        Ok(subject) => {
                            p12_opened += 1;
                            println!("{name}: PKCS#12 opens, identity {subject}");
                        }
                        Err(error) => failures.push(format!("{name}: {error}")),
                    }
                }
                "com.apple.security.root"
                | "com.apple.security.pkcs1"
                | "com.apple.security.pem" => {
                    cert_total += 1;
                    match read_certificate(data) {
                        Ok(summary) => {
                            cert_read += 1;
                            let validity = summary.validity_at(SystemTime::now());
                            println!(
                                "{name}: {kind}: {:?}, {}, CA {}, {validity}",
                                summary.encoding, summary.subject, summary.is_ca
                            );
                        }
                        Err(error) => failures.push(format!("{name}: {kind}: {error}")),
                    }
                }
                _ => {}
            }
        }
    }
    println!("PKCS#12 payloads: {p12_opened} of {p12_total} open with their Password");
    println!("certificate payloads: {cert_read} of {cert_total} read");
    for failure in &failures {
        println!("failed: {failure}");
    }
    assert!(
        p12_total > 0,
        "no PKCS#12 payload found in {}",
        dir.display()
    );
    assert!(failures.is_empty(), "{failures:#?}");
}
