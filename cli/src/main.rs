//! `mobileconfig`: checks and converts `.mobileconfig` profiles with the
//! generated types. `cargo xtask validate` and `cargo xtask convert` run it.
//!
//! - `validate FILE... [--platform P [--os-version X.Y]] [--format text|json]`
//!   prints each finding as `path: severity[code]: message`; exits 0 when no
//!   file has an error, 1 when one does, 2 when a file cannot be read as a
//!   profile.
//! - `convert FILE --to xml|binary|json -o OUT` decodes through the typed API
//!   and writes the profile back in the chosen encoding.

#![forbid(unsafe_code)]

use std::path::PathBuf;
use std::process::ExitCode;

use mobileconfig::runtime::io::{self, OutputFormat};
use mobileconfig::runtime::schema::Platform;
use mobileconfig::runtime::{Coverage, Diagnostic, Severity, Target, Version};

const USAGE: &str = "\
usage: mobileconfig validate FILE... [--platform iOS|macOS|tvOS|visionOS|watchOS [--os-version X.Y]] [--format text|json]
       mobileconfig convert FILE --to xml|binary|json -o OUT";

/// Exit codes of `validate`.
const CLEAN: u8 = 0;
const HAS_ERRORS: u8 = 1;
const UNREADABLE: u8 = 2;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("validate") => ValidateOptions::parse(&args[1..]).map(|options| validate(&options)),
        Some("convert") => ConvertOptions::parse(&args[1..]).map(|options| convert(&options)),
        Some("help" | "--help" | "-h") => {
            println!("{USAGE}");
            Ok(CLEAN)
        }
        Some(other) => Err(format!("unknown command `{other}`")),
        None => Err("no command given".to_owned()),
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(message) => {
            eprintln!("mobileconfig: {message}\n{USAGE}");
            ExitCode::from(UNREADABLE)
        }
    }
}

#[derive(Debug)]
struct ValidateOptions {
    files: Vec<PathBuf>,
    target: Option<Target>,
    json: bool,
}

impl ValidateOptions {
    fn parse(args: &[String]) -> Result<Self, String> {
        let mut files = Vec::new();
        let mut platform = None;
        let mut version = None;
        let mut json = false;
        let mut args = args.iter();
        while let Some(arg) = args.next() {
            match arg.as_str() {
                "--platform" => {
                    let name = args.next().ok_or("--platform needs a platform")?;
                    platform = Some(
                        Platform::parse(name)
                            .ok_or_else(|| format!("unknown platform `{name}`"))?,
                    );
                }
                "--os-version" => {
                    let text = args.next().ok_or("--os-version needs a version")?;
                    version = Some(
                        Version::parse(text)
                            .ok_or_else(|| format!("`{text}` is not a version such as 17.4"))?,
                    );
                }
                "--format" => match args.next().map(String::as_str) {
                    Some("json") => json = true,
                    Some("text") => json = false,
                    other => return Err(format!("--format takes text or json, not {other:?}")),
                },
                option if option.starts_with("--") => {
                    return Err(format!("unknown option `{option}`"));
                }
                file => files.push(PathBuf::from(file)),
            }
        }
        if files.is_empty() {
            return Err("validate needs at least one file".to_owned());
        }
        let target = match (platform, version) {
            (Some(platform), version) => Some(Target { platform, version }),
            (None, Some(_)) => return Err("--os-version goes with --platform".to_owned()),
            (None, None) => None,
        };
        Ok(ValidateOptions {
            files,
            target,
            json,
        })
    }
}

/// What validating one file gave.
enum Outcome {
    Checked(Vec<Diagnostic>, Coverage),
    Unreadable(String),
}

/// Reads at most one byte more than a profile may have, so a huge file (or
/// `/dev/zero`) is refused without being read whole.
fn read_limited(path: &PathBuf) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    let mut bytes = Vec::new();
    std::fs::File::open(path)?
        .take(io::MAX_INPUT_BYTES as u64 + 1)
        .read_to_end(&mut bytes)?;
    Ok(bytes)
}

fn check_file(path: &PathBuf, target: Option<&Target>) -> Outcome {
    let bytes = match read_limited(path) {
        Ok(bytes) => bytes,
        Err(error) => return Outcome::Unreadable(error.to_string()),
    };
    let value = match io::parse(&bytes) {
        Ok(value) => value,
        Err(error) => return Outcome::Unreadable(error.to_string()),
    };
    if value.as_dictionary().is_none() {
        let error = io::ReadError::NotADictionary {
            found: io::with_article(&value),
        };
        return Outcome::Unreadable(error.to_string());
    }
    let mut diagnostics = mobileconfig::validate_profile(&value, target);
    diagnostics.sort_by(|a, b| a.path.cmp(&b.path).then(b.severity.cmp(&a.severity)));
    let coverage = Coverage::of(&value, &diagnostics);
    Outcome::Checked(diagnostics, coverage)
}

