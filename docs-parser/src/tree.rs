//! How a table's rows nest into fields.
//!
//! The grammar: a row at `data-indent` n belongs to the nearest row above it at
//! n - 1, which holds fields: an object, an array of objects, or a string whose
//! JSON the rows under it describe (after a full-width separator row,
//! `{colspan=3 .im-table-line}`). Sibling rows of the same name are
//! alternatives of one field, merged once the table is read.
//!
//! Pages of every generation bend that grammar in a few ways a reader of the
//! page still understands. Each is read as that reader would, with a warning
//! at the row's `page:line` that says which reading was taken:
//!
//! - a row without `data-indent` whose next row is two or more levels deep is
//!   their parent, one level above them; in a request table, a row without
//!   `data-indent` that cannot stand at the top (it is not `json`, `query`, a
//!   path parameter...) sits beside the nested row above it;
//! - rows that start nested with no row above them (a table beginning at
//!   indent 1) belong to the row the table implies: the request's `json`,
//!   `query` or notification `body`, or the top of a response;
//! - the first row under a row that holds fields may start more than one
//!   level deeper; it and the rows after it, down to where the indent comes
//!   back, are read one level below that row;
//! - rows between an encrypted string (`ciphertext`) and its separator
//!   (`original_type`) are the string's siblings: the fields after the
//!   separator are the string's;
//! - an object row right after a separator, at the encrypted string's own
//!   depth (`original_data`), names the decoded content: its rows are the
//!   string's fields, and several such rows are alternatives of that content;
//! - a type cell naming no JSON type (`array`, `array[]`, `undefined`, empty)
//!   is an object when rows are nested under it, any JSON value when none are.
//!
//! A row none of these fits is an error, and so is each row nested under it,
//! skipped with it: nothing is dropped without a diagnostic.

use wechatpay_spec::{Field, Kind};

use crate::diagnostic::{Diagnostics, WarningKind};
use crate::rows::{FieldRow, Row};

/// The `data-encrypted` marker of a notification's AES-GCM `ciphertext`.
const ENCRYPTED_BY_AES_GCM: &str = "by-aes-gcm";

/// What the table is, as far as nesting cares.
pub(crate) struct TableShape<'a> {
    /// Whether a row may stand at the top of the table; `None` when any may
    /// (a response's fields).
    pub(crate) top_level: Option<&'a dyn Fn(&str) -> bool>,
    /// The row that rows starting nested belong to when no row is above them
    /// (`json`, `query`, `body`); `None` to read them at the top.
    pub(crate) implied_parent: Option<&'a str>,
}

/// A field read from a table, with the rows nested under it.
#[derive(Debug)]
pub(crate) struct Node {
    pub(crate) field: Field,
    pub(crate) literal: Option<String>,
    pub(crate) children_nodes: Vec<Node>,
    /// The depth the row was read at.
    indent: u32,
    origin: Origin,
    /// The type cell's text when it named no JSON type.
    untyped: Option<String>,
}

/// Where a node comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Origin {
    /// A row of the table.
    Row,
    /// A row naming the decoded content of the string above it (`original_data`).
    ContentName,
    /// No row: the parent the table implies for rows that start nested.
    Implied,
}

impl Node {
    /// Whether the node stands for a row the table left out (see [`TableShape::implied_parent`]).
    pub(crate) fn is_implied(&self) -> bool {
        self.origin == Origin::Implied
    }

    /// The finished field, with its nested rows as children.
    pub(crate) fn into_field(self) -> Field {
        let mut field = self.field;
        field.children = self
            .children_nodes
            .into_iter()
            .map(Node::into_field)
            .collect();
        field
    }

    fn holds_fields(&self) -> bool {
        self.untyped.is_some()
            || self.field.kind == Kind::Object
            || (self.field.kind == Kind::String && self.field.encoded.is_some())
    }
}

