//! A PKCS#12 file: its structure, and, given its password, what it holds.

use std::cell::Cell;
use std::fmt;

use cbc::cipher::block_padding::Pkcs7;
use cbc::cipher::{BlockCipher, BlockDecryptMut, KeyInit, KeyIvInit};
use cms::content_info::ContentInfo;
use cms::encrypted_data::EncryptedData;
use hmac::digest::core_api::BlockSizeUser;
use hmac::digest::{Digest, FixedOutputReset};
use hmac::{Mac, SimpleHmac};
use pkcs12::cert_type::CertBag;
use pkcs12::kdf::{Pkcs12KeyType, derive_key};
use pkcs12::mac_data::MacData;
use pkcs12::pbe_params::{EncryptedPrivateKeyInfo, Pkcs12PbeParams};
use pkcs12::pfx::Pfx;
use pkcs12::safe_bag::{SafeBag, SafeContents};
use x509_cert::Certificate;
use x509_cert::der::asn1::{AnyRef, ContextSpecific, OctetString};
use x509_cert::der::oid::ObjectIdentifier;
use x509_cert::der::oid::db::DB;
use x509_cert::der::{self, Decode, Encode, ErrorKind};
use x509_cert::spki::AlgorithmIdentifierOwned;
use zeroize::Zeroizing;

use super::x509::*;

/// What a PKCS#12 file holds.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Pkcs12Summary {
    /// Whether the contents were read. False when no password was given:
    /// then only the structure was checked, and the fields below are empty
    /// and say nothing about the contents.
    pub opened: bool,
    /// Whether it holds a private key.
    pub has_private_key: bool,
    /// How many X.509 certificates it holds.
    pub certificates: usize,
    /// The certificate that goes with the private key, if one does: the one
    /// with the same `localKeyId` attribute or, when the file has no such
    /// attributes, its only end-entity (non-CA) certificate if it has one
    /// key and exactly one such certificate.
    pub identity: Option<CertificateSummary>,
}

impl Pkcs12Summary {
    /// The identity's certificate, or why there is none: what a payload
    /// that installs an identity (key and certificate) needs.
    pub fn require_identity(&self) -> Result<&CertificateSummary, Pkcs12Error> {
        if !self.opened {
            Err(Pkcs12Error::NotOpened)
        } else if !self.has_private_key {
            Err(Pkcs12Error::NoPrivateKey)
        } else {
            self.identity
                .as_ref()
                .ok_or(Pkcs12Error::NoCertificateForKey)
        }
    }
}

/// Why a PKCS#12 file could not be read or opened.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Pkcs12Error {
    /// Not a PKCS#12 file, or a damaged one; holds what was wrong.
    Malformed(String),
    /// The integrity check (MAC) fails with the given password: the
    /// password is wrong, or the file was altered after it was made.
    WrongPassword,
    /// The file has no integrity check and does not decrypt with the given
    /// password: the password is wrong, or the file is damaged; nothing
    /// tells which.
    DecryptionFailed,
    /// An algorithm or a kind of content this reader does not handle.
    Unsupported {
        /// What kind of thing it is, e.g. "encryption algorithm".
        what: &'static str,
        /// Its object identifier, with its name where known.
        oid: String,
    },
    /// The file asks for more work than this reader does (key-derivation
    /// rounds or memory); holds how much.
    TooCostly(String),
    /// A certificate inside does not decode.
    Certificate(CertificateError),
    /// From [`Pkcs12Summary::require_identity`]: the file was not opened,
    /// since no password was given.
    NotOpened,
    /// From [`Pkcs12Summary::require_identity`]: the file holds no private
    /// key.
    NoPrivateKey,
    /// From [`Pkcs12Summary::require_identity`]: the file holds a private
    /// key, but no certificate that goes with it.
    NoCertificateForKey,
}

