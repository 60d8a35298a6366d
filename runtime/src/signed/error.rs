//! Why a signed profile could not be read: compiled in every build, so that
//! [`ReadError`](crate::io::ReadError) has the same variants whether or not
//! the `signed` feature is on.

use std::fmt;

/// Why bytes that look like a signed profile (a CMS envelope) could not be
/// unwrapped, or why its signature does not hold.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SignedError {
    /// The crate was built without the `signed` feature, so signed profiles
    /// are recognised but not read.
    NotBuilt,
    /// The envelope is damaged: its bytes are not the structure they
    /// should be. `position` is the byte offset where the problem was found,
    /// when known (in the DER form of the envelope, which for DER input is
    /// the input itself).
    Malformed {
        position: Option<usize>,
        what: String,
    },
    /// The envelope holds something other than signed data (an encrypted
    /// profile, say); names what it holds.
    NotSignedData { content_type: String },
    /// The signed content is of another type than plain data.
    ContentNotData { content_type: String },
    /// The envelope carries a signature but not the content (a detached
    /// signature): a signed profile holds its plist inside.
    Detached,
    /// Not exactly one signer: profiles have one.
    SignerCount { count: usize },
    /// The certificate the signer names is not among those the envelope
    /// carries, so there is no key to check the signature with.
    SignerCertificateMissing { signer: String },
    /// A certificate the envelope carries does not read.
    Certificate(String),
    /// An algorithm, parameter or key kind this reader does not handle.
    Unsupported(String),
    /// The signer's public key does not decode.
    BadKey(String),
    /// A signed attribute that must be there is missing or malformed.
    BadAttribute {
        attribute: &'static str,
        problem: String,
    },
    /// The content is not what was signed: its digest differs from the
    /// one in the signed attributes.
    ContentAltered { digest: String },
    /// The signature does not verify with the signer's key: the signature
    /// or the signed attributes were altered, or another key made it.
    SignatureMismatch { signer: String, algorithm: String },
    /// The content is itself a signed envelope; profiles are signed once.
    Nested,
}

impl fmt::Display for SignedError {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SignedError::NotBuilt => formatter.write_str(
                "this is a signed profile (a CMS envelope), and this build reads none: enable \
                 the `signed` feature",
            ),
            SignedError::Malformed {
                position: Some(position),
                what,
            } => write!(
                formatter,
                "the signed envelope is damaged at byte {position}: {what}"
            ),
            SignedError::Malformed {
                position: None,
                what,
            } => write!(formatter, "the signed envelope is damaged: {what}"),
            SignedError::NotSignedData { content_type } => write!(
                formatter,
                "the envelope holds {content_type}, not signed data"
            ),
            SignedError::ContentNotData { content_type } => write!(
                formatter,
                "the signed content is of type {content_type}, where a profile is plain data \
                 (id-data)"
            ),
            SignedError::Detached => formatter.write_str(
                "the envelope holds a detached signature without the profile: sign with the \
                 content inside (openssl cms -sign -nodetach)",
            ),
            SignedError::SignerCount { count } => write!(
                formatter,
                "the envelope has {count} signers; a signed profile has exactly one"
            ),
            SignedError::SignerCertificateMissing { signer } => write!(
                formatter,
                "the envelope does not carry the signer's certificate ({signer}), so the \
                 signature cannot be checked"
            ),
            SignedError::Certificate(why) => {
                write!(
                    formatter,
                    "a certificate in the envelope does not read: {why}"
                )
            }
            SignedError::Unsupported(what) => {
                write!(
                    formatter,
                    "the envelope uses {what}, which is not supported"
                )
            }
            SignedError::BadKey(why) => write!(formatter, "the signer's key: {why}"),
            SignedError::BadAttribute { attribute, problem } => {
                write!(formatter, "the signed attribute {attribute} {problem}")
            }
            SignedError::ContentAltered { digest } => write!(
                formatter,
                "the content was altered after signing: its {digest} digest differs from \
                 the one signed"
            ),
            SignedError::SignatureMismatch { signer, algorithm } => write!(
                formatter,
                "the signature ({algorithm}) does not verify with the key of {signer}: the \
                 signature or its signed attributes were altered"
            ),
            SignedError::Nested => formatter.write_str(
                "the signed content is itself a signed envelope; a profile is signed once",
            ),
        }
    }
}

impl std::error::Error for SignedError {}
