//! The run-time bootstrap placed first in every rewritten document.
//!
//! The script itself is `bootstrap.js` beside this file, kept as a real
//! JavaScript file so it can be read and linted as one. Before it is
//! inlined, comment lines and indentation are dropped, and the site's
//! settings (how to find the mount root in the page path) replace its
//! `CONFIG` marker.

use serde::Serialize;

/// The `id` of the bootstrap's `<script>` element, by which a second run
/// finds it again.
pub const BOOTSTRAP_ID: &str = "csprefix-bootstrap";

/// The `id` of the second inline script, which writes the renamed scripts
/// and links into the page, and its whole text.
pub const FLUSH_ID: &str = "csprefix-flush";
pub const FLUSH_SCRIPT: &str = "self.__csprefix_flush&&self.__csprefix_flush()";

/// The default shape of Open OnDemand's proxied paths: `/node/<host>/<port>`
/// and `/rnode/<host>/<port>`.
pub const DEFAULT_PATTERN: &str = "^/r?node/[^/]+/[0-9]+(?=/|$)";

const SOURCE: &str = include_str!("bootstrap.js");

/// How the bootstrap finds the mount root.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Mount {
    /// A JavaScript regular expression matched against the page path.
    Pattern(String),
    /// A fixed prefix such as `/apps/cryosparc`.
    Fixed(String),
}

/// The bootstrap for one set of settings.
#[derive(Clone, Debug)]
pub struct Bootstrap {
    script: String,
}

#[derive(Serialize)]
struct Config<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    pattern: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    fixed: Option<&'a str>,
}

impl Bootstrap {
    pub fn new(mount: &Mount) -> Bootstrap {
        let config = match mount {
            Mount::Pattern(p) => Config {
                pattern: Some(p),
                fixed: None,
            },
            Mount::Fixed(f) => Config {
                pattern: None,
                fixed: Some(f),
            },
        };
        // `<` is escaped so that no setting can close the script element.
        let json = serde_json::to_string(&config)
            .expect("config serializes")
            .replace('<', "\\u003c");
        let mut script = String::with_capacity(SOURCE.len());
        for line in SOURCE.lines() {
            let line = line.trim();
            if line.is_empty() || line.starts_with("//") {
                continue;
            }
            script.push_str(line);
            script.push('\n');
        }
        let script = script.replacen("/*CONFIG*/{}", &json, 1);
        Bootstrap { script }
    }

    /// The script's text, as it goes between `<script>` and `</script>`.
    pub fn script(&self) -> &str {
        &self.script
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn config_is_inlined_and_safe() {
        let b = Bootstrap::new(&Mount::Pattern("^/x</script>".into()));
        assert!(b
            .script()
            .contains(r#"var cfg = {"pattern":"^/x\u003c/script>"};"#));
        assert!(!b.script().contains("</script"));
        assert!(!b.script().contains("/*CONFIG*/"));
    }

    #[test]
    fn fixed_prefix() {
        let b = Bootstrap::new(&Mount::Fixed("/apps/cs".into()));
        assert!(b.script().contains(r#"var cfg = {"fixed":"/apps/cs"};"#));
    }
}
