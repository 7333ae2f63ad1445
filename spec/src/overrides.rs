//! The overrides file: reviewed facts the docs tables do not state (limits, names,
//! corrections), kept as data beside the spec rather than as code.
//!
//! Every entry names the operation and field it applies to and gives a reason.
//! Applying an entry that matches nothing is an error: when the docs change, a
//! stale override must be noticed, not silently ignored.

use std::collections::BTreeSet;

use serde::Deserialize;

use crate::{Field, FieldPath, Kind, Limits, Method, Notification, Operation, Section, Spec};

/// The whole overrides file.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Overrides {
    /// One entry per operation.
    #[serde(default, rename = "operation")]
    pub operations: Vec<OperationOverride>,
    /// One entry per notification.
    #[serde(default, rename = "notification")]
    pub notifications: Vec<NotificationOverride>,
}

/// Overrides for one notification page, named by an event type it lists.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NotificationOverride {
    /// An event type of the page (`TRANSACTION.SUCCESS`).
    pub event_type: String,
    /// Field overrides, at `resource.<name>...`.
    #[serde(default, rename = "field")]
    pub fields: Vec<FieldOverride>,
}

/// Overrides for one operation.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OperationOverride {
    /// The operation's method.
    pub method: Method,
    /// The operation's path template.
    pub path: String,
    /// A friendly snake_case name, used for the convenience API.
    pub name: Option<String>,
    /// Why the name was chosen.
    pub reason: Option<String>,
    /// Field overrides.
    #[serde(default, rename = "field")]
    pub fields: Vec<FieldOverride>,
}

/// Overrides for one field (or, with a trailing `[]` in `at`, for its items).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FieldOverride {
    /// The field's address, e.g. `body.coupon_code_list[]`.
    pub at: String,
    /// Where the fact comes from and why it is right.
    pub reason: String,
    /// Adds the field, which the page leaves out, with this type as the docs
    /// write types (`integer`, `object[]`): for fields real traffic carries,
    /// from the official SDKs' models. Its parent must be documented (or
    /// added by an earlier entry), and it must not be: once the page
    /// documents it, the entry is stale and fails.
    pub add: Option<String>,
    /// The description of an added field.
    pub description: Option<String>,
    /// Whether the field is required.
    pub required: Option<bool>,
    /// The JSON type of the value, when the docs' type is wrong.
    pub kind: Option<Kind>,
    /// Values that replace the documented enumeration.
    pub enum_values: Option<Vec<String>>,
    /// Values added to the documented enumeration.
    pub extra_enum_values: Option<Vec<String>>,
    /// A note for the generated documentation.
    pub note: Option<String>,
    /// Minimum string length.
    pub min_length: Option<u32>,
    /// Maximum string length.
    pub max_length: Option<u32>,
    /// Pattern every string must match.
    pub pattern: Option<String>,
    /// Minimum array length.
    pub min_items: Option<u32>,
    /// Maximum array length.
    pub max_items: Option<u32>,
    /// Smallest number.
    pub minimum: Option<i64>,
    /// Largest number.
    pub maximum: Option<i64>,
}

/// Why the overrides could not be read or applied.
#[derive(Debug, thiserror::Error)]
pub enum OverrideError {
    /// The file is not valid TOML of this shape.
    #[error("{file}: {source}")]
    Parse {
        /// The overrides file.
        file: String,
        /// What went wrong, with its position.
        source: toml::de::Error,
    },
    /// An entry applies to no operation of the spec.
    #[error(
        "{file}: override for `{method} {path}` matches no documented operation (was it renamed or removed from the docs?)"
    )]
    NoSuchOperation {
        /// The overrides file.
        file: String,
        /// The method of the entry.
        method: Method,
        /// The path of the entry.
        path: String,
    },
    /// A field entry applies to no field of the operation.
    #[error("{file}: override `{at}` of `{operation}` matches no documented field")]
    NoSuchField {
        /// The overrides file.
        file: String,
        /// The operation id.
        operation: String,
        /// The field address.
        at: String,
    },
    /// A notification entry names an event type no notification page lists.
    #[error("{file}: override for notification `{event_type}` matches no documented notification")]
    NoSuchNotification {
        /// The overrides file.
        file: String,
        /// The event type of the entry.
        event_type: String,
    },
    /// A field entry cannot apply to that field.
    #[error("{file}: override `{at}` of `{operation}`: {reason}")]
    Invalid {
        /// The overrides file.
        file: String,
        /// The operation id.
        operation: String,
        /// The field address.
        at: String,
        /// What is wrong.
        reason: String,
    },
}

