//! Documentation text from the IR, shared by every rendering: rustdoc now,
//! Markdown later. Each function returns Markdown lines.

use crate::ir::{Availability, Constraints, Docs, Field, Shape, TypeDef, TypeKind};
use crate::model::{Availability as Introduced, Scalar};

/// Schema prose made safe for rustdoc and Markdown: lines trimmed (an
/// indented line would become a code block), brackets escaped (they would
/// become links), bare URLs wrapped in `<…>`, HTML-looking text escaped.
pub fn sanitize(text: &str) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    for line in text.lines().map(str::trim).filter(|line| !line.is_empty()) {
        let line: String = line
            .split(' ')
            .map(sanitize_word)
            .collect::<Vec<_>>()
            .join(" ");
        // Apple's line breaks separate paragraphs; list items stay together.
        let in_list =
            is_list_item(&line) && lines.last().is_some_and(|previous| is_list_item(previous));
        if !lines.is_empty() && !in_list {
            lines.push(String::new());
        }
        lines.push(line);
    }
    lines
}

fn is_list_item(line: &str) -> bool {
    line.starts_with("* ") || line.starts_with("- ")
}

fn sanitize_word(word: &str) -> String {
    if word == "*" {
        return word.to_owned(); // a list bullet
    }
    let Some(start) = word.find("https://").or_else(|| word.find("http://")) else {
        return escape(word);
    };
    // A URL becomes an autolink; text around it (quotes, brackets, a full
    // stop) stays outside.
    let (before, rest) = word.split_at(start);
    let end = rest
        .find(['\'', '"', '(', ')', '<', '>', '[', ']'])
        .unwrap_or(rest.len());
    let (url, after) = rest.split_at(end);
    let bare = url.trim_end_matches(['.', ',', ';', ':', '!', '?']);
    let trailing = &url[bare.len()..];
    format!(
        "{}<{bare}>{}{}",
        escape(before),
        escape(trailing),
        sanitize_word(after)
    )
}

/// Escapes what Markdown would read as links, HTML, code or emphasis.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '[' | ']' | '<' | '>' | '`' | '*') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// The description paragraph of a type or field.
fn description(docs: &Docs) -> Vec<String> {
    match docs.description.as_deref().map(str::trim) {
        Some(text) if !text.is_empty() => sanitize(text),
        _ => docs
            .title
            .as_deref()
            .map(|title| vec![sanitize(title).join(" ")])
            .unwrap_or_default(),
    }
}

/// The availability line of a field of `owner`: what is in force for the
/// key, or, where that depends on the path to a shared dictionary, what the
/// key declares itself.
pub fn field_availability(owner: &TypeDef, field: &Field) -> Option<String> {
    if !owner.availability_by_path {
        return availability_line(&field.availability);
    }
    availability_line(&field.declared_availability).map(|line| {
        format!(
            "{} Otherwise as the key this dictionary is reached through.",
            line.replacen("Availability: ", "Availability of its own: ", 1)
        )
    })
}

/// Lines for a field of the struct `owner`.
pub fn field(owner: &TypeDef, field: &Field, shape_name: &str) -> Vec<String> {
    let mut lines = vec![format!(
        "`{}`{}: {shape_name}.",
        field.key,
        if field.required { " (required)" } else { "" }
    )];
    let body = description(&field.docs);
    if !body.is_empty() {
        lines.push(String::new());
        lines.extend(body);
    }
    let facts = constraint_facts(&field.value.constraints, &field.value.shape);
    if !facts.is_empty() {
        lines.push(String::new());
        lines.extend(facts);
    }
    if let Some(availability) = field_availability(owner, field) {
        lines.push(String::new());
        lines.push(availability);
    }
    if field.sensitive {
        lines.push(String::new());
        lines
            .push("Sensitive: the value is a secret and is never shown in diagnostics.".to_owned());
    }
    lines
}

