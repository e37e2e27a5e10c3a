//! The command line: clap definitions and one `execute` per command. This layer turns
//! arguments into options, calls one library function, and prints what it returns.
//!
//! Exit codes: 0 success; 1 `check` found problems in the content; 2 usage, config, I/O or
//! build errors.

mod build;
mod check;
mod init;
mod new;
mod search;
mod serve;
mod verify;

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

use crate::diag::Diagnostic;
use crate::error::Error;

/// lore — build runbooks, onboarding paths and decision records into a fast static site.
#[derive(Debug, Parser)]
#[command(name = "lore", version, about, propagate_version = true)]
pub struct Cli {
    /// Flags every command accepts.
    #[command(flatten)]
    pub global: GlobalArgs,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Flags shared by every command.
#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// Print only errors.
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,
    /// Print more detail (timings, every page written).
    #[arg(short, long, global = true)]
    pub verbose: bool,
    /// Use this config file instead of the nearest `book.toml`.
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Build the static site into the build folder (default `book/`).
    Build(build::Args),
    /// Run every check `build` does, without writing anything.
    Check(check::Args),
    /// Create a new site: `book.toml`, content folders and a sample page of each kind.
    Init(init::Args),
    /// Build, serve and watch the site; open pages reload when it changes.
    Serve(serve::Args),
    /// Search the site's index (written by `build`) from the terminal.
    Search(search::Args),
    /// Create a page from its kind's template: `lore new adr "Use Kafka for events"`.
    New(new::Args),
    /// Mark pages verified: set `last_verified` (and `verified_by`) in their front matter.
    Verify(verify::Args),
}

/// Runs the parsed command line.
pub fn run(cli: &Cli) -> Result<ExitCode, Error> {
    match &cli.command {
        Command::Build(args) => build::execute(args, &cli.global),
        Command::Check(args) => check::execute(args, &cli.global),
        Command::Init(args) => init::execute(args, &cli.global),
        Command::Serve(args) => serve::execute(args, &cli.global),
        Command::Search(args) => search::execute(args, &cli.global),
        Command::New(args) => new::execute(args, &cli.global),
        Command::Verify(args) => verify::execute(args, &cli.global),
    }
}

/// Prints an error and its causes to stderr (warnings only when not `quiet`). Nothing is left
/// to report to if stderr itself is closed, so a failed write is ignored.
pub fn print_error(err: &Error, quiet: bool) {
    let _ = write_err(&error_text(err, quiet));
}

/// The text [`print_error`] prints: every diagnostic (at most
/// [`SHOWN_PER_KIND`](crate::diag::SHOWN_PER_KIND) of a kind per file) and a summary line, or
/// the error and its causes. `serve` shows the same text in the browser's overlay.
pub fn error_text(err: &Error, quiet: bool) -> String {
    let mut out = String::new();
    match err {
        Error::Diagnostics(diags) | Error::Config(diags) => {
            out.push_str(&diagnostics_text(diags, quiet));
            out.push_str(&summary_line(diags));
            out.push('\n');
        }
        Error::Io { action, path, source } => {
            // The path may be a page's file name: escape it like any other content.
            let path = crate::diag::escape(&path.display().to_string()).into_owned();
            out.push_str(&format!("error: failed to {action} `{path}`\n  caused by: {source}\n"));
        }
        other => {
            out.push_str(&format!("error: {}\n", escape_keeping_lines(&other.to_string())));
            let mut source = std::error::Error::source(other);
            while let Some(cause) = source {
                out.push_str(&format!("  caused by: {}\n", escape_keeping_lines(&cause.to_string())));
                source = cause.source();
            }
        }
    }
    out
}

/// Escapes control characters in a message lore composed itself, whose line breaks (before
/// `= hint:`) are its own.
fn escape_keeping_lines(text: &str) -> String {
    text.split('\n').map(|l| crate::diag::escape(l).into_owned()).collect::<Vec<_>>().join("\n")
}

/// Diagnostics as printed: one blank line apart, warnings skipped when `quiet`, at most
/// [`SHOWN_PER_KIND`](crate::diag::SHOWN_PER_KIND) of a kind per file, and a summary when there
/// are more than [`SUMMARY_THRESHOLD`](crate::report::SUMMARY_THRESHOLD).
fn diagnostics_text(diags: &[Diagnostic], quiet: bool) -> String {
    let mut out = String::new();
    let shown: Vec<&Diagnostic> = diags.iter().filter(|d| !quiet || d.is_error()).collect();
    for shown in crate::diag::capped(shown.iter().copied()) {
        out.push_str(&format!("{shown}\n\n"));
    }
    // Many problems: a summary after the details, where the reader ends up (issue 15).
    if let Some(summary) = crate::report::summary(&shown) {
        out.push_str(&summary);
        out.push('\n');
    }
    out
}

