//! The spec: what the WeChat Pay documentation says about each operation, in one
//! versioned, deterministic model that the code generator, the diff and the
//! OpenAPI export all read.
//!
//! The docs parser (`wechatpay-docs-parser`) writes it, [`overrides`] adds the
//! reviewed facts the tables do not state, and every such fact is recorded in the
//! `overridden` map of the item it changed, so a reader can always tell which
//! facts came from the docs and which from the overrides file.

#![deny(missing_docs)]

pub mod diff;
pub mod names;
pub mod openapi;
pub mod overrides;
mod path;

use std::collections::BTreeMap;
use std::fmt;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

pub use path::{FieldPath, Section};

/// Version of the spec file format. Bump it whenever the meaning of a field
/// changes, so that an old spec is rejected instead of misread.
pub const FORMAT_VERSION: u32 = 1;

/// A set of operations read from one docs tree.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Spec {
    /// Always [`FORMAT_VERSION`] for files this crate writes.
    pub format_version: u32,
    /// Operations sorted by path, then method.
    pub operations: Vec<Operation>,
    /// Notifications (回调通知) sorted by their first event type.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notifications: Vec<Notification>,
}

/// A notification page: what WeChat Pay POSTs to the merchant's notify URL for
/// one or more event types.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Notification {
    /// The event types the page documents (`COUPON.SEND`), from the envelope's
    /// `event_type` values; the page's name when the table lists none.
    pub event_types: Vec<String>,
    /// The page's heading.
    pub summary: String,
    /// The prose under the heading (markdown).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// Links to the official documentation.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub doc_links: Vec<String>,
    /// Where it is documented.
    pub source: Source,
    /// `json` (APIv3: signed, the resource AES-256-GCM encrypted) or `xml` (APIv2).
    pub format: NotificationFormat,
    /// The documented request headers (`Wechatpay-Signature`, ...).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub headers: Vec<Field>,
    /// The body as sent: the envelope (`id`, `event_type`, `resource`, ...),
    /// without the decrypted fields.
    pub envelope: Vec<Field>,
    /// The encryption algorithm of the resource (`AEAD_AES_256_GCM`), when documented.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub algorithm: Option<String>,
    /// The resource's documented `original_type` values.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub original_types: Vec<String>,
    /// The decrypted resource's fields (after the page's separator row); for
    /// XML notifications, the document's elements.
    pub resource: Vec<Field>,
}

impl Notification {
    /// The event type the page is named after (`webhook/v3/COUPON.SEND.md`),
    /// when it lists it.
    pub fn named_event(&self) -> Option<&str> {
        let stem = self
            .source
            .page
            .rsplit('/')
            .next()
            .and_then(|file| file.strip_suffix(".md"))?;
        self.event_types
            .iter()
            .find(|event| *event == stem)
            .map(String::as_str)
    }
}

/// How a notification is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum NotificationFormat {
    /// APIv3 JSON.
    Json,
    /// APIv2 XML.
    Xml,
}

/// Errors reading a spec file.
#[derive(Debug, thiserror::Error)]
pub enum SpecError {
    /// The text is not a spec of this format.
    #[error("not a valid spec file: {0}")]
    Json(#[from] serde_json::Error),
    /// The file was written by another version of the format.
    #[error(
        "spec format version {found} is not supported (this build reads version {FORMAT_VERSION}); regenerate it with `cargo xtask spec`"
    )]
    Version {
        /// The version the file declares.
        found: u32,
    },
}

impl Spec {
    /// Builds a spec, putting the operations in their canonical order.
    pub fn new(mut operations: Vec<Operation>) -> Self {
        operations.sort_by(|a, b| (&a.path, a.method).cmp(&(&b.path, b.method)));
        Spec {
            format_version: FORMAT_VERSION,
            operations,
            notifications: Vec::new(),
        }
    }

    /// The spec with these notifications, in their canonical order.
    pub fn with_notifications(mut self, mut notifications: Vec<Notification>) -> Self {
        notifications.sort_by(|a, b| a.event_types.cmp(&b.event_types));
        self.notifications = notifications;
        self
    }

    /// Reads a spec from its JSON text.
    pub fn from_json(text: &str) -> Result<Self, SpecError> {
        #[derive(Deserialize)]
        struct VersionOnly {
            format_version: u32,
        }
        let version: VersionOnly = serde_json::from_str(text)?;
        if version.format_version != FORMAT_VERSION {
            return Err(SpecError::Version {
                found: version.format_version,
            });
        }
        Ok(serde_json::from_str(text)?)
    }

