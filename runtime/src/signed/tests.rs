//! Tests on throwaway material made by `testdata/make.sh`: envelopes signed
//! by OpenSSL in each form the reader must take or refuse, and keys in each
//! form the signer reads. (The workspace's integration tests run OpenSSL
//! itself, both ways.)

use std::time::{Duration, SystemTime};

use proptest::prelude::*;

use super::*;
use crate::io::{self, ReadError};

const PASSWORD: &str = "throwaway-signing-secret";

const PROFILE: &[u8] = include_bytes!("testdata/profile.xml");
const ROOT: &[u8] = include_bytes!("testdata/root.pem");
const OTHER_ROOT: &[u8] = include_bytes!("testdata/other-root.pem");
const INTERMEDIATE: &[u8] = include_bytes!("testdata/intermediate.pem");
const EC_CERT: &[u8] = include_bytes!("testdata/ec.pem");
const EC_KEY_SEC1: &[u8] = include_bytes!("testdata/ec-sec1.key");
const EC_KEY_ENCRYPTED: &[u8] = include_bytes!("testdata/ec-encrypted.key");
const EC_P12: &[u8] = include_bytes!("testdata/ec.p12");
const RSA_CERT: &[u8] = include_bytes!("testdata/rsa.pem");
const RSA_KEY_PKCS1: &[u8] = include_bytes!("testdata/rsa-pkcs1.key");
const P384_CERT: &[u8] = include_bytes!("testdata/p384.pem");
const P384_KEY_PKCS8: &[u8] = include_bytes!("testdata/p384-pkcs8.key");

const EC_CHAIN: &[u8] = include_bytes!("testdata/ec-chain.der");
const EC_CHAIN_STREAM: &[u8] = include_bytes!("testdata/ec-chain-stream.ber");
const EC_KEYID: &[u8] = include_bytes!("testdata/ec-keyid.der");
const RSA_PSS_SHA384: &[u8] = include_bytes!("testdata/rsa-pss-sha384.der");
const RSA_SHA1_NOATTR: &[u8] = include_bytes!("testdata/rsa-sha1-noattr.der");
const P384_SHA512: &[u8] = include_bytes!("testdata/p384-sha512.der");
const DETACHED: &[u8] = include_bytes!("testdata/detached.der");
const TWO_SIGNERS: &[u8] = include_bytes!("testdata/two-signers.der");
const NO_CERTS: &[u8] = include_bytes!("testdata/no-certs.der");
const OTHER_TYPE: &[u8] = include_bytes!("testdata/other-type.der");
const ENCRYPTED: &[u8] = include_bytes!("testdata/encrypted.der");

const EC_SUBJECT: &str = "CN=Example EC Signer,O=Example";
const INTERMEDIATE_SUBJECT: &str = "CN=Example Profile Intermediate,O=Example";
const ROOT_SUBJECT: &str = "CN=Example Profile Root,O=Example";

/// A moment inside every test certificate's validity (2025 to 2125).
fn in_2030() -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(1_893_456_000)
}

fn anchors(pem: &[u8]) -> TrustAnchors {
    TrustAnchors::from_bytes(pem).expect("anchors read")
}

fn opened(bytes: &[u8]) -> Opened {
    open(bytes).unwrap_or_else(|error| panic!("opens: {error}"))
}

fn refused(bytes: &[u8]) -> SignedError {
    open(bytes).expect_err("refused")
}

// --- Reading what OpenSSL signed -------------------------------------------

#[test]
fn an_ecdsa_envelope_says_who_signed_and_how() {
    let opened = opened(EC_CHAIN);
    assert_eq!(opened.content, PROFILE);
    let envelope = &opened.envelope;
    assert_eq!(envelope.encoding, Encoding::Der);
    assert_eq!(envelope.signer.subject, EC_SUBJECT);
    assert_eq!(envelope.signer.issuer, INTERMEDIATE_SUBJECT);
    assert!(!envelope.signer.is_ca);
    assert_eq!(envelope.digest, DigestAlgorithm::Sha256);
    assert_eq!(
        envelope.signature,
        SignatureAlgorithm::Ecdsa {
            curve: Curve::P256,
            digest: DigestAlgorithm::Sha256
        }
    );
    assert_eq!(envelope.signature.to_string(), "ECDSA P-256 with SHA-256");
    assert!(envelope.signed_attributes);
    assert!(envelope.signing_time.is_some());
    let mut carried: Vec<&str> = envelope
        .certificates
        .iter()
        .map(|certificate| certificate.subject.as_str())
        .collect();
    carried.sort_unstable();
    assert_eq!(carried, [EC_SUBJECT, INTERMEDIATE_SUBJECT]);
    let year_2025 = SystemTime::UNIX_EPOCH + Duration::from_secs(1_735_689_600);
    assert_eq!(envelope.signer.not_before, year_2025);
}

