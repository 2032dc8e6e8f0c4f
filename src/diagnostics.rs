//! Problems with input files, positions in them, and how both are printed.
//!
//! Every problem names the file and a 1-based `line:column`, where the column
//! counts characters. Paths are printed with control characters escaped so
//! that a file name holding a newline cannot forge a second message.

use std::fmt;
use std::path::Path;

/// A 1-based line and column (in characters).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
pub struct Position {
    pub line: usize,
    pub column: usize,
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.line, self.column)
    }
}

/// Maps byte offsets of one file to lines and columns.
pub struct LineIndex<'a> {
    text: &'a str,
    starts: Vec<usize>,
    /// Lines end at CSS's newlines too: `\r`, `\r\n` and form feed.
    css: bool,
}

impl<'a> LineIndex<'a> {
    pub fn new(text: &'a str) -> LineIndex<'a> {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        LineIndex {
            text,
            starts,
            css: false,
        }
    }

    /// Lines as a CSS tokenizer counts them, which is how CSS parsers
    /// report positions: a lone `\r` and a form feed end a line too.
    pub fn css(text: &'a str) -> LineIndex<'a> {
        let b = text.as_bytes();
        let mut starts = vec![0];
        for (i, &c) in b.iter().enumerate() {
            let ends = match c {
                b'\n' | b'\x0c' => true,
                b'\r' => b.get(i + 1) != Some(&b'\n'),
                _ => false,
            };
            if ends {
                starts.push(i + 1);
            }
        }
        LineIndex {
            text,
            starts,
            css: true,
        }
    }

    /// The position of byte `offset` (clamped to the text).
    pub fn position(&self, offset: usize) -> Position {
        let offset = offset.min(self.text.len());
        let line = self.starts.partition_point(|&s| s <= offset) - 1;
        let start = self.starts[line];
        let column = match self.text.get(start..offset) {
            Some(s) => s.chars().count() + 1,
            None => offset - start + 1,
        };
        Position {
            line: line + 1,
            column,
        }
    }

    /// The positions of many offsets, in one pass over each line however
    /// many offsets it holds (minified files are one long line).
    pub fn positions(&self, offsets: &[usize]) -> Vec<Position> {
        let mut order: Vec<usize> = (0..offsets.len()).collect();
        order.sort_by_key(|&i| offsets[i]);
        let mut out = vec![Position { line: 1, column: 1 }; offsets.len()];
        let (mut line, mut at, mut column) = (usize::MAX, 0, 1);
        for i in order {
            let offset = offsets[i].min(self.text.len());
            let l = self.starts.partition_point(|&s| s <= offset) - 1;
            if l != line {
                (line, at, column) = (l, self.starts[l], 1);
            }
            let walked = self
                .text
                .get(at..offset)
                .map_or(offset - at, |s| s.chars().count());
            column += walked;
            at = offset;
            out[i] = Position {
                line: line + 1,
                column,
            };
        }
        out
    }

    /// The byte offset of a 1-based line and a 1-based column counted in
    /// UTF-16 code units, as CSS parsers report them.
    pub fn offset_utf16(&self, line: usize, column: usize) -> Option<usize> {
        let start = *self.starts.get(line.checked_sub(1)?)?;
        let mut units = 1;
        for (i, c) in self.text[start..].char_indices() {
            let newline = c == '\n' || (self.css && matches!(c, '\r' | '\x0c'));
            if units >= column || newline {
                return Some(start + i);
            }
            units += c.len_utf16();
        }
        Some(self.text.len())
    }
}

/// Something wrong with one input file. As JSON: `path`, `line` and
/// `column` when known, `message`.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Problem {
    /// Path relative to the tree, `/`-separated.
    pub path: String,
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    pub position: Option<Position>,
    pub message: String,
}

impl Problem {
    pub fn at(path: &str, position: Position, message: impl Into<String>) -> Problem {
        Problem {
            path: path.to_string(),
            position: Some(position),
            message: message.into(),
        }
    }

    pub fn file(path: &str, message: impl Into<String>) -> Problem {
        Problem {
            path: path.to_string(),
            position: None,
            message: message.into(),
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", escape(&self.path))?;
        if let Some(p) = self.position {
            write!(f, ":{p}")?;
        }
        write!(f, ": {}", self.message)
    }
}

/// A path shown in a message: control characters escaped.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c.is_control() {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}

/// The peak resident memory of this process in KiB, where the system says
/// (Linux's `VmHWM`).
pub fn peak_memory_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

pub fn show_path(p: &Path) -> String {
    escape(&p.to_string_lossy())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_are_one_based_characters() {
        let text = "ab\nçd\r\nxyz";
        let idx = LineIndex::new(text);
        assert_eq!(idx.position(0), Position { line: 1, column: 1 });
        assert_eq!(idx.position(3), Position { line: 2, column: 1 });
        // `ç` is two bytes but one character.
        assert_eq!(idx.position(5), Position { line: 2, column: 2 });
        assert_eq!(idx.position(text.len()), Position { line: 3, column: 4 });
    }

    #[test]
    fn many_positions_match_one_at_a_time() {
        let text = "aé\n𝒳bc\r\n\nxyz";
        let idx = LineIndex::new(text);
        let offsets: Vec<usize> = (0..=text.len())
            .rev()
            .filter(|&o| text.is_char_boundary(o))
            .collect();
        let many = idx.positions(&offsets);
        for (o, p) in offsets.iter().zip(many) {
            assert_eq!(idx.position(*o), p, "offset {o}");
        }
    }

    #[test]
    fn utf16_columns_map_to_bytes() {
        let text = "a{}\n.𝒳{b:url(/x)}";
        let idx = LineIndex::new(text);
        // `𝒳` is two UTF-16 units and four bytes.
        let off = idx.offset_utf16(2, 4).unwrap();
        assert_eq!(&text[off..off + 2], "{b");
    }

    #[test]
    fn control_characters_are_escaped() {
        let p = Problem::file("a\nb.js", "bad");
        assert_eq!(p.to_string(), "a\\nb.js: bad");
    }
}
