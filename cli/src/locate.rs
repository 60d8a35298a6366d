//! Where things are in an XML profile: the line of the value a finding's key
//! path names, and the line, element and likely cause of a read error.

use std::collections::HashMap;

use quick_xml::events::Event;
use quick_xml::reader::Reader;

/// A place in a file, 1-based.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Position {
    pub line: usize,
    pub column: usize,
}

/// The text of an XML profile and where each key path's value is.
pub struct SourceIndex {
    text: String,
    /// Byte offset of each line's start.
    line_starts: Vec<usize>,
    /// Key path (as findings write it) → byte offset of what to show.
    places: HashMap<String, usize>,
}

/// What a value sits in while the index is built.
enum Frame {
    Dict {
        path: String,
        key: Option<(String, usize)>,
    },
    Array {
        path: String,
        index: usize,
    },
}

impl SourceIndex {
    /// Indexes an XML plist; `None` for binary or unreadable XML.
    pub fn of(bytes: &[u8]) -> Option<SourceIndex> {
        let text = std::str::from_utf8(bytes).ok()?.to_owned();
        if !text
            .trim_start_matches('\u{feff}')
            .trim_start()
            .starts_with('<')
        {
            return None;
        }
        let places = index_paths(&text)?;
        let line_starts = line_starts(&text);
        Some(SourceIndex {
            text,
            line_starts,
            places,
        })
    }

    /// Where the value at `path` is, or where its nearest present parent
    /// is (a missing key is reported at its dictionary).
    pub fn locate(&self, path: &str) -> Option<Position> {
        let mut path = path;
        loop {
            if let Some(offset) = self.places.get(path) {
                return Some(self.position(*offset));
            }
            path = parent(path)?;
        }
    }

    /// The 1-based line and column of a byte offset.
    pub fn position(&self, offset: usize) -> Position {
        position_in(&self.text, &self.line_starts, offset)
    }

    /// The text of a 1-based line, without its line break.
    pub fn line(&self, line: usize) -> Option<&str> {
        line_text(&self.text, &self.line_starts, line)
    }
}

/// The path one level up: `A.B[2]` → `A.B`, `A.B` → `A`, `A` → the root.
fn parent(path: &str) -> Option<&str> {
    if path.is_empty() {
        return None;
    }
    let cut = path.rfind(['.', '[']).unwrap_or(0);
    Some(&path[..cut])
}

/// The byte offset of each line's start.
fn line_starts(text: &str) -> Vec<usize> {
    std::iter::once(0)
        .chain(text.match_indices('\n').map(|(at, _)| at + 1))
        .collect()
}

fn position_in(text: &str, line_starts: &[usize], offset: usize) -> Position {
    let offset = offset.min(text.len());
    let line = line_starts.partition_point(|start| *start <= offset).max(1);
    let start = line_starts[line - 1];
    let column = text
        .get(start..offset)
        .map_or(1, |before| before.chars().count() + 1);
    Position { line, column }
}

fn line_text<'a>(text: &'a str, line_starts: &[usize], line: usize) -> Option<&'a str> {
    let start = *line_starts.get(line.checked_sub(1)?)?;
    let end = line_starts.get(line).map_or(text.len(), |next| next - 1);
    text.get(start..end).map(|line| line.trim_end_matches('\r'))
}

