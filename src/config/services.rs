//! The `[services]` table of `book.toml`: which files hold the team's service catalog
//! (Backstage `catalog-info.yaml`) and its SLOs (OpenSLO, Sloth).
//!
//! Validation only: the files are read by [`crate::services`]. Like alert rule files, they are
//! input, not configuration (whoever opens a pull request can change them), so every pattern
//! must stay inside the content root (DESIGN.md, Trust model).

use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::alerts::{Globs, Place, check_patterns, check_syntax};
use super::content_root::ContentRoot;
use crate::diag::Diagnostic;

/// `[services]` as written.
#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "kebab-case")]
pub struct RawServices {
    /// Globs of Backstage catalog files, relative to the folder of `book.toml`.
    pub catalog: Option<Vec<String>>,
    /// Globs of SLO files (OpenSLO, Sloth), relative to the folder of `book.toml`.
    pub slos: Option<Vec<String>>,
}

/// The validated `[services]` table.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ServicesConfig {
    /// Catalog file globs as written, relative to [`ServicesConfig::base`].
    pub catalog: Vec<String>,
    /// SLO file globs as written, relative to [`ServicesConfig::base`].
    pub slos: Vec<String>,
    /// The folder the globs are relative to (the folder of `book.toml`).
    pub base: PathBuf,
    /// The line of `catalog` in `book.toml` (1 when not written).
    pub catalog_line: usize,
    /// The line of `slos` in `book.toml` (1 when not written).
    pub slos_line: usize,
    /// `book.toml` as shown in messages.
    pub config_path: PathBuf,
    /// The config text (for warnings found later).
    pub config_text: String,
}

/// Validates `[services]`.
pub(super) fn compute(
    raw: RawServices,
    root: &Path,
    at: &Place<'_>,
    diags: &mut Vec<Diagnostic>,
) -> ServicesConfig {
    let catalog = raw.catalog.unwrap_or_default();
    let slos = raw.slos.unwrap_or_default();
    check_syntax("catalog", &catalog, at, diags);
    check_syntax("slos", &slos, at, diags);
    ServicesConfig {
        catalog_line: super::key_line(at.text, "catalog"),
        slos_line: super::key_line(at.text, "slos"),
        catalog,
        slos,
        base: root.to_path_buf(),
        config_path: at.shown.to_path_buf(),
        config_text: at.text.to_owned(),
    }
}

/// Each pattern must stay inside the content root and out of `.git`, as rule files must.
pub(super) fn check_roots(
    services: &ServicesConfig,
    root: &ContentRoot,
    at: &Place<'_>,
    diags: &mut Vec<Diagnostic>,
) {
    let lists = [
        Globs {
            key: "catalog",
            patterns: &services.catalog,
            line: services.catalog_line,
            noun: "catalog files",
        },
        Globs { key: "slos", patterns: &services.slos, line: services.slos_line, noun: "SLO files" },
    ];
    for globs in &lists {
        check_patterns(globs, &services.base, root, at, diags);
    }
}
