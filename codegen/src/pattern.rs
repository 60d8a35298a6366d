//! `format` patterns in a form that means the same to the Rust validators
//! (the `regex` crate) and to JSON Schema (ECMA-262 regular expressions).
//!
//! The two dialects agree on literals, classes of literal characters,
//! alternation, groups, repetition and anchors, but not on the shorthand
//! classes: `.` also matches `\r`, U+2028 and U+2029 in Rust, and `\d` and
//! `\w` match any Unicode digit or letter there. Those are rewritten to
//! explicit ASCII classes; constructs with no common meaning are refused,
//! so a pattern never passes one validator and fails the other.

/// The characters an escape makes literal in both dialects.
const LITERAL_ESCAPES: &str = "^$\\.*+?()[]{}|/";

/// `.` as ECMA-262 means it: any character but a line terminator.
const ANY_BUT_LINE_END: &str = "[^\n\r\u{2028}\u{2029}]";

/// Rewrites `pattern` into the common dialect, or says which construct has
/// no common meaning.
pub fn portable(pattern: &str) -> Result<String, String> {
    let mut out = String::with_capacity(pattern.len() + 16);
    let mut chars = pattern.chars().peekable();
    let mut in_class = false;
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                let Some(escaped) = chars.next() else {
                    return Err("the pattern ends with a lone `\\`".to_owned());
                };
                let replacement = match (escaped, in_class) {
                    ('d', false) => "[0-9]",
                    ('d', true) => "0-9",
                    ('D', false) => "[^0-9]",
                    ('w', false) => "[A-Za-z0-9_]",
                    ('w', true) => "A-Za-z0-9_",
                    ('W', false) => "[^A-Za-z0-9_]",
                    ('n' | 'r' | 't' | 'f' | 'v', _) => {
                        out.push('\\');
                        out.push(escaped);
                        continue;
                    }
                    // Only the characters both dialects read as escaped
                    // literals: in Rust `\<` is a word boundary, and
                    // ECMA-262 refuses `\@` in Unicode mode.
                    (escaped, _) if LITERAL_ESCAPES.contains(escaped) => {
                        out.push('\\');
                        out.push(escaped);
                        continue;
                    }
                    ('-', true) => {
                        out.push_str("\\-");
                        continue;
                    }
                    (escaped, _) => {
                        return Err(format!(
                            "`\\{escaped}` means different things to the Rust validators and to \
                             JSON Schema; spell the characters out (for example `[ \\t]` for \
                             spaces)"
                        ));
                    }
                };
                out.push_str(replacement);
            }
            '[' if !in_class => {
                if chars.peek() == Some(&':') {
                    return Err("POSIX classes such as `[[:alpha:]]` are not portable".to_owned());
                }
                in_class = true;
                out.push('[');
                // A leading `^` or `]` is part of the class's syntax.
                if chars.peek() == Some(&'^') {
                    out.push('^');
                    chars.next();
                }
                if chars.peek() == Some(&']') {
                    out.push_str("\\]");
                    chars.next();
                }
            }
            '[' if in_class => {
                return Err("nested classes (`[` inside `[…]`) are not portable".to_owned());
            }
            ']' if in_class => {
                in_class = false;
                out.push(']');
            }
            '&' | '-' | '~' if in_class && chars.peek() == Some(&c) => {
                return Err(format!("the class operator `{c}{c}` is not portable"));
            }
            '.' if !in_class => out.push_str(ANY_BUT_LINE_END),
            '(' if !in_class && chars.peek() == Some(&'?') => {
                chars.next();
                if chars.next() != Some(':') {
                    return Err(
                        "only `(?:…)` groups are portable (no flags, lookaround or names)"
                            .to_owned(),
                    );
                }
                out.push_str("(?:");
            }
            other => out.push(other),
        }
    }
    if in_class {
        return Err("a `[` class is not closed".to_owned());
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::portable;

    #[test]
    fn apples_patterns_are_rewritten_to_ascii_classes() {
        assert_eq!(portable("^[0-9]{6}$").unwrap(), "^[0-9]{6}$");
        assert_eq!(
            portable("^https://.*$").unwrap(),
            "^https://[^\n\r\u{2028}\u{2029}]*$"
        );
        assert_eq!(portable(r"\d{3}-\w+").unwrap(), "[0-9]{3}-[A-Za-z0-9_]+");
        assert_eq!(portable(r"[\d.]").unwrap(), "[0-9.]");
        assert_eq!(
            portable(r"^([0-9A-Fa-f]{2}:){5}$").unwrap(),
            r"^([0-9A-Fa-f]{2}:){5}$"
        );
        assert_eq!(portable(r"a\.b(?:c|d)").unwrap(), r"a\.b(?:c|d)");
    }

    #[test]
    fn constructs_without_a_common_meaning_are_refused() {
        for pattern in [
            r"\s+",
            r"\bword",
            r"\p{L}",
            "[[:alpha:]]",
            "[a-z&&[^c]]",
            "(?i)abc",
            "(?=x)",
            "[abc",
            r"a\",
            r"a\<b",
            r"\@",
            r"\_",
        ] {
            assert!(portable(pattern).is_err(), "{pattern}");
        }
    }
}
