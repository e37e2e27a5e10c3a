//! The generated site of the serve oracle and the series of changes applied to it, both from a
//! fixed seed. The model knows every page's front matter, body and links, so it can tell which
//! pages nothing links to or names (the only ones deleted or renamed: no change breaks a link),
//! what each change must show once served, and how many pages a fresh build writes.

use std::collections::{BTreeMap, BTreeSet};

use crate::rng::Rng;

const OWNERS: &[&str] =
    &["payments-team", "storage-team", "platform-team", "search-team", "identity-team", "sre-team"];
#[rustfmt::skip]
const TAGS: &[&str] = &[
    "postgres", "kafka", "kubernetes", "dns", "tls", "billing", "latency", "backup", "cache",
    "oncall", "network", "security",
];
const SERVICES: &[&str] = &["payments", "ledger", "checkout", "gateway", "storage", "mailer"];
const REVIEW: &[&str] = &["30d", "12w", "6 months", "90 days", "never"];
const STATUSES: &[&str] = &["accepted", "accepted", "proposed", "deprecated", "rejected"];
#[rustfmt::skip]
const WORDS: &[&str] = &[
    "replica", "primary", "failover", "latency", "throughput", "queue", "consumer", "producer",
    "partition", "leader", "follower", "snapshot", "backup", "restore", "certificate", "rotation",
    "deploy", "rollback", "canary", "traffic", "gateway", "timeout", "retry", "budget", "error",
    "alert", "dashboard", "metric", "tracing", "span", "container", "pod", "node", "cluster",
    "namespace", "volume", "disk", "memory", "heap", "garbage", "collector", "thread", "lock",
    "deadlock", "index", "vacuum", "schema", "migration", "ledger", "invoice", "refund", "payment",
    "checkout", "session", "token", "password", "vault", "secret", "firewall", "route", "balancer",
    "upstream", "downstream", "cache", "eviction", "warmup", "shard", "rebalance", "compaction",
    "retention", "archive", "audit", "owner", "escalate", "pager", "incident", "postmortem",
    "capacity", "quota", "limit", "burst", "spike", "saturation", "probe", "health", "restart",
    "drain", "cordon", "upgrade", "patch", "kernel", "network", "packet", "resolver", "zone",
    "record", "mirror", "bucket", "object", "lifecycle", "encryption", "key", "signature",
];
const VERBS: &[&str] =
    &["Restart", "Drain", "Rotate", "Restore", "Promote", "Scale", "Flush", "Rebuild", "Inspect", "Recover"];
#[rustfmt::skip]
const NOUNS: &[&str] = &[
    "replica", "queue", "consumer", "certificate", "cache", "shard", "gateway", "resolver",
    "bucket", "ledger", "index", "cluster",
];

/// What a page is; its folder gives lore its kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Readme,
    Runbook,
    Adr,
    Guide,
    Onboarding,
    /// An onboarding path (a page in `onboarding/` with `steps`).
    Path,
}

/// One page of the model.
#[derive(Clone, Debug)]
pub struct Page {
    pub kind: Kind,
    pub title: String,
    pub owner: String,
    pub tags: Vec<String>,
    pub last_verified: Option<String>,
    pub review_every: Option<String>,
    pub service: Option<String>,
    pub alerts: Vec<String>,
    /// ADRs: status, date, the record this one supersedes (file name).
    pub adr: Option<(String, String, Option<String>)>,
    /// Paths: the pages of the steps (source paths).
    pub steps: Vec<String>,
    /// Pages linked from the body (source paths).
    pub links: Vec<(String, String)>,
    /// Includes the shared snippet.
    pub include: bool,
    pub paragraphs: Vec<String>,
    /// A link to a page that does not exist (`missing-MARK.md`): a content error serve shows.
    pub broken: Option<String>,
    /// Front matter that does not parse: the page is served as its body, without its fields.
    pub bad_yaml: bool,
}

/// A file operation, paths relative to the site folder.
#[derive(Clone, Debug)]
pub enum Op {
    Write(String, String),
    Remove(String),
    Rename(String, String),
}