fn validate(options: &ValidateOptions) -> u8 {
    let outcomes: Vec<(&PathBuf, Outcome)> = options
        .files
        .iter()
        .map(|path| (path, check_file(path, options.target.as_ref())))
        .collect();
    let code = outcomes
        .iter()
        .map(|(_, outcome)| match outcome {
            Outcome::Unreadable(_) => UNREADABLE,
            Outcome::Checked(diagnostics, _)
                if diagnostics.iter().any(|d| d.severity == Severity::Error) =>
            {
                HAS_ERRORS
            }
            Outcome::Checked(..) => CLEAN,
        })
        .max()
        .unwrap_or(CLEAN);
    if options.json {
        let files: Vec<serde_json::Value> = outcomes
            .iter()
            .map(|(path, outcome)| match outcome {
                Outcome::Checked(diagnostics, coverage) => serde_json::json!({
                    "file": path.display().to_string(),
                    "payloads": coverage,
                    "diagnostics": diagnostics,
                }),
                Outcome::Unreadable(error) => serde_json::json!({
                    "file": path.display().to_string(),
                    "error": error,
                }),
            })
            .collect();
        let document = serde_json::json!({ "files": files });
        println!(
            "{}",
            serde_json::to_string_pretty(&document).unwrap_or_default()
        );
        return code;
    }
    let several = outcomes.len() > 1;
    let (mut errors, mut warnings, mut notes) = (0, 0, 0);
    let mut coverage = Coverage::default();
    for (path, outcome) in &outcomes {
        if several {
            println!("{}", path.display());
        }
        match outcome {
            Outcome::Unreadable(error) => {
                eprintln!("{}: cannot be read as a profile: {error}", path.display());
            }
            Outcome::Checked(diagnostics, file_coverage) => {
                coverage += *file_coverage;
                for diagnostic in diagnostics {
                    println!("{diagnostic}");
                    match diagnostic.severity {
                        Severity::Error => errors += 1,
                        Severity::Warning => warnings += 1,
                        Severity::Info => notes += 1,
                    }
                }
            }
        }
    }
    eprintln!(
        "{errors} error(s), {warnings} warning(s), {notes} note(s); {} payload(s) checked, {} not \
         checked (no schema for their type)",
        coverage.checked, coverage.unchecked
    );
    code
}

#[derive(Debug)]
struct ConvertOptions {
    input: PathBuf,
    format: OutputFormat,
    output: PathBuf,
}

impl ConvertOptions {
    fn parse(args: &[String]) -> Result<Self, String> {
        let mut input = None;
        let mut format = None;
        let mut output = None;
        let mut args = args.iter();
        while let Some(arg) = args.next() {
            match arg.as_str() {
                "--to" => {
                    let name = args.next().ok_or("--to needs xml, binary or json")?;
                    format =
                        Some(OutputFormat::parse(name).ok_or_else(|| {
                            format!("--to takes xml, binary or json, not `{name}`")
                        })?);
                }
                "-o" | "--output" => {
                    output = Some(PathBuf::from(args.next().ok_or("-o needs a file")?))
                }
                option if option.starts_with('-') => {
                    return Err(format!("unknown option `{option}`"));
                }
                file if input.is_none() => input = Some(PathBuf::from(file)),
                file => return Err(format!("convert takes one file; `{file}` is a second")),
            }
        }
        Ok(ConvertOptions {
            input: input.ok_or("convert needs a file")?,
            format: format.unwrap_or(OutputFormat::Xml),
            output: output.ok_or("convert needs -o OUT")?,
        })
    }
}

fn convert(options: &ConvertOptions) -> u8 {
    let input = options.input.display();
    let bytes = match read_limited(&options.input) {
        Ok(bytes) => bytes,
        Err(error) => {
            eprintln!("{input}: {error}");
            return UNREADABLE;
        }
    };
    let decoded = match mobileconfig::read_profile(&bytes) {
        Ok(decoded) => decoded,
        Err(error) => {
            eprintln!("{input}: cannot be read as a profile: {error}");
            return UNREADABLE;
        }
    };
    for warning in &decoded.warnings {
        eprintln!("{input}: {warning}");
    }
    let written = match io::write(&decoded.value, options.format) {
        Ok(written) => written,
        Err(error) => {
            eprintln!("{input}: cannot be written: {error}");
            return HAS_ERRORS;
        }
    };
    if let Err(error) = std::fs::write(&options.output, written) {
        eprintln!("{}: {error}", options.output.display());
        return UNREADABLE;
    }
    CLEAN
}
