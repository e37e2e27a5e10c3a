//! `lore build [DIR]`

use std::path::PathBuf;
use std::process::ExitCode;

use super::GlobalArgs;
use crate::build::{BuildOptions, build};
use crate::error::Error;

/// Arguments of `lore build`.
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
    /// Write the site even when pages have errors (broken links, front matter that does not
    /// parse…), as `lore serve` shows it; the errors are still reported and the exit code is
    /// still 2. Configuration and theme errors still stop the build.
    #[arg(short = 'k', long)]
    pub keep_going: bool,
    /// Portal: fail when a site's `lore-site.json` cannot be read (else the site is listed as
    /// unavailable and the rest is built).
    #[arg(long)]
    pub require_all_sites: bool,
}

/// Builds the site and prints a one-line summary.
pub(super) fn execute(args: &Args, global: &GlobalArgs) -> Result<ExitCode, Error> {
    let root = super::resolve_root(args.dir.as_ref(), global)?;
    let options = BuildOptions {
        root: root.clone(),
        config_file: global.config.clone(),
        write: true,
        strict: args.strict,
        today: args.today.clone(),
        cache: !args.no_cache,
        note: (!global.quiet).then_some(crate::diag::print_note),
        keep_going: args.keep_going,
        require_all_sites: args.require_all_sites,
        ..BuildOptions::default()
    };
    let progress = super::progress_bar(global.quiet);
    let output = build(&options, Some(&progress))?;
    let (errors, _) = crate::diag::count(&output.diagnostics);
    if errors > 0 {
        // Kept going: the same text a failed build prints, then where the site went.
        super::write_err(&super::error_text(&Error::Diagnostics(output.diagnostics.clone()), global.quiet))?;
    } else {
        super::write_diagnostics(&output.diagnostics, global.quiet)?;
    }
    if global.verbose {
        let mut text = String::new();
        for (stage, time) in &output.stages {
            text.push_str(&format!("{:>8.1} ms  {stage}\n", time.as_secs_f64() * 1000.0));
        }
        text.push_str(&format!("copied {} from the source folder\n", super::count_of(output.copied, "file")));
        for note in &output.notes {
            text.push_str(&crate::diag::escape(note));
            text.push('\n');
        }
        super::write_err(&text)?;
    }
    if !global.quiet {
        let shown = crate::config::display_path(&output.build_dir);
        let despite =
            if errors > 0 { format!(" despite {}", super::count_of(errors, "error")) } else { String::new() };
        super::write_err(&format!(
            "built {} in {:.2} s → {}/{despite}\n",
            super::count_of(output.pages, "page"),
            output.elapsed.as_secs_f64(),
            crate::diag::escape(&shown.display().to_string())
        ))?;
    }
    // The site is written, but the errors still fail the run, as they fail `lore build`.
    Ok(if errors > 0 { ExitCode::from(2) } else { ExitCode::SUCCESS })
}
