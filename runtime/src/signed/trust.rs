//! Whether a signer is trusted: a chain from its certificate to one of the
//! trust anchors the caller names, every link's signature checked and every
//! certificate valid at the moment asked about.
//!
//! The check is deliberately small, and says so: names are matched, each
//! signature in the chain verified, intermediates must be CAs and every
//! certificate (the anchor too) must be within its validity period.
//! Revocation, certificate policies, name constraints, path lengths and
//! key usages are not checked.

use std::fmt;
use std::time::SystemTime;

use x509_cert::Certificate;
use x509_cert::der::Encode;

use super::algorithms::{self, Failure};
use super::envelope::Envelope;
use crate::certificate::{
    CertificateEncoding, CertificateError, CertificateSummary, Validity, read_certificates,
};

/// How many certificates a chain may hold, anchor included.
pub const MAX_CHAIN_LENGTH: usize = 8;

/// The certificates a caller trusts as the roots of signers' chains.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TrustAnchors {
    certificates: Vec<Certificate>,
}

impl TrustAnchors {
    /// No anchors: [`Envelope::check_trust`] then checks nothing and says so.
    pub fn new() -> Self {
        TrustAnchors::default()
    }

    /// Adds the certificates in `bytes`: one DER certificate, or PEM text
    /// with one or more `CERTIFICATE` blocks. Returns how many were added.
    pub fn add(&mut self, bytes: &[u8]) -> Result<usize, CertificateError> {
        let certificates = read_certificates(bytes)?;
        let count = certificates.len();
        self.certificates.extend(certificates);
        Ok(count)
    }

    /// Anchors read from `bytes`, as [`TrustAnchors::add`] reads them.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, CertificateError> {
        let mut anchors = TrustAnchors::new();
        anchors.add(bytes)?;
        Ok(anchors)
    }

    pub fn len(&self) -> usize {
        self.certificates.len()
    }

    pub fn is_empty(&self) -> bool {
        self.certificates.is_empty()
    }
}

/// What a trust check found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Trust {
    /// No trust anchor was given: the signature covers the content, but
    /// nothing says who the signer is.
    NotChecked,
    /// The signer's certificate leads to a trust anchor.
    Trusted {
        /// The subjects along the chain, the signer's first and the
        /// anchor's last.
        chain: Vec<String>,
    },
}

impl fmt::Display for Trust {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Trust::NotChecked => {
                formatter.write_str("signature intact, signer not checked against any trust anchor")
            }
            Trust::Trusted { chain } => write!(
                formatter,
                "signature intact, signer trusted: {} (trust anchor)",
                chain.join(" → ")
            ),
        }
    }
}

/// Why a signer is not trusted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TrustError {
    /// Neither an anchor nor a certificate in the envelope issued
    /// `subject`: the chain stops there.
    NoPath { subject: String, issuer: String },
    /// A certificate of the chain is outside its validity period at the
    /// moment checked.
    NotValid { subject: String, validity: Validity },
    /// A certificate names `issuer` as its issuer, but that certificate's
    /// key does not verify its signature (or the algorithm is not handled).
    BadSignature {
        subject: String,
        issuer: String,
        why: String,
    },
    /// A certificate in the middle of the chain is not a CA, so it cannot
    /// issue certificates.
    NotACa { subject: String },
    /// The chain would be longer than [`MAX_CHAIN_LENGTH`].
    TooLong,
    /// A certificate of the chain does not read.
    Certificate(CertificateError),
}

impl fmt::Display for TrustError {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TrustError::NoPath { subject, issuer } => write!(
                formatter,
                "signer not trusted: no trust anchor, nor any certificate in the envelope, \
                 issued {subject} (its issuer is {issuer})"
            ),
            TrustError::NotValid { subject, validity } => {
                write!(formatter, "signer not trusted: {subject} is {validity}")
            }
            TrustError::BadSignature {
                subject,
                issuer,
                why,
            } => write!(
                formatter,
                "signer not trusted: the signature of {issuer} on {subject} {why}"
            ),
            TrustError::NotACa { subject } => write!(
                formatter,
                "signer not trusted: {subject} issues a certificate of the chain but is not a CA"
            ),
            TrustError::TooLong => write!(
                formatter,
                "signer not trusted: its chain is longer than {MAX_CHAIN_LENGTH} certificates"
            ),
            TrustError::Certificate(error) => write!(formatter, "signer not trusted: {error}"),
        }
    }
}

impl std::error::Error for TrustError {}

