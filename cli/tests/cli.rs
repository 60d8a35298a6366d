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
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 1, "{out}");
    assert!(
        lines[0].starts_with("PayloadContent[0].PayloadContent: info[certificate-info]: "),
        "{out}"
    );
    assert!(lines[0].contains("CN=device-0001.example.com"), "{out}");
    // The note says the password opened the identity; it never shows it.
    assert!(!out.contains("fixture-only-7Qm2xV"), "{out}");
}

#[test]
fn findings_print_as_path_severity_code_message() {
    let broken = scratch("broken.mobileconfig");
    let text = std::fs::read_to_string(profiles().join("ikev2-eap.mobileconfig"))
        .unwrap()
        .replace("<integer>1400</integer>", "<integer>9000</integer>");
    std::fs::write(&broken, text).unwrap();
    let output = run(&["validate", broken.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        stdout(&output),
        "PayloadContent[0].IKEv2.MTU: error[range]: 9000 is out of range: it must be from 1280 to 1400\n"
    );
}

#[test]
fn warnings_alone_exit_zero() {
    let output = run(&["validate", "real-world-lenient.mobileconfig"]);
    assert_eq!(output.status.code(), Some(0));
    let out = stdout(&output);
    let lines: Vec<&str> = out.lines().collect();
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
        "0 error(s), 4 warning(s), 1 note(s); 1 payload(s) checked, 1 not checked (no schema \
         for their type)"
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
                stdout(&again)
                    .lines()
                    .filter(|line| !line.contains(": info[unknown-payload-type]: "))
                    .count(),
                0,
                "{format}: written exactly, nothing to coerce"
            );
        }
    }
}
