//! What changed between two specs, and whether it breaks users of the generated
//! Rust API or of the JSON Schemas.
//!
//! Fields are matched by their address (`body.coupon_code_list`,
//! `response.fail_codes.code`). A field that disappears in one place and appears
//! with the same name and type in another is one change: it moved. Source lines
//! are ignored, so a diff of two docs trees equals the diff of their specs.

use std::collections::BTreeMap;
use std::fmt;

use serde::Serialize;

use crate::{Field, FieldPath, Limits, Method, Notification, Operation, Response, Section, Spec};

/// Whether a change breaks users.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Class {
    /// Code or payloads that worked before may not compile or validate any more.
    Breaking,
    /// Existing code and payloads keep working.
    NonBreaking,
}

/// What kind of change.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    /// A new operation.
    OperationAdded,
    /// An operation is gone.
    OperationRemoved,
    /// The friendly name of an operation changed.
    NameChanged,
    /// What a successful response carries changed (JSON, empty, file stream, ...).
    ResponseKindChanged,
    /// The host an operation is sent to changed.
    BaseUriChanged,
    /// A new field.
    FieldAdded,
    /// A field is gone.
    FieldRemoved,
    /// A field moved to another place in the structure.
    FieldMoved,
    /// A field's type changed.
    TypeChanged,
    /// A field became required, or optional.
    RequiredChanged,
    /// The documented values of an enumeration changed.
    EnumChanged,
    /// A field is now (or no longer) encrypted.
    EncryptionChanged,
    /// A string now (or no longer) holds JSON.
    EncodingChanged,
    /// A limit from the overrides changed.
    LimitsChanged,
    /// A default or fixed value changed.
    ValueChanged,
    /// Only documentation changed: a description, summary, link, note or tooltip.
    DocumentationChanged,
}

/// One change.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Change {
    /// Breaking or not.
    pub class: Class,
    /// The operation, `METHOD /path`.
    pub operation: String,
    /// The field address, or the operation attribute (`summary`, `response`, ...).
    pub location: String,
    /// What changed.
    pub kind: ChangeKind,
    /// Why it is (not) breaking, for whom.
    pub reason: String,
    /// The old value, when it has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub before: Option<String>,
    /// The new value, when it has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub after: Option<String>,
}

impl fmt::Display for Change {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let class = match self.class {
            Class::Breaking => "BREAKING",
            Class::NonBreaking => "ok",
        };
        write!(f, "{class:8} {} ", self.operation)?;
        if !self.location.is_empty() {
            write!(f, "{} ", self.location)?;
        }
        write!(f, "{:?}", self.kind)?;
        match (&self.before, &self.after) {
            (Some(before), Some(after)) => write!(f, ": {before} -> {after}")?,
            (None, Some(after)) => write!(f, ": {after}")?,
            (Some(before), None) => write!(f, ": was {before}")?,
            (None, None) => {}
        }
        write!(f, " ({})", self.reason)
    }
}

/// Every change from `old` to `new`, breaking ones first.
pub fn diff(old: &Spec, new: &Spec) -> Vec<Change> {
    let mut changes = Vec::new();
    diff_subjects(
        &old.operations,
        &new.operations,
        Subject::Operation,
        &mut changes,
    );
    // A notification diffs as what a receiver decodes: its decrypted resource,
    // read like a response.
    let events = |spec: &Spec| -> Vec<Operation> {
        spec.notifications
            .iter()
            .flat_map(|n| n.event_types.iter().map(move |e| receiver_view(n, e)))
            .collect()
    };
    diff_subjects(
        &events(old),
        &events(new),
        Subject::Notification,
        &mut changes,
    );
    changes.sort();
    changes
}

/// What was removed, added and changed between two lists of one kind.
fn diff_subjects(
    old: &[Operation],
    new: &[Operation],
    subject: Subject,
    changes: &mut Vec<Change>,
) {
    let old_ops: BTreeMap<String, &Operation> = old.iter().map(|o| (o.id(), o)).collect();
    let new_ops: BTreeMap<String, &Operation> = new.iter().map(|o| (o.id(), o)).collect();
    let (removed, added) = match subject {
        Subject::Operation => (
            "its request type and methods disappear",
            "new types and methods only",
        ),
        Subject::Notification => (
            "its `Event` variant and resource type disappear",
            "a new `Event` variant (receivers saw these events as `Unknown` before)",
        ),
    };
    for (id, op) in &old_ops {
        match new_ops.get(id) {
            None => changes.push(change(
                Class::Breaking,
                id,
                "",
                ChangeKind::OperationRemoved,
                removed.into(),
                Some(op.summary.clone()),
                None,
            )),
            Some(new_op) => diff_subject(op, new_op, changes),
        }
    }
    for (id, op) in &new_ops {
        if !old_ops.contains_key(id) {
            changes.push(change(
                Class::NonBreaking,
                id,
                "",
                ChangeKind::OperationAdded,
                added.into(),
                None,
                Some(op.summary.clone()),
            ));
        }
    }
}

