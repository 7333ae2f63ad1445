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
/// (an `Option<_>` field), positions counting from 0. A last `..name` names a
/// `serde_json::Map` field that keeps every member the struct does not
/// list (without it they are skipped).
///
/// ```
/// #[derive(Debug, PartialEq)]
/// pub struct Code {
///     pub code: String,
///     pub status: Option<String>,
///     pub extra: serde_json::Map<String, serde_json::Value>,
/// }
///
/// wechatpay_runtime::impl_deserialize! {
///     Code {
///         code: required(0, "code"),
///         status: optional(1, "code_status"),
///         ..extra
///     }
/// }
///
/// let code: Code = serde_json::from_str(r#"{"code": "A1", "new": 1}"#).unwrap();
/// assert_eq!(code.code, "A1");
/// assert_eq!(code.status, None);
/// assert_eq!(code.extra["new"], 1);
/// let error = serde_json::from_str::<Code>(r#"{"code_status": "AVAILABLE"}"#).unwrap_err();
/// assert!(error.to_string().starts_with("missing field `code`"));
/// ```
// Generated code calls it as `__private::impl_deserialize!`; it is not an
// API for users, so the docs do not show it.
#[doc(hidden)]
#[macro_export]
macro_rules! impl_deserialize {
    (
        $name:ident {
            $($field:ident : $kind:ident($index:literal, $wire:literal $(,)?),)*
            .. $rest:ident $(,)?
        }
    ) => {
        $crate::impl_deserialize!(@impl $name [$($field : $kind($index, $wire))*] [$rest]);
    };
    (
        $name:ident {
            $($field:ident : $kind:ident($index:literal, $wire:literal $(,)?)),* $(,)?
        }
    ) => {
        $crate::impl_deserialize!(@impl $name [$($field : $kind($index, $wire))*] []);
    };
    (@impl $name:ident [$($field:ident : $kind:ident($index:literal, $wire:literal))*] [$($rest:ident)?]) => {
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
                        $(let mut $rest = $crate::__private::serde_json::Map::new();)?
                        while let ::std::option::Option::Some(key) =
                            $crate::__private::de::next_key(&mut map, FIELDS)?
                        {
                            match key {
                                $($crate::__private::de::Key::Field($index) => {
                                    $crate::__private::de::set(&mut map, &mut $field, $wire)?
                                })*
                                #[allow(unused_variables)]
                                $crate::__private::de::Key::Other(other) => {
                                    $crate::impl_deserialize!(@other map other $($rest)?)
                                }
                                // Positions past the list cannot come back from `next_key`.
                                $crate::__private::de::Key::Field(_) => {
                                    $crate::__private::de::skip(&mut map)?
                                }
                            }
                        }
                        ::std::result::Result::Ok($name {
                            $($field: $crate::impl_deserialize!(@finish $kind $field $wire),)*
                            $($rest,)?
                        })
                    }
                }
                deserializer.deserialize_struct(stringify!($name), FIELDS, ObjectVisitor)
            }
        }
    };
    (@other $map:ident $key:ident) => {
        $crate::__private::de::skip(&mut $map)?
    };
    (@other $map:ident $key:ident $rest:ident) => {
        $crate::__private::de::keep(&mut $map, &mut $rest, $key)?
    };
    (@finish required $field:ident $wire:literal) => {
        $crate::__private::de::required($field, $wire)?
    };
    (@finish optional $field:ident $wire:literal) => {
        ::std::option::Option::flatten($field)
    };
}

/// A key of an object being decoded: one of the struct's fields (by
/// position), or another member's name.
#[derive(Debug)]
pub enum Key<'de> {
    /// The field at this position.
    Field(usize),
    /// A member the struct does not list (borrowed from the input when it can be).
    Other(std::borrow::Cow<'de, str>),
}

/// The next key, or `None` at the end of the object.
#[inline]
pub fn next_key<'de, A: MapAccess<'de>>(
    map: &mut A,
    fields: &'static [&'static str],
) -> Result<Option<Key<'de>>, A::Error> {
    map.next_key_seed(FieldKey(fields))
}

/// Keeps the current member's value under `key` in `rest`.
#[inline]
pub fn keep<'de, A: MapAccess<'de>>(
    map: &mut A,
    rest: &mut serde_json::Map<String, serde_json::Value>,
    key: std::borrow::Cow<'de, str>,
) -> Result<(), A::Error> {
    let value = map.next_value::<serde_json::Value>()?;
    rest.insert(key.into_owned(), value);
    Ok(())
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

/// Reads a key as its position among the fields, without allocating for
/// the fields.
struct FieldKey(&'static [&'static str]);

impl<'de> DeserializeSeed<'de> for FieldKey {
    type Value = Key<'de>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_identifier(self)
    }
}

impl<'de> Visitor<'de> for FieldKey {
    type Value = Key<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a field name")
    }

    fn visit_str<E: de::Error>(self, key: &str) -> Result<Self::Value, E> {
        Ok(match self.0.iter().position(|field| *field == key) {
            Some(index) => Key::Field(index),
            None => Key::Other(std::borrow::Cow::Owned(key.to_owned())),
        })
    }

    fn visit_borrowed_str<E: de::Error>(self, key: &'de str) -> Result<Self::Value, E> {
        Ok(match self.0.iter().position(|field| *field == key) {
            Some(index) => Key::Field(index),
            None => Key::Other(std::borrow::Cow::Borrowed(key)),
        })
    }

    fn visit_string<E: de::Error>(self, key: String) -> Result<Self::Value, E> {
        Ok(match self.0.iter().position(|field| *field == key) {
            Some(index) => Key::Field(index),
            None => Key::Other(std::borrow::Cow::Owned(key)),
        })
    }

    fn visit_bytes<E: de::Error>(self, key: &[u8]) -> Result<Self::Value, E> {
        match std::str::from_utf8(key) {
            Ok(key) => self.visit_str(key),
            Err(_) => Err(E::invalid_value(de::Unexpected::Bytes(key), &self)),
        }
    }

    fn visit_u64<E: de::Error>(self, index: u64) -> Result<Self::Value, E> {
        Ok(
            match usize::try_from(index).ok().filter(|i| *i < self.0.len()) {
                Some(index) => Key::Field(index),
                None => Key::Other(std::borrow::Cow::Owned(index.to_string())),
            },
        )
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
