//! CSS: make every root-relative `url()`, `@import` and `image-set()` URL
//! relative to the stylesheet, which is where the browser resolves them.
//!
//! ```text
//! assets/css/main.css:  .h{background:url(/assets/img/logo.png)}
//!                   ->  .h{background:url(../img/logo.png)}
//! ```
//!
//! lightningcss parses the sheet and reports each URL with a 1-based line
//! and a column in UTF-16 units; the column is turned into a byte offset and
//! the URL's text is found from there, so the edit covers exactly the
//! characters of the URL.

use std::convert::Infallible;

use lightningcss::rules::CssRule;
use lightningcss::stylesheet::{ParserOptions, StyleAttribute, StyleSheet};
use lightningcss::values::image::Image;
use lightningcss::values::url::Url;
use lightningcss::visit_types;
use lightningcss::visitor::{Visit, VisitTypes, Visitor};

use crate::diagnostics::LineIndex;
use crate::edit::{Edit, EditKind};
use crate::rewrite::{Kept, ParseError};
use crate::urls::{is_root_relative, relative};

/// A URL found in a sheet: where its text is, and its value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FoundUrl {
    pub range: std::ops::Range<usize>,
    pub value: String,
}

struct Collector {
    /// (1-based line, 1-based UTF-16 column, value, is an `@import` rule)
    found: Vec<(u32, u32, String, bool)>,
}

impl<'i> Visitor<'i> for Collector {
    type Error = Infallible;

    fn visit_types(&self) -> VisitTypes {
        visit_types!(URLS | RULES | PROPERTIES | IMAGES)
    }

    fn visit_url(&mut self, url: &mut Url<'i>) -> Result<(), Infallible> {
        self.found
            .push((url.loc.line, url.loc.column, url.url.to_string(), false));
        Ok(())
    }

    // lightningcss does not descend into the options of `image-set()`.
    fn visit_image(&mut self, image: &mut Image<'i>) -> Result<(), Infallible> {
        if let Image::ImageSet(set) = image {
            for option in set.options.iter_mut() {
                self.visit_image(&mut option.image)?;
            }
            return Ok(());
        }
        image.visit_children(self)
    }

    fn visit_rule(&mut self, rule: &mut CssRule<'i>) -> Result<(), Infallible> {
        if let CssRule::Import(r) = rule {
            // Rule locations count lines from 0, URL locations from 1.
            self.found
                .push((r.loc.line + 1, r.loc.column, r.url.to_string(), true));
        }
        rule.visit_children(self)
    }
}

/// `lines` counts lines as CSS does; the message gives the position as an
/// editor shows it.
fn parse_error(
    src: &str,
    lines: &LineIndex,
    e: lightningcss::error::Error<impl std::fmt::Display>,
) -> ParseError {
    let offset = e
        .loc
        .as_ref()
        .and_then(|l| lines.offset_utf16(l.line as usize + 1, l.column as usize))
        .unwrap_or(0);
    ParseError {
        position: LineIndex::new(src).position(offset),
        message: e.kind.to_string(),
    }
}

/// Every root-relative URL of a stylesheet (`inline == false`) or of a
/// `style` attribute's declarations (`inline == true`).
pub fn find_urls(src: &str, inline: bool) -> Result<(Vec<FoundUrl>, Vec<Kept>), ParseError> {
    let lines = LineIndex::css(src);
    let mut collector = Collector { found: Vec::new() };
    let options = || ParserOptions {
        error_recovery: false,
        ..ParserOptions::default()
    };
    if inline {
        let mut attr =
            StyleAttribute::parse(src, options()).map_err(|e| parse_error(src, &lines, e))?;
        let _ = attr.declarations.visit(&mut collector);
    } else {
        let mut sheet =
            StyleSheet::parse(src, options()).map_err(|e| parse_error(src, &lines, e))?;
        let _ = sheet.visit(&mut collector);
    }
    let mut urls = Vec::new();
    let mut kept = Vec::new();
    for (line, column, value, is_import) in collector.found {
        if !is_root_relative(&value) {
            continue;
        }
        let Some(at) = lines.offset_utf16(line as usize, column as usize) else {
            continue;
        };
        match url_text(src, at, is_import) {
            Some(range) if src[range.clone()] == value => urls.push(FoundUrl { range, value }),
            _ => kept.push(Kept {
                offset: at,
                value,
                reason: "written with escapes; left as it is",
            }),
        }
    }
    urls.sort_by_key(|u| u.range.start);
    urls.dedup();
    Ok((urls, kept))
}

/// Edits for a stylesheet in folder `dir` (relative to the bundle root).
pub fn rewrite(src: &str, dir: &str) -> Result<(Vec<Edit>, Vec<Kept>), ParseError> {
    let (urls, kept) = find_urls(src, false)?;
    let edits = urls
        .into_iter()
        .map(|u| Edit::new(u.range, relative(dir, &u.value), EditKind::CssUrl))
        .collect();
    Ok((edits, kept))
}

fn skip_blank(src: &[u8], mut at: usize) -> usize {
    loop {
        while at < src.len() && src[at].is_ascii_whitespace() {
            at += 1;
        }
        if src[at..].starts_with(b"/*") {
            match find(src, at + 2, b"*/") {
                Some(end) => at = end + 2,
                None => return src.len(),
            }
        } else {
            return at;
        }
    }
}

