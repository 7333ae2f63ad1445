//! [`open_enum!`](crate::open_enum): string enums that survive values
//! WeChat Pay adds after the bindings were generated.

/// Declares a string enum of documented wire values plus a catch-all variant
/// (marked `#[unrecognized]`) that keeps any other value, so decoding a
/// response never fails because WeChat Pay added a value to a field.
///
/// The enum gets `Debug`, `Clone`, `PartialEq`, `Eq` and `Hash`; `as_str` (the
/// wire value), `From<&str>`, `Display`, serde `Serialize`/`Deserialize` as a
/// plain string, and (with the runtime's `json-schema` feature) a `JsonSchema`
/// listing the documented values. Generated
/// code uses it for every enum; it is public so hand-written code can too.
///
/// ```
/// wechatpay_runtime::open_enum! {
///     /// The state of a code.
///     pub enum CodeStatus {
///         /// Not given to a user yet.
///         Available = "AVAILABLE",
///         Dispatched = "DISPATCHED",
///         #[unrecognized]
///         Unrecognized(String),
///     }
/// }
///
/// let known: CodeStatus = serde_json::from_str("\"AVAILABLE\"").unwrap();
/// assert_eq!(known, CodeStatus::Available);
/// let newer: CodeStatus = serde_json::from_str("\"FROZEN\"").unwrap();
/// assert_eq!(newer, CodeStatus::Unrecognized("FROZEN".into()));
/// assert_eq!(serde_json::to_string(&newer).unwrap(), "\"FROZEN\"");
/// assert_eq!(CodeStatus::Dispatched.to_string(), "DISPATCHED");
/// assert_eq!(CodeStatus::VALUES, ["AVAILABLE", "DISPATCHED"]);
/// ```
#[macro_export]
macro_rules! open_enum {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident {
            $($(#[doc = $variant_doc:literal])* $variant:ident = $wire:literal,)*
            #[unrecognized]
            $catch_all:ident(String) $(,)?
        }
    ) => {
        $(#[$meta])*
        #[doc = ""]
        #[doc = concat!(
            "WeChat Pay may send values that are not documented yet: they are kept in [`",
            stringify!($name), "::", stringify!($catch_all), "`], so decoding never fails on them."
        )]
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        $vis enum $name {
            $(
                #[doc = concat!("`", $wire, "`")]
                $(#[doc = ""] #[doc = $variant_doc])*
                $variant,
            )*
            /// A value this version of the bindings does not know.
            $catch_all(::std::string::String),
        }

        impl $name {
            /// The documented values, as sent on the wire.
            pub const VALUES: &'static [&'static str] = &[$($wire),*];

            /// The value as sent on the wire.
            pub fn as_str(&self) -> &str {
                match self {
                    $($name::$variant => $wire,)*
                    $name::$catch_all(value) => value,
                }
            }
        }

        impl ::std::convert::From<&str> for $name {
            fn from(value: &str) -> Self {
                match value {
                    $($wire => $name::$variant,)*
                    other => $name::$catch_all(other.to_owned()),
                }
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl $crate::__private::serde::Serialize for $name {
            fn serialize<S: $crate::__private::serde::Serializer>(
                &self,
                serializer: S,
            ) -> ::std::result::Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> $crate::__private::serde::Deserialize<'de> for $name {
            fn deserialize<D: $crate::__private::serde::Deserializer<'de>>(
                deserializer: D,
            ) -> ::std::result::Result<Self, D::Error> {
                // Borrowed when the input allows, owned when it has escapes.
                let value = <::std::borrow::Cow<'de, str> as $crate::__private::serde::Deserialize>::deserialize(deserializer)?;
                ::std::result::Result::Ok($name::from(value.as_ref()))
            }
        }

        $crate::__open_enum_json_schema!($name, [$($wire),*]);
    };
}

/// The `JsonSchema` impl of an [`open_enum!`](crate::open_enum): a string with
/// the documented values. Decided by the runtime's `json-schema` feature, so the
/// crates expanding `open_enum!` need no feature of their own.
#[cfg(feature = "json-schema")]
#[doc(hidden)]
#[macro_export]
macro_rules! __open_enum_json_schema {
    ($name:ident, [$($wire:literal),*]) => {
        impl $crate::__private::schemars::JsonSchema for $name {
            fn schema_name() -> ::std::borrow::Cow<'static, str> {
                ::std::borrow::Cow::Borrowed(stringify!($name))
            }

            fn json_schema(
                _: &mut $crate::__private::schemars::SchemaGenerator,
            ) -> $crate::__private::schemars::Schema {
                $crate::__private::string_enum_schema(&[$($wire),*])
            }
        }
    };
}

/// Without the `json-schema` feature, open enums have no `JsonSchema` impl.
#[cfg(not(feature = "json-schema"))]
#[doc(hidden)]
#[macro_export]
macro_rules! __open_enum_json_schema {
    ($name:ident, [$($wire:literal),*]) => {};
}
