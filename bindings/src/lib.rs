//! Typed WeChat Pay APIv3 bindings, generated from the documentation.
//!
//! The generated part (`generated/`, by `cargo xtask codegen`) gives every
//! documented operation a request type, response types, validation of the
//! documented limits and a typed call path; this file only re-exports it. Every
//! generated type has one path, the URL's:
//! `v3::marketing::busifavor::stocks::stock_id::couponcodes::ListCouponCodesQuery`.
//!
//! One way to call an operation: its call path, spelled like its URL and
//! ending in the HTTP method,
//! `client.v3().marketing().busifavor().stocks().stock_id(id).couponcodes().post(body)`
//! (bring [`WechatPayApi`] into scope for `client.v3()`). The friendly names
//! on [`WechatPayApi`] (`upload_coupon_codes`) are aliases of such calls. Each
//! call sends its operation's `*Request` value through
//! [`Client::execute`](wechatpay_runtime::Client::execute), which is there for
//! code that needs the request as a value (pagination, the blocking client);
//! [`Client::request`](wechatpay_runtime::Client::request) reaches endpoints
//! that are not generated.
//!
//! Features: one per API area, `/v3/<area>` (`v3-pay`, `v3-refund`, ...), and
//! for `/v3/marketing` one per product (`v3-marketing-busifavor`; `v3-marketing`
//! enables them all); `all-areas` enables every operation of the docs site.
//! Each area is a crate of its own (`wechatpay-bindings-v3-pay`), which its
//! feature enables and this crate shows at its URL (`v3::pay`), so areas
//! compile in parallel.
//! `couponcodes` (default) is the merchant-coupon pre-stored code endpoints
//! with their helpers (the [`couponcodes`] module: code checks, bulk upload,
//! export); `json-schema` derives `schemars::JsonSchema` on
//! every payload type and adds `json_schemas()`, for validating payloads
//! against JSON Schema (off by default: it nearly doubles what the generated code
//! costs to compile).

#![deny(missing_docs)]

#[cfg(feature = "couponcodes")]
pub mod couponcodes;
// prettyplease formats the generated files; rustfmt must leave them as they are
// so that `cargo xtask codegen --check` compares like with like.
#[rustfmt::skip]
mod generated;

pub use generated::*;
pub use wechatpay_runtime as runtime;

/// The README's Rust example, compiled as a doctest so that it stays true.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct ReadmeDoctests;
