//! Properties over generated scripts and stylesheets: the output parses, a
//! second run changes nothing, and every byte outside the edits is kept.

use csprefix::edit::{splice, Edit};
use csprefix::rewrite::{css, js};
use csprefix::urls::{Classifier, Profile};
use proptest::prelude::*;

fn classifier() -> Classifier {
    Classifier::new(
        [
            "index.html",
            "assets/a.js",
            "assets/lazy.js",
            "assets/img/logo.png",
            "assets/w.js",
        ],
        Profile::cryosparc(),
    )
}

/// Values a literal may hold: files, folders, routes, text, separators.
fn value() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("/assets/a.js".to_string()),
        Just("/assets/img/".to_string()),
        Just("/api/cmd/vis/".to_string()),
        Just("/websocket".to_string()),
        Just("/login".to_string()),
        Just("/browse/".to_string()),
        Just("/".to_string()),
        Just("//cdn.example.com/x.js".to_string()),
        Just("assets/lazy.js".to_string()),
        Just("/home/user/data".to_string()),
        Just("image/png".to_string()),
        "[a-z/]{0,12}",
    ]
}

/// One statement built from the shapes the rules look at.
fn statement() -> impl Strategy<Value = String> {
    let q = prop_oneof![Just('"'), Just('\''), Just('`')];
    (0..14usize, value(), q, "_[a-z]{1,3}").prop_map(|(shape, v, q, id)| {
        let lit = format!("{q}{v}{q}");
        match shape {
            0 => format!("var {id}={lit};"),
            1 => format!("fetch({lit}+{id});"),
            2 => format!("fetch(`{v}${{{id}}}`);"),
            3 => format!("location.href={lit};"),
            4 => format!("if({id}==={lit}){id}();"),
            5 => format!("{id}.src={lit};"),
            6 => format!("new WebSocket(p+\"://\"+location.host+{lit});"),
            7 => format!("function {id}(location){{return location.pathname+{lit}}}"),
            8 => format!("const {id}={{k:{lit},location}};"),
            9 => format!("import({lit});"),
            10 => format!("{id}=window.location.pathname.startsWith({lit});"),
            11 => format!("/* {v} */{id}.split({lit});"),
            12 => format!("{id}.location.assign({lit});"),
            _ => format!("var {id}=\"/\";function f(e){{return {id}+e}}f({lit});"),
        }
    })
}

fn rewrite_js(src: &str) -> (String, Vec<Edit>) {
    let a = js::analyze(src, &classifier()).unwrap_or_else(|e| panic!("{src}\n{e:?}"));
    let mut edits = a.edits(js::Context::Document("assets"), 0);
    // Panics unless every byte outside the edits is the input's.
    let out = csprefix::invariants::apply(src, &mut edits);
    (out, edits)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn scripts(stmts in prop::collection::vec(statement(), 1..8)) {
        let src = stmts.concat();
        let (out, _) = rewrite_js(&src);
        let (again, more) = rewrite_js(&out);
        prop_assert!(more.is_empty(), "second run edited:\n{}\n->\n{}", out, again);
    }

    #[test]
    fn stylesheets(urls in prop::collection::vec(value(), 1..6), crlf in any::<bool>()) {
        let nl = if crlf { "\r\n" } else { "\n" };
        let src: String = urls
            .iter()
            .enumerate()
            .map(|(i, u)| format!(".c{i}{{background:url(\"{u}\")}}{nl}"))
            .collect();
        let (mut edits, _) = css::rewrite(&src, "assets/css").unwrap();
        let out = csprefix::invariants::apply(&src, &mut edits);
        let (again, _) = css::rewrite(&out, "assets/css").unwrap();
        prop_assert!(again.is_empty());
        prop_assert!(!out.contains("url(\"/") || out.contains("url(\"//"));
    }
}

