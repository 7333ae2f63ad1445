//! [`impl_deserialize!`](crate::impl_deserialize): how generated structs decode.
//!
//! `#[derive(serde::Deserialize)]` writes, for every struct, a field enum with
//! three visitor methods, a sequence visitor and a map visitor: about 60% of
//! the time the compiler spends on a generated crate. JSON objects need only
//! the map visitor, so generated structs implement `Deserialize` with this
//! macro instead: the field lookup and the bookkeeping live here, once, and
//! each struct adds a `match` and its constructor. It decodes what the derive
//! decodes (unknown fields ignored, `null` or absent optional fields `None`,
//! "missing field" and "duplicate field" errors), except a struct written as a
//! JSON array, which WeChat Pay never sends. `Serialize` stays derived: it is
//! cheap.

use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, Visitor};

/// Implements `serde::Deserialize` for a struct decoded from a JSON object.
/// The body is written like the struct's constructor: each field is
/// `required(position, "wire name")` or `optional(position, "wire name")`
/// (an `Option<_>` field), positions counting from 0.
///
/// ```
/// #[derive(Debug, PartialEq)]
/// pub struct Code {
///     pub code: String,
///     pub status: Option<String>,
/// }
///
/// wechatpay_runtime::impl_deserialize! {
///     Code {
///         code: required(0, "code"),
///         status: optional(1, "code_status"),
///     }
/// }
///
/// let code: Code = serde_json::from_str(r#"{"code": "A1", "extra": 1}"#).unwrap();
/// assert_eq!(code, Code { code: "A1".into(), status: None });
/// let error = serde_json::from_str::<Code>(r#"{"code_status": "AVAILABLE"}"#).unwrap_err();
/// assert!(error.to_string().starts_with("missing field `code`"));
/// ```
#[macro_export]
macro_rules! impl_deserialize {
    (
        $name:ident {
            $($field:ident : $kind:ident($index:literal, $wire:literal $(,)?)),* $(,)?
        }
    ) => {
        impl<'de> $crate::__private::serde::Deserialize<'de> for $name {
            fn deserialize<D: $crate::__private::serde::Deserializer<'de>>(
                deserializer: D,
            ) -> ::std::result::Result<Self, D::Error> {
                const FIELDS: &[&str] = &[$($wire),*];
                struct ObjectVisitor;
                impl<'de> $crate::__private::serde::de::Visitor<'de> for ObjectVisitor {
                    type Value = $name;

                    fn expecting(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                        f.write_str(concat!("struct ", stringify!($name)))
                    }

                    fn visit_map<A: $crate::__private::serde::de::MapAccess<'de>>(
                        self,
                        mut map: A,
                    ) -> ::std::result::Result<$name, A::Error> {
                        $(let mut $field = ::std::option::Option::None;)*
                        while let ::std::option::Option::Some(index) =
                            $crate::__private::de::next_field(&mut map, FIELDS)?
                        {
                            match index {
                                $(::std::option::Option::Some($index) => {
                                    $crate::__private::de::set(&mut map, &mut $field, $wire)?
                                })*
                                _ => $crate::__private::de::skip(&mut map)?,
                            }
                        }
                        ::std::result::Result::Ok($name {
                            $($field: $crate::impl_deserialize!(@finish $kind $field $wire),)*
                        })
                    }
                }
                deserializer.deserialize_struct(stringify!($name), FIELDS, ObjectVisitor)
            }
        }
    };
    (@finish required $field:ident $wire:literal) => {
        $crate::__private::de::required($field, $wire)?
    };
    (@finish optional $field:ident $wire:literal) => {
        ::std::option::Option::flatten($field)
    };
}

/// The position of the next key among `fields` (`Some(None)` for a key that is
/// not a field), or `None` at the end of the object.
#[inline]
pub fn next_field<'de, A: MapAccess<'de>>(
    map: &mut A,
    fields: &'static [&'static str],
) -> Result<Option<Option<usize>>, A::Error> {
    map.next_key_seed(FieldIndex(fields))
}

/// Decodes the current value into `slot`; a second value for it is an error.
#[inline]
pub fn set<'de, A: MapAccess<'de>, T: de::Deserialize<'de>>(
    map: &mut A,
    slot: &mut Option<T>,
    wire: &'static str,
) -> Result<(), A::Error> {
    if slot.is_some() {
        return Err(de::Error::duplicate_field(wire));
    }
    *slot = Some(map.next_value()?);
    Ok(())
}

