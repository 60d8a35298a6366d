//! Where a value stands in a profile, kept as a chain of borrowed steps
//! while the validators walk it, and written out as a key path
//! (`PayloadContent[0].IKEv2.ChildSecurityAssociationParameters`) only
//! when a finding or a reference needs it: a valid profile costs no string.

use std::fmt;

/// A position in the walked value: the root, or one step below another
/// position.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Location<'a> {
    /// The value validated (a profile, or a payload on its own).
    Root,
    /// The value of `key` in the dictionary at the parent.
    Key(&'a Location<'a>, &'a str),
    /// Item `index` of the array at the parent.
    Item(&'a Location<'a>, usize),
}

impl<'a> Location<'a> {
    /// The value of `key` below this position.
    pub(crate) fn key(&'a self, key: &'a str) -> Location<'a> {
        Location::Key(self, key)
    }

    /// Item `index` below this position.
    pub(crate) fn item(&'a self, index: usize) -> Location<'a> {
        Location::Item(self, index)
    }

    /// The key path, as findings show it: keys joined by `.`, array items
    /// as `[index]`, the root as the empty string.
    pub(crate) fn path(&self) -> String {
        self.to_string()
    }
}

impl fmt::Display for Location<'_> {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Recursion as deep as the walk that made the location, no deeper.
        match self {
            Location::Root => Ok(()),
            Location::Key(Location::Root, key) => formatter.write_str(key),
            Location::Key(parent, key) => write!(formatter, "{parent}.{key}"),
            Location::Item(parent, index) => write!(formatter, "{parent}[{index}]"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Location;

    #[test]
    fn a_location_is_written_as_the_validators_key_paths() {
        let root = Location::Root;
        assert_eq!(root.path(), "");
        let content = root.key("PayloadContent");
        let first = content.item(0);
        let ikev2 = first.key("IKEv2");
        let proposals = ikev2.key("ChildSecurityAssociationParameters");
        assert_eq!(
            proposals.path(),
            "PayloadContent[0].IKEv2.ChildSecurityAssociationParameters"
        );
        let nested = root.item(2);
        let inner = nested.item(1);
        assert_eq!(inner.path(), "[2][1]");
        let under = inner.key("Name");
        assert_eq!(under.path(), "[2][1].Name");
    }
}
