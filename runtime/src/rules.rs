//! The rule language at run time: whether a [`Condition`] holds on a
//! dictionary, which values to blame when it does not, and a rule's message
//! with those values filled in.
//!
//! Comparisons read *effective* values: what the profile writes, or, for a
//! key it leaves out inside a dictionary it has, the default Apple
//! documents (what the device uses). `Present` and `Absent` read the
//! profile as written.

use plist::Value;

use crate::schema::{Condition, DictSchema, KeyPath, KeySchema, Literal, Operand, Rule};

/// A value a condition compares: written in the profile, or the documented
/// default of a key the profile leaves out.
#[derive(Debug, Clone, Copy)]
pub enum Effective<'a> {
    Written(&'a Value),
    Default(Literal),
}

impl Effective<'_> {
    /// The value in a message ("`AES-128`", "`AES-256` (the default)").
    pub fn shown(&self) -> String {
        match self {
            Effective::Written(value) => crate::validate::shown(value, false),
            Effective::Default(literal) => format!("{literal} (the default)"),
        }
    }

    fn matches(&self, literal: &Literal) -> bool {
        match self {
            Effective::Written(value) => literal_matches(literal, value),
            Effective::Default(default) => default == literal,
        }
    }

    fn number(&self) -> Option<f64> {
        match self {
            Effective::Written(value) => number(value),
            Effective::Default(Literal::Int(value)) => Some(*value as f64),
            Effective::Default(Literal::Real(value)) => Some(*value),
            Effective::Default(_) => None,
        }
    }

    fn text(&self) -> Option<&str> {
        match self {
            Effective::Written(value) => value.as_string(),
            Effective::Default(Literal::Str(text)) => Some(text),
            Effective::Default(_) => None,
        }
    }
}

/// A value a failed check blames: its key path (relative to the rule's
/// dictionary) and, unless the key is missing, its effective value.
#[derive(Debug, Clone)]
pub struct Culprit<'a> {
    pub path: KeyPath,
    pub value: Option<Effective<'a>>,
}

/// The number a plist value holds, if any.
pub(crate) fn number(value: &Value) -> Option<f64> {
    match value {
        Value::Integer(integer) => integer
            .as_signed()
            .map(|value| value as f64)
            .or_else(|| integer.as_unsigned().map(|value| value as f64)),
        Value::Real(real) => Some(*real),
        _ => None,
    }
}

/// Whether a plist value equals a table constant (a 0/1 flag written
/// `<true/>` still means 1).
pub(crate) fn literal_matches(literal: &Literal, value: &Value) -> bool {
    match (literal, value) {
        (Literal::Str(expected), Value::String(actual)) => expected == actual,
        (Literal::Bool(expected), Value::Boolean(actual)) => expected == actual,
        (Literal::Bool(expected), Value::Integer(_)) => {
            number(value) == Some(if *expected { 1.0 } else { 0.0 })
        }
        (Literal::Int(expected), Value::Boolean(actual)) => *expected == i64::from(*actual),
        (Literal::Int(expected), _) => number(value) == Some(*expected as f64),
        (Literal::Real(expected), _) => number(value) == Some(*expected),
        _ => false,
    }
}

/// The dictionary a condition reads. The validators hand over the values
/// of its schema's keys, found once for the whole dictionary, so that a
/// rule reads its operands at their [`KeyPath::position`] without hashing
/// their names again.
#[derive(Debug, Clone, Copy)]
pub struct Keys<'a> {
    dictionary: &'a plist::Dictionary,
    /// The schema's keys and their values, in the schema's order.
    found: Option<(&'static [KeySchema], &'a [Option<&'a Value>])>,
}

impl<'a> Keys<'a> {
    /// `dictionary`, the values of whose schema's keys `values` holds, in
    /// the order of `schema`'s keys.
    pub(crate) fn found(
        dictionary: &'a plist::Dictionary,
        schema: &'static DictSchema,
        values: &'a [Option<&'a Value>],
    ) -> Self {
        Keys {
            dictionary,
            found: Some((schema.keys, values)),
        }
    }

    /// The value of a path's first key, as written: read at its position
    /// when the schema's key there has its name (always, in generated
    /// tables), else found by name.
    fn first(&self, path: &KeyPath) -> Option<&'a Value> {
        let name = path.keys.first()?;
        match self.found {
            Some((keys, values))
                if keys.get(path.position).is_some_and(|key| {
                    // Generated tables share one literal for both names.
                    std::ptr::eq(key.key, *name) || key.key == *name
                }) =>
            {
                values.get(path.position).copied().flatten()
            }
            _ => entry(self.dictionary, name),
        }
    }
}

impl<'a> From<&'a plist::Dictionary> for Keys<'a> {
    fn from(dictionary: &'a plist::Dictionary) -> Self {
        Keys {
            dictionary,
            found: None,
        }
    }
}

/// One key of a dictionary. The dictionaries rules reach into (a security
/// association, a proxy's settings) hold a handful of keys, which a scan
/// finds sooner than hashing the name would.
fn entry<'a>(dictionary: &'a plist::Dictionary, key: &str) -> Option<&'a Value> {
    const SCANNED: usize = 12;
    if dictionary.len() <= SCANNED {
        dictionary
            .iter()
            .find_map(|(name, value)| (name == key).then_some(value))
    } else {
        dictionary.get(key)
    }
}

