//! The `lore` binary: parse arguments, run, print errors, exit with a code.

use std::process::ExitCode;

use clap::Parser;

#[global_allocator]
static ALLOCATOR: lore::memory::Allocator = lore::memory::ALLOCATOR;

/// jemalloc's options: freed pages go back to the system after half a second, from one
/// background thread (however many cores), so a build's peak and a server's resting size stay
/// low and its thread count does not depend on the machine.
#[cfg(not(target_env = "msvc"))]
#[unsafe(export_name = "_rjem_malloc_conf")]
pub static MALLOC_CONF: &[u8; 84] =
    b"background_thread:true,max_background_threads:1,dirty_decay_ms:500,muzzy_decay_ms:0\0";

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