/// Whether any change breaks users.
pub fn has_breaking(changes: &[Change]) -> bool {
    changes.iter().any(|c| c.class == Class::Breaking)
}

fn change(
    class: Class,
    operation: &str,
    location: &str,
    kind: ChangeKind,
    reason: String,
    before: Option<String>,
    after: Option<String>,
) -> Change {
    Change {
        class,
        operation: operation.to_owned(),
        location: location.to_owned(),
        kind,
        reason,
        before,
        after,
    }
}

fn docs_changed(changes: &mut Vec<Change>, id: &str, location: &str, before: &str, after: &str) {
    if before != after {
        changes.push(change(
            Class::NonBreaking,
            id,
            location,
            ChangeKind::DocumentationChanged,
            "documentation only".into(),
            Some(before.to_owned()),
            Some(after.to_owned()),
        ));
    }
}

fn body_required(op: &Operation) -> bool {
    match &op.request_body {
        Some(crate::RequestBody::Json { required, .. })
        | Some(crate::RequestBody::Xml { required, .. })
        | Some(crate::RequestBody::Multipart { required, .. }) => *required,
        None => false,
    }
}

fn response_kind(response: &Response) -> &'static str {
    match response {
        Response::Json { .. } => "json",
        Response::Xml { .. } => "xml",
        Response::Empty => "empty",
        Response::FileStream => "file_stream",
        Response::Redirect { .. } => "redirect",
        Response::Undocumented => "undocumented",
    }
}

/// What is being compared: the same structure, read by different code.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Subject {
    /// An operation: requests are built, responses decoded.
    Operation,
    /// A notification: a receiver decodes everything.
    Notification,
}

/// A notification as an operation for the diff: `POST webhook {event}`, with
/// its decrypted resource as the response (the envelope and the headers are
/// the runtime's, not the generated types').
fn receiver_view(notification: &Notification, event_type: &str) -> Operation {
    let mut op = Operation::new(
        Method::Post,
        format!("webhook {event_type}"),
        notification.summary.clone(),
        notification.source.clone(),
    );
    op.description = notification.description.clone();
    op.doc_links = notification.doc_links.clone();
    op.response = Response::Json {
        fields: notification.resource.clone(),
    };
    op
}

fn diff_subject(old: &Operation, new: &Operation, changes: &mut Vec<Change>) {
    let id = old.id();
    diff_docs(&id, old, new, changes);
    diff_shape(&id, old, new, changes);
    diff_fields(&id, old, new, changes);
}

/// What the page says of the operation: only docs change.
fn diff_docs(id: &str, old: &Operation, new: &Operation, changes: &mut Vec<Change>) {
    docs_changed(changes, id, "summary", &old.summary, &new.summary);
    docs_changed(
        changes,
        id,
        "description",
        &old.description,
        &new.description,
    );
    docs_changed(
        changes,
        id,
        "page_title",
        old.page_title.as_deref().unwrap_or(""),
        new.page_title.as_deref().unwrap_or(""),
    );
    docs_changed(
        changes,
        id,
        "doc_links",
        &old.doc_links.join(" "),
        &new.doc_links.join(" "),
    );
    let notices = |op: &Operation| -> String {
        op.notices
            .iter()
            .map(|n| format!("{}: {}", n.class, n.text))
            .collect::<Vec<_>>()
            .join("; ")
    };
    docs_changed(changes, id, "notices", &notices(old), &notices(new));
}

