//! Schema problems, written for the person who has to fix the schema.
//!
//! A problem in the project's own files is an error: nothing is generated
//! until it is fixed. The same problem in a file Apple publishes (which the
//! project does not control) is a warning: the generator resolves it in a
//! stated, deterministic way and goes on, and the message says how.

use std::fmt;

/// Whether a problem stops generation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Level {
    Error,
    /// Resolved as the message says; generation goes on.
    Warning,
}

/// One problem in a schema file: where it is and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct SchemaError {
    /// The file, as given to the generator (relative to the schema folder).
    pub file: String,
    /// 1-based line, where the problem has one.
    pub line: Option<usize>,
    /// Where in the payload: the payload type, then the key names from the
    /// top down (`com.apple.vpn.managed › IKEv2 › CertificateType`).
    pub key_path: Vec<String>,
    pub message: String,
    pub level: Level,
}

impl SchemaError {
    pub fn new(file: impl Into<String>, message: impl Into<String>) -> Self {
        SchemaError {
            file: file.into(),
            line: None,
            key_path: Vec::new(),
            message: message.into(),
            level: Level::Error,
        }
    }

    /// The problem as a warning, resolved as `resolution` says ("the
    /// default is left out").
    pub fn resolved(mut self, resolution: &str) -> Self {
        self.level = Level::Warning;
        self.message = format!("{}; taken as published: {resolution}", self.message);
        self
    }

    /// Resolved when `published`, an error otherwise.
    pub fn resolved_if(self, published: bool, resolution: &str) -> Self {
        if published {
            self.resolved(resolution)
        } else {
            self
        }
    }

    pub fn is_error(&self) -> bool {
        self.level == Level::Error
    }

    pub fn at_line(mut self, line: usize) -> Self {
        self.line = Some(line);
        self
    }

    pub fn at_path(mut self, key_path: &[String]) -> Self {
        self.key_path = key_path.to_vec();
        self
    }
}

impl fmt::Display for SchemaError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
        }
        if !self.key_path.is_empty() {
            write!(f, ": {}", self.key_path.join(" › "))?;
        }
        write!(f, ": {}", self.message)
    }
}

/// An overlay path as a key path for messages: the payload first.
pub fn overlay_key_path(payload: &str, path: &[String]) -> Vec<String> {
    std::iter::once(payload.to_owned())
        .chain(path.iter().cloned())
        .collect()
}

/// Every problem found in a schema, sorted by file and line. Loading and
/// checking collect all problems before failing, so one run shows them all;
/// warnings are kept with the errors.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchemaErrors(pub Vec<SchemaError>);

impl SchemaErrors {
    pub fn sorted(mut errors: Vec<SchemaError>) -> Self {
        errors.sort();
        errors.dedup();
        SchemaErrors(errors)
    }
}

impl fmt::Display for SchemaErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (index, error) in self.0.iter().enumerate() {
            if index > 0 {
                writeln!(f)?;
            }
            let level = match error.level {
                Level::Error => "error",
                Level::Warning => "warning",
            };
            write!(f, "{level}: {error}")?;
        }
        Ok(())
    }
}

impl std::error::Error for SchemaErrors {}
