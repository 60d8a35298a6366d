//! The digest and signature algorithms a signed profile may use, and the
//! one place a signature is checked against a public key: the envelope's
//! own signature and each certificate's in a chain go through [`verify`].
//!
//! Checked: RSA with PKCS#1 v1.5 or PSS padding (keys of up to 4096 bits,
//! the `rsa` crate's limit) and ECDSA on P-256 and P-384, with SHA-1,
//! SHA-256, SHA-384 or SHA-512.

use std::fmt;

use rsa::pkcs1::{DecodeRsaPublicKey, RsaPssParams};
use rsa::{Pkcs1v15Sign, Pss, RsaPublicKey};
use sha2::Digest;
use signature::hazmat::PrehashVerifier;
use spki::{AlgorithmIdentifierOwned, ObjectIdentifier, SubjectPublicKeyInfoOwned};
use x509_cert::der::Encode;
use x509_cert::der::oid::db::{DB, rfc5912};

pub(crate) const RSA_ENCRYPTION: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");
pub(crate) const SHA1_WITH_RSA: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.5");
pub(crate) const RSASSA_PSS: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.10");
pub(crate) const SHA256_WITH_RSA: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.11");
pub(crate) const SHA384_WITH_RSA: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.12");
pub(crate) const SHA512_WITH_RSA: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.13");
const MGF1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.8");
pub(crate) const EC_PUBLIC_KEY: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");
pub(crate) const ECDSA_WITH_SHA1: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.10045.4.1");
pub(crate) const ECDSA_WITH_SHA256: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.10045.4.3.2");
pub(crate) const ECDSA_WITH_SHA384: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.10045.4.3.3");
pub(crate) const ECDSA_WITH_SHA512: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.10045.4.3.4");
const SECP256R1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.3.1.7");
const SECP384R1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.132.0.34");

/// A digest algorithm: what the content (or the signed attributes) is
/// hashed with.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DigestAlgorithm {
    /// SHA-1: still read, since old profiles use it; never written.
    Sha1,
    /// SHA-256: what [`sign`](super::sign) uses unless told otherwise.
    Sha256,
    Sha384,
    Sha512,
}

impl DigestAlgorithm {
    /// The algorithm an object identifier names, if it is one of these.
    pub fn from_oid(oid: ObjectIdentifier) -> Option<DigestAlgorithm> {
        Some(match oid {
            rfc5912::ID_SHA_1 => DigestAlgorithm::Sha1,
            rfc5912::ID_SHA_256 => DigestAlgorithm::Sha256,
            rfc5912::ID_SHA_384 => DigestAlgorithm::Sha384,
            rfc5912::ID_SHA_512 => DigestAlgorithm::Sha512,
            _ => return None,
        })
    }

    /// Its object identifier.
    pub fn oid(self) -> ObjectIdentifier {
        match self {
            DigestAlgorithm::Sha1 => rfc5912::ID_SHA_1,
            DigestAlgorithm::Sha256 => rfc5912::ID_SHA_256,
            DigestAlgorithm::Sha384 => rfc5912::ID_SHA_384,
            DigestAlgorithm::Sha512 => rfc5912::ID_SHA_512,
        }
    }

    /// The digest of `data`.
    pub fn digest(self, data: &[u8]) -> Vec<u8> {
        match self {
            DigestAlgorithm::Sha1 => sha1::Sha1::digest(data).to_vec(),
            DigestAlgorithm::Sha256 => sha2::Sha256::digest(data).to_vec(),
            DigestAlgorithm::Sha384 => sha2::Sha384::digest(data).to_vec(),
            DigestAlgorithm::Sha512 => sha2::Sha512::digest(data).to_vec(),
        }
    }

    fn name(self) -> &'static str {
        match self {
            DigestAlgorithm::Sha1 => "SHA-1",
            DigestAlgorithm::Sha256 => "SHA-256",
            DigestAlgorithm::Sha384 => "SHA-384",
            DigestAlgorithm::Sha512 => "SHA-512",
        }
    }
}

impl fmt::Display for DigestAlgorithm {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(self.name())
    }
}

/// An elliptic curve that ECDSA keys here may be on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Curve {
    P256,
    P384,
}

impl fmt::Display for Curve {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(match self {
            Curve::P256 => "P-256",
            Curve::P384 => "P-384",
        })
    }
}

/// How a signature was made: the key's kind, its padding or curve, and the
/// digest the signature covers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SignatureAlgorithm {
    /// RSA with PKCS#1 v1.5 padding.
    RsaPkcs1v15 { digest: DigestAlgorithm },
    /// RSA with PSS padding, MGF1 over the same digest.
    RsaPss {
        digest: DigestAlgorithm,
        /// The salt's length in bytes.
        salt_length: usize,
    },
    /// ECDSA.
    Ecdsa {
        curve: Curve,
        digest: DigestAlgorithm,
    },
}

