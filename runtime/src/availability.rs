//! Platforms and `supportedOS`: which operating systems have a payload or a
//! key, from which version, and Apple's rule for inheriting it.
//!
//! The generator and the validators share this one definition. The
//! generator holds versions as `String`s while it reads the schema; the
//! generated tables hold them as `&'static str`. [`Availability::inherit`] is
//! the one implementation of the inheritance rule for both.

use std::fmt;

/// The operating systems Apple's schema distinguishes, in Apple's order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Platform {
    IOs,
    MacOs,
    TvOs,
    VisionOs,
    WatchOs,
}

impl Platform {
    pub const ALL: [Platform; 5] = [
        Platform::IOs,
        Platform::MacOs,
        Platform::TvOs,
        Platform::VisionOs,
        Platform::WatchOs,
    ];

    /// The name as Apple writes it (`iOS`, `macOS`…).
    pub fn name(self) -> &'static str {
        match self {
            Platform::IOs => "iOS",
            Platform::MacOs => "macOS",
            Platform::TvOs => "tvOS",
            Platform::VisionOs => "visionOS",
            Platform::WatchOs => "watchOS",
        }
    }

    /// Reads a name exactly as Apple's schema writes it.
    pub fn from_name(name: &str) -> Option<Platform> {
        Platform::ALL
            .into_iter()
            .find(|platform| platform.name() == name)
    }

    /// Reads a name as a person types it: any case, and `iPadOS` for iOS.
    pub fn parse(name: &str) -> Option<Platform> {
        let lower = name.to_ascii_lowercase();
        if lower == "ipados" {
            return Some(Platform::IOs);
        }
        Platform::ALL
            .into_iter()
            .find(|platform| platform.name().to_ascii_lowercase() == lower)
    }
}

impl fmt::Display for Platform {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// What `introduced` says for one platform.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Introduced<V> {
    /// Nothing: the entry names the platform without a version, and an
    /// inherited version stays in force.
    Unstated,
    /// Available from this version on.
    Since(V),
    /// `n/a`: not available on the platform.
    NotAvailable,
}

/// `supportedOS` for one platform. `V` is the version text: `String` in the
/// generator, `&'static str` in the generated tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Availability<V = &'static str> {
    pub platform: Platform,
    pub introduced: Introduced<V>,
    pub deprecated: Option<V>,
    pub removed: Option<V>,
}

impl Availability<&'static str> {
    /// Available from `version` on.
    pub const fn since(platform: Platform, version: &'static str) -> Self {
        Availability {
            platform,
            introduced: Introduced::Since(version),
            deprecated: None,
            removed: None,
        }
    }

    /// Not available on `platform` (`n/a`).
    pub const fn unavailable(platform: Platform) -> Self {
        Availability {
            platform,
            introduced: Introduced::NotAvailable,
            deprecated: None,
            removed: None,
        }
    }

    /// Listed without a version.
    pub const fn unstated(platform: Platform) -> Self {
        Availability {
            platform,
            introduced: Introduced::Unstated,
            deprecated: None,
            removed: None,
        }
    }
}

impl<V: Clone> Availability<V> {
    /// Apple's inheritance: a key has its parent's `supportedOS`, and each
    /// platform entry the key writes itself overrides it field by field
    /// (`introduced` when stated, `deprecated`, `removed`). The result is in
    /// platform order when both lists are.
    pub fn inherit(own: &[Self], inherited: &[Self]) -> Vec<Self> {
        let mut merged: Vec<Self> = inherited.to_vec();
        for entry in own {
            match merged
                .iter_mut()
                .find(|merged| merged.platform == entry.platform)
            {
                Some(merged) => {
                    if !matches!(entry.introduced, Introduced::Unstated) {
                        merged.introduced = entry.introduced.clone();
                    }
                    if entry.deprecated.is_some() {
                        merged.deprecated = entry.deprecated.clone();
                    }
                    if entry.removed.is_some() {
                        merged.removed = entry.removed.clone();
                    }
                }
                None => {
                    let at = merged
                        .iter()
                        .position(|merged| merged.platform > entry.platform)
                        .unwrap_or(merged.len());
                    merged.insert(at, entry.clone());
                }
            }
        }
        merged
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_read_back() {
        for platform in Platform::ALL {
            assert_eq!(Platform::from_name(platform.name()), Some(platform));
        }
        assert_eq!(Platform::parse("ipados"), Some(Platform::IOs));
        assert_eq!(Platform::from_name("ios"), None);
    }

    #[test]
    fn own_entries_override_field_by_field_and_keep_platform_order() {
        let payload = [
            Availability::since(Platform::IOs, "4.0"),
            Availability::since(Platform::WatchOs, "10.0"),
        ];
        let own = [
            Availability {
                deprecated: Some("17.0"),
                ..Availability::unstated(Platform::IOs)
            },
            Availability::unavailable(Platform::MacOs),
        ];
        let merged = Availability::inherit(&own, &payload);
        assert_eq!(
            merged,
            [
                Availability {
                    deprecated: Some("17.0"),
                    ..Availability::since(Platform::IOs, "4.0")
                },
                Availability::unavailable(Platform::MacOs),
                Availability::since(Platform::WatchOs, "10.0"),
            ]
        );
        assert_eq!(Availability::inherit(&[], &payload), payload);
    }
}
