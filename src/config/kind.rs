//! The kinds of page. Front matter (`kind:`) and `book.toml` (`[freshness.kinds]`) name kinds
//! through [`Kind::parse`], so an alias (`decision` for `adr`) means the same in both.
//!
//! It lives in `config`, the first stage, so that `config` and `content` both use it without
//! importing each other; `content` re-exports it.

/// What a page is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// An ordinary page.
    Page,
    /// An operational runbook.
    Runbook,
    /// An architecture decision record.
    Adr,
    /// An onboarding page or path.
    Onboarding,
    /// A service's own page (`services/`).
    Service,
}

impl Kind {
    /// The name used in front matter and CSS classes.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Page => "page",
            Kind::Runbook => "runbook",
            Kind::Adr => "adr",
            Kind::Onboarding => "onboarding",
            Kind::Service => "service",
        }
    }

    /// The label shown to readers.
    pub fn label(self) -> &'static str {
        match self {
            Kind::Page => "Page",
            Kind::Runbook => "Runbook",
            Kind::Adr => "Decision record",
            Kind::Onboarding => "Onboarding",
            Kind::Service => "Service",
        }
    }

    /// The kind a name (`kind:` in front matter, a report's `kind` field) stands for.
    pub fn parse(s: &str) -> Option<Self> {
        match s.to_ascii_lowercase().as_str() {
            "page" => Some(Kind::Page),
            "runbook" => Some(Kind::Runbook),
            "adr" | "decision" => Some(Kind::Adr),
            "onboarding" => Some(Kind::Onboarding),
            "service" => Some(Kind::Service),
            _ => None,
        }
    }
}