/// Builds the forest of fields of a table from its rows, and returns it with
/// the full-width rows that are not separators (a response kind such as 文件流).
pub(crate) fn build_forest(
    mut rows: Vec<Row>,
    shape: &TableShape<'_>,
    diagnostics: &mut Diagnostics<'_>,
) -> (Vec<Node>, Vec<(u32, String)>) {
    place_unindented(&mut rows, shape, diagnostics);
    let mut builder = Builder::default();
    let mut full_width = Vec::new();
    for row in rows {
        match row {
            Row::FullWidth { line, text } if text.is_empty() => {
                builder.separator(line, diagnostics)
            }
            Row::FullWidth { line, text } => full_width.push((line, text)),
            Row::Field(row) => builder.row(*row, shape, diagnostics),
        }
    }
    let mut forest = builder.forest;
    merge_alternatives(&mut forest, diagnostics);
    hoist(&mut forest, diagnostics);
    settle_untyped(&mut forest, diagnostics);
    (forest, full_width)
}

/// Gives rows without `data-indent` the depth the rows around them show they
/// have lost (see the module docs).
fn place_unindented(rows: &mut [Row], shape: &TableShape<'_>, diagnostics: &mut Diagnostics<'_>) {
    let fields: Vec<usize> = (0..rows.len())
        .filter(|&i| matches!(rows[i], Row::Field(_)))
        .collect();
    let field_row = |rows: &[Row], i: usize| match &rows[i] {
        Row::Field(row) => Some((row.indent, row.indent_given)),
        Row::FullWidth { .. } => None,
    };
    for (k, &i) in fields.iter().enumerate() {
        let next = fields
            .get(k + 1)
            .and_then(|&j| field_row(rows, j))
            .filter(|&(_, given)| given)
            .map(|(indent, _)| indent);
        let previous = k
            .checked_sub(1)
            .and_then(|p| field_row(rows, fields[p]))
            .map(|(indent, _)| indent);
        let Row::Field(row) = &mut rows[i] else {
            continue;
        };
        if row.indent_given {
            continue;
        }
        let name = &row.field.name;
        let reading = if let Some(next) = next.filter(|&n| n >= 2) {
            Some((
                next - 1,
                format!(
                    "`{name}` has no `data-indent` and the next row is at indent {next}: read at indent {} as the row they are nested in",
                    next - 1
                ),
            ))
        } else if let (Some(top_level), Some(previous)) = (shape.top_level, previous)
            && previous >= 1
            && !top_level(name)
        {
            Some((
                previous,
                format!(
                    "`{name}` has no `data-indent` and cannot stand at the top of this table: read at indent {previous}, beside the row above it"
                ),
            ))
        } else {
            None
        };
        if let Some((indent, message)) = reading {
            row.indent = indent;
            diagnostics.warning(row.field.line, WarningKind::MissingIndent, message);
        }
    }
}

struct Slot {
    indent: u32,
    /// Index path into the forest; `None` for a row that was skipped.
    path: Option<Vec<usize>>,
}

/// Rows read one or more levels shallower than written, until the indent comes
/// back to `base` or above.
#[derive(Clone, Copy)]
struct Shift {
    base: u32,
    by: u32,
}

/// A separator row waiting for the row after it, which tells what it is:
/// deeper rows describe the JSON of `owner`; an object at `owner`'s own depth
/// names that JSON (when `owner` is encrypted or marked encoded); anything
/// else makes it a line between alternatives, with no meaning for the fields.
struct Separator {
    line: u32,
    /// The string whose JSON the rows after the separator would describe.
    owner: Option<Vec<usize>>,
    /// Rows standing between `owner` and the separator, as a warning to give
    /// if the separator is read as `owner`'s.
    between: Option<String>,
}

#[derive(Default)]
struct Builder {
    forest: Vec<Node>,
    stack: Vec<Slot>,
    /// The last field placed.
    last_path: Option<Vec<usize>>,
    /// Set by a separator row, settled by the row after it.
    separator: Option<Separator>,
    shift: Option<Shift>,
}

impl Builder {
    fn node(&self, path: &[usize]) -> &Node {
        let (first, rest) = path.split_first().expect("paths are never empty");
        rest.iter()
            .fold(&self.forest[*first], |node, &i| &node.children_nodes[i])
    }

