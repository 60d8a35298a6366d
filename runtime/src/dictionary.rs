//! Reading and writing a plist dictionary key by key, keeping unknown keys.

use std::marker::PhantomData;

use serde::de::DeserializeOwned;
use serde::ser::SerializeMap;
use serde::{Deserializer, Serialize, Serializer};

use crate::IntegerFlag;

/// Takes a dictionary's known keys one by one; what is left at the end are
/// the keys the schema does not name.
///
/// Errors name the key, and nest: a wrong value deep inside reads
/// `IKEv2: IKESecurityAssociationParameters: LifeTimeInMinutes: invalid type…`.
#[derive(Debug)]
pub struct DictionaryReader<E> {
    entries: plist::Dictionary,
    /// Keys already taken. They are removed at the end, in one pass that
    /// keeps the order of the rest (`Dictionary::remove` would reorder it).
    taken: Vec<String>,
    error: PhantomData<fn() -> E>,
}

impl<E: serde::de::Error> DictionaryReader<E> {
    /// Reads a whole dictionary from `deserializer`.
    pub fn new<'de, D: Deserializer<'de, Error = E>>(deserializer: D) -> Result<Self, E> {
        let entries = crate::from_value::read_dictionary(deserializer)?;
        Ok(DictionaryReader {
            entries,
            taken: Vec::new(),
            error: PhantomData,
        })
    }

    /// Takes the value of a key the schema requires.
    pub fn required<T: DeserializeOwned>(&mut self, key: &str) -> Result<T, E> {
        self.optional(key)?
            .ok_or_else(|| E::custom(format!("{key}: the required key is missing")))
    }

    /// Takes the value of an optional key, if present.
    pub fn optional<T: DeserializeOwned>(&mut self, key: &str) -> Result<Option<T>, E> {
        match self.entries.get_mut(key) {
            None => Ok(None),
            Some(value) => {
                let value = std::mem::replace(value, plist::Value::Boolean(false));
                self.taken.push(key.to_owned());
                crate::from_value(value)
                    .map(Some)
                    .map_err(|error| E::custom(format!("{key}: {}", error_message(&error))))
            }
        }
    }

    /// Takes the value of a required key whose type another key names (a
    /// declaration's `Payload`, named by its `Type`).
    pub fn required_typed<T: Dispatched>(&mut self, key: &str, kind: &str) -> Result<T, E> {
        let value = self
            .optional::<plist::Value>(key)?
            .ok_or_else(|| E::custom(format!("{key}: the required key is missing")))?;
        T::decode(kind, value).map_err(|message| E::custom(format!("{key}: {message}")))
    }

    /// Takes a required 0/1 flag.
    pub fn required_flag(&mut self, key: &str) -> Result<bool, E> {
        self.required::<IntegerFlag>(key).map(bool::from)
    }

    /// Takes an optional 0/1 flag.
    pub fn optional_flag(&mut self, key: &str) -> Result<Option<bool>, E> {
        Ok(self.optional::<IntegerFlag>(key)?.map(bool::from))
    }

    /// The keys nobody took: the ones the schema does not describe.
    pub fn into_unknown_keys(mut self) -> plist::Dictionary {
        let taken = self.taken;
        self.entries.retain(|key, _| !taken.contains(key));
        self.entries
    }
}

/// The message of a plist error without its wrapping (plist prints a serde
/// message as `Serde("…")`), so nested messages read as one path:
/// `IKEv2: MTU: invalid type…`.
pub fn error_message(error: &plist::Error) -> String {
    let text = error.to_string();
    match text
        .strip_prefix("Serde(\"")
        .and_then(|rest| rest.strip_suffix("\")"))
    {
        Some(inner) => inner.replace("\\\"", "\"").replace("\\\\", "\\"),
        None => text,
    }
}

/// A value decoded by a type named elsewhere: a declaration's payload, whose
/// schema the declaration's `Type` names. The generated dispatch enums
/// implement it.
pub trait Dispatched: Sized {
    /// Decodes `value` as a value of type `kind`; a type the crate does not
    /// describe is kept as read.
    fn decode(kind: &str, value: plist::Value) -> Result<Self, String>;
}

/// Writes a dictionary's known keys in schema order, then the unknown ones.
#[derive(Debug)]
pub struct DictionaryWriter<M> {
    map: M,
}

impl<M: SerializeMap> DictionaryWriter<M> {
    /// Starts a dictionary on `serializer`.
    pub fn new<S>(serializer: S) -> Result<Self, S::Error>
    where
        S: Serializer<SerializeMap = M, Error = M::Error>,
    {
        Ok(DictionaryWriter {
            map: serializer.serialize_map(None)?,
        })
    }

    pub fn required<T: Serialize + ?Sized>(
        &mut self,
        key: &str,
        value: &T,
    ) -> Result<(), M::Error> {
        self.map.serialize_entry(key, value)
    }

    pub fn optional<T: Serialize>(&mut self, key: &str, value: &Option<T>) -> Result<(), M::Error> {
        match value {
            Some(value) => self.map.serialize_entry(key, value),
            None => Ok(()),
        }
    }

    pub fn required_flag(&mut self, key: &str, value: bool) -> Result<(), M::Error> {
        self.map.serialize_entry(key, &IntegerFlag(value))
    }

    pub fn optional_flag(&mut self, key: &str, value: Option<bool>) -> Result<(), M::Error> {
        match value {
            Some(value) => self.required_flag(key, value),
            None => Ok(()),
        }
    }

    /// Writes the unknown keys and ends the dictionary. (Unknown keys come
    /// from reading; a key the schema names belongs in its field.)
    pub fn finish(mut self, unknown_keys: &plist::Dictionary) -> Result<M::Ok, M::Error> {
        for (key, value) in unknown_keys {
            self.map.serialize_entry(key, value)?;
        }
        self.map.end()
    }
}

/// Decodes a payload dictionary into its typed struct, naming the payload
/// type in any error (for the generated `Payload` enum).
pub fn decode_payload<T: DeserializeOwned, E: serde::de::Error>(
    dictionary: plist::Dictionary,
) -> Result<T, E> {
    let payload_type = dictionary
        .get("PayloadType")
        .and_then(plist::Value::as_string)
        .unwrap_or_default()
        .to_owned();
    crate::from_value(plist::Value::Dictionary(dictionary))
        .map_err(|error| E::custom(format!("{payload_type} payload: {}", error_message(&error))))
}
