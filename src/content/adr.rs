//! Architecture decision records: the fields of one ADR, read from whichever of the three
//! formats found in real repositories it is written in.
//!
//! - MADR 3/4: YAML front matter (`status`, `date`, `decision_makers`/`deciders`, `consulted`,
//!   `informed`, `supersedes`, `superseded_by`, `amends`, `amended_by`, `relates_to`);
//! - MADR 2 / Log4brains: bullet headers under the title (`- Status: accepted`, `- Date:`,
//!   `- Deciders:`) and a `## Links` section;
//! - Nygard / adr-tools: `# 7. Title`, a `Date:` line and a `## Status` section whose lines may
//!   say "Superseded by [9. …](0009-….md)", "Amends …" or "Amended by …".
//!
//! The number comes from the file name (`0007-…`); a file named by date (`20200925-…`, as
//! Log4brains does) has no number. Relations are kept as written: resolving them against the
//! other records, and checking both sides agree, is `site::adr_graph`'s job.

use std::collections::BTreeMap;

use jiff::civil::Date;
use serde_json::Value;

use super::front_matter;
use super::page::Page;
use crate::diag::Diagnostic;

/// Where an ADR is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Lifecycle {
    /// Under discussion.
    Proposed,
    /// In effect.
    Accepted,
    /// Decided against.
    Rejected,
    /// No longer in effect, with no replacement.
    Deprecated,
    /// Replaced by another record.
    Superseded,
}

impl Lifecycle {
    /// The lowercase name, used in CSS classes and filters.
    pub fn name(self) -> &'static str {
        match self {
            Lifecycle::Proposed => "proposed",
            Lifecycle::Accepted => "accepted",
            Lifecycle::Rejected => "rejected",
            Lifecycle::Deprecated => "deprecated",
            Lifecycle::Superseded => "superseded",
        }
    }

    /// Every lifecycle state, in order.
    pub const ALL: [Lifecycle; 5] = [
        Lifecycle::Proposed,
        Lifecycle::Accepted,
        Lifecycle::Rejected,
        Lifecycle::Deprecated,
        Lifecycle::Superseded,
    ];

    /// The state a status word means: the five names, and the words real repositories use for
    /// them.
    pub fn parse(word: &str) -> Option<Self> {
        let word = word.trim().to_ascii_lowercase();
        Some(match word.as_str() {
            "proposed" | "draft" | "pending" | "in review" | "under review" | "open" => Lifecycle::Proposed,
            "accepted"
            | "approved"
            | "adopted"
            | "decided"
            | "done"
            | "partly superseded"
            | "partially superseded"
            | "amended" => Lifecycle::Accepted,
            "rejected" | "declined" => Lifecycle::Rejected,
            "deprecated" | "retired" | "obsolete" => Lifecycle::Deprecated,
            "superseded" | "replaced" => Lifecycle::Superseded,
            _ => return None,
        })
    }
}

/// How two records relate, as declared by the record that says it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum RelationKind {
    /// This record replaces the other.
    Supersedes,
    /// The other record replaces this one.
    SupersededBy,
    /// This record changes part of the other.
    Amends,
    /// The other record changes part of this one.
    AmendedBy,
    /// Related, no direction.
    RelatesTo,
}

impl RelationKind {
    /// The front-matter key that declares it.
    pub fn key(self) -> &'static str {
        match self {
            RelationKind::Supersedes => "supersedes",
            RelationKind::SupersededBy => "superseded_by",
            RelationKind::Amends => "amends",
            RelationKind::AmendedBy => "amended_by",
            RelationKind::RelatesTo => "relates_to",
        }
    }

    /// The same fact seen from the other record.
    pub fn inverse(self) -> Self {
        match self {
            RelationKind::Supersedes => RelationKind::SupersededBy,
            RelationKind::SupersededBy => RelationKind::Supersedes,
            RelationKind::Amends => RelationKind::AmendedBy,
            RelationKind::AmendedBy => RelationKind::Amends,
            RelationKind::RelatesTo => RelationKind::RelatesTo,
        }
    }

    /// "Supersedes", "Superseded by", …
    pub fn label(self) -> &'static str {
        match self {
            RelationKind::Supersedes => "Supersedes",
            RelationKind::SupersededBy => "Superseded by",
            RelationKind::Amends => "Amends",
            RelationKind::AmendedBy => "Amended by",
            RelationKind::RelatesTo => "Relates to",
        }
    }

    const ALL: [RelationKind; 5] = [
        RelationKind::Supersedes,
        RelationKind::SupersededBy,
        RelationKind::Amends,
        RelationKind::AmendedBy,
        RelationKind::RelatesTo,
    ];

    /// The phrase that starts a line declaring it in legacy formats (longest first matters:
    /// "superseded by" before "supersedes").
    fn from_phrase(line: &str) -> Option<(Self, &str)> {
        let lower = line.to_ascii_lowercase();
        let phrases: [(&str, Self); 6] = [
            ("superseded by", RelationKind::SupersededBy),
            ("supersedes", RelationKind::Supersedes),
            ("amended by", RelationKind::AmendedBy),
            ("amends", RelationKind::Amends),
            ("relates to", RelationKind::RelatesTo),
            ("related to", RelationKind::RelatesTo),
        ];
        phrases.iter().find(|(p, _)| lower.starts_with(p)).map(|(p, k)| (*k, line[p.len()..].trim()))
    }
}

