//! `--format github`: GitHub Actions workflow commands, one per finding, so
//! a workflow run shows each finding on the file and line it concerns.

use mobileconfig::runtime::Severity;

use crate::check::{Checked, Outcome};

pub fn render(results: &[Checked]) -> String {
    let mut out = String::new();
    for checked in results {
        let file = checked.path.display().to_string();
        match &checked.outcome {
            Outcome::Read {
                diagnostics,
                source,
                ..
            } => {
                for diagnostic in diagnostics {
                    let command = match diagnostic.severity {
                        Severity::Error => "error",
                        Severity::Warning => "warning",
                        Severity::Info => "notice",
                    };
                    let position = source
                        .as_ref()
                        .and_then(|source| source.locate(&diagnostic.path));
                    let mut properties = vec![format!("file={}", property(&file))];
                    if let Some(position) = position {
                        properties.push(format!("line={}", position.line));
                        properties.push(format!("col={}", position.column));
                    }
                    properties.push(format!("title={}", property(&diagnostic.code)));
                    let message = super::path_and_message(diagnostic);
                    out.push_str(&format!(
                        "::{command} {}::{}\n",
                        properties.join(","),
                        data(&message)
                    ));
                }
            }
            Outcome::Unreadable(failure) => {
                let mut properties = vec![format!("file={}", property(&file))];
                if let Some(position) = failure.position {
                    properties.push(format!("line={}", position.line));
                    properties.push(format!("col={}", position.column));
                }
                properties.push("title=unreadable".to_owned());
                let mut message = format!("cannot be read as a profile: {}", failure.message);
                if let Some(hint) = &failure.hint {
                    message.push_str(&format!("\nhint: {hint}"));
                }
                out.push_str(&format!(
                    "::error {}::{}\n",
                    properties.join(","),
                    data(&message)
                ));
            }
        }
    }
    out
}

/// A command's message, escaped as the runner reads it.
fn data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// A property value, escaped as the runner reads it.
fn property(text: &str) -> String {
    data(text).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    #[test]
    fn values_are_escaped_as_the_runner_expects() {
        assert_eq!(super::data("50%\nnext"), "50%25%0Anext");
        assert_eq!(super::property("a:b,c"), "a%3Ab%2Cc");
    }
}