    fn node_mut(&mut self, path: &[usize]) -> &mut Node {
        let (first, rest) = path.split_first().expect("paths are never empty");
        rest.iter().fold(&mut self.forest[*first], |node, &i| {
            &mut node.children_nodes[i]
        })
    }

    /// Adds `node` under `parent` (at the top for `None`) and returns its path.
    fn attach(&mut self, parent: Option<&[usize]>, node: Node) -> Vec<usize> {
        match parent {
            None => {
                self.forest.push(node);
                vec![self.forest.len() - 1]
            }
            Some(parent) => {
                let siblings = &mut self.node_mut(parent).children_nodes;
                siblings.push(node);
                let mut path = parent.to_vec();
                path.push(siblings.len() - 1);
                path
            }
        }
    }

    fn pop_to(&mut self, indent: u32) {
        while self.stack.last().is_some_and(|slot| slot.indent >= indent) {
            self.stack.pop();
        }
    }

    /// A full-width row without text: what it means depends on the row after it.
    fn separator(&mut self, line: u32, diagnostics: &mut Diagnostics<'_>) {
        let Some(last) = self.last_path.clone() else {
            diagnostics.error(line, "separator row before any field");
            return;
        };
        let (owner, between) = self.separator_owner_of(&last);
        self.separator = Some(Separator {
            line,
            owner,
            between,
        });
    }

    /// The string a separator after the field at `last` would belong to, and
    /// the rows between them if there are any.
    fn separator_owner_of(&self, last: &[usize]) -> (Option<Vec<usize>>, Option<String>) {
        let last_node = self.node(last);
        if is_marked(last_node) {
            return (Some(last.to_vec()), None);
        }
        // Another alternative of a content named by a row (`original_data`).
        for depth in (1..last.len()).rev() {
            if self.node(&last[..depth]).origin == Origin::ContentName {
                return (Some(last[..depth - 1].to_vec()), None);
            }
        }
        // `ciphertext`, then envelope rows, then the separator.
        let (&index, parent) = last.split_last().expect("paths are never empty");
        let siblings: &[Node] = match parent {
            [] => &self.forest,
            parent => &self.node(parent).children_nodes,
        };
        if let Some(position) = siblings[..index]
            .iter()
            .rposition(|n| is_marked(n) && n.children_nodes.is_empty())
        {
            let owner = &siblings[position].field.name;
            let between: Vec<String> = siblings[position + 1..=index]
                .iter()
                .map(|n| format!("`{}`", n.field.name))
                .collect();
            let message = format!(
                "{} between `{owner}` and the separator row: read as its siblings, and the rows after the separator as `{owner}`'s fields",
                between.join(", "),
            );
            let mut path = parent.to_vec();
            path.push(position);
            return (Some(path), Some(message));
        }
        let string = last_node.field.kind == Kind::String && !last_node.field.is_array();
        (string.then(|| last.to_vec()), None)
    }