/// One declared relation: `target` as written (a file name, a number or `ADR-0007`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Relation {
    /// What the declaring record says.
    pub kind: RelationKind,
    /// The other record, as written.
    pub target: String,
    /// Where it is declared (1-based file line and column).
    pub line: usize,
    /// Column.
    pub col: usize,
}

/// A status as written, with the lifecycle state it maps to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Status {
    /// As written, first letter capitalised ("Partly superseded").
    pub label: String,
    /// What it means.
    pub lifecycle: Lifecycle,
    /// Where it is written (1-based file line).
    pub line: usize,
}

/// The ADR-specific fields of a page of kind `adr`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Adr {
    /// From the file name (`0007-…` → 7).
    pub number: Option<u32>,
    /// The title without a leading "7. ".
    pub title: String,
    /// Status, when the record gives one.
    pub status: Option<Status>,
    /// Decision date.
    pub date: Option<Date>,
    /// `decision_makers` / `deciders`.
    pub decision_makers: Vec<String>,
    /// `consulted`
    pub consulted: Vec<String>,
    /// `informed`
    pub informed: Vec<String>,
    /// Relations this record declares.
    pub relations: Vec<Relation>,
}

/// Whether a file in an ADR folder is a record at all (`template.md` is not).
pub fn is_record(rel: &str) -> bool {
    let file = rel.rsplit('/').next().unwrap_or(rel).to_ascii_lowercase();
    !file.starts_with("template")
}

/// The number in a file name: leading digits before `-` or `_`, unless they are a date
/// (`20200925-…`).
pub fn number_from_file(rel: &str) -> Option<u32> {
    let file = rel.rsplit('/').next().unwrap_or(rel);
    let digits = file.find(|c: char| !c.is_ascii_digit()).unwrap_or(file.len());
    if digits == 0 || !file[digits..].starts_with(['-', '_', '.']) || date_prefix(file).is_some() {
        return None;
    }
    file[..digits].parse().ok()
}

/// The date a Log4brains-style file name starts with (`20200925-…`).
fn date_prefix(file: &str) -> Option<Date> {
    let digits = file.get(..8).filter(|d| d.bytes().all(|b| b.is_ascii_digit()))?;
    if !file[8..].starts_with(['-', '_']) {
        return None;
    }
    format!("{}-{}-{}", &digits[..4], &digits[4..6], &digits[6..]).parse().ok()
}

/// Reads the ADR fields of `page`. Problems are diagnostics at the place they are written.
/// `custom` maps the site's own statuses (lowercase) to lifecycle names.
pub fn read(page: &Page, custom: &BTreeMap<String, String>) -> (Adr, Vec<Diagnostic>) {
    let mut reader = Reader { page, custom, diags: Vec::new(), lines: key_lines(page) };
    let adr = reader.read();
    (adr, reader.diags)
}

fn key_lines(page: &Page) -> Vec<(String, usize)> {
    front_matter::split(&page.text, &page.source.shown)
        .map(|fm| front_matter::key_lines(&fm))
        .unwrap_or_default()
}

struct Reader<'a> {
    page: &'a Page,
    custom: &'a BTreeMap<String, String>,
    diags: Vec<Diagnostic>,
    lines: Vec<(String, usize)>,
}

