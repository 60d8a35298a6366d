//! `mobileconfig explain CODE`: what a finding code means, why it matters
//! and how to fix it. The checks every key gets are described here; a
//! payload's own rules are described by the schema tables the validators
//! run (their message, severity, and the dictionary they apply to).

use mobileconfig::runtime::schema::{PayloadSchema, Severity};

/// What one code stands for.
pub struct Explanation {
    pub code: String,
    /// One line: what the finding says.
    pub summary: String,
    /// The rest, in paragraphs.
    pub details: Vec<String>,
}

/// A check every key gets: `(code, usual severity, what, why, fix)`.
const BUILT_IN: &[(&str, &str, &str, &str, &str)] = &[
    (
        "type",
        "error",
        "The value has another plist type than the schema gives the key.",
        "A device reads a key of the wrong type as missing or refuses the profile.",
        "Write the value with the element the key takes (`<string>`, `<integer>`, `<true/>`…): the message names it, and so does the payload's reference page.",
    ),
    (
        "type-coerced",
        "warning",
        "The value has another plist type than the schema's, one devices convert (`<true/>` for a 0/1 integer, a whole `<real>` for an `<integer>`).",
        "Devices accept it, but strict consumers (Apple Business Manager, some MDM servers) refuse it, and the typed API writes it back in the schema's type.",
        "Write the value in the schema's type.",
    ),
    (
        "required",
        "error",
        "A key the payload needs is missing.",
        "The device refuses the payload, or cannot do what it configures.",
        "Add the key. Where devices are known to accept it missing, the finding is a warning and says why.",
    ),
    (
        "rangelist",
        "error",
        "The value is not one of the key's allowed values.",
        "The device ignores or refuses a value it does not know.",
        "Use one of the values the message lists (the spelling and case matter).",
    ),
    (
        "range",
        "error",
        "The number is outside the key's range.",
        "The device refuses the value or clamps it to something you did not choose.",
        "Use a number within the bounds the message gives.",
    ),
    (
        "platform-range",
        "error",
        "The number is outside the range one platform allows (checked with --platform).",
        "That platform refuses or clamps it although others accept it.",
        "Use a number within that platform's bounds, or a separate profile for it.",
    ),
    (
        "platform-value",
        "error",
        "The value is one the target platform does not take (checked with --platform).",
        "That platform supports fewer values than the key lists.",
        "Use a value the message lists for that platform.",
    ),
    (
        "retired-value",
        "error",
        "The value was allowed once and is no longer: the message says in which releases it went.",
        "Current devices refuse it.",
        "Move to one of the values still allowed.",
    ),
    (
        "repetition",
        "error",
        "The array holds fewer or more items than the key allows.",
        "The device refuses the payload or uses only some of the items.",
        "Give the number of items the message states.",
    ),
    (
        "format",
        "error",
        "The string does not match the pattern the key requires.",
        "The device cannot use a value in another form.",
        "Write it in the form the message shows.",
    ),
    (
        "valuetype",
        "warning",
        "The string is not what the key holds (a UUID, a URL, a host name…).",
        "The device may refuse it or fail when it uses it.",
        "Write a value of the kind the message names.",
    ),
    (
        "reference",
        "error",
        "The key should name another payload of the profile by its `PayloadUUID`, and no payload of the right type has it.",
        "The device cannot find the certificate or identity the payload relies on, so the payload fails.",
        "Put the `PayloadUUID` of the payload it means, of one of the types the message lists, in the same profile.",
    ),
    (
        "duplicate-uuid",
        "error",
        "Two payloads of the profile share a `PayloadUUID`.",
        "The device tells payloads apart by it; one replaces the other.",
        "Give each payload its own UUID (`uuidgen`).",
    ),
    (
        "unavailable",
        "warning",
        "The key is not available on the target platform or release (checked with --platform and --os-version).",
        "That device ignores the key.",
        "Leave it out for that platform, or target a release that has it.",
    ),
    (
        "unsupported-payload",
        "error",
        "The payload type is not available on the target platform or release (checked with --platform).",
        "That device refuses the profile.",
        "Send the payload only to platforms that support it.",
    ),
    (
        "unknown-payload-type",
        "info",
        "The payload's type has no schema here (a custom or third-party payload, or one this build's features leave out).",
        "It is kept as read, but nothing in it is checked.",
        "Nothing to fix; the message names the feature that would check it, if there is one.",
    ),
    (
        "unknown-type",
        "info",
        "A value whose type another key names (a declaration's `Type`) has no schema here.",
        "It is kept as read, but not checked.",
        "Nothing to fix.",
    ),
    (
        "certificate",
        "error",
        "The payload's `<data>` does not hold a certificate the device can read.",
        "The device refuses the payload.",
        "Put one DER or PEM X.509 certificate there (`openssl x509 -outform DER`).",
    ),
    (
        "certificate-form",
        "warning",
        "The certificate is PEM text rather than DER bytes.",
        "Devices accept both; some tools expect DER.",
        "Convert it with `openssl x509 -outform DER` if a tool refuses it.",
    ),
    (
        "certificate-count",
        "warning",
        "The `<data>` holds more than one certificate.",
        "The device installs only one.",
        "Give each certificate its own payload.",
    ),
    (
        "certificate-expired",
        "warning",
        "The certificate's validity ended (the message gives the date).",
        "Connections that rely on it fail.",
        "Replace it with a current certificate.",
    ),
    (
        "certificate-not-yet-valid",
        "warning",
        "The certificate's validity has not begun (the message gives the date).",
        "Connections that rely on it fail until then.",
        "Check the issuing clock, or wait for the date.",
    ),
    (
        "certificate-info",
        "info",
        "What a certificate or identity payload holds: subject, issuer, whether it is a CA.",
        "So you can see which certificate a profile installs without other tools.",
        "Nothing to fix.",
    ),
    (
        "pkcs12",
        "error",
        "The PKCS#12 identity cannot be read or opened with the payload's password, or holds no private key.",
        "The device refuses the payload, and whatever authenticates with it fails.",
        "Export the identity again (certificate and private key) and check the password.",
    ),
    (
        "pkcs12-not-opened",
        "info",
        "The PKCS#12 identity was read, but the profile carries no password to open it.",
        "The device asks the user for the password at installation.",
        "Nothing to fix if that is intended; otherwise set the payload's `Password`.",
    ),
];

