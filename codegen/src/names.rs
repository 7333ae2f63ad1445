//! Rust names for wire names: snake_case fields and modules, CamelCase types and
//! variants, keywords escaped, collisions resolved deterministically.

use std::collections::BTreeSet;

use proc_macro2::{Ident, Span};

/// Words Rust reserves (strict and reserved keywords of every edition).
const KEYWORDS: &[&str] = &[
    "as", "async", "await", "break", "const", "continue", "crate", "dyn", "else", "enum", "extern",
    "false", "fn", "for", "gen", "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut",
    "pub", "ref", "return", "self", "Self", "static", "struct", "super", "trait", "true", "type",
    "unsafe", "use", "where", "while", "abstract", "become", "box", "do", "final", "macro",
    "override", "priv", "try", "typeof", "unsized", "virtual", "yield", "union",
];

/// Splits a wire name into lower-case words: `coupon_code_list`, `Wechatpay-Serial`,
/// `appId`, `HMAC-SHA256`, `2401` all work.
pub(crate) fn words(name: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut current = String::new();
    let chars: Vec<char> = name.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        if !c.is_alphanumeric() {
            if !current.is_empty() {
                words.push(std::mem::take(&mut current));
            }
            continue;
        }
        let boundary = !current.is_empty()
            && c.is_uppercase()
            && (chars[i - 1].is_lowercase()
                || chars[i - 1].is_ascii_digit()
                || chars.get(i + 1).is_some_and(|n| n.is_lowercase())
                    && chars[i - 1].is_uppercase());
        if boundary {
            words.push(std::mem::take(&mut current));
        }
        current.extend(c.to_lowercase());
    }
    if !current.is_empty() {
        words.push(current);
    }
    words
}

/// `snake_case`, safe as an identifier (keywords get a trailing `_`, leading
/// digits a leading `_`). Non-ASCII letters are kept (Rust accepts them).
pub(crate) fn snake(name: &str) -> String {
    let mut text = words(name).join("_");
    if text.is_empty() {
        text.push_str("field");
    }
    escape(text)
}

/// `CamelCase`, safe as an identifier.
pub(crate) fn camel(name: &str) -> String {
    let mut text: String = words(name)
        .iter()
        .map(|w| {
            let mut chars = w.chars();
            match chars.next() {
                Some(first) => first.to_uppercase().chain(chars).collect::<String>(),
                None => String::new(),
            }
        })
        .collect();
    if text.is_empty() {
        text.push_str("Value");
    }
    escape(text)
}

fn escape(mut text: String) -> String {
    if text.starts_with(|c: char| c.is_ascii_digit()) {
        text.insert(0, '_');
    }
    if KEYWORDS.contains(&text.as_str()) {
        text.push('_');
    }
    text
}

/// An identifier from an already-safe name.
pub(crate) fn ident(name: &str) -> Ident {
    Ident::new(name, Span::call_site())
}

/// Hands out unique names within one scope.
#[derive(Debug, Default)]
pub(crate) struct Names {
    taken: BTreeSet<String>,
}

impl Names {
    /// Reserves `name` if free; returns whether it was.
    pub(crate) fn try_take(&mut self, name: &str) -> bool {
        self.taken.insert(name.to_owned())
    }

    /// Reserves `name`, or `name2`, `name3`, ... when taken.
    pub(crate) fn take(&mut self, name: &str) -> String {
        if self.try_take(name) {
            return name.to_owned();
        }
        (2..)
            .map(|n| format!("{name}{n}"))
            .find(|candidate| self.try_take(candidate))
            .expect("an unused suffix exists")
    }

    /// Whether `name` is reserved.
    pub(crate) fn contains(&self, name: &str) -> bool {
        self.taken.contains(name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_split_every_style() {
        assert_eq!(words("coupon_code_list"), ["coupon", "code", "list"]);
        assert_eq!(words("Wechatpay-Serial"), ["wechatpay", "serial"]);
        assert_eq!(words("appId"), ["app", "id"]);
        assert_eq!(words("HMAC-SHA256"), ["hmac", "sha256"]);
        assert_eq!(words("HTTPServer"), ["http", "server"]);
        assert_eq!(words("Color010"), ["color010"]);
        assert_eq!(words("1.0"), ["1", "0"]);
    }

    #[test]
    fn identifiers_are_safe() {
        assert_eq!(snake("type"), "type_");
        assert_eq!(snake("Self"), "self_");
        assert_eq!(snake("out-trade-no"), "out_trade_no");
        assert_eq!(snake("2401"), "_2401");
        assert_eq!(camel("SENDED"), "Sended");
        assert_eq!(camel("CERTIFICATE_TYPE_2388"), "CertificateType2388");
        assert_eq!(camel("1.0"), "_10");
        assert_eq!(camel("self"), "Self_");
        assert_eq!(camel(""), "Value");
    }

    #[test]
    fn names_are_unique() {
        let mut names = Names::default();
        assert_eq!(names.take("Data"), "Data");
        assert_eq!(names.take("Data"), "Data2");
        assert_eq!(names.take("Data"), "Data3");
        assert!(names.contains("Data2"));
    }
}
