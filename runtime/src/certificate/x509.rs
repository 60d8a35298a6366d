//! One X.509 certificate, written as DER or PEM text: what it says and
//! whether it is valid at a moment.

use std::fmt;
use std::time::SystemTime;

use x509_cert::Certificate;
use x509_cert::der::oid::ObjectIdentifier;
use x509_cert::der::{self, DateTime, Decode, ErrorKind};
use x509_cert::ext::pkix::BasicConstraints;

/// How the certificate bytes were written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CertificateEncoding {
    /// Binary DER, as `openssl x509 -outform DER` writes it.
    Der,
    /// PEM text (`-----BEGIN CERTIFICATE-----`), which devices also accept.
    Pem,
}

/// What a validator needs to know about one X.509 certificate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CertificateSummary {
    /// How the data was written.
    pub encoding: CertificateEncoding,
    /// How many certificates the data holds: 1 for DER, the number of
    /// `CERTIFICATE` blocks for PEM. Only the first is summarised here.
    pub count: usize,
    /// The subject's name in RFC 4514 form, e.g.
    /// `CN=Example Root CA,O=Example` (most specific part first).
    pub subject: String,
    /// The issuer's name, in the same form.
    pub issuer: String,
    /// Whether the basic constraints extension says this is a CA.
    pub is_ca: bool,
    /// Whether subject and issuer are the same name. The signature is not
    /// checked.
    pub self_signed: bool,
    /// The start of the validity period.
    pub not_before: SystemTime,
    /// The end of the validity period (included in it).
    pub not_after: SystemTime,
}

/// Where a moment falls relative to a certificate's validity period.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Validity {
    /// Within the period (both ends included).
    Valid,
    /// Before the period starts.
    NotYetValid {
        /// When the period starts.
        not_before: SystemTime,
    },
    /// After the period ended.
    Expired {
        /// When the period ended.
        not_after: SystemTime,
    },
}

impl CertificateSummary {
    /// Where `at` falls relative to the validity period; RFC 5280 counts
    /// both ends as valid.
    pub fn validity_at(&self, at: SystemTime) -> Validity {
        if at < self.not_before {
            Validity::NotYetValid {
                not_before: self.not_before,
            }
        } else if at > self.not_after {
            Validity::Expired {
                not_after: self.not_after,
            }
        } else {
            Validity::Valid
        }
    }
}

impl fmt::Display for Validity {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Validity::Valid => formatter.write_str("within its validity period"),
            Validity::NotYetValid { not_before } => {
                write!(formatter, "not valid before {}", Moment(*not_before))
            }
            Validity::Expired { not_after } => {
                write!(formatter, "expired on {}", Moment(*not_after))
            }
        }
    }
}

/// Shows a moment as an ISO 8601 UTC date and time.
#[derive(Debug, Clone, Copy)]
pub struct Moment(pub SystemTime);

impl fmt::Display for Moment {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        match DateTime::from_system_time(self.0) {
            Ok(moment) => write!(formatter, "{moment}"),
            Err(_) => formatter.write_str("a date outside 1970..9999"),
        }
    }
}

/// Why bytes could not be read as a certificate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CertificateError {
    /// There are no bytes at all.
    Empty,
    /// The bytes (or the first PEM certificate) are no X.509 certificate;
    /// holds what the decoder said.
    NotX509(String),
    /// PEM text with no `CERTIFICATE` block; holds the labels of the blocks
    /// it does have.
    NoCertificateBlock(Vec<String>),
    /// A `CERTIFICATE` block whose PEM encoding is broken; holds what the
    /// decoder said.
    BadPem(String),
    /// Base64 text without PEM boundaries: encoded once too often, or the
    /// `-----BEGIN CERTIFICATE-----` line was lost.
    Base64Text,
}

impl fmt::Display for CertificateError {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CertificateError::Empty => formatter.write_str("the certificate data is empty"),
            CertificateError::NotX509(why) => write!(formatter, "not an X.509 certificate: {why}"),
            CertificateError::NoCertificateBlock(labels) if labels.is_empty() => {
                formatter.write_str("PEM text holds no CERTIFICATE block")
            }
            CertificateError::NoCertificateBlock(labels) => write!(
                formatter,
                "PEM text holds no CERTIFICATE block (only {})",
                labels.join(", ")
            ),
            CertificateError::BadPem(why) => {
                write!(
                    formatter,
                    "the PEM CERTIFICATE block does not decode: {why}"
                )
            }
            CertificateError::Base64Text => formatter.write_str(
                "the data is Base64 text, not a certificate: it was encoded twice, or it lacks \
                 its -----BEGIN CERTIFICATE----- and -----END CERTIFICATE----- lines",
            ),
        }
    }
}

