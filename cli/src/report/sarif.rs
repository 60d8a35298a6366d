//! `--format sarif`: SARIF 2.1.0, the format code-scanning services read,
//! so a repository of profiles can be checked in CI with findings shown on
//! the lines they concern. Built with the typed model of `serde-sarif`.

use std::collections::BTreeMap;

use mobileconfig::runtime::Severity;
use serde_sarif::sarif::{
    ArtifactLocation, Location, LogicalLocation, Message, MultiformatMessageString,
    PhysicalLocation, Region, ReportingDescriptor, Result as SarifResult, ResultLevel, Run, Sarif,
    Tool, ToolComponent,
};

use crate::check::{Checked, Outcome};
use crate::explain;
use crate::locate::Position;

/// The rule id of a file that could not be read.
const UNREADABLE: &str = "unreadable";

/// The schema SARIF files name.
const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

pub fn render(results: &[Checked]) -> String {
    // Every code that occurs, each a rule of the tool, in a stable order.
    let mut codes: BTreeMap<String, usize> = BTreeMap::new();
    for checked in results {
        match &checked.outcome {
            Outcome::Read { diagnostics, .. } => {
                for diagnostic in diagnostics {
                    codes.insert(diagnostic.code.clone(), 0);
                }
            }
            Outcome::Unreadable(_) => {
                codes.insert(UNREADABLE.to_owned(), 0);
            }
        }
    }
    for (index, slot) in codes.values_mut().enumerate() {
        *slot = index;
    }
    let rules: Vec<ReportingDescriptor> = codes.keys().map(|code| rule(code)).collect();
    let mut sarif_results = Vec::new();
    for checked in results {
        let uri = uri(&checked.path.display().to_string());
        match &checked.outcome {
            Outcome::Read {
                diagnostics,
                source,
                ..
            } => {
                for diagnostic in diagnostics {
                    let position = source
                        .as_ref()
                        .and_then(|source| source.locate(&diagnostic.path));
                    let region = position.map(region);
                    let level = match diagnostic.severity {
                        Severity::Error => ResultLevel::Error,
                        Severity::Warning => ResultLevel::Warning,
                        Severity::Info => ResultLevel::Note,
                    };
                    let text = super::path_and_message(diagnostic);
                    let mut location = Location::builder()
                        .physical_location(physical(&uri, region))
                        .build();
                    if !diagnostic.path.is_empty() {
                        location.logical_locations = Some(vec![
                            LogicalLocation::builder()
                                .fully_qualified_name(diagnostic.path.clone())
                                .kind("member")
                                .build(),
                        ]);
                    }
                    sarif_results.push(
                        SarifResult::builder()
                            .rule_id(diagnostic.code.clone())
                            .rule_index(codes[&diagnostic.code] as i64)
                            .level(level)
                            .message(Message::builder().text(text).build())
                            .locations(vec![location])
                            .build(),
                    );
                }
            }
            Outcome::Unreadable(failure) => {
                let region = failure.position.map(region);
                let mut text = format!("cannot be read as a profile: {}", failure.message);
                if let Some(hint) = &failure.hint {
                    text.push_str(&format!(" (hint: {hint})"));
                }
                sarif_results.push(
                    SarifResult::builder()
                        .rule_id(UNREADABLE)
                        .rule_index(codes[UNREADABLE] as i64)
                        .level(ResultLevel::Error)
                        .message(Message::builder().text(text).build())
                        .locations(vec![
                            Location::builder()
                                .physical_location(physical(&uri, region))
                                .build(),
                        ])
                        .build(),
                );
            }
        }
    }
    let driver = ToolComponent::builder()
        .name("mobileconfig")
        .version(env!("CARGO_PKG_VERSION"))
        .rules(rules)
        .build();
    let run = Run::builder()
        .tool(Tool::builder().driver(driver).build())
        .results(sarif_results)
        .build();
    let sarif = Sarif::builder()
        .schema(SCHEMA)
        .version(serde_json::json!("2.1.0"))
        .runs(vec![run])
        .build();
    serde_json::to_string_pretty(&sarif).unwrap_or_default() + "\n"
}

/// Where a result starts in its file.
fn region(position: Position) -> Region {
    Region::builder()
        .start_line(position.line as i64)
        .start_column(position.column as i64)
        .build()
}

fn physical(uri: &str, region: Option<Region>) -> PhysicalLocation {
    let artifact = ArtifactLocation::builder().uri(uri.to_owned()).build();
    match region {
        Some(region) => PhysicalLocation::builder()
            .artifact_location(artifact)
            .region(region)
            .build(),
        None => PhysicalLocation::builder()
            .artifact_location(artifact)
            .build(),
    }
}

/// A rule of the tool: its code and what it means.
fn rule(code: &str) -> ReportingDescriptor {
    let summary = if code == UNREADABLE {
        "The file is not a property list this tool can read.".to_owned()
    } else {
        explain::explain(code)
            .map(|explanation| explanation.summary)
            .unwrap_or_else(|| format!("Finding `{code}`."))
    };
    ReportingDescriptor::builder()
        .id(code)
        .short_description(MultiformatMessageString::builder().text(summary).build())
        .build()
}

/// A path as a relative URI reference: `/` between folders, and every byte
/// outside the unreserved set percent-encoded.
fn uri(path: &str) -> String {
    let path = path.replace('\\', "/");
    let mut out = String::new();
    for byte in path.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~/".contains(&byte) {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn paths_become_uri_references() {
        assert_eq!(
            super::uri("profiles/my vpn.mobileconfig"),
            "profiles/my%20vpn.mobileconfig"
        );
        assert_eq!(super::uri("a\\b.mobileconfig"), "a/b.mobileconfig");
    }
}