impl Reader<'_> {
    fn read(&mut self) -> Adr {
        let page = self.page;
        let number = number_from_file(&page.source.rel);
        let title = self.title(number);
        let mut adr = Adr { number, title, ..Adr::default() };
        self.read_front_matter(&mut adr);
        self.read_body(&mut adr);
        if adr.date.is_none() {
            adr.date = date_prefix(page.source.rel.rsplit('/').next().unwrap_or(""));
        }
        adr
    }

    fn line_of(&self, key: &str) -> usize {
        self.lines.iter().find(|(k, _)| k == key).map_or(1, |(_, l)| *l)
    }

    fn error(&mut self, line: usize, col: usize, message: String, hint: &str) {
        let p = self.page;
        self.diags.push(Diagnostic::error(message).at_text(&p.source.shown, &p.text, line, col).hint(hint));
    }

    fn warning(&mut self, line: usize, col: usize, message: String, hint: &str) {
        let p = self.page;
        self.diags.push(Diagnostic::warning(message).at_text(&p.source.shown, &p.text, line, col).hint(hint));
    }

    /// The title without its number; a number that contradicts the file name is a warning (the
    /// file name wins, as adr-tools' own links use it).
    fn title(&mut self, number: Option<u32>) -> String {
        let title = self.page.title.clone();
        let digits = title.find(|c: char| !c.is_ascii_digit()).unwrap_or(0);
        let Some(rest) = title[digits..].strip_prefix(". ").filter(|_| digits > 0) else {
            return title;
        };
        let written: u32 = title[..digits].parse().unwrap_or(0);
        if let Some(n) = number.filter(|n| *n != written) {
            let line = self.heading_line();
            let file = self.page.source.rel.rsplit('/').next().unwrap_or("").to_owned();
            self.warning(
                line,
                3,
                format!("the title says ADR {written}, but the file name `{file}` makes it ADR {n}"),
                &format!("change the title to `# {n}. {rest}`"),
            );
        }
        rest.trim().to_owned()
    }

    fn heading_line(&self) -> usize {
        let body_line = self.page.body_line;
        self.page.body().lines().position(|l| l.starts_with("# ")).map_or(body_line, |i| body_line + i)
    }

    fn read_front_matter(&mut self, adr: &mut Adr) {
        let fields = self.page.meta.fields.clone();
        for (key, value) in &fields {
            let line = self.line_of(key);
            match key.as_str() {
                "status" => {
                    let text = value_text(value);
                    adr.status = self.status(&text, line, true);
                }
                "date" => adr.date = self.date(&value_text(value), line, true),
                "decision_makers" | "deciders" => adr.decision_makers = list(value),
                "consulted" => adr.consulted = list(value),
                "informed" => adr.informed = list(value),
                k => {
                    if let Some(kind) = RelationKind::ALL.into_iter().find(|r| r.key() == k) {
                        for target in list(value) {
                            adr.relations.push(Relation { kind, target, line, col: 1 });
                        }
                    }
                }
            }
        }
    }

    fn status(&mut self, text: &str, line: usize, strict: bool) -> Option<Status> {
        let text = text.trim().trim_end_matches('.').trim();
        if text.is_empty() {
            return None;
        }
        let word = text.split(['(', '[', '<']).next().unwrap_or(text).trim();
        let custom = self.custom.get(&word.to_lowercase()).and_then(|m| Lifecycle::parse(m));
        let lifecycle = custom.or_else(|| Lifecycle::parse(word)).or_else(|| {
            // "Superseded by [..](..)" and "superseded by 0005" name the replacement too.
            word.to_ascii_lowercase().starts_with("superseded").then_some(Lifecycle::Superseded)
        });
        let Some(lifecycle) = lifecycle else {
            if strict {
                self.error(
                    line,
                    1,
                    format!("unknown ADR status `{text}`"),
                    "expected `proposed`, `accepted`, `rejected`, `deprecated` or `superseded`, or map it under `[kinds.adr-statuses]` in `book.toml`",
                );
            }
            return None;
        };
        let label = if lifecycle == Lifecycle::Superseded && custom.is_none() { "Superseded" } else { word };
        Some(Status { label: capitalise(label), lifecycle, line })
    }

    fn date(&mut self, text: &str, line: usize, strict: bool) -> Option<Date> {
        let text = text.trim();
        let part = text.get(..10).unwrap_or(text);
        match part.parse::<Date>() {
            Ok(d) => Some(d),
            Err(_) if strict => {
                self.error(
                    line,
                    1,
                    format!("`date` is not a date: `{text}`"),
                    "write dates as YYYY-MM-DD, e.g. `2026-03-31`",
                );
                None
            }
            Err(_) => None,
        }
    }

    /// MADR 2 bullets and Nygard lines: only what the front matter did not give.
    fn read_body(&mut self, adr: &mut Adr) {
        let page = self.page;
        let mut section = String::new();
        let mut fence = false;
        for (i, line) in page.body().lines().enumerate() {
            let number = page.body_line + i;
            let trimmed = line.trim();
            if trimmed.starts_with("```") || trimmed.starts_with("~~~") {
                fence = !fence;
            }
            if fence {
                continue;
            }
            if let Some(h) = trimmed.strip_prefix("## ") {
                section = h.trim().to_ascii_lowercase();
                continue;
            }
            if trimmed.starts_with("# ") || trimmed.is_empty() {
                continue;
            }
            match section.as_str() {
                "" => self.header_line(adr, trimmed, number, line),
                "status" => self.status_line(adr, trimmed, number, line),
                "links" => {
                    let item = trimmed.trim_start_matches(['-', '*']).trim();
                    self.relation_line(adr, item, number, line);
                }
                _ => {}
            }
        }
    }

    /// A line before the first `##`: `- Status: …`, `- Date: …`, `- Deciders: …`, `Date: …`.
    fn header_line(&mut self, adr: &mut Adr, trimmed: &str, number: usize, raw: &str) {
        let item = trimmed.trim_start_matches(['-', '*']).trim();
        let Some((key, value)) = item.split_once(':') else { return };
        let value = strip_comment(value).trim();
        match key.trim().to_ascii_lowercase().as_str() {
            "status" if adr.status.is_none() => {
                adr.status = self.status(value, number, false);
                if let Some((kind, target)) = RelationKind::from_phrase(value) {
                    let col = col_of(raw, value);
                    self.push_links(adr, kind, target, number, col);
                }
            }
            "date" if adr.date.is_none() => adr.date = self.date(value, number, false),
            "deciders" | "decision-makers" | "decision makers" if adr.decision_makers.is_empty() => {
                adr.decision_makers = split_names(value);
            }
            "consulted" if adr.consulted.is_empty() => adr.consulted = split_names(value),
            "informed" if adr.informed.is_empty() => adr.informed = split_names(value),
            _ => {}
        }
    }

    /// A line of a `## Status` section: the status word, or a relation.
    fn status_line(&mut self, adr: &mut Adr, trimmed: &str, number: usize, raw: &str) {
        let item = trimmed.trim_start_matches(['-', '*']).trim();
        if RelationKind::from_phrase(item).is_some() {
            if adr.status.is_none() && item.to_ascii_lowercase().starts_with("superseded") {
                adr.status = self.status(item, number, false);
            }
            self.relation_line(adr, item, number, raw);
        } else if adr.status.is_none() {
            adr.status = self.status(item, number, false);
        }
    }

    fn relation_line(&mut self, adr: &mut Adr, item: &str, number: usize, raw: &str) {
        if let Some((kind, rest)) = RelationKind::from_phrase(item) {
            let col = col_of(raw, item);
            self.push_links(adr, kind, rest, number, col);
        }
    }

    /// Records every markdown link target in `text` (`[9. …](0009-….md)`).
    fn push_links(&mut self, adr: &mut Adr, kind: RelationKind, text: &str, line: usize, col: usize) {
        // Relations in the front matter win: the body then only repeats them for readers.
        if adr.relations.iter().any(|r| r.line < self.page.body_line) {
            return;
        }
        let mut rest = text;
        while let Some(start) = rest.find("](") {
            let after = &rest[start + 2..];
            let Some(end) = after.find(')') else { break };
            let target = after[..end].trim().to_owned();
            if !target.is_empty() && !target.contains("://") {
                adr.relations.push(Relation { kind, target, line, col });
            }
            rest = &after[end..];
        }
    }
}

