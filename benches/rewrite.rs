//! Speed and memory of `csprefix rewrite` on an input of more than 50 MB.
//!
//! The input is the real-input client (ZenML's dashboard, see
//! scripts/real-input.sh) and the fixture clients, copied side by side until
//! the tree passes 50 MB. Printed: throughput with 1 and 2 threads, the
//! ratio of the 1-thread rewrite to reading and parsing the same files with
//! the same parsers and nothing else, the speed-up of 2 threads over 1, and
//! the rewrite's peak memory, and, to tell the tool's limits from the
//! machine's, how much two independent processes gain on the same work.
//! Figures only; nothing here passes or fails.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use csprefix::plan::{walk, Kind};
use csprefix::rewrite::parse_only;

const TARGET_BYTES: u64 = 50 * 1024 * 1024;

// The same allocator as the tool's, so parsing alone is measured alike.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn copy_tree(from: &Path, to: &Path) -> u64 {
    let mut bytes = 0;
    for e in walkdir::WalkDir::new(from) {
        let e = e.unwrap();
        let dest = to.join(e.path().strip_prefix(from).unwrap());
        if e.file_type().is_dir() {
            fs::create_dir_all(&dest).unwrap();
        } else if e.file_type().is_file() {
            bytes += fs::copy(e.path(), &dest).unwrap();
        }
    }
    bytes
}

/// The input tree, its size, and how many clients take turns in its copies.
fn input(repo: &Path) -> (PathBuf, u64, usize) {
    let dir = repo.join("target/bench/input");
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).unwrap();
    // The client at the root, so its root-relative URLs name its files.
    let mut sources = vec![repo.join("target/real-input/zenml-dashboard")];
    sources.retain(|p| p.join("index.html").is_file());
    for f in ["svelte-vite2", "svelte-vite-current"] {
        sources.push(repo.join("fixtures").join(f).join("dist/client"));
    }
    let mut bytes = copy_tree(&sources[0], &dir);
    let mut n = 0;
    while bytes < TARGET_BYTES {
        let src = &sources[n % sources.len()];
        bytes += copy_tree(src, &dir.join(format!("copy-{n:03}")));
        n += 1;
    }
    (dir, bytes, sources.len())
}

fn parse_all(dir: &Path) -> f64 {
    let (entries, _) = walk(dir);
    let started = Instant::now();
    let mut parsed = 0;
    for e in &entries {
        if matches!(
            e.kind,
            Kind::Js | Kind::Css | Kind::Html | Kind::WebManifest
        ) {
            let bytes = fs::read(&e.path).unwrap();
            let text = String::from_utf8_lossy(&bytes);
            parsed += parse_only(e.kind, &text) as usize;
        }
    }
    assert!(parsed > 0);
    started.elapsed().as_secs_f64()
}

/// Seconds and peak MiB of one rewrite.
fn rewrite(dir: &Path, out: &Path, jobs: usize) -> (f64, f64) {
    let started = Instant::now();
    let o = Command::new(env!("CARGO_BIN_EXE_csprefix"))
        .args([
            "rewrite",
            dir.to_str().unwrap(),
            "-o",
            out.to_str().unwrap(),
            "--replace",
            "-v",
        ])
        .args(["-j", &jobs.to_string()])
        .output()
        .unwrap();
    let secs = started.elapsed().as_secs_f64();
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "{err}");
    let peak = err
        .lines()
        .find_map(|l| l.strip_prefix("csprefix: peak memory "))
        .and_then(|l| l.trim_end_matches(" MiB").parse().ok())
        .unwrap_or(f64::NAN);
    (secs, peak)
}

/// What two threads can give on this machine for this work, with nothing
/// shared: two 1-thread rewrites of two halves of the input, side by side,
/// against the same two one after the other.
fn ceiling(dir: &Path, turns: usize, out: &Path) -> f64 {
    // Two copies of the same client.
    let halves = [dir.join("copy-000"), dir.join(format!("copy-{turns:03}"))];
    let run = |from: &Path, to: &Path| {
        Command::new(env!("CARGO_BIN_EXE_csprefix"))
            .args([
                "rewrite",
                from.to_str().unwrap(),
                "-o",
                to.to_str().unwrap(),
            ])
            .args(["--replace", "-q", "-j", "1"])
            .spawn()
            .unwrap()
    };
    let outs = [out.join("a"), out.join("b")];
    let (serial, _) = best(3, || {
        let started = Instant::now();
        for (h, o) in halves.iter().zip(&outs) {
            assert!(run(h, o).wait().unwrap().success());
        }
        (started.elapsed().as_secs_f64(), ())
    });
    let (side_by_side, _) = best(3, || {
        let started = Instant::now();
        let children: Vec<_> = halves.iter().zip(&outs).map(|(h, o)| run(h, o)).collect();
        for mut c in children {
            assert!(c.wait().unwrap().success());
        }
        (started.elapsed().as_secs_f64(), ())
    });
    serial / side_by_side
}

fn best<T: Copy>(runs: usize, mut f: impl FnMut() -> (f64, T)) -> (f64, T) {
    let mut all: Vec<(f64, T)> = (0..runs).map(|_| f()).collect();
    all.sort_by(|a, b| a.0.total_cmp(&b.0));
    all[0]
}

fn main() {
    let repo = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let (dir, bytes, turns) = input(&repo);
    let out = repo.join("target/bench/output");
    let mb = bytes as f64 / 1e6;
    let files = walkdir::WalkDir::new(&dir)
        .into_iter()
        .filter(|e| e.as_ref().is_ok_and(|e| e.file_type().is_file()))
        .count();
    let (parse, _) = best(3, || (parse_all(&dir), ()));
    let (one, peak1) = best(3, || rewrite(&dir, &out, 1));
    let (two, peak2) = best(3, || rewrite(&dir, &out, 2));
    let machine = ceiling(&dir, turns, &repo.join("target/bench/halves"));
    let largest = walkdir::WalkDir::new(&dir)
        .into_iter()
        .filter_map(|e| e.ok()?.metadata().ok().map(|m| m.len()))
        .max()
        .unwrap_or(0);
    println!(
        "bench: input {mb:.1} MB in {files} files (largest {:.1} MB)",
        largest as f64 / 1e6
    );
    println!(
        "bench: parse only, 1 thread  {parse:.2} s  {:.1} MB/s",
        mb / parse
    );
    println!(
        "bench: rewrite, 1 thread     {one:.2} s  {:.1} MB/s  peak {peak1:.0} MiB",
        mb / one
    );
    println!(
        "bench: rewrite, 2 threads    {two:.2} s  {:.1} MB/s  peak {peak2:.0} MiB",
        mb / two
    );
    println!(
        "bench: rewrite / parse only  {:.2}x (target at most 1.3x)",
        one / parse
    );
    println!(
        "bench: 2 threads over 1      {:.2}x (target at least 1.7x)",
        one / two
    );
    println!(
        "bench: machine ceiling       {machine:.2}x (two 1-thread runs on two copies side by side, over one after the other)"
    );
}