/// Arbitrary text, and fixture files with bytes cut out or repeated: no
/// rule may panic, whatever a parser accepts.
fn mangled() -> impl Strategy<Value = String> {
    let fixture = || {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("fixtures/svelte-vite2/dist/client");
        let mut texts = vec![std::fs::read_to_string(dir.join("index.html")).unwrap()];
        texts.push(std::fs::read_to_string(dir.join("assets/css/main-c3.css")).unwrap());
        texts.push(std::fs::read_to_string(dir.join("site.webmanifest")).unwrap());
        texts.push(std::fs::read_to_string(dir.join("assets/config-g7.js")).unwrap());
        texts
    };
    prop_oneof![
        any::<String>(),
        (
            0..4usize,
            any::<prop::sample::Index>(),
            any::<prop::sample::Index>(),
            0..3usize
        )
            .prop_map(move |(which, a, b, op)| {
                let text = &fixture()[which];
                let chars: Vec<char> = text.chars().collect();
                let (mut i, mut j) = (a.index(chars.len()), b.index(chars.len()));
                if i > j {
                    std::mem::swap(&mut i, &mut j);
                }
                let (head, mid, tail): (String, String, String) = (
                    chars[..i].iter().collect(),
                    chars[i..j].iter().collect(),
                    chars[j..].iter().collect(),
                );
                match op {
                    0 => head + &tail,
                    1 => head + &mid + &mid + &tail,
                    _ => tail + &head,
                }
            }),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn no_input_makes_a_rule_panic(text in mangled()) {
        let c = classifier();
        let bootstrap = csprefix::runtime::Bootstrap::new(&csprefix::runtime::Mount::Pattern(
            csprefix::runtime::DEFAULT_PATTERN.into(),
        ));
        if let Ok(a) = js::analyze(&text, &c) {
            let mut edits = a.edits(js::Context::Document("assets"), 0);
            splice(text.as_bytes(), &mut edits).unwrap();
        }
        if let Ok((mut edits, _)) = css::rewrite(&text, "assets/css") {
            splice(text.as_bytes(), &mut edits).unwrap();
        }
        if let Ok((mut edits, _)) = csprefix::rewrite::html::rewrite(&text, &c, &bootstrap, &|_| None) {
            splice(text.as_bytes(), &mut edits).unwrap();
        }
        if let Ok(mut edits) = csprefix::rewrite::manifest::rewrite(&text, "") {
            splice(text.as_bytes(), &mut edits).unwrap();
        }
    }
}

/// Every file of a tree, by path relative to it.
fn tree(dir: &std::path::Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<(String, Vec<u8>)> = walkdir::WalkDir::new(dir)
        .into_iter()
        .map(|e| e.unwrap())
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let rel = e.path().strip_prefix(dir).unwrap();
            (
                rel.to_string_lossy().into_owned(),
                std::fs::read(e.path()).unwrap(),
            )
        })
        .collect();
    files.sort();
    files
}

fn rewrite_tree(from: &std::path::Path, to: &std::path::Path, jobs: &str) {
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_csprefix"))
        .args([
            "rewrite",
            from.to_str().unwrap(),
            "-o",
            to.to_str().unwrap(),
        ])
        .args(["-q", "-j", jobs])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    /// Small generated bundles, written out and rewritten by the tool
    /// itself: 1 and 2 threads give the same tree and manifest, and
    /// rewriting the output changes no byte.
    #[test]
    fn bundles(
        scripts in prop::collection::vec(prop::collection::vec(statement(), 1..5), 1..6),
        sheets in prop::collection::vec(prop::collection::vec(value(), 1..4), 0..3),
    ) {
        let t = tempfile::tempdir().unwrap();
        let input = t.path().join("client");
        std::fs::create_dir_all(input.join("assets/img")).unwrap();
        std::fs::write(input.join("assets/img/logo.png"), [0x89, b'P', b'N', b'G']).unwrap();
        let mut head = String::from("<!doctype html><html><head><meta charset=\"utf-8\">");
        for (i, s) in scripts.iter().enumerate() {
            std::fs::write(input.join(format!("assets/s{i}.js")), s.concat()).unwrap();
            head.push_str(&format!("<script type=\"module\" src=\"/assets/s{i}.js\"></script>"));
        }
        for (i, urls) in sheets.iter().enumerate() {
            let css: String = urls.iter().map(|u| format!(".c{{background:url(\"{u}\")}}\n")).collect();
            std::fs::write(input.join(format!("assets/c{i}.css")), css).unwrap();
            head.push_str(&format!("<link rel=\"stylesheet\" href=\"/assets/c{i}.css\">"));
        }
        std::fs::write(input.join("index.html"), head + "</head><body></body></html>").unwrap();

        let (one, two, again) = (t.path().join("one"), t.path().join("two"), t.path().join("again"));
        rewrite_tree(&input, &one, "1");
        rewrite_tree(&input, &two, "2");
        prop_assert!(tree(&one) == tree(&two), "1 and 2 threads differ");
        rewrite_tree(&one, &again, "2");
        prop_assert!(tree(&one) == tree(&again), "a second run changed the tree");
    }
}
