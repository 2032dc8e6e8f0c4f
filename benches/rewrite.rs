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
/// Each figure is the best of this many rounds (`BENCH_ROUNDS` to change):
/// a shared machine is noisy.
const RUNS: usize = 5;

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
/// Made once and kept: a tree deleted and written again just before the
/// runs would make the file system slow to find free inodes for the outputs
/// (ext4 skips recently deleted ones), which the real use never sees.
fn input(repo: &Path) -> (PathBuf, u64, usize) {
    let dir = repo.join("target/bench/input");
    // The client at the root, so its root-relative URLs name its files.
    let mut sources = vec![repo.join("target/real-input/zenml-dashboard")];
    sources.retain(|p| p.join("index.html").is_file());
    for f in ["svelte-vite2", "svelte-vite-current"] {
        sources.push(repo.join("fixtures").join(f).join("dist/client"));
    }
    let stamp = repo.join("target/bench/input.stamp");
    let key = format!("{:?}", sources);
    if let Ok(s) = fs::read_to_string(&stamp) {
        if let Some((bytes, k)) = s.split_once('\n') {
            if k == key && dir.is_dir() {
                return (dir, bytes.parse().unwrap(), sources.len());
            }
        }
    }
    let _ = fs::remove_file(&stamp);
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).unwrap();
    let mut bytes = copy_tree(&sources[0], &dir);
    let mut n = 0;
    while bytes < TARGET_BYTES {
        let src = &sources[n % sources.len()];
        bytes += copy_tree(src, &dir.join(format!("copy-{n:03}")));
        n += 1;
    }
    fs::write(&stamp, format!("{bytes}\n{key}")).unwrap();
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

/// Where the outputs go: `CSPREFIX_BENCH_OUT`, else a memory file system
/// when there is one, so that the figures are the tool's and not the disk
/// file system's (on a busy ext4 volume, finding free inodes for 2,000 new
/// files took as long as a third of the rewrite).
fn outputs(repo: &Path) -> PathBuf {
    if let Some(d) = std::env::var_os("CSPREFIX_BENCH_OUT") {
        return PathBuf::from(d);
    }
    // Room for two outputs at a time (each run's is removed after it).
    let room = Command::new("df")
        .args(["--output=avail", "-B1", "/dev/shm"])
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .and_then(|s| s.lines().nth(1)?.trim().parse::<u64>().ok())
        .unwrap_or(0);
    if room > 4 * TARGET_BYTES {
        return Path::new("/dev/shm").join(format!("csprefix-bench-{}", std::process::id()));
    }
    repo.join("target/bench/runs")
}

/// A new output folder for every run, all removed at the end: replacing
/// one output with the next would put deletions between the runs.
fn fresh(runs: &Path) -> PathBuf {
    static N: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    runs.join(
        N.fetch_add(1, std::sync::atomic::Ordering::SeqCst)
            .to_string(),
    )
}

