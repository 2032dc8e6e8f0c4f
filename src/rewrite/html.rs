//! HTML documents: hand every root-relative URL attribute to the run-time
//! bootstrap, and put the bootstrap first in the document.
//!
//! A URL attribute of the document resolves against the page URL, which at a
//! deep link (`/rnode/h/p/browse/P1`) is not the mount root; and Chromium's
//! preload scanner fetches `src` and `href` before any script runs. So the
//! attribute is renamed, which the scanner ignores, and the bootstrap puts
//! it back with the mount root once it knows it:
//!
//! ```text
//! <script type="module" src="/assets/index.js">
//!   -> <script type="module" data-csprefix-src="/assets/index.js">
//! ```
//!
//! Inline scripts are rewritten like any other script of the document;
//! inline `<style>` elements with root-relative URLs are switched off with
//! a `type` the browser ignores and re-created by the bootstrap.
//!
//! html5ever reports no byte offsets, so tags are found with lol_html, a
//! tokenizer that follows the HTML specification and reports the byte range
//! of every start tag and text chunk; attributes are read from those bytes.

use std::cell::RefCell;
use std::ops::Range;
use std::rc::Rc;

use lol_html::{doctype, element, end_tag, text, HtmlRewriter, Settings};

use sha2::Digest;

use crate::diagnostics::LineIndex;
use crate::edit::{Edit, EditKind};
use crate::rewrite::{css, js, Kept, ParseError};
use crate::runtime::{Bootstrap, BOOTSTRAP_ID, FLUSH_ID, FLUSH_SCRIPT};
use crate::urls::{is_root_relative, Classifier};

/// The prefix that renamed attributes carry.
pub const ATTR_PREFIX: &str = "data-csprefix-";
/// The `type` that switches an inline `<style>` off until the bootstrap
/// re-creates it.
pub const STYLE_TYPE: &str = "text/x-csprefix-css";

/// A problem inside the document, with its own message.
pub type HtmlResult = Result<(Vec<Edit>, Vec<Kept>), Vec<ParseError>>;

#[derive(Debug)]
struct Tag {
    range: Range<usize>,
    name: String,
    /// For a `<script>` or `<style>`, where its end tag ends; `None` when
    /// the file ends first, and everything after the start tag is its text.
    end: Option<usize>,
    /// In HTML content, not inside `<svg>` or `<math>`.
    html: bool,
    /// Inside a `<template>`, whose content is not part of the page.
    inert: bool,
}

impl Tag {
    /// A script or link of the page itself, after which the flush script
    /// may go.
    fn may_precede_flush(&self) -> bool {
        self.html && !self.inert && matches!(self.name.as_str(), "script" | "link")
    }
}

#[derive(Debug, Default)]
struct Scan {
    tags: Vec<Tag>,
    /// The text of each `<script>` and `<style>` element: tag index, range.
    texts: Vec<(usize, Range<usize>)>,
    /// The `<script>` and `<style>` elements open at this point of the scan.
    open: Vec<usize>,
    /// How many `<template>` elements are open.
    templates: usize,
    has_doctype: bool,
}

/// One attribute of a start tag, as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attr {
    pub name: String,
    pub name_range: Range<usize>,
    /// The value with character references decoded; `None` without `=`.
    pub value: Option<String>,
    pub value_range: Range<usize>,
}