impl fmt::Display for Pkcs12Error {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Pkcs12Error::Malformed(why) => write!(formatter, "not a readable PKCS#12 file: {why}"),
            Pkcs12Error::WrongPassword => formatter.write_str(
                "the PKCS#12 does not open with the given password: its integrity check fails, \
                 so the password is wrong or the file was altered after it was made",
            ),
            Pkcs12Error::DecryptionFailed => formatter.write_str(
                "the PKCS#12 does not open with the given password: it does not decrypt, and \
                 it carries no integrity check to tell a wrong password from a damaged file",
            ),
            Pkcs12Error::Unsupported { what, oid } => {
                write!(formatter, "the PKCS#12 uses an unsupported {what}: {oid}")
            }
            Pkcs12Error::TooCostly(what) => write!(
                formatter,
                "the PKCS#12 asks for {what}; export it again with usual settings"
            ),
            Pkcs12Error::Certificate(error) => {
                write!(
                    formatter,
                    "a certificate in the PKCS#12 does not read: {error}"
                )
            }
            Pkcs12Error::NotOpened => formatter
                .write_str("the PKCS#12 was not opened: no password was given to open it with"),
            Pkcs12Error::NoPrivateKey => formatter.write_str("the PKCS#12 holds no private key"),
            Pkcs12Error::NoCertificateForKey => formatter
                .write_str("the PKCS#12 holds a private key but no certificate that goes with it"),
        }
    }
}

impl std::error::Error for Pkcs12Error {}

/// The most key-derivation rounds (PKCS#12 KDF or PBKDF2) one derivation
/// may ask for: far above what tools write (OpenSSL writes 2048), far below
/// what would stall a validator.
const MAX_ROUNDS: u64 = 1_000_000;
/// The most rounds a whole file may ask for, over all its derivations, so
/// that many parts each at the limit cannot add up.
const MAX_TOTAL_ROUNDS: u64 = 4 * MAX_ROUNDS;
/// The most memory scrypt may ask for, in bytes.
const MAX_SCRYPT_MEMORY: u64 = 256 << 20;
/// The most parallel scrypt lanes accepted.
const MAX_SCRYPT_LANES: u16 = 16;
/// How deep `safeContentsBag`s may nest.
const MAX_NESTING: usize = 8;

const ID_DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.1");
const ID_SIGNED_DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.2");
const ID_ENVELOPED_DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.3");
const ID_ENCRYPTED_DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.6");
const PBES2: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.5.13");
const LOCAL_KEY_ID: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.21");
const SHA1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.14.3.2.26");
const SHA224: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.4");
const SHA256: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.1");
const SHA384: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.2");
const SHA512: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.3");

/// Names for the identifiers this module may report as unsupported and the
/// OID database does not know.
const OID_NAMES: &[(ObjectIdentifier, &str)] = &[
    (
        pkcs12::PKCS_12_PBE_WITH_SHAAND128_BIT_RC4,
        "pbeWithSHAAnd128BitRC4",
    ),
    (
        pkcs12::PKCS_12_PBE_WITH_SHAAND40_BIT_RC4,
        "pbeWithSHAAnd40BitRC4",
    ),
    (ID_SIGNED_DATA, "signedData: public-key integrity mode"),
    (ID_ENVELOPED_DATA, "envelopedData: public-key privacy mode"),
    (
        ObjectIdentifier::new_unwrap("1.2.840.113549.1.5.14"),
        "PBMAC1",
    ),
];

fn unsupported(what: &'static str, oid: ObjectIdentifier) -> Pkcs12Error {
    let name = OID_NAMES
        .iter()
        .find(|(known, _)| *known == oid)
        .map(|(_, name)| *name)
        .or_else(|| DB.by_oid(&oid));
    let oid = match name {
        Some(name) => format!("{oid} ({name})"),
        None => oid.to_string(),
    };
    Pkcs12Error::Unsupported { what, oid }
}

fn malformed(what: &str, error: der::Error) -> Pkcs12Error {
    Pkcs12Error::Malformed(format!("{what}: {}", describe(error)))
}