/// What the server must show once a change is in: `url` answers 200 and contains `text`, or
/// answers 404.
#[derive(Clone, Debug)]
pub struct Check {
    pub url: String,
    pub text: Option<String>,
    pub present: bool,
}

/// One change: what it is (for failure messages), its file operations and its checks.
#[derive(Clone, Debug)]
pub struct Change {
    pub what: String,
    pub ops: Vec<Op>,
    pub checks: Vec<Check>,
}

/// The kinds of change the series is made of.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChangeKind {
    Body,
    Title,
    Owner,
    Tags,
    LastVerified,
    Add,
    Delete,
    Rename,
    Snippet,
    Summary,
    /// A link to a page that does not exist (issue 15: served anyway).
    BrokenLink,
    /// Front matter that does not parse (issue 15: the page is served as its body).
    BadFrontMatter,
}

/// The generated site.
pub struct Site {
    pub pages: BTreeMap<String, Page>,
    pub snippet: Vec<String>,
    /// `SUMMARY.md`: parts, each a title and the pages listed under it.
    pub summary: Vec<(String, Vec<String>)>,
    rng: Rng,
    /// Names made so far (keeps every generated name unique).
    made: usize,
    next_adr: usize,
    /// Changes made so far (each gets its own marker word).
    changes: usize,
}

impl Site {
    /// A site of about `n` pages, with a `SUMMARY.md` when `summary`.
    pub fn generate(seed: u64, n: usize, summary: bool) -> Self {
        let mut site = Self {
            pages: BTreeMap::new(),
            snippet: vec!["Before any change, post in #ops-changes and open an incident.".to_owned()],
            summary: Vec::new(),
            rng: Rng::new(seed),
            made: 0,
            next_adr: 1,
            changes: 0,
        };
        for (rel, title) in [
            ("README.md", "Operations handbook"),
            ("runbooks/README.md", "Runbooks"),
            ("guides/README.md", "Guides"),
            ("onboarding/README.md", "Onboarding"),
        ] {
            let mut page = site.page(Kind::Readme);
            page.title = title.to_owned();
            site.pages.insert(rel.to_owned(), page);
        }
        let runbooks = n * 36 / 100;
        let adrs = n * 16 / 100;
        let onboarding = n * 12 / 100;
        let guides = n - runbooks - adrs - onboarding - 6;
        let counts = [
            (Kind::Runbook, runbooks),
            (Kind::Adr, adrs),
            (Kind::Onboarding, onboarding),
            (Kind::Guide, guides),
        ];
        for (kind, count) in counts {
            for _ in 0..count {
                let rel = site.new_rel(kind);
                let page = site.page(kind);
                site.pages.insert(rel, page);
            }
        }
        // One supersession: declared on the newer record, the older one says it too.
        let records: Vec<String> = site.pages.keys().filter(|r| r.starts_with("adr/")).cloned().collect();
        let (old, new) = (&records[0], &records[1]);
        let old_name = old.trim_start_matches("adr/").to_owned();
        if let Some((status, _, _)) = site.pages.get_mut(old).and_then(|p| p.adr.as_mut()) {
            *status = "superseded".to_owned();
        }
        if let Some((status, _, supersedes)) = site.pages.get_mut(new).and_then(|p| p.adr.as_mut()) {
            *status = "accepted".to_owned();
            *supersedes = Some(old_name);
        }
        for name in ["backend", "frontend"] {
            site.add_path(name);
        }
        site.link_pages();
        if summary {
            site.make_summary();
        }
        site
    }

    /// Every source file: `SUMMARY.md` (when the site has one), the snippet and the pages
    /// (paths relative to `src/`).
    pub fn files(&self) -> Vec<(String, String)> {
        let mut files = vec![("snippets/shared.txt".to_owned(), self.snippet_text())];
        if !self.summary.is_empty() {
            files.push(("SUMMARY.md".to_owned(), self.summary_text()));
        }
        files.extend(self.pages.keys().map(|rel| (rel.clone(), self.text(rel))));
        files
    }

