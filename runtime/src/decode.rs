//! Decoding what WeChat Pay sends (response bodies, decrypted notification
//! resources) into typed values, with errors that say where and what kind of
//! mismatch, never what the value was: bodies carry openids, names and
//! amounts, and errors end up in logs.

use std::fmt;

use serde::de::DeserializeOwned;
use serde_json::Value;

/// Why a body is not the documented type, and where. Its text names a JSON
/// pointer, the type expected and the JSON type found, and never quotes a
/// value of the body.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("at {}: {problem}", if pointer.is_empty() { "the top" } else { pointer.as_str() })]
pub struct DecodeError {
    /// JSON pointer to the value that did not decode (`/amount/total`); for a
    /// missing field, to where it should be; empty for the document itself.
    pub pointer: String,
    /// What kind of mismatch.
    pub problem: DecodeProblem,
}

/// What kind of mismatch a [`DecodeError`] is.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum DecodeProblem {
    /// A field the type requires is absent.
    Missing,
    /// The value has another JSON type than the one expected.
    WrongType {
        /// What the type expects (`i64`, `a string`, ...).
        expected: String,
        /// The JSON type that was there.
        found: JsonType,
    },
    /// The value has the right JSON type but not an accepted value (an
    /// integer out of range, ...).
    WrongValue {
        /// What the type expects.
        expected: String,
        /// The JSON type that was there.
        found: JsonType,
    },
    /// A field appears twice in one object.
    Duplicate,
    /// The text is not JSON, or is cut short.
    NotJson {
        /// 1-based line of the first character that is not JSON.
        line: usize,
        /// 1-based column.
        column: usize,
    },
    /// Any other mismatch (its description could quote the value, so it is
    /// not kept).
    Other,
}

/// The type of a JSON value, as found in a body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JsonType {
    /// `null`
    Null,
    /// `true` or `false`
    Boolean,
    /// An integer.
    Integer,
    /// A number with a fraction or an exponent.
    Fraction,
    /// A string.
    String,
    /// An array.
    Array,
    /// An object.
    Object,
}

impl JsonType {
    fn of(value: &Value) -> JsonType {
        match value {
            Value::Null => JsonType::Null,
            Value::Bool(_) => JsonType::Boolean,
            Value::Number(n) if n.is_i64() || n.is_u64() => JsonType::Integer,
            Value::Number(_) => JsonType::Fraction,
            Value::String(_) => JsonType::String,
            Value::Array(_) => JsonType::Array,
            Value::Object(_) => JsonType::Object,
        }
    }
}

impl fmt::Display for JsonType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            JsonType::Null => "null",
            JsonType::Boolean => "a boolean",
            JsonType::Integer => "an integer",
            JsonType::Fraction => "a number with a fraction",
            JsonType::String => "a string",
            JsonType::Array => "an array",
            JsonType::Object => "an object",
        })
    }
}

impl fmt::Display for DecodeProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DecodeProblem::Missing => f.write_str("a required field is missing"),
            DecodeProblem::WrongType { expected, found } => {
                write!(f, "expected {expected}, found {found}")
            }
            DecodeProblem::WrongValue { expected, found } => {
                write!(f, "expected {expected}, found {found} outside it")
            }
            DecodeProblem::Duplicate => f.write_str("the field appears twice"),
            DecodeProblem::NotJson { line, column } => {
                write!(f, "not JSON (line {line}, column {column})")
            }
            DecodeProblem::Other => f.write_str("not the documented type"),
        }
    }
}

/// Decodes a JSON body. Bodies decode at full speed: only a failure pays for
/// a second pass that finds where the decoder stopped.
pub fn decode_json<T: DeserializeOwned>(body: &[u8]) -> Result<T, DecodeError> {
    serde_json::from_slice(body).map_err(|error| {
        let mut json = serde_json::Deserializer::from_slice(body);
        let path = match serde_path_to_error::deserialize::<_, T>(&mut json) {
            Err(tracked) => Some(json_pointer(tracked.path())),
            Ok(_) => None,
        };
        let document = serde_json::from_slice::<Value>(body).ok();
        explain(&error, path.unwrap_or_default(), document.as_ref())
    })
}

/// Decodes an already parsed JSON value (a decrypted notification resource),
/// leaving it to the caller for its raw use.
pub fn decode_value<T: DeserializeOwned>(value: &Value) -> Result<T, DecodeError> {
    T::deserialize(value).map_err(|error| {
        let pointer = match serde_path_to_error::deserialize::<_, T>(value) {
            Err(tracked) => json_pointer(tracked.path()),
            Ok(_) => String::new(),
        };
        explain(&error, pointer, Some(value))
    })
}

