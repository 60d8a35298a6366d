//! The well-known string formats: what a string key holds beyond its type
//! (Apple's `subtype`, the overlays' `valuetype`), their names in both
//! formats, and the check for each. The generator and the validators share
//! this one definition.

/// A well-known string format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Format {
    Uuid,
    Hostname,
    Url,
    Email,
    Domain,
    Timestamp,
    IpAddress,
    BundleIdentifier,
}

impl Format {
    pub const ALL: [Format; 8] = [
        Format::Uuid,
        Format::Hostname,
        Format::Url,
        Format::Email,
        Format::Domain,
        Format::Timestamp,
        Format::IpAddress,
        Format::BundleIdentifier,
    ];

    /// The name an overlay's `valuetype` uses (`uuid`, `ip-address`).
    pub fn schema_name(self) -> &'static str {
        match self {
            Format::Uuid => "uuid",
            Format::Hostname => "hostname",
            Format::Url => "url",
            Format::Email => "email",
            Format::Domain => "domain",
            Format::Timestamp => "timestamp",
            Format::IpAddress => "ip-address",
            Format::BundleIdentifier => "bundle-identifier",
        }
    }

    /// Reads an overlay's `valuetype`.
    pub fn from_schema_name(name: &str) -> Option<Format> {
        Format::ALL
            .into_iter()
            .find(|format| format.schema_name() == name)
    }

    /// Reads Apple's `subtype` (`<url>`, `<hostname>`, `<email>`); Apple's
    /// other subtypes say nothing a string check could use.
    pub fn from_subtype(subtype: &str) -> Option<Format> {
        match subtype {
            "<url>" => Some(Format::Url),
            "<hostname>" => Some(Format::Hostname),
            "<email>" => Some(Format::Email),
            _ => None,
        }
    }

    /// What a value of the format is, for messages and documentation
    /// ("a UUID", "an IP address").
    pub fn description(self) -> &'static str {
        match self {
            Format::Uuid => "a UUID",
            Format::Hostname => "a host name",
            Format::Url => "a URL",
            Format::Email => "an email address",
            Format::Domain => "a domain name",
            Format::Timestamp => "an RFC 3339 timestamp",
            Format::IpAddress => "an IP address",
            Format::BundleIdentifier => "a bundle identifier",
        }
    }

    /// Whether `text` is a well-formed value of the format.
    pub fn accepts(self, text: &str) -> bool {
        is_valid(self, text)
    }
}

fn is_valid(format: Format, text: &str) -> bool {
    match format {
        Format::Uuid => is_uuid(text),
        Format::Hostname => is_hostname(text),
        Format::Domain => is_hostname(text.strip_prefix("*.").unwrap_or(text)),
        Format::Url => is_url(text),
        Format::Email => is_email(text),
        Format::Timestamp => is_timestamp(text),
        Format::IpAddress => text.parse::<std::net::IpAddr>().is_ok(),
        Format::BundleIdentifier => {
            !text.is_empty()
                && text
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-')
        }
    }
}

/// `8-4-4-4-12` hexadecimal digits.
fn is_uuid(text: &str) -> bool {
    let groups: Vec<&str> = text.split('-').collect();
    groups.len() == 5
        && groups.iter().zip([8, 4, 4, 4, 12]).all(|(group, length)| {
            group.len() == length && group.chars().all(|c| c.is_ascii_hexdigit())
        })
}

fn is_hostname(text: &str) -> bool {
    let text = text.strip_suffix('.').unwrap_or(text);
    !text.is_empty()
        && text.len() <= 253
        && text.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        })
}

/// `scheme://rest`, without spaces.
fn is_url(text: &str) -> bool {
    let Some((scheme, rest)) = text.split_once("://") else {
        return false;
    };
    let mut scheme_chars = scheme.chars();
    scheme_chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && scheme_chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
        && !rest.is_empty()
        && !text.chars().any(char::is_whitespace)
}

fn is_email(text: &str) -> bool {
    let Some((local, domain)) = text.split_once('@') else {
        return false;
    };
    !local.is_empty() && !local.chars().any(char::is_whitespace) && is_hostname(domain)
}

/// `YYYY-MM-DDTHH:MM:SS` with optional fraction and a zone (`Z` or `±HH:MM`).
fn is_timestamp(text: &str) -> bool {
    let bytes = text.as_bytes();
    let digits = |range: std::ops::Range<usize>| {
        bytes
            .get(range)
            .is_some_and(|part| part.iter().all(u8::is_ascii_digit))
    };
    if bytes.len() < 20
        || !digits(0..4)
        || bytes[4] != b'-'
        || !digits(5..7)
        || bytes[7] != b'-'
        || !digits(8..10)
        || !matches!(bytes[10], b'T' | b't')
        || !digits(11..13)
        || bytes[13] != b':'
        || !digits(14..16)
        || bytes[16] != b':'
        || !digits(17..19)
    {
        return false;
    }
    let mut rest = &text[19..];
    if let Some(fraction) = rest.strip_prefix('.') {
        let end = fraction
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(fraction.len());
        if end == 0 {
            return false;
        }
        rest = &fraction[end..];
    }
    matches!(rest, "Z" | "z")
        || (rest.len() == 6
            && matches!(rest.as_bytes()[0], b'+' | b'-')
            && rest.as_bytes()[3] == b':'
            && rest[1..3]
                .chars()
                .chain(rest[4..6].chars())
                .all(|c| c.is_ascii_digit()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_read_back() {
        for format in Format::ALL {
            assert_eq!(Format::from_schema_name(format.schema_name()), Some(format));
        }
        assert_eq!(Format::from_subtype("<url>"), Some(Format::Url));
        assert_eq!(Format::from_schema_name("hostnme"), None);
    }

    #[test]
    fn formats() {
        assert!(is_valid(
            Format::Uuid,
            "5C2F6E8A-1F3B-4B6E-9D7C-0A1B2C3D4E5F"
        ));
        assert!(!is_valid(Format::Uuid, "5C2F6E8A-1F3B-4B6E-9D7C"));
        assert!(is_valid(Format::Hostname, "vpn.example.com"));
        assert!(!is_valid(Format::Hostname, "-bad.example.com"));
        assert!(is_valid(Format::Domain, "*.example.com"));
        assert!(is_valid(Format::Url, "https://example.com/probe"));
        assert!(!is_valid(Format::Url, "example.com"));
        assert!(is_valid(Format::Email, "a@example.com"));
        assert!(!is_valid(Format::Email, "a@"));
        assert!(is_valid(Format::Timestamp, "2026-12-01T06:51:41Z"));
        assert!(is_valid(Format::Timestamp, "2026-12-01T06:51:41.5+01:00"));
        assert!(!is_valid(Format::Timestamp, "2026-12-01"));
        assert!(is_valid(Format::IpAddress, "fe80::1"));
        assert!(is_valid(Format::BundleIdentifier, "com.example.app"));
    }
}