    /// The pages `lore build` counts: one per markdown page and, with folder navigation, one
    /// listing per folder without a README.
    pub fn page_count(&self) -> usize {
        let mut folders: BTreeSet<&str> = BTreeSet::new();
        for rel in self.pages.keys() {
            let mut dir = rel.as_str();
            while let Some((parent, _)) = dir.rsplit_once('/') {
                folders.insert(parent);
                dir = parent;
            }
        }
        let listings = folders.iter().filter(|d| !self.pages.contains_key(&format!("{d}/README.md"))).count();
        self.pages.len() + if self.summary.is_empty() { listings } else { 0 }
    }

    /// The URL of every page, as served (`/runbooks/x/`), and of the pages lore generates for
    /// each owner, tag, alert and service in use.
    pub fn urls(&self) -> BTreeSet<String> {
        let mut urls: BTreeSet<String> = self.pages.keys().map(|rel| url(rel)).collect();
        for page in self.pages.values().filter(|p| !p.bad_yaml) {
            urls.insert(format!("/owners/{}/", page.owner));
            urls.extend(page.tags.iter().map(|t| format!("/tags/{t}/")));
            urls.extend(page.alerts.iter().map(|a| format!("/alerts/{a}/")));
            urls.extend(page.service.iter().map(|s| format!("/services/{s}/")));
        }
        urls
    }

    /// Queries a fresh build and the server must answer alike: words of every frequency that
    /// fewer than 100 pages use (so a result list of 100 is complete), two of them together, and
    /// the marker words edits put into bodies and titles.
    pub fn queries(&self) -> Vec<String> {
        let mut pages_with: BTreeMap<String, usize> = BTreeMap::new();
        for page in self.pages.values() {
            let text = format!("{} {}", page.title, page.paragraphs.join(" ")).to_ascii_lowercase();
            let words: BTreeSet<&str> = text.split(|c: char| !c.is_ascii_alphanumeric()).collect();
            for w in words.into_iter().filter(|w| w.len() > 2) {
                *pages_with.entry(w.to_owned()).or_default() += 1;
            }
        }
        let mut words: Vec<(usize, String)> = pages_with
            .iter()
            .filter(|(w, n)| WORDS.contains(&w.as_str()) && (2..80).contains(*n))
            .map(|(w, n)| (*n, w.clone()))
            .collect();
        words.sort();
        let at = |q: usize| words[(words.len() - 1) * q / 4].1.clone();
        let mut queries = vec![at(0), at(1), at(2), at(3), format!("{} {}", at(1), at(3))];
        let markers: BTreeSet<&String> = pages_with.keys().filter(|w| w.starts_with("zq")).collect();
        queries.extend(markers.into_iter().rev().take(5).cloned());
        queries
    }