impl Overrides {
    /// Reads an overrides file; `file` names it in errors.
    pub fn from_toml(text: &str, file: &str) -> Result<Self, OverrideError> {
        toml::from_str(text).map_err(|source| OverrideError::Parse {
            file: file.to_owned(),
            source,
        })
    }

    /// Applies every entry to `spec`, recording each changed fact in the
    /// `overridden` map of what it changed.
    pub fn apply(&self, spec: &mut Spec, file: &str) -> Result<(), OverrideError> {
        for entry in &self.operations {
            let Some(operation) = spec
                .operations
                .iter_mut()
                .find(|op| op.method == entry.method && op.path == entry.path)
            else {
                return Err(OverrideError::NoSuchOperation {
                    file: file.to_owned(),
                    method: entry.method,
                    path: entry.path.clone(),
                });
            };
            if let Some(name) = &entry.name {
                operation.name = Some(name.clone());
                operation.overridden.insert(
                    "name".to_owned(),
                    entry
                        .reason
                        .clone()
                        .unwrap_or_else(|| "friendly name for the convenience API".to_owned()),
                );
            }
            for field in &entry.fields {
                apply_field(&mut Target::Operation(operation), field, file)?;
            }
        }
        for entry in &self.notifications {
            let Some(notification) = spec.notification_mut(&entry.event_type) else {
                return Err(OverrideError::NoSuchNotification {
                    file: file.to_owned(),
                    event_type: entry.event_type.clone(),
                });
            };
            for field in &entry.fields {
                apply_field(&mut Target::Notification(notification), field, file)?;
            }
        }
        Ok(())
    }
}

/// What a field entry applies to.
enum Target<'a> {
    Operation(&'a mut Operation),
    Notification(&'a mut Notification),
}

impl Target<'_> {
    /// How errors name it: `POST /v3/...`, or `notification TRANSACTION.SUCCESS`.
    fn id(&self) -> String {
        match self {
            Target::Operation(operation) => operation.id(),
            Target::Notification(notification) => {
                format!("notification {}", notification.event_types.join(", "))
            }
        }
    }

    fn field_mut(&mut self, path: &FieldPath) -> Option<&mut Field> {
        match self {
            Target::Operation(operation) => operation.field_mut(path),
            Target::Notification(notification) => (path.section == Section::Resource)
                .then(|| crate::find_field_mut(&mut notification.resource, &path.names))
                .flatten(),
        }
    }

    /// The list a field at `path` is (or would be) in, with the line of the
    /// row that holds it (for an added field, which has no row of its own).
    fn siblings_mut(&mut self, path: &FieldPath) -> Option<(&mut Vec<Field>, u32)> {
        let (_, parents) = path.names.split_last()?;
        let (top, line) = match self {
            Target::Operation(operation) => {
                let line = operation.source.line;
                let top = match path.section {
                    Section::Path => Some(&mut operation.path_params),
                    Section::Query => operation.query.as_mut().map(|q| &mut q.fields),
                    Section::Headers => operation.headers.as_mut().map(|h| &mut h.fields),
                    Section::Body => match &mut operation.request_body {
                        Some(crate::RequestBody::Json { fields, .. })
                        | Some(crate::RequestBody::Xml { fields, .. })
                        | Some(crate::RequestBody::Multipart { parts: fields, .. }) => Some(fields),
                        None => None,
                    },
                    Section::Response => match &mut operation.response {
                        crate::Response::Json { fields } | crate::Response::Xml { fields } => {
                            Some(fields)
                        }
                        _ => None,
                    },
                    Section::Errors => Some(&mut operation.error_fields),
                    Section::Resource => None,
                };
                (top?, line)
            }
            Target::Notification(notification) => {
                if path.section != Section::Resource {
                    return None;
                }
                (&mut notification.resource, notification.source.line)
            }
        };
        if parents.is_empty() {
            return Some((top, line));
        }
        let parent = crate::find_field_mut(top, parents)?;
        let line = parent.line;
        Some((&mut parent.children, line))
    }
}

/// Adds the field `path` names, as the entry describes it.
fn add_field(
    target: &mut Target<'_>,
    path: &FieldPath,
    entry: &FieldOverride,
    type_name: &str,
) -> Result<(), String> {
    let name = path.names.last().expect("addresses name a field");
    let mut base = type_name.trim();
    let mut array_depth = 0u8;
    while let Some(inner) = base.strip_suffix("[]") {
        base = inner;
        array_depth += 1;
    }
    let kind = Kind::from_name(base).ok_or_else(|| {
        format!("`add = {type_name:?}` is not a type (string, integer, number, boolean, object, any; `[]` for arrays)")
    })?;
    let Some((siblings, line)) = target.siblings_mut(path) else {
        return Err("the field it would be added to is not documented".into());
    };
    if siblings.iter().any(|f| &f.name == name) {
        return Err(format!(
            "the page documents `{name}` now: remove the `add` entry (or keep only what it still corrects)"
        ));
    }
    let mut field = Field::new(name.clone(), kind, line);
    field.array_depth = array_depth;
    field.description = entry.description.clone().unwrap_or_default();
    field
        .overridden
        .insert("added".to_owned(), entry.reason.clone());
    siblings.push(field);
    Ok(())
}

