//! The command line: subcommands, options and their help texts.

use std::path::PathBuf;

use clap::{ArgAction, Args, Parser, Subcommand};

const EXAMPLES: &str = "\
Examples:
  csprefix rewrite cryosparc_master -o /tmp/client
      find the web client in a CryoSPARC install and write a rewritten copy
  csprefix rewrite dist/client --in-place
      rewrite a client where it is (image builds)
  csprefix rewrite dist/client -o out --fixed-prefix /apps/cryosparc
      for a site that serves CryoSPARC under one fixed path
  csprefix check out --json
      list what is left root-relative, as JSON";

/// Rewrites CryoSPARC's built web client so it works under Open OnDemand's
/// /rnode/<host>/<port>/ proxy, at deep links, and still at /.
#[derive(Debug, Parser)]
#[command(name = "csprefix", version, after_help = EXAMPLES)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,

    /// Say more: one line per rewritten file; twice (-vv), the time of each
    /// phase too.
    #[arg(short, long, global = true, action = ArgAction::Count)]
    pub verbose: u8,

    /// Say nothing but errors.
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Write a rewritten copy of a client (or rewrite it in place).
    Rewrite(RewriteArgs),
    /// Audit a client: what is still root-relative, and what was left alone.
    Check(CheckArgs),
}

#[derive(Debug, Args)]
pub struct RewriteArgs {
    /// The dist/client folder, or a CryoSPARC install (cryosparc_master or
    /// the folder holding it).
    pub input: PathBuf,

    /// Where to write the rewritten client.
    #[arg(short, long, value_name = "OUT", required_unless_present = "in_place")]
    pub output: Option<PathBuf>,

    /// Replace the input client with the rewritten one, atomically.
    #[arg(long, conflicts_with = "output")]
    pub in_place: bool,

    /// Replace OUT if it exists and is not empty.
    #[arg(long)]
    pub replace: bool,

    /// Write the output even when some files fail to parse; those files are
    /// copied unchanged and the exit code is still 1. Entries the walk
    /// refuses (fifos, sockets, links leading out of the tree) are left out.
    #[arg(long)]
    pub keep_going: bool,

    /// Leave out the precompressed copies (.gz, .br) of rewritten files
    /// instead of compressing them again.
    #[arg(long)]
    pub drop_compressed: bool,

    #[command(flatten)]
    pub routes: RouteArgs,

    #[command(flatten)]
    pub mount: MountArgs,

    /// Worker threads (default: one per core).
    #[arg(short, long, value_name = "N")]
    pub jobs: Option<usize>,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// The client folder to audit (or a CryoSPARC install).
    pub dir: PathBuf,

    /// Print the findings as JSON.
    #[arg(long)]
    pub json: bool,

    #[command(flatten)]
    pub routes: RouteArgs,

    #[command(flatten)]
    pub mount: MountArgs,

    /// Worker threads (default: one per core).
    #[arg(short, long, value_name = "N")]
    pub jobs: Option<usize>,
}

/// Which root-relative paths are routes of the server or of the client.
#[derive(Debug, Args, Clone, Default)]
pub struct RouteArgs {
    /// The built-in set of routes to start from: cryosparc or none.
    ///
    /// Defaults to cryosparc. On a tree this tool wrote, the routes and
    /// mount options recorded in its manifest are the defaults instead.
    #[arg(long, value_name = "NAME")]
    pub profile: Option<String>,

    /// A path the server answers that is not a file of the bundle (such as
    /// /api); may be repeated. Literals naming it gain the mount root.
    #[arg(long = "server-route", value_name = "PATH")]
    pub server_routes: Vec<String>,

    /// A route of the client's page router (such as /login); may be
    /// repeated. Literals naming it stay as they are.
    #[arg(long = "page-route", value_name = "PATH")]
    pub page_routes: Vec<String>,
}

/// How the bootstrap finds the mount root at run time.
#[derive(Debug, Args, Clone, Default)]
pub struct MountArgs {
    /// A JavaScript regular expression matched against the page path; the
    /// match is the mount root. Default: ^/r?node/[^/]+/[0-9]+(?=/|$)
    #[arg(long, value_name = "REGEX", conflicts_with = "fixed_prefix")]
    pub mount_pattern: Option<String>,

    /// A fixed mount root, such as /apps/cryosparc.
    #[arg(long, value_name = "PATH")]
    pub fixed_prefix: Option<String>,
}