impl std::error::Error for CertificateError {}

const BASIC_CONSTRAINTS: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.19");
const PEM_BEGIN: &[u8] = b"-----BEGIN ";
const PEM_END: &[u8] = b"-----END ";
const PEM_DASHES: &[u8] = b"-----";
const CERTIFICATE_LABEL: &str = "CERTIFICATE";

/// Reads one X.509 certificate from DER bytes, or from PEM text
/// (`-----BEGIN CERTIFICATE-----`), which devices also accept.
///
/// Whitespace around PEM blocks and text between them are ignored. When the
/// PEM holds several certificates, the first is read and
/// [`CertificateSummary::count`] says how many there are.
pub fn read_certificate(bytes: &[u8]) -> Result<CertificateSummary, CertificateError> {
    if bytes.trim_ascii().is_empty() {
        return Err(CertificateError::Empty);
    }
    // DER starts with a SEQUENCE tag, 0x30; trying it first keeps a DER
    // certificate that happens to hold the PEM marker from being taken for
    // text.
    if bytes.first() == Some(&0x30)
        && let Ok(certificate) = Certificate::from_der(bytes)
    {
        return summarise(&certificate, CertificateEncoding::Der, 1);
    }
    if find(bytes, PEM_BEGIN).is_some() {
        return read_pem(bytes);
    }
    if is_base64_text(bytes) {
        return Err(CertificateError::Base64Text);
    }
    let certificate =
        Certificate::from_der(bytes).map_err(|error| CertificateError::NotX509(describe(error)))?;
    summarise(&certificate, CertificateEncoding::Der, 1)
}

/// Reads every certificate in `bytes`: one DER certificate, or each
/// `CERTIFICATE` block of PEM text (other blocks, such as keys, are
/// skipped), in order.
#[cfg(feature = "signed")]
pub(crate) fn read_certificates(bytes: &[u8]) -> Result<Vec<Certificate>, CertificateError> {
    if bytes.trim_ascii().is_empty() {
        return Err(CertificateError::Empty);
    }
    if bytes.first() == Some(&0x30)
        && let Ok(certificate) = Certificate::from_der(bytes)
    {
        return Ok(vec![certificate]);
    }
    if find(bytes, PEM_BEGIN).is_none() {
        if is_base64_text(bytes) {
            return Err(CertificateError::Base64Text);
        }
        let certificate = Certificate::from_der(bytes)
            .map_err(|error| CertificateError::NotX509(describe(error)))?;
        return Ok(vec![certificate]);
    }
    let mut labels = Vec::new();
    let mut certificates = Vec::new();
    for block in pem_blocks(bytes) {
        match der::pem::decode_label(block) {
            Ok(CERTIFICATE_LABEL) => {
                let der = decode_pem_block(block)
                    .map_err(|error| CertificateError::BadPem(error.to_string()))?;
                certificates.push(
                    Certificate::from_der(&der)
                        .map_err(|error| CertificateError::NotX509(describe(error)))?,
                );
            }
            Ok(label) => labels.push(label.to_owned()),
            Err(error) => labels.push(format!("a block that does not decode ({error})")),
        }
    }
    if certificates.is_empty() {
        return Err(CertificateError::NoCertificateBlock(labels));
    }
    Ok(certificates)
}

fn read_pem(text: &[u8]) -> Result<CertificateSummary, CertificateError> {
    let mut labels = Vec::new();
    let mut certificates = Vec::new();
    for block in pem_blocks(text) {
        match der::pem::decode_label(block) {
            Ok(CERTIFICATE_LABEL) => certificates.push(block),
            Ok(label) => labels.push(label.to_owned()),
            Err(error) => labels.push(format!("a block that does not decode ({error})")),
        }
    }
    let Some(first) = certificates.first() else {
        return Err(CertificateError::NoCertificateBlock(labels));
    };
    let der =
        decode_pem_block(first).map_err(|error| CertificateError::BadPem(error.to_string()))?;
    let certificate =
        Certificate::from_der(&der).map_err(|error| CertificateError::NotX509(describe(error)))?;
    summarise(&certificate, CertificateEncoding::Pem, certificates.len())
}

