//! Apple's conventions that no property of the format states: which file is
//! the profile envelope, which holds the keys every payload shares, which key
//! stands for "any other key", and which file of several sharing a payload
//! type is the main one. Every stage asks here.

use crate::schema::{FileKind, SchemaFile};

/// The file whose keys open every payload (Apple's `CommonPayloadKeys.yaml`).
pub const COMMON_PAYLOAD_KEYS: &str = "CommonPayloadKeys";

/// The profile envelope (Apple's `TopLevel.yaml`).
pub const TOP_LEVEL: &str = "TopLevel";

/// The key that stands for "any other key": a dictionary whose only key is
/// `ANY` is a map; elsewhere `ANY` keys are the keys the schema does not
/// name.
pub const ANY_KEY: &str = "ANY";

/// The envelope's key that holds the payloads.
pub const PAYLOAD_CONTENT: &str = "PayloadContent";

/// The key that names a payload's type.
pub const PAYLOAD_TYPE: &str = "PayloadType";

/// The prefix of Apple's payload types and file names.
pub const APPLE_PREFIX: &str = "com.apple.";

/// The declaration envelope's key that names the payload's type.
pub const DECLARATION_TYPE_KEY: &str = "Type";

/// The declaration envelope's key that holds the payload.
pub const DECLARATION_PAYLOAD_KEY: &str = "Payload";

/// The `declarationtype` of the declaration envelope (Apple's
/// `DeclarationBase`): the keys every declaration has around its payload.
pub const DECLARATION_BASE: &str = "any";

/// What a schema file is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum FileRole {
    /// A payload, decoded from `PayloadContent` by its `PayloadType`.
    Payload,
    /// The profile envelope.
    Profile,
    /// The keys every payload starts with; not a payload itself.
    CommonKeys,
    /// A declaration's payload, named by its `declarationtype`.
    Declaration,
    /// The declaration envelope: `Type`, `Identifier`, `ServerToken` and
    /// the payload.
    DeclarationEnvelope,
}

impl FileRole {
    pub fn of(file: &SchemaFile) -> FileRole {
        match (file.kind, file.payload_type()) {
            (FileKind::Payload, TOP_LEVEL) => FileRole::Profile,
            (FileKind::Payload, COMMON_PAYLOAD_KEYS) => FileRole::CommonKeys,
            (FileKind::Payload, _) => FileRole::Payload,
            (FileKind::Declaration, DECLARATION_BASE) => FileRole::DeclarationEnvelope,
            (FileKind::Declaration, _) => FileRole::Declaration,
        }
    }
}

/// The order in which files that share a payload type are considered: the
/// file named after the payload type first, then by name. The first is the
/// one `PayloadContent` decodes into and the one an overlay without `file`
/// applies to (Apple splits `com.apple.MCX` over several files).
pub fn main_file_first(file: &SchemaFile) -> (bool, &str) {
    (file.stem() != file.payload_type(), file.path.as_str())
}
