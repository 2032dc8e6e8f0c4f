//! Writing the output tree: complete or absent.
//!
//! Everything is written into a temporary folder beside the destination
//! and renamed into place at the end; on any failure, or when the process is
//! interrupted, the temporary folder is removed and the destination is left
//! as it was. The tree carries a manifest of what was done to each file.

use std::collections::BTreeMap;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::diagnostics::show_path;
use crate::edit::EditCounts;
use crate::plan::MANIFEST_NAME;

/// The folders being written, removed if the process is interrupted.
static PENDING: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());
static INTERRUPTED: AtomicBool = AtomicBool::new(false);
static COMMITTING: AtomicBool = AtomicBool::new(false);

/// A temporary folder that is removed unless it is renamed into place.
pub struct Staging {
    dir: PathBuf,
    /// Folders above `dir` that did not exist before, deepest first: removed
    /// with it, so that a failed run leaves the file system as it found it.
    created: Vec<PathBuf>,
    done: bool,
}

impl Staging {
    /// A new, empty folder beside `dest`.
    pub fn beside(dest: &Path) -> io::Result<Staging> {
        let parent = parent_of(dest);
        let created: Vec<PathBuf> = parent
            .ancestors()
            .take_while(|a| !a.as_os_str().is_empty() && !a.exists())
            .map(Path::to_path_buf)
            .collect();
        fs::create_dir_all(&parent)?;
        let name = dest
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let dir = parent.join(format!(".{name}.csprefix-tmp-{}", std::process::id()));
        if dir.exists() {
            fs::remove_dir_all(&dir)?;
        }
        fs::create_dir(&dir)?;
        PENDING
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(dir.clone());
        Ok(Staging {
            dir,
            created,
            done: false,
        })
    }

    pub fn path(&self) -> &Path {
        &self.dir
    }

    /// Puts the finished tree at `dest`, replacing what is there. After
    /// this starts, an interruption no longer stops the run.
    pub fn commit(mut self, dest: &Path) -> io::Result<()> {
        if INTERRUPTED.load(Ordering::SeqCst) {
            return Err(io::Error::new(io::ErrorKind::Interrupted, "interrupted"));
        }
        COMMITTING.store(true, Ordering::SeqCst);
        let old = if dest.exists() || dest.is_symlink() {
            let name = dest
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let old = parent_of(dest).join(format!(".{name}.csprefix-old-{}", std::process::id()));
            fs::rename(dest, &old)?;
            Some(old)
        } else {
            None
        };
        if let Err(e) = fs::rename(&self.dir, dest) {
            if let Some(old) = &old {
                let _ = fs::rename(old, dest);
            }
            return Err(e);
        }
        self.done = true;
        forget(&self.dir);
        if let Some(old) = old {
            let _ = fs::remove_dir_all(&old).or_else(|_| fs::remove_file(&old));
        }
        Ok(())
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.done {
            let _ = fs::remove_dir_all(&self.dir);
            forget(&self.dir);
            for d in &self.created {
                // Only while empty: something else may have been put there.
                let _ = fs::remove_dir(d);
            }
        }
    }
}

/// Clears what a killed run left beside `dest` (see [`remove_stale`]);
/// called before `dest` is looked at, so that an output or an `--in-place`
/// client moved aside by such a run is back where it belongs.
pub fn recover(dest: &Path) {
    if let Some(name) = dest.file_name() {
        remove_stale(dest, &parent_of(dest), &name.to_string_lossy());
    }
}

/// Clears what a run killed outright (out of memory, SIGKILL) left beside
/// `dest`: its temporary folder is removed, and the earlier output it was
/// replacing goes back in place if the new one never got there. Only for
/// processes that no longer exist, where `/proc` tells which are alive.
fn remove_stale(dest: &Path, parent: &Path, name: &str) {
    let proc = Path::new("/proc");
    if !proc.join("self").exists() {
        return;
    }
    let Ok(entries) = fs::read_dir(parent) else {
        return;
    };
    for e in entries.flatten() {
        let file = e.file_name().to_string_lossy().into_owned();
        let pid = [".csprefix-tmp-", ".csprefix-old-"]
            .iter()
            .find_map(|kind| {
                file.strip_prefix(&format!(".{name}{kind}"))
                    .and_then(|p| p.parse::<u32>().ok())
            });
        if let Some(pid) = pid {
            if pid == std::process::id() || proc.join(pid.to_string()).exists() {
                continue;
            }
            let was_output = file.contains(".csprefix-old-");
            if was_output && !dest.exists() && !dest.is_symlink() {
                let _ = fs::rename(e.path(), dest);
            } else {
                let _ = fs::remove_dir_all(e.path());
            }
        }
    }
}

fn forget(dir: &Path) {
    PENDING
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .retain(|d| d != dir);
}

fn parent_of(p: &Path) -> PathBuf {
    match p.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// Called on SIGINT or SIGTERM: the run stops at the next file.
pub fn interrupt() {
    INTERRUPTED.store(true, Ordering::SeqCst);
}

/// Removes the folders being written (a second signal, with writers maybe
/// still running: best effort).
pub fn remove_pending() {
    let dirs = PENDING.lock().unwrap_or_else(|e| e.into_inner()).clone();
    for d in dirs {
        let _ = fs::remove_dir_all(d);
    }
}

pub fn interrupted() -> bool {
    INTERRUPTED.load(Ordering::SeqCst) && !COMMITTING.load(Ordering::SeqCst)
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    let mut s = String::with_capacity(64);
    for b in digest.iter() {
        s.push_str(&format!("{b:02x}"));
    }
    s
}

/// The record written at the root of every output tree.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Manifest {
    pub tool: String,
    pub version: String,
    pub options: Options,
    pub summary: Summary,
    pub files: Vec<FileRecord>,
}

