//! JavaScript: find the URLs and page-location uses in a script or module.
//!
//! The file is parsed with swc; a visitor records *sites*: string and
//! template literals that name a file of the bundle or a server route, the
//! bundler's preload base, uses of the global `location`, and the path after
//! `location.host` in a websocket URL. Whether a literal resolves against the
//! document or against the file itself is only known once every file has
//! been seen (a file started by `new Worker` resolves against itself), so
//! turning sites into edits is a second step, [`Analysis::edits`].
//!
//! ```text
//! fetch(`/api/cmd/vis/${uid}`)     ->  fetch(`${(self.__csprefix_root||"")}/api/cmd/vis/${uid}`)
//! img.src = "/assets/logo.png"     ->  img.src = `${(self.__csprefix_root||"")}/assets/logo.png`
//! location.href = "/login"         ->  (self.__csprefix_loc||location).href = "/login"
//! importScripts("/assets/v.js")    ->  importScripts("./v.js")          (in a worker)
//! import("/assets/lazy.js")        ->  import("./lazy.js")              (in assets/)
//! ```
//!
//! Page routes such as `"/login"` stay as they are: the bootstrap adds the
//! mount root where a path leaves the app and removes it where the app reads
//! the location, so the router's comparisons and fixed-length cuts still hold.

use rustc_hash::FxHashSet as HashSet;
use std::ops::Range;

use swc_core::common::{
    sync::Lrc, FileName, Globals, Mark, SourceMap, Span, Spanned, SyntaxContext, GLOBALS,
};
use swc_core::ecma::ast::*;
use swc_core::ecma::parser::{parse_file_as_program, EsSyntax, Syntax};
use swc_core::ecma::transforms::base::resolver;
use swc_core::ecma::visit::{Visit, VisitMutWith, VisitWith};

use crate::diagnostics::LineIndex;
use crate::edit::{Edit, EditKind};
use crate::rewrite::{Kept, ParseError};
use crate::urls::{is_root_relative, relative, Classifier, Target};

/// The mount root at run time: set by the bootstrap, empty in a worker or
/// when the page is served at `/`.
pub const ROOT_EXPR: &str = "(self.__csprefix_root||\"\")";
/// The page location as the app should see it: the bootstrap's stand-in, or
/// the real one where there is no bootstrap (workers).
pub const LOCATION_EXPR: &str = "(self.__csprefix_loc||location)";

const ROOT_GLOBAL: &str = "__csprefix_root";
const LOCATION_OF: &str = "__csprefix_lo";
const LOCATION_GLOBAL: &str = "__csprefix_loc";

/// What a literal resolves against.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Base {
    /// The document (or, in a worker, the worker's own URL).
    Document,
    /// The module's own URL: `import()`, `new URL(s, import.meta.url)`.
    Module,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum SiteKind {
    /// A string literal; `range` covers its quotes.
    Str { base: Base, kind: EditKind },
    /// The first part of a template literal; `range` covers its raw text.
    TplHead { base: Base, kind: EditKind },
    /// The mount root goes in at `range.start` inside a template.
    TplInsert,
    /// A `location` object expression.
    Location,
    /// A `location` that is assigned to: `location = x` sets `href`.
    LocationAssign,
    /// `{location}` shorthand in an object literal.
    LocationShorthand,
    /// `x.location` on a value that may be the window (a router handed
    /// the window as an argument); `value` is the text of `x`.
    LocationOf,
    /// The source of a static `import` or `export ... from`: resolved
    /// against the module, and it must stay a plain string.
    ImportSource,
}

#[derive(Clone, Debug, PartialEq, Eq)]
struct Site {
    range: Range<usize>,
    /// The literal's value (for a template: its static head).
    value: String,
    kind: SiteKind,
    /// The quote of a string literal.
    quote: char,
}

/// The result of looking at one JavaScript file.
#[derive(Debug, Default)]
pub struct Analysis {
    sites: Vec<Site>,
    /// Root-relative strings left as they are, with the reason.
    pub kept: Vec<Kept>,
    /// Root-relative paths this file starts as workers (`new Worker(...)`).
    pub worker_targets: Vec<String>,
    /// Paths this file loads with `importScripts`: they run in a worker too.
    pub imported_scripts: Vec<String>,
    /// The file itself calls `importScripts`, so it runs in a worker.
    pub calls_import_scripts: bool,
}

