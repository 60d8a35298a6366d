//! BER to DER, for the envelopes that signing tools stream out.
//!
//! CMS allows BER, and tools that write as they go use it: `openssl cms
//! -stream`, macOS `security cms` and Outlook mark a structure's end with an
//! end-of-contents marker instead of giving its length up front (an
//! *indefinite* length), and cut the content into a constructed OCTET STRING
//! of several pieces. The `der` crate of the 0.7 line reads DER only (it
//! refuses an indefinite length with `IndefiniteLength`, and has no tag for a
//! constructed OCTET STRING), and no crate of that line turns BER into DER,
//! so this module does that one thing before `cms` decodes:
//!
//! - every length becomes definite and minimal;
//! - a constructed OCTET STRING becomes one primitive OCTET STRING holding
//!   its pieces in order.
//!
//! Nothing else changes: DER input comes out byte for byte as it went in.
//! Sorting of SET OF elements is left to `der`, which sorts when decoding.
//! The reader refuses what DER could not express (a primitive value of
//! indefinite length), a length that runs past its enclosing value, a
//! missing end-of-contents marker, nesting deeper than [`MAX_DEPTH`] and
//! anything after the outermost value, each with the byte where it was
//! found.

use std::fmt;

/// How deeply values may nest. A signed profile nests about a dozen levels
/// (the deepest inside its certificates); the limit keeps hostile input from
/// exhausting the stack.
pub(crate) const MAX_DEPTH: usize = 64;

/// The universal tag of a primitive OCTET STRING.
const OCTET_STRING: u8 = 0x04;
/// The bit of the identifier octet that marks a constructed value.
const CONSTRUCTED: u8 = 0x20;
/// The length octet of an indefinite length.
const INDEFINITE: u8 = 0x80;

/// Where the input stops being readable BER, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct BerError {
    /// The offset of the byte where the problem was found.
    pub position: usize,
    pub problem: Problem,
}

/// What is wrong at a [`BerError`]'s position.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Problem {
    /// The input ends inside a value's identifier or length octets.
    Truncated,
    /// A length runs past the end of the value that encloses it (or of the
    /// input).
    LengthPastEnd { length: u64, available: usize },
    /// A length written in more octets than any input here could need.
    LengthTooLong { octets: usize },
    /// The reserved length octet 0xFF.
    ReservedLength,
    /// A primitive value with an indefinite length, which BER forbids.
    IndefinitePrimitive,
    /// A value of indefinite length whose end-of-contents marker is
    /// missing.
    MissingEnd,
    /// An end-of-contents marker where no indefinite-length value is open.
    UnexpectedEnd,
    /// A tag number written in more octets than any standard tag needs.
    TagTooLong,
    /// A piece of a constructed OCTET STRING that is not an OCTET STRING.
    NotAStringPiece { identifier: u8 },
    /// Values nest deeper than [`MAX_DEPTH`].
    TooDeep,
    /// Bytes follow the outermost value.
    TrailingBytes { count: usize },
    /// The input is empty.
    Empty,
}

impl fmt::Display for BerError {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(formatter, "at byte {}: {}", self.position, self.problem)
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Problem::Truncated => formatter.write_str("the data ends inside a tag or length"),
            Problem::LengthPastEnd { length, available } => write!(
                formatter,
                "a length of {length} bytes runs past the end of its enclosing value \
                 ({available} bytes left): the data is truncated or damaged"
            ),
            Problem::LengthTooLong { octets } => {
                write!(formatter, "a length written in {octets} bytes")
            }
            Problem::ReservedLength => formatter.write_str("the reserved length byte 0xFF"),
            Problem::IndefinitePrimitive => {
                formatter.write_str("a primitive value with an indefinite length")
            }
            Problem::MissingEnd => formatter.write_str(
                "a value of indefinite length is not closed by an end-of-contents marker: \
                 the data is truncated",
            ),
            Problem::UnexpectedEnd => {
                formatter.write_str("an end-of-contents marker outside any open value")
            }
            Problem::TagTooLong => formatter.write_str("a tag number written in too many bytes"),
            Problem::NotAStringPiece { identifier } => write!(
                formatter,
                "a constructed OCTET STRING holds a value with identifier 0x{identifier:02X}, \
                 where only OCTET STRING pieces may be"
            ),
            Problem::TooDeep => write!(formatter, "values nest more than {MAX_DEPTH} levels deep"),
            Problem::TrailingBytes { count } => {
                write!(formatter, "{count} bytes follow the end of the envelope")
            }
            Problem::Empty => formatter.write_str("there are no bytes"),
        }
    }
}