/// Parses a PKCS#12 file and, given a password, opens it and reports what it
/// holds.
///
/// Opens PBES2 encryption (PBKDF2 with HMAC-SHA-1 or SHA-2, scrypt; AES-CBC
/// or triple DES) as OpenSSL 3 writes by default, and the PKCS#12 schemes
/// `pbeWithSHAAnd3-KeyTripleDES-CBC`, `pbeWithSHAAnd2-KeyTripleDES-CBC`,
/// `pbeWithSHAAnd128BitRC2-CBC` and `pbeWithSHAAnd40BitRC2-CBC` as
/// `openssl pkcs12 -legacy` and macOS Keychain exports write; the integrity
/// check (MAC) may use SHA-1 or SHA-2. An empty password is also tried as no
/// password at all, as OpenSSL does.
///
/// Without a password, only checks that the structure parses, as far as it
/// can be read without decrypting; the summary then has `opened` false.
pub fn open_pkcs12(bytes: &[u8], password: Option<&str>) -> Result<Pkcs12Summary, Pkcs12Error> {
    let (parts, authenticated, mac) = structure(bytes)?;
    let Some(password) = password else {
        for part in &parts {
            match part.content_type {
                ID_DATA => {
                    plain_bags(part)?;
                }
                ID_ENCRYPTED_DATA => {
                    encrypted_content(part)?;
                }
                other => return Err(unsupported("content type", other)),
            }
        }
        return Ok(Pkcs12Summary::default());
    };
    Ok(contents(&parts, &authenticated, mac.as_ref(), password)?.summary())
}

/// A PKCS#12 identity, opened for signing: the private key with its
/// certificate, and the file's other certificates. The key is wiped when
/// dropped and has no `Debug`.
#[cfg(feature = "signed")]
pub(crate) struct Pkcs12Identity {
    /// The private key as PKCS#8 DER.
    pub key: Zeroizing<Vec<u8>>,
    /// The certificate that goes with the key.
    pub certificate: Certificate,
    /// The other certificates, in the file's order (typically the chain).
    pub others: Vec<Certificate>,
}

/// Opens a PKCS#12 file with `password` and takes out its identity: the
/// private key and the certificate that goes with it, paired as
/// [`Pkcs12Summary::identity`] describes.
#[cfg(feature = "signed")]
pub(crate) fn open_pkcs12_identity(
    bytes: &[u8],
    password: &str,
) -> Result<Pkcs12Identity, Pkcs12Error> {
    let (parts, authenticated, mac) = structure(bytes)?;
    let mut found = contents(&parts, &authenticated, mac.as_ref(), password)?;
    if found.keys.is_empty() {
        return Err(Pkcs12Error::NoPrivateKey);
    }
    let (key, certificate) = found.identity().ok_or(Pkcs12Error::NoCertificateForKey)?;
    let key = std::mem::take(&mut found.keys[key].1);
    let certificate = found.certificates.remove(certificate).2;
    Ok(Pkcs12Identity {
        key,
        certificate,
        others: found
            .certificates
            .into_iter()
            .map(|(_, _, certificate)| certificate)
            .collect(),
    })
}

/// The parts of a PKCS#12 file, the bytes its integrity check covers and
/// the check itself.
fn structure(
    bytes: &[u8],
) -> Result<(Vec<ContentInfo>, OctetString, Option<MacData>), Pkcs12Error> {
    let pfx = Pfx::from_der(bytes).map_err(|error| malformed("its outer structure", error))?;
    match pfx.auth_safe.content_type {
        ID_DATA => {}
        ID_SIGNED_DATA => return Err(unsupported("integrity mode", ID_SIGNED_DATA)),
        other => return Err(unsupported("content type", other)),
    }
    let authenticated = pfx
        .auth_safe
        .content
        .decode_as::<OctetString>()
        .map_err(|error| malformed("its contents", error))?;
    let parts = Vec::<ContentInfo>::from_der(authenticated.as_bytes())
        .map_err(|error| malformed("its list of contents", error))?;
    Ok((parts, authenticated, pfx.mac_data))
}

/// Checks the integrity with `password`, decrypts every part and reads
/// its bags.
fn contents(
    parts: &[ContentInfo],
    authenticated: &OctetString,
    mac: Option<&MacData>,
    password: &str,
) -> Result<Found, Pkcs12Error> {
    let mut opener = Opener::new(password);
    if let Some(mac) = mac {
        opener.check_mac(mac, authenticated.as_bytes())?;
    }
    let mut found = Found::default();
    for part in parts {
        match part.content_type {
            ID_DATA => {
                let bags = plain_bags(part)?;
                opener.read_bags(&bags, &mut found, 0)?;
            }
            ID_ENCRYPTED_DATA => {
                let (algorithm, ciphertext) = encrypted_content(part)?;
                let plain = opener.decrypt(algorithm, &ciphertext)?;
                let bags = SafeContents::from_der(&plain).map_err(|_| opener.undecipherable())?;
                opener.read_bags(&bags, &mut found, 0)?;
            }
            other => return Err(unsupported("content type", other)),
        }
    }
    Ok(found)
}

