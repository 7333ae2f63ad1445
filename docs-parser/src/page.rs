//! One page: its headings, prose, tables and samples turned into operations.
//!
//! The grammar, as the docs site writes it:
//! - optional YAML frontmatter (`title`, `description`), referred to from the text
//!   as `{{ $frontmatter.title }}`;
//! - either one `# Heading {#method}` (a single-method page) or `# Title {#mix}`
//!   followed by `## Heading {#method}` sections;
//! - in each section: prose and `::: kind {.class}` notices, a request table marked
//!   `{.im-table #request}`, a `::: code-group` of PHP samples, a response table
//!   marked `{.im-table #response}` (its header says 返回字典, or 异常字典 for an
//!   error body), and `参阅` links to the official docs.

use std::collections::HashMap;

use serde_json::Value;
use wechatpay_spec::{
    Field, Kind, Method, Notice, Operation, Params, RequestBody, Response, Source,
};
use yaml_rust2::{Yaml, YamlLoader};

use crate::attrs;
use crate::blocks::{Block, RawRow, read_blocks};
use crate::diagnostic::{Diagnostics, WarningKind};
use crate::php;
use crate::rows::{Row, read_row};
use crate::tree::{Node, TableShape, build_forest};

/// What a page holds.
#[derive(Debug)]
pub(crate) struct PageContent {
    pub(crate) operations: Vec<Operation>,
    /// False for pages without operation headings or API tables (site indexes, guides).
    pub(crate) is_api_page: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Role {
    Request,
    Response,
    Errors,
}

struct TableDraft {
    line: u32,
    header: Vec<String>,
    rows: Vec<RawRow>,
    role: Option<Role>,
}

struct OperationDraft {
    method: Method,
    summary: String,
    line: u32,
    description: Vec<String>,
    notices: Vec<Notice>,
    links: Vec<String>,
    tables: Vec<TableDraft>,
    example: Option<Option<Value>>,
}

struct Container {
    class: String,
    code_group: bool,
    text: Vec<String>,
}

pub(crate) fn read_page(
    page: &str,
    api_path: &str,
    source: &str,
    diagnostics: &mut Diagnostics<'_>,
) -> PageContent {
    let blocks = read_blocks(source, |offset| diagnostics.line_of(offset));
    let mut reader = PageReader::default();
    for block in blocks {
        match block {
            Block::Frontmatter { line, text } => {
                reader.frontmatter = read_frontmatter(&text, line, diagnostics);
            }
            Block::Heading { line, level, raw } => reader.heading(line, level, &raw, diagnostics),
            Block::Paragraph { line, raw, links } => {
                reader.paragraph(line, &raw, links, diagnostics)
            }
            Block::List { links } => {
                if reader.awaiting_links
                    && let Some(draft) = reader.drafts.last_mut()
                {
                    draft.links.extend(links.into_iter().map(|(_, url)| url));
                }
            }
            Block::Table { line, header, rows } => reader.table(line, header, rows, diagnostics),
            Block::Code { info, text } => {
                if let Some(draft) = reader.drafts.last_mut()
                    && draft.example.is_none()
                    && info.trim_start().starts_with("php")
                {
                    draft.example = Some(php::request_example(&text));
                }
            }
        }
    }
    reader.finish(page, api_path, diagnostics)
}

/// What has been read of a page so far, block by block.
#[derive(Default)]
struct PageReader {
    frontmatter: HashMap<String, String>,
    page_title: Option<String>,
    /// The page is `{#mix}`: one title over several operations.
    mix: bool,
    drafts: Vec<OperationDraft>,
    /// Notices before the first operation, which every operation gets.
    page_notices: Vec<Notice>,
    /// The `:::` container open, if any.
    container: Option<Container>,
    /// A `参阅` line was read: the list that follows holds the operation's links.
    awaiting_links: bool,
    /// Tables before any operation heading.
    orphan_tables: usize,
}

impl PageReader {
    /// A heading: the page's title, an operation (`{#post}`...), or part of
    /// the current operation's prose.
    fn heading(&mut self, line: u32, level: u8, raw: &str, diagnostics: &mut Diagnostics<'_>) {
        self.awaiting_links = false;
        let (text, attrs) = attrs::split_trailing(raw);
        let text = substitute(text, &self.frontmatter, line, diagnostics);
        let anchor = attrs.as_ref().and_then(|a| a.id()).unwrap_or_default();
        if level == 1 && anchor == "mix" {
            self.mix = true;
            self.page_title = Some(text);
        } else if let Some(method) = Method::from_anchor(anchor).filter(|_| level <= 2) {
            if level == 1 && self.page_title.is_none() {
                self.page_title = Some(text.clone());
            }
            self.drafts.push(OperationDraft {
                method,
                summary: text,
                line,
                description: Vec::new(),
                notices: self.page_notices.clone(),
                links: Vec::new(),
                tables: Vec::new(),
                example: None,
            });
        } else if let Some(draft) = self.drafts.last_mut() {
            // A sub-heading inside an operation is part of its prose.
            draft
                .description
                .push(format!("{} {text}", "#".repeat(level.into())));
        } else if level == 1 {
            self.page_title = Some(text);
        }
    }

