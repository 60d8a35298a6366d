//! `--format json`: every file with its payload counts and findings, or the
//! reason it could not be read.

use crate::check::{Checked, Outcome};

pub fn render(results: &[Checked]) -> String {
    let files: Vec<serde_json::Value> = results
        .iter()
        .map(|checked| {
            let file = checked.path.display().to_string();
            match &checked.outcome {
                Outcome::Read {
                    diagnostics,
                    coverage,
                    ..
                } => serde_json::json!({
                    "file": file,
                    "payloads": coverage,
                    "diagnostics": diagnostics,
                }),
                Outcome::Unreadable(failure) => serde_json::json!({
                    "file": file,
                    "error": failure.message,
                }),
            }
        })
        .collect();
    let document = serde_json::json!({ "files": files });
    serde_json::to_string_pretty(&document).unwrap_or_default() + "\n"
}
