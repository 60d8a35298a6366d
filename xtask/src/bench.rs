//! `cargo xtask bench [FILTER]`: runs the benchmarks (`bench/benches`) and
//! prints one table: each row our median, the comparison's median and their
//! ratio (ours ÷ theirs; below 1 is faster), all measured in the same run.
//! The same rows are written to `target/bench.json`. Without a filter (or
//! with the filter `memory`) it then runs the peak-memory benchmark, which
//! prints its own table and writes `target/bench-memory.json`.
//!
//! A group's function `mobileconfig` is ours and the other is the
//! comparison. The scaling groups have no other function: each size is
//! compared with the smallest size times the growth in input, so a ratio
//! of 1 is linear growth.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::workspace_root;

/// One measured benchmark: criterion's group, function and input.
#[derive(Debug, Clone)]
struct Measured {
    group: String,
    function: String,
    input: String,
    /// The median, in nanoseconds.
    median: f64,
}

/// A row of the table.
#[derive(Debug, serde::Serialize)]
struct Row {
    what: String,
    ours_ns: f64,
    comparison: String,
    comparison_ns: f64,
    ratio: f64,
}

pub fn run(args: &[String]) -> Result<(), String> {
    let memory_only = args.iter().any(|arg| arg == "memory");
    if !memory_only {
        speed(args)?;
    }
    if args.is_empty() || memory_only {
        memory()?;
    }
    Ok(())
}

fn cargo() -> Command {
    Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned()))
}

/// The peak-memory benchmark, which prints its table itself.
fn memory() -> Result<(), String> {
    let status = cargo()
        .args(["bench", "-p", "mobileconfig-bench", "--bench", "memory"])
        .current_dir(workspace_root())
        .status()
        .map_err(|error| format!("cannot run cargo bench: {error}"))?;
    if !status.success() {
        return Err("the memory benchmark failed".to_owned());
    }
    Ok(())
}

/// The speed benchmarks (criterion), and the table of their ratios.
fn speed(args: &[String]) -> Result<(), String> {
    let root = workspace_root();
    let status = cargo()
        .args([
            "bench",
            "-p",
            "mobileconfig-bench",
            "--bench",
            "speed",
            "--",
            "--noplot",
        ])
        .args(args)
        .current_dir(&root)
        .status()
        .map_err(|error| format!("cannot run cargo bench: {error}"))?;
    if !status.success() {
        return Err("cargo bench failed".to_owned());
    }
    let criterion = root.join("target/criterion");
    let mut measured = Vec::new();
    collect(&criterion, &mut measured)?;
    let rows = rows(&measured);
    if rows.is_empty() {
        return Err(format!("no measurement under {}", criterion.display()));
    }
    print_table(&rows);
    let path = root.join("target/bench.json");
    let json = serde_json::to_string_pretty(&rows).map_err(|error| error.to_string())?;
    std::fs::write(&path, json + "\n").map_err(|error| format!("{}: {error}", path.display()))?;
    println!("\n(the same as JSON in {})", path.display());
    Ok(())
}

/// Every `new/benchmark.json` below `folder`, with its median.
fn collect(folder: &Path, measured: &mut Vec<Measured>) -> Result<(), String> {
    let Ok(entries) = std::fs::read_dir(folder) else {
        return Ok(());
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if !path.is_dir() {
            continue;
        }
        if path.file_name().is_some_and(|name| name == "new") {
            if let Some(found) = read_measurement(&path)? {
                measured.push(found);
            }
        } else {
            collect(&path, measured)?;
        }
    }
    Ok(())
}

fn read_measurement(folder: &Path) -> Result<Option<Measured>, String> {
    let read = |name: &str| -> Result<Option<serde_json::Value>, String> {
        let path: PathBuf = folder.join(name);
        match std::fs::read_to_string(&path) {
            Ok(text) => serde_json::from_str(&text)
                .map(Some)
                .map_err(|error| format!("{}: {error}", path.display())),
            Err(_) => Ok(None),
        }
    };
    let (Some(benchmark), Some(estimates)) = (read("benchmark.json")?, read("estimates.json")?)
    else {
        return Ok(None);
    };
    let text = |value: &serde_json::Value| value.as_str().unwrap_or_default().to_owned();
    Ok(Some(Measured {
        group: text(&benchmark["group_id"]),
        function: text(&benchmark["function_id"]),
        input: text(&benchmark["value_str"]),
        median: estimates["median"]["point_estimate"]
            .as_f64()
            .unwrap_or(f64::NAN),
    }))
}

