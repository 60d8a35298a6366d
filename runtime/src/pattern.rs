//! `format` patterns: regular expressions that a whole string must match,
//! compiled once each.

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

use regex::Regex;

type Cache = Mutex<HashMap<&'static str, Option<Regex>>>;

fn cache() -> &'static Cache {
    static CACHE: OnceLock<Cache> = OnceLock::new();
    CACHE.get_or_init(Default::default)
}

/// The regular expression that matches what `pattern` matches, as a whole
/// string: the form the validators compile and the JSON Schemas carry.
pub fn anchored(pattern: &str) -> String {
    format!("^(?:{pattern})$")
}

/// Whether `text` matches `pattern` from start to end. The generator checks
/// that every pattern compiles; one that does not (a table written by hand)
/// matches nothing rather than panicking.
pub fn full_match(pattern: &'static str, text: &str) -> bool {
    let mut cache = cache()
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let regex = cache
        .entry(pattern)
        .or_insert_with(|| Regex::new(&anchored(pattern)).ok());
    regex.as_ref().is_some_and(|regex| regex.is_match(text))
}

#[cfg(test)]
mod tests {
    use super::full_match;

    #[test]
    fn matches_whole_strings_only() {
        assert!(full_match("[0-9]+", "123"));
        assert!(!full_match("[0-9]+", "12a"));
        assert!(!full_match("(", "("));
    }
}
