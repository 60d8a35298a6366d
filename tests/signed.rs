//! Signed profiles judged against OpenSSL, both ways: what `openssl cms` and
//! `openssl smime` sign reads and verifies here (DER, and BER from
//! `-stream`), what this crate signs verifies with OpenSSL, and a single
//! flipped byte in the content or the signature fails on both sides.
//!
//! Each test makes its own throwaway CA, signers (RSA and ECDSA P-256) and
//! an unrelated CA with the `openssl` command, in a temporary folder. Where
//! `openssl` cannot be run, the tests say so on standard error and pass
//! without checking anything; `.ci/run` makes sure CI has it.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, SystemTime};

use mobileconfig::runtime::io::ReadError;
use mobileconfig::runtime::signed::{
    Encoding, SignOptions, SignedError, SigningIdentity, Trust, TrustAnchors, TrustError,
    sign_profile,
};
use mobileconfig_tests::workspace_root;

const PASSWORD: &str = "throwaway-interop-secret";
const CA_SUBJECT: &str = "CN=Interop Test CA,O=Example";

fn fixture_path(name: &str) -> PathBuf {
    workspace_root().join("tests/profiles").join(name)
}

fn fixture(name: &str) -> Vec<u8> {
    let path = fixture_path(name);
    std::fs::read(&path).unwrap_or_else(|error| panic!("{}: {error}", path.display()))
}

/// A temporary folder with a CA, two signers and an unrelated CA, made by
/// OpenSSL; removed when dropped.
struct Pki {
    dir: PathBuf,
}

/// The signers each test signs with: file stem and subject.
const SIGNERS: [(&str, &str); 2] = [
    ("rsa", "CN=Interop RSA Signer,O=Example"),
    ("ec", "CN=Interop EC Signer,O=Example"),
];

impl Pki {
    /// Makes the material, or `None` (with a message) where `openssl`
    /// cannot be run.
    fn new(test: &str) -> Option<Pki> {
        match Command::new("openssl").arg("version").output() {
            Ok(output) if output.status.success() => {}
            Ok(output) => {
                eprintln!(
                    "SKIPPED {test}: `openssl version` failed ({}); install OpenSSL to run the \
                     signing interoperability tests",
                    String::from_utf8_lossy(&output.stderr).trim()
                );
                return None;
            }
            Err(error) => {
                eprintln!(
                    "SKIPPED {test}: the openssl command is not available ({error}); install \
                     OpenSSL to run the signing interoperability tests"
                );
                return None;
            }
        }
        static COUNTER: AtomicUsize = AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "mobileconfig-signed-{}-{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&dir).expect("temporary folder");
        let pki = Pki { dir };
        std::fs::write(
            pki.path("leaf.cnf"),
            "basicConstraints = critical, CA:FALSE\nkeyUsage = critical, digitalSignature\n",
        )
        .unwrap();
        for (name, subject) in [
            ("ca", "/O=Example/CN=Interop Test CA"),
            ("wrong-ca", "/O=Elsewhere/CN=Unrelated CA"),
        ] {
            pki.openssl(&[
                "req",
                "-x509",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-keyout",
                &format!("{name}.key"),
                "-out",
                &format!("{name}.pem"),
                "-subj",
                subject,
                "-days",
                "2",
                "-addext",
                "basicConstraints=critical,CA:TRUE",
                "-addext",
                "keyUsage=critical,keyCertSign,cRLSign",
            ]);
        }
        for ((name, _), key) in SIGNERS.iter().zip(["rsa:2048", "ec"]) {
            let subject = format!("/O=Example/CN=Interop {} Signer", name.to_uppercase());
            let mut request = vec![
                "req", "-new", "-newkey", key, "-nodes", "-keyout", "", "-out", "", "-subj",
                &subject,
            ];
            let key_file = format!("{name}.key");
            let request_file = format!("{name}.csr");
            request[6] = &key_file;
            request[8] = &request_file;
            if key == "ec" {
                request.extend(["-pkeyopt", "ec_paramgen_curve:P-256"]);
            }
            pki.openssl(&request);
            pki.openssl(&[
                "x509",
                "-req",
                "-in",
                &request_file,
                "-CA",
                "ca.pem",
                "-CAkey",
                "ca.key",
                "-CAcreateserial",
                "-days",
                "1",
                "-extfile",
                "leaf.cnf",
                "-out",
                &format!("{name}.pem"),
            ]);
        }
        pki.openssl(&[
            "pkcs12",
            "-export",
            "-inkey",
            "ec.key",
            "-in",
            "ec.pem",
            "-certfile",
            "ca.pem",
            "-passout",
            &format!("pass:{PASSWORD}"),
            "-out",
            "ec.p12",
        ]);
        Some(pki)
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }

    fn read(&self, name: &str) -> Vec<u8> {
        std::fs::read(self.path(name)).unwrap_or_else(|error| panic!("{name}: {error}"))
    }

