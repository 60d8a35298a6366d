//! How schema names become Rust identifiers: the casing rules, in one
//! place, with a unit test per rule.
//!
//! Apple's names mix acronyms, versions and punctuation (`IKEv2`,
//! `DisableMOBIKE`, `BlacklistedURLs`, `AES-256-GCM`, `1.2`, `Key Type`), which
//! a plain case converter splits badly (`ik_ev2`, `blacklisted_ur_ls`). Names
//! are first split into words with acronym care, then words that spell one
//! of Apple's product and protocol names ([`TERMS`]) are joined and spelled
//! as that table says, and every other word is cased with `heck`. Names that
//! would start with a digit get a letter in front; Rust keywords are escaped.
//! Two schema names that end up as the same identifier are reported by the
//! naming pass, never renamed here.

use heck::{ToShoutySnakeCase, ToSnakeCase, ToUpperCamelCase};

/// Apple's spellings that the word rules would split or case badly, with
/// how each reads in a type or variant name and in a field or module name
/// (the override table k8s-openapi keeps for the same reason).
pub const TERMS: &[Term] = &[
    Term::new("IKEv1", "IkeV1", "ikev1"),
    Term::new("IKEv2", "IkeV2", "ikev2"),
    Term::new("IPSec", "Ipsec", "ipsec"),
    Term::new("IPsec", "Ipsec", "ipsec"),
    Term::new("L2TP", "L2tp", "l2tp"),
    Term::new("OAuth", "OAuth", "oauth"),
    Term::new("WiFi", "Wifi", "wifi"),
    Term::new("iCloud", "Icloud", "icloud"),
    Term::new("iOS", "Ios", "ios"),
    Term::new("iPadOS", "IpadOs", "ipados"),
    Term::new("iPad", "Ipad", "ipad"),
    Term::new("iPhone", "Iphone", "iphone"),
    Term::new("iTunes", "Itunes", "itunes"),
    Term::new("macOS", "MacOs", "macos"),
    Term::new("tvOS", "TvOs", "tvos"),
    Term::new("visionOS", "VisionOs", "visionos"),
    Term::new("watchOS", "WatchOs", "watchos"),
    Term::new("AirPlay", "AirPlay", "airplay"),
    Term::new("AirPrint", "AirPrint", "airprint"),
    Term::new("AirDrop", "AirDrop", "airdrop"),
    Term::new("FileVault", "FileVault", "filevault"),
];

/// One entry of [`TERMS`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Term {
    /// As Apple writes it.
    pub apple: &'static str,
    /// In a type or variant name.
    pub type_word: &'static str,
    /// In a field or module name.
    pub field_word: &'static str,
}

impl Term {
    const fn new(apple: &'static str, type_word: &'static str, field_word: &'static str) -> Self {
        Term {
            apple,
            type_word,
            field_word,
        }
    }
}

/// A word of a name: plain text, or one of Apple's [`TERMS`].
#[derive(Debug, Clone, PartialEq, Eq)]
enum Word {
    Plain(String),
    Term(Term),
}

/// Splits a schema name into words: at punctuation and spaces, at
/// lower-to-upper changes, and before the last capital of an acronym that
/// runs into a word (`NATKeep` → `NAT`, `Keep`). An acronym keeps a plural
/// `s` (`URLs`) and a version suffix (`IKEv2`, `IPv4`); digits stay with the
/// letters before them (`SHA2`, `Cha20`).
pub fn split_words(name: &str) -> Vec<String> {
    let mut words = Vec::new();
    for chunk in name.split(|c: char| !c.is_ascii_alphanumeric()) {
        split_chunk(chunk, &mut words);
    }
    words
}

/// [`split_words`], then runs of words that spell a term joined into it.
fn words(name: &str) -> Vec<Word> {
    let split = split_words(name);
    let mut words = Vec::new();
    let mut start = 0;
    'words: while start < split.len() {
        for end in (start + 1..=split.len()).rev() {
            let joined: String = split[start..end].concat();
            if let Some(term) = TERMS.iter().find(|term| term.apple == joined) {
                words.push(Word::Term(*term));
                start = end;
                continue 'words;
            }
        }
        words.push(Word::Plain(split[start].clone()));
        start += 1;
    }
    words
}

fn split_chunk(chunk: &str, words: &mut Vec<String>) {
    let chars: Vec<char> = chunk.chars().collect();
    let upper = |i: usize| chars.get(i).is_some_and(char::is_ascii_uppercase);
    let lower = |i: usize| chars.get(i).is_some_and(char::is_ascii_lowercase);
    let digit = |i: usize| chars.get(i).is_some_and(char::is_ascii_digit);
    let mut start = 0;
    while start < chars.len() {
        let mut end = start;
        if upper(start) {
            while upper(end) {
                end += 1;
            }
            let acronym = end - start > 1;
            let mut lower_end = end;
            while lower(lower_end) {
                lower_end += 1;
            }
            let lowers = lower_end - end;
            if lowers == 0 {
                // A bare acronym or a single capital: `MOBIKE`, `A`.
            } else if acronym && lowers == 1 && chars[end] == 's' && !lower(lower_end) {
                end = lower_end; // plural acronym: `URLs`, `IDs`
            } else if acronym && lowers == 1 && digit(lower_end) {
                end = lower_end; // versioned acronym: `IKEv2`, `IPv4`
            } else if acronym {
                end -= 1; // `NATKeep`: the last capital starts the next word
            } else {
                end = lower_end; // `Keep`
            }
        } else if lower(start) {
            while lower(end) {
                end += 1;
            }
        } else {
            while digit(end) {
                end += 1;
            }
            // Digits followed by lower-case letters read as one word (`2nd`).
            while lower(end) {
                end += 1;
            }
        }
        while digit(end) {
            end += 1;
        }
        words.push(chars[start..end].iter().collect());
        start = end;
    }
}

