//! The command line on fixture folders: what it writes, what it refuses,
//! what it reports, and its exit codes.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_csprefix"));
    c.env_remove("RUST_BACKTRACE");
    c
}

fn run(args: &[&str]) -> Output {
    bin().args(args).output().expect("the binary runs")
}

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn fixtures() -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = fs::read_dir(repo().join("fixtures"))
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.join("dist/client/index.html").is_file() && p.join("expected").is_dir())
        .collect();
    out.sort();
    out
}

/// Every file under `dir`, relative, with its bytes.
fn tree(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    for e in walkdir::WalkDir::new(dir).sort_by_file_name() {
        let e = e.unwrap();
        if e.file_type().is_file() {
            let rel = e
                .path()
                .strip_prefix(dir)
                .unwrap()
                .to_string_lossy()
                .into_owned();
            out.push((rel, fs::read(e.path()).unwrap()));
        }
    }
    out
}

fn assert_same_tree(a: &Path, b: &Path) {
    let (ta, tb) = (tree(a), tree(b));
    let names = |t: &[(String, Vec<u8>)]| t.iter().map(|(n, _)| n.clone()).collect::<Vec<_>>();
    assert_eq!(
        names(&ta),
        names(&tb),
        "file lists of {} and {}",
        a.display(),
        b.display()
    );
    for ((name, x), (_, y)) in ta.iter().zip(&tb) {
        assert!(
            x == y,
            "{name} differs between {} and {}",
            a.display(),
            b.display()
        );
    }
}

fn ok(o: &Output) {
    assert!(
        o.status.success(),
        "exit {:?}\n{}",
        o.status.code(),
        String::from_utf8_lossy(&o.stderr)
    );
}

#[test]
fn fixtures_match_their_expected_trees() {
    let list = fixtures();
    assert!(
        list.len() >= 2,
        "fixtures with dist/client and expected/: {list:?}"
    );
    for f in list {
        let t = tempfile::tempdir().unwrap();
        let out = t.path().join("out");
        let o = run(&[
            "rewrite",
            f.join("dist/client").to_str().unwrap(),
            "-o",
            out.to_str().unwrap(),
        ]);
        ok(&o);
        let summary = String::from_utf8_lossy(&o.stderr);
        assert!(
            summary.contains(" files, ") && summary.contains(" edits ("),
            "{summary}"
        );
        assert_same_tree(&out, &f.join("expected"));
    }
}

#[test]
fn second_run_and_thread_counts_change_nothing() {
    for f in fixtures() {
        let t = tempfile::tempdir().unwrap();
        let input = f.join("dist/client");
        let one = t.path().join("one");
        let two = t.path().join("two");
        let again = t.path().join("again");
        ok(&run(&[
            "rewrite",
            input.to_str().unwrap(),
            "-o",
            one.to_str().unwrap(),
            "-j",
            "1",
        ]));
        ok(&run(&[
            "rewrite",
            input.to_str().unwrap(),
            "-o",
            two.to_str().unwrap(),
            "-j",
            "2",
        ]));
        assert_same_tree(&one, &two);
        ok(&run(&[
            "rewrite",
            one.to_str().unwrap(),
            "-o",
            again.to_str().unwrap(),
        ]));
        assert_same_tree(&one, &again);
    }
}

