//! From a tree of files to the edits of each file.
//!
//! Two passes, both parallel: the first parses every script, because a
//! script's literals resolve against the document unless some other script
//! starts it as a worker; the second turns each file into its edits. Only
//! the small per-script findings are kept between the passes, never the
//! files or their syntax trees.

use std::collections::{HashMap, HashSet};

use rayon::prelude::*;

use crate::diagnostics::{LineIndex, Problem};
use crate::edit::Edit;
use crate::plan::{Entry, Kind};
use crate::rewrite::{compressed, css, html, js, manifest, sourcemap, Kept, ParseError};
use crate::runtime::Bootstrap;
use crate::urls::Classifier;

/// What every file's rewrite depends on.
pub struct Settings {
    pub classifier: Classifier,
    pub bootstrap: Bootstrap,
    /// Where the final version of every file is found once it is written
    /// (the output being built, or the audited tree), for `integrity`.
    pub final_dir: Option<std::path::PathBuf>,
    /// The input tree, for what files were before the rewrite.
    pub input_dir: Option<std::path::PathBuf>,
    /// Column shifts of rewritten files, by the map file they name; `None`
    /// where an edit changed the line structure.
    pub shifts: std::sync::Mutex<HashMap<String, Option<Vec<sourcemap::Shift>>>>,
    /// Leave out compressed copies of rewritten files instead of making
    /// them again.
    pub drop_compressed: bool,
}

impl Settings {
    /// The original and final bytes of the file that `url`, written in a
    /// document in folder `dir`, names.
    fn original_and_final(&self, dir: &str, url: &str) -> Option<(Vec<u8>, Vec<u8>)> {
        let rel = crate::urls::bundle_path(dir, url)?;
        let original = std::fs::read(self.input_dir.as_ref()?.join(&rel)).ok()?;
        Some((original, self.final_file(&rel)?))
    }

    fn final_file(&self, rel: &str) -> Option<Vec<u8>> {
        let dir = self.final_dir.as_ref()?;
        if rel.split('/').any(|s| s == ".." || s.is_empty()) {
            return None;
        }
        std::fs::read(dir.join(rel)).ok()
    }
}

/// The tree after the first pass.
pub struct Prepared {
    pub entries: Vec<Entry>,
    scripts: Vec<Option<Result<js::Analysis, ParseError>>>,
    workers: HashSet<String>,
}

/// A file's edits, or why it has none.
pub enum Outcome {
    /// Not a file the tool reads (images, folders, links).
    Copy,
    Edits {
        src: Vec<u8>,
        edits: Vec<Edit>,
        kept: Vec<Kept>,
    },
    Failed(Vec<Problem>),
    /// A compressed copy made again from its rewritten file.
    Regenerated {
        src: Vec<u8>,
        output: Vec<u8>,
    },
    /// A compressed copy of a rewritten file, left out as asked.
    Dropped,
}

const BOM: &[u8] = b"\xEF\xBB\xBF";

/// Reads a text file: the bytes, and the text after any byte-order mark.
fn read_text(entry: &Entry) -> Result<Vec<u8>, Problem> {
    let bytes = std::fs::read(&entry.path).map_err(|e| Problem::file(&entry.rel, e.to_string()))?;
    if let Err(e) = std::str::from_utf8(&bytes) {
        let valid = &bytes[..e.valid_up_to()];
        let text = std::str::from_utf8(valid).unwrap_or_default();
        let pos = LineIndex::new(text).position(text.len());
        return Err(Problem::at(
            &entry.rel,
            pos,
            "invalid UTF-8; the file was left as it is",
        ));
    }
    Ok(bytes)
}

fn text_of(bytes: &[u8]) -> (usize, &str) {
    let skip = if bytes.starts_with(BOM) { BOM.len() } else { 0 };
    (
        skip,
        std::str::from_utf8(&bytes[skip..]).unwrap_or_default(),
    )
}

fn problem(entry: &Entry, e: ParseError) -> Problem {
    Problem::at(&entry.rel, e.position, e.message)
}

