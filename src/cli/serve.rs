//! `lore serve [DIR] [--port 3000] [--bind 127.0.0.1] [--allow-host NAME]… [--open] [--poll]`

use std::net::IpAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use super::GlobalArgs;
use crate::error::Error;
use crate::serve::{Note, ServeOptions};

/// Arguments of `lore serve`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The site folder (default: the nearest folder holding `book.toml`).
    pub dir: Option<PathBuf>,
    /// Port to listen on; 0 picks any free port.
    #[arg(short, long, default_value_t = 3000)]
    pub port: u16,
    /// Address to listen on. Anything but a loopback address exposes the preview to the network.
    #[arg(short = 'b', long, default_value = "127.0.0.1")]
    pub bind: IpAddr,
    /// Answer requests for this host name too (repeatable): IP addresses, `localhost` and
    /// `*.localhost` always are; `.example.com` allows the name and every name under it.
    #[arg(long = "allow-host", value_name = "NAME")]
    pub allow_host: Vec<String>,
    /// Open the site in the default browser.
    #[arg(long)]
    pub open: bool,
    /// Poll for changes instead of using the system's file events (network and container mounts).
    #[arg(long)]
    pub poll: bool,
    /// Render every page afresh, without reading or writing the build cache in `.lore/cache/`.
    #[arg(long)]
    pub no_cache: bool,
}

/// Serves until Ctrl-C or a termination signal.
pub(super) fn execute(args: &Args, global: &GlobalArgs) -> Result<ExitCode, Error> {
    let root = super::resolve_root(args.dir.as_ref(), global)?;
    let options = ServeOptions {
        root,
        config_file: global.config.clone(),
        bind: args.bind,
        port: args.port,
        poll: args.poll,
        allowed_hosts: args.allow_host.clone(),
        cache: !args.no_cache,
    };
    let stop = Arc::new(AtomicBool::new(false));
    let flag = stop.clone();
    ctrlc::set_handler(move || flag.store(true, Ordering::SeqCst))
        .map_err(|e| Error::Usage(format!("cannot handle Ctrl-C: {e}")))?;
    let quiet = global.quiet;
    let open = args.open;
    let bind = args.bind;
    let note = move |note: Note<'_>| match note {
        Note::Listening { url, exposed, polling } => {
            if exposed {
                say(&format!("warning: listening on {} — anyone on your network can read this site\n", bind));
            }
            if !quiet && polling {
                say("watching for changes by polling");
            }
            // The URL goes to stdout, alone on its line, for scripts.
            say_out(&format!("serving at {url}"));
            if !quiet {
                say("press Ctrl-C to stop");
            }
            if open {
                open_browser(url);
            }
        }
        Note::Built { pages, elapsed, diagnostics } => {
            super::print_diagnostics(diagnostics, quiet);
            let (errors, _) = crate::diag::count(diagnostics);
            if errors > 0 {
                say(&format!(
                    "{} found: every page is served anyway, with the problems in an overlay; `lore build` fails until they are fixed",
                    super::count_of(errors, "error")
                ));
            }
            if !quiet {
                say(&format!("built {} in {:.2} s", super::count_of(pages, "page"), elapsed.as_secs_f64()));
            }
        }
        rebuilt @ Note::Rebuilt { .. } => say_rebuilt(&rebuilt, quiet),
        Note::Finished { pages, elapsed } => {
            if !quiet {
                say(&format!(
                    "  then the rest of the site: {} in {:.0} ms",
                    super::count_of(pages, "page"),
                    elapsed.as_secs_f64() * 1000.0
                ));
            }
        }
        Note::Failed(err) => {
            super::print_error(err, quiet);
            say("still serving the last good version; fix the problem and save to rebuild");
        }
        Note::Refused { why, count } => {
            let requests = super::count_of(usize::try_from(count).unwrap_or(usize::MAX), "request");
            say(&format!("warning: refused {requests}: {why}"));
        }
        Note::SearchStale(err) => {
            // The pages are current; only search lags behind until the next full rebuild.
            say(&format!(
                "warning: search shows the site as it was before this edit: {}",
                super::error_text(err, false)
            ));
        }
    };
    let text = |e: &Error| super::error_text(e, false);
    crate::serve::run(&options, stop, Arc::new(text), Arc::new(note))?;
    if !quiet {
        say("stopped");
    }
    Ok(ExitCode::SUCCESS)
}

/// After a good rebuild: the errors it brought in full, then counts, then what was rebuilt.
fn say_rebuilt(note: &Note<'_>, quiet: bool) {
    let Note::Rebuilt { pages, full, elapsed, diagnostics, new_errors, fixed } = *note else { return };
    // The errors this change brought are shown in full; the rest are counted, as every
    // rebuild would repeat them.
    super::print_diagnostics(new_errors, quiet);
    if !quiet {
        let (errors, warnings) = crate::diag::count(diagnostics);
        if errors > 0 || fixed > 0 {
            let mut line = super::count_of(errors, "error");
            if !new_errors.is_empty() {
                line.push_str(&format!(", {} new", new_errors.len()));
            }
            if fixed > 0 {
                line.push_str(&format!(", {fixed} fixed"));
            }
            say(&format!("{line} (served anyway; run `lore check` to see them all)"));
        }
        if warnings > 0 {
            say(&format!("{} (run `lore check` to see them)", super::count_of(warnings, "warning")));
        }
        let what = if full { "rebuilt everything" } else { "rebuilt" };
        say(&format!(
            "{what}: {} in {:.0} ms",
            super::count_of(pages, "page"),
            elapsed.as_secs_f64() * 1000.0
        ));
    }
}

/// Writes a line to stderr. A terminal that went away must not stop the preview: a failed
/// write is dropped.
fn say(line: &str) {
    let _ = super::write_err(&format!("{line}\n"));
}

/// Writes a line to stdout; see [`say`].
fn say_out(line: &str) {
    let _ = super::write_out(&format!("{line}\n"));
}

/// Opens `url` in the default browser, best effort.
fn open_browser(url: &str) {
    let command = if cfg!(target_os = "macos") {
        Some(("open", vec![url]))
    } else if cfg!(windows) {
        Some(("cmd", vec!["/C", "start", "", url]))
    } else {
        Some(("xdg-open", vec![url]))
    };
    if let Some((program, args)) = command {
        let spawned = std::process::Command::new(program)
            .args(args)
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn();
        if spawned.is_err() {
            say(&format!("could not open a browser; visit {url}"));
        }
    }
}