/// The bags of an unencrypted part.
fn plain_bags(part: &ContentInfo) -> Result<SafeContents, Pkcs12Error> {
    let content = part
        .content
        .decode_as::<OctetString>()
        .map_err(|error| malformed("an unencrypted part", error))?;
    SafeContents::from_der(content.as_bytes())
        .map_err(|error| malformed("the bags of an unencrypted part", error))
}

/// The algorithm and ciphertext of an encrypted part.
fn encrypted_content(
    part: &ContentInfo,
) -> Result<(AlgorithmIdentifierOwned, Vec<u8>), Pkcs12Error> {
    let encrypted = part
        .content
        .decode_as::<EncryptedData>()
        .map_err(|error| malformed("an encrypted part", error))?;
    let info = encrypted.enc_content_info;
    let ciphertext = info
        .encrypted_content
        .map(OctetString::into_bytes)
        .unwrap_or_default();
    Ok((info.content_enc_alg, ciphertext))
}

/// A bag's `localKeyId` attribute, which pairs a key with its certificate.
type KeyId = Option<Vec<u8>>;

/// What the bags held, before keys and certificates are paired.
#[derive(Default)]
struct Found {
    /// Each private key (PKCS#8 DER, wiped when dropped) with its
    /// `localKeyId`.
    keys: Vec<(KeyId, Zeroizing<Vec<u8>>)>,
    /// Each X.509 certificate with its `localKeyId`.
    certificates: Vec<(KeyId, CertificateSummary, Certificate)>,
}

impl Found {
    /// Which key and which certificate form the identity: the pair with the
    /// same `localKeyId` or, when nothing has one, the only key with the only
    /// end-entity certificate.
    fn identity(&self) -> Option<(usize, usize)> {
        let by_key_id = self.keys.iter().enumerate().find_map(|(key, (key_id, _))| {
            let key_id = key_id.as_ref()?;
            self.certificates
                .iter()
                .position(|(id, _, _)| id.as_ref() == Some(key_id))
                .map(|certificate| (key, certificate))
        });
        by_key_id.or_else(|| {
            let no_key_ids = self.keys.iter().all(|(id, _)| id.is_none())
                && self.certificates.iter().all(|(id, _, _)| id.is_none());
            let mut end_entities = self
                .certificates
                .iter()
                .enumerate()
                .filter(|(_, (_, summary, _))| !summary.is_ca)
                .map(|(index, _)| index);
            match (no_key_ids && self.keys.len() == 1, end_entities.next()) {
                (true, Some(only)) if end_entities.next().is_none() => Some((0, only)),
                _ => None,
            }
        })
    }

    fn summary(self) -> Pkcs12Summary {
        let identity = self
            .identity()
            .map(|(_, certificate)| self.certificates[certificate].1.clone());
        Pkcs12Summary {
            opened: true,
            has_private_key: !self.keys.is_empty(),
            certificates: self.certificates.len(),
            identity,
        }
    }
}

/// Opens a PKCS#12 file with one password. Holds the password: it has no
/// `Debug`, and wipes its copies when dropped.
struct Opener {
    /// The password as UTF-8 bytes: what PBES2 derives its keys from.
    utf8: Zeroizing<Vec<u8>>,
    /// The password as the PKCS#12 key derivation takes it: UTF-16 big
    /// endian with two zero bytes at the end, or nothing at all for an empty
    /// password that passed the integrity check that way.
    bmp: Zeroizing<Vec<u8>>,
    /// Whether an integrity check passed, which makes a failed decryption
    /// damage rather than a wrong password.
    integrity_checked: bool,
    /// How many key-derivation rounds the file may still ask for.
    rounds_left: Cell<u64>,
}

