//! One module per language: parse a file, find what must change, return
//! edits. Nothing here writes files; `plan` decides what each file is and
//! `output` writes the results.

pub mod css;
pub mod html;
pub mod js;
pub mod manifest;

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
