//! Typed values straight from an owned [`plist::Value`].
//!
//! `plist::from_value` turns a value back into a stream of events and reads
//! the typed value from that stream. A generated struct reads its whole
//! dictionary first ([`DictionaryReader`](crate::DictionaryReader)), then
//! each field from its value, so through `plist::from_value` every level of
//! nesting would replay the events of everything below it. The deserializer
//! here moves the parts of the value into place instead, and hands a
//! dictionary to a generated struct whole (see [`read_dictionary`]).
//!
//! It presents a value exactly as plist's own deserializer presents the
//! events of that value, so a type reads the same either way, with the same
//! messages: integers as `u64` when they fit (else `i64`), dates as their
//! XML text (and as plist's date marker inside a `plist::Value`), data as
//! bytes, UIDs as `u64` (marked inside a `plist::Value`), unit enum variants
//! as strings, and an `Option` below the top as plist writes it, a
//! dictionary holding `None` or `Some`.

use std::cell::Cell;
use std::fmt;

use plist::{Dictionary, Value};
use serde::de::value::{MapAccessDeserializer, MapDeserializer, StringDeserializer};
use serde::de::{self, DeserializeOwned, DeserializeSeed, IntoDeserializer, Visitor};
use serde::{Deserialize, Deserializer, forward_to_deserialize_any};

/// The names plist gives the newtypes of its own value, date and UID (its
/// serde conventions; `plist` does not export them).
const PLIST_VALUE: &str = "PLIST-VALUE";
const PLIST_DATE: &str = "PLIST-DATE";
const PLIST_UID: &str = "PLIST-UID";

/// The newtype name under which [`read_dictionary`] asks for a dictionary;
/// only [`ValueDeserializer`] gives it a meaning.
const WHOLE_DICTIONARY: &str = "MOBILECONFIG-WHOLE-DICTIONARY";

thread_local! {
    /// A dictionary on its way from [`ValueDeserializer`] to
    /// [`read_dictionary`]: serde's visitors carry only plain data, so the
    /// deserializer leaves the dictionary here and the visitor takes it at
    /// once, in the same call.
    static HANDED_OVER: Cell<Option<Dictionary>> = const { Cell::new(None) };
}

/// Reads `T` from `value`, taking its parts rather than copying them.
/// Reads what `plist::from_value(&value)` reads, with the same errors.
pub fn from_value<T: DeserializeOwned>(value: Value) -> Result<T, plist::Error> {
    T::deserialize(ValueDeserializer::new(value))
}

/// Reads a whole dictionary from `deserializer`. From [`from_value`] the
/// dictionary is handed over as it is; any other deserializer builds it as
/// `plist::Dictionary::deserialize` does.
pub fn read_dictionary<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Dictionary, D::Error> {
    deserializer.deserialize_newtype_struct(WHOLE_DICTIONARY, WholeDictionary)
}

struct WholeDictionary;

impl<'de> Visitor<'de> for WholeDictionary {
    type Value = Dictionary;

    fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("a map")
    }

    /// Only [`ValueDeserializer`] calls this for [`WHOLE_DICTIONARY`], with
    /// the dictionary left in [`HANDED_OVER`]. (A unit is an empty
    /// dictionary to plist's own visitor too.)
    fn visit_unit<E: de::Error>(self) -> Result<Dictionary, E> {
        Ok(HANDED_OVER.take().unwrap_or_default())
    }

    fn visit_newtype_struct<D: Deserializer<'de>>(
        self,
        deserializer: D,
    ) -> Result<Dictionary, D::Error> {
        Dictionary::deserialize(deserializer)
    }
}

/// How an `Option` is read, as plist's deserializer does: the top value is
/// `Some`; below it an option is written as a dictionary holding `None` or
/// `Some`.
#[derive(Debug, Clone, Copy, PartialEq)]
enum OptionMode {
    Top,
    /// A field of a struct read by serde's derive (`deserialize_struct`): a
    /// present field is `Some`.
    StructField,
    Nested,
}

/// A serde deserializer that owns a plist value.
#[derive(Debug)]
pub struct ValueDeserializer {
    value: Value,
    option_mode: OptionMode,
    /// Below a `plist::Value`: dates and UIDs keep their marker.
    in_plist_value: bool,
}

