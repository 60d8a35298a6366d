//! Bytes to a plist value, within limits: the size and (for a binary plist)
//! the nesting and expansion of the input are measured before any value is
//! built, an XML plist's nesting as it is built, so hostile input is refused
//! cheaply and nothing recurses deeper than the validators can.

use std::io::Cursor;

use plist::Value;

use super::ReadError;

/// The largest input read: profiles are kilobytes, a few megabytes with
/// embedded certificates and fonts.
pub const MAX_INPUT_BYTES: usize = 32 * 1024 * 1024;

/// How deeply arrays and dictionaries may nest. Apple's deepest payloads
/// nest about ten levels. Dropping, decoding and validating a value recurse,
/// so deeper input is refused before it is built.
pub const MAX_NESTING: usize = 128;

/// How large a binary plist may become once shared objects are expanded,
/// counting each value as one plus the bytes of its text or data. A binary
/// plist can refer to one object many times, and the value built from it
/// repeats the object each time: an "object bomb" of a few hundred bytes
/// would stand for billions of values, a 20 MB string referred to three
/// million times for 60 TB.
pub const MAX_EXPANDED_SIZE: u64 = 8 * MAX_INPUT_BYTES as u64;

/// Parses a profile into a value, within the size and nesting limits: an
/// XML or binary plist, or a signed profile (a CMS envelope around one),
/// whose signature must hold over its content. The envelope itself is
/// dropped; `parse_unwrapped` (with the `signed` feature) keeps it.
pub fn parse(bytes: &[u8]) -> Result<Value, ReadError> {
    #[cfg(feature = "signed")]
    return parse_unwrapped(bytes).map(|unwrapped| unwrapped.content);
    #[cfg(not(feature = "signed"))]
    {
        check_size(bytes)?;
        if crate::signed::is_envelope(bytes) {
            return Err(ReadError::Signed(crate::signed::SignedError::NotBuilt));
        }
        parse_plist(bytes)
    }
}

/// Parses a profile, signed or not, as [`parse`] does, and hands back the
/// envelope of a signed one: who signed and how. The signature has been
/// checked over the content; whether the signer is trusted is asked of the
/// envelope ([`Envelope::check_trust`](crate::signed::Envelope::check_trust)).
#[cfg(feature = "signed")]
pub fn parse_unwrapped(bytes: &[u8]) -> Result<crate::signed::Unwrapped<Value>, ReadError> {
    use crate::signed::{SignedError, Unwrapped, is_envelope, open};
    check_size(bytes)?;
    if !is_envelope(bytes) {
        return Ok(Unwrapped {
            content: parse_plist(bytes)?,
            envelope: None,
        });
    }
    let opened = open(bytes).map_err(ReadError::Signed)?;
    if is_envelope(&opened.content) {
        return Err(ReadError::Signed(SignedError::Nested));
    }
    let content = parse_plist(&opened.content).map_err(|error| match error {
        ReadError::NotAPlist(reason) => {
            ReadError::NotAPlist(format!("the signed content: {reason}"))
        }
        other => other,
    })?;
    Ok(Unwrapped {
        content,
        envelope: Some(opened.envelope),
    })
}

fn check_size(bytes: &[u8]) -> Result<(), ReadError> {
    if bytes.len() > MAX_INPUT_BYTES {
        return Err(ReadError::TooLarge {
            size: bytes.len(),
            limit: MAX_INPUT_BYTES,
        });
    }
    Ok(())
}

/// Parses XML or binary plist bytes, whose size has been checked.
fn parse_plist(bytes: &[u8]) -> Result<Value, ReadError> {
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let start = body
        .iter()
        .position(|byte| !byte.is_ascii_whitespace())
        .unwrap_or(body.len());
    if body.starts_with(b"bplist") {
        // Measure the nesting and the expanded size before building anything:
        // the reader expands shared objects, so a bomb must be refused from
        // its object table.
        binary_shape(bytes)?;
    } else if !body[start..].starts_with(b"<") {
        return Err(ReadError::NotAPlist(
            "only XML and binary property lists are read, and this is neither".to_owned(),
        ));
    }
    build(bytes)
}