fn scan(src: &str) -> Result<Scan, String> {
    let out = Rc::new(RefCell::new(Scan::default()));
    let (tags, texts, doc) = (out.clone(), out.clone(), out.clone());
    let settings = Settings::new()
        .append_element_content_handler(element!("*", move |el| {
            let range = el.source_location().bytes();
            let name = el.tag_name();
            let html = el.namespace_uri() == "http://www.w3.org/1999/xhtml";
            let raw_text = matches!(name.as_str(), "script" | "style");
            // A self-closed script (in SVG) has no end tag to wait for.
            let closed = (!el.can_have_content()).then_some(range.end);
            let template = name == "template" && closed.is_none();
            let index = {
                let mut scan = tags.borrow_mut();
                let inert = scan.templates > 0;
                if template {
                    scan.templates += 1;
                }
                scan.tags.push(Tag {
                    range,
                    name,
                    end: closed,
                    html,
                    inert,
                });
                let index = scan.tags.len() - 1;
                if raw_text && closed.is_none() {
                    scan.open.push(index);
                }
                index
            };
            if template {
                let ends = tags.clone();
                el.on_end_tag(end_tag!(move |_| {
                    let mut scan = ends.borrow_mut();
                    scan.templates = scan.templates.saturating_sub(1);
                    Ok(())
                }))?;
            }
            if raw_text && closed.is_none() {
                let ends = tags.clone();
                el.on_end_tag(end_tag!(move |end| {
                    let mut scan = ends.borrow_mut();
                    scan.tags[index].end = Some(end.source_location().bytes().end);
                    scan.open.retain(|&i| i != index);
                    Ok(())
                }))?;
            }
            Ok(())
        }))
        .append_element_content_handler(text!("script, style", move |t| {
            let mut scan = texts.borrow_mut();
            // Text inside the innermost open element, not inside an element
            // nested in it (which SVG allows) or after it.
            let Some(&owner) = scan.open.last() else {
                return Ok(());
            };
            if scan.tags.len() - 1 != owner {
                return Ok(());
            }
            let range = t.source_location().bytes();
            match scan.texts.last_mut() {
                Some((o, r)) if *o == owner && r.end == range.start => r.end = range.end,
                _ => scan.texts.push((owner, range)),
            }
            Ok(())
        }))
        .append_document_content_handler(doctype!(move |_| {
            doc.borrow_mut().has_doctype = true;
            Ok(())
        }));
    let mut rewriter = HtmlRewriter::new(settings, |_: &[u8]| {});
    rewriter.write(src.as_bytes()).map_err(|e| e.to_string())?;
    rewriter.end().map_err(|e| e.to_string())?;
    let scan = std::mem::take(&mut *out.borrow_mut());
    Ok(scan)
}

/// Tokenizes a document and nothing else (for the benchmark).
pub fn scan_only(src: &str) -> bool {
    scan(src).is_ok()
}

/// Reads the attributes of the start tag `src[range]`.
pub fn attributes(src: &str, range: Range<usize>) -> Vec<Attr> {
    let b = src.as_bytes();
    let end = range.end;
    let mut i = range.start + 1;
    while i < end && !is_space(b[i]) && b[i] != b'/' && b[i] != b'>' {
        i += 1;
    }
    let mut attrs = Vec::new();
    loop {
        while i < end && (is_space(b[i]) || b[i] == b'/') {
            i += 1;
        }
        if i >= end || b[i] == b'>' {
            return attrs;
        }
        let name_start = i;
        i += 1;
        while i < end && !is_space(b[i]) && !matches!(b[i], b'/' | b'>' | b'=') {
            i += 1;
        }
        let name_range = name_start..i;
        while i < end && is_space(b[i]) {
            i += 1;
        }
        let (value, value_range) = if i < end && b[i] == b'=' {
            i += 1;
            while i < end && is_space(b[i]) {
                i += 1;
            }
            let (start, stop) = match b.get(i) {
                Some(&q @ (b'"' | b'\'')) => {
                    let start = i + 1;
                    let stop = start
                        + b[start..end]
                            .iter()
                            .position(|&c| c == q)
                            .unwrap_or(end - start);
                    i = (stop + 1).min(end);
                    (start, stop)
                }
                _ => {
                    let start = i;
                    while i < end && !is_space(b[i]) && b[i] != b'>' {
                        i += 1;
                    }
                    (start, i)
                }
            };
            (Some(decode_entities(&src[start..stop])), start..stop)
        } else {
            (None, i..i)
        };
        attrs.push(Attr {
            name: src[name_range.clone()].to_ascii_lowercase(),
            name_range,
            value,
            value_range,
        });
    }
}

