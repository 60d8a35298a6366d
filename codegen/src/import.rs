//! `cargo xtask import`: Apple's facts from a checkout of its repository,
//! without its prose.
//!
//! The repository may keep Apple's facts (keys, types, presence, allowed
//! values, ranges, defaults, formats, availability, titles) but not Apple's
//! sentences. Each file is therefore copied as published with its prose
//! entries removed from the text (`content`, `description`, `note`, and the
//! `notes` section): the layout, anchors, aliases and order stay, so the
//! diff between two imported releases is the diff of Apple's facts. Each
//! result is parsed again and compared, node by node, with the original less
//! what was removed; it is also checked against the release's meta-schema.

use std::collections::BTreeMap;

use crate::error::SchemaError;
use crate::load::yaml::{Document, NodeId, NodeKind};
use crate::load::{Origin, SourceFile, apple, meta_schema};

/// Entries whose values are Apple's prose.
pub const PROSE_ENTRIES: &[&str] = &["content", "description", "note", "notes"];

/// One imported file: its name (as in Apple's repository) and its text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportedFile {
    pub name: String,
    pub text: String,
}

/// The comment every imported file starts with, naming the release.
pub fn header(release: &str) -> String {
    format!(
        "# Apple's facts for this file, its prose left out: imported from\n\
         # apple/device-management ({release}) by `cargo xtask import`. Do not edit; re-import.\n"
    )
}

/// Imports `sources` (Apple's published files): each without its prose,
/// with `header` (comment lines) on top. A file that cannot be imported is
/// left out, with a warning; so is a meta-schema problem of Apple's own.
pub fn import(
    sources: &[SourceFile],
    meta: Option<&Document>,
    header: &str,
) -> (Vec<ImportedFile>, Vec<SchemaError>) {
    let mut files = Vec::new();
    let mut warnings = Vec::new();
    for source in sources
        .iter()
        .filter(|source| source.origin == Origin::Published)
    {
        let warn = |message: String, resolution: &str| {
            SchemaError::new(&source.name, message).resolved(resolution)
        };
        if let Some(reason) = not_generated(&source.name, &source.text) {
            warnings.push(warn(reason, "the file is not imported"));
            continue;
        }
        let stripped = match strip_prose(&source.text) {
            Ok(stripped) => stripped,
            Err(message) => {
                warnings.push(warn(message, "the file is not imported"));
                continue;
            }
        };
        if let (Some(meta), Ok(document)) = (meta, Document::parse(&stripped)) {
            for problem in meta_schema::validate(meta, &document) {
                warnings.push(warn(
                    format!("Apple's meta-schema: {problem}"),
                    "the file is imported as published",
                ));
            }
        }
        files.push(ImportedFile {
            name: source.name.clone(),
            text: format!("{header}{stripped}"),
        });
    }
    (files, warnings)
}

/// Why a file describes nothing the project generates (a credential's
/// format, an MDM command), if it does not: the loader's own decision, so a
/// file is imported exactly when it would be generated. A file that does not
/// parse is left to [`strip_prose`] to report.
fn not_generated(name: &str, text: &str) -> Option<String> {
    let document = Document::parse(text).ok()?;
    // Read strictly, so the reason is stated as found; the loader gives up
    // on a file with its last problem.
    let (file, mut problems) = apple::read_schema_file(name, &document, 0, false);
    if file.is_some() {
        return None;
    }
    Some(problems.pop().map_or_else(
        || "the file describes no profile payload or declaration".to_owned(),
        |problem| problem.message,
    ))
}

/// `text` without its prose entries, verified to hold exactly the same
/// nodes but those.
pub fn strip_prose(text: &str) -> Result<String, String> {
    let original = Document::parse(text).map_err(|error| error.message)?;
    let lines: Vec<&str> = text.lines().collect();
    let mut removed = vec![false; lines.len()];
    for (key_line, key) in prose_entries(&original) {
        let first = key_line - 1;
        let Some(line) = lines.get(first) else {
            return Err(format!("line {key_line}: past the end of the file"));
        };
        let column = line.len() - line.trim_start().len();
        if !line[column..].starts_with(&format!("{key}:")) {
            // `- content: …` would take the item's dash with it.
            return Err(format!(
                "line {key_line}: `{key}` does not start its line; its entry cannot be removed \
                 as a whole"
            ));
        }
        removed[first] = true;
        // The value goes on over the lines indented deeper than the key (and
        // the blank lines among them); a key with no value on its line may
        // also take a list at its own indentation.
        let takes_list = line.trim_end().ends_with(':');
        let continues = |line: &str| {
            let indent = line.len() - line.trim_start().len();
            indent > column
                || (takes_list && indent == column && line.trim_start().starts_with("- "))
        };
        let mut next = first + 1;
        while next < lines.len() {
            let candidate = lines[next];
            let goes_on = if candidate.trim().is_empty() {
                lines[next..]
                    .iter()
                    .find(|line| !line.trim().is_empty())
                    .is_some_and(|line| continues(line))
            } else {
                continues(candidate)
            };
            if !goes_on {
                break;
            }
            removed[next] = true;
            next += 1;
        }
    }
    let mut stripped: String = lines
        .iter()
        .zip(&removed)
        .filter(|(_, removed)| !**removed)
        .map(|(line, _)| format!("{line}\n"))
        .collect();
    if !text.ends_with('\n') && stripped.ends_with('\n') {
        stripped.pop();
    }
    let result = Document::parse(&stripped)
        .map_err(|error| format!("without its prose the file is not YAML: {}", error.message))?;
    same_without_prose(&original, &result)?;
    Ok(stripped)
}