    /// A paragraph, line by line: `:::` notices open and close, table
    /// markers (`{.im-table #request}`) give the table before them its role,
    /// `参阅` starts the links, anything else is the operation's prose.
    fn paragraph(
        &mut self,
        line: u32,
        raw: &str,
        links: Vec<(u32, String)>,
        diagnostics: &mut Diagnostics<'_>,
    ) {
        let mut link_lines_from: Option<u32> = None;
        for (offset, text) in raw.lines().enumerate() {
            let text_line = line + offset as u32;
            let trimmed = text.trim();
            if trimmed == ":::" {
                self.close_container();
                continue;
            }
            if let Some(opening) = trimmed.strip_prefix(":::") {
                self.open_container(opening);
                continue;
            }
            if let Some(open) = self.container.as_mut() {
                open.text.push(text.to_owned());
                continue;
            }
            if let Some(marker) = attrs::parse_block(trimmed) {
                if marker.has_class("im-table") {
                    self.table_marker(marker.id(), text_line, diagnostics);
                }
                continue;
            }
            if trimmed.starts_with("参阅") {
                link_lines_from = Some(text_line);
                self.awaiting_links = true;
                continue;
            }
            let text = substitute(text, &self.frontmatter, text_line, diagnostics);
            if let Some(draft) = self.drafts.last_mut()
                && !text.trim().is_empty()
            {
                draft.description.push(text.trim().to_owned());
            }
        }
        if let (Some(from), Some(draft)) = (link_lines_from, self.drafts.last_mut()) {
            draft.links.extend(
                links
                    .into_iter()
                    .filter(|(line, _)| *line >= from)
                    .map(|(_, url)| url),
            );
        }
    }

    /// `::: warning {.class}`: a notice (or a code group) opens.
    fn open_container(&mut self, opening: &str) {
        let (kind, attrs) = attrs::split_trailing(opening.trim());
        let kind_word = kind.split_whitespace().next().unwrap_or_default();
        let class = attrs
            .as_ref()
            .and_then(|a| {
                a.0.iter().find_map(|attr| match attr {
                    attrs::Attr::Class(c) => Some(c.clone()),
                    _ => None,
                })
            })
            .unwrap_or_else(|| kind_word.to_owned());
        self.container = Some(Container {
            class,
            code_group: kind_word == "code-group",
            text: Vec::new(),
        });
    }

    /// `:::` closes the open notice: the current operation's, or the page's.
    fn close_container(&mut self) {
        if let Some(closed) = self.container.take()
            && !closed.code_group
        {
            let notice = Notice {
                class: closed.class,
                text: closed.text.join("\n"),
            };
            match self.drafts.last_mut() {
                Some(draft) => draft.notices.push(notice),
                None => self.page_notices.push(notice),
            }
        }
    }