/// Joins cased words, with `_` between two digits so `SHA2-256` does not
/// read as `Sha2256`.
fn join(words: impl IntoIterator<Item = String>, separator: &str) -> String {
    let mut joined = String::new();
    for word in words {
        let digits_meet = joined.ends_with(|c: char| c.is_ascii_digit())
            && word.starts_with(|c: char| c.is_ascii_digit());
        if !joined.is_empty() && (digits_meet || !separator.is_empty()) {
            joined.push('_');
        }
        joined.push_str(&word);
    }
    joined
}

/// A type or variant name: `SecurityAssociationParameters`, `IkeV2`,
/// `Aes256Gcm`, `Sha2_256`, `V1_2`, `V3Des`.
pub fn type_name(name: &str) -> String {
    let words = words(name).into_iter().map(|word| match word {
        Word::Plain(text) => text.to_lowercase().to_upper_camel_case(),
        Word::Term(term) => term.type_word.to_owned(),
    });
    let joined = join(words, "");
    if joined.is_empty() {
        return "Empty".to_owned();
    }
    if joined.starts_with(|c: char| c.is_ascii_digit()) {
        return format!("V{joined}");
    }
    if joined == "Self" {
        return "Self_".to_owned();
    }
    joined
}

/// A field or module name: `disable_mobike`, `nat_keep_alive_interval`,
/// `r#type`, `v802_1_x`.
pub fn field_name(name: &str) -> String {
    let words = words(name).into_iter().map(|word| match word {
        Word::Plain(text) => text.to_lowercase().to_snake_case(),
        Word::Term(term) => term.field_word.to_owned(),
    });
    let joined = join(words, "_");
    if joined.is_empty() {
        return "empty".to_owned();
    }
    if joined.starts_with(|c: char| c.is_ascii_digit()) {
        return format!("v{joined}");
    }
    escape_keyword(joined)
}

/// The module for a payload file: its stem without Apple's `com.apple.`
/// prefix (`com.apple.vpn.managed` → `vpn_managed`,
/// `com.apple.MCX(Accounts)` → `mcx_accounts`). A module is also a file
/// name, so a keyword takes a trailing `_` (`match_`), never `r#`.
pub fn module_name(stem: &str) -> String {
    file_safe(field_name(strip_apple_prefix(stem)))
}

/// [`field_name`] for something that is also a file name: `r#match` becomes
/// `match_`.
pub fn file_safe(name: String) -> String {
    match name.strip_prefix("r#") {
        Some(keyword) => format!("{keyword}_"),
        None => name,
    }
}

/// A name without Apple's `com.apple.` prefix.
pub fn strip_apple_prefix(name: &str) -> &str {
    name.strip_prefix(crate::conventions::APPLE_PREFIX)
        .unwrap_or(name)
}

/// A type's table (and constant) name: its name in SHOUTY_CASE.
pub fn constant_name(type_name: &str) -> String {
    type_name.to_shouty_snake_case()
}

/// Words that cannot be identifiers as they are: strict and reserved
/// keywords of Rust 2024. `self`, `super`, `crate` and `Self` cannot be raw
/// identifiers and get a trailing `_` instead.
const KEYWORDS: &[&str] = &[
    "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "do", "dyn",
    "else", "enum", "extern", "false", "final", "fn", "for", "gen", "if", "impl", "in", "let",
    "loop", "macro", "match", "mod", "move", "mut", "override", "priv", "pub", "ref", "return",
    "static", "struct", "trait", "true", "try", "type", "typeof", "unsafe", "unsized", "use",
    "virtual", "where", "while", "yield",
];

fn escape_keyword(name: String) -> String {
    if matches!(name.as_str(), "self" | "super" | "crate") {
        format!("{name}_")
    } else if KEYWORDS.contains(&name.as_str()) {
        format!("r#{name}")
    } else {
        name
    }
}

/// Names that are never identifiers of ours, raw or not: they name the
/// current module, type or crate, or nothing.
const NEVER_IDENTIFIERS: &[&str] = &["self", "Self", "super", "crate", "_"];