    /// Settles a separator by the row after it, taking that row when it is a
    /// content name.
    fn settle_separator(
        &mut self,
        separator: Separator,
        row: &mut Option<FieldRow>,
        indent: u32,
        diagnostics: &mut Diagnostics<'_>,
    ) {
        let Some(next) = row.as_ref() else { return };
        let Some(owner) = separator.owner else {
            if self.stack.last().is_some_and(|slot| indent > slot.indent) {
                let last = self.last_path.as_ref().map(|p| &self.node(p).field);
                if let Some(last) = last {
                    diagnostics.error(
                        separator.line,
                        format!(
                            "separator row after `{}` (`{}`): only a string can hold JSON-encoded fields",
                            last.name,
                            last.type_name()
                        ),
                    );
                }
            }
            return;
        };
        let owner_node = self.node(&owner);
        let owner_indent = owner_node.indent;
        let object =
            (next.field.kind == Kind::Object || next.untyped.is_some()) && !next.field.is_array();
        if indent > owner_indent {
            if let Some(message) = separator.between {
                diagnostics.warning(next.field.line, WarningKind::EnvelopeRows, message);
            }
            let node = self.node_mut(&owner);
            if node.field.encoded.is_none() {
                node.field.encoded = Some("json".to_owned());
            }
            // The rows after the separator nest under the owner, whatever
            // stood between it and the separator.
            self.pop_to(owner_indent);
            self.stack.push(Slot {
                indent: owner_indent,
                path: Some(owner),
            });
            self.shift = None;
        } else if indent == owner_indent && object && is_marked(owner_node) {
            let owner_name = owner_node.field.name.clone();
            let FieldRow {
                field,
                literal,
                untyped,
                ..
            } = row.take().expect("checked above");
            diagnostics.warning(
                field.line,
                WarningKind::ContentName,
                format!(
                    "`{}` follows the separator at `{owner_name}`'s own depth: read as a name for `{owner_name}`'s fields (several such rows are alternatives of them)",
                    field.name
                ),
            );
            let node = Node {
                field,
                literal,
                children_nodes: Vec::new(),
                indent,
                origin: Origin::ContentName,
                untyped,
            };
            self.pop_to(indent);
            let path = self.attach(Some(&owner), node);
            self.last_path = Some(path.clone());
            self.stack.push(Slot {
                indent,
                path: Some(path),
            });
        }
        // Otherwise a line between alternatives: nothing to read.
    }

    /// Whether the node at `path` is a plain string with documented values.
    fn is_valued_string(&self, path: &[usize]) -> bool {
        let node = self.node(path);
        node.field.kind == Kind::String
            && !node.field.is_array()
            && node.field.encoded.is_none()
            && !node.field.enum_values.is_empty()
            && node.untyped.is_none()
    }

    /// Rows nested in the valued string at `path` (`employee_type`, values
    /// `ADMIN` | `STAFF`...): when the row before the string is an object
    /// without fields (`qr_recharge_info`), the string and these rows are that
    /// object's fields, the string's indent one too few; otherwise the rows
    /// are the string's siblings. Returns where the rows go (`None`: the top).
    fn regroup_valued_string(
        &mut self,
        path: Vec<usize>,
        indent: u32,
        name: &str,
        line: u32,
        diagnostics: &mut Diagnostics<'_>,
    ) -> Option<Vec<usize>> {
        let (&index, parent) = path.split_last().expect("paths are never empty");
        let string_name = self.node(&path).field.name.clone();
        let empty_object_before = index.checked_sub(1).filter(|&before| {
            let mut sibling = parent.to_vec();
            sibling.push(before);
            let node = self.node(&sibling);
            node.field.kind == Kind::Object
                && !node.field.is_array()
                && node.children_nodes.is_empty()
        });
        let into = match empty_object_before {
            Some(before) => {
                let mut object = parent.to_vec();
                object.push(before);
                // Move the string into the object: it is the last row placed.
                let string = match parent {
                    [] => self.forest.remove(index),
                    parent => self.node_mut(parent).children_nodes.remove(index),
                };
                self.node_mut(&object).children_nodes.push(string);
                diagnostics.warning(
                    line,
                    WarningKind::ValuedParent,
                    format!(
                        "`{name}` is nested in `{string_name}`, a string with documented values, right after the empty object `{}`: read both as that object's fields",
                        self.node(&object).field.name
                    ),
                );
                object
            }
            None => {
                diagnostics.warning(
                    line,
                    WarningKind::ValuedParent,
                    format!(
                        "`{name}` is nested in `{string_name}`, a string with documented values (not JSON): read beside it"
                    ),
                );
                parent.to_vec()
            }
        };
        let into = (!into.is_empty()).then_some(into);
        // The rows at this indent go where the first one went.
        if let (Some(into), Some(slot)) = (
            &into,
            self.stack
                .iter_mut()
                .rev()
                .find(|slot| slot.indent + 1 == indent),
        ) {
            slot.path = Some(into.clone());
        }
        into
    }