impl Opener {
    fn new(password: &str) -> Self {
        let mut bmp = Zeroizing::new(Vec::with_capacity(password.len() * 2 + 2));
        for unit in password.encode_utf16() {
            bmp.extend_from_slice(&unit.to_be_bytes());
        }
        bmp.extend_from_slice(&[0, 0]);
        Opener {
            utf8: Zeroizing::new(password.as_bytes().to_vec()),
            bmp,
            integrity_checked: false,
            rounds_left: Cell::new(MAX_TOTAL_ROUNDS),
        }
    }

    /// Charges `rounds` key-derivation rounds to the file, or refuses them
    /// when they pass a limit.
    fn charge_rounds(&self, rounds: u64) -> Result<(), Pkcs12Error> {
        if rounds > MAX_ROUNDS {
            return Err(Pkcs12Error::TooCostly(format!(
                "{rounds} key-derivation rounds, more than the {MAX_ROUNDS} this reader runs"
            )));
        }
        let left = self.rounds_left.get().checked_sub(rounds).ok_or_else(|| {
            Pkcs12Error::TooCostly(format!(
                "more than {MAX_TOTAL_ROUNDS} key-derivation rounds in all"
            ))
        })?;
        self.rounds_left.set(left);
        Ok(())
    }

    /// Checks the MAC over the authenticated contents. For an empty
    /// password, also tries no password at all, as OpenSSL does.
    fn check_mac(&mut self, mac: &MacData, data: &[u8]) -> Result<(), Pkcs12Error> {
        let rounds = u64::try_from(mac.iterations).map_err(|_| {
            Pkcs12Error::Malformed(format!("its integrity check has {} rounds", mac.iterations))
        })?;
        self.charge_rounds(rounds)?;
        if self.mac_matches(mac, &self.bmp, data)? {
            self.integrity_checked = true;
            return Ok(());
        }
        if self.utf8.is_empty()
            && self.charge_rounds(rounds).is_ok()
            && self.mac_matches(mac, &[], data)?
        {
            self.bmp = Zeroizing::new(Vec::new());
            self.integrity_checked = true;
            return Ok(());
        }
        Err(Pkcs12Error::WrongPassword)
    }

    fn mac_matches(
        &self,
        mac: &MacData,
        password: &[u8],
        data: &[u8],
    ) -> Result<bool, Pkcs12Error> {
        let digest = &mac.mac.algorithm.oid;
        Ok(match *digest {
            SHA1 => mac_with::<sha1::Sha1>(mac, password, data),
            SHA224 => mac_with::<sha2::Sha224>(mac, password, data),
            SHA256 => mac_with::<sha2::Sha256>(mac, password, data),
            SHA384 => mac_with::<sha2::Sha384>(mac, password, data),
            SHA512 => mac_with::<sha2::Sha512>(mac, password, data),
            other => return Err(unsupported("integrity check (MAC) algorithm", other)),
        })
    }

    /// The error for contents that do not decrypt or do not decode once
    /// decrypted.
    fn undecipherable(&self) -> Pkcs12Error {
        if self.integrity_checked {
            Pkcs12Error::Malformed(
                "an encrypted part does not decrypt with the password that passes the \
                 integrity check (it is damaged, or encrypted under a second password)"
                    .to_owned(),
            )
        } else {
            Pkcs12Error::DecryptionFailed
        }
    }

