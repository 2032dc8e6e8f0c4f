//! Source maps of rewritten files: shift the generated columns.
//!
//! An edit on a generated line moves everything after it on that line. The
//! map's `mappings` field is decoded just enough to move the generated
//! column of each segment; the other fields of a segment are relative to
//! the previous segment whatever its column, so their encoded text is kept
//! as it is, and so is every byte of the map outside `mappings`.
//!
//! ```text
//! line 0: AAAA,SAAS,KAAK    an edit at column 5 grew by 20 columns
//!     ->  AAAA,SAAS,oBAAK   (the third segment moved from 14 to 34)
//! ```

use std::collections::HashMap;

use serde_json::value::RawValue;

use crate::edit::{Edit, EditKind};

/// How one edit moved the columns of its line, in UTF-16 units.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Shift {
    pub line: usize,
    pub start: usize,
    pub end: usize,
    pub delta: i64,
}

/// The shifts of a file's edits, or `None` when an edit adds or removes a
/// line break (the map would need lines moved, which this does not do).
pub fn shifts(src: &[u8], edits: &[Edit]) -> Option<Vec<Shift>> {
    let text = std::str::from_utf8(src).ok()?;
    let mut out = Vec::with_capacity(edits.len());
    let mut line = 0;
    let mut line_start = 0;
    let mut scanned = 0;
    let mut sorted: Vec<&Edit> = edits.iter().collect();
    sorted.sort_by_key(|e| e.range.start);
    for e in sorted {
        let old = text.get(e.range.clone())?;
        if old.contains('\n') || e.text.contains('\n') {
            return None;
        }
        for (i, b) in text.as_bytes()[scanned..e.range.start].iter().enumerate() {
            if *b == b'\n' {
                line += 1;
                line_start = scanned + i + 1;
            }
        }
        scanned = e.range.start;
        let start = utf16_len(&text[line_start..e.range.start]);
        let end = start + utf16_len(old);
        out.push(Shift {
            line,
            start,
            end,
            delta: utf16_len(&e.text) as i64 - (end - start) as i64,
        });
    }
    Some(out)
}

fn utf16_len(s: &str) -> usize {
    s.chars().map(char::len_utf16).sum()
}

/// The map file a script or stylesheet names in its last
/// `sourceMappingURL` comment, relative to the bundle root.
pub fn named_map(src: &[u8], dir: &str) -> Option<String> {
    let tail = &src[src.len().saturating_sub(1024)..];
    let tail = String::from_utf8_lossy(tail);
    let at = tail.rfind("sourceMappingURL=")?;
    let url = tail[at + "sourceMappingURL=".len()..]
        .split_whitespace()
        .next()?;
    let url = url.trim_end_matches("*/");
    if url.is_empty() || url.contains(':') || url.starts_with('/') {
        return None;
    }
    crate::urls::bundle_path(dir, url)
}

const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

fn decode_vlq(s: &[u8], at: &mut usize) -> Option<i64> {
    let mut value: i64 = 0;
    let mut shift = 0;
    loop {
        let c = *s.get(*at)?;
        *at += 1;
        let digit = B64.iter().position(|&b| b == c)? as i64;
        value |= (digit & 31) << shift;
        if digit & 32 == 0 {
            break;
        }
        shift += 5;
        if shift > 60 {
            return None;
        }
    }
    Some(if value & 1 == 1 {
        -(value >> 1)
    } else {
        value >> 1
    })
}

fn encode_vlq(value: i64, out: &mut String) {
    let mut v = if value < 0 {
        ((-value) << 1) | 1
    } else {
        value << 1
    };
    loop {
        let mut digit = v & 31;
        v >>= 5;
        if v > 0 {
            digit |= 32;
        }
        out.push(B64[digit as usize] as char);
        if v == 0 {
            break;
        }
    }
}

/// `mappings` with the generated columns moved by `shifts`.
pub fn shift_mappings(mappings: &str, shifts: &[Shift]) -> Option<String> {
    let mut by_line: HashMap<usize, Vec<&Shift>> = HashMap::new();
    for s in shifts {
        by_line.entry(s.line).or_default().push(s);
    }
    let mut out = String::with_capacity(mappings.len() + shifts.len() * 2);
    for (n, line) in mappings.split(';').enumerate() {
        if n > 0 {
            out.push(';');
        }
        let Some(moves) = by_line.get(&n) else {
            out.push_str(line);
            continue;
        };
        let (mut column, mut written) = (0i64, 0i64);
        for (k, segment) in line.split(',').enumerate() {
            if k > 0 {
                out.push(',');
            }
            if segment.is_empty() {
                continue;
            }
            let bytes = segment.as_bytes();
            let mut at = 0;
            column += decode_vlq(bytes, &mut at)?;
            let col = column as usize;
            let mut moved = column;
            for s in moves {
                if s.start == s.end {
                    // An insertion: what was at its column follows it.
                    if col >= s.start {
                        moved += s.delta;
                    }
                } else if col >= s.end {
                    moved += s.delta;
                } else if col > s.start {
                    // Inside the replaced text: map to where it starts.
                    moved -= (col - s.start) as i64;
                }
            }
            encode_vlq(moved - written, &mut out);
            written = moved;
            out.push_str(&segment[at..]);
        }
    }
    Some(out)
}