impl fmt::Display for SignatureAlgorithm {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SignatureAlgorithm::RsaPkcs1v15 { digest } => {
                write!(formatter, "RSA PKCS#1 v1.5 with {digest}")
            }
            SignatureAlgorithm::RsaPss {
                digest,
                salt_length,
            } => write!(
                formatter,
                "RSA-PSS with {digest} (salt of {salt_length} bytes)"
            ),
            SignatureAlgorithm::Ecdsa { curve, digest } => {
                write!(formatter, "ECDSA {curve} with {digest}")
            }
        }
    }
}

/// Why a signature could not be checked, or did not hold.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Failure {
    /// An algorithm, parameter or key kind not handled here; says which.
    Unsupported(String),
    /// The public key does not decode.
    BadKey(String),
    /// The signature does not verify with the key.
    Mismatch,
}

/// "1.2.3.4 (name)" where the OID database knows a name.
pub(crate) fn oid_text(oid: ObjectIdentifier) -> String {
    match DB.by_oid(&oid) {
        Some(name) => format!("{oid} ({name})"),
        None => oid.to_string(),
    }
}

/// Reads which signature algorithm `algorithm` names. `digest` is the
/// digest to use when the identifier names none (a bare `rsaEncryption` or
/// `id-ecPublicKey`, as CMS signers may write); the curve is left to the
/// key and filled in by [`verify`].
fn scheme(
    algorithm: &AlgorithmIdentifierOwned,
    digest: Option<DigestAlgorithm>,
) -> Result<SignatureAlgorithm, Failure> {
    let needs_digest = || {
        digest.ok_or_else(|| {
            Failure::Unsupported(format!(
                "the signature algorithm {} names no digest",
                oid_text(algorithm.oid)
            ))
        })
    };
    let pkcs1 = |digest| SignatureAlgorithm::RsaPkcs1v15 { digest };
    let ecdsa = |digest| SignatureAlgorithm::Ecdsa {
        curve: Curve::P256,
        digest,
    };
    Ok(match algorithm.oid {
        RSA_ENCRYPTION => pkcs1(needs_digest()?),
        SHA1_WITH_RSA => pkcs1(DigestAlgorithm::Sha1),
        SHA256_WITH_RSA => pkcs1(DigestAlgorithm::Sha256),
        SHA384_WITH_RSA => pkcs1(DigestAlgorithm::Sha384),
        SHA512_WITH_RSA => pkcs1(DigestAlgorithm::Sha512),
        RSASSA_PSS => pss(algorithm)?,
        EC_PUBLIC_KEY => ecdsa(needs_digest()?),
        ECDSA_WITH_SHA1 => ecdsa(DigestAlgorithm::Sha1),
        ECDSA_WITH_SHA256 => ecdsa(DigestAlgorithm::Sha256),
        ECDSA_WITH_SHA384 => ecdsa(DigestAlgorithm::Sha384),
        ECDSA_WITH_SHA512 => ecdsa(DigestAlgorithm::Sha512),
        other => {
            return Err(Failure::Unsupported(format!(
                "the signature algorithm {}",
                oid_text(other)
            )));
        }
    })
}

/// The parameters of an RSA-PSS signature. The `rsa` crate masks with MGF1
/// over the signature's own digest, so another mask digest is refused.
fn pss(algorithm: &AlgorithmIdentifierOwned) -> Result<SignatureAlgorithm, Failure> {
    fn undecodable(error: impl fmt::Display) -> Failure {
        Failure::Unsupported(format!("RSA-PSS parameters that do not decode ({error})"))
    }
    let der = match &algorithm.parameters {
        Some(any) => Some(any.to_der().map_err(undecodable)?),
        None => None,
    };
    let params = match &der {
        Some(der) => RsaPssParams::try_from(der.as_slice()).map_err(undecodable)?,
        None => RsaPssParams::default(),
    };
    let digest = DigestAlgorithm::from_oid(params.hash.oid).ok_or_else(|| {
        Failure::Unsupported(format!("RSA-PSS with {}", oid_text(params.hash.oid)))
    })?;
    let mask_digest = params.mask_gen.parameters.map(|hash| hash.oid);
    if params.mask_gen.oid != MGF1 || mask_digest != Some(digest.oid()) {
        return Err(Failure::Unsupported(format!(
            "RSA-PSS whose mask generation ({}) differs from MGF1 with {digest}",
            oid_text(params.mask_gen.oid)
        )));
    }
    Ok(SignatureAlgorithm::RsaPss {
        digest,
        salt_length: usize::from(params.salt_len),
    })
}

