//! Writing a profile in one of the encodings.

use serde::Serialize;

/// The encodings a profile can be written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutputFormat {
    /// XML property list: what `.mobileconfig` files usually are.
    Xml,
    /// Binary property list.
    Binary,
    /// JSON: dates as RFC 3339 strings, data as base64 strings.
    Json,
}

impl OutputFormat {
    pub fn parse(name: &str) -> Option<OutputFormat> {
        match name {
            "xml" => Some(OutputFormat::Xml),
            "binary" => Some(OutputFormat::Binary),
            "json" => Some(OutputFormat::Json),
            _ => None,
        }
    }
}

/// Writes a value (typically a typed profile) in `format`.
pub fn write<T: Serialize>(value: &T, format: OutputFormat) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    match format {
        OutputFormat::Xml => {
            plist::to_writer_xml(&mut out, value).map_err(|error| error.to_string())?
        }
        OutputFormat::Binary => {
            plist::to_writer_binary(&mut out, value).map_err(|error| error.to_string())?
        }
        OutputFormat::Json => {
            let value = plist::to_value(value).map_err(|error| error.to_string())?;
            out = serde_json::to_vec_pretty(&super::json::to_json(&value))
                .map_err(|error| error.to_string())?;
            out.push(b'\n');
        }
    }
    Ok(out)
}