fn value_text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

fn list(value: &Value) -> Vec<String> {
    match value {
        Value::Array(items) => items.iter().map(value_text).filter(|s| !s.trim().is_empty()).collect(),
        Value::Null => Vec::new(),
        other => split_names(&value_text(other)),
    }
}

fn split_names(text: &str) -> Vec<String> {
    text.split(',').map(|s| s.trim().to_owned()).filter(|s| !s.is_empty()).collect()
}

fn strip_comment(text: &str) -> &str {
    text.split("<!--").next().unwrap_or(text)
}

fn capitalise(word: &str) -> String {
    let mut chars = word.chars();
    chars.next().map_or_else(String::new, |c| c.to_uppercase().chain(chars).collect())
}

/// 1-based character column of `part` (a slice of `line`) in `line`.
fn col_of(line: &str, part: &str) -> usize {
    let offset = (part.as_ptr() as usize).saturating_sub(line.as_ptr() as usize);
    let offset = if offset <= line.len() { offset } else { line.find(part).unwrap_or(0) };
    line[..offset].chars().count() + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_come_from_file_names() {
        assert_eq!(number_from_file("adr/0007-use-postgres.md"), Some(7));
        assert_eq!(number_from_file("0012_x.md"), Some(12));
        assert_eq!(number_from_file("adr/20200925-use-x.md"), None);
        assert_eq!(number_from_file("adr/template.md"), None);
        assert_eq!(date_prefix("20200925-use-x.md").map(|d| d.to_string()), Some("2020-09-25".into()));
    }

    #[test]
    fn statuses_map_to_lifecycle() {
        assert_eq!(Lifecycle::parse("Approved"), Some(Lifecycle::Accepted));
        assert_eq!(Lifecycle::parse("pending"), Some(Lifecycle::Proposed));
        assert_eq!(Lifecycle::parse("Partly superseded"), Some(Lifecycle::Accepted));
        assert_eq!(Lifecycle::parse("maybe"), None);
    }

    fn read_one(rel: &str, text: &str) -> (Adr, Vec<Diagnostic>) {
        let config = crate::config::SiteConfig::for_tests(std::path::Path::new("."));
        let source = crate::content::SourceFile {
            path: rel.into(),
            rel: rel.to_owned(),
            shown: format!("src/{rel}").into(),
        };
        let (page, _) = Page::from_text(source, text.to_owned(), &config).expect("a valid page");
        read(&page, &BTreeMap::new())
    }

    /// Number, title, status, date, relations as `kind target @line`.
    type Expected = (Option<u32>, &'static str, &'static str, &'static str, &'static [&'static str]);

    /// (file, text) → what is read from it.
    #[test]
    fn reads_all_three_formats() {
        let cases: &[(&str, &str, Expected)] = &[
            (
                "adr/0005-kafka.md",
                "---\ntitle: Use Kafka\nstatus: accepted\ndate: 2025-03-11\ndeciders: [a, b]\nsupersedes: 0002-rabbit.md\n---\n",
                (Some(5), "Use Kafka", "Accepted", "2025-03-11", &["supersedes 0002-rabbit.md @6"]),
            ),
            (
                "adr/20200926-number-id.md",
                "# Use the number\n\n- Status: superseded by [slug](20201016-slug.md)\n- Date: 2020-09-26\n",
                (None, "Use the number", "Superseded", "2020-09-26", &["superseded_by 20201016-slug.md @3"]),
            ),
            (
                "adr/0010-terraform.md",
                "# 10. Terraform layout\n\nDate: 2017-07-04\n\n## Status\n\nAccepted\n\nAmended by [17. Data](0017-data.md)\n",
                (Some(10), "Terraform layout", "Accepted", "2017-07-04", &["amended_by 0017-data.md @9"]),
            ),
            (
                "adr/20201016-slug.md",
                "# Slug\n\n- Status: accepted\n\n## Links\n\n- Supersedes [number](20200926-number-id.md)\n",
                (None, "Slug", "Accepted", "2020-10-16", &["supersedes 20200926-number-id.md @7"]),
            ),
        ];
        for (rel, text, (number, title, status, date, relations)) in cases {
            let (adr, diags) = read_one(rel, text);
            assert!(diags.is_empty(), "{rel}: {diags:?}");
            assert_eq!(adr.number, *number, "{rel}");
            assert_eq!(adr.title, *title, "{rel}");
            assert_eq!(adr.status.map(|s| s.label).as_deref(), Some(*status), "{rel}");
            assert_eq!(adr.date.map(|d| d.to_string()).as_deref(), Some(*date), "{rel}");
            let found: Vec<String> =
                adr.relations.iter().map(|r| format!("{} {} @{}", r.kind.key(), r.target, r.line)).collect();
            assert_eq!(found, *relations, "{rel}");
        }
    }

    #[test]
    fn phrases() {
        assert_eq!(
            RelationKind::from_phrase("Superseded by [x](0002-x.md)"),
            Some((RelationKind::SupersededBy, "[x](0002-x.md)"))
        );
        assert_eq!(RelationKind::from_phrase("Amends [x](y.md)").map(|r| r.0), Some(RelationKind::Amends));
    }
}
