//! The bytes certificate payloads carry, checked as a device would read
//! them: a certificate must parse (and be within its validity period), a
//! PKCS#12 must parse and, when its payload carries the password, open and
//! hold a private key with its certificate. Without the `certificates`
//! feature nothing is read and nothing is reported.
//!
//! The password is handed to the reader and never appears in a finding.

use plist::Value;

use crate::schema::{Contents, Severity};

/// One finding about a value's contents.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Finding {
    pub severity: Severity,
    pub code: &'static str,
    pub message: String,
}

/// The findings about `value`, whose contents the schema describes;
/// `dictionary` holds its siblings (a PKCS#12's password).
#[cfg(not(feature = "certificates"))]
pub(crate) fn check(
    _: Contents,
    _: &Value,
    _: &plist::Dictionary,
    _: std::time::SystemTime,
) -> Vec<Finding> {
    Vec::new()
}

#[cfg(feature = "certificates")]
pub(crate) use reading::check;

#[cfg(feature = "certificates")]
mod reading {
    use std::time::SystemTime;

    use super::*;
    use crate::certificate::{
        CertificateEncoding, CertificateSummary, Pkcs12Error, Validity, open_pkcs12,
        read_certificate,
    };
    use crate::schema::CertificateForm;

    pub(crate) fn check(
        contents: Contents,
        value: &Value,
        dictionary: &plist::Dictionary,
        moment: SystemTime,
    ) -> Vec<Finding> {
        let Value::Data(bytes) = value else {
            return Vec::new(); // its type is reported
        };
        let mut findings = Vec::new();
        match contents {
            Contents::Certificate(form) => certificate(bytes, form, moment, &mut findings),
            Contents::Pkcs12 { password } => {
                let password = password
                    .and_then(|key| dictionary.get(key))
                    .and_then(Value::as_string);
                pkcs12(bytes, password, moment, &mut findings)
            }
        }
        findings
    }

    fn finding(severity: Severity, code: &'static str, message: String) -> Finding {
        Finding {
            severity,
            code,
            message,
        }
    }

    /// "`CN=Example Root CA` (a self-signed CA certificate)".
    fn described(summary: &CertificateSummary) -> String {
        let kind = match (summary.is_ca, summary.self_signed) {
            (true, true) => "a self-signed CA certificate".to_owned(),
            (true, false) => format!("a CA certificate issued by `{}`", summary.issuer),
            (false, true) => "a self-signed certificate".to_owned(),
            (false, false) => format!("a certificate issued by `{}`", summary.issuer),
        };
        format!("`{}` ({kind})", summary.subject)
    }

    /// A warning when the certificate is out of its validity period now.
    fn validity(summary: &CertificateSummary, moment: SystemTime, findings: &mut Vec<Finding>) {
        match summary.validity_at(moment) {
            Validity::Valid => {}
            outside @ Validity::Expired { .. } => findings.push(finding(
                Severity::Warning,
                "certificate-expired",
                format!(
                    "{} {outside}; devices do not trust it for new connections",
                    described(summary)
                ),
            )),
            outside @ Validity::NotYetValid { .. } => findings.push(finding(
                Severity::Warning,
                "certificate-not-yet-valid",
                format!(
                    "{} is {outside}; devices do not trust it until then",
                    described(summary)
                ),
            )),
        }
    }

    fn certificate(
        bytes: &[u8],
        form: CertificateForm,
        moment: SystemTime,
        findings: &mut Vec<Finding>,
    ) {
        let summary = match read_certificate(bytes) {
            Ok(summary) => summary,
            Err(error) => {
                findings.push(finding(Severity::Error, "certificate", format!("{error}")));
                return;
            }
        };
        let written = match summary.encoding {
            CertificateEncoding::Der => CertificateForm::Der,
            CertificateEncoding::Pem => CertificateForm::Pem,
        };
        if written != form {
            findings.push(finding(
                Severity::Warning,
                "certificate-form",
                format!(
                    "the certificate is written as {}, where this payload documents {}; devices \
                     read both, strict tools may not",
                    written.name(),
                    form.name()
                ),
            ));
        }
        if summary.count > 1 {
            findings.push(finding(
                Severity::Warning,
                "certificate-count",
                format!(
                    "the PEM text holds {} certificates; a payload installs one, the first",
                    summary.count
                ),
            ));
        }
        findings.push(finding(
            Severity::Info,
            "certificate-info",
            format!("holds {}", described(&summary)),
        ));
        validity(&summary, moment, findings);
    }

    fn pkcs12(
        bytes: &[u8],
        password: Option<&str>,
        moment: SystemTime,
        findings: &mut Vec<Finding>,
    ) {
        let opened = open_pkcs12(bytes, password).and_then(|summary| {
            if summary.opened {
                summary.require_identity().cloned().map(Some)
            } else {
                Ok(None)
            }
        });
        match opened {
            Ok(Some(identity)) => {
                findings.push(finding(
                    Severity::Info,
                    "certificate-info",
                    format!(
                        "opens with the payload's Password; its identity is {}",
                        described(&identity)
                    ),
                ));
                validity(&identity, moment, findings);
            }
            Ok(None) => findings.push(finding(
                Severity::Info,
                "pkcs12-not-opened",
                "the payload carries no Password, so the device asks for it at installation; \
                 the file's structure reads"
                    .to_owned(),
            )),
            Err(error @ (Pkcs12Error::Unsupported { .. } | Pkcs12Error::TooCostly(_))) => findings
                .push(finding(
                    Severity::Info,
                    "pkcs12-not-opened",
                    format!("not checked: {error}"),
                )),
            Err(error) => findings.push(finding(Severity::Error, "pkcs12", format!("{error}"))),
        }
    }
}