/// Rewrites one BER value (the whole input) as DER; also says whether
/// anything had to change, that is whether the input was BER rather than
/// DER.
pub(crate) fn to_der(input: &[u8]) -> Result<(Vec<u8>, bool), BerError> {
    if input.is_empty() {
        return Err(BerError {
            position: 0,
            problem: Problem::Empty,
        });
    }
    let mut reader = Reader { input, position: 0 };
    let mut out = Vec::with_capacity(input.len());
    reader.value(input.len(), 0, &mut out)?;
    if reader.position < input.len() {
        return Err(BerError {
            position: reader.position,
            problem: Problem::TrailingBytes {
                count: input.len() - reader.position,
            },
        });
    }
    let changed = out != input;
    Ok((out, changed))
}

/// A value's identifier and length octets, as read.
struct Header {
    /// The identifier octets (one, or more for a high tag number).
    identifier: Vec<u8>,
    /// `None` for an indefinite length.
    length: Option<usize>,
    /// Where the header started.
    start: usize,
}

impl Header {
    fn constructed(&self) -> bool {
        self.identifier[0] & CONSTRUCTED != 0
    }

    fn is_end_of_contents(&self) -> bool {
        self.identifier == [0] && self.length == Some(0)
    }
}

struct Reader<'a> {
    input: &'a [u8],
    position: usize,
}

impl Reader<'_> {
    fn error(&self, position: usize, problem: Problem) -> BerError {
        BerError { position, problem }
    }

    fn byte(&mut self) -> Result<u8, BerError> {
        let byte = *self
            .input
            .get(self.position)
            .ok_or(self.error(self.position, Problem::Truncated))?;
        self.position += 1;
        Ok(byte)
    }

    /// Reads identifier and length octets; `end` is where the enclosing
    /// value ends.
    fn header(&mut self, end: usize) -> Result<Header, BerError> {
        let start = self.position;
        let first = self.byte()?;
        let mut identifier = vec![first];
        if first & 0x1F == 0x1F {
            // A high tag number: base-128 digits, the last without bit 8.
            loop {
                let digit = self.byte()?;
                identifier.push(digit);
                if identifier.len() > 5 {
                    return Err(self.error(start, Problem::TagTooLong));
                }
                if digit & 0x80 == 0 {
                    break;
                }
            }
        }
        let length_at = self.position;
        let first = self.byte()?;
        let length = match first {
            INDEFINITE => None,
            0xFF => return Err(self.error(length_at, Problem::ReservedLength)),
            short if short < 0x80 => Some(u64::from(short)),
            long => {
                let octets = usize::from(long & 0x7F);
                // BER allows leading zero octets; eight hold any length.
                if octets > 8 {
                    return Err(self.error(length_at, Problem::LengthTooLong { octets }));
                }
                let mut length = 0u64;
                for _ in 0..octets {
                    length = (length << 8) | u64::from(self.byte()?);
                }
                Some(length)
            }
        };
        let available = end.saturating_sub(self.position);
        let length = match length {
            None => None,
            Some(length) => match usize::try_from(length) {
                Ok(fits) if fits <= available => Some(fits),
                _ => {
                    return Err(self.error(length_at, Problem::LengthPastEnd { length, available }));
                }
            },
        };
        if self.position > end {
            return Err(self.error(start, Problem::Truncated));
        }
        Ok(Header {
            identifier,
            length,
            start,
        })
    }

    /// Reads one value that must end by `end` and appends its DER form to
    /// `out`.
    fn value(&mut self, end: usize, depth: usize, out: &mut Vec<u8>) -> Result<(), BerError> {
        let header = self.header(end)?;
        if header.is_end_of_contents() {
            return Err(self.error(header.start, Problem::UnexpectedEnd));
        }
        self.body(header, end, depth, out)
    }

    /// Reads the contents of a value whose header has been read.
    fn body(
        &mut self,
        header: Header,
        end: usize,
        depth: usize,
        out: &mut Vec<u8>,
    ) -> Result<(), BerError> {
        if depth >= MAX_DEPTH {
            return Err(self.error(header.start, Problem::TooDeep));
        }
        if !header.constructed() {
            let Some(length) = header.length else {
                return Err(self.error(header.start, Problem::IndefinitePrimitive));
            };
            let contents = &self.input[self.position..self.position + length];
            self.position += length;
            write_header(out, &header.identifier, length);
            out.extend_from_slice(contents);
            return Ok(());
        }
        let mut contents = Vec::new();
        let is_octet_string = header.identifier == [OCTET_STRING | CONSTRUCTED];
        let inner_end = match header.length {
            Some(length) => self.position + length,
            None => end,
        };
        loop {
            if header.length.is_some() && self.position == inner_end {
                break;
            }
            if header.length.is_none() && self.position >= end {
                return Err(self.error(header.start, Problem::MissingEnd));
            }
            let child = self.header(inner_end)?;
            if child.is_end_of_contents() {
                if header.length.is_none() {
                    break;
                }
                return Err(self.error(child.start, Problem::UnexpectedEnd));
            }
            if is_octet_string {
                if child.identifier[0] & !CONSTRUCTED != OCTET_STRING || child.identifier.len() != 1
                {
                    return Err(self.error(
                        child.start,
                        Problem::NotAStringPiece {
                            identifier: child.identifier[0],
                        },
                    ));
                }
                // The piece's DER form, from which its contents are kept.
                let mut piece = Vec::new();
                self.body(child, inner_end, depth + 1, &mut piece)?;
                contents.extend_from_slice(contents_of(&piece));
            } else {
                self.body(child, inner_end, depth + 1, &mut contents)?;
            }
        }
        if is_octet_string {
            write_header(out, &[OCTET_STRING], contents.len());
        } else {
            write_header(out, &header.identifier, contents.len());
        }
        out.extend_from_slice(&contents);
        Ok(())
    }
}