    /// The next change of the series, applied to the model; `avoid` are pages it must not touch
    /// (those other changes of the same burst touch).
    pub fn change(&mut self, kind: ChangeKind, avoid: &mut BTreeSet<String>) -> Change {
        self.changes += 1;
        let mark = marker(self.changes - 1);
        match kind {
            ChangeKind::Body => {
                let rel = self.pick_page(avoid, false);
                let page = self.pages.get_mut(&rel).expect("picked");
                let i = self.rng.below(page.paragraphs.len());
                let text = paragraph(&mut self.rng, Some(&mark));
                self.pages.get_mut(&rel).expect("picked").paragraphs[i] = text;
                self.edited(format!("body edit of `{rel}`"), &rel, Some(mark))
            }
            ChangeKind::Title => {
                let rel = self.pick_page(avoid, false);
                let title = format!("{} {}", title(&mut self.rng), capitalised(&mark));
                self.pages.get_mut(&rel).expect("picked").title = title.clone();
                self.edited(format!("title of `{rel}` → {title:?}"), &rel, Some(title))
            }
            ChangeKind::Owner => {
                let rel = self.pick_page(avoid, false);
                let owner = if self.rng.chance(30) {
                    format!("{mark}-team")
                } else {
                    (*self.rng.pick(OWNERS)).to_owned()
                };
                let page = self.pages.get_mut(&rel).expect("picked");
                page.owner = owner.clone();
                let title = page.title.clone();
                let mut change = self.edited(format!("owner of `{rel}` → {owner}"), &rel, None);
                // Runbooks show their owner in a header of their own: the owner's page lists it.
                change.checks.push(Check {
                    url: format!("/owners/{owner}/"),
                    text: Some(title),
                    present: true,
                });
                change
            }
            ChangeKind::Tags => {
                let rel = self.pick_page(avoid, false);
                let mut tags = pick_tags(&mut self.rng);
                tags.push(mark.clone());
                let page = self.pages.get_mut(&rel).expect("picked");
                page.tags = tags.clone();
                let title = page.title.clone();
                let mut change = self.edited(format!("tags of `{rel}` → {tags:?}"), &rel, None);
                // Runbook pages do not show tags: the new tag's page lists it.
                change.checks.push(Check { url: format!("/tags/{mark}/"), text: Some(title), present: true });
                change
            }
            ChangeKind::LastVerified => {
                let rel = self.pick_page(avoid, false);
                let date = date(&mut self.rng);
                self.pages.get_mut(&rel).expect("picked").last_verified = Some(date.clone());
                self.edited(format!("last_verified of `{rel}` → {date}"), &rel, None)
            }
            ChangeKind::Add => self.add(avoid, &mark),
            ChangeKind::Delete => {
                let rel = self.pick_page(avoid, true);
                self.pages.remove(&rel);
                Change {
                    what: format!("delete `{rel}`"),
                    ops: vec![Op::Remove(format!("src/{rel}"))],
                    checks: vec![Check { url: url(&rel), text: None, present: false }],
                }
            }
            ChangeKind::Rename => self.rename(avoid, &mark),
            ChangeKind::Snippet => {
                self.snippet.push(format!("Then run `opsctl freeze {mark}` to hold deploys."));
                let includer =
                    self.pages.iter().find(|(_, p)| p.include).map(|(rel, _)| url(rel)).expect("an includer");
                Change {
                    what: "edit of the included `snippets/shared.txt`".to_owned(),
                    ops: vec![Op::Write("src/snippets/shared.txt".to_owned(), self.snippet_text())],
                    checks: vec![Check { url: includer, text: Some(mark), present: true }],
                }
            }
            ChangeKind::BrokenLink => {
                let rel = self.pick_page(avoid, false);
                self.pages.get_mut(&rel).expect("picked").broken = Some(mark.clone());
                self.edited(format!("broken link in `{rel}`"), &rel, Some(format!("missing-{mark}.md")))
            }
            ChangeKind::BadFrontMatter => {
                let rel = self.pick_page(avoid, false);
                let page = self.pages.get_mut(&rel).expect("picked");
                page.bad_yaml = true;
                let shown = page.paragraphs[0].chars().take(40).collect();
                self.edited(format!("front matter of `{rel}` broken"), &rel, Some(shown))
            }
            ChangeKind::Summary => {
                assert!(!self.summary.is_empty(), "a `SUMMARY.md` change needs a site with one");
                let part = format!("Part {}", capitalised(&mark));
                let rel = self.pick_page(avoid, true);
                self.summary.insert(1, (part.clone(), vec![rel.clone()]));
                Change {
                    what: format!("`SUMMARY.md`: a part {part:?} listing `{rel}`"),
                    ops: vec![Op::Write("src/SUMMARY.md".to_owned(), self.summary_text())],
                    checks: vec![Check { url: url(&rel), text: Some(part), present: true }],
                }
            }
        }
    }

    fn edited(&mut self, what: String, rel: &str, text: Option<String>) -> Change {
        Change {
            what,
            ops: vec![Op::Write(format!("src/{rel}"), self.text(rel))],
            checks: vec![Check { url: url(rel), text, present: true }],
        }
    }

