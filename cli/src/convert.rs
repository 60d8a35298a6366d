//! `convert`: decode a profile through the typed API and write it back in
//! another encoding.

use mobileconfig::runtime::io;

use crate::args::ConvertArgs;
use crate::check::read_limited;
use crate::locate::read_failure;
use crate::{CLEAN, HAS_ERRORS, UNREADABLE};

pub fn run(args: &ConvertArgs) -> u8 {
    let input = args.input.display();
    let bytes = match read_limited(&args.input) {
        Ok(bytes) => bytes,
        Err(error) => {
            eprintln!("{input}: {error}");
            return UNREADABLE;
        }
    };
    let decoded = match mobileconfig::read_profile(&bytes) {
        Ok(decoded) => decoded,
        Err(error) => {
            let failure = read_failure(&bytes, &error.to_string());
            let place = match failure.position {
                Some(position) => format!("{input}:{}:{}", position.line, position.column),
                None => input.to_string(),
            };
            eprintln!("{place}: cannot be read as a profile: {}", failure.message);
            if let Some(hint) = failure.hint {
                eprintln!("  = hint: {hint}");
            }
            return UNREADABLE;
        }
    };
    for warning in &decoded.warnings {
        eprintln!("{input}: {warning}");
    }
    let written = match io::write(&decoded.value, args.to) {
        Ok(written) => written,
        Err(error) => {
            eprintln!("{input}: cannot be written: {error}");
            return HAS_ERRORS;
        }
    };
    if let Err(error) = std::fs::write(&args.output, written) {
        eprintln!("{}: {error}", args.output.display());
        return UNREADABLE;
    }
    CLEAN
}
