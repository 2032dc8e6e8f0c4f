//! `csprefix`: arguments in, exit code out.

use std::process::ExitCode;

use clap::Parser;

use csprefix::cli::{Cli, Command};
use csprefix::{check, run, Status};

fn main() -> ExitCode {
    let cli = Cli::parse();
    csprefix::signals::install();
    let result = match &cli.command {
        Command::Rewrite(args) => run::rewrite(args, cli.verbose, cli.quiet),
        Command::Check(args) => check::check(args, cli.quiet),
    };
    match result {
        Ok(Status::Ok) => ExitCode::SUCCESS,
        Ok(Status::SomeFailed) => ExitCode::from(1),
        Err(e) => {
            eprintln!("csprefix: {e}");
            ExitCode::from(2)
        }
    }
}
