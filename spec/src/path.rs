//! Addresses of fields inside an operation: `body.coupon_code_list[]`, `response.data.code`.

use std::fmt;
use std::str::FromStr;

/// The part of an operation a field belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Section {
    /// Path parameters.
    Path,
    /// Query parameters.
    Query,
    /// Request headers.
    Headers,
    /// The request body.
    Body,
    /// The success response.
    Response,
    /// The documented error body.
    Errors,
    /// A notification's decrypted resource.
    Resource,
}

impl Section {
    /// The section's name in addresses.
    pub fn as_str(self) -> &'static str {
        match self {
            Section::Path => "path",
            Section::Query => "query",
            Section::Headers => "headers",
            Section::Body => "body",
            Section::Response => "response",
            Section::Errors => "errors",
            Section::Resource => "resource",
        }
    }

    /// Whether fields of this section are sent by the client (as opposed to received).
    pub fn is_request(self) -> bool {
        !matches!(
            self,
            Section::Response | Section::Errors | Section::Resource
        )
    }
}

/// The address of a field: a section, the names from the top down, and whether the
/// address means the items of the (array) field rather than the field itself.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FieldPath {
    /// Which part of the operation.
    pub section: Section,
    /// Field names from the top-level field down.
    pub names: Vec<String>,
    /// Set by a trailing `[]`: the address is of each item of the array.
    pub items: bool,
}

impl FieldPath {
    /// An address in `section` with the given names.
    pub fn new(section: Section, names: impl IntoIterator<Item = impl Into<String>>) -> Self {
        FieldPath {
            section,
            names: names.into_iter().map(Into::into).collect(),
            items: false,
        }
    }

    /// The address of a child field.
    pub fn child(&self, name: &str) -> Self {
        let mut names = self.names.clone();
        names.push(name.to_owned());
        FieldPath {
            section: self.section,
            names,
            items: false,
        }
    }
}

impl fmt::Display for FieldPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.section.as_str())?;
        for name in &self.names {
            write!(f, ".{name}")?;
        }
        if self.items {
            f.write_str("[]")?;
        }
        Ok(())
    }
}

/// Why an address could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "`{text}` is not a field address: {reason} (expected e.g. `body.coupon_code_list[]` or `response.data.code`)"
)]
pub struct FieldPathError {
    text: String,
    reason: &'static str,
}

impl FromStr for FieldPath {
    type Err = FieldPathError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let error = |reason| FieldPathError {
            text: text.to_owned(),
            reason,
        };
        let (body, items) = match text.strip_suffix("[]") {
            Some(body) => (body, true),
            None => (text, false),
        };
        let mut parts = body.split('.');
        let section = match parts.next() {
            Some("path") => Section::Path,
            Some("query") => Section::Query,
            Some("headers") => Section::Headers,
            Some("body") => Section::Body,
            Some("response") => Section::Response,
            Some("errors") => Section::Errors,
            Some("resource") => Section::Resource,
            _ => {
                return Err(error(
                    "it must start with path, query, headers, body, response, errors or resource",
                ));
            }
        };
        let mut names = Vec::new();
        for part in parts {
            // `[]` between names is allowed for readability: the children of an
            // array of objects are the fields of each item.
            let name = part.strip_suffix("[]").unwrap_or(part);
            if name.is_empty() || name.contains('[') || name.contains(']') {
                return Err(error("a name is empty or has stray brackets"));
            }
            names.push(name.to_owned());
        }
        if names.is_empty() {
            return Err(error("it names no field"));
        }
        Ok(FieldPath {
            section,
            names,
            items,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_prints() {
        for text in [
            "body.coupon_code_list[]",
            "response.data.code_status",
            "path.stock_id",
            "query.status",
            "resource.amount.total",
        ] {
            let path: FieldPath = text.parse().unwrap();
            assert_eq!(path.to_string(), text);
        }
        let path: FieldPath = "response.data[].code".parse().unwrap();
        assert_eq!(path.names, ["data", "code"]);
        assert!(!path.items);
    }

    #[test]
    fn rejects_bad_addresses() {
        for text in ["", "body", "nowhere.x", "body..x", "body.a[0]"] {
            assert!(text.parse::<FieldPath>().is_err(), "{text}");
        }
    }
}
