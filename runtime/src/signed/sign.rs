//! Signing a profile: a CMS `SignedData` around the XML plist, made by
//! `cms`'s builder, signed with an RSA or ECDSA key.

use std::fmt;
use std::time::SystemTime;

use cms::builder::{SignedDataBuilder, SignerInfoBuilder};
use cms::cert::{CertificateChoices, IssuerAndSerialNumber};
use cms::signed_data::{EncapsulatedContentInfo, SignerIdentifier};
use rsa::pkcs1::{DecodeRsaPrivateKey, DecodeRsaPublicKey};
use rsa::pkcs8::{DecodePrivateKey, PrivateKeyInfo};
use rsa::{RsaPrivateKey, RsaPublicKey};
use signature::hazmat::PrehashSigner;
use signature::{Keypair, Signer};
use spki::{
    AlgorithmIdentifierOwned, DynSignatureAlgorithmIdentifier, ObjectIdentifier,
    SignatureBitStringEncoding,
};
use x509_cert::Certificate;
use x509_cert::attr::Attribute;
use x509_cert::der::asn1::{BitString, OctetString, SetOfVec};
use x509_cert::der::oid::db::rfc5911;
use x509_cert::der::{Any, Decode, Encode};
use x509_cert::time::Time;
use zeroize::Zeroizing;

use super::algorithms::{self, Curve, DigestAlgorithm, oid_text};
use super::is_envelope;
use crate::certificate::{
    CertificateError, CertificateSummary, Pkcs12Error, decode_pem_block, open_pkcs12_identity,
    pem_blocks, read_certificates,
};
use crate::io::ReadError;

const SECP256R1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.3.1.7");
const SECP384R1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.132.0.34");

/// How to sign.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct SignOptions {
    /// The digest of the content and of the signed attributes: SHA-256
    /// unless set. SHA-1 is refused.
    pub digest: DigestAlgorithm,
    /// The signing time to state; the current time when `None`.
    pub signing_time: Option<SystemTime>,
}

impl SignOptions {
    /// These options with another digest.
    pub fn with_digest(mut self, digest: DigestAlgorithm) -> Self {
        self.digest = digest;
        self
    }

    /// These options with a given signing time.
    pub fn with_signing_time(mut self, moment: SystemTime) -> Self {
        self.signing_time = Some(moment);
        self
    }
}

impl Default for SignOptions {
    fn default() -> Self {
        SignOptions {
            digest: DigestAlgorithm::Sha256,
            signing_time: None,
        }
    }
}

/// Why a profile could not be signed. No variant holds key material or a
/// password.
#[derive(Clone, Debug, PartialEq)]
pub enum SignError {
    /// The bytes to sign are not a profile (a plist dictionary).
    NotAProfile(ReadError),
    /// The bytes are already a signed envelope.
    AlreadySigned,
    /// The certificates do not read.
    Certificate(CertificateError),
    /// The PEM text holds no private key; holds the labels it does have.
    NoPrivateKey(Vec<String>),
    /// The private key is encrypted (`ENCRYPTED PRIVATE KEY`).
    EncryptedKey,
    /// The private key does not decode; says as which form.
    BadKey(&'static str),
    /// A kind of key this signer does not use (names it).
    UnsupportedKey(String),
    /// None of the certificates holds the private key's public key.
    NoCertificateForKey,
    /// The PKCS#12 does not open or holds no identity.
    Pkcs12(Pkcs12Error),
    /// SHA-1 was asked for; it is no longer safe for new signatures.
    WeakDigest,
    /// The envelope could not be assembled; what the builder said.
    Build(String),
}

impl fmt::Display for SignError {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SignError::NotAProfile(error) => write!(formatter, "not a profile to sign: {error}"),
            SignError::AlreadySigned => formatter
                .write_str("the profile is already signed; sign its unwrapped content instead"),
            SignError::Certificate(error) => write!(formatter, "the signer's certificate: {error}"),
            SignError::NoPrivateKey(labels) if labels.is_empty() => {
                formatter.write_str("the key file holds no PEM private key")
            }
            SignError::NoPrivateKey(labels) => write!(
                formatter,
                "the key file holds no PEM private key (only {})",
                labels.join(", ")
            ),
            SignError::EncryptedKey => formatter.write_str(
                "the private key is encrypted: decrypt it first (openssl pkey), or give a \
                 PKCS#12 identity with its password",
            ),
            SignError::BadKey(form) => {
                write!(formatter, "the private key does not decode as {form}")
            }
            SignError::UnsupportedKey(kind) => write!(
                formatter,
                "the private key is {kind}; RSA and ECDSA P-256 or P-384 keys sign profiles"
            ),
            SignError::NoCertificateForKey => formatter.write_str(
                "none of the certificates holds the private key's public key: they do not go \
                 together",
            ),
            SignError::Pkcs12(error) => write!(formatter, "the signing identity: {error}"),
            SignError::WeakDigest => {
                formatter.write_str("SHA-1 is not used for new signatures: choose SHA-256 or more")
            }
            SignError::Build(why) => write!(formatter, "the envelope could not be made: {why}"),
        }
    }
}

