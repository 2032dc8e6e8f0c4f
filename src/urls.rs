//! Deciding whether a string is a URL of this app, and what it becomes.
//!
//! A root-relative string (`/x`, never `//x`) is one of: a file or folder of
//! the bundle, a server route that the profile declares (`/api`,
//! `/websocket`), a page route of the client's router (`/login`,
//! `/browse/...`), or something else (text, a path on some other host).
//! Files and server routes are loaded and must gain the mount root; page
//! routes are compared with the path the router reads and stay as they are,
//! because the bootstrap keeps the mount root out of what the app sees.

use std::collections::HashSet;

/// The server and page routes of one kind of client.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Profile {
    pub name: String,
    pub server_routes: Vec<String>,
    pub page_routes: Vec<String>,
}

impl Profile {
    /// CryoSPARC's web client (v4.x and v5.x): its server routes and the
    /// routes of its page router.
    pub fn cryosparc() -> Profile {
        Profile {
            name: "cryosparc".into(),
            server_routes: vec!["/api".into(), "/websocket".into()],
            page_routes: [
                "/login",
                "/reset-password",
                "/create-account",
                "/extend",
                "/browse",
                "/live",
                "/live-dev",
            ]
            .map(String::from)
            .to_vec(),
        }
    }

    pub fn none() -> Profile {
        Profile {
            name: "none".into(),
            ..Profile::default()
        }
    }

    pub fn by_name(name: &str) -> Option<Profile> {
        match name {
            "cryosparc" => Some(Profile::cryosparc()),
            "none" => Some(Profile::none()),
            _ => None,
        }
    }
}

/// What a root-relative string names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    /// Not root-relative: relative, absolute, protocol-relative, empty.
    NotRootRelative,
    /// Exactly `/`: the site root, which is also the client's home route.
    Root,
    /// A file of the bundle.
    File,
    /// A folder of the bundle (`/assets/`), usually joined with a name.
    Folder,
    /// A route of the server declared by the profile.
    ServerRoute,
    /// A route of the client's page router.
    PageRoute,
    /// Root-relative, but none of the above.
    Unknown,
}

impl Target {
    /// Whether the string is loaded from this app's server and so must be
    /// given the mount root wherever it appears.
    pub fn is_loaded(self) -> bool {
        matches!(self, Target::File | Target::Folder | Target::ServerRoute)
    }
}

/// The files of the bundle and the profile's routes.
#[derive(Debug, Default)]
pub struct Classifier {
    files: HashSet<String>,
    folders: HashSet<String>,
    profile: Profile,
}

/// Whether `s` starts with a single `/` (not `//` nor `/\`, which browsers
/// read as protocol-relative).
pub fn is_root_relative(s: &str) -> bool {
    let b = s.as_bytes();
    !b.is_empty() && b[0] == b'/' && !matches!(b.get(1), Some(b'/') | Some(b'\\'))
}

impl Classifier {
    /// `files` are paths relative to the bundle root, separated by `/`.
    pub fn new<I, S>(files: I, profile: Profile) -> Classifier
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let mut c = Classifier {
            profile,
            ..Classifier::default()
        };
        for f in files {
            let f: String = f.into();
            let mut dir = f.as_str();
            while let Some(i) = dir.rfind('/') {
                dir = &dir[..i];
                if !c.folders.insert(dir.to_string()) {
                    break;
                }
            }
            c.files.insert(f);
        }
        c
    }

    pub fn profile(&self) -> &Profile {
        &self.profile
    }

    pub fn has_file(&self, rel: &str) -> bool {
        self.files.contains(rel)
    }

    /// Classifies a complete string such as `"/assets/a.js?v=1"`.
    pub fn classify(&self, s: &str) -> Target {
        self.classify_prefix(s, true)
    }

    /// Classifies the static head of a template literal or concatenation
    /// (`/api/cmd/vis/` in `` `/api/cmd/vis/${uid}` ``): its last segment
    /// may be cut short, so only complete segments decide.
    pub fn classify_head(&self, s: &str) -> Target {
        self.classify_prefix(s, false)
    }

    fn classify_prefix(&self, s: &str, complete: bool) -> Target {
        if !is_root_relative(s) {
            return Target::NotRootRelative;
        }
        // A query or fragment ends the path, so the path is complete even
        // in a head.
        let (path, complete) = match s.find(['?', '#']) {
            Some(i) => (&s[..i], true),
            None => (s, complete),
        };
        if path == "/" {
            return Target::Root;
        }
        let rel = &path[1..];
        if self.files.contains(rel) {
            return Target::File;
        }
        // A folder named in full (`/assets`, `/assets/`), or the folder part
        // of a head that goes on with an expression (`/assets/img/` + name).
        let folder = if complete || rel.ends_with('/') {
            rel.trim_end_matches('/')
        } else {
            &rel[..rel.rfind('/').unwrap_or(0)]
        };
        if !folder.is_empty() && self.folders.contains(folder) {
            return Target::Folder;
        }
        if routes_match(&self.profile.server_routes, path, complete) {
            return Target::ServerRoute;
        }
        if routes_match(&self.profile.page_routes, path, complete) {
            return Target::PageRoute;
        }
        Target::Unknown
    }
}

