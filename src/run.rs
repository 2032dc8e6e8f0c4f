//! The `rewrite` command: from a client folder to a rewritten copy.

use std::fs;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use rayon::prelude::*;

use crate::cli::{MountArgs, RewriteArgs, RouteArgs};
use crate::diagnostics::{show_path, Problem};
use crate::edit::{count, splice, EditCounts};
use crate::locate::{locate, Layout};
use crate::output::{carry_over, sha256_hex, FileRecord, Manifest, Options, Staging, Summary};
use crate::pipeline::{prepare, Outcome, Settings};
use crate::plan::{walk, Entry, Kind, MANIFEST_NAME};
use crate::runtime::{Bootstrap, DEFAULT_PATTERN};
use crate::urls::{Classifier, Profile};
use crate::Status;

/// The options that decide the output, from the command line, falling back
/// to `recorded` (an earlier manifest) and then to the defaults.
pub fn options(
    routes: &RouteArgs,
    mount: &MountArgs,
    recorded: Option<&Options>,
) -> Result<Options, String> {
    let from_line = routes.profile.is_some()
        || !routes.server_routes.is_empty()
        || !routes.page_routes.is_empty()
        || mount.mount_pattern.is_some()
        || mount.fixed_prefix.is_some();
    if let (false, Some(r)) = (from_line, recorded) {
        return validate(r.clone()).map_err(|e| format!("{MANIFEST_NAME}: recorded options: {e}"));
    }
    let name = routes.profile.as_deref().unwrap_or("cryosparc");
    let mut profile = Profile::by_name(name).ok_or_else(|| {
        format!("unknown profile '{name}'\nhelp: use --profile cryosparc or --profile none")
    })?;
    for (given, list) in [
        (&routes.server_routes, &mut profile.server_routes),
        (&routes.page_routes, &mut profile.page_routes),
    ] {
        for r in given {
            let r = r.trim_end_matches('/').to_string();
            if !list.contains(&r) {
                list.push(r);
            }
        }
    }
    validate(Options {
        profile: profile.name.clone(),
        server_routes: profile.server_routes,
        page_routes: profile.page_routes,
        mount_pattern: match (&mount.mount_pattern, &mount.fixed_prefix) {
            (Some(p), _) => Some(p.clone()),
            (None, None) => Some(DEFAULT_PATTERN.to_string()),
            (None, Some(_)) => None,
        },
        fixed_prefix: mount
            .fixed_prefix
            .as_ref()
            .map(|p| p.trim_end_matches('/').to_string()),
    })
}

/// Checks options from the command line or from a manifest alike.
pub fn validate(o: Options) -> Result<Options, String> {
    if Profile::by_name(&o.profile).is_none() {
        return Err(format!(
            "unknown profile '{}'\nhelp: use cryosparc or none",
            o.profile
        ));
    }
    for r in o.server_routes.iter().chain(&o.page_routes) {
        let path_like = r.len() > 1 && !r.contains(['?', '#', ' ']);
        if !crate::urls::is_root_relative(r) || !path_like {
            return Err(format!("route '{r}' must be a path such as /api"));
        }
    }
    if let Some(p) = &o.fixed_prefix {
        let clean = p
            .split('/')
            .skip(1)
            .all(|s| !s.is_empty() && !s.contains(['?', '#', ' ']));
        if !crate::urls::is_root_relative(p) || !clean {
            return Err(format!(
                "fixed prefix '{p}' must be a path such as /apps/cryosparc"
            ));
        }
    }
    if let Some(p) = &o.mount_pattern {
        js_regex_check(p).map_err(|e| format!("mount pattern '{p}': {e}"))?;
    }
    if o.fixed_prefix.is_some() == o.mount_pattern.is_some() {
        return Err("give one of a mount pattern and a fixed prefix".into());
    }
    Ok(o)
}