    /// The canonical JSON text of the spec: pretty-printed, stable order, trailing newline.
    pub fn to_json(&self) -> String {
        let mut text = serde_json::to_string_pretty(self).expect("a spec always serializes");
        text.push('\n');
        text
    }

    /// The operation with this method and path template, if any.
    pub fn operation(&self, method: Method, path: &str) -> Option<&Operation> {
        self.operations
            .iter()
            .find(|op| op.method == method && op.path == path)
    }

    /// The APIv3 notification an event type is routed to: the page named
    /// after it (`webhook/v3/TRANSACTION.SUCCESS.md`), else the first page
    /// that lists it (`PROFITSHARING.SUCCESS` also lists `TRANSACTION.SUCCESS`).
    pub fn notification(&self, event_type: &str) -> Option<&Notification> {
        Self::owner_index(&self.notifications, event_type).map(|i| &self.notifications[i])
    }

    /// [`Spec::notification`], for changing it.
    pub fn notification_mut(&mut self, event_type: &str) -> Option<&mut Notification> {
        Self::owner_index(&self.notifications, event_type).map(|i| &mut self.notifications[i])
    }

    fn owner_index(notifications: &[Notification], event_type: &str) -> Option<usize> {
        let json = |n: &&Notification| n.format == NotificationFormat::Json;
        let listing = || {
            notifications
                .iter()
                .enumerate()
                .filter(|(_, n)| json(n) && n.event_types.iter().any(|e| e == event_type))
        };
        listing()
            .find(|(_, n)| n.named_event() == Some(event_type))
            .or_else(|| listing().next())
            .map(|(i, _)| i)
    }

    /// The JSON Schema of the spec file format itself (`spec/spec.schema.json`).
    pub fn json_schema() -> String {
        let schema = schemars::schema_for!(Spec);
        let mut text = serde_json::to_string_pretty(&schema).expect("a schema always serializes");
        text.push('\n');
        text
    }
}

/// An HTTP method, as the docs headings name it (`{#get}`, `{#post}`, ...).
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "UPPERCASE")]
pub enum Method {
    /// `GET`
    Get,
    /// `POST`
    Post,
    /// `PUT`
    Put,
    /// `PATCH`
    Patch,
    /// `DELETE`
    Delete,
    /// `HEAD`
    Head,
    /// `OPTIONS`
    Options,
}

impl Method {
    /// All methods, in their canonical order.
    pub const ALL: [Method; 7] = [
        Method::Get,
        Method::Post,
        Method::Put,
        Method::Patch,
        Method::Delete,
        Method::Head,
        Method::Options,
    ];

    /// The upper-case name sent on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Patch => "PATCH",
            Method::Delete => "DELETE",
            Method::Head => "HEAD",
            Method::Options => "OPTIONS",
        }
    }

    /// The lower-case name the docs and the PHP SDK use (`{#post}`, `->post()`).
    pub fn lower(self) -> &'static str {
        match self {
            Method::Get => "get",
            Method::Post => "post",
            Method::Put => "put",
            Method::Patch => "patch",
            Method::Delete => "delete",
            Method::Head => "head",
            Method::Options => "options",
        }
    }

    /// Parses a heading anchor such as `post` (case-insensitive).
    pub fn from_anchor(anchor: &str) -> Option<Method> {
        Method::ALL
            .into_iter()
            .find(|m| m.lower().eq_ignore_ascii_case(anchor))
    }
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One documented operation: a method on a path template.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Operation {
    /// The HTTP method.
    pub method: Method,
    /// The path template, e.g. `/v3/marketing/busifavor/stocks/{stock_id}/couponcodes`.
    pub path: String,
    /// The operation's name (snake_case, unique across the spec): the
    /// official SDKs' where the overrides file gives one, else derived by
    /// [`names`]' rule from the method and path.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The operation's heading in the docs.
    pub summary: String,
    /// The prose under the heading (markdown), empty when there is none.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// The page heading, on pages that document several methods (`{#mix}`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page_title: Option<String>,
    /// Links to the official documentation.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub doc_links: Vec<String>,
    /// Notices on the page, such as "this API was redesigned" or "retired".
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notices: Vec<Notice>,
    /// Where the operation is documented.
    pub source: Source,
    /// A different host the operation must be sent to (`base_uri` row).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base_uri: Option<String>,
    /// The request must be sent with the merchant's API certificate (`security` row, APIv2).
    #[serde(default, skip_serializing_if = "is_false")]
    pub security: bool,
    /// The request carries no random nonce (`nonceless` row, APIv2).
    #[serde(default, skip_serializing_if = "is_false")]
    pub nonceless: bool,
    /// Whether the page marks required fields at all. Pages of the older generation
    /// do not, and then `required: false` means "not stated", not "optional".
    pub required_marked: bool,
    /// Path parameters, in the order of the path template.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub path_params: Vec<Field>,
    /// Top-level request rows of an APIv2 page that configure the client the
    /// page is written for rather than the request (`fragment`, `timeout`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub client_options: Vec<Field>,
    /// Query parameters (`query` row).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub query: Option<Params>,
    /// Request headers (`headers` row).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub headers: Option<Params>,
    /// The request body, if the operation sends one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_body: Option<RequestBody>,
    /// What a successful response carries.
    pub response: Response,
    /// Fields of the error body, on pages that document one (异常字典).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub error_fields: Vec<Field>,
    /// The request payload of the page's code sample, as JSON, when it is a literal.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_example: Option<serde_json::Value>,
    /// Operation-level facts that came from the overrides file, with the reason.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub overridden: BTreeMap<String, String>,
}

