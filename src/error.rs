//! The crate's error type. User-content problems travel as [`Diagnostic`]s inside
//! [`Error::Diagnostics`]; everything else (I/O, templates) carries its own context.

use std::path::{Path, PathBuf};

use crate::diag::Diagnostic;

/// Everything that can stop a lore command.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A file-system operation failed.
    #[error("failed to {action} `{}`", path.display())]
    Io {
        /// What was being done ("read", "write", …).
        action: &'static str,
        /// The path it was done to.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// Problems in the user's input (config or content); all of them, not only the first.
    #[error("{}", summary(.0))]
    Diagnostics(Vec<Diagnostic>),
    /// Problems in `book.toml`; all of them.
    #[error("{}", summary(.0))]
    Config(Vec<Diagnostic>),
    /// A template failed to compile or render.
    #[error("{0}")]
    Template(String),
    /// Anything else that is the user's to fix, without a file position.
    #[error("{0}")]
    Usage(String),
    /// The search index could not be written or read.
    #[error("search index: {0}")]
    Search(String),
}

fn summary(diags: &[Diagnostic]) -> String {
    let errors = diags.iter().filter(|d| d.is_error()).count();
    match errors {
        1 => "found 1 error".to_owned(),
        n => format!("found {n} errors"),
    }
}

impl Error {
    /// An I/O error that names its path.
    pub fn io(action: &'static str, path: &Path, source: std::io::Error) -> Self {
        Self::Io { action, path: path.to_path_buf(), source }
    }
}

impl From<tantivy::TantivyError> for Error {
    fn from(e: tantivy::TantivyError) -> Self {
        Self::Search(e.to_string())
    }
}