    /// Runs openssl in the folder; whether it succeeded, and what it said.
    fn try_openssl(&self, args: &[&str]) -> (bool, String) {
        let output = Command::new("openssl")
            .args(args)
            .current_dir(&self.dir)
            .output()
            .expect("openssl runs");
        (
            output.status.success(),
            String::from_utf8_lossy(&output.stderr).into_owned(),
        )
    }

    fn openssl(&self, args: &[&str]) {
        let (ok, said) = self.try_openssl(args);
        assert!(ok, "openssl {}: {said}", args.join(" "));
    }

    fn anchors(&self, name: &str) -> TrustAnchors {
        TrustAnchors::from_bytes(&self.read(name)).expect("anchor reads")
    }

    fn identity(&self, name: &str) -> SigningIdentity {
        SigningIdentity::from_pem(
            &self.read(&format!("{name}.pem")),
            &self.read(&format!("{name}.key")),
        )
        .unwrap_or_else(|error| panic!("{name}: {error}"))
    }

    /// Whether `openssl cms -verify` and `openssl smime -verify` accept the
    /// envelope in `file` against `ca`; when they do, the content each
    /// wrote out must be `content`.
    fn openssl_verifies(&self, file: &str, ca: &str, content: &[u8]) -> bool {
        let mut verdicts = Vec::new();
        for tool in ["cms", "smime"] {
            let out = format!("{file}.{tool}.out");
            let (ok, said) = self.try_openssl(&[
                tool, "-verify", "-inform", "DER", "-in", file, "-CAfile", ca, "-binary", "-out",
                &out,
            ]);
            if ok {
                assert_eq!(self.read(&out), content, "{tool} wrote other content");
            }
            verdicts.push((ok, said));
        }
        assert_eq!(
            verdicts[0].0, verdicts[1].0,
            "cms and smime disagree: {verdicts:?}"
        );
        verdicts[0].0
    }
}

