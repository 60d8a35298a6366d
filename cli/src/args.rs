//! The command line, as `clap` reads it: subcommands, options, help with
//! examples.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};
use mobileconfig::runtime::Version;
use mobileconfig::runtime::io::OutputFormat;
use mobileconfig::runtime::schema::Platform;

use crate::signing::IdentityArgs;

const ABOUT: &str = "Checks and converts Apple configuration profiles (.mobileconfig)";

const EXAMPLES: &str = "\
Examples:
  mobileconfig validate vpn.mobileconfig
  mobileconfig validate profiles/ --platform iOS --os-version 17.4
  mobileconfig validate profiles/ --format sarif > findings.sarif
  mobileconfig convert vpn.mobileconfig --to binary -o vpn.binary.mobileconfig
  mobileconfig sign vpn.mobileconfig --cert signer.pem --key signer.key -o vpn.signed.mobileconfig
  mobileconfig validate vpn.signed.mobileconfig --trust ca.pem
  mobileconfig explain vpn.ikev2.shared-secret-missing
  mobileconfig completions bash > /etc/bash_completion.d/mobileconfig

Exit codes: 0 no errors found, 1 errors found, 2 a file could not be read or the
command line is wrong.";

#[derive(Debug, Parser)]
#[command(name = "mobileconfig", version, about = ABOUT, after_help = EXAMPLES)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
    /// When to colour the output: on a terminal (auto, and not when
    /// NO_COLOR is set), always, or never.
    #[arg(long, value_enum, default_value_t = ColorWhen::Auto, global = true)]
    pub color: ColorWhen,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check profiles against Apple's schema and the project's rules.
    #[command(after_help = VALIDATE_EXAMPLES)]
    Validate(ValidateArgs),
    /// Read a profile through the typed API and write it in another encoding.
    #[command(after_help = CONVERT_EXAMPLES)]
    Convert(ConvertArgs),
    /// Sign a profile (a CMS envelope, as devices and MDM servers expect).
    #[command(after_help = SIGN_EXAMPLES)]
    Sign(SignArgs),
    /// Say what a finding code means, why it matters and how to fix it.
    #[command(after_help = EXPLAIN_EXAMPLES)]
    Explain(ExplainArgs),
    /// Print a shell completion script.
    #[command(after_help = COMPLETIONS_EXAMPLES)]
    Completions {
        /// The shell to complete for.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
}

const VALIDATE_EXAMPLES: &str = "\
Examples:
  mobileconfig validate vpn.mobileconfig wifi.mobileconfig
  mobileconfig validate profiles/                 # every .mobileconfig below it
  mobileconfig validate 'profiles/**/*.mobileconfig'
  mobileconfig validate vpn.mobileconfig --platform watchOS --os-version 10.0
  mobileconfig validate profiles/ --format github  # annotations in a GitHub workflow
  mobileconfig validate profiles/ --quiet          # the summary only
  mobileconfig validate signed.mobileconfig --trust ca.pem --trust other-ca.pem

Each finding is `path: severity[code]: message`, with the line of the profile it
points at. Exit codes: 0 no errors (warnings and notes allowed), 1 errors found,
2 a file could not be read as a profile.";

const CONVERT_EXAMPLES: &str = "\
Examples:
  mobileconfig convert vpn.mobileconfig --to binary -o vpn.plist
  mobileconfig convert vpn.plist --to json -o vpn.json
  mobileconfig convert signed.mobileconfig --unsigned -o plain.mobileconfig
  mobileconfig convert signed.mobileconfig --cert signer.pem --key signer.key -o resigned.mobileconfig

A signed profile is converted only with --unsigned (the signature is dropped) or
with an identity to sign the result: its bytes change, so the old signature
would no longer hold.";

const SIGN_EXAMPLES: &str = "\
Examples:
  mobileconfig sign vpn.mobileconfig --cert signer.pem --key signer.key -o vpn.signed.mobileconfig
  mobileconfig sign vpn.mobileconfig --cert signer.pem --key signer.key --chain intermediate.pem -o out
  MC_PASSWORD=… mobileconfig sign vpn.mobileconfig --pkcs12 signer.p12 --password-env MC_PASSWORD -o out