fn apply_field(
    target: &mut Target<'_>,
    entry: &FieldOverride,
    file: &str,
) -> Result<(), OverrideError> {
    let operation_id = target.id();
    let invalid = |reason: String| OverrideError::Invalid {
        file: file.to_owned(),
        operation: operation_id.clone(),
        at: entry.at.clone(),
        reason,
    };
    let path: FieldPath = entry.at.parse().map_err(|e| invalid(format!("{e}")))?;
    if let Some(type_name) = &entry.add {
        if path.items {
            return Err(invalid("`add` names a field, not the items of one".into()));
        }
        add_field(target, &path, entry, type_name).map_err(invalid)?;
    } else if entry.description.is_some() {
        return Err(invalid(
            "`description` describes an added field; the docs describe the others".into(),
        ));
    }
    let Some(field) = target.field_mut(&path) else {
        return Err(OverrideError::NoSuchField {
            file: file.to_owned(),
            operation: operation_id.clone(),
            at: entry.at.clone(),
        });
    };
    if path.items && !field.is_array() {
        return Err(invalid(format!(
            "`[]` addresses array items, but `{}` is `{}`",
            field.name,
            field.type_name()
        )));
    }
    let mut changed: BTreeSet<&'static str> = BTreeSet::new();
    let prefix = if path.items { "items." } else { "" };

    if let Some(required) = entry.required {
        if path.items {
            return Err(invalid(
                "`required` applies to a field, not to its items".into(),
            ));
        }
        update(
            &mut field.required,
            Some(required),
            "required",
            &mut changed,
        );
    }
    update(&mut field.kind, entry.kind, "kind", &mut changed);
    update(
        &mut field.enum_values,
        entry.enum_values.clone(),
        "enum_values",
        &mut changed,
    );
    for value in entry.extra_enum_values.iter().flatten() {
        if !field.enum_values.contains(value) {
            field.enum_values.push(value.clone());
            changed.insert("enum_values");
        }
    }
    update(
        &mut field.note,
        entry.note.clone().map(Some),
        "note",
        &mut changed,
    );
    let limits: &mut Limits = if path.items {
        &mut field.item_limits
    } else {
        &mut field.limits
    };
    apply_limits(limits, entry, &mut changed).map_err(invalid)?;
    for attribute in changed {
        field
            .overridden
            .insert(format!("{prefix}{attribute}"), entry.reason.clone());
    }
    Ok(())
}

/// The limits an override sets, on the field or its items, each noted in
/// `changed`; bounds that contradict each other are refused.
fn apply_limits(
    limits: &mut Limits,
    entry: &FieldOverride,
    changed: &mut BTreeSet<&'static str>,
) -> Result<(), String> {
    let wrap = |v: Option<u32>| v.map(Some);
    update(
        &mut limits.min_length,
        wrap(entry.min_length),
        "min_length",
        changed,
    );
    update(
        &mut limits.max_length,
        wrap(entry.max_length),
        "max_length",
        changed,
    );
    update(
        &mut limits.min_items,
        wrap(entry.min_items),
        "min_items",
        changed,
    );
    update(
        &mut limits.max_items,
        wrap(entry.max_items),
        "max_items",
        changed,
    );
    update(
        &mut limits.pattern,
        entry.pattern.clone().map(Some),
        "pattern",
        changed,
    );
    update(
        &mut limits.minimum,
        entry.minimum.map(Some),
        "minimum",
        changed,
    );
    update(
        &mut limits.maximum,
        entry.maximum.map(Some),
        "maximum",
        changed,
    );
    if let (Some(min), Some(max)) = (limits.min_length, limits.max_length)
        && min > max
    {
        return Err(format!("min_length {min} > max_length {max}"));
    }
    if let (Some(min), Some(max)) = (limits.min_items, limits.max_items)
        && min > max
    {
        return Err(format!("min_items {min} > max_items {max}"));
    }
    Ok(())
}