    fn decrypt(
        &self,
        algorithm: AlgorithmIdentifierOwned,
        ciphertext: &[u8],
    ) -> Result<Zeroizing<Vec<u8>>, Pkcs12Error> {
        let parameters = algorithm.parameters.as_ref().ok_or_else(|| {
            Pkcs12Error::Malformed(format!(
                "the encryption algorithm {} has no parameters",
                algorithm.oid
            ))
        })?;
        let cipher = match algorithm.oid {
            PBES2 => return self.decrypt_pbes2(AnyRef::from(parameters), ciphertext),
            pkcs12::PKCS_12_PBE_WITH_SHAAND3_KEY_TRIPLE_DES_CBC => Pkcs12Cipher::TripleDes3,
            pkcs12::PKCS_12_PBE_WITH_SHAAND2_KEY_TRIPLE_DES_CBC => Pkcs12Cipher::TripleDes2,
            pkcs12::PKCS_12_PBE_WITH_SHAAND128_BIT_RC2_CBC => Pkcs12Cipher::Rc2 { key_len: 16 },
            pkcs12::PKCS_12_PBEWITH_SHAAND40_BIT_RC2_CBC => Pkcs12Cipher::Rc2 { key_len: 5 },
            other => return Err(unsupported("encryption algorithm", other)),
        };
        let parameters = parameters
            .decode_as::<Pkcs12PbeParams>()
            .map_err(|error| malformed("the parameters of its encryption", error))?;
        let rounds = u64::try_from(parameters.iterations).map_err(|_| {
            Pkcs12Error::Malformed(format!(
                "its encryption has {} rounds",
                parameters.iterations
            ))
        })?;
        // Two derivations: the key and the IV.
        self.charge_rounds(rounds)?;
        self.charge_rounds(rounds)?;
        let salt = parameters.salt.as_bytes();
        let derive = |kind, len| {
            Zeroizing::new(derive_key::<sha1::Sha1>(
                &self.bmp,
                salt,
                kind,
                parameters.iterations,
                len,
            ))
        };
        let iv = derive(Pkcs12KeyType::Iv, 8);
        let plain = match cipher {
            Pkcs12Cipher::TripleDes3 => {
                let key = derive(Pkcs12KeyType::EncryptionKey, 24);
                cbc_decrypt::<des::TdesEde3>(&key, &iv, ciphertext)
            }
            Pkcs12Cipher::TripleDes2 => {
                let key = derive(Pkcs12KeyType::EncryptionKey, 16);
                cbc_decrypt::<des::TdesEde2>(&key, &iv, ciphertext)
            }
            Pkcs12Cipher::Rc2 { key_len } => {
                let key = derive(Pkcs12KeyType::EncryptionKey, key_len);
                cbc_decrypt::<rc2::Rc2>(&key, &iv, ciphertext)
            }
        };
        plain.ok_or_else(|| self.undecipherable())
    }

    fn decrypt_pbes2(
        &self,
        parameters: AnyRef<'_>,
        ciphertext: &[u8],
    ) -> Result<Zeroizing<Vec<u8>>, Pkcs12Error> {
        use pkcs5::pbes2::{Kdf, Parameters};
        let parameters = Parameters::try_from(parameters).map_err(|error| match error.kind() {
            ErrorKind::OidUnknown { oid } => unsupported("PBES2 algorithm", oid),
            _ => malformed("the parameters of its PBES2 encryption", error),
        })?;
        match &parameters.kdf {
            Kdf::Pbkdf2(pbkdf2) => self.charge_rounds(u64::from(pbkdf2.iteration_count))?,
            Kdf::Scrypt(scrypt) => {
                let memory = 128u64
                    .checked_mul(scrypt.cost_parameter)
                    .and_then(|memory| memory.checked_mul(u64::from(scrypt.block_size)))
                    .unwrap_or(u64::MAX);
                if memory > MAX_SCRYPT_MEMORY || scrypt.parallelization > MAX_SCRYPT_LANES {
                    return Err(Pkcs12Error::TooCostly(format!(
                        "scrypt with N={}, r={}, p={}, more than this reader runs",
                        scrypt.cost_parameter, scrypt.block_size, scrypt.parallelization
                    )));
                }
            }
            // Any other function is refused by the decryption below.
            _ => {}
        }
        match parameters.decrypt(&*self.utf8, ciphertext) {
            Ok(plain) => Ok(Zeroizing::new(plain)),
            Err(pkcs5::Error::UnsupportedAlgorithm { oid }) => {
                Err(unsupported("PBES2 algorithm", oid))
            }
            Err(pkcs5::Error::AlgorithmParametersInvalid { oid }) => Err(Pkcs12Error::Malformed(
                format!("the parameters of its PBES2 algorithm {oid} are invalid"),
            )),
            Err(_) => Err(self.undecipherable()),
        }
    }

