//! Unwrapping a signed profile: the CMS `SignedData` around the plist, its
//! signer, and the check that the signature covers the content.

use std::time::SystemTime;

use cms::cert::CertificateChoices;
use cms::content_info::ContentInfo;
use cms::signed_data::{SignedData, SignerIdentifier, SignerInfo};
use x509_cert::Certificate;
use x509_cert::attr::Attribute;
use x509_cert::der::asn1::OctetString;
use x509_cert::der::oid::ObjectIdentifier;
use x509_cert::der::oid::db::rfc5911;
use x509_cert::der::{self, Decode, Encode};
use x509_cert::ext::pkix::SubjectKeyIdentifier;
use x509_cert::time::Time;

use super::algorithms::{self, DigestAlgorithm, Failure, SignatureAlgorithm, oid_text};
use super::ber;
use super::error::SignedError;
use crate::certificate::{CertificateEncoding, CertificateSummary};
use crate::io::MAX_INPUT_BYTES;

const SUBJECT_KEY_IDENTIFIER: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.14");

/// How the envelope was encoded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Encoding {
    /// DER: every length given up front.
    Der,
    /// BER with indefinite lengths or a content cut into pieces, as
    /// streaming signers write (`openssl cms -stream`, macOS `security
    /// cms`); read through its DER form.
    Ber,
}

/// What a signed profile's envelope says, once its signature has been
/// checked over the content: who signed, how, and with which certificates.
/// Whether the signer is trusted is a separate question, answered by
/// [`Envelope::check_trust`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Envelope {
    pub encoding: Encoding,
    /// The signer's certificate: subject, issuer, validity period.
    pub signer: CertificateSummary,
    /// The digest of the content (and of the signed attributes).
    pub digest: DigestAlgorithm,
    /// How the signature was made.
    pub signature: SignatureAlgorithm,
    /// Whether the signature covers signed attributes (which hold the
    /// content's digest) rather than the content itself.
    pub signed_attributes: bool,
    /// The signing time the signer states among its signed attributes, if
    /// it states one.
    pub signing_time: Option<SystemTime>,
    /// Every certificate the envelope carries, the signer's among them, in
    /// the envelope's (DER) order.
    pub certificates: Vec<CertificateSummary>,
    /// The same certificates, decoded, for building a chain.
    pub(crate) carried: Vec<Certificate>,
    /// Which of them is the signer's.
    pub(crate) signer_index: usize,
}

/// A signed profile's content, unwrapped, with what its envelope says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Opened {
    /// The bytes that were signed: the plist.
    pub content: Vec<u8>,
    pub envelope: Envelope,
}

