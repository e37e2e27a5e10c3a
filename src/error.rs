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
    /// lore's own state is inconsistent: a bug, reported instead of writing a wrong file.
    #[error("a bug in lore: {0}\n  = hint: please report it with the change that led to it")]
    Bug(String),
    /// The search index could not be written or read.
    #[error("failed to {action} the search index")]
    Search {
        /// What was being done ("open", "read", …).
        action: &'static str,
        /// The underlying error.
        #[source]
        source: tantivy::TantivyError,
    },
    /// Data lore made (JSON, gzip) could not be encoded.
    #[error("failed to encode {what}")]
    Encode {
        /// What was being encoded, e.g. "`alerts.json`".
        what: String,
        /// The underlying error.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// One of lore's own threads could not start (`source` is the reason) or stopped on a
    /// panic (no `source`): a bug in lore or a starved machine, not the user's to fix.
    #[error("{}", thread_message(name, source.is_some()))]
    Thread {
        /// The thread's name.
        name: &'static str,
        /// Why it could not start; `None` when it started and then panicked.
        #[source]
        source: Option<std::io::Error>,
    },
    /// A site's search statistics (another team's build, merged by a portal) are unreadable
    /// or break a limit; `site` names it.
    #[error("site `{site}`: invalid search statistics: {problem}")]
    SearchStats {
        /// The site's name in the portal.
        site: String,
        /// What is wrong, with the record or term where it is.
        problem: String,
    },
}

fn thread_message(name: &str, could_not_start: bool) -> String {
    if could_not_start {
        format!("cannot start the `{name}` thread")
    } else {
        format!("the `{name}` thread stopped on a bug in lore")
    }
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

    /// A search-index error that says what was being done.
    pub fn search(action: &'static str, source: tantivy::TantivyError) -> Self {
        Self::Search { action, source }
    }

    /// An encoding error that names what was being encoded.
    pub fn encode(what: impl Into<String>, source: impl std::error::Error + Send + Sync + 'static) -> Self {
        Self::Encode { what: what.into(), source: Box::new(source) }
    }

    /// This error with the action of a search-index error replaced by `action`, for a caller
    /// that knows better than the conversion `?` made; any other error unchanged.
    #[must_use]
    pub fn in_search_action(self, action: &'static str) -> Self {
        match self {
            Self::Search { source, .. } => Self::Search { action, source },
            other => other,
        }
    }
}

impl From<tantivy::TantivyError> for Error {
    fn from(e: tantivy::TantivyError) -> Self {
        Self::Search { action: "use", source: e }
    }
}

#[cfg(test)]
mod tests {
    use super::Error;
    use crate::cli::error_text;

    /// Issue 14: a thread that cannot start prints the OS reason as its cause.
    #[test]
    fn issue_14_thread_that_cannot_start_prints_its_cause() {
        let err = Error::Thread {
            name: "lore-http",
            source: Some(std::io::Error::new(std::io::ErrorKind::OutOfMemory, "no memory for a stack")),
        };
        assert_eq!(
            error_text(&err, false),
            "error: cannot start the `lore-http` thread\n  caused by: no memory for a stack\n"
        );
    }

    #[test]
    fn issue_14_thread_that_panicked_is_a_bug() {
        let err = Error::Thread { name: "lore-rebuild", source: None };
        assert_eq!(error_text(&err, false), "error: the `lore-rebuild` thread stopped on a bug in lore\n");
    }

    /// Issue 14: an encoding error keeps serde_json's message as its cause.
    #[test]
    fn issue_14_encoding_error_prints_its_cause() {
        let source = serde_json::from_str::<u8>("300").expect_err("300 does not fit a u8");
        let err = Error::encode("`alerts.json`", source);
        assert_eq!(
            error_text(&err, false),
            "error: failed to encode `alerts.json`\n  caused by: invalid value: integer `300`, expected u8 at line 1 column 3\n"
        );
    }

    /// Issue 14: a search-index error keeps tantivy's error as its source, and the action a
    /// caller names replaces the generic one `?` gave it.
    #[test]
    fn issue_14_search_error_keeps_its_source() {
        let err: Error = tantivy::TantivyError::FieldNotFound("body".to_owned()).into();
        let err = err.in_search_action("open");
        assert_eq!(
            error_text(&err, false),
            "error: failed to open the search index\n  caused by: The field does not exist: 'body'\n"
        );
    }
}
