//! Problems found while reading pages, each with the page and line it is about.

use std::fmt;

/// How bad a problem is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// Read, but worth a look (an unknown attribute, an undocumented path parameter).
    Warning,
    /// Could not be interpreted: the row (or page) is not in the spec.
    Error,
}

/// What a warning is about: the reading the parser took of a quirk of the
/// page, counted by kind in the summary of a tree.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum WarningKind {
    /// Sibling rows of the same name, read as alternatives of one field.
    Alternative,
    /// A space inside a field name, joined.
    SpaceInName,
    /// A type the grammar does not list, read as the nearest one.
    UnlistedType,
    /// An attribute the parser does not interpret.
    UnknownAttribute,
    /// A row with more than three cells.
    ExtraCells,
    /// Fields nested in a string without a separator row, read as its JSON.
    ImplicitJson,
    /// A row that declares a structure but has a scalar type.
    StructureTyped,
    /// A path parameter that is documented under another name, or not at all.
    PathParameter,
    /// A top-level APIv2 request row that configures the page's client (a URL
    /// fragment, a timeout), not the request; kept as a client option.
    ClientOption,
    /// An operation without a response table.
    NoResponse,
    /// A `:::` notice that is never closed.
    UnclosedNotice,
    /// A row without `data-indent` read at the depth the rows around it show.
    MissingIndent,
    /// Rows that start nested with no row above them, read under the row the
    /// table implies (`json`, `query`, `body`) or at the top.
    ImpliedParent,
    /// Rows between an encrypted string and its separator row, read as its siblings.
    EnvelopeRows,
    /// An object row naming a string's decoded content (`original_data`).
    ContentName,
    /// The rows under a row starting more than one level deeper.
    DeeperRows,
    /// A type cell naming no JSON type (`array`, `undefined`, empty).
    UntypedRow,
    /// Rows nested in a string with documented values, which cannot hold JSON.
    ValuedParent,
}

impl WarningKind {
    /// A short name for summaries.
    pub fn name(self) -> &'static str {
        match self {
            WarningKind::Alternative => "same-name alternatives",
            WarningKind::SpaceInName => "spaces in names",
            WarningKind::UnlistedType => "unlisted types",
            WarningKind::UnknownAttribute => "unknown attributes",
            WarningKind::ExtraCells => "extra cells",
            WarningKind::ImplicitJson => "JSON fields without a separator",
            WarningKind::StructureTyped => "structures with a scalar type",
            WarningKind::PathParameter => "path parameters read from elsewhere",
            WarningKind::ClientOption => "client options",
            WarningKind::NoResponse => "no response table",
            WarningKind::UnclosedNotice => "unclosed notices",
            WarningKind::MissingIndent => "rows without data-indent",
            WarningKind::ImpliedParent => "tables starting nested",
            WarningKind::EnvelopeRows => "envelope rows before a separator",
            WarningKind::ContentName => "named decoded contents",
            WarningKind::DeeperRows => "rows starting deeper",
            WarningKind::UntypedRow => "untyped rows",
            WarningKind::ValuedParent => "rows nested in a valued string",
        }
    }
}

/// One problem, located at `page:line`, with the text of the offending row.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    /// How bad it is.
    pub severity: Severity,
    /// What kind of quirk a warning is about (`None` for errors).
    pub kind: Option<WarningKind>,
    /// The page, as given to the parser (relative to the docs root for trees).
    pub page: String,
    /// The 1-based line.
    pub line: u32,
    /// What is wrong, in a sentence.
    pub message: String,
    /// The source line it is about, when there is one.
    pub snippet: Option<String>,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let level = match self.severity {
            Severity::Warning => "warning",
            Severity::Error => "error",
        };
        write!(f, "{}:{}: {level}: {}", self.page, self.line, self.message)?;
        if let Some(snippet) = &self.snippet {
            write!(f, "\n    | {snippet}")?;
        }
        Ok(())
    }
}

/// Collects the diagnostics of one page.
#[derive(Debug)]
pub(crate) struct Diagnostics<'a> {
    page: &'a str,
    source: &'a str,
    line_starts: Vec<usize>,
    pub(crate) items: Vec<Diagnostic>,
}

impl<'a> Diagnostics<'a> {
    pub(crate) fn new(page: &'a str, source: &'a str) -> Self {
        let mut line_starts = vec![0];
        line_starts.extend(
            source
                .bytes()
                .enumerate()
                .filter(|&(_, b)| b == b'\n')
                .map(|(i, _)| i + 1),
        );
        Diagnostics {
            page,
            source,
            line_starts,
            items: Vec::new(),
        }
    }

    /// The 1-based line of a byte offset.
    pub(crate) fn line_of(&self, offset: usize) -> u32 {
        let index = self.line_starts.partition_point(|&start| start <= offset);
        u32::try_from(index.max(1)).unwrap_or(u32::MAX)
    }

    /// The text of a 1-based line, without its newline.
    pub(crate) fn line_text(&self, line: u32) -> &'a str {
        let index = (line as usize).saturating_sub(1);
        let start = self
            .line_starts
            .get(index)
            .copied()
            .unwrap_or(self.source.len());
        let end = self
            .line_starts
            .get(index + 1)
            .copied()
            .unwrap_or(self.source.len());
        self.source[start..end].trim_end_matches(['\n', '\r'])
    }

    pub(crate) fn error(&mut self, line: u32, message: impl Into<String>) {
        self.push(Severity::Error, None, line, message.into());
    }

    pub(crate) fn warning(&mut self, line: u32, kind: WarningKind, message: impl Into<String>) {
        self.push(Severity::Warning, Some(kind), line, message.into());
    }

    fn push(&mut self, severity: Severity, kind: Option<WarningKind>, line: u32, message: String) {
        let snippet = Some(self.line_text(line).to_owned()).filter(|s| !s.trim().is_empty());
        self.items.push(Diagnostic {
            severity,
            kind,
            page: self.page.to_owned(),
            line,
            message,
            snippet,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_one_based() {
        let diagnostics = Diagnostics::new("p.md", "a\nbc\n\nd");
        assert_eq!(diagnostics.line_of(0), 1);
        assert_eq!(diagnostics.line_of(2), 2);
        assert_eq!(diagnostics.line_of(3), 2);
        assert_eq!(diagnostics.line_of(5), 3);
        assert_eq!(diagnostics.line_of(6), 4);
        assert_eq!(diagnostics.line_text(2), "bc");
        assert_eq!(diagnostics.line_text(4), "d");
        assert_eq!(diagnostics.line_text(9), "");
    }
}