/// The operation's name, host, kind of response and which request groups
/// it always carries.
fn diff_shape(id: &str, old: &Operation, new: &Operation, changes: &mut Vec<Change>) {
    if old.name != new.name {
        changes.push(change(
            Class::Breaking,
            id,
            "name",
            ChangeKind::NameChanged,
            "the friendly method and type names change".into(),
            old.name.clone(),
            new.name.clone(),
        ));
    }
    if old.base_uri != new.base_uri {
        changes.push(change(
            Class::NonBreaking,
            id,
            "base_uri",
            ChangeKind::BaseUriChanged,
            "the runtime sends to the documented host by itself".into(),
            old.base_uri.clone(),
            new.base_uri.clone(),
        ));
    }
    if response_kind(&old.response) != response_kind(&new.response) {
        changes.push(change(
            Class::Breaking,
            id,
            "response",
            ChangeKind::ResponseKindChanged,
            "the operation's response type changes".into(),
            Some(response_kind(&old.response).into()),
            Some(response_kind(&new.response).into()),
        ));
    }
    let groups = [
        ("body", body_required(old), body_required(new)),
        (
            "query",
            old.query.as_ref().is_some_and(|q| q.required),
            new.query.as_ref().is_some_and(|q| q.required),
        ),
        (
            "headers",
            old.headers.as_ref().is_some_and(|h| h.required),
            new.headers.as_ref().is_some_and(|h| h.required),
        ),
    ];
    for (group, before, after) in groups {
        if before != after {
            changes.push(change(
                Class::NonBreaking,
                id,
                group,
                ChangeKind::RequiredChanged,
                "the generated request always carries the group; its fields say what is required"
                    .into(),
                Some(before.to_string()),
                Some(after.to_string()),
            ));
        }
    }
}

/// Its fields, each by its path: changed, removed, added, or moved from one
/// type to another.
fn diff_fields(id: &str, old: &Operation, new: &Operation, changes: &mut Vec<Change>) {
    let old_fields = flatten(old);
    let new_fields = flatten(new);
    let mut removed: Vec<(&FieldPath, &Field)> = Vec::new();
    let mut added: Vec<(&FieldPath, &Field)> = Vec::new();
    for (path, field) in &old_fields {
        match new_fields.get(path) {
            Some(new_field) => diff_field(id, path, field, new_field, changes),
            None if !has_missing_parent(path, &old_fields, &new_fields) => {
                removed.push((path, field))
            }
            None => {}
        }
    }
    for (path, field) in &new_fields {
        if !old_fields.contains_key(path) && !has_missing_parent(path, &new_fields, &old_fields) {
            added.push((path, field));
        }
    }
    // A field gone from one place and new in another, with its name and type: moved.
    let mut moved_to = Vec::new();
    for (from, old_field) in &removed {
        if let Some(position) = added.iter().position(|(to, new_field)| {
            to.section == from.section
                && new_field.name == old_field.name
                && new_field.type_name() == old_field.type_name()
                && !moved_to.contains(to)
        }) {
            let (to, _) = added[position];
            moved_to.push(to);
            changes.push(change(
                Class::Breaking,
                id,
                &from.to_string(),
                ChangeKind::FieldMoved,
                "the field belongs to another type now".into(),
                Some(from.to_string()),
                Some(to.to_string()),
            ));
        } else {
            changes.push(change(
                Class::Breaking,
                id,
                &from.to_string(),
                ChangeKind::FieldRemoved,
                if from.section.is_request() {
                    "code that sets it no longer compiles".into()
                } else {
                    "code that reads it no longer compiles".into()
                },
                Some(old_field.type_name()),
                None,
            ));
        }
    }
    for (path, field) in added {
        if moved_to.contains(&path) {
            continue;
        }
        let (class, reason) = if path.section.is_request() && field.required {
            (
                Class::Breaking,
                "a new required request field: constructors take it, and payloads without it are invalid",
            )
        } else if path.section.is_request() {
            (
                Class::NonBreaking,
                "a new optional request field: a new setter",
            )
        } else {
            // Answer and event fields are `Option` whatever the page marks,
            // so an event sent without the new field still decodes.
            (
                Class::NonBreaking,
                "a new answer or event field: an `Option` in a non-exhaustive type",
            )
        };
        changes.push(change(
            class,
            id,
            &path.to_string(),
            ChangeKind::FieldAdded,
            reason.into(),
            None,
            Some(format!(
                "{}{}",
                field.type_name(),
                if field.required { ", required" } else { "" }
            )),
        ));
    }
}

/// Whether an ancestor of `path` is also missing from `other` (so only the
/// topmost missing field is reported).
fn has_missing_parent(
    path: &FieldPath,
    own: &BTreeMap<FieldPath, &Field>,
    other: &BTreeMap<FieldPath, &Field>,
) -> bool {
    (1..path.names.len()).any(|len| {
        let parent = FieldPath::new(path.section, path.names[..len].iter().cloned());
        own.contains_key(&parent) && !other.contains_key(&parent)
    })
}