/// The value at a key path inside the dictionary, as written.
fn lookup<'a>(keys: Keys<'a>, path: &KeyPath) -> Option<&'a Value> {
    let mut value = keys.first(path)?;
    for key in path.keys.get(1..).unwrap_or_default() {
        value = entry(value.as_dictionary()?, key)?;
    }
    Some(value)
}

/// The effective value of an operand: as written, or its default when the
/// dictionary that would hold it is there.
fn effective<'a>(keys: Keys<'a>, operand: &Operand) -> Option<Effective<'a>> {
    if let Some(value) = lookup(keys, &operand.path) {
        return Some(Effective::Written(value));
    }
    let default = operand.default?;
    let parents = operand.path.parent()?;
    let parent_present = parents.keys.is_empty()
        || lookup(keys, &parents).is_some_and(|parent| parent.as_dictionary().is_some());
    parent_present.then_some(Effective::Default(default))
}

fn rank(ranking: &[&[&str]], value: &Effective) -> Option<usize> {
    let text = value.text()?;
    ranking.iter().position(|group| group.contains(&text))
}

/// Whether a condition holds on a dictionary.
pub fn holds<'a>(condition: &Condition, keys: impl Into<Keys<'a>>) -> bool {
    judge(condition, keys.into(), None)
}

/// `None` when the condition holds; otherwise the values to blame (none
/// when no single value is at fault).
pub fn failures<'a>(condition: &Condition, keys: impl Into<Keys<'a>>) -> Option<Vec<Culprit<'a>>> {
    let mut culprits = Vec::new();
    (!judge(condition, keys.into(), Some(&mut culprits))).then_some(culprits)
}

/// Whether `condition` holds. Where it does not, the values to blame are
/// added to `culprits` when given: asking only whether a rule applies
/// allocates nothing.
fn judge<'a>(
    condition: &Condition,
    keys: Keys<'a>,
    mut culprits: Option<&mut Vec<Culprit<'a>>>,
) -> bool {
    let failed = |path: KeyPath, value: Option<Effective<'a>>| Some(Culprit { path, value });
    let blamed = match condition {
        Condition::Present(path) => match lookup(keys, path) {
            Some(_) => None,
            None => failed(*path, None),
        },
        Condition::Absent(path) => {
            lookup(keys, path).and_then(|value| failed(*path, Some(Effective::Written(value))))
        }
        Condition::Equals(operand, literal) => match effective(keys, operand) {
            Some(value) if value.matches(literal) => None,
            value => failed(operand.path, value),
        },
        Condition::OneOf(operand, literals) => every_item(keys, operand, &|item| {
            literals.iter().any(|literal| item.matches(literal))
        }),
        Condition::NoneOf(operand, literals) => every_item(keys, operand, &|item| {
            !literals.iter().any(|literal| item.matches(literal))
        }),
        Condition::AtLeast(operand, bound) => every_item(keys, operand, &|item| {
            item.number().is_none_or(|actual| actual >= *bound)
        }),
        Condition::AtMost(operand, bound) => every_item(keys, operand, &|item| {
            item.number().is_none_or(|actual| actual <= *bound)
        }),
        Condition::RanksAtMost {
            lower,
            upper,
            ranking,
        } => {
            let upper_value = effective(keys, upper);
            let lower_rank = effective(keys, lower).and_then(|value| rank(ranking, &value));
            let upper_rank = upper_value.and_then(|value| rank(ranking, &value));
            match (lower_rank, upper_rank) {
                (Some(lower_rank), Some(upper_rank)) if lower_rank > upper_rank => {
                    failed(upper.path, upper_value)
                }
                _ => None,
            }
        }
        // Every part is judged, so each failing one is blamed.
        Condition::All(conditions) => {
            let mut all = true;
            for condition in *conditions {
                all &= judge(condition, keys, culprits.as_deref_mut());
            }
            return all;
        }
        // No single value is to blame for these.
        Condition::Any(conditions) => {
            return conditions
                .iter()
                .any(|condition| judge(condition, keys, None));
        }
        Condition::Not(condition) => return !judge(condition, keys, None),
    };
    match blamed {
        None => true,
        Some(culprit) => {
            if let Some(culprits) = culprits {
                culprits.push(culprit);
            }
            false
        }
    }
}

/// A comparison of each item of an array, or of the value itself; the
/// operand is blamed when one fails. An absent operand passes.
fn every_item<'a>(
    keys: Keys<'a>,
    operand: &Operand,
    test: &dyn Fn(&Effective) -> bool,
) -> Option<Culprit<'a>> {
    let value = effective(keys, operand)?;
    let passes = match value {
        Effective::Written(Value::Array(items)) => {
            items.iter().all(|item| test(&Effective::Written(item)))
        }
        other => test(&other),
    };
    (!passes).then_some(Culprit {
        path: operand.path,
        value: Some(value),
    })
}

