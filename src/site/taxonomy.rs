//! Taxonomies: tags, owners, services and runbook severities, each with an index page
//! (`tags/`) and a page per value (`tags/postgres/`) listing its pages grouped by kind.
//!
//! Input: the pages and the runbook fields. A taxonomy whose URL a page of the site already
//! uses is not generated (the author's page wins).

use std::collections::BTreeMap;

use super::Site;
use super::alerts::Runbooks;

/// One taxonomy.
#[derive(Debug, Clone)]
pub struct Taxonomy {
    /// URL segment and key (`tags`).
    pub name: &'static str,
    /// Heading of the index page ("Tags").
    pub title: &'static str,
    /// Singular, for a value page's label ("Tag").
    pub singular: &'static str,
    /// Value → page indices, A–Z.
    pub values: BTreeMap<String, Vec<usize>>,
}

impl Taxonomy {
    /// URL of the index page.
    pub fn url(&self) -> String {
        format!("{}/", self.name)
    }

    /// URL of a value's page.
    pub fn value_url(&self, value: &str) -> String {
        format!("{}/{}/", self.name, slug(value))
    }
}

/// Builds the taxonomies that have at least one value.
pub fn build(site: &Site, runbooks: &Runbooks) -> Vec<Taxonomy> {
    let mut tags = BTreeMap::<String, Vec<usize>>::new();
    let mut owners = BTreeMap::<String, Vec<usize>>::new();
    for (i, page) in site.pages.iter().enumerate() {
        for tag in &page.meta.tags {
            tags.entry(tag.clone()).or_default().push(i);
        }
        if let Some(owner) = &page.meta.owner {
            owners.entry(owner.clone()).or_default().push(i);
        }
    }
    // Owner pages list the services they own, catalog-only ones too.
    for service in &site.services.list {
        if let Some(owner) = service.field("owner") {
            owners.entry(owner.to_owned()).or_default();
        }
    }
    let mut services = BTreeMap::<String, Vec<usize>>::new();
    let mut severities = BTreeMap::<String, Vec<usize>>::new();
    for rb in &runbooks.runbooks {
        if let Some(s) = &rb.service {
            services.entry(s.clone()).or_default().push(rb.page);
        }
        if let Some(s) = &rb.severity {
            severities.entry(s.to_ascii_lowercase()).or_default().push(rb.page);
        }
    }
    let all = [
        Taxonomy { name: "tags", title: "Tags", singular: "Tag", values: tags },
        Taxonomy { name: "owners", title: "Owners", singular: "Owner", values: owners },
        Taxonomy { name: "services", title: "Services", singular: "Service", values: services },
        Taxonomy {
            name: "severities",
            title: "Runbooks by severity",
            singular: "Severity",
            values: severities,
        },
    ];
    // Once services are defined, `services/` and `services/<name>/` are the services' own pages.
    let services = site.services.enabled();
    all.into_iter()
        .filter(|t| !(services && t.name == "services"))
        .filter(|t| !t.values.is_empty() && site.by_url(&t.url()).is_none())
        .collect()
}

/// A URL segment for a value: lowercase letters, digits and `-`.
pub fn slug(value: &str) -> String {
    let mut out = String::new();
    for c in value.chars() {
        if c.is_alphanumeric() {
            out.extend(c.to_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    let out = out.trim_end_matches('-').to_owned();
    if out.is_empty() { "untitled".to_owned() } else { out }
}

#[cfg(test)]
mod tests {
    use super::slug;

    #[test]
    fn slugs() {
        assert_eq!(slug("Postgres primary failover"), "postgres-primary-failover");
        assert_eq!(slug("#data-platform"), "data-platform");
        assert_eq!(slug("a.b_c"), "a-b-c");
    }
}
