//! Reads the WeChat Pay docs site's markdown pages into the spec model.
//!
//! A page documents one path: its location under `openapi/` is the path template
//! (`openapi/v3/marketing/busifavor/stocks/{stock_id}/couponcodes.md` documents
//! `/v3/marketing/busifavor/stocks/{stock_id}/couponcodes`; `index.md` documents
//! the directory with a trailing slash). The page's tables list the request and
//! response fields. See [`page`](crate::parse_page) for the grammar.
//!
//! Nothing is dropped silently: every row that cannot be interpreted is a
//! [`Diagnostic`] naming `page:line` and the row. Callers choose whether errors
//! fail the run (the default for `cargo xtask spec`) or are reported while the
//! rest is kept (`--lenient`, for whole-site runs).

#![deny(missing_docs)]

mod attrs;
mod blocks;
mod describe;
mod diagnostic;
mod notification;
mod page;
mod php;
mod rows;
mod tree;

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use wechatpay_spec::{Notification, Operation, Spec};

pub use diagnostic::{Diagnostic, Severity, WarningKind};

/// What one page holds.
#[derive(Debug)]
pub struct PageResult {
    /// The operations documented on the page (those with errors keep the rows that were read).
    pub operations: Vec<Operation>,
    /// The notifications documented on the page (pages under `webhook/`).
    pub notifications: Vec<Notification>,
    /// Problems found, in page order.
    pub diagnostics: Vec<Diagnostic>,
    /// False for pages that are not API pages (site indexes, guides): no
    /// operation heading and no API table.
    pub is_api_page: bool,
}

impl PageResult {
    /// Whether any diagnostic is an error.
    pub fn has_errors(&self) -> bool {
        self.diagnostics
            .iter()
            .any(|d| d.severity == Severity::Error)
    }
}

/// The path template a page documents, from its location relative to the docs root:
/// `openapi/v3/a/{b}.md` -> `/v3/a/{b}`, `openapi/v3/a/index.md` -> `/v3/a/`.
/// The leading `openapi/` is optional. Returns `None` for files that are not markdown.
pub fn api_path(page: &str) -> Option<String> {
    let page = page.replace('\\', "/");
    let page = page.trim_start_matches("./");
    let without_root = page.strip_prefix("openapi/").unwrap_or(page);
    let stem = without_root.strip_suffix(".md")?;
    let path = match stem.strip_suffix("index") {
        Some(dir) if dir.is_empty() || dir.ends_with('/') => dir.to_owned(),
        _ => stem.to_owned(),
    };
    Some(format!("/{path}"))
}

/// Reads one page. `page` names it in diagnostics and is its location relative to the
/// docs root, from which the path template comes (see [`api_path`]).
pub fn parse_page(page: &str, source: &str) -> PageResult {
    let mut diagnostics = diagnostic::Diagnostics::new(page, source);
    let Some(path) = api_path(page) else {
        diagnostics.error(1, "not a markdown page (`.md`)");
        return PageResult {
            operations: Vec::new(),
            notifications: Vec::new(),
            diagnostics: diagnostics.items,
            is_api_page: false,
        };
    };
    let content = page::read_page(page, &path, source, &mut diagnostics);
    // A notification page is written like an operation's request: read as one,
    // then turned into what WeChat Pay sends.
    let (operations, notifications) = if path.starts_with("/webhook/") {
        let mut notifications = Vec::new();
        for operation in content.operations {
            match notification::from_operation(operation) {
                Ok(notification) => notifications.push(notification),
                Err((line, message)) => diagnostics.error(line, message),
            }
        }
        (Vec::new(), notifications)
    } else {
        (content.operations, Vec::new())
    };
    PageResult {
        operations,
        notifications,
        diagnostics: diagnostics.items,
        is_api_page: content.is_api_page,
    }
}

/// What a docs tree holds.
#[derive(Debug)]
pub struct TreeResult {
    /// Every operation read, in canonical order.
    pub spec: Spec,
    /// Problems, by page then line.
    pub diagnostics: Vec<Diagnostic>,
    /// Markdown pages read.
    pub pages: usize,
    /// Pages that are not API pages (no operation heading, no API table).
    pub other_pages: Vec<String>,
}

impl TreeResult {
    /// The diagnostics that are errors.
    pub fn errors(&self) -> impl Iterator<Item = &Diagnostic> {
        self.diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Error)
    }
}

