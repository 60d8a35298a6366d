//! The record of what a generated crate is (`schema/release.yaml`): its
//! version, and the release of Apple's `apple/device-management` its facts
//! come from. `cargo xtask import` writes the Apple release; `cargo xtask
//! diff --changelog` raises the version; `cargo xtask codegen` puts both in
//! the crate (its `Cargo.toml`, its front page and two constants).

use std::path::Path;

use yaml_rust2::{Yaml, YamlLoader};

use serde::Serialize;

/// The record's file name, in the schema folder. The loader does not read
/// it as a schema file.
pub const RELEASE_FILE: &str = "release.yaml";

/// What a generated crate is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Release {
    /// The generated crate's version.
    pub version: Version,
    /// Where Apple's facts come from.
    pub apple: AppleRelease,
}

/// A release of Apple's `apple/device-management` repository.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppleRelease {
    /// Its name (`ios18.1`).
    pub name: String,
    /// The commit, when the checkout was a Git repository.
    pub commit: Option<String>,
}

impl Release {
    /// The first version of a crate generated straight from a folder of
    /// Apple's files, named after the folder.
    pub fn of_folder(folder: &Path) -> Release {
        let name = folder
            .file_name()
            .map(|name| name.to_string_lossy().into_owned())
            .unwrap_or_else(|| folder.display().to_string());
        Release {
            version: Version::new(0, 1, 0),
            apple: AppleRelease { name, commit: None },
        }
    }

    /// Reads `schema_dir/release.yaml`; `None` when the folder has none.
    pub fn read(schema_dir: &Path) -> Result<Option<Release>, String> {
        let path = schema_dir.join(RELEASE_FILE);
        if !path.is_file() {
            return Ok(None);
        }
        let text = std::fs::read_to_string(&path)
            .map_err(|error| format!("{}: {error}", path.display()))?;
        Release::parse(&text)
            .map(Some)
            .map_err(|message| format!("{}: {message}", path.display()))
    }

    /// Reads the record's text.
    pub fn parse(text: &str) -> Result<Release, String> {
        let documents = YamlLoader::load_from_str(text).map_err(|error| error.to_string())?;
        let [document] = documents.as_slice() else {
            return Err("holds no record, or more than one".to_owned());
        };
        let Yaml::Hash(entries) = document else {
            return Err("is not a mapping of `version` and `apple`".to_owned());
        };
        for key in entries.keys() {
            if !matches!(key.as_str(), Some("version" | "apple")) {
                return Err(format!(
                    "unknown entry {key:?}: a record has `version` and `apple`"
                ));
            }
        }
        let version_text = match &document["version"] {
            Yaml::String(text) => text.clone(),
            Yaml::Real(text) => text.clone(),
            _ => return Err("`version` is missing or not text such as 0.1.0".to_owned()),
        };
        let version = Version::parse(&version_text).ok_or_else(|| {
            format!("`version` is `{version_text}`, not major.minor.patch such as 0.1.0")
        })?;
        let apple = &document["apple"];
        let Yaml::Hash(apple_entries) = apple else {
            return Err("`apple` is missing or not a mapping of `release` and `commit`".to_owned());
        };
        for key in apple_entries.keys() {
            if !matches!(key.as_str(), Some("release" | "commit")) {
                return Err(format!(
                    "unknown entry {key:?} in `apple`: it has `release` and `commit`"
                ));
            }
        }
        let name = yaml_text(&apple["release"])
            .ok_or("`apple.release` is missing or not text such as ios18.1")?;
        let commit = match &apple["commit"] {
            Yaml::Null | Yaml::BadValue => None,
            other => Some(
                yaml_text(other)
                    .filter(|commit| commit.chars().all(|c| c.is_ascii_hexdigit()))
                    .ok_or("`apple.commit` is not a hexadecimal commit id")?,
            ),
        };
        Ok(Release {
            version,
            apple: AppleRelease { name, commit },
        })
    }

    /// The record's text, as `read` takes it.
    pub fn render(&self) -> String {
        format!(
            "# What the generated crate is. `cargo xtask import` sets `apple` (the release of\n\
             # apple/device-management that schema/apple comes from); `cargo xtask diff\n\
             # --changelog` sets `version` from what changed. See the README.\n\
             version: {}\n\
             apple:\n  release: {}\n  commit: {}\n",
            self.version,
            self.apple.name,
            self.apple.commit.as_deref().unwrap_or("~"),
        )
    }

    /// "release `ios18.1` (commit `0a1b…`)".
    pub fn apple_words(&self) -> String {
        match &self.apple.commit {
            Some(commit) => format!("release `{}` (commit `{commit}`)", self.apple.name),
            None => format!("release `{}` (no commit recorded)", self.apple.name),
        }
    }
}

fn yaml_text(value: &Yaml) -> Option<String> {
    match value {
        Yaml::String(text) | Yaml::Real(text) => Some(text.clone()),
        Yaml::Integer(number) => Some(number.to_string()),
        _ => None,
    }
}

/// A crate version, `major.minor.patch`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Version {
    pub major: u64,
    pub minor: u64,
    pub patch: u64,
}

impl Version {
    pub fn parse(text: &str) -> Option<Version> {
        let mut parts = text.trim().split('.').map(|part| part.parse::<u64>().ok());
        let version = Version {
            major: parts.next()??,
            minor: parts.next()??,
            patch: parts.next()??,
        };
        parts.next().is_none().then_some(version)
    }

    pub const fn new(major: u64, minor: u64, patch: u64) -> Version {
        Version {
            major,
            minor,
            patch,
        }
    }
}

impl std::fmt::Display for Version {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.patch)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_record_reads_back_as_written() {
        let release = Release {
            version: Version::new(0, 3, 1),
            apple: AppleRelease {
                name: "ios18.1".to_owned(),
                commit: Some("0123abcd".to_owned()),
            },
        };
        assert_eq!(Release::parse(&release.render()), Ok(release.clone()));
        let unrecorded = Release {
            apple: AppleRelease {
                commit: None,
                ..release.apple
            },
            ..release
        };
        assert_eq!(Release::parse(&unrecorded.render()), Ok(unrecorded));
    }

    #[test]
    fn a_bad_record_says_what_is_wrong() {
        let cases = [
            (
                "version: 1.2\napple: {release: x}\n",
                "not major.minor.patch",
            ),
            ("version: 0.1.0\n", "`apple` is missing"),
            (
                "version: 0.1.0\napple: {release: x, commit: zz}\n",
                "hexadecimal",
            ),
            (
                "version: 0.1.0\napple: {release: x}\nnotes: y\n",
                "unknown entry",
            ),
            ("- a\n", "not a mapping"),
        ];
        for (text, expected) in cases {
            let error = Release::parse(text).unwrap_err();
            assert!(error.contains(expected), "{text}: {error}");
        }
    }
}
