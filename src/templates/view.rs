//! Building the view of each page: [`ViewInputs`] holds the site-wide inputs, and its methods
//! are the entry points the build calls (a page or folder listing, `404.html`, the freshness
//! dashboard, the pages generated for kinds). The frame every page shares ([`Chrome`]) is built
//! here; what a kind adds comes from [`kind_view`](super::kind_view) and the dashboard's body
//! from [`freshness`](super::freshness), which take only the site model and never this type.

use super::context::{Chrome, LinkView, ListItem, PageInfo, PageView, SearchLinks, SiteView};
use super::freshness::{self, DASHBOARD_URL, DashboardView};
use super::kind_view::{Generated, KindViews};
use super::nav;
use crate::config::{SiteConfig, ThemeMode};
use crate::markdown::Rendered;
use crate::report::FreshnessReport;
use crate::site::{Site, Target, encode_path, relative_url};

/// Site-wide inputs of every view.
#[derive(Debug)]
pub struct ViewInputs<'a> {
    /// The config.
    pub config: &'a SiteConfig,
    /// The site model.
    pub site: &'a Site,
    /// Stylesheets, site-relative.
    pub css: &'a [String],
    /// Scripts, site-relative.
    pub js: &'a [String],
    /// The searcher and its index, site-relative.
    pub search: Option<&'a SearchLinks>,
    /// The diagram script, site-relative, for the pages holding a diagram.
    pub diagrams: Option<&'a str>,
    /// [`nav::digests`] of the site, made when first asked for.
    pub(crate) nav_digests: std::sync::OnceLock<nav::Digests>,
}