impl Drop for Pki {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// The ways OpenSSL is asked to sign: name, tool, extra arguments, and the
/// encoding it writes.
const OPENSSL_SIGNINGS: [(&str, &str, &[&str], Encoding); 3] = [
    ("cms", "cms", &["-nodetach"], Encoding::Der),
    (
        "cms-stream",
        "cms",
        &["-nodetach", "-stream"],
        Encoding::Ber,
    ),
    ("smime", "smime", &["-nodetach"], Encoding::Der),
];

fn openssl_sign(pki: &Pki, tool: &str, extra: &[&str], signer: &str, input: &Path, out: &str) {
    let input = input.to_str().expect("a UTF-8 path");
    let (certificate, key) = (format!("{signer}.pem"), format!("{signer}.key"));
    let mut args = vec![
        tool,
        "-sign",
        "-binary",
        "-in",
        input,
        "-signer",
        &certificate,
        "-inkey",
        &key,
        "-certfile",
        "ca.pem",
        "-outform",
        "DER",
        "-out",
        out,
    ];
    args.extend_from_slice(extra);
    pki.openssl(&args);
}

#[test]
fn what_openssl_signs_reads_and_verifies_here() {
    let Some(pki) = Pki::new("what_openssl_signs_reads_and_verifies_here") else {
        return;
    };
    // The largest fixture, so that a stream cuts it into several pieces.
    let name = "vpn-always-on.mobileconfig";
    let unsigned = mobileconfig::read_profile(&fixture(name)).unwrap().value;
    let now = SystemTime::now();
    for (signer, subject) in SIGNERS {
        for (how, tool, extra, encoding) in OPENSSL_SIGNINGS {
            let out = format!("{signer}-{how}.der");
            openssl_sign(&pki, tool, extra, signer, &fixture_path(name), &out);
            let signed = pki.read(&out);
            let context = format!("{signer} signed by openssl {how}");

            let read = mobileconfig::read_profile(&signed)
                .unwrap_or_else(|error| panic!("{context}: {error}"));
            assert_eq!(read.value, unsigned, "{context}");
            let unwrapped = mobileconfig::read_profile_unwrapped(&signed).unwrap();
            assert_eq!(unwrapped.content.value, unsigned, "{context}");
            let envelope = unwrapped.envelope.expect("signed");
            assert_eq!(envelope.encoding, encoding, "{context}");
            assert_eq!(envelope.signer.subject, subject, "{context}");
            assert_eq!(envelope.signer.issuer, CA_SUBJECT, "{context}");
            assert!(envelope.signed_attributes, "{context}");
            assert!(envelope.signing_time.is_some(), "{context}");
            assert_eq!(envelope.certificates.len(), 2, "{context}");

            assert_eq!(
                envelope.check_trust(&TrustAnchors::new(), now),
                Ok(Trust::NotChecked),
                "{context}"
            );
            assert_eq!(
                envelope.check_trust(&pki.anchors("ca.pem"), now),
                Ok(Trust::Trusted {
                    chain: vec![subject.to_owned(), CA_SUBJECT.to_owned()]
                }),
                "{context}"
            );
            assert!(
                matches!(
                    envelope.check_trust(&pki.anchors("wrong-ca.pem"), now),
                    Err(TrustError::NoPath { .. })
                ),
                "{context}"
            );
            // The signer's certificate is valid for a day only.
            let next_week = now + Duration::from_secs(7 * 24 * 3600);
            assert!(
                matches!(
                    envelope.check_trust(&pki.anchors("ca.pem"), next_week),
                    Err(TrustError::NotValid { .. })
                ),
                "{context}"
            );
        }
    }
}

#[test]
fn what_this_crate_signs_verifies_with_openssl() {
    let Some(pki) = Pki::new("what_this_crate_signs_verifies_with_openssl") else {
        return;
    };
    let xml = fixture("wifi-eap-tls.mobileconfig");
    let identities = [
        ("rsa", pki.identity("rsa")),
        ("ec", pki.identity("ec")),
        (
            "ec-p12",
            SigningIdentity::from_pkcs12(&pki.read("ec.p12"), PASSWORD).unwrap(),
        ),
    ];
    for (name, identity) in &identities {
        let signed = sign_profile(&xml, identity, &SignOptions::default()).unwrap();
        let file = format!("{name}-ours.der");
        std::fs::write(pki.path(&file), &signed).unwrap();
        assert!(
            pki.openssl_verifies(&file, "ca.pem", &xml),
            "openssl refuses the envelope {name} signed here"
        );
        assert!(
            !pki.openssl_verifies(&file, "wrong-ca.pem", &xml),
            "openssl trusts {name} under the wrong CA"
        );
    }
    // A binary profile goes in as XML.
    let binary = fixture("ikev2-certificate.binary.mobileconfig");
    let signed = sign_profile(&binary, &identities[0].1, &SignOptions::default()).unwrap();
    std::fs::write(pki.path("binary-ours.der"), &signed).unwrap();
    let content = mobileconfig::runtime::signed::open(&signed)
        .unwrap()
        .content;
    assert!(content.starts_with(b"<?xml"));
    assert!(pki.openssl_verifies("binary-ours.der", "ca.pem", &content));
    assert_eq!(
        mobileconfig::read_profile(&content).unwrap().value,
        mobileconfig::read_profile(&binary).unwrap().value
    );
}

/// The offset of the only occurrence of `needle`.
fn find(haystack: &[u8], needle: &[u8]) -> usize {
    let mut found = haystack
        .windows(needle.len())
        .enumerate()
        .filter(|(_, window)| *window == needle)
        .map(|(at, _)| at);
    let at = found.next().expect("found");
    assert!(found.next().is_none(), "found twice");
    at
}

#[test]
fn a_flipped_byte_fails_on_both_sides() {
    let Some(pki) = Pki::new("a_flipped_byte_fails_on_both_sides") else {
        return;
    };
    let name = "wifi-eap-tls.mobileconfig";
    let xml = fixture(name);
    for signer in ["rsa", "ec"] {
        openssl_sign(
            &pki,
            "cms",
            &["-nodetach"],
            signer,
            &fixture_path(name),
            "theirs.der",
        );
        let envelopes = [
            ("openssl", pki.read("theirs.der")),
            (
                "this crate",
                sign_profile(&xml, &pki.identity(signer), &SignOptions::default()).unwrap(),
            ),
        ];
        for (maker, envelope) in envelopes {
            let context = format!("{signer} signed by {maker}");
            std::fs::write(pki.path("intact.der"), &envelope).unwrap();
            assert!(
                pki.openssl_verifies("intact.der", "ca.pem", &xml),
                "{context}"
            );

            // One byte of the profile's own text.
            let mut content = envelope.clone();
            content[find(&envelope, b"<plist") + 1] ^= 0x20;
            std::fs::write(pki.path("content.der"), &content).unwrap();
            assert!(
                !pki.openssl_verifies("content.der", "ca.pem", &xml),
                "{context}"
            );
            assert!(
                matches!(
                    mobileconfig::read_profile(&content),
                    Err(ReadError::Signed(SignedError::ContentAltered { .. }))
                ),
                "{context}"
            );

            // The signature's last byte, which ends the envelope.
            let mut signature = envelope.clone();
            *signature.last_mut().unwrap() ^= 0x01;
            std::fs::write(pki.path("signature.der"), &signature).unwrap();
            assert!(
                !pki.openssl_verifies("signature.der", "ca.pem", &xml),
                "{context}"
            );
            let error = mobileconfig::read_profile(&signature).unwrap_err();
            assert!(
                matches!(
                    error,
                    ReadError::Signed(SignedError::SignatureMismatch { .. })
                ),
                "{context}: {error}"
            );
        }
    }
}
