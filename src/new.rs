//! `lore new`: a page of a kind, written from the kind's template into the kind's folder with a
//! slug file name. ADRs get the next free number; `--supersedes N` also marks record N as
//! superseded by rewriting its status line and nothing else. Nothing is ever overwritten.
//!
//! Templates are built in; a site overrides one with `<theme>/new/<kind>.md`, where `{title}`,
//! `{date}`, `{number}` and `{supersedes}` are filled in.

use std::path::{Path, PathBuf};

use crate::config::SiteConfig;
use crate::error::Error;
use crate::site::taxonomy::slug;

/// What kind of page to create.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum NewKind {
    /// A runbook, in the first runbook folder.
    Runbook,
    /// An architecture decision record, numbered.
    Adr,
    /// An onboarding path.
    Onboarding,
    /// An ordinary page, at the top of the source folder.
    Page,
}

/// What to create.
#[derive(Debug, Clone)]
pub struct NewOptions {
    /// The project root.
    pub root: PathBuf,
    /// An explicit config file.
    pub config_file: Option<PathBuf>,
    /// The kind.
    pub kind: NewKind,
    /// The title.
    pub title: String,
    /// ADRs only: the number of the record this one supersedes.
    pub supersedes: Option<u32>,
    /// Runbooks only: the alert (of `[alerts] rules`) the runbook answers; the page is named
    /// after it and pre-filled from its rule.
    pub alert: Option<String>,
}

/// What `lore new` wrote.
#[derive(Debug, Clone)]
pub struct NewOutput {
    /// The new page.
    pub created: PathBuf,
    /// The superseded record whose status line changed.
    pub updated: Option<PathBuf>,
}

const RUNBOOK: &str = "---
title: {title}
description:
owner:
service:
severity: high
alerts: []
dashboards: []
escalation:
  channel:
  after: 30m
last_verified: {date}
review_every: 90d
---

## Meaning

What the alert means, in one or two sentences.

## Impact

Who notices, and how badly.

## Diagnosis

The commands and dashboards that tell you what is wrong.

## Mitigation

1. The steps that stop the bleeding.

## Escalation

Whom to page, and when.
";

const ADR: &str = "---
title: {title}
status: proposed
date: {date}
decision_makers: []
consulted: []
informed: []
{supersedes}---

## Context and problem statement

What forces a decision now?

## Considered options

1. …
2. …

## Decision outcome

Chosen option: …, because …

## Consequences

What becomes easier, and what becomes harder.
";

const ONBOARDING: &str = "---
title: {title}
description:
owner:
audience:
outcome:
last_verified: {date}
steps:
  - group: Day 1
    steps:
      - task: Get access to the tools you need
        estimated_time: 1h
---

What this path is for, and how to use it.
";

const PAGE: &str = "---
title: {title}
description:
owner:
last_verified: {date}
---

";