    /// `{.im-table #request}` (or `#response`) after a table says what it is.
    fn table_marker(&mut self, id: Option<&str>, line: u32, diagnostics: &mut Diagnostics<'_>) {
        let role = match id {
            Some("request") => Role::Request,
            Some("response") => Role::Response,
            // A layout table of a page without operations (the
            // webhook index lists events in one): not an API table.
            None if self.drafts.is_empty() => return,
            other => {
                diagnostics.error(
                    line,
                    format!(
                        "table marker with unknown id {:?} (expected #request or #response)",
                        other.unwrap_or("")
                    ),
                );
                return;
            }
        };
        match self.drafts.last_mut().and_then(|d| d.tables.last_mut()) {
            Some(table) if table.role.is_none() => table.role = Some(role),
            _ => diagnostics.error(line, "table marker without a table before it"),
        }
    }

    /// A table: the current operation's, or an error if it is an API table
    /// before any operation.
    fn table(
        &mut self,
        line: u32,
        header: Vec<String>,
        rows: Vec<RawRow>,
        diagnostics: &mut Diagnostics<'_>,
    ) {
        self.awaiting_links = false;
        match self.drafts.last_mut() {
            Some(draft) => draft.tables.push(TableDraft {
                line,
                header,
                rows,
                role: None,
            }),
            None => {
                self.orphan_tables += 1;
                if is_api_table(&header) {
                    diagnostics.error(
                        line,
                        "API table before any operation heading (`# ... {#method}`)",
                    );
                }
            }
        }
    }

    /// The page's operations, built from their drafts.
    fn finish(self, page: &str, api_path: &str, diagnostics: &mut Diagnostics<'_>) -> PageContent {
        if let Some(open) = &self.container
            && !open.code_group
        {
            diagnostics.warning(
                self.drafts.last().map_or(1, |d| d.line),
                WarningKind::UnclosedNotice,
                format!("`::: {}` notice is never closed", open.class),
            );
        }
        let is_api_page = !self.drafts.is_empty();
        if !is_api_page && self.orphan_tables == 0 && self.mix {
            diagnostics.error(1, "`{#mix}` page without any `## ... {#method}` section");
        }
        let (mix, page_title) = (self.mix, self.page_title);
        let operations = self
            .drafts
            .into_iter()
            .filter_map(|draft| {
                let title = if mix { page_title.clone() } else { None };
                build_operation(page, api_path, draft, title, diagnostics)
            })
            .collect();
        PageContent {
            operations,
            is_api_page,
        }
    }
}

fn is_api_table(header: &[String]) -> bool {
    header.first().is_some_and(|first| {
        ["请求参数", "返回字典", "异常字典"]
            .iter()
            .any(|word| first.contains(word))
    })
}

fn read_frontmatter(
    text: &str,
    line: u32,
    diagnostics: &mut Diagnostics<'_>,
) -> HashMap<String, String> {
    let mut values = HashMap::new();
    match YamlLoader::load_from_str(text) {
        Ok(documents) => {
            if let Some(Yaml::Hash(map)) = documents.first() {
                for (key, value) in map {
                    let (Some(key), Some(value)) = (key.as_str(), scalar(value)) else {
                        continue;
                    };
                    values.insert(key.to_owned(), value);
                }
            }
        }
        Err(error) => {
            let at = line + 1 + u32::try_from(error.marker().line()).unwrap_or(0);
            diagnostics.error(at, format!("frontmatter is not valid YAML: {error}"));
        }
    }
    values
}

fn scalar(value: &Yaml) -> Option<String> {
    match value {
        Yaml::String(s) | Yaml::Real(s) => Some(s.clone()),
        Yaml::Integer(i) => Some(i.to_string()),
        Yaml::Boolean(b) => Some(b.to_string()),
        Yaml::Null => Some(String::new()),
        _ => None,
    }
}

/// Replaces `{{ $frontmatter.key }}` with the frontmatter's value.
fn substitute(
    text: &str,
    frontmatter: &HashMap<String, String>,
    line: u32,
    diagnostics: &mut Diagnostics<'_>,
) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        let Some(len) = rest[start..].find("}}") else {
            break;
        };
        let inner = rest[start + 2..start + len].trim();
        out.push_str(&rest[..start]);
        match inner.strip_prefix("$frontmatter.") {
            Some(key) => match frontmatter.get(key.trim()) {
                Some(value) => out.push_str(value.trim()),
                None => {
                    diagnostics.error(line, format!("`{{{{ {inner} }}}}` refers to frontmatter key `{key}`, which the page does not have"));
                    out.push_str(&rest[start..start + len + 2]);
                }
            },
            None => out.push_str(&rest[start..start + len + 2]),
        }
        rest = &rest[start + len + 2..];
    }
    out.push_str(rest);
    out
}