/// Parses `src` and records its sites. `origin` is added to every offset
/// (the position of an inline script inside its HTML file).
pub fn analyze(src: &str, classifier: &Classifier) -> Result<Analysis, ParseError> {
    let cm: Lrc<SourceMap> = Default::default();
    let fm = cm.new_source_file(Lrc::new(FileName::Anon), src.to_string());
    let start = fm.start_pos.0 as usize;
    let syntax = Syntax::Es(EsSyntax {
        jsx: false,
        ..Default::default()
    });
    let mut recovered = Vec::new();
    let lines = LineIndex::new(src);
    let to_error = |span: Span, message: String| {
        let offset = (span.lo.0 as usize).saturating_sub(start);
        ParseError {
            position: lines.position(offset),
            message,
        }
    };
    let program = parse_file_as_program(&fm, syntax, EsVersion::latest(), None, &mut recovered)
        .map_err(|e| to_error(e.span(), e.kind().msg().into_owned()))?;
    if let Some(e) = recovered.first() {
        return Err(to_error(e.span(), e.kind().msg().into_owned()));
    }
    let finder = |unresolved| Finder {
        src,
        start,
        classifier,
        unresolved,
        out: Analysis::default(),
        claimed: HashSet::default(),
        base_candidates: Vec::new(),
        joined_idents: HashSet::default(),
        other_uses: HashSet::default(),
        names_bundle_file: false,
        shadowed: false,
    };
    // First as if every `location` were the page's and every name had one
    // binding; a file that binds one of the global names, or may hold the
    // preload base, gets swc's scope analysis and a second look.
    let mut first = finder(None);
    program.visit_with(&mut first);
    if !first.needs_scopes() {
        return Ok(first.finish());
    }
    GLOBALS.set(&Globals::new(), || {
        let mut program = program;
        let unresolved = Mark::new();
        program.visit_mut_with(&mut resolver(unresolved, Mark::new(), false));
        let mut second = finder(Some(SyntaxContext::empty().apply_mark(unresolved)));
        program.visit_with(&mut second);
        Ok(second.finish())
    })
}

/// Where a script runs, which decides what its literals resolve against.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Context<'a> {
    /// A file of the bundle loaded by the document, in folder `dir`
    /// (relative to the bundle root): URLs resolve against the document,
    /// `import()` against the file.
    Document(&'a str),
    /// A file started as a worker, in folder `dir`: everything resolves
    /// against the file, and there is no bootstrap.
    Worker(&'a str),
    /// An inline script of a document: everything resolves against the
    /// document.
    Inline,
}

/// Parses `src` and nothing else (for the benchmark).
pub fn parse_only(src: &str) -> bool {
    let cm: Lrc<SourceMap> = Default::default();
    let fm = cm.new_source_file(Lrc::new(FileName::Anon), src.to_string());
    let syntax = Syntax::Es(EsSyntax::default());
    let mut recovered = Vec::new();
    parse_file_as_program(&fm, syntax, EsVersion::latest(), None, &mut recovered).is_ok()
}

impl Analysis {
    /// What an inline script keeps that a file would not: static imports of
    /// root-relative paths, which resolve against the document.
    pub fn inline_kept(&self) -> impl Iterator<Item = Kept> + '_ {
        self.sites
            .iter()
            .filter(|s| s.kind == SiteKind::ImportSource)
            .map(|s| Kept {
                offset: s.range.start,
                value: s.value.clone(),
                reason: "static import in an inline script: cannot be given the mount root",
            })
    }

    /// Turns the sites into edits; `origin` is added to every offset.
    pub fn edits(&self, context: Context, origin: usize) -> Vec<Edit> {
        let mut edits = Vec::with_capacity(self.sites.len());
        for site in &self.sites {
            let range = site.range.start + origin..site.range.end + origin;
            let relative_to = match (context, &site.kind) {
                (Context::Worker(dir), _) => Some(dir),
                (
                    Context::Document(dir),
                    SiteKind::Str {
                        base: Base::Module, ..
                    }
                    | SiteKind::TplHead {
                        base: Base::Module, ..
                    },
                ) => Some(dir),
                _ => None,
            };
            if site.kind == SiteKind::ImportSource {
                // In an inline module the document is the base, which a
                // static specifier cannot name; `check` reports it.
                let dir = match context {
                    Context::Document(dir) | Context::Worker(dir) => dir,
                    // Listed by `Analysis::inline_kept`.
                    Context::Inline => continue,
                };
                let text = quoted(&relative(dir, &site.value), site.quote);
                edits.push(Edit::new(range, text, EditKind::JsRelative));
                continue;
            }
            let edit = match (&site.kind, relative_to) {
                (SiteKind::Str { .. }, Some(dir)) => Edit::new(
                    range,
                    quoted(&relative(dir, &site.value), site.quote),
                    EditKind::JsRelative,
                ),
                (SiteKind::TplHead { .. }, Some(dir)) => Edit::new(
                    range,
                    template_text(&relative(dir, &site.value)),
                    EditKind::JsRelative,
                ),
                (SiteKind::Str { kind, .. }, None) => {
                    let body = template_text(&site.value);
                    Edit::new(range, format!("`${{{ROOT_EXPR}}}{body}`"), url_kind(*kind))
                }
                (SiteKind::TplHead { kind, .. }, None) => {
                    Edit::insert(range.start, format!("${{{ROOT_EXPR}}}"), url_kind(*kind))
                }
                (SiteKind::TplInsert, _) => Edit::insert(
                    range.start,
                    format!("${{{ROOT_EXPR}}}"),
                    EditKind::JsWebsocket,
                ),
                (SiteKind::Location, _) => Edit::new(range, LOCATION_EXPR, EditKind::JsLocation),
                (SiteKind::LocationAssign, _) => {
                    Edit::new(range, format!("{LOCATION_EXPR}.href"), EditKind::JsLocation)
                }
                (SiteKind::LocationShorthand, _) => Edit::new(
                    range,
                    format!("location:{LOCATION_EXPR}"),
                    EditKind::JsLocation,
                ),
                (SiteKind::LocationOf, _) => {
                    let x = &site.value;
                    let text = format!("(self.{LOCATION_OF}?self.{LOCATION_OF}({x}):{x}.location)");
                    Edit::new(range, text, EditKind::JsLocation)
                }
                (SiteKind::ImportSource, _) => unreachable!("handled above"),
            };
            edits.push(edit);
        }
        edits
    }
}

