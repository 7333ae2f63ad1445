//! Snapshots of the generated code (see `codegen/tests/snapshots.rs`); each module must compile.

#[rustfmt::skip]
#[allow(missing_docs)]
pub mod billdownload;
#[rustfmt::skip]
#[allow(missing_docs)]
pub mod certificates;
#[rustfmt::skip]
#[allow(missing_docs)]
pub mod applyments;
#[rustfmt::skip]
#[allow(missing_docs)]
pub mod contracts;
#[rustfmt::skip]
#[allow(missing_docs)]
pub mod global_merchants;
#[rustfmt::skip]
#[allow(missing_docs)]
pub mod busifavor_stock;
#[rustfmt::skip]
#[allow(missing_docs)]
pub mod media_upload;
#[rustfmt::skip]
#[allow(missing_docs)]
pub mod violation_notifications;
#[rustfmt::skip]
#[allow(missing_docs)]
pub mod negotiation_historys;
#[rustfmt::skip]
#[allow(missing_docs)]
pub mod statements;
#[rustfmt::skip]
#[allow(missing_docs)]
pub mod partnerships;
#[rustfmt::skip]
#[allow(missing_docs)]
pub mod torture_encoded;
#[rustfmt::skip]
#[allow(missing_docs)]
pub mod torture_encoded_upload;
#[rustfmt::skip]
#[allow(missing_docs)]
pub mod torture_names;