impl std::error::Error for SignError {}

/// A private key that signs profiles. Wiped when dropped (the key types do
/// it themselves).
enum PrivateKey {
    Rsa(Box<RsaPrivateKey>),
    P256(p256::ecdsa::SigningKey),
    P384(p384::ecdsa::SigningKey),
}

impl PrivateKey {
    /// A PKCS#8 `PrivateKeyInfo` in DER.
    fn from_pkcs8(der: &[u8]) -> Result<PrivateKey, SignError> {
        let bad = || SignError::BadKey("a PKCS#8 private key");
        let info = PrivateKeyInfo::from_der(der).map_err(|_| bad())?;
        let algorithm = info.algorithm.oid;
        if algorithm == algorithms::RSA_ENCRYPTION {
            return RsaPrivateKey::from_pkcs8_der(der)
                .map(|key| PrivateKey::Rsa(Box::new(key)))
                .map_err(|_| bad());
        }
        if algorithm != algorithms::EC_PUBLIC_KEY {
            return Err(SignError::UnsupportedKey(format!(
                "a {} key",
                oid_text(algorithm)
            )));
        }
        match info.algorithm.parameters_oid().ok() {
            Some(SECP256R1) => p256::SecretKey::from_pkcs8_der(der)
                .map(|key| PrivateKey::P256(key.into()))
                .map_err(|_| bad()),
            Some(SECP384R1) => p384::SecretKey::from_pkcs8_der(der)
                .map(|key| PrivateKey::P384(key.into()))
                .map_err(|_| bad()),
            Some(other) => Err(SignError::UnsupportedKey(format!(
                "an EC key on the curve {}",
                oid_text(other)
            ))),
            None => Err(bad()),
        }
    }

    /// A SEC1 `ECPrivateKey` in DER (`EC PRIVATE KEY`), on P-256 or P-384.
    fn from_sec1(der: &[u8]) -> Result<PrivateKey, SignError> {
        if let Ok(key) = p256::SecretKey::from_sec1_der(der) {
            return Ok(PrivateKey::P256(key.into()));
        }
        p384::SecretKey::from_sec1_der(der)
            .map(|key| PrivateKey::P384(key.into()))
            .map_err(|_| SignError::BadKey("a SEC1 EC private key on P-256 or P-384"))
    }