/// The options that decide the output (not `--jobs`, which never does).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct Options {
    pub profile: String,
    pub server_routes: Vec<String>,
    pub page_routes: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub mount_pattern: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub fixed_prefix: Option<String>,
}

impl Options {
    /// How the bootstrap finds the mount root under these options.
    pub fn mount(&self) -> crate::runtime::Mount {
        use crate::runtime::{Mount, DEFAULT_PATTERN};
        match (&self.fixed_prefix, &self.mount_pattern) {
            (Some(f), _) => Mount::Fixed(f.clone()),
            (None, Some(p)) => Mount::Pattern(p.clone()),
            (None, None) => Mount::Pattern(DEFAULT_PATTERN.to_string()),
        }
    }
}

#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct Summary {
    pub files: u64,
    pub rewritten: u64,
    pub failed: u64,
    pub edits: BTreeMap<String, u64>,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct FileRecord {
    pub path: String,
    pub kind: String,
    /// The file before any run of this tool: carried over from the input's
    /// own manifest when the input is an earlier output.
    pub original_sha256: String,
    pub output_sha256: String,
    #[serde(skip_serializing_if = "BTreeMap::is_empty", default)]
    pub edits: BTreeMap<String, u64>,
    #[serde(skip_serializing_if = "std::ops::Not::not", default)]
    pub failed: bool,
}

impl Manifest {
    /// Reads the manifest at the root of `dir`, if there is one.
    pub fn read(dir: &Path) -> Result<Option<Manifest>, String> {
        let path = dir.join(MANIFEST_NAME);
        match fs::read(&path) {
            Ok(bytes) => Manifest::from_slice(&bytes)
                .map(Some)
                .map_err(|e| format!("{}: {e}", show_path(&path))),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(format!("{}: {e}", show_path(&path))),
        }
    }

    /// Reads a manifest from its JSON text.
    pub fn from_slice(bytes: &[u8]) -> Result<Manifest, serde_json::Error> {
        serde_json::from_slice(bytes)
    }

    pub fn to_json(&self) -> String {
        let mut s = serde_json::to_string_pretty(self).expect("manifest serializes");
        s.push('\n');
        s
    }
}

/// Merges a file's edits into the earlier record of the same file, so that
/// the manifest always describes the original file and the final one.
pub fn carry_over(
    earlier: Option<&FileRecord>,
    input_sha: &str,
    counts: &EditCounts,
) -> (String, BTreeMap<String, u64>) {
    let mut edits: BTreeMap<String, u64> = counts
        .iter()
        .map(|(k, n)| (k.name().to_string(), *n))
        .collect();
    match earlier {
        Some(r) if r.output_sha256 == input_sha => {
            for (k, n) in &r.edits {
                *edits.entry(k.clone()).or_default() += n;
            }
            (r.original_sha256.clone(), edits)
        }
        _ => (input_sha.to_string(), edits),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sha256_of_empty() {
        assert_eq!(
            sha256_hex(b""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }

    #[test]
    fn staging_is_removed_unless_committed() {
        let t = tempfile::tempdir().unwrap();
        let dest = t.path().join("out");
        let s = Staging::beside(&dest).unwrap();
        let tmp = s.path().to_path_buf();
        fs::write(tmp.join("a"), "x").unwrap();
        drop(s);
        assert!(!tmp.exists());
        assert!(!dest.exists());
        let s = Staging::beside(&dest).unwrap();
        fs::write(s.path().join("a"), "y").unwrap();
        s.commit(&dest).unwrap();
        assert_eq!(fs::read_to_string(dest.join("a")).unwrap(), "y");
        assert_eq!(fs::read_dir(t.path()).unwrap().count(), 1);
    }

    #[test]
    fn what_a_killed_run_left_is_removed() {
        let t = tempfile::tempdir().unwrap();
        let dest = t.path().join("out");
        // No process has this number (the kernel's limit is lower).
        let dead = t.path().join(".out.csprefix-tmp-999999999");
        let alive = t.path().join(format!(".out.csprefix-tmp-{}", 1));
        let other = t.path().join(".other.csprefix-tmp-999999999");
        for d in [&dead, &alive, &other] {
            fs::create_dir(d).unwrap();
        }
        recover(&dest);
        let s = Staging::beside(&dest).unwrap();
        assert!(!dead.exists());
        assert!(alive.exists(), "process 1 is alive");
        assert!(other.exists(), "another output's folder");
        drop(s);

        // Killed between moving the old output aside and putting the new
        // one in place: the old one comes back.
        let old = t.path().join(".out.csprefix-old-999999999");
        fs::create_dir(&old).unwrap();
        fs::write(old.join("index.html"), "before").unwrap();
        recover(&dest);
        assert_eq!(
            fs::read_to_string(dest.join("index.html")).unwrap(),
            "before"
        );
    }

    #[test]
    fn folders_made_for_an_output_that_never_came_are_removed() {
        let t = tempfile::tempdir().unwrap();
        let dest = t.path().join("a/b/out");
        let s = Staging::beside(&dest).unwrap();
        assert!(t.path().join("a/b").is_dir());
        drop(s);
        assert_eq!(fs::read_dir(t.path()).unwrap().count(), 0);
        let s = Staging::beside(&dest).unwrap();
        s.commit(&dest).unwrap();
        assert!(dest.is_dir());
    }
}
