//! Table rows: the grammar of one row, and the field trees that `data-indent`
//! nesting and JSON-encoded-string separators build from a table's rows.

use wechatpay_spec::{Field, Kind};

use crate::attrs::{self, Attr, Attrs};
use crate::blocks::RawRow;
use crate::describe::describe;
use crate::diagnostic::{Diagnostics, WarningKind};

/// A row read from a table.
#[derive(Debug)]
pub(crate) enum Row {
    /// A field, parameter or top-level declaration (`json`, `query`, ...).
    Field(Box<FieldRow>),
    /// A row spanning the three columns: a response kind (`空字符串(无返回内容)`,
    /// `文件流`) or, without text, the separator before the decoded fields of a
    /// JSON-encoded string.
    FullWidth { line: u32, text: String },
}

#[derive(Debug)]
pub(crate) struct FieldRow {
    pub(crate) field: Field,
    pub(crate) indent: u32,
    /// The type cell held a literal such as `` `true` `` instead of a type name.
    pub(crate) literal: Option<String>,
}

/// Attribute keys this grammar knows. Others are reported as warnings, never dropped silently.
const KNOWN_KEYS: [&str; 9] = [
    "data-required",
    "data-indent",
    "data-tooltip",
    "data-encrypted",
    "data-encoded",
    "colspan",
    "rowspan",
    "align",
    "data-protocol",
];

/// The tooltip every object row carries on the site; it says nothing about the API.
const PHP_ARRAY_TOOLTIP: &str = "对应PHP的array";

/// Reads one row; reports what it cannot read and returns `None` for it.
pub(crate) fn read_row(raw: &RawRow, diagnostics: &mut Diagnostics<'_>) -> Option<Row> {
    let line = raw.line;
    let cell = |i: usize| raw.cells.get(i).map(String::as_str).unwrap_or_default();
    let (name, name_attrs) = attrs::split_trailing(cell(0));
    let name_attrs = name_attrs.unwrap_or_default();

    if name_attrs.has("colspan") {
        let rest_empty = raw.cells.iter().skip(1).all(|c| c.is_empty()) && raw.overflow.is_empty();
        if !rest_empty {
            diagnostics.error(
                line,
                "a full-width (`colspan`) row must not have other cells",
            );
            return None;
        }
        warn_unknown(&name_attrs, line, diagnostics);
        return Some(Row::FullWidth {
            line,
            text: name.to_owned(),
        });
    }
    if name.is_empty() {
        diagnostics.error(line, "row has no field name");
        return None;
    }
    // `payer _currency`: a stray space inside a name that is otherwise a name.
    let joined: String;
    let name = if name.contains(char::is_whitespace)
        && !name.contains(|c: char| "{}`|<>".contains(c))
        && name.split_whitespace().count() == 2
        && name.split_whitespace().all(|part| {
            part.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        })
        && name
            .split_whitespace()
            .any(|part| part.starts_with('_') || part.ends_with('_'))
    {
        joined = name.split_whitespace().collect();
        diagnostics.warning(
            line,
            WarningKind::SpaceInName,
            format!("`{name}` has a space inside; read as `{joined}`"),
        );
        joined.as_str()
    } else {
        name
    };
    if let Some(bad) = name
        .chars()
        .find(|c| c.is_whitespace() || "{}`|<>".contains(*c))
    {
        diagnostics.error(
            line,
            format!("`{name}` is not a field name (it contains {bad:?}); is an attribute block malformed?"),
        );
        return None;
    }

    let (type_text, type_attrs) = attrs::split_trailing(cell(1));
    let mut all_attrs = name_attrs;
    all_attrs.merge(type_attrs.unwrap_or_default());
    warn_unknown(&all_attrs, line, diagnostics);

    let (kind, array_depth, literal) = read_type(type_text, line, diagnostics)?;

    if all_attrs.has("data-indent") && all_attrs.value("data-indent").is_none() {
        diagnostics.error(line, "`data-indent` needs a value");
        return None;
    }
    let indent = match all_attrs.value("data-indent") {
        None => 0,
        Some(text) => match text.parse::<u32>() {
            Ok(indent) => indent,
            Err(_) => {
                diagnostics.error(line, format!("`data-indent={text}` is not a whole number"));
                return None;
            }
        },
    };

    // The description is everything after the second cell; cells GFM dropped
    // (an unescaped `|`) are put back, with a warning, rather than lost.
    let mut description_raw = cell(2).to_owned();
    if !raw.overflow.is_empty() {
        diagnostics.warning(
            line,
            WarningKind::ExtraCells,
            "row has more than three cells (an unescaped `|` in the description?); the extra text is kept in the description",
        );
        description_raw.push_str(" | ");
        description_raw.push_str(&raw.overflow);
    }
    let description = describe(&description_raw);

    let mut field = Field::new(name, kind, line);
    field.array_depth = array_depth;
    field.required = all_attrs.has("data-required");
    field.description = description.text;
    field.enum_values = description.enum_values;
    field.default_value = description.default_value;
    field.constant = description.constant.or_else(|| literal.clone());
    field.encrypted = all_attrs.value("data-encrypted").map(str::to_owned);
    if field.encrypted.is_none() && all_attrs.has("data-encrypted") {
        field.encrypted = Some("yes".to_owned());
    }
    field.encoded = all_attrs.value("data-encoded").map(str::to_owned);
    if field.encoded.is_none() && all_attrs.has("data-encoded") {
        field.encoded = Some("json".to_owned());
    }
    field.tooltip = all_attrs
        .value("data-tooltip")
        .filter(|t| !t.eq_ignore_ascii_case(PHP_ARRAY_TOOLTIP))
        .map(str::to_owned);
    Some(Row::Field(Box::new(FieldRow {
        field,
        indent,
        literal,
    })))
}