/// The pattern runs as a JavaScript `RegExp` in the browser. Rust's regex
/// syntax checks the rest once the groups JavaScript knows and Rust does
/// not (lookarounds) are made plain groups; inline flags and `(?P<`,
/// which JavaScript rejects, are refused.
fn js_regex_check(p: &str) -> Result<(), String> {
    let b = p.as_bytes();
    let mut plain = String::with_capacity(p.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'\\' {
            plain.push_str(&p[i..(i + 2).min(p.len())]);
            i += 2;
            continue;
        }
        if p[i..].starts_with("(?") {
            let rest = &p[i + 2..];
            if rest.starts_with("<=") || rest.starts_with("<!") {
                plain.push_str("(?:");
                i += 4;
                continue;
            }
            if rest.starts_with('=') || rest.starts_with('!') {
                plain.push_str("(?:");
                i += 3;
                continue;
            }
            if !(rest.starts_with(':') || rest.starts_with('<')) {
                return Err(
                    "inline flags and (?P<...> are not JavaScript; use (?:...) or (?<name>...)"
                        .into(),
                );
            }
        }
        let c = p[i..].chars().next().unwrap_or_default();
        plain.push(c);
        i += c.len_utf8();
    }
    regex::Regex::new(&plain)
        .map(|_| ())
        .map_err(|e| format!("not a regular expression: {e}"))
}
/// The settings every file's rewrite uses, for the files among `entries`.
pub fn settings(options: &Options, entries: &[Entry]) -> Settings {
    let files = entries
        .iter()
        .filter(|e| !matches!(e.kind, Kind::Folder | Kind::Link))
        .map(|e| e.rel.as_str());
    let profile = Profile {
        name: options.profile.clone(),
        server_routes: options.server_routes.clone(),
        page_routes: options.page_routes.clone(),
    };
    Settings {
        classifier: Classifier::new(files, profile),
        bootstrap: Bootstrap::new(&options.mount()),
        final_dir: None,
        input_dir: None,
        shifts: Default::default(),
        drop_compressed: false,
    }
}

/// Deeply nested code is parsed and visited recursively: every worker gets
/// a large stack (address space; only what is used is ever touched).
const STACK_BYTES: usize = 512 << 20;
const MAX_JOBS: usize = 256;

pub fn pool(jobs: Option<usize>) -> Result<rayon::ThreadPool, String> {
    match jobs {
        Some(0) => return Err("--jobs must be at least 1".into()),
        Some(n) if n > MAX_JOBS => return Err(format!("--jobs {n} is more than {MAX_JOBS}")),
        _ => {}
    }
    rayon::ThreadPoolBuilder::new()
        .num_threads(jobs.unwrap_or(0))
        .stack_size(STACK_BYTES)
        .build()
        .map_err(|e| format!("cannot start worker threads: {e}"))
}

/// Absolute form of a path that may not exist yet.
fn absolute(p: &Path) -> Result<PathBuf, String> {
    let abs = std::path::absolute(p).map_err(|e| format!("{}: {e}", show_path(p)))?;
    // Resolve links in the part that exists, so two names for one folder
    // compare equal.
    let mut existing = abs.clone();
    let mut rest = Vec::new();
    while !existing.exists() {
        match (existing.file_name(), existing.parent()) {
            (Some(n), Some(parent)) => {
                rest.push(n.to_os_string());
                existing = parent.to_path_buf();
            }
            _ => break,
        }
    }
    let mut out = existing.canonicalize().unwrap_or(existing);
    for n in rest.into_iter().rev() {
        out.push(n);
    }
    Ok(out)
}

/// Checks where the output goes, before any work.
fn destination(args: &RewriteArgs, client: &Path) -> Result<PathBuf, String> {
    let client_abs = absolute(client)?;
    let Some(out) = &args.output else {
        return Ok(client.to_path_buf());
    };
    let out_abs = absolute(out)?;
    if out_abs == client_abs {
        return Err(format!(
            "{}: the output is the input\nhelp: use --in-place to rewrite a client where it is",
            show_path(out)
        ));
    }
    if out_abs.starts_with(&client_abs) {
        return Err(format!(
            "{}: the output lies inside the input {}",
            show_path(out),
            show_path(client)
        ));
    }
    if client_abs.starts_with(&out_abs) {
        return Err(format!(
            "{}: the input {} lies inside the output",
            show_path(out),
            show_path(client)
        ));
    }
    match fs::symlink_metadata(out) {
        Ok(m) if !m.is_dir() => Err(format!("{}: exists and is not a folder", show_path(out))),
        Ok(_) => {
            let empty = fs::read_dir(out)
                .map_err(|e| format!("{}: {e}", show_path(out)))?
                .next()
                .is_none();
            if empty || args.replace {
                Ok(out.clone())
            } else {
                Err(format!(
                    "{}: exists and is not empty\nhelp: add --replace to replace it",
                    show_path(out)
                ))
            }
        }
        Err(_) => Ok(out.clone()),
    }
}