    fn add(&mut self, avoid: &mut BTreeSet<String>, mark: &str) -> Change {
        let kind = *self.rng.pick(&[Kind::Runbook, Kind::Guide, Kind::Onboarding, Kind::Adr]);
        let mut rel = self.new_rel(kind);
        if kind == Kind::Guide && self.rng.chance(50) {
            // A folder that did not exist: its listing appears too.
            rel = rel.replacen("guides/", &format!("guides/{mark}/"), 1);
        }
        let mut page = self.page(kind);
        page.paragraphs.push(paragraph(&mut self.rng, Some(mark)));
        let targets = self.linkable(&rel, 2);
        page.links = targets;
        let title = page.title.clone();
        self.pages.insert(rel.clone(), page);
        avoid.insert(rel.clone());
        Change {
            what: format!("add `{rel}`"),
            ops: vec![Op::Write(format!("src/{rel}"), self.text(&rel))],
            checks: vec![Check { url: url(&rel), text: Some(title), present: true }],
        }
    }

    fn rename(&mut self, avoid: &mut BTreeSet<String>, mark: &str) -> Change {
        let from = self.pick_page(avoid, true);
        let page = self.pages.remove(&from).expect("picked");
        let (dir, name) = from.rsplit_once('/').expect("a page in a folder");
        let to = if page.kind == Kind::Adr {
            // Keep the record's number, change its slug.
            format!("{dir}/{}-{mark}.md", &name[..4])
        } else if self.rng.chance(50) || !page.links.is_empty() || page.include {
            // Its own relative links stay valid only in the same folder.
            format!("{dir}/{mark}-{name}")
        } else {
            format!("{dir}/moved-{mark}/{name}")
        };
        self.pages.insert(to.clone(), page);
        avoid.insert(to.clone());
        Change {
            what: format!("rename `{from}` → `{to}`"),
            ops: vec![Op::Rename(format!("src/{from}"), format!("src/{to}"))],
            checks: vec![
                Check { url: url(&from), text: None, present: false },
                Check { url: url(&to), text: None, present: true },
            ],
        }
    }

    /// A page to change; `free`: one that nothing links to or names (to delete or rename).
    fn pick_page(&mut self, avoid: &mut BTreeSet<String>, free: bool) -> String {
        let named = self.named();
        let candidates: Vec<String> = self
            .pages
            .iter()
            // A page whose front matter is broken shows none of its fields: left alone.
            .filter(|(rel, p)| p.kind != Kind::Readme && !p.bad_yaml && !avoid.contains(*rel))
            .filter(|(rel, p)| !free || (p.kind != Kind::Path && !named.contains(*rel)))
            .map(|(rel, _)| rel.clone())
            .collect();
        let rel = self.rng.pick(&candidates).clone();
        avoid.insert(rel.clone());
        rel
    }

    /// Pages that another page or `SUMMARY.md` links to or names.
    fn named(&self) -> BTreeSet<String> {
        let mut named: BTreeSet<String> = BTreeSet::new();
        for (rel, page) in &self.pages {
            named.extend(page.links.iter().map(|(to, _)| to.clone()));
            named.extend(page.steps.iter().cloned());
            if let Some((status, _, supersedes)) = &page.adr {
                if let Some(old) = supersedes {
                    named.insert(format!("adr/{old}"));
                    named.insert(rel.clone());
                }
                if status == "superseded" {
                    named.insert(rel.clone());
                }
            }
        }
        named.extend(self.summary.iter().flat_map(|(_, rels)| rels.iter().cloned()));
        named
    }

