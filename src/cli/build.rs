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
        ..BuildOptions::default()
    };
    let progress = super::progress_bar(global.quiet);
    let output = build(&options, Some(&progress))?;
    super::write_diagnostics(&output.warnings, global.quiet)?;
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
        super::write_err(&format!(
            "built {} in {:.2} s → {}/\n",
            super::count_of(output.pages, "page"),
            output.elapsed.as_secs_f64(),
            crate::diag::escape(&shown.display().to_string())
        ))?;
    }
    Ok(ExitCode::SUCCESS)
}