impl Operation {
    /// An operation documented at `source` with nothing in it yet: no
    /// parameters, no body, an undocumented response, required fields not
    /// marked. Fill in the rest field by field.
    pub fn new(
        method: Method,
        path: impl Into<String>,
        summary: impl Into<String>,
        source: Source,
    ) -> Self {
        Operation {
            method,
            path: path.into(),
            name: None,
            summary: summary.into(),
            description: String::new(),
            page_title: None,
            doc_links: Vec::new(),
            notices: Vec::new(),
            source,
            base_uri: None,
            security: false,
            nonceless: false,
            required_marked: false,
            path_params: Vec::new(),
            client_options: Vec::new(),
            query: None,
            headers: None,
            request_body: None,
            response: Response::Undocumented,
            error_fields: Vec::new(),
            request_example: None,
            overridden: BTreeMap::new(),
        }
    }

    /// A stable identifier: `METHOD /path/template`.
    pub fn id(&self) -> String {
        format!("{} {}", self.method, self.path)
    }

    /// The fields of a JSON or XML request body.
    pub fn body_fields(&self) -> &[Field] {
        match &self.request_body {
            Some(RequestBody::Json { fields, .. })
            | Some(RequestBody::Xml { fields, .. })
            | Some(RequestBody::Multipart { parts: fields, .. }) => fields,
            None => &[],
        }
    }

    /// The fields of a JSON or XML response.
    pub fn response_fields(&self) -> &[Field] {
        match &self.response {
            Response::Json { fields } | Response::Xml { fields } => fields,
            _ => &[],
        }
    }

    /// Finds a field by its address (`body.coupon_code_list`, `response.data.code`).
    pub fn field(&self, path: &FieldPath) -> Option<&Field> {
        let fields: &[Field] = match path.section {
            Section::Path => &self.path_params,
            Section::Query => self.query.as_ref().map_or(&[], |q| &q.fields),
            Section::Headers => self.headers.as_ref().map_or(&[], |h| &h.fields),
            Section::Body => self.body_fields(),
            Section::Response => self.response_fields(),
            Section::Errors => &self.error_fields,
            Section::Resource => &[],
        };
        find_field(fields, &path.names)
    }

    /// Finds a field by its address, for changing it.
    pub fn field_mut(&mut self, path: &FieldPath) -> Option<&mut Field> {
        let fields: &mut [Field] = match path.section {
            Section::Path => &mut self.path_params,
            Section::Query => self.query.as_mut().map_or(&mut [], |q| &mut q.fields),
            Section::Headers => self.headers.as_mut().map_or(&mut [], |h| &mut h.fields),
            Section::Body => match &mut self.request_body {
                Some(RequestBody::Json { fields, .. })
                | Some(RequestBody::Xml { fields, .. })
                | Some(RequestBody::Multipart { parts: fields, .. }) => fields,
                None => &mut [],
            },
            Section::Response => match &mut self.response {
                Response::Json { fields } | Response::Xml { fields } => fields,
                _ => &mut [],
            },
            Section::Errors => &mut self.error_fields,
            Section::Resource => &mut [],
        };
        find_field_mut(fields, &path.names)
    }
}

fn find_field<'a>(fields: &'a [Field], names: &[String]) -> Option<&'a Field> {
    let (first, rest) = names.split_first()?;
    let field = fields.iter().find(|f| &f.name == first)?;
    if rest.is_empty() {
        Some(field)
    } else {
        find_field(&field.children, rest)
    }
}

