//! `lore init [DIR]`

use std::path::PathBuf;
use std::process::ExitCode;

use super::GlobalArgs;
use crate::error::Error;

/// Arguments of `lore init`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Where to create the site (default: the working folder).
    pub dir: Option<PathBuf>,
    /// The site's title.
    #[arg(long)]
    pub title: Option<String>,
}

/// Creates the site and lists the files written.
pub(super) fn execute(args: &Args, global: &GlobalArgs) -> Result<ExitCode, Error> {
    let dir = args.dir.clone().unwrap_or_else(|| PathBuf::from("."));
    let written = crate::init::init(&dir, args.title.as_deref())?;
    if !global.quiet {
        let mut text = String::new();
        for path in &written {
            text.push_str(&format!("created {}\n", crate::diag::escape(&path.display().to_string())));
        }
        text.push_str(&format!("next: lore build {}\n", crate::diag::escape(&dir.display().to_string())));
        super::write_err(&text)?;
    }
    Ok(ExitCode::SUCCESS)
}