/// Cuts PEM text into its blocks, each from its `-----BEGIN ` to the end of
/// its `-----END …-----`, for `pem-rfc7468` to decode one at a time (it
/// reads a single block). A block with no end runs to the end of the text,
/// so that the decoder reports it.
pub(crate) fn pem_blocks(text: &[u8]) -> Vec<&[u8]> {
    let mut blocks = Vec::new();
    let mut rest = text;
    while let Some(start) = find(rest, PEM_BEGIN) {
        let from_start = &rest[start..];
        let end = find(from_start, PEM_END)
            .and_then(|end| {
                let label_at = end + PEM_END.len();
                find(&from_start[label_at..], PEM_DASHES)
                    .map(|dashes| label_at + dashes + PEM_DASHES.len())
            })
            .unwrap_or(from_start.len());
        blocks.push(&from_start[..end]);
        rest = &from_start[end..];
    }
    blocks
}

/// Decodes one PEM block. RFC 7468 wraps lines at 64 columns, which the
/// decoder expects; blocks wrapped at another width (76, as MIME tools do,
/// or not at all) are decoded again at the width of their first line.
pub(crate) fn decode_pem_block(block: &[u8]) -> Result<Vec<u8>, der::pem::Error> {
    let error = match der::pem::decode_vec(block) {
        Ok((_, der)) => return Ok(der),
        Err(error) => error,
    };
    let mut lines = block
        .split(|byte| *byte == b'\n')
        .map(|line| line.strip_suffix(b"\r").unwrap_or(line));
    lines.find(|line| line.starts_with(PEM_BEGIN));
    let width = lines.next().map_or(0, <[u8]>::len);
    if width == 0 {
        return Err(error);
    }
    let mut der = Vec::new();
    der::pem::Decoder::new_wrapped(block, width)
        .and_then(|mut decoder| decoder.decode_to_end(&mut der).map(|_| ()))
        .map_err(|_| error)?;
    Ok(der)
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack
        .windows(needle.len())
        .position(|window| window == needle)
}

/// Whether the bytes look like Base64 text of some length (the Base64
/// alphabet and whitespace only), which DER never does: its first byte is
/// 0x30. Even a small certificate takes hundreds of characters.
fn is_base64_text(bytes: &[u8]) -> bool {
    bytes
        .iter()
        .filter(|byte| byte.is_ascii_alphanumeric())
        .count()
        >= 64
        && bytes.iter().all(|byte| {
            byte.is_ascii_alphanumeric()
                || matches!(byte, b'+' | b'/' | b'=' | b'-' | b'_')
                || byte.is_ascii_whitespace()
        })
}

pub(crate) fn summarise(
    certificate: &Certificate,
    encoding: CertificateEncoding,
    count: usize,
) -> Result<CertificateSummary, CertificateError> {
    let tbs = &certificate.tbs_certificate;
    let mut is_ca = false;
    let basic_constraints = tbs
        .extensions
        .iter()
        .flatten()
        .find(|extension| extension.extn_id == BASIC_CONSTRAINTS);
    if let Some(extension) = basic_constraints {
        let constraints =
            BasicConstraints::from_der(extension.extn_value.as_bytes()).map_err(|error| {
                CertificateError::NotX509(format!(
                    "its basic constraints extension does not decode: {}",
                    describe(error)
                ))
            })?;
        is_ca = constraints.ca;
    }
    Ok(CertificateSummary {
        encoding,
        count,
        subject: name_text(&tbs.subject)?,
        issuer: name_text(&tbs.issuer)?,
        is_ca,
        self_signed: tbs.subject == tbs.issuer,
        not_before: tbs.validity.not_before.to_system_time(),
        not_after: tbs.validity.not_after.to_system_time(),
    })
}

/// A name in RFC 4514 form, as `x509-cert` writes it.
fn name_text(name: &x509_cert::name::Name) -> Result<String, CertificateError> {
    use std::fmt::Write;
    // Written through `write!` rather than `to_string`, which would panic
    // if the formatting failed.
    let mut text = String::new();
    write!(text, "{name}")
        .map_err(|_| CertificateError::NotX509("a name in it cannot be written out".to_owned()))?;
    Ok(text)
}

/// What the DER decoder said, with a hint where one helps.
pub(super) fn describe(error: der::Error) -> String {
    match error.kind() {
        ErrorKind::IndefiniteLength => format!(
            "{error} (the data uses BER's indefinite lengths and this reader takes DER \
             only: export it again as DER, e.g. with openssl)"
        ),
        _ => error.to_string(),
    }
}
