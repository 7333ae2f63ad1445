//! Table rows: the grammar of one row (name and attributes, type, description).
//! How rows nest into fields is [`crate::tree`]'s job.

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
    /// Whether the row has a `data-indent` attribute (without one it reads as 0,
    /// which a row the site dropped the attribute from is not).
    pub(crate) indent_given: bool,
    /// The type cell held a literal such as `` `true` `` instead of a type name.
    pub(crate) literal: Option<String>,
    /// The type cell named no JSON type (`array`, `array[]`, `undefined`, or
    /// nothing): the field is [`Kind::Any`] until the rows under it show it is
    /// an object. Holds the cell's text.
    pub(crate) untyped: Option<String>,
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
    let name = field_name(name, line, diagnostics)?;

    let (type_text, type_attrs) = attrs::split_trailing(cell(1));
    let mut all_attrs = name_attrs;
    all_attrs.merge(type_attrs.unwrap_or_default());
    warn_unknown(&all_attrs, line, diagnostics);

    let (kind, array_depth, literal, untyped) = read_type(type_text, line, diagnostics)?;
    let indent = indent_of(&all_attrs, line, diagnostics)?;

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
    field.enum_meanings = description.enum_meanings.into_iter().collect();
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
        indent_given: all_attrs.has("data-indent"),
        literal,
        untyped,
    })))
}

/// The row's field name, or `None` (said) when the first cell holds none. A
/// stray space inside a name that is otherwise one (`payer _currency`) is
/// dropped, with a warning.
fn field_name(name: &str, line: u32, diagnostics: &mut Diagnostics<'_>) -> Option<String> {
    if name.is_empty() {
        diagnostics.error(line, "row has no field name");
        return None;
    }
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
        let joined: String = name.split_whitespace().collect();
        diagnostics.warning(
            line,
            WarningKind::SpaceInName,
            format!("`{name}` has a space inside; read as `{joined}`"),
        );
        joined
    } else {
        name.to_owned()
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
    Some(name)
}

/// The row's `data-indent`: 0 without one, `None` (said) for one that is
/// not a whole number.
fn indent_of(attrs: &Attrs, line: u32, diagnostics: &mut Diagnostics<'_>) -> Option<u32> {
    if attrs.has("data-indent") && attrs.value("data-indent").is_none() {
        diagnostics.error(line, "`data-indent` needs a value");
        return None;
    }
    match attrs.value("data-indent") {
        None => Some(0),
        Some(text) => match text.parse::<u32>() {
            Ok(indent) => Some(indent),
            Err(_) => {
                diagnostics.error(line, format!("`data-indent={text}` is not a whole number"));
                None
            }
        },
    }
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

/// What a type cell says: the kind, the array depth, a literal value, and
/// the cell's text when it names no JSON type.
type TypeCell = (Kind, u8, Option<String>, Option<String>);

/// `string`, `object[]`, `integer[][]`, or a literal such as `` `true` ``; in
/// older pages also `array`, `array[]`, `undefined` or an empty cell, which
/// name no JSON type (see [`FieldRow::untyped`]).
fn read_type(text: &str, line: u32, diagnostics: &mut Diagnostics<'_>) -> Option<TypeCell> {
    let text = text.trim();
    if let Some(literal) = text.strip_prefix('`').and_then(|t| t.strip_suffix('`')) {
        let kind = match literal {
            "true" | "false" => Kind::Boolean,
            _ if literal.parse::<i64>().is_ok() => Kind::Integer,
            _ if literal.parse::<f64>().is_ok() => Kind::Number,
            _ => Kind::String,
        };
        return Some((kind, 0, Some(literal.to_owned()), None));
    }
    let mut base = text;
    let mut depth = 0u8;
    while let Some(inner) = base.strip_suffix("[]") {
        base = inner.trim_end();
        depth = depth.saturating_add(1);
    }
    // `array` is a PHP array (the site's tooltip for objects says so): an
    // object or a list, which only the rows under it tell apart.
    if base.is_empty()
        || base.eq_ignore_ascii_case("undefined")
        || base.eq_ignore_ascii_case("array")
    {
        return Some((Kind::Any, depth, None, Some(text.to_owned())));
    }
    if let Some(kind) = Kind::from_name(base) {
        return Some((kind, depth, None, None));
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
            Some((kind, depth, None, None))
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
