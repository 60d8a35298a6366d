//! Reading what certificate payloads carry in their `PayloadContent` data,
//! so that a validator can say more about it than "some bytes".
//!
//! - [`read_certificate`] summarises one X.509 certificate written as DER or
//!   as PEM text (what `com.apple.security.root`, `.pkcs1` and `.pem`
//!   payloads hold): names, whether it is a CA, its validity period.
//! - [`open_pkcs12`] checks a PKCS#12 file (`com.apple.security.pkcs12`)
//!   and, given its password, opens it and reports what it holds. Both kinds
//!   of encryption found in practice open: what OpenSSL 3 writes by default
//!   (PBES2 with PBKDF2 and AES-256-CBC, HMAC-SHA-256 integrity check) and
//!   the older kind that `openssl pkcs12 -legacy` and macOS Keychain exports
//!   write (40-bit RC2 for certificates, three-key triple DES for keys,
//!   HMAC-SHA-1 integrity check).
//!
//! Every structure is decoded by RustCrypto's crates (`x509-cert`,
//! `pkcs12`, `cms`, `pkcs5`, `pkcs8`); this module only chains them and runs
//! the ciphers. All input is taken as hostile: damaged, truncated or costly
//! data (absurd lengths, huge iteration counts) gives an error, never a panic
//! nor a computation without bound. A password never appears in an error, a
//! message or a `Debug` output.
//!

mod pkcs12;
mod x509;

pub use self::pkcs12::{Pkcs12Error, Pkcs12Summary, open_pkcs12};
pub use self::x509::{
    CertificateEncoding, CertificateError, CertificateSummary, Moment, Validity, read_certificate,
};
#[cfg(feature = "signed")]
pub(crate) use self::{
    pkcs12::open_pkcs12_identity,
    x509::{decode_pem_block, pem_blocks, read_certificates, summarise},
};

#[cfg(test)]
mod tests;
