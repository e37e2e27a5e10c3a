//! `lore init`: a new site with a sample page of each kind, or, in a folder that already holds
//! markdown (`docs/`, `content/`, `src/`), a `book.toml` that points at it and no samples; with
//! an `mkdocs.yml`, nothing (lore builds from it as it is). It never overwrites: if any file it
//! would write exists, nothing is written.

use std::path::{Path, PathBuf};

use crate::error::Error;

const RUNBOOK: &str = r#"---
title: Disk almost full
description: What to do when a host's data volume passes 90 %.
owner: platform-team
service: storage
severity: high
alerts: [DiskAlmostFull]
last_verified: {today}
review_every: 90d
---

## Meaning

The data volume of a host is more than 90 % full.

## Impact

Writes start failing when the volume is full; databases stop accepting connections.

## Diagnosis

```bash
df -h /data
du -xh /data | sort -h | tail -20
```

## Mitigation

1. Remove old log archives: `find /data/logs -name '*.gz' -mtime +14 -delete`.
2. If that is not enough, grow the volume (see [the storage decision](../adr/0001-record-architecture-decisions.md)).

## Escalation

Page the platform on-call if usage is still above 95 % after mitigation.
"#;

const ADR: &str = r#"---
title: Record architecture decisions
status: accepted
date: {today}
decision_makers: [platform-team]
---

## Context and problem statement

We need to record the architectural decisions made on this project.

## Decision outcome

We use Architecture Decision Records, one markdown file per decision in `adr/`,
numbered in the order they were made.

## Consequences

Decisions and their reasons stay findable after the people who made them move on.
"#;

const ONBOARDING: &str = r#"---
title: First week
description: Everything a new engineer needs in their first week.
owner: platform-team
audience: New engineers
last_verified: {today}
steps:
  - group: Day 1
    steps:
      - page: README.md
        estimated_time: 15m
      - task: Get access to the on-call tools
        who: platform-team
        estimated_time: 1h
  - group: Day 2
    steps:
      - page: runbooks/disk-almost-full.md
        estimated_time: 30m
      - page: adr/0001-record-architecture-decisions.md
        estimated_time: 15m
---

Welcome! Work through these steps in order and tick them off as you go.
"#;

const HOME: &str = r#"---
title: {title}
owner: platform-team
---

This site holds our runbooks, onboarding paths and architecture decision records.

- [Runbooks](runbooks/disk-almost-full.md) — what to do when an alert fires.
- [Decisions](adr/0001-record-architecture-decisions.md) — why things are the way they are.
- [Onboarding](onboarding/first-week.md) — where new people start.
"#;

/// What `lore init` did.
#[derive(Debug, PartialEq, Eq)]
pub enum Init {
    /// A new site: these files were written.
    Created(Vec<PathBuf>),
    /// The folder held markdown: `book` was written, pointing at `folder` and its `pages`.
    Adopted {
        /// The `book.toml` written.
        book: PathBuf,
        /// `docs`, `content` or `src`.
        folder: &'static str,
        /// Markdown files under it.
        pages: usize,
    },
    /// The folder is an MkDocs project (this file): nothing was written.
    MkDocs(PathBuf),
}

/// Folders whose markdown `lore init` adopts, in order of preference.
const ADOPTED: [&str; 3] = ["docs", "content", "src"];

/// Creates a site in `dir` (see the module documentation).
pub fn init(dir: &Path, title: Option<&str>) -> Result<Init, Error> {
    let title = title.unwrap_or("Team handbook");
    let book_toml = dir.join("book.toml");
    if !book_toml.exists() {
        if let Some(mkdocs) =
            crate::config::mkdocs::MKDOCS_FILES.iter().map(|f| dir.join(f)).find(|p| p.is_file())
        {
            return Ok(Init::MkDocs(mkdocs));
        }
        if let Some((folder, pages)) = existing_markdown(dir) {
            let quoted = serde_json::Value::from(title).to_string();
            let book =
                format!("[book]\ntitle = {quoted}\nsrc = \"{folder}\"\n\n[build]\nbuild-dir = \"book\"\n");
            crate::fs::write(&book_toml, book)?;
            return Ok(Init::Adopted { book: book_toml, folder, pages });
        }
    }
    // The same "today" as `build`, so a new site built with `SOURCE_DATE_EPOCH` is not from the future.
    let today =
        crate::site::freshness::today(None).unwrap_or_else(|_| jiff::ZonedDateTime::now().date()).to_string();
    // A JSON string is also a TOML basic string and a YAML double-quoted scalar: any title
    // (quotes, backslashes, `: `) gives a `book.toml` and front matter that parse.
    let quoted = serde_json::Value::from(title).to_string();
    let book = format!("[book]\ntitle = {quoted}\nsrc = \"src\"\n\n[build]\nbuild-dir = \"book\"\n");
    let fill = |t: &str| t.replace("{today}", &today).replace("{title}", &quoted);
    let files: Vec<(PathBuf, String)> = vec![
        (dir.join("book.toml"), book),
        (dir.join("src/README.md"), fill(HOME)),
        (dir.join("src/runbooks/disk-almost-full.md"), fill(RUNBOOK)),
        (dir.join("src/adr/0001-record-architecture-decisions.md"), fill(ADR)),
        (dir.join("src/onboarding/first-week.md"), fill(ONBOARDING)),
    ];
    let existing: Vec<String> =
        files.iter().filter(|(p, _)| p.exists()).map(|(p, _)| format!("`{}`", p.display())).collect();
    if !existing.is_empty() {
        return Err(Error::Usage(format!(
            "not creating a site: {} already exist{}\n  = hint: lore init never overwrites; choose an empty folder",
            existing.join(", "),
            if existing.len() == 1 { "s" } else { "" }
        )));
    }
    for (path, text) in &files {
        crate::fs::write(path, text)?;
    }
    Ok(Init::Created(files.into_iter().map(|(p, _)| p).collect()))
}

/// The folder of [`ADOPTED`] with the most markdown files (the first on a tie), and how many;
/// hidden and ignored files do not count, as `build` does not read them.
fn existing_markdown(dir: &Path) -> Option<(&'static str, usize)> {
    let count = |folder: &Path| {
        ignore::WalkBuilder::new(folder)
            .build()
            .filter_map(Result::ok)
            .filter(|e| e.file_type().is_some_and(|t| t.is_file()))
            .filter(|e| e.path().extension().is_some_and(|x| x.eq_ignore_ascii_case("md")))
            .count()
    };
    ADOPTED
        .iter()
        .filter(|f| dir.join(f).is_dir())
        .map(|&f| (f, count(&dir.join(f))))
        .filter(|&(_, n)| n > 0)
        .fold(None, |best: Option<(&str, usize)>, (f, n)| match best {
            Some((_, m)) if m >= n => best,
            _ => Some((f, n)),
        })
}
