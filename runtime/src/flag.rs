//! 0/1 integer flags.

use std::fmt;

use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A `bool` that the schema types as `<integer>` with allowed values 0 and 1.
///
/// It is written as the integer 0 or 1, the schema's exact type. It reads the
/// integers 0 and 1, and also `<true/>` and `<false/>`, which real-world
/// profile generators write and devices accept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct IntegerFlag(pub bool);

impl From<bool> for IntegerFlag {
    fn from(value: bool) -> Self {
        IntegerFlag(value)
    }
}

impl From<IntegerFlag> for bool {
    fn from(flag: IntegerFlag) -> Self {
        flag.0
    }
}

impl Serialize for IntegerFlag {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_i64(i64::from(self.0))
    }
}

impl<'de> Deserialize<'de> for IntegerFlag {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(FlagVisitor)
    }
}

struct FlagVisitor;

impl FlagVisitor {
    fn from_integer<E: de::Error>(value: i128) -> Result<IntegerFlag, E> {
        match value {
            0 => Ok(IntegerFlag(false)),
            1 => Ok(IntegerFlag(true)),
            other => Err(E::custom(format!(
                "expected the integer 0 or 1, found {other}"
            ))),
        }
    }
}

impl Visitor<'_> for FlagVisitor {
    type Value = IntegerFlag;

    fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("the integer 0 or 1")
    }

    fn visit_bool<E: de::Error>(self, value: bool) -> Result<IntegerFlag, E> {
        Ok(IntegerFlag(value))
    }

    fn visit_i64<E: de::Error>(self, value: i64) -> Result<IntegerFlag, E> {
        Self::from_integer(i128::from(value))
    }

    fn visit_u64<E: de::Error>(self, value: u64) -> Result<IntegerFlag, E> {
        Self::from_integer(i128::from(value))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(xml_value: &str) -> Result<IntegerFlag, plist::Error> {
        let xml = format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><plist version=\"1.0\">{xml_value}</plist>"
        );
        plist::from_bytes(xml.as_bytes())
    }

    #[test]
    fn reads_integers_and_booleans() {
        assert_eq!(read("<integer>1</integer>").unwrap(), IntegerFlag(true));
        assert_eq!(read("<integer>0</integer>").unwrap(), IntegerFlag(false));
        assert_eq!(read("<true/>").unwrap(), IntegerFlag(true));
        assert_eq!(read("<false/>").unwrap(), IntegerFlag(false));
    }

    #[test]
    fn refuses_other_integers_and_strings() {
        let error = read("<integer>2</integer>").unwrap_err().to_string();
        assert!(error.contains("0 or 1"), "{error}");
        assert!(read("<string>1</string>").is_err());
    }

    #[test]
    fn writes_an_integer() {
        assert_eq!(
            plist::to_value(&IntegerFlag(true)).unwrap(),
            plist::Value::Integer(1.into())
        );
    }
}
