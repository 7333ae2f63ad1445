//! Doc comments from the spec: descriptions, enumerations, limits, "required",
//! and which facts came from the overrides file.

use proc_macro2::TokenStream;
use quote::quote;
use wechatpay_spec::{Field, Kind, Limits, Operation};

/// Doc attributes for paragraphs; each line of each entry becomes its own
/// paragraph, so free text from the docs can never form a lazy markdown list
/// continuation.
pub(crate) fn lines_to_doc(paragraphs: &[String]) -> TokenStream {
    doc_attrs(&doc_lines(paragraphs))
}

/// `#[doc = ..]` for each line of [`doc_lines`].
pub(crate) fn doc_attrs(lines: &[String]) -> TokenStream {
    let attrs = lines.iter().map(|line| quote!(#[doc = #line]));
    quote!(#(#attrs)*)
}

/// The lines of the doc attributes [`lines_to_doc`] writes.
pub(crate) fn doc_lines(paragraphs: &[String]) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    for paragraph in paragraphs {
        for line in paragraph.lines().map(str::trim).filter(|l| !l.is_empty()) {
            if !lines.is_empty() {
                lines.push(String::new());
            }
            lines.push(format!(" {}", tidy(line)));
        }
    }
    lines
}

/// `title = "..", description = ".."` for a `#[schemars(..)]` attribute: what
/// schemars would read from the doc comment of these [`doc_lines`], said
/// outright. Without them the derive reads the doc comment with a `const fn`
/// (twice per field, title and description), which the compiler evaluates
/// for each of ~20,000 fields: a good part of what `json-schema` costs to
/// check. The schemas do not change.
pub(crate) fn schema_metadata(lines: &[String]) -> TokenStream {
    // The derive's reading: the lines joined with one leading space dropped,
    // trimmed; a first line starting with `#` is the title.
    let doc = lines
        .iter()
        .map(|line| line.strip_prefix(' ').unwrap_or(line))
        .collect::<Vec<_>>()
        .join("\n");
    let doc = doc.trim_ascii();
    let (title, description) = match doc.strip_prefix('#') {
        Some(_) => {
            let end = doc.find('\n').unwrap_or(doc.len());
            (
                doc[..end].trim_start_matches('#').trim_ascii(),
                doc[end..].trim_ascii(),
            )
        }
        None => ("", doc),
    };
    quote!(title = #title, description = #description)
}

/// An HTML link of the site's pages (`<a href="URL" target=...>text<OutboundLink/></a>`)
/// as a markdown link: rustdoc would show the raw tags, and the site's
/// `<OutboundLink/>` marker is not HTML. Anything that does not read as a
/// whole link is left as it is.
fn html_links_to_markdown(line: &str) -> String {
    let mut out = String::new();
    let mut rest = line;
    while let Some(start) = rest.find("<a ") {
        let (before, from) = rest.split_at(start);
        let link = (|| {
            let href = from.find("href=\"")? + "href=\"".len();
            let url_end = href + from[href..].find('"')?;
            let text_start = url_end + from[url_end..].find('>')? + 1;
            let text_end = text_start + from[text_start..].find("</a>")?;
            let text = from[text_start..text_end].replace("<OutboundLink/>", "");
            let markdown = format!("[{}]({})", text.trim(), &from[href..url_end]);
            Some((markdown, text_end + "</a>".len()))
        })();
        out.push_str(before);
        match link {
            Some((markdown, end)) => {
                out.push_str(&markdown);
                rest = &from[end..];
            }
            None => {
                out.push_str("<a ");
                rest = &from["<a ".len()..];
            }
        }
    }
    out.push_str(rest);
    out.replace("<OutboundLink/>", "")
}

/// Wraps bare URLs in `<...>` so rustdoc links them.
fn tidy(line: &str) -> String {
    let line = html_links_to_markdown(line);
    let mut out = String::new();
    let mut rest = line.as_str();
    while let Some(start) = rest.find("https://").or_else(|| rest.find("http://")) {
        let (before, from) = rest.split_at(start);
        out.push_str(before);
        let linked = before.ends_with('(') || before.ends_with('<') || before.ends_with('`');
        let end = from
            .find(|c: char| c.is_whitespace() || matches!(c, ')' | '>' | '`' | '，' | '。' | '）'))
            .unwrap_or(from.len());
        if linked {
            out.push_str(&from[..end]);
        } else {
            out.push('<');
            out.push_str(&from[..end]);
            out.push('>');
        }
        rest = &from[end..];
    }
    out.push_str(rest);
    out
}

fn describe_limits(limits: &Limits, what: &str) -> Vec<String> {
    let mut out = Vec::new();
    let range = |min: Option<u32>, max: Option<u32>, unit: &str| match (min, max) {
        (Some(min), Some(max)) => Some(format!("{min} to {max} {unit}")),
        (Some(min), None) => Some(format!("at least {min} {unit}")),
        (None, Some(max)) => Some(format!("at most {max} {unit}")),
        (None, None) => None,
    };
    if let Some(text) = range(limits.min_items, limits.max_items, "items") {
        out.push(format!("{what}{text}."));
    }
    if let Some(text) = range(limits.min_length, limits.max_length, "characters") {
        out.push(format!("{what}{text}."));
    }
    if let Some(pattern) = &limits.pattern {
        out.push(format!("{what}matches `{pattern}`."));
    }
    match (limits.minimum, limits.maximum) {
        (Some(min), Some(max)) => out.push(format!("{what}{min} to {max}.")),
        (Some(min), None) => out.push(format!("{what}at least {min}.")),
        (None, Some(max)) => out.push(format!("{what}at most {max}.")),
        (None, None) => {}
    }
    out
}

/// The doc paragraphs of a field.
pub(crate) fn field_docs(field: &Field) -> Vec<String> {
    let mut docs = Vec::new();
    if field.description.is_empty() {
        // Every public item is documented (`missing_docs`), and the reader
        // should know the page is silent rather than suspect the generator.
        docs.push(format!("`{}`: not described on the docs page.", field.name));
    } else {
        docs.push(field.description.clone());
    }
    if let Some(note) = &field.note {
        docs.push(note.clone());
    }
    if field.kind != Kind::String && !field.enum_values.is_empty() {
        let values: Vec<String> = field.enum_values.iter().map(|v| format!("`{v}`")).collect();
        docs.push(format!("Documented values: {}.", values.join(", ")));
    }
    if let Some(value) = &field.default_value {
        docs.push(format!("Default: `{value}`."));
    }
    if let Some(value) = &field.constant {
        docs.push(format!("Always `{value}`."));
    }
    // RSA-encrypted fields are typed (`Sensitive`, `Encrypted`), and their
    // types document them by side; other markers are only described.
    if let Some(how) = field
        .encrypted
        .as_deref()
        .filter(|how| *how != wechatpay_spec::ENCRYPTED_BY_RSA)
    {
        docs.push(format!("Encrypted on the wire (`{how}`)."));
    }
    if field.encoded.is_some() {
        docs.push("Sent as a JSON-encoded string.".to_owned());
    }
    docs.extend(describe_limits(&field.limits, "Limit: "));
    docs.extend(describe_limits(&field.item_limits, "Each item: "));
    if field.required {
        docs.push("**Required.**".to_owned());
    }
    if !field.overridden.is_empty() {
        let facts: Vec<&str> = field.overridden.keys().map(String::as_str).collect();
        docs.push(format!(
            "From the reviewed overrides, not the docs table: {}.",
            facts.join(", ")
        ));
    }
    docs
}

/// The doc paragraphs of an operation's request type.
pub(crate) fn operation_docs(operation: &Operation) -> Vec<String> {
    let mut docs = vec![operation.summary.clone()];
    if !operation.description.is_empty() {
        docs.push(operation.description.clone());
    }
    for notice in &operation.notices {
        docs.push(format!("Notice ({}): {}", notice.class, notice.text));
    }
    docs.push(format!("`{} {}`", operation.method, operation.path));
    if let Some(base) = &operation.base_uri {
        docs.push(format!("Sent to `{base}`."));
    }
    for link in &operation.doc_links {
        docs.push(format!("Official documentation: <{link}>"));
    }
    docs.push(format!("Source: `{}`", operation.source));
    docs
}

#[cfg(test)]
mod tests {
    #[test]
    fn html_links_of_the_pages_become_markdown_links() {
        assert_eq!(
            super::tidy(
                r#"遵循<a href="https://datatracker.ietf.org/doc/html/rfc3339" target="_blank" rel="noopener noreferrer">rfc3339<OutboundLink/></a>标准格式"#
            ),
            "遵循[rfc3339](https://datatracker.ietf.org/doc/html/rfc3339)标准格式"
        );
        // Not a whole link: left alone (bare URLs are still wrapped).
        assert_eq!(
            super::tidy("<a b https://x.example/y"),
            "<a b <https://x.example/y>"
        );
    }

    use super::*;

    #[test]
    fn urls_are_linked_once() {
        assert_eq!(tidy("see https://a.b/c now"), "see <https://a.b/c> now");
        assert_eq!(tidy("[x](https://a.b/c)"), "[x](https://a.b/c)");
        assert_eq!(tidy("<https://a.b/c>"), "<https://a.b/c>");
    }

    #[test]
    fn every_line_is_a_paragraph() {
        let tokens = lines_to_doc(&["a\n- b\nc".to_owned()]).to_string();
        assert_eq!(tokens.matches("# [doc").count(), 5, "{tokens}");
    }
}
