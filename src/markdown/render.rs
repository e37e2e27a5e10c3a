//! The pulldown-cmark event pipeline for one page. Each group of tags has its own handler:
//! headings (ids, anchors, table of contents), code blocks (highlighting, mermaid), links and
//! images (rewriting, checking), GFM alerts (callouts) and tables (scroll wrapper).

use std::collections::{HashMap, HashSet};

use pulldown_cmark::{
    BlockQuoteKind, CodeBlockKind, CowStr, Event, HeadingLevel, Options, Parser, Tag, TagEnd,
};

use super::highlight::{Highlighter, escape};
use super::include::{self, Expanded};
use super::links::{self, AnchorRef, Resolved};
use crate::diag::{Diagnostic, SourceSpan};
use crate::site::Site;

/// One entry of a page's table of contents.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct TocEntry {
    /// 2 or 3.
    pub level: u8,
    /// Heading id.
    pub id: String,
    /// Heading text.
    pub title: String,
}

/// A rendered page body.
#[derive(Debug, Clone, Default)]
pub struct Rendered {
    /// Body HTML.
    pub html: String,
    /// Headings of level 2 and 3.
    pub toc: Vec<TocEntry>,
    /// Every `id` in the body (headings, footnotes, raw HTML).
    pub ids: HashSet<String>,
    /// Anchors to check once every page is rendered.
    pub anchor_refs: Vec<AnchorRef>,
    /// Problems found.
    pub diagnostics: Vec<Diagnostic>,
    /// Plain text of the body, for search and descriptions.
    pub text: String,
    /// Byte offset in `text` where each `toc` entry's heading starts (search splits pages there).
    pub text_marks: Vec<usize>,
    /// Things `--verbose` reports (`src/a.md:3: …`), such as code blocks left unhighlighted.
    pub notes: Vec<String>,
    /// Every link destination resolved against the site, with a digest of what it resolved to
    /// ([`links::digest`]): a cached rendering stays valid while each resolves the same.
    pub links: Vec<(String, u64)>,
    /// The body holds a diagram (a `mermaid` fence): its page loads the diagram script.
    pub diagrams: bool,
}

/// Code blocks larger than this are shown as plain escaped text: highlighting a 4 MB block took
/// 12 s and 2.2 GB, and wrote 350 MB of HTML.
const MAX_HIGHLIGHT_BYTES: usize = 256 << 10;

/// Code blocks with a line longer than this (in bytes) are shown as plain escaped text: the
/// highlighter's work on one line grows faster than its length.
const MAX_HIGHLIGHT_LINE: usize = 16 << 10;

/// The extensions lore enables. Listed one by one: `Options::all()` minus a flag has silently
/// turned footnotes off before (old-style footnotes replace the GFM ones).
fn options() -> Options {
    let mut o = Options::empty();
    o.insert(Options::ENABLE_TABLES);
    o.insert(Options::ENABLE_FOOTNOTES);
    o.insert(Options::ENABLE_STRIKETHROUGH);
    o.insert(Options::ENABLE_TASKLISTS);
    o.insert(Options::ENABLE_HEADING_ATTRIBUTES);
    o.insert(Options::ENABLE_GFM);
    o.insert(Options::ENABLE_DEFINITION_LIST);
    o
}

/// A page's path as `--verbose` notes begin with it (`src/a.md:3: …`): a file name is page
/// content, so no control character reaches the terminal.
pub fn note_path(shown: &std::path::Path) -> String {
    shown.display().to_string().replace(char::is_control, "\u{fffd}")
}

/// Renders page `index` of `site`.
pub fn render(index: usize, site: &Site, highlighter: &Highlighter, links_are_errors: bool) -> Rendered {
    let page = &site.pages[index];
    let (expanded, mut diagnostics) = include::expand(
        page.body(),
        page.body_line,
        &page.source.path,
        &page.source.shown,
        &page.text,
        &site.trust,
    );
    let mut r = Renderer {
        index,
        site,
        highlighter,
        links_are_errors,
        doc: &expanded,
        out: Vec::new(),
        rendered: Rendered::default(),
        first_block: true,
        used_ids: HashSet::new(),
        next_suffix: HashMap::new(),
        quotes: Vec::new(),
    };
    r.run();
    let mut html = String::with_capacity(page.body().len() * 3 / 2);
    pulldown_cmark::html::push_html(&mut html, r.out.into_iter());
    let mut rendered = r.rendered;
    collect_ids(&html, &mut rendered.ids);
    if site.trust.mkdocs.is_some() {
        super::mkdocs::fill_toc(&mut html, &rendered.toc);
    }
    rendered.html = html;
    diagnostics.append(&mut rendered.diagnostics);
    rendered.diagnostics = diagnostics;
    rendered
}