fn flatten(op: &Operation) -> BTreeMap<FieldPath, &Field> {
    fn visit<'a>(
        section: Section,
        prefix: &[String],
        fields: &'a [Field],
        out: &mut BTreeMap<FieldPath, &'a Field>,
    ) {
        for field in fields {
            let mut names = prefix.to_vec();
            names.push(field.name.clone());
            visit(section, &names, &field.children, out);
            out.insert(FieldPath::new(section, names), field);
        }
    }
    let mut out = BTreeMap::new();
    visit(Section::Path, &[], &op.path_params, &mut out);
    if let Some(query) = &op.query {
        visit(Section::Query, &[], &query.fields, &mut out);
    }
    if let Some(headers) = &op.headers {
        visit(Section::Headers, &[], &headers.fields, &mut out);
    }
    visit(Section::Body, &[], op.body_fields(), &mut out);
    visit(Section::Response, &[], op.response_fields(), &mut out);
    visit(Section::Errors, &[], &op.error_fields, &mut out);
    out
}

fn limits_text(limits: &Limits) -> String {
    serde_json::to_string(limits).unwrap_or_default()
}

/// Whether `new` accepts less than `old` (a request payload valid before may be refused).
fn tighter(old: &Limits, new: &Limits) -> bool {
    let lower = |o: Option<u32>, n: Option<u32>| n.unwrap_or(0) > o.unwrap_or(0);
    let upper = |o: Option<u32>, n: Option<u32>| match (o, n) {
        (_, None) => false,
        (None, Some(_)) => true,
        (Some(o), Some(n)) => n < o,
    };
    lower(old.min_length, new.min_length)
        || upper(old.max_length, new.max_length)
        || lower(old.min_items, new.min_items)
        || upper(old.max_items, new.max_items)
        || (new.pattern.is_some() && new.pattern != old.pattern)
        || new.minimum.unwrap_or(i64::MIN) > old.minimum.unwrap_or(i64::MIN)
        || new.maximum.unwrap_or(i64::MAX) < old.maximum.unwrap_or(i64::MAX)
}

fn diff_field(id: &str, path: &FieldPath, old: &Field, new: &Field, changes: &mut Vec<Change>) {
    let at = path.to_string();
    let request = path.section.is_request();
    if old.type_name() != new.type_name() {
        changes.push(change(
            Class::Breaking,
            id,
            &at,
            ChangeKind::TypeChanged,
            "the field's Rust type and JSON Schema type change".into(),
            Some(old.type_name()),
            Some(new.type_name()),
        ));
    }
    if old.required != new.required {
        let (class, reason) = required_change(request, new.required);
        changes.push(change(
            class,
            id,
            &at,
            ChangeKind::RequiredChanged,
            reason.into(),
            Some(old.required.to_string()),
            Some(new.required.to_string()),
        ));
    }
    if old.enum_values != new.enum_values {
        let (class, reason) = enum_change(&old.enum_values, &new.enum_values);
        changes.push(change(
            class,
            id,
            &at,
            ChangeKind::EnumChanged,
            reason,
            Some(old.enum_values.join("|")),
            Some(new.enum_values.join("|")),
        ));
    }
    if old.encrypted != new.encrypted {
        let (class, reason) = if request {
            (
                Class::Breaking,
                "callers must change how they fill the field",
            )
        } else {
            (
                Class::NonBreaking,
                "the value's meaning changes, not its type",
            )
        };
        changes.push(change(
            class,
            id,
            &at,
            ChangeKind::EncryptionChanged,
            reason.into(),
            old.encrypted.clone(),
            new.encrypted.clone(),
        ));
    }
    if old.encoded.is_some() != new.encoded.is_some() {
        changes.push(change(
            Class::Breaking,
            id,
            &at,
            ChangeKind::EncodingChanged,
            "a JSON-encoded string has another Rust type than a plain string".into(),
            old.encoded.clone(),
            new.encoded.clone(),
        ));
    }
    for (old_limits, new_limits, what) in [
        (&old.limits, &new.limits, "limits"),
        (&old.item_limits, &new.item_limits, "item limits"),
    ] {
        if old_limits != new_limits {
            let (class, reason) = if request && tighter(old_limits, new_limits) {
                (
                    Class::Breaking,
                    format!("tighter request {what}: payloads valid before may be refused"),
                )
            } else {
                (
                    Class::NonBreaking,
                    format!("{what} changed; nothing valid before is refused"),
                )
            };
            changes.push(change(
                class,
                id,
                &at,
                ChangeKind::LimitsChanged,
                reason,
                Some(limits_text(old_limits)),
                Some(limits_text(new_limits)),
            ));
        }
    }
    if old.default_value != new.default_value || old.constant != new.constant {
        changes.push(change(
            Class::NonBreaking,
            id,
            &at,
            ChangeKind::ValueChanged,
            "documented default or fixed value; types unchanged".into(),
            Some(format!("{:?}/{:?}", old.default_value, old.constant)),
            Some(format!("{:?}/{:?}", new.default_value, new.constant)),
        ));
    }
    field_docs_changed(id, &at, old, new, changes);
}