pub(crate) fn find_field_mut<'a>(
    fields: &'a mut [Field],
    names: &[String],
) -> Option<&'a mut Field> {
    let (first, rest) = names.split_first()?;
    let field = fields.iter_mut().find(|f| &f.name == first)?;
    if rest.is_empty() {
        Some(field)
    } else {
        find_field_mut(&mut field.children, rest)
    }
}

/// Where something is documented: a page of the docs tree and a line in it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Source {
    /// The page, relative to the docs root (`openapi/v3/....md`).
    pub page: String,
    /// The 1-based line of the operation's heading.
    pub line: u32,
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.page, self.line)
    }
}

/// A boxed notice on a page (`::: warning ... {.im-redesigned}`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Notice {
    /// The container's class, e.g. `im-deprecated`, `im-redesigned`, `im-privated`.
    pub class: String,
    /// The notice text (markdown).
    pub text: String,
}

/// A group of parameters declared by one top-level row (`query`, `headers`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Params {
    /// Whether the group itself is required.
    #[serde(default, skip_serializing_if = "is_false")]
    pub required: bool,
    /// The parameters.
    pub fields: Vec<Field>,
}

/// A request body.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "format", rename_all = "snake_case", deny_unknown_fields)]
pub enum RequestBody {
    /// A JSON object (`json` row).
    Json {
        /// Whether the body is required.
        #[serde(default, skip_serializing_if = "is_false")]
        required: bool,
        /// The object's fields.
        fields: Vec<Field>,
    },
    /// An APIv2 XML document (`xml` row).
    Xml {
        /// Whether the body is required.
        #[serde(default, skip_serializing_if = "is_false")]
        required: bool,
        /// The document's elements.
        fields: Vec<Field>,
    },
    /// A `multipart/form-data` upload (`body` row): a `file` part and a JSON `meta` part.
    Multipart {
        /// Whether the body is required.
        #[serde(default, skip_serializing_if = "is_false")]
        required: bool,
        /// The parts.
        parts: Vec<Field>,
    },
}

/// What a successful response carries.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Response {
    /// A JSON object.
    Json {
        /// The object's fields.
        fields: Vec<Field>,
    },
    /// An APIv2 XML document.
    Xml {
        /// The document's elements.
        fields: Vec<Field>,
    },
    /// No content (`空字符串(无返回内容)`), i.e. `204 No Content`.
    Empty,
    /// A file download (`文件流`), not JSON.
    FileStream,
    /// A redirect to another location.
    Redirect {
        /// What the docs say about it.
        description: String,
    },
    /// The page has a response table without rows.
    Undocumented,
}

/// The JSON type of a field's values (of its items, for arrays).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// A string.
    String,
    /// An integer.
    Integer,
    /// Any number.
    Number,
    /// `true` or `false`.
    Boolean,
    /// An object; its fields are the field's `children`.
    Object,
    /// Any JSON value: the page gives no type (an empty or `undefined` type
    /// cell, or a PHP `array` with no rows under it), so nothing is assumed.
    Any,
}

impl Kind {
    /// The name the docs use.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::String => "string",
            Kind::Integer => "integer",
            Kind::Number => "number",
            Kind::Boolean => "boolean",
            Kind::Object => "object",
            Kind::Any => "any",
        }
    }

    /// Parses a docs type name.
    pub fn from_name(name: &str) -> Option<Kind> {
        Some(match name {
            "string" => Kind::String,
            "integer" => Kind::Integer,
            "number" => Kind::Number,
            "boolean" => Kind::Boolean,
            "object" => Kind::Object,
            "any" => Kind::Any,
            _ => return None,
        })
    }
}

/// The `data-encrypted` marker of RSA-OAEP encrypted fields (sensitive data).
pub const ENCRYPTED_BY_RSA: &str = "by-rsa-pubkey";