/// A module-relative literal inside an inline script resolves against the
/// document, so it is given the mount root like any URL.
fn url_kind(kind: EditKind) -> EditKind {
    match kind {
        EditKind::JsRelative => EditKind::JsUrl,
        k => k,
    }
}

/// A JavaScript string literal for `s` in `quote`.
fn quoted(s: &str, quote: char) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push(quote);
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out.push(quote);
    out
}

/// `s` as the text of a template literal.
fn template_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '`' => out.push_str("\\`"),
            '\\' => out.push_str("\\\\"),
            '\r' => out.push_str("\\r"),
            '$' if chars.peek() == Some(&'{') => out.push_str("\\$"),
            c => out.push(c),
        }
    }
    out
}

/// Where a string literal is used, which decides how an unknown
/// root-relative value is treated.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Use {
    /// Anywhere: only files and declared routes are rewritten.
    Value,
    /// The URL argument of `fetch`, XHR, `new Worker` and the like: loaded
    /// from this server whatever it names.
    Load,
    /// Resolved against the module itself.
    Module,
    /// Compared with another string, never loaded.
    Compared,
}

struct Finder<'a> {
    src: &'a str,
    start: usize,
    classifier: &'a Classifier,
    /// The context of unresolved (global) names, when the file shadows one
    /// of the globals; `None` when every such name is global.
    unresolved: Option<SyntaxContext>,
    out: Analysis,
    /// Start offsets of literals that already have a site or were kept.
    claimed: HashSet<usize>,
    /// `"/"` literals that may be the bundler's preload base, with the name
    /// they are assigned to (if any) and whether they are templates.
    base_candidates: Vec<(Range<usize>, Option<Id>, bool)>,
    /// Names used as the left side of `name + x` or at the start of a
    /// template: how a base constant is joined with a path.
    joined_idents: HashSet<Id>,
    /// Names used any other way: a base constant is only ever joined.
    other_uses: HashSet<Id>,
    /// A literal such as `"assets/lazy-b2.js"` names a file of the bundle
    /// relative to its root: the file builds paths from a base.
    names_bundle_file: bool,
    /// The file binds a name of [`GLOBAL_NAMES`] itself.
    shadowed: bool,
}

/// Names whose global meaning the rules depend on.
const GLOBAL_NAMES: [&str; 5] = ["location", "window", "self", "document", "globalThis"];

