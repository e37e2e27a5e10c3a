//! The `lore` binary: parse arguments, run, print errors, exit with a code.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = lore::cli::Cli::parse();
    match lore::cli::run(&cli) {
        Ok(code) => code,
        // The reader of a pipe stopped reading (`lore search x | head -1`): not a failure.
        Err(err) if lore::cli::is_broken_pipe(&err) => ExitCode::SUCCESS,
        Err(err) => {
            lore::cli::print_error(&err, cli.global.quiet);
            ExitCode::from(2)
        }
    }
}