/// One documented field, parameter or part.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Field {
    /// The name on the wire.
    pub name: String,
    /// The JSON type of the value, or of the innermost items for arrays.
    pub kind: Kind,
    /// How many array levels wrap the value: 0 for `string`, 1 for `string[]`.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub array_depth: u8,
    /// Whether the docs mark the field required.
    #[serde(default, skip_serializing_if = "is_false")]
    pub required: bool,
    /// The description (markdown), without the enum and default phrases.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// The documented values, for enumerations.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub enum_values: Vec<String>,
    /// What documented values mean, where the page says (`SUCCESS`: 支付成功).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub enum_meanings: BTreeMap<String, String>,
    /// The documented default value (`默认为`X``).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_value: Option<String>,
    /// The documented fixed value (`固定值`X``, `固定为`X``).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub constant: Option<String>,
    /// How the value is encrypted on the wire (`data-encrypted`), e.g.
    /// [`ENCRYPTED_BY_RSA`]: in a request with the WeChat Pay key the request
    /// names in `Wechatpay-Serial`, in a response with the merchant's key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encrypted: Option<String>,
    /// Set when the string holds JSON (`data-encoded`, or a separator row before
    /// its decoded fields); the decoded fields are the `children`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encoded: Option<String>,
    /// The tooltip text of the type cell, when it says more than "a PHP array".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tooltip: Option<String>,
    /// Limits on the value (strings, numbers) or on the array itself.
    #[serde(default, skip_serializing_if = "Limits::is_empty")]
    pub limits: Limits,
    /// Limits on each item of an array.
    #[serde(default, skip_serializing_if = "Limits::is_empty")]
    pub item_limits: Limits,
    /// A reviewer's note from the overrides file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// Nested fields: of the object, of each object item, or of the decoded JSON string.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub children: Vec<Field>,
    /// The 1-based line of the row in the page.
    pub line: u32,
    /// Facts about this field that came from the overrides file, with the reason.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub overridden: BTreeMap<String, String>,
}

impl Field {
    /// A field with just a name, a kind and a line; everything else empty.
    pub fn new(name: impl Into<String>, kind: Kind, line: u32) -> Self {
        Field {
            name: name.into(),
            kind,
            array_depth: 0,
            required: false,
            description: String::new(),
            enum_values: Vec::new(),
            enum_meanings: BTreeMap::new(),
            default_value: None,
            constant: None,
            encrypted: None,
            encoded: None,
            tooltip: None,
            limits: Limits::default(),
            item_limits: Limits::default(),
            note: None,
            children: Vec::new(),
            line,
            overridden: BTreeMap::new(),
        }
    }

    /// Whether the value is an array.
    pub fn is_array(&self) -> bool {
        self.array_depth > 0
    }

    /// The type as the docs write it: `string`, `object[]`, ...
    pub fn type_name(&self) -> String {
        let mut name = self.kind.as_str().to_owned();
        for _ in 0..self.array_depth {
            name.push_str("[]");
        }
        name
    }
}

/// Limits a value must respect. They come from the overrides file: the docs tables
/// do not state them.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Limits {
    /// Minimum length of a string, in characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_length: Option<u32>,
    /// Maximum length of a string, in characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_length: Option<u32>,
    /// A regular expression every string must match.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pattern: Option<String>,
    /// Minimum number of items of an array.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_items: Option<u32>,
    /// Maximum number of items of an array.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_items: Option<u32>,
    /// Smallest allowed number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub minimum: Option<i64>,
    /// Largest allowed number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub maximum: Option<i64>,
}

impl Limits {
    /// True when no limit is set.
    pub fn is_empty(&self) -> bool {
        self == &Limits::default()
    }
}

fn is_false(value: &bool) -> bool {
    !*value
}

fn is_zero(value: &u8) -> bool {
    *value == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample_operation(method: Method, path: &str) -> Operation {
        let mut operation = Operation::new(
            method,
            path,
            "s",
            Source {
                page: "openapi/x.md".into(),
                line: 1,
            },
        );
        operation.required_marked = true;
        operation.response = Response::Empty;
        operation
    }

    #[test]
    fn operations_are_sorted_by_path_then_method() {
        let spec = Spec::new(vec![
            sample_operation(Method::Post, "/v3/b"),
            sample_operation(Method::Delete, "/v3/a"),
            sample_operation(Method::Get, "/v3/b"),
        ]);
        let ids: Vec<_> = spec.operations.iter().map(Operation::id).collect();
        assert_eq!(ids, ["DELETE /v3/a", "GET /v3/b", "POST /v3/b"]);
    }

    #[test]
    fn json_round_trips_and_is_stable() {
        let spec = Spec::new(vec![sample_operation(Method::Get, "/v3/a")]);
        let text = spec.to_json();
        let back = Spec::from_json(&text).unwrap();
        assert_eq!(back, spec);
        assert_eq!(back.to_json(), text);
    }

    #[test]
    fn other_format_versions_are_rejected() {
        let text = r#"{"format_version": 999, "operations": []}"#;
        let err = Spec::from_json(text).unwrap_err();
        assert!(matches!(err, SpecError::Version { found: 999 }), "{err}");
    }
}
