//! `cargo xtask diff OLD NEW`: what changed between two schemas, what it
//! does to the generated crate's version, and (with `--changelog`) the
//! entry of `generated/CHANGELOG.md` and the version raised to match.

use std::path::{Path, PathBuf};

use mobileconfig_codegen::diff::{ChangeLog, Version, compare, render};
use mobileconfig_codegen::load::{IMPORTED_FOLDER, read_sources};
use mobileconfig_codegen::release::{RELEASE_FILE, Release};

use crate::{USAGE, workspace_root};

#[derive(Debug)]
pub struct Options {
    pub old: String,
    pub new: String,
    pub json: bool,
    pub changelog: bool,
}

impl Options {
    pub fn parse(args: &[String]) -> Result<Options, String> {
        let mut sides = Vec::new();
        let mut json = false;
        let mut changelog = false;
        let mut args = args.iter();
        while let Some(arg) = args.next() {
            match arg.as_str() {
                "--format" => match args.next().map(String::as_str) {
                    Some("markdown") => json = false,
                    Some("json") => json = true,
                    other => {
                        return Err(format!(
                            "--format takes markdown or json, not {other:?}\n\n{USAGE}"
                        ));
                    }
                },
                "--changelog" => changelog = true,
                option if option.starts_with("--") => {
                    return Err(format!("unknown option `{option}`\n\n{USAGE}"));
                }
                side => sides.push(side.to_owned()),
            }
        }
        let [old, new] = <[String; 2]>::try_from(sides)
            .map_err(|_| format!("diff takes two schemas, OLD and NEW\n\n{USAGE}"))?;
        if changelog && json {
            return Err("--changelog writes Markdown; leave out --format json".to_owned());
        }
        Ok(Options {
            old,
            new,
            json,
            changelog,
        })
    }
}

/// One side of the comparison, read.
pub struct Side {
    /// What the log calls it.
    pub name: String,
    pub sources: Vec<mobileconfig_codegen::SourceFile>,
    /// The release record, for the project's schema.
    release: Option<Release>,
    /// Whether it is this repository's `schema/` as it is now.
    is_workspace_schema: bool,
}

pub fn run(options: &Options) -> Result<(), String> {
    let scratch = Scratch::new()?;
    let old = read_side(&options.old, &scratch)?;
    let new = read_side(&options.new, &scratch)?;
    let log = compare(&old.name, &old.sources, &new.name, &new.sources)?;
    // The version now: the old side's record, else the new side's (an
    // import keeps the version it finds).
    let current = old
        .release
        .as_ref()
        .or(new.release.as_ref())
        .map(|release| release.version);
    if options.changelog {
        return write_changelog(&log, &new, current);
    }
    let text = if options.json {
        render::json(&log, current)
    } else {
        render::markdown(&log, current)
    };
    write_stdout(&text)
}

/// Prints `text`; a reader that stops early (`| head`) is not an error.
fn write_stdout(text: &str) -> Result<(), String> {
    use std::io::Write;
    match std::io::stdout().lock().write_all(text.as_bytes()) {
        Err(error) if error.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(format!("cannot write the log: {error}"))
        }
        _ => Ok(()),
    }
}

/// Reads a side: `git:REV` (this repository's `schema/` at a revision), the
/// project's schema folder (it has `release.yaml` or `apple/`), or a folder
/// of Apple's published YAML.
pub fn read_side(spec: &str, scratch: &Scratch) -> Result<Side, String> {
    if let Some(revision) = spec.strip_prefix("git:") {
        let folder = scratch.checkout_schema(revision)?;
        // A scratch folder: never the workspace's own schema.
        return read_folder(&folder, format!("schema/ at {revision}"));
    }
    let folder = PathBuf::from(spec);
    if !folder.is_dir() {
        return Err(format!(
            "{spec} is not a folder: give a schema folder, a folder of Apple's YAML, or \
             git:REV for schema/ at a revision"
        ));
    }
    let name = folder
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_else(|| spec.to_owned());
    read_folder(&folder, name)
}

fn read_folder(folder: &Path, name: String) -> Result<Side, String> {
    let project = folder.join(RELEASE_FILE).is_file() || folder.join(IMPORTED_FOLDER).is_dir();
    let sources = read_sources(folder, None, !project)?;
    let release = if project {
        Release::read(folder)?
    } else {
        None
    };
    let name = match &release {
        Some(release) => format!("{name} ({})", release.apple.name),
        None => name,
    };
    let is_workspace_schema = same_folder(folder, &workspace_root().join("schema"));
    Ok(Side {
        name,
        sources,
        release,
        is_workspace_schema,
    })
}