    /// The parent the table implies for a row at `indent` with no row above it.
    fn implied_parent(
        &mut self,
        name: &str,
        indent: u32,
        line: u32,
        shape: &TableShape<'_>,
        diagnostics: &mut Diagnostics<'_>,
    ) -> Vec<usize> {
        let parent = shape.implied_parent.unwrap_or_default();
        diagnostics.warning(
            line,
            WarningKind::ImpliedParent,
            if parent.is_empty() {
                format!("`{name}` is at indent {indent} with no row above it: the table starts nested, read as starting at the top")
            } else {
                format!("`{name}` is at indent {indent} with no row above it: read as a field of the `{parent}` the table leaves out")
            },
        );
        let mut implied = Field::new(parent, Kind::Object, line);
        implied.required = true;
        let node = Node {
            field: implied,
            literal: None,
            children_nodes: Vec::new(),
            indent: indent - 1,
            origin: Origin::Implied,
            untyped: None,
        };
        let path = self.attach(None, node);
        self.stack.push(Slot {
            indent: indent - 1,
            path: Some(path.clone()),
        });
        path
    }

    fn row(
        &mut self,
        mut row: FieldRow,
        shape: &TableShape<'_>,
        diagnostics: &mut Diagnostics<'_>,
    ) {
        let mut indent = row.indent;
        if let Some(shift) = self.shift {
            if indent <= shift.base {
                self.shift = None;
            } else {
                indent = indent.saturating_sub(shift.by).max(shift.base + 1);
            }
        }
        if let Some(separator) = self.separator.take() {
            let mut pending = Some(row);
            self.settle_separator(separator, &mut pending, indent, diagnostics);
            match pending {
                Some(back) => row = back,
                None => return,
            }
        }
        let FieldRow {
            field,
            literal,
            untyped,
            ..
        } = row;
        self.pop_to(indent);
        let Some(parent_path) = self.parent_of(&field, &mut indent, shape, diagnostics) else {
            // Skipped, and so are the rows nested in it.
            self.stack.push(Slot { indent, path: None });
            return;
        };
        let node = Node {
            field,
            literal,
            children_nodes: Vec::new(),
            indent,
            origin: Origin::Row,
            untyped,
        };
        let path = self.attach(parent_path.as_deref(), node);
        self.last_path = Some(path.clone());
        self.stack.push(Slot {
            indent,
            path: Some(path),
        });
    }

    /// Where a row of `field` at `indent` goes: `Some(None)` at the top,
    /// `Some(Some(parent))` under a node, `None` when it cannot be read (said
    /// in `diagnostics`). A row deeper than its parent allows may be read
    /// shallower: `indent` then says where.
    fn parent_of(
        &mut self,
        field: &Field,
        indent: &mut u32,
        shape: &TableShape<'_>,
        diagnostics: &mut Diagnostics<'_>,
    ) -> Option<Option<Vec<usize>>> {
        let line = field.line;
        let parent_path = match self
            .stack
            .last()
            .map(|slot| (slot.indent, slot.path.clone()))
        {
            None if *indent == 0 => None,
            None => Some(self.implied_parent(&field.name, *indent, line, shape, diagnostics)),
            Some((_, None)) => {
                diagnostics.error(
                    line,
                    format!("`{}` is skipped with the row it is nested in", field.name),
                );
                return None;
            }
            Some((above, Some(path))) if above + 1 == *indent => Some(path),
            Some((above, Some(path))) => {
                Some(self.deeper_row(field, indent, above, path, diagnostics)?)
            }
        };
        // A string with documented values cannot hold JSON: the rows under
        // it are not its fields, it is a row whose indent is one too few.
        let parent_path = match parent_path {
            Some(path) if self.is_valued_string(&path) => {
                self.regroup_valued_string(path, *indent, &field.name, line, diagnostics)
            }
            other => other,
        };
        if let Some(parent_path) = &parent_path
            && !self.holds_fields_or_json(parent_path, field, diagnostics)
        {
            return None;
        }
        let siblings = match &parent_path {
            None => &self.forest[..],
            Some(path) => &self.node(path).children_nodes[..],
        };
        if let Some(twin) = siblings.iter().find(|n| n.field.name == field.name) {
            read_as_alternative(field, &twin.field, diagnostics)?;
        }
        Some(parent_path)
    }

