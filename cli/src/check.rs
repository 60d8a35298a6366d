//! Reading and validating each file, in parallel, the results in the order
//! the files were given.

use std::path::{Path, PathBuf};

use mobileconfig::runtime::io;
use mobileconfig::runtime::{Coverage, Diagnostic, Severity, Target};
use rayon::prelude::*;

use crate::locate::{ReadFailure, SourceIndex, read_failure};
use crate::signing::signature_findings;
use mobileconfig::runtime::signed::TrustAnchors;

/// What checking one file gave.
pub struct Checked {
    pub path: PathBuf,
    pub outcome: Outcome,
}

pub enum Outcome {
    Read {
        /// Sorted by path, the more severe first.
        diagnostics: Vec<Diagnostic>,
        coverage: Coverage,
        /// Where each key is, for an XML profile.
        source: Option<SourceIndex>,
    },
    Unreadable(ReadFailure),
}

impl Checked {
    pub fn has_errors(&self) -> bool {
        match &self.outcome {
            Outcome::Read { diagnostics, .. } => diagnostics
                .iter()
                .any(|diagnostic| diagnostic.severity == Severity::Error),
            Outcome::Unreadable(_) => false,
        }
    }
}

/// Checks every file, several at a time; the results keep the files' order.
/// A signed profile's signature is checked, and its signer against
/// `anchors` when given.
pub fn check_all(
    files: &[PathBuf],
    target: Option<&Target>,
    anchors: Option<&TrustAnchors>,
) -> Vec<Checked> {
    files
        .par_iter()
        .map(|path| Checked {
            path: path.clone(),
            outcome: check_file(path, target, anchors),
        })
        .collect()
}

fn check_file(path: &Path, target: Option<&Target>, anchors: Option<&TrustAnchors>) -> Outcome {
    let bytes = match read_limited(path) {
        Ok(bytes) => bytes,
        Err(error) => {
            return Outcome::Unreadable(ReadFailure {
                message: error.to_string(),
                position: None,
                element: None,
                hint: None,
                source_line: None,
            });
        }
    };
    let (value, envelope) = match io::parse_unwrapped(&bytes) {
        Ok(unwrapped) => (unwrapped.content, unwrapped.envelope),
        Err(error) => return Outcome::Unreadable(read_failure(&bytes, &error.to_string())),
    };
    if value.as_dictionary().is_none() {
        let error = io::ReadError::NotADictionary {
            found: io::with_article(&value),
        };
        return Outcome::Unreadable(read_failure(&bytes, &error.to_string()));
    }
    let mut diagnostics = signature_findings(envelope.as_ref(), anchors);
    diagnostics.extend(mobileconfig::validate_profile(&value, target));
    diagnostics.sort_by(|a, b| a.path.cmp(&b.path).then(b.severity.cmp(&a.severity)));
    let coverage = Coverage::of(&value, &diagnostics);
    Outcome::Read {
        diagnostics,
        coverage,
        // A signed profile's lines are those of its content.
        source: match &envelope {
            None => SourceIndex::of(&bytes),
            Some(_) => None,
        },
    }
}

/// Reads at most one byte more than a profile may have, so a huge file (or
/// `/dev/zero`) is refused without being read whole.
pub fn read_limited(path: &Path) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    let mut bytes = Vec::new();
    std::fs::File::open(path)?
        .take(io::MAX_INPUT_BYTES as u64 + 1)
        .read_to_end(&mut bytes)?;
    Ok(bytes)
}