impl ValueDeserializer {
    /// A deserializer for `value` as the top value.
    pub fn new(value: Value) -> Self {
        ValueDeserializer {
            value,
            option_mode: OptionMode::Top,
            in_plist_value: false,
        }
    }
}

fn custom(message: impl fmt::Display) -> plist::Error {
    de::Error::custom(message)
}

/// plist's message for an event other than the one expected, with its
/// names of events (`StartDictionary`, `Integer`, `EndCollection`…).
fn unexpected(expected: &str, found: &str) -> plist::Error {
    custom(format!(
        "UnexpectedEventType {{ expected: {expected}, found: {found} }}"
    ))
}

/// The name plist gives the event that starts `value`.
fn event_of(value: &Value) -> &'static str {
    match value {
        Value::Array(_) => "StartArray",
        Value::Dictionary(_) => "StartDictionary",
        Value::Boolean(_) => "Boolean",
        Value::Data(_) => "Data",
        Value::Date(_) => "Date",
        Value::Integer(_) => "Integer",
        Value::Real(_) => "Real",
        Value::String(_) => "String",
        Value::Uid(_) => "Uid",
        _ => "Value",
    }
}

impl<'de> Deserializer<'de> for ValueDeserializer {
    type Error = plist::Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, plist::Error> {
        let in_plist_value = self.in_plist_value;
        match self.value {
            Value::Array(items) => {
                let mut access = Elements {
                    items: items.into_iter(),
                    in_plist_value,
                };
                let read = visitor.visit_seq(&mut access)?;
                access.finish(read)
            }
            Value::Dictionary(entries) => {
                let mut access = Entries::new(entries, OptionMode::Nested, in_plist_value);
                let read = visitor.visit_map(&mut access)?;
                access.finish(read)
            }
            Value::Boolean(value) => visitor.visit_bool(value),
            Value::Data(bytes) => visitor.visit_byte_buf(bytes),
            Value::Date(date) if in_plist_value => visitor.visit_enum(MapAccessDeserializer::new(
                MapDeserializer::new(std::iter::once((PLIST_DATE, date.to_xml_format()))),
            )),
            Value::Date(date) => visitor.visit_string(date.to_xml_format()),
            Value::Integer(integer) => match integer.as_unsigned() {
                Some(unsigned) => visitor.visit_u64(unsigned),
                None => match integer.as_signed() {
                    Some(signed) => visitor.visit_i64(signed),
                    None => Err(custom("an integer out of range")),
                },
            },
            Value::Real(real) => visitor.visit_f64(real),
            Value::String(text) => visitor.visit_string(text),
            Value::Uid(uid) if in_plist_value => visitor.visit_enum(MapAccessDeserializer::new(
                MapDeserializer::new(std::iter::once((PLIST_UID, uid.get()))),
            )),
            Value::Uid(uid) => visitor.visit_u64(uid.get()),
            // `plist::Value` is non-exhaustive.
            other => Err(unexpected("ValueOrStartCollection", event_of(&other))),
        }
    }

    forward_to_deserialize_any! {
        bool u8 u16 u32 u64 i8 i16 i32 i64 f32 f64 char str string
        seq bytes byte_buf map unit_struct
        tuple_struct tuple ignored_any identifier
    }