#[test]
fn a_streamed_ber_envelope_reads_like_its_der_twin() {
    assert_ne!(
        EC_CHAIN_STREAM[1], EC_CHAIN[1],
        "the stream uses indefinite lengths"
    );
    let streamed = opened(EC_CHAIN_STREAM);
    assert_eq!(streamed.content, PROFILE);
    assert_eq!(streamed.envelope.encoding, Encoding::Ber);
    assert_eq!(streamed.envelope.signer.subject, EC_SUBJECT);
    assert_eq!(
        streamed.envelope.check_trust(&anchors(ROOT), in_2030()),
        Ok(Trust::Trusted {
            chain: vec![
                EC_SUBJECT.to_owned(),
                INTERMEDIATE_SUBJECT.to_owned(),
                ROOT_SUBJECT.to_owned()
            ]
        })
    );
}

#[test]
fn every_algorithm_openssl_was_asked_for_verifies() {
    let pss = opened(RSA_PSS_SHA384).envelope;
    assert_eq!(pss.digest, DigestAlgorithm::Sha384);
    assert_eq!(
        pss.signature,
        SignatureAlgorithm::RsaPss {
            digest: DigestAlgorithm::Sha384,
            salt_length: 32
        }
    );
    let sha1 = opened(RSA_SHA1_NOATTR);
    assert_eq!(sha1.content, PROFILE);
    assert_eq!(
        sha1.envelope.signature,
        SignatureAlgorithm::RsaPkcs1v15 {
            digest: DigestAlgorithm::Sha1
        }
    );
    assert!(!sha1.envelope.signed_attributes);
    assert_eq!(sha1.envelope.signing_time, None);
    let p384 = opened(P384_SHA512).envelope;
    assert_eq!(
        p384.signature,
        SignatureAlgorithm::Ecdsa {
            curve: Curve::P384,
            digest: DigestAlgorithm::Sha512
        }
    );
    for envelope in [pss, sha1.envelope, p384] {
        assert!(matches!(
            envelope.check_trust(&anchors(ROOT), in_2030()),
            Ok(Trust::Trusted { .. })
        ));
    }
}

#[test]
fn a_signer_named_by_its_key_identifier_is_found() {
    let envelope = opened(EC_KEYID).envelope;
    assert_eq!(envelope.signer.subject, EC_SUBJECT);
}

// --- Trust --------------------------------------------------------------------

#[test]
fn without_anchors_nothing_is_claimed_about_the_signer() {
    let trust = opened(EC_CHAIN)
        .envelope
        .check_trust(&TrustAnchors::new(), in_2030())
        .unwrap();
    assert_eq!(trust, Trust::NotChecked);
    assert_eq!(
        trust.to_string(),
        "signature intact, signer not checked against any trust anchor"
    );
}

#[test]
fn a_chain_leads_to_the_anchor_that_issued_it() {
    let envelope = opened(EC_CHAIN).envelope;
    let trust = envelope.check_trust(&anchors(ROOT), in_2030()).unwrap();
    assert_eq!(
        trust.to_string(),
        format!(
            "signature intact, signer trusted: {EC_SUBJECT} → {INTERMEDIATE_SUBJECT} → \
             {ROOT_SUBJECT} (trust anchor)"
        )
    );
    // The intermediate, or the signer itself, may be the anchor.
    assert_eq!(
        envelope.check_trust(&anchors(INTERMEDIATE), in_2030()),
        Ok(Trust::Trusted {
            chain: vec![EC_SUBJECT.to_owned(), INTERMEDIATE_SUBJECT.to_owned()]
        })
    );
    assert_eq!(
        envelope.check_trust(&anchors(EC_CERT), in_2030()),
        Ok(Trust::Trusted {
            chain: vec![EC_SUBJECT.to_owned()]
        })
    );
    // Several anchors, the right one among them.
    let mut both = anchors(OTHER_ROOT);
    assert_eq!(both.add(ROOT), Ok(1));
    assert_eq!(both.len(), 2);
    assert!(envelope.check_trust(&both, in_2030()).is_ok());
}

