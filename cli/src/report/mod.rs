//! The findings of `validate`, in each output format. Every format reads the
//! same [`Checked`] results; only the text format is for people.

pub mod github;
pub mod json;
pub mod sarif;
pub mod text;

use mobileconfig::runtime::{Coverage, Diagnostic, Severity};

use crate::check::{Checked, Outcome};

/// What the run found, across files.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Summary {
    pub files: usize,
    pub unreadable: usize,
    pub errors: usize,
    pub warnings: usize,
    pub notes: usize,
    pub coverage: Coverage,
}

impl Summary {
    pub fn of(results: &[Checked]) -> Summary {
        let mut summary = Summary {
            files: results.len(),
            ..Summary::default()
        };
        for checked in results {
            match &checked.outcome {
                Outcome::Unreadable(_) => summary.unreadable += 1,
                Outcome::Read {
                    diagnostics,
                    coverage,
                    ..
                } => {
                    summary.coverage += *coverage;
                    for diagnostic in diagnostics {
                        match diagnostic.severity {
                            Severity::Error => summary.errors += 1,
                            Severity::Warning => summary.warnings += 1,
                            Severity::Info => summary.notes += 1,
                        }
                    }
                }
            }
        }
        summary
    }

    /// The line printed after the findings.
    pub fn line(&self) -> String {
        let mut line = format!(
            "{} error(s), {} warning(s), {} note(s) in {} file(s); {} payload(s) checked, {} not \
             checked (no schema for their type)",
            self.errors,
            self.warnings,
            self.notes,
            self.files,
            self.coverage.checked,
            self.coverage.unchecked
        );
        if self.unreadable > 0 {
            line.push_str(&format!("; {} file(s) could not be read", self.unreadable));
        }
        line
    }
}

/// A finding as one line of text for formats that carry the file apart:
/// `path: message`, or the message alone for a finding about the whole
/// file (its signature).
pub fn path_and_message(diagnostic: &Diagnostic) -> String {
    if diagnostic.path.is_empty() {
        diagnostic.message.clone()
    } else {
        format!("{}: {}", diagnostic.path, diagnostic.message)
    }
}
