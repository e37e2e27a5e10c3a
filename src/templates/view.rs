//! Building the [`PageView`] of each page or generated listing from the site model.

use super::context::{LinkView, ListItem, PageInfo, PageView, SearchLinks, SiteView};
use super::nav;
use crate::config::{SiteConfig, ThemeMode};
use crate::markdown::Rendered;
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
}

impl ViewInputs<'_> {
    pub(super) fn site_view_at(&self, from: &str) -> SiteView {
        self.site_view(from)
    }

    pub(super) fn site_view(&self, from: &str) -> SiteView {
        let root = relative_url(from, "");
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
            css: self.css.iter().map(|c| format!("{root}{}", encode_path(c))).collect(),
            js: self.js.iter().map(|j| format!("{root}{}", encode_path(j))).collect(),
            search: self.search_links(&root),
            root,
        }
    }

    fn search_links(&self, root: &str) -> Option<SearchLinks> {
        self.search.map(|s| SearchLinks {
            js: format!("{root}{}", s.js),
            css: format!("{root}{}", s.css),
            head: format!("{root}{}", s.head),
        })
    }

    /// The view of a page or a generated listing.
    pub fn view(&self, target: Target, rendered: Option<&Rendered>) -> PageView {
        let site = self.site;
        let url = site.url(target).to_owned();
        let page = self.page_info(target, &url);
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
        let listing = match target {
            Target::Section(i) => {
                site.sections[i].children.iter().map(|t| self.list_item(&url, *t)).collect()
            }
            Target::Page(_) => Vec::new(),
        };
        PageView {
            site: self.site_view(&url),
            page,
            content: rendered.map(|r| r.html.clone()).unwrap_or_default(),
            toc: rendered.map(|r| r.toc.clone()).unwrap_or_default(),
            nav: nav::entries(site, Some(target), &url),
            breadcrumbs,
            prev,
            next,
            listing,
            kinds: self.kinds(target, &url),
        }
    }

    /// The view of `404.html`, whose links must work from any depth: rooted at the site URL's
    /// path when `site-url` is set (mdBook allows a bare path, `/handbook/`), else at `/`.
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
        let mut view = self.view(self.site.home().unwrap_or(Target::Section(0)), None);
        view.site = SiteView {
            css: self.css.iter().map(|c| format!("{root}{}", encode_path(c))).collect(),
            js: self.js.iter().map(|j| format!("{root}{}", encode_path(j))).collect(),
            search: self.search_links(&root),
            root: root.clone(),
            ..view.site
        };
        view.nav = nav::entries(self.site, None, "")
            .into_iter()
            .map(|mut e| {
                e.href = e.href.map(|h| format!("{root}{h}"));
                e
            })
            .collect();
        view.page.title = "Page not found".to_owned();
        view.page.kind = "404".to_owned();
        view.breadcrumbs.clear();
        view.prev = None;
        view.next = None;
        view.listing.clear();
        view.toc.clear();
        view.kinds = super::kinds::KindsView::default();
        view
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
                    owner: meta.owner.clone(),
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
                    freshness: super::freshness::banner(self, i, url),
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
            badge: super::freshness::badge(self.site, target),
        }
    }
}
