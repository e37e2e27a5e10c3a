//! `lore init [DIR]`

use std::path::PathBuf;
use std::process::ExitCode;

use super::GlobalArgs;
use crate::error::Error;
use crate::init::Init;

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
    let done = crate::init::init(&dir, args.title.as_deref())?;
    if !global.quiet {
        let shown = |path: &std::path::Path| crate::diag::escape(&path.display().to_string()).into_owned();
        let mut text = String::new();
        match &done {
            Init::Created(written) => {
                for path in written {
                    text.push_str(&format!("created {}\n", shown(path)));
                }
            }
            Init::Adopted { book, folder, pages } => {
                let pages = if *pages == 1 { "1 page".to_owned() } else { format!("{pages} pages") };
                text.push_str(&format!("found {pages} under {folder}/\ncreated {}\n", shown(book)));
            }
            Init::MkDocs(file) => {
                text.push_str(&format!(
                    "found {}: lore builds from it as it is; nothing written\n",
                    shown(file)
                ));
            }
        }
        text.push_str(&format!("next: lore build {}\n", shown(&dir)));
        super::write_err(&text)?;
    }
    Ok(ExitCode::SUCCESS)
}