    /// A row more than one level below the row above it: the first row
    /// under a node that holds fields is read one level below it (and the
    /// rows after it as far), any other is an error.
    fn deeper_row(
        &mut self,
        field: &Field,
        indent: &mut u32,
        above: u32,
        path: Vec<usize>,
        diagnostics: &mut Diagnostics<'_>,
    ) -> Option<Vec<usize>> {
        let parent = self.node(&path);
        if self.shift.is_none() && parent.holds_fields() && parent.children_nodes.is_empty() {
            diagnostics.warning(
                field.line,
                WarningKind::DeeperRows,
                format!(
                    "`{}` is the first row under `{}` (indent {above}) but is at indent {indent}: read one level below it, with the rows after it down to indent {}",
                    field.name,
                    parent.field.name,
                    above + 1
                ),
            );
            self.shift = Some(Shift {
                base: above,
                by: *indent - above - 1,
            });
            *indent = above + 1;
            Some(path)
        } else {
            diagnostics.error(
                field.line,
                format!("`{}` jumps from indent {above} to {indent}", field.name),
            );
            None
        }
    }

    /// Whether the parent can hold the row: it holds fields, or it is a
    /// string without a separator row, then read as JSON-encoded (warned).
    fn holds_fields_or_json(
        &mut self,
        parent_path: &[usize],
        field: &Field,
        diagnostics: &mut Diagnostics<'_>,
    ) -> bool {
        let parent = self.node_mut(parent_path);
        if parent.holds_fields() {
            return true;
        }
        let parent = &mut parent.field;
        if parent.kind == Kind::String && !parent.is_array() {
            diagnostics.warning(
                field.line,
                WarningKind::ImplicitJson,
                format!(
                    "`{}` is nested in string `{}` without a separator row; read as the string's JSON-encoded fields",
                    field.name, parent.name
                ),
            );
            parent.encoded = Some("json".to_owned());
            true
        } else {
            diagnostics.error(
                field.line,
                format!(
                    "`{}` is nested in `{}`, a `{}`, which has no fields",
                    field.name,
                    parent.name,
                    parent.type_name()
                ),
            );
            false
        }
    }
}

/// A sibling row of the same name: the site draws alternatives (one of
/// several shapes) that way, merged once the table is read. Of another type
/// it has no single reading: `None`, said as an error.
fn read_as_alternative(
    field: &Field,
    twin: &Field,
    diagnostics: &mut Diagnostics<'_>,
) -> Option<()> {
    if twin.type_name() != field.type_name() {
        diagnostics.error(
            field.line,
            format!(
                "duplicate field `{}`: a `{}` here, a `{}` on line {}; no single reading",
                field.name,
                field.type_name(),
                twin.type_name(),
                twin.line
            ),
        );
        return None;
    }
    diagnostics.warning(
        field.line,
        WarningKind::Alternative,
        format!(
            "`{}` repeats the row on line {}: read as an alternative of it (fields merged; required only where every alternative requires it; enum values joined)",
            field.name, twin.line
        ),
    );
    Some(())
}

/// Whether the node is a string the page marks as holding JSON or ciphertext.
fn is_marked(node: &Node) -> bool {
    node.field.kind == Kind::String
        && !node.field.is_array()
        && (node.field.encoded.is_some()
            || node.field.encrypted.as_deref() == Some(ENCRYPTED_BY_AES_GCM))
}

/// Merges sibling rows of the same name (alternatives) into the first, at
/// every level.
fn merge_alternatives(nodes: &mut Vec<Node>, diagnostics: &mut Diagnostics<'_>) {
    let mut merged: Vec<Node> = Vec::with_capacity(nodes.len());
    for node in nodes.drain(..) {
        match merged.iter_mut().find(|n| n.field.name == node.field.name) {
            Some(first) => merge_alternative(first, node, diagnostics),
            None => merged.push(node),
        }
    }
    for node in &mut merged {
        merge_alternatives(&mut node.children_nodes, diagnostics);
    }
    *nodes = merged;
}