/// What a change of a field's required mark does: the request's
/// constructor changes; an answer's field is an `Option` either way.
fn required_change(request: bool, now_required: bool) -> (Class, &'static str) {
    match (request, now_required) {
        (true, true) => (
            Class::Breaking,
            "a request field became required: constructors take it, and payloads without it are invalid",
        ),
        (true, false) => (
            Class::Breaking,
            "a request field became optional: it leaves the constructor for a setter",
        ),
        // The generator makes every answer field an `Option` (the answer
        // tables merge product variants and mark conditional fields
        // required), so the page's mark reaches only the field's docs.
        (false, _) => (
            Class::NonBreaking,
            "answer fields are `Option` whatever the page marks: only the field's docs change",
        ),
    }
}

/// What a change of a field's documented values does: a removed value or a
/// new enum breaks, added values do not (the enums are open).
fn enum_change(old: &[String], new: &[String]) -> (Class, String) {
    let removed: Vec<&String> = old.iter().filter(|v| !new.contains(v)).collect();
    if !removed.is_empty() {
        (
            Class::Breaking,
            format!("values removed ({removed:?}): their enum variants disappear"),
        )
    } else if old.is_empty() {
        (
            Class::Breaking,
            "a free string becomes an enum type".to_owned(),
        )
    } else {
        (
            Class::NonBreaking,
            "values added: the enums are non-exhaustive".to_owned(),
        )
    }
}

