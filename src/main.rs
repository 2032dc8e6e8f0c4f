//! `csprefix`: arguments in, exit code out.

use std::process::ExitCode;

use clap::Parser;

use csprefix::cli::{Cli, Command};
use csprefix::{check, run, Status};

// The parsers allocate many small nodes from several threads at once.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = Cli::parse();
    csprefix::signals::install();
    // A panic inside a rule is reported as a problem with its file; any
    // other is a bug of the tool and says so.
    std::panic::set_hook(Box::new(|info| {
        if !csprefix::pipeline::in_guard() {
            eprintln!("csprefix: internal error, please report it: {info}");
        }
    }));
    let result = match &cli.command {
        Command::Rewrite(args) => run::rewrite(args, cli.verbose, cli.quiet),
        Command::Check(args) => check::check(args, cli.quiet),
    };
    match result {
        Ok(Status::Ok) => ExitCode::SUCCESS,
        Ok(Status::SomeFailed) => ExitCode::from(1),
        Ok(Status::Interrupted) => {
            eprintln!("csprefix: interrupted; nothing was written");
            ExitCode::from(130)
        }
        Err(e) => {
            eprintln!("csprefix: {e}");
            ExitCode::from(2)
        }
    }
}