/// The line and key of every prose entry of a document, each node visited
/// once.
fn prose_entries(document: &Document) -> Vec<(usize, String)> {
    let mut found = Vec::new();
    let mut seen = vec![false; document.nodes.len()];
    let mut pending = vec![document.root];
    while let Some(node) = pending.pop() {
        if std::mem::replace(&mut seen[node], true) {
            continue;
        }
        match &document.node(node).kind {
            NodeKind::Mapping(entries) => {
                for entry in entries {
                    if PROSE_ENTRIES.contains(&entry.key.as_str()) {
                        found.push((entry.key_line, entry.key.clone()));
                    } else {
                        pending.push(entry.value);
                    }
                }
            }
            NodeKind::Sequence(items) => pending.extend(items.iter().copied()),
            NodeKind::Scalar { .. } => {}
        }
    }
    found
}

/// Whether `stripped` is `original` less its prose entries: the same nodes,
/// shared the same way.
fn same_without_prose(original: &Document, stripped: &Document) -> Result<(), String> {
    let mut matched: BTreeMap<NodeId, NodeId> = BTreeMap::new();
    let mut pending = vec![(original.root, stripped.root)];
    while let Some((a, b)) = pending.pop() {
        if let Some(&earlier) = matched.get(&a) {
            if earlier != b {
                return Err(format!(
                    "line {}: a shared node is no longer shared",
                    original.node(a).line
                ));
            }
            continue;
        }
        matched.insert(a, b);
        let differs = || format!("line {}: the node changed", original.node(a).line);
        match (&original.node(a).kind, &stripped.node(b).kind) {
            (NodeKind::Scalar { .. }, NodeKind::Scalar { .. }) => {
                if original.node(a).kind != stripped.node(b).kind {
                    return Err(differs());
                }
            }
            (NodeKind::Sequence(left), NodeKind::Sequence(right)) => {
                if left.len() != right.len() {
                    return Err(differs());
                }
                pending.extend(left.iter().copied().zip(right.iter().copied()));
            }
            (NodeKind::Mapping(left), NodeKind::Mapping(right)) => {
                let kept: Vec<_> = left
                    .iter()
                    .filter(|entry| !PROSE_ENTRIES.contains(&entry.key.as_str()))
                    .collect();
                if kept.len() != right.len() {
                    return Err(differs());
                }
                for (left, right) in kept.into_iter().zip(right) {
                    if left.key != right.key {
                        return Err(differs());
                    }
                    pending.push((left.value, right.value));
                }
            }
            _ => return Err(differs()),
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::{not_generated, strip_prose};

    #[test]
    fn prose_goes_and_everything_else_stays() {
        let text = "title: Widget\ndescription: A widget\n  spread over two lines.\npayload:\n  \
                    payloadtype: com.example.widget\npayloadkeys:\n- key: Name\n  type: <string>\n  \
                    content: |-\n    First line.\n\n    Second paragraph.\n  subkeys: &keys\n  - key: A\n    \
                    type: <string>\n- key: Again\n  type: <dictionary>\n  subkeys: *keys\nnotes:\n- title: \
                    A note\n  content: Some text.\n";
        let stripped = strip_prose(text).unwrap();
        assert!(!stripped.contains("description"), "{stripped}");
        assert!(!stripped.contains("First line"), "{stripped}");
        assert!(!stripped.contains("notes"), "{stripped}");
        assert!(stripped.contains("title: Widget"), "{stripped}");
        assert!(stripped.contains("subkeys: *keys"), "{stripped}");
        assert!(
            stripped.contains("  type: <string>\n  subkeys: &keys"),
            "{stripped}"
        );
    }

    #[test]
    fn an_entry_that_starts_a_list_item_is_refused() {
        let text = "title: T\npayloadkeys:\n- content: text\n  key: A\n  type: <string>\n";
        assert!(strip_prose(text).is_err());
    }

    #[test]
    fn only_payloads_and_declarations_are_imported() {
        let payload = "title: T\npayload:\n  payloadtype: com.example.widget\npayloadkeys: []\n";
        let declaration =
            "title: T\npayload:\n  declarationtype: com.example.widget\npayloadkeys: []\n";
        let credential = "title: T\npayload:\n  credentialtype: com.example.scep\n";
        assert_eq!(not_generated("p.yaml", payload), None);
        assert_eq!(not_generated("d.yaml", declaration), None);
        let reason = not_generated("c.yaml", credential).unwrap();
        assert!(reason.contains("`credentialtype`"), "{reason}");
        assert!(not_generated("t.yaml", "title: T\n").is_some());
    }
}