    /// Whether `certificate` holds this key's public key.
    fn matches(&self, certificate: &Certificate) -> bool {
        let Some(public) = certificate
            .tbs_certificate
            .subject_public_key_info
            .subject_public_key
            .as_bytes()
        else {
            return false;
        };
        match self {
            PrivateKey::Rsa(key) => RsaPublicKey::from_pkcs1_der(public)
                .is_ok_and(|public| public == RsaPublicKey::from(key.as_ref())),
            PrivateKey::P256(key) => p256::ecdsa::VerifyingKey::from_sec1_bytes(public)
                .is_ok_and(|public| public == *key.verifying_key()),
            PrivateKey::P384(key) => p384::ecdsa::VerifyingKey::from_sec1_bytes(public)
                .is_ok_and(|public| public == *key.verifying_key()),
        }
    }

    fn kind(&self) -> String {
        match self {
            PrivateKey::Rsa(key) => {
                use rsa::traits::PublicKeyParts;
                format!("RSA {}-bit", key.n().bits())
            }
            PrivateKey::P256(_) => format!("ECDSA {}", Curve::P256),
            PrivateKey::P384(_) => format!("ECDSA {}", Curve::P384),
        }
    }
}

/// A signer's private key with its certificate and the certificates that
/// chain it to a root, all of which go into the envelope. Its `Debug` shows
/// the certificate and the kind of key, never the key.
pub struct SigningIdentity {
    certificate: Certificate,
    chain: Vec<Certificate>,
    key: PrivateKey,
}

impl fmt::Debug for SigningIdentity {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter
            .debug_struct("SigningIdentity")
            .field(
                "certificate",
                &self.certificate.tbs_certificate.subject.to_string(),
            )
            .field("chain", &self.chain.len())
            .field("key", &format_args!("<{} key, redacted>", self.key.kind()))
            .finish()
    }
}

impl SigningIdentity {
    /// An identity from PEM text: `certificates` holds the signer's
    /// certificate and any chain certificates (`CERTIFICATE` blocks, or one
    /// DER certificate); `key` holds the private key as PKCS#8 (`PRIVATE
    /// KEY`), PKCS#1 (`RSA PRIVATE KEY`) or SEC1 (`EC PRIVATE KEY`). The
    /// signer's certificate is the one holding the key's public key,
    /// wherever it stands; the others form the chain. One file may hold
    /// both, passed twice.
    pub fn from_pem(certificates: &[u8], key: &[u8]) -> Result<SigningIdentity, SignError> {
        let certificates = read_certificates(certificates).map_err(SignError::Certificate)?;
        let key = read_pem_key(key)?;
        SigningIdentity::pair(key, certificates)
    }

    /// An identity from a PKCS#12 file (`.p12`) and its password: its
    /// private key, the certificate that goes with it, and its other
    /// certificates as the chain.
    pub fn from_pkcs12(bytes: &[u8], password: &str) -> Result<SigningIdentity, SignError> {
        let identity = open_pkcs12_identity(bytes, password).map_err(SignError::Pkcs12)?;
        let key = PrivateKey::from_pkcs8(&identity.key)?;
        let mut certificates = vec![identity.certificate];
        certificates.extend(identity.others);
        SigningIdentity::pair(key, certificates)
    }

    fn pair(key: PrivateKey, mut certificates: Vec<Certificate>) -> Result<Self, SignError> {
        let index = certificates
            .iter()
            .position(|certificate| key.matches(certificate))
            .ok_or(SignError::NoCertificateForKey)?;
        let certificate = certificates.remove(index);
        Ok(SigningIdentity {
            certificate,
            chain: certificates,
            key,
        })
    }

    /// The signer's certificate.
    pub fn certificate(&self) -> Result<CertificateSummary, CertificateError> {
        crate::certificate::summarise(
            &self.certificate,
            crate::certificate::CertificateEncoding::Der,
            1,
        )
    }
}