fn same_folder(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

/// Puts the log at the top of `generated/CHANGELOG.md`, raises the version
/// in `schema/release.yaml` to what the changes need, and regenerates.
fn write_changelog(log: &ChangeLog, new: &Side, current: Option<Version>) -> Result<(), String> {
    if !new.is_workspace_schema {
        return Err(
            "--changelog records a change to this repository's schema: NEW must be `schema` \
             (for example `cargo xtask diff git:HEAD schema --changelog`)"
                .to_owned(),
        );
    }
    let mut release = new
        .release
        .clone()
        .ok_or("schema/release.yaml is missing; `cargo xtask import` writes it")?;
    let current = current.unwrap_or(release.version);
    let Some(effect) = log.effect() else {
        println!("nothing changed: no entry written, the version stays {current}");
        return Ok(());
    };
    let entry = render::changelog_entry(log, current);
    let path = workspace_root().join("generated/CHANGELOG.md");
    let existing = std::fs::read_to_string(&path).unwrap_or_default();
    std::fs::write(&path, with_entry(&existing, &entry))
        .map_err(|error| format!("{}: {error}", path.display()))?;
    release.version = current.next(effect);
    let record = workspace_root().join("schema").join(RELEASE_FILE);
    std::fs::write(&record, release.render())
        .map_err(|error| format!("{}: {error}", record.display()))?;
    println!(
        "{}: {} change(s), a {} release: {current} → {}",
        path.display(),
        log.changes.len(),
        effect.name(),
        release.version
    );
    crate::codegen::run(&crate::codegen::Options::default())
}

/// The changelog with `entry` first, below its introduction.
fn with_entry(existing: &str, entry: &str) -> String {
    const INTRODUCTION: &str = "# Changes to the generated crate\n\n\
        Each entry is written by `cargo xtask diff OLD schema --changelog` when the schema is \
        regenerated: what changed in the payloads' facts and rules, and the release that the \
        change needs (see the README, \"When Apple publishes a new release\").\n";
    let rest = match existing.find("\n## ") {
        Some(start) => &existing[start + 1..],
        None => "",
    };
    let mut text = format!("{INTRODUCTION}\n{entry}");
    if !rest.is_empty() {
        text.push('\n');
        text.push_str(rest);
    }
    text
}

/// A folder for `git:REV` checkouts, removed when dropped.
pub struct Scratch(PathBuf);

impl Scratch {
    pub fn new() -> Result<Scratch, String> {
        let folder = std::env::temp_dir().join(format!("xtask-diff-{}", std::process::id()));
        std::fs::create_dir_all(&folder)
            .map_err(|error| format!("{}: {error}", folder.display()))?;
        Ok(Scratch(folder))
    }

    /// `schema/` as committed at `revision`, written out with `git archive`.
    fn checkout_schema(&self, revision: &str) -> Result<PathBuf, String> {
        let folder = self.0.join(revision.replace(['/', ':', '~', '^'], "_"));
        std::fs::create_dir_all(&folder)
            .map_err(|error| format!("{}: {error}", folder.display()))?;
        let archive = std::process::Command::new("git")
            .arg("-C")
            .arg(workspace_root())
            .args(["archive", "--format=tar", revision, "schema"])
            .output()
            .map_err(|error| format!("cannot run git: {error}"))?;
        if !archive.status.success() {
            return Err(format!(
                "git:{revision}: {}",
                String::from_utf8_lossy(&archive.stderr).trim()
            ));
        }
        let mut tar = std::process::Command::new("tar")
            .arg("-x")
            .arg("-C")
            .arg(&folder)
            .stdin(std::process::Stdio::piped())
            .spawn()
            .map_err(|error| format!("cannot run tar: {error}"))?;
        if let Some(mut stdin) = tar.stdin.take() {
            use std::io::Write;
            stdin
                .write_all(&archive.stdout)
                .map_err(|error| format!("tar: {error}"))?;
        }
        let status = tar.wait().map_err(|error| format!("tar: {error}"))?;
        if !status.success() {
            return Err(format!("git:{revision}: tar could not unpack schema/"));
        }
        Ok(folder.join("schema"))
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[cfg(test)]
mod tests {
    use super::with_entry;

    #[test]
    fn a_new_entry_goes_first_below_the_introduction() {
        let first = with_entry("", "## 0.1.0: first\n\nText.\n");
        assert!(
            first.starts_with("# Changes to the generated crate\n"),
            "{first}"
        );
        assert!(first.ends_with("## 0.1.0: first\n\nText.\n"), "{first}");
        let second = with_entry(&first, "## 0.2.0: second\n\nMore.\n");
        let newer = second.find("## 0.2.0").unwrap();
        let older = second.find("## 0.1.0").unwrap();
        assert!(newer < older, "{second}");
        assert_eq!(
            second.matches("# Changes to the generated crate").count(),
            1
        );
        assert!(
            second.contains("More.\n\n## 0.1.0: first\n\nText.\n"),
            "{second}"
        );
    }
}