fn warn_unknown(attrs: &Attrs, line: u32, diagnostics: &mut Diagnostics<'_>) {
    for attr in &attrs.0 {
        if let Attr::Pair(key, _) = attr
            && !KNOWN_KEYS.contains(&key.as_str())
        {
            diagnostics.warning(
                line,
                WarningKind::UnknownAttribute,
                format!("unknown attribute `{key}` (not interpreted)"),
            );
        }
    }
}

/// `string`, `object[]`, `integer[][]`, or a literal such as `` `true` ``.
fn read_type(
    text: &str,
    line: u32,
    diagnostics: &mut Diagnostics<'_>,
) -> Option<(Kind, u8, Option<String>)> {
    let text = text.trim();
    if let Some(literal) = text.strip_prefix('`').and_then(|t| t.strip_suffix('`')) {
        let kind = match literal {
            "true" | "false" => Kind::Boolean,
            _ if literal.parse::<i64>().is_ok() => Kind::Integer,
            _ if literal.parse::<f64>().is_ok() => Kind::Number,
            _ => Kind::String,
        };
        return Some((kind, 0, Some(literal.to_owned())));
    }
    let mut base = text;
    let mut depth = 0u8;
    while let Some(inner) = base.strip_suffix("[]") {
        base = inner.trim_end();
        depth = depth.saturating_add(1);
    }
    if let Some(kind) = Kind::from_name(base) {
        return Some((kind, depth, None));
    }
    let synonym = match base.to_ascii_lowercase().as_str() {
        "int" | "int32" | "int64" | "long" | "uint64" => Some(Kind::Integer),
        "float" | "double" | "decimal" => Some(Kind::Number),
        "bool" => Some(Kind::Boolean),
        "str" => Some(Kind::String),
        "string" | "integer" | "number" | "boolean" | "object" => {
            Kind::from_name(&base.to_ascii_lowercase())
        }
        _ => None,
    };
    match synonym {
        Some(kind) => {
            diagnostics.warning(
                line,
                WarningKind::UnlistedType,
                format!("type `{base}` read as `{}`", kind.as_str()),
            );
            Some((kind, depth, None))
        }
        None if text.is_empty() => {
            diagnostics.error(line, "row has no type");
            None
        }
        None => {
            diagnostics.error(
                line,
                format!("unknown type `{text}` (expected string, integer, number, boolean, object, or one of them with `[]`)"),
            );
            None
        }
    }
}

/// A field read from a table, with the rows nested under it.
#[derive(Debug)]
pub(crate) struct Node {
    pub(crate) field: Field,
    pub(crate) literal: Option<String>,
    pub(crate) children_nodes: Vec<Node>,
}

fn node<'a>(forest: &'a [Node], path: &[usize]) -> &'a Node {
    let (first, rest) = path.split_first().expect("paths are never empty");
    rest.iter()
        .fold(&forest[*first], |node, &i| &node.children_nodes[i])
}

fn node_mut<'a>(forest: &'a mut [Node], path: &[usize]) -> &'a mut Node {
    let (first, rest) = path.split_first().expect("paths are never empty");
    rest.iter()
        .fold(&mut forest[*first], |node, &i| &mut node.children_nodes[i])
}