fn is_space(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\n' | b'\r' | b'\x0c')
}

/// Decodes the character references that matter for URLs.
fn decode_entities(s: &str) -> String {
    if !s.contains('&') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        let end = rest.find(';').filter(|&e| e <= 10);
        let decoded = end.and_then(|e| {
            let name = &rest[1..e];
            let c = match name {
                "amp" => Some('&'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "sol" => Some('/'),
                _ if name.starts_with("#x") || name.starts_with("#X") => {
                    u32::from_str_radix(&name[2..], 16)
                        .ok()
                        .and_then(char::from_u32)
                }
                _ if name.starts_with('#') => name[1..].parse().ok().and_then(char::from_u32),
                _ => None,
            };
            c.map(|c| (c, e))
        });
        match decoded {
            Some((c, e)) => {
                out.push(c);
                rest = &rest[e + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// Whether attribute `attr` of element `tag` holds a URL.
fn is_url_attr(tag: &str, attr: &str) -> bool {
    match attr {
        "src" => matches!(
            tag,
            "script"
                | "img"
                | "iframe"
                | "source"
                | "audio"
                | "video"
                | "track"
                | "embed"
                | "input"
                | "frame"
        ),
        "href" => matches!(tag, "a" | "link" | "area" | "base" | "image" | "use"),
        "poster" => tag == "video",
        "action" => tag == "form",
        "formaction" => matches!(tag, "button" | "input"),
        "data" => tag == "object",
        "srcset" | "imagesrcset" => matches!(tag, "img" | "source" | "link"),
        _ => false,
    }
}

/// Whether a `srcset` value has a root-relative candidate.
fn srcset_has_root_relative(v: &str) -> bool {
    v.split(',').any(|c| is_root_relative(c.trim_start()))
}

/// The URL of a `<meta http-equiv="refresh" content="5; url=/x">`.
fn refresh_url(content: &str) -> Option<&str> {
    let lower = content.to_ascii_lowercase();
    let i = lower.find("url")?;
    let rest = content[i + 3..]
        .trim_start()
        .strip_prefix('=')?
        .trim_start();
    Some(rest.trim_matches(|c| c == '"' || c == '\''))
}

/// Whether a `<style>` with this `type` is CSS (any other type is inert).
fn is_css_type(t: Option<&str>) -> bool {
    t.is_none_or(|t| {
        let t = t.trim();
        t.is_empty() || t.eq_ignore_ascii_case("text/css")
    })
}

fn is_js_type(t: Option<&str>) -> bool {
    match t.map(|t| t.trim().to_ascii_lowercase()) {
        None => true,
        Some(t) => matches!(
            t.as_str(),
            "" | "module"
                | "text/javascript"
                | "application/javascript"
                | "text/ecmascript"
                | "application/ecmascript"
        ),
    }
}

/// Gives the final bytes of a file of the bundle, by its path relative to
/// the root, to recompute `integrity` attributes.
/// Given a URL as the document writes it, the original and the final bytes
/// of the file of the bundle it names.
pub type FinalFiles<'a> = &'a (dyn Fn(&str) -> Option<(Vec<u8>, Vec<u8>)> + Sync);

/// Edits for one HTML document.
pub fn rewrite(
    src: &str,
    classifier: &Classifier,
    bootstrap: &Bootstrap,
    final_files: FinalFiles,
) -> HtmlResult {
    let lines = LineIndex::new(src);
    let err_at = |offset: usize, message: String| ParseError {
        position: lines.position(offset),
        message,
    };
    let scan = scan(src).map_err(|m| vec![err_at(0, m)])?;
    let mut edits = Vec::new();
    let mut kept = Vec::new();
    let mut errors = Vec::new();
    let mut has_bootstrap = false;
    let mut has_flush = false;
    let mut csp_attrs: Option<Vec<Attr>> = None;
    // Hash sources of inline scripts the rewrite changes: old -> new.
    let mut rehashed: Vec<(String, String)> = Vec::new();
    // Where the flush goes: after the last renamed <script> or <link>.
    let mut last_renamed: Option<usize> = None;
    let mut head_end = None;
    let mut charset_end = None;
    let mut html_end = None;

    for (index, tag) in scan.tags.iter().enumerate() {
        if tag.name == "script" && tag.end.is_none() {
            // The browser reads the rest of the file as this script's text;
            // nothing after it is markup, and nothing may be put there.
            errors.push(err_at(
                tag.range.start,
                "<script> is not closed: the rest of the file would be its text".into(),
            ));
        }
        let attrs = attributes(src, tag.range.clone());
        let get = |n: &str| {
            attrs
                .iter()
                .find(|a| a.name == n)
                .and_then(|a| a.value.as_deref())
        };
        match tag.name.as_str() {
            "head" if head_end.is_none() => head_end = Some(tag.range.end),
            "html" if html_end.is_none() => html_end = Some(tag.range.end),
            "meta" if charset_end.is_none() => {
                let content_type =
                    get("http-equiv").is_some_and(|v| v.eq_ignore_ascii_case("content-type"));
                if get("charset").is_some() || content_type {
                    charset_end = Some(tag.range.end);
                }
            }
            _ => {}
        }
        if tag.name == "script" && get("id") == Some(BOOTSTRAP_ID) {
            has_bootstrap = true;
            continue;
        }
        if tag.name == "script" && get("id") == Some(FLUSH_ID) {
            has_flush = true;
            continue;
        }
        if let Some(e) = integrity_edit(&attrs, final_files) {
            edits.push(e);
        }
        if tag.name == "meta" && csp_attrs.is_none() {
            let equiv = attrs
                .iter()
                .find(|a| a.name == "http-equiv")
                .and_then(|a| a.value.as_deref());
            if equiv.is_some_and(|e| e.eq_ignore_ascii_case("content-security-policy")) {
                csp_attrs = Some(attrs.clone());
            }
        }
        if tag.name == "style" {
            if get("type") == Some(STYLE_TYPE) {
                kept.push(Kept {
                    offset: tag.range.start,
                    value: "<style>".into(),
                    reason: "handed to the bootstrap",
                });
            } else if let Some((_, text)) = scan
                .texts
                .iter()
                .find(|(o, _)| *o == index)
                .filter(|_| is_css_type(get("type")))
            {
                match css::find_urls(&src[text.clone()], false) {
                    Ok((urls, _)) if !urls.is_empty() => {
                        let at = tag.range.start + "<style".len();
                        edits.push(Edit::insert(
                            at,
                            format!(" type=\"{STYLE_TYPE}\""),
                            EditKind::HtmlStyle,
                        ));
                    }
                    Ok(_) => {}
                    Err(e) => errors.push(shift(&lines, text.start, &src[text.clone()], e)),
                }
            }
        }
        for a in &attrs {
            let Some(value) = a.value.as_deref() else {
                continue;
            };
            if a.name.starts_with(ATTR_PREFIX) {
                if tag.may_precede_flush() {
                    last_renamed = Some(element_end(tag));
                }
                kept.push(Kept {
                    offset: a.name_range.start,
                    value: value.to_string(),
                    reason: "handed to the bootstrap",
                });
                continue;
            }
            let wants = if a.name == "style" {
                match css::find_urls(value, true) {
                    Ok((urls, _)) => !urls.is_empty(),
                    Err(e) => {
                        errors.push(shift(
                            &lines,
                            a.value_range.start,
                            &src[a.value_range.clone()],
                            e,
                        ));
                        false
                    }
                }
            } else if a.name == "srcset" || a.name == "imagesrcset" {
                is_url_attr(&tag.name, &a.name) && srcset_has_root_relative(value)
            } else if a.name == "content" && tag.name == "meta" {
                get("http-equiv").is_some_and(|h| h.eq_ignore_ascii_case("refresh"))
                    && refresh_url(value).is_some_and(is_root_relative)
            } else {
                is_url_attr(&tag.name, &a.name) && is_root_relative(value.trim())
            };
            if wants && tag.may_precede_flush() {
                last_renamed = Some(element_end(tag));
            }
            if wants && tag.inert {
                // Content of a <template> is cloned in later, when nothing
                // would put a renamed attribute back: left as it is.
                kept.push(Kept {
                    offset: a.value_range.start,
                    value: value.to_string(),
                    reason: "inside a <template>; not rewritten",
                });
            } else if wants {
                let name = &src[a.name_range.clone()];
                edits.push(Edit::new(
                    a.name_range.clone(),
                    format!("{ATTR_PREFIX}{name}"),
                    EditKind::HtmlAttribute,
                ));
            }
        }
    }

    // Inline scripts: rewritten as scripts of the document.
    for (owner, text) in &scan.texts {
        let tag = &scan.tags[*owner];
        if tag.name != "script" {
            continue;
        }
        let attrs = attributes(src, tag.range.clone());
        let get = |n: &str| {
            attrs
                .iter()
                .find(|a| a.name == n)
                .and_then(|a| a.value.as_deref())
        };
        let body = &src[text.clone()];
        if get("id") == Some(BOOTSTRAP_ID) {
            if body != bootstrap.script() {
                edits.push(Edit::new(
                    text.clone(),
                    bootstrap.script(),
                    EditKind::Bootstrap,
                ));
            }
            continue;
        }
        if get("id") == Some(FLUSH_ID) {
            if body != FLUSH_SCRIPT {
                edits.push(Edit::new(text.clone(), FLUSH_SCRIPT, EditKind::Bootstrap));
            }
            continue;
        }
        // A script with a URL runs its file, never its text; after the
        // rewrite the URL is in the renamed attribute, and the element would
        // run its text while the page is parsed: the text goes (the copy the
        // bootstrap writes in its place has none either).
        let renamed = get(&format!("{ATTR_PREFIX}src")).is_some();
        let handed =
            renamed || (!tag.inert && get("src").is_some_and(|v| is_root_relative(v.trim())));
        if handed && !body.trim().is_empty() {
            edits.push(Edit::new(text.clone(), "", EditKind::HtmlAttribute));
        }
        if renamed || get("src").is_some() || !is_js_type(get("type")) || body.trim().is_empty() {
            continue;
        }
        match js::analyze(body, classifier) {
            Ok(a) => {
                let mut own = a.edits(js::Context::Inline, 0);
                if !own.is_empty() {
                    if let Ok(new) = crate::edit::splice(body.as_bytes(), &mut own.clone()) {
                        rehashed.extend(
                            hash_sources(body.as_bytes())
                                .into_iter()
                                .zip(hash_sources(&new)),
                        );
                    }
                }
                for e in &mut own {
                    e.range = e.range.start + text.start..e.range.end + text.start;
                }
                edits.extend(own);
                kept.extend(a.inline_kept().map(|k| Kept {
                    offset: k.offset + text.start,
                    ..k
                }));
                kept.extend(a.kept.into_iter().map(|k| Kept {
                    offset: k.offset + text.start,
                    ..k
                }));
            }
            Err(e) => errors.push(shift(&lines, text.start, body, e)),
        }
    }

    if let Some(e) = csp_attrs.and_then(|a| csp_edit(src, &a, bootstrap, &rehashed)) {
        edits.push(e);
    }
    if let (Some(at), false) = (last_renamed, has_flush) {
        let tag = format!("<script id=\"{FLUSH_ID}\">{FLUSH_SCRIPT}</script>");
        edits.push(Edit::insert(at, tag, EditKind::Bootstrap));
    }
    // A full document always gets the bootstrap (its router needs it); a
    // fragment only when something in it was handed to the bootstrap.
    let is_document = scan.has_doctype || head_end.is_some() || html_end.is_some();
    let hands_over = last_renamed.is_some()
        || edits
            .iter()
            .any(|e| matches!(e.kind, EditKind::HtmlAttribute | EditKind::HtmlStyle))
        || kept.iter().any(|k| k.reason == "handed to the bootstrap");
    if (is_document || hands_over) && !has_bootstrap {
        let at = charset_end.or(head_end).or(html_end).unwrap_or(0);
        let tag = format!(
            "<script id=\"{BOOTSTRAP_ID}\">{}</script>",
            bootstrap.script()
        );
        edits.push(Edit::insert(at, tag, EditKind::Bootstrap));
    }
    if errors.is_empty() {
        kept.sort_by_key(|k| k.offset);
        Ok((edits, kept))
    } else {
        Err(errors)
    }
}

/// Where an element ends: after its start tag for a void element, after
/// its end tag for a script.
fn element_end(tag: &Tag) -> usize {
    tag.end.unwrap_or(tag.range.end)
}

/// The `integrity` of a script or stylesheet whose file the rewrite changed,
/// recomputed with the same algorithms.
fn integrity_edit(attrs: &[Attr], final_files: FinalFiles) -> Option<Edit> {
    let integrity = attrs.iter().find(|a| a.name == "integrity")?;
    let old = integrity.value.as_deref()?;
    let url = attrs.iter().find_map(|a| {
        let name = a.name.strip_prefix(ATTR_PREFIX).unwrap_or(&a.name);
        matches!(name, "src" | "href")
            .then_some(a.value.as_deref())
            .flatten()
    })?;
    let (original, bytes) = final_files(url)?;
    let digest = |alg: &str, b: &[u8]| -> Option<String> {
        Some(base64(&match alg {
            "sha256" => sha2::Sha256::digest(b).to_vec(),
            "sha384" => sha2::Sha384::digest(b).to_vec(),
            "sha512" => sha2::Sha512::digest(b).to_vec(),
            _ => return None,
        }))
    };
    // Only a hash that matched the original file is brought up to date; a
    // wrong one stays wrong, as the browser will say.
    let new: Vec<String> = old
        .split_ascii_whitespace()
        .map(|token| {
            let (alg, rest) = token.split_once('-').unwrap_or((token, ""));
            let (value, options) = rest.split_at(rest.find('?').unwrap_or(rest.len()));
            match (digest(alg, &original), digest(alg, &bytes)) {
                (Some(was), Some(now)) if was == value => format!("{alg}-{now}{options}"),
                _ => token.to_string(),
            }
        })
        .collect();
    let new = new.join(" ");
    (new != old).then(|| Edit::new(integrity.value_range.clone(), new, EditKind::Integrity))
}

/// The CSP hash sources of a script's text, in the three algorithms.
fn hash_sources(body: &[u8]) -> [String; 3] {
    [
        format!("'sha256-{}'", base64(&sha2::Sha256::digest(body))),
        format!("'sha384-{}'", base64(&sha2::Sha384::digest(body))),
        format!("'sha512-{}'", base64(&sha2::Sha512::digest(body))),
    ]
}

/// A Content-Security-Policy `<meta>` that forbids inline scripts gets the
/// hashes of the two inline scripts the tool adds, and the hashes of inline
/// scripts the rewrite changed are replaced by their new ones.
fn csp_edit(
    src: &str,
    attrs: &[Attr],
    bootstrap: &Bootstrap,
    rehashed: &[(String, String)],
) -> Option<Edit> {
    let content = attrs.iter().find(|a| a.name == "content")?;
    let policy = content.value.as_deref()?;
    let ours: Vec<String> = [bootstrap.script(), FLUSH_SCRIPT]
        .iter()
        .map(|s| hash_sources(s.as_bytes())[0].clone())
        .collect();
    let directives: Vec<&str> = policy
        .split(';')
        .map(str::trim)
        .filter(|d| !d.is_empty())
        .collect();
    let find = |name: &str| {
        directives.iter().position(|d| {
            d.split_ascii_whitespace()
                .next()
                .is_some_and(|n| n.eq_ignore_ascii_case(name))
        })
    };
    let allows_inline = |d: &str| {
        let lower = d.to_ascii_lowercase();
        lower.contains("'unsafe-inline'") && !lower.contains("'sha") && !lower.contains("'nonce-")
    };
    // The directive that governs inline scripts, as its name and sources.
    let (index, name, sources): (Option<usize>, &str, Vec<&str>) =
        match (find("script-src"), find("default-src")) {
            (Some(i), _) => (
                Some(i),
                "script-src",
                directives[i].split_ascii_whitespace().skip(1).collect(),
            ),
            (None, Some(i)) => (
                None,
                "script-src",
                directives[i].split_ascii_whitespace().skip(1).collect(),
            ),
            (None, None) => return None,
        };
    if allows_inline(&sources.join(" ")) {
        return None;
    }
    let mut new: Vec<String> = Vec::new();
    for s in sources {
        if s.eq_ignore_ascii_case("'none'") {
            continue;
        }
        let s = rehashed
            .iter()
            .find(|(old, _)| old == s)
            .map_or(s.to_string(), |(_, n)| n.clone());
        if !new.contains(&s) {
            new.push(s);
        }
    }
    for h in ours {
        if !new.contains(&h) {
            new.push(h);
        }
    }
    let directive = format!("{name} {}", new.join(" "));
    let mut out: Vec<String> = directives.iter().map(|d| d.to_string()).collect();
    match index {
        Some(i) if out[i] == directive => return None,
        Some(i) => out[i] = directive,
        None => out.push(directive),
    }
    let quote = src
        .as_bytes()
        .get(content.value_range.start.wrapping_sub(1))
        .copied();
    let mut text = out.join("; ");
    text = match quote {
        Some(b'"') => text.replace('"', "&quot;"),
        Some(b'\'') => text.replace('\'', "&#39;"),
        _ => format!("\"{}\"", text.replace('"', "&quot;")),
    };
    Some(Edit::new(
        content.value_range.clone(),
        text,
        EditKind::Integrity,
    ))
}

/// Standard base64 with padding.
fn base64(bytes: &[u8]) -> String {
    const TABLE: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, b)| n | (*b as u32) << (16 - 8 * i));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(TABLE[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// A parse error inside an embedded script or style, placed in the file.
fn shift(lines: &LineIndex, origin: usize, inner: &str, e: ParseError) -> ParseError {
    // Find the byte offset of the inner position, then map it in the file.
    let mut offset = 0;
    for (n, line) in inner.split_inclusive('\n').enumerate() {
        if n + 1 == e.position.line {
            offset += line
                .char_indices()
                .nth(e.position.column - 1)
                .map_or(line.len(), |(i, _)| i);
            break;
        }
        offset += line.len();
    }
    ParseError {
        position: lines.position(origin + offset),
        message: e.message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attributes_as_written() {
        let src = "<link rel=icon HREF='/favicon.svg' crossorigin data-x=\"a&amp;b\">";
        let attrs = attributes(src, 0..src.len());
        let names: Vec<&str> = attrs.iter().map(|a| a.name.as_str()).collect();
        assert_eq!(names, ["rel", "href", "crossorigin", "data-x"]);
        assert_eq!(attrs[1].value.as_deref(), Some("/favicon.svg"));
        assert_eq!(&src[attrs[1].name_range.clone()], "HREF");
        assert_eq!(attrs[2].value, None);
        assert_eq!(attrs[3].value.as_deref(), Some("a&b"));
    }

    #[test]
    fn base64_table() {
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foo"), "Zm9v");
        assert_eq!(base64(b"foobar"), "Zm9vYmFy");
    }

    #[test]
    fn refresh_urls() {
        assert_eq!(refresh_url("0; url=/login"), Some("/login"));
        assert_eq!(refresh_url("5;URL='/x'"), Some("/x"));
        assert_eq!(refresh_url("5"), None);
    }

    fn rewrite_doc(src: &str) -> HtmlResult {
        let classifier = Classifier::new(["assets/a.js"], crate::urls::Profile::cryosparc());
        let bootstrap = Bootstrap::new(&crate::runtime::Mount::Fixed("/x".into()));
        rewrite(src, &classifier, &bootstrap, &|_| None)
    }

    #[test]
    fn an_unclosed_script_is_an_error_at_its_tag() {
        let errors = rewrite_doc("<p>\n  <script src=\"/assets/a.js\">\n<p>").unwrap_err();
        assert_eq!(errors.len(), 1);
        assert_eq!((errors[0].position.line, errors[0].position.column), (2, 3));
        assert!(errors[0].message.contains("not closed"));
    }

    #[test]
    fn the_flush_follows_the_end_tag_as_the_tokenizer_sees_it() {
        // After the end tag as the tokenizer reads it (`</script >`); a
        // self-closed SVG script has no end tag to wait for.
        let src = "<script src=\"/assets/a.js\"></script ><svg><script href=\"/x\"/></svg>";
        let (edits, _) = rewrite_doc(src).unwrap();
        let flush = edits
            .iter()
            .find(|e| e.text.contains(FLUSH_ID))
            .expect("a flush script");
        assert_eq!(flush.range.start, src.find("<svg>").unwrap());
    }

    #[test]
    fn the_text_of_a_handed_script_goes() {
        let src = "<script src=\"/assets/a.js\">config()</script><script src=\"https://x.org/a.js\">k</script>";
        let (edits, _) = rewrite_doc(src).unwrap();
        let at = src.find("config()").unwrap();
        assert!(edits
            .iter()
            .any(|e| e.range == (at..at + "config()".len()) && e.text.is_empty()));
        // A script the tool does not hand over keeps its text.
        let k = src.rfind(">k<").unwrap() + 1;
        assert!(!edits.iter().any(|e| e.range.start == k));
    }

    #[test]
    fn the_flush_never_goes_into_a_template() {
        let src = "<head><script src=\"/assets/a.js\"></script></head><body><template><link rel=stylesheet href=\"/assets/a.css\"><script src=\"/assets/a.js\">t</script></template></body>";
        let (edits, kept) = rewrite_doc(src).unwrap();
        let flush = edits.iter().find(|e| e.text.contains(FLUSH_ID)).unwrap();
        assert_eq!(flush.range.start, src.find("</head>").unwrap());
        // The link inside is left as it is and listed.
        assert!(!edits.iter().any(|e| e.text == "data-csprefix-href"));
        assert!(kept.iter().any(|k| k.reason.contains("template")));
        // Nor is the text of a script there, whose `src` stays.
        assert!(!edits.iter().any(|e| e.text.is_empty()));
    }

    #[test]
    fn a_style_of_another_type_stays_off() {
        let src = "<style type=\"text/foo\">.q{background:url(/assets/a.png)}</style><style type=\"TEXT/CSS\">.q{background:url(/assets/a.png)}</style>";
        let (edits, _) = rewrite_doc(src).unwrap();
        let switched: Vec<usize> = edits
            .iter()
            .filter(|e| e.kind == EditKind::HtmlStyle)
            .map(|e| e.range.start)
            .collect();
        assert_eq!(switched, [src.rfind("<style").unwrap() + "<style".len()]);
    }
}
