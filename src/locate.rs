//! Finding the built web client inside what the user named.
//!
//! The user may name the client folder itself or a CryoSPARC install: the
//! `cryosparc_master` folder or the folder that holds it. v4.x keeps the
//! client in `cryosparc_app/custom-server/dist/client`, v5.x in
//! `app/custom-server/dist/client`.

use std::fmt;
use std::path::{Path, PathBuf};

/// Where the client was found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Layout {
    /// The folder named is the client.
    Client,
    /// A CryoSPARC v4.x install.
    V4,
    /// A CryoSPARC v5.x install.
    V5,
}

impl fmt::Display for Layout {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Layout::Client => "client folder",
            Layout::V4 => "CryoSPARC v4 layout",
            Layout::V5 => "CryoSPARC v5 layout",
        })
    }
}

const V4: &str = "cryosparc_app/custom-server/dist/client";
const V5: &str = "app/custom-server/dist/client";

/// Returns the client folder and the layout it was found in.
/// Every folder `locate` may find the client in, for `input`, in the order
/// it looks, with the layout each one means.
pub fn candidates(input: &Path) -> Vec<(PathBuf, Layout)> {
    let mut all = vec![(input.to_path_buf(), Layout::Client)];
    for base in [input.to_path_buf(), input.join("cryosparc_master")] {
        all.extend([(base.join(V4), Layout::V4), (base.join(V5), Layout::V5)]);
    }
    all
}

pub fn locate(input: &Path) -> Result<(PathBuf, Layout), String> {
    let meta = std::fs::metadata(input)
        .map_err(|e| format!("{}: {e}", crate::diagnostics::show_path(input)))?;
    if !meta.is_dir() {
        return Err(format!(
            "{}: not a folder",
            crate::diagnostics::show_path(input)
        ));
    }
    let all = candidates(input);
    if let Some(found) = all.iter().find(|(c, _)| c.join("index.html").is_file()) {
        return Ok(found.clone());
    }
    let looked: Vec<&PathBuf> = all.iter().skip(1).map(|(c, _)| c).collect();
    let places: Vec<String> = looked
        .iter()
        .map(|p| format!("  {}", crate::diagnostics::show_path(p)))
        .collect();
    Err(format!(
        "{}: no web client here (no index.html); looked in:\n{}\nhelp: name the dist/client folder \
         or a CryoSPARC install (cryosparc_master or the folder holding it)",
        crate::diagnostics::show_path(input),
        places.join("\n")
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree(rel: &str) -> tempfile::TempDir {
        let t = tempfile::tempdir().unwrap();
        let dir = t.path().join(rel);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("index.html"), "<!doctype html>").unwrap();
        t
    }

    #[test]
    fn finds_each_layout() {
        let t = tree("cryosparc_master/cryosparc_app/custom-server/dist/client");
        assert_eq!(locate(t.path()).unwrap().1, Layout::V4);
        assert_eq!(
            locate(&t.path().join("cryosparc_master")).unwrap().1,
            Layout::V4
        );
        let t = tree("cryosparc_master/app/custom-server/dist/client");
        let (dir, layout) = locate(t.path()).unwrap();
        assert_eq!(layout, Layout::V5);
        assert!(dir.ends_with("app/custom-server/dist/client"));
        let t = tree("");
        assert_eq!(locate(t.path()).unwrap().1, Layout::Client);
    }

    #[test]
    fn says_where_it_looked() {
        let t = tempfile::tempdir().unwrap();
        let err = locate(t.path()).unwrap_err();
        assert!(err.contains("no web client"), "{err}");
        assert!(err.contains("app/custom-server/dist/client"), "{err}");
    }
}
