//! One module per language: parse a file, find what must change, return
//! edits. Nothing here writes files; `plan` decides what each file is and
//! `output` writes the results.

pub mod compressed;
pub mod css;
pub mod html;
pub mod js;
pub mod manifest;
pub mod sourcemap;

use crate::diagnostics::Position;

/// A root-relative string the tool chose to leave as it is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Kept {
    /// Byte offset in the file.
    pub offset: usize,
    pub value: String,
    pub reason: &'static str,
}

/// A file that its parser rejected.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseError {
    pub position: Position,
    pub message: String,
}

/// Runs only the parser of a file's language, for measuring what the
/// rewrite adds to parsing. Returns whether the file parsed.
pub fn parse_only(kind: crate::plan::Kind, text: &str) -> bool {
    use crate::plan::Kind;
    match kind {
        Kind::Js => js::parse_only(text),
        Kind::Css => lightningcss::stylesheet::StyleSheet::parse(text, Default::default()).is_ok(),
        Kind::Html => html::scan_only(text),
        Kind::WebManifest => serde_json::from_str::<serde_json::Value>(text).is_ok(),
        _ => true,
    }
}
