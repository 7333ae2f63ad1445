//! Typed WeChat Pay APIv3 bindings, generated from the documentation.
//!
//! The generated part (`generated/`, by `cargo xtask codegen`) gives every
//! documented operation a request type, response types, validation of the
//! documented limits, a typed call path and JSON Schemas; this file only
//! re-exports it.

#![deny(missing_docs)]

#[allow(missing_docs)]
mod generated;

pub use generated::*;
pub use wechatpay_runtime as runtime;
