//! Signed profiles on the command line: the signer's identity for `sign` and
//! `convert`, the trust anchors of `validate --trust`, and what a signature
//! says, as a finding.

use std::path::{Path, PathBuf};
use std::time::SystemTime;

use clap::{Args, ValueEnum};
use mobileconfig::runtime::certificate::Moment;
use mobileconfig::runtime::signed::{
    DigestAlgorithm, Envelope, SigningIdentity, Trust, TrustAnchors,
};
use mobileconfig::runtime::{Diagnostic, Severity};

/// Who signs: a certificate and its key in PEM, or a PKCS#12 identity. The
/// password of a PKCS#12 comes from a file or an environment variable,
/// never from the command line, where other users could read it.
#[derive(Debug, Args, Default)]
pub struct IdentityArgs {
    /// The signer's certificate (PEM; may also hold the chain).
    #[arg(long, value_name = "PEM", requires = "key", conflicts_with = "pkcs12")]
    pub cert: Option<PathBuf>,
    /// The signer's private key (PEM: PKCS#8, PKCS#1 or SEC1; not encrypted).
    #[arg(long, value_name = "PEM", requires = "cert")]
    pub key: Option<PathBuf>,
    /// Intermediate certificates to include (PEM).
    #[arg(long, value_name = "PEM", requires = "cert")]
    pub chain: Option<PathBuf>,
    /// The signer's identity as PKCS#12 (.p12), with --password-file or
    /// --password-env.
    #[arg(long, value_name = "P12")]
    pub pkcs12: Option<PathBuf>,
    /// A file whose first line is the PKCS#12 password.
    #[arg(
        long,
        value_name = "FILE",
        requires = "pkcs12",
        conflicts_with = "password_env"
    )]
    pub password_file: Option<PathBuf>,
    /// An environment variable that holds the PKCS#12 password.
    #[arg(long, value_name = "VAR", requires = "pkcs12")]
    pub password_env: Option<String>,
    /// The digest to sign with.
    #[arg(long, value_enum, default_value_t = Digest::Sha256)]
    pub digest: Digest,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum Digest {
    #[default]
    Sha256,
    Sha384,
    Sha512,
}

impl Digest {
    pub fn algorithm(self) -> DigestAlgorithm {
        match self {
            Digest::Sha256 => DigestAlgorithm::Sha256,
            Digest::Sha384 => DigestAlgorithm::Sha384,
            Digest::Sha512 => DigestAlgorithm::Sha512,
        }
    }
}

impl IdentityArgs {
    /// Loads the identity; `None` when none was given. Errors name the file
    /// and never show a key or a password.
    pub fn load(&self) -> Result<Option<SigningIdentity>, String> {
        if let (Some(cert), Some(key)) = (&self.cert, &self.key) {
            let mut certificates = read(cert)?;
            if let Some(chain) = &self.chain {
                certificates.push(b'\n');
                certificates.extend(read(chain)?);
            }
            let key_bytes = read(key)?;
            return SigningIdentity::from_pem(&certificates, &key_bytes)
                .map(Some)
                .map_err(|error| format!("{} and {}: {error}", cert.display(), key.display()));
        }
        if let Some(pkcs12) = &self.pkcs12 {
            let password = self.password()?;
            return SigningIdentity::from_pkcs12(&read(pkcs12)?, &password)
                .map(Some)
                .map_err(|error| format!("{}: {error}", pkcs12.display()));
        }
        Ok(None)
    }

    fn password(&self) -> Result<String, String> {
        if let Some(file) = &self.password_file {
            let text = std::fs::read_to_string(file)
                .map_err(|error| format!("{}: {error}", file.display()))?;
            return Ok(text.lines().next().unwrap_or_default().to_owned());
        }
        if let Some(variable) = &self.password_env {
            return std::env::var(variable)
                .map_err(|_| format!("the environment variable {variable} is not set"));
        }
        Err("a PKCS#12 identity needs --password-file or --password-env".to_owned())
    }
}

fn read(path: &Path) -> Result<Vec<u8>, String> {
    std::fs::read(path).map_err(|error| format!("{}: {error}", path.display()))
}

/// Reads every `--trust` file (PEM with one or more certificates, or DER).
pub fn trust_anchors(files: &[PathBuf]) -> Result<Option<TrustAnchors>, String> {
    if files.is_empty() {
        return Ok(None);
    }
    let mut anchors = TrustAnchors::new();
    for file in files {
        anchors
            .add(&read(file)?)
            .map_err(|error| format!("{}: not a certificate: {error}", file.display()))?;
    }
    Ok(Some(anchors))
}

/// The code of the note that says who signed a profile.
pub const SIGNED: &str = "signed";
/// The code of the error on a signer the trust anchors do not lead to.
pub const UNTRUSTED: &str = "untrusted-signer";
/// The code of the error on an unsigned profile checked with `--trust`.
pub const UNSIGNED: &str = "unsigned";

/// What a profile's signature says, as findings at the profile's root: who
/// signed and how (a note), and, with trust anchors, whether they lead to
/// the signer (an error when not).
pub fn signature_findings(
    envelope: Option<&Envelope>,
    anchors: Option<&TrustAnchors>,
) -> Vec<Diagnostic> {
    let finding = |severity, code: &str, message: String| Diagnostic {
        path: String::new(),
        severity,
        code: code.to_owned(),
        message,
    };
    let Some(envelope) = envelope else {
        return match anchors {
            Some(_) => vec![finding(
                Severity::Error,
                UNSIGNED,
                "the profile is not signed, so no trust anchor can vouch for it".to_owned(),
            )],
            None => Vec::new(),
        };
    };
    let signer = &envelope.signer;
    let mut described = format!(
        "signed by `{}` (issued by `{}`, valid until {}) with {}",
        signer.subject,
        signer.issuer,
        Moment(signer.not_after),
        envelope.signature
    );
    if let Some(moment) = envelope.signing_time {
        described.push_str(&format!(" on {}", Moment(moment)));
    }
    match anchors {
        None => vec![finding(
            Severity::Info,
            SIGNED,
            format!("{described}; {}", Trust::NotChecked),
        )],
        Some(anchors) => match envelope.check_trust(anchors, SystemTime::now()) {
            Ok(trust) => vec![finding(
                Severity::Info,
                SIGNED,
                format!("{described}; {trust}"),
            )],
            Err(error) => vec![finding(
                Severity::Error,
                UNTRUSTED,
                format!(
                    "{described}; the signature is intact, but the signer is not trusted: {error}"
                ),
            )],
        },
    }
}