thread_local! {
    static GUARDED: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Whether this thread is inside [`guarded`], where a panic becomes a
/// problem with one file.
pub fn in_guard() -> bool {
    GUARDED.with(|g| g.get())
}

/// Runs `f`, turning a panic into a message.
fn guarded<T>(f: impl FnOnce() -> T) -> Result<T, String> {
    let outer = GUARDED.with(|g| g.replace(true));
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
    GUARDED.with(|g| g.set(outer));
    result.map_err(|payload| {
        let what = payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_default();
        format!("internal error, please report it: {what}; the file was left as it is")
    })
}

/// A compressed copy whose file changed is made again (or dropped).
fn compressed_copy(entry: &Entry, settings: &Settings) -> Outcome {
    let Some(codec) = compressed::Codec::of(&entry.rel) else {
        return Outcome::Copy;
    };
    let Some(base) = settings.final_file(compressed::Codec::base(&entry.rel)) else {
        return Outcome::Copy;
    };
    let src = match std::fs::read(&entry.path) {
        Ok(b) => b,
        Err(e) => return Outcome::Failed(vec![Problem::file(&entry.rel, e.to_string())]),
    };
    match compressed::decompress(codec, &src) {
        Ok(plain) if plain == base => Outcome::Copy,
        Ok(_) if settings.drop_compressed => Outcome::Dropped,
        Ok(_) => match compressed::compress(codec, &base) {
            Ok(output) => Outcome::Regenerated { src, output },
            Err(e) => Outcome::Failed(vec![Problem::file(&entry.rel, e.to_string())]),
        },
        // Not a copy of its file after all (or not compressed): leave it.
        Err(_) => Outcome::Copy,
    }
}

/// The first pass: parse every script.
pub fn prepare(entries: Vec<Entry>, settings: &Settings) -> Prepared {
    let scripts: Vec<Option<Result<js::Analysis, ParseError>>> = entries
        .par_iter()
        .map(|entry| {
            if entry.kind != Kind::Js || crate::output::interrupted() {
                return None;
            }
            let bytes = read_text(entry).ok()?;
            let (_, text) = text_of(&bytes);
            let analysis = guarded(|| js::analyze(text, &settings.classifier));
            Some(analysis.unwrap_or_else(|message| {
                Err(ParseError {
                    position: crate::diagnostics::Position { line: 1, column: 1 },
                    message,
                })
            }))
        })
        .collect();
    let mut workers = HashSet::new();
    for a in scripts.iter().flatten().flatten() {
        workers.extend(a.worker_targets.iter().cloned());
        workers.extend(a.imported_scripts.iter().cloned());
    }
    for (entry, a) in entries.iter().zip(&scripts) {
        if let Some(Ok(a)) = a {
            if a.calls_import_scripts {
                workers.insert(entry.rel.clone());
            }
        }
    }
    Prepared {
        entries,
        scripts,
        workers,
    }
}

impl Prepared {
    /// The entries in two passes, run one after the other: documents and
    /// maps (`Kind::is_late`) go after the files they depend on.
    pub fn passes(&self) -> (Vec<usize>, Vec<usize>) {
        (0..self.entries.len()).partition(|&i| !self.entries[i].kind.is_late())
    }

    fn source_map(&self, entry: &Entry, settings: &Settings) -> Outcome {
        let shifts = settings
            .shifts
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(&entry.rel)
            .cloned();
        let Some(shifts) = shifts else {
            return Outcome::Copy;
        };
        let bytes = match read_text(entry) {
            Ok(b) => b,
            Err(p) => return Outcome::Failed(vec![p]),
        };
        let Some(shifts) = shifts else {
            let why = "the file it maps was rewritten across lines; this map no longer matches it";
            return Outcome::Failed(vec![Problem::file(&entry.rel, why)]);
        };
        let (origin, text) = text_of(&bytes);
        match sourcemap::rewrite(text, &shifts) {
            Ok(mut edits) => {
                for e in &mut edits {
                    e.range = e.range.start + origin..e.range.end + origin;
                }
                Outcome::Edits {
                    src: bytes,
                    edits,
                    kept: Vec::new(),
                }
            }
            Err(m) => Outcome::Failed(vec![Problem::file(&entry.rel, m)]),
        }
    }

    /// Whether the script at `rel` runs as a worker.
    pub fn is_worker(&self, rel: &str) -> bool {
        self.workers.contains(rel)
    }

    /// The second pass for entry `i`. A bug in a rule fails the file, not
    /// the run.
    pub fn outcome(&self, i: usize, settings: &Settings) -> Outcome {
        guarded(|| self.outcome_unguarded(i, settings))
            .unwrap_or_else(|m| Outcome::Failed(vec![Problem::file(&self.entries[i].rel, m)]))
    }

    fn outcome_unguarded(&self, i: usize, settings: &Settings) -> Outcome {
        let entry = &self.entries[i];
        if matches!(entry.kind, Kind::Other | Kind::Folder | Kind::Link) {
            return Outcome::Copy;
        }
        if entry.kind == Kind::SourceMap {
            return self.source_map(entry, settings);
        }
        if entry.kind == Kind::Compressed {
            return compressed_copy(entry, settings);
        }
        let bytes = match read_text(entry) {
            Ok(b) => b,
            Err(p) => return Outcome::Failed(vec![p]),
        };
        let (origin, text) = text_of(&bytes);
        let fail = |e: ParseError| Outcome::Failed(vec![problem(entry, e)]);
        let (mut edits, mut kept) = match entry.kind {
            Kind::Js => match &self.scripts[i] {
                Some(Ok(a)) => {
                    let context = if self.is_worker(&entry.rel) {
                        js::Context::Worker(entry.dir())
                    } else {
                        js::Context::Document(entry.dir())
                    };
                    (a.edits(context, 0), a.kept.clone())
                }
                Some(Err(e)) => return fail(e.clone()),
                None => {
                    return Outcome::Failed(vec![Problem::file(&entry.rel, "could not be read")])
                }
            },
            Kind::Css => match css::rewrite(text, entry.dir()) {
                Ok(r) => r,
                Err(e) => return fail(e),
            },
            Kind::WebManifest => match manifest::rewrite(text, entry.dir()) {
                Ok(edits) => (edits, Vec::new()),
                Err(e) => return fail(e),
            },
            Kind::Html => {
                match html::rewrite(text, &settings.classifier, &settings.bootstrap, &|url| {
                    settings.original_and_final(entry.dir(), url)
                }) {
                    Ok(r) => r,
                    Err(errors) => {
                        return Outcome::Failed(
                            errors.into_iter().map(|e| problem(entry, e)).collect(),
                        )
                    }
                }
            }
            Kind::Other | Kind::Folder | Kind::Link | Kind::SourceMap | Kind::Compressed => {
                unreachable!("handled above")
            }
        };
        if !edits.is_empty() && matches!(entry.kind, Kind::Js | Kind::Css) {
            if let Some(map) = sourcemap::named_map(&bytes, entry.dir()) {
                let shifts = sourcemap::shifts(text.as_bytes(), &edits);
                settings
                    .shifts
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .insert(map, shifts);
            }
        }
        if origin > 0 {
            for e in &mut edits {
                e.range = e.range.start + origin..e.range.end + origin;
            }
            for k in &mut kept {
                k.offset += origin;
            }
        }
        Outcome::Edits {
            src: bytes,
            edits,
            kept,
        }
    }
}