/// Builds the value from the parser's own event reader, in one pass, with
/// plist's builder (which keeps its own stack rather than recursing). The
/// events pass through [`DepthLimited`], which stops them past
/// [`MAX_NESTING`]: the parser's tokenizer counts every level, so no trick
/// of attributes, comments or processing instructions can hide one.
fn build(bytes: &[u8]) -> Result<Value, ReadError> {
    let mut events = DepthLimited {
        events: plist::stream::Reader::new(Cursor::new(bytes)),
        depth: 0,
        too_deep: false,
    };
    match Value::from_events(&mut events) {
        Ok(value) => Ok(value),
        Err(error) => {
            // Nesting is judged on the reader's events up to its first error,
            // whatever the builder refused on the way: drain them.
            while let Some(Ok(_)) = events.next() {}
            if events.too_deep {
                Err(ReadError::TooDeep { limit: MAX_NESTING })
            } else {
                Err(ReadError::NotAPlist(error.to_string()))
            }
        }
    }
}

/// Passes a plist's events on until arrays and dictionaries nest deeper than
/// [`MAX_NESTING`]; then ends them, and says so in `too_deep`.
struct DepthLimited<I> {
    events: I,
    depth: usize,
    too_deep: bool,
}

impl<I: Iterator<Item = Result<plist::stream::OwnedEvent, plist::Error>>> Iterator
    for DepthLimited<I>
{
    type Item = I::Item;

    fn next(&mut self) -> Option<I::Item> {
        use plist::stream::Event;
        if self.too_deep {
            return None;
        }
        let event = self.events.next()?;
        match event {
            Ok(Event::StartArray(_) | Event::StartDictionary(_)) => {
                self.depth += 1;
                if self.depth > MAX_NESTING {
                    self.too_deep = true;
                    return None;
                }
            }
            Ok(Event::EndCollection) => self.depth = self.depth.saturating_sub(1),
            _ => {}
        }
        Some(event)
    }
}

