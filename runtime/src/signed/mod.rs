//! Signed profiles: a CMS (PKCS#7) `SignedData` envelope, in DER or BER,
//! around the XML plist, which is how most profiles reach devices.
//!
//! With the `signed` feature, three questions, kept apart:
//!
//! - **What is inside, and who signed?** `open` unwraps the envelope and
//!   returns the content with an `Envelope`: the signer's certificate
//!   (subject, issuer, validity), the digest and signature algorithms, the
//!   signing time and every certificate carried. The reading functions of
//!   `io` go through it, so a signed profile reads like an
//!   unsigned one; `io::parse_unwrapped` and
//!   `io::read_profile_unwrapped` also
//!   hand back the `Envelope`.
//! - **Does the signature hold?** Always checked while opening: over the
//!   signed attributes, whose message digest must be the content's, or over
//!   the content itself when there are none. RSA (PKCS#1 v1.5 and PSS) and
//!   ECDSA (P-256, P-384) with SHA-1, SHA-256, SHA-384 or SHA-512. A
//!   profile altered after signing, or whose signature does not verify, is
//!   a `SignedError`.
//! - **Is the signer trusted?** Only when asked, against the caller's
//!   `TrustAnchors` at a given moment: `Envelope::check_trust`. With
//!   no anchors the answer is `Trust::NotChecked`: "signature intact,
//!   signer not checked against any trust anchor".
//!
//! `sign_profile` makes the envelope: SHA-256 unless told otherwise, the
//! signer's certificate and chain included, a signing time stated, with an
//! RSA or ECDSA key from PEM or from a PKCS#12 identity
//! (`SigningIdentity`).
//!
//! Every structure is decoded and encoded by RustCrypto's crates (`cms`,
//! `x509-cert`, `der`, `rsa`, `p256`, `p384`); the one piece written here
//! is the `ber` module's rewriting of BER into DER, which `der` does not read.
//! Envelopes are held to the same size limit as plists
//! (`MAX_INPUT_BYTES`), and damaged ones give
//! an error naming the byte and the structure, never a panic. No private
//! key or password appears in an error or a `Debug` output.

mod error;

pub use self::error::SignedError;

#[cfg(feature = "signed")]
mod algorithms;
#[cfg(feature = "signed")]
mod ber;
#[cfg(feature = "signed")]
mod envelope;
#[cfg(feature = "signed")]
mod sign;
#[cfg(feature = "signed")]
mod trust;

#[cfg(feature = "signed")]
pub use self::algorithms::{Curve, DigestAlgorithm, SignatureAlgorithm};
#[cfg(feature = "signed")]
pub use self::envelope::{Encoding, Envelope, Opened, open};
#[cfg(feature = "signed")]
pub use self::sign::{SignError, SignOptions, SigningIdentity, sign, sign_profile};
#[cfg(feature = "signed")]
pub use self::trust::{MAX_CHAIN_LENGTH, Trust, TrustAnchors, TrustError};

/// Whether `bytes` look like a CMS envelope rather than a plist: DER and
/// BER start with a SEQUENCE (0x30), which neither plist form does (XML
/// starts with `<`, a byte-order mark or white space, binary with
/// `bplist`). The one place that tells the two apart.
pub fn is_envelope(bytes: &[u8]) -> bool {
    bytes.first() == Some(&0x30)
}

/// What was read, and the envelope it came in when it was signed.
#[cfg(feature = "signed")]
#[derive(Clone, Debug, PartialEq)]
pub struct Unwrapped<T> {
    /// The profile (as a plist value, or decoded).
    pub content: T,
    /// What the envelope says, when the profile was signed; its signature
    /// has been checked over the content.
    pub envelope: Option<Envelope>,
}

#[cfg(all(test, feature = "signed"))]
mod tests;