#[test]
fn output_keeps_what_must_not_change() {
    for f in fixtures() {
        let exp = f.join("expected");
        let html = fs::read_to_string(exp.join("index.html")).unwrap();
        // Case 13: the server's placeholder, byte for byte.
        assert!(html.contains("%cryosparc.state%"), "{}", f.display());
        // `<meta charset>` within the first 1024 bytes, before the bootstrap.
        let charset = html.find("<meta charset").expect("meta charset");
        assert!(charset < 1024 && charset < html.find("csprefix-bootstrap").unwrap());
        // The preload scanner finds no root-relative asset in the markup.
        for attr in [" src=\"/", " href=\"/"] {
            assert!(!html.contains(attr), "{attr} left in {}", f.display());
        }
        let js: String = tree(&exp.join("assets"))
            .into_iter()
            .filter(|(n, _)| n.ends_with(".js"))
            .map(|(_, b)| String::from_utf8(b).unwrap())
            .collect();
        for kept in [
            "/cryosparc_projects/P6/imports/job",
            "//cdn.example.com/lib.js",
            "/styles/v1",
            "/v4/",
        ] {
            assert!(js.contains(kept), "{kept} missing in {}", f.display());
        }
        // Case 12: no `//` produced by a join, no double root.
        assert!(!js.contains("self.__csprefix_root||\"\")}}/"));
        assert!(!js.contains("${(self.__csprefix_root||\"\")}${(self.__csprefix_root"));
    }
}

#[test]
fn check_tells_original_from_rewritten() {
    for f in fixtures() {
        let o = run(&["check", f.join("dist/client").to_str().unwrap()]);
        assert_eq!(
            o.status.code(),
            Some(1),
            "check on the original must find work"
        );
        let text = String::from_utf8_lossy(&o.stdout);
        assert!(
            text.contains("index.html:") && text.contains(": unhandled: html-attribute: "),
            "{text}"
        );
        let o = run(&["check", f.join("expected").to_str().unwrap(), "--json"]);
        ok(&o);
        let report: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        assert_eq!(report["unhandled"].as_array().unwrap().len(), 0);
        assert!(report["kept"]
            .as_array()
            .unwrap()
            .iter()
            .any(|k| k["value"] == "/login"));
    }
}

fn small_client(dir: &Path) {
    fs::create_dir_all(dir.join("assets")).unwrap();
    fs::write(
        dir.join("index.html"),
        "<!doctype html><html><head><meta charset=\"utf-8\"><script type=\"module\" src=\"/assets/a.js\"></script></head><body>%cryosparc.state%</body></html>",
    )
    .unwrap();
    fs::write(dir.join("assets/a.js"), "fetch(\"/api/x\")").unwrap();
}

#[test]
fn install_layouts_are_found() {
    for (layout, rel) in [
        (
            "v4",
            "cryosparc_master/cryosparc_app/custom-server/dist/client",
        ),
        ("v5", "cryosparc_master/app/custom-server/dist/client"),
    ] {
        let t = tempfile::tempdir().unwrap();
        small_client(&t.path().join(rel));
        let out = t.path().join("out");
        let o = run(&[
            "rewrite",
            t.path().to_str().unwrap(),
            "-o",
            out.to_str().unwrap(),
        ]);
        ok(&o);
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(err.contains(&format!("CryoSPARC {layout} layout")), "{err}");
        assert!(out.join("csprefix-manifest.json").is_file());
        // In place, through the install root.
        let o = run(&[
            "rewrite",
            t.path().join("cryosparc_master").to_str().unwrap(),
            "--in-place",
        ]);
        ok(&o);
        assert_same_tree(&out, &t.path().join(rel));
    }
}