fn build_operation(
    page: &str,
    api_path: &str,
    draft: OperationDraft,
    page_title: Option<String>,
    diagnostics: &mut Diagnostics<'_>,
) -> Option<Operation> {
    let mut operation = Operation::new(
        draft.method,
        api_path,
        draft.summary,
        Source {
            page: page.to_owned(),
            line: draft.line,
        },
    );
    operation.description = draft.description.join("\n\n");
    operation.page_title = page_title;
    operation.doc_links = draft.links;
    operation.notices = draft.notices;
    operation.request_example = draft.example.flatten();
    let mut request_seen = false;
    let mut response_seen = false;
    let mut required_marked = false;
    for table in draft.tables {
        let Some(role) = table_role(&table, diagnostics) else {
            continue;
        };
        let rows: Vec<Row> = table
            .rows
            .iter()
            .filter_map(|raw| read_row(raw, diagnostics))
            .collect();
        let placeholders = path_placeholders(api_path);
        let top_level = |name: &str| REQUEST_ROWS.contains(&name) || placeholders.contains(&name);
        let shape = match role {
            // An APIv2 page's table also holds its client's options, which
            // stand at the top under any name.
            Role::Request if api_path.starts_with("/v2/") => TableShape {
                top_level: None,
                implied_parent: Some("xml"),
            },
            Role::Request => TableShape {
                top_level: Some(&top_level),
                implied_parent: Some(implied_request_row(api_path, operation.method)),
            },
            Role::Response | Role::Errors => TableShape {
                top_level: None,
                implied_parent: None,
            },
        };
        let (forest, full_width) = build_forest(rows, &shape, diagnostics);
        required_marked |= forest.iter().any(any_required);
        match role {
            Role::Request => {
                if std::mem::replace(&mut request_seen, true) {
                    diagnostics.error(table.line, "a second request table for the same operation");
                    continue;
                }
                for (line, text) in full_width {
                    diagnostics.error(line, format!("full-width row `{text}` in a request table"));
                }
                read_request(&mut operation, forest, diagnostics);
            }
            Role::Response => {
                if std::mem::replace(&mut response_seen, true) {
                    diagnostics.error(table.line, "a second response table for the same operation");
                    continue;
                }
                operation.response = read_response(&operation, forest, full_width, diagnostics);
            }
            Role::Errors => {
                operation.error_fields = forest.into_iter().map(Node::into_field).collect();
                for (line, text) in full_width {
                    diagnostics.error(line, format!("full-width row `{text}` in an error table"));
                }
            }
        }
    }
    if !response_seen {
        diagnostics.warning(
            operation.source.line,
            WarningKind::NoResponse,
            "operation has no response table",
        );
    }
    operation.required_marked = required_marked;
    add_undocumented_path_params(&mut operation, diagnostics);
    Some(operation)
}