/// The first private key in PEM text.
fn read_pem_key(text: &[u8]) -> Result<PrivateKey, SignError> {
    let mut labels = Vec::new();
    for block in pem_blocks(text) {
        let Ok(label) = x509_cert::der::pem::decode_label(block) else {
            continue;
        };
        let decode = |form| {
            decode_pem_block(block)
                .map(Zeroizing::new)
                .map_err(|_| SignError::BadKey(form))
        };
        match label {
            "PRIVATE KEY" => return PrivateKey::from_pkcs8(&decode("a PKCS#8 private key")?),
            "RSA PRIVATE KEY" => {
                return RsaPrivateKey::from_pkcs1_der(&decode("a PKCS#1 RSA private key")?)
                    .map(|key| PrivateKey::Rsa(Box::new(key)))
                    .map_err(|_| SignError::BadKey("a PKCS#1 RSA private key"));
            }
            "EC PRIVATE KEY" => return PrivateKey::from_sec1(&decode("a SEC1 EC private key")?),
            "ENCRYPTED PRIVATE KEY" => return Err(SignError::EncryptedKey),
            other => labels.push(other.to_owned()),
        }
    }
    Err(SignError::NoPrivateKey(labels))
}

/// Signs a profile: `profile` must be a plist dictionary, XML or binary
/// (a binary one is written out as XML first, which is what devices expect
/// inside an envelope); XML is signed exactly as given. Returns the
/// envelope in DER.
pub fn sign_profile(
    profile: &[u8],
    identity: &SigningIdentity,
    options: &SignOptions,
) -> Result<Vec<u8>, SignError> {
    if is_envelope(profile) {
        return Err(SignError::AlreadySigned);
    }
    let value = crate::io::parse(profile).map_err(SignError::NotAProfile)?;
    if value.as_dictionary().is_none() {
        return Err(SignError::NotAProfile(ReadError::NotADictionary {
            found: crate::io::with_article(&value),
        }));
    }
    if profile.starts_with(b"bplist") {
        let mut xml = Vec::new();
        value
            .to_writer_xml(&mut xml)
            .map_err(|error| SignError::Build(error.to_string()))?;
        sign(&xml, identity, options)
    } else {
        sign(profile, identity, options)
    }
}

/// Signs `content` as it is: a CMS `SignedData` (DER) holding the content,
/// the signer's certificate and its chain, and one signer whose signed
/// attributes state the content type, the content's digest and the signing
/// time. RSA keys sign with PKCS#1 v1.5 padding, EC keys with ECDSA.
pub fn sign(
    content: &[u8],
    identity: &SigningIdentity,
    options: &SignOptions,
) -> Result<Vec<u8>, SignError> {
    if options.digest == DigestAlgorithm::Sha1 {
        return Err(SignError::WeakDigest);
    }
    let build = |error: &dyn fmt::Display| SignError::Build(error.to_string());
    let econtent = OctetString::new(content.to_vec()).map_err(|error| build(&error))?;
    let encapsulated = EncapsulatedContentInfo {
        econtent_type: rfc5911::ID_DATA,
        econtent: Some(Any::encode_from(&econtent).map_err(|error| build(&error))?),
    };
    let digest_algorithm = AlgorithmIdentifierOwned {
        oid: options.digest.oid(),
        parameters: None,
    };
    let tbs = &identity.certificate.tbs_certificate;
    let signer_id = SignerIdentifier::IssuerAndSerialNumber(IssuerAndSerialNumber {
        issuer: tbs.issuer.clone(),
        serial_number: tbs.serial_number.clone(),
    });
    let signer = KeySigner {
        key: &identity.key,
        digest: options.digest,
    };
    let mut signer_info = SignerInfoBuilder::new(
        &signer,
        signer_id,
        digest_algorithm.clone(),
        &encapsulated,
        None,
    )
    .map_err(|error| build(&error))?;
    let moment = options.signing_time.unwrap_or_else(SystemTime::now);
    signer_info
        .add_signed_attribute(signing_time(moment).map_err(|error| build(&error))?)
        .map_err(|error| build(&error))?;
    let mut signed = SignedDataBuilder::new(&encapsulated);
    signed
        .add_digest_algorithm(digest_algorithm)
        .map_err(|error| build(&error))?;
    for certificate in std::iter::once(&identity.certificate).chain(&identity.chain) {
        signed
            .add_certificate(CertificateChoices::Certificate(certificate.clone()))
            .map_err(|error| build(&error))?;
    }
    signed
        .add_signer_info::<_, RawSignature>(signer_info)
        .map_err(|error| build(&error))?;
    signed
        .build()
        .map_err(|error| build(&error))?
        .to_der()
        .map_err(|error| build(&error))
}