impl Finder<'_> {
    fn range(&self, span: Span) -> Range<usize> {
        (span.lo.0 as usize - self.start)..(span.hi.0 as usize - self.start)
    }

    fn finish(mut self) -> Analysis {
        if self.names_bundle_file {
            for (range, name, is_tpl) in std::mem::take(&mut self.base_candidates) {
                let joined = name
                    .as_ref()
                    .is_none_or(|n| self.joined_idents.contains(n) && !self.other_uses.contains(n));
                if joined && self.claimed.insert(range.start) {
                    let (base, kind) = (Base::Document, EditKind::JsPreloadBase);
                    let kind = if is_tpl {
                        SiteKind::TplHead { base, kind }
                    } else {
                        SiteKind::Str { base, kind }
                    };
                    let quote = self.quote_at(range.start);
                    self.out.sites.push(Site {
                        range,
                        value: "/".into(),
                        kind,
                        quote,
                    });
                }
            }
        }
        self.out.sites.sort_by_key(|s| s.range.start);
        self.out.kept.sort_by_key(|k| k.offset);
        self.out
    }

    /// Whether the file needs scope analysis for a second look.
    /// Names alone settle a preload-base candidate unless it is both
    /// joined and used otherwise: only then may two bindings share a name.
    fn needs_scopes(&self) -> bool {
        self.shadowed
            || (self.names_bundle_file
                && self.base_candidates.iter().any(|(_, n, _)| {
                    n.as_ref().is_some_and(|n| {
                        self.joined_idents.contains(n) && self.other_uses.contains(n)
                    })
                }))
    }

    fn binds(&mut self, ident: &Ident) {
        if GLOBAL_NAMES.contains(&&*ident.sym) {
            self.shadowed = true;
        }
    }

    /// The quote character of the literal starting at `offset`.
    fn quote_at(&self, offset: usize) -> char {
        match self.src.as_bytes().get(offset) {
            Some(b'\'') => '\'',
            _ => '"',
        }
    }

    fn is_global(&self, ident: &Ident) -> bool {
        match self.unresolved {
            None => true,
            Some(ctxt) => ident.ctxt.outer() == ctxt.outer(),
        }
    }

    fn is_global_named(&self, e: &Expr, names: &[&str]) -> bool {
        matches!(e, Expr::Ident(i) if names.contains(&&*i.sym) && self.is_global(i))
    }

    /// `location`, `window.location`, `self.location`, `document.location`,
    /// `globalThis.location`: the page's location object.
    fn is_location(&self, e: &Expr) -> bool {
        match e {
            Expr::Ident(i) => &*i.sym == "location" && self.is_global(i),
            Expr::Member(m) => self.is_location_member(m),
            Expr::Paren(p) => {
                self.is_location(&p.expr) || self.is_standin(&p.expr, LOCATION_GLOBAL)
            }
            Expr::Bin(_) => self.is_standin(e, LOCATION_GLOBAL),
            _ => false,
        }
    }

    fn is_location_member(&self, m: &MemberExpr) -> bool {
        let named = match &m.prop {
            MemberProp::Ident(p) => &*p.sym == "location",
            // `window["location"]`
            MemberProp::Computed(c) => {
                matches!(&*c.expr, Expr::Lit(Lit::Str(s)) if s.value.as_atom().is_some_and(|a| &**a == "location"))
            }
            _ => false,
        };
        named
            && self.is_global_named(
                &m.obj,
                &["window", "self", "document", "globalThis", "top", "parent"],
            )
    }

    /// `x.location` where `x` is a name or `this`, not one of the globals.
    fn is_location_of_value(m: &MemberExpr) -> bool {
        matches!(&m.prop, MemberProp::Ident(p) if &*p.sym == "location")
            && matches!(&*m.obj, Expr::Ident(_) | Expr::This(_))
    }

    /// `object.prop` where `object` is the global `object`.
    fn is_global_member(&self, e: &Expr, object: &str, prop: &str) -> bool {
        matches!(e, Expr::Member(m)
            if matches!(&m.prop, MemberProp::Ident(p) if &*p.sym == prop)
            && self.is_global_named(&m.obj, &[object]))
    }

    /// `self.__csprefix_x||...`: what an earlier run wrote.
    fn is_standin(&self, e: &Expr, global: &str) -> bool {
        let e = match e {
            Expr::Paren(p) => &*p.expr,
            e => e,
        };
        let Expr::Bin(b) = e else { return false };
        if b.op != BinaryOp::LogicalOr {
            return false;
        }
        matches!(&*b.left, Expr::Member(m)
            if matches!(&m.prop, MemberProp::Ident(p) if &*p.sym == global)
            && self.is_global_named(&m.obj, &["self"]))
    }

    /// `location.host` (on any form of the location).
    fn is_location_host(&self, e: &Expr) -> bool {
        matches!(e, Expr::Member(m)
            if matches!(&m.prop, MemberProp::Ident(p) if &*p.sym == "host")
            && self.is_location(&m.obj))
    }

    fn location_site(&mut self, span: Span, kind: SiteKind) {
        let range = self.range(span);
        if self.claimed.insert(range.start) {
            self.out.sites.push(Site {
                range,
                value: "location".into(),
                kind,
                quote: '"',
            });
        }
    }

    fn keep(&mut self, offset: usize, value: &str, reason: &'static str) {
        if self.claimed.insert(offset) {
            self.out.kept.push(Kept {
                offset,
                value: value.to_string(),
                reason,
            });
        }
    }

    /// Records a site for a string or template literal used as `use`.
    fn literal(&mut self, e: &Expr, use_: Use) {
        match e {
            Expr::Lit(Lit::Str(s)) => self.str_site(s, use_),
            Expr::Tpl(t) => self.tpl_site(t, use_),
            Expr::Paren(p) => self.literal(&p.expr, use_),
            _ => {}
        }
    }

    fn str_site(&mut self, s: &Str, use_: Use) {
        // A lone surrogate has no UTF-8 form: such a string is left alone.
        let Some(value) = s.value.as_atom().map(|a| a.to_string()) else {
            return;
        };
        let range = self.range(s.span);
        if !is_root_relative(&value) {
            if !value.starts_with('/') && !value.contains("://") && self.classifier.has_file(&value)
            {
                self.names_bundle_file = true;
            }
            return;
        }
        let target = self.classifier.classify(&value);
        self.decide(range, value, target, use_, true);
    }

    fn tpl_site(&mut self, t: &Tpl, use_: Use) {
        let Some(head) = t.quasis.first() else { return };
        let value = match &head.cooked {
            Some(c) => c.to_atom_lossy().to_string(),
            None => return,
        };
        if !is_root_relative(&value) {
            if t.exprs.is_empty() && self.classifier.has_file(&value) {
                self.names_bundle_file = true;
            }
            return;
        }
        let target = if t.exprs.is_empty() {
            self.classifier.classify(&value)
        } else {
            self.classifier.classify_head(&value)
        };
        let range = self.range(head.span);
        self.decide(range, value, target, use_, false);
    }

    fn decide(
        &mut self,
        range: Range<usize>,
        value: String,
        target: Target,
        use_: Use,
        is_str: bool,
    ) {
        if self.claimed.contains(&range.start) {
            return;
        }
        let (base, kind) = match (use_, target) {
            (Use::Compared, Target::Root) => return,
            (Use::Compared, _) => {
                return self.keep(range.start, &value, "compared with a value, not loaded");
            }
            (Use::Module, _) => (Base::Module, EditKind::JsRelative),
            (_, t) if t.is_loaded() => (Base::Document, EditKind::JsUrl),
            (Use::Load, _) => (Base::Document, EditKind::JsUrl),
            (_, Target::Root) => return,
            (_, Target::PageRoute) => {
                return self.keep(
                    range.start,
                    &value,
                    "page route: the app sees paths below the mount root",
                );
            }
            _ => {
                return self.keep(
                    range.start,
                    &value,
                    "not a file of the bundle or a declared route",
                );
            }
        };
        self.claimed.insert(range.start);
        let kind = if is_str {
            SiteKind::Str { base, kind }
        } else {
            SiteKind::TplHead { base, kind }
        };
        let quote = self.quote_at(range.start);
        self.out.sites.push(Site {
            range,
            value,
            kind,
            quote,
        });
    }

    fn import_source(&mut self, s: &Str) {
        let value = s.value.to_atom_lossy().to_string();
        if is_root_relative(&value) {
            let range = self.range(s.span);
            let quote = self.quote_at(range.start);
            self.claimed.insert(range.start);
            self.out.sites.push(Site {
                range,
                value,
                kind: SiteKind::ImportSource,
                quote,
            });
        }
    }

    /// A literal `"/"` or `` `/` ``: its range (for a template, the range of
    /// its text) and whether it is a template.
    fn slash_literal(&self, e: &Expr) -> Option<(Range<usize>, bool)> {
        match e {
            Expr::Lit(Lit::Str(s)) if &*s.value.to_atom_lossy() == "/" => {
                Some((self.range(s.span), false))
            }
            Expr::Tpl(t)
                if t.exprs.is_empty() && t.quasis.first().is_some_and(|q| &*q.raw == "/") =>
            {
                Some((self.range(t.quasis[0].span), true))
            }
            _ => None,
        }
    }

    /// Records the bundle path a worker is started from.
    fn worker_target(&mut self, e: &Expr, list: fn(&mut Analysis) -> &mut Vec<String>) {
        let value = match e {
            Expr::Lit(Lit::Str(s)) => s.value.to_atom_lossy().to_string(),
            Expr::Tpl(t) if t.exprs.is_empty() => {
                match t.quasis.first().and_then(|q| q.cooked.as_ref()) {
                    Some(c) => c.to_atom_lossy().to_string(),
                    None => return,
                }
            }
            _ => return,
        };
        if is_root_relative(&value) {
            let path = value.split(['?', '#']).next().unwrap_or_default();
            list(&mut self.out).push(path[1..].to_string());
        }
    }

    /// In `a + b + c`, the leaves in order.
    fn concat_leaves<'e>(e: &'e Expr, out: &mut Vec<&'e Expr>) {
        match e {
            Expr::Bin(b) if b.op == BinaryOp::Add => {
                Self::concat_leaves(&b.left, out);
                Self::concat_leaves(&b.right, out);
            }
            Expr::Paren(p) => Self::concat_leaves(&p.expr, out),
            e => out.push(e),
        }
    }

    /// `location.origin + location.pathname` and its template form: the page
    /// URL sent as data (a login provider's return address). It must keep
    /// the mount root, so these location reads stay on the real location.
    fn page_url_as_data(&mut self, parts: &[&Expr]) -> bool {
        let prop_of = |e: &Expr| match e {
            Expr::Member(m) if self.is_location(&m.obj) => match &m.prop {
                MemberProp::Ident(p) => Some(p.sym.to_string()),
                _ => None,
            },
            _ => None,
        };
        let props: Vec<Option<String>> = parts.iter().map(|e| prop_of(e)).collect();
        let has = |names: &[&str]| props.iter().flatten().any(|p| names.contains(&p.as_str()));
        if !(has(&["origin", "host", "hostname"]) && has(&["pathname"])) {
            return false;
        }
        for (e, p) in parts.iter().zip(&props) {
            if p.is_some() {
                if let Expr::Member(m) = e {
                    let start = self.range(m.obj.span()).start;
                    self.keep(
                        start,
                        "location",
                        "page URL sent as data: keeps the mount root",
                    );
                }
            }
        }
        true
    }
}

