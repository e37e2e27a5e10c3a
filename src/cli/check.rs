//! `lore check [DIR]`

use std::path::PathBuf;
use std::process::ExitCode;

use super::GlobalArgs;
use crate::build::{BuildOptions, build};
use crate::error::Error;

/// Arguments of `lore check`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The site folder (default: the nearest folder holding `book.toml`).
    pub dir: Option<PathBuf>,
    /// Make every unknown front-matter key an error.
    #[arg(long)]
    pub strict: bool,
}

/// Runs every check; exit 1 when the content has errors.
pub(super) fn execute(args: &Args, global: &GlobalArgs) -> Result<ExitCode, Error> {
    let root = super::resolve_root(args.dir.as_ref(), global)?;
    let options = BuildOptions {
        root,
        config_file: global.config.clone(),
        write: false,
        strict: args.strict,
        ..BuildOptions::default()
    };
    match build(&options, None) {
        Ok(output) => {
            super::print_diagnostics(&output.warnings, global.quiet);
            if !global.quiet {
                let warnings = output.warnings.len();
                let tail = match warnings {
                    0 => String::new(),
                    1 => ", 1 warning".to_owned(),
                    n => format!(", {n} warnings"),
                };
                eprintln!("checked {}: no errors{tail}", super::count_of(output.pages, "page"));
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(Error::Diagnostics(diags)) => {
            super::print_diagnostics(&diags, global.quiet);
            eprintln!("{}", super::summary_line(&diags));
            Ok(ExitCode::from(1))
        }
        Err(other) => Err(other),
    }
}
