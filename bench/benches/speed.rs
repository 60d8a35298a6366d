//! Each row compares the project's code with what a user would otherwise
//! reach for, on the same input in the same process: `validate` against
//! the `jsonschema` crate with the project's own JSON Schema, typed reading
//! against `plist::Value`, and code generation against parsing the same
//! YAML with `serde_yaml`. The function named `mobileconfig` is ours; the
//! other in a group is the comparison. `cargo xtask bench` prints the
//! table of medians and ratios.

use std::hint::black_box;
use std::io::Cursor;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use mobileconfig::runtime::io;
use mobileconfig_bench::{
    binary, broken_profile, certificates_profile, fixture, fixture_value, profile_of,
    workspace_root, xml,
};
use plist::Value;

fn validation(c: &mut Criterion) {
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(
            workspace_root().join("generated/json-schema/profile.schema.json"),
        )
        .expect("the profile's JSON Schema"),
    )
    .expect("JSON");
    let validator = jsonschema::draft202012::new(&schema).expect("compiles");
    let inputs = [
        (
            "ikev2-certificate",
            fixture_value("ikev2-certificate.mobileconfig"),
        ),
        (
            "ikev2-on-demand",
            fixture_value("ikev2-on-demand.mobileconfig"),
        ),
        ("ikev2-on-demand-5-errors", broken_profile()),
    ];
    let mut group = c.benchmark_group("validate");
    for (name, value) in &inputs {
        let json = io::to_json(value);
        group.bench_with_input(BenchmarkId::new("mobileconfig", name), value, |b, value| {
            b.iter(|| mobileconfig::validate_profile(black_box(value), None))
        });
        group.bench_with_input(BenchmarkId::new("jsonschema", name), &json, |b, json| {
            b.iter(|| validator.iter_errors(black_box(json)).count())
        });
    }
    group.finish();
    // The typed value's own validate, against the untyped one.
    let mut group = c.benchmark_group("validate-typed");
    for (name, value) in &inputs {
        let typed = mobileconfig::read_profile(&xml(value))
            .expect("reads")
            .value;
        group.bench_with_input(
            BenchmarkId::new("mobileconfig", name),
            &typed,
            |b, typed| b.iter(|| black_box(typed).validate(None)),
        );
        group.bench_with_input(BenchmarkId::new("untyped", name), value, |b, value| {
            b.iter(|| mobileconfig::validate_profile(black_box(value), None))
        });
    }
    group.finish();
}

fn decoding(c: &mut Criterion) {
    let inputs = [
        (
            "ikev2-certificate",
            fixture("ikev2-certificate.mobileconfig"),
        ),
        ("ikev2-on-demand", fixture("ikev2-on-demand.mobileconfig")),
    ];
    for (encoding, encode) in [("xml", xml as fn(&Value) -> Vec<u8>), ("binary", binary)] {
        let mut group = c.benchmark_group(format!("decode-{encoding}"));
        for (name, bytes) in &inputs {
            let bytes = encode(&Value::from_reader(Cursor::new(bytes)).expect("reads"));
            group.bench_with_input(
                BenchmarkId::new("mobileconfig", name),
                &bytes,
                |b, bytes| b.iter(|| mobileconfig::read_profile(black_box(bytes)).expect("reads")),
            );
            group.bench_with_input(BenchmarkId::new("plist", name), &bytes, |b, bytes| {
                b.iter(|| Value::from_reader(Cursor::new(black_box(bytes))).expect("reads"))
            });
        }
        group.finish();
    }
}

fn scaling(c: &mut Criterion) {
    let mut group = c.benchmark_group("scale-payloads");
    for count in [1usize, 10, 100, 1000] {
        let profile = profile_of(count);
        group.bench_with_input(
            BenchmarkId::new("mobileconfig", count),
            &profile,
            |b, profile| b.iter(|| mobileconfig::validate_profile(black_box(profile), None)),
        );
    }
    group.finish();
    let mut group = c.benchmark_group("scale-certificates");
    group.sample_size(20);
    for count in [3usize, 300] {
        let profile = certificates_profile(count);
        group.bench_with_input(
            BenchmarkId::new("mobileconfig", count),
            &profile,
            |b, profile| b.iter(|| mobileconfig::validate_profile(black_box(profile), None)),
        );
    }
    group.finish();
}

fn codegen(c: &mut Criterion) {
    use mobileconfig_codegen::{CrateOptions, load::read_sources, release::Release};
    // The committed crate's input (Apple's whole catalogue and the
    // overlays, as `cargo xtask codegen` reads it), then Apple's ios18.1
    // profiles as published, when that checkout is there.
    let schema = workspace_root().join("schema");
    let release = Release::read(&schema)
        .expect("schema/release.yaml reads")
        .expect("schema/release.yaml is there");
    let mut inputs = vec![(
        "catalogue",
        read_sources(&schema, None, false).expect("reads"),
        CrateOptions::workspace(release),
    )];
    match std::env::var_os("APPLE_DM_DIR")
        .map(std::path::PathBuf::from)
        .or_else(|| Some(workspace_root().join("../shared/apple-device-management")))
        .map(|dir| dir.join("ios18.1/mdm/profiles"))
        .filter(|dir| dir.is_dir())
    {
        Some(profiles) => inputs.push((
            "ios18.1-profiles",
            read_sources(&profiles, None, true).expect("reads"),
            CrateOptions::standalone("mobileconfig", &workspace_root().join("runtime"), &profiles),
        )),
        None => eprintln!("codegen ios18.1 rows skipped: APPLE_DM_DIR/ios18.1 is not there"),
    }
    let mut group = c.benchmark_group("codegen");
    group.sample_size(10);
    for (name, sources, options) in &inputs {
        group.bench_function(BenchmarkId::new("mobileconfig", name), |b| {
            b.iter(|| {
                mobileconfig_codegen::generate(black_box(sources), options).expect("generates")
            })
        });
        group.bench_function(BenchmarkId::new("serde_yaml", name), |b| {
            b.iter(|| {
                for source in sources {
                    // One file of ios18.1 refers to itself through an
                    // anchor, which serde_yaml refuses after reading it;
                    // the time to the refusal counts.
                    let value: Result<serde_yaml::Value, _> =
                        serde_yaml::from_str(black_box(&source.text));
                    let _ = black_box(value);
                }
            })
        });
    }
    group.finish();
}

criterion_group!(benches, validation, decoding, scaling, codegen);
criterion_main!(benches);