/// The signing-time attribute (RFC 5652, 11.3): UTCTime until 2049,
/// GeneralizedTime after.
fn signing_time(moment: SystemTime) -> x509_cert::der::Result<Attribute> {
    let time = Time::try_from(moment)?;
    let mut values = SetOfVec::new();
    values.insert(Any::encode_from(&time)?)?;
    Ok(Attribute {
        oid: rfc5911::ID_SIGNING_TIME,
        values,
    })
}

/// The key as `cms`'s builder takes a signer: it names its algorithm and
/// signs the signed attributes' DER, hashing them with the envelope's
/// digest (what verifiers, OpenSSL among them, hash them with).
struct KeySigner<'a> {
    key: &'a PrivateKey,
    digest: DigestAlgorithm,
}

/// A signature's bytes, as the builder puts them in the envelope.
struct RawSignature(Vec<u8>);

impl SignatureBitStringEncoding for RawSignature {
    fn to_bitstring(&self) -> x509_cert::der::Result<BitString> {
        BitString::from_bytes(&self.0)
    }
}

impl Keypair for KeySigner<'_> {
    // The builder asks for the trait but not for the key.
    type VerifyingKey = ();

    fn verifying_key(&self) {}
}

impl DynSignatureAlgorithmIdentifier for KeySigner<'_> {
    fn signature_algorithm_identifier(&self) -> spki::Result<AlgorithmIdentifierOwned> {
        // RSA is named `rsaEncryption` with NULL parameters, as OpenSSL and
        // Apple's tools write it; ECDSA by the digest it signs.
        Ok(match self.key {
            PrivateKey::Rsa(_) => AlgorithmIdentifierOwned {
                oid: algorithms::RSA_ENCRYPTION,
                parameters: Some(Any::from(x509_cert::der::asn1::Null)),
            },
            PrivateKey::P256(_) | PrivateKey::P384(_) => AlgorithmIdentifierOwned {
                oid: match self.digest {
                    DigestAlgorithm::Sha1 => algorithms::ECDSA_WITH_SHA1,
                    DigestAlgorithm::Sha256 => algorithms::ECDSA_WITH_SHA256,
                    DigestAlgorithm::Sha384 => algorithms::ECDSA_WITH_SHA384,
                    DigestAlgorithm::Sha512 => algorithms::ECDSA_WITH_SHA512,
                },
                parameters: None,
            },
        })
    }
}

impl Signer<RawSignature> for KeySigner<'_> {
    fn try_sign(&self, message: &[u8]) -> Result<RawSignature, signature::Error> {
        let hashed = self.digest.digest(message);
        Ok(RawSignature(match self.key {
            // Blinded with random numbers, against timing attacks.
            PrivateKey::Rsa(key) => key
                .sign_with_rng(
                    &mut rand_core::OsRng,
                    algorithms::pkcs1_padding(self.digest),
                    &hashed,
                )
                .map_err(signature::Error::from_source)?,
            PrivateKey::P256(key) => {
                let signature: p256::ecdsa::Signature = key.sign_prehash(&hashed)?;
                signature.to_der().as_bytes().to_vec()
            }
            PrivateKey::P384(key) => {
                let signature: p384::ecdsa::Signature = key.sign_prehash(&hashed)?;
                signature.to_der().as_bytes().to_vec()
            }
        }))
    }
}
