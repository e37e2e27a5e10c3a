//! `lore new KIND TITLE [--supersedes N]`

use std::process::ExitCode;

use super::GlobalArgs;
use crate::config::display_path;
use crate::diag::escape;
use crate::error::Error;
use crate::new::{NewKind, NewOptions};

/// Arguments of `lore new`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// What to create.
    #[arg(value_enum)]
    pub kind: NewKind,
    /// The page's title; the file name is made from it (with `--alert`, the alert's name).
    #[arg(required_unless_present = "alert")]
    pub title: Option<String>,
    /// ADRs: the number of the record this one supersedes (its status line is updated).
    #[arg(long, value_name = "N")]
    pub supersedes: Option<u32>,
    /// Runbooks: the alert it answers, read from `[alerts] rules`; the file is named after it
    /// and the title, service, severity and summary come from its rule.
    #[arg(long, value_name = "NAME")]
    pub alert: Option<String>,
}

/// Writes the page and prints its path on stdout.
pub(super) fn execute(args: &Args, global: &GlobalArgs) -> Result<ExitCode, Error> {
    let root = super::resolve_root(None, global)?;
    let options = NewOptions {
        root,
        config_file: global.config.clone(),
        kind: args.kind,
        title: args.title.clone().or_else(|| args.alert.clone()).unwrap_or_default(),
        supersedes: args.supersedes,
        alert: args.alert.clone(),
    };
    let out = crate::new::create(&options)?;
    let shown = |path: &std::path::Path| escape(&display_path(path).display().to_string()).into_owned();
    super::write_out(&format!("{}\n", shown(&out.created)))?;
    if let (Some(updated), false) = (&out.updated, global.quiet) {
        super::write_err(&format!("marked {} as superseded\n", shown(updated)))?;
    }
    Ok(ExitCode::SUCCESS)
}
