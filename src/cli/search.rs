//! `lore search QUERY…`

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use super::GlobalArgs;
use crate::config::SiteConfig;
use crate::diag::escape;
use crate::error::Error;
use crate::search::query::{Filters, Results, Searcher};

/// Arguments of `lore search`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Words to find: `"a phrase"` keeps words together, `-word` excludes a word (quote the
    /// query, or put it after `--`, when it starts with `-`). Without words, a filter lists
    /// its pages in site order.
    #[arg(num_args = 0.., required_unless_present_any = ["kind", "owner", "tag", "state"])]
    pub query: Vec<String>,
    /// Only pages of this kind (runbook, adr, onboarding, service, page).
    #[arg(long)]
    pub kind: Option<String>,
    /// Only pages with this owner.
    #[arg(long)]
    pub owner: Option<String>,
    /// Only pages with this tag.
    #[arg(long)]
    pub tag: Option<String>,
    /// Only pages in this freshness state (fresh, due, stale, unknown).
    #[arg(long)]
    pub state: Option<String>,
    /// At most this many pages.
    #[arg(long, default_value_t = 10)]
    pub limit: usize,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
    /// Show how each score arises: tantivy's score beside the browser index's, per word.
    #[arg(long)]
    pub explain: bool,
    /// The site folder (default: the nearest folder holding `book.toml`).
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
}

/// Queries the index `build` wrote.
pub(super) fn execute(args: &Args, global: &GlobalArgs) -> Result<ExitCode, Error> {
    let query = args.query.join(" ");
    crate::search::query::check_query(&query)?;
    let root = super::resolve_root(args.dir.as_ref(), global)?;
    let config = SiteConfig::load(&root, global.config.as_deref())?;
    let searcher = Searcher::open(&crate::search::index_dir(&config))?;
    // A damaged index can make tantivy panic: the searcher turns that into an error, and the
    // panic's own message (about tantivy's internals) is not printed.
    std::panic::set_hook(Box::new(|_| {}));
    let filters = Filters {
        kind: args.kind.clone(),
        owner: args.owner.clone(),
        tag: args.tag.clone(),
        state: args.state.clone(),
    }
    .checked()?;
    let results = if args.explain {
        searcher.explain(&query, &filters, args.limit)?
    } else {
        searcher.search(&query, &filters, args.limit)?
    };
    if args.json {
        let json = serde_json::to_string_pretty(&results)
            .map_err(|e| Error::encode("the search results as JSON", e))?;
        super::write_out(&format!("{json}\n"))?;
        return Ok(ExitCode::SUCCESS);
    }
    if results.partial && !global.quiet {
        super::write_err("no page has every word; showing pages with some of them\n")?;
    }
    if results.pages.is_empty() {
        if !global.quiet {
            if results.query.trim().is_empty() {
                super::write_err("no page matches the filters\n")?;
            } else {
                super::write_err(&format!("no results for `{}`\n", escape(&results.query)))?;
            }
        }
        return Ok(ExitCode::SUCCESS);
    }
    let color = std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    super::write_out(&format_results(&results, color))?;
    Ok(ExitCode::SUCCESS)
}

/// The text output: one block per page, its matching sections indented below.
pub(super) fn format_results(results: &Results, color: bool) -> String {
    let mut out = String::new();
    for (i, p) in results.pages.iter().enumerate() {
        let mut badges = vec![escape(&p.kind)];
        if !p.freshness.is_empty() && p.freshness != "unknown" {
            badges.push(escape(&p.freshness));
        }
        if !p.status.is_empty() {
            badges.push(escape(&p.status));
        }
        let title = escape(&p.title);
        let title = if color { format!("\x1b[1m{title}\x1b[0m") } else { title.into_owned() };
        out.push_str(&format!("{}. {title}  [{}]\n", i + 1, badges.join(", ")));
        for s in &p.sections {
            let heading =
                if s.heading.is_empty() { String::new() } else { format!("  § {}", escape(&s.heading)) };
            let url = if s.url.is_empty() { "./".into() } else { escape(&s.url) };
            out.push_str(&format!("   {url}{heading}\n"));
            if !s.snippet.is_empty() {
                out.push_str(&format!("   {}\n", highlight(&s.snippet, &s.matches, color)));
            }
            if let Some(e) = &s.explain {
                let words: Vec<String> = e
                    .words
                    .iter()
                    .map(|w| {
                        let (word, stem) = (escape(&w.word), escape(&w.stem));
                        format!("{word}→{stem} ×{} impact {} = {:.3}", w.weight, w.impact, w.browser)
                    })
                    .collect();
                let demoted = if e.demoted { ", demoted" } else { "" };
                out.push_str(&format!(
                    "   score: tantivy {:.3}, browser {:.3}{demoted} ({})\n",
                    e.tantivy,
                    e.browser,
                    words.join("; ")
                ));
            }
        }
    }
    out
}

/// Marks matched words in bold yellow on a terminal; plain text otherwise. Control characters
/// from the page are escaped either way.
fn highlight(text: &str, matches: &[(usize, usize)], color: bool) -> String {
    if !color {
        return escape(text).into_owned();
    }
    let mut out = String::new();
    let mut at = 0;
    for (s, e) in matches {
        out.push_str(&escape(&text[at..*s]));
        out.push_str("\x1b[1;33m");
        out.push_str(&escape(&text[*s..*e]));
        out.push_str("\x1b[0m");
        at = *e;
    }
    out.push_str(&escape(&text[at..]));
    out
}