/// Writes the new page (and updates the superseded record); returns the paths.
pub fn create(options: &NewOptions) -> Result<NewOutput, Error> {
    let config = SiteConfig::load(&options.root, options.config_file.as_deref())?;
    if options.supersedes.is_some() && options.kind != NewKind::Adr {
        return Err(Error::Usage("`--supersedes` applies to `lore new adr` only".to_owned()));
    }
    let folders = &config.kind_folders;
    let folder = match options.kind {
        NewKind::Runbook => kind_folder(&config.src, &folders.runbook, "runbooks"),
        NewKind::Adr => kind_folder(&config.src, &folders.adr, "adr"),
        NewKind::Onboarding => kind_folder(&config.src, &folders.onboarding, "onboarding"),
        NewKind::Page => config.src.clone(),
    };
    let alert = match &options.alert {
        Some(name) if options.kind == NewKind::Runbook => Some(alert_rule(&config, name)?),
        Some(_) => return Err(Error::Usage("`--alert` applies to `lore new runbook` only".to_owned())),
        None => None,
    };
    let slug = slug(&options.title);
    let (number, file) = if let Some(rule) = &alert {
        // Where the file-name convention finds it: `runbooks/<AlertName>.md`.
        (None, format!("{}.md", rule.segment))
    } else if options.kind == NewKind::Adr {
        let n = next_number(&folder)?;
        (Some(n), format!("{n:04}-{slug}.md"))
    } else {
        (None, format!("{slug}.md"))
    };
    let path = folder.join(&file);
    if let Some(e) = taken(&path) {
        return Err(e);
    }
    let old = match options.supersedes {
        Some(n) => Some(superseded_record(&folder, n, &file)?),
        None => None,
    };
    let template = template(&config, options.kind)?;
    let title = alert.as_ref().map_or(options.title.as_str(), |r| r.name.as_str());
    let quoted = serde_json::Value::from(title).to_string();
    let supersedes_line = old
        .as_ref()
        .and_then(|(_, p, _)| p.file_name())
        .map(|f| format!("supersedes: {}\n", f.to_string_lossy()))
        .unwrap_or_default();
    // The same "today" as every other command: `SOURCE_DATE_EPOCH` fixes it for reproducible runs.
    let today = crate::site::freshness::today(None).unwrap_or_else(|_| jiff::ZonedDateTime::now().date());
    let number = number.map(|n| n.to_string()).unwrap_or_default();
    let text = fill(
        &template,
        &[
            ("{title}", &quoted),
            ("{date}", &today.to_string()),
            ("{number}", &number),
            ("{supersedes}", &supersedes_line),
        ],
    );
    let text = match &alert {
        Some(rule) => prefill(&text, rule),
        None => text,
    };
    inside_content_root(&path, &config.content_root)?;
    write_new(&path, &text)?;
    let updated = match old {
        Some((snapshot, shown, new_text)) => {
            snapshot.write(new_text.as_bytes())?;
            Some(shown)
        }
        None => None,
    };
    Ok(NewOutput { created: path, updated })
}

/// The first rule that defines alert `name` (compared without regard to case).
fn alert_rule(config: &SiteConfig, name: &str) -> Result<crate::alerts::AlertRule, Error> {
    if config.alerts.rules.is_empty() {
        return Err(Error::Usage(
            "`--alert` reads the alert rules, but `book.toml` names none\n  = hint: list the rule files in `rules` of `[alerts]`".to_owned(),
        ));
    }
    let (rules, _) = crate::alerts::read(&config.alerts, &config.content_root);
    let found = rules
        .iter()
        .find(|r| r.name.eq_ignore_ascii_case(name.trim()) || r.segment.eq_ignore_ascii_case(name.trim()));
    match found {
        Some(rule) => Ok(rule.clone()),
        None => {
            let names: Vec<&str> = rules.iter().map(|r| r.segment.as_str()).collect();
            let hint = crate::diag::did_you_mean(name, &names).map_or_else(
                || "check the name in your alert rules".to_owned(),
                |g| format!("did you mean `{g}`?"),
            );
            Err(Error::Usage(format!(
                "no alert rule defines `{}`\n  = hint: {hint}",
                crate::diag::escape(name)
            )))
        }
    }
}

/// The runbook's front matter filled in from its alert's rule: the description from the
/// `summary` (or `description`) annotation, `service` and `severity` from the labels, and the
/// alert under `alerts`. Lines the template does not have are left out.
fn prefill(text: &str, rule: &crate::alerts::AlertRule) -> String {
    let quote = |v: &str| serde_json::Value::from(v).to_string();
    let summary =
        rule.annotation("summary").or_else(|| rule.annotation("description")).map(|a| quote(&a.value));
    let fields = [
        ("description:", summary),
        ("service:", rule.label("service").map(quote)),
        ("severity:", rule.label("severity").map(quote)),
        ("alerts:", Some(format!("[{}]", quote(&rule.segment)))),
    ];
    let end = text.find("\n---").unwrap_or(0);
    let (front, body) = text.split_at(end);
    let mut out: Vec<String> = Vec::new();
    for line in front.lines() {
        match fields.iter().find(|(key, value)| line.starts_with(key) && value.is_some()) {
            Some((key, Some(value))) => out.push(format!("{key} {value}")),
            _ => out.push(line.to_owned()),
        }
    }
    format!("{}{body}", out.join("\n"))
}

/// The first of the kind's folders that exists in the source folder (a site keeping ADRs in
/// `decisions/` gets them there), else the first configured.
fn kind_folder(src: &Path, folders: &[String], default: &str) -> PathBuf {
    folders
        .iter()
        .map(|f| src.join(f))
        .find(|p| p.is_dir())
        .unwrap_or_else(|| src.join(folders.first().map_or(default, String::as_str)))
}