#[test]
fn refuses_before_any_work() {
    let t = tempfile::tempdir().unwrap();
    let input = t.path().join("client");
    small_client(&input);
    let before = tree(&input);
    let busy = t.path().join("busy");
    fs::create_dir(&busy).unwrap();
    fs::write(busy.join("keep"), "x").unwrap();
    let cases: Vec<(Vec<String>, &str)> = vec![
        (vec!["-o".into(), busy.display().to_string()], "not empty"),
        (
            vec!["-o".into(), input.display().to_string()],
            "the output is the input",
        ),
        (
            vec!["-o".into(), input.join("sub").display().to_string()],
            "inside the input",
        ),
        (
            vec![
                "-o".into(),
                t.path().display().to_string(),
                "--replace".into(),
            ],
            "inside the output",
        ),
    ];
    for (extra, message) in cases {
        let mut args = vec!["rewrite".to_string(), input.display().to_string()];
        args.extend(extra);
        let o = bin().args(&args).output().unwrap();
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(err.contains(message), "{args:?}: {err}");
    }
    assert_eq!(fs::read_to_string(busy.join("keep")).unwrap(), "x");
    assert_eq!(tree(&input), before, "the input was modified");
    let o = run(&[
        "rewrite",
        t.path().join("nothing").to_str().unwrap(),
        "-o",
        "x",
    ]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn bad_files_are_all_listed_and_nothing_is_written() {
    let t = tempfile::tempdir().unwrap();
    let input = t.path().join("client");
    small_client(&input);
    fs::write(input.join("assets/b.js"), "let x = 1;\nlet = = 2;\n").unwrap();
    fs::write(input.join("assets/c.css"), ".a{color:red}\n.b{{}\n").unwrap();
    fs::write(input.join("assets/d.js"), b"var s = \"\xff\";").unwrap();
    let out = t.path().join("out");
    let o = run(&[
        "rewrite",
        input.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("assets/b.js:2:"), "{err}");
    assert!(err.contains("assets/c.css:2:"), "{err}");
    assert!(
        err.contains("assets/d.js:1:") && err.contains("invalid UTF-8"),
        "{err}"
    );
    assert!(!out.exists(), "output written despite errors");
    assert_eq!(
        fs::read_dir(t.path()).unwrap().count(),
        1,
        "temporary folder left behind"
    );
    let deep = t.path().join("new/deeper/out");
    let o = run(&[
        "rewrite",
        input.to_str().unwrap(),
        "-o",
        deep.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(!t.path().join("new").exists(), "folders made for nothing");

    let o = run(&[
        "rewrite",
        input.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
        "--keep-going",
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(
        fs::read(out.join("assets/b.js")).unwrap(),
        fs::read(input.join("assets/b.js")).unwrap()
    );
    let a = fs::read_to_string(out.join("assets/a.js")).unwrap();
    assert!(a.contains("__csprefix_root"), "{a}");
    let manifest: serde_json::Value =
        serde_json::from_slice(&fs::read(out.join("csprefix-manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["summary"]["failed"], 3);

    // `check --json` gives the same problems as objects, in path order.
    let o = run(&["check", input.to_str().unwrap(), "--json"]);
    assert_eq!(o.status.code(), Some(1));
    let report: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let errors = report["errors"].as_array().unwrap();
    let paths: Vec<&str> = errors.iter().map(|e| e["path"].as_str().unwrap()).collect();
    assert_eq!(paths, ["assets/b.js", "assets/c.css", "assets/d.js"]);
    assert_eq!(errors[0]["line"], 2);
    assert!(errors[0]["column"].as_u64().unwrap() >= 1);
    assert!(!errors[0]["message"].as_str().unwrap().is_empty());
}

#[test]
fn bom_and_crlf_survive() {
    let t = tempfile::tempdir().unwrap();
    let input = t.path().join("client");
    small_client(&input);
    fs::write(
        input.join("assets/a.js"),
        b"\xEF\xBB\xBFvar a = 1;\r\nfetch(\"/api/x\");\r\n",
    )
    .unwrap();
    let out = t.path().join("out");
    ok(&run(&[
        "rewrite",
        input.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
    ]));
    let a = fs::read(out.join("assets/a.js")).unwrap();
    let want = b"\xEF\xBB\xBFvar a = 1;\r\nfetch(`${(self.__csprefix_root||\"\")}/api/x`);\r\n";
    assert_eq!(a, want.to_vec());
}

#[test]
fn help_lists_every_option() {
    let o = run(&["rewrite", "--help"]);
    ok(&o);
    let help = String::from_utf8_lossy(&o.stdout);
    for opt in [
        "--output",
        "--in-place",
        "--replace",
        "--keep-going",
        "--profile",
        "--server-route",
        "--page-route",
        "--mount-pattern",
        "--fixed-prefix",
        "--jobs",
        "--verbose",
        "--quiet",
    ] {
        assert!(help.contains(opt), "{opt} missing from --help");
    }
    let o = run(&["--help"]);
    assert!(String::from_utf8_lossy(&o.stdout).contains("Examples:"));
}

fn b64(bytes: &[u8]) -> String {
    const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for c in bytes.chunks(3) {
        let n = (c[0] as u32) << 16
            | (*c.get(1).unwrap_or(&0) as u32) << 8
            | *c.get(2).unwrap_or(&0) as u32;
        for i in 0..4 {
            out.push(if i <= c.len() {
                T[(n >> (18 - 6 * i) & 63) as usize] as char
            } else {
                '='
            });
        }
    }
    out
}

#[test]
fn integrity_and_csp_follow_the_rewrite() {
    use sha2::Digest;
    let t = tempfile::tempdir().unwrap();
    let input = t.path().join("client");
    small_client(&input);
    let a0 = fs::read(input.join("assets/a.js")).unwrap();
    fs::write(
        input.join("index.html"),
        format!(
            "<!doctype html><html><head><meta charset=\"utf-8\">\
             <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'self'; img-src *\">\
             <script type=\"module\" src=\"/assets/a.js\" integrity=\"sha384-{} sha512-{}\"></script>\
             <link rel=\"modulepreload\" href=\"./assets/a.js\" integrity=\"sha256-WRONG\">\
             </head><body></body></html>",
            b64(&sha2::Sha384::digest(&a0)),
            b64(&sha2::Sha512::digest(&a0))
        ),
    )
    .unwrap();
    let out = t.path().join("out");
    ok(&run(&[
        "rewrite",
        input.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
    ]));
    let html = fs::read_to_string(out.join("index.html")).unwrap();
    let a = fs::read(out.join("assets/a.js")).unwrap();
    let want = format!(
        "integrity=\"sha384-{} sha512-{}\"",
        b64(&sha2::Sha384::digest(&a)),
        b64(&sha2::Sha512::digest(&a))
    );
    assert!(html.contains(&want), "{html}");
    // A hash that did not match the original is not made to match.
    assert!(html.contains("integrity=\"sha256-WRONG\""), "{html}");
    let start = html.find("<script id=\"csprefix-bootstrap\">").unwrap()
        + "<script id=\"csprefix-bootstrap\">".len();
    let end = start + html[start..].find("</script>").unwrap();
    let hash = b64(&sha2::Sha256::digest(&html.as_bytes()[start..end]));
    assert!(
        html.contains(&format!(
            "default-src 'self'; img-src *; script-src 'self' 'sha256-{hash}'"
        )),
        "{html}"
    );
    // The audit agrees, and a second run changes nothing.
    ok(&run(&["check", out.to_str().unwrap()]));
    let again = t.path().join("again");
    ok(&run(&[
        "rewrite",
        out.to_str().unwrap(),
        "-o",
        again.to_str().unwrap(),
    ]));
    assert_same_tree(&out, &again);
}

#[test]
fn compressed_copies_follow_their_files() {
    use std::io::{Read, Write};
    let t = tempfile::tempdir().unwrap();
    let input = t.path().join("client");
    small_client(&input);
    let original = fs::read(input.join("assets/a.js")).unwrap();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(&original).unwrap();
    fs::write(input.join("assets/a.js.gz"), gz.finish().unwrap()).unwrap();
    fs::write(input.join("assets/logo.png.gz"), b"not compressed at all").unwrap();
    let out = t.path().join("out");
    ok(&run(&[
        "rewrite",
        input.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
    ]));
    let mut plain = Vec::new();
    flate2::read::GzDecoder::new(&fs::read(out.join("assets/a.js.gz")).unwrap()[..])
        .read_to_end(&mut plain)
        .unwrap();
    assert_eq!(plain, fs::read(out.join("assets/a.js")).unwrap());
    assert_ne!(plain, original);
    assert_eq!(
        fs::read(out.join("assets/logo.png.gz")).unwrap(),
        b"not compressed at all"
    );
    ok(&run(&["check", out.to_str().unwrap()]));
    // A stale copy beside a rewritten file is what `check` reports.
    fs::copy(input.join("assets/a.js.gz"), out.join("assets/a.js.gz")).unwrap();
    let o = run(&["check", out.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&o.stdout).contains("assets/a.js.gz:1:1: unhandled: compressed")
    );
    let dropped = t.path().join("dropped");
    ok(&run(&[
        "rewrite",
        input.to_str().unwrap(),
        "-o",
        dropped.to_str().unwrap(),
        "--drop-compressed",
    ]));
    assert!(!dropped.join("assets/a.js.gz").exists());
}

#[test]
fn deeply_nested_code_does_not_crash() {
    let t = tempfile::tempdir().unwrap();
    let input = t.path().join("client");
    small_client(&input);
    let deep_js = format!(
        "x={}fetch(\"/api/x\"){};",
        "(".repeat(3000),
        ")".repeat(3000)
    );
    fs::write(input.join("assets/deep.js"), deep_js).unwrap();
    let deep_css = format!(
        "{}.a{{background:url(/assets/a.js)}}{}",
        "@media screen{".repeat(700),
        "}".repeat(700)
    );
    fs::write(input.join("assets/deep.css"), deep_css).unwrap();
    let out = t.path().join("out");
    ok(&run(&[
        "rewrite",
        input.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
    ]));
    assert!(fs::read_to_string(out.join("assets/deep.js"))
        .unwrap()
        .contains("__csprefix_root"));
    ok(&run(&["check", out.to_str().unwrap()]));
}

#[test]
fn a_fragment_with_renamed_links_gets_the_bootstrap() {
    let t = tempfile::tempdir().unwrap();
    let input = t.path().join("client");
    small_client(&input);
    fs::write(
        input.join("part.html"),
        "<meta charset=\"utf-8\"><script src=\"/assets/a.js\"></script>",
    )
    .unwrap();
    let out = t.path().join("out");
    ok(&run(&[
        "rewrite",
        input.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
    ]));
    let part = fs::read_to_string(out.join("part.html")).unwrap();
    assert!(
        part.contains("data-csprefix-src") && part.contains("id=\"csprefix-bootstrap\""),
        "{part}"
    );
}

#[cfg(unix)]
#[test]
fn refused_entries_and_syntax_errors_are_listed_together() {
    let t = tempfile::tempdir().unwrap();
    let input = t.path().join("client");
    small_client(&input);
    std::os::unix::fs::symlink("/etc/passwd", input.join("assets/leak")).unwrap();
    fs::write(input.join("assets/bad.js"), "x = (;").unwrap();
    let out = t.path().join("out");
    let o = run(&[
        "rewrite",
        input.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("assets/leak:") && err.contains("assets/bad.js:1:"),
        "{err}"
    );
    assert!(!out.exists());
}

#[test]
fn too_many_jobs_is_a_usage_error() {
    let t = tempfile::tempdir().unwrap();
    small_client(t.path());
    let o = run(&[
        "rewrite",
        t.path().to_str().unwrap(),
        "-o",
        "/nonexistent/x",
        "-j",
        "100000",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--jobs"));
}

#[cfg(unix)]
#[test]
fn an_interrupted_run_leaves_nothing_behind() {
    let t = tempfile::tempdir().unwrap();
    let input = t.path().join("client");
    small_client(&input);
    for d in 0..20 {
        let dir = input.join(format!("assets/d{d}"));
        fs::create_dir_all(&dir).unwrap();
        for i in 0..1000 {
            fs::write(
                dir.join(format!("f{i}.js")),
                format!("fetch(\"/api/{i}\");location.href=\"/login\";"),
            )
            .unwrap();
        }
    }
    let out = t.path().join("out");
    let child = bin()
        .args([
            "rewrite",
            input.to_str().unwrap(),
            "-o",
            out.to_str().unwrap(),
            "-j",
            "1",
        ])
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(400));
    Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    let status = child.wait_with_output().unwrap().status;
    let names: Vec<String> = fs::read_dir(t.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    match status.code() {
        // Stopped: nothing but the input.
        Some(130) => assert_eq!(names, ["client"]),
        // Finished first on a fast machine: the whole output, no leftovers.
        Some(0) => {
            let mut names = names;
            names.sort();
            assert_eq!(names, ["client", "out"]);
        }
        other => panic!("exit {other:?}"),
    }
}

#[test]
fn csp_hashes_of_rewritten_inline_scripts_are_replaced() {
    use sha2::Digest;
    let t = tempfile::tempdir().unwrap();
    let input = t.path().join("client");
    small_client(&input);
    let inline = "fetch(\"/api/x\")";
    let old = b64(&sha2::Sha256::digest(inline.as_bytes()));
    fs::write(
        input.join("index.html"),
        format!(
            "<!doctype html><html><head><meta charset=\"utf-8\">\
             <meta http-equiv=\"Content-Security-Policy\" content=\"script-src 'none' 'sha256-{old}'\">\
             <script>{inline}</script></head><body></body></html>"
        ),
    )
    .unwrap();
    let out = t.path().join("out");
    ok(&run(&[
        "rewrite",
        input.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
    ]));
    let html = fs::read_to_string(out.join("index.html")).unwrap();
    let body_start = html.rfind("<script>").unwrap() + "<script>".len();
    let body_end = body_start + html[body_start..].find("</script>").unwrap();
    let new = b64(&sha2::Sha256::digest(
        &html.as_bytes()[body_start..body_end],
    ));
    assert_ne!(new, old);
    assert!(
        html.contains(&format!("script-src 'sha256-{new}' 'sha256-")),
        "{html}"
    );
    assert!(!html.contains(&old) && !html.contains("'none'"), "{html}");
}

#[test]
fn integrity_of_a_relative_script_follows_the_rewrite() {
    use sha2::Digest;
    let t = tempfile::tempdir().unwrap();
    let input = t.path().join("client");
    small_client(&input);
    let a0 = fs::read(input.join("assets/a.js")).unwrap();
    fs::write(
        input.join("index.html"),
        format!(
            "<!doctype html><html><head><script src=\"assets/a.js\" integrity=\"sha256-{}\"></script></head></html>",
            b64(&sha2::Sha256::digest(&a0))
        ),
    )
    .unwrap();
    let out = t.path().join("out");
    ok(&run(&[
        "rewrite",
        input.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
    ]));
    let a1 = fs::read(out.join("assets/a.js")).unwrap();
    assert_ne!(a0, a1);
    let html = fs::read_to_string(out.join("index.html")).unwrap();
    assert!(
        html.contains(&format!(
            "integrity=\"sha256-{}\"",
            b64(&sha2::Sha256::digest(&a1))
        )),
        "{html}"
    );
}

#[test]
fn a_client_moved_aside_by_a_killed_run_is_put_back() {
    let t = tempfile::tempdir().unwrap();
    let client = t.path().join("client");
    small_client(&client);
    // What `--in-place` killed between its two renames leaves: the client
    // moved aside under the name of a process that no longer exists.
    let aside = t.path().join(".client.csprefix-old-999999999");
    fs::rename(&client, &aside).unwrap();
    let o = run(&["rewrite", client.to_str().unwrap(), "--in-place"]);
    ok(&o);
    assert!(!aside.exists());
    let index = fs::read_to_string(client.join("index.html")).unwrap();
    assert!(index.contains("csprefix-bootstrap"), "{index}");
}
