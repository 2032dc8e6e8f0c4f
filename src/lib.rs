//! Rewrites a built web client so it works under a path prefix that a
//! reverse proxy strips (Open OnDemand's `/rnode/<host>/<port>/`), at deep
//! links below it, and still at `/`.

pub mod check;
pub mod cli;
pub mod diagnostics;
pub mod edit;
pub mod invariants;
pub mod locate;
pub mod output;
pub mod pipeline;
pub mod plan;
pub mod rewrite;
pub mod run;
pub mod runtime;
pub mod signals;
pub mod urls;

/// How a command ended, when it ended at all.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Ok,
    /// Some files could not be handled, or `check` found something.
    SomeFailed,
    /// Stopped by a signal before anything was put in place.
    Interrupted,
}