#[test]
fn the_wrong_anchor_is_no_anchor() {
    let envelope = opened(EC_CHAIN).envelope;
    let error = envelope
        .check_trust(&anchors(OTHER_ROOT), in_2030())
        .unwrap_err();
    assert_eq!(
        error,
        TrustError::NoPath {
            subject: INTERMEDIATE_SUBJECT.to_owned(),
            issuer: ROOT_SUBJECT.to_owned()
        }
    );
    assert!(error.to_string().starts_with("signer not trusted: "));
    // The RSA signer was issued by the root, which is not in the envelope.
    let rsa = opened(RSA_SHA1_NOATTR).envelope;
    assert!(matches!(
        rsa.check_trust(&anchors(INTERMEDIATE), in_2030()),
        Err(TrustError::NoPath { .. })
    ));
}

#[test]
fn trust_holds_only_while_every_certificate_is_valid() {
    let envelope = opened(EC_CHAIN).envelope;
    let in_2020 = SystemTime::UNIX_EPOCH + Duration::from_secs(1_577_836_800);
    let error = envelope.check_trust(&anchors(ROOT), in_2020).unwrap_err();
    assert!(
        matches!(&error, TrustError::NotValid { subject, validity: crate::certificate::Validity::NotYetValid { .. } } if subject == EC_SUBJECT),
        "{error:?}"
    );
    let in_2200 = SystemTime::UNIX_EPOCH + Duration::from_secs(7_258_118_400);
    assert!(matches!(
        envelope.check_trust(&anchors(ROOT), in_2200),
        Err(TrustError::NotValid { .. })
    ));
}

// --- Refusals -----------------------------------------------------------------

#[test]
fn envelopes_a_profile_cannot_come_in_are_refused_by_name() {
    assert_eq!(refused(DETACHED), SignedError::Detached);
    assert_eq!(refused(TWO_SIGNERS), SignedError::SignerCount { count: 2 });
    assert!(matches!(
        refused(NO_CERTS),
        SignedError::SignerCertificateMissing { signer } if signer.contains("Example Profile Intermediate")
    ));
    let other = refused(OTHER_TYPE);
    assert!(
        matches!(&other, SignedError::ContentNotData { content_type } if content_type.contains("1.2.840.113549.1.9.16.1.4")),
        "{other:?}"
    );
    let encrypted = refused(ENCRYPTED);
    assert!(
        encrypted.to_string().contains("an encrypted profile"),
        "{encrypted}"
    );
}

/// The offset of `needle` in `haystack`.
fn find(haystack: &[u8], needle: &[u8]) -> usize {
    haystack
        .windows(needle.len())
        .position(|window| window == needle)
        .expect("found")
}

#[test]
fn altered_content_and_altered_signatures_are_caught() {
    // One byte of the profile, inside the envelope.
    let at = find(EC_CHAIN, b"com.example.signed");
    let mut altered = EC_CHAIN.to_vec();
    altered[at] ^= 0x01;
    assert_eq!(
        refused(&altered),
        SignedError::ContentAltered {
            digest: "SHA-256".to_owned()
        }
    );
    // Without signed attributes the signature covers the content directly.
    let at = find(RSA_SHA1_NOATTR, b"com.example.signed");
    let mut altered = RSA_SHA1_NOATTR.to_vec();
    altered[at] ^= 0x01;
    assert!(matches!(
        refused(&altered),
        SignedError::SignatureMismatch { .. }
    ));
    // The last byte of an RSA signature (the envelope ends with it).
    let mut altered = RSA_SHA1_NOATTR.to_vec();
    *altered.last_mut().unwrap() ^= 0x01;
    let error = refused(&altered);
    assert!(
        error
            .to_string()
            .contains("does not verify with the key of CN=Example RSA Signer"),
        "{error}"
    );
    // The same through the plist reader.
    assert!(matches!(
        io::parse(&altered),
        Err(ReadError::Signed(SignedError::SignatureMismatch { .. }))
    ));
}

#[test]
fn damaged_envelopes_say_where() {
    let error = refused(&EC_CHAIN[..EC_CHAIN.len() - 10]);
    assert!(
        matches!(
            error,
            SignedError::Malformed {
                position: Some(_),
                ..
            }
        ),
        "{error:?}"
    );
    assert!(error.to_string().contains("at byte "), "{error}");
    // An absurd length at the start.
    let mut absurd = EC_CHAIN.to_vec();
    absurd[1..4].copy_from_slice(&[0x84, 0x7F, 0xFF]);
    assert!(refused(&absurd).to_string().contains("at byte 1:"));
    // Something after the envelope.
    let mut trailing = EC_CHAIN.to_vec();
    trailing.extend_from_slice(b"\0\0junk");
    assert!(refused(&trailing).to_string().contains("follow the end"));
    // A BER stream cut before its end-of-contents markers.
    let error = refused(&EC_CHAIN_STREAM[..EC_CHAIN_STREAM.len() - 2]);
    assert!(error.to_string().contains("end-of-contents"), "{error}");
    // Another SEQUENCE altogether.
    let error = refused(&[0x30, 0x03, 0x02, 0x01, 0x01]);
    assert!(matches!(error, SignedError::Malformed { .. }), "{error:?}");
}