fn template(config: &SiteConfig, kind: NewKind) -> Result<String, Error> {
    let name = match kind {
        NewKind::Runbook => "runbook",
        NewKind::Adr => "adr",
        NewKind::Onboarding => "onboarding",
        NewKind::Page => "page",
    };
    let custom = config.theme_dir.join("new").join(format!("{name}.md"));
    if custom.is_file() {
        return crate::fs::read_to_string(&custom);
    }
    Ok(match kind {
        NewKind::Runbook => RUNBOOK,
        NewKind::Adr => ADR,
        NewKind::Onboarding => ONBOARDING,
        NewKind::Page => PAGE,
    }
    .to_owned())
}

fn adr_files(folder: &Path) -> Result<Vec<(u32, PathBuf)>, Error> {
    if !folder.is_dir() {
        return Ok(Vec::new());
    }
    let mut out = Vec::new();
    for entry in std::fs::read_dir(folder).map_err(|e| Error::io("read", folder, e))? {
        let entry = entry.map_err(|e| Error::io("read", folder, e))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if let Some(n) = crate::content::adr::number_from_file(&name).filter(|_| name.ends_with(".md")) {
            out.push((n, entry.path()));
        }
    }
    out.sort();
    Ok(out)
}

fn next_number(folder: &Path) -> Result<u32, Error> {
    match adr_files(folder)?.last() {
        None => Ok(1),
        Some((n, path)) => n.checked_add(1).ok_or_else(|| {
            Error::Usage(format!(
                "cannot number a new ADR: `{}` already has the largest number lore supports ({n})\n  = hint: renumber that record",
                crate::config::display_path(path).display()
            ))
        }),
    }
}

/// Why `path` cannot be created, if it cannot: it exists, or it is a symlink (even a dangling
/// one: writing through it would create a file wherever it points).
fn taken(path: &Path) -> Option<Error> {
    let meta = std::fs::symlink_metadata(path).ok()?;
    let shown = crate::config::display_path(path);
    Some(Error::Usage(if meta.file_type().is_symlink() {
        format!(
            "`{}` is a symlink; lore new never writes through one\n  = hint: remove the link, or choose another title",
            shown.display()
        )
    } else {
        format!(
            "`{}` already exists\n  = hint: lore new never overwrites; choose another title",
            shown.display()
        )
    }))
}

/// `path` must resolve, symlinked folders on the way followed, inside the content root: a
/// folder under `src` that links elsewhere must not take a new page (or the folders made for it)
/// outside the project.
fn inside_content_root(path: &Path, root: &crate::config::ContentRoot) -> Result<(), Error> {
    if std::fs::symlink_metadata(path).is_ok() {
        return Ok(()); // the name is taken: `write_new` says by what
    }
    let (resolved, what) = match root.check(path) {
        Ok(_) => return Ok(()),
        Err(crate::config::Refusal::Outside(resolved)) => (resolved, "outside the content root"),
        Err(crate::config::Refusal::InGit(resolved)) => (resolved, "inside a `.git` folder"),
    };
    Err(Error::Usage(format!(
        "`{}` would be written at `{}`, {what}; lore new never writes there\n  = hint: a folder on the way is a symlink; create the page where it leads, or remove the link",
        crate::diag::escape(&crate::config::display_path(path).display().to_string()),
        crate::diag::escape(&resolved.display().to_string()),
    )))
}

/// Creates `path` with `text`; fails if anything (a file, a link) took the name meanwhile.
fn write_new(path: &Path, text: &str) -> Result<(), Error> {
    if let Some(parent) = path.parent() {
        crate::fs::create_dir_all(parent)?;
    }
    // `create_new` is O_EXCL: it never follows a symlink and never opens an existing file.
    let mut file = match std::fs::OpenOptions::new().write(true).create_new(true).open(path) {
        Ok(file) => file,
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            return Err(taken(path).unwrap_or_else(|| Error::io("create", path, e)));
        }
        Err(e) => return Err(Error::io("create", path, e)),
    };
    std::io::Write::write_all(&mut file, text.as_bytes()).map_err(|e| Error::io("write", path, e))
}

