//! What a merchant needs of the pre-stored code endpoints beyond one call each
//! (the endpoints' types are under
//! [`v3::marketing::busifavor::stocks::stock_id::couponcodes`](crate::v3::marketing::busifavor::stocks::stock_id::couponcodes)):
//! a single code's check against the documented limits, every code of a stock
//! as a stream or a concurrent export, and bulk uploads of millions of codes with
//! every code accounted for ([`bulk`]).

pub mod bulk;
mod export;

use std::future::Future;
use std::pin::Pin;

use futures_util::Stream;
use wechatpay_runtime::{Client, Error, Validate};

use self::bulk::{BulkOptions, BulkSummary, ChunkAnswer, ChunkReport, ChunkUploader};
pub use self::export::{ExportError, export_codes};

use crate::v3::marketing::busifavor::stocks::stock_id::couponcodes::{
    ListCouponCodesDataItem, ListCouponCodesQuery, ListCouponCodesRequest, UploadCouponCodesBody,
    UploadCouponCodesRequest,
};

/// Checks one code against the documented limits (1-32 characters from
/// `0-9 a-z A-Z`, space and `- _ \ / = |`); `Err` says why it cannot be uploaded.
pub fn check_code(code: &str) -> Result<(), String> {
    // The limits live in the generated validation of the upload body, so one
    // code is checked as the only item of a body.
    UploadCouponCodesBody::new(vec![code.to_owned()], "check")
        .validate()
        .map_err(|errors| {
            errors
                .0
                .into_iter()
                .map(|e| e.message)
                .collect::<Vec<_>>()
                .join("; ")
        })
}

/// Uploads chunks of one stock's codes with the generated upload operation.
#[derive(Debug, Clone)]
pub struct StockUploader {
    client: Client,
    stock_id: String,
}

impl StockUploader {
    /// An uploader for `stock_id`.
    pub fn new(client: Client, stock_id: impl Into<String>) -> Self {
        StockUploader {
            client,
            stock_id: stock_id.into(),
        }
    }
}

impl ChunkUploader for StockUploader {
    fn upload(
        &self,
        request_no: String,
        codes: Vec<String>,
    ) -> Pin<Box<dyn Future<Output = Result<ChunkAnswer, Error>> + Send + '_>> {
        Box::pin(async move {
            let request = UploadCouponCodesRequest::new(
                self.stock_id.clone(),
                UploadCouponCodesBody::new(codes, request_no),
            );
            // The client sends the request again when an answer fails
            // verification: the request number makes that safe.
            let response = self.client.execute(&request).await?;
            Ok(ChunkAnswer {
                succeeded: response.success_codes.unwrap_or_default(),
                success_count: response.success_count.and_then(|n| u64::try_from(n).ok()),
                existed: response.exist_codes.unwrap_or_default(),
                duplicated: response.duplicate_codes.unwrap_or_default(),
                failed: response
                    .fail_codes
                    .unwrap_or_default()
                    .into_iter()
                    // A failure that names no code settles nothing: the codes
                    // the answer does not mention are reported unknown.
                    .filter_map(|f| {
                        let code = f.code.map(|c| c.as_str().to_owned()).unwrap_or_default();
                        Some((f.coupon_code?, code, f.message.unwrap_or_default()))
                    })
                    .collect(),
            })
        })
    }
}

/// Uploads every code of `codes` (position, code) to `stock_id` in chunks of at
/// most 200; see [`bulk`] for the accounting. Codes are checked with
/// [`check_code`] unless `options.validate` says otherwise.
pub async fn upload_codes<S>(
    client: &Client,
    stock_id: &str,
    codes: S,
    mut options: BulkOptions,
    on_chunk: impl FnMut(&ChunkReport),
) -> Result<BulkSummary, Error>
where
    S: Stream<Item = (u64, String)>,
{
    options.validate.get_or_insert_with(|| Box::new(check_code));
    let uploader = StockUploader::new(client.clone(), stock_id);
    bulk::upload_all(codes, &uploader, &options, on_chunk).await
}

/// Every code of a stock matching `query`, page after page, one request at a
/// time; [`export_codes`] fetches several pages at once.
pub fn list_all(
    client: &Client,
    stock_id: impl Into<String>,
    query: ListCouponCodesQuery,
) -> impl Stream<Item = Result<ListCouponCodesDataItem, Error>> + '_ {
    client.paginate(ListCouponCodesRequest::new(stock_id, query))
}
