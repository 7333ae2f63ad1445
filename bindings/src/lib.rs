//! Typed WeChat Pay APIv3 bindings, generated from the documentation.
//!
//! The generated part (`generated/`, by `cargo xtask codegen`) gives every
//! documented operation a request type, response types, validation of the
//! documented limits, a typed call path and JSON Schemas; this file only
//! re-exports it.

#![deny(missing_docs)]

#[cfg(feature = "couponcodes")]
pub mod couponcodes;
// prettyplease formats the generated files; rustfmt must leave them as they are
// so that `cargo xtask codegen --check` compares like with like.
#[rustfmt::skip]
mod generated;

pub use generated::*;
pub use wechatpay_runtime as runtime;