struct Renderer<'a> {
    index: usize,
    site: &'a Site,
    highlighter: &'a Highlighter,
    links_are_errors: bool,
    doc: &'a Expanded,
    out: Vec<Event<'a>>,
    rendered: Rendered,
    /// True until the first block: a leading `# Title` becomes the page title, not body text.
    first_block: bool,
    used_ids: HashSet<String>,
    /// Per base id, the suffix to try next: repeated headings stay linear (20,000 copies of
    /// `## A` took 57 s when every copy tried `a-1`, `a-2`, … from the start).
    next_suffix: HashMap<String, usize>,
    /// Open block quotes, innermost last: whether each became a titled callout.
    quotes: Vec<bool>,
}

impl<'a> Renderer<'a> {
    fn run(&mut self) {
        self.check_shortcodes();
        let mut events = Parser::new_ext(&self.doc.text, options()).into_offset_iter().peekable();
        while let Some((event, range)) = events.next() {
            match event {
                Event::Start(Tag::Heading { level, id, classes, attrs }) => {
                    let mut inner = Vec::new();
                    for (e, _) in events.by_ref() {
                        if matches!(e, Event::End(TagEnd::Heading(_))) {
                            break;
                        }
                        inner.push(e);
                    }
                    self.heading(level, id, &classes, &attrs, inner);
                }
                Event::Start(Tag::CodeBlock(kind)) => {
                    let offset = range.start;
                    let mut code = String::new();
                    for (e, _) in events.by_ref() {
                        match e {
                            Event::Text(t) => code.push_str(&t),
                            Event::End(TagEnd::CodeBlock) => break,
                            _ => {}
                        }
                    }
                    self.code_block(&kind, &code, offset);
                }
                Event::Start(Tag::Link { link_type, dest_url, title, id }) => {
                    let dest_url = self.link(dest_url, range.start, false);
                    self.push(Event::Start(Tag::Link { link_type, dest_url, title, id }));
                }
                Event::Start(Tag::Image { link_type, dest_url, title, id }) => {
                    let dest_url = self.link(dest_url, range.start, true);
                    self.push(Event::Start(Tag::Image { link_type, dest_url, title, id }));
                }
                Event::Html(html) | Event::InlineHtml(html) if !self.site.trust.raw_html => {
                    self.push(Event::Text(html));
                }
                Event::Start(Tag::HtmlBlock) if !self.site.trust.raw_html => {
                    self.push(Event::Start(Tag::Paragraph));
                }
                Event::End(TagEnd::HtmlBlock) if !self.site.trust.raw_html => {
                    self.push(Event::End(TagEnd::Paragraph));
                }
                Event::Start(Tag::BlockQuote(Some(kind))) => self.callout_start(kind),
                Event::Start(Tag::BlockQuote(None)) => {
                    let callout = self.titled_callout(range.start, &mut events);
                    if !callout {
                        self.push(Event::Start(Tag::BlockQuote(None)));
                    }
                    self.quotes.push(callout);
                }
                Event::End(TagEnd::BlockQuote(None)) => {
                    let html = if self.quotes.pop() == Some(true) { "</div>\n" } else { "</blockquote>\n" };
                    self.push(Event::Html(html.into()));
                }
                Event::End(TagEnd::BlockQuote(Some(_))) => self.push(Event::Html("</div>\n".into())),
                Event::Start(Tag::Table(align)) => {
                    self.push(Event::Html("<div class=\"table-wrap\">".into()));
                    self.push(Event::Start(Tag::Table(align)));
                }
                Event::End(TagEnd::Table) => {
                    self.push(Event::End(TagEnd::Table));
                    self.push(Event::Html("</div>\n".into()));
                }
                Event::Text(text) => {
                    self.rendered.text.push_str(&text);
                    self.push(Event::Text(text));
                }
                Event::Code(code) => {
                    self.rendered.text.push_str(&code);
                    self.push(Event::Code(code));
                }
                Event::SoftBreak | Event::HardBreak => {
                    self.rendered.text.push(' ');
                    self.push(event);
                }
                // A block's end parts its text from the next one's in search and descriptions.
                Event::End(
                    TagEnd::Paragraph
                    | TagEnd::Item
                    | TagEnd::TableCell
                    | TagEnd::DefinitionListTitle
                    | TagEnd::DefinitionListDefinition,
                ) => {
                    self.rendered.text.push(' ');
                    self.push(event);
                }
                other => self.push(other),
            }
        }
    }