/// Checks `signature` over `message` with the public key `key`, by the
/// algorithm `algorithm` names (`digest` filling in when it names none), and
/// says which algorithm that was.
pub(crate) fn verify(
    key: &SubjectPublicKeyInfoOwned,
    algorithm: &AlgorithmIdentifierOwned,
    digest: Option<DigestAlgorithm>,
    message: &[u8],
    signature: &[u8],
) -> Result<SignatureAlgorithm, Failure> {
    let scheme = scheme(algorithm, digest)?;
    let key_bytes = key.subject_public_key.as_bytes().ok_or_else(|| {
        Failure::BadKey("the public key is not a whole number of bytes".to_owned())
    })?;
    match scheme {
        SignatureAlgorithm::RsaPkcs1v15 { digest } | SignatureAlgorithm::RsaPss { digest, .. } => {
            if key.algorithm.oid != RSA_ENCRYPTION && key.algorithm.oid != RSASSA_PSS {
                return Err(Failure::Unsupported(format!(
                    "an RSA signature made with a {} key",
                    oid_text(key.algorithm.oid)
                )));
            }
            // Refuses keys over 4096 bits, which also bounds the work.
            let public = RsaPublicKey::from_pkcs1_der(key_bytes).map_err(|error| {
                Failure::BadKey(format!("an RSA key that does not read ({error})"))
            })?;
            let hashed = digest.digest(message);
            let outcome = match scheme {
                SignatureAlgorithm::RsaPss { salt_length, .. } => {
                    public.verify(pss_padding(digest, salt_length), &hashed, signature)
                }
                _ => public.verify(pkcs1_padding(digest), &hashed, signature),
            };
            outcome.map_err(|_| Failure::Mismatch)?;
            Ok(scheme)
        }
        SignatureAlgorithm::Ecdsa { digest, .. } => {
            if key.algorithm.oid != EC_PUBLIC_KEY {
                return Err(Failure::Unsupported(format!(
                    "an ECDSA signature made with a {} key",
                    oid_text(key.algorithm.oid)
                )));
            }
            let curve = key
                .algorithm
                .parameters
                .as_ref()
                .and_then(|parameters| parameters.decode_as::<ObjectIdentifier>().ok());
            let hashed = digest.digest(message);
            let curve = match curve {
                Some(SECP256R1) => {
                    let public =
                        p256::ecdsa::VerifyingKey::from_sec1_bytes(key_bytes).map_err(|_| {
                            Failure::BadKey("a P-256 key that does not read".to_owned())
                        })?;
                    let signature = p256::ecdsa::Signature::from_der(signature)
                        .map_err(|_| Failure::Mismatch)?;
                    public
                        .verify_prehash(&hashed, &signature)
                        .map_err(|_| Failure::Mismatch)?;
                    Curve::P256
                }
                Some(SECP384R1) => {
                    let public =
                        p384::ecdsa::VerifyingKey::from_sec1_bytes(key_bytes).map_err(|_| {
                            Failure::BadKey("a P-384 key that does not read".to_owned())
                        })?;
                    let signature = p384::ecdsa::Signature::from_der(signature)
                        .map_err(|_| Failure::Mismatch)?;
                    public
                        .verify_prehash(&hashed, &signature)
                        .map_err(|_| Failure::Mismatch)?;
                    Curve::P384
                }
                Some(other) => {
                    return Err(Failure::Unsupported(format!(
                        "ECDSA on the curve {}",
                        oid_text(other)
                    )));
                }
                None => {
                    return Err(Failure::Unsupported(
                        "an EC key that does not name its curve".to_owned(),
                    ));
                }
            };
            Ok(SignatureAlgorithm::Ecdsa { curve, digest })
        }
    }
}

pub(crate) fn pkcs1_padding(digest: DigestAlgorithm) -> Pkcs1v15Sign {
    match digest {
        DigestAlgorithm::Sha1 => Pkcs1v15Sign::new::<sha1::Sha1>(),
        DigestAlgorithm::Sha256 => Pkcs1v15Sign::new::<sha2::Sha256>(),
        DigestAlgorithm::Sha384 => Pkcs1v15Sign::new::<sha2::Sha384>(),
        DigestAlgorithm::Sha512 => Pkcs1v15Sign::new::<sha2::Sha512>(),
    }
}

fn pss_padding(digest: DigestAlgorithm, salt_length: usize) -> Pss {
    match digest {
        DigestAlgorithm::Sha1 => Pss::new_with_salt::<sha1::Sha1>(salt_length),
        DigestAlgorithm::Sha256 => Pss::new_with_salt::<sha2::Sha256>(salt_length),
        DigestAlgorithm::Sha384 => Pss::new_with_salt::<sha2::Sha384>(salt_length),
        DigestAlgorithm::Sha512 => Pss::new_with_salt::<sha2::Sha512>(salt_length),
    }
}