/// Whether `name` is usable as written for a Rust identifier (for names an
/// overlay gives).
pub fn is_identifier(name: &str) -> bool {
    let bare = name.strip_prefix("r#").unwrap_or(name);
    let mut chars = bare.chars();
    chars
        .next()
        .is_some_and(|first| first.is_ascii_alphabetic() || first == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !NEVER_IDENTIFIERS.contains(&bare)
        && (name.starts_with("r#") || !KEYWORDS.contains(&bare))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn acronyms_with_versions_stay_whole() {
        assert_eq!(type_name("IPv4Address"), "Ipv4Address");
        assert_eq!(field_name("SHA2"), "sha2");
        assert_eq!(field_name("IPv4"), "ipv4");
    }

    #[test]
    fn apples_terms_are_spelled_as_the_table_says() {
        assert_eq!(type_name("IKEv2"), "IkeV2");
        assert_eq!(field_name("IKEv2"), "ikev2");
        assert_eq!(type_name("IPSec"), "Ipsec");
        assert_eq!(field_name("IPSec"), "ipsec");
        assert_eq!(type_name("L2TP"), "L2tp");
        assert_eq!(field_name("AllowAirPlay"), "allow_airplay");
        assert_eq!(field_name("iCloudDocumentSync"), "icloud_document_sync");
        assert_eq!(type_name("macOS"), "MacOs");
        assert_eq!(
            field_name("IKESecurityAssociationParameters"),
            "ike_security_association_parameters"
        );
        // A term must be whole words: `VIPSecret` holds no `IPSec`.
        assert_eq!(field_name("VIPSecret"), "vip_secret");
    }

    #[test]
    fn an_acronym_running_into_a_word_splits_before_its_last_capital() {
        assert_eq!(
            field_name("NATKeepAliveInterval"),
            "nat_keep_alive_interval"
        );
        assert_eq!(field_name("PPKIdentifier"), "ppk_identifier");
        assert_eq!(field_name("TLSMinimumVersion"), "tls_minimum_version");
    }

    #[test]
    fn trailing_acronyms_stay_whole() {
        assert_eq!(field_name("DisableMOBIKE"), "disable_mobike");
        assert_eq!(field_name("PayloadUUID"), "payload_uuid");
        assert_eq!(field_name("MTU"), "mtu");
        assert_eq!(field_name("ExcludeAPNs"), "exclude_apns");
    }

    #[test]
    fn plural_acronyms_keep_their_s() {
        assert_eq!(field_name("BlacklistedURLs"), "blacklisted_urls");
        assert_eq!(field_name("GroupBeaconIDs"), "group_beacon_ids");
    }

    #[test]
    fn allowed_values_become_readable_variants() {
        assert_eq!(type_name("AES-256-GCM"), "Aes256Gcm");
        assert_eq!(type_name("AES-128"), "Aes128");
        assert_eq!(type_name("SHA2-256"), "Sha2_256");
        assert_eq!(type_name("SHA1-96"), "Sha1_96");
        assert_eq!(type_name("3DES"), "V3Des");
        assert_eq!(type_name("RSA-PSS"), "RsaPss");
        assert_eq!(type_name("1.2"), "V1_2");
        assert_eq!(type_name("ChaCha20Poly1305"), "ChaCha20Poly1305");
        assert_eq!(type_name("ECDSA256"), "Ecdsa256");
        assert_eq!(type_name("packet-tunnel"), "PacketTunnel");
        assert_eq!(type_name(""), "Empty");
    }

    #[test]
    fn punctuation_and_spaces_separate_words() {
        assert_eq!(field_name("Key Type"), "key_type");
        assert_eq!(
            field_name("com.apple.MCX(Accounts)"),
            "com_apple_mcx_accounts"
        );
        assert_eq!(module_name("com.apple.MCX(Accounts)"), "mcx_accounts");
        assert_eq!(module_name("com.apple.vpn.managed"), "vpn_managed");
        assert_eq!(module_name(".GlobalPreferences"), "global_preferences");
        assert_eq!(module_name("com.apple.match"), "match_");
    }

    #[test]
    fn names_starting_with_digits_get_a_letter() {
        assert_eq!(field_name("802.1X"), "v802_1_x");
        assert_eq!(type_name("802.1X"), "V802_1X");
    }

    #[test]
    fn keywords_are_escaped() {
        assert_eq!(field_name("Type"), "r#type");
        assert_eq!(field_name("Self"), "self_");
        assert_eq!(field_name("match"), "r#match");
        assert_eq!(type_name("Self"), "Self_");
    }

    #[test]
    fn differently_written_names_can_meet() {
        assert_eq!(field_name("KeyType"), field_name("Key Type"));
        assert_eq!(field_name("URL"), field_name("url"));
    }

    #[test]
    fn constants_are_shouty() {
        assert_eq!(constant_name("IkeV2"), "IKE_V2");
        assert_eq!(
            constant_name("SecurityAssociationParameters"),
            "SECURITY_ASSOCIATION_PARAMETERS"
        );
    }

    #[test]
    fn overlay_names_are_checked() {
        assert!(is_identifier("vpn"));
        assert!(is_identifier("r#type"));
        assert!(!is_identifier("type"));
        assert!(!is_identifier("3des"));
        assert!(!is_identifier("a-b"));
        for never in ["self", "Self", "super", "crate", "_", "r#self", "r#crate"] {
            assert!(!is_identifier(never), "{never}");
        }
    }
}
