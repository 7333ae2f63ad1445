//! URL encoding of path and query parameters.
//!
//! Everything but the RFC 3986 unreserved characters (`A-Z a-z 0-9 - . _ ~`) is
//! percent-encoded, so the URL that is signed is exactly the URL that is sent: no
//! HTTP library or proxy has a reason to rewrite it. Coupon codes may contain
//! space, `\`, `/`, `=` and `|`; they become `%20`, `%5C`, `%2F`, `%3D`, `%7C`.

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

use crate::config::{ConfigError, Setting};
use crate::error::Error;
use crate::validate::{ValidationError, ValidationErrors};

const COMPONENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// Encodes one path segment or query component.
pub fn component(value: &str) -> String {
    let encoded = utf8_percent_encode(value, COMPONENT).to_string();
    // `.` and `..` would be removed as dot-segments by URL normalisation.
    match encoded.as_str() {
        "." => "%2E".to_owned(),
        ".." => "%2E%2E".to_owned(),
        _ => encoded,
    }
}

/// Fills a path template (`/v3/x/{stock_id}/y`) with encoded parameters.
/// Every placeholder must have a value: an empty one is a validation error at
/// `/path/<name>`, a template without a value for a placeholder a
/// configuration error (the caller's mistake, not the user's).
pub fn path(template: &str, params: &[(&str, &str)]) -> Result<String, Error> {
    let mut out = String::with_capacity(template.len() + 16);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        let close = rest[open..].find('}').map(|c| open + c).ok_or_else(|| {
            ConfigError::new(
                Setting::RequestUrl,
                format!("unclosed placeholder in path template {template}"),
            )
        })?;
        let name = &rest[open + 1..close];
        let value = params
            .iter()
            .find(|(key, _)| *key == name)
            .map(|(_, value)| *value)
            .ok_or_else(|| {
                ConfigError::new(
                    Setting::Parameter(name.to_owned()),
                    format!("no value for it in {template}"),
                )
            })?;
        if value.is_empty() {
            return Err(Error::Validation(ValidationErrors(vec![ValidationError {
                pointer: format!("/path/{name}"),
                message: "must not be empty".to_owned(),
            }])));
        }
        out.push_str(&rest[..open]);
        out.push_str(&component(value));
        rest = &rest[close + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

/// `a=1&b=x%20y`, in the given order.
pub fn query<K: AsRef<str>>(pairs: &[(K, String)]) -> String {
    let mut out = String::new();
    for (i, (key, value)) in pairs.iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        out.push_str(&component(key.as_ref()));
        out.push('=');
        out.push_str(&component(value));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_with_reserved_characters() {
        assert_eq!(component("A b\\c/d=e|f"), "A%20b%5Cc%2Fd%3De%7Cf");
        assert_eq!(component("中"), "%E4%B8%AD");
        assert_eq!(component(".."), "%2E%2E");
        assert_eq!(component("a.b-c_d~"), "a.b-c_d~");
    }

    #[test]
    fn templates() {
        let path = path(
            "/v3/marketing/busifavor/stocks/{stock_id}/couponcodes/{coupon_code}",
            &[("stock_id", "98065001"), ("coupon_code", "a/b c")],
        )
        .unwrap();
        assert_eq!(
            path,
            "/v3/marketing/busifavor/stocks/98065001/couponcodes/a%2Fb%20c"
        );
        assert!(matches!(
            super::path("/v3/{x}", &[]),
            Err(Error::Config(ConfigError { setting: Setting::Parameter(name), .. })) if name == "x"
        ));
        assert!(matches!(
            super::path("/v3/{x}", &[("x", "")]),
            Err(Error::Validation(errors)) if errors.0[0].pointer == "/path/x"
        ));
        assert_eq!(
            query(&[("limit", "20".into()), ("offset", "0".into())]),
            "limit=20&offset=0"
        );
    }
}
