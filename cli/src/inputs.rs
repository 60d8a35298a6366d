//! The files a command line names: files as given, every `.mobileconfig`
//! below a folder, and the matches of a quoted glob pattern; in a stable
//! order, each once.

use std::path::{Path, PathBuf};

/// The extension profiles carry.
const EXTENSION: &str = "mobileconfig";

/// What the paths name, in the order given: a folder's profiles sorted by
/// path, a pattern's matches sorted. A path that names nothing is kept, so
/// the check reports it as unreadable; a pattern that matches nothing is an
/// error.
pub fn expand(paths: &[PathBuf]) -> Result<Vec<PathBuf>, String> {
    let mut files = Vec::new();
    for path in paths {
        if path.is_dir() {
            let mut found = Vec::new();
            profiles_below(path, &mut found)
                .map_err(|error| format!("{}: {error}", path.display()))?;
            found.sort();
            files.extend(found);
        } else if !path.exists() && is_pattern(path) {
            let pattern = path.to_string_lossy();
            let mut found: Vec<PathBuf> = glob::glob(&pattern)
                .map_err(|error| format!("{pattern}: not a glob pattern: {error}"))?
                .filter_map(Result::ok)
                .filter(|found| found.is_file())
                .collect();
            if found.is_empty() {
                return Err(format!("{pattern}: no file matches"));
            }
            found.sort();
            files.extend(found);
        } else {
            files.push(path.clone());
        }
    }
    let mut seen = std::collections::HashSet::new();
    files.retain(|file| seen.insert(file.clone()));
    Ok(files)
}

fn is_pattern(path: &Path) -> bool {
    path.to_string_lossy().contains(['*', '?', '['])
}

/// Every `.mobileconfig` file below `folder`, following no symbolic links
/// to folders (a link cycle would never end).
fn profiles_below(folder: &Path, found: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(folder)? {
        let entry = entry?;
        let path = entry.path();
        let kind = entry.file_type()?;
        if kind.is_dir() {
            profiles_below(&path, found)?;
        } else if path
            .extension()
            .is_some_and(|extension| extension.eq_ignore_ascii_case(EXTENSION))
            && path.is_file()
        {
            found.push(path);
        }
    }
    Ok(())
}
