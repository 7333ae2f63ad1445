//! Client-side checks of the documented limits, run before a request is signed.
//!
//! Generated types implement [`Validate`] with the limits of the spec (from the
//! overrides file: 1-200 codes, 1-32 characters, the code charset, ...). Every
//! error names the field by its JSON pointer (`/coupon_code_list/3`).

use std::fmt;
use std::sync::OnceLock;

use regex::Regex;

/// One broken limit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidationError {
    /// JSON pointer of the value, e.g. `/coupon_code_list/3`; path and query
    /// parameters are `/path/<name>` and `/query/<name>`.
    pub pointer: String,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for ValidationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.pointer, self.message)
    }
}

/// Every broken limit of a value (never empty).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidationErrors(pub Vec<ValidationError>);

impl fmt::Display for ValidationErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, error) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{error}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ValidationErrors {}

/// A value whose documented limits can be checked.
///
/// Every request implements it, since the client validates before signing;
/// a request with no documented limit keeps the default, which finds nothing.
/// Other generated types implement it only when they have a limit to check.
pub trait Validate {
    /// Appends every broken limit, with pointers under `pointer`.
    fn validate_into(&self, pointer: &str, errors: &mut Vec<ValidationError>) {
        let _ = (pointer, errors);
    }

    /// Checks every limit.
    fn validate(&self) -> Result<(), ValidationErrors> {
        let mut errors = Vec::new();
        self.validate_into("", &mut errors);
        if errors.is_empty() {
            Ok(())
        } else {
            Err(ValidationErrors(errors))
        }
    }
}

impl<T: Validate> Validate for Option<T> {
    fn validate_into(&self, pointer: &str, errors: &mut Vec<ValidationError>) {
        if let Some(value) = self {
            value.validate_into(pointer, errors);
        }
    }
}

impl<T: Validate> Validate for Vec<T> {
    fn validate_into(&self, pointer: &str, errors: &mut Vec<ValidationError>) {
        for (i, item) in self.iter().enumerate() {
            item.validate_into(&format!("{pointer}/{i}"), errors);
        }
    }
}

/// Appends a JSON-pointer segment, escaping `~` and `/` (RFC 6901).
pub fn pointer(parent: &str, segment: &str) -> String {
    let escaped = segment.replace('~', "~0").replace('/', "~1");
    format!("{parent}/{escaped}")
}

/// Where a value is, computed only when it breaks a limit (validating a valid
/// payload allocates nothing).
pub type At<'a> = &'a dyn Fn() -> String;

/// Checks a string's length in characters.
pub fn length(
    value: &str,
    min: Option<usize>,
    max: Option<usize>,
    pointer: At<'_>,
    errors: &mut Vec<ValidationError>,
) {
    let len = value.chars().count();
    if let Some(min) = min
        && len < min
    {
        errors.push(ValidationError {
            pointer: pointer(),
            message: format!("is {len} characters long, at least {min} required"),
        });
    }
    if let Some(max) = max
        && len > max
    {
        errors.push(ValidationError {
            pointer: pointer(),
            message: format!("is {len} characters long, at most {max} allowed"),
        });
    }
}

/// Checks an array's number of items.
pub fn items(
    count: usize,
    min: Option<usize>,
    max: Option<usize>,
    pointer: At<'_>,
    errors: &mut Vec<ValidationError>,
) {
    if let Some(min) = min
        && count < min
    {
        errors.push(ValidationError {
            pointer: pointer(),
            message: format!("has {count} items, at least {min} required"),
        });
    }
    if let Some(max) = max
        && count > max
    {
        errors.push(ValidationError {
            pointer: pointer(),
            message: format!("has {count} items, at most {max} allowed"),
        });
    }
}

/// Checks a number's range.
pub fn range(
    value: f64,
    min: Option<f64>,
    max: Option<f64>,
    pointer: At<'_>,
    errors: &mut Vec<ValidationError>,
) {
    if let Some(min) = min
        && value < min
    {
        errors.push(ValidationError {
            pointer: pointer(),
            message: format!("is {value}, at least {min} required"),
        });
    }
    if let Some(max) = max
        && value > max
    {
        errors.push(ValidationError {
            pointer: pointer(),
            message: format!("is {value}, at most {max} allowed"),
        });
    }
}

/// A documented pattern, compiled on first use.
#[derive(Debug)]
pub struct Pattern {
    source: &'static str,
    compiled: OnceLock<Regex>,
}

impl Pattern {
    /// A pattern from its source (checked when the code generator ran).
    pub const fn new(source: &'static str) -> Self {
        Pattern {
            source,
            compiled: OnceLock::new(),
        }
    }

    /// The regular expression's source.
    pub fn source(&self) -> &'static str {
        self.source
    }

    /// Whether `value` matches.
    pub fn is_match(&self, value: &str) -> bool {
        self.compiled
            .get_or_init(|| Regex::new(self.source).expect("patterns are checked at generation"))
            .is_match(value)
    }

    /// Checks `value`, describing the first offending character when there is one.
    pub fn check(&self, value: &str, pointer: At<'_>, errors: &mut Vec<ValidationError>) {
        if !self.is_match(value) {
            errors.push(ValidationError {
                pointer: pointer(),
                message: format!("{value:?} does not match the pattern {}", self.source),
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn helpers_report_pointers() {
        let mut errors = Vec::new();
        length("", Some(1), Some(32), &|| "/codes/0".into(), &mut errors);
        length(
            &"x".repeat(33),
            Some(1),
            Some(32),
            &|| "/codes/1".into(),
            &mut errors,
        );
        length(
            "fine",
            Some(1),
            Some(32),
            &|| unreachable!("only computed for errors"),
            &mut errors,
        );
        items(201, Some(1), Some(200), &|| "/codes".into(), &mut errors);
        range(
            -1.0,
            Some(0.0),
            None,
            &|| "/query/offset".into(),
            &mut errors,
        );
        static CODE: Pattern = Pattern::new("^[0-9A-Za-z ]+$");
        CODE.check("a\tb", &|| "/codes/2".into(), &mut errors);
        let pointers: Vec<_> = errors.iter().map(|e| e.pointer.as_str()).collect();
        assert_eq!(
            pointers,
            [
                "/codes/0",
                "/codes/1",
                "/codes",
                "/query/offset",
                "/codes/2"
            ]
        );
        assert_eq!(
            ValidationErrors(errors[..2].to_vec()).to_string(),
            "/codes/0: is 0 characters long, at least 1 required; /codes/1: is 33 characters long, at most 32 allowed"
        );
    }

    #[test]
    fn pointer_segments_are_escaped() {
        assert_eq!(pointer("/a", "b/c~d"), "/a/b~1c~0d");
    }
}