/// Whether `path` is one of `routes` or below one. A head that an
/// expression continues matches only on a complete segment.
fn routes_match(routes: &[String], path: &str, complete: bool) -> bool {
    routes.iter().any(|r| {
        let r = r.trim_end_matches('/');
        if r.is_empty() {
            return false;
        }
        match path.strip_prefix(r) {
            Some("") => complete,
            Some(rest) => rest.starts_with('/'),
            None => false,
        }
    })
}

/// The path, relative to the bundle root, of the file that `url` names when
/// written in a file in folder `dir`; `None` for URLs with a scheme,
/// protocol-relative ones, and paths that climb above the root.
pub fn bundle_path(dir: &str, url: &str) -> Option<String> {
    let path = url.split(['?', '#']).next()?;
    if path.contains(':') || path.starts_with("//") {
        return None;
    }
    let mut parts: Vec<&str> = if path.starts_with('/') {
        Vec::new()
    } else {
        dir.split('/').filter(|s| !s.is_empty()).collect()
    };
    for seg in path.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            s => parts.push(s),
        }
    }
    Some(parts.join("/"))
}

/// The URL that reaches root-relative `target` from a file in folder
/// `from_dir` (relative to the bundle root, `""` for the root itself). The
/// last segment of `target` may be partial; it is kept as it is.
///
/// ```text
/// relative("assets/css", "/assets/img/logo.png") == "../img/logo.png"
/// relative("", "/")                              == "./"
/// ```
pub fn relative(from_dir: &str, target: &str) -> String {
    debug_assert!(target.starts_with('/'));
    let (dir, tail) = match target.rfind('/') {
        Some(i) if i > 0 => (&target[1..i], &target[i + 1..]),
        Some(i) => ("", &target[i + 1..]),
        None => ("", target),
    };
    let from: Vec<&str> = from_dir.split('/').filter(|s| !s.is_empty()).collect();
    let to: Vec<&str> = dir.split('/').filter(|s| !s.is_empty()).collect();
    let common = from.iter().zip(&to).take_while(|(a, b)| a == b).count();
    let mut out = String::new();
    for _ in common..from.len() {
        out.push_str("../");
    }
    if out.is_empty() {
        out.push_str("./");
    }
    for seg in &to[common..] {
        out.push_str(seg);
        out.push('/');
    }
    out.push_str(tail);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn classifier() -> Classifier {
        Classifier::new(
            [
                "index.html",
                "assets/index-a1.js",
                "assets/img/logo-d4.png",
                "site.webmanifest",
            ],
            Profile::cryosparc(),
        )
    }

    #[test]
    fn classify_table() {
        let c = classifier();
        let table = [
            ("/assets/index-a1.js", Target::File),
            ("/assets/img/logo-d4.png?v=2", Target::File),
            ("/site.webmanifest", Target::File),
            ("/assets/", Target::Folder),
            ("/assets", Target::Folder),
            ("/api/auth/login", Target::ServerRoute),
            ("/api", Target::ServerRoute),
            ("/websocket", Target::ServerRoute),
            ("/apix", Target::Unknown),
            ("/login", Target::PageRoute),
            ("/browse/P1-W1-J2", Target::PageRoute),
            ("/live-dev/x", Target::PageRoute),
            ("/", Target::Root),
            ("/cryosparc_projects/P6/imports/job", Target::Unknown),
            ("/styles/v1", Target::Unknown),
            ("//cdn.example.com/lib.js", Target::NotRootRelative),
            ("/\\evil", Target::NotRootRelative),
            ("image/png", Target::NotRootRelative),
            ("", Target::NotRootRelative),
            ("#top", Target::NotRootRelative),
        ];
        for (s, want) in table {
            assert_eq!(c.classify(s), want, "{s}");
        }
    }

    #[test]
    fn classify_heads() {
        let c = classifier();
        let table = [
            ("/api/cmd/vis/", Target::ServerRoute),
            ("/api/files/", Target::ServerRoute),
            ("/ap", Target::Unknown),
            ("/assets/img/", Target::Folder),
            ("/assets/img/lo", Target::Folder),
            ("/browse/", Target::PageRoute),
            ("/brow", Target::Unknown),
            ("/", Target::Root),
        ];
        for (s, want) in table {
            assert_eq!(c.classify_head(s), want, "{s}");
        }
    }

    #[test]
    fn bundle_paths() {
        let table = [
            ("", "/assets/a.js?v=1", Some("assets/a.js")),
            ("", "./assets/a.js", Some("assets/a.js")),
            ("assets/css", "../img/a.png#x", Some("assets/img/a.png")),
            ("assets", "../../x", None),
            ("", "https://example.org/a.js", None),
            ("", "//cdn.example.com/a.js", None),
        ];
        for (dir, url, want) in table {
            assert_eq!(bundle_path(dir, url).as_deref(), want, "{dir} {url}");
        }
    }

    #[test]
    fn relative_table() {
        let table = [
            (
                "assets/css",
                "/assets/img/logo-d4.png",
                "../img/logo-d4.png",
            ),
            ("assets/css", "/assets/css/more.css", "./more.css"),
            ("assets", "/assets/vendor-f6.js", "./vendor-f6.js"),
            ("assets", "/api/ping", "../api/ping"),
            ("", "/", "./"),
            (
                "",
                "/android-chrome-192x192.png",
                "./android-chrome-192x192.png",
            ),
            ("assets/css", "/", "../../"),
            ("assets", "/api/cmd/vis/", "../api/cmd/vis/"),
        ];
        for (from, to, want) in table {
            assert_eq!(relative(from, to), want, "{from} -> {to}");
        }
    }
}