/// Whether a table is the request's, the response's or the errors': by its
/// mark, else by its header; `None` (said) for neither, or for a table that
/// is not three columns.
fn table_role(table: &TableDraft, diagnostics: &mut Diagnostics<'_>) -> Option<Role> {
    let header = table.header.first();
    let header_role = if header.is_some_and(|h| h.contains("异常")) {
        Some(Role::Errors)
    } else if header.is_some_and(|h| h.contains("返回")) {
        Some(Role::Response)
    } else if header.is_some_and(|h| h.contains("请求")) {
        Some(Role::Request)
    } else {
        None
    };
    let role = match (table.role, header_role) {
        (Some(Role::Response), Some(Role::Errors)) => Role::Errors,
        (Some(role), _) => role,
        (None, Some(role)) => role,
        (None, None) => {
            diagnostics.error(
                table.line,
                "table is neither marked `{.im-table #request}`/`{.im-table #response}` nor headed 请求参数/返回字典",
            );
            return None;
        }
    };
    if table.header.len() != 3 {
        diagnostics.error(
            table.line,
            format!(
                "an API table has three columns (name, type, description); this one has {}",
                table.header.len()
            ),
        );
        return None;
    }
    Some(role)
}

/// The rows that may stand at the top of a request table besides path parameters.
const REQUEST_ROWS: [&str; 8] = [
    "json",
    "xml",
    "body",
    "query",
    "headers",
    "base_uri",
    "security",
    "nonceless",
];

/// The row a request table implies above rows that start nested: a
/// notification's `body`, the query of a method without a body, else the JSON body.
fn implied_request_row(api_path: &str, method: Method) -> &'static str {
    if api_path.starts_with("/webhook/") {
        "body"
    } else if matches!(
        method,
        Method::Get | Method::Delete | Method::Head | Method::Options
    ) {
        "query"
    } else {
        "json"
    }
}

fn any_required(node: &Node) -> bool {
    node.field.required || node.children_nodes.iter().any(any_required)
}

fn path_placeholders(path: &str) -> Vec<&str> {
    path.split('/')
        .filter_map(|segment| segment.strip_prefix('{')?.strip_suffix('}'))
        .collect()
}

fn read_request(operation: &mut Operation, forest: Vec<Node>, diagnostics: &mut Diagnostics<'_>) {
    let placeholders: Vec<String> = path_placeholders(&operation.path)
        .into_iter()
        .map(str::to_owned)
        .collect();
    // Top-level rows that are neither a known name nor a path parameter.
    let mut strays: Vec<Field> = Vec::new();
    for node in hoist_path_params(forest, &placeholders) {
        read_request_row(operation, node, &placeholders, &mut strays, diagnostics);
    }
    read_strays(operation, strays, &placeholders, diagnostics);
}

/// Rows a table left without a parent went into the row it implies; the
/// path's parameters among them are the path's, at the top.
fn hoist_path_params(forest: Vec<Node>, placeholders: &[String]) -> Vec<Node> {
    let mut nodes = Vec::with_capacity(forest.len());
    for mut node in forest {
        if node.is_implied() {
            let (params, fields): (Vec<Node>, Vec<Node>) = std::mem::take(&mut node.children_nodes)
                .into_iter()
                .partition(|child| placeholders.contains(&child.field.name));
            node.children_nodes = fields;
            nodes.extend(params);
            if node.children_nodes.is_empty() {
                continue;
            }
        }
        nodes.push(node);
    }
    nodes
}

