//! What must hold for any input whatever, checked by panicking: the fuzz
//! targets (`fuzz/`) call these, and `tests/regressions.rs` replays every
//! input the fuzzers ever broke them with.
//!
//! For each language: the edits fit the text (in bounds, apart, on
//! character boundaries), every byte outside them is the input's, the
//! output still parses, and a second rewrite of the output changes nothing.

use crate::edit::{splice, Edit};
use crate::output::Manifest;
use crate::rewrite::js::Context;
use crate::rewrite::{css, html, js, manifest};
use crate::runtime::{Bootstrap, Mount, DEFAULT_PATTERN};
use crate::urls::{Classifier, Profile};

/// The bundle the checked files belong to, shaped like CryoSPARC's client.
fn classifier() -> Classifier {
    Classifier::new(
        [
            "index.html",
            "site.webmanifest",
            "assets/index.1ccd16c4.js",
            "assets/vendor.f8a02f72.js",
            "assets/index.1ccd16c4.css",
            "assets/w-e5.js",
            "assets/img/logo.png",
            "assets/fonts/a.woff2",
            "favicon.svg",
        ],
        Profile::cryosparc(),
    )
}

/// Applies `edits` to `src` and checks that only their ranges changed.
pub fn apply(src: &str, edits: &mut [Edit]) -> String {
    let out = splice(src.as_bytes(), edits).expect("edits apart and in bounds");
    let out = String::from_utf8(out).expect("edits keep UTF-8");
    let (mut at_in, mut at_out) = (0, 0);
    for e in edits.iter() {
        let gap = &src[at_in..e.range.start];
        assert_eq!(
            &out[at_out..at_out + gap.len()],
            gap,
            "a byte outside an edit changed"
        );
        at_out += gap.len() + e.text.len();
        at_in = e.range.end;
    }
    assert_eq!(&out[at_out..], &src[at_in..], "the tail changed");
    out
}

fn unchanged_again(again: &[Edit], out: &str) {
    assert!(
        again.is_empty(),
        "a second rewrite edits again: {again:?}\n--- output:\n{out}"
    );
}

/// A script; the first byte chooses how it is loaded (document, worker,
/// inline), the rest is its text.
pub fn script(data: &[u8]) {
    let Some((&which, rest)) = data.split_first() else {
        return;
    };
    let Ok(src) = std::str::from_utf8(rest) else {
        return;
    };
    let context = match which % 3 {
        0 => Context::Document("assets"),
        1 => Context::Worker("assets"),
        _ => Context::Inline,
    };
    let classifier = classifier();
    let Ok(first) = js::analyze(src, &classifier) else {
        return;
    };
    let mut edits = first.edits(context, 0);
    let out = apply(src, &mut edits);
    match js::analyze(&out, &classifier) {
        Ok(second) => unchanged_again(&second.edits(context, 0), &out),
        Err(e) => panic!("the rewritten script no longer parses: {e:?}\n--- output:\n{out}"),
    }
}

/// A stylesheet in `assets/`.
pub fn stylesheet(data: &[u8]) {
    let Ok(src) = std::str::from_utf8(data) else {
        return;
    };
    let Ok((mut edits, _)) = css::rewrite(src, "assets") else {
        return;
    };
    let out = apply(src, &mut edits);
    match css::rewrite(&out, "assets") {
        Ok((again, _)) => unchanged_again(&again, &out),
        Err(e) => panic!("the rewritten stylesheet no longer parses: {e:?}\n--- output:\n{out}"),
    }
}

/// A document at the root of the bundle.
pub fn document(data: &[u8]) {
    let Ok(src) = std::str::from_utf8(data) else {
        return;
    };
    let classifier = classifier();
    let bootstrap = Bootstrap::new(&Mount::Pattern(DEFAULT_PATTERN.into()));
    let Ok((mut edits, _)) = html::rewrite(src, &classifier, &bootstrap, &|_| None) else {
        return;
    };
    let out = apply(src, &mut edits);
    match html::rewrite(&out, &classifier, &bootstrap, &|_| None) {
        Ok((again, _)) => unchanged_again(&again, &out),
        Err(e) => panic!("the rewritten document no longer parses: {e:?}\n--- output:\n{out}"),
    }
}

/// The two JSON readers: a web manifest in `assets/`, and the tool's own
/// manifest read back from a tree, whose options, once accepted, must give
/// a bootstrap that parses and cannot end its script element early.
pub fn json(data: &[u8]) {
    if let Ok(src) = std::str::from_utf8(data) {
        if let Ok(mut edits) = manifest::rewrite(src, "assets") {
            let out = apply(src, &mut edits);
            let json = |t: &str| serde_json::from_str::<serde_json::Value>(t).map(|_| ());
            if let (Ok(()), Err(e)) = (json(src), json(&out)) {
                panic!("the rewritten manifest is no longer JSON: {e}\n--- output:\n{out}");
            }
            match manifest::rewrite(&out, "assets") {
                Ok(again) => unchanged_again(&again, &out),
                Err(e) => panic!("the rewritten manifest is rejected: {e:?}\n--- output:\n{out}"),
            }
        }
    }
    let Ok(recorded) = Manifest::from_slice(data) else {
        return;
    };
    let Ok(options) = crate::run::validate(recorded.options) else {
        return;
    };
    assert!(
        options.fixed_prefix.is_some() != options.mount_pattern.is_some(),
        "options accepted without exactly one of a pattern and a prefix"
    );
    let script = Bootstrap::new(&options.mount()).script().to_string();
    let lower = script.to_ascii_lowercase();
    assert!(
        !lower.contains("</script") && !lower.contains("<!--"),
        "{script}"
    );
    if let Err(e) = js::analyze(&script, &classifier()) {
        panic!("the bootstrap does not parse: {e:?}\n--- bootstrap:\n{script}");
    }
}