struct Progress {
    total: usize,
    done: AtomicUsize,
    shown: bool,
}

impl Progress {
    fn new(total: usize, quiet: bool) -> Progress {
        Progress {
            total,
            done: AtomicUsize::new(0),
            shown: !quiet && std::io::stderr().is_terminal(),
        }
    }

    fn tick(&self) {
        let n = self.done.fetch_add(1, Ordering::Relaxed) + 1;
        if self.shown && (n.is_multiple_of(64) || n == self.total) {
            let width = 30;
            let filled = n * width / self.total.max(1);
            eprint!(
                "\r[{}{}] {n}/{} files",
                "#".repeat(filled),
                " ".repeat(width - filled),
                self.total
            );
            let _ = std::io::stderr().flush();
        }
    }

    fn finish(&self) {
        if self.shown {
            eprint!("\r{}\r", " ".repeat(60));
        }
    }
}

/// What happened to one entry.
struct Done {
    record: Option<FileRecord>,
    counts: EditCounts,
    problems: Vec<Problem>,
}

pub fn rewrite(args: &RewriteArgs, verbose: u8, quiet: bool) -> Result<Status, String> {
    let started = Instant::now();
    let mut phases = Phases::new(verbose > 1);
    // A run killed between its final renames leaves the tree it replaced
    // beside its place: put it back before looking.
    match &args.output {
        Some(out) => crate::output::recover(out),
        None => crate::locate::candidates(&args.input)
            .iter()
            .for_each(|(c, _)| crate::output::recover(c)),
    }
    let (client, layout) = locate(&args.input)?;
    if layout != Layout::Client && !quiet {
        eprintln!("csprefix: using {} ({layout})", show_path(&client));
    }
    let dest = destination(args, &client)?;
    let earlier = Manifest::read(&client)?;
    // A tree this tool wrote is rewritten again with the options it was
    // written with, unless the command line says otherwise.
    let options = options(
        &args.routes,
        &args.mount,
        earlier.as_ref().map(|m| &m.options),
    )?;
    let pool = pool(args.jobs)?;

    // Entries the walk refused fail the run at the end, with every other
    // problem of the tree listed beside them.
    let (entries, mut problems) = walk(&client);
    let mut settings = settings(&options, &entries);
    phases.done("walk");
    let prepared = pool.install(|| prepare(entries, &settings));
    phases.done("parse scripts");

    let staging = Staging::beside(&dest).map_err(|e| format!("{}: {e}", show_path(&dest)))?;
    for e in prepared.entries.iter().filter(|e| e.kind == Kind::Folder) {
        fs::create_dir_all(staging.path().join(&e.rel))
            .map_err(|err| format!("{}: {err}", e.rel))?;
    }
    let progress = Progress::new(prepared.entries.len(), quiet);
    let earlier_files: std::collections::HashMap<&str, &FileRecord> = earlier
        .as_ref()
        .map(|m| m.files.iter().map(|f| (f.path.as_str(), f)).collect())
        .unwrap_or_default();
    settings.final_dir = Some(staging.path().to_path_buf());
    settings.input_dir = Some(client.clone());
    settings.drop_compressed = args.drop_compressed;
    let (others, documents) = prepared.passes();
    let write = |i: usize| {
        let d = write_entry(
            &prepared,
            i,
            &settings,
            staging.path(),
            args.keep_going,
            &earlier_files,
        );
        progress.tick();
        d
    };
    let mut done: Vec<Done> = pool.install(|| others.into_par_iter().map(write).collect());
    phases.done("files");
    done.extend(pool.install(|| documents.into_par_iter().map(write).collect::<Vec<_>>()));
    phases.done("documents and maps");
    progress.finish();
    if crate::output::interrupted() {
        drop(staging);
        return Ok(Status::Interrupted);
    }

    let mut summary = Summary::default();
    let mut files = Vec::new();
    let mut totals = EditCounts::new();
    let mut rewritten_now = 0;
    for d in done {
        problems.extend(d.problems);
        if let Some(r) = d.record {
            summary.files += 1;
            if r.failed {
                summary.failed += 1;
            }
            if !d.counts.is_empty() {
                rewritten_now += 1;
                if verbose > 0 {
                    eprintln!("csprefix: {}: {}", r.path, describe(&d.counts));
                }
            }
            for (k, n) in &d.counts {
                *totals.entry(*k).or_default() += n;
            }
            files.push(r);
        }
    }
    if !problems.is_empty() && !args.keep_going {
        drop(staging);
        return fail(problems, quiet);
    }
    for p in &problems {
        eprintln!("csprefix: {p}");
    }
    files.sort_by(|a, b| a.path.cmp(&b.path));
    // The manifest describes the tree against the original files, so a
    // second run records what the first did.
    summary.rewritten = files.iter().filter(|f| !f.edits.is_empty()).count() as u64;
    summary.edits =
        files
            .iter()
            .flat_map(|f| f.edits.iter())
            .fold(Default::default(), |mut m, (k, n)| {
                *m.entry(k.clone()).or_default() += n;
                m
            });
    let manifest = Manifest {
        tool: "csprefix".into(),
        version: env!("CARGO_PKG_VERSION").into(),
        options,
        summary,
        files,
    };
    fs::write(staging.path().join(MANIFEST_NAME), manifest.to_json())
        .map_err(|e| format!("{MANIFEST_NAME}: {e}"))?;
    phases.done("manifest");
    if let Err(e) = staging.commit(&dest) {
        if e.kind() == std::io::ErrorKind::Interrupted {
            return Ok(Status::Interrupted);
        }
        return Err(format!(
            "{}: cannot put the output in place: {e}",
            show_path(&dest)
        ));
    }
    phases.done("commit");
    phases.print();
    if verbose > 0 {
        if let Some(kib) = crate::diagnostics::peak_memory_kib() {
            eprintln!("csprefix: peak memory {:.1} MiB", kib as f64 / 1024.0);
        }
    }
    if !quiet {
        let n: u64 = totals.values().sum();
        eprintln!(
            "csprefix: {} files, {} rewritten, {n} edits ({}), {} failed, {:.2}s -> {}",
            manifest.summary.files,
            rewritten_now,
            describe(&totals),
            manifest.summary.failed,
            started.elapsed().as_secs_f64(),
            show_path(&dest)
        );
    }
    Ok(if problems.is_empty() {
        Status::Ok
    } else {
        Status::SomeFailed
    })
}