/// Sets `slot` to `value` when one is given and differs, noting the attribute as changed.
fn update<T: PartialEq>(
    slot: &mut T,
    value: Option<T>,
    attribute: &'static str,
    changed: &mut BTreeSet<&'static str>,
) {
    if let Some(value) = value
        && *slot != value
    {
        *slot = value;
        changed.insert(attribute);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::{Field, Params, RequestBody, Response, Source};

    fn spec() -> Spec {
        let mut list = Field::new("coupon_code_list", Kind::String, 9);
        list.array_depth = 1;
        let mut offset = Field::new("offset", Kind::Number, 12);
        offset.description = "分页页码".into();
        let mut operation = Operation::new(
            Method::Post,
            "/v3/x/{id}",
            "upload",
            Source {
                page: "openapi/v3/x/{id}.md".into(),
                line: 1,
            },
        );
        operation.required_marked = true;
        operation.path_params = vec![Field::new("id", Kind::String, 8)];
        operation.query = Some(Params {
            required: false,
            fields: vec![offset],
        });
        operation.request_body = Some(RequestBody::Json {
            required: true,
            fields: vec![list],
        });
        operation.response = Response::Empty;
        Spec::new(vec![operation])
    }

    const FILE: &str = r#"
[[operation]]
method = "POST"
path = "/v3/x/{id}"
name = "upload"

[[operation.field]]
at = "body.coupon_code_list"
required = true
max_items = 200
reason = "at most 200 codes a request"

[[operation.field]]
at = "body.coupon_code_list[]"
max_length = 32
reason = "codes are 1-32 characters"

[[operation.field]]
at = "query.offset"
kind = "integer"
reason = "an index, not a float"
"#;

    #[test]
    fn applies_and_records_provenance() {
        let mut spec = spec();
        Overrides::from_toml(FILE, "overrides.toml")
            .unwrap()
            .apply(&mut spec, "overrides.toml")
            .unwrap();
        let op = &spec.operations[0];
        assert_eq!(op.name.as_deref(), Some("upload"));
        let list = op.field(&"body.coupon_code_list".parse().unwrap()).unwrap();
        assert!(list.required);
        assert_eq!(list.limits.max_items, Some(200));
        assert_eq!(list.item_limits.max_length, Some(32));
        assert_eq!(
            list.overridden.keys().collect::<Vec<_>>(),
            ["items.max_length", "max_items", "required"]
        );
        let offset = op.field(&"query.offset".parse().unwrap()).unwrap();
        assert_eq!(offset.kind, Kind::Integer);
        assert_eq!(offset.overridden["kind"], "an index, not a float");
    }

    #[test]
    fn stale_entries_are_errors() {
        let mut spec = spec();
        let text = FILE.replace("body.coupon_code_list[]", "body.codes[]");
        let err = Overrides::from_toml(&text, "o.toml")
            .unwrap()
            .apply(&mut spec, "o.toml")
            .unwrap_err();
        assert!(
            err.to_string()
                .contains("`body.codes[]` of `POST /v3/x/{id}` matches no documented field"),
            "{err}"
        );
        let text = FILE.replace("/v3/x/{id}", "/v3/y");
        let err = Overrides::from_toml(&text, "o.toml")
            .unwrap()
            .apply(&mut spec, "o.toml")
            .unwrap_err();
        assert!(
            matches!(err, OverrideError::NoSuchOperation { .. }),
            "{err}"
        );
    }

    #[test]
    fn items_of_a_scalar_are_rejected() {
        let mut spec = spec();
        let text = "[[operation]]\nmethod = \"POST\"\npath = \"/v3/x/{id}\"\n[[operation.field]]\nat = \"path.id[]\"\nmax_length = 3\nreason = \"r\"\n";
        let err = Overrides::from_toml(text, "o.toml")
            .unwrap()
            .apply(&mut spec, "o.toml")
            .unwrap_err();
        assert!(err.to_string().contains("addresses array items"), "{err}");
    }

    #[test]
    fn contradicting_bounds_are_rejected_with_the_field() {
        let mut spec = spec();
        let text = "[[operation]]\nmethod = \"POST\"\npath = \"/v3/x/{id}\"\n[[operation.field]]\nat = \"body.coupon_code_list[]\"\nmin_length = 40\nmax_length = 32\nreason = \"r\"\n";
        let err = Overrides::from_toml(text, "o.toml")
            .unwrap()
            .apply(&mut spec, "o.toml")
            .unwrap_err();
        assert!(
            matches!(&err, OverrideError::Invalid { at, reason, .. }
                if at == "body.coupon_code_list[]" && reason == "min_length 40 > max_length 32"),
            "{err}"
        );
    }

    #[test]
    fn unknown_keys_are_parse_errors_with_position() {
        let err = Overrides::from_toml("[[operation]]\nmethd = \"GET\"\n", "o.toml").unwrap_err();
        let text = err.to_string();
        assert!(text.starts_with("o.toml:"), "{text}");
        assert!(text.contains("methd"), "{text}");
    }
}