/// Pairs each of our measurements with its comparison.
fn rows(measured: &[Measured]) -> Vec<Row> {
    let mut by_group: BTreeMap<&str, Vec<&Measured>> = BTreeMap::new();
    for item in measured {
        by_group.entry(&item.group).or_default().push(item);
    }
    let mut rows = Vec::new();
    for (group, items) in by_group {
        let ours: Vec<&&Measured> = items
            .iter()
            .filter(|item| item.function == "mobileconfig")
            .collect();
        let theirs: Vec<&&Measured> = items
            .iter()
            .filter(|item| item.function != "mobileconfig")
            .collect();
        if theirs.is_empty() {
            // Scaling: each size against the smallest, scaled up.
            let mut sized: Vec<(f64, &Measured)> = ours
                .iter()
                .filter_map(|item| item.input.parse::<f64>().ok().map(|size| (size, **item)))
                .collect();
            sized.sort_by(|a, b| a.0.total_cmp(&b.0));
            let Some((smallest, base)) = sized.first().copied() else {
                continue;
            };
            for (size, item) in sized.iter().skip(1) {
                let expected = base.median * size / smallest;
                rows.push(Row {
                    what: format!("{group} {}", item.input),
                    ours_ns: item.median,
                    comparison: format!("{} × {}", base.input, size / smallest),
                    comparison_ns: expected,
                    ratio: item.median / expected,
                });
            }
            continue;
        }
        for item in ours {
            if let Some(other) = theirs.iter().find(|other| other.input == item.input) {
                rows.push(Row {
                    what: format!("{group} {}", item.input),
                    ours_ns: item.median,
                    comparison: other.function.clone(),
                    comparison_ns: other.median,
                    ratio: item.median / other.median,
                });
            }
        }
    }
    rows
}

fn print_table(rows: &[Row]) {
    println!("\n| benchmark | ours (median) | comparison | comparison (median) | ratio |");
    println!("|---|---|---|---|---|");
    for row in rows {
        println!(
            "| {} | {} | {} | {} | {:.2} |",
            row.what,
            duration(row.ours_ns),
            row.comparison,
            duration(row.comparison_ns),
            row.ratio
        );
    }
}

/// A duration in the unit that reads best.
fn duration(nanoseconds: f64) -> String {
    if nanoseconds >= 1e9 {
        format!("{:.2} s", nanoseconds / 1e9)
    } else if nanoseconds >= 1e6 {
        format!("{:.2} ms", nanoseconds / 1e6)
    } else if nanoseconds >= 1e3 {
        format!("{:.1} µs", nanoseconds / 1e3)
    } else {
        format!("{nanoseconds:.0} ns")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn measured(group: &str, function: &str, input: &str, median: f64) -> Measured {
        Measured {
            group: group.to_owned(),
            function: function.to_owned(),
            input: input.to_owned(),
            median,
        }
    }

    #[test]
    fn rows_pair_ours_with_the_comparison_and_scale_sizes() {
        let rows = rows(&[
            measured("validate", "mobileconfig", "a", 50.0),
            measured("validate", "jsonschema", "a", 100.0),
            measured("scale", "mobileconfig", "1", 10.0),
            measured("scale", "mobileconfig", "100", 1500.0),
        ]);
        let found: Vec<(String, f64)> = rows
            .iter()
            .map(|row| (row.what.clone(), row.ratio))
            .collect();
        assert_eq!(
            found,
            [
                ("scale 100".to_owned(), 1.5),
                ("validate a".to_owned(), 0.5)
            ]
        );
        assert_eq!(duration(1_500.0), "1.5 µs");
        assert_eq!(duration(2_500_000.0), "2.50 ms");
    }
}
