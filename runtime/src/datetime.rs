//! [`DateTime`]: the times payloads carry (`success_time`, `time_expire`...).

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// A time as a payload carries it: RFC 3339 with an offset
/// (`2026-12-01T10:00:00+08:00`) on almost every page, read as an
/// [`OffsetDateTime`] (the `time` crate), and kept as the exact text, so that
/// encoding it again gives the same bytes and a time written another way
/// (`20261201100000` on some payscore pages) is kept rather than refused.
///
/// ```
/// use wechatpay_runtime::DateTime;
///
/// let paid: DateTime = serde_json::from_str(r#""2026-12-01T10:00:00+08:00""#).unwrap();
/// let at = paid.datetime().unwrap();
/// assert_eq!((at.hour(), at.offset().whole_hours()), (10, 8));
/// assert_eq!(serde_json::to_string(&paid).unwrap(), r#""2026-12-01T10:00:00+08:00""#);
///
/// let other: DateTime = serde_json::from_str(r#""20261201100000""#).unwrap();
/// assert_eq!((other.as_str(), other.datetime()), ("20261201100000", None));
/// ```
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct DateTime {
    text: String,
    parsed: Option<OffsetDateTime>,
}

impl DateTime {
    /// A time from its text, as a payload would carry it.
    pub fn new(text: impl Into<String>) -> Self {
        let text = text.into();
        let parsed = OffsetDateTime::parse(&text, &Rfc3339).ok();
        DateTime { text, parsed }
    }

    /// The time, when the text is RFC 3339 (it is on almost every page).
    pub fn datetime(&self) -> Option<OffsetDateTime> {
        self.parsed
    }

    /// The exact text.
    pub fn as_str(&self) -> &str {
        &self.text
    }
}

impl From<OffsetDateTime> for DateTime {
    /// RFC 3339 with the time's own offset, to the second as the docs write
    /// times (`2026-12-01T10:00:00+08:00`).
    fn from(at: OffsetDateTime) -> Self {
        let at = at.replace_nanosecond(0).unwrap_or(at);
        let text = at
            .format(&Rfc3339)
            .expect("an OffsetDateTime of a four-digit year formats as RFC 3339");
        DateTime {
            text,
            parsed: Some(at),
        }
    }
}

impl From<&str> for DateTime {
    fn from(text: &str) -> Self {
        DateTime::new(text)
    }
}

impl From<String> for DateTime {
    fn from(text: String) -> Self {
        DateTime::new(text)
    }
}

impl fmt::Display for DateTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl fmt::Debug for DateTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.text, f)
    }
}

impl Serialize for DateTime {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.text)
    }
}

impl<'de> Deserialize<'de> for DateTime {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(DateTime::new)
    }
}

#[cfg(feature = "json-schema")]
impl schemars::JsonSchema for DateTime {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "DateTime".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        // Not `format: date-time`: some pages write times another way.
        schemars::json_schema!({
            "type": "string",
            "description": "A time, RFC 3339 on almost every page (2026-12-01T10:00:00+08:00)."
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_time_keeps_its_text_and_offset() {
        for text in [
            "2015-05-20T13:29:35.120+08:00",
            "2026-12-01T10:00:00Z",
            "2026-12-01T02:00:00+00:00",
        ] {
            let time = DateTime::new(text);
            assert!(time.datetime().is_some(), "{text}");
            assert_eq!(serde_json::to_value(&time).unwrap(), text);
        }
        let a = DateTime::new("2026-12-01T10:00:00+08:00")
            .datetime()
            .unwrap();
        let b = DateTime::new("2026-12-01T02:00:00Z").datetime().unwrap();
        assert_eq!(a, b, "the same instant");
    }

    #[test]
    fn a_time_from_a_datetime_is_written_as_the_docs_write_times() {
        let at = OffsetDateTime::parse("2026-12-01T10:00:00.5+08:00", &Rfc3339).unwrap();
        assert_eq!(DateTime::from(at).as_str(), "2026-12-01T10:00:00+08:00");
    }

    #[test]
    fn other_texts_are_kept_not_refused() {
        for text in ["", "20261201100000", "2026-12-01"] {
            let time: DateTime = serde_json::from_value(serde_json::json!(text)).unwrap();
            assert_eq!((time.as_str(), time.datetime()), (text, None));
        }
        assert!(serde_json::from_value::<DateTime>(serde_json::json!(17)).is_err());
    }
}
