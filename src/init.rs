//! `lore init`: a new site with a sample page of each kind. It never overwrites: if any file it
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

/// Creates a site in `dir`; returns the files written.
pub fn init(dir: &Path, title: Option<&str>) -> Result<Vec<PathBuf>, Error> {
    let title = title.unwrap_or("Team handbook");
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
    Ok(files.into_iter().map(|(p, _)| p).collect())
}