/// The rule's message with `{key}` and `{value}` filled in from the culprit
/// (the generator allows `{value}` only where no compared key is secret).
pub fn message(rule: &Rule, culprit: Option<&Culprit>) -> String {
    if !rule.message.contains('{') {
        return rule.message.to_owned();
    }
    let key = culprit.map_or_else(String::new, |culprit| culprit.path.keys.join("."));
    let value = culprit
        .and_then(|culprit| culprit.value.as_ref())
        .map_or_else(|| "absent".to_owned(), Effective::shown);
    rule.message
        .replace("{key}", &key)
        .replace("{value}", &value)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::Severity;

    fn dictionary(entries: &[(&str, Value)]) -> plist::Dictionary {
        entries
            .iter()
            .map(|(key, value)| ((*key).to_owned(), value.clone()))
            .collect()
    }

    fn int(value: i64) -> Value {
        Value::Integer(value.into())
    }

    const IKE_GROUP: Operand = Operand {
        path: KeyPath::new(0, &["IKE", "Group"]),
        default: Some(Literal::Int(14)),
    };
    const CHILD_GROUP: Operand = Operand {
        path: KeyPath::new(0, &["Child", "Group"]),
        default: Some(Literal::Int(14)),
    };

    #[test]
    fn a_key_left_out_of_a_present_dictionary_reads_its_default() {
        let condition = Condition::Equals(IKE_GROUP, Literal::Int(14));
        let with_dictionary = dictionary(&[("IKE", Value::Dictionary(Default::default()))]);
        assert!(holds(&condition, &with_dictionary));
        // No dictionary, no value: an equality fails, a bound holds.
        assert!(!holds(&condition, &dictionary(&[])));
        assert!(holds(
            &Condition::AtLeast(IKE_GROUP, 20.0),
            &dictionary(&[])
        ));
        assert!(!holds(
            &Condition::AtLeast(IKE_GROUP, 20.0),
            &with_dictionary
        ));
    }

    #[test]
    fn each_failing_part_of_all_is_blamed_with_its_value() {
        let condition = Condition::All(&[
            Condition::AtLeast(IKE_GROUP, 14.0),
            Condition::AtLeast(CHILD_GROUP, 14.0),
        ]);
        let sa = |group: i64| Value::Dictionary(dictionary(&[("Group", int(group))]));
        let profile = dictionary(&[("IKE", sa(19)), ("Child", sa(2))]);
        let culprits = failures(&condition, &profile).expect("fails");
        assert_eq!(culprits.len(), 1);
        assert_eq!(culprits[0].path.keys, ["Child", "Group"]);
        let rule = Rule {
            code: "example",
            severity: Severity::Error,
            when: None,
            check: Condition::Present(KeyPath::new(0, &[])),
            message: "{key} is {value}",
            at: &[],
        };
        assert_eq!(message(&rule, Some(&culprits[0])), "Child.Group is 2");
        // Both failing: both blamed.
        let profile = dictionary(&[("IKE", sa(5)), ("Child", sa(2))]);
        assert_eq!(failures(&condition, &profile).map(|c| c.len()), Some(2));
    }

    #[test]
    fn any_and_not_blame_no_single_value() {
        let condition = Condition::Any(&[
            Condition::Present(KeyPath {
                position: 0,
                keys: &["A"],
            }),
            Condition::Present(KeyPath {
                position: 0,
                keys: &["B"],
            }),
        ]);
        assert_eq!(
            failures(&condition, &dictionary(&[])).map(|c| c.len()),
            Some(0)
        );
        let condition = Condition::Not(&Condition::Present(KeyPath {
            position: 0,
            keys: &["A"],
        }));
        assert_eq!(
            failures(&condition, &dictionary(&[("A", int(1))])).map(|c| c.len()),
            Some(0)
        );
    }

    #[test]
    fn a_ranking_blames_its_upper_key_and_reads_defaults() {
        const RANKING: &[&[&str]] = &[&["AES-128"], &["AES-256"]];
        let condition = Condition::RanksAtMost {
            lower: Operand {
                path: KeyPath::new(0, &["Child", "Cipher"]),
                default: Some(Literal::Str("AES-256")),
            },
            upper: Operand {
                path: KeyPath::new(0, &["IKE", "Cipher"]),
                default: Some(Literal::Str("AES-256")),
            },
            ranking: RANKING,
        };
        let text = |value: &str| Value::String(value.to_owned());
        let ike = Value::Dictionary(dictionary(&[("Cipher", text("AES-128"))]));
        // The Child SA dictionary without a cipher uses AES-256.
        let profile = dictionary(&[
            ("IKE", ike.clone()),
            ("Child", Value::Dictionary(Default::default())),
        ]);
        let culprits = failures(&condition, &profile).expect("fails");
        assert_eq!(culprits[0].path.keys, ["IKE", "Cipher"]);
        // Without a Child SA dictionary there is nothing to compare.
        assert!(holds(&condition, &dictionary(&[("IKE", ike)])));
        let shown = Effective::Default(Literal::Str("AES-256")).shown();
        assert_eq!(shown, "`AES-256` (the default)");
    }
}