/// Why a tree could not be read at all.
#[derive(Debug, thiserror::Error)]
pub enum TreeError {
    /// A file or directory could not be read.
    #[error("{path}: {source}")]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The I/O error.
        source: io::Error,
    },
    /// The directory holds no `openapi/` pages.
    #[error(
        "{0}: no markdown pages found (expected a docs tree laid out like the site: openapi/v3/...)"
    )]
    Empty(PathBuf),
    /// Two pages document the same operation.
    #[error("`{operation}` is documented twice: {first} and {second}")]
    Duplicate {
        /// The operation id.
        operation: String,
        /// Where it is first documented.
        first: String,
        /// Where it is documented again.
        second: String,
    },
}

/// Reads every markdown page under `root` (a docs tree laid out like the site,
/// `openapi/v3/...`, or the `openapi` directory itself). Pages under `webhook/`
/// are notifications.
pub fn parse_tree(root: &Path) -> Result<TreeResult, TreeError> {
    let mut files = Vec::new();
    collect_pages(root, &mut files)?;
    files.sort();
    if files.is_empty() {
        return Err(TreeError::Empty(root.to_owned()));
    }
    let mut operations: Vec<Operation> = Vec::new();
    let mut notifications = Vec::new();
    let mut diagnostics = Vec::new();
    let mut other_pages = Vec::new();
    for file in &files {
        let relative = file
            .strip_prefix(root)
            .unwrap_or(file)
            .to_string_lossy()
            .replace('\\', "/");
        // The page name is the site location, so that the spec does not depend on
        // where the tree was checked out.
        let page = if relative.starts_with("openapi/") || relative.starts_with("webhook/") {
            relative
        } else {
            format!("openapi/{relative}")
        };
        let bytes = fs::read(file).map_err(|source| TreeError::Io {
            path: file.clone(),
            source,
        })?;
        let source = match String::from_utf8(bytes) {
            Ok(text) => text,
            Err(error) => {
                diagnostics.push(Diagnostic {
                    severity: Severity::Error,
                    kind: None,
                    page: page.clone(),
                    line: 1,
                    message: format!("not UTF-8 text: {error}"),
                    snippet: None,
                });
                continue;
            }
        };
        let result = parse_page(&page, &source);
        if !result.is_api_page && result.diagnostics.is_empty() {
            other_pages.push(page);
            continue;
        }
        diagnostics.extend(result.diagnostics);
        operations.extend(result.operations);
        notifications.extend(result.notifications);
    }
    let spec = Spec::new(operations).with_notifications(notifications);
    for pair in spec.operations.windows(2) {
        if pair[0].method == pair[1].method && pair[0].path == pair[1].path {
            return Err(TreeError::Duplicate {
                operation: pair[0].id(),
                first: pair[0].source.to_string(),
                second: pair[1].source.to_string(),
            });
        }
    }
    Ok(TreeResult {
        spec,
        diagnostics,
        pages: files.len(),
        other_pages,
    })
}

fn collect_pages(dir: &Path, files: &mut Vec<PathBuf>) -> Result<(), TreeError> {
    let entries = fs::read_dir(dir).map_err(|source| TreeError::Io {
        path: dir.to_owned(),
        source,
    })?;
    for entry in entries {
        let entry = entry.map_err(|source| TreeError::Io {
            path: dir.to_owned(),
            source,
        })?;
        let path = entry.path();
        let file_type = entry.file_type().map_err(|source| TreeError::Io {
            path: path.clone(),
            source,
        })?;
        if file_type.is_dir() {
            collect_pages(&path, files)?;
        } else if path.extension().is_some_and(|e| e == "md") {
            files.push(path);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_locations_become_path_templates() {
        let cases = [
            (
                "openapi/v3/marketing/busifavor/stocks/{stock_id}/couponcodes.md",
                "/v3/marketing/busifavor/stocks/{stock_id}/couponcodes",
            ),
            (
                "openapi/v3/ecommerce/applyments/index.md",
                "/v3/ecommerce/applyments/",
            ),
            ("v3/certificates.md", "/v3/certificates"),
            ("openapi/v3/reindex.md", "/v3/reindex"),
        ];
        for (page, path) in cases {
            assert_eq!(api_path(page).as_deref(), Some(path), "{page}");
        }
        assert_eq!(api_path("openapi/v3/a.txt"), None);
    }
}
