//! The text format, for people: each finding as `path: severity[code]:
//! message`, then where it is in the file and that line, as a compiler
//! shows an error. Colour comes from the writer (see `main`).

use std::io::Write;

use anstyle::{AnsiColor, Style};
use mobileconfig::runtime::{Diagnostic, Severity};

use crate::check::{Checked, Outcome};
use crate::locate::{Position, ReadFailure, SourceIndex};

const ERROR: Style = AnsiColor::Red.on_default().bold();
const WARNING: Style = AnsiColor::Yellow.on_default().bold();
const NOTE: Style = AnsiColor::Cyan.on_default().bold();
const GUTTER: Style = AnsiColor::Blue.on_default().bold();
const HEADER: Style = Style::new().bold();

/// Writes every file's findings to `out` and its read errors to `errors`.
pub fn write(
    results: &[Checked],
    out: &mut dyn Write,
    errors: &mut dyn Write,
) -> std::io::Result<()> {
    let several = results.len() > 1;
    for checked in results {
        let file = checked.path.display().to_string();
        match &checked.outcome {
            Outcome::Read {
                diagnostics,
                source,
                ..
            } => {
                if several && !diagnostics.is_empty() {
                    writeln!(out, "{HEADER}{file}{HEADER:#}")?;
                }
                for diagnostic in diagnostics {
                    finding(out, &file, diagnostic, source.as_ref())?;
                }
            }
            Outcome::Unreadable(failure) => unreadable(errors, &file, failure)?,
        }
    }
    Ok(())
}

fn finding(
    out: &mut dyn Write,
    file: &str,
    diagnostic: &Diagnostic,
    source: Option<&SourceIndex>,
) -> std::io::Result<()> {
    let (style, word) = match diagnostic.severity {
        Severity::Error => (ERROR, "error"),
        Severity::Warning => (WARNING, "warning"),
        Severity::Info => (NOTE, "info"),
    };
    // A finding about the whole file (its signature) has no key path.
    let path = if diagnostic.path.is_empty() {
        "(profile)"
    } else {
        diagnostic.path.as_str()
    };
    writeln!(
        out,
        "{path}: {style}{word}[{}]{style:#}: {}",
        diagnostic.code, diagnostic.message
    )?;
    let Some(source) = source else {
        return Ok(());
    };
    let Some(position) = source.locate(&diagnostic.path) else {
        return Ok(());
    };
    excerpt(out, file, position, source.line(position.line))
}

fn unreadable(out: &mut dyn Write, file: &str, failure: &ReadFailure) -> std::io::Result<()> {
    let place = match failure.position {
        Some(Position { line, column }) => format!("{file}:{line}:{column}"),
        None => file.to_owned(),
    };
    let element = failure
        .element
        .as_ref()
        .map(|element| format!(" (in <{element}>)"))
        .unwrap_or_default();
    writeln!(
        out,
        "{place}: {ERROR}cannot be read as a profile{ERROR:#}: {}{element}",
        failure.message
    )?;
    if let (Some(position), Some(line)) = (failure.position, &failure.source_line) {
        gutter_lines(out, position, line)?;
    }
    if let Some(hint) = &failure.hint {
        writeln!(out, "  {GUTTER}={GUTTER:#} hint: {hint}")?;
    }
    Ok(())
}

/// `  --> file:line:column`, then the line with a marker under the column.
fn excerpt(
    out: &mut dyn Write,
    file: &str,
    position: Position,
    line: Option<&str>,
) -> std::io::Result<()> {
    writeln!(
        out,
        "  {GUTTER}-->{GUTTER:#} {file}:{}:{}",
        position.line, position.column
    )?;
    match line {
        Some(line) => gutter_lines(out, position, line),
        None => Ok(()),
    }
}

fn gutter_lines(out: &mut dyn Write, position: Position, line: &str) -> std::io::Result<()> {
    /// How much of a long line is shown on each side of the column.
    const CONTEXT: usize = 60;
    let number = position.line.to_string();
    let pad = " ".repeat(number.len());
    let chars: Vec<char> = line.chars().collect();
    let column = position.column.saturating_sub(1).min(chars.len());
    let from = column.saturating_sub(CONTEXT);
    let to = (column + CONTEXT).min(chars.len());
    let mut before: String = chars[from..column].iter().collect();
    let mut after: String = chars[column..to].iter().collect();
    if from > 0 {
        before.insert(0, '…');
    }
    if to < chars.len() {
        after.push('…');
    }
    // Tabs become spaces so the marker lines up.
    let before = before.replace('\t', "    ");
    let indent = before.chars().count();
    let shown = format!("{before}{}", after.replace('\t', "    "));
    writeln!(out, "{pad} {GUTTER}|{GUTTER:#}")?;
    writeln!(out, "{GUTTER}{number} |{GUTTER:#} {shown}")?;
    writeln!(
        out,
        "{pad} {GUTTER}|{GUTTER:#} {}{GUTTER}^{GUTTER:#}",
        " ".repeat(indent)
    )
}