/// One top-level request row: a body, the query or headers, `base_uri`,
/// a flag, a path parameter, or else a stray (see [`read_strays`]).
fn read_request_row(
    operation: &mut Operation,
    node: Node,
    placeholders: &[String],
    strays: &mut Vec<Field>,
    diagnostics: &mut Diagnostics<'_>,
) {
    let line = node.field.line;
    let name = node.field.name.clone();
    match name.as_str() {
        "json" | "xml" | "body" => {
            let required = node.field.required;
            let field = node.into_field();
            expect_object(&field, diagnostics);
            let fields = field.children;
            operation.request_body = Some(match name.as_str() {
                "json" => RequestBody::Json { required, fields },
                "xml" => RequestBody::Xml { required, fields },
                _ => {
                    if fields.is_empty() {
                        diagnostics.error(line, "`body` row without parts: expected the `file` and `meta` parts of a multipart upload");
                        return;
                    }
                    RequestBody::Multipart {
                        required,
                        parts: fields,
                    }
                }
            });
        }
        "query" | "headers" => {
            let field = node.into_field();
            expect_object(&field, diagnostics);
            let params = Params {
                required: field.required,
                fields: field.children,
            };
            if name == "query" {
                operation.query = Some(params);
            } else {
                operation.headers = Some(params);
            }
        }
        "base_uri" => {
            let field = node.into_field();
            match base_uri(&field) {
                Some(uri) => operation.base_uri = Some(uri),
                None => diagnostics.error(line, "`base_uri` row without a URL (expected e.g. `https://apihk.mch.weixin.qq.com/`)"),
            }
        }
        "security" | "nonceless" => {
            let flag = node.literal.as_deref() != Some("false")
                && (node.field.kind == Kind::Boolean || node.literal.is_some());
            if !flag {
                diagnostics.error(line, format!("`{name}` must be `true` or boolean"));
                return;
            }
            if name == "security" {
                operation.security = true;
            } else {
                operation.nonceless = true;
            }
        }
        _ if placeholders.iter().any(|p| p == &name) => {
            let mut field = node.into_field();
            // The URL cannot be built without it, whatever the page says: the
            // older page generation marks nothing required.
            field.required = true;
            if !is_single_value(&field) {
                diagnostics.error(
                    line,
                    format!(
                        "path parameter `{name}` must be a single value, not `{}`",
                        field.type_name()
                    ),
                );
                return;
            }
            operation.path_params.push(field);
        }
        _ => strays.push(node.into_field()),
    }
}

/// The top-level rows that are no known name and no path parameter.
fn read_strays(
    operation: &mut Operation,
    mut strays: Vec<Field>,
    placeholders: &[String],
    diagnostics: &mut Diagnostics<'_>,
) {
    let is_v2 = operation.path.starts_with("/v2/");
    // A page that documents its one undocumented path parameter under another
    // name (`transaction_id` for `{out_trade_no}`): the row is that parameter.
    let undocumented: Vec<&String> = placeholders
        .iter()
        .filter(|p| !operation.path_params.iter().any(|f| &f.name == *p))
        .collect();
    if !is_v2
        && let ([stray], [parameter]) = (strays.as_slice(), undocumented.as_slice())
        && is_single_value(stray)
    {
        diagnostics.warning(
            stray.line,
            WarningKind::PathParameter,
            format!(
                "top-level request row `{}` is not in the path; read as its undocumented path parameter `{parameter}`",
                stray.name
            ),
        );
        let mut field = strays.remove(0);
        field.name = (*parameter).clone();
        field.required = true;
        operation.path_params.push(field);
    }
    for stray in strays {
        if is_v2 {
            // The APIv2 pages are written for wechatpay-php, whose request
            // options share the table: `fragment` (`#wechat_redirect` on a
            // browser URL), `timeout`, a fixed path word. Nothing of the HTTP
            // request, so kept as what the page says they are.
            diagnostics.warning(
                stray.line,
                WarningKind::ClientOption,
                format!(
                    "top-level request row `{}` is not a path parameter of `{}` nor one of json, xml, body, query, headers, base_uri, security, nonceless; kept as a client option",
                    stray.name, operation.path
                ),
            );
            operation.client_options.push(stray);
            continue;
        }
        diagnostics.error(
            stray.line,
            format!(
                "top-level request row `{}` is not a path parameter of `{}` nor one of json, xml, body, query, headers, base_uri, security, nonceless (a path parameter must appear in the page's path)",
                stray.name, operation.path
            ),
        );
    }
}