/// Seconds and peak MiB of one rewrite.
fn rewrite(dir: &Path, runs: &Path, jobs: usize) -> (f64, f64) {
    let out = fresh(runs);
    let started = Instant::now();
    let o = Command::new(env!("CARGO_BIN_EXE_csprefix"))
        .args([
            "rewrite",
            dir.to_str().unwrap(),
            "-o",
            out.to_str().unwrap(),
            "-v",
        ])
        .args(["-j", &jobs.to_string()])
        .output()
        .unwrap();
    let secs = started.elapsed().as_secs_f64();
    let _ = fs::remove_dir_all(&out);
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
/// shared: two 1-thread rewrites of two copies of the same client, side by
/// side (`together`) or one after the other. Seconds.
fn pair(dir: &Path, turns: usize, runs: &Path, together: bool) -> f64 {
    let halves = [dir.join("copy-000"), dir.join(format!("copy-{turns:03}"))];
    let outs = [fresh(runs), fresh(runs)];
    let run = |from: &Path, to: &Path| {
        Command::new(env!("CARGO_BIN_EXE_csprefix"))
            .args([
                "rewrite",
                from.to_str().unwrap(),
                "-o",
                to.to_str().unwrap(),
            ])
            .args(["-q", "-j", "1"])
            .spawn()
            .unwrap()
    };
    let started = Instant::now();
    if together {
        let children: Vec<_> = halves.iter().zip(&outs).map(|(h, o)| run(h, o)).collect();
        for mut c in children {
            assert!(c.wait().unwrap().success());
        }
    } else {
        for (h, o) in halves.iter().zip(&outs) {
            assert!(run(h, o).wait().unwrap().success());
        }
    }
    let secs = started.elapsed().as_secs_f64();
    for o in &outs {
        let _ = fs::remove_dir_all(o);
    }
    secs
}

/// Instructions counted by callgrind for one command, and those spent in
/// the function `inside` (0 when not given): repeatable whatever else the
/// machine is doing. `None` without valgrind.
fn instructions(cmd: &[&str], inside: Option<&str>) -> Option<(u64, u64)> {
    let out = std::env::temp_dir().join(format!("csprefix-callgrind-{}", std::process::id()));
    let status = Command::new("valgrind")
        .arg("--tool=callgrind")
        .arg(format!("--callgrind-out-file={}", out.display()))
        .args(cmd)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .ok()?;
    if !status.success() {
        return None;
    }
    let annotated = Command::new("callgrind_annotate")
        .args(["--inclusive=yes", "--threshold=100"])
        .arg(&out)
        .output()
        .ok()?;
    let _ = fs::remove_file(&out);
    let text = String::from_utf8_lossy(&annotated.stdout);
    let count = |line: &str| -> Option<u64> {
        line.split_whitespace()
            .next()?
            .replace(',', "")
            .parse()
            .ok()
    };
    let total = text
        .lines()
        .find(|l| l.contains("PROGRAM TOTALS"))
        .and_then(count)?;
    let part = inside
        // Lines are sorted by cost: the first that names the function is
        // the function itself, the rest are code inlined into it.
        .and_then(|f| {
            let name = format!(":{f}");
            text.lines()
                .find(|l| l.trim_end().ends_with(&name) || l.contains(&format!("{name} [")))
                .and_then(count)
        })
        .unwrap_or(0);
    Some((total, part))
}

/// The faster of two (seconds, peak) results.
fn faster(a: (f64, f64), b: (f64, f64)) -> (f64, f64) {
    if b.0 < a.0 {
        b
    } else {
        a
    }
}

fn main() {
    // `rewrite --parse-only DIR`: parse the files of DIR and nothing else, so
    // that a profiler can run the same work as a process of its own.
    let args: Vec<String> = std::env::args().collect();
    if let Some(i) = args.iter().position(|a| a == "--parse-only") {
        let secs = parse_all(Path::new(&args[i + 1]));
        println!("parse only: {secs:.2} s");
        return;
    }
    let repo = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let (dir, bytes, turns) = input(&repo);
    let runs = outputs(&repo);
    let _ = fs::remove_dir_all(&runs);
    let mb = bytes as f64 / 1e6;
    let files = walkdir::WalkDir::new(&dir)
        .into_iter()
        .filter(|e| e.as_ref().is_ok_and(|e| e.file_type().is_file()))
        .count();
    // Rounds of every measurement in turn, so that a machine that is slower
    // for a while slows all of them alike; the best of each is kept.
    let (mut parse, mut serial, mut together) = (f64::MAX, f64::MAX, f64::MAX);
    let (mut one, mut two) = ((f64::MAX, f64::NAN), (f64::MAX, f64::NAN));
    let rounds = std::env::var("BENCH_ROUNDS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(RUNS);
    for _ in 0..rounds {
        parse = parse.min(parse_all(&dir));
        one = faster(one, rewrite(&dir, &runs, 1));
        two = faster(two, rewrite(&dir, &runs, 2));
        serial = serial.min(pair(&dir, turns, &runs, false));
        together = together.min(pair(&dir, turns, &runs, true));
    }
    let ((one, peak1), (two, peak2)) = (one, two);
    let machine = serial / together;
    // The 1-thread ratio again in instructions, on one copy of the first
    // client. Under valgrind SHA-256 runs without the CPU's SHA extensions
    // and costs many times what it does natively, so it is counted apart.
    let sample = dir.join("copy-000");
    let sample_out = fresh(&runs);
    let bench_exe = std::env::current_exe().unwrap();
    let counted = instructions(
        &[
            bench_exe.to_str().unwrap(),
            "--parse-only",
            sample.to_str().unwrap(),
        ],
        None,
    )
    .zip(instructions(
        &[
            env!("CARGO_BIN_EXE_csprefix"),
            "rewrite",
            sample.to_str().unwrap(),
            "-o",
            sample_out.to_str().unwrap(),
            "-q",
            "-j",
            "1",
        ],
        Some("csprefix::output::sha256_hex"),
    ));
    let _ = fs::remove_dir_all(&sample_out);
    let largest = walkdir::WalkDir::new(&dir)
        .into_iter()
        .filter_map(|e| e.ok()?.metadata().ok().map(|m| m.len()))
        .max()
        .unwrap_or(0);
    println!(
        "bench: input {mb:.1} MB in {files} files (largest {:.1} MB); outputs in {}",
        largest as f64 / 1e6,
        runs.parent().unwrap_or(&runs).display()
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
    match counted {
        Some(((parse, _), (rewrite, hashing))) => println!(
            "bench: instructions, 1 client copy: parse only {:.2} G, rewrite {:.2} G of which SHA-256 {:.2} G; rewrite without SHA-256 / parse only {:.2}x",
            parse as f64 / 1e9,
            rewrite as f64 / 1e9,
            hashing as f64 / 1e9,
            (rewrite - hashing) as f64 / parse as f64
        ),
        None => println!("bench: instructions: valgrind not found, not counted"),
    }
    println!(
        "bench: machine ceiling       {machine:.2}x (two 1-thread runs on two copies side by side, over one after the other)"
    );
    let _ = fs::remove_dir_all(&runs);
}