    fn push(&mut self, event: Event<'a>) {
        if let Event::Start(_) | Event::Html(_) | Event::Text(_) = &event {
            self.first_block = false;
        }
        self.out.push(event);
    }

    fn heading(
        &mut self,
        level: HeadingLevel,
        id: Option<CowStr<'a>>,
        classes: &[CowStr<'a>],
        attrs: &[(CowStr<'a>, Option<CowStr<'a>>)],
        inner: Vec<Event<'a>>,
    ) {
        let text = plain_text(&inner);
        if level == HeadingLevel::H1 && self.first_block {
            // The page template shows the title; a leading `# Title` is that title.
            self.first_block = false;
            return;
        }
        let base = id.map_or_else(|| slugify(&text), |i| i.to_string());
        let id = self.unique_id(base);
        let n = level as u8;
        if (2..=3).contains(&n) {
            self.rendered.text_marks.push(self.rendered.text.len());
            self.rendered.toc.push(TocEntry { level: n, id: id.clone(), title: text.clone() });
        }
        self.rendered.text.push_str(&text);
        self.rendered.text.push(' ');
        let mut open = format!("<h{n} id=\"{}\"", escape(&id));
        if !classes.is_empty() {
            let classes: Vec<&str> = classes.iter().map(|c| c.as_ref()).collect();
            open.push_str(&format!(" class=\"{}\"", escape(&classes.join(" "))));
        }
        for (k, v) in attrs {
            // `## T {onclick=…}` is script: without raw HTML, event handlers are dropped.
            if !self.site.trust.raw_html && k.get(..2).is_some_and(|p| p.eq_ignore_ascii_case("on")) {
                continue;
            }
            open.push_str(&format!(" {}=\"{}\"", escape(k), escape(v.as_deref().unwrap_or(""))));
        }
        open.push('>');
        self.push(Event::Html(open.into()));
        self.out.extend(inner);
        let close = format!(
            "<a class=\"anchor\" href=\"#{id}\" aria-label=\"Link to this section\">#</a></h{n}>\n",
            id = escape(&id)
        );
        self.out.push(Event::Html(close.into()));
    }

    fn unique_id(&mut self, base: String) -> String {
        let base = if base.is_empty() { "section".to_owned() } else { base };
        if self.used_ids.insert(base.clone()) {
            return base;
        }
        let n = self.next_suffix.entry(base.clone()).or_insert(1);
        loop {
            let id = format!("{base}-{n}");
            *n += 1;
            if self.used_ids.insert(id.clone()) {
                return id;
            }
        }
    }

    fn code_block(&mut self, kind: &CodeBlockKind<'_>, code: &str, offset: usize) {
        let info = match kind {
            CodeBlockKind::Fenced(info) => info.as_ref(),
            CodeBlockKind::Indented => "",
        };
        let lang = info.split([' ', ',', '{']).next().unwrap_or("").trim();
        let html = if lang == "mermaid" && self.site.trust.mermaid {
            // Escaped text: readable without a script, and never markup (mermaid reads the
            // element's text and draws it with `securityLevel: 'strict'`).
            self.rendered.diagrams = true;
            format!("<pre class=\"mermaid\">{}</pre>\n", escape(code))
        } else {
            let body = if self.too_large_to_highlight(code, offset) {
                escape(code).into()
            } else {
                self.highlighter.highlight(lang, code)
            };
            let lang_attr =
                if lang.is_empty() { String::new() } else { format!(" data-lang=\"{}\"", escape(lang)) };
            format!("<pre class=\"code\"{lang_attr}><code>{body}</code></pre>\n")
        };
        self.rendered.text.push_str(code);
        self.push(Event::Html(html.into()));
    }

    /// Whether `code` is over [`MAX_HIGHLIGHT_BYTES`] or has a line over [`MAX_HIGHLIGHT_LINE`];
    /// if so, a note for `--verbose` says where.
    fn too_large_to_highlight(&mut self, code: &str, offset: usize) -> bool {
        let longest = code.split('\n').map(str::len).max().unwrap_or(0);
        if code.len() <= MAX_HIGHLIGHT_BYTES && longest <= MAX_HIGHLIGHT_LINE {
            return false;
        }
        let (line, _) = self.doc.position(offset);
        let page = &self.site.pages[self.index];
        self.rendered.notes.push(format!(
            "{}:{line}: code block not highlighted ({} bytes, longest line {longest} bytes; the limits are {MAX_HIGHLIGHT_BYTES} and {MAX_HIGHLIGHT_LINE}): shown as plain text",
            note_path(&page.source.shown),
            code.len(),
        ));
        true
    }

    fn link(&mut self, dest: CowStr<'a>, offset: usize, image: bool) -> CowStr<'a> {
        if let Some(scheme) = links::dangerous_scheme(&dest, image) {
            let (line, col) = self.doc.position(offset);
            let page = &self.site.pages[self.index];
            let what = if image { "image from" } else { "link to" };
            let diag = Diagnostic::warning(format!("{what} a `{scheme}:` URL, rendered inert"))
                .at_text(&page.source.shown, &page.text, line, col)
                .hint("pages may link to `http(s):`, `mailto:` and relative URLs; other schemes can run code in the reader's browser");
            self.rendered.diagnostics.push(diag);
            return "#".into();
        }
        let resolved = links::resolve(&dest, self.index, self.site);
        self.rendered.links.push((dest.to_string(), links::digest(&resolved, self.site)));
        match resolved {
            Resolved::Keep => dest,
            Resolved::Rewrite { url, check } => {
                if let Some((page, anchor)) = check {
                    let (span, source_line) = self.span(offset);
                    let page = self.site.pages[page].source.rel.clone();
                    self.rendered.anchor_refs.push(AnchorRef { page, anchor, span, source_line });
                }
                url.into()
            }
            Resolved::Broken { message, draft } => {
                let (line, col) = self.doc.position(offset);
                let page = &self.site.pages[self.index];
                let diag = if self.links_are_errors && !draft {
                    Diagnostic::error(message)
                } else {
                    Diagnostic::warning(message)
                };
                let hint = if draft {
                    "publish the target page, or remove the link"
                } else {
                    "links are relative to this file; check the path and its case"
                };
                self.rendered
                    .diagnostics
                    .push(diag.at_text(&page.source.shown, &page.text, line, col).hint(hint));
                dest
            }
        }
    }

    fn span(&self, offset: usize) -> (SourceSpan, Option<String>) {
        let (line, col) = self.doc.position(offset);
        let page = &self.site.pages[self.index];
        let source_line = crate::diag::Lines::line(&page.text, line).map(str::to_owned);
        (SourceSpan { path: page.source.shown.clone(), line, col }, source_line)
    }

    /// `> [!NOTE] Text on the marker line`: GitHub shows a plain quote, Obsidian a callout
    /// titled with that text, and lore does as Obsidian. When the quote starting at `offset` is
    /// one, writes the callout's opening with that title, drops the title's events (the first
    /// line of the first paragraph) and returns true.
    fn titled_callout(
        &mut self,
        offset: usize,
        events: &mut impl Iterator<Item = (Event<'a>, std::ops::Range<usize>)>,
    ) -> bool {
        let line = self.doc.text[offset..].lines().next().unwrap_or("");
        let Some(rest) = line.trim_start().strip_prefix('>').map(str::trim_start) else { return false };
        let Some((marker, title)) = rest.strip_prefix("[!").and_then(|r| r.split_once(']')) else {
            return false;
        };
        let class = match marker.to_ascii_lowercase().as_str() {
            k @ ("note" | "tip" | "important" | "warning" | "caution") => k.to_owned(),
            _ => return false,
        };
        let title = title.trim();
        if title.is_empty() || !matches!(events.next(), Some((Event::Start(Tag::Paragraph), _))) {
            return false;
        }
        let escaped = super::highlight::escape(title);
        self.push(Event::Html(
            format!("<div class=\"callout callout-{class}\" role=\"note\">\n<p class=\"callout-title\">{escaped}</p>\n").into(),
        ));
        self.rendered.text.push_str(title);
        self.rendered.text.push(' ');
        for (event, _) in events.by_ref() {
            match event {
                Event::SoftBreak | Event::HardBreak => {
                    self.push(Event::Start(Tag::Paragraph));
                    break;
                }
                Event::End(TagEnd::Paragraph) => break,
                _ => {}
            }
        }
        true
    }

    fn callout_start(&mut self, kind: BlockQuoteKind) {
        let (class, title) = match kind {
            BlockQuoteKind::Note => ("note", "Note"),
            BlockQuoteKind::Tip => ("tip", "Tip"),
            BlockQuoteKind::Important => ("important", "Important"),
            BlockQuoteKind::Warning => ("warning", "Warning"),
            BlockQuoteKind::Caution => ("caution", "Caution"),
        };
        let html = format!(
            "<div class=\"callout callout-{class}\" role=\"note\">\n<p class=\"callout-title\">{title}</p>\n"
        );
        self.push(Event::Html(html.into()));
    }
}

impl Renderer<'_> {
    /// Hugo shortcodes (`{{< ref >}}`, `{{% alert %}}`) are not markdown: say where they are.
    fn check_shortcodes(&mut self) {
        let page = &self.site.pages[self.index];
        let mut fence: Option<&str> = None;
        let mut offset = 0;
        for line in self.doc.text.split_inclusive('\n') {
            let trimmed = line.trim_start();
            if let Some(f) = fence {
                if trimmed.starts_with(f) {
                    fence = None;
                }
            } else if trimmed.starts_with("```") || trimmed.starts_with("~~~") {
                fence = Some(&trimmed[..3]);
            } else {
                let mut from = 0;
                while let Some(start) = find_shortcode(&line[from..]).map(|i| from + i) {
                    let name = line[start + 3..].split_whitespace().next().unwrap_or("");
                    let name = name.trim_end_matches(['>', '%', '}']);
                    from = start + 3;
                    if name.starts_with('/') {
                        // The closing half of a paired shortcode: its opening was reported.
                        continue;
                    }
                    let (line_no, col) = self.doc.position(offset + start);
                    self.rendered.diagnostics.push(
                        Diagnostic::warning(format!("unsupported Hugo shortcode `{name}`, left as text"))
                            .at_text(&page.source.shown, &page.text, line_no, col)
                            .hint("replace it with plain markdown (a link, or a callout like `> [!NOTE]`)"),
                    );
                }
            }
            offset += line.len();
        }
    }
}

fn find_shortcode(s: &str) -> Option<usize> {
    match (s.find("{{<"), s.find("{{%")) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

fn plain_text(events: &[Event<'_>]) -> String {
    let mut s = String::new();
    for e in events {
        match e {
            Event::Text(t) | Event::Code(t) => s.push_str(t),
            Event::SoftBreak | Event::HardBreak => s.push(' '),
            _ => {}
        }
    }
    s.trim().to_owned()
}

/// GitHub-style heading id: lowercase, punctuation dropped, spaces to `-`.
pub fn slugify(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.trim().chars() {
        if c.is_alphanumeric() || c == '_' || c == '-' {
            out.extend(c.to_lowercase());
        } else if c.is_whitespace() {
            out.push('-');
        }
    }
    out
}

/// Adds every `id="…"` in `html` to `ids`.
fn collect_ids(html: &str, ids: &mut HashSet<String>) {
    let mut rest = html;
    while let Some(i) = rest.find(" id=\"") {
        rest = &rest[i + 5..];
        if let Some(end) = rest.find('"') {
            ids.insert(rest[..end].replace("&amp;", "&").replace("&quot;", "\""));
            rest = &rest[end..];
        }
    }
}

#[cfg(test)]
mod tests;