/// Unwraps a signed profile: reads the envelope (DER, or BER with
/// indefinite lengths), finds its one signer's certificate among those it
/// carries, and checks that the signature covers the content: over the
/// signed attributes, whose message digest must be the content's, or over
/// the content itself when there are none.
///
/// The signer is not checked against any trust anchor here; see
/// [`Envelope::check_trust`]. Input over [`MAX_INPUT_BYTES`] is refused
/// before it is read.
pub fn open(bytes: &[u8]) -> Result<Opened, SignedError> {
    if bytes.len() > MAX_INPUT_BYTES {
        return Err(SignedError::Malformed {
            position: None,
            what: format!(
                "it is {} bytes; envelopes of more than {MAX_INPUT_BYTES} bytes are refused",
                bytes.len()
            ),
        });
    }
    let (der, was_ber) = ber::to_der(bytes).map_err(|error| SignedError::Malformed {
        position: Some(error.position),
        what: error.problem.to_string(),
    })?;
    let encoding = if was_ber {
        Encoding::Ber
    } else {
        Encoding::Der
    };
    let info =
        ContentInfo::from_der(&der).map_err(|error| malformed("its outer structure", error))?;
    if info.content_type != rfc5911::ID_SIGNED_DATA {
        return Err(SignedError::NotSignedData {
            content_type: content_type_text(info.content_type),
        });
    }
    let signed = info
        .content
        .decode_as::<SignedData>()
        .map_err(|error| malformed("its SignedData", error))?;
    let encapsulated = &signed.encap_content_info;
    if encapsulated.econtent_type != rfc5911::ID_DATA {
        return Err(SignedError::ContentNotData {
            content_type: content_type_text(encapsulated.econtent_type),
        });
    }
    let content = encapsulated
        .econtent
        .as_ref()
        .ok_or(SignedError::Detached)?
        .decode_as::<OctetString>()
        .map_err(|error| malformed("its content", error))?
        .into_bytes();
    let signer_infos = signed.signer_infos.0.as_slice();
    let [signer_info] = signer_infos else {
        return Err(SignedError::SignerCount {
            count: signer_infos.len(),
        });
    };

    let carried: Vec<Certificate> = signed
        .certificates
        .iter()
        .flat_map(|set| set.0.iter())
        .filter_map(|choice| match choice {
            CertificateChoices::Certificate(certificate) => Some(certificate.clone()),
            CertificateChoices::Other(_) => None,
        })
        .collect();
    let certificates = carried
        .iter()
        .map(|certificate| {
            crate::certificate::summarise(certificate, CertificateEncoding::Der, 1)
                .map_err(|error| SignedError::Certificate(error.to_string()))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let signer_index = carried
        .iter()
        .position(|certificate| identifies(&signer_info.sid, certificate))
        .ok_or_else(|| SignedError::SignerCertificateMissing {
            signer: signer_text(&signer_info.sid),
        })?;
    let signer = &carried[signer_index];

    let digest = DigestAlgorithm::from_oid(signer_info.digest_alg.oid).ok_or_else(|| {
        SignedError::Unsupported(format!(
            "the digest algorithm {}",
            oid_text(signer_info.digest_alg.oid)
        ))
    })?;
    let (message, signing_time) = match &signer_info.signed_attrs {
        Some(attributes) => {
            check_attributes(attributes.as_slice(), &content, digest)?;
            let signing_time = signing_time(attributes.as_slice())?;
            // The signature covers the DER form of the attributes as a SET.
            let der = attributes
                .to_der()
                .map_err(|error| malformed("its signed attributes", error))?;
            (der, signing_time)
        }
        None => (content.clone(), None),
    };
    let signature = verify_signer(
        signer_info,
        signer,
        &message,
        digest,
        &certificates[signer_index],
    )?;
    Ok(Opened {
        content,
        envelope: Envelope {
            encoding,
            signer: certificates[signer_index].clone(),
            digest,
            signature,
            signed_attributes: signer_info.signed_attrs.is_some(),
            signing_time,
            certificates,
            carried,
            signer_index,
        },
    })
}

fn malformed(what: &str, error: der::Error) -> SignedError {
    SignedError::Malformed {
        position: error
            .position()
            .and_then(|position| usize::try_from(position).ok()),
        what: format!("{what} does not decode ({})", error.kind()),
    }
}

/// The name of a CMS content type, with a word on what it means for a
/// profile where that helps.
fn content_type_text(oid: ObjectIdentifier) -> String {
    match oid {
        rfc5911::ID_ENVELOPED_DATA => {
            "envelopedData (an encrypted profile: decrypt it first)".to_owned()
        }
        rfc5911::ID_DATA => "plain data (id-data)".to_owned(),
        other => oid_text(other),
    }
}

/// Whether `certificate` is the one a signer identifier names.
fn identifies(sid: &SignerIdentifier, certificate: &Certificate) -> bool {
    let tbs = &certificate.tbs_certificate;
    match sid {
        SignerIdentifier::IssuerAndSerialNumber(id) => {
            tbs.issuer == id.issuer && tbs.serial_number == id.serial_number
        }
        SignerIdentifier::SubjectKeyIdentifier(wanted) => tbs
            .extensions
            .iter()
            .flatten()
            .filter(|extension| extension.extn_id == SUBJECT_KEY_IDENTIFIER)
            .filter_map(|extension| {
                SubjectKeyIdentifier::from_der(extension.extn_value.as_bytes()).ok()
            })
            .any(|found| found == *wanted),
    }
}

/// The signer as its identifier names it, for messages.
fn signer_text(sid: &SignerIdentifier) -> String {
    match sid {
        SignerIdentifier::IssuerAndSerialNumber(id) => {
            format!("serial {} issued by {}", id.serial_number, id.issuer)
        }
        SignerIdentifier::SubjectKeyIdentifier(id) => {
            let hex: String =
                id.0.as_bytes()
                    .iter()
                    .map(|byte| format!("{byte:02X}"))
                    .collect();
            format!("subject key identifier {hex}")
        }
    }
}

/// The one value of the signed attribute `oid`, or `None` when absent;
/// several attributes or values of that type are refused (RFC 5652, 11).
fn single_value<'a>(
    attributes: &'a [Attribute],
    oid: ObjectIdentifier,
    name: &'static str,
) -> Result<Option<&'a der::Any>, SignedError> {
    let mut found = attributes.iter().filter(|attribute| attribute.oid == oid);
    let Some(attribute) = found.next() else {
        return Ok(None);
    };
    if found.next().is_some() || attribute.values.len() != 1 {
        return Err(SignedError::BadAttribute {
            attribute: name,
            problem: "appears more than once or holds several values".to_owned(),
        });
    }
    Ok(attribute.values.iter().next())
}

