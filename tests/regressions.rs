//! Replays every input a fuzzer ever broke an invariant with (kept in
//! `fuzz/regressions/<target>/`) through the same checks the fuzz targets
//! run, so each crash stays fixed without the fuzzer.

use std::path::Path;

fn replay(target: &str, check: fn(&[u8])) -> usize {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz/regressions")
        .join(target);
    let mut inputs: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| !p.file_name().unwrap().to_string_lossy().starts_with('.'))
        .collect();
    inputs.sort();
    for path in &inputs {
        let data = std::fs::read(path).unwrap();
        if let Err(e) = std::panic::catch_unwind(|| check(&data)) {
            let message = e
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| e.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default();
            panic!("{}: {message}", path.display());
        }
    }
    inputs.len()
}

#[test]
fn scripts() {
    replay("js", csprefix::invariants::script);
}

#[test]
fn stylesheets() {
    replay("css", csprefix::invariants::stylesheet);
}

#[test]
fn documents() {
    assert!(replay("html", csprefix::invariants::document) >= 2);
}

#[test]
fn json() {
    replay("manifest", csprefix::invariants::json);
}