impl Envelope {
    /// Checks the signer against `anchors` at the moment `at`: with no
    /// anchors, says that nothing was checked; otherwise the signer's
    /// certificate must lead to an anchor, through the certificates the
    /// envelope carries, every link's signature verified and every
    /// certificate, the anchor's too, valid at `at`. A signer that is
    /// itself an anchor is trusted as such.
    pub fn check_trust(&self, anchors: &TrustAnchors, at: SystemTime) -> Result<Trust, TrustError> {
        if anchors.is_empty() {
            return Ok(Trust::NotChecked);
        }
        let mut current = &self.carried[self.signer_index];
        let mut path: Vec<&Certificate> = vec![current];
        loop {
            let current_summary = summary(current)?;
            valid_at(&current_summary, at)?;
            if anchors.certificates.iter().any(|anchor| anchor == current) {
                return Ok(Trust::Trusted {
                    chain: subjects(&path)?,
                });
            }
            let issuer_name = &current.tbs_certificate.issuer;
            let mut failure = None;
            let named_anchors = anchors
                .certificates
                .iter()
                .filter(|anchor| anchor.tbs_certificate.subject == *issuer_name);
            for anchor in named_anchors {
                match issued(current, anchor) {
                    Ok(()) => {
                        let anchor_summary = summary(anchor)?;
                        valid_at(&anchor_summary, at)?;
                        path.push(anchor);
                        return Ok(Trust::Trusted {
                            chain: subjects(&path)?,
                        });
                    }
                    Err(why) => failure = Some((anchor, why)),
                }
            }
            if path.len() + 1 >= MAX_CHAIN_LENGTH {
                return Err(TrustError::TooLong);
            }
            let mut next = None;
            let named_intermediates = self.carried.iter().filter(|candidate| {
                candidate.tbs_certificate.subject == *issuer_name
                    && !path.iter().any(|seen| seen == candidate)
            });
            for candidate in named_intermediates {
                match issued(current, candidate) {
                    Ok(()) => {
                        next = Some(candidate);
                        break;
                    }
                    Err(why) => failure = Some((candidate, why)),
                }
            }
            match next {
                Some(intermediate) => {
                    let intermediate_summary = summary(intermediate)?;
                    if !intermediate_summary.is_ca {
                        return Err(TrustError::NotACa {
                            subject: intermediate_summary.subject,
                        });
                    }
                    path.push(intermediate);
                    current = intermediate;
                }
                None => {
                    return Err(match failure {
                        Some((issuer, why)) => TrustError::BadSignature {
                            subject: current_summary.subject,
                            issuer: summary(issuer)?.subject,
                            why,
                        },
                        None => TrustError::NoPath {
                            subject: current_summary.subject,
                            issuer: current_summary.issuer,
                        },
                    });
                }
            }
        }
    }
}

fn summary(certificate: &Certificate) -> Result<CertificateSummary, TrustError> {
    crate::certificate::summarise(certificate, CertificateEncoding::Der, 1)
        .map_err(TrustError::Certificate)
}

fn subjects(path: &[&Certificate]) -> Result<Vec<String>, TrustError> {
    path.iter()
        .map(|certificate| summary(certificate).map(|summary| summary.subject))
        .collect()
}

fn valid_at(summary: &CertificateSummary, at: SystemTime) -> Result<(), TrustError> {
    match summary.validity_at(at) {
        Validity::Valid => Ok(()),
        validity => Err(TrustError::NotValid {
            subject: summary.subject.clone(),
            validity,
        }),
    }
}

/// Whether `issuer`'s key verifies the signature on `certificate`; if not,
/// why, in words that follow "the signature of X on Y".
fn issued(certificate: &Certificate, issuer: &Certificate) -> Result<(), String> {
    let tbs = certificate
        .tbs_certificate
        .to_der()
        .map_err(|error| format!("cannot be checked: the certificate does not encode ({error})"))?;
    let signature = certificate
        .signature
        .as_bytes()
        .ok_or("cannot be checked: it is not a whole number of bytes")?;
    algorithms::verify(
        &issuer.tbs_certificate.subject_public_key_info,
        &certificate.signature_algorithm,
        None,
        &tbs,
        signature,
    )
    .map(|_| ())
    .map_err(|failure| match failure {
        Failure::Unsupported(what) => format!("cannot be checked: it uses {what}"),
        Failure::BadKey(why) => format!("cannot be checked: {why}"),
        Failure::Mismatch => "does not verify".to_owned(),
    })
}
