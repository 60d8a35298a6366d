//! What each kind of change does to code that uses the generated crate, and
//! the version number that follows: the one table of the change log.
//!
//! The generated API is built to absorb additions: structs and enums are
//! `#[non_exhaustive]`, every field is an `Option` set after `new()`, enums
//! keep unknown values in `Other(String)`, and payloads of unknown types
//! read into `Payload::Other`. What it cannot absorb is a name or a type that
//! code spells going away or changing, and a change to what `new()` takes
//! (the `…Required` struct holds exactly the required keys).

use serde::Serialize;

use super::ChangeKind;
pub use crate::release::Version;

/// A change's effect on the crate's version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Effect {
    /// Nothing a caller sees changes.
    Patch,
    /// Code keeps compiling; the crate knows more, or validates otherwise.
    Minor,
    /// Code that uses what changed stops compiling.
    Major,
}

impl Effect {
    pub fn name(self) -> &'static str {
        match self {
            Effect::Patch => "patch",
            Effect::Minor => "minor",
            Effect::Major => "major",
        }
    }
}

impl ChangeKind {
    /// The table: each kind of change and its effect, with the reason.
    pub fn effect(&self) -> Effect {
        match self {
            // A new variant of the non-exhaustive `Payload` (or
            // `DeclarationPayload`) and a new module.
            ChangeKind::PayloadAdded { .. } => Effect::Minor,
            // Its module, types and variant go.
            ChangeKind::PayloadRemoved { .. } => Effect::Major,
            // A new field of a non-exhaustive struct, `None` after `new()`.
            ChangeKind::KeyAdded { required: false } => Effect::Minor,
            // `new()` takes it: the `…Required` struct gains a field that
            // existing struct literals do not give.
            ChangeKind::KeyAdded { required: true } => Effect::Major,
            // The field goes.
            ChangeKind::KeyRemoved => Effect::Major,
            // The field's type changes.
            ChangeKind::Retyped { .. } => Effect::Major,
            // The `…Required` struct gains the field.
            ChangeKind::MadeRequired => Effect::Major,
            // The `…Required` struct loses the field.
            ChangeKind::MadeOptional => Effect::Major,
            // A new variant of a non-exhaustive enum; or, for a key with no
            // enum, a value the validators now accept.
            ChangeKind::ValuesAdded { .. } => Effect::Minor,
            // An enum variant goes.
            ChangeKind::ValuesRemoved {
                rust_enum: true, ..
            } => Effect::Major,
            // The validators now refuse a value; no name changes.
            ChangeKind::ValuesRemoved {
                rust_enum: false, ..
            } => Effect::Minor,
            // The validators (and `supportedOS` tables) judge otherwise; the
            // API is the same.
            ChangeKind::RangeChanged { .. }
            | ChangeKind::DefaultChanged { .. }
            | ChangeKind::ItemsChanged { .. }
            | ChangeKind::FormatChanged { .. }
            | ChangeKind::AvailabilityChanged { .. }
            | ChangeKind::RuleAdded { .. }
            | ChangeKind::RuleRemoved { .. }
            | ChangeKind::RuleChanged { .. } => Effect::Minor,
            // Only the words of a finding change.
            ChangeKind::RuleReworded { .. } => Effect::Patch,
            // A name code spells changes.
            ChangeKind::Renamed { .. } => Effect::Major,
        }
    }
}

impl Version {
    /// The version a release with changes of `effect` takes, by Cargo's
    /// rules: before 1.0 the minor number is the breaking one, and an
    /// addition takes the patch number.
    pub fn next(self, effect: Effect) -> Version {
        let Version {
            major,
            minor,
            patch,
        } = self;
        match (major, effect) {
            (0, Effect::Major) => Version::new(0, minor + 1, 0),
            (0, Effect::Minor | Effect::Patch) => Version::new(0, minor, patch + 1),
            (_, Effect::Major) => Version::new(major + 1, 0, 0),
            (_, Effect::Minor) => Version::new(major, minor + 1, 0),
            (_, Effect::Patch) => Version::new(major, minor, patch + 1),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_follow_cargo_before_and_after_one() {
        let early = Version::new(0, 3, 2);
        assert_eq!(early.next(Effect::Major), Version::new(0, 4, 0));
        assert_eq!(early.next(Effect::Minor), Version::new(0, 3, 3));
        assert_eq!(early.next(Effect::Patch), Version::new(0, 3, 3));
        let stable = Version::new(2, 3, 4);
        assert_eq!(stable.next(Effect::Major), Version::new(3, 0, 0));
        assert_eq!(stable.next(Effect::Minor), Version::new(2, 4, 0));
        assert_eq!(stable.next(Effect::Patch), Version::new(2, 3, 5));
    }

    #[test]
    fn versions_read_only_three_numbers() {
        assert_eq!(Version::parse("0.1.0"), Some(Version::new(0, 1, 0)));
        assert_eq!(Version::parse("1.2"), None);
        assert_eq!(Version::parse("1.2.3.4"), None);
        assert_eq!(Version::parse("1.x.3"), None);
    }
}
