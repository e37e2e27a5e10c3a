//! `lore verify PATH… [--by NAME] [--date D] [--all-stale [--owner TEAM]]`

use std::path::PathBuf;
use std::process::ExitCode;

use super::GlobalArgs;
use crate::build::BuildOptions;
use crate::diag::escape;
use crate::error::Error;
use crate::verify::{self, Verification, VerifyError};

/// Arguments of `lore verify`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The pages to mark verified.
    #[arg(required_unless_present = "all_stale")]
    pub paths: Vec<PathBuf>,
    /// Who verified them (written as `verified_by`).
    #[arg(long, value_name = "NAME")]
    pub by: Option<String>,
    /// The date of the review (default: today).
    #[arg(long, value_name = "DATE")]
    pub date: Option<String>,
    /// Verify every stale page of the site (narrow with `--owner`).
    #[arg(long)]
    pub all_stale: bool,
    /// With `--all-stale`: only the pages of this owner.
    #[arg(long, value_name = "TEAM", requires = "all_stale")]
    pub owner: Option<String>,
    /// What "today" is (YYYY-MM-DD), for `--all-stale` and the default date.
    #[arg(long, value_name = "DATE")]
    pub today: Option<String>,
}

/// Rewrites each file's `last_verified`; exit 1 when a file could not be verified.
pub(super) fn execute(args: &Args, global: &GlobalArgs) -> Result<ExitCode, Error> {
    let today = crate::site::freshness::today(args.today.as_deref())?;
    let date = match &args.date {
        Some(text) => text.parse().map_err(|_| {
            Error::Usage(format!(
                "`--date` is not a date: `{text}`\n  = hint: write it as YYYY-MM-DD, e.g. `{today}`"
            ))
        })?,
        None => today,
    };
    if date > today {
        return Err(Error::Usage(format!("`--date` {date} is in the future (today is {today})")));
    }
    let root = super::resolve_root(None, global)?;
    let mut paths = args.paths.clone();
    if paths.iter().any(|p| !p.exists()) {
        let config = crate::config::SiteConfig::load(&root, global.config.as_deref())?;
        paths = paths.iter().map(|p| verify::resolve(p, &config.src)).collect();
    }
    if args.all_stale {
        let options = BuildOptions {
            root,
            config_file: global.config.clone(),
            write: false,
            strict: false,
            today: Some(today.to_string()),
            ..BuildOptions::default()
        };
        paths.extend(verify::stale_files(&options, args.owner.as_deref())?);
    }
    let v = Verification { date, by: args.by.clone() };
    let mut failed = 0;
    for path in &paths {
        let shown = crate::config::display_path(path);
        match verify::verify_file(path, &shown, &v) {
            Ok(()) => {
                if !global.quiet {
                    super::write_out(&format!("verified {}\n", escape(&shown.display().to_string())))?;
                }
            }
            Err(VerifyError::Content(d)) => {
                failed += 1;
                super::write_err(&format!("{d}\n\n"))?;
            }
            Err(VerifyError::Io(e)) => {
                failed += 1;
                let error = escape(&e.to_string()).into_owned();
                let text = match std::error::Error::source(&e) {
                    Some(cause) => format!("error: {error}\n  caused by: {}\n\n", escape(&cause.to_string())),
                    None => format!("error: {error}\n\n"),
                };
                super::write_err(&text)?;
            }
        }
    }
    if args.all_stale && paths.is_empty() && !global.quiet {
        super::write_err("no stale pages\n")?;
    }
    if failed > 0 {
        let files = if failed == 1 { "1 file".to_owned() } else { format!("{failed} files") };
        super::write_err(&format!("error: {files} could not be verified\n"))?;
        return Ok(ExitCode::from(1));
    }
    Ok(ExitCode::SUCCESS)
}