/// Checks the content-type and message-digest attributes against the
/// content.
fn check_attributes(
    attributes: &[Attribute],
    content: &[u8],
    digest: DigestAlgorithm,
) -> Result<(), SignedError> {
    let missing = |attribute| SignedError::BadAttribute {
        attribute,
        problem: "is missing".to_owned(),
    };
    let content_type = single_value(attributes, rfc5911::ID_CONTENT_TYPE, "content-type")?
        .ok_or_else(|| missing("content-type"))?
        .decode_as::<ObjectIdentifier>()
        .map_err(|error| SignedError::BadAttribute {
            attribute: "content-type",
            problem: format!("does not decode ({})", error.kind()),
        })?;
    if content_type != rfc5911::ID_DATA {
        return Err(SignedError::BadAttribute {
            attribute: "content-type",
            problem: format!(
                "says {}, where the content is plain data (id-data)",
                oid_text(content_type)
            ),
        });
    }
    let signed_digest = single_value(attributes, rfc5911::ID_MESSAGE_DIGEST, "message-digest")?
        .ok_or_else(|| missing("message-digest"))?
        .decode_as::<OctetString>()
        .map_err(|error| SignedError::BadAttribute {
            attribute: "message-digest",
            problem: format!("does not decode ({})", error.kind()),
        })?;
    if signed_digest.as_bytes() != digest.digest(content).as_slice() {
        return Err(SignedError::ContentAltered {
            digest: digest.to_string(),
        });
    }
    Ok(())
}

/// The signing-time attribute, if there is one.
fn signing_time(attributes: &[Attribute]) -> Result<Option<SystemTime>, SignedError> {
    let Some(value) = single_value(attributes, rfc5911::ID_SIGNING_TIME, "signing-time")? else {
        return Ok(None);
    };
    let time = value
        .to_der()
        .and_then(|der| Time::from_der(&der))
        .map_err(|error| SignedError::BadAttribute {
            attribute: "signing-time",
            problem: format!("does not decode ({})", error.kind()),
        })?;
    Ok(Some(time.to_system_time()))
}

/// Checks the signer's signature over `message` with its certificate's key.
fn verify_signer(
    signer_info: &SignerInfo,
    signer: &Certificate,
    message: &[u8],
    digest: DigestAlgorithm,
    summary: &CertificateSummary,
) -> Result<SignatureAlgorithm, SignedError> {
    let key = &signer.tbs_certificate.subject_public_key_info;
    let algorithm = &signer_info.signature_algorithm;
    algorithms::verify(
        key,
        algorithm,
        Some(digest),
        message,
        signer_info.signature.as_bytes(),
    )
    .map_err(|failure| match failure {
        Failure::Unsupported(what) => SignedError::Unsupported(what),
        Failure::BadKey(why) => SignedError::BadKey(why),
        Failure::Mismatch => SignedError::SignatureMismatch {
            signer: summary.subject.clone(),
            algorithm: oid_text(algorithm.oid),
        },
    })
}
