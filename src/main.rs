//! The `lore` binary: parse arguments, run, print errors, exit with a code.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = lore::cli::Cli::parse();
    match lore::cli::run(&cli) {
        Ok(code) => code,
        Err(err) => {
            lore::cli::print_error(&err, cli.global.quiet);
            ExitCode::from(2)
        }
    }
}