The profile is signed as XML (a binary one is converted first) with SHA-256 unless
--digest says otherwise; the signer's certificate, the chain and the signing time
go into the envelope. Passwords are never taken from the command line.";

const EXPLAIN_EXAMPLES: &str = "\
Examples:
  mobileconfig explain range
  mobileconfig explain vpn.ikev2.none-without-eap-needs-shared-secret";

const COMPLETIONS_EXAMPLES: &str = "\
Examples:
  mobileconfig completions bash > ~/.local/share/bash-completion/completions/mobileconfig
  mobileconfig completions zsh > ~/.zfunc/_mobileconfig
  mobileconfig completions fish > ~/.config/fish/completions/mobileconfig.fish";

#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// Profiles to check: files, folders (every .mobileconfig below them)
    /// or quoted glob patterns.
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Check for this platform (iOS, macOS, tvOS, visionOS, watchOS):
    /// availability, platform limits and values.
    #[arg(long, value_parser = parse_platform)]
    pub platform: Option<Platform>,
    /// With --platform: the OS release to check for, such as 17.4.
    #[arg(long, value_parser = parse_version, requires = "platform")]
    pub os_version: Option<Version>,
    /// How to print the findings.
    #[arg(long, value_enum, default_value_t = ReportFormat::Text)]
    pub format: ReportFormat,
    /// Print only the summary line (text format).
    #[arg(long, short)]
    pub quiet: bool,
    /// A certificate (PEM or DER) a signed profile's signer must lead to;
    /// repeat for several. Without it, a signature is checked but its signer
    /// is not.
    #[arg(long, value_name = "CA")]
    pub trust: Vec<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    /// One line per finding with the profile line it points at.
    Text,
    /// Every file with its findings, as one JSON document.
    Json,
    /// SARIF 2.1.0, for code-scanning tools.
    Sarif,
    /// GitHub Actions workflow commands (annotations on the files).
    Github,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorWhen {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Args)]
pub struct ConvertArgs {
    /// The profile to read (XML or binary).
    pub input: PathBuf,
    /// The encoding to write.
    #[arg(long, value_parser = parse_output_format, default_value = "xml")]
    pub to: OutputFormat,
    /// Where to write it.
    #[arg(short, long, value_name = "FILE")]
    pub output: PathBuf,
    /// Write a signed profile without its signature.
    #[arg(long, conflicts_with_all = ["cert", "pkcs12"])]
    pub unsigned: bool,
    /// Sign the result with this identity.
    #[command(flatten)]
    pub identity: IdentityArgs,
}

#[derive(Debug, Args)]
pub struct SignArgs {
    /// The profile to sign (XML or binary, not already signed).
    pub input: PathBuf,
    /// Where to write the signed profile.
    #[arg(short, long, value_name = "FILE")]
    pub output: PathBuf,
    #[command(flatten)]
    pub identity: IdentityArgs,
}

#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// A finding code, as printed in brackets: `range`,
    /// `vpn.ikev2.shared-secret-missing`.
    pub code: String,
}

fn parse_platform(text: &str) -> Result<Platform, String> {
    Platform::parse(text).ok_or_else(|| {
        let names: Vec<&str> = Platform::ALL
            .iter()
            .map(|platform| platform.name())
            .collect();
        format!("unknown platform; one of {}", names.join(", "))
    })
}

fn parse_version(text: &str) -> Result<Version, String> {
    Version::parse(text).ok_or_else(|| "not a version such as 17.4".to_owned())
}

fn parse_output_format(text: &str) -> Result<OutputFormat, String> {
    OutputFormat::parse(text).ok_or_else(|| "one of xml, binary, json".to_owned())
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    #[test]
    fn the_command_line_is_consistent() {
        super::Cli::command().debug_assert();
    }
}