/// The findings about a signed profile (`crate::signing`).
const SIGNATURE: &[(&str, &str, &str, &str, &str)] = &[
    (
        "signed",
        "info",
        "Who signed the profile, with which algorithm and when, and whether trust anchors vouch for the signer.",
        "A signature shows the device (\"Verified\") and the administrator that the profile is what its signer wrote. A signature that does not hold makes the file unreadable instead.",
        "Nothing to fix. Give --trust CA.pem to check the signer against the certificates you trust.",
    ),
    (
        "untrusted-signer",
        "error",
        "The signature holds, but the signer's certificate does not lead to any certificate given with --trust (or the chain is not valid now).",
        "Anyone can sign a profile; only a signer you trust makes the signature mean something.",
        "Sign with an identity your anchors issued, add the missing intermediate to the envelope, or trust the right CA.",
    ),
    (
        "unsigned",
        "error",
        "--trust was given, but the profile is not signed.",
        "Nothing vouches for an unsigned profile.",
        "Sign it (`mobileconfig sign`), or check it without --trust.",
    ),
];

/// The explanation of `code`: a built-in check, or a rule of a payload (or
/// declaration) this build has.
pub fn explain(code: &str) -> Option<Explanation> {
    if let Some((code, severity, what, why, fix)) = BUILT_IN
        .iter()
        .chain(SIGNATURE)
        .find(|(known, ..)| *known == code)
    {
        return Some(Explanation {
            code: (*code).to_owned(),
            summary: (*what).to_owned(),
            details: vec![
                format!("Severity: {severity}, for every key it applies to."),
                format!("Why it matters: {why}"),
                format!("How to fix it: {fix}"),
            ],
        });
    }
    let (schema, path, rule) = all_schemas().into_iter().find_map(|schema| {
        schema
            .rules()
            .into_iter()
            .find(|(_, rule)| rule.code == code)
            .map(|(path, rule)| (schema, path, rule))
    })?;
    let place = if path.is_empty() {
        format!("the `{}` payload itself", schema.payload_type)
    } else {
        format!(
            "`{}` in a `{}` payload",
            path.join("."),
            schema.payload_type
        )
    };
    let severity = match rule.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "info",
    };
    Some(Explanation {
        code: rule.code.to_owned(),
        summary: format!(
            "A rule of the `{}` payload ({}).",
            schema.payload_type, schema.title
        ),
        details: vec![
            format!("Severity: {severity}. It applies to {place}."),
            format!(
                "What it says, and what to do: {}",
                rule.message
                    .replace("{key}", "<key>")
                    .replace("{value}", "<value>")
            ),
            format!(
                "The payload's reference page (generated/docs/{}.md) shows the rule with the keys it reads.",
                schema.payload_type
            ),
        ],
    })
}