impl ViewInputs<'_> {
    /// The site values with links relative to the site root: [`SiteView::rooted_at`] makes them
    /// relative to a page.
    fn site_base(&self) -> SiteView {
        SiteView {
            title: self.config.title.clone(),
            description: self.config.description.clone(),
            language: self.config.language.clone(),
            repository_url: self.config.git_repository_url.clone(),
            default_theme: match self.config.default_theme {
                ThemeMode::Auto => "auto",
                ThemeMode::Light => "light",
                ThemeMode::Dark => "dark",
            }
            .to_owned(),
            css: self.css.iter().map(|c| encode_path(c).into_owned()).collect(),
            js: self.js.iter().map(|j| encode_path(j).into_owned()).collect(),
            search: self.search.cloned(),
            root: String::new(),
            diagrams: None,
        }
    }

    /// The site values as seen from the page at `from`.
    fn site_view(&self, from: &str) -> SiteView {
        self.site_base().rooted_at(&relative_url(from, ""))
    }

    fn kind_views(&self) -> KindViews<'_> {
        KindViews { site: self.site, config: self.config }
    }

    /// The view of a page or a generated listing.
    pub fn view(&self, target: Target, rendered: Option<&Rendered>) -> PageView {
        let mut view = self.frame(target, rendered);
        view.chrome.nav = self.nav(target);
        view
    }

    /// The sidebar rows of `target`.
    pub fn nav(&self, target: Target) -> Vec<super::context::NavEntry> {
        nav::entries(self.site, Some(target), self.site.url(target))
    }

    /// Stands for [`ViewInputs::nav`]`(target)` in a cache key, without building the rows.
    pub fn nav_key(&self, target: Target) -> u128 {
        let digests = self.nav_digests.get_or_init(|| nav::digests(self.site));
        nav::key(self.site, digests, Some(target), self.site.url(target))
    }

    /// The view of a page or a generated listing without its sidebar rows ([`ViewInputs::view`]
    /// adds them; a warm build keys the view with [`ViewInputs::nav_key`] instead).
    pub fn frame(&self, target: Target, rendered: Option<&Rendered>) -> PageView {
        let site = self.site;
        let url = site.url(target).to_owned();
        let link =
            |t: Target| LinkView { title: site.title(t).to_owned(), href: relative_url(&url, site.url(t)) };
        let position = site.position.get(&target).copied();
        let prev = position.and_then(|p| p.checked_sub(1)).map(|p| link(site.order[p]));
        let next = position.and_then(|p| site.order.get(p + 1)).map(|t| link(*t));
        let mut breadcrumbs: Vec<LinkView> = Vec::new();
        if let Some(home) = site.home().filter(|h| *h != target) {
            breadcrumbs.push(LinkView { title: "Home".to_owned(), href: relative_url(&url, site.url(home)) });
        }
        breadcrumbs.extend(site.parents.get(&target).into_iter().flatten().map(|t| link(*t)));
        let kinds = self.kind_views().kinds(target, &url);
        let listing = match target {
            // The services index lists every service: the folder's own listing would repeat a few.
            Target::Section(_) if kinds.services_index.is_some() => Vec::new(),
            Target::Section(i) => {
                site.sections[i].children.iter().map(|t| self.list_item(&url, *t)).collect()
            }
            Target::Page(_) => Vec::new(),
        };
        let mut site_view = self.site_view(&url);
        if rendered.is_some_and(|r| r.diagrams) {
            site_view.diagrams = self.diagrams.map(|d| relative_url(&url, d));
        }
        let mut page = self.page_info(target, &url);
        if matches!(target, Target::Section(_)) && kinds.services_index.is_some() {
            "services".clone_into(&mut page.kind);
        }
        PageView {
            chrome: Chrome { site: site_view, page, nav: Vec::new(), breadcrumbs },
            content: rendered.map(|r| r.html.clone()).unwrap_or_default(),
            toc: rendered.map(|r| r.toc.clone()).unwrap_or_default(),
            prev,
            next,
            listing,
            kinds,
        }
    }

    /// The view of `404.html`, whose links must work from any depth: rooted at the site URL's
    /// path when `site-url` is set (mdBook allows a bare path, `/handbook/`), else at `/`. Its
    /// page values are the home page's, retitled.
    pub fn not_found(&self) -> PageView {
        let root = self
            .config
            .site_url
            .as_deref()
            .and_then(|u| match u.split_once("://") {
                Some((_, rest)) => rest.find('/').map(|i| rest[i..].to_owned()),
                None => u.starts_with('/').then(|| u.to_owned()),
            })
            .unwrap_or_else(|| "/".to_owned());
        let home = self.site.home().unwrap_or(Target::Section(0));
        let mut page = self.page_info(home, self.site.url(home));
        page.title = "Page not found".to_owned();
        page.kind = "404".to_owned();
        let nav = nav::entries(self.site, None, "")
            .into_iter()
            .map(|mut e| {
                e.href = e.href.map(|h| format!("{root}{h}"));
                e
            })
            .collect();
        PageView::framed(Chrome {
            site: self.site_base().rooted_at(&root),
            page,
            nav,
            breadcrumbs: Vec::new(),
        })
    }

    /// The frame of a page lore generates at `url` (the organisation portal's pages).
    pub fn generated_chrome(&self, title: &str, kind: &str, url: &str) -> Chrome {
        let home = self
            .site
            .home()
            .map(|h| LinkView { title: "Home".to_owned(), href: relative_url(url, self.site.url(h)) });
        Chrome {
            site: self.site_view(url),
            page: PageInfo::generated(title, kind, title, url),
            nav: nav::entries(self.site, None, url),
            breadcrumbs: home.into_iter().filter(|_| !url.is_empty()).collect(),
        }
    }

    /// The view of the `freshness/` dashboard.
    pub fn dashboard(&self, report: &FreshnessReport) -> DashboardView {
        let from = DASHBOARD_URL;
        let mut page = PageInfo::generated("Freshness", "freshness", "Freshness", from);
        page.description = Some(format!("How recently each page was verified, as of {}.", report.today));
        let home = self
            .site
            .home()
            .map(|h| LinkView { title: "Home".to_owned(), href: relative_url(from, self.site.url(h)) });
        DashboardView {
            chrome: Chrome {
                site: self.site_view(from),
                page,
                nav: nav::entries(self.site, None, from),
                breadcrumbs: home.into_iter().collect(),
            },
            dashboard: freshness::Dashboard {
                alerts: self.site.coverage.counts().map(|counts| freshness::AlertCoverage {
                    summary: counts.summary(),
                    counts,
                    href: relative_url(from, "alerts/"),
                }),
                ..freshness::dashboard(report, from)
            },
        }
    }

    /// Every page lore generates for kinds: taxonomy indexes and values, the alert index and
    /// one redirect per alert.
    pub fn generated(&self) -> Vec<Generated> {
        self.kind_views().generated(&self.site_base())
    }

    fn page_info(&self, target: Target, url: &str) -> PageInfo {
        match target {
            Target::Page(i) => {
                let page = &self.site.pages[i];
                let meta = &page.meta;
                PageInfo {
                    title: page.title.clone(),
                    description: meta.description.clone(),
                    kind: page.kind.name().to_owned(),
                    kind_label: page.kind.label().to_owned(),
                    // A service page shows its owner among the service's facts.
                    owner: meta.owner.clone().filter(|_| page.kind != crate::config::Kind::Service),
                    tags: meta.tags.clone(),
                    last_verified: meta.last_verified.map(|d| d.to_string()),
                    verified_by: meta.verified_by.clone(),
                    url: encode_path(url).into_owned(),
                    source: Some(page.source.rel.clone()),
                    edit_url: self
                        .config
                        .edit_url_template
                        .as_ref()
                        .map(|t| t.replace("{path}", &encode_path(&page.source.rel))),
                    extra: meta.extra.clone(),
                    freshness: freshness::banner(self.site, self.config, i, url),
                }
            }
            Target::Section(i) => {
                PageInfo::generated(&self.site.sections[i].title, "section", "Section", url)
            }
        }
    }

    fn list_item(&self, from: &str, target: Target) -> ListItem {
        let (kind, description, owner) = match target {
            Target::Page(i) => {
                let p = &self.site.pages[i];
                (p.kind.label().to_owned(), p.meta.description.clone(), p.meta.owner.clone())
            }
            Target::Section(_) => ("Section".to_owned(), None, None),
        };
        ListItem {
            title: self.site.title(target).to_owned(),
            href: relative_url(from, self.site.url(target)),
            kind,
            description,
            owner,
            status: match target {
                Target::Page(i) => self.site.adrs.lifecycle_of(i).map(|l| l.name().to_owned()),
                Target::Section(_) => None,
            },
            badge: freshness::badge(self.site, target),
        }
    }
}
