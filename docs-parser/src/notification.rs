//! Notification pages (`webhook/v3/*.md`, `webhook/v2/*.md`): the same table
//! grammar as an operation's request, read as what WeChat Pay sends. The body's
//! `resource` object holds the encryption parameters and a `ciphertext` whose
//! decrypted fields follow a `{colspan=3 .im-table-line}` separator row: those
//! fields are the event's payload.

use wechatpay_spec::{Field, Notification, NotificationFormat, Operation, RequestBody};

/// A page's operation as a notification, or why it cannot be one (line, message).
pub(crate) fn from_operation(operation: Operation) -> Result<Notification, (u32, String)> {
    let line = operation.source.line;
    let page_event = operation
        .source
        .page
        .rsplit('/')
        .next()
        .and_then(|file| file.strip_suffix(".md"))
        .unwrap_or_default()
        .to_owned();
    let headers = operation.headers.map(|h| h.fields).unwrap_or_default();
    // APIv2 pages describe their XML document under a `body` row too.
    let v2 = operation.source.page.contains("/v2/");
    let (format, body) = match operation.request_body {
        Some(RequestBody::Json { fields, .. })
        | Some(RequestBody::Multipart { parts: fields, .. }) => {
            let format = if v2 {
                NotificationFormat::Xml
            } else {
                NotificationFormat::Json
            };
            (format, fields)
        }
        Some(RequestBody::Xml { fields, .. }) => (NotificationFormat::Xml, fields),
        None => {
            return Err((
                line,
                "a notification page needs a `body` (or `xml`) row with the fields sent".into(),
            ));
        }
    };
    let mut notification = Notification {
        event_types: Vec::new(),
        summary: operation.summary,
        description: operation.description,
        doc_links: operation.doc_links,
        source: operation.source,
        format,
        headers,
        envelope: Vec::new(),
        algorithm: None,
        original_types: Vec::new(),
        resource: Vec::new(),
    };
    if format == NotificationFormat::Xml {
        notification.event_types = vec![page_event];
        notification.resource = body;
        return Ok(notification);
    }
    let mut envelope = body;
    notification.event_types = envelope
        .iter()
        .find(|f| f.name == "event_type")
        .map(|f| f.enum_values.clone())
        .filter(|values| !values.is_empty())
        .unwrap_or_else(|| vec![page_event]);
    let Some(resource) = envelope.iter_mut().find(|f| f.name == "resource") else {
        return Err((
            line,
            "a JSON notification's body has no `resource` row".into(),
        ));
    };
    let enum_of = |resource: &Field, name: &str| {
        resource
            .children
            .iter()
            .find(|f| f.name == name)
            .map(|f| f.enum_values.clone())
            .unwrap_or_default()
    };
    notification.algorithm = enum_of(resource, "algorithm").into_iter().next();
    notification.original_types = enum_of(resource, "original_type");
    let Some(ciphertext) = resource
        .children
        .iter_mut()
        .find(|f| f.name == "ciphertext")
    else {
        return Err((
            resource.line,
            "the `resource` row has no `ciphertext` row".into(),
        ));
    };
    if ciphertext.children.is_empty() {
        return Err((
            ciphertext.line,
            "no decrypted fields after `ciphertext` (expected a `{colspan=3 .im-table-line}` row, then the fields one level deeper)".into(),
        ));
    }
    // The ciphertext is a string on the wire; its fields are the decrypted resource.
    notification.resource = std::mem::take(&mut ciphertext.children);
    ciphertext.encoded = None;
    notification.envelope = envelope;
    Ok(notification)
}