/// Edits for a map file: its `mappings` string replaced.
pub fn rewrite(src: &str, shifts: &[Shift]) -> Result<Vec<Edit>, String> {
    let top: HashMap<String, &RawValue> = serde_json::from_str(src).map_err(|e| e.to_string())?;
    let raw = top.get("mappings").ok_or("no mappings in the source map")?;
    let mappings: String = serde_json::from_str(raw.get()).map_err(|e| e.to_string())?;
    let shifted = shift_mappings(&mappings, shifts).ok_or("mappings are not valid base64 VLQ")?;
    if shifted == mappings {
        return Ok(Vec::new());
    }
    let start = raw.get().as_ptr() as usize - src.as_ptr() as usize;
    let text = serde_json::to_string(&shifted).map_err(|e| e.to_string())?;
    Ok(vec![Edit::new(
        start..start + raw.get().len(),
        text,
        EditKind::SourceMap,
    )])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode_line(line: &str) -> Vec<i64> {
        let mut col = 0;
        line.split(',')
            .map(|s| {
                let mut at = 0;
                col += decode_vlq(s.as_bytes(), &mut at).unwrap();
                col
            })
            .collect()
    }

    #[test]
    fn vlq_round_trip() {
        for v in [0, 1, -1, 15, 16, -16, 1000, -123456] {
            let mut s = String::new();
            encode_vlq(v, &mut s);
            let mut at = 0;
            assert_eq!(decode_vlq(s.as_bytes(), &mut at), Some(v), "{s}");
        }
    }

    #[test]
    fn columns_after_an_edit_move() {
        // Segments at columns 0, 9, 14 on line 0; an edit over 5..8 grows
        // by 20, an insertion at 14 adds 3.
        let shifts = [
            Shift {
                line: 0,
                start: 5,
                end: 8,
                delta: 20,
            },
            Shift {
                line: 0,
                start: 14,
                end: 14,
                delta: 3,
            },
        ];
        let out = shift_mappings("AAAA,SAAS,KAAK;AACA", &shifts).unwrap();
        let (first, second) = out.split_once(';').unwrap();
        assert_eq!(decode_line(first), [0, 29, 37]);
        assert_eq!(second, "AACA");
        // The source fields are kept as they were written.
        assert!(first.ends_with("AAK"));
    }

    #[test]
    fn shifts_from_edits() {
        let src = "ab\nc\"/x\"d";
        let edits = [Edit::new(4..8, "`${r}/x`", EditKind::JsUrl)];
        let s = shifts(src.as_bytes(), &edits).unwrap();
        assert_eq!(
            s,
            [Shift {
                line: 1,
                start: 1,
                end: 5,
                delta: 4
            }]
        );
        let multi = [Edit::new(0..4, "x", EditKind::JsUrl)];
        assert_eq!(shifts(src.as_bytes(), &multi), None);
    }

    /// Generated (line, column) of every segment.
    fn positions(map: &str) -> Vec<(usize, usize)> {
        let v: serde_json::Value = serde_json::from_str(map).unwrap();
        let mappings = v["mappings"].as_str().unwrap();
        let mut out = Vec::new();
        for (n, line) in mappings.split(';').enumerate() {
            if !line.is_empty() {
                out.extend(decode_line(line).into_iter().map(|c| (n, c as usize)));
            }
        }
        out
    }

    fn char_at(text: &str, (line, col): (usize, usize)) -> Option<char> {
        let l = text.split('\n').nth(line)?;
        let mut units = 0;
        for c in l.chars() {
            if units == col {
                return Some(c);
            }
            units += c.len_utf16();
        }
        None
    }

    #[test]
    fn fixture_maps_still_point_at_the_same_code() {
        let root =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/svelte-vite-current");
        let mut checked = 0;
        for entry in std::fs::read_dir(root.join("dist/client/assets")).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            if !name.ends_with(".js.map") {
                continue;
            }
            let js_name = name.trim_end_matches(".map");
            let read = |dir: &str, n: &str| {
                std::fs::read_to_string(root.join(dir).join("assets").join(n)).unwrap()
            };
            let (js0, map0) = (read("dist/client", js_name), read("dist/client", &name));
            let (js1, map1) = (read("expected", js_name), read("expected", &name));
            let (p0, p1) = (positions(&map0), positions(&map1));
            assert_eq!(p0.len(), p1.len());
            for (a, b) in p0.iter().zip(&p1) {
                let (x, y) = (char_at(&js0, *a), char_at(&js1, *b));
                // A segment inside a rewritten literal lands on its start.
                if x != y {
                    assert!(
                        matches!(y, Some('`' | '"' | '\'' | '(')),
                        "{name}: {a:?}->{b:?}: {x:?} vs {y:?}"
                    );
                }
                checked += 1;
            }
        }
        assert!(checked > 100, "only {checked} segments checked");
    }

    #[test]
    fn map_names() {
        let js = b"x=1\n//# sourceMappingURL=index-abc.js.map\n";
        assert_eq!(
            named_map(js, "assets").as_deref(),
            Some("assets/index-abc.js.map")
        );
        let css = b".a{}\n/*# sourceMappingURL=../maps/a.css.map */";
        assert_eq!(
            named_map(css, "assets/css").as_deref(),
            Some("assets/maps/a.css.map")
        );
        assert_eq!(named_map(b"x", "assets"), None);
    }
}
