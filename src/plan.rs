//! Walking the input tree and deciding what each entry is.
//!
//! The walk never follows a link: a link is copied as a link when it points
//! to a place inside the tree and refused otherwise. Anything that is
//! neither a file, a folder nor a link (a fifo, a socket) is refused.

use std::path::{Component, Path, PathBuf};

use walkdir::WalkDir;

use crate::diagnostics::{show_path, Problem};
use crate::rewrite::manifest::is_manifest_name;

/// The file the tool writes at the root of every output tree.
pub const MANIFEST_NAME: &str = "csprefix-manifest.json";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Html,
    Css,
    Js,
    WebManifest,
    /// A source map: shifted when the file it maps was rewritten.
    SourceMap,
    /// A precompressed copy (`.gz`, `.br`) of another file.
    Compressed,
    /// Copied as it is: images, fonts, source maps, anything else.
    Other,
    Folder,
    Link,
}

impl Kind {
    /// Kinds whose rewrite depends on the final form of other files:
    /// documents (`integrity`), source maps and compressed copies. They go
    /// after the rest.
    pub fn is_late(self) -> bool {
        matches!(self, Kind::Html | Kind::SourceMap | Kind::Compressed)
    }

    pub fn name(self) -> &'static str {
        match self {
            Kind::Html => "html",
            Kind::Css => "css",
            Kind::Js => "js",
            Kind::WebManifest => "webmanifest",
            Kind::SourceMap => "sourcemap",
            Kind::Compressed => "compressed",
            Kind::Other => "other",
            Kind::Folder => "folder",
            Kind::Link => "link",
        }
    }

    fn of(name: &str) -> Kind {
        let lower = name.to_ascii_lowercase();
        let ext = lower.rsplit_once('.').map_or("", |(_, e)| e);
        match ext {
            "html" | "htm" => Kind::Html,
            "css" => Kind::Css,
            "js" | "mjs" | "cjs" => Kind::Js,
            "map" => Kind::SourceMap,
            "gz" | "br" => Kind::Compressed,
            _ if is_manifest_name(&lower) => Kind::WebManifest,
            _ => Kind::Other,
        }
    }
}

/// One entry of the input tree.
#[derive(Clone, Debug)]
pub struct Entry {
    /// Relative to the tree's root, `/`-separated.
    pub rel: String,
    pub path: PathBuf,
    pub kind: Kind,
}

impl Entry {
    /// The entry's folder relative to the root (`""` at the root).
    pub fn dir(&self) -> &str {
        self.rel.rsplit_once('/').map_or("", |(d, _)| d)
    }
}

/// The entries of `root` in a stable order, without the tool's manifest,
/// and the entries it refused.
pub fn walk(root: &Path) -> (Vec<Entry>, Vec<Problem>) {
    let mut entries = Vec::new();
    let mut problems = Vec::new();
    let walker = WalkDir::new(root)
        .min_depth(1)
        .follow_links(false)
        .sort_by_file_name();
    for item in walker {
        let item = match item {
            Ok(i) => i,
            Err(e) => {
                let path = e.path().map(|p| rel_of(root, p)).unwrap_or_default();
                problems.push(Problem::file(&path, e.to_string()));
                continue;
            }
        };
        let rel = rel_of(root, item.path());
        if item.path().to_str().is_none() {
            problems.push(Problem::file(&rel, "file name is not valid UTF-8"));
            continue;
        }
        let ft = item.file_type();
        let kind = if ft.is_dir() {
            Kind::Folder
        } else if ft.is_symlink() {
            match link_stays_inside(root, item.path()) {
                Ok(()) => Kind::Link,
                Err(why) => {
                    problems.push(Problem::file(&rel, why));
                    continue;
                }
            }
        } else if ft.is_file() {
            if rel == MANIFEST_NAME {
                continue;
            }
            Kind::of(&rel)
        } else {
            problems.push(Problem::file(
                &rel,
                "not a regular file, folder or link; refused",
            ));
            continue;
        };
        entries.push(Entry {
            rel,
            path: item.path().to_path_buf(),
            kind,
        });
    }
    (entries, problems)
}

fn rel_of(root: &Path, p: &Path) -> String {
    let rel = p.strip_prefix(root).unwrap_or(p);
    let parts: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    parts.join("/")
}

/// A link is kept only when its target, read as written, stays inside the
/// tree.
fn link_stays_inside(root: &Path, link: &Path) -> Result<(), String> {
    let target = std::fs::read_link(link).map_err(|e| e.to_string())?;
    if target.is_absolute() {
        return Err(format!(
            "link to an absolute path ({}); refused",
            show_path(&target)
        ));
    }
    // Where the link really leads, through any other links on the way.
    if let (Ok(real), Ok(real_root)) = (std::fs::canonicalize(link), std::fs::canonicalize(root)) {
        if !real.starts_with(&real_root) {
            return Err(format!(
                "link leads outside the tree ({}); refused",
                show_path(&target)
            ));
        }
    }
    let rel = link.strip_prefix(root).unwrap_or(link);
    let mut depth: i64 = rel.components().count() as i64 - 1;
    for c in target.components() {
        match c {
            Component::ParentDir => depth -= 1,
            Component::Normal(_) => depth += 1,
            _ => {}
        }
        if depth < 0 {
            return Err(format!(
                "link points outside the tree ({}); refused",
                show_path(&target)
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_by_name() {
        let table = [
            ("index.html", Kind::Html),
            ("a/b.CSS", Kind::Css),
            ("assets/x.mjs", Kind::Js),
            ("site.webmanifest", Kind::WebManifest),
            ("manifest.json", Kind::WebManifest),
            ("assets/x.js.map", Kind::SourceMap),
            ("logo.png", Kind::Other),
        ];
        for (name, kind) in table {
            assert_eq!(Kind::of(name), kind, "{name}");
        }
    }
}