/// Walks the XML once, recording for each value its key path and where to
/// show it: a scalar's own element, a dictionary's or array's key (or its
/// opening tag, in an array or at the root).
fn index_paths(text: &str) -> Option<HashMap<String, usize>> {
    let mut reader = Reader::from_str(text);
    let mut places = HashMap::new();
    let mut stack: Vec<Frame> = Vec::new();
    loop {
        let start = usize::try_from(reader.buffer_position()).ok()?;
        let event = reader.read_event().ok()?;
        match event {
            Event::Start(tag) => {
                let name = tag.name().as_ref().to_owned();
                match name.as_str() {
                    "plist" => {}
                    "key" => {
                        let key = reader.read_text(tag.name()).ok()?;
                        let key = quick_xml::escape::unescape(&key).ok()?.into_owned();
                        if let Some(Frame::Dict { key: slot, .. }) = stack.last_mut() {
                            *slot = Some((key, start));
                        }
                    }
                    "dict" | "array" => {
                        let (path, shown) = value_place(&stack, start);
                        places.insert(path.clone(), shown);
                        stack.push(if name == "dict" {
                            Frame::Dict { path, key: None }
                        } else {
                            Frame::Array { path, index: 0 }
                        });
                    }
                    _ => {
                        let (path, _) = value_place(&stack, start);
                        places.insert(path, start);
                        reader.read_to_end(tag.name()).ok()?;
                        advance(&mut stack);
                    }
                }
            }
            Event::Empty(tag) => {
                let (path, shown) = value_place(&stack, start);
                // An empty <dict/> or <array/> is shown at its key too.
                let container = matches!(tag.name().as_ref(), "dict" | "array");
                places.insert(path, if container { shown } else { start });
                advance(&mut stack);
            }
            Event::End(tag) => {
                if matches!(tag.name().as_ref(), "dict" | "array") {
                    stack.pop();
                    advance(&mut stack);
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    Some(places)
}

/// The path of the value starting at `start`, and where to show it.
fn value_place(stack: &[Frame], start: usize) -> (String, usize) {
    match stack.last() {
        None => (String::new(), start),
        Some(Frame::Dict { path, key }) => {
            let (key, key_at) = key.clone().unwrap_or_default();
            let path = if path.is_empty() {
                key
            } else {
                format!("{path}.{key}")
            };
            (path, if key_at > 0 { key_at } else { start })
        }
        Some(Frame::Array { path, index }) => (format!("{path}[{index}]"), start),
    }
}

/// After a value: the next array index, or no key pending.
fn advance(stack: &mut [Frame]) {
    match stack.last_mut() {
        Some(Frame::Array { index, .. }) => *index += 1,
        Some(Frame::Dict { key, .. }) => *key = None,
        None => {}
    }
}

/// A read error made specific: where, in which element, and a likely
/// cause.
#[derive(Debug, Clone, PartialEq)]
pub struct ReadFailure {
    pub message: String,
    pub position: Option<Position>,
    pub element: Option<String>,
    pub hint: Option<String>,
    /// The line the position is on.
    pub source_line: Option<String>,
}

/// Explains why `bytes` could not be read, given the reader's message.
/// The plist reader states the byte offset only in its message (`… (offset
/// 136199)`), so that is where it is taken from.
pub fn read_failure(bytes: &[u8], message: &str) -> ReadFailure {
    let mut failure = ReadFailure {
        message: reworded(message),
        position: None,
        element: None,
        hint: None,
        source_line: None,
    };
    let Ok(text) = std::str::from_utf8(bytes) else {
        return failure;
    };
    if !text
        .trim_start_matches('\u{feff}')
        .trim_start()
        .starts_with('<')
    {
        return failure;
    }
    let line_starts = line_starts(text);
    let offset = offset_in(message).map(|offset| offset.min(text.len()));
    if let Some(offset) = offset {
        let position = position_in(text, &line_starts, offset);
        failure.source_line = line_text(text, &line_starts, position.line).map(str::to_owned);
        failure.position = Some(position);
        failure.element = element_at(text, offset);
    }
    failure.hint = hint(text, offset, failure.element.as_deref());
    failure
}

/// `N` from `… (offset N)`.
fn offset_in(message: &str) -> Option<usize> {
    let start = message.rfind("(offset ")? + "(offset ".len();
    let digits: String = message[start..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    digits.parse().ok()
}

/// The reader's message in words, where its kind is one a person can act
/// on; otherwise as it came.
fn reworded(message: &str) -> String {
    const KINDS: &[(&str, &str)] = &[
        (
            "InvalidDataString",
            "a <data> element does not hold valid base64",
        ),
        (
            "InvalidDateString",
            "a <date> element is not a date such as 2024-05-01T12:00:00Z",
        ),
        (
            "InvalidIntegerString",
            "an <integer> element is not a whole number",
        ),
        ("InvalidRealString", "a <real> element is not a number"),
        ("UnclosedXmlElement", "an element is not closed"),
        (
            "UnexpectedXmlOpeningTag",
            "an element appears where the plist format does not allow it",
        ),
        (
            "UnknownXmlElement",
            "an element is not one the plist format knows",
        ),
        (
            "UnexpectedXmlCharactersExpectedElement",
            "text appears where an element was expected",
        ),
        ("InvalidXmlSyntax", "the XML is not well formed"),
        ("InvalidXmlUtf8", "the XML is not valid UTF-8"),
        ("UnexpectedEof", "the file ends in the middle of the plist"),
        (
            "UnexpectedEventType",
            "a value has a type the plist format does not allow here",
        ),
    ];
    for (kind, words) in KINDS {
        if message.contains(kind) {
            return format!("{words} ({kind})");
        }
    }
    message.to_owned()
}

/// The element the offset is in: the last opening tag before it.
fn element_at(text: &str, offset: usize) -> Option<String> {
    let before = text.get(..offset.min(text.len()))?;
    let mut search = before.len();
    while let Some(at) = before[..search].rfind('<') {
        let rest = &text[at + 1..];
        if !rest.starts_with(['/', '?', '!']) {
            let name: String = rest
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
                .collect();
            if !name.is_empty() {
                return Some(name);
            }
        }
        search = at;
    }
    None
}

/// The likely cause, for the mistakes real profiles make.
fn hint(text: &str, offset: Option<usize>, element: Option<&str>) -> Option<String> {
    if element == Some("data") {
        let content = data_content(text, offset?)?;
        if content.contains("-----BEGIN") || content.contains("-----END") {
            return Some(
                "this <data> holds PEM armour: keep only the base64 between the \
                 -----BEGIN …----- and -----END …----- lines (or convert the file to DER)"
                    .to_owned(),
            );
        }
        let stray: Option<char> = content
            .chars()
            .find(|c| !(c.is_ascii_alphanumeric() || "+/=".contains(*c) || c.is_whitespace()));
        if let Some(stray) = stray {
            return Some(format!(
                "this <data> holds `{stray}`, which is not base64: only letters, digits, \
                 +, / and = belong inside <data>"
            ));
        }
    }
    if let Some(at) = unescaped_ampersand(text) {
        return Some(format!(
            "a bare `&` (byte {at}) must be written `&amp;` inside XML text"
        ));
    }
    let start = text.trim_start_matches('\u{feff}').trim_start();
    if let Some(doctype) = start.find("<!DOCTYPE") {
        let declared = &start[doctype + "<!DOCTYPE".len()..];
        if !declared.trim_start().starts_with("plist") {
            return Some(
                "the DOCTYPE is not a property list's: write <!DOCTYPE plist PUBLIC \
                 \"-//Apple//DTD PLIST 1.0//EN\" \"http://www.apple.com/DTDs/PropertyList-1.0.dtd\">"
                    .to_owned(),
            );
        }
    }
    if !start.starts_with("<?xml") {
        return Some(
            "the file does not start with an XML declaration: begin it with \
             <?xml version=\"1.0\" encoding=\"UTF-8\"?>"
                .to_owned(),
        );
    }
    None
}

/// The text of the `<data>` element around `offset`.
fn data_content(text: &str, offset: usize) -> Option<&str> {
    let open = text.get(..offset.min(text.len()))?.rfind("<data>")? + "<data>".len();
    let close = text[open..]
        .find("</data>")
        .map_or(text.len(), |end| open + end);
    text.get(open..close)
}

/// The byte offset of an `&` that starts no entity.
fn unescaped_ampersand(text: &str) -> Option<usize> {
    const ENTITIES: &[&str] = &["amp;", "lt;", "gt;", "quot;", "apos;", "#"];
    text.match_indices('&').map(|(at, _)| at).find(|at| {
        !ENTITIES
            .iter()
            .any(|entity| text[at + 1..].starts_with(entity))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const PROFILE: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>
<plist version=\"1.0\">
<dict>
\t<key>PayloadContent</key>
\t<array>
\t\t<dict>
\t\t\t<key>MTU</key>
\t\t\t<integer>9000</integer>
\t\t\t<key>Empty</key>
\t\t\t<array/>
\t\t</dict>
\t</array>
\t<key>PayloadType</key>
\t<string>Configuration</string>
</dict>
</plist>
";

    #[test]
    fn a_key_path_finds_its_line() {
        let index = SourceIndex::of(PROFILE.as_bytes()).unwrap();
        let line = |path: &str| index.locate(path).map(|position| position.line);
        assert_eq!(line("PayloadContent[0].MTU"), Some(8));
        assert_eq!(line("PayloadContent[0].Empty"), Some(9));
        assert_eq!(line("PayloadType"), Some(14));
        assert_eq!(line("PayloadContent"), Some(4));
        assert_eq!(line("PayloadContent[0]"), Some(6));
        // A missing key is shown at its dictionary.
        assert_eq!(line("PayloadContent[0].Missing"), Some(6));
        assert_eq!(index.line(8), Some("\t\t\t<integer>9000</integer>"));
        assert_eq!(index.locate("PayloadContent[0].MTU").unwrap().column, 4);
    }

    #[test]
    fn a_binary_plist_has_no_lines() {
        assert!(SourceIndex::of(b"bplist00\x08").is_none());
    }

    #[test]
    fn read_errors_name_the_line_element_and_cause() {
        let pem = PROFILE.replace(
            "<integer>9000</integer>",
            "<data>-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----</data>",
        );
        let offset = pem.find("-----BEGIN").unwrap() + 3;
        let failure = read_failure(
            pem.as_bytes(),
            &format!("not a property list: InvalidDataString (offset {offset})"),
        );
        assert_eq!(failure.position.map(|position| position.line), Some(8));
        assert_eq!(failure.element.as_deref(), Some("data"));
        assert!(
            failure
                .message
                .starts_with("a <data> element does not hold valid base64")
        );
        assert!(failure.hint.unwrap().contains("PEM armour"));

        let ampersand = PROFILE.replace("Configuration", "Fish & Chips");
        let failure = read_failure(ampersand.as_bytes(), "InvalidXmlSyntax (offset 10)");
        assert!(failure.hint.unwrap().contains("&amp;"));

        let undeclared = PROFILE.replace("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", "");
        let failure = read_failure(undeclared.as_bytes(), "InvalidXmlSyntax");
        assert!(failure.hint.unwrap().contains("XML declaration"));

        let doctype = PROFILE.replace("<plist version", "<!DOCTYPE html>\n<plist version");
        let failure = read_failure(doctype.as_bytes(), "UnexpectedXmlOpeningTag (offset 0)");
        assert!(failure.hint.unwrap().contains("DOCTYPE"));
    }
}