/// Wall time of each phase of a run, printed with `-vv`.
struct Phases {
    on: bool,
    last: Instant,
    times: Vec<(&'static str, f64)>,
}

impl Phases {
    fn new(on: bool) -> Phases {
        Phases {
            on,
            last: Instant::now(),
            times: Vec::new(),
        }
    }

    fn done(&mut self, name: &'static str) {
        if self.on {
            let now = Instant::now();
            self.times.push((name, (now - self.last).as_secs_f64()));
            self.last = now;
        }
    }

    fn print(&self) {
        if self.on {
            let list: Vec<String> = self
                .times
                .iter()
                .map(|(n, t)| format!("{n} {t:.3}s"))
                .collect();
            eprintln!("csprefix: phases: {}", list.join(", "));
        }
    }
}

fn fail(problems: Vec<Problem>, quiet: bool) -> Result<Status, String> {
    for p in &problems {
        eprintln!("csprefix: {p}");
    }
    if !quiet {
        eprintln!(
            "csprefix: {} problem(s); nothing was written\nhelp: --keep-going writes the rest and copies these files unchanged",
            problems.len()
        );
    }
    Ok(Status::SomeFailed)
}

pub fn describe(counts: &EditCounts) -> String {
    if counts.is_empty() {
        return "none".into();
    }
    counts
        .iter()
        .map(|(k, n)| format!("{k} {n}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Writes one entry into the staging folder; nothing once interrupted.
fn write_entry(
    prepared: &crate::pipeline::Prepared,
    i: usize,
    settings: &Settings,
    staging: &Path,
    keep_going: bool,
    earlier: &std::collections::HashMap<&str, &FileRecord>,
) -> Done {
    if crate::output::interrupted() {
        return Done {
            record: None,
            counts: EditCounts::new(),
            problems: Vec::new(),
        };
    }
    let entry = &prepared.entries[i];
    let dest = staging.join(&entry.rel);
    let io_fail = |e: std::io::Error| Done {
        record: None,
        counts: EditCounts::new(),
        problems: vec![Problem::file(&entry.rel, e.to_string())],
    };
    match entry.kind {
        Kind::Folder => {
            return Done {
                record: None,
                counts: EditCounts::new(),
                problems: Vec::new(),
            };
        }
        Kind::Link => {
            let result = fs::read_link(&entry.path).and_then(|t| {
                #[cfg(unix)]
                std::os::unix::fs::symlink(&t, &dest)?;
                Ok(t)
            });
            return match result {
                Ok(t) => {
                    let sha = sha256_hex(t.to_string_lossy().as_bytes());
                    let record = FileRecord {
                        path: entry.rel.clone(),
                        kind: Kind::Link.name().into(),
                        original_sha256: sha.clone(),
                        output_sha256: sha,
                        edits: Default::default(),
                        failed: false,
                    };
                    Done {
                        record: Some(record),
                        counts: EditCounts::new(),
                        problems: Vec::new(),
                    }
                }
                Err(e) => io_fail(e),
            };
        }
        _ => {}
    }
    let (input, output, counts, problems) = match prepared.outcome(i, settings) {
        Outcome::Copy => match fs::read(&entry.path) {
            Ok(b) => (b.clone(), b, EditCounts::new(), Vec::new()),
            Err(e) => return io_fail(e),
        },
        Outcome::Edits { src, mut edits, .. } => {
            let counts = count(&edits);
            match splice(&src, &mut edits) {
                Ok(out) => (src, out, counts, Vec::new()),
                Err(msg) => (
                    src.clone(),
                    src,
                    EditCounts::new(),
                    vec![Problem::file(&entry.rel, msg)],
                ),
            }
        }
        Outcome::Regenerated { src, output } => {
            let mut counts = EditCounts::new();
            counts.insert(crate::edit::EditKind::Compressed, 1);
            (src, output, counts, Vec::new())
        }
        Outcome::Dropped => {
            return Done {
                record: None,
                counts: EditCounts::new(),
                problems: Vec::new(),
            };
        }
        Outcome::Failed(problems) => {
            if !keep_going {
                return Done {
                    record: None,
                    counts: EditCounts::new(),
                    problems,
                };
            }
            match fs::read(&entry.path) {
                Ok(b) => (b.clone(), b, EditCounts::new(), problems),
                Err(e) => return io_fail(e),
            }
        }
    };
    if let Err(e) = fs::write(&dest, &output) {
        return io_fail(e);
    }
    if let Ok(meta) = fs::metadata(&entry.path) {
        let _ = fs::set_permissions(&dest, meta.permissions());
    }
    let input_sha = sha256_hex(&input);
    let output_sha = if output == input {
        input_sha.clone()
    } else {
        sha256_hex(&output)
    };
    let (original, edits) = carry_over(
        earlier.get(entry.rel.as_str()).copied(),
        &input_sha,
        &counts,
    );
    let record = FileRecord {
        path: entry.rel.clone(),
        kind: entry.kind.name().into(),
        original_sha256: original,
        output_sha256: output_sha,
        edits,
        failed: !problems.is_empty(),
    };
    Done {
        record: Some(record),
        counts,
        problems,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mount_patterns_must_be_javascript() {
        for ok in [
            DEFAULT_PATTERN,
            "^/apps/[a-z]+",
            "(?<=x)/y",
            "^/(?<host>[^/]+)/",
            "\\(?=",
        ] {
            assert!(js_regex_check(ok).is_ok(), "{ok}");
        }
        for bad in ["(?i)^/x", "(?P<n>x)", "(", "(?x) a"] {
            assert!(js_regex_check(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn recorded_options_are_checked_too() {
        let mut o = options(&RouteArgs::default(), &MountArgs::default(), None).unwrap();
        o.server_routes.push("api2".into());
        assert!(options(&RouteArgs::default(), &MountArgs::default(), Some(&o)).is_err());
    }
}
