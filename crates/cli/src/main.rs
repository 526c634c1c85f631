//! `clientcookie`: a curl-like command whose cookies, redirects, Refresh,
//! `<meta http-equiv>` and robots.txt handling come from the clientcookie
//! library. Thin glue: [`args`] is the contract, [`get`] and [`jar_cmd`]
//! call the library, [`exit`] maps failures to the contract's statuses.

mod args;
mod exit;
mod get;
mod jar_cmd;
mod jarfile;
mod verbose;

use std::process::ExitCode;

use clap::Parser as _;

use crate::args::{Cli, Command};
use crate::exit::Status;

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => {
            // --help and --version are not errors; clap knows which is which.
            let _ = error.print();
            return if error.use_stderr() {
                Status::Usage.into()
            } else {
                Status::Success.into()
            };
        }
    };
    let result = match cli.command {
        Command::Get(args) => get::run(*args),
        Command::Jar(command) => jar_cmd::run(command),
    };
    match result {
        Ok(()) => Status::Success.into(),
        Err(failure) => {
            eprintln!("clientcookie: {failure}");
            failure.status.into()
        }
    }
}