/// Lines for a generated type.
pub fn type_def(def: &TypeDef) -> Vec<String> {
    let mut lines = Vec::new();
    if let Some(title) = &def.docs.title {
        lines.push(sanitize(title).join(" "));
        lines.push(String::new());
    }
    let body = description(&def.docs);
    if def.docs.description.is_some() {
        lines.extend(body);
        lines.push(String::new());
    }
    let origin = def.origin.join(" › ");
    match &def.kind {
        TypeKind::Struct(_) => lines.push(format!("The dictionary at `{origin}`.")),
        TypeKind::Enum(_) => lines.push(format!("The allowed values of `{origin}`.")),
    }
    if !def.also_at.is_empty() {
        let others: Vec<String> = def
            .also_at
            .iter()
            .map(|path| format!("`{}`", path.join(" › ")))
            .collect();
        lines.push(format!("Also at {}.", others.join(", ")));
    }
    if let Some(subkeytype) = &def.subkeytype {
        lines.push(String::new());
        lines.push(format!(
            "The schema names this shape `{subkeytype}` (its `subkeytype`)."
        ));
    }
    lines
}

/// "iOS 9.0+, macOS 10.7+; not available on watchOS."
pub fn availability_line(availability: &Availability) -> Option<String> {
    if availability.0.is_empty() {
        return None;
    }
    let mut available = Vec::new();
    let mut unavailable = Vec::new();
    for (os, support) in &availability.0 {
        match &support.introduced {
            Some(Introduced::NotAvailable) => unavailable.push(os.name().to_owned()),
            Some(Introduced::Since(version)) => {
                let mut text = format!("{} {version}+", os.name());
                if let Some(deprecated) = &support.deprecated {
                    text.push_str(&format!(" (deprecated in {deprecated})"));
                }
                if let Some(removed) = &support.removed {
                    text.push_str(&format!(" (removed in {removed})"));
                }
                available.push(text);
            }
            None => available.push(os.name().to_owned()),
        }
    }
    let mut line = String::from("Availability: ");
    line.push_str(&available.join(", "));
    if !unavailable.is_empty() {
        if !available.is_empty() {
            line.push_str("; ");
        }
        line.push_str(&format!("not available on {}", unavailable.join(", ")));
    }
    line.push('.');
    Some(line)
}

fn code(scalar: &Scalar) -> String {
    match scalar {
        Scalar::String(text) => format!("`\"{text}\"`"),
        other => format!("`{other}`"),
    }
}

/// Allowed values, range, default, length and format, one line each.
pub fn constraint_facts(constraints: &Constraints, shape: &Shape) -> Vec<String> {
    let mut lines = Vec::new();
    if !constraints.allowed.is_empty() {
        let values: Vec<String> = constraints.allowed.iter().map(code).collect();
        lines.push(format!("Allowed values: {}.", values.join(", ")));
    }
    if let Some(range) = &constraints.range {
        let text = match (&range.min, &range.max) {
            (Some(min), Some(max)) => format!("Range: {min} to {max}."),
            (Some(min), None) => format!("Range: at least {min}."),
            (None, Some(max)) => format!("Range: at most {max}."),
            (None, None) => String::new(),
        };
        if !text.is_empty() {
            lines.push(text);
        }
    }
    if let Some(default) = &constraints.default {
        let default = match (shape, default) {
            (Shape::IntegerFlag, Scalar::Integer(value)) => {
                format!("`{}` (`{value}`)", *value == 1)
            }
            _ => code(default),
        };
        lines.push(format!("Default: {default}."));
    }
    if let Some(repetition) = &constraints.repetition {
        lines.push(format!("Items: {} to {}.", repetition.min, repetition.max));
    }
    if let Some(format) = constraints.format {
        lines.push(format!("Format: {}.", format.name()));
    }
    if let Some(pattern) = &constraints.pattern {
        lines.push(format!("Pattern: `{pattern}`."));
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::sanitize;

    #[test]
    fn urls_become_autolinks_wherever_they_stand_in_a_word() {
        assert_eq!(
            sanitize("See https://example.com/a."),
            ["See <https://example.com/a>."]
        );
        assert_eq!(
            sanitize("('https://example.com/b')."),
            ["('<https://example.com/b>')."]
        );
        assert_eq!(
            sanitize("(<https://example.com/c>)"),
            ["(\\<<https://example.com/c>\\>)"]
        );
    }

    #[test]
    fn markdown_syntax_in_prose_is_escaped() {
        assert_eq!(
            sanitize("a [b] <c> *.d `e`"),
            ["a \\[b\\] \\<c\\> \\*.d \\`e\\`"]
        );
    }

    #[test]
    fn lines_are_paragraphs_and_list_items_stay_together() {
        assert_eq!(
            sanitize("One.\nTwo:\n* a\n* b\n    Indented."),
            ["One.", "", "Two:", "", "* a", "* b", "", "Indented."]
        );
    }
}