    fn page(&mut self, kind: Kind) -> Page {
        let rng = &mut self.rng;
        let service = (kind == Kind::Runbook).then(|| (*rng.pick(SERVICES)).to_owned());
        let mut alerts = Vec::new();
        if let Some(service) = &service
            && rng.chance(40)
        {
            self.made += 1;
            alerts.push(format!(
                "{}{}{}",
                capitalised(service),
                rng.pick(&["Latency", "Errors", "Lag"]),
                self.made
            ));
        }
        let adr = (kind == Kind::Adr).then(|| ((*rng.pick(STATUSES)).to_owned(), date(rng), None));
        // Runbooks get all three sections (Meaning, Diagnosis, Mitigation): no warnings.
        let least = if kind == Kind::Runbook { 3 } else { 2 };
        let paragraphs = (0..rng.range(least, 4)).map(|_| paragraph(rng, None)).collect();
        Page {
            kind,
            title: title(rng),
            owner: (*rng.pick(OWNERS)).to_owned(),
            tags: pick_tags(rng),
            last_verified: rng.chance(85).then(|| date(rng)),
            review_every: rng.chance(30).then(|| (*rng.pick(REVIEW)).to_owned()),
            service,
            alerts,
            adr,
            steps: Vec::new(),
            links: Vec::new(),
            include: matches!(kind, Kind::Runbook | Kind::Guide) && rng.chance(8),
            paragraphs,
            broken: None,
            bad_yaml: false,
        }
    }

    /// A new, unused source path for a page of `kind`.
    fn new_rel(&mut self, kind: Kind) -> String {
        self.made += 1;
        let n = self.made;
        let slug = format!("{}-{}-{n:03}", self.rng.pick(VERBS).to_ascii_lowercase(), self.rng.pick(NOUNS));
        match kind {
            Kind::Runbook => {
                if self.rng.chance(70) {
                    format!("runbooks/{}/{slug}.md", self.rng.pick(SERVICES))
                } else {
                    format!("runbooks/{slug}.md")
                }
            }
            Kind::Adr => {
                let number = self.next_adr;
                self.next_adr += 1;
                format!("adr/{number:04}-{slug}.md")
            }
            Kind::Onboarding => format!("onboarding/{slug}.md"),
            Kind::Guide => {
                if self.rng.chance(30) {
                    format!("guides/deep/{slug}.md")
                } else {
                    format!("guides/{slug}.md")
                }
            }
            Kind::Readme | Kind::Path => unreachable!("named by hand"),
        }
    }

    fn add_path(&mut self, name: &str) {
        let mut page = self.page(Kind::Onboarding);
        page.kind = Kind::Path;
        page.title = format!("{} onboarding path", capitalised(name));
        let pool: Vec<String> = self
            .pages
            .keys()
            .filter(|r| {
                (r.starts_with("onboarding/") && !r.ends_with("README.md")) || r.starts_with("guides/deep/")
            })
            .cloned()
            .collect();
        let mut steps = Vec::new();
        while steps.len() < 5 {
            let step = self.rng.pick(&pool).clone();
            if !steps.contains(&step) {
                steps.push(step);
            }
        }
        page.steps = steps;
        self.pages.insert(format!("onboarding/path-{name}.md"), page);
    }

    /// Gives pages links to others: most pages link to none, some to one or two, the READMEs
    /// to a few.
    fn link_pages(&mut self) {
        let rels: Vec<String> = self.pages.keys().cloned().collect();
        for rel in rels {
            let readme = rel.ends_with("README.md");
            let n = if readme {
                4
            } else if self.rng.chance(25) {
                self.rng.range(1, 2)
            } else {
                0
            };
            let links = self.linkable(&rel, n);
            self.pages.get_mut(&rel).expect("a page").links = links;
        }
    }

    /// Up to `n` pages `from` may link to, with their titles.
    fn linkable(&mut self, from: &str, n: usize) -> Vec<(String, String)> {
        let rels: Vec<&String> = self.pages.keys().filter(|r| r.as_str() != from).collect();
        let mut links: Vec<(String, String)> = Vec::new();
        for _ in 0..n {
            let to = (*self.rng.pick(&rels)).clone();
            if !links.iter().any(|(r, _)| *r == to) {
                let title = self.pages[&to].title.clone();
                links.push((to, title));
            }
        }
        links
    }