impl Visit for Finder<'_> {
    fn visit_expr(&mut self, e: &Expr) {
        match e {
            Expr::Lit(Lit::Str(s)) => self.str_site(s, Use::Value),
            Expr::Tpl(t) => {
                self.tpl_site(t, Use::Value);
                // `${location.host}/websocket`: the path after the host.
                for (i, q) in t.quasis.iter().enumerate().skip(1) {
                    let starts_path = q
                        .cooked
                        .as_ref()
                        .is_some_and(|c| is_root_relative(&c.to_atom_lossy()));
                    if starts_path && self.is_location_host(&t.exprs[i - 1]) {
                        let range = self.range(q.span);
                        if self.claimed.insert(range.start) {
                            let value = q.cooked.as_ref().map(|c| c.to_atom_lossy().to_string());
                            self.out.sites.push(Site {
                                range,
                                value: value.unwrap_or_default(),
                                kind: SiteKind::TplInsert,
                                quote: '`',
                            });
                        }
                    }
                }
                let parts: Vec<&Expr> = t.exprs.iter().map(|e| &**e).collect();
                self.page_url_as_data(&parts);
                let mut exprs = t.exprs.iter().map(|e| &**e).peekable();
                if t.quasis.first().is_some_and(|q| q.raw.is_empty()) {
                    if let Some(Expr::Ident(i)) = exprs.peek() {
                        self.joined_idents.insert(i.to_id());
                        exprs.next();
                    }
                }
                exprs.for_each(|e| e.visit_with(self));
            }
            // A tagged template is the tag's business, not a URL.
            Expr::TaggedTpl(t) => {
                t.tag.visit_with(self);
                t.tpl.exprs.iter().for_each(|e| e.visit_with(self));
            }
            Expr::Ident(i) if &*i.sym == "location" && self.is_global(i) => {
                self.location_site(i.span, SiteKind::Location);
            }
            Expr::Ident(i) => {
                self.other_uses.insert(i.to_id());
            }
            Expr::Member(m) if self.is_location_member(m) => {
                self.location_site(m.span, SiteKind::Location);
            }
            // What an earlier run wrote for `x.location`.
            Expr::Cond(c) if self.is_global_member(&c.test, "self", LOCATION_OF) => {}
            Expr::Member(m) if Self::is_location_of_value(m) => {
                let obj = &self.src[self.range(m.obj.span())];
                let range = self.range(m.span);
                if self.claimed.insert(range.start) {
                    let value = obj.to_string();
                    self.out.sites.push(Site {
                        range,
                        value,
                        kind: SiteKind::LocationOf,
                        quote: '"',
                    });
                }
            }
            // What an earlier run wrote: leave it alone.
            e if self.is_standin(e, LOCATION_GLOBAL) || self.is_standin(e, ROOT_GLOBAL) => {}
            Expr::Bin(b) => self.visit_bin(b),
            _ => e.visit_children_with(self),
        }
    }

    fn visit_call_expr(&mut self, c: &CallExpr) {
        let first = c
            .args
            .first()
            .filter(|a| a.spread.is_none())
            .map(|a| &*a.expr);
        match &c.callee {
            Callee::Import(_) => {
                if let Some(arg) = first {
                    self.literal(arg, Use::Module);
                }
            }
            Callee::Expr(callee) => {
                let callee = &**callee;
                if self.is_global_named(callee, &["importScripts"]) {
                    self.out.calls_import_scripts = true;
                    for a in &c.args {
                        self.worker_target(&a.expr, |o| &mut o.imported_scripts);
                        self.literal(&a.expr, Use::Load);
                    }
                } else if self.is_global_named(callee, &["fetch", "open"]) {
                    if let Some(arg) = first {
                        self.literal(arg, Use::Load);
                    }
                } else if let Expr::Member(m) = callee {
                    let prop = match &m.prop {
                        MemberProp::Ident(p) => &*p.sym,
                        _ => "",
                    };
                    match prop {
                        "sendBeacon" | "fetch" => {
                            if let Some(arg) = first {
                                self.literal(arg, Use::Load);
                            }
                        }
                        // window.open(url) and xhr.open(method, url).
                        "open" => {
                            let is_method = matches!(first, Some(Expr::Lit(Lit::Str(s)))
                                if s.value.to_atom_lossy().chars().all(|c| c.is_ascii_alphabetic()));
                            let url = if is_method {
                                c.args.get(1)
                            } else {
                                c.args.first()
                            };
                            if let Some(a) = url.filter(|a| a.spread.is_none()) {
                                self.literal(&a.expr, Use::Load);
                            }
                        }
                        "startsWith" | "endsWith" | "includes" | "indexOf" | "lastIndexOf"
                        | "split" | "replace" | "replaceAll" | "match" | "search" => {
                            for a in &c.args {
                                self.literal(&a.expr, Use::Compared);
                            }
                            if let Expr::Lit(Lit::Str(_)) | Expr::Tpl(_) = &*m.obj {
                                self.literal(&m.obj, Use::Compared);
                            }
                        }
                        _ => {}
                    }
                }
            }
            Callee::Super(_) => {}
        }
        c.visit_children_with(self);
    }

    fn visit_new_expr(&mut self, n: &NewExpr) {
        let args = n.args.as_deref().unwrap_or_default();
        let first = args
            .first()
            .filter(|a| a.spread.is_none())
            .map(|a| &*a.expr);
        if let Some(arg) = first {
            if self.is_global_named(&n.callee, &["Worker", "SharedWorker"]) {
                self.worker_target(arg, |o| &mut o.worker_targets);
                self.literal(arg, Use::Load);
            } else if self.is_global_named(&n.callee, &["EventSource", "WebSocket"]) {
                self.literal(arg, Use::Load);
            } else if self.is_global_named(&n.callee, &["URL"]) {
                let on_module = matches!(args.get(1).map(|a| &*a.expr), Some(Expr::Member(m))
                    if matches!(&*m.obj, Expr::MetaProp(_))
                    && matches!(&m.prop, MemberProp::Ident(p) if &*p.sym == "url"));
                if on_module {
                    self.literal(arg, Use::Module);
                }
            }
        }
        n.visit_children_with(self);
    }

    fn visit_assign_expr(&mut self, a: &AssignExpr) {
        if a.op == AssignOp::Assign {
            match &a.left {
                AssignTarget::Simple(SimpleAssignTarget::Ident(b))
                    if &*b.id.sym == "location" && self.is_global(&b.id) =>
                {
                    self.location_site(b.id.span, SiteKind::LocationAssign);
                }
                AssignTarget::Simple(SimpleAssignTarget::Member(m))
                    if self.is_location_member(m) =>
                {
                    self.location_site(m.span, SiteKind::LocationAssign);
                }
                _ => {}
            }
        }
        // `x = ...` assigns a binding, it does not declare one.
        if !matches!(&a.left, AssignTarget::Simple(SimpleAssignTarget::Ident(_))) {
            a.left.visit_with(self);
        }
        a.right.visit_with(self);
    }

    fn visit_prop(&mut self, p: &Prop) {
        if let Prop::Shorthand(i) = p {
            if &*i.sym == "location" && self.is_global(i) {
                self.location_site(i.span, SiteKind::LocationShorthand);
                return;
            }
        }
        p.visit_children_with(self);
    }

    fn visit_import_decl(&mut self, d: &ImportDecl) {
        self.import_source(&d.src);
        d.specifiers.visit_with(self);
    }

    // Bindings of the global names: the file needs scope analysis.
    fn visit_binding_ident(&mut self, b: &BindingIdent) {
        self.binds(&b.id);
    }

    fn visit_fn_decl(&mut self, f: &FnDecl) {
        self.binds(&f.ident);
        f.visit_children_with(self);
    }

    fn visit_fn_expr(&mut self, f: &FnExpr) {
        if let Some(i) = &f.ident {
            self.binds(i);
        }
        f.visit_children_with(self);
    }

    fn visit_class_decl(&mut self, c: &ClassDecl) {
        self.binds(&c.ident);
        c.visit_children_with(self);
    }

    fn visit_class_expr(&mut self, c: &ClassExpr) {
        if let Some(i) = &c.ident {
            self.binds(i);
        }
        c.visit_children_with(self);
    }

    fn visit_import_specifier(&mut self, s: &ImportSpecifier) {
        let local = match s {
            ImportSpecifier::Named(n) => &n.local,
            ImportSpecifier::Default(d) => &d.local,
            ImportSpecifier::Namespace(n) => &n.local,
        };
        self.binds(local);
    }

    fn visit_export_all(&mut self, d: &ExportAll) {
        self.import_source(&d.src);
    }

    fn visit_named_export(&mut self, d: &NamedExport) {
        if let Some(src) = &d.src {
            self.import_source(src);
        }
    }

    fn visit_var_declarator(&mut self, d: &VarDeclarator) {
        if let (Pat::Ident(name), Some(init)) = (&d.name, d.init.as_deref()) {
            if let Some((range, is_tpl)) = self.slash_literal(init) {
                self.base_candidates
                    .push((range, Some(name.id.to_id()), is_tpl));
            }
        }
        d.visit_children_with(self);
    }

    fn visit_function(&mut self, f: &Function) {
        // `function(e){return "/"+e}`: Vite's `assetsURL`.
        if let ([param], Some(body)) = (&f.params[..], &f.body) {
            if let ([Stmt::Return(ReturnStmt { arg: Some(arg), .. })], Pat::Ident(p)) =
                (&body.stmts[..], &param.pat)
            {
                if let Expr::Bin(b) = &**arg {
                    let joins_param = b.op == BinaryOp::Add
                        && matches!(&*b.right, Expr::Ident(i) if i.sym == p.id.sym);
                    if let (true, Some((range, is_tpl))) =
                        (joins_param, self.slash_literal(&b.left))
                    {
                        self.base_candidates.push((range, None, is_tpl));
                    }
                }
            }
        }
        f.visit_children_with(self);
    }
}

