//! The `check` command: an audit of a client tree, rewritten or not.
//!
//! It runs the rewrite's analysis without writing anything. Whatever the
//! rewrite would still change is *unhandled*: a root-relative URL in a place
//! where it is loaded, or a document without the bootstrap. Root-relative
//! strings the rules leave alone are listed with the reason. A tree the tool
//! rewrote has nothing unhandled, which is what CI and the image's `%test`
//! assert.

use serde::Serialize;

use crate::cli::CheckArgs;
use crate::diagnostics::{escape, LineIndex, Position, Problem};
use crate::locate::locate;
use crate::output::Manifest;
use rayon::prelude::*;

use crate::pipeline::{prepare, Outcome};
use crate::plan::walk;
use crate::run::{options, pool, settings};
use crate::Status;

#[derive(Debug, Serialize)]
pub struct Finding {
    pub path: String,
    pub line: usize,
    pub column: usize,
    /// For unhandled findings the kind of edit the rewrite would make; for
    /// kept ones the reason.
    pub what: String,
    pub value: String,
}

#[derive(Debug, Default, Serialize)]
pub struct Report {
    pub unhandled: Vec<Finding>,
    pub kept: Vec<Finding>,
    /// Files that could not be read or parsed, and entries the walk refused.
    pub errors: Vec<Problem>,
}

fn short(s: &str) -> String {
    let one_line: String = s
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    if one_line.chars().count() > 80 {
        format!("{}...", one_line.chars().take(77).collect::<String>())
    } else {
        one_line
    }
}

pub fn audit(args: &CheckArgs) -> Result<Report, String> {
    let (dir, _) = locate(&args.dir)?;
    let recorded = Manifest::read(&dir)?.map(|m| m.options);
    let options = options(&args.routes, &args.mount, recorded.as_ref())?;
    let pool = pool(args.jobs)?;
    let (entries, problems) = walk(&dir);
    let mut report = Report {
        errors: problems,
        ..Report::default()
    };
    let mut settings = settings(&options, &entries);
    settings.final_dir = Some(dir.clone());
    settings.input_dir = Some(dir.clone());
    let prepared = pool.install(|| prepare(entries, &settings));
    let (early, late) = prepared.passes();
    let outcome = |i: usize| (i, prepared.outcome(i, &settings));
    let mut outcomes: Vec<(usize, Outcome)> =
        pool.install(|| early.into_par_iter().map(outcome).collect());
    outcomes.extend(pool.install(|| late.into_par_iter().map(outcome).collect::<Vec<_>>()));
    for (i, outcome) in outcomes {
        let rel = &prepared.entries[i].rel;
        match outcome {
            Outcome::Copy => {}
            Outcome::Regenerated { .. } | Outcome::Dropped => report.unhandled.push(Finding {
                path: rel.clone(),
                line: 1,
                column: 1,
                what: "compressed".into(),
                value: "stale: not a copy of its file".into(),
            }),
            Outcome::Failed(problems) => report.errors.extend(problems),
            Outcome::Edits { src, edits, kept } => {
                let text = String::from_utf8_lossy(&src);
                let lines = LineIndex::new(&text);
                let offsets: Vec<usize> = edits
                    .iter()
                    .map(|e| e.range.start)
                    .chain(kept.iter().map(|k| k.offset))
                    .collect();
                let mut positions = lines.positions(&offsets).into_iter();
                for e in edits {
                    let p = positions.next().unwrap_or(Position { line: 1, column: 1 });
                    let value = if e.range.is_empty() {
                        "(missing: inserted by the rewrite)".to_string()
                    } else {
                        short(&text[e.range.clone()])
                    };
                    report.unhandled.push(Finding {
                        path: rel.clone(),
                        line: p.line,
                        column: p.column,
                        what: e.kind.name().to_string(),
                        value,
                    });
                }
                for k in kept {
                    let p = positions.next().unwrap_or(Position { line: 1, column: 1 });
                    report.kept.push(Finding {
                        path: rel.clone(),
                        line: p.line,
                        column: p.column,
                        what: k.reason.to_string(),
                        value: short(&k.value),
                    });
                }
            }
        }
    }
    let key = |f: &Finding| (f.path.clone(), f.line, f.column);
    report.unhandled.sort_by_key(key);
    report.kept.sort_by_key(key);
    report
        .errors
        .sort_by(|a, b| (&a.path, a.position).cmp(&(&b.path, b.position)));
    Ok(report)
}

pub fn check(args: &CheckArgs, quiet: bool) -> Result<Status, String> {
    let report = audit(args)?;
    if args.json {
        println!(
            "{}",
            serde_json::to_string_pretty(&report).expect("report serializes")
        );
    } else {
        for f in &report.unhandled {
            println!(
                "{}:{}:{}: unhandled: {}: {}",
                escape(&f.path),
                f.line,
                f.column,
                f.what,
                f.value
            );
        }
        for f in &report.kept {
            println!(
                "{}:{}:{}: kept: {}: {}",
                escape(&f.path),
                f.line,
                f.column,
                f.what,
                f.value
            );
        }
        for e in &report.errors {
            println!("{e}");
        }
        if !quiet {
            eprintln!(
                "csprefix: {} unhandled, {} kept, {} errors",
                report.unhandled.len(),
                report.kept.len(),
                report.errors.len()
            );
        }
    }
    Ok(if report.unhandled.is_empty() && report.errors.is_empty() {
        Status::Ok
    } else {
        Status::SomeFailed
    })
}