/// Every code `explain` knows, sorted: for suggestions.
pub fn known_codes() -> Vec<String> {
    let mut codes: Vec<String> = BUILT_IN
        .iter()
        .map(|(code, ..)| (*code).to_owned())
        .collect();
    for schema in all_schemas() {
        codes.extend(
            schema
                .rules()
                .into_iter()
                .map(|(_, rule)| rule.code.to_owned()),
        );
    }
    codes.sort();
    codes.dedup();
    codes
}

fn all_schemas() -> Vec<&'static PayloadSchema> {
    let mut schemas = mobileconfig::payload::schemas();
    schemas.push(&mobileconfig::profile::schema::PAYLOAD);
    schemas
}

/// The codes closest to a mistyped one: those that contain it or end as
/// it does, then those within a few edits of it.
pub fn suggestions(code: &str) -> Vec<String> {
    let last = code.rsplit('.').next().unwrap_or(code);
    let known = known_codes();
    let mut close: Vec<String> = known
        .iter()
        .filter(|known| known.contains(code) || known.ends_with(last))
        .cloned()
        .collect();
    if close.is_empty() {
        let mut ranked: Vec<(usize, &String)> = known
            .iter()
            .map(|known| (strsim::levenshtein(known, code), known))
            .filter(|(distance, _)| *distance <= 3)
            .collect();
        ranked.sort();
        close = ranked.into_iter().map(|(_, known)| known.clone()).collect();
    }
    close.truncate(8);
    close
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_built_in_code_the_validators_use_is_explained() {
        for code in [
            "type",
            "type-coerced",
            "required",
            "rangelist",
            "range",
            "repetition",
            "reference",
            "unknown-payload-type",
            "certificate-expired",
            "signed",
            "untrusted-signer",
        ] {
            assert!(explain(code).is_some(), "{code}");
        }
    }

    #[test]
    fn a_payload_rule_is_explained_from_its_table() {
        let explanation = explain("vpn.ikev2.shared-secret-missing").unwrap();
        assert!(explanation.summary.contains("com.apple.vpn.managed"));
        assert!(
            explanation.details[0].contains("`IKEv2`"),
            "{:?}",
            explanation.details
        );
        assert!(explain("no.such.code").is_none());
        assert!(
            suggestions("shared-secret-missing")
                .contains(&"vpn.ikev2.shared-secret-missing".to_owned())
        );
        assert_eq!(suggestions("rangelst")[0], "rangelist");
    }
}