impl Finder<'_> {
    fn visit_bin(&mut self, b: &BinExpr) {
        self.visit_bin_rules(b);
        match (&b.op, &*b.left) {
            // `base + path`: a join, not another use of `base`.
            (BinaryOp::Add, Expr::Ident(i)) if !(&*i.sym == "location" && self.is_global(i)) => {
                b.right.visit_with(self)
            }
            _ => b.visit_children_with(self),
        }
    }

    fn visit_bin_rules(&mut self, b: &BinExpr) {
        match b.op {
            BinaryOp::EqEq | BinaryOp::EqEqEq | BinaryOp::NotEq | BinaryOp::NotEqEq => {
                self.literal(&b.left, Use::Compared);
                self.literal(&b.right, Use::Compared);
            }
            BinaryOp::Add => {
                if let Expr::Ident(i) = &*b.left {
                    self.joined_idents.insert(i.to_id());
                }
                let mut leaves = Vec::new();
                Self::concat_leaves(&b.left, &mut leaves);
                // `proto + "://" + location.host + "/websocket"`
                if leaves.last().is_some_and(|l| self.is_location_host(l)) {
                    if let Expr::Lit(Lit::Str(s)) = &*b.right {
                        let value = s.value.to_atom_lossy().to_string();
                        if is_root_relative(&value) {
                            let range = self.range(s.span);
                            if self.claimed.insert(range.start) {
                                let quote = self.quote_at(range.start);
                                self.out.sites.push(Site {
                                    range,
                                    value,
                                    kind: SiteKind::Str {
                                        base: Base::Document,
                                        kind: EditKind::JsWebsocket,
                                    },
                                    quote,
                                });
                            }
                        }
                    }
                }
                leaves.push(&b.right);
                self.page_url_as_data(&leaves);
            }
            _ => {}
        }
    }
}

#[cfg(test)]
#[path = "js_tests.rs"]
mod tests;