/// The decoder's error as a [`DecodeError`] at `pointer`, with the JSON type
/// found there in `document`. Only the decoder's own words about what it
/// expected are kept: its words about what it found quote the value.
fn explain(error: &serde_json::Error, pointer: String, document: Option<&Value>) -> DecodeError {
    use serde_json::error::Category;
    if matches!(
        error.classify(),
        Category::Syntax | Category::Eof | Category::Io
    ) {
        return DecodeError {
            pointer,
            problem: DecodeProblem::NotJson {
                line: error.line(),
                column: error.column(),
            },
        };
    }
    let message = error.to_string();
    // serde_json appends " at line L column C" to errors read from text.
    let message = match message.rfind(" at line ") {
        Some(at) if error.line() > 0 => &message[..at],
        _ => &message[..],
    };
    let found = || {
        document
            .and_then(|document| document.pointer(&pointer))
            .map_or(JsonType::Null, JsonType::of)
    };
    let expected = |rest: &str| {
        rest.split_once(", expected ")
            .map(|(_, expected)| expected.to_owned())
    };
    if let Some(field) = message
        .strip_prefix("missing field `")
        .and_then(|rest| rest.strip_suffix('`'))
    {
        return DecodeError {
            pointer: crate::validate::pointer(&pointer, field),
            problem: DecodeProblem::Missing,
        };
    }
    if let Some(field) = message
        .strip_prefix("duplicate field `")
        .and_then(|rest| rest.strip_suffix('`'))
    {
        return DecodeError {
            pointer: crate::validate::pointer(&pointer, field),
            problem: DecodeProblem::Duplicate,
        };
    }
    let problem = if let Some(expected) = message.strip_prefix("invalid type: ").and_then(expected)
    {
        DecodeProblem::WrongType {
            expected,
            found: found(),
        }
    } else if let Some(expected) = message
        .strip_prefix("invalid value: ")
        .or_else(|| message.strip_prefix("invalid length "))
        .and_then(expected)
    {
        DecodeProblem::WrongValue {
            expected,
            found: found(),
        }
    } else {
        DecodeProblem::Other
    };
    DecodeError { pointer, problem }
}

/// A decoder's path as a JSON pointer (`/data/0/status`).
fn json_pointer(path: &serde_path_to_error::Path) -> String {
    use serde_path_to_error::Segment;
    path.iter()
        .fold(String::new(), |parent, segment| match segment {
            Segment::Seq { index } => format!("{parent}/{index}"),
            Segment::Map { key } | Segment::Enum { variant: key } => {
                crate::validate::pointer(&parent, key)
            }
            Segment::Unknown => format!("{parent}/?"),
        })
}

/// Accepts any body for operations documented to return nothing.
pub fn decode_empty(_body: &[u8]) -> Result<(), DecodeError> {
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Page {
        data: Vec<Item>,
    }

    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Item {
        code: String,
        count: u32,
    }

    #[test]
    fn errors_point_at_the_value_and_name_types_only() {
        let body = br#"{"data":[{"code":"a","count":1},{"code":"b","count":"o-secret-openid"}]}"#;
        let error = decode_json::<Page>(body).unwrap_err();
        assert_eq!(error.pointer, "/data/1/count");
        assert_eq!(
            error.problem,
            DecodeProblem::WrongType {
                expected: "u32".into(),
                found: JsonType::String
            }
        );
        let text = error.to_string();
        assert_eq!(text, "at /data/1/count: expected u32, found a string");
        assert!(!format!("{error:?}").contains("secret"));

        let error = decode_json::<Page>(br#"{"data":[{"code":"a"}]}"#).unwrap_err();
        assert_eq!(error.pointer, "/data/0/count");
        assert_eq!(error.problem, DecodeProblem::Missing);

        let error = decode_json::<Page>(br#"{"data":[{"code":"a","count":-7}]}"#).unwrap_err();
        assert_eq!(error.pointer, "/data/0/count");
        assert!(
            matches!(
                &error.problem,
                DecodeProblem::WrongValue {
                    found: JsonType::Integer,
                    ..
                }
            ),
            "{error:?}"
        );
        assert!(!error.to_string().contains("-7"), "{error}");

        let error = decode_json::<Page>(b"not json").unwrap_err();
        assert_eq!(error.pointer, "");
        assert!(matches!(
            error.problem,
            DecodeProblem::NotJson { line: 1, column: 2 }
        ));
    }

    #[test]
    fn values_decode_with_the_same_errors() {
        let value = serde_json::json!({"data": [{"code": "a", "count": 1.5}]});
        let error = decode_value::<Page>(&value).unwrap_err();
        assert_eq!(error.pointer, "/data/0/count");
        assert!(
            matches!(
                error.problem,
                DecodeProblem::WrongType {
                    found: JsonType::Fraction,
                    ..
                }
            ),
            "{error:?}"
        );
        let page = decode_value::<Page>(&serde_json::json!({"data": [{"code": "a", "count": 1}]}))
            .unwrap();
        assert_eq!(page.data.len(), 1);
    }
}