/// Writes identifier octets and a definite length in its shortest form.
fn write_header(out: &mut Vec<u8>, identifier: &[u8], length: usize) {
    out.extend_from_slice(identifier);
    if length < 0x80 {
        out.push(length as u8);
    } else {
        let octets = length.to_be_bytes();
        let skip = octets.iter().take_while(|octet| **octet == 0).count();
        out.push(0x80 | (octets.len() - skip) as u8);
        out.extend_from_slice(&octets[skip..]);
    }
}

/// The contents of a DER value with a one-byte identifier, as
/// `write_header` wrote it.
fn contents_of(der: &[u8]) -> &[u8] {
    let length_octet = der[1];
    let header = if length_octet < 0x80 {
        2
    } else {
        2 + usize::from(length_octet & 0x7F)
    };
    &der[header..]
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn der(input: &[u8]) -> Vec<u8> {
        to_der(input).expect("reads").0
    }

    fn problem(input: &[u8]) -> (usize, Problem) {
        let error = to_der(input).expect_err("refused");
        (error.position, error.problem)
    }

    #[test]
    fn der_comes_out_unchanged() {
        let input = [0x30, 0x06, 0x02, 0x01, 0x05, 0x04, 0x01, 0xAA];
        assert_eq!(to_der(&input).unwrap(), (input.to_vec(), false));
    }

    #[test]
    fn indefinite_lengths_become_definite() {
        // SEQUENCE (indefinite) { INTEGER 5, [0] (indefinite) { NULL } }
        let input = [
            0x30, 0x80, 0x02, 0x01, 0x05, 0xA0, 0x80, 0x05, 0x00, 0x00, 0x00, 0x00, 0x00,
        ];
        assert_eq!(
            to_der(&input).unwrap(),
            (
                vec![0x30, 0x07, 0x02, 0x01, 0x05, 0xA0, 0x02, 0x05, 0x00],
                true
            )
        );
    }

    #[test]
    fn constructed_octet_strings_are_joined() {
        // [0] (indefinite) { OCTET STRING (constructed, indefinite) { "ab", "c",
        // OCTET STRING (constructed, definite) { "d" } } }
        let input = [
            0xA0, 0x80, 0x24, 0x80, 0x04, 0x02, b'a', b'b', 0x04, 0x01, b'c', 0x24, 0x03, 0x04,
            0x01, b'd', 0x00, 0x00, 0x00, 0x00,
        ];
        assert_eq!(
            der(&input),
            [0xA0, 0x06, 0x04, 0x04, b'a', b'b', b'c', b'd']
        );
    }

    #[test]
    fn long_and_padded_lengths_are_shortened() {
        // OCTET STRING of 3 bytes with its length in two octets (BER only).
        assert_eq!(
            der(&[0x04, 0x82, 0x00, 0x03, 1, 2, 3]),
            [0x04, 0x03, 1, 2, 3]
        );
        // 200 bytes: the long form stays, in one octet.
        let mut input = vec![0x04, 0x83, 0x00, 0x00, 200];
        input.extend(std::iter::repeat_n(7u8, 200));
        let mut expected = vec![0x04, 0x81, 200];
        expected.extend(std::iter::repeat_n(7u8, 200));
        assert_eq!(der(&input), expected);
    }

    #[test]
    fn high_tag_numbers_are_kept() {
        let input = [0xBF, 0x81, 0x00, 0x80, 0x05, 0x00, 0x00, 0x00];
        assert_eq!(der(&input), [0xBF, 0x81, 0x00, 0x02, 0x05, 0x00]);
    }

    #[test]
    fn damage_is_reported_where_it_is() {
        assert_eq!(problem(&[]), (0, Problem::Empty));
        assert_eq!(problem(&[0x30]), (1, Problem::Truncated));
        assert_eq!(
            problem(&[0x30, 0x05, 0x02, 0x01]),
            (
                1,
                Problem::LengthPastEnd {
                    length: 5,
                    available: 2
                }
            )
        );
        // The inner length passes the end of the outer value.
        assert_eq!(
            problem(&[0x30, 0x03, 0x04, 0x05, 0x01, 0xFF, 0xFF, 0xFF]),
            (
                3,
                Problem::LengthPastEnd {
                    length: 5,
                    available: 1
                }
            )
        );
        assert_eq!(
            problem(&[0x30, 0x84, 0xFF, 0xFF, 0xFF, 0xFF, 0x00]),
            (
                1,
                Problem::LengthPastEnd {
                    length: 0xFFFF_FFFF,
                    available: 1
                }
            )
        );
        assert_eq!(
            problem(&[0x30, 0x89, 0, 0, 0, 0, 0, 0, 0, 0, 0]),
            (1, Problem::LengthTooLong { octets: 9 })
        );
        assert_eq!(problem(&[0x30, 0xFF]), (1, Problem::ReservedLength));
        assert_eq!(
            problem(&[0x04, 0x80, 0x00, 0x00]),
            (0, Problem::IndefinitePrimitive)
        );
        assert_eq!(problem(&[0x30, 0x80, 0x05, 0x00]), (0, Problem::MissingEnd));
        assert_eq!(
            problem(&[0x30, 0x02, 0x00, 0x00]),
            (2, Problem::UnexpectedEnd)
        );
        assert_eq!(problem(&[0x00, 0x00]), (0, Problem::UnexpectedEnd));
        assert_eq!(
            problem(&[0x24, 0x80, 0x02, 0x01, 0x00, 0x00, 0x00]),
            (2, Problem::NotAStringPiece { identifier: 0x02 })
        );
        assert_eq!(
            problem(&[0x05, 0x00, 0x05, 0x00]),
            (2, Problem::TrailingBytes { count: 2 })
        );
        assert_eq!(
            problem(&[0xBF, 0x81, 0x81, 0x81, 0x81, 0x81, 0x01, 0x00]),
            (0, Problem::TagTooLong)
        );
    }

    #[test]
    fn nesting_is_limited() {
        let deep = |levels: usize| {
            let mut bytes = [0x30, 0x80].repeat(levels);
            bytes.extend_from_slice(&[0x00, 0x00].repeat(levels));
            bytes
        };
        assert!(to_der(&deep(MAX_DEPTH)).is_ok());
        assert_eq!(
            problem(&deep(MAX_DEPTH + 1)),
            (2 * MAX_DEPTH, Problem::TooDeep)
        );
    }

    #[test]
    fn messages_name_the_position() {
        let error = to_der(&[0x30, 0x80, 0x05, 0x00]).unwrap_err();
        assert_eq!(
            error.to_string(),
            "at byte 0: a value of indefinite length is not closed by an end-of-contents \
             marker: the data is truncated"
        );
    }

    /// A small tree of values, to write in DER and in several BER forms.
    #[derive(Clone, Debug)]
    enum Tree {
        Primitive(u8, Vec<u8>),
        OctetString(Vec<u8>),
        Constructed(u8, Vec<Tree>),
    }

    fn tree() -> impl Strategy<Value = Tree> {
        let leaf = prop_oneof![
            (
                prop::sample::select(vec![0x02u8, 0x05, 0x06, 0x0C, 0x80]),
                prop::collection::vec(any::<u8>(), 0..200)
            )
                .prop_map(|(tag, bytes)| Tree::Primitive(tag, bytes)),
            prop::collection::vec(any::<u8>(), 0..300).prop_map(Tree::OctetString),
        ];
        leaf.prop_recursive(6, 48, 6, |inner| {
            (
                prop::sample::select(vec![0x30u8, 0x31, 0xA0, 0xA3]),
                prop::collection::vec(inner, 0..6),
            )
                .prop_map(|(tag, children)| Tree::Constructed(tag, children))
        })
    }

    fn write_der(tree: &Tree, out: &mut Vec<u8>) {
        match tree {
            Tree::Primitive(tag, bytes) => {
                write_header(out, &[*tag], bytes.len());
                out.extend_from_slice(bytes);
            }
            Tree::OctetString(bytes) => {
                write_header(out, &[OCTET_STRING], bytes.len());
                out.extend_from_slice(bytes);
            }
            Tree::Constructed(tag, children) => {
                let mut contents = Vec::new();
                for child in children {
                    write_der(child, &mut contents);
                }
                write_header(out, &[*tag], contents.len());
                out.extend_from_slice(&contents);
            }
        }
    }

    /// BER as a streaming writer makes it: every constructed value of
    /// indefinite length, every OCTET STRING cut into pieces of `piece`
    /// bytes inside a constructed one.
    fn write_ber(tree: &Tree, piece: usize, out: &mut Vec<u8>) {
        match tree {
            Tree::Primitive(..) => write_der(tree, out),
            Tree::OctetString(bytes) => {
                out.extend_from_slice(&[OCTET_STRING | CONSTRUCTED, INDEFINITE]);
                for chunk in bytes.chunks(piece) {
                    write_header(out, &[OCTET_STRING], chunk.len());
                    out.extend_from_slice(chunk);
                }
                out.extend_from_slice(&[0, 0]);
            }
            Tree::Constructed(tag, children) => {
                out.extend_from_slice(&[*tag, INDEFINITE]);
                for child in children {
                    write_ber(child, piece, out);
                }
                out.extend_from_slice(&[0, 0]);
            }
        }
    }

    proptest! {
        #[test]
        fn der_is_a_fixed_point(tree in tree()) {
            let mut input = Vec::new();
            write_der(&tree, &mut input);
            prop_assert_eq!(to_der(&input).unwrap(), (input, false));
        }

        #[test]
        fn streamed_ber_becomes_the_der_of_the_same_tree(tree in tree(), piece in 1usize..64) {
            let (mut ber, mut expected) = (Vec::new(), Vec::new());
            write_ber(&tree, piece, &mut ber);
            write_der(&tree, &mut expected);
            let (der, _) = to_der(&ber).unwrap();
            prop_assert_eq!(der, expected);
        }

        #[test]
        fn any_bytes_give_a_result_without_panicking(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
            let _ = to_der(&bytes);
        }

        #[test]
        fn every_cut_of_streamed_ber_is_refused(tree in tree(), cut in any::<prop::sample::Index>()) {
            let mut ber = Vec::new();
            write_ber(&tree, 7, &mut ber);
            let cut = cut.index(ber.len());
            prop_assert!(to_der(&ber[..cut]).is_err());
        }
    }
}