    fn make_summary(&mut self) {
        let part = |site: &mut Self, title: &str, prefix: &str| {
            let mut rels: Vec<String> = vec![format!("{prefix}README.md")];
            let pool: Vec<String> = site
                .pages
                .keys()
                .filter(|r| r.starts_with(prefix) && !r.ends_with("README.md"))
                .cloned()
                .collect();
            for _ in 0..4 {
                let rel = site.rng.pick(&pool).clone();
                if !rels.contains(&rel) {
                    rels.push(rel);
                }
            }
            site.summary.push((title.to_owned(), rels));
        };
        part(self, "Runbooks", "runbooks/");
        part(self, "Guides", "guides/");
        part(self, "Onboarding", "onboarding/");
        let adrs: Vec<String> =
            self.pages.keys().filter(|r| r.starts_with("adr/")).take(3).cloned().collect();
        self.summary.push(("Decisions".to_owned(), adrs));
    }

    fn summary_text(&self) -> String {
        let mut out = String::from("# Summary\n\n[Home](README.md)\n");
        for (i, (part, rels)) in self.summary.iter().enumerate() {
            if i == self.summary.len() - 1 {
                out.push_str("\n---\n");
            }
            out.push_str(&format!("\n# {part}\n\n"));
            for (j, rel) in rels.iter().enumerate() {
                let indent = if j > 0 && rels[0].ends_with("README.md") { "  " } else { "" };
                out.push_str(&format!("{indent}- [{}]({rel})\n", self.pages[rel].title));
            }
        }
        out
    }

    fn snippet_text(&self) -> String {
        self.snippet.iter().map(|l| format!("{l}\n")).collect()
    }

    /// The markdown of page `rel`.
    pub fn text(&self, rel: &str) -> String {
        let page = &self.pages[rel];
        let mut out = String::from("---\n");
        let mut line = |key: &str, value: &str| out.push_str(&format!("{key}: {value}\n"));
        line("title", &page.title);
        if page.bad_yaml {
            line("summary", "[unclosed");
        }
        line("owner", &page.owner);
        if !page.tags.is_empty() {
            line("tags", &format!("[{}]", page.tags.join(", ")));
        }
        if let Some(date) = &page.last_verified {
            line("last_verified", date);
        }
        if let Some(every) = &page.review_every {
            line("review_every", every);
        }
        if let Some(service) = &page.service {
            line("service", service);
        }
        if !page.alerts.is_empty() {
            line("alerts", &format!("[{}]", page.alerts.join(", ")));
        }
        if let Some((status, date, supersedes)) = &page.adr {
            line("status", status);
            line("date", date);
            line("decision_makers", "[alice, bob]");
            if let Some(old) = supersedes {
                line("supersedes", old);
            }
        }
        if !page.steps.is_empty() {
            out.push_str("steps:\n  - group: Day 1\n    steps:\n");
            for step in &page.steps[..2] {
                out.push_str(&format!("      - page: {step}\n        estimated_time: 1h\n"));
            }
            out.push_str("      - task: Get VPN access\n");
            for step in &page.steps[2..] {
                out.push_str(&format!("  - page: {step}\n"));
            }
        }
        out.push_str("---\n\n");
        self.body(rel, page, &mut out);
        out
    }

    fn body(&self, rel: &str, page: &Page, out: &mut String) {
        let headings: &[&str] = match page.kind {
            Kind::Runbook => &["Meaning", "Diagnosis", "Mitigation"],
            Kind::Adr => &["Context", "Decision", "Consequences"],
            _ => &["Overview", "Details", "Notes"],
        };
        for (i, p) in page.paragraphs.iter().enumerate() {
            out.push_str(&format!("## {}\n\n{p}\n\n", headings[i % headings.len()]));
        }
        if page.kind == Kind::Runbook {
            let service = page.service.as_deref().unwrap_or("app");
            out.push_str(&format!(
                "```bash\nkubectl -n {service} rollout restart deploy/{service}\nkubectl -n {service} get pods -w\n```\n\n"
            ));
        }
        if page.include {
            out.push_str(&format!(
                "```text\n{{{{#include {}}}}}\n```\n\n",
                relative(rel, "snippets/shared.txt")
            ));
        }
        for (to, title) in &page.links {
            out.push_str(&format!("See [{title}]({}).\n\n", relative(rel, to)));
        }
        if let Some(mark) = &page.broken {
            out.push_str(&format!("See [the old notes](missing-{mark}.md).\n\n"));
        }
    }

