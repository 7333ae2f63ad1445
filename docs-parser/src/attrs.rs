//! Attribute blocks (`{data-required data-indent=1}`, `{.im-table #request}`) in the
//! markdown-it-attrs syntax the docs site uses, found at the end of a cell, heading
//! or paragraph.

/// One attribute of a block.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Attr {
    /// `.name`
    Class(String),
    /// `#name`
    Id(String),
    /// `key`, `key=value`, `key="value"`
    Pair(String, Option<String>),
}

/// The attributes of one block, in source order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Attrs(pub(crate) Vec<Attr>);

impl Attrs {
    pub(crate) fn has_class(&self, class: &str) -> bool {
        self.0
            .iter()
            .any(|a| matches!(a, Attr::Class(c) if c == class))
    }

    pub(crate) fn id(&self) -> Option<&str> {
        self.0.iter().find_map(|a| match a {
            Attr::Id(id) => Some(id.as_str()),
            _ => None,
        })
    }

    pub(crate) fn has(&self, key: &str) -> bool {
        self.0
            .iter()
            .any(|a| matches!(a, Attr::Pair(k, _) if k == key))
    }

    pub(crate) fn value(&self, key: &str) -> Option<&str> {
        self.0.iter().find_map(|a| match a {
            Attr::Pair(k, Some(v)) if k == key => Some(v.as_str()),
            _ => None,
        })
    }

    pub(crate) fn merge(&mut self, other: Attrs) {
        self.0.extend(other.0);
    }
}

/// Splits `text {attrs}` into the text before the block and the block's attributes.
/// Returns `None` for the attributes when the text does not end with a block that
/// parses (the caller decides whether a stray `{` is an error).
pub(crate) fn split_trailing(text: &str) -> (&str, Option<Attrs>) {
    let trimmed = text.trim_end();
    if !trimmed.ends_with('}') {
        return (trimmed, None);
    }
    // A quoted value may itself contain `{`, so try each opening brace from the
    // right until one starts a block that parses to the end of the text.
    let mut search_end = trimmed.len();
    while let Some(start) = trimmed[..search_end].rfind('{') {
        if let Some(attrs) = parse_block(&trimmed[start..]) {
            return (trimmed[..start].trim_end(), Some(attrs));
        }
        search_end = start;
    }
    (trimmed, None)
}

/// Parses a whole `{...}` block.
pub(crate) fn parse_block(block: &str) -> Option<Attrs> {
    let inner = block.strip_prefix('{')?.strip_suffix('}')?;
    if inner.starts_with('{') || inner.ends_with('}') {
        // `{{ $frontmatter.title }}` is a template, not attributes.
        return None;
    }
    let mut attrs = Vec::new();
    let mut rest = inner.trim_start();
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix('.') {
            let (name, tail) = take_word(after);
            if name.is_empty() {
                return None;
            }
            attrs.push(Attr::Class(name.to_owned()));
            rest = tail;
        } else if let Some(after) = rest.strip_prefix('#') {
            let (name, tail) = take_word(after);
            if name.is_empty() {
                return None;
            }
            attrs.push(Attr::Id(name.to_owned()));
            rest = tail;
        } else {
            let key_len = rest
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == ':'))
                .unwrap_or(rest.len());
            if key_len == 0 {
                return None;
            }
            let key = &rest[..key_len];
            let tail = &rest[key_len..];
            if let Some(value_text) = tail.strip_prefix('=') {
                let (value, after) = take_value(value_text)?;
                attrs.push(Attr::Pair(key.to_owned(), Some(value.to_owned())));
                rest = after;
            } else {
                attrs.push(Attr::Pair(key.to_owned(), None));
                rest = tail;
            }
        }
        if !rest.is_empty() && !rest.starts_with(char::is_whitespace) {
            return None;
        }
        rest = rest.trim_start();
    }
    Some(Attrs(attrs))
}

fn take_word(text: &str) -> (&str, &str) {
    let end = text.find(char::is_whitespace).unwrap_or(text.len());
    text.split_at(end)
}

fn take_value(text: &str) -> Option<(&str, &str)> {
    for quote in ['"', '\''] {
        if let Some(after) = text.strip_prefix(quote) {
            let end = after.find(quote)?;
            return Some((&after[..end], &after[end + 1..]));
        }
    }
    Some(take_word(text))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pair(k: &str, v: Option<&str>) -> Attr {
        Attr::Pair(k.into(), v.map(Into::into))
    }

    #[test]
    fn splits_cells() {
        let (text, attrs) = split_trailing("upload_request_no {data-required data-indent=1}");
        assert_eq!(text, "upload_request_no");
        assert_eq!(
            attrs.unwrap().0,
            [pair("data-required", None), pair("data-indent", Some("1"))]
        );
        let (text, attrs) = split_trailing("stock_id {data-required}");
        assert_eq!(text, "stock_id");
        assert!(attrs.unwrap().has("data-required"));
    }

    #[test]
    fn quoted_and_unquoted_values() {
        let (text, attrs) = split_trailing(
            r#"string {data-tooltip=微信支付公钥/平台证书加密后的BASE64字符串 data-encrypted=by-rsa-pubkey}"#,
        );
        assert_eq!(text, "string");
        let attrs = attrs.unwrap();
        assert_eq!(
            attrs.value("data-tooltip"),
            Some("微信支付公钥/平台证书加密后的BASE64字符串")
        );
        assert_eq!(attrs.value("data-encrypted"), Some("by-rsa-pubkey"));
        let (_, attrs) = split_trailing(r#"object {data-tooltip="对应PHP的array"}"#);
        assert_eq!(attrs.unwrap().value("data-tooltip"), Some("对应PHP的array"));
        let (_, attrs) = split_trailing(r#"x {data-tooltip="a {b} c"}"#);
        assert_eq!(attrs.unwrap().value("data-tooltip"), Some("a {b} c"));
    }

    #[test]
    fn classes_and_ids() {
        let attrs = parse_block("{.im-table #request}").unwrap();
        assert!(attrs.has_class("im-table"));
        assert_eq!(attrs.id(), Some("request"));
        let (text, attrs) = split_trailing("{colspan=3 .im-table-line}");
        assert_eq!(text, "");
        let attrs = attrs.unwrap();
        assert!(attrs.has_class("im-table-line"));
        assert_eq!(attrs.value("colspan"), Some("3"));
    }

    #[test]
    fn templates_and_stray_braces_are_not_attributes() {
        assert_eq!(
            split_trailing("{{ $frontmatter.title }}"),
            ("{{ $frontmatter.title }}", None)
        );
        assert_eq!(split_trailing("x {=y}").1, None);
        assert_eq!(split_trailing("no braces").1, None);
        let (text, attrs) = split_trailing("{{ $frontmatter.title }} {#get}");
        assert_eq!(text, "{{ $frontmatter.title }}");
        assert_eq!(attrs.unwrap().id(), Some("get"));
    }
}