    /// Reads a list of bags into `found`.
    fn read_bags(
        &self,
        bags: &[SafeBag],
        found: &mut Found,
        depth: usize,
    ) -> Result<(), Pkcs12Error> {
        for bag in bags {
            match bag.bag_id {
                pkcs12::PKCS_12_KEY_BAG_OID => {
                    let key =
                        ContextSpecific::<pkcs8::PrivateKeyInfo<'_>>::from_der(&bag.bag_value)
                            .map_err(|error| malformed("an unencrypted private key", error))?
                            .value
                            .to_der()
                            .map_err(|error| malformed("an unencrypted private key", error))?;
                    found.keys.push((local_key_id(bag), Zeroizing::new(key)));
                }
                pkcs12::PKCS_12_PKCS8_KEY_BAG_OID => {
                    let shrouded =
                        ContextSpecific::<EncryptedPrivateKeyInfo>::from_der(&bag.bag_value)
                            .map_err(|error| malformed("an encrypted private key", error))?
                            .value;
                    let plain = self.decrypt(
                        shrouded.encryption_algorithm,
                        shrouded.encrypted_data.as_bytes(),
                    )?;
                    pkcs8::PrivateKeyInfo::from_der(&plain).map_err(|_| self.undecipherable())?;
                    found.keys.push((local_key_id(bag), plain));
                }
                pkcs12::PKCS_12_CERT_BAG_OID => {
                    let certificate = ContextSpecific::<CertBag>::from_der(&bag.bag_value)
                        .map_err(|error| malformed("a certificate bag", error))?
                        .value;
                    if certificate.cert_id != pkcs12::PKCS_12_X509_CERT_OID {
                        continue;
                    }
                    let parsed = Certificate::from_der(certificate.cert_value.as_bytes()).map_err(
                        |error| {
                            Pkcs12Error::Certificate(CertificateError::NotX509(describe(error)))
                        },
                    )?;
                    let summary = summarise(&parsed, CertificateEncoding::Der, 1)
                        .map_err(Pkcs12Error::Certificate)?;
                    found
                        .certificates
                        .push((local_key_id(bag), summary, parsed));
                }
                pkcs12::PKCS_12_SAFE_CONTENTS_BAG_OID => {
                    if depth >= MAX_NESTING {
                        return Err(Pkcs12Error::Malformed(
                            "its bags nest deeper than any tool writes".to_owned(),
                        ));
                    }
                    let inner = ContextSpecific::<SafeContents>::from_der(&bag.bag_value)
                        .map_err(|error| malformed("a nested list of bags", error))?
                        .value;
                    self.read_bags(&inner, found, depth + 1)?;
                }
                // Revocation lists and secrets say nothing a payload needs.
                _ => {}
            }
        }
        Ok(())
    }
}

/// The ciphers of the PKCS#12 password-based schemes (RFC 7292, appendix C).
enum Pkcs12Cipher {
    TripleDes3,
    TripleDes2,
    Rc2 { key_len: usize },
}

/// Decrypts CBC with PKCS#7 padding; `None` when the key or IV has the
/// wrong size or the padding is wrong (as with a wrong key).
fn cbc_decrypt<C>(key: &[u8], iv: &[u8], ciphertext: &[u8]) -> Option<Zeroizing<Vec<u8>>>
where
    C: BlockDecryptMut + BlockCipher + KeyInit,
{
    let decryptor = cbc::Decryptor::<C>::new_from_slices(key, iv).ok()?;
    decryptor
        .decrypt_padded_vec_mut::<Pkcs7>(ciphertext)
        .ok()
        .map(Zeroizing::new)
}

/// Whether the MAC computed with `D` and `password` (in PKCS#12 KDF form)
/// matches the one stored.
fn mac_with<D>(mac: &MacData, password: &[u8], data: &[u8]) -> bool
where
    D: Digest + FixedOutputReset + BlockSizeUser,
{
    let key = Zeroizing::new(derive_key::<D>(
        password,
        mac.mac_salt.as_bytes(),
        Pkcs12KeyType::Mac,
        mac.iterations,
        <D as Digest>::output_size(),
    ));
    let Ok(mut hmac) = <SimpleHmac<D> as Mac>::new_from_slice(&key) else {
        return false;
    };
    hmac.update(data);
    hmac.verify_slice(mac.mac.digest.as_bytes()).is_ok()
}

/// The `localKeyId` attribute of a bag, which pairs a key with its
/// certificate.
fn local_key_id(bag: &SafeBag) -> Option<Vec<u8>> {
    bag.bag_attributes
        .as_ref()?
        .iter()
        .find(|attribute| attribute.oid == LOCAL_KEY_ID)?
        .values
        .iter()
        .next()
        .map(|value| value.value().to_vec())
}
