//! Markdown rendering: pulldown-cmark events → HTML, with highlighted code, resolved links,
//! heading ids and a table of contents.
//!
//! Input is one page of the [`crate::site::Site`]; output is a [`Rendered`] page body. Pages
//! render independently (in parallel); [`links::check_anchors`] runs once all are done.

mod highlight;
pub mod include;
pub mod links;
mod mkdocs;
mod render;

pub use highlight::{Highlighter, escape, stylesheet};
pub use include::{Expanded, expand};
pub use render::{Rendered, TocEntry, note_path, render, slugify};

pub use crate::config::Trust;
