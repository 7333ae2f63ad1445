//! Typed WeChat Pay APIv3 bindings, generated from the documentation.
//!
//! The generated part (`generated/`, by `cargo xtask codegen`) gives every
//! documented operation a request type, response types, validation of the
//! documented limits and a method of the client; this file only re-exports it. Every
//! generated type has one path, the URL's:
//! `v3::marketing::busifavor::stocks::stock_id::couponcodes::ListCouponCodesQuery`.
//!
//! Every operation has a name, a method of the client on [`WechatPayApi`]
//! (`client.jsapi_prepay(body)`, `client.upload_coupon_codes(stock_id, body)`):
//! the official SDKs' name where they have one, otherwise one derived from
//! its method and path (`wechatpay_spec::names`). Each method returns a
//! [`Call`](wechatpay_runtime::Call) to await, the one future type every
//! operation shares. Its types carry the name
//! (`JsapiPrepayBody`, `JsapiPrepayAmount`, `JsapiPrepayResponse`). Each
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
//! `events` (default) is [`events::Event`], the typed notification of every
//! documented event type (a crate of its own too, built beside the areas; a
//! service that receives no notifications can leave it out).
//! `couponcodes` (default) is the merchant-coupon pre-stored code endpoints
//! with their helpers (the [`couponcodes`] module: code checks, bulk upload,
//! export); `json-schema` derives `schemars::JsonSchema` on
//! every payload type and adds `json_schemas()`, for validating payloads
//! against JSON Schema (off by default: it nearly doubles what the generated code
//! costs to compile).
//!
//! # What the answer types promise
//!
//! The docs' answer tables are not the wire: a table merges the product
//! variants that share a page (direct, partner, cross-border), repeats the
//! request's rows with their required marks, and marks conditional fields
//! required. So the types of what WeChat Pay sends (responses, notification
//! resources) promise what real traffic keeps to, and no more:
//!
//! - **Every answer field is an `Option`**: a field is required only if every
//!   variant sends it, and no page says which does. The page's mark stays in
//!   the field's docs. This is how the official Go SDK models answers too (a
//!   pointer per field). Code that needs a field says so:
//!   `answer.prepay_id.ok_or(Error::absent("prepay_id"))?`.
//! - **Nothing is dropped**: members no page lists are kept in each answer
//!   type's `extra` map and encoded back, so re-serializing an answer gives
//!   what WeChat Pay sent.
//! - **Money is `i64`** (分), whatever a page's type column says; `f64` is
//!   left only where a row shows a fraction (a tax rate, a coefficient).
//! - **Times are [`DateTime`](wechatpay_runtime::DateTime)**, RFC 3339 read
//!   as a time and kept as the exact text; **value lists are open enums**
//!   whose unknown variant keeps a value added later.
//! - Fields the pages leave out of the payment and refund answers
//!   (`amount.total` of `TRANSACTION.SUCCESS`, `payer_total` of the order
//!   queries...) are added from the official SDKs' models, as reviewed data in
//!   `spec/overrides.toml`, and checked against payloads built from those
//!   models (`tests/corpus`).
//! - A verified notification always reaches its handler:
//!   [`events::Event::Undecoded`] carries one whose resource did not decode,
//!   as JSON with where and why. Decode errors name a JSON pointer, the type
//!   expected and the JSON type found, never a value.

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