    /// Whether a build of the model finds content errors (it is then built with `--keep-going`).
    pub fn has_errors(&self) -> bool {
        self.pages.values().any(|p| p.broken.is_some() || p.bad_yaml)
    }
}

/// The served URL of source path `rel`.
pub fn url(rel: &str) -> String {
    let stem = rel.strip_suffix(".md").expect("a markdown file");
    match stem.rsplit_once('/') {
        Some((dir, "README")) => format!("/{dir}/"),
        None if stem == "README" => "/".to_owned(),
        _ => format!("/{stem}/"),
    }
}

/// The link from the page at `from` to the file at `to` (both relative to `src/`).
fn relative(from: &str, to: &str) -> String {
    let from_dir: Vec<&str> = from.split('/').collect::<Vec<_>>()[..from.split('/').count() - 1].to_vec();
    let to_parts: Vec<&str> = to.split('/').collect();
    let common = from_dir.iter().zip(&to_parts).take_while(|(a, b)| a == b).count();
    let mut parts: Vec<&str> = vec![".."; from_dir.len() - common];
    parts.extend(&to_parts[common..]);
    parts.join("/")
}

/// The marker word of change `n`: letters only, so no tokenizer splits or stems it.
fn marker(n: usize) -> String {
    let digits: String = format!("{n:02}").bytes().map(|b| char::from(b'b' + (b - b'0'))).collect();
    format!("zq{digits}x")
}

fn capitalised(word: &str) -> String {
    let mut chars = word.chars();
    chars.next().map(|c| c.to_ascii_uppercase().to_string() + chars.as_str()).unwrap_or_default()
}

fn title(rng: &mut Rng) -> String {
    format!("{} the {} {}", rng.pick(VERBS), rng.pick(NOUNS), rng.pick(WORDS))
}

fn pick_tags(rng: &mut Rng) -> Vec<String> {
    let mut tags: Vec<String> = Vec::new();
    for _ in 0..rng.range(0, 3) {
        let tag = (*rng.pick(TAGS)).to_owned();
        if !tags.contains(&tag) {
            tags.push(tag);
        }
    }
    tags
}

fn date(rng: &mut Rng) -> String {
    if rng.chance(30) {
        format!("2026-0{}-{:02}", rng.range(1, 2), rng.range(1, 28))
    } else {
        format!("2025-{:02}-{:02}", rng.range(1, 12), rng.range(1, 28))
    }
}

/// A paragraph of 12 to 40 words, with `mark` in it when given.
fn paragraph(rng: &mut Rng, mark: Option<&str>) -> String {
    let n = rng.range(12, 40);
    // Skewed, as in real text: the first words are common, the last ones rare.
    let mut words: Vec<String> = (0..n)
        .map(|_| {
            let bound = rng.below(WORDS.len()) + 1;
            WORDS[rng.below(bound)].to_owned()
        })
        .collect();
    if let Some(mark) = mark {
        let at = rng.below(words.len());
        words.insert(at, mark.to_owned());
    }
    let mut text = capitalised(&words.join(" "));
    text.push('.');
    text
}

#[test]
fn relative_links_and_urls() {
    assert_eq!(relative("runbooks/a/b.md", "guides/c.md"), "../../guides/c.md");
    assert_eq!(relative("README.md", "guides/c.md"), "guides/c.md");
    assert_eq!(relative("guides/x.md", "guides/c.md"), "c.md");
    assert_eq!(url("README.md"), "/");
    assert_eq!(url("guides/README.md"), "/guides/");
    assert_eq!(url("guides/deep/x-1.md"), "/guides/deep/x-1/");
    assert_eq!(marker(7), "zqbix");
}
