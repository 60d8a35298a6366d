//! Peak heap memory of reading a profile, against the input's size and
//! against `plist::Value` reading the same bytes, measured with `dhat`'s
//! allocator in one run. Prints one table row per input, and writes the
//! rows to `target/bench-memory.json` for `cargo xtask bench`.

use std::hint::black_box;
use std::io::Cursor;

use mobileconfig_bench::{binary, certificates_profile, fixture, workspace_root, xml};
use plist::Value;

#[global_allocator]
static ALLOCATOR: dhat::Alloc = dhat::Alloc;

/// The most heap memory `work` held at once, in bytes.
fn peak(work: impl FnOnce()) -> u64 {
    let profiler = dhat::Profiler::builder().testing().build();
    work();
    let peak = dhat::HeapStats::get().max_bytes as u64;
    drop(profiler);
    peak
}

#[derive(serde::Serialize)]
struct Row {
    what: String,
    input_bytes: u64,
    ours_peak_bytes: u64,
    plist_peak_bytes: u64,
    /// Our peak ÷ the input's size.
    ours_per_input: f64,
    /// Our peak ÷ `plist::Value`'s peak.
    ours_per_plist: f64,
}

fn main() {
    let on_demand = Value::from_reader(Cursor::new(fixture("ikev2-on-demand.mobileconfig")))
        .expect("the fixture reads");
    let certificate = Value::from_reader(Cursor::new(fixture("ikev2-certificate.mobileconfig")))
        .expect("the fixture reads");
    let many = certificates_profile(300);
    let inputs = [
        ("ikev2-on-demand", &on_demand),
        ("ikev2-certificate", &certificate),
        ("certificates-300", &many),
    ];
    let mut rows = Vec::new();
    for (name, value) in inputs {
        for (encoding, bytes) in [("xml", xml(value)), ("binary", binary(value))] {
            let ours = peak(|| {
                black_box(mobileconfig::read_profile(black_box(&bytes)).expect("reads"));
            });
            let theirs = peak(|| {
                black_box(Value::from_reader(Cursor::new(black_box(&bytes))).expect("reads"));
            });
            let input = bytes.len() as u64;
            rows.push(Row {
                what: format!("decode-{encoding} {name}"),
                input_bytes: input,
                ours_peak_bytes: ours,
                plist_peak_bytes: theirs,
                ours_per_input: ours as f64 / input as f64,
                ours_per_plist: ours as f64 / theirs as f64,
            });
        }
    }
    println!("\n| peak heap | input | ours | ours ÷ input | `plist::Value` | ours ÷ plist |");
    println!("|---|---|---|---|---|---|");
    for row in &rows {
        println!(
            "| {} | {} | {} | {:.1} | {} | {:.2} |",
            row.what,
            size(row.input_bytes),
            size(row.ours_peak_bytes),
            row.ours_per_input,
            size(row.plist_peak_bytes),
            row.ours_per_plist
        );
    }
    let path = workspace_root().join("target/bench-memory.json");
    let json = serde_json::to_string_pretty(&rows).expect("rows serialize");
    if let Err(error) = std::fs::write(&path, json + "\n") {
        eprintln!("{}: {error}", path.display());
    }
}

/// A byte count in the unit that reads best.
fn size(bytes: u64) -> String {
    if bytes >= 1 << 20 {
        format!("{:.1} MB", bytes as f64 / f64::from(1 << 20))
    } else if bytes >= 1 << 10 {
        format!("{:.1} KB", bytes as f64 / f64::from(1 << 10))
    } else {
        format!("{bytes} B")
    }
}