/// `other` as another shape of `into`: required only if both require it,
/// enum values and fields joined (a field of one shape only is optional).
fn merge_alternative(into: &mut Node, other: Node, diagnostics: &mut Diagnostics<'_>) {
    let (into_field, other_field) = (&mut into.field, other.field);
    into_field.required &= other_field.required;
    for value in other_field.enum_values {
        if !into_field.enum_values.contains(&value) {
            into_field.enum_values.push(value);
        }
    }
    for (value, meaning) in other_field.enum_meanings {
        into_field.enum_meanings.entry(value).or_insert(meaning);
    }
    if !other_field.description.is_empty() && other_field.description != into_field.description {
        into_field.description = if into_field.description.is_empty() {
            other_field.description
        } else {
            format!("{}\n\n{}", into_field.description, other_field.description)
        };
    }
    let in_other: Vec<&str> = other
        .children_nodes
        .iter()
        .map(|n| n.field.name.as_str())
        .collect();
    for child in &mut into.children_nodes {
        if !in_other.contains(&child.field.name.as_str()) {
            child.field.required = false;
        }
    }
    let had_children = !into.children_nodes.is_empty();
    for mut child in other.children_nodes {
        match into
            .children_nodes
            .iter_mut()
            .find(|n| n.field.name == child.field.name)
        {
            Some(existing) if existing.field.type_name() == child.field.type_name() => {
                merge_alternative(existing, child, diagnostics)
            }
            Some(existing) => diagnostics.error(
                child.field.line,
                format!(
                    "`{}` is a `{}` in this alternative and a `{}` on line {}; no single reading",
                    child.field.name,
                    child.field.type_name(),
                    existing.field.type_name(),
                    existing.field.line
                ),
            ),
            None => {
                if had_children {
                    child.field.required = false;
                }
                into.children_nodes.push(child);
            }
        }
    }
}

/// Puts the fields of content-name rows (`original_data`) in their string,
/// one set of alternatives merged, and the rows of an unnamed implied parent
/// at the top.
fn hoist(nodes: &mut Vec<Node>, diagnostics: &mut Diagnostics<'_>) {
    for node in nodes.iter_mut() {
        hoist(&mut node.children_nodes, diagnostics);
    }
    let named = |n: &Node| n.origin == Origin::ContentName;
    if let Some(at) = nodes.iter().position(named) {
        let mut names = Vec::new();
        let mut rest = Vec::new();
        for node in nodes.drain(..) {
            if named(&node) {
                names.push(node);
            } else {
                rest.push(node);
            }
        }
        let mut names = names.into_iter();
        let mut content = names.next().expect("one was found");
        for other in names {
            merge_alternative(&mut content, other, diagnostics);
        }
        let at = at.min(rest.len());
        rest.splice(at..at, content.children_nodes);
        *nodes = rest;
    }
    let unnamed = |n: &Node| n.origin == Origin::Implied && n.field.name.is_empty();
    while let Some(at) = nodes.iter().position(unnamed) {
        let implied = nodes.remove(at);
        nodes.splice(at..at, implied.children_nodes);
    }
}

/// Gives rows whose type cell named no JSON type the kind their nested rows show.
fn settle_untyped(nodes: &mut [Node], diagnostics: &mut Diagnostics<'_>) {
    for node in nodes {
        settle_untyped(&mut node.children_nodes, diagnostics);
        let Some(text) = node.untyped.take() else {
            continue;
        };
        let shown = if text.is_empty() {
            "an empty type cell".to_owned()
        } else {
            format!("type `{text}`")
        };
        let message = if node.children_nodes.is_empty() {
            node.field.kind = Kind::Any;
            format!(
                "`{}` has {shown} and no rows under it: read as `{}` (whatever JSON value is sent)",
                node.field.name,
                node.field.type_name()
            )
        } else {
            node.field.kind = Kind::Object;
            format!(
                "`{}` has {shown}: read as `{}`, the rows under it being its fields",
                node.field.name,
                node.field.type_name()
            )
        };
        diagnostics.warning(node.field.line, WarningKind::UntypedRow, message);
    }
}