/// Skips the value of a key that is not a field.
#[inline]
pub fn skip<'de, A: MapAccess<'de>>(map: &mut A) -> Result<(), A::Error> {
    map.next_value::<de::IgnoredAny>().map(|_| ())
}

/// The value of a required field, or the "missing field" error.
#[inline]
pub fn required<T, E: de::Error>(slot: Option<T>, wire: &'static str) -> Result<T, E> {
    slot.ok_or_else(|| E::missing_field(wire))
}

/// Reads a key as its position among the fields, without allocating.
struct FieldIndex(&'static [&'static str]);

impl<'de> DeserializeSeed<'de> for FieldIndex {
    type Value = Option<usize>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_identifier(self)
    }
}

impl<'de> Visitor<'de> for FieldIndex {
    type Value = Option<usize>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a field name")
    }

    fn visit_str<E: de::Error>(self, key: &str) -> Result<Self::Value, E> {
        Ok(self.0.iter().position(|field| *field == key))
    }

    fn visit_bytes<E: de::Error>(self, key: &[u8]) -> Result<Self::Value, E> {
        Ok(self.0.iter().position(|field| field.as_bytes() == key))
    }

    fn visit_u64<E: de::Error>(self, index: u64) -> Result<Self::Value, E> {
        Ok(usize::try_from(index).ok().filter(|i| *i < self.0.len()))
    }
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    /// The same fields decoded by the derive and by the macro.
    #[derive(Debug, PartialEq, Deserialize)]
    struct Derived {
        code: String,
        #[serde(rename = "type")]
        kind: i64,
        #[serde(default)]
        note: Option<String>,
        #[serde(default)]
        items: Option<Vec<Derived>>,
    }

    #[derive(Debug, PartialEq)]
    struct Lean {
        code: String,
        kind: i64,
        note: Option<String>,
        items: Option<Vec<Lean>>,
    }

    crate::impl_deserialize! {
        Lean {
            code: required(0, "code"),
            kind: required(1, "type"),
            note: optional(2, "note"),
            items: optional(3, "items"),
        }
    }

    impl From<Derived> for Lean {
        fn from(d: Derived) -> Lean {
            Lean {
                code: d.code,
                kind: d.kind,
                note: d.note,
                items: d
                    .items
                    .map(|items| items.into_iter().map(Lean::from).collect()),
            }
        }
    }

    fn both(json: &str) -> (Result<Lean, String>, Result<Lean, String>) {
        let derived = serde_json::from_str::<Derived>(json)
            .map(Lean::from)
            .map_err(|e| e.to_string());
        let lean = serde_json::from_str::<Lean>(json).map_err(|e| e.to_string());
        // From a `Value` too: keys are owned strings there.
        let value = serde_json::from_str::<serde_json::Value>(json)
            .ok()
            .map(|v| serde_json::from_value::<Lean>(v).map_err(|e| e.to_string()));
        if let (Some(from_value), Ok(lean)) = (value, &lean) {
            assert_eq!(from_value.as_ref(), Ok(lean), "{json}");
        }
        (derived, lean)
    }

    #[test]
    fn decodes_what_the_derive_decodes() {
        for json in [
            r#"{"code": "A", "type": 1}"#,
            r#"{"type": 2, "code": "B", "note": "n", "extra": {"deep": [1, 2]}}"#,
            r#"{"code": "C", "type": 3, "note": null, "items": [{"code": "D", "type": 4}]}"#,
            r#"{"c\u006fde": "escaped key", "type": 5}"#,
        ] {
            let (derived, lean) = both(json);
            assert!(derived.is_ok(), "{json}: {derived:?}");
            assert_eq!(lean, derived, "{json}");
        }
    }

    #[test]
    fn fails_where_the_derive_fails_with_the_same_message() {
        for json in [
            r#"{"type": 1}"#,
            r#"{"code": "A", "type": 1, "code": "B"}"#,
            r#"{"code": 7, "type": 1}"#,
            r#"{"code": "A", "type": 1, "items": [{"type": 2}]}"#,
            r#""a string""#,
            r#"{"code": "A", "type": 1"#,
        ] {
            let (derived, lean) = both(json);
            // The messages name the struct: `Derived` there, `Lean` here.
            let derived = derived.expect_err(json).replace("Derived", "Lean");
            let lean = lean.expect_err(json);
            assert_eq!(lean, derived, "{json}");
        }
    }
}
