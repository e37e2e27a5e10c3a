//! `lore check [DIR]`

use std::path::PathBuf;
use std::process::ExitCode;

use super::GlobalArgs;
use crate::build::{BuildOptions, build};
use crate::config::FailOn;
use crate::error::Error;
use crate::report::{self, Format};

/// Arguments of `lore check`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The site folder (default: the nearest folder holding `book.toml`).
    pub dir: Option<PathBuf>,
    /// Make every unknown front-matter key an error.
    #[arg(long)]
    pub strict: bool,
    /// Compute freshness as of this day (YYYY-MM-DD) instead of today.
    #[arg(long, value_name = "DATE")]
    pub today: Option<String>,
    /// Render every page afresh, without reading or writing the build cache in `.lore/cache/`.
    #[arg(long)]
    pub no_cache: bool,
    /// Exit 1 when pages are in this state or worse (default: `[freshness] fail-on`, else `stale`).
    #[arg(long, value_name = "STATE", value_parser = ["stale", "due-soon", "unverified", "never"])]
    pub fail_on: Option<String>,
    /// How to print the freshness report.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// Report only the pages of this owner.
    #[arg(long, value_name = "TEAM")]
    pub owner: Option<String>,
    /// Portal: fail when a site's `lore-site.json` cannot be read (else the site is listed as
    /// unavailable and the rest is built).
    #[arg(long)]
    pub require_all_sites: bool,
}

/// Runs every check; exit 1 when the content has errors or pages fail `--fail-on`.
pub(super) fn execute(args: &Args, global: &GlobalArgs) -> Result<ExitCode, Error> {
    let root = super::resolve_root(args.dir.as_ref(), global)?;
    let options = BuildOptions {
        root,
        config_file: global.config.clone(),
        write: false,
        strict: args.strict,
        today: args.today.clone(),
        cache: !args.no_cache,
        note: (!global.quiet).then_some(crate::diag::print_note),
        fail_on: args.fail_on.as_deref().and_then(FailOn::parse),
        require_all_sites: args.require_all_sites,
        ..BuildOptions::default()
    };
    let output = match build(&options, None) {
        Ok(output) => output,
        Err(Error::Diagnostics(diags)) => {
            let shown: Vec<_> = diags.iter().filter(|d| !global.quiet || d.is_error()).cloned().collect();
            super::write_out(&report::render_failed_check(args.format, &shown))?;
            super::write_diagnostics(&diags, global.quiet)?;
            super::write_err(&format!("{}\n", super::summary_line(&diags)))?;
            return Ok(ExitCode::from(1));
        }
        Err(other) => return Err(other),
    };
    super::write_diagnostics(&output.diagnostics, global.quiet)?;
    let alerts = output.freshness.alerts.as_ref().map(crate::site::coverage::Counts::summary);
    let report = match &args.owner {
        Some(owner) => {
            let mine = output.freshness.for_owner(owner);
            if mine.pages.is_empty() && !global.quiet {
                super::write_err(&format!(
                    "warning: no page has `owner: {}`\n  = hint: owners here: {}\n\n",
                    crate::diag::escape(owner),
                    crate::diag::escape(&owners(&output.freshness))
                ))?;
            }
            mine
        }
        None => output.freshness,
    };
    let fail_on = args.fail_on.as_deref().and_then(FailOn::parse).unwrap_or(report.fail_on);
    let fails = |s: crate::site::freshness::State| s.fails(fail_on, report.unverified_is_stale);
    let warnings: &[crate::diag::Diagnostic] = if global.quiet { &[] } else { &output.diagnostics };
    super::write_out(&report::render_check(&report, args.format, &fails, warnings))?;
    let failing = report.failing(fail_on).len();
    if !global.quiet {
        let warnings = output.diagnostics.len();
        let tail = match warnings {
            0 => String::new(),
            1 => ", 1 warning".to_owned(),
            n => format!(", {n} warnings"),
        };
        super::write_err(&format!("checked {}: no errors{tail}\n", super::count_of(output.pages, "page")))?;
        if let Some(line) = alerts {
            super::write_err(&format!("{line}\n"))?;
        }
    }
    if failing > 0 {
        let pages = if failing == 1 { "1 page needs".to_owned() } else { format!("{failing} pages need") };
        super::write_err(&format!("error: {pages} review (`--fail-on {}`)\n", fail_on.name()))?;
        return Ok(ExitCode::from(1));
    }
    Ok(ExitCode::SUCCESS)
}

/// The owners of a report, for the "no page has this owner" hint.
fn owners(report: &report::FreshnessReport) -> String {
    let mut owners: Vec<&str> = report.pages.iter().filter_map(|e| e.owner.as_deref()).collect();
    owners.sort_unstable();
    owners.dedup();
    if owners.is_empty() { "none".to_owned() } else { owners.join(", ") }
}
