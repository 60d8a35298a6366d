//! `convert`: decode a profile through the typed API and write it back in
//! another encoding; `sign`: wrap a profile in a signature.

use mobileconfig::runtime::io::{self, OutputFormat};
use mobileconfig::runtime::signed::{SignOptions, SigningIdentity, sign_profile};

use crate::args::{ConvertArgs, SignArgs};
use crate::check::read_limited;
use crate::locate::read_failure;
use crate::signing::IdentityArgs;
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
    let identity = match args.identity.load() {
        Ok(identity) => identity,
        Err(message) => {
            eprintln!("mobileconfig: {message}");
            return UNREADABLE;
        }
    };
    let decoded = match mobileconfig::read_profile_unwrapped(&bytes) {
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
    let was_signed = decoded.envelope.is_some();
    if was_signed && identity.is_none() && !args.unsigned {
        eprintln!(
            "{input}: the profile is signed, and converting it changes its bytes, so the \
             signature would no longer hold: give --unsigned to write it without one, or an \
             identity (--cert and --key, or --pkcs12) to sign the result"
        );
        return UNREADABLE;
    }
    for warning in &decoded.content.warnings {
        eprintln!("{input}: {warning}");
    }
    let written = match io::write(&decoded.content.value, args.to) {
        Ok(written) => written,
        Err(error) => {
            eprintln!("{input}: cannot be written: {error}");
            return HAS_ERRORS;
        }
    };
    let (written, said) = match &identity {
        Some(identity) => {
            if args.to == OutputFormat::Json {
                eprintln!("mobileconfig: a JSON profile cannot be signed; write xml or binary");
                return UNREADABLE;
            }
            match signed(&written, identity, &args.identity) {
                Ok(bytes) => (bytes, "signed again (as XML)"),
                Err(message) => {
                    eprintln!("{input}: {message}");
                    return HAS_ERRORS;
                }
            }
        }
        None if was_signed => (written, "unsigned: the signature was dropped"),
        None => (written, "unsigned"),
    };
    if let Err(error) = std::fs::write(&args.output, written) {
        eprintln!("{}: {error}", args.output.display());
        return UNREADABLE;
    }
    eprintln!("{}: written {said}", args.output.display());
    CLEAN
}

pub fn sign(args: &SignArgs) -> u8 {
    let input = args.input.display();
    let identity = match args.identity.load() {
        Ok(Some(identity)) => identity,
        Ok(None) => {
            eprintln!("mobileconfig: sign needs --cert and --key, or --pkcs12");
            return UNREADABLE;
        }
        Err(message) => {
            eprintln!("mobileconfig: {message}");
            return UNREADABLE;
        }
    };
    let bytes = match read_limited(&args.input) {
        Ok(bytes) => bytes,
        Err(error) => {
            eprintln!("{input}: {error}");
            return UNREADABLE;
        }
    };
    let signed = match signed(&bytes, &identity, &args.identity) {
        Ok(signed) => signed,
        Err(message) => {
            eprintln!("{input}: {message}");
            return UNREADABLE;
        }
    };
    if let Err(error) = std::fs::write(&args.output, signed) {
        eprintln!("{}: {error}", args.output.display());
        return UNREADABLE;
    }
    let signer = identity
        .certificate()
        .map(|summary| format!(" by `{}`", summary.subject))
        .unwrap_or_default();
    eprintln!("{}: signed{signer}", args.output.display());
    CLEAN
}

fn signed(
    profile: &[u8],
    identity: &SigningIdentity,
    args: &IdentityArgs,
) -> Result<Vec<u8>, String> {
    let options = SignOptions::default().with_digest(args.digest.algorithm());
    sign_profile(profile, identity, &options).map_err(|error| format!("cannot be signed: {error}"))
}