/// `template` with each `{name}` of `values` replaced, in one pass: a value is never searched
/// for placeholders again, so a title holding `{date}` stays as written.
fn fill(template: &str, values: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(i) = rest.find('{') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        match values.iter().find(|(key, _)| rest.starts_with(key)) {
            Some((key, value)) => {
                out.push_str(value);
                rest = &rest[key.len()..];
            }
            None => {
                out.push('{');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// Record `n` as read (written back keeping its identity), its path, and its text with the
/// status line rewritten to "superseded" (by `new_file`).
fn superseded_record(
    folder: &Path,
    n: u32,
    new_file: &str,
) -> Result<(crate::output::rewrite::Snapshot, PathBuf, String), Error> {
    let files = adr_files(folder)?;
    let Some((_, path)) = files.into_iter().find(|(m, _)| *m == n) else {
        return Err(Error::Usage(format!(
            "there is no ADR {n} in `{}` to supersede",
            crate::config::display_path(folder).display()
        )));
    };
    let shown = crate::config::display_path(&path);
    let (bytes, snapshot) = crate::output::rewrite::read(&path, &shown)?;
    let text = String::from_utf8(bytes).map_err(|_| {
        Error::Usage(format!("`{}` is not valid UTF-8; it was left unchanged", shown.display()))
    })?;
    let Some(new_text) = rewrite_status(&text, new_file) else {
        return Err(Error::Usage(format!(
            "`{}` has no status line to update\n  = hint: add `status: accepted` to its front matter, then run this again",
            crate::config::display_path(&path).display()
        )));
    };
    Ok((snapshot, path, new_text))
}

/// `text` with its status line, and only that line, saying it is superseded.
fn rewrite_status(text: &str, new_file: &str) -> Option<String> {
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let in_front_matter = lines.first().is_some_and(|l| l.trim_end() == "---");
    let mut fm_open = in_front_matter;
    let mut status_section = false;
    for (i, line) in lines.iter().enumerate() {
        let ending = &line[line.trim_end_matches(['\n', '\r']).len()..];
        let trimmed = line.trim();
        let replacement = if fm_open && i > 0 {
            if trimmed == "---" || trimmed == "..." {
                fm_open = false;
                None
            } else {
                line.starts_with("status:").then(|| format!("status: superseded{ending}"))
            }
        } else if let Some(rest) =
            trimmed.strip_prefix("- Status:").or_else(|| trimmed.strip_prefix("* Status:"))
        {
            let _ = rest;
            let indent = &line[..line.len() - line.trim_start().len()];
            let bullet = &trimmed[..1];
            Some(format!("{indent}{bullet} Status: superseded by [{new_file}]({new_file}){ending}"))
        } else if trimmed.eq_ignore_ascii_case("## status") {
            status_section = true;
            None
        } else if status_section && !trimmed.is_empty() {
            Some(format!("Superseded by [{new_file}]({new_file}){ending}"))
        } else {
            None
        };
        if let Some(new_line) = replacement {
            let mut out: String = lines[..i].concat();
            out.push_str(&new_line);
            out.push_str(&lines[i + 1..].concat());
            return Some(out);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::rewrite_status;

    #[test]
    fn rewrites_only_the_status_line() {
        let fm = "---\ntitle: x\nstatus: accepted\n---\n\nstatus: stays\n";
        assert_eq!(
            rewrite_status(fm, "0009-y.md").unwrap(),
            "---\ntitle: x\nstatus: superseded\n---\n\nstatus: stays\n"
        );
        let nygard = "# 7. X\n\nDate: 2020-01-01\n\n## Status\n\nAccepted\n\n## Context\n";
        assert_eq!(
            rewrite_status(nygard, "0009-y.md").unwrap(),
            "# 7. X\n\nDate: 2020-01-01\n\n## Status\n\nSuperseded by [0009-y.md](0009-y.md)\n\n## Context\n"
        );
        let madr = "# X\n\n- Status: accepted\n- Date: 2020-01-01\n";
        assert_eq!(
            rewrite_status(madr, "0009-y.md").unwrap(),
            "# X\n\n- Status: superseded by [0009-y.md](0009-y.md)\n- Date: 2020-01-01\n"
        );
        assert_eq!(rewrite_status("# X\n", "y.md"), None);
    }
}