/// The field's description, note and tooltip: docs only.
fn field_docs_changed(id: &str, at: &str, old: &Field, new: &Field, changes: &mut Vec<Change>) {
    docs_changed(changes, id, at, &old.description, &new.description);
    docs_changed(
        changes,
        id,
        &format!("{at} (note)"),
        old.note.as_deref().unwrap_or(""),
        new.note.as_deref().unwrap_or(""),
    );
    docs_changed(
        changes,
        id,
        &format!("{at} (tooltip)"),
        old.tooltip.as_deref().unwrap_or(""),
        new.tooltip.as_deref().unwrap_or(""),
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Kind, NotificationFormat, RequestBody, Source};

    fn events(resource: Vec<Field>, event_types: &[&str]) -> Spec {
        Spec::new(Vec::new()).with_notifications(vec![Notification {
            event_types: event_types.iter().map(|e| e.to_string()).collect(),
            summary: "领券事件".into(),
            description: String::new(),
            doc_links: Vec::new(),
            source: Source {
                page: "webhook/v3/COUPON.SEND.md".into(),
                line: 6,
            },
            format: NotificationFormat::Json,
            headers: Vec::new(),
            envelope: Vec::new(),
            algorithm: Some("AEAD_AES_256_GCM".into()),
            original_types: Vec::new(),
            resource,
        }])
    }

    #[test]
    fn notification_changes_are_classified_for_receivers() {
        let code = Field::new("coupon_code", Kind::String, 1);
        let old = events(vec![code.clone()], &["COUPON.SEND"]);
        let mut required = Field::new("openid", Kind::String, 2);
        required.required = true;
        let optional = Field::new("unionid", Kind::String, 3);
        let new = events(
            vec![code.clone(), required, optional],
            &["COUPON.SEND", "COUPON.NEW"],
        );
        let changes = diff(&old, &new);
        let find = |location: &str, kind: ChangeKind| {
            changes
                .iter()
                .find(|c| c.location.contains(location) && c.kind == kind)
                .unwrap_or_else(|| panic!("{location} {kind:?} in {changes:#?}"))
        };
        // Marked required or not, a new event field is an `Option`.
        assert_eq!(
            find("openid", ChangeKind::FieldAdded).class,
            Class::NonBreaking
        );
        assert_eq!(
            find("unionid", ChangeKind::FieldAdded).class,
            Class::NonBreaking
        );
        let added = changes
            .iter()
            .find(|c| c.kind == ChangeKind::OperationAdded)
            .unwrap();
        assert_eq!(
            (added.class, added.operation.as_str()),
            (Class::NonBreaking, "POST webhook COUPON.NEW")
        );
        let gone = diff(&new, &events(vec![code], &["COUPON.SEND"]));
        assert!(
            gone.iter()
                .any(|c| c.kind == ChangeKind::OperationRemoved && c.class == Class::Breaking)
        );
    }

    fn op(fields: Vec<Field>, response: Vec<Field>) -> Spec {
        let mut operation = Operation::new(
            Method::Post,
            "/v3/x",
            "s",
            Source {
                page: "p".into(),
                line: 1,
            },
        );
        operation.required_marked = true;
        operation.request_body = Some(RequestBody::Json {
            required: true,
            fields,
        });
        operation.response = Response::Json { fields: response };
        Spec::new(vec![operation])
    }

    fn field(name: &str, kind: Kind) -> Field {
        Field::new(name, kind, 1)
    }

    #[test]
    fn identical_specs_have_no_changes() {
        let spec = op(
            vec![field("a", Kind::String)],
            vec![field("b", Kind::Integer)],
        );
        assert!(diff(&spec, &spec).is_empty());
    }

    #[test]
    fn required_and_description_changes_are_classified() {
        let old = op(
            vec![field("a", Kind::String)],
            vec![field("b", Kind::Integer)],
        );
        let mut a = field("a", Kind::String);
        a.required = true;
        let mut b = field("b", Kind::Integer);
        b.description = "new words".into();
        let new = op(vec![a], vec![b]);
        let changes = diff(&old, &new);
        assert_eq!(changes.len(), 2, "{changes:#?}");
        assert_eq!(
            (changes[0].kind, changes[0].class),
            (ChangeKind::RequiredChanged, Class::Breaking)
        );
        assert_eq!(changes[0].location, "body.a");
        assert_eq!(
            (changes[1].kind, changes[1].class),
            (ChangeKind::DocumentationChanged, Class::NonBreaking)
        );
    }

    /// Answer fields are `Option` whatever the page marks, so a changed mark
    /// on the answer side breaks nobody; on the request side it changes the
    /// constructor.
    #[test]
    fn a_required_mark_breaks_requests_only() {
        let old = op(
            vec![field("a", Kind::String)],
            vec![field("b", Kind::Integer)],
        );
        let mut a = field("a", Kind::String);
        a.required = true;
        let mut b = field("b", Kind::Integer);
        b.required = true;
        let changes = diff(&old, &op(vec![a], vec![b]));
        let verdicts: Vec<(&str, ChangeKind, Class)> = changes
            .iter()
            .map(|c| (c.location.as_str(), c.kind, c.class))
            .collect();
        assert_eq!(
            verdicts,
            [
                ("body.a", ChangeKind::RequiredChanged, Class::Breaking),
                (
                    "response.b",
                    ChangeKind::RequiredChanged,
                    Class::NonBreaking
                ),
            ]
        );
    }

    #[test]
    fn moves_are_one_change_and_subtrees_are_reported_once() {
        let mut parent = field("p", Kind::Object);
        parent.children = vec![field("leaf", Kind::String)];
        let old = op(vec![parent.clone(), field("leaf2", Kind::String)], vec![]);
        let mut moved = parent.clone();
        moved.children.push(field("leaf2", Kind::String));
        let new = op(vec![moved], vec![]);
        let changes = diff(&old, &new);
        assert_eq!(changes.len(), 1, "{changes:#?}");
        assert_eq!(changes[0].kind, ChangeKind::FieldMoved);
        let removed = diff(&old, &op(vec![field("leaf2", Kind::String)], vec![]));
        assert_eq!(
            removed.len(),
            1,
            "the children of a removed object are not reported: {removed:#?}"
        );
        assert_eq!(removed[0].kind, ChangeKind::FieldRemoved);
    }

    #[test]
    fn enum_additions_do_not_break_removals_do() {
        let mut old_field = field("s", Kind::String);
        old_field.enum_values = vec!["A".into(), "B".into()];
        let mut added = old_field.clone();
        added.enum_values.push("C".into());
        let mut removed = old_field.clone();
        removed.enum_values.pop();
        let old = op(vec![old_field], vec![]);
        assert_eq!(
            diff(&old, &op(vec![added], vec![]))[0].class,
            Class::NonBreaking
        );
        assert_eq!(
            diff(&old, &op(vec![removed], vec![]))[0].class,
            Class::Breaking
        );
    }
}