/// Builds the forest of fields of a table from its rows, by `data-indent`.
///
/// A row at indent `n` belongs to the nearest row above it at indent `n - 1`, which
/// must be an object, an array of objects, or a string whose JSON content the
/// following rows describe (after a full-width separator row). Rows that cannot be
/// placed are reported, and so are the rows under them, which are skipped with them.
pub(crate) fn build_forest(
    rows: Vec<Row>,
    diagnostics: &mut Diagnostics<'_>,
) -> (Vec<Node>, Vec<(u32, String)>) {
    struct Slot {
        indent: u32,
        /// Index path into the forest; `None` for a row that was skipped.
        path: Option<Vec<usize>>,
    }
    let mut forest: Vec<Node> = Vec::new();
    let mut full_width = Vec::new();
    let mut stack: Vec<Slot> = Vec::new();
    // The last field read, which a separator row marks as JSON-encoded.
    let mut last_path: Option<Vec<usize>> = None;

    for row in rows {
        let row = match row {
            Row::FullWidth { line, text } => {
                if text.is_empty() {
                    match last_path.as_ref().map(|p| node_mut(&mut forest, p)) {
                        Some(node) if node.field.kind == Kind::String && !node.field.is_array() => {
                            if node.field.encoded.is_none() {
                                node.field.encoded = Some("json".to_owned());
                            }
                        }
                        Some(node) => diagnostics.error(
                            line,
                            format!(
                                "separator row after `{}` (`{}`): only a string can hold JSON-encoded fields",
                                node.field.name,
                                node.field.type_name()
                            ),
                        ),
                        None => diagnostics.error(line, "separator row before any field"),
                    }
                } else {
                    full_width.push((line, text));
                }
                continue;
            }
            Row::Field(row) => row,
        };
        let FieldRow {
            field,
            indent,
            literal,
        } = *row;
        let line = field.line;
        while stack.last().is_some_and(|slot| slot.indent >= indent) {
            stack.pop();
        }
        let parent_path = match stack.last() {
            None if indent == 0 => None,
            None => {
                diagnostics.error(
                    line,
                    format!(
                        "`{}` is at indent {indent} but no row above it is at indent {}",
                        field.name,
                        indent - 1
                    ),
                );
                stack.push(Slot { indent, path: None });
                continue;
            }
            Some(slot) if slot.indent.checked_add(1) != Some(indent) => {
                diagnostics.error(
                    line,
                    format!(
                        "`{}` jumps from indent {} to {indent}",
                        field.name, slot.indent
                    ),
                );
                stack.push(Slot { indent, path: None });
                continue;
            }
            Some(Slot { path: None, .. }) => {
                diagnostics.error(
                    line,
                    format!("`{}` is skipped with the row it is nested in", field.name),
                );
                stack.push(Slot { indent, path: None });
                continue;
            }
            Some(Slot {
                path: Some(path), ..
            }) => Some(path.clone()),
        };
        if let Some(parent_path) = &parent_path {
            let parent = &mut node_mut(&mut forest, parent_path).field;
            let holds_fields = parent.kind == Kind::Object
                || (parent.kind == Kind::String && parent.encoded.is_some());
            if !holds_fields {
                if parent.kind == Kind::String && !parent.is_array() {
                    diagnostics.warning(
                        line,
                        WarningKind::ImplicitJson,
                        format!(
                            "`{}` is nested in string `{}` without a separator row; read as the string's JSON-encoded fields",
                            field.name, parent.name
                        ),
                    );
                    parent.encoded = Some("json".to_owned());
                } else {
                    diagnostics.error(
                        line,
                        format!(
                            "`{}` is nested in `{}`, a `{}`, which has no fields",
                            field.name,
                            parent.name,
                            parent.type_name()
                        ),
                    );
                    stack.push(Slot { indent, path: None });
                    continue;
                }
            }
        }
        let siblings = match &parent_path {
            None => &forest[..],
            Some(path) => &node(&forest, path).children_nodes[..],
        };
        if let Some(twin) = siblings.iter().find(|n| n.field.name == field.name) {
            // The site draws alternatives (one of several shapes) as sibling rows
            // of the same name; they are merged once the table is read.
            if twin.field.type_name() != field.type_name() {
                diagnostics.error(
                    line,
                    format!(
                        "duplicate field `{}`: a `{}` here, a `{}` on line {}; no single reading",
                        field.name,
                        field.type_name(),
                        twin.field.type_name(),
                        twin.field.line
                    ),
                );
                stack.push(Slot { indent, path: None });
                continue;
            }
            diagnostics.warning(
                line,
                WarningKind::Alternative,
                format!(
                    "`{}` repeats the row on line {}: read as an alternative of it (fields merged; required only where every alternative requires it; enum values joined)",
                    field.name, twin.field.line
                ),
            );
        }
        let node = Node {
            field,
            literal,
            children_nodes: Vec::new(),
        };
        let path = match &parent_path {
            None => {
                forest.push(node);
                vec![forest.len() - 1]
            }
            Some(parent_path) => {
                let parent = node_mut(&mut forest, parent_path);
                parent.children_nodes.push(node);
                let mut path = parent_path.clone();
                path.push(parent.children_nodes.len() - 1);
                path
            }
        };
        last_path = Some(path.clone());
        stack.push(Slot {
            indent,
            path: Some(path),
        });
    }
    merge_alternatives(&mut forest, diagnostics);
    (forest, full_width)
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

impl Node {
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
}
