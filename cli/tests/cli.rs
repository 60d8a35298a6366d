//! The `mobileconfig` command as a user runs it: output lines, exit codes,
//! JSON, conversion.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn profiles() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/profiles")
}

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_mobileconfig"))
        .args(args)
        .current_dir(profiles())
        .output()
        .expect("run mobileconfig")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// The finding lines of text output: not the lines that show where a
/// finding is.
fn findings(out: &str) -> Vec<&str> {
    out.lines()
        .filter(|line| line.contains("]: ") && !line.starts_with(' ') && !line.contains(" | "))
        .collect()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("cli");
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

#[test]
fn a_clean_profile_exits_zero_and_prints_nothing() {
    let output = run(&["validate", "ikev2-eap.mobileconfig"]);
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(stdout(&output), "");
}

#[test]
fn a_clean_profile_with_an_identity_prints_only_a_note_about_it() {
    let output = run(&["validate", "ikev2-certificate.mobileconfig"]);
    assert_eq!(output.status.code(), Some(0));
    let out = stdout(&output);
    let lines = findings(&out);
    assert_eq!(lines.len(), 1, "{out}");
    assert!(
        lines[0].starts_with("PayloadContent[0].PayloadContent: info[certificate-info]: "),
        "{out}"
    );
    assert!(lines[0].contains("CN=device-0001.example.com"), "{out}");
    // The note says the password opened the identity; it never shows it.
    assert!(!out.contains("fixture-only-7Qm2xV"), "{out}");
}

/// A copy of the EAP fixture with its MTU out of range, and the line the
/// MTU is on.
fn broken_profile(name: &str) -> (PathBuf, usize) {
    let broken = scratch(name);
    let text = std::fs::read_to_string(profiles().join("ikev2-eap.mobileconfig"))
        .unwrap()
        .replace("<integer>1400</integer>", "<integer>9000</integer>");
    let line = text
        .lines()
        .position(|line| line.contains("<integer>9000</integer>"))
        .unwrap()
        + 1;
    std::fs::write(&broken, text).unwrap();
    (broken, line)
}

#[test]
fn findings_print_as_path_severity_code_message_with_their_line() {
    let (broken, line) = broken_profile("broken.mobileconfig");
    let file = broken.to_str().unwrap();
    let output = run(&["validate", file]);
    assert_eq!(output.status.code(), Some(1));
    let width = line.to_string().len();
    let pad = " ".repeat(width);
    assert_eq!(
        stdout(&output),
        format!(
            "PayloadContent[0].IKEv2.MTU: error[range]: 9000 is out of range: it must be from 1280 to 1400\n\
             \x20 --> {file}:{line}:5\n\
             {pad} |\n\
             {line} |                 <integer>9000</integer>\n\
             {pad} |                 ^\n"
        )
    );
}

#[test]
fn warnings_alone_exit_zero() {
    let output = run(&["validate", "real-world-lenient.mobileconfig"]);
    assert_eq!(output.status.code(), Some(0));
    let out = stdout(&output);
    let lines = findings(&out);
    assert_eq!(lines.len(), 5, "{out}");
    // Four values in another type than the schema's, and a payload of a
    // type with no schema, reported as not checked.
    let coerced = lines
        .iter()
        .filter(|line| line.contains(": warning[type-coerced]: "))
        .count();
    assert_eq!(coerced, 4, "{out}");
    assert!(
        lines.iter().any(|line| line.starts_with(
            "PayloadContent[1]: info[unknown-payload-type]: `com.example.future-payload`"
        )),
        "{out}"
    );
    let summary = String::from_utf8_lossy(&output.stderr).into_owned();
    assert_eq!(
        summary.trim_end(),
        "0 error(s), 4 warning(s), 1 note(s) in 1 file(s); 1 payload(s) checked, 1 not checked \
         (no schema for their type)"
    );
}

#[test]
fn the_target_platform_is_taken_into_account() {
    let output = run(&[
        "validate",
        "ikev2-eap.mobileconfig",
        "--platform",
        "iOS",
        "--os-version",
        "16.0",
    ]);
    assert_eq!(output.status.code(), Some(0));
    assert!(
        stdout(&output).contains("PayloadContent[0].IKEv2.ExcludeAPNs: warning[unavailable]: `ExcludeAPNs` needs iOS 16.4 or later"),
        "{}",
        stdout(&output)
    );
}

#[test]
fn unreadable_files_exit_two() {
    let garbage = scratch("garbage.mobileconfig");
    std::fs::write(&garbage, b"this is not a plist").unwrap();
    let output = run(&[
        "validate",
        "ikev2-eap.mobileconfig",
        garbage.to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("cannot be read as a profile"), "{stderr}");
    assert_eq!(
        run(&["validate", "missing.mobileconfig"]).status.code(),
        Some(2)
    );
    assert_eq!(run(&["validate"]).status.code(), Some(2));
    assert_eq!(
        run(&["validate", "x", "--platform", "Windows"])
            .status
            .code(),
        Some(2)
    );
}

#[test]
fn json_output_lists_every_file() {
    let output = run(&[
        "validate",
        "--format",
        "json",
        "real-world-lenient.mobileconfig",
        "ikev2-eap.mobileconfig",
    ]);
    assert_eq!(output.status.code(), Some(0));
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    let files = json["files"].as_array().unwrap();
    assert_eq!(files.len(), 2);
    let first = &files[0]["diagnostics"][0];
    assert_eq!(first["severity"], "warning");
    assert_eq!(first["code"], "type-coerced");
    assert!(
        first["path"]
            .as_str()
            .unwrap()
            .starts_with("PayloadContent[0]")
    );
    assert_eq!(files[1]["diagnostics"].as_array().unwrap().len(), 0);
    // Each file says how many payloads were checked and how many were not.
    assert_eq!(
        files[0]["payloads"],
        serde_json::json!({ "checked": 1, "unchecked": 1 })
    );
    assert_eq!(
        files[1]["payloads"],
        serde_json::json!({ "checked": 1, "unchecked": 0 })
    );
}

#[test]
fn convert_writes_each_encoding_through_the_typed_api() {
    for (format, check) in [
        ("xml", b"<?xml".as_slice()),
        ("binary", b"bplist00".as_slice()),
        ("json", b"{".as_slice()),
    ] {
        let out = scratch(&format!("converted.{format}"));
        let output = run(&[
            "convert",
            "real-world-lenient.mobileconfig",
            "--to",
            format,
            "-o",
            out.to_str().unwrap(),
        ]);
        assert_eq!(output.status.code(), Some(0), "{format}");
        let written = std::fs::read(&out).unwrap();
        assert!(written.starts_with(check), "{format}");
        // The lenient values were reported while reading.
        assert!(String::from_utf8_lossy(&output.stderr).contains("type-coerced"));
        if format != "json" {
            let again = run(&["validate", out.to_str().unwrap()]);
            assert_eq!(again.status.code(), Some(0));
            // Only the note on the payload no schema describes is left.
            assert_eq!(
                findings(&stdout(&again))
                    .iter()
                    .filter(|line| !line.contains(": info[unknown-payload-type]: "))
                    .count(),
                0,
                "{format}: written exactly, nothing to coerce"
            );
        }
    }
}

#[test]
fn help_and_version_say_what_the_tool_does() {
    let help = run(&["--help"]);
    assert_eq!(help.status.code(), Some(0));
    let text = stdout(&help);
    for word in [
        "validate",
        "convert",
        "explain",
        "completions",
        "Examples:",
        "Exit codes",
    ] {
        assert!(text.contains(word), "{word}: {text}");
    }
    for command in ["validate", "convert", "explain", "completions"] {
        let help = run(&[command, "--help"]);
        assert_eq!(help.status.code(), Some(0), "{command}");
        assert!(stdout(&help).contains("Examples:"), "{command}");
    }
    let version = run(&["--version"]);
    assert_eq!(version.status.code(), Some(0));
    assert_eq!(
        stdout(&version).trim(),
        format!("mobileconfig {}", env!("CARGO_PKG_VERSION"))
    );
    // A wrong command line is exit code 2, with the usage.
    let wrong = run(&["validate", "--nope", "x"]);
    assert_eq!(wrong.status.code(), Some(2));
    assert!(stderr(&wrong).contains("Usage:"), "{}", stderr(&wrong));
}

#[test]
fn completions_are_printed_for_each_shell() {
    for (shell, mark) in [
        ("bash", "complete -F"),
        ("zsh", "#compdef mobileconfig"),
        ("fish", "complete -c mobileconfig"),
    ] {
        let output = run(&["completions", shell]);
        assert_eq!(output.status.code(), Some(0), "{shell}");
        let script = stdout(&output);
        assert!(script.contains(mark), "{shell}: {script}");
        assert!(script.contains("validate"), "{shell}");
    }
}

/// Every `.mobileconfig` below the fixtures folder, as `validate` should
/// list them.
fn fixture_profiles() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(profiles())
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".mobileconfig"))
        .map(|name| format!("./{name}"))
        .collect();
    names.sort();
    names
}