#[test]
fn a_signed_envelope_inside_another_is_refused() {
    let identity = SigningIdentity::from_pem(EC_CERT, EC_KEY_SEC1).unwrap();
    let inner = sign(PROFILE, &identity, &SignOptions::default()).unwrap();
    let outer = sign(&inner, &identity, &SignOptions::default()).unwrap();
    assert_eq!(
        io::parse(&outer),
        Err(ReadError::Signed(SignedError::Nested))
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn every_truncation_is_an_error(cut in 0usize..5773) {
        let cut = cut.min(EC_CHAIN_STREAM.len() - 1);
        prop_assert!(open(&EC_CHAIN_STREAM[..cut]).is_err());
        let cut = cut.min(EC_CHAIN.len() - 1);
        prop_assert!(open(&EC_CHAIN[..cut]).is_err());
    }

    #[test]
    fn flipped_bytes_never_panic(at in 0usize..5764, bits in 1u8..=255) {
        let mut altered = EC_CHAIN.to_vec();
        let at = at % altered.len();
        altered[at] ^= bits;
        let _ = open(&altered);
    }
}

// --- Signing ------------------------------------------------------------------

fn fixed_time() -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(1_900_000_000)
}

fn options(digest: DigestAlgorithm) -> SignOptions {
    SignOptions::default()
        .with_digest(digest)
        .with_signing_time(fixed_time())
}

#[test]
fn each_key_form_signs_a_profile_that_reads_back() {
    let mut with_chain = EC_CERT.to_vec();
    with_chain.extend_from_slice(INTERMEDIATE);
    let cases: [(SigningIdentity, DigestAlgorithm, SignatureAlgorithm); 4] = [
        (
            SigningIdentity::from_pem(&with_chain, EC_KEY_SEC1).unwrap(),
            DigestAlgorithm::Sha256,
            SignatureAlgorithm::Ecdsa {
                curve: Curve::P256,
                digest: DigestAlgorithm::Sha256,
            },
        ),
        (
            SigningIdentity::from_pem(RSA_CERT, RSA_KEY_PKCS1).unwrap(),
            DigestAlgorithm::Sha512,
            SignatureAlgorithm::RsaPkcs1v15 {
                digest: DigestAlgorithm::Sha512,
            },
        ),
        (
            SigningIdentity::from_pem(P384_CERT, P384_KEY_PKCS8).unwrap(),
            DigestAlgorithm::Sha384,
            SignatureAlgorithm::Ecdsa {
                curve: Curve::P384,
                digest: DigestAlgorithm::Sha384,
            },
        ),
        (
            SigningIdentity::from_pkcs12(EC_P12, PASSWORD).unwrap(),
            DigestAlgorithm::Sha256,
            SignatureAlgorithm::Ecdsa {
                curve: Curve::P256,
                digest: DigestAlgorithm::Sha256,
            },
        ),
    ];
    for (identity, digest, signature) in cases {
        let signed = sign_profile(PROFILE, &identity, &options(digest)).unwrap();
        let opened = opened(&signed);
        assert_eq!(opened.content, PROFILE);
        let envelope = opened.envelope;
        assert_eq!(envelope.encoding, Encoding::Der);
        assert_eq!(envelope.digest, digest);
        assert_eq!(envelope.signature, signature);
        assert_eq!(envelope.signing_time, Some(fixed_time()));
        assert_eq!(envelope.signer, identity.certificate().unwrap());
        assert!(
            matches!(
                envelope.check_trust(&anchors(ROOT), in_2030()),
                Ok(Trust::Trusted { .. })
            ),
            "{identity:?}"
        );
    }
}

#[test]
fn the_signing_time_is_now_unless_given() {
    let identity = SigningIdentity::from_pem(EC_CERT, EC_KEY_SEC1).unwrap();
    let before = SystemTime::now() - Duration::from_secs(2);
    let signed = sign(PROFILE, &identity, &SignOptions::default()).unwrap();
    let stated = opened(&signed).envelope.signing_time.unwrap();
    assert!(stated >= before && stated <= SystemTime::now());
}