fn find(src: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    src.get(from..)?
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|i| i + from)
}

fn starts_with_ci(src: &[u8], at: usize, word: &[u8]) -> bool {
    src.get(at..at + word.len())
        .is_some_and(|s| s.eq_ignore_ascii_case(word))
}

/// The byte range of the URL text that starts at or after `at`: inside the
/// quotes of a string, or the bare text of an unquoted `url(...)`.
fn url_text(src: &str, at: usize, is_import: bool) -> Option<std::ops::Range<usize>> {
    let b = src.as_bytes();
    let mut at = skip_blank(b, at);
    // An `@import` rule may be reported at its keyword or after it.
    if is_import && starts_with_ci(b, at, b"@import") {
        at = skip_blank(b, at + 7);
    }
    if starts_with_ci(b, at, b"url(") {
        at = skip_blank(b, at + 4);
        if !matches!(b.get(at), Some(b'"') | Some(b'\'')) {
            let end = at
                + b[at..]
                    .iter()
                    .position(|c| c.is_ascii_whitespace() || *c == b')')?;
            return Some(at..end);
        }
    }
    let quote = *b.get(at)?;
    if quote != b'"' && quote != b'\'' {
        return None;
    }
    let start = at + 1;
    let mut i = start;
    while i < b.len() {
        match b[i] {
            b'\\' => i += 2,
            c if c == quote => return Some(start..i),
            _ => i += 1,
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::edit::splice;

    fn rewritten(src: &str, dir: &str) -> String {
        let (mut edits, _) = rewrite(src, dir).unwrap();
        String::from_utf8(splice(src.as_bytes(), &mut edits).unwrap()).unwrap()
    }

    #[test]
    fn lines_end_where_css_ends_them() {
        // A lone CR and a form feed end a line for CSS, not for an editor.
        let src = ".a{x:1}\r.b{background:url(/assets/a.png)}\x0c.c{background:url(/assets/b.png)}\r\n.d{background:url(/assets/c.png)}";
        assert_eq!(
            rewritten(src, "assets"),
            src.replace("url(/assets/", "url(./")
        );
        let e = find_urls(".a{x:1}\r.b{color:red}}\x0c.c{", false).unwrap_err();
        assert_eq!(e.position.line, 1, "{e:?}");
    }

    #[test]
    fn url_forms() {
        let table = [
            (
                ".h{background:url(/assets/img/logo-d4.png)}",
                ".h{background:url(../img/logo-d4.png)}",
            ),
            (
                ".h{background:url( \"/assets/img/a.png\" )}",
                ".h{background:url( \"../img/a.png\" )}",
            ),
            (
                "@import \"/assets/css/more.css\";",
                "@import \"./more.css\";",
            ),
            (
                "@import url('/assets/css/more.css') screen;",
                "@import url('./more.css') screen;",
            ),
            (
                ".i{background-image:image-set(\"/assets/img/a.png\" 1x,\"/assets/img/b.png\" 2x)}",
                ".i{background-image:image-set(\"../img/a.png\" 1x,\"../img/b.png\" 2x)}",
            ),
            (
                "@font-face{font-family:x;src:url(/assets/f.woff2) format(\"woff2\")}",
                "@font-face{font-family:x;src:url(../f.woff2) format(\"woff2\")}",
            ),
            (
                ".c{--bg:url(/assets/img/a.png)}",
                ".c{--bg:url(../img/a.png)}",
            ),
        ];
        for (src, want) in table {
            assert_eq!(rewritten(src, "assets/css"), want, "{src}");
        }
    }

    #[test]
    fn leaves_what_is_not_root_relative() {
        let src = ".a{fill:url(#gradient)}.b{background:url(data:image/svg+xml,%3Csvg/%3E)}\
                   .c{background:url(//cdn.example.com/x.png)}.d{background:url(img/x.png)}";
        assert_eq!(rewritten(src, "assets/css"), src);
    }

    #[test]
    fn columns_after_wide_characters() {
        let src = ".𝒳::after{content:\"é𝒳\";background:url(/assets/img/a.png)}";
        assert_eq!(
            rewritten(src, "assets"),
            ".𝒳::after{content:\"é𝒳\";background:url(./img/a.png)}"
        );
    }

    #[test]
    fn crlf_and_comments_kept() {
        let src = "/* url(/x.png) */\r\n.a {\r\n  background: url(/assets/a.png);\r\n}\r\n";
        assert_eq!(
            rewritten(src, "assets"),
            "/* url(/x.png) */\r\n.a {\r\n  background: url(./a.png);\r\n}\r\n"
        );
    }

    #[test]
    fn syntax_error_has_position() {
        let err = rewrite(".a{color:red}\n.b{{}", "").unwrap_err();
        assert_eq!(err.position.line, 2);
    }

    #[test]
    fn inline_style_attribute() {
        let (urls, _) = find_urls("background: url('/assets/a.png'); color: red", true).unwrap();
        assert_eq!(urls.len(), 1);
        assert_eq!(urls[0].value, "/assets/a.png");
    }
}