    fn deserialize_unit<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, plist::Error> {
        match self.value {
            Value::String(_) => visitor.visit_unit(),
            other => Err(unexpected("String", event_of(&other))),
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, plist::Error> {
        match self.option_mode {
            OptionMode::Top | OptionMode::StructField => visitor.visit_some(ValueDeserializer {
                option_mode: OptionMode::Nested,
                ..self
            }),
            OptionMode::Nested => {
                let Value::Dictionary(entries) = self.value else {
                    return Err(unexpected("StartDictionary", event_of(&self.value)));
                };
                let mut entries = entries.into_iter();
                let Some((key, inner)) = entries.next() else {
                    return Err(unexpected("String", "EndCollection"));
                };
                let read = match (key.as_str(), inner) {
                    ("None", Value::String(_)) => visitor.visit_none::<plist::Error>()?,
                    ("None", other) => return Err(unexpected("String", event_of(&other))),
                    ("Some", inner) => visitor.visit_some(ValueDeserializer {
                        value: inner,
                        option_mode: OptionMode::Nested,
                        in_plist_value: self.in_plist_value,
                    })?,
                    _ => return Err(unexpected("String", "String")),
                };
                match entries.next() {
                    None => Ok(read),
                    Some(_) => Err(unexpected("EndCollection", "String")),
                }
            }
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        mut self,
        name: &'static str,
        visitor: V,
    ) -> Result<V::Value, plist::Error> {
        match (name, self.value) {
            (WHOLE_DICTIONARY, Value::Dictionary(entries)) => {
                HANDED_OVER.set(Some(entries));
                let read = visitor.visit_unit();
                // Taken by now unless the visitor was not `WholeDictionary`.
                HANDED_OVER.take();
                read
            }
            (name, value) => {
                self.value = value;
                if name == PLIST_VALUE {
                    self.in_plist_value = true;
                }
                visitor.visit_newtype_struct(self)
            }
        }
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, plist::Error> {
        let Value::Dictionary(entries) = self.value else {
            return Err(unexpected("StartDictionary", event_of(&self.value)));
        };
        let mut access = Entries::new(entries, OptionMode::StructField, self.in_plist_value);
        let read = visitor.visit_map(&mut access)?;
        access.finish(read)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, plist::Error> {
        match self.value {
            // A unit variant is its name.
            Value::String(text) => {
                let text: StringDeserializer<plist::Error> = text.into_deserializer();
                text.deserialize_enum(name, variants, visitor)
            }
            // Any other, a dictionary of one key: the variant's name.
            Value::Dictionary(entries) => {
                let mut entries = entries.into_iter();
                let Some((variant, content)) = entries.next() else {
                    return Err(unexpected("String", "EndCollection"));
                };
                let read = visitor.visit_enum(Variant {
                    name: variant,
                    content: ValueDeserializer {
                        value: content,
                        option_mode: OptionMode::Nested,
                        in_plist_value: self.in_plist_value,
                    },
                })?;
                match entries.next() {
                    None => Ok(read),
                    Some(_) => Err(unexpected("EndCollection", "String")),
                }
            }
            other => Err(unexpected("StartDictionary", event_of(&other))),
        }
    }
}

/// An array's elements, one by one.
struct Elements {
    items: std::vec::IntoIter<Value>,
    in_plist_value: bool,
}

impl Elements {
    /// Refuses elements the visitor left, as plist does.
    fn finish<T>(mut self, read: T) -> Result<T, plist::Error> {
        match self.items.next() {
            None => Ok(read),
            Some(left) => Err(unexpected("EndCollection", event_of(&left))),
        }
    }
}

impl<'de> de::SeqAccess<'de> for &mut Elements {
    type Error = plist::Error;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, plist::Error> {
        match self.items.next() {
            None => Ok(None),
            Some(value) => seed
                .deserialize(ValueDeserializer {
                    value,
                    option_mode: OptionMode::Nested,
                    in_plist_value: self.in_plist_value,
                })
                .map(Some),
        }
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.items.len())
    }
}

/// A dictionary's entries, one by one.
struct Entries {
    entries: <Dictionary as IntoIterator>::IntoIter,
    value: Option<Value>,
    values_mode: OptionMode,
    in_plist_value: bool,
}

impl Entries {
    fn new(entries: Dictionary, values_mode: OptionMode, in_plist_value: bool) -> Self {
        Entries {
            entries: entries.into_iter(),
            value: None,
            values_mode,
            in_plist_value,
        }
    }

    /// Refuses entries the visitor left, as plist does.
    fn finish<T>(mut self, read: T) -> Result<T, plist::Error> {
        match (self.value, self.entries.next()) {
            (None, None) => Ok(read),
            (Some(left), _) => Err(unexpected("EndCollection", event_of(&left))),
            (None, Some(_)) => Err(unexpected("EndCollection", "String")),
        }
    }
}

impl<'de> de::MapAccess<'de> for &mut Entries {
    type Error = plist::Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, plist::Error> {
        match self.entries.next() {
            None => Ok(None),
            Some((key, value)) => {
                self.value = Some(value);
                seed.deserialize(ValueDeserializer {
                    value: Value::String(key),
                    option_mode: OptionMode::Nested,
                    in_plist_value: self.in_plist_value,
                })
                .map(Some)
            }
        }
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(
        &mut self,
        seed: V,
    ) -> Result<V::Value, plist::Error> {
        let value = self
            .value
            .take()
            .ok_or_else(|| custom("a dictionary value asked for before its key"))?;
        seed.deserialize(ValueDeserializer {
            value,
            option_mode: self.values_mode,
            in_plist_value: self.in_plist_value,
        })
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.entries.len() + usize::from(self.value.is_some()))
    }
}

/// An enum variant other than a unit: its name and content.
struct Variant {
    name: String,
    content: ValueDeserializer,
}

impl<'de> de::EnumAccess<'de> for Variant {
    type Error = plist::Error;
    type Variant = ValueDeserializer;

    fn variant_seed<V: DeserializeSeed<'de>>(
        self,
        seed: V,
    ) -> Result<(V::Value, ValueDeserializer), plist::Error> {
        let name = seed.deserialize(ValueDeserializer::new(Value::String(self.name)))?;
        Ok((name, self.content))
    }
}

impl<'de> de::VariantAccess<'de> for ValueDeserializer {
    type Error = plist::Error;

    fn unit_variant(self) -> Result<(), plist::Error> {
        <()>::deserialize(self)
    }

    fn newtype_variant_seed<T: DeserializeSeed<'de>>(
        self,
        seed: T,
    ) -> Result<T::Value, plist::Error> {
        seed.deserialize(self)
    }

    fn tuple_variant<V: Visitor<'de>>(
        self,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, plist::Error> {
        self.deserialize_any(visitor)
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, plist::Error> {
        self.deserialize_struct("", fields, visitor)
    }
}

#[cfg(test)]
mod tests {
    use std::fmt::Debug;

    use plist::{Date, Dictionary, Integer, Uid, Value};
    use serde::Deserialize;
    use serde::de::DeserializeOwned;

    use super::from_value;
    use crate::{DictionaryReader, IndexMap, IntegerFlag, error_message};

    /// Reads `value` as `T` both ways: through plist's events and taken
    /// apart; the results, or the messages, are the same.
    fn same<T: DeserializeOwned + PartialEq + Debug>(value: Value) -> Result<T, String> {
        let through_events = plist::from_value::<T>(&value).map_err(|error| error_message(&error));
        let taken_apart = from_value::<T>(value).map_err(|error| error_message(&error));
        assert_eq!(taken_apart, through_events);
        taken_apart
    }

    fn dictionary(entries: &[(&str, Value)]) -> Value {
        Value::Dictionary(
            entries
                .iter()
                .map(|(key, value)| ((*key).to_owned(), value.clone()))
                .collect(),
        )
    }

    fn date() -> Date {
        Date::from_xml_format("2026-12-06T10:00:00Z").unwrap()
    }

    #[derive(Debug, PartialEq, Deserialize)]
    enum Shape {
        Round,
        Sides(i64),
    }

    #[derive(Debug, PartialEq, Deserialize)]
    struct Derived {
        name: String,
        count: Option<u8>,
    }

    /// A struct read as the generated ones are.
    #[derive(Debug, PartialEq)]
    struct Generated {
        name: String,
        flag: Option<bool>,
        inner: Option<Box<Generated>>,
        unknown_keys: Dictionary,
    }

    impl<'de> Deserialize<'de> for Generated {
        fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
            let mut dictionary = DictionaryReader::new(deserializer)?;
            Ok(Generated {
                name: dictionary.required("Name")?,
                flag: dictionary.optional_flag("Flag")?,
                inner: dictionary.optional("Inner")?,
                unknown_keys: dictionary.into_unknown_keys(),
            })
        }
    }

    #[test]
    fn scalars_read_as_through_plists_events() {
        assert_eq!(same::<i64>(Value::Integer((-3).into())), Ok(-3));
        assert_eq!(same::<u64>(Value::Integer(u64::MAX.into())), Ok(u64::MAX));
        assert_eq!(same::<f64>(Value::Real(1.5)), Ok(1.5));
        assert_eq!(same::<bool>(Value::Boolean(true)), Ok(true));
        assert_eq!(same::<String>(Value::String("x".into())), Ok("x".into()));
        assert_eq!(
            same::<String>(Value::Date(date())),
            Ok("2026-12-06T10:00:00Z".into())
        );
        assert_eq!(same::<Date>(Value::Date(date())), Ok(date()));
        assert_eq!(
            same::<plist::Data>(Value::Data(vec![1, 2])),
            Ok(vec![1, 2].into())
        );
        assert_eq!(same::<u64>(Value::Uid(Uid::new(7))), Ok(7));
        assert_eq!(
            same::<IntegerFlag>(Value::Boolean(true)),
            Ok(IntegerFlag(true))
        );
        assert_eq!(
            same::<Option<i64>>(Value::Integer(Integer::from(4))),
            Ok(Some(4))
        );
    }

    #[test]
    fn wrong_types_give_plists_messages() {
        for value in [
            Value::String("1400".into()),
            Value::Real(0.5),
            Value::Integer((-1).into()),
            Value::Integer(300.into()),
            Value::Data(vec![0]),
            Value::Array(vec![]),
            dictionary(&[]),
        ] {
            assert!(same::<u8>(value.clone()).is_err());
            let _ = same::<String>(value.clone());
            let _ = same::<IntegerFlag>(value.clone());
            let _ = same::<Date>(value.clone());
            let _ = same::<Vec<i64>>(value.clone());
            let _ = same::<IndexMap<String, i64>>(value);
        }
        assert_eq!(
            same::<u8>(Value::String("1400".into())),
            Err("invalid type: string \"1400\", expected u8".to_owned())
        );
    }

    #[test]
    fn collections_and_options_below_the_top_read_as_plist_writes_them() {
        let some = dictionary(&[("Some", Value::Integer(2.into()))]);
        let none = dictionary(&[("None", Value::String(String::new()))]);
        assert_eq!(
            same::<Vec<Option<i64>>>(Value::Array(vec![some, none.clone()])),
            Ok(vec![Some(2), None])
        );
        assert!(same::<Vec<Option<i64>>>(Value::Array(vec![Value::Integer(2.into())])).is_err());
        let map = dictionary(&[
            ("b", Value::Integer(1.into())),
            ("a", Value::Integer(2.into())),
        ]);
        let read = same::<IndexMap<String, i64>>(map).unwrap();
        assert_eq!(read.keys().collect::<Vec<_>>(), ["b", "a"]);
        assert_eq!(
            same::<Derived>(dictionary(&[
                ("name", Value::String("n".into())),
                ("count", Value::Integer(3.into())),
            ])),
            Ok(Derived {
                name: "n".into(),
                count: Some(3)
            })
        );
        assert_eq!(
            same::<Vec<Shape>>(Value::Array(vec![
                Value::String("Round".into()),
                dictionary(&[("Sides", Value::Integer(5.into()))]),
            ])),
            Ok(vec![Shape::Round, Shape::Sides(5)])
        );
        assert!(same::<Shape>(Value::String("Square".into())).is_err());
    }

    #[test]
    fn plist_values_keep_dates_uids_and_data() {
        let value = Value::Array(vec![
            Value::Date(date()),
            Value::Uid(Uid::new(3)),
            Value::Data(vec![9]),
            dictionary(&[("when", Value::Date(date()))]),
        ]);
        assert_eq!(same::<Value>(value.clone()), Ok(value));
    }

    #[test]
    fn generated_structs_take_their_dictionary_whole() {
        let value = dictionary(&[
            ("Name", Value::String("outer".into())),
            ("Extra", Value::Date(date())),
            (
                "Inner",
                dictionary(&[
                    ("Flag", Value::Boolean(true)),
                    ("Name", Value::String("inner".into())),
                ]),
            ),
        ]);
        let read = same::<Generated>(value).unwrap();
        assert_eq!(read.unknown_keys.get("Extra"), Some(&Value::Date(date())));
        let inner = read.inner.unwrap();
        assert_eq!((inner.name.as_str(), inner.flag), ("inner", Some(true)));
        // The messages nest as before.
        let bad = dictionary(&[
            ("Name", Value::String("outer".into())),
            ("Inner", dictionary(&[("Name", Value::Integer(1.into()))])),
        ]);
        assert_eq!(
            same::<Generated>(bad),
            Err("Inner: Name: invalid type: integer `1`, expected a string".to_owned())
        );
        assert_eq!(
            same::<Generated>(Value::String("x".into())),
            Err("invalid type: string \"x\", expected a map".to_owned())
        );
    }
}