#[test]
fn a_binary_profile_is_signed_as_xml() {
    let value = io::parse(PROFILE).unwrap();
    let mut binary = Vec::new();
    value.to_writer_binary(&mut binary).unwrap();
    let identity = SigningIdentity::from_pem(EC_CERT, EC_KEY_SEC1).unwrap();
    let signed = sign_profile(&binary, &identity, &SignOptions::default()).unwrap();
    let content = opened(&signed).content;
    assert!(content.starts_with(b"<?xml"));
    assert_eq!(io::parse(&content).unwrap(), value);
    // The plist reader unwraps it and says it was signed.
    let unwrapped = io::parse_unwrapped(&signed).unwrap();
    assert_eq!(unwrapped.content, value);
    assert_eq!(unwrapped.envelope.unwrap().signer.subject, EC_SUBJECT);
    assert_eq!(io::parse_unwrapped(PROFILE).unwrap().envelope, None);
}

#[test]
fn what_cannot_be_signed_is_refused() {
    let identity = SigningIdentity::from_pem(EC_CERT, EC_KEY_SEC1).unwrap();
    assert_eq!(
        sign_profile(EC_CHAIN, &identity, &SignOptions::default()).unwrap_err(),
        SignError::AlreadySigned
    );
    assert!(matches!(
        sign_profile(b"not a plist", &identity, &SignOptions::default()),
        Err(SignError::NotAProfile(_))
    ));
    let array = b"<plist version=\"1.0\"><array/></plist>";
    assert!(matches!(
        sign_profile(array, &identity, &SignOptions::default()),
        Err(SignError::NotAProfile(ReadError::NotADictionary { .. }))
    ));
    assert_eq!(
        sign(PROFILE, &identity, &options(DigestAlgorithm::Sha1)).unwrap_err(),
        SignError::WeakDigest
    );
}

#[test]
fn keys_and_certificates_must_go_together() {
    assert_eq!(
        SigningIdentity::from_pem(RSA_CERT, EC_KEY_SEC1).unwrap_err(),
        SignError::NoCertificateForKey
    );
    assert_eq!(
        SigningIdentity::from_pem(EC_CERT, EC_KEY_ENCRYPTED).unwrap_err(),
        SignError::EncryptedKey
    );
    assert_eq!(
        SigningIdentity::from_pem(EC_CERT, EC_CERT).unwrap_err(),
        SignError::NoPrivateKey(vec!["CERTIFICATE".to_owned()])
    );
    assert!(matches!(
        SigningIdentity::from_pem(b"", EC_KEY_SEC1),
        Err(SignError::Certificate(_))
    ));
    assert_eq!(
        SigningIdentity::from_pkcs12(EC_P12, "wrong").unwrap_err(),
        SignError::Pkcs12(crate::certificate::Pkcs12Error::WrongPassword)
    );
    // The signer's certificate is found by its key, wherever it stands.
    let mut chain_first = INTERMEDIATE.to_vec();
    chain_first.extend_from_slice(EC_CERT);
    let identity = SigningIdentity::from_pem(&chain_first, EC_KEY_SEC1).unwrap();
    assert_eq!(identity.certificate().unwrap().subject, EC_SUBJECT);
    // One file holding both.
    let mut both = EC_KEY_SEC1.to_vec();
    both.extend_from_slice(EC_CERT);
    assert!(SigningIdentity::from_pem(&both, &both).is_ok());
}

#[test]
fn no_secret_shows_in_debug_or_errors() {
    let key_text = std::str::from_utf8(RSA_KEY_PKCS1).unwrap();
    let key_line = key_text.lines().nth(1).unwrap();
    let identity = SigningIdentity::from_pem(RSA_CERT, RSA_KEY_PKCS1).unwrap();
    let debug = format!("{identity:?}");
    assert!(debug.contains("RSA 2048-bit key, redacted"), "{debug}");
    assert!(!debug.contains(key_line));
    for identity in [
        SigningIdentity::from_pkcs12(EC_P12, PASSWORD).unwrap(),
        SigningIdentity::from_pem(EC_CERT, EC_KEY_SEC1).unwrap(),
    ] {
        let debug = format!("{identity:?}");
        assert!(!debug.contains(PASSWORD));
        assert!(debug.contains("ECDSA P-256 key, redacted"), "{debug}");
    }
    let errors = [
        SigningIdentity::from_pkcs12(EC_P12, "not-the-password").unwrap_err(),
        SigningIdentity::from_pem(RSA_CERT, &RSA_KEY_PKCS1[..900]).unwrap_err(),
    ];
    for error in errors {
        let shown = format!("{error} {error:?}");
        assert!(!shown.contains("not-the-password"), "{shown}");
        assert!(!shown.contains(key_line), "{shown}");
    }
}