/// Follows a binary plist's object references from the top object without
/// recursion, refusing reference cycles, nesting deeper than
/// [`MAX_NESTING`], shared objects that expand past [`MAX_EXPANDED_SIZE`],
/// and UIDs (which only keyed archives hold, and XML cannot).
fn binary_shape(bytes: &[u8]) -> Result<(), ReadError> {
    let damaged = |what: &str| ReadError::NotAPlist(format!("damaged binary plist: {what}"));
    if bytes.len() < 8 + 32 {
        return Err(damaged("too short"));
    }
    let trailer = &bytes[bytes.len() - 32..];
    let offset_size = usize::from(trailer[6]);
    let ref_size = usize::from(trailer[7]);
    let read_uint = |slice: &[u8]| {
        slice
            .iter()
            .fold(0u64, |value, byte| (value << 8) | u64::from(*byte))
    };
    let objects = read_uint(&trailer[8..16]);
    let top = read_uint(&trailer[16..24]);
    let table = read_uint(&trailer[24..32]);
    if !(1..=8).contains(&offset_size) || !(1..=8).contains(&ref_size) || top >= objects {
        return Err(damaged("bad trailer"));
    }
    let objects = usize::try_from(objects).map_err(|_| damaged("too many objects"))?;
    let table = usize::try_from(table).map_err(|_| damaged("bad offset table"))?;
    if objects > bytes.len()
        || table.saturating_add(objects.saturating_mul(offset_size)) > bytes.len()
    {
        return Err(damaged("offset table out of bounds"));
    }
    let offset_of = |object: usize| {
        let start = table + object * offset_size;
        usize::try_from(read_uint(&bytes[start..start + offset_size])).unwrap_or(usize::MAX)
    };
    // The objects a container refers to.
    let children = |object: usize| -> Result<Vec<usize>, ReadError> {
        let offset = offset_of(object);
        let marker = *bytes
            .get(offset)
            .ok_or_else(|| damaged("object out of bounds"))?;
        let (kind, low) = (marker >> 4, usize::from(marker & 0x0f));
        if !matches!(kind, 0xA | 0xC | 0xD) {
            return Ok(Vec::new());
        }
        let (count, mut start) = if low == 0x0f {
            let int_marker = *bytes
                .get(offset + 1)
                .ok_or_else(|| damaged("truncated count"))?;
            let width = 1usize << (int_marker & 0x07);
            let digits = bytes
                .get(offset + 2..offset + 2 + width)
                .ok_or_else(|| damaged("truncated count"))?;
            let count = usize::try_from(read_uint(digits)).map_err(|_| damaged("bad count"))?;
            (count, offset + 2 + width)
        } else {
            (low, offset + 1)
        };
        let refs = if kind == 0xD {
            count.saturating_mul(2)
        } else {
            count
        };
        let end = start
            .checked_add(
                refs.checked_mul(ref_size)
                    .ok_or_else(|| damaged("bad count"))?,
            )
            .filter(|end| *end <= bytes.len())
            .ok_or_else(|| damaged("references out of bounds"))?;
        let mut found = Vec::with_capacity(refs);
        while start < end {
            let child =
                usize::try_from(read_uint(&bytes[start..start + ref_size])).unwrap_or(usize::MAX);
            if child >= objects {
                return Err(damaged("reference to a missing object"));
            }
            found.push(child);
            start += ref_size;
        }
        Ok(found)
    };
    // The bytes of an object's own text or data (strings, data), from its
    // marker and length; a length the file cannot hold means it is damaged
    // (and would overflow the sums below).
    let own_bytes = |object: usize| -> Result<u64, ReadError> {
        let offset = offset_of(object);
        let Some(&marker) = bytes.get(offset) else {
            return Ok(0);
        };
        let (kind, low) = (marker >> 4, u64::from(marker & 0x0f));
        let length = if low == 0x0f {
            bytes.get(offset + 1).map_or(0, |int_marker| {
                let width = 1usize << (int_marker & 0x07);
                bytes
                    .get(offset + 2..offset + 2 + width)
                    .map_or(0, read_uint)
            })
        } else {
            low
        };
        let own = match kind {
            0x4 | 0x5 => length,             // data, ASCII string
            0x6 => length.saturating_mul(2), // UTF-16 string
            _ => 0,
        };
        if own > bytes.len() as u64 {
            return Err(damaged("a string or data is longer than the file"));
        }
        Ok(own)
    };
    let top = usize::try_from(top).map_err(|_| damaged("bad top object"))?;
    // Post-order, iteratively, each object once: its expanded size and the
    // depth of the containers below it.
    let mut shape: Vec<Option<(u64, usize)>> = vec![None; objects];
    let mut open = vec![false; objects];
    let mut stack = vec![(top, false)];
    while let Some((object, children_done)) = stack.pop() {
        if shape[object].is_some() {
            continue;
        }
        let refs = children(object)?;
        if !children_done {
            if open[object] {
                return Err(damaged("an object contains itself"));
            }
            open[object] = true;
            stack.push((object, true));
            for &child in &refs {
                if open[child] {
                    return Err(damaged("an object contains itself"));
                }
                if shape[child].is_none() {
                    stack.push((child, false));
                }
            }
            continue;
        }
        open[object] = false;
        let kind = bytes.get(offset_of(object)).map(|marker| marker >> 4);
        if kind == Some(0x8) {
            return Err(ReadError::NotAPlist(
                "the binary plist holds a UID (an object reference of a keyed archive), which \
                 is no profile value and has no XML form"
                    .to_owned(),
            ));
        }
        let (mut size, mut depth) = (own_bytes(object)?.saturating_add(1), 0usize);
        for child in refs {
            let (child_size, child_depth) = shape[child].unwrap_or((1, 0));
            size = size.saturating_add(child_size);
            depth = depth.max(child_depth);
        }
        if matches!(kind, Some(0xA | 0xC | 0xD)) {
            depth += 1;
        }
        if depth > MAX_NESTING {
            return Err(ReadError::TooDeep { limit: MAX_NESTING });
        }
        if size > MAX_EXPANDED_SIZE {
            return Err(ReadError::TooLargeExpanded {
                limit: MAX_EXPANDED_SIZE,
            });
        }
        shape[object] = Some((size, depth));
    }
    Ok(())
}
