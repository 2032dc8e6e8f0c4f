//! Edits and the splicing of edits into the original bytes.
//!
//! The parsers only locate; every change the tool makes is an [`Edit`] that
//! replaces one byte range of the original file. Splicing copies everything
//! outside the edits unchanged, so a diff of input and output shows only the
//! URLs and the bootstrap.

use std::collections::BTreeMap;
use std::fmt;
use std::ops::Range;

/// What an edit does, for the summary, the manifest and `check`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum EditKind {
    /// A document attribute handed to the bootstrap (`src` -> `data-csprefix-src`).
    HtmlAttribute,
    /// An inline `<style>` handed to the bootstrap.
    HtmlStyle,
    /// The run-time bootstrap inserted or refreshed in a document.
    Bootstrap,
    /// A CSS `url()`, `@import` or `image-set()` made relative to the stylesheet.
    CssUrl,
    /// A JavaScript literal naming a file or server route, given the mount root.
    JsUrl,
    /// A JavaScript literal resolved against its own file (worker, `import()`).
    JsRelative,
    /// The bundler's preload base (`"/"`), given the mount root.
    JsPreloadBase,
    /// A read or write of the page location, routed through the stand-in.
    JsLocation,
    /// The mount root inserted after `location.host` in a websocket URL.
    JsWebsocket,
    /// A URL in a web manifest made relative to the manifest.
    ManifestUrl,
    /// An `integrity` hash or a Content-Security-Policy brought up to date.
    Integrity,
    /// A source map shifted to match its rewritten file.
    SourceMap,
    /// A precompressed copy made again from its rewritten file.
    Compressed,
}

impl EditKind {
    pub const ALL: [EditKind; 13] = [
        EditKind::HtmlAttribute,
        EditKind::HtmlStyle,
        EditKind::Bootstrap,
        EditKind::CssUrl,
        EditKind::JsUrl,
        EditKind::JsRelative,
        EditKind::JsPreloadBase,
        EditKind::JsLocation,
        EditKind::JsWebsocket,
        EditKind::ManifestUrl,
        EditKind::Integrity,
        EditKind::SourceMap,
        EditKind::Compressed,
    ];

    pub fn name(self) -> &'static str {
        match self {
            EditKind::HtmlAttribute => "html-attribute",
            EditKind::HtmlStyle => "html-style",
            EditKind::Bootstrap => "bootstrap",
            EditKind::CssUrl => "css-url",
            EditKind::JsUrl => "js-url",
            EditKind::JsRelative => "js-relative",
            EditKind::JsPreloadBase => "js-preload-base",
            EditKind::JsLocation => "js-location",
            EditKind::JsWebsocket => "js-websocket",
            EditKind::ManifestUrl => "manifest-url",
            EditKind::Integrity => "integrity",
            EditKind::SourceMap => "source-map",
            EditKind::Compressed => "compressed",
        }
    }

    pub fn from_name(name: &str) -> Option<EditKind> {
        EditKind::ALL.into_iter().find(|k| k.name() == name)
    }
}

impl fmt::Display for EditKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One replacement of a byte range of the original file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Edit {
    pub range: Range<usize>,
    pub text: String,
    pub kind: EditKind,
}

impl Edit {
    pub fn new(range: Range<usize>, text: impl Into<String>, kind: EditKind) -> Edit {
        Edit {
            range,
            text: text.into(),
            kind,
        }
    }

    pub fn insert(at: usize, text: impl Into<String>, kind: EditKind) -> Edit {
        Edit::new(at..at, text, kind)
    }
}

/// Counts of edits by kind, in a stable order.
pub type EditCounts = BTreeMap<EditKind, u64>;

pub fn count(edits: &[Edit]) -> EditCounts {
    let mut counts = EditCounts::new();
    for e in edits {
        *counts.entry(e.kind).or_default() += 1;
    }
    counts
}

/// Applies `edits` to `src`. Edits are sorted by position; two edits may not
/// overlap, which is a bug in a rule and reported as such.
pub fn splice(src: &[u8], edits: &mut [Edit]) -> Result<Vec<u8>, String> {
    edits.sort_by_key(|e| (e.range.start, e.range.end));
    let extra: usize = edits.iter().map(|e| e.text.len()).sum();
    let mut out = Vec::with_capacity(src.len() + extra);
    let mut at = 0;
    for e in edits.iter() {
        if e.range.start < at || e.range.end > src.len() || e.range.start > e.range.end {
            return Err(format!(
                "internal error: overlapping or out-of-range edit {}..{} ({})",
                e.range.start, e.range.end, e.kind
            ));
        }
        out.extend_from_slice(&src[at..e.range.start]);
        out.extend_from_slice(e.text.as_bytes());
        at = e.range.end;
    }
    out.extend_from_slice(&src[at..]);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splice_keeps_bytes_outside_edits() {
        let src = b"a=\"/x\";\r\nb=1";
        let mut edits = vec![
            Edit::new(3..5, "./x", EditKind::JsUrl),
            Edit::insert(0, "//h\n", EditKind::Bootstrap),
        ];
        let out = splice(src, &mut edits).unwrap();
        assert_eq!(out, b"//h\na=\"./x\";\r\nb=1");
    }

    #[test]
    fn splice_rejects_overlap() {
        let mut edits = vec![
            Edit::new(0..3, "x", EditKind::JsUrl),
            Edit::new(2..4, "y", EditKind::JsUrl),
        ];
        assert!(splice(b"abcdef", &mut edits).is_err());
    }

    #[test]
    fn kind_names_round_trip() {
        for k in EditKind::ALL {
            assert_eq!(EditKind::from_name(k.name()), Some(k));
        }
    }
}
