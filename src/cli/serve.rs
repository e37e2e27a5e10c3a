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
        Note::Listening { url, pages, elapsed, exposed, polling, warnings } => {
            super::print_diagnostics(warnings, quiet);
            if exposed {
                say(&format!("warning: listening on {} — anyone on your network can read this site\n", bind));
            }
            if !quiet {
                if let Some(n) = pages {
                    say(&format!("built {} in {:.2} s", super::count_of(n, "page"), elapsed.as_secs_f64()));
                }
                if polling {
                    say("watching for changes by polling");
                }
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
        Note::Rebuilt { pages, full, elapsed, warnings } => {
            if !quiet {
                // Every rebuild would repeat the site's warnings: count them instead.
                let (_, n) = crate::diag::count(warnings);
                if n > 0 {
                    say(&format!("{} (run `lore check` to see them)", super::count_of(n, "warning")));
                }
                let what = if full { "rebuilt everything" } else { "rebuilt" };
                say(&format!(
                    "{what}: {} in {:.0} ms",
                    super::count_of(pages, "page"),
                    elapsed.as_secs_f64() * 1000.0
                ));
            }
        }
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