/// Whether a row can be a path parameter: one value, not a structure or a
/// list. A JSON-encoded string is one value, whatever its decoded fields.
fn is_single_value(field: &Field) -> bool {
    let encoded = field.kind == Kind::String && field.encoded.is_some();
    (field.children.is_empty() || encoded) && !field.is_array() && field.kind != Kind::Object
}

fn expect_object(field: &Field, diagnostics: &mut Diagnostics<'_>) {
    if field.kind != Kind::Object || field.is_array() {
        diagnostics.warning(
            field.line,
            WarningKind::StructureTyped,
            format!(
                "`{}` declares a structure but is typed `{}`",
                field.name,
                field.type_name()
            ),
        );
    }
}

fn base_uri(field: &Field) -> Option<String> {
    // `接入点<br/>固定值`https://...`` puts the URL in the fixed value.
    if let Some(constant) = field.constant.as_deref().filter(|c| c.contains("://")) {
        return Some(constant.to_owned());
    }
    let text = field.description.as_str();
    let from_code = text
        .split('`')
        .skip(1)
        .step_by(2)
        .find(|s| s.starts_with("http"));
    let uri = from_code.map(str::to_owned).or_else(|| {
        let start = text.find("http")?;
        let end = text[start..]
            .find(|c: char| c.is_whitespace() || "()（）`".contains(c))
            .map_or(text.len(), |e| start + e);
        Some(text[start..end].to_owned())
    })?;
    uri.contains("://").then_some(uri)
}

fn read_response(
    operation: &Operation,
    forest: Vec<Node>,
    full_width: Vec<(u32, String)>,
    diagnostics: &mut Diagnostics<'_>,
) -> Response {
    let mut kind: Option<Response> = None;
    for (line, text) in full_width {
        let read = if text.contains("无返回内容") || text.contains("空字符串") {
            Response::Empty
        } else if text.contains("文件流") {
            Response::FileStream
        } else if ["重定向", "跳转", "302", "Location"]
            .iter()
            .any(|w| text.contains(w))
        {
            Response::Redirect {
                description: text.clone(),
            }
        } else {
            diagnostics.error(line, format!("unrecognised full-width response row `{text}` (expected 空字符串(无返回内容), 文件流 or a redirect)"));
            continue;
        };
        if kind.is_some() {
            diagnostics.error(line, "a second full-width response row");
            continue;
        }
        kind = Some(read);
    }
    match (kind, forest.is_empty()) {
        (Some(kind), true) => kind,
        (Some(kind), false) => {
            diagnostics.error(
                forest[0].field.line,
                "response table has both fields and a full-width row; the fields are read, the row is not",
            );
            let _ = kind;
            fields_response(operation, forest)
        }
        (None, false) => fields_response(operation, forest),
        (None, true) => Response::Undocumented,
    }
}

fn fields_response(operation: &Operation, forest: Vec<Node>) -> Response {
    let fields = forest.into_iter().map(Node::into_field).collect();
    let xml = operation.path.starts_with("/v2/")
        || matches!(operation.request_body, Some(RequestBody::Xml { .. }));
    if xml {
        Response::Xml { fields }
    } else {
        Response::Json { fields }
    }
}

fn add_undocumented_path_params(operation: &mut Operation, diagnostics: &mut Diagnostics<'_>) {
    let placeholders: Vec<String> = path_placeholders(&operation.path)
        .into_iter()
        .map(str::to_owned)
        .collect();
    let mut ordered = Vec::new();
    for name in &placeholders {
        match operation.path_params.iter().position(|p| &p.name == name) {
            Some(index) => ordered.push(operation.path_params.remove(index)),
            None => {
                diagnostics.warning(
                    operation.source.line,
                    WarningKind::PathParameter,
                    format!("path parameter `{name}` has no row in the request table; read as a required string"),
                );
                let mut field = Field::new(name.clone(), Kind::String, operation.source.line);
                field.required = true;
                ordered.push(field);
            }
        }
    }
    operation.path_params = ordered;
}
