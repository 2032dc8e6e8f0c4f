//! Web app manifests: `start_url`, `scope` and every `src` and `url` of
//! icons, screenshots and shortcuts resolve against the manifest's own URL,
//! so root-relative values become relative to the manifest's folder.
//!
//! serde_json parses; `RawValue` keeps each value as a slice of the input,
//! whose position gives the byte range to replace.

use std::collections::HashMap;

use serde_json::value::RawValue;

use crate::diagnostics::LineIndex;
use crate::edit::{Edit, EditKind};
use crate::rewrite::ParseError;
use crate::urls::{is_root_relative, relative};

type Object<'a> = HashMap<String, &'a RawValue>;

/// Whether a file name is one of a web manifest's.
pub fn is_manifest_name(name: &str) -> bool {
    name.ends_with(".webmanifest") || name == "manifest.json"
}

pub fn rewrite(src: &str, dir: &str) -> Result<Vec<Edit>, ParseError> {
    let lines = LineIndex::new(src);
    let to_error = |e: serde_json::Error| {
        let offset = json_offset(src, e.line(), e.column());
        // serde's own text ends with a position in bytes; ours is in front.
        let text = e.to_string();
        let message = match text.rfind(" at line ") {
            Some(i) => text[..i].to_string(),
            None => text,
        };
        ParseError {
            position: lines.position(offset),
            message,
        }
    };
    let top: Object = serde_json::from_str(src).map_err(to_error)?;
    let mut edits = Vec::new();
    let mut url = |raw: &RawValue| {
        let Ok(value) = serde_json::from_str::<String>(raw.get()) else {
            return;
        };
        if is_root_relative(&value) {
            let start = raw.get().as_ptr() as usize - src.as_ptr() as usize;
            let text = serde_json::to_string(&relative(dir, &value)).unwrap_or_default();
            edits.push(Edit::new(
                start..start + raw.get().len(),
                text,
                EditKind::ManifestUrl,
            ));
        }
    };
    for key in ["start_url", "scope"] {
        if let Some(raw) = top.get(key) {
            url(raw);
        }
    }
    for list in ["icons", "screenshots", "shortcuts"] {
        for item in objects(top.get(list)) {
            for key in ["src", "url"] {
                if let Some(raw) = item.get(key) {
                    url(raw);
                }
            }
            for icon in objects(item.get("icons")) {
                if let Some(raw) = icon.get("src") {
                    url(raw);
                }
            }
        }
    }
    Ok(edits)
}

/// The objects of a JSON array held in `raw`; anything else gives none.
fn objects<'a>(raw: Option<&&'a RawValue>) -> Vec<Object<'a>> {
    raw.and_then(|r| serde_json::from_str::<Vec<Object<'a>>>(r.get()).ok())
        .unwrap_or_default()
}

/// serde_json reports 1-based lines and 1-based byte columns.
fn json_offset(src: &str, line: usize, column: usize) -> usize {
    let start = (1..line).fold(0, |at, _| {
        src[at..].find('\n').map_or(src.len(), |i| at + i + 1)
    });
    (start + column.saturating_sub(1)).min(src.len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::edit::splice;

    #[test]
    fn manifest_urls_become_relative() {
        let src = "{\n  \"name\": \"x\",\n  \"start_url\": \"/\", \"scope\": \"/\",\n  \"icons\": [{\"src\": \"/android-chrome-192x192.png\", \"sizes\": \"192x192\"}, {\"src\": \"icon.png\"}],\n  \"shortcuts\": [{\"url\": \"/browse\", \"icons\": [{\"src\": \"\\/i.png\"}]}]\n}\n";
        let mut edits = rewrite(src, "").unwrap();
        let out = String::from_utf8(splice(src.as_bytes(), &mut edits).unwrap()).unwrap();
        assert_eq!(
            out,
            "{\n  \"name\": \"x\",\n  \"start_url\": \"./\", \"scope\": \"./\",\n  \"icons\": [{\"src\": \"./android-chrome-192x192.png\", \"sizes\": \"192x192\"}, {\"src\": \"icon.png\"}],\n  \"shortcuts\": [{\"url\": \"./browse\", \"icons\": [{\"src\": \"./i.png\"}]}]\n}\n"
        );
    }

    #[test]
    fn bad_json_has_position() {
        let err = rewrite("{\n \"a\": 1,\n ]", "").unwrap_err();
        assert_eq!(err.position.line, 3);
    }
}
