//! A change log in words (Markdown, for release notes) or as JSON.

use std::collections::BTreeMap;

use serde_json::json;

use super::{Change, ChangeKind, ChangeLog, Effect, PayloadId, Version};

/// The sentence for one change, without its place: "added (optional)".
pub fn describe(kind: &ChangeKind) -> String {
    let or_none = |value: &Option<String>| match value {
        Some(value) => format!("`{value}`"),
        None => "none".to_owned(),
    };
    let list = |values: &[String]| {
        values
            .iter()
            .map(|value| format!("`{value}`"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    match kind {
        ChangeKind::PayloadAdded { module } => format!("added (module `{module}`)"),
        ChangeKind::PayloadRemoved { module } => format!("removed (module `{module}`)"),
        ChangeKind::KeyAdded { required: true } => "added, required".to_owned(),
        ChangeKind::KeyAdded { required: false } => "added".to_owned(),
        ChangeKind::KeyRemoved => "removed".to_owned(),
        ChangeKind::Retyped { old, new } => format!("type changed from {old} to {new}"),
        ChangeKind::MadeRequired => "now required".to_owned(),
        ChangeKind::MadeOptional => "now optional".to_owned(),
        ChangeKind::ValuesAdded { values, .. } => format!("allows {}", list(values)),
        ChangeKind::ValuesRemoved { values, .. } => {
            format!("no longer allows {}", list(values))
        }
        ChangeKind::RangeChanged { old, new } => {
            format!("range {} → {}", or_none(old), or_none(new))
        }
        ChangeKind::DefaultChanged { old, new } => {
            format!("default {} → {}", or_none(old), or_none(new))
        }
        ChangeKind::ItemsChanged { old, new } => {
            format!("item count {} → {}", or_none(old), or_none(new))
        }
        ChangeKind::FormatChanged { old, new } => {
            format!("format {} → {}", or_none(old), or_none(new))
        }
        ChangeKind::AvailabilityChanged { platform, old, new } => format!(
            "{platform}: {} → {}",
            old.as_deref().unwrap_or("not stated"),
            new.as_deref().unwrap_or("not stated")
        ),
        ChangeKind::RuleAdded { code, severity } => format!("rule `{code}` added ({severity})"),
        ChangeKind::RuleRemoved { code } => format!("rule `{code}` removed"),
        ChangeKind::RuleChanged { code, what } => format!("rule `{code}` changed: {what}"),
        ChangeKind::RuleReworded { code } => format!("rule `{code}`: message reworded"),
        ChangeKind::Renamed { item, old, new } => {
            format!("Rust {} `{old}` renamed `{new}`", item.noun())
        }
    }
}

/// What the next release must be, in a sentence: "a major release
/// (0.1.0 → 0.2.0)".
pub fn verdict(log: &ChangeLog, current: Option<Version>) -> String {
    match log.effect() {
        None => "Nothing changed: the regenerated crate needs no new release.".to_owned(),
        Some(effect) => {
            let number = current
                .map(|version| format!(" ({version} → {})", version.next(effect)))
                .unwrap_or_default();
            let why = match effect {
                Effect::Major => "some changes break code that uses what changed",
                Effect::Minor => {
                    "code keeps compiling; the crate knows more or validates otherwise"
                }
                Effect::Patch => "nothing a caller uses changes",
            };
            format!(
                "The regenerated crate needs a **{}** release{number}: {why}.",
                effect.name()
            )
        }
    }
}

/// The log as Markdown: the verdict, counts, then the changes per payload,
/// breaking ones first.
pub fn markdown(log: &ChangeLog, current: Option<Version>) -> String {
    let title = format!("# Changes from `{}` to `{}`\n\n", log.old, log.new);
    title + &body(log, current, 2)
}

/// One entry of `CHANGELOG.md`: the version it makes, then the log with its
/// headings one level down.
pub fn changelog_entry(log: &ChangeLog, current: Version) -> String {
    let next = log.effect().map_or(current, |effect| current.next(effect));
    let title = format!("## {next}: from `{}` to `{}`\n\n", log.old, log.new);
    title + &body(log, Some(current), 3)
}

/// The verdict, counts and changes, with section headings at `level`.
fn body(log: &ChangeLog, current: Option<Version>, level: usize) -> String {
    let section = "#".repeat(level);
    let subsection = "#".repeat(level + 1);
    let mut out = format!("{}\n", verdict(log, current));
    if log.changes.is_empty() {
        return out;
    }
    out.push_str("\n| change | count | effect |\n|---|---|---|\n");
    let mut by_tag: BTreeMap<(String, std::cmp::Reverse<Effect>), usize> = BTreeMap::new();
    for change in &log.changes {
        *by_tag
            .entry((change.kind.tag(), std::cmp::Reverse(change.effect())))
            .or_insert(0) += 1;
    }
    for ((tag, std::cmp::Reverse(effect)), count) in &by_tag {
        out.push_str(&format!(
            "| {} | {count} | {} |\n",
            tag.replace('-', " "),
            effect.name()
        ));
    }
    let (added, rest): (Vec<&Change>, Vec<&Change>) = log
        .changes
        .iter()
        .partition(|change| matches!(change.kind, ChangeKind::PayloadAdded { .. }));
    let (removed, rest): (Vec<&Change>, Vec<&Change>) = rest
        .into_iter()
        .partition(|change| matches!(change.kind, ChangeKind::PayloadRemoved { .. }));
    for (title, list) in [("Payloads added", &added), ("Payloads removed", &removed)] {
        if list.is_empty() {
            continue;
        }
        out.push_str(&format!("\n{section} {title} ({})\n\n", list.len()));
        for change in list.iter() {
            out.push_str(&format!(
                "- {}: {} — {}\n",
                change.payload,
                describe(&change.kind),
                change.effect().name()
            ));
        }
    }
    let mut by_payload: BTreeMap<&PayloadId, Vec<&Change>> = BTreeMap::new();
    for change in rest {
        by_payload.entry(&change.payload).or_default().push(change);
    }
    if !by_payload.is_empty() {
        out.push_str(&format!(
            "\n{section} Changes by payload ({})\n",
            by_payload.len()
        ));
    }
    for (payload, mut changes) in by_payload {
        changes.sort_by(|a, b| {
            b.effect()
                .cmp(&a.effect())
                .then_with(|| a.path.cmp(&b.path))
        });
        out.push_str(&format!("\n{subsection} {payload}\n\n"));
        // One line for each availability change, naming every place it
        // applies to: a new platform usually reaches many keys at once.
        let mut availability: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for change in &changes {
            if let ChangeKind::AvailabilityChanged { .. } = change.kind {
                availability
                    .entry(describe(&change.kind))
                    .or_default()
                    .push(place(change));
            }
        }
        for change in &changes {
            let line = match &change.kind {
                ChangeKind::AvailabilityChanged { .. } => {
                    let Some(places) = availability.remove(&describe(&change.kind)) else {
                        continue;
                    };
                    format!("{}: {}", describe(&change.kind), places_words(&places))
                }
                kind => format!("{}: {}", place(change), describe(kind)),
            };
            let effect = match change.effect() {
                Effect::Major => "**major**".to_owned(),
                other => other.name().to_owned(),
            };
            out.push_str(&format!("- {effect} {line}\n"));
        }
    }
    out
}

/// Where a change happened, in words.
fn place(change: &Change) -> String {
    if change.path.is_empty() {
        "the payload".to_owned()
    } else {
        format!("`{}`", change.path)
    }
}

/// "the payload, `A` and `B`"; past ten places, a count of the rest.
fn places_words(places: &[String]) -> String {
    const SHOWN: usize = 10;
    let mut words: Vec<String> = places.iter().take(SHOWN).cloned().collect();
    if places.len() > SHOWN {
        words.push(format!("{} more keys", places.len() - SHOWN));
    }
    match words.as_slice() {
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
        [] => String::new(),
    }
}

/// The log as JSON: both sides, the effect, the next version when the
/// current one is known, counts by kind, and every change with its effect.
pub fn json(log: &ChangeLog, current: Option<Version>) -> String {
    let effect = log.effect();
    let changes: Vec<serde_json::Value> = log
        .changes
        .iter()
        .map(|change| {
            let mut value = serde_json::to_value(change).unwrap_or_default();
            if let Some(object) = value.as_object_mut() {
                object.insert("effect".into(), json!(change.effect()));
            }
            value
        })
        .collect();
    let counts: serde_json::Map<String, serde_json::Value> = log
        .counts()
        .into_iter()
        .map(|(tag, count)| (tag, json!(count)))
        .collect();
    let document = json!({
        "old": log.old,
        "new": log.new,
        "effect": effect,
        "current_version": current.map(|version| version.to_string()),
        "next_version": current.zip(effect).map(|(version, effect)| version.next(effect).to_string()),
        "counts": counts,
        "changes": changes,
    });
    serde_json::to_string_pretty(&document).unwrap_or_default() + "\n"
}