/// Prints diagnostics to stderr (see [`write_diagnostics`]), ignoring a failed write.
pub fn print_diagnostics(diags: &[Diagnostic], quiet: bool) {
    let _ = write_diagnostics(diags, quiet);
}

/// Writes diagnostics to stderr, one blank line apart; warnings are skipped when `quiet`.
pub fn write_diagnostics(diags: &[Diagnostic], quiet: bool) -> Result<(), Error> {
    write_err(&diagnostics_text(diags, quiet))
}

/// Writes `text` to stdout. Unlike `print!`, a failure is returned, not a panic: a closed pipe
/// (`lore search x | head -1`) is an error [`is_broken_pipe`] recognises, and `main` ends
/// quietly with success, as ripgrep does.
pub fn write_out(text: &str) -> Result<(), Error> {
    write_to(&mut std::io::stdout().lock(), "stdout", text)
}

/// Writes `text` to stderr; see [`write_out`].
pub fn write_err(text: &str) -> Result<(), Error> {
    write_to(&mut std::io::stderr().lock(), "stderr", text)
}

fn write_to(w: &mut impl std::io::Write, name: &str, text: &str) -> Result<(), Error> {
    w.write_all(text.as_bytes())
        .and_then(|()| w.flush())
        .map_err(|e| Error::io("write to", Path::new(name), e))
}

/// Whether `err` is a write to a closed pipe: the reader has all it wanted.
pub fn is_broken_pipe(err: &Error) -> bool {
    matches!(err, Error::Io { source, .. } if source.kind() == std::io::ErrorKind::BrokenPipe)
}

/// "error: found 2 errors and 1 warning".
fn summary_line(diags: &[Diagnostic]) -> String {
    let (errors, warnings) = crate::diag::count(diags);
    let plural = |n: usize, w: &str| {
        if n == 1 { format!("1 {w}") } else { format!("{n} {w}s") }
    };
    if warnings == 0 {
        format!("error: found {}", plural(errors, "error"))
    } else {
        format!("error: found {} and {}", plural(errors, "error"), plural(warnings, "warning"))
    }
}

/// The project root: `DIR` if given, else the folder of `--config`, else the nearest ancestor
/// holding `book.toml`, else the working folder.
fn resolve_root(dir: Option<&PathBuf>, global: &GlobalArgs) -> Result<PathBuf, Error> {
    let cwd = std::env::current_dir().map_err(|e| Error::io("read", std::path::Path::new("."), e))?;
    if let Some(dir) = dir {
        if !dir.is_dir() {
            return Err(Error::Usage(format!("`{}` is not a folder", dir.display())));
        }
        return Ok(dir.clone());
    }
    if let Some(parent) = global.config.as_ref().and_then(|c| c.parent()) {
        return Ok(if parent.as_os_str().is_empty() { PathBuf::from(".") } else { parent.to_path_buf() });
    }
    Ok(crate::config::find_root(&cwd).map_or_else(|| PathBuf::from("."), |root| relative_to(&root, &cwd)))
}

fn relative_to(path: &std::path::Path, base: &std::path::Path) -> PathBuf {
    match path.strip_prefix(base) {
        Ok(p) if p.as_os_str().is_empty() => PathBuf::from("."),
        Ok(p) => p.to_path_buf(),
        Err(_) => path.to_path_buf(),
    }
}

/// A progress bar on a terminal for builds that take more than a second; nothing in CI.
fn progress_bar(quiet: bool) -> impl Fn(usize, usize) + Sync {
    let start = std::time::Instant::now();
    let enabled = !quiet && std::io::stderr().is_terminal();
    let bar = std::sync::OnceLock::<indicatif::ProgressBar>::new();
    move |done, total| {
        if !enabled || start.elapsed().as_millis() < 1000 {
            return;
        }
        let bar = bar.get_or_init(|| {
            let b = indicatif::ProgressBar::new(total as u64);
            b.set_style(
                indicatif::ProgressStyle::with_template("{bar:30} {pos}/{len} pages")
                    .expect("the progress template is valid"),
            );
            b
        });
        bar.set_position(done as u64);
        if done == total {
            bar.finish_and_clear();
        }
    }
}

/// `1 page`, `1,204 pages`.
fn count_of(n: usize, noun: &str) -> String {
    if n == 1 { format!("1 {noun}") } else { format!("{} {noun}s", thousands(n)) }
}

/// `1204` → `1,204`.
fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use super::*;

    #[test]
    fn cli_debug_assert() {
        Cli::command().debug_assert();
    }

    #[test]
    fn formats_thousands() {
        assert_eq!(thousands(7), "7");
        assert_eq!(thousands(1204), "1,204");
        assert_eq!(thousands(1_000_000), "1,000,000");
    }
}
