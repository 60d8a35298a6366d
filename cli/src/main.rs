//! `mobileconfig`: checks and converts `.mobileconfig` profiles with the
//! generated types. `cargo install --path cli` installs it; `cargo xtask
//! validate` and `cargo xtask convert` run it from the workspace.
//!
//! - `validate PATH...`: files, folders (every `.mobileconfig` below them)
//!   or glob patterns, checked in parallel and reported in the order given,
//!   as text (with the line each finding points at), JSON, SARIF 2.1.0 or
//!   GitHub workflow commands; exits 0 when no file has an error, 1 when one
//!   does, 2 when a file cannot be read as a profile;
//! - `convert FILE --to xml|binary|json -o OUT`, dropping (`--unsigned`)
//!   or renewing the signature of a signed profile;
//! - `sign FILE -o OUT` with a PEM or PKCS#12 identity; `validate --trust
//!   CA` checks a signer against trust anchors;
//! - `explain CODE`: what a finding code means and how to fix it;
//! - `completions SHELL`: a completion script.
//!
//! The pipeline of `validate`: [`args`] → [`inputs`] (the files) →
//! [`check`] (read and validate each, [`locate`] indexing where keys are) →
//! [`report`] (one module per format).

#![forbid(unsafe_code)]

mod args;
mod check;
mod convert;
mod explain;
mod inputs;
mod locate;
mod report;
mod signing;

use std::io::Write;
use std::process::ExitCode;

use clap::{CommandFactory, Parser};
use mobileconfig::runtime::Target;

use args::{Cli, ColorWhen, Command, ReportFormat, ValidateArgs};

/// Exit codes.
const CLEAN: u8 = 0;
const HAS_ERRORS: u8 = 1;
const UNREADABLE: u8 = 2;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let color = match cli.color {
        ColorWhen::Auto => anstream::ColorChoice::Auto,
        ColorWhen::Always => anstream::ColorChoice::Always,
        ColorWhen::Never => anstream::ColorChoice::Never,
    };
    let code = match &cli.command {
        Command::Validate(args) => validate(args, color),
        Command::Convert(args) => convert::run(args),
        Command::Sign(args) => convert::sign(args),
        Command::Explain(args) => explain(&args.code),
        Command::Completions { shell } => {
            let mut command = Cli::command();
            clap_complete::generate(*shell, &mut command, "mobileconfig", &mut std::io::stdout());
            CLEAN
        }
    };
    ExitCode::from(code)
}

fn validate(args: &ValidateArgs, color: anstream::ColorChoice) -> u8 {
    let files = match inputs::expand(&args.paths) {
        Ok(files) => files,
        Err(message) => {
            eprintln!("mobileconfig: {message}");
            return UNREADABLE;
        }
    };
    if files.is_empty() {
        eprintln!("mobileconfig: no .mobileconfig file found in the paths given");
        return UNREADABLE;
    }
    let target = args.platform.map(|platform| Target {
        platform,
        version: args.os_version.clone(),
    });
    let anchors = match signing::trust_anchors(&args.trust) {
        Ok(anchors) => anchors,
        Err(message) => {
            eprintln!("mobileconfig: {message}");
            return UNREADABLE;
        }
    };
    let results = check::check_all(&files, target.as_ref(), anchors.as_ref());
    let code = if results
        .iter()
        .any(|checked| matches!(checked.outcome, check::Outcome::Unreadable(_)))
    {
        UNREADABLE
    } else if results.iter().any(check::Checked::has_errors) {
        HAS_ERRORS
    } else {
        CLEAN
    };
    let summary = report::Summary::of(&results);
    let printed = match args.format {
        ReportFormat::Text => {
            let mut out = anstream::AutoStream::new(std::io::stdout().lock(), color);
            let mut errors = anstream::AutoStream::new(std::io::stderr().lock(), color);
            let written = if args.quiet {
                // Read errors still say which file failed.
                let unreadable: Vec<check::Checked> = results
                    .into_iter()
                    .filter(|checked| matches!(checked.outcome, check::Outcome::Unreadable(_)))
                    .collect();
                report::text::write(&unreadable, &mut out, &mut errors)
            } else {
                report::text::write(&results, &mut out, &mut errors)
            };
            written.and_then(|()| writeln!(errors, "{}", summary.line()))
        }
        ReportFormat::Json => print(&report::json::render(&results)),
        ReportFormat::Sarif => print(&report::sarif::render(&results)),
        ReportFormat::Github => print(&report::github::render(&results)),
    };
    match printed {
        Err(error) if error.kind() != std::io::ErrorKind::BrokenPipe => {
            eprintln!("mobileconfig: cannot write the report: {error}");
            UNREADABLE
        }
        _ => code,
    }
}

fn print(text: &str) -> std::io::Result<()> {
    std::io::stdout().lock().write_all(text.as_bytes())
}

fn explain(code: &str) -> u8 {
    match explain::explain(code) {
        Some(explanation) => {
            println!("{}: {}", explanation.code, explanation.summary);
            for paragraph in &explanation.details {
                println!("\n{paragraph}");
            }
            CLEAN
        }
        None => {
            eprintln!("mobileconfig: no finding has the code `{code}`");
            let close = explain::suggestions(code);
            if !close.is_empty() {
                eprintln!("close ones: {}", close.join(", "));
            }
            UNREADABLE
        }
    }
}