/// The files a `--format json` run lists, in its order.
fn listed_files(output: &Output) -> Vec<String> {
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    json["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|file| file["file"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn a_folder_is_every_profile_below_it_in_a_stable_order() {
    let output = run(&["validate", ".", "--format", "json"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let files = listed_files(&output);
    assert_eq!(files, fixture_profiles());
    // The same order every run, though files are checked in parallel.
    let again = run(&["validate", ".", "--format", "json"]);
    assert_eq!(again.stdout, output.stdout);
    // Text output names each file that has findings, then a summary of all.
    let text = run(&["validate", "."]);
    let summary = stderr(&text);
    assert!(
        summary.contains(&format!("in {} file(s)", files.len())),
        "{summary}"
    );
}

#[test]
fn a_glob_pattern_is_expanded_sorted() {
    let output = run(&["validate", "ikev2-*.mobileconfig", "--format", "json"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let files = listed_files(&output);
    assert_eq!(
        files,
        [
            "ikev2-certificate.binary.mobileconfig",
            "ikev2-certificate.mobileconfig",
            "ikev2-eap.binary.mobileconfig",
            "ikev2-eap.mobileconfig",
            "ikev2-on-demand.mobileconfig",
        ]
    );
    let nothing = run(&["validate", "nothing-*.mobileconfig"]);
    assert_eq!(nothing.status.code(), Some(2));
    assert!(stderr(&nothing).contains("no file matches"));
}

#[test]
fn quiet_prints_only_the_summary() {
    let (broken, _) = broken_profile("quiet.mobileconfig");
    let output = run(&["validate", "--quiet", broken.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(stdout(&output), "");
    assert!(
        stderr(&output).starts_with("1 error(s), 0 warning(s)"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn colour_only_when_asked_or_on_a_terminal() {
    let (broken, _) = broken_profile("colour.mobileconfig");
    let file = broken.to_str().unwrap();
    let always = run(&["validate", "--color", "always", file]);
    assert!(stdout(&always).contains("\x1b["), "{}", stdout(&always));
    // Not a terminal here: no colour unless asked.
    for args in [
        vec!["validate", file],
        vec!["validate", "--color", "never", file],
    ] {
        let output = run(&args);
        assert!(!stdout(&output).contains('\x1b'), "{args:?}");
    }
}

#[test]
fn a_read_error_says_line_element_and_likely_cause() {
    let pem = scratch("pem.mobileconfig");
    let text = std::fs::read_to_string(profiles().join("ikev2-certificate.mobileconfig"))
        .unwrap()
        .replacen("<data>", "<data>-----BEGIN CERTIFICATE-----\n", 1);
    std::fs::write(&pem, &text).unwrap();
    let output = run(&["validate", pem.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(2));
    let message = stderr(&output);
    let first = message.lines().next().unwrap();
    let place = format!("{}:", pem.display());
    assert!(first.starts_with(&place), "{message}");
    let line: usize = first[place.len()..]
        .split(':')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    // The reader stops at the end of the element that holds the armour.
    let data_lines: Vec<usize> = text
        .lines()
        .enumerate()
        .filter(|(_, text)| text.contains("</data>"))
        .map(|(index, _)| index + 1)
        .collect();
    assert!(
        data_lines.contains(&line),
        "{line} {data_lines:?}: {message}"
    );
    assert!(first.contains("does not hold valid base64"), "{message}");
    assert!(first.contains("(in <data>)"), "{message}");
    assert!(
        message.contains("hint: this <data> holds PEM armour"),
        "{message}"
    );
}

#[test]
fn github_annotations_name_file_line_and_code() {
    let (broken, line) = broken_profile("github.mobileconfig");
    let file = broken.to_str().unwrap();
    let output = run(&["validate", "--format", "github", file]);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        stdout(&output),
        format!(
            "::error file={file},line={line},col=5,title=range::PayloadContent[0].IKEv2.MTU: 9000 \
             is out of range: it must be from 1280 to 1400\n"
        )
    );
}

/// The SARIF 2.1.0 schema that `serde-sarif` is generated from, in its
/// package as the registry holds it (found through the version the lock
/// file pins, in cargo's registry folder).
fn sarif_schema() -> serde_json::Value {
    let pkgid = Command::new(env!("CARGO"))
        .args(["pkgid", "-p", "serde-sarif", "--offline"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("cargo pkgid");
    let pkgid = String::from_utf8_lossy(&pkgid.stdout).trim().to_owned();
    let version = pkgid.rsplit(['@', '#']).next().expect("a version");
    let cargo_home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| Path::new(&home).join(".cargo")))
        .expect("CARGO_HOME or HOME");
    let registries = cargo_home.join("registry/src");
    let schema = std::fs::read_dir(&registries)
        .unwrap_or_else(|error| panic!("{}: {error}", registries.display()))
        .map(|entry| {
            entry
                .unwrap()
                .path()
                .join(format!("serde-sarif-{version}/src/schema.json"))
        })
        .find(|path| path.is_file())
        .unwrap_or_else(|| {
            panic!(
                "serde-sarif {version}'s schema.json under {}",
                registries.display()
            )
        });
    let text = std::fs::read_to_string(&schema).unwrap();
    // The published schema's pattern for `run.language` ends in a stray
    // `]`, which a strict regular-expression check refuses when the schema
    // is compiled; the output never has a `language`, so the stray bracket
    // is dropped and everything else is used as published.
    let stray = "^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$";
    assert!(
        text.contains(stray),
        "the SARIF schema's language pattern changed"
    );
    let text = text.replace(stray, "^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}?$");
    serde_json::from_str(&text).unwrap()
}

#[test]
fn sarif_output_is_valid_sarif_2_1_0() {
    let (broken, line) = broken_profile("sarif.mobileconfig");
    let garbage = scratch("sarif-garbage.mobileconfig");
    std::fs::write(&garbage, b"not a plist").unwrap();
    let output = run(&[
        "validate",
        "--format",
        "sarif",
        broken.to_str().unwrap(),
        "real-world-lenient.mobileconfig",
        garbage.to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(2));
    let sarif: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let schema = sarif_schema();
    let validator = jsonschema::validator_for(&schema).expect("the SARIF schema compiles");
    let errors: Vec<String> = validator
        .iter_errors(&sarif)
        .map(|error| format!("{error} at {}", error.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    // The schema does judge: a level SARIF does not have is refused.
    let mut wrong = sarif.clone();
    wrong["runs"][0]["results"][0]["level"] = serde_json::json!("fatal");
    assert!(!validator.is_valid(&wrong));
    assert_eq!(sarif["version"], "2.1.0");
    let run = &sarif["runs"][0];
    let results = run["results"].as_array().unwrap();
    // One MTU error, four coerced values, one unknown payload, one unreadable file.
    assert_eq!(results.len(), 7, "{results:#?}");
    let range = &results[0];
    assert_eq!(range["ruleId"], "range");
    assert_eq!(range["level"], "error");
    let region = &range["locations"][0]["physicalLocation"]["region"];
    assert_eq!(region["startLine"], line as u64);
    // Every rule a result names is described in the tool's rules.
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    for result in results {
        let index = result["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[index]["id"], result["ruleId"]);
        assert!(
            rules[index]["shortDescription"]["text"]
                .as_str()
                .unwrap()
                .len()
                > 10
        );
    }
    assert!(
        results
            .iter()
            .any(|result| result["ruleId"] == "unreadable")
    );
}

#[test]
fn explain_says_what_a_code_means() {
    let built_in = run(&["explain", "rangelist"]);
    assert_eq!(built_in.status.code(), Some(0));
    let text = stdout(&built_in);
    assert!(text.starts_with("rangelist: "), "{text}");
    assert!(text.contains("How to fix it:"), "{text}");
    let rule = run(&["explain", "vpn.ikev2.none-without-eap-needs-shared-secret"]);
    assert_eq!(rule.status.code(), Some(0));
    let text = stdout(&rule);
    assert!(text.contains("com.apple.vpn.managed"), "{text}");
    assert!(text.contains("Severity: error"), "{text}");
    let unknown = run(&["explain", "rangelst"]);
    assert_eq!(unknown.status.code(), Some(2));
    assert!(
        stderr(&unknown).contains("close ones: rangelist"),
        "{}",
        stderr(&unknown)
    );
}

fn signing_material(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../runtime/src/signed/testdata")
        .join(name)
        .to_string_lossy()
        .into_owned()
}

/// Signs the EAP fixture with the RSA test signer (issued by the test root).
fn signed_profile(name: &str) -> PathBuf {
    let out = scratch(name);
    let output = run(&[
        "sign",
        "ikev2-eap.mobileconfig",
        "--cert",
        &signing_material("rsa.pem"),
        "--key",
        &signing_material("rsa-pkcs1.key"),
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("signed by `CN=Example RSA Signer"),
        "{}",
        stderr(&output)
    );
    out
}

#[test]
fn a_signed_profile_says_who_signed_it_and_whether_the_anchors_vouch_for_them() {
    let signed = signed_profile("signed.mobileconfig");
    let file = signed.to_str().unwrap();
    let plain = run(&["validate", file]);
    assert_eq!(plain.status.code(), Some(0), "{}", stderr(&plain));
    let out = stdout(&plain);
    assert!(
        out.starts_with("(profile): info[signed]: signed by `CN=Example RSA Signer,O=Example`"),
        "{out}"
    );
    assert!(
        out.contains("signer not checked against any trust anchor"),
        "{out}"
    );
    let trusted = run(&["validate", file, "--trust", &signing_material("root.pem")]);
    assert_eq!(trusted.status.code(), Some(0));
    assert!(
        stdout(&trusted).contains("signer trusted"),
        "{}",
        stdout(&trusted)
    );
    let elsewhere = run(&[
        "validate",
        file,
        "--trust",
        &signing_material("other-root.pem"),
    ]);
    assert_eq!(elsewhere.status.code(), Some(1));
    assert!(
        stdout(&elsewhere).contains("error[untrusted-signer]"),
        "{}",
        stdout(&elsewhere)
    );
    // Asking for trust on an unsigned profile is an error too.
    let unsigned = run(&[
        "validate",
        "ikev2-eap.mobileconfig",
        "--trust",
        &signing_material("root.pem"),
    ]);
    assert_eq!(unsigned.status.code(), Some(1));
    assert!(stdout(&unsigned).contains("error[unsigned]"));
    // Every format carries the signature's note.
    let json = run(&["validate", "--format", "json", file]);
    let json: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(json["files"][0]["diagnostics"][0]["code"], "signed");
}

#[test]
fn a_tampered_signed_profile_is_refused_saying_what_failed() {
    let signed = signed_profile("tampered.mobileconfig");
    let mut bytes = std::fs::read(&signed).unwrap();
    let at = bytes
        .windows(4)
        .position(|window| window == b"1400")
        .expect("the MTU inside the signed content");
    bytes[at] = b'9';
    std::fs::write(&signed, &bytes).unwrap();
    let output = run(&["validate", signed.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(2));
    let message = stderr(&output);
    assert!(message.contains("cannot be read as a profile"), "{message}");
    assert!(message.to_lowercase().contains("digest"), "{message}");
}

#[test]
fn convert_keeps_or_drops_a_signature_only_when_told() {
    let signed = signed_profile("to-convert.mobileconfig");
    let input = signed.to_str().unwrap();
    let out = scratch("converted-signed.mobileconfig");
    let output = out.to_str().unwrap();
    let refused = run(&["convert", input, "-o", output]);
    assert_eq!(refused.status.code(), Some(2));
    assert!(
        stderr(&refused).contains("--unsigned"),
        "{}",
        stderr(&refused)
    );
    let dropped = run(&["convert", input, "--unsigned", "-o", output]);
    assert_eq!(dropped.status.code(), Some(0), "{}", stderr(&dropped));
    assert!(stderr(&dropped).contains("the signature was dropped"));
    assert!(std::fs::read(&out).unwrap().starts_with(b"<?xml"));
    // Signed again with a PKCS#12 identity whose password comes from the
    // environment, never from the command line.
    let resigned = Command::new(env!("CARGO_BIN_EXE_mobileconfig"))
        .args([
            "convert",
            input,
            "--pkcs12",
            &signing_material("ec.p12"),
            "--password-env",
            "MC_TEST_PASSWORD",
            "-o",
            output,
        ])
        .env("MC_TEST_PASSWORD", "throwaway-signing-secret")
        .current_dir(profiles())
        .output()
        .unwrap();
    assert_eq!(resigned.status.code(), Some(0), "{}", stderr(&resigned));
    assert!(stderr(&resigned).contains("signed again"));
    let check = run(&["validate", output, "--trust", &signing_material("root.pem")]);
    assert_eq!(check.status.code(), Some(0), "{}", stdout(&check));
    assert!(
        stdout(&check).contains("CN=Example EC Signer"),
        "{}",
        stdout(&check)
    );
    assert!(!stdout(&check).contains("throwaway-signing-secret"));
}
